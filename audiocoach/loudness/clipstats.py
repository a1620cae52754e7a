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

import hashlib
import math
import struct
import sys
import threading
from collections import OrderedDict
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import numpy as np

from audiocoach.loudness.dynamics import VOICE_LUFS, _compressor_gain, _curve_power
from audiocoach.loudness.metering import (
    _BLOCK,
    _block_envelope,
    _k_block_energy,
    _level_of_blocks,
)
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
    return _stats_of(_floats(clip))


def _stats_of(x: np.ndarray) -> _Stats:
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


def _voice_form(raw: _Stats) -> _VoiceForm | None:
    """Normalise and level a speech clip, given its energy profile (None: silent).

    The leveller's curve depends only on the clip (its level is relative to the voice level), so
    it is part of the clip's analysis: a few passes over the per-block energies, a small fraction
    of the K-weighting. The plan then sees each clip's energy profile as it will sound, quiet
    syllables lifted, and the limiter in ``plan._Leveller.fit`` has only the peaks left to take.
    """
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


# --- a speech clip's whole analysis, and its stored form ------------------------------------------


@dataclass(frozen=True, slots=True, eq=False)
class SpeechAnalysis:
    """Everything the gain plan works out from one speech clip alone, before any timeline.

    ``stats``: the clip's energy profile and loudness as supplied; ``envelope``: its true-peak
    envelope per block as supplied (float32); ``voice``: its levelled form at the voice level
    (None: the clip is silent). Made by ``analyse_speech``; stored beside the clip in the speech
    cache (``to_bytes``/``from_bytes``), so a warm render analyses nothing before it mixes.
    """

    stats: _Stats
    envelope: np.ndarray
    voice: _VoiceForm | None

    def to_bytes(self) -> bytes:
        """The analysis in its versioned binary form (``from_bytes`` reads it back exactly).

        Layout, little-endian: a header (magic ``ACSA``, ``ANALYSIS_VERSION``, flags: 1 the clip
        has a voice form, 2 it has a leveller curve; frames; blocks; the fingerprint of the
        analysis code; raw loudness, voice gain (dB) and voice loudness as float64), then the
        arrays: raw running energy (float64, blocks + 1), envelope (float32, blocks), and with a
        voice form its running energy (float64, blocks + 1) and curve (float32, blocks).
        Non-finite loudness (a silent clip) is stored as IEEE infinity.
        """
        voice = self.voice
        flags = (1 if voice is not None else 0) | (2 if voice and voice.curve is not None else 0)
        blocks = len(self.envelope)
        header = _HEADER.pack(
            _MAGIC,
            ANALYSIS_VERSION,
            flags,
            self.stats.frames,
            blocks,
            _fingerprint(),
            self.stats.loudness,
            voice.gain_db if voice is not None else 0.0,
            voice.stats.loudness if voice is not None else 0.0,
        )
        parts = [header, _f8(self.stats.prefix), _f4(self.envelope)]
        if voice is not None:
            parts.append(_f8(voice.stats.prefix))
            if voice.curve is not None:
                parts.append(_f4(voice.curve))
        return b"".join(parts)

    @classmethod
    def from_bytes(cls, data: bytes, frames: int) -> SpeechAnalysis | None:
        """Read ``to_bytes``'s form back for a clip of ``frames`` samples.

        None for anything else: another version or analysis code (the fingerprint differs), a
        clip of another length, a size that does not add up. Integrity (flipped bytes) is the
        store's to check: the speech cache keeps a checksum over these bytes.
        """
        if len(data) < _HEADER.size:
            return None
        magic, version, flags, n, blocks, fingerprint, raw_lufs, gain_db, voice_lufs = (
            _HEADER.unpack_from(data)
        )
        if (
            magic != _MAGIC
            or version != ANALYSIS_VERSION
            or fingerprint != _fingerprint()
            or n != frames
            or blocks != -(-frames // _BLOCK)
            or flags & ~3
            or flags == 2
        ):
            return None
        layout = [("<f8", blocks + 1), ("<f4", blocks)]
        if flags & 1:
            layout.append(("<f8", blocks + 1))
        if flags & 2:
            layout.append(("<f4", blocks))
        if len(data) != _HEADER.size + sum(int(kind[-1]) * count for kind, count in layout):
            return None
        arrays, at = [], _HEADER.size
        for kind, count in layout:
            arrays.append(np.frombuffer(data, dtype=kind, count=count, offset=at))
            at += int(kind[-1]) * count
        stats = _Stats(frames, arrays[0], raw_lufs)
        voice = None
        if flags & 1:
            curve = arrays[3] if flags & 2 else None
            voice = _VoiceForm(gain_db, curve, _Stats(frames, arrays[2], voice_lufs))
        return cls(stats, arrays[1], voice)


#: Bump when what an analysis holds, or how it is laid out, changes. Changes to the code that
#: computes it need no bump: the fingerprint (``_fingerprint``) covers them.
ANALYSIS_VERSION = 1
_MAGIC = b"ACSA"
# magic, version, flags, frames, blocks, code fingerprint, raw loudness, voice gain, voice loudness
_HEADER = struct.Struct("<4sHHII16sddd")


def _f8(a: np.ndarray) -> bytes:
    return np.ascontiguousarray(a, dtype="<f8").tobytes()


def _f4(a: np.ndarray) -> bytes:
    return np.ascontiguousarray(a, dtype="<f4").tobytes()


@lru_cache(maxsize=1)
def _fingerprint() -> bytes:
    """16 bytes naming the analysis code: a hash of the modules that compute an analysis.

    A stored analysis made by other code (another release, an edited threshold) does not match
    and is recomputed, never trusted; no one has to remember to bump a version for it.
    """
    from audiocoach.loudness import dynamics, metering

    digest = hashlib.sha256(f"analysis {ANALYSIS_VERSION}".encode())
    for module in (metering, dynamics, sys.modules[__name__]):
        digest.update(Path(module.__file__ or "").read_bytes())
    return digest.digest()[:16]


def analyse_speech(clip: Clip) -> SpeechAnalysis:
    """Analyse one speech clip (mono s16le at the mix rate) for the gain plan: the work a warm
    render must not repeat. About a millisecond per second of speech."""
    x = _floats(clip)
    stats = _stats_of(x)
    envelope = _block_envelope(x)
    envelope.flags.writeable = False
    return SpeechAnalysis(stats, envelope, _voice_form(stats))


#: Analyses known in this process, by clip content: computed, or handed over by a store that had
#: them (``remember``). Bounded; an analysis pushed out is only computed again.
_KNOWN: OrderedDict[Clip, SpeechAnalysis] = OrderedDict()
_KNOWN_MAX = 1024
_KNOWN_LOCK = threading.Lock()


def remember(clip: Clip, analysis: SpeechAnalysis) -> None:
    """Make ``analysis`` the one ``speech_analysis(clip)`` returns in this process.

    For a store that keeps analyses beside clips (the speech cache): the clip read back comes
    with its analysis, so the plan finds it here instead of computing it. The analysis must be of
    this clip (the store binds the two by the clip's checksum) and the same code (the stored form
    carries ``_fingerprint``), so what the plan sees is exactly what it would have computed.
    """
    if analysis.stats.frames != clip.frames:
        raise ValueError("an analysis of another clip")
    with _KNOWN_LOCK:
        _KNOWN[clip] = analysis
        _KNOWN.move_to_end(clip)
        while len(_KNOWN) > _KNOWN_MAX:
            _KNOWN.popitem(last=False)


def speech_analysis(clip: Clip) -> SpeechAnalysis:
    """The analysis of a speech clip: known already (by content), else computed and kept."""
    with _KNOWN_LOCK:
        known = _KNOWN.get(clip)
        if known is not None:
            _KNOWN.move_to_end(clip)
            return known
    analysis = analyse_speech(clip)
    remember(clip, analysis)
    return analysis
