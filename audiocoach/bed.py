"""The music bed: songs laid end to end under the track, at one level, streamed window by window.

``lay_bed`` turns music sources (``MusicPart``: from a time on, these songs) into slots: each song
starts as the one before fades out, overlapping it by ``CROSSFADE_MS`` (an equal-power crossfade:
``cos`` out, ``sin`` in, so two unrelated songs keep their summed power through the change); the
list starts again from the top (reshuffled, with ``shuffle``) until the part is covered; the first
song fades in over ``FADE_IN_MS`` and the music fades out over the last ``FADE_OUT_MS`` of the
track. Where the music changes (a section with its own), the new music's crossfade ends just as
the section begins. Every song is brought to one loudness, ``level_db`` from the voice level
(``loudness.VOICE_LUFS``), from its measurement, and the whole bed follows the ducking curve.

The loudness plan sees the bed through ``hop_energies`` (its K-weighted energy per 100 ms hop,
predicted from each song's measured block loudness, so the plan needs no decoding), and lowers
songs whose measured true peak would pass the ceiling on their own (``capped``). ``windows``
streams the bed's samples: one ffmpeg decoder per sounding song (at most two at once, in a
crossfade), read one window at a time, so memory does not grow with the length of the music.
"""

from __future__ import annotations

import math
import random
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, replace

import numpy as np

from audiocoach.ducking import GainCurve
from audiocoach.loudness.dynamics import VOICE_LUFS
from audiocoach.loudness.levels import frame_of
from audiocoach.music import STEP_MS, Song, SongDecoder
from audiocoach.speech.base import SAMPLE_RATE

__all__ = [
    "CROSSFADE_MS",
    "DEFAULT_MUSIC_LEVEL_DB",
    "FADE_IN_MS",
    "FADE_OUT_MS",
    "Bed",
    "MusicPart",
    "Slot",
    "lay_bed",
]

#: The music's loudness between cues, from the voice's: a little under it, there to run to.
#: The finished track must measure -16 LUFS with the music in it, so the quieter the music between
#: cues, the louder the voice has to be (and the harder limited): at -3 dB the voice stays within
#: 1.5 dB of where it sits without music on the shipped routines, at -6 dB it has to rise up to
#: 4 dB on sparse ones (long holds, few words) and loses its peaks to the limiter.
DEFAULT_MUSIC_LEVEL_DB = -3.0
CROSSFADE_MS = 4000
FADE_IN_MS = 3000
FADE_OUT_MS = 6000
#: The most a quiet song is lifted to the music level (beyond, its hiss would come up with it).
MAX_LIFT_DB = 24.0


@dataclass(frozen=True, slots=True)
class MusicPart:
    """Music from ``start_ms`` on (to the next part or the end): ``songs`` in order; empty means
    no music there."""

    start_ms: int
    songs: tuple[Song, ...]


@dataclass(frozen=True, slots=True, eq=False)
class Slot:
    """One song sounding in the bed: from track frame ``start`` for ``length`` frames (from the
    song's beginning), fading in over its first ``fade_in`` frames and out over its last
    ``fade_out``, at ``gain`` (linear, before the track's global gain)."""

    song: Song
    start: int
    length: int
    fade_in: int
    fade_out: int
    gain: float

    @property
    def end(self) -> int:
        return self.start + self.length

    @property
    def peak(self) -> float:
        """The song's true peak at this slot's gain (linear, before the global gain)."""
        return 10 ** (self.song.peak_dbtp / 20) * self.gain

    def shape(self, at: np.ndarray) -> np.ndarray:
        """The fades' amplitude (0..1) at track frames ``at``: equal-power quarter sines."""
        pos = np.asarray(at, dtype=np.float64) - self.start
        out = np.ones(len(pos))
        if self.fade_in:
            rising = pos < self.fade_in
            out[rising] = np.sin(0.5 * np.pi * np.clip(pos[rising] / self.fade_in, 0, 1))
        if self.fade_out:
            left = self.length - pos
            falling = left < self.fade_out
            out[falling] *= np.sin(0.5 * np.pi * np.clip(left[falling] / self.fade_out, 0, 1))
        return out


@dataclass(frozen=True, slots=True, eq=False)
class Bed:
    """The laid-out music of one track: ``slots`` in start order, the ducking ``duck`` over the
    whole bed, ``channels`` 1 or 2, ``frames`` long."""

    slots: tuple[Slot, ...]
    duck: GainCurve
    channels: int
    frames: int

    def hop_energies(self, hops: int, hop: int) -> np.ndarray:
        """Predicted K-weighted energy per ``hop`` frames (channels summed, full scale 1.0),
        before the global gain: each song's measured block power, times its gain, fades and
        ducking squared, taken at the middle of each hop."""
        out = np.zeros(hops)
        step = STEP_MS * SAMPLE_RATE // 1000
        for slot in self.slots:
            first, last = slot.start // hop, min(hops, -(-slot.end // hop))
            if last <= first or len(slot.song.powers) == 0:
                continue
            centre = np.arange(first, last) * hop + hop / 2
            inside = (centre >= slot.start) & (centre < slot.end)
            centre = centre[inside]
            # block k covers song frames [(k + 1) * step - 4 * step, (k + 1) * step): its middle
            block_mid = (np.arange(len(slot.song.powers)) + 1) * step - 2 * step
            power = np.interp(centre - slot.start, block_mid, slot.song.powers)
            gain = slot.gain * slot.shape(centre) * 10 ** (self.duck.db_at(centre) / 20)
            out[first:last][inside] += power * gain * gain * hop
        return out

    def capped(self, allowed: float) -> Bed:
        """The bed with any song that would pass ``allowed`` (linear, before the global gain) on
        its own, or with the song it crossfades with, turned down to it."""
        slots = [replace(s, gain=s.gain * min(1.0, allowed / s.peak)) if s.peak > allowed else s
                 for s in self.slots]  # fmt: skip
        for i in range(len(slots) - 1):
            a, b = slots[i], slots[i + 1]
            if b.start < a.end:  # crossfading: cos * A + sin * B peaks at sqrt(A**2 + B**2)
                both = math.hypot(a.peak, b.peak)
                if both > allowed:
                    scale = allowed / both
                    slots[i] = replace(a, gain=a.gain * scale)
                    slots[i + 1] = replace(b, gain=b.gain * scale)
        changed = any(s is not t for s, t in zip(slots, self.slots, strict=True))
        return replace(self, slots=tuple(slots)) if changed else self

    def windows(
        self, window: int, scale: float, *, ffmpeg: str | None = None
    ) -> Iterator[np.ndarray]:
        """The bed as float32 samples in int16 units, shape (frames, channels), ``window``
        frames at a time, every gain applied and times ``scale`` (the track's global gain,
        linear). Each yielded array is reused for the next window: use it before the next."""
        upcoming = iter(self.slots)
        pending = next(upcoming, None)
        playing: list[tuple[Slot, SongDecoder]] = []
        buffer = np.empty((window, self.channels), dtype=np.float32)
        try:
            for w0 in range(0, self.frames, window):
                w1 = min(self.frames, w0 + window)
                while pending is not None and pending.start < w1:
                    playing.append(
                        (pending, SongDecoder(pending.song, self.channels, ffmpeg=ffmpeg))
                    )
                    pending = next(upcoming, None)
                out = buffer[: w1 - w0]
                duck = self.duck.linear(w0, w1)
                still: list[tuple[Slot, SongDecoder]] = []
                blank = True  # nothing written into ``out`` yet
                for slot, decoder in playing:
                    lo, hi = max(slot.start, w0), min(slot.end, w1)
                    if hi > lo:
                        samples = decoder.read(hi - lo)
                        gain = self._gain(slot, lo, hi, scale, duck, w0)
                        factor = np.float32(gain) if isinstance(gain, float) else gain[:, None]
                        if blank and (lo, hi) == (w0, w1):  # one song fills the window
                            np.multiply(samples, factor, out=out)
                        else:
                            if blank:
                                out.fill(0.0)
                            out[lo - w0 : hi - w0] += samples * factor
                        blank = False
                    if slot.end > w1:
                        still.append((slot, decoder))
                    else:
                        decoder.close()
                playing = still
                if blank:  # a stretch with no music (a section with music: off)
                    out.fill(0.0)
                yield out
        finally:
            for _, decoder in playing:
                decoder.close()

    @staticmethod
    def _gain(
        slot: Slot, lo: int, hi: int, scale: float, duck: float | np.ndarray, w0: int
    ) -> float | np.ndarray:
        base = slot.gain * scale
        fading = lo < slot.start + slot.fade_in or hi > slot.end - slot.fade_out
        part = duck if isinstance(duck, float) else duck[lo - w0 : hi - w0]
        if not fading:
            return base * part if isinstance(part, float) else part * np.float32(base)
        shape = slot.shape(np.arange(lo, hi)).astype(np.float32) * np.float32(base)
        return shape * np.float32(part) if isinstance(part, float) else shape * part


def lay_bed(
    parts: Sequence[MusicPart],
    duration_ms: int,
    *,
    channels: int,
    duck: GainCurve,
    level_db: float = DEFAULT_MUSIC_LEVEL_DB,
    shuffle: int | None = None,
) -> Bed:
    """Lay the music of ``parts`` under a track of ``duration_ms`` (see the module docstring).

    ``parts`` in time order, the first from 0; ``channels`` is the track's (a mono song in a
    stereo track plays in the centre); ``shuffle`` seeds a reproducible shuffle of each part's
    songs, drawn again each time the list starts over (None: in order).
    """
    frames = frame_of(duration_ms)
    rng = random.Random(shuffle) if shuffle is not None else None
    cross = frame_of(CROSSFADE_MS)
    slots: list[Slot] = []
    bounds = [frame_of(p.start_ms) for p in parts] + [frames]
    for k, part in enumerate(parts):
        # a part's music fades in to be fully there as it begins (the track's first, from 0)
        begin = 0 if k == 0 else max(0, bounds[k] - cross)
        end = bounds[k + 1] if k + 1 < len(parts) else frames
        if not part.songs or end - begin <= 0:
            continue
        fade_in = frame_of(FADE_IN_MS) if k == 0 else bounds[k] - begin
        fade_out = frame_of(FADE_OUT_MS) if k + 1 == len(parts) else cross
        slots += _fill(part.songs, begin, end, fade_in, fade_out, level_db, rng)
    return Bed(tuple(sorted(slots, key=lambda s: s.start)), duck, channels, frames)


def _order(songs: tuple[Song, ...], rng: random.Random | None, after: Song | None) -> list[Song]:
    order = list(songs)
    if rng is not None:
        rng.shuffle(order)
        if len(order) > 1 and order[0] is after:  # no song twice in a row across a new round
            order.append(order.pop(0))
    return order


def _fill(
    songs: tuple[Song, ...],
    begin: int,
    end: int,
    fade_in: int,
    fade_out: int,
    level_db: float,
    rng: random.Random | None,
) -> list[Slot]:
    """Slots covering frames ``[begin, end)`` from ``songs``, crossfading, looping."""
    cross = frame_of(CROSSFADE_MS)
    out: list[Slot] = []
    at, previous = begin, None
    order: list[Song] = []
    while at < end:
        if not order:
            order = _order(songs, rng, previous)
        song = order.pop(0)
        length = min(song.frames, end - at)
        first_in = fade_in if not out else cross
        # the song that reaches the end fades out there; any other crossfades into the next
        reaches_end = at + song.frames >= end
        out_len = fade_out if reaches_end else cross
        first_in = min(first_in, length // 2) if reaches_end else first_in
        out_len = min(out_len, length - first_in)
        out.append(Slot(song, at, length, first_in, out_len, _gain(song, level_db)))
        previous = song
        at = at + length - cross if not reaches_end else end
    return out


def _gain(song: Song, level_db: float) -> float:
    """Linear gain bringing ``song`` to ``level_db`` from the voice level.

    A mono song in a stereo track plays in the centre at -3 dB a channel (as the voice does), so
    it measures the same there as on its own.
    """
    return 10 ** (min(MAX_LIFT_DB, VOICE_LUFS + level_db - song.lufs) / 20)
