"""Sidecar files: LRC lyrics, WebVTT captions and the timeline JSON, written atomically."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from audio_helpers import make_timeline

from audiocoach.errors import AudiocoachError
from audiocoach.sidecars import lrc_text, vtt_text, write_lrc, write_timeline_json, write_vtt
from audiocoach.timeline import Event, Timeline


def timeline() -> Timeline:
    return make_timeline(
        3_725_000,
        [
            Event(0, "speech", 1500, text="Welcome."),
            Event(1000, "tone", 350, tone="start"),
            Event(61_234, "speech", 900, text="Rest <30 s> & breathe --> slowly"),
            Event(3_600_005, "speech", 2000, text="Well done.\nThat's all."),
            Event(3_700_000, "speech", 0, text=""),
        ],
        title="Upper back: yoga",
    )


def test_lrc_lines_follow_the_speech() -> None:
    lines = lrc_text(timeline()).splitlines()
    assert lines[0] == "[ti:Upper back: yoga]"
    assert "[ar:audiocoach]" in lines and "[length:62:05.00]" in lines
    spoken = [line for line in lines if line[1].isdigit()]
    assert spoken == [
        "[00:00.00]Welcome.",
        "[01:01.23]Rest <30 s> & breathe --> slowly",
        "[60:00.00]Well done. That's all.",  # minutes run on past 59; lines stay one line
    ]


def test_vtt_cues_span_each_utterance() -> None:
    text = vtt_text(timeline())
    assert text.startswith("WEBVTT - Upper back: yoga\n\n")
    blocks = text.strip().split("\n\n")[1:]
    assert len(blocks) == 3
    assert blocks[0].splitlines() == ["1", "00:00:00.000 --> 00:00:01.500", "Welcome."]
    assert blocks[1].splitlines()[1] == "00:01:01.234 --> 00:01:02.134"
    assert blocks[1].splitlines()[2] == "Rest &lt;30 s&gt; &amp; breathe --&gt; slowly"
    assert blocks[2].splitlines()[1] == "01:00:00.005 --> 01:00:02.005"


def test_files_are_written_whole(tmp_path: Path) -> None:
    t = timeline()
    lrc, vtt, js = tmp_path / "a.lrc", tmp_path / "a.vtt", tmp_path / "a.json"
    lrc.write_text("old")
    write_lrc(t, lrc)
    write_vtt(t, vtt)
    write_timeline_json(t, js)
    assert lrc.read_text(encoding="utf-8") == lrc_text(t)
    assert vtt.read_text(encoding="utf-8") == vtt_text(t)
    assert js.read_text(encoding="utf-8") == t.dumps()
    assert Timeline.from_json(json.loads(js.read_text(encoding="utf-8"))) == t
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a.json", "a.lrc", "a.vtt"]


def test_an_unwritable_place_is_one_clear_error(tmp_path: Path) -> None:
    with pytest.raises(AudiocoachError, match="cannot write"):
        write_lrc(timeline(), tmp_path / "missing" / "a.lrc")
