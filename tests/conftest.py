"""Shared fixtures: a deterministic fake speech length, routine files, and a CLI runner."""

from __future__ import annotations

import os
import textwrap
from collections.abc import Callable, Iterator
from pathlib import Path

import click
import pytest
from click.testing import CliRunner
from hypothesis import HealthCheck, settings

REPO = Path(__file__).resolve().parent.parent

# The default profile is derandomized: the same examples every run, so a red build can always be
# reproduced and never hinges on the day's luck. The thorough profile draws new examples each
# run, for hunting (HYPOTHESIS_PROFILE=thorough).
settings.register_profile(
    "ci",
    max_examples=50,
    derandomize=True,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
)
settings.register_profile(
    "thorough",
    max_examples=2000,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci"))

#: Fake speech: 60 ms a character plus 100 ms to start, so lengths are easy to work out by hand.
MS_PER_CHAR = 60
SPEECH_BASE_MS = 100


def fake_speech_ms(text: str) -> int:
    return SPEECH_BASE_MS + MS_PER_CHAR * len(text) if text else 0


class RecordingSpeech:
    """``fake_speech_ms`` that also remembers every text it was asked about, in order."""

    def __init__(self) -> None:
        self.calls: list[str] = []

    def __call__(self, text: str) -> int:
        self.calls.append(text)
        return fake_speech_ms(text)


@pytest.fixture
def fake_speech() -> Callable[[str], int]:
    return fake_speech_ms


@pytest.fixture
def recording_speech() -> RecordingSpeech:
    return RecordingSpeech()


@pytest.fixture
def write_routine(tmp_path: Path) -> Callable[..., Path]:
    """``write_routine(text, name="routine.yaml")``: dedent ``text``, write it, return the path."""

    def write(text: str | bytes, name: str = "routine.yaml") -> Path:
        path = tmp_path / name
        if isinstance(text, bytes):
            path.write_bytes(text)
        else:
            path.write_text(textwrap.dedent(text).lstrip("\n"), encoding="utf-8")
        return path

    return write


def _click_separates_stderr() -> bool:
    major, minor = (int(p) for p in click.__version__.split(".")[:2])
    return (major, minor) >= (8, 2)


@pytest.fixture
def runner() -> CliRunner:
    """A runner whose results have separate ``stdout`` and ``stderr`` on every click version.

    click 8.2 always keeps stderr apart (and ``output`` interleaves both); before 8.2 that needs
    ``mix_stderr=False``, and then ``output`` is stdout only. Tests read ``stdout``/``stderr``.
    """
    if _click_separates_stderr():
        return CliRunner()
    return CliRunner(mix_stderr=False)  # type: ignore[call-arg]


@pytest.fixture(autouse=True, scope="session")
def _no_user_voices(tmp_path_factory: pytest.TempPathFactory) -> Iterator[None]:
    """The tests see no Piper voices of the machine's user: an empty voices folder (its variable
    is inherited by worker processes and subprocesses). Tests that need user voices set their own.
    """
    from audiocoach.speech.piper_voices import VOICES_DIR_ENV

    saved = os.environ.get(VOICES_DIR_ENV)
    os.environ[VOICES_DIR_ENV] = str(tmp_path_factory.mktemp("no-user-voices"))
    yield
    if saved is None:
        os.environ.pop(VOICES_DIR_ENV, None)
    else:
        os.environ[VOICES_DIR_ENV] = saved
