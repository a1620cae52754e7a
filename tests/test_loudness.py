"""The loudness plan, held to ffmpeg's EBU R128 meter on real renders."""

from __future__ import annotations

import math
import subprocess
from pathlib import Path

import numpy as np
import pytest
from audio_helpers import (
    RATE,
    demo,
    frame_of,
    make_timeline,
    pcm_floats,
    render,
    say,
    speechlike,
    tone,
)

from audiocoach.errors import AudiocoachError
from audiocoach.ffmpeg import ffmpeg_exe, measure_loudness
from audiocoach.loudness import (
    MAX_LIMIT_DB,
    TARGET_LUFS,
    VOICE_LUFS,
    clip_loudness,
    codec_margins,
    integrated_loudness,
    k_weight,
    limit_peaks,
    plan_gain,
    true_peak,
)
from audiocoach.loudness.clipstats import _clip_stats
from audiocoach.loudness.metering import _block_envelope, _k_block_energy, _per_block
from audiocoach.mix import mix_chunks
from audiocoach.pace import PaceOptions
from audiocoach.render import Speaker, plan_timeline
from audiocoach.routine import load_routine
from audiocoach.speech.base import Clip
from audiocoach.speech.espeak import EspeakEngine
from audiocoach.timeline import Event
from audiocoach.tones import tone_clip

YOGA = Path(__file__).resolve().parent.parent / "routines" / "upper-back-yoga.yaml"


def write_wav(path: Path, samples: np.ndarray) -> Path:
    pcm = np.clip(np.rint(samples * 32768), -32768, 32767).astype("<i2").tobytes()
    subprocess.run(
        [ffmpeg_exe(), "-hide_banner", "-loglevel", "error", "-y", "-f", "s16le", "-ar",
         str(RATE), "-ac", "1", "-i", "pipe:0", str(path)],
        input=pcm,
        check=True,
    )  # fmt: skip
    return path


def test_k_weighting_agrees_with_ffmpeg(tmp_path: Path) -> None:
    rng = np.random.default_rng(5)
    t = np.arange(frame_of(6000)) / RATE
    # low, mid and high content, with loudness changing over time so the gates matter
    signal = (
        0.2 * np.sin(2 * np.pi * 80 * t) * (t < 2)
        + 0.1 * np.sin(2 * np.pi * 3000 * t) * ((t > 1.5) & (t < 4))
        + 0.05 * rng.standard_normal(len(t)) * (t > 3.5)
    )
    measured = measure_loudness(write_wav(tmp_path / "k.wav", signal))
    assert integrated_loudness(signal) == pytest.approx(measured.integrated_lufs, abs=0.1)
    assert 20 * math.log10(true_peak(signal)) == pytest.approx(measured.true_peak_dbtp, abs=0.15)


def test_fast_k_energy_matches_exact_filtering() -> None:
    x = np.frombuffer(speechlike(3000, seed=21).pcm, dtype="<i2").astype(np.float32) / 32768
    exact = _per_block(np.square(k_weight(x).astype(np.float64)))
    fast = _k_block_energy(x)
    assert fast.sum() == pytest.approx(exact.sum(), rel=0.01)
    hop = RATE // 10 // 16
    loud = exact[: len(exact) // hop * hop].reshape(-1, hop).sum(axis=1)
    ours = fast[: len(fast) // hop * hop].reshape(-1, hop).sum(axis=1)
    keep = loud > loud.max() * 0.01
    assert np.abs(10 * np.log10(ours[keep] / loud[keep])).max() < 0.3


def test_true_peak_sees_between_samples() -> None:
    # a sine at a quarter of the rate, sampled 45 degrees off its crests: samples at 0.707
    n = np.arange(4000)
    x = np.sin(2 * np.pi * n / 4 + np.pi / 4)
    assert np.abs(x).max() == pytest.approx(math.sqrt(0.5))
    assert true_peak(x) == pytest.approx(1.0, abs=0.02)


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_block_envelope_finds_the_true_peak_of_plain_and_limited_speech(seed: int) -> None:
    x = np.frombuffer(speechlike(2000, seed=seed).pcm, dtype="<i2").astype(np.float32) / 32768
    for y in (x, limit_peaks(x, float(np.abs(x).max()) * 0.25)):
        assert float(_block_envelope(y).max()) == pytest.approx(true_peak(y), rel=0.005)


def test_limiter_holds_its_ceiling() -> None:
    x = np.frombuffer(speechlike(2500, seed=4).pcm, dtype="<i2").astype(np.float32) / 32768
    for depth_db in (1, 6, 12):
        ceiling = true_peak(x) * 10 ** (-depth_db / 20)
        y = limit_peaks(x, ceiling)
        assert true_peak(y) <= ceiling * 1.0001
        # gain reduction only: never louder, and it tracks peaks rather than turning all down
        assert np.all(np.abs(y) <= np.abs(x) + 1e-6)
        assert clip_loudness(y) > clip_loudness(x) - depth_db + 0.5


def _smooth(a: np.ndarray, ms: int) -> np.ndarray:
    """``a`` convolved with a Hann window ``ms`` long (centred, same length), through the FFT."""
    n = frame_of(ms) | 1
    window = np.hanning(n + 2)[1:-1]
    size = 1 << (len(a) + n).bit_length()
    full = np.fft.irfft(np.fft.rfft(a, size) * np.fft.rfft(window / window.sum(), size), size)
    return full[n // 2 : n // 2 + len(a)]


def modulation_distortion_db(x: np.ndarray, y: np.ndarray, window_ms: int) -> float:
    """How far ``y`` is from a smooth gain times ``x``: energy of ``y - g x`` over that of ``y``.

    ``g`` is the local least-squares gain over a Hann window of ``window_ms``, so whatever the
    processing did on longer time scales (levelling, make-up) cancels, and what is left is the
    gain moving faster than that, which multiplies the waveform and adds sidebands to every
    harmonic (heard as crunch when it moves within a pitch period). Counted where ``x`` is within
    40 dB of its loudest window; silence has no gain to speak of.
    """
    power = _smooth(x * x, window_ms)
    gain = _smooth(x * y, window_ms) / np.maximum(power, 1e-20)
    residual = (y - gain * x) * (power > power.max() * 1e-4)
    return 10 * math.log10(max(float(np.sum(residual**2)) / float(np.sum(y**2)), 1e-12))


@pytest.fixture(scope="module")
def yoga_voice() -> dict:
    """The speech clips of the yoga routine as espeak makes them and as the mix plays them."""
    voice = Speaker(EspeakEngine())
    timeline = plan_timeline(load_routine(YOGA), PaceOptions(), voice.speech_ms)
    clips = voice.clips_for(timeline)
    levels = plan_gain(timeline, clips)
    scale = 32768 * 10 ** (levels.gain_db / 20)
    played = {
        k[1]: levels.pcm[k].astype(np.float64) / scale for k in levels.pcm if k[0] == "speech"
    }
    return {"clips": clips, "levels": levels, "played": played}


def test_speech_dynamics_do_not_distort_real_speech(yoga_voice: dict) -> None:
    """Real espeak speech through the leveller and limiter stays clean and keeps its level.

    Measured on this routine's 49 clips: the gain left after removing a smooth 10 ms (30 ms)
    gain is -36 dB (-27) at worst and -41 dB (-33) in the median. The limiter it replaced, whose
    release recovered 8 dB in 10 ms and so followed the voice's pitch pulses, measured -19 dB
    (-18) at worst and -24 (-22) in the median, with 6 dB median and 11.5 dB most gain reduction.
    The bounds leave about 5 dB for other espeak builds and stay 10 dB clear of that limiter.
    """
    levels = yoga_voice["levels"]
    modulation, slow, limited, compressed = [], [], [], []
    for key in levels.pcm:
        if key[0] != "speech":
            continue
        clip = yoga_voice["clips"][key[1]]
        x = np.frombuffer(clip.pcm, dtype="<i2").astype(np.float64) / 32768
        y = yoga_voice["played"][key[1]]
        modulation.append(modulation_distortion_db(x, y, 10))
        slow.append(modulation_distortion_db(x, y, 30))
        limited.append(levels.limited_db.get(key, 0.0))
        compressed.append(levels.compressed_db[key])
        assert clip_loudness(y.astype(np.float32)) == pytest.approx(VOICE_LUFS, abs=0.3), key[1]
    print(
        f"\n[speech dynamics] {len(modulation)} espeak clips: modulation distortion (10 ms) "
        f"median {np.median(modulation):.1f} dB, worst {max(modulation):.1f}; (30 ms) median "
        f"{np.median(slow):.1f}, worst {max(slow):.1f}; limiter depth median "
        f"{np.median(limited):.1f} dB, most {max(limited):.1f}; leveller depth median "
        f"{np.median(compressed):.1f} dB, most {max(compressed):.1f}"
    )
    assert max(modulation) < -30.0 and np.median(modulation) < -36.0
    assert max(slow) < -22.0 and np.median(slow) < -28.0
    # the limiter only takes what the leveller left: a few dB, nothing near its cap
    assert np.median(limited) < 5.0 and max(limited) < 10.0 < MAX_LIMIT_DB
    assert max(compressed) < 12.0


def test_renders_hit_the_target_as_predicted(tmp_path: Path) -> None:
    timeline, clips = demo()
    out = tmp_path / "demo.mp3"
    levels = render(timeline, clips, out)
    measured = measure_loudness(out)
    print(
        f"\n[loudness] predicted {levels.predicted_lufs:.2f} LUFS / peak <= "
        f"{levels.predicted_peak_dbtp:.2f} dBTP; ffmpeg ebur128 on the MP3: "
        f"{measured.integrated_lufs:.1f} LUFS, {measured.true_peak_dbtp:.1f} dBTP"
    )
    assert measured.integrated_lufs == pytest.approx(TARGET_LUFS, abs=0.5)
    assert measured.integrated_lufs == pytest.approx(levels.predicted_lufs, abs=0.3)
    assert measured.true_peak_dbtp <= -1.0
    assert levels.limited_db  # this speech needed the limiter to get there


def test_prediction_matches_the_mix_before_encoding(tmp_path: Path) -> None:
    timeline, clips = demo()
    levels = plan_gain(timeline, clips, fmt="wav")
    mix = pcm_floats(b"".join(mix_chunks(timeline, clips, levels)))
    assert integrated_loudness(mix) == pytest.approx(levels.predicted_lufs, abs=0.1)
    assert 20 * math.log10(true_peak(mix)) <= levels.predicted_peak_dbtp + 0.05
    measured = measure_loudness(write_wav(tmp_path / "mix.wav", mix))
    assert measured.integrated_lufs == pytest.approx(levels.predicted_lufs, abs=0.2)


def test_a_sparse_track_of_counts_still_reaches_the_target(tmp_path: Path) -> None:
    # short words far apart: most 400 ms blocks are partly empty, so the gain must be higher
    words = {
        w: speechlike(380 + 20 * i, seed=30 + i) for i, w in enumerate(["one", "two", "three"])
    }
    events = []
    for beat in range(18):
        at = 500 + beat * 2500
        events += [tone(at, "tick"), say(at, ["one", "two", "three"][beat % 3], words)]
    timeline = make_timeline(47_000, events)
    out = tmp_path / "counts.mp3"
    levels = render(timeline, words, out)
    measured = measure_loudness(out)
    assert measured.integrated_lufs == pytest.approx(TARGET_LUFS, abs=0.5)
    assert measured.integrated_lufs == pytest.approx(levels.predicted_lufs, abs=0.3)
    assert measured.true_peak_dbtp <= -1.0


def test_speech_is_evened_out_to_one_voice_level() -> None:
    timeline, clips = demo()  # its clips were made from -20 to -0.5 dBFS peaks
    levels = plan_gain(timeline, clips)
    for key, samples in levels.pcm.items():
        if key[0] != "speech":
            continue
        level = clip_loudness(samples.astype(np.float32) / 32768) - levels.gain_db
        assert level == pytest.approx(VOICE_LUFS, abs=0.3), key[1]


def test_tones_keep_their_level_under_the_global_gain() -> None:
    timeline, clips = demo()
    levels = plan_gain(timeline, clips)
    (key,) = [k for k in levels.pcm if k[:2] == ("tone", "bell")]
    bell = levels.pcm[key].astype(np.float64)  # its peak is its strike, before any dip
    original = np.frombuffer(tone_clip("bell").pcm, dtype="<i2")
    ratio = np.abs(bell).max() / np.abs(original).max()
    assert 20 * math.log10(ratio) == pytest.approx(levels.gain_db, abs=0.05)


def test_nothing_to_hear_plans_nothing() -> None:
    levels = plan_gain(make_timeline(3000, []), {})
    assert levels.gain_db == 0.0 and levels.predicted_lufs == -math.inf


def test_the_plan_checks_its_inputs() -> None:
    timeline, _ = demo()
    with pytest.raises(AudiocoachError, match="no speech clip"):
        plan_gain(timeline, {})
    odd = make_timeline(100, [Event(0, "speech", 10, text="a")])
    with pytest.raises(AudiocoachError, match="22050 Hz"):
        plan_gain(odd, {"a": Clip(b"\0\0" * 100, 22050)})


def test_analysis_is_cached_by_content() -> None:
    a = speechlike(1000, seed=99)
    copy = Clip(bytes(a.pcm), a.sample_rate)
    assert _clip_stats(a) is _clip_stats(copy)


def test_codec_margins_follow_the_encoders() -> None:
    assert codec_margins("mp3", "128k") == (0.4, 0.0)
    assert codec_margins("mp3", "320k") == (0.0, 0.0)
    assert codec_margins("wav", "128k") == (0.0, 0.0)
    assert codec_margins("m4a", "64k")[1] > codec_margins("m4a", "128k")[1] > 0
    assert codec_margins("mp3", "nonsense") == codec_margins("mp3", "128k")


def test_the_peak_guard_holds_a_streamed_mix_under_the_ceiling_and_leaves_the_rest() -> None:
    """Windows of a stereo mix, some with peaks over the ceiling (near window edges too): after the
    guard no true peak passes it, stretches far from the peaks are untouched to the bit, and the
    result does not depend on where the windows fall."""
    from audiocoach.loudness import PeakGuard

    rng = np.random.default_rng(3)
    n = frame_of(12_000)
    t = np.arange(n) / RATE
    base = 0.2 * np.sin(2 * np.pi * 330 * t)
    mix = np.stack([base, 0.8 * base], axis=1).astype(np.float32)
    for at_ms in (1000, 4990, 5010, 9999):  # bursts, two of them straddling window edges
        lo = frame_of(at_ms)
        burst = 0.9 * np.sin(2 * np.pi * 1200 * t[: frame_of(30)]) * rng.uniform(0.9, 1.1)
        mix[lo : lo + len(burst), 0] += burst.astype(np.float32)
    ceiling = 0.5

    def guarded(window_ms: int) -> np.ndarray:
        guard, out = PeakGuard(ceiling), []
        size = frame_of(window_ms)
        for w0 in range(0, n, size):
            ready = guard.push(mix[w0 : w0 + size].copy())
            if ready is not None:
                out.append(ready.copy())
        last = guard.flush()
        assert last is not None
        return np.concatenate([*out, last])

    for window_ms in (5000, 1234):
        y = guarded(window_ms)
        assert len(y) == n
        assert max(true_peak(y[:, 0]), true_peak(y[:, 1])) <= ceiling * 1.0001
        quiet = slice(frame_of(2000), frame_of(4500))
        assert np.array_equal(y[quiet], mix[quiet])  # far from any peak: bit for bit
    # windows of another size see the same peaks on another 16-sample grid: a hair apart, no more
    assert np.abs(guarded(5000) - guarded(1234)).max() < 0.01
