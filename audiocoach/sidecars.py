"""Text files beside the audio: lyrics (LRC), captions (WebVTT), chapters (JSON), the timeline.

LRC makes music players scroll the spoken words in time with the track; WebVTT does the same for
web and video players (and screen readers); the chapters JSON is the Podcasting 2.0 chapters file
a feed links with ``<podcast:chapters>``; the timeline JSON is the timeline contract (DESIGN.md),
so a render can be checked against what was planned. Each is written atomically, like the audio.
"""

from __future__ import annotations

import json
import os
import unicodedata
from typing import Any

from audiocoach.atomic import atomic_write_bytes
from audiocoach.durations import timestamp
from audiocoach.errors import AudiocoachError
from audiocoach.speech.text import TERMINAL_CODES
from audiocoach.timeline import Event, Timeline

__all__ = [
    "CHAPTERS_JSON_VERSION",
    "chapters_json",
    "lrc_text",
    "vtt_text",
    "write_chapters_json",
    "write_lrc",
    "write_timeline_json",
    "write_vtt",
]

#: The version of the Podcasting 2.0 JSON chapters format written.
CHAPTERS_JSON_VERSION = "1.2.0"


#: Terminal colour codes pasted into a routine ("\x1b[31m"): no player should show them.


def _one_line(text: str) -> str:
    """Text as one clean line: breaks and control characters (a bell, an escape) become spaces."""
    text = TERMINAL_CODES.sub("", text)
    return " ".join("".join(" " if unicodedata.category(c) == "Cc" else c for c in text).split())


def _spoken(timeline: Timeline) -> list[Event]:
    spoken = (e for e in timeline.speech() if e.text and e.text.strip())
    return sorted(spoken, key=lambda e: e.at_ms)


def _lrc_clock(ms: int) -> str:
    """``mm:ss.xx``; minutes keep counting past 59 (LRC has no hours). Hundredths round down,
    so a line never shows after its words begin."""
    minutes, rest = divmod(max(ms, 0), 60_000)
    return f"{minutes:02d}:{rest // 1000:02d}.{rest % 1000 // 10:02d}"


def lrc_text(timeline: Timeline, *, artist: str = "audiocoach") -> str:
    """The LRC lyrics of a timeline: a header, then ``[mm:ss.xx]words`` for every utterance."""
    lines = [
        f"[ti:{_one_line(timeline.title)}]",
        f"[ar:{_one_line(artist)}]",
        f"[length:{_lrc_clock(timeline.duration_ms)}]",
        "[re:audiocoach]",
    ]
    lines += [f"[{_lrc_clock(e.at_ms)}]{_one_line(e.text or '')}" for e in _spoken(timeline)]
    return "\n".join(lines) + "\n"


def _vtt_escape(text: str) -> str:
    # cue text is a tiny markup language: &, < and > must be escaped, and "-->" cannot appear
    text = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    return text.replace("-->", "--&gt;")


def vtt_text(timeline: Timeline) -> str:
    """WebVTT captions: one cue per utterance, from its start to its end."""
    title = _one_line(timeline.title).replace("-->", "->")
    out = [f"WEBVTT - {title}" if title else "WEBVTT", ""]
    for n, e in enumerate(_spoken(timeline), start=1):
        end = max(e.end_ms, e.at_ms + 1)
        out += [str(n), f"{timestamp(e.at_ms)} --> {timestamp(end)}"]
        out += [_vtt_escape(_one_line(e.text or "")), ""]
    return "\n".join(out)


def _write(path: str | os.PathLike[str], text: str) -> None:
    try:
        atomic_write_bytes(path, text.encode("utf-8"))
    except OSError as exc:
        raise AudiocoachError(f"cannot write {os.fspath(path)}: {exc.strerror or exc}") from None


def write_lrc(
    timeline: Timeline, path: str | os.PathLike[str], *, artist: str = "audiocoach"
) -> None:
    """Write ``lrc_text(timeline)`` to ``path``, atomically."""
    _write(path, lrc_text(timeline, artist=artist))


def write_vtt(timeline: Timeline, path: str | os.PathLike[str]) -> None:
    """Write ``vtt_text(timeline)`` to ``path``, atomically."""
    _write(path, vtt_text(timeline))


def write_timeline_json(timeline: Timeline, path: str | os.PathLike[str]) -> None:
    """Write the timeline's JSON form (the DESIGN.md contract) to ``path``, atomically."""
    _write(path, timeline.dumps())


def chapters_json(timeline: Timeline, *, file_name: str | None = None) -> dict[str, Any]:
    """The timeline's chapters in the Podcasting 2.0 JSON chapters format (version 1.2.0).

    ``{"version": "1.2.0", "title": ..., "fileName": ..., "chapters": [{"startTime": s,
    "endTime": s, "title": ...}]}``: times in seconds (floats, exact to the ms), chapters in
    ascending ``startTime``, empty ones dropped, as the audio file's chapters. ``fileName`` (the
    audio file these chapters apply to) is left out when not given. Source of the rules: the
    podcast namespace's ``docs/examples/chapters/jsonChapters.md`` (Podcastindex.org).
    """
    chapters = sorted(
        (c for c in timeline.chapters if c.end_ms > c.start_ms >= 0), key=lambda c: c.start_ms
    )
    out: dict[str, Any] = {"version": CHAPTERS_JSON_VERSION, "title": timeline.title}
    if file_name:
        out["fileName"] = file_name
    out["chapters"] = [
        {"startTime": c.start_ms / 1000, "endTime": c.end_ms / 1000, "title": c.title}
        for c in chapters
    ]
    return out


def write_chapters_json(
    timeline: Timeline, path: str | os.PathLike[str], *, file_name: str | None = None
) -> None:
    """Write ``chapters_json(timeline)`` to ``path`` (UTF-8, indented), atomically."""
    data = chapters_json(timeline, file_name=file_name)
    _write(path, json.dumps(data, ensure_ascii=False, indent=2) + "\n")
