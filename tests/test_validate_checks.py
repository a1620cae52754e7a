"""``validate`` promises that a file it passes renders: it checks what ``render`` checks.

Field report: a routine whose section music did not exist, and a program day whose music folder
did not exist, validated "ok" and then failed to render. Music is now checked by ``validate``
exactly as by ``render`` and ``playlist`` (before any speech is made), and so is everything else
the render checks before it starts.
"""

from __future__ import annotations

from pathlib import Path

from music_helpers import make_song

from audiocoach.cli import cli

ROUTINE = """\
title: Music test
music: {top}
sections:
  - name: Warm-up
    blocks:
      - exercise: Plank
        duration: 20s
  - name: Main
    music: {section}
    blocks:
      - exercise: Push-Up
        reps: 3
"""


def _validate(runner, *paths: Path):
    return runner.invoke(cli, ["validate", "--engine", "espeak", "--estimate", *map(str, paths)])


def test_missing_section_music_fails_validate_at_its_line(tmp_path: Path, runner) -> None:
    make_song(tmp_path / "song.mp3", 30)
    path = tmp_path / "r.yaml"
    path.write_text(ROUTINE.format(top="song.mp3", section="nothere/"), encoding="utf-8")
    result = _validate(runner, path)
    assert result.exit_code == 2, result.output
    (line,) = result.stderr.strip().splitlines()
    assert line == f"{path}:9:12: sections[1].music: {tmp_path / 'nothere'}: no such file or folder"
    # and render says the same, before writing anything
    out = tmp_path / "r.mp3"
    rendered = runner.invoke(cli, ["render", str(path), "-o", str(out), "--engine", "espeak"])
    assert rendered.exit_code == 2 and rendered.stderr.strip() == line
    assert not out.exists()


def test_usable_music_validates(tmp_path: Path, runner) -> None:
    make_song(tmp_path / "song.mp3", 30)
    (tmp_path / "more").mkdir()
    make_song(tmp_path / "more" / "b.mp3", 30)
    path = tmp_path / "r.yaml"
    path.write_text(ROUTINE.format(top="song.mp3", section="more/"), encoding="utf-8")
    result = _validate(runner, path)
    assert result.exit_code == 0, result.output
    assert result.stdout.startswith(f"ok: {path}: Music test (about ")


def test_missing_day_music_fails_validate_for_a_program(tmp_path: Path, runner) -> None:
    (tmp_path / "plank.yaml").write_text(
        "title: Plank\nblocks:\n  - exercise: Plank\n    duration: 20s\n", encoding="utf-8"
    )
    program = tmp_path / "week.yaml"
    program.write_text(
        "title: Week\ndays:\n  mon:\n    routine: plank.yaml\n    music: nomusic/\n",
        encoding="utf-8",
    )
    result = _validate(runner, program)
    assert result.exit_code == 2, result.output
    (line,) = result.stderr.strip().splitlines()
    assert line == f"{program}:5:12: days.mon.music: {tmp_path / 'nomusic'}: no such file or folder"
