"""Encoding: exact length, sound where scheduled and silence where not, all-or-nothing writes."""

from __future__ import annotations

import functools
import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from audio_helpers import (
    RATE,
    decode,
    demo,
    frame_of,
    make_timeline,
    render,
    rms_dbfs,
    say,
    span,
    speechlike,
    tone,
)

from audiocoach.encode import FORMATS, encode, output_format
from audiocoach.errors import AudiocoachError
from audiocoach.ffmpeg import FFMPEG_ENV, decode_pcm, ffmpeg_exe
from audiocoach.loudness import plan_gain
from audiocoach.mix import mix_chunks, total_frames


@pytest.fixture(scope="module")
def demo_mp3(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, object]:
    timeline, clips = demo()
    out = tmp_path_factory.mktemp("render") / "demo.mp3"
    render(timeline, clips, out)
    return out, timeline


def test_decoded_length_is_the_timeline_length(demo_mp3: tuple[Path, object]) -> None:
    out, timeline = demo_mp3
    samples = decode(out)
    assert abs(len(samples) - total_frames(timeline)) <= frame_of(50)  # type: ignore[arg-type]
    assert len(samples) == total_frames(timeline)  # type: ignore[arg-type]  # gapless: exact


def test_sound_where_scheduled_silence_where_not(demo_mp3: tuple[Path, object]) -> None:
    out, _ = demo_mp3
    x = decode(out)
    for start, end in [(700, 2600), (3250, 3550), (4100, 4600), (12_520, 12_800), (16_300, 17_500)]:
        assert rms_dbfs(span(x, start, end)) > -35, (start, end)
    # the breath sweeps alone are quiet but there
    assert -60 < rms_dbfs(span(x, 5000, 6500)) < -30
    for start, end in [(0, 400), (10_400, 12_300)]:
        assert rms_dbfs(span(x, start, end)) < -60, (start, end)


def test_mp3_is_written_without_ffmpegs_own_tags(tmp_path: Path) -> None:
    out = tmp_path / "plain.mp3"
    encode(iter([b"\0\0" * RATE]), out)
    head = out.read_bytes()[:4]
    assert not head.startswith(b"ID3")
    assert head[0] == 0xFF and head[1] & 0xE0 == 0xE0  # an MPEG frame sync


def test_same_input_same_bytes(tmp_path: Path) -> None:
    timeline, clips = demo(4000)
    levels = plan_gain(timeline, clips)
    encode(mix_chunks(timeline, clips, levels), tmp_path / "a.mp3")
    encode(mix_chunks(timeline, clips, levels), tmp_path / "b.mp3")
    assert (tmp_path / "a.mp3").read_bytes() == (tmp_path / "b.mp3").read_bytes()


def test_progress_reports_milliseconds_encoded(tmp_path: Path) -> None:
    timeline, clips = demo(6000)
    seen: list[int] = []
    encode(mix_chunks(timeline, clips, window_ms=1000), tmp_path / "p.mp3", progress=seen.append)
    assert seen == sorted(seen) and len(seen) == 6
    assert seen[-1] == 6000


@pytest.mark.parametrize("fmt", ["ogg", "opus", "m4a", "wav", "flac"])
def test_other_formats(tmp_path: Path, fmt: str) -> None:
    clips = {"hi": speechlike(600, seed=8)}
    timeline = make_timeline(1500, [say(100, "hi", clips), tone(900, "start")])
    out = tmp_path / f"short.{fmt}"
    render(timeline, clips, out)
    samples, rate = decode_pcm(out)
    assert rate == (48000 if fmt == "opus" else RATE)
    assert abs(len(samples) / rate * 1000 - 1500) <= 50
    assert not list(tmp_path.glob(".*.tmp"))


def test_output_sample_rate_can_be_chosen(tmp_path: Path) -> None:
    out = tmp_path / "low.mp3"
    encode(iter([b"\0\0" * RATE]), out, sample_rate=22050)
    samples, rate = decode_pcm(out)
    assert rate == 22050 and abs(len(samples) - 22050) <= 2


def test_format_comes_from_the_extension() -> None:
    assert output_format("a.MP3").name == "mp3"
    assert output_format("noext").name == "mp3"
    assert output_format("a.bin", "flac").name == "flac"
    assert set(FORMATS) == {"mp3", "ogg", "opus", "m4a", "wav", "flac"}
    with pytest.raises(AudiocoachError, match="cannot write 'aiff'"):
        output_format("a.aiff")


# --- failures leave nothing behind -------------------------------------------------------------


@pytest.fixture
def existing(tmp_path: Path) -> Path:
    out = tmp_path / "workout.mp3"
    out.write_bytes(b"an older render, which must survive")
    return out


def assert_untouched(existing: Path) -> None:
    assert existing.read_bytes() == b"an older render, which must survive"
    assert sorted(p.name for p in existing.parent.iterdir()) == ["workout.mp3"]


def test_ffmpeg_failure_is_one_line_and_leaves_no_file(tmp_path: Path, existing: Path) -> None:
    timeline, clips = demo(3000)
    with pytest.raises(AudiocoachError) as caught:
        encode(mix_chunks(timeline, clips), existing, bitrate="lots")
    message = str(caught.value)
    assert message.startswith("encoding workout.mp3 failed: ") and "\n" not in message
    assert_untouched(existing)
    fresh = tmp_path / "fresh.mp3"
    with pytest.raises(AudiocoachError):
        encode(mix_chunks(timeline, clips), fresh, bitrate="lots")
    assert not fresh.exists()


def failing_chunks(error: BaseException) -> Iterator[bytes]:
    yield b"\0\0" * RATE
    yield b"\0\0" * RATE
    raise error


@pytest.mark.parametrize("error", [RuntimeError("mixer broke"), KeyboardInterrupt()])
def test_a_failing_mix_leaves_no_file(existing: Path, error: BaseException) -> None:
    with pytest.raises(type(error)):
        encode(failing_chunks(error), existing)
    assert_untouched(existing)


def test_a_failing_finalize_leaves_no_file(existing: Path) -> None:
    def broken_tagger(temp: Path) -> None:
        assert temp.exists() and temp.name.startswith(".workout.mp3.")
        raise AudiocoachError("cannot tag it")

    with pytest.raises(AudiocoachError, match="cannot tag it"):
        encode(iter([b"\0\0" * RATE]), existing, finalize=broken_tagger)
    assert_untouched(existing)


def test_finalize_runs_on_the_temp_before_the_rename(tmp_path: Path) -> None:
    out = tmp_path / "tagged.mp3"
    seen: list[bool] = []
    encode(iter([b"\0\0" * RATE]), out, finalize=lambda temp: seen.append(out.exists()))
    assert seen == [False] and out.exists()


def test_a_missing_folder_is_reported(tmp_path: Path) -> None:
    with pytest.raises(AudiocoachError, match="does not exist"):
        encode(iter([b""]), tmp_path / "nowhere" / "x.mp3")


def test_ffmpeg_comes_from_the_wheel_or_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(FFMPEG_ENV, raising=False)
    bundled = ffmpeg_exe()
    assert os.path.isfile(bundled)
    monkeypatch.setenv(FFMPEG_ENV, bundled)
    assert ffmpeg_exe() == bundled
    monkeypatch.setenv(FFMPEG_ENV, "/no/such/ffmpeg")
    with pytest.raises(AudiocoachError, match="AUDIOCOACH_FFMPEG"):
        ffmpeg_exe()


def test_a_missing_ffmpeg_names_the_fix(monkeypatch: pytest.MonkeyPatch) -> None:
    import imageio_ffmpeg

    def missing() -> str:
        raise RuntimeError("no ffmpeg here")

    monkeypatch.delenv(FFMPEG_ENV, raising=False)
    monkeypatch.setattr(imageio_ffmpeg, "get_ffmpeg_exe", missing)
    with pytest.raises(AudiocoachError, match=r"reinstall audiocoach .* or set AUDIOCOACH_FFMPEG"):
        ffmpeg_exe()


def test_decoding_a_broken_file_is_one_line(tmp_path: Path) -> None:
    bad = tmp_path / "bad.mp3"
    bad.write_bytes(b"not audio at all" * 10)
    with pytest.raises(AudiocoachError, match=r"decoding bad\.mp3 failed"):
        decode_pcm(bad)
    with pytest.raises(AudiocoachError, match="no such file"):
        decode_pcm(tmp_path / "gone.mp3")


def test_short_and_empty_inputs_still_make_a_file(tmp_path: Path) -> None:
    out = tmp_path / "short.mp3"
    encode(iter([b"\0\0" * frame_of(100)]), out)
    samples = decode(out)
    assert abs(len(samples) - frame_of(100)) <= frame_of(50) and not samples.any()
    empty = tmp_path / "empty.wav"
    encode(iter([]), empty)
    assert len(decode(empty)) == 0


def test_tagging_with_partial(tmp_path: Path) -> None:
    # the intended wiring: tags written on the temp file by encode's finalize hook
    from audiocoach.tags import TrackInfo, read_tags, write_tags

    timeline, clips = demo(3000)
    out = tmp_path / "t.mp3"
    info = TrackInfo.from_timeline(timeline)
    encode(
        mix_chunks(timeline, clips),
        out,
        finalize=functools.partial(write_tags, info=info, fmt="mp3"),
    )
    assert read_tags(out)["TIT2"] == timeline.title
    assert len(decode(out)) == total_frames(timeline)
