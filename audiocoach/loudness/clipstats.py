"""Clip statistics: what the gain plan needs to know of one clip, worked out once per clip.

A track has hundreds of events but only dozens of distinct clips, each a few seconds long, so each
clip is analysed once and the plan sums the analyses over the timeline:

* ``_clip_stats``: a clip's K-weighted energy per block (``metering._BLOCK``), kept as a running
  sum, and its gated loudness; a clip shorter than one 400 ms block is one block of its own
  length, so "two" is held to the same level as a sentence;
* ``_voice_form``: a speech clip as the leveller will make it: normalised to ``VOICE_LUFS`` (so
  every utterance and every engine sounds equally loud), the leveller's curve, the make-up gain
  that keeps that loudness, and the energy profile as it will sound;
* ``_tone_block_envelope``: a tone's true-peak envelope per block.

All are cached by content (renders share most phrases). Names with an underscore are shared
inside the ``loudness`` package only.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from functools import lru_cache

import numpy as np

from audiocoach.loudness.dynamics import VOICE_LUFS, _compressor_gain, _curve_power
from audiocoach.loudness.metering import _block_envelope, _k_block_energy, _level_of_blocks
from audiocoach.speech.base import Clip

#: A nearly silent clip is not blown up into audible noise.
MAX_NORMALISE_DB = 30.0


@dataclass(frozen=True, slots=True, eq=False)
class _Stats:
    """What the plan needs of one clip at one level: its energy profile and loudness."""

    frames: int
    prefix: np.ndarray  # running K-weighted energy every _BLOCK samples; prefix[0] == 0
    loudness: float

    def scaled(self, gain: float) -> _Stats:
        level = self.loudness + 20 * math.log10(gain) if gain > 0 else -math.inf
        return _Stats(self.frames, self.prefix * (gain * gain), level)


def _prefix(block_energy: np.ndarray) -> np.ndarray:
    out = np.zeros(len(block_energy) + 1)
    np.cumsum(block_energy, out=out[1:])
    return out


def _floats(clip: Clip) -> np.ndarray:
    return np.frombuffer(clip.pcm, dtype="<i2").astype(np.float32) * np.float32(1 / 32768)


@lru_cache(maxsize=512)
def _clip_stats(clip: Clip) -> _Stats:
    """Energy profile and loudness of a clip as supplied; cached by content (renders share most
    phrases). Only the profile per block is kept, a quarter of the clip's size."""
    x = _floats(clip)
    block_energy = _k_block_energy(x)
    return _Stats(len(x), _prefix(block_energy), _level_of_blocks(block_energy, len(x)))


@lru_cache(maxsize=64)
def _tone_block_envelope(clip: Clip) -> np.ndarray:
    """Per-block true-peak envelope of a tone (cached: a routine has a handful of tones)."""
    return _block_envelope(_floats(clip))


@dataclass(frozen=True, slots=True, eq=False)
class _VoiceForm:
    """A speech clip at the voice level: normalised, levelled (``curve``: the leveller's gain per
    block, None if it does nothing) and made up, so ``gain_db`` takes it to ``VOICE_LUFS``;
    ``stats`` is its energy profile at that level."""

    gain_db: float
    curve: np.ndarray | None
    stats: _Stats

    @property
    def compressed_db(self) -> float:
        return 0.0 if self.curve is None else -20 * math.log10(float(self.curve.min()))


@lru_cache(maxsize=512)
def _voice_form(clip: Clip) -> _VoiceForm | None:
    """Normalise and level a speech clip (None: silent). Cached by content, like its analysis.

    The leveller's curve depends only on the clip (its level is relative to the voice level), so
    it is made while planning, for every clip: a few passes over the per-block energies, a small
    fraction of the analysis. The plan then sees each clip's energy profile as it will sound,
    quiet syllables lifted, and the limiter in ``_Leveller.fit`` has only the peaks left to take.
    """
    raw = _clip_stats(clip)
    if not math.isfinite(raw.loudness):
        return None
    norm_db = min(MAX_NORMALISE_DB, max(-MAX_NORMALISE_DB, VOICE_LUFS - raw.loudness))
    energy = np.diff(raw.prefix)
    curve = _compressor_gain(energy, norm_db)
    if float(curve.min()) >= 1.0:
        return _VoiceForm(norm_db, None, raw.scaled(10 ** (norm_db / 20)))
    curve.flags.writeable = False  # cached and shared by every plan that plays the clip
    energy = energy * _curve_power(curve)
    # make-up: the levelled clip keeps the loudness normalisation gave it
    gain_db = norm_db + raw.loudness - _level_of_blocks(energy, raw.frames)
    energy *= 10 ** (gain_db / 10)
    return _VoiceForm(gain_db, curve, _Stats(raw.frames, _prefix(energy), raw.loudness + norm_db))
