"""The mixer's levels: which clip sounds where, and each clip's samples with every gain applied.

This is all the mixer needs from loudness: the timeline's events as clips placed on frames
(``placements``, ``resolve_clips``, with the one rounding rule ``frame_of``), and the plan's
result (``MixLevels``, made by ``plan.plan_gain``), which hands out each clip's final int16
samples.
"""

from __future__ import annotations

import bisect
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Protocol

import numpy as np

from audiocoach.errors import AudiocoachError
from audiocoach.speech.base import SAMPLE_RATE, Clip
from audiocoach.timeline import Event, Timeline
from audiocoach.tones import dip_spans, tone_clip, under_speech

__all__ = [
    "Bed",
    "ClipKey",
    "MixLevels",
    "Placement",
    "ToneSource",
    "event_key",
    "frame_of",
    "keyed_events",
    "placements",
    "resolve_clips",
]

#: ``("speech", text, 0, ())`` or ``("tone", name, duration_ms, dips)``: one distinct sound in
#: the mix. ``dips`` are the words (start, end in ms from the tone's start) the tone dips under
#: (``tones.under_speech``): a sweep under "Inhale." is another sound than the same sweep alone.
ClipKey = tuple[str, str, int, tuple[tuple[int, int], ...]]
#: Where tones come from: ``tones.tone_clip`` unless a test injects its own.
ToneSource = Callable[[str, int], Clip]


def frame_of(ms: int, sample_rate: int = SAMPLE_RATE) -> int:
    """The frame at which millisecond ``ms`` starts: ``round(ms * rate / 1000)``, halves up.

    The single rounding rule shared by the mixer (where a clip starts), the loudness plan and the
    total length, so an event lands on the same sample everywhere.
    """
    return (ms * sample_rate + 500) // 1000


def event_key(event: Event) -> ClipKey | None:
    """Which clip an event plays on its own, or None for an event that makes no sound (empty
    speech). In a timeline a tone may dip under words: ``keyed_events`` gives its key there."""
    if event.kind == "speech":
        return ("speech", event.text, 0, ()) if event.text else None
    if event.kind == "tone":
        if not event.tone:
            raise AudiocoachError(f"tone event at {event.at_ms} ms names no tone")
        return ("tone", event.tone, int(event.duration_ms), ())
    raise AudiocoachError(f"unknown event kind {event.kind!r} at {event.at_ms} ms")


def keyed_events(timeline: Timeline) -> list[tuple[Event, ClipKey]]:
    """Every sounding event with the clip it plays, in timeline order.

    A tone that rings while the coach speaks gets the words it dips under in its key
    (``tones.dip_spans``), so the loudness plan and the mixer both see the dipped tone.
    """
    speech = sorted((e.at_ms, e.end_ms) for e in timeline.events if e.kind == "speech" and e.text)
    starts = [start for start, _ in speech]
    longest = max((end - start for start, end in speech), default=0)
    out: list[tuple[Event, ClipKey]] = []
    for event in timeline.events:
        key = event_key(event)
        if key is None:
            continue
        if key[0] == "tone":
            # words starting from (a word's length before the tone) to past its end
            lo = bisect.bisect_left(starts, event.at_ms - longest - 1000)
            hi = bisect.bisect_right(starts, event.end_ms + 1000)
            near = [(a - event.at_ms, b - event.at_ms) for a, b in speech[lo:hi]]
            key = (*key[:3], dip_spans(key[1], key[2], near))
        out.append((event, key))
    return out


def resolve_clips(
    timeline: Timeline, clips: Mapping[str, Clip], tones: ToneSource = tone_clip
) -> dict[ClipKey, Clip]:
    """Every distinct clip the timeline plays, keyed by ``event_key``.

    ``clips`` maps spoken text to its clip; tones come from ``tones``. Checks the contract the
    mixer relies on (every text has a clip, every clip is at the mix rate) once, up front, so a
    missing clip fails before ffmpeg starts rather than minutes into a render.
    """
    out: dict[ClipKey, Clip] = {}
    for _, key in keyed_events(timeline):
        if key in out:
            continue
        kind, name, length, dips = key
        if kind == "speech":
            clip = clips.get(name)
            if clip is None:
                raise AudiocoachError(f"no speech clip for {name!r}")
        else:
            clip = under_speech(tones(name, length), dips)
        if clip.sample_rate != SAMPLE_RATE:
            raise AudiocoachError(
                f"clip for {name!r} is at {clip.sample_rate} Hz; the mix runs at {SAMPLE_RATE} Hz"
            )
        out[key] = clip
    return out


@dataclass(frozen=True, slots=True)
class Placement:
    """One sounding event: its clip and the frame where the clip's first sample plays."""

    start: int
    key: ClipKey


def placements(timeline: Timeline) -> list[Placement]:
    """Sounding events in time order, with their start frames."""
    out = [Placement(frame_of(e.at_ms), key) for e, key in keyed_events(timeline)]
    out.sort(key=lambda p: p.start)
    return out


class Bed(Protocol):
    """Music under the track, as the plan and the mixer see it (``bed.Bed`` is the one there is).

    Energies and peaks are before the track's global gain; ``windows`` yields float32 samples in
    int16 units, shape (frames, ``channels``), times ``scale`` (the global gain, linear), each
    array reused for the next window.
    """

    @property
    def channels(self) -> int: ...

    def hop_energies(self, hops: int, hop: int) -> np.ndarray: ...

    def capped(self, allowed: float) -> Bed: ...

    def windows(self, window: int, scale: float) -> Iterator[np.ndarray]: ...


@dataclass(frozen=True)
class MixLevels:
    """The loudness plan for one timeline, ready for the mixer.

    ``gain_db`` is the one global gain, applied to every clip. ``predicted_lufs`` is the
    integrated loudness the plan expects ffmpeg to measure on the encoded file;
    ``predicted_peak_dbtp`` is the true peak no moment of the mix exceeds before encoding.
    ``pcm`` gives each clip's final int16 samples with every gain applied, made when the mixer
    first asks; ``limited_db`` then tells, per speech clip, the most the limiter took from it;
    ``compressed_db``, the most the leveller took from each (known from the plan). ``bed`` is the
    music to play under the track, songs turned down where the plan had to (None: no music).
    """

    gain_db: float
    predicted_lufs: float
    predicted_peak_dbtp: float
    pcm: Mapping[ClipKey, np.ndarray] = field(repr=False, compare=False)
    compressed_db: Mapping[ClipKey, float] = field(
        default_factory=lambda: MappingProxyType({}), repr=False, compare=False
    )
    #: the limiter's report so far (the plan's fitter): clip -> most dB it took, where it took any
    _limited: Callable[[], Mapping[ClipKey, float]] = field(
        default=lambda: {}, repr=False, compare=False
    )
    bed: Bed | None = field(default=None, repr=False, compare=False)

    @property
    def limited_db(self) -> Mapping[ClipKey, float]:
        return MappingProxyType(dict(self._limited()))
