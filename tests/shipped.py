"""The files shipped in ``routines/``, told apart: routines, and programs (which have ``days:``)."""

from __future__ import annotations

from pathlib import Path

from audiocoach.program import is_program
from audiocoach.yamlsource import read_source

ROUTINES_DIR = Path(__file__).resolve().parent.parent / "routines"
ALL_FILES = sorted(ROUTINES_DIR.glob("*.yaml"))
PROGRAMS = [p for p in ALL_FILES if is_program(read_source(p))]
ROUTINES = [p for p in ALL_FILES if p not in PROGRAMS]
#: The four-week program the README and the issues use.
WEEK = ROUTINES_DIR / "week.yaml"
