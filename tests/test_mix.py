"""The windowed mixer: sample-exact against a naive full-length overlay, bounded, and fast."""

from __future__ import annotations

import resource
import time

import numpy as np
import pytest
from audio_helpers import (
    RATE,
    busy_timeline,
    demo,
    frame_of,
    make_timeline,
    naive_overlay,
    overlay_pcm,
    say,
    speechlike,
    tone,
)

from audiocoach._pydub import AudioSegment
from audiocoach.encode import encode
from audiocoach.errors import AudiocoachError
from audiocoach.loudness import placements, plan_gain, resolve_clips
from audiocoach.mix import DEFAULT_WINDOW_MS, mix_chunks, total_frames
from audiocoach.speech.base import Clip
from audiocoach.timeline import Event


def joined(chunks: object) -> np.ndarray:
    return np.frombuffer(b"".join(chunks), dtype="<i2")  # type: ignore[arg-type]


@pytest.mark.parametrize("window_ms", [1, 37, 333, 1000, DEFAULT_WINDOW_MS, 60_000])
def test_windows_concatenate_to_the_naive_overlay(window_ms: int) -> None:
    timeline, clips = demo()
    ours = joined(mix_chunks(timeline, clips, window_ms=window_ms))
    reference = np.frombuffer(naive_overlay(timeline, clips), dtype="<i2")
    assert len(ours) == len(reference) == total_frames(timeline)
    assert np.array_equal(ours, reference)


def test_events_straddling_windows_keep_every_sample_in_place() -> None:
    # odd starts and lengths, a clip longer than several windows, overlaps, one at frame 0
    clips = {
        "long": speechlike(2345, seed=11),
        "odd": speechlike(333, seed=12),
        "edge": speechlike(101, seed=13),
    }
    events = [
        say(0, "edge", clips),
        say(7, "long", clips),
        say(999, "odd", clips),
        say(1001, "odd", clips),
        tone(1000, "tick"),
        tone(1999, "inhale", 777),
        say(2899, "edge", clips),
    ]
    timeline = make_timeline(3001, events)
    reference = np.frombuffer(naive_overlay(timeline, clips), dtype="<i2")
    for window_ms in (1, 2, 10, 100, 250, 1001):
        assert np.array_equal(joined(mix_chunks(timeline, clips, window_ms=window_ms)), reference)


def test_a_clip_sample_lands_at_round_at_ms_times_44_1() -> None:
    impulse = Clip(np.array([1000, -2000, 3000], dtype="<i2").tobytes(), RATE)
    clips = {"x": impulse}
    for at_ms in (0, 1, 3, 10, 11, 999):
        timeline = make_timeline(1000, [Event(at_ms, "speech", 0, text="x")])
        pcm = joined(mix_chunks(timeline, clips, window_ms=7))
        start = frame_of(at_ms)
        assert start == round(at_ms * 44.1 + 1e-9)
        assert list(pcm[start : start + 3]) == [1000, -2000, 3000][: len(pcm) - start]
        assert np.count_nonzero(pcm) == min(3, len(pcm) - start)


def test_the_track_is_cut_exactly_at_its_duration() -> None:
    clips = {"late": speechlike(1500, seed=3)}
    timeline = make_timeline(1234, [say(1000, "late", clips), tone(1200, "finish")])
    pcm = joined(mix_chunks(timeline, clips, window_ms=100))
    assert len(pcm) == frame_of(1234) == total_frames(timeline)


def test_an_empty_timeline_is_silence_of_the_right_length() -> None:
    timeline = make_timeline(2500, [])
    pcm = joined(mix_chunks(timeline, {}))
    assert len(pcm) == frame_of(2500) and not pcm.any()


def test_windows_are_bounded_in_size() -> None:
    timeline, clips = demo()
    sizes = [len(c) for c in mix_chunks(timeline, clips, window_ms=2000)]
    assert max(sizes) == frame_of(2000) * 2
    assert sum(sizes) == total_frames(timeline) * 2


def test_sums_saturate_instead_of_wrapping() -> None:
    loud = Clip(np.full(100, 30000, dtype="<i2").tobytes(), RATE)
    timeline = make_timeline(10, [Event(0, "speech", 2, text="a"), Event(0, "speech", 2, text="b")])
    pcm = joined(mix_chunks(timeline, {"a": loud, "b": loud}))
    assert pcm[:100].tolist() == [32767] * 100


def test_planned_levels_are_what_gets_mixed() -> None:
    timeline, clips = demo()
    levels = plan_gain(timeline, clips)
    ours = joined(mix_chunks(timeline, clips, levels, window_ms=777))
    assert np.array_equal(ours, overlay_pcm(timeline, levels.pcm).astype(np.int16))


def test_missing_clips_fail_before_the_first_window() -> None:
    timeline, clips = demo()
    del clips["Go."]
    with pytest.raises(AudiocoachError, match=r"no speech clip for 'Go\.'"):
        mix_chunks(timeline, clips)
    with pytest.raises(AudiocoachError, match="unknown tone"):
        mix_chunks(make_timeline(100, [Event(0, "tone", 50, tone="gong")]), {})
    with pytest.raises(AudiocoachError, match="positive"):
        mix_chunks(make_timeline(100, []), {}, window_ms=0)


def test_clips_at_another_rate_are_refused() -> None:
    timeline = make_timeline(100, [Event(0, "speech", 10, text="a")])
    with pytest.raises(AudiocoachError, match="22050 Hz"):
        mix_chunks(timeline, {"a": Clip(b"\0\0" * 220, 22050)})


def _pydub_windows(timeline, clips, window_ms):  # type: ignore[no-untyped-def]
    """The same windowed mix done with pydub's overlay, for the speed comparison."""
    resolved = {
        k: AudioSegment(data=c.pcm, sample_width=2, frame_rate=RATE, channels=1)
        for k, c in resolve_clips(timeline, clips).items()
    }
    places = placements(timeline)
    window = frame_of(window_ms)
    frames = total_frames(timeline)
    for w0 in range(0, frames, window):
        w1 = min(frames, w0 + window)
        bed = AudioSegment(data=b"\0\0" * (w1 - w0), sample_width=2, frame_rate=RATE, channels=1)
        for p in places:
            seg = resolved[p.key]
            end = p.start + int(seg.frame_count())
            if end <= w0 or p.start >= w1:
                continue
            lo, hi = max(p.start, w0), min(end, w1)
            part = seg.get_sample_slice(lo - p.start, hi - p.start)
            bed = bed.overlay(part, position=(lo - w0) * 1000 / RATE)
        yield bed.raw_data


def test_mixing_outpaces_encoding(tmp_path, capsys) -> None:  # type: ignore[no-untyped-def]
    """30 minutes, ~300 events; figures are printed, and one claim of the design is checked.

    The claim (mixing needs less CPU than encoding, so it hides behind the encoder) is checked in
    CPU seconds, of this process for the mix and of ffmpeg for the encode: unlike wall times they
    barely move when other processes load the machine. The margin is wide (about 8x when written).
    """
    timeline, clips = busy_timeline(minutes=30, events=190)
    start = time.perf_counter()
    levels = plan_gain(timeline, clips)
    plan_s = time.perf_counter() - start
    start, cpu_start = time.perf_counter(), time.process_time()
    frames = sum(len(c) // 2 for c in mix_chunks(timeline, clips, levels))
    mix_s, mix_cpu_s = time.perf_counter() - start, time.process_time() - cpu_start
    assert frames == total_frames(timeline)
    start = time.perf_counter()
    plain_frames = sum(len(c) // 2 for c in mix_chunks(timeline, clips))
    plain_s = time.perf_counter() - start
    assert plain_frames == frames
    # pydub's overlay on the same windows, over the first 3 minutes only (it is slower)
    start = time.perf_counter()
    pydub_frames = 0
    for chunk in _pydub_windows(timeline, clips, DEFAULT_WINDOW_MS):
        pydub_frames += len(chunk) // 2
        if pydub_frames >= frame_of(180_000):
            break
    pydub_s = (time.perf_counter() - start) * frames / pydub_frames
    # ffmpeg's MP3 encoder on 2 minutes of the same mix, scaled to the whole track
    sample = b"".join(mix_chunks(timeline, clips, levels))[: frame_of(120_000) * 2]
    scale = frames / (len(sample) // 2)
    start, cpu_start = time.perf_counter(), _children_cpu_s()
    encode(iter([sample]), tmp_path / "slice.mp3")
    encode_s = (time.perf_counter() - start) * scale
    encode_cpu_s = (_children_cpu_s() - cpu_start) * scale
    minutes = frames / RATE / 60
    with capsys.disabled():
        print(
            f"\n[mix speed] {minutes:.0f} min, {len(timeline.events)} events: plan {plan_s:.2f} s; "
            f"mix with levels (clips levelled on first use) {mix_s:.2f} s, plain numpy mix "
            f"{plain_s:.2f} s, pydub overlay per window ~{pydub_s:.1f} s (extrapolated); "
            f"ffmpeg MP3 encode ~{encode_s:.1f} s (extrapolated from 2 min); CPU: mix "
            f"{mix_cpu_s:.2f} s, encode ~{encode_cpu_s:.1f} s"
        )
    assert mix_cpu_s < encode_cpu_s  # mixing must keep ahead of the encoder to overlap with it


def _children_cpu_s() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime
