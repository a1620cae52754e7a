"""The routine's breath words are heard: where they fit, in their phase; where they do not, once as
the move is introduced, before the count-in (a coach explains a move, then paces it).

Field report: ``breathe: {inhale: arch your back and lift your chest toward the ceiling}`` at
``breath: 2:2`` played a bare "Inhale." every breath, and ``plan`` listed nothing dropped; at
``breath: 1:1:1:1`` both phases' words vanished. Rendered with real espeak-ng and decoded.
"""

from __future__ import annotations

import json

import pytest
from audio_helpers import decode, rms_dbfs, span

from audiocoach.cli import cli

ROUTINE = """\
title: Breath words
blocks:
  - exercise: Cat cow
    breaths: 3
    breath: {breath}
    breathe: {{inhale: arch your back and lift your chest toward the ceiling, exhale: round}}
"""

LONG = "Inhale, arch your back and lift your chest toward the ceiling."


@pytest.mark.parametrize(
    ("breath", "before"),
    [("2:2", [LONG]), ("1:1:1:1", [LONG, "Exhale, round."])],
    ids=["long-inhale", "box-pattern"],
)
def test_words_too_long_for_a_phase_are_heard_before_the_count_in(
    runner, write_routine, tmp_path, breath: str, before: list[str]
) -> None:
    path = write_routine(ROUTINE.format(breath=breath))
    out = tmp_path / "breath.mp3"
    result = runner.invoke(
        cli, ["render", str(path), "-o", str(out), "--engine", "espeak", "--timeline"]
    )
    assert result.exit_code == 0, result.output
    plan = json.loads(out.with_suffix(".timeline.json").read_text(encoding="utf-8"))
    prepare = next(p for p in plan["phases"] if p["kind"] == "prepare")
    first_pip = min(e["at_ms"] for e in plan["events"] if e.get("tone") == "pip" and e["at_ms"] > 0)
    said = [e for e in plan["events"] if e["kind"] == "speech"]
    explained = [e for e in said if e["text"] in before]
    assert [e["text"] for e in explained] == before
    for event in explained:  # in the introduction, ended before the count-in's first pip
        assert prepare["start_ms"] <= event["at_ms"]
        assert event["at_ms"] + event["duration_ms"] <= first_pip
    # the breaths themselves say the bare words; nothing is dropped
    in_breaths = {e["text"] for e in said if e["role"] == "breath"}
    assert LONG not in in_breaths and "Inhale." in in_breaths
    assert plan["dropped"] == []
    samples = decode(out)
    for event in explained:  # heard: the decoded track sounds where the words are scheduled
        start, end = event["at_ms"], event["at_ms"] + event["duration_ms"]
        assert rms_dbfs(span(samples, start, end)) > -30, event["text"]
    table = runner.invoke(cli, ["plan", str(path), "--engine", "espeak"])
    row = next(line for line in table.stdout.splitlines() if "Get ready: Cat cow" in line)
    assert row.endswith(" ".join(["Cat cow.", "Three breaths.", *before]))
