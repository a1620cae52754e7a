"""Helpers for tests that look at rendered audio: synthetic speech, timelines, decoding, levels.

Nothing here depends on a speech engine: ``speechlike`` makes deterministic clips with the traits
that matter to mixing and loudness (syllabic envelope, a voiced harmonic comb with a high crest
factor, fricative noise bursts, silence at the edges like a TTS clip).
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from functools import cache
from pathlib import Path

import numpy as np

from audiocoach._pydub import AudioSegment
from audiocoach.encode import encode
from audiocoach.ffmpeg import decode_pcm
from audiocoach.loudness import (
    ClipKey,
    MixLevels,
    frame_of,
    k_weight,
    placements,
    plan_gain,
    resolve_clips,
)
from audiocoach.mix import mix_chunks
from audiocoach.speech.base import SAMPLE_RATE, Clip
from audiocoach.timeline import Chapter, Event, Phase, Timeline
from audiocoach.tones import tone_clip

RATE = SAMPLE_RATE


@cache
def speechlike(ms: int, *, seed: int, peak_dbfs: float = -3.0) -> Clip:
    """A clip of exactly ``ms`` that sounds (to a meter) like a voice saying something.

    Syllables of a gliding voiced tone (a wavetable of ~40 harmonics with three formant bumps,
    random phases: a crest factor like espeak's), some with a fricative burst of 3-8 kHz hiss,
    separated by short gaps, with silence at both ends. Cached: clips are immutable.
    """
    rng = np.random.default_rng(seed)
    n = frame_of(ms)
    out = np.zeros(n)
    edge = frame_of(min(40, ms // 8))
    pos = edge
    table_size = 2048
    grid = np.arange(table_size) * (2 * np.pi / table_size)
    while pos < n - edge - frame_of(60):
        length = min(frame_of(int(rng.integers(110, 280))), n - edge - pos)
        t = np.arange(length) / RATE
        f0 = rng.uniform(100, 170) * (1 + rng.uniform(-0.15, 0.15) * t / max(t[-1], 1e-3))
        phase = 2 * np.pi * np.cumsum(f0) / RATE
        formants = rng.uniform([400, 1100, 2300], [800, 1800, 3000])
        offsets = rng.uniform(0, 2 * np.pi, 40)
        mean_f0 = float(f0.mean())
        ks = np.arange(1, 40)
        ks = ks[ks * mean_f0 <= 7000]
        bumps = sum(np.exp(-(((ks * mean_f0 - fm) / 180) ** 2)) for fm in formants)
        amps = ks**-0.8 * (1 + 2.5 * bumps)
        table = (amps[:, None] * np.sin(ks[:, None] * grid + offsets[ks][:, None])).sum(axis=0)
        voiced = np.interp(np.mod(phase, 2 * np.pi), grid, table, period=2 * np.pi)
        envelope = np.sin(np.pi * np.arange(length) / length) ** 1.5
        syllable = voiced * envelope
        if rng.random() < 0.35:  # a fricative onset
            burst = min(length, frame_of(int(rng.integers(50, 100))))
            # band-limited hiss (3-8 kHz: speech from a TTS engine has little above)
            spectrum = np.fft.rfft(rng.standard_normal(burst))
            freqs = np.fft.rfftfreq(burst, 1 / RATE)
            spectrum[(freqs < 3000) | (freqs > 8000)] = 0
            noise = np.fft.irfft(spectrum, burst) * np.hanning(burst)
            syllable[:burst] += 0.4 * np.abs(voiced).max() * noise / max(np.abs(noise).max(), 1e-9)
        out[pos : pos + length] += syllable
        pos += length + frame_of(int(rng.integers(25, 90)))
    peak = np.abs(out).max()
    if peak > 0:
        out *= 10 ** (peak_dbfs / 20) / peak
    return Clip(np.rint(out * 32767).astype("<i2").tobytes(), RATE)


def say(at_ms: int, text: str, clips: Mapping[str, Clip]) -> Event:
    """A speech event lasting exactly its clip."""
    return Event(at_ms, "speech", clips[text].duration_ms, text=text, role="test")


def tone(at_ms: int, name: str, duration_ms: int | None = None) -> Event:
    """A tone event with the length the catalogue (or the caller, for sweeps) gives it."""
    length = duration_ms if duration_ms is not None else tone_clip(name).duration_ms
    return Event(at_ms, "tone", length, tone=name, role=name)


def make_timeline(
    duration_ms: int,
    events: Sequence[Event],
    chapters: Sequence[tuple[str, int, int]] = (),
    *,
    title: str = "Test routine",
) -> Timeline:
    """A timeline around hand-placed events (one phase covering everything)."""
    return Timeline(
        title=title,
        duration_ms=duration_ms,
        chapters=tuple(Chapter(t, s, e) for t, s, e in chapters)
        or (Chapter("All", 0, duration_ms),),
        phases=(Phase("work", "all", 0, duration_ms),),
        events=tuple(sorted(events, key=lambda e: e.at_ms)),
        description="A hand-made timeline for tests.",
        source="tests/audio_helpers.py",
    )


def demo(duration_ms: int = 21_000) -> tuple[Timeline, dict[str, Clip]]:
    """A 21 s timeline with speech, every kind of tone, overlaps, and a silent stretch.

    Silent stretches (nothing scheduled): 0-450 ms and 10.3-12.4 s.
    """
    clips = {
        "Welcome to the test routine.": speechlike(2400, seed=1, peak_dbfs=-1.0),
        "Go.": speechlike(420, seed=2, peak_dbfs=-9.0),
        "Inhale.": speechlike(700, seed=3, peak_dbfs=-20.0),  # a quiet clip: normalised up
        "Exhale.": speechlike(750, seed=4, peak_dbfs=-6.0),
        "one": speechlike(380, seed=5),
        "two": speechlike(400, seed=6),
        "Rest, thirty seconds.": speechlike(1500, seed=7, peak_dbfs=-0.5),
    }
    events = [
        say(500, "Welcome to the test routine.", clips),
        tone(3200, "start"),
        say(3200, "Go.", clips),
        tone(4000, "inhale", 3000),
        say(4000, "Inhale.", clips),
        tone(7000, "exhale", 3000),
        say(7000, "Exhale.", clips),
        tone(12_500, "tick"),
        say(12_500, "one", clips),
        tone(14_000, "pip"),
        tone(14_500, "tick"),
        say(14_500, "two", clips),
        tone(16_000, "bell"),
        say(16_200, "Rest, thirty seconds.", clips),
        tone(18_400, "stop"),
        tone(18_900, "finish"),
    ]
    chapters = [
        ("Intro", 0, 3200),
        ("Breathing", 3200, 12_500),
        ("Counting", 12_500, 16_000),
        ("Rest", 16_000, duration_ms),
    ]
    return make_timeline(duration_ms, events, chapters), clips


def busy_timeline(
    minutes: int = 30, events: int = 300, seed: int = 0
) -> tuple[Timeline, dict[str, Clip]]:
    """A long timeline shaped like a real routine: ~``events`` events, reused phrases, sweeps."""
    rng = np.random.default_rng(seed)
    texts = [f"phrase {i}" for i in range(60)]
    clips = {
        t: speechlike(
            int(rng.integers(350, 4000)), seed=100 + i, peak_dbfs=float(rng.uniform(-12, -1))
        )
        for i, t in enumerate(texts)
    }
    duration = minutes * 60_000
    step = duration // events
    out: list[Event] = []
    for k in range(events):
        at = k * step + int(rng.integers(0, step // 4))
        text = texts[int(rng.integers(0, len(texts)))]
        roll = k % 5
        if roll == 0:
            out.append(tone(at, "inhale", 4000))
        elif roll == 1:
            out.append(tone(at, "tick"))
        elif roll == 2:
            out.append(tone(at, "pip"))
        if at + clips[text].duration_ms < duration:
            out.append(say(at, text, clips))
    return make_timeline(duration, out), clips


def naive_overlay(timeline: Timeline, clips: Mapping[str, Clip]) -> bytes:
    """The whole track overlaid on one full-length silent bed with pydub: the slow reference."""
    resolved = resolve_clips(timeline, clips)
    bed = AudioSegment(
        data=b"\0\0" * frame_of(timeline.duration_ms),
        sample_width=2,
        frame_rate=RATE,
        channels=1,
    )
    for place in placements(timeline):
        clip = resolved[place.key]
        seg = AudioSegment(data=clip.pcm, sample_width=2, frame_rate=RATE, channels=1)
        bed = bed.overlay(seg, position=place.start * 1000 / RATE)
    return bed.raw_data


def overlay_pcm(timeline: Timeline, sources: Mapping[ClipKey, np.ndarray]) -> np.ndarray:
    """The whole track summed in one int64 array from per-clip int16 samples (the exact sum)."""
    total = np.zeros(frame_of(timeline.duration_ms), dtype=np.int64)
    for place in placements(timeline):
        samples = sources[place.key]
        end = min(len(total), place.start + len(samples))
        if end > place.start:
            total[place.start : end] += samples[: end - place.start]
    return np.clip(total, -32768, 32767)


def render(
    timeline: Timeline, clips: Mapping[str, Clip], out: Path, **encode_options: object
) -> MixLevels:
    """Plan, mix and encode ``timeline`` into ``out``; returns the plan."""
    fmt = str(encode_options.get("fmt") or out.suffix.lstrip(".") or "mp3")
    bitrate = str(encode_options.get("bitrate", "128k"))
    levels = plan_gain(timeline, clips, fmt=fmt, bitrate=bitrate)
    encode(mix_chunks(timeline, clips, levels), out, **encode_options)  # type: ignore[arg-type]
    return levels


def momentary_max_lufs(samples: np.ndarray) -> float:
    """Loudest 400 ms (K-weighted, sliding by 10 ms) of a signal shorter or longer than that."""
    y = k_weight(samples).astype(np.float64)
    energy = np.concatenate([[0.0], np.cumsum(y * y)])
    window = frame_of(400)
    if len(y) <= window:
        power = energy[-1] / window
    else:
        starts = np.arange(0, len(y) - window + 1, frame_of(10))
        power = float(np.max(energy[starts + window] - energy[starts])) / window
    return -0.691 + 10 * math.log10(power) if power > 0 else -math.inf


def decode(path: Path) -> np.ndarray:
    """Samples of an audio file as floats (full scale 1.0), decoded by ffmpeg at 44.1 kHz."""
    samples, _ = decode_pcm(path, sample_rate=RATE)
    return samples.astype(np.float64) / 32768.0


def pcm_floats(pcm: bytes) -> np.ndarray:
    return np.frombuffer(pcm, dtype="<i2").astype(np.float64) / 32768.0


def span(samples: np.ndarray, start_ms: int, end_ms: int) -> np.ndarray:
    """The samples between two times."""
    return samples[frame_of(start_ms) : frame_of(end_ms)]


def rms_dbfs(samples: np.ndarray) -> float:
    """RMS level in dBFS (-inf for digital silence)."""
    if len(samples) == 0:
        return -math.inf
    rms = float(np.sqrt(np.mean(np.square(samples, dtype=np.float64))))
    return 20 * math.log10(rms) if rms > 0 else -math.inf


def peak_dbfs(samples: np.ndarray) -> float:
    peak = float(np.max(np.abs(samples))) if len(samples) else 0.0
    return 20 * math.log10(peak) if peak > 0 else -math.inf
