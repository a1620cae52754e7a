"""Music the tests make for themselves: chords and tones written to files by ffmpeg.

Every song is a sustained chord (three notes under 800 Hz) plus a quiet "shimmer" tone at 14-16
kHz. The speech engines put nothing above 11 kHz (espeak speaks at 22.05 kHz; its clips, made
44.1 kHz, keep faint images of its sibilants up to 13 kHz, 50 dB down), so in a finished track
the band from ``MUSIC_BAND_HZ`` up is the music alone: its level there shows the ducking, the
crossfades and any dropout, with the coach talking over it. Each song gets its own shimmer
frequency, as songs are unrelated (two at one frequency would add up in phase in a crossfade).
Between 1 and 10 kHz the songs have nothing, so a click (which spreads over every frequency)
shows there.
"""

from __future__ import annotations

import math
import subprocess
from pathlib import Path

import numpy as np

from audiocoach.ffmpeg import ffmpeg_exe

#: The band measured as "the music alone" (every song's shimmer is in it).
MUSIC_BAND_HZ = (13_800, 15_800)


def make_song(
    path: Path,
    seconds: float,
    *,
    root_hz: float = 220.0,
    shimmer_hz: float = 14_000.0,
    level: float = 0.5,
    stereo: bool = True,
    extra: list[str] | None = None,
) -> Path:
    """Write a chord of ``seconds`` (root, major third, fifth) with a shimmer tone to ``path``.

    ``level`` scales the whole song (0.5: chord peaks near -6 dBFS); the shimmer is always the
    same fraction of the chord, so songs normalised to one loudness have one shimmer level. The
    right channel of a stereo song moves the chord up an octave in its top note, so the two
    channels differ. The format comes from the extension.
    """
    third, fifth = root_hz * 2 ** (4 / 12), root_hz * 2 ** (7 / 12)
    a = 0.22 * level

    def voice(top: float) -> str:
        return (
            f"{a}*sin(2*PI*{root_hz}*t)+{a * 0.8}*sin(2*PI*{third}*t)"
            f"+{a * 0.7}*sin(2*PI*{top}*t)+{a * 0.25}*sin(2*PI*{shimmer_hz}*t)"
        )

    expr = f"{voice(fifth)}|{voice(fifth * 2)}" if stereo else voice(fifth)
    args = [ffmpeg_exe(), "-hide_banner", "-loglevel", "error", "-y", "-f", "lavfi",
            "-i", f"aevalsrc='{expr}':s=44100:d={seconds}", *(extra or [])]  # fmt: skip
    if path.suffix.lower() == ".mp3":
        args += ["-c:a", "libmp3lame", "-b:a", "192k"]
    subprocess.run([*args, str(path)], check=True)
    return path


def band_power(
    samples: np.ndarray, rate: int, lo_hz: float, hi_hz: float | None = None
) -> np.ndarray:
    """``samples`` (frames, channels) filtered to a band through the FFT, channels summed in power:
    the band-passed signal's square, per frame. The band's edges are raised-cosine slopes 200 Hz
    wide, not walls, so the filter rings for a few ms rather than spreading a word's energy over
    the next second."""
    n = len(samples)
    size = 1 << (n - 1).bit_length()
    freqs = np.fft.rfftfreq(size, 1 / rate)
    top = hi_hz or rate
    slope = 200.0
    rise = np.clip((freqs - (lo_hz - slope)) / slope, 0, 1)
    fall = np.clip(((top + slope) - freqs) / slope, 0, 1)
    weight = (0.5 - 0.5 * np.cos(np.pi * rise)) * (0.5 - 0.5 * np.cos(np.pi * fall))
    total = np.zeros(n)
    for ch in range(samples.shape[1]):
        spectrum = np.fft.rfft(samples[:, ch], size) * weight
        total += np.fft.irfft(spectrum, size)[:n] ** 2
    return total


def level_db(power: np.ndarray) -> float:
    """Mean of per-frame power, in dB."""
    mean = float(np.mean(power)) if len(power) else 0.0
    return 10 * math.log10(mean) if mean > 0 else -math.inf


def blocks_db(power: np.ndarray, rate: int, ms: int = 100) -> np.ndarray:
    """Mean power per ``ms`` block, in dB."""
    size = rate * ms // 1000
    count = len(power) // size
    means = power[: count * size].reshape(count, size).mean(axis=1)
    return 10 * np.log10(np.maximum(means, 1e-20))
