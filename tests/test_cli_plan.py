"""``audiocoach plan``: the JSON contract, the human table, flags and errors.

Every call passes ``--estimate`` so speech is sized by the quick estimator, never synthesized.
"""

from __future__ import annotations

import json
import re
from itertools import pairwise

import pytest

from audiocoach import __version__
from audiocoach.cli import cli

ROUTINE = """\
title: Plan me
pace:
  rest: 20s
sections:
  - name: Warm-up
    blocks:
      - exercise: Shoulder rolls
        duration: 30s
        steps: [Stand tall.]
      - exercise: Cat-cow
        breaths: 3
        breathe: {inhale: arch, exhale: round}
  - name: Main
    blocks:
      - exercise: Row
        reps: 8
        sets: 2
        sides: both
      - rest: 30s
      - superset: Pair
        rounds: 2
        exercises:
          - exercise: Push-up
            reps: 5
          - exercise: Plank
            duration: 20s
      - check: Weight test
      - exercise: Child's pose
        duration: open
"""

PHASE_KINDS = {
    "intro",
    "prepare",
    "work",
    "rest",
    "breath-in",
    "breath-hold",
    "breath-out",
    "transition",
    "outro",
}


def run(runner, *args: str):
    return runner.invoke(cli, [*args], catch_exceptions=False)


@pytest.fixture
def routine_path(write_routine):
    return write_routine(ROUTINE)


def plan_json(runner, path, *flags: str) -> dict:
    result = run(runner, "plan", str(path), "--estimate", "--json", "--engine", "espeak", *flags)
    assert result.exit_code == 0, result.stderr
    return json.loads(result.stdout)


def _is(value, *types) -> bool:
    # bool is an int in Python, never in the contract
    return isinstance(value, types) and not isinstance(value, bool)


def test_json_matches_the_contract(runner, routine_path) -> None:
    data = plan_json(runner, routine_path)
    assert _is(data["title"], str) and data["title"] == "Plan me"
    assert _is(data["duration_ms"], int) and data["duration_ms"] > 0

    assert data["chapters"]
    for chapter in data["chapters"]:
        assert {"title", "start_ms", "end_ms"} <= set(chapter)
        assert _is(chapter["title"], str)
        assert _is(chapter["start_ms"], int) and _is(chapter["end_ms"], int)

    assert data["phases"]
    for phase in data["phases"]:
        assert {"kind", "label", "start_ms", "end_ms", "exercise", "set", "round", "side"} <= set(
            phase
        )
        assert phase["kind"] in PHASE_KINDS
        assert _is(phase["label"], str)
        assert _is(phase["start_ms"], int) and _is(phase["end_ms"], int)
        assert phase["exercise"] is None or _is(phase["exercise"], str)
        assert phase["set"] is None or _is(phase["set"], int)
        assert phase["round"] is None or _is(phase["round"], int)
        assert phase["side"] is None or _is(phase["side"], str)

    # what speaks it (issue 8): the engine's name, its voice, the language
    assert data["engine"] == "espeak" and data["voice"] == "en-us" and data["language"] == "en"

    assert data["events"]
    for event in data["events"]:
        assert {"at_ms", "kind", "text", "tone", "duration_ms"} <= set(event)
        assert event["kind"] in ("speech", "tone")
        assert _is(event["at_ms"], int) and _is(event["duration_ms"], int)
        if event["kind"] == "speech":
            assert _is(event["text"], str) and event["tone"] is None
            assert _is(event["spoken"], str) and event["spoken"]
        else:
            assert _is(event["tone"], str) and event["text"] is None
            assert "spoken" not in event


def test_json_is_consistent(runner, routine_path) -> None:
    data = plan_json(runner, routine_path)
    total = data["duration_ms"]
    phases = data["phases"]
    assert phases[0]["start_ms"] == 0 and phases[-1]["end_ms"] == total
    assert all(a["end_ms"] == b["start_ms"] for a, b in pairwise(phases))
    chapters = data["chapters"]
    assert chapters[0]["start_ms"] == 0 and chapters[-1]["end_ms"] == total
    assert all(a["end_ms"] == b["start_ms"] for a, b in pairwise(chapters))
    titles = [c["title"] for c in chapters]
    assert titles[0] == "Intro" and titles[-1] == "Finish"
    assert "Row" in titles and "Push-up (round 2 of 2)" in titles
    kinds = {p["kind"] for p in phases}
    assert {"breath-in", "breath-out", "transition", "rest", "work", "prepare"} <= kinds
    sides = [p["side"] for p in phases if p["exercise"] == "Row" and p["kind"] == "work"]
    assert sides == ["left", "right", "left", "right"]
    sets = [p["set"] for p in phases if p["exercise"] == "Row" and p["kind"] == "work"]
    assert sets == [1, 1, 2, 2]
    rounds = [p["round"] for p in phases if p["exercise"] == "Plank" and p["kind"] == "work"]
    assert rounds == [1, 2]


def test_table_has_phases_and_a_total(runner, routine_path) -> None:
    result = run(runner, "plan", str(routine_path), "--estimate")
    assert result.exit_code == 0, result.stderr
    lines = result.stdout.splitlines()
    assert lines[0] == "Plan me"
    totals = [line for line in lines if line.startswith("Total ")]
    assert len(totals) == 1
    data = plan_json(runner, routine_path)
    ms = data["duration_ms"]
    assert re.fullmatch(r"Total \d+:\d\d \(\S+\)", totals[0])
    assert totals[0].startswith(f"Total {ms // 60_000}:{ms // 1000 % 60:02d} ")
    assert any(line.startswith("Chapters: Intro, Shoulder rolls") for line in lines)
    assert any("Cat-cow (3 breaths)" in line for line in lines)
    assert any("rest" in line and "Rest 30s (next: Push-up)" in line for line in lines)


def _lengths(data: dict, kind: str, exercise: str | None = None) -> set[int]:
    return {
        p["end_ms"] - p["start_ms"]
        for p in data["phases"]
        if p["kind"] == kind and (exercise is None or p["exercise"] == exercise)
    }


def _texts(data: dict) -> set[str]:
    return {e["text"] for e in data["events"] if e["kind"] == "speech"}


def _tones(data: dict) -> set[str]:
    return {e["tone"] for e in data["events"] if e["kind"] == "tone"}


@pytest.mark.parametrize(
    ("flags", "check"),
    [
        (["--rest", "45s"], lambda d: _lengths(d, "rest") == {45_000}),
        (["--breath", "3:5"], lambda d: _lengths(d, "breath-in") == {3000}),
        (["--countdown", "0"], lambda d: "pip" not in _tones(d)),
        (["--no-steps"], lambda d: "Stand tall." not in _texts(d)),
        (["--hold", "45s"], lambda d: _lengths(d, "work", "Child's pose") == {45_000}),
        (["--rep-tempo", "2s"], lambda d: _lengths(d, "work", "Push-up") == {10_000}),
    ],
    ids=["rest", "breath", "countdown", "no-steps", "hold", "rep-tempo"],
)
def test_pace_flags_reach_the_plan(runner, routine_path, flags, check) -> None:
    data = plan_json(runner, routine_path, *flags)
    assert check(data)
    assert not check(plan_json(runner, routine_path))  # and without the flag it differs


def test_pace_and_speech_speed_change_the_total(runner, routine_path) -> None:
    normal = plan_json(runner, routine_path)["duration_ms"]
    assert plan_json(runner, routine_path, "--pace", "0.5")["duration_ms"] < normal
    assert plan_json(runner, routine_path, "--pace", "x1.5")["duration_ms"] > normal
    assert plan_json(runner, routine_path, "--speech-speed", "0.5")["duration_ms"] > normal
    assert plan_json(runner, routine_path, "--rest", "x0.5")["duration_ms"] < normal


@pytest.mark.parametrize(
    ("flag", "value", "accepted_form"),
    [
        ("--breath", "4", "like 4:6"),
        ("--breath", "4-6", "like 4:6"),
        ("--pace", "0", "from 0.25 to 4"),
        ("--pace", "quick", "a number like 0.8"),
        ("--rest", "soon", "a duration like 30s"),
        ("--rest", "soon", "a factor like x0.5"),
        ("--rep-tempo", "0.1s", "from 0.5s to 60s"),
        ("--hold", "forever", "a duration like 30s"),
        ("--countdown", "11", "0<=x<=10"),
        ("--speech-speed", "3", "from 0.5 to 2"),
    ],
)
def test_bad_flag_values_exit_2_with_the_accepted_form(
    runner, routine_path, flag: str, value: str, accepted_form: str
) -> None:
    result = run(runner, "plan", str(routine_path), "--estimate", flag, value)
    assert result.exit_code == 2
    assert not result.stdout
    assert f"Invalid value for '{flag}'" in result.stderr
    assert accepted_form in result.stderr
    assert "Traceback" not in result.stderr


def test_missing_file_is_one_clear_line(runner, tmp_path) -> None:
    missing = tmp_path / "no-such-routine.yaml"
    result = run(runner, "plan", str(missing), "--estimate")
    assert result.exit_code == 2
    assert not result.stdout
    (line,) = result.stderr.strip().splitlines()
    assert line == f"{missing}:1:1: no such file; check the path to the routine"


def test_invalid_routine_exits_2_with_located_messages(runner, write_routine) -> None:
    path = write_routine("title: Broken\nblocks:\n  - exercise: Plank\n    durtion: 30s\n")
    result = run(runner, "plan", str(path), "--estimate", "--json")
    assert result.exit_code == 2
    assert not result.stdout
    assert result.stderr.startswith(f"{path}:4:5: blocks[0].durtion: unknown key 'durtion'")


def test_too_fast_tempo_is_located_and_the_fix_works(runner, write_routine) -> None:
    path = write_routine(
        """
        title: Fast
        blocks:
          - exercise: Plank
            duration: 20s
          - exercise: Lunge
            reps: 12
            sides: both
            alternate: true
            tempo: 0.5s
        """
    )
    result = run(runner, "plan", str(path), "--estimate")
    assert result.exit_code == 2
    (line,) = result.stderr.strip().splitlines()
    assert line.startswith(f"{path}:5:5: blocks[1]: Lunge: a rep every 0.5s is too fast")
    fix = re.search(r"(--rep-tempo \S+)\)$", line)
    assert fix, line
    flag, value = fix.group(1).split()
    assert run(runner, "plan", str(path), "--estimate", flag, value).exit_code == 0


@pytest.mark.parametrize("estimate", [(), ("--estimate",)], ids=["voice", "estimate"])
def test_plan_and_validate_show_one_length(runner, routine_path, estimate) -> None:
    # Field report: validate said "about 48.294s" where plan said 48.365 s for the same file.
    # Both now lay the routine out the same way and show whole seconds through one rounding rule.
    plan = run(runner, "plan", str(routine_path), "--engine", "espeak", *estimate)
    total = re.search(r"^Total (\d+:\d\d) \((\S+)\)$", plan.stdout, re.M)
    assert total, plan.stdout
    result = run(runner, "validate", str(routine_path), "--engine", "espeak", *estimate)
    assert result.exit_code == 0
    about = "about " if estimate else ""
    assert result.stdout == f"ok: {routine_path}: Plan me ({about}{total.group(2)})\n"
    seconds = int(total.group(1).split(":")[0]) * 60 + int(total.group(1).split(":")[1])
    minutes, secs = divmod(seconds, 60)
    assert total.group(2) == (f"{minutes}m{secs:02d}s" if secs else f"{minutes}m")


def test_version_and_help(runner) -> None:
    assert __version__ in run(runner, "--version").stdout
    result = run(runner, "plan", "--help")
    assert result.exit_code == 0
    for flag in ("--pace", "--rest", "--breath", "--rep-tempo", "--json", "--estimate"):
        assert flag in result.stdout
