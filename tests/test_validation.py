"""``audiocoach validate`` over a corpus of broken routines, each saying what it expects.

Every file in ``tests/bad/`` starts with one ``# expect: LINE: substring`` comment per message the
validator must print. The file must be rejected (exit 2, no traceback) with exactly those
messages, each located at ``FILE:LINE:``.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from shipped import ALL_FILES

from audiocoach.cli import cli
from audiocoach.errors import InputError
from audiocoach.routine import load_routine

BAD_DIR = Path(__file__).parent / "bad"
BAD_FILES = sorted(BAD_DIR.glob("*.yaml"))
EXPECT = re.compile(r"^# expect: (\d+): (.+)$")


def expectations(path: Path) -> list[tuple[int, str]]:
    found = []
    for line in path.read_text(encoding="utf-8").splitlines():
        match = EXPECT.match(line)
        if match:
            found.append((int(match.group(1)), match.group(2).strip()))
    return found


def located_messages(output: str, path: Path) -> list[str]:
    """The message lines of ``output`` that are about ``path`` (``path:line:col: ...``)."""
    pattern = re.compile(rf"^{re.escape(str(path))}:\d+:\d+: ")
    return [line for line in output.splitlines() if pattern.match(line)]


VALID = """\
title: Upper back basics
description: A short test routine.
pace:
  breath: 4:6
  rest: 20s
sections:
  - name: Warm-up
    blocks:
      - exercise: Shoulder rolls
        duration: 30s
        steps:
          - Stand tall.
        cues: Keep your neck long.
      - exercise: Cat-cow
        breaths: 4
        breathe:
          inhale: arch your back
          exhale: round your spine
  - name: Main
    blocks:
      - exercise: Band pull-apart
        reps: 10
        tempo: 2s
        sets: 2
      - rest: 30s
        say: Shake out your arms.
      - superset: Back and chest
        rounds: 2
        rest: 30s
        exercises:
          - exercise: Row
            reps: 8
          - exercise: Side plank
            duration: 20s
            sides: both
      - check: Weight test
        steps: [Stand with feet hip-width apart, Notice where your weight falls]
      - say: Well done so far.
      - exercise: Child's pose
        duration: open
"""


def test_corpus_is_big_enough() -> None:
    assert len(BAD_FILES) >= 15
    for path in BAD_FILES:
        assert expectations(path), f"{path.name} has no '# expect:' line"


@pytest.mark.parametrize("path", BAD_FILES, ids=[p.stem for p in BAD_FILES])
def test_bad_routine_is_rejected_with_located_messages(runner, path: Path) -> None:
    result = runner.invoke(cli, ["validate", str(path)])
    text = result.stdout + result.stderr
    assert result.exit_code == 2, text
    assert isinstance(result.exception, SystemExit), result.exception
    assert "Traceback" not in text
    messages = located_messages(result.stderr, path)
    expected = expectations(path)
    for line, substring in expected:
        hits = [m for m in messages if m.startswith(f"{path}:{line}:") and substring in m]
        assert hits, f"no message at line {line} containing {substring!r} in:\n{result.stderr}"
    assert len(messages) == len(expected), result.stderr
    assert not result.stdout.strip(), "a rejected file must not be reported as ok"


def test_misspelt_key_points_at_the_key_itself(runner) -> None:
    path = BAD_DIR / "misspelt_key.yaml"
    result = runner.invoke(cli, ["validate", str(path)])
    # line 7 is "        durtion: 30s": column 9 is where the key starts
    assert f"{path}:7:9: sections[0].blocks[0].durtion: unknown key 'durtion'" in result.stderr


def test_messages_have_the_documented_shape(runner) -> None:
    path = BAD_DIR / "three_mistakes.yaml"
    result = runner.invoke(cli, ["validate", str(path)])
    shape = re.compile(rf"^{re.escape(str(path))}:\d+:\d+: [\w\[\].]+: \S.*$")
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 3
    assert all(shape.match(line) for line in lines), lines
    # in file order
    assert [int(line.split(":")[1]) for line in lines] == [7, 9, 11]


def test_valid_routine_exits_zero(runner, write_routine) -> None:
    path = write_routine(VALID)
    result = runner.invoke(cli, ["validate", str(path), "--engine", "espeak"])
    assert result.exit_code == 0, result.stderr
    assert result.stdout.startswith(f"ok: {path}: Upper back basics")
    assert not result.stderr


@pytest.mark.parametrize(
    "text",
    [
        "title: Minimal\nblocks:\n  - exercise: Plank\n    duration: 30\n",
        "title: Open hold\nblocks:\n  - exercise: Hang\n    duration: as long as comfortable\n",
        "title: Breath map\nblocks:\n  - exercise: Box\n    breaths: 3\n"
        "    breath: {inhale: 4s, hold: 4s, exhale: 4s, hold_out: 4s}\n",
        "title: Circuit\nblocks:\n  - circuit: Loop\n    rounds: 3\n    rest_between: 10s\n"
        "    exercises:\n      - exercise: Squat\n        reps: 5\n"
        "      - exercise: Lunge\n        reps: 4\n        sides: [right, left]\n"
        "        alternate: true\n",
        "title: Named sides\nblocks:\n  - exercise: Lean\n    duration: 1m30s\n"
        "    sides: [front, back]\n",
    ],
    ids=["bare-seconds", "open-hold", "breath-mapping", "circuit-alternate", "named-sides"],
)
def test_other_valid_shapes_exit_zero(runner, write_routine, text: str) -> None:
    result = runner.invoke(cli, ["validate", str(write_routine(text)), "--engine", "espeak"])
    assert result.exit_code == 0, result.stderr


def _shipped_routines() -> list[Path]:
    return ALL_FILES  # routines and the week program: validate takes both


@pytest.mark.parametrize("path", _shipped_routines(), ids=lambda p: p.stem)
def test_shipped_routines_are_valid(runner, path: Path) -> None:
    # with the default voice (Piper for English), the one a runner will hear them in
    result = runner.invoke(cli, ["validate", str(path)])
    assert result.exit_code == 0, result.stderr


def test_several_files_report_every_problem_of_every_file(runner, write_routine) -> None:
    good = write_routine(VALID, "good.yaml")
    first = BAD_DIR / "three_mistakes.yaml"
    second = BAD_DIR / "duplicate_key.yaml"
    missing = good.parent / "nowhere.yaml"
    files = [str(first), str(good), str(second), str(missing)]
    result = runner.invoke(cli, ["validate", *files, "--engine", "espeak"])
    assert result.exit_code == 2
    assert "Traceback" not in result.stdout + result.stderr
    assert f"ok: {good}:" in result.stdout
    assert len(located_messages(result.stderr, first)) == 3
    assert len(located_messages(result.stderr, second)) == 1
    assert len(located_messages(result.stderr, missing)) == 1
    assert "no such file" in result.stderr


def test_validate_needs_a_file(runner) -> None:
    result = runner.invoke(cli, ["validate"])
    assert result.exit_code == 2
    assert "Missing argument" in result.stderr


def test_did_you_mean_inside_supersets_and_breathe(write_routine) -> None:
    path = write_routine(
        """
        title: Nested typos
        blocks:
          - superset: Pair
            exercises:
              - exercise: Row
                reps: 5
                tempp: 2s
          - exercise: Flow
            duration: 30s
            breathe:
              inhal: Up
        """
    )
    with pytest.raises(InputError) as info:
        load_routine(path)
    assert info.value.text.splitlines() == [
        f"{path}:7:9: blocks[0].exercises[0].tempp: unknown key 'tempp'; did you mean 'tempo'?",
        f"{path}:11:7: blocks[1].breathe.inhal: unknown key 'inhal'; did you mean 'inhale'?",
    ]
