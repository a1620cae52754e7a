"""The non-verbal cues: chimes, countdown pips, rep ticks, breath sweeps, bells.

Tones are built from pydub's signal generators (``Sine`` for the steady partials, and ``Glide``
below, a generator of the same kind for frequency sweeps), shaped with numpy envelopes and returned
as ``Clip`` values at the mix rate, so the mixer treats a tone exactly like a spoken clip.

Three rules shape every recipe here:

* **No clicks.** Every tone starts and ends at zero through a raised-cosine fade; an abrupt edge on
  headphones is a click, and clicks on every rep for half an hour are fatiguing.
* **Quieter than the voice.** Levels are fixed peak amplitudes chosen against a voice normalised
  to ``loudness.VOICE_LUFS`` (-18 LUFS, whose loudest 400 ms reach about -16): chimes and bells
  peak near -27 LUFS (400 ms), the pip near -31, the tick near -32 over its 50 ms, and the breath
  sweeps, which play under "inhale..." for the whole breath, lowest of all at -37, so the voice
  always sits on top. ``tests/test_tones.py`` holds the tones to that order.
* **Exact length.** A tone lasts exactly what the timeline reserved for it: ``TONES`` for the fixed
  ones, the event's ``duration_ms`` for the sweeps (the scheduler planned with those numbers).
* **Never over a word.** A tone that rings while the coach speaks (a breath sweep under "Inhale",
  a bell or chime's tail under the next announcement) dips ``UNDER_SPEECH_DB`` beneath each word
  (``under_speech``), as a broadcast bed dips under a presenter; the beat tones (tick, pip) never
  share a word's time at all: the scheduler starts the count after its tick or pip. Measured with
  an independent recognizer (``scripts/voice_quality.py``), a short word sounding with a tick or a
  sweep at full level was misheard about twice as often as the same word alone.

Generation is deterministic and cached (``tone_clip`` is an LRU cache): a routine uses a handful of
tones thousands of times, and breath sweeps of the same length are reused.
"""

from __future__ import annotations

import math
from collections.abc import Iterator
from functools import lru_cache

import numpy as np

from audiocoach._pydub import generators
from audiocoach.errors import AudiocoachError
from audiocoach.speech.base import SAMPLE_RATE, Clip
from audiocoach.timeline import TONES

__all__ = ["DIPS_UNDER_SPEECH", "SWEEPS", "UNDER_SPEECH_DB", "Glide", "tone_clip", "tone_names"]

#: Tones whose length is chosen per event (a sweep spans its whole breath phase).
SWEEPS = frozenset(name for name, length in TONES.items() if length is None)

#: Peak level of each tone in dBFS, against speech normalised to ``loudness.VOICE_LUFS``; the
#: loudness each gives is in the module docstring (measured, and checked by the tests).
LEVEL_DBFS: dict[str, float] = {
    "start": -17.0,
    "stop": -17.0,
    "pip": -22.0,
    "tick": -19.0,
    "inhale": -33.0,
    "exhale": -33.0,
    "bell": -16.0,
    "finish": -16.0,
}

#: Tones that dip under the coach's words. Not the tick and the pip: they mark a beat, and the
#: scheduler puts the word just after them instead (a dip would blunt the beat itself).
DIPS_UNDER_SPEECH = frozenset({"start", "stop", "inhale", "exhale", "bell", "finish"})
#: How far a tone goes down under a word (dB). The sweeps peak at -33 dBFS and the bells' tails at
#: about -20 when the next words start; 14 dB down puts both more than 25 dB under the voice's
#: peaks, where they no longer mask its formants, and still audible around the words.
UNDER_SPEECH_DB = -14.0
#: The tone is fully down this long before a word starts, so the first consonant is clear.
DIP_LEAD_MS = 25
#: Ramp down over this, and back up over ``DIP_RELEASE_MS`` after the word: raised-cosine ramps
#: (no click), quick going down so the dip fits between close words, slower coming back.
DIP_ATTACK_MS = 40
DIP_RELEASE_MS = 150

#: Breath sweep range: low and gentle, a fifth apart, so it reads as "rising" and "falling"
#: without competing with the voice's formants.
SWEEP_LOW_HZ = 220.0
SWEEP_HIGH_HZ = 330.0


class Glide(generators.SignalGenerator):
    """A sine whose frequency glides exponentially from ``start_hz`` to ``end_hz`` over ``frames``.

    The phase is the running integral of the instantaneous frequency (accumulated in closed form,
    so any block can be computed on its own), which makes the glide one continuous wave. Stepping
    through fixed-frequency chunks instead would jump phase at every step, and each jump is a
    click. After ``frames`` the end frequency holds. ``harmonics`` adds phase-locked overtones
    (multiple, amplitude) for warmth; the sum is scaled back into [-1, 1]. With equal ends and no
    harmonics this is exactly pydub's ``Sine``.
    """

    def __init__(
        self,
        start_hz: float,
        end_hz: float,
        frames: int,
        *,
        harmonics: tuple[tuple[int, float], ...] = (),
        sample_rate: int = SAMPLE_RATE,
        bit_depth: int = 16,
    ) -> None:
        super().__init__(sample_rate=sample_rate, bit_depth=bit_depth)
        if start_hz <= 0 or end_hz <= 0:
            raise ValueError("glide frequencies must be positive")
        self.start_hz = float(start_hz)
        self.end_hz = float(end_hz)
        self.frames = max(1, int(frames))
        self.harmonics = harmonics

    def phase(self, first: int, count: int) -> np.ndarray:
        """Phase in radians of samples ``first .. first+count-1``."""
        n = np.arange(first, first + count, dtype=np.float64)
        omega0 = 2.0 * math.pi * self.start_hz / self.sample_rate
        omega1 = 2.0 * math.pi * self.end_hz / self.sample_rate
        if self.start_hz == self.end_hz:
            return omega0 * n
        log_ratio = math.log(self.end_hz / self.start_hz)
        span = self.frames
        inside = np.minimum(n, span)
        # integral of omega0 * ratio**(k/span) dk from 0 to n, then steady at omega1.
        gliding = omega0 * span / log_ratio * np.expm1(inside * (log_ratio / span))
        return gliding + omega1 * (n - inside)

    def samples(self, count: int, first: int = 0) -> np.ndarray:
        """Samples ``first .. first+count-1`` as floats in [-1, 1]."""
        phase = self.phase(first, count)
        wave = np.sin(phase)
        if not self.harmonics:
            return wave
        # overtones by angle addition, sin((k+1)p) from sin(kp) and cos(kp): one sine and one
        # cosine in all rather than one sine per overtone (the sweeps are seconds long)
        cos = np.cos(phase)
        amps = dict(self.harmonics)
        out, total = wave.copy(), 1.0
        sin_k, cos_k = wave, cos
        for k in range(2, max(amps) + 1):
            sin_k, cos_k = sin_k * cos + cos_k * wave, cos_k * cos - sin_k * wave
            if k in amps:
                out += amps[k] * sin_k
                total += abs(amps[k])
        return out / total

    def generate(self) -> Iterator[float]:
        # pydub's protocol: an endless stream of floats, served here from vectorised blocks.
        first = 0
        while True:
            yield from self.samples(4096, first).tolist()
            first += 4096


def _frames(ms: int) -> int:
    """Frames in ``ms`` at the mix rate, rounded: the count the mixer and the scheduler agree on."""
    return (ms * SAMPLE_RATE + 500) // 1000


def _sine(freq: float, frames: int) -> np.ndarray:
    """``frames`` samples of a steady sine: pydub's ``Sine(freq)`` wave, computed vectorised.

    ``Glide`` with equal ends is ``sin(2*pi*freq*n/rate)``, the very samples ``Sine.generate``
    yields (``tests/test_tones.py`` checks that), but pydub produces them one Python float at a
    time: about 0.3 us a sample, which made the bells alone cost half a second per process.
    """
    return Glide(freq, freq, frames).samples(frames)


def _raised_cosine(frames: int) -> np.ndarray:
    """0 -> 1 over ``frames`` with zero slope at both ends (no corner to click on)."""
    if frames <= 0:
        return np.ones(0)
    return 0.5 - 0.5 * np.cos(np.pi * (np.arange(frames) + 0.5) / frames)


def _fade_edges(x: np.ndarray, in_ms: float, out_ms: float) -> np.ndarray:
    """Raised-cosine fades on both ends, and exact zeros on the first and last sample."""
    n = len(x)
    fin = min(n // 2, max(1, int(in_ms * SAMPLE_RATE / 1000)))
    fout = min(n - fin, max(1, int(out_ms * SAMPLE_RATE / 1000)))
    x = x.copy()
    x[:fin] *= _raised_cosine(fin)
    x[n - fout :] *= _raised_cosine(fout)[::-1]
    if n:
        x[0] = 0.0
        x[-1] = 0.0
    return x


def _struck(
    freq: float,
    frames: int,
    *,
    partials: tuple[tuple[float, float, float], ...],
    attack_ms: float,
) -> np.ndarray:
    """A struck note: harmonic or bell-like partials (ratio, amplitude, decay s), each decaying.

    Each partial is rendered only while audible (9 decay constants, about -80 dB).
    """
    out = np.zeros(frames)
    t = np.arange(frames) / SAMPLE_RATE
    for ratio, amp, decay_s in partials:
        life = min(frames, int(decay_s * 9 * SAMPLE_RATE) + 1)
        out[:life] += amp * _sine(freq * ratio, life) * np.exp(-t[:life] / decay_s)
    attack = max(1, int(attack_ms * SAMPLE_RATE / 1000))
    out[:attack] *= _raised_cosine(attack)
    return out


def _place(bed: np.ndarray, note: np.ndarray, at_ms: float) -> None:
    start = int(at_ms * SAMPLE_RATE / 1000)
    end = min(len(bed), start + len(note))
    bed[start:end] += note[: end - start]


_CHIME = ((1.0, 1.0, 0.16), (2.0, 0.35, 0.08), (3.0, 0.12, 0.05))
_BELL = ((1.0, 1.0, 0.9), (2.0, 0.45, 0.5), (2.76, 0.3, 0.35), (4.07, 0.12, 0.2), (5.4, 0.06, 0.12))
_WOOD = ((1.0, 1.0, 0.012), (1.58, 0.45, 0.008), (2.41, 0.2, 0.005))


def _two_notes(first_hz: float, second_hz: float, frames: int, second_at_ms: float) -> np.ndarray:
    bed = np.zeros(frames)
    _place(bed, _struck(first_hz, frames, partials=_CHIME, attack_ms=6), 0)
    rest = frames - int(second_at_ms * SAMPLE_RATE / 1000)
    _place(bed, _struck(second_hz, rest, partials=_CHIME, attack_ms=6), second_at_ms)
    return bed


def _start(frames: int) -> np.ndarray:
    # E5 then A5, quick and rising: "go".
    return _fade_edges(_two_notes(659.26, 880.0, frames, 130), 4, 40)


def _stop(frames: int) -> np.ndarray:
    # A5 then E5, slower and falling: "done".
    return _fade_edges(_two_notes(880.0, 659.26, frames, 220), 4, 80)


def _pip(frames: int) -> np.ndarray:
    tone = _sine(987.77, frames) + 0.12 * _sine(2 * 987.77, frames)
    return _fade_edges(tone, 6, 35)


def _tick(frames: int) -> np.ndarray:
    # A woodblock-like knock: a few fast-decaying partials with a 3 ms onset, so it is felt as a
    # beat without the broadband snap of a true click.
    return _fade_edges(_struck(1100.0, frames, partials=_WOOD, attack_ms=3), 3, 12)


def _bell(frames: int) -> np.ndarray:
    return _fade_edges(_struck(523.25, frames, partials=_BELL, attack_ms=5), 5, 200)


def _finish(frames: int) -> np.ndarray:
    # C5 E5 G5 rung in turn, the last left to ring out.
    bed = np.zeros(frames)
    for i, freq in enumerate((523.25, 659.26, 783.99)):
        at_ms = 250 * i
        rest = frames - int(at_ms * SAMPLE_RATE / 1000)
        _place(bed, _struck(freq, rest, partials=_BELL, attack_ms=5), at_ms)
    return _fade_edges(bed, 5, 300)


def _sweep(start_hz: float, end_hz: float, frames: int) -> np.ndarray:
    glide = Glide(start_hz, end_hz, frames, harmonics=((2, 0.25), (3, 0.06)))
    wave = glide.samples(frames)
    # A soft swell: in over a quarter of the breath (at most 400 ms), out over a third (at most
    # 700 ms), so consecutive sweeps breathe rather than butt against each other.
    ms = frames * 1000 / SAMPLE_RATE
    return _fade_edges(wave, min(400.0, ms / 4), min(700.0, ms / 3))


_RECIPES = {
    "start": _start,
    "stop": _stop,
    "pip": _pip,
    "tick": _tick,
    "bell": _bell,
    "finish": _finish,
    "inhale": lambda frames: _sweep(SWEEP_LOW_HZ, SWEEP_HIGH_HZ, frames),
    "exhale": lambda frames: _sweep(SWEEP_HIGH_HZ, SWEEP_LOW_HZ, frames),
}


def tone_names() -> tuple[str, ...]:
    """Every tone the catalogue knows, in catalogue order."""
    return tuple(TONES)


def tone_clip(name: str, duration_ms: int | None = None) -> Clip:
    """The tone ``name`` as a clip of exactly ``duration_ms`` (rounded to whole frames).

    Fixed tones take their length from ``TONES`` (``duration_ms`` may be omitted or must agree);
    sweeps need ``duration_ms``. Results are cached, so sweeps of one length are built once.
    """
    if name not in TONES or name not in _RECIPES:
        known = ", ".join(TONES)
        raise AudiocoachError(f"unknown tone {name!r} (known tones: {known})")
    fixed = TONES[name]
    if fixed is not None:
        if duration_ms is not None and duration_ms != fixed:
            raise AudiocoachError(
                f"tone {name!r} lasts {fixed} ms; the timeline asks for {duration_ms} ms"
            )
        duration_ms = fixed
    elif duration_ms is None or duration_ms <= 0:
        raise AudiocoachError(f"tone {name!r} needs a positive length, got {duration_ms!r}")
    return _tone_clip(name, int(duration_ms))


def dip_spans(
    name: str, duration_ms: int, speech: list[tuple[int, int]]
) -> tuple[tuple[int, int], ...]:
    """The words (start, end in ms from the tone's start) a tone must dip under, or ``()``.

    ``speech`` is every (start, end) of speech relative to the tone's start; only the tones in
    ``DIPS_UNDER_SPEECH`` dip, and only under words whose dip reaches into the tone.
    """
    if name not in DIPS_UNDER_SPEECH:
        return ()
    return tuple(
        (start, end)
        for start, end in speech
        if start - DIP_LEAD_MS - DIP_ATTACK_MS < duration_ms and end + DIP_RELEASE_MS > 0
    )


def under_speech(clip: Clip, spans: tuple[tuple[int, int], ...]) -> Clip:
    """``clip`` (a tone) dipped ``UNDER_SPEECH_DB`` under each word of ``spans`` (ms from its
    start).

    Down over ``DIP_ATTACK_MS``, fully down from ``DIP_LEAD_MS`` before each word to its end, back
    up over ``DIP_RELEASE_MS``; overlapping dips take the deeper gain. Shape: the clip's length.
    """
    if not spans:
        return clip
    samples = np.frombuffer(clip.pcm, dtype="<i2").astype(np.float32)
    return Clip(_pcm16(samples * _dip_gain(len(samples), spans)), clip.sample_rate)


def _dip_gain(frames: int, spans: tuple[tuple[int, int], ...]) -> np.ndarray:
    """Linear gain per frame: 1 away from words, ``UNDER_SPEECH_DB`` under them."""
    floor = np.float32(10 ** (UNDER_SPEECH_DB / 20))
    gain = np.ones(frames, dtype=np.float32)
    t = np.arange(frames, dtype=np.float32) * np.float32(1000 / SAMPLE_RATE)
    for start, end in spans:
        down, up = start - DIP_LEAD_MS, end
        # 0 outside the dip, 1 fully down; raised-cosine ramps either side
        depth = np.zeros(frames, dtype=np.float32)
        depth[(t >= down) & (t <= up)] = 1.0
        attack = (t >= down - DIP_ATTACK_MS) & (t < down)
        depth[attack] = _ease((t[attack] - (down - DIP_ATTACK_MS)) / DIP_ATTACK_MS)
        release = (t > up) & (t <= up + DIP_RELEASE_MS)
        depth[release] = _ease(1 - (t[release] - up) / DIP_RELEASE_MS)
        gain = np.minimum(gain, 1 - depth * (1 - floor))
    return gain


def _ease(x: np.ndarray) -> np.ndarray:
    """0 to 1 along a raised cosine."""
    return (0.5 - 0.5 * np.cos(np.pi * x)).astype(np.float32)


def _pcm16(wave: np.ndarray) -> bytes:
    return np.clip(np.rint(wave), -32768, 32767).astype("<i2").tobytes()


@lru_cache(maxsize=128)
def _tone_clip(name: str, duration_ms: int) -> Clip:
    frames = _frames(duration_ms)
    wave = _RECIPES[name](frames)
    peak = float(np.max(np.abs(wave))) if frames else 0.0
    if peak > 0:
        wave = wave * (10 ** (LEVEL_DBFS[name] / 20) / peak)
    return Clip(_pcm16(wave * 32767.0), SAMPLE_RATE)
