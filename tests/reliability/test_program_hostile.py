"""Hostile program files (``routines/week.yaml`` style, with ``days:``).

``tests/test_hostile_input.py`` answers every hostile routine file; here the same bytes arrive as
a program, and as the routine a program's day names, through ``playlist`` (which renders nothing
when its input is bad), and then the hostilities only programs have: days that are not days, weeks
beyond reason, progressions that would run for years, routine paths that lead nowhere (a device,
a folder, a loop, a name too long for the filesystem, a NUL).
"""

from __future__ import annotations

import os
import time
from pathlib import Path

import pytest
from test_hostile_input import ACCEPTED, FAST_S, LOCATED, REJECTED

from audiocoach.cli import cli

TINY = "title: Tiny\nblocks:\n  - exercise: Plank\n    duration: 20s\n"


def assert_refused(result, program: Path, out: Path, *, files: set[str] | None = None) -> None:  # type: ignore[no-untyped-def]
    """Exit 2, every line ``file:line:col: message`` about an expected file, nothing written."""
    output = result.stdout + result.stderr
    assert result.exit_code == 2, output
    assert "Traceback" not in output
    lines = result.stderr.strip().splitlines()
    assert lines, "expected a message"
    for line in lines:
        match = LOCATED.match(line)
        assert match, line
        assert match.group("file") in (files or {str(program)}), line
        assert len(line) < 600 and line.isprintable(), line
    assert not out.exists(), "bad input must write nothing"


def playlist(runner, program: Path, out: Path, *extra: str):  # type: ignore[no-untyped-def]
    start = time.process_time()  # CPU time: a busy machine must not fail the test
    args = ["playlist", str(program), "-o", str(out), "-q", "-j", "1", "--engine", "espeak"]
    result = runner.invoke(cli, [*args, *extra])
    elapsed = time.process_time() - start
    assert elapsed < FAST_S, f"took {elapsed:.2f}s of CPU"
    return result


@pytest.mark.parametrize("name", list(REJECTED))
def test_hostile_bytes_as_a_program(runner, tmp_path: Path, name: str) -> None:
    raw, _, _ = REJECTED[name]
    program = tmp_path / "week.yaml"
    program.write_bytes(raw)
    assert_refused(playlist(runner, program, tmp_path / "out"), program, tmp_path / "out")


@pytest.mark.parametrize("name", list(REJECTED))
def test_hostile_bytes_as_a_days_routine(runner, tmp_path: Path, name: str) -> None:
    raw, line, substring = REJECTED[name]
    (tmp_path / "hostile.yaml").write_bytes(raw)
    (tmp_path / "fine.yaml").write_text(TINY, encoding="utf-8")
    program = tmp_path / "week.yaml"
    program.write_text(
        "title: Week\ndays:\n  mon: fine.yaml\n  wed: hostile.yaml\n", encoding="utf-8"
    )
    result = playlist(runner, program, tmp_path / "out")
    hostile = str(tmp_path / "hostile.yaml")
    assert_refused(result, program, tmp_path / "out", files={hostile})
    assert substring in result.stderr
    if line is not None:
        assert f"{hostile}:{line}:" in result.stderr


@pytest.mark.parametrize("name", list(ACCEPTED))
def test_harmless_oddities_in_a_program(runner, tmp_path: Path, name: str) -> None:
    """A BOM, CRLF, tabs, non-ASCII, merge keys: fine in a program and in its routines."""
    raw, _ = ACCEPTED[name]
    (tmp_path / "odd.yaml").write_bytes(raw)
    program = tmp_path / "week.yaml"
    text = "title: Odd week\ndays:\n  mon: odd.yaml\n  thu: rest\n"
    if name == "crlf":
        text = text.replace("\n", "\r\n")
    elif name == "utf-8-bom":
        text = "\ufeff" + text
    program.write_bytes(text.encode())
    result = runner.invoke(cli, ["plan", str(program), "--estimate"])
    assert result.exit_code == 0, result.output
    assert "Odd week" in result.stdout


#: name -> (program text, the line of the (first) message, a substring of it)
PROGRAMS: dict[str, tuple[str, int, str]] = {
    "days-a-list": ("title: W\ndays: [tiny.yaml]\n", 2, "expected a mapping"),
    "days-a-string": ("title: W\ndays: tiny.yaml\n", 2, "expected a mapping"),
    "days-empty": ("title: W\ndays:\n", 2, "expected a mapping"),
    "no-days-at-all": ("title: W\ndays: {}\n", 1, "every day is a rest day"),
    # a bare "off" is YAML's false: still a rest day, as the word says
    "every-day-rest": ("title: W\ndays: {mon: rest, tue: off, sun: rest day}\n", 1, "rest day"),
    # a key is a name as written: 1 is the day '1', which is no day
    "a-number-for-a-day": ("title: W\ndays:\n  1: tiny.yaml\n", 3, "unknown day '1'"),
    "a-list-for-a-day": ("title: W\ndays:\n  ? [mon, tue]\n  : tiny.yaml\n", 3, "must be a name"),
    "a-day-that-is-not": ("title: W\ndays: {funday: tiny.yaml}\n", 2, "unknown day 'funday'"),
    "a-day-twice": ("title: W\ndays:\n  mon: tiny.yaml\n  Monday: tiny.yaml\n", 4, "twice"),
    "weeks-1e309": ("title: W\nweeks: 1e309\ndays: {mon: tiny.yaml}\n", 2, "whole number"),
    "weeks-1.0e+309": ("title: W\nweeks: 1.0e+309\ndays: {mon: tiny.yaml}\n", 2, "got inf"),
    "weeks-nan": ("title: W\nweeks: .nan\ndays: {mon: tiny.yaml}\n", 2, "got nan"),
    "weeks-minus-zero": (
        "title: W\nweeks: -0\ndays: {mon: tiny.yaml}\n",
        2,
        "from 1 to 52 (got 0)",
    ),
    # pydantic's int once read true as week 1
    "weeks-true": ("title: W\nweeks: yes\ndays: {mon: tiny.yaml}\n", 2, "whole number of weeks"),
    "week-list-true": (
        "title: W\ndays: {mon: tiny.yaml}\nprogression: [{weeks: [true], deload: 0.7}]\n",
        3,
        "whole number of weeks",
    ),
    "weeks-for-centuries": (
        "title: W\nweeks: 99999999999999999999\ndays: {mon: tiny.yaml}\n",
        2,
        "from 1 to 52",
    ),
    "weeks-in-words": ("title: W\nweeks: four\ndays: {mon: tiny.yaml}\n", 2, "whole number"),
    "progression-a-number": (
        "title: W\ndays: {mon: tiny.yaml}\nprogression: 5\n",
        3,
        "expected a list",
    ),
    "progression-nonsense": (
        "title: W\ndays: {mon: tiny.yaml}\nprogression:\n"
        "  - {every: .nan, sets: '+1e309'}\n  - {every: 1, holds: 1e309}\n"
        "  - {every: 1, holds: '+99999h'}\n  - {weeks: [0, 1e309], deload: .nan}\n",
        4,
        "",
    ),
    "day-pace-nonsense": (
        "title: W\ndays:\n"
        "  mon: {routine: tiny.yaml, pace: {rest: 1e309, pace: .nan, countdown: 99}}\n",
        3,
        "expected a duration",
    ),
    "routine-empty-name": ("title: W\ndays: {mon: ''}\n", 2, "must not be empty"),
    "routine-a-device": ("title: W\ndays: {mon: /dev/zero}\n", 2, "no routine file '/dev/zero'"),
    "routine-a-folder": ("title: W\ndays: {mon: .}\n", 2, "no routine file '.'"),
    "routine-a-loop": ("title: W\ndays: {mon: loop1}\n", 2, "no routine file 'loop1'"),
    "routine-with-nul": ('title: W\ndays: {mon: "tiny\\0.yaml"}\n', 2, "no routine file"),
    "routine-name-too-long": (
        "title: W\ndays: {mon: " + "x" * 5000 + ".yaml}\n",
        2,
        "no routine file 'xxx",
    ),
    "routine-is-the-program": (
        "title: W\ndays: {mon: week.yaml}\n",
        2,
        "this is a weekly program (it has days:), not a routine",
    ),
}


@pytest.mark.parametrize("name", list(PROGRAMS))
def test_program_hostilities(runner, tmp_path: Path, name: str) -> None:
    text, line, substring = PROGRAMS[name]
    (tmp_path / "tiny.yaml").write_text(TINY, encoding="utf-8")
    os.symlink("loop2", tmp_path / "loop1")
    os.symlink("loop1", tmp_path / "loop2")
    program = tmp_path / "week.yaml"
    program.write_text(text, encoding="utf-8")
    result = playlist(runner, program, tmp_path / "out")
    assert_refused(result, program, tmp_path / "out")
    assert substring in result.stderr, result.stderr
    assert f"{program}:{line}:" in result.stderr.splitlines()[0], result.stderr


def test_a_day_key_with_spaces_is_still_that_day(runner, tmp_path: Path) -> None:
    """``"mon ":`` (quoted, with a space) is Monday; it once crashed with a KeyError."""
    (tmp_path / "tiny.yaml").write_text(TINY, encoding="utf-8")
    program = tmp_path / "week.yaml"
    program.write_text('title: W\ndays:\n  "mon ": tiny.yaml\n  " Wed": tiny.yaml\n')
    result = runner.invoke(cli, ["plan", str(program), "--estimate"])
    assert result.exit_code == 0, result.output
    assert "Monday" in result.stdout and "Wednesday" in result.stdout


def test_a_progression_that_would_run_for_years(runner, tmp_path: Path) -> None:
    """52 weeks, every day, holds ten minutes longer and ten more sets each week: the weeks that
    would last past twelve hours are listed, quickly, and nothing is rendered."""
    blocks = "".join(f"  - exercise: Move {i}\n    duration: 5m\n" for i in range(14))
    blocks += "  - exercise: Rows\n    reps: 5\n    sets: 2\n"  # for sets: +10 to change
    (tmp_path / "long.yaml").write_text("title: Long\nblocks:\n" + blocks, encoding="utf-8")
    days = "".join(f"  {d}: long.yaml\n" for d in ("mon", "tue", "wed", "thu", "fri", "sat", "sun"))
    program = tmp_path / "year.yaml"
    program.write_text(
        "title: Year\nweeks: 52\ndays:\n" + days + "progression:\n"
        "  - every: 1\n    holds: +600\n    sets: +10\n",
        encoding="utf-8",
    )
    result = playlist(runner, program, tmp_path / "out")
    assert_refused(result, program, tmp_path / "out", files={str(tmp_path / "long.yaml")})
    assert "week 52: this routine would last at least 14 hours" in result.stderr
    assert "week 1:" not in result.stderr, "week 1 is 70 minutes: fine"


@pytest.mark.parametrize("weeks", ["0", "-1", "1-999", "abc", "2-1", "1e309", "9" * 30, " "])
def test_hostile_weeks_flag(runner, tmp_path: Path, weeks: str) -> None:
    (tmp_path / "tiny.yaml").write_text(TINY, encoding="utf-8")
    program = tmp_path / "week.yaml"
    program.write_text("title: W\nweeks: 2\ndays: {mon: tiny.yaml}\n", encoding="utf-8")
    result = runner.invoke(
        cli, ["playlist", str(program), "-o", str(tmp_path / "out"), "--weeks", weeks]
    )
    assert result.exit_code == 2, result.output
    assert "Traceback" not in result.output
    assert "--weeks" in result.stderr
    assert not (tmp_path / "out").exists()


@pytest.mark.parametrize("as_what", ["routine", "program", "day's routine"])
def test_huge_and_endless_files_are_refused_without_reading_them(
    runner, tmp_path: Path, as_what: str
) -> None:
    """A 3 GB (sparse) file and /dev/zero: refused at once from their first megabyte, not read
    into memory (which took 13 s and 3 GB for the sparse file before)."""
    huge = tmp_path / "huge.yaml"
    with open(huge, "wb") as f:
        f.truncate(3 * 1024**3)
    (tmp_path / "fine.yaml").write_text(TINY, encoding="utf-8")
    for target, said in (
        (huge, "file is 3221.2 MB"),
        (Path("/dev/zero"), "file is more than 1 MB"),
    ):
        if as_what == "day's routine":
            program = tmp_path / "week.yaml"
            program.write_text(f"title: W\ndays:\n  mon: fine.yaml\n  tue: {target}\n")
            args, where = ["validate", str(program)], str(target)
        else:
            args = ["validate" if as_what == "routine" else "plan", str(target)]
            where = str(target)
        start = time.process_time()
        result = runner.invoke(cli, args)
        assert time.process_time() - start < FAST_S
        if as_what == "day's routine" and target == Path("/dev/zero"):
            # not a regular file: a program never opens it
            assert "no routine file '/dev/zero'" in result.stderr
            continue
        assert result.exit_code == 2, result.output
        (line,) = result.stderr.strip().splitlines()
        assert line.startswith(f"{where}:1:1: {said};") and "at most 1 MB" in line, line
