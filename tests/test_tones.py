"""Tones: exact lengths, click-free edges, continuous sweeps, levels under the voice."""

from __future__ import annotations

import math
from itertools import islice

import numpy as np
import pytest
from audio_helpers import RATE, frame_of, momentary_max_lufs, speechlike

from audiocoach._pydub import generators
from audiocoach.errors import AudiocoachError
from audiocoach.loudness import VOICE_LUFS, clip_loudness, k_weight
from audiocoach.timeline import TONES
from audiocoach.tones import SWEEP_HIGH_HZ, SWEEP_LOW_HZ, SWEEPS, Glide, tone_clip, tone_names

FIXED = [name for name, ms in TONES.items() if ms is not None]
ONE_MS = RATE // 1000


def floats(name: str, ms: int | None = None) -> np.ndarray:
    return np.frombuffer(tone_clip(name, ms).pcm, dtype="<i2").astype(np.float64) / 32768


def every_tone() -> list[tuple[str, int | None]]:
    return [(name, None) for name in FIXED] + [
        (s, ms) for s in sorted(SWEEPS) for ms in (4000, 250)
    ]


def test_catalogue_is_covered() -> None:
    assert set(tone_names()) == set(TONES)
    assert {"inhale", "exhale"} == SWEEPS


@pytest.mark.parametrize("name", FIXED)
def test_fixed_tones_last_exactly_their_catalogue_length(name: str) -> None:
    clip = tone_clip(name)
    assert clip.sample_rate == RATE
    assert clip.frames == frame_of(TONES[name] or 0)
    assert clip.duration_ms == TONES[name]
    assert tone_clip(name, TONES[name]) is clip  # cached, and the length may be restated


@pytest.mark.parametrize("ms", [1, 7, 137, 999, 4000, 6001])
@pytest.mark.parametrize("name", sorted(SWEEPS))
def test_sweeps_last_exactly_what_is_asked(name: str, ms: int) -> None:
    clip = tone_clip(name, ms)
    assert clip.frames == frame_of(ms)
    assert clip.duration_ms == ms


def test_sweeps_of_one_length_are_built_once() -> None:
    assert tone_clip("inhale", 3210) is tone_clip("inhale", 3210)
    assert tone_clip("inhale", 3210) is not tone_clip("exhale", 3210)


@pytest.mark.parametrize(
    ("name", "ms", "message"),
    [
        ("gong", None, "unknown tone"),
        ("bell", 200, "lasts 1500 ms"),
        ("inhale", None, "positive length"),
        ("exhale", 0, "positive length"),
    ],
)
def test_bad_requests_are_one_clear_error(name: str, ms: int | None, message: str) -> None:
    with pytest.raises(AudiocoachError, match=message):
        tone_clip(name, ms)


@pytest.mark.parametrize(("name", "ms"), every_tone())
def test_edges_are_click_free(name: str, ms: int | None) -> None:
    x = floats(name, ms)
    peak = np.abs(x).max()
    assert peak > 0
    assert abs(x[0]) <= 1 / 32768 and abs(x[-1]) <= 1 / 32768
    edge = min(ONE_MS, len(x) // 4)
    # the first and last millisecond stay far below the tone's peak: a fade, not a step
    assert np.abs(x[:edge]).max() <= 0.1 * peak
    assert np.abs(x[-edge:]).max() <= 0.05 * peak


@pytest.mark.parametrize(("name", "ms"), every_tone())
def test_no_step_inside_a_tone(name: str, ms: int | None) -> None:
    # A click is a jump between samples far beyond what the tone's own frequencies produce.
    x = floats(name, ms)
    peak = np.abs(x).max()
    assert np.abs(np.diff(x)).max() <= 0.75 * peak


@pytest.mark.parametrize("ms", [800, 4000, 6000])
def test_sweeps_glide_continuously(ms: int) -> None:
    # phase-accumulated: the sample-to-sample change never exceeds what the top frequency and its
    # overtones allow (stepped chunks would jump at every step)
    for name in sorted(SWEEPS):
        x = floats(name, ms)
        peak = np.abs(x).max()
        limit = 2 * math.pi * SWEEP_HIGH_HZ * 3 / RATE * peak
        assert np.abs(np.diff(x)).max() <= limit
        assert np.abs(np.diff(x, 2)).max() <= limit * 2 * math.pi * SWEEP_HIGH_HZ * 3 / RATE * 1.5


def _pitch(x: np.ndarray) -> float:
    """Fundamental of a stretch by counting upward zero crossings."""
    ups = np.flatnonzero((x[:-1] < 0) & (x[1:] >= 0))
    return (len(ups) - 1) * RATE / (ups[-1] - ups[0])


def test_inhale_rises_and_exhale_falls() -> None:
    inhale, exhale = floats("inhale", 4000), floats("exhale", 4000)
    first, last = slice(frame_of(400), frame_of(900)), slice(frame_of(2900), frame_of(3400))
    assert _pitch(inhale[first]) < _pitch(inhale[last])
    assert _pitch(exhale[first]) > _pitch(exhale[last])
    assert SWEEP_LOW_HZ * 0.95 < _pitch(inhale[first]) < SWEEP_HIGH_HZ
    assert SWEEP_LOW_HZ < _pitch(exhale[first]) < SWEEP_HIGH_HZ * 1.05


def test_glide_with_equal_ends_is_pydubs_sine() -> None:
    theirs = np.fromiter(islice(generators.Sine(440.0).generate(), 20_000), dtype=np.float64)
    ours = Glide(440.0, 440.0, 10).samples(20_000)
    assert np.abs(theirs - ours).max() < 1e-9


def test_glide_is_a_pydub_generator() -> None:
    glide = Glide(220.0, 330.0, frame_of(100))
    segment = glide.to_audio_segment(duration=100, volume=-20)
    assert segment.frame_rate == RATE and len(segment) == 100
    streamed = np.fromiter(islice(glide.generate(), 9000), dtype=np.float64)
    assert np.abs(streamed - glide.samples(9000)).max() < 1e-12


def _loudest_50ms(x: np.ndarray) -> float:
    y = k_weight(x).astype(np.float64)
    energy = np.concatenate([[0.0], np.cumsum(y * y)])
    w = min(len(y), frame_of(50))
    power = max(energy[i + w] - energy[i] for i in range(0, len(y) - w + 1, ONE_MS)) / w
    return -0.691 + 10 * math.log10(power)


def test_tones_sit_under_the_voice_and_sweeps_lowest() -> None:
    voice = np.frombuffer(speechlike(2500, seed=7).pcm, dtype="<i2") / 32768
    voice = voice * 10 ** ((VOICE_LUFS - clip_loudness(voice)) / 20)
    voice_level = momentary_max_lufs(voice)
    levels = {name: momentary_max_lufs(floats(name, ms)) for name, ms in every_tone() if ms != 250}
    for name, level in levels.items():
        assert level <= voice_level - 8, name  # clearly under the voice
    sweep = max(levels[s] for s in SWEEPS)
    for name in FIXED:  # the sweeps are the quietest, whatever the window
        assert _loudest_50ms(floats(name)) > _loudest_50ms(floats("inhale", 4000)) + 3, name
        if name != "tick":  # 50 ms long: in a 400 ms window it reads lower than it sounds
            assert levels[name] > sweep + 3, name
