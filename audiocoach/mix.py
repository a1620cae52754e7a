"""The mixer: a timeline and its clips become PCM, one window at a time.

Overlaying every cue onto one full-length silent bed (pydub's ``overlay``) copies the whole track
per cue: 200 cues on a 30-minute bed took about 21 s, ten times the encoder. Here the track is
produced window by window (a few seconds each) in time order: each window is an int32 accumulator
into which the clips sounding in it are added, clip slices cut exactly at the window edges, then
saturated to int16. Memory is one window plus the clips, whatever the track length, and the PCM
streams straight into the encoder, so on two cores mixing and encoding overlap.

numpy was chosen over pydub for the per-window sum after measuring both: for the same windows it
is several times faster (``tests/test_mix.py`` prints the figures), and mixing must stay well
ahead of MP3 encoding for the overlap to hide it.

Sample accuracy: an event at ``at_ms`` starts at frame ``round(at_ms * 44.1)`` (``frame_of``), and
its clip's sample ``k`` plays at that frame plus ``k`` whichever window it falls in, so the
concatenated windows equal one big overlay exactly (the tests compare them sample for sample).
The total is ``frame_of(duration_ms)`` frames; anything scheduled past the end is cut.
"""

from __future__ import annotations

import bisect
import math
from collections.abc import Callable, Iterator, Mapping

import numpy as np

from audiocoach.errors import AudiocoachError
from audiocoach.loudness.dynamics import PeakGuard
from audiocoach.loudness.levels import (
    ClipKey,
    MixLevels,
    ToneSource,
    event_key,
    frame_of,
    placements,
    resolve_clips,
)
from audiocoach.speech.base import Clip
from audiocoach.timeline import Timeline
from audiocoach.tones import tone_clip

__all__ = ["DEFAULT_WINDOW_MS", "SIDE_PAN", "mix_chunks", "pan_gains", "total_frames"]

#: Window length: long enough that per-window overhead vanishes, short enough that a window is
#: under a megabyte (5 s of 16-bit mono is 441 kB).
DEFAULT_WINDOW_MS = 5_000
#: The longest window of the stereo (or music) mix, which works in float32: 8 bytes a frame, and a
#: few buffers of it at once (the music, the peak guard's look-ahead, the PCM for the encoder).
FLOAT_WINDOW_MS = 2_500


def total_frames(timeline: Timeline) -> int:
    """Frames the mix of ``timeline`` has: ``round(duration_ms * 44.1)``."""
    return frame_of(timeline.duration_ms)


def _source(
    timeline: Timeline,
    clips: Mapping[str, Clip],
    levels: MixLevels | None,
    tone_clips: ToneSource,
) -> Callable[[ClipKey], np.ndarray]:
    """Where each clip's samples come from, checked up front for every clip the timeline plays."""
    if levels is None:
        raw = {
            key: np.frombuffer(clip.pcm, dtype="<i2")
            for key, clip in resolve_clips(timeline, clips, tone_clips).items()
        }
        return raw.__getitem__
    missing = {p.key for p in placements(timeline)} - set(levels.pcm.keys())
    if missing:
        kind, name, *_ = sorted(missing)[0]
        raise AudiocoachError(f"the loudness plan has no {kind} clip for {name!r}")
    return levels.pcm.__getitem__


def mix_chunks(
    timeline: Timeline,
    clips: Mapping[str, Clip],
    levels: MixLevels | None = None,
    *,
    window_ms: int = DEFAULT_WINDOW_MS,
    tone_clips: ToneSource = tone_clip,
    channels: int = 1,
    pan_sides: bool = False,
) -> Iterator[bytes]:
    """Yield the track as s16le PCM at 44.1 kHz, ``window_ms`` at a time, in time order.

    With ``levels`` (from ``loudness.plan.plan_gain``) the planned, gain-applied clips are mixed,
    and the music of ``levels.bed`` under them; without, the clips as given (``clips`` for speech
    by text, ``tone_clips`` for tones), at unity gain (windows of at most ``FLOAT_WINDOW_MS``
    with music or in stereo). ``channels`` 1 gives mono; 2 gives
    interleaved stereo with the cues in the centre (constant power, so the plan's loudness holds)
    or, with ``pan_sides``, the cues of one-sided work toward that side (``SIDE_PAN``).
    Clips are checked before this returns; a clip's samples are fetched when it first sounds.
    """
    if window_ms <= 0:
        raise AudiocoachError(f"mix window must be positive, got {window_ms} ms")
    if channels not in (1, 2):
        raise AudiocoachError(f"the mix is mono or stereo, not {channels} channels")
    bed = levels.bed if levels is not None else None
    if bed is not None and bed.channels != channels:
        raise AudiocoachError(
            f"the music is laid for {bed.channels} channels, the mix has {channels}"
        )
    if pan_sides and channels != 2:
        raise AudiocoachError("cues can only be moved to one side in a stereo mix")
    source = _source(timeline, clips, levels, tone_clips)
    frames, window = total_frames(timeline), max(1, frame_of(window_ms))
    if channels == 1 and bed is None:
        places = [(p.start, p.key) for p in placements(timeline)]
        return _windows(places, source, frames, window)
    window = min(window, frame_of(FLOAT_WINDOW_MS))
    gains = _pans(timeline, pan_sides) if channels == 2 else None
    music = guard = None
    if bed is not None:
        assert levels is not None
        music = bed.windows(window, 10 ** (levels.gain_db / 20))
        guard = PeakGuard(32768 * 10 ** (levels.predicted_peak_dbtp / 20))
    return _float_windows(timeline, source, frames, window, channels, gains, music, guard)


def _windows(
    places: list[tuple[int, ClipKey]],
    source: Callable[[ClipKey], np.ndarray],
    frames: int,
    window: int,
) -> Iterator[bytes]:
    # Split from mix_chunks so that checking happens at call time, not at the first next().
    upcoming = iter(places)
    pending = next(upcoming, None)
    active: list[tuple[int, np.ndarray]] = []
    acc = np.empty(window, dtype=np.int32)
    for w0 in range(0, frames, window):
        w1 = min(frames, w0 + window)
        while pending is not None and pending[0] < w1:
            active.append((pending[0], source(pending[1])))
            pending = next(upcoming, None)
        buf = acc[: w1 - w0]
        buf.fill(0)
        still: list[tuple[int, np.ndarray]] = []
        for start, samples in active:
            end = start + len(samples)
            lo, hi = max(start, w0), min(end, w1)
            if hi > lo:
                buf[lo - w0 : hi - w0] += samples[lo - start : hi - start]
            if end > w1:
                still.append((start, samples))
        active = still
        np.clip(buf, -32768, 32767, out=buf)
        yield buf.astype("<i2").tobytes()


#: Where ``--pan-sides`` puts the cues of one-sided work: 60 % of the way to that side, with a
#: constant-power law (left 0.95, right 0.31: about 10 dB apart), so they lean clearly into one
#: ear without leaving the other, and keep the loudness they have in the centre.
SIDE_PAN = 0.6
_SIDES = {"left": -1.0, "right": 1.0}


def pan_gains(position: float) -> tuple[float, float]:
    """(left, right) amplitude for a pan ``position`` from -1 (left) through 0 to 1 (right),
    constant power (left**2 + right**2 == 1: the centre is -3 dB in each channel)."""
    angle = (min(1.0, max(-1.0, position)) + 1) * math.pi / 4
    return math.cos(angle), math.sin(angle)


def _pans(timeline: Timeline, pan_sides: bool) -> list[tuple[float, float]]:
    """Per sounding event, in ``placements`` order: its (left, right) gains."""
    centre = pan_gains(0.0)
    starts = [phase.start_ms for phase in timeline.phases]
    out: list[tuple[int, tuple[float, float]]] = []
    for event in timeline.events:
        if event_key(event) is None:
            continue
        gains = centre
        if pan_sides:
            i = bisect.bisect_right(starts, event.at_ms) - 1
            side = (timeline.phases[i].side or "").strip().lower() if i >= 0 else ""
            if side in _SIDES and event.at_ms < timeline.phases[i].end_ms:
                gains = pan_gains(_SIDES[side] * SIDE_PAN)
        out.append((frame_of(event.at_ms), gains))
    out.sort(key=lambda item: item[0])  # stable: the order of ``placements``
    return [gains for _, gains in out]


def _float_windows(
    timeline: Timeline,
    source: Callable[[ClipKey], np.ndarray],
    frames: int,
    window: int,
    channels: int,
    gains: list[tuple[float, float]] | None,
    music: Iterator[np.ndarray] | None,
    guard: PeakGuard | None,
) -> Iterator[bytes]:
    """Windows mixed in floats: the music (or silence), the cues added at their pan, any peak the
    plan could only bound (the music's) held under the ceiling by ``guard``, then rounded."""
    places = placements(timeline)
    pans = gains or [(1.0, 1.0)] * len(places)
    centre = pan_gains(0.0) if channels == 2 else (1.0, 1.0)
    upcoming = iter(zip(places, pans, strict=True))
    pending = next(upcoming, None)
    active: list[tuple[int, np.ndarray, tuple[float, float]]] = []
    silence = np.zeros((window if music is None else 0, channels), dtype=np.float32)
    middle = np.float32(centre[0])
    try:
        for w0 in range(0, frames, window):
            w1 = min(frames, w0 + window)
            n = w1 - w0
            if music is not None:
                out = next(music)
            else:
                out = silence[:n]
                out.fill(0.0)
            while pending is not None and pending[0].start < w1:
                active.append((pending[0].start, source(pending[0].key), pending[1]))
                pending = next(upcoming, None)
            still: list[tuple[int, np.ndarray, tuple[float, float]]] = []
            for start, samples, (left, right) in active:
                end = start + len(samples)
                lo, hi = max(start, w0), min(end, w1)
                if hi > lo:  # only where the cue sounds: cues cover a small part of the track
                    part = samples[lo - start : hi - start]
                    if (left, right) == centre:
                        out[lo - w0 : hi - w0] += (part * middle)[:, None]
                    else:
                        out[lo - w0 : hi - w0, 0] += part * np.float32(left)
                        out[lo - w0 : hi - w0, 1] += part * np.float32(right)
                if end > w1:
                    still.append((start, samples, (left, right)))
            active = still
            if guard is None:
                yield _pcm(out)
            elif (ready := guard.push(out)) is not None:
                yield _pcm(ready)
        if guard is not None and (last := guard.flush()) is not None:
            yield _pcm(last)
    finally:
        close = getattr(music, "close", None)
        if close is not None:
            close()


def _pcm(samples: np.ndarray) -> bytes:
    """Float samples in int16 units, rounded and saturated: s16le bytes, channels interleaved."""
    np.rint(samples, out=samples)
    np.clip(samples, -32768, 32767, out=samples)
    return samples.astype("<i2").tobytes()
