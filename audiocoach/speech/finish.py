"""The finishing every engine's raw audio goes through, and small helpers engines share.

Every engine must shape its audio the same way: the scheduler plans with clip lengths, so a clip
must be the words and a few ms of air, not whatever padding the engine happened to add, and must
start and end without a click. This module sits below the engines (they import it; it imports
none of them), as the registry that chooses between them sits above.
"""

from __future__ import annotations

import difflib
import math
import os

import numpy as np

from audiocoach.errors import AudiocoachError
from audiocoach.speech.base import SAMPLE_RATE, Clip

__all__ = ["FADE_MS", "MARGIN_MS", "check_speed", "close_matches", "finish_speech", "usable_cpus"]

#: Silence kept before the first and after the last audible sample.
MARGIN_MS = 15
#: Linear fade at each end: a waveform cut mid-cycle clicks.
FADE_MS = 5
#: Below this (about -54 dBFS) a sample counts as silence whatever the clip's level.
_FLOOR = 64
#: A sample counts as sound if within 40 dB of the clip's peak, so quiet engines trim alike.
_RELATIVE = 0.01


def check_speed(speed: float, low: float, high: float) -> float:
    """Clamp a speed multiplier to what an engine can do; nonsense is the user's error."""
    if not isinstance(speed, int | float) or not math.isfinite(speed) or speed <= 0:
        raise AudiocoachError(f"speech speed must be a positive number, got {speed!r}")
    return min(max(float(speed), low), high)


def usable_cpus() -> int:
    """The CPUs this process may run on (its affinity, as a container or ``taskset`` sets it),
    which can be fewer than the machine has."""
    counter = getattr(os, "process_cpu_count", None)  # Python 3.13+
    if counter is not None:
        return counter() or 1
    try:
        return len(os.sched_getaffinity(0)) or 1
    except (AttributeError, OSError):  # pragma: no cover - macOS, Windows
        return os.cpu_count() or 1


def close_matches(word: str, candidates: list[str], n: int = 5) -> str:
    """``"; close matches: a, b"`` for an error line, or ``""`` when nothing is close."""
    lowered = {c.lower(): c for c in candidates}
    found = difflib.get_close_matches(word.lower(), list(lowered), n=n, cutoff=0.6)
    return f"; close matches: {', '.join(lowered[f] for f in found)}" if found else ""


# --- finishing -----------------------------------------------------------------------------------

_HALFBAND_TAPS_PER_SIDE = 8


def _halfband_kernel() -> np.ndarray:
    """Windowed-sinc weights for the sample halfway between two input samples.

    Doubling the rate only needs the in-between samples; a 16-tap Kaiser-windowed sinc gives them
    flat to 8 kHz with images 40+ dB down, where linear interpolation dulls 8 kHz by 3 dB and leaves
    its image at 14 kHz only 10 dB down; it costs well under 1 ms per spoken second.
    """
    k = np.arange(-_HALFBAND_TAPS_PER_SIDE + 1, _HALFBAND_TAPS_PER_SIDE + 1) - 0.5
    kernel = np.sinc(k) * np.kaiser(2 * _HALFBAND_TAPS_PER_SIDE, 8.0)
    return (kernel / kernel.sum()).astype(np.float32)


_HALFBAND_KERNEL = _halfband_kernel()


def _upsample2(x: np.ndarray) -> np.ndarray:
    kernel = _HALFBAND_KERNEL
    pad = _HALFBAND_TAPS_PER_SIDE
    zeros = np.zeros(pad + 1, dtype=np.float32)
    padded = np.concatenate([zeros[: pad - 1], x, zeros])
    # odd[n] sits between x[n] and x[n+1]: weights run over x[n-pad+1 .. n+pad]. Summing 16
    # shifted slices is about four times faster than np.convolve with so short a kernel.
    n = len(x)
    odd = kernel[0] * padded[:n]
    for j in range(1, len(kernel)):
        odd += kernel[j] * padded[j : j + n]
    out = np.empty(2 * len(x), dtype=np.float32)
    out[0::2] = x
    out[1::2] = odd
    return out


def _resample(x: np.ndarray, rate: int) -> np.ndarray:
    if rate == SAMPLE_RATE or len(x) == 0:
        return x
    if rate * 2 == SAMPLE_RATE:
        return _upsample2(x)
    frames = round(len(x) * SAMPLE_RATE / rate)
    positions = np.arange(frames, dtype=np.float64) * (rate / SAMPLE_RATE)
    return np.interp(positions, np.arange(len(x)), x).astype(np.float32)


def finish_speech(samples: np.ndarray | bytes, rate: int) -> Clip:
    """Trim to the words plus ``MARGIN_MS``, resample to ``SAMPLE_RATE`` and fade the ends.

    ``samples`` is signed 16-bit mono (an int16 array or little-endian bytes) at ``rate``. Silence
    in, empty clip out: the caller decides whether a phrase that makes no sound is a problem.
    """
    if isinstance(samples, bytes | bytearray | memoryview):
        samples = np.frombuffer(samples, dtype="<i2")
    # A copy (the fades work in place), in float32: half the memory traffic of float64 and far
    # beyond 16-bit precision.
    x = np.array(samples, dtype=np.float32)
    if len(x) == 0:
        return Clip(b"")
    level = np.abs(x)
    threshold = max(_FLOOR, float(level.max()) * _RELATIVE)
    loud = np.flatnonzero(level >= threshold)
    if len(loud) == 0:
        return Clip(b"")
    margin = rate * MARGIN_MS // 1000
    x = x[max(0, loud[0] - margin) : min(len(x), loud[-1] + 1 + margin)]
    x = _resample(x, rate)
    fade = min(SAMPLE_RATE * FADE_MS // 1000, len(x) // 2)
    if fade > 0:
        ramp = np.linspace(0.0, 1.0, fade + 1, endpoint=False, dtype=np.float32)[1:]
        x[:fade] *= ramp
        x[-fade:] *= ramp[::-1]
    np.rint(x, out=x)
    np.clip(x, -32768, 32767, out=x)
    pcm = x.astype("<i2").tobytes()
    return Clip(pcm, SAMPLE_RATE)
