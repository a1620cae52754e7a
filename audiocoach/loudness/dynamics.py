"""Dynamics: the leveller's compressor and the peak limiter, both gain curves without a sample loop.

At -16 LUFS the ceiling (``plan.CEILING_DBTP``, -2 dBTP, 1 dB under the spec for encoder
overshoot) leaves speech a peak-to-loudness ratio of about 12 dB, and synthetic voices come with
13-19 (espeak: 17 in the median). Two stages take it down, both gain curves in the dB domain,
vectorised (``_shape_gain``), and smoothed over at least a pitch period (a gain that moves within
one modulates the waveform, heard on headphones as a harmonic crunch):

* the *leveller*, a soft-knee 3:1 compressor on a speech clip's short-term loudness (attack
  ~5 ms, release 6 dB per 100 ms, ``_compressor_gain``), evens out its syllables; its curve
  depends only on the clip, so it is part of the clip's analysis (``clipstats``);
* the *limiter* (``_limiter_curve``), a look-ahead limiter whose release (10 dB per 33 ms) holds
  the gain through a voiced stretch rather than following the glottal pulses; ``_level_voice``
  solves it together with the make-up gain that brings a clip back to the voice level under
  whatever room the plan gives it.

On the shipped routines the leveller takes 8 dB from the loudest syllables in the median and the
limiter 4 from the peaks (it took 8 alone, with a release fast enough to follow the pitch), and
what the gain adds beyond a smooth level change fell from -23 to -40 dB of the speech
(``tests/test_loudness.py`` holds that figure).

Curves are per ``metering._BLOCK`` samples; ``_expand_curve`` turns one into a per-sample gain and
``_curve_power`` gives, in closed form, the mean square it applies per block, so the plan predicts
energies exactly as the mixer will play them. Names with an underscore are shared inside the
``loudness`` package only.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from audiocoach.loudness.metering import (
    _BLOCK,
    _BLOCKS_PER_MS,
    _block_envelope,
    _level_of_blocks,
    _peak_envelope,
    true_peak,
)
from audiocoach.speech.base import SAMPLE_RATE

__all__ = ["MAX_LIMIT_DB", "VOICE_LUFS", "PeakGuard", "limit_peaks"]

#: Every speech clip is brought to this gated loudness before the global gain; tone levels are
#: set against it (see ``tones.LEVEL_DBFS``).
VOICE_LUFS = -18.0
#: The most the limiter takes from any moment of a clip; a clip needing more (a voice far peakier
#: than espeak's, or very crowded by tones) stays under the voice level instead of being crushed.
MAX_LIMIT_DB = 20.0

# Every gain curve is smoothed by a triangle (two boxcar passes) at least as long as the pitch
# periods it must not follow: a gain that moves within one period of the voice (4-10 ms at
# 100-250 Hz) modulates the waveform, heard as harmonic crunch.
# Leveller: a soft-knee compressor on the voice's short-term loudness, evening out syllables so the
# limiter has less to do. Threshold and ratio measured on the shipped routines' espeak clips: loud
# syllables sit 6-9 LU over a clip's gated loudness, and 3:1 from 4 LU under it takes about 2 dB
# off the peak-to-loudness ratio and halves the limiter's median depth (8 dB to 4).
_COMP_THRESHOLD_LU = -4.0  # short-term level, relative to VOICE_LUFS, where compression starts
_COMP_RATIO = 3.0
_COMP_KNEE_DB = 6.0  # soft knee: the ratio eases in over 6 dB around the threshold
_COMP_WINDOW_MS = 20.0  # level detector: mean square over a 20 ms triangle (two 10 ms boxcars,
#                         zeros at multiples of 100 Hz: the level does not ripple with the pitch)
_COMP_ATTACK_DB_PER_MS = 1.0  # gain falls ahead of a loud syllable at up to 1 dB/ms (~5 ms)
_COMP_RELEASE_DB_PER_MS = 0.06  # and recovers at 6 dB per 100 ms after it
_COMP_SMOOTH_MS = 20.0  # its gain curve is smoothed over a 20 ms triangle
# Limiter, after the leveller: what still pokes over the room. Look-ahead (the attack ramp plus the
# smoothing's hold) of several ms; the release, 10 dB per 33 ms, spans several pitch periods, so
# the gain stays down through a voiced stretch instead of dipping at every glottal pulse.
_ATTACK_DB_PER_MS = 3.0  # limiter: how fast the gain may fall ahead of a peak
_RELEASE_DB_PER_MS = 0.3  # and how fast it recovers after one
_SMOOTH_MS = 10.0  # its gain curve is smoothed over a 10 ms triangle (held: no peak gets through)
_LEVEL_TOLERANCE_LU = 0.05  # how closely a limited clip is brought back to the voice level
# Where 1 dB more gain adds less loudness than this, the limiter is holding the whole word down
# (a short word crowded by a tone: its peaks are its body) and the rest comes from lifting its quiet
# edges; the search stops there rather than limit up to MAX_LIMIT_DB for the last tenths of a LU.
_MIN_RETURN_LU_PER_DB = 0.1


def _sliding_min(a: np.ndarray, half: int) -> np.ndarray:
    """Minimum over ``a[i-half .. i+half]`` for every i, in O(n) (van Herk / Gil-Werman)."""
    width = 2 * half + 1
    n = len(a)
    total = n + 2 * half
    total += -total % width
    padded = np.full(total, np.inf, dtype=a.dtype)
    padded[half : half + n] = a
    blocks = padded.reshape(-1, width)
    prefix = np.minimum.accumulate(blocks, axis=1).ravel()
    suffix = np.minimum.accumulate(blocks[:, ::-1], axis=1)[:, ::-1].ravel()
    return np.minimum(suffix[:n], prefix[width - 1 : width - 1 + n])


def _boxcar(a: np.ndarray, half: int) -> np.ndarray:
    """Mean of ``a[i-half .. i+half]`` for every i, zeros beyond the ends."""
    c = np.zeros(len(a) + 2 * half + 1)
    np.cumsum(a, out=c[half + 1 : half + 1 + len(a)])
    c[half + 1 + len(a) :] = c[half + len(a)]
    return (c[2 * half + 1 :] - c[: len(a)]) / (2 * half + 1)


def _shape_gain(need_db: np.ndarray, attack: float, release: float, half: int) -> np.ndarray:
    """The smooth gain curve (dB) at or below ``need_db`` everywhere: the dynamics' one shape.

    First the lowest of ``need[k] + slope * |n - k|`` over all k, the slope being ``attack``
    (dB per unit) before a dip and ``release`` after it: so the gain is down by the time a peak
    arrives, recovers at a steady rate after it, and never exceeds what any unit needs. Both
    halves are a cumulative minimum (a min-plus convolution with a V-shaped kernel), so there is
    no sample loop. Then a hold (the lowest value within ``2 * half`` units either side) and two
    passes of a ``2 * half + 1`` boxcar: every value averaged into a unit is already at or below
    its need, so nothing gets through, and the triangle they make has nulls at the multiples of
    1 / boxcar length and falls 12 dB per octave beyond, so the gain cannot follow anything faster.
    """
    n = np.arange(len(need_db), dtype=np.float64)
    after = release * n + np.minimum.accumulate(need_db - release * n)
    before = np.minimum.accumulate((need_db + attack * n)[::-1])[::-1] - attack * n
    hold = 2 * half
    pad = np.zeros(hold)
    gain = _sliding_min(np.concatenate([pad, np.minimum(after, before), pad]), hold)
    # Each boxcar pass reaches ``half`` units, so at the clip's units only padded values (0 dB
    # beyond the clip, i.e. no reduction: the hold already covers them) are averaged.
    gain = _boxcar(_boxcar(gain, half), half)
    return np.minimum(gain[hold : hold + len(need_db)], 0.0)


def _limiter_gain(
    envelope: np.ndarray, ceiling: float | np.ndarray, units_per_ms: float
) -> np.ndarray:
    """Gain curve (<= 1) keeping ``envelope * gain`` at or below ``ceiling`` (scalar or per unit).

    A look-ahead limiter without a sample loop (``_shape_gain``): attack ``_ATTACK_DB_PER_MS``,
    release ``_RELEASE_DB_PER_MS``, smoothed over a ``_SMOOTH_MS`` triangle. The release
    spans several pitch periods and the smoothing one, so through a voiced stretch the gain
    follows the syllable's peak level, not each glottal pulse: it lowers the peaks without the
    harmonic distortion of a gain that rises and falls with the waveform.
    ``units_per_ms`` is the envelope's resolution (samples, or blocks of samples, per ms).
    """
    env = np.asarray(envelope, dtype=np.float64)
    headroom = 20 * np.log10(np.maximum(ceiling, 1e-12) / np.maximum(env, 1e-12))
    return _limiter_curve(np.minimum(headroom, 0.0), units_per_ms)


def _limiter_curve(need_db: np.ndarray, units_per_ms: float) -> np.ndarray:
    """``_limiter_gain`` from the reduction each unit needs (dB, <= 0), as a linear curve."""
    if len(need_db) == 0 or need_db.min() >= 0.0:
        return np.ones(len(need_db), dtype=np.float32)
    half = max(1, round(_SMOOTH_MS * units_per_ms / 4))
    gain_db = _shape_gain(
        need_db, _ATTACK_DB_PER_MS / units_per_ms, _RELEASE_DB_PER_MS / units_per_ms, half
    )
    return np.minimum(10 ** (gain_db / 20), 1.0).astype(np.float32)


def _compressor_gain(block_energy: np.ndarray, gain_db: float) -> np.ndarray:
    """The leveller's gain (<= 1) per block of a speech clip: ``block_energy`` is its K-weighted
    energy per ``_BLOCK`` samples as supplied, ``gain_db`` its normalisation to the voice level.

    A soft-knee compressor on the short-term loudness (mean square over a 20 ms triangle), with
    the ballistics and smoothing of ``_shape_gain`` at speech-levelling rates. It only lowers; the
    clip's make-up gain (see ``_voice_form``) restores its loudness.
    """
    if len(block_energy) == 0:
        return np.ones(0, dtype=np.float32)
    window = max(1, round(_COMP_WINDOW_MS * _BLOCKS_PER_MS / 4))
    power = _boxcar(_boxcar(np.asarray(block_energy, dtype=np.float64), window), window) / _BLOCK
    level = 10 * np.log10(np.maximum(power, 1e-20)) - 0.691 + gain_db - VOICE_LUFS
    over = level - _COMP_THRESHOLD_LU
    knee, slope = _COMP_KNEE_DB, 1 / _COMP_RATIO - 1
    need = np.where(
        over >= knee / 2,
        slope * over,
        np.where(over > -knee / 2, slope * np.square(over + knee / 2) / (2 * knee), 0.0),
    )
    if need.min() >= 0.0:
        return np.ones(len(need), dtype=np.float32)
    half = max(1, round(_COMP_SMOOTH_MS * _BLOCKS_PER_MS / 4))
    gain = _shape_gain(
        need,
        _COMP_ATTACK_DB_PER_MS / _BLOCKS_PER_MS,
        _COMP_RELEASE_DB_PER_MS / _BLOCKS_PER_MS,
        half,
    )
    return np.minimum(10 ** (gain / 20), 1.0).astype(np.float32)


def _curve_corners(curve: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The per-block gain made safe to interpolate, and its neighbours on either side.

    Taking the lowest of each block and its neighbours first means a value interpolated between
    two block centres is at or below both blocks' gains, so no sample gets more than its block.
    """
    low = curve.astype(np.float32)
    np.minimum(low[1:], curve[:-1], out=low[1:])
    np.minimum(low[:-1], curve[1:], out=low[:-1])
    before = np.concatenate([low[:1], low[:-1]])
    after = np.concatenate([low[1:], low[-1:]])
    return low, before, after


#: Distance of each sample in a block from the block centre, in blocks (-0.47 .. 0.47).
_FRAC = (np.arange(_BLOCK, dtype=np.float32) - (_BLOCK - 1) / 2) / _BLOCK
_LEAN_1 = float(np.abs(_FRAC[_FRAC < 0]).sum())  # sums over each half-block, for mean squares
_LEAN_2 = float(np.square(_FRAC[_FRAC < 0]).sum())


def _expand_curve(curve: np.ndarray, frames: int) -> np.ndarray:
    """Per-block gain to per sample: each half-block leans linearly towards its neighbour."""
    low, before, after = _curve_corners(curve)
    out = np.empty((len(low), _BLOCK), dtype=np.float32)
    side = _BLOCK // 2  # the first half-block leans back, the second forward (two half-size
    #                     passes: a broadcast ``where`` over the whole block costs twice as much)
    np.multiply((before - low)[:, None], -_FRAC[:side], out=out[:, :side])
    np.multiply((after - low)[:, None], _FRAC[side:], out=out[:, side:])
    out += low[:, None]
    return out.ravel()[:frames]


def _curve_power(curve: np.ndarray) -> np.ndarray:
    """Mean square, per block, of the per-sample gain ``_expand_curve`` makes (in closed form),
    so that predicted energies match what the mixer will play."""
    low, before, after = (v.astype(np.float64) for v in _curve_corners(curve))
    db, da = before - low, after - low
    return (
        _BLOCK * low * low + 2 * low * (db + da) * _LEAN_1 + (db * db + da * da) * _LEAN_2
    ) / _BLOCK


def limit_peaks(samples: np.ndarray, ceiling: float) -> np.ndarray:
    """``samples`` (44.1 kHz) with true peaks brought to ``ceiling`` (linear) by the limiter."""
    x = np.asarray(samples, dtype=np.float32)
    if len(x) == 0 or ceiling <= 0:
        return np.zeros_like(x)
    curve = _limiter_gain(_block_envelope(x), ceiling, _BLOCKS_PER_MS)
    out = x * _expand_curve(curve, len(x))
    peak = true_peak(out)  # interpolation between samples can add a hair: trim it
    return out * np.float32(ceiling / peak) if peak > ceiling else out


#: How far ``PeakGuard`` looks on each side of a window: beyond the limiter's attack (look-ahead
#: and smoothing, under 20 ms) and its release from the deepest it goes (``MAX_LIMIT_DB`` at
#: 10 dB per 33 ms: 67 ms), so a window limited on its own gets the gain it would have had as
#: part of the whole track.
_GUARD_MS = 120


class PeakGuard:
    """The last word on peaks for a mix streamed window by window: a look-ahead limiter.

    Music is streamed, not analysed sample by sample in advance, so the plan knows its peaks only
    as a bound per song; a chime sounding over the music's loudest moment, or a song's peak under
    a word, may pass the ceiling. The guard limits the summed channels together (the stereo image
    stays put) with the peak limiter's own curve, and only where something would pass
    ``ceiling`` (linear, in the units of the samples): most windows go through untouched, after
    one comparison. It holds one window back to look ahead into the next: ``push`` returns the
    window before (None at first), ``flush`` the last one.
    """

    def __init__(self, ceiling: float) -> None:
        self.ceiling = float(ceiling)
        self._reach = round(_GUARD_MS * SAMPLE_RATE / 1000)
        self._held: np.ndarray | None = None
        self._before: np.ndarray | None = None  # the unlimited end of the window before it

    def push(self, window: np.ndarray) -> np.ndarray | None:
        """Take the next window (frames x channels, float32; copied); give back the one before."""
        out = self._release(window[: self._reach])
        self._held = np.array(window, dtype=np.float32, copy=True)
        return out

    def flush(self) -> np.ndarray | None:
        """The window still held, limited with nothing after it."""
        return self._release(None)

    def _release(self, after: np.ndarray | None) -> np.ndarray | None:
        held, self._held = self._held, None
        if held is None:
            return None
        before = self._before
        self._before = held[-self._reach :].copy()
        parts = [p for p in (before, held, after) if p is not None and len(p)]
        if not any(self._passes(part) for part in parts):
            return held  # the common case: nothing near the ceiling, two comparisons a window
        span = np.concatenate(parts)
        envelope = np.max([_block_envelope(span[:, c]) for c in range(span.shape[1])], axis=0)
        lead = 0 if before is None else len(before)
        target = self.ceiling
        for _ in range(4):  # interpolation between block gains can add a hair: aim lower
            curve = _limiter_gain(envelope, target, _BLOCKS_PER_MS)
            gain = _expand_curve(curve, len(span))[lead : lead + len(held)]
            out = held * gain[:, None]
            peak = max(float(_block_envelope(out[:, c]).max()) for c in range(out.shape[1]))
            if peak <= self.ceiling:
                break
            target *= self.ceiling / peak * 0.999
        return out

    def _passes(self, part: np.ndarray) -> bool:
        """Whether ``part`` passes the ceiling anywhere, between samples included. Most windows
        stay under half the ceiling, or pass it nowhere near their loud samples: the true-peak
        interpolation runs only next to samples over half the ceiling (an inter-sample peak 6 dB
        over both its neighbours needs content at the Nyquist frequency)."""
        loud = self.ceiling / 2
        if max(float(part.max()), -float(part.min())) < loud:
            return False
        return any(
            float(_peak_envelope(part[:, c], loud).max()) > self.ceiling
            for c in range(part.shape[1])
        )


@dataclass(slots=True)
class _Voice:
    """A speech clip being levelled, per block: its K-weighted energy and true-peak envelope as
    supplied, and the limiter curve and gain that fit it under its room at the voice level."""

    frames: int
    energy: np.ndarray
    envelope: np.ndarray
    gain: float
    curve: np.ndarray | None = None


def _level_voice(
    voice: _Voice, room: np.ndarray, target_lufs: float, start_db: float | None = None
) -> None:
    """Limit a speech clip under ``room`` (per block) while it still measures ``target_lufs``.

    Limiting takes loudness away, and the make-up gain that restores it raises the peaks into the
    limiter again; the loudness after limiting still rises steadily with the gain, so the gain is
    found by a safeguarded secant search (a handful of limiter runs, each on a few thousand
    blocks). The K-weighted energy of the limited clip is the original's times the gain curve
    squared (the curve moves slowly beside the filter's short memory), so no clip is filtered
    twice. The limiter takes at most ``MAX_LIMIT_DB`` from a block, and stops deepening where
    that buys almost no loudness; a clip needing more stays under the target rather than being
    crushed, and its peaks still fit the room. ``start_db``, the make-up gain a previous fit of
    the clip found, starts the search there: between the plan's rounds the room moves by tenths
    of a dB, and so does the answer. Sets the voice's ``curve`` and ``gain``.
    """
    room = np.maximum(room.astype(np.float64), 1e-9)
    env = np.maximum(voice.envelope.astype(np.float64), 1e-9)
    # Where the clip is silent there is nothing to limit, however little room: such blocks
    # (60 dB under the clip's peak) do not bound the gain.
    fits = room / env
    headroom = 20 * np.log10(fits)  # how far each block may rise (once, not per attempt)
    fits[env < env.max() * 1e-3] = np.inf

    def attempt(gain_db: float) -> tuple[float, np.ndarray, float]:
        gain = 10 ** (gain_db / 20)
        curve = _limiter_curve(np.minimum(headroom - gain_db, 0.0), _BLOCKS_PER_MS)
        level = _level_of_blocks(voice.energy * _curve_power(curve), voice.frames) + gain_db
        return level, curve, gain

    lo = 20 * math.log10(float(np.min(fits)))  # no limiting needed up to here
    hi = lo + MAX_LIMIT_DB  # no block limited by more than MAX_LIMIT_DB
    base_level = _level_of_blocks(voice.energy, voice.frames)
    # Solve level(gain) = target. Without limiting, gain g gives base_level + g; limiting takes a
    # loss that grows with g. Start where no loss would land, step by the loss found (which
    # undershoots), then secant steps, bisecting whenever a step would leave the bracket.
    a, b = lo, hi  # level(a) < target; whether level(b) > target is not known until tried
    b_known = False
    guess = min(hi, max(lo, target_lufs - base_level if start_db is None else start_db))
    best = attempt(guess)
    previous: tuple[float, float] | None = None
    for _ in range(10):
        err = best[0] - target_lufs
        if abs(err) < _LEVEL_TOLERANCE_LU:
            break
        if err < 0:
            a = guess
        else:
            b, b_known = guess, True
        if guess >= hi and err < 0:
            break  # even the deepest limiting leaves it short: take that
        returns = (
            (err - previous[1]) / (guess - previous[0])
            if err < 0 and previous is not None and guess > previous[0]
            else math.inf
        )
        if returns < _MIN_RETURN_LU_PER_DB:
            break  # more gain would go almost all into the limiter: stay a little short
        if previous is not None and previous[1] != err:
            step = guess - err * (guess - previous[0]) / (err - previous[1])
        else:
            step = guess - err  # first correction: add back the loss
        if not a < step < b:
            step = (a + b) / 2 if b_known else max(step, a + 1.0)
        previous = (guess, err)
        guess = min(hi, max(lo, step))
        best = attempt(guess)
    _, voice.curve, voice.gain = best
