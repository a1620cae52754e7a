"""Tags and chapters: ID3v2.4 CHAP/CTOC (MP3, WAV), Vorbis comments, MP4 chapters, WAV cues."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from audio_helpers import decode, demo, render
from mutagen.id3 import ID3, CTOCFlags
from mutagen.oggopus import OggOpus

from audiocoach.encode import encode
from audiocoach.errors import AudiocoachError
from audiocoach.ffmpeg import run_ffmpeg
from audiocoach.mix import mix_chunks, total_frames
from audiocoach.tags import TrackInfo, read_chapters, read_tags, write_tags
from audiocoach.timeline import Chapter
from audiocoach.wavchunks import CuePoint, read_cues


@pytest.fixture(scope="module")
def tagged(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, object]:
    timeline, clips = demo()
    out = tmp_path_factory.mktemp("tags") / "week1-day2.mp3"
    info = TrackInfo.from_timeline(timeline, album="Week 1", track=2, track_total=5, disc=1)
    render(timeline, clips, out, finalize=lambda temp: write_tags(temp, info, fmt="mp3"))
    return out, timeline


def test_chapters_read_back_equal_the_timeline(tagged: tuple[Path, object]) -> None:
    out, timeline = tagged
    expected = [(c.title, c.start_ms, c.end_ms) for c in timeline.chapters]  # type: ignore[attr-defined]
    assert read_chapters(out) == expected


def test_chap_and_ctoc_frames_follow_the_id3_chapter_addendum(
    tagged: tuple[Path, object],
) -> None:
    out, timeline = tagged
    tags = ID3(out)
    assert tags.version == (2, 4, 0)
    chaps = sorted(tags.getall("CHAP"), key=lambda f: f.start_time)
    assert [c.element_id for c in chaps] == [f"ch{i}" for i in range(len(chaps))]
    for frame, chapter in zip(chaps, timeline.chapters, strict=True):  # type: ignore[attr-defined]
        assert (frame.start_time, frame.end_time) == (chapter.start_ms, chapter.end_ms)
        assert frame.sub_frames.getall("TIT2")[0].text == [chapter.title]
    (toc,) = tags.getall("CTOC")
    assert toc.element_id == "toc"
    assert toc.flags == CTOCFlags.TOP_LEVEL | CTOCFlags.ORDERED
    assert toc.child_element_ids == [c.element_id for c in chaps]


def test_text_tags(tagged: tuple[Path, object]) -> None:
    out, timeline = tagged
    tags = read_tags(out)
    assert tags["TIT2"] == timeline.title  # type: ignore[attr-defined]
    assert tags["TPE1"] == "audiocoach"
    assert tags["TALB"] == "Week 1"
    assert tags["TCON"] == "Fitness"
    assert tags["TRCK"] == "2/5"
    assert tags["TPOS"] == "1"
    assert tags["TLEN"] == str(timeline.duration_ms)  # type: ignore[attr-defined]
    assert "A hand-made timeline for tests." in tags["COMM"]
    assert "Routine: tests/audio_helpers.py" in tags["COMM"]
    assert tags["version"] == "2.4"


def test_tags_do_not_change_the_audio(tagged: tuple[Path, object]) -> None:
    out, timeline = tagged
    assert out.read_bytes().startswith(b"ID3")
    assert len(decode(out)) == total_frames(timeline)  # type: ignore[arg-type]


def test_retagging_replaces_the_old_tags(tmp_path: Path) -> None:
    out = tmp_path / "a.mp3"
    encode(iter([b"\0\0" * 44100]), out)
    write_tags(out, TrackInfo("First", chapters=(Chapter("A", 0, 500), Chapter("B", 500, 1000))))
    write_tags(out, TrackInfo("Second", chapters=(Chapter("Only", 0, 1000),)))
    assert read_tags(out)["TIT2"] == "Second"
    assert read_chapters(out) == [("Only", 0, 1000)]


def test_chapters_are_sorted_clipped_and_empty_ones_dropped(tmp_path: Path) -> None:
    out = tmp_path / "c.mp3"
    encode(iter([b"\0\0" * 44100]), out)
    chapters = (Chapter("Late", 600, 5000), Chapter("Early", 0, 600), Chapter("Empty", 700, 700))
    write_tags(out, TrackInfo("T", length_ms=1000, chapters=chapters))
    assert read_chapters(out) == [("Early", 0, 600), ("Late", 600, 1000)]


@pytest.mark.parametrize("fmt", ["ogg", "opus", "flac"])
def test_vorbis_comment_chapters(tmp_path: Path, fmt: str) -> None:
    timeline, clips = demo(6000)
    out = tmp_path / f"x.{fmt}"
    info = TrackInfo(
        "Vorbis",
        album="A",
        track=3,
        chapters=(Chapter("One", 0, 2500), Chapter("Two", 2500, 6000)),
        length_ms=6000,
    )
    render(timeline, clips, out, finalize=lambda temp: write_tags(temp, info, fmt=fmt))
    chapters = read_chapters(out)
    assert [c[:2] for c in chapters] == [("One", 0), ("Two", 2500)]
    assert chapters[0][2] == 2500 and abs(chapters[1][2] - 6000) <= 30


def test_wav_carries_id3_with_chapters(tmp_path: Path) -> None:
    out = tmp_path / "x.wav"
    encode(iter([b"\0\0" * 44100]), out)
    write_tags(out, TrackInfo("Wave", chapters=(Chapter("All", 0, 1000),)))
    assert read_chapters(out) == [("All", 0, 1000)]
    assert read_tags(out)["TIT2"] == "Wave"


def test_m4a_gets_tags_and_chapters(tmp_path: Path) -> None:
    from mutagen.mp4 import MP4

    timeline, clips = demo(3000)
    out = tmp_path / "x.m4a"
    encode(mix_chunks(timeline, clips), out)
    chapters = (Chapter("A", 0, 900), Chapter("B", 900, 3000))
    written = write_tags(out, TrackInfo("Apple", track=1, track_total=2, chapters=chapters))
    assert MP4(out).tags["\xa9nam"] == ["Apple"]
    assert MP4(out).tags["trkn"] == [(1, 2)]
    assert [c[:2] for c in read_chapters(out)] == [("A", 0), ("B", 900)] == [c[:2] for c in written]


def test_m4a_chapters_are_remuxed_without_touching_the_audio(tmp_path: Path) -> None:
    """Titles with ffmetadata's special characters survive; a title longer than Nero chpl's
    255 bytes is cut at a character boundary (a cut letter would make the file unreadable to
    mutagen); retagging replaces the chapters, and the audio decodes to the same samples."""
    timeline, clips = demo(3000)
    plain, tagged = tmp_path / "plain.m4a", tmp_path / "tagged.m4a"
    for path in (plain, tagged):
        encode(mix_chunks(timeline, clips), path)
    long = "Ü" * 200
    tricky = "a=b;c#d\\e\nnext line"
    chapters = (Chapter(tricky, 0, 1234), Chapter(long, 1234, 2000), Chapter("End", 2000, 3000))
    write_tags(tagged, TrackInfo("T", length_ms=3000, chapters=chapters))
    titles = [t for t, _, _ in read_chapters(tagged)]
    assert titles == [tricky, "Ü" * 127, "End"]
    assert len(titles[1].encode("utf-8")) == 254
    assert np.array_equal(decode(plain), decode(tagged))
    write_tags(tagged, TrackInfo("T", length_ms=3000, chapters=(Chapter("Only", 0, 3000),)))
    assert [c[:2] for c in read_chapters(tagged)] == [("Only", 0)]
    write_tags(tagged, TrackInfo("T", length_ms=3000))
    assert read_chapters(tagged) == []
    assert np.array_equal(decode(plain), decode(tagged))


def test_vorbis_chapters_another_tool_wrote_are_read(tmp_path: Path) -> None:
    """ffmpeg numbers Vorbis-comment chapters from CHAPTER000 (in Opus); others from 001.

    (The start is under half a second past the second on purpose: ffmpeg's writer rounds the
    seconds to nearest, so it would write a start at 0.7 s as 00:00:01.700.)"""
    out = tmp_path / "ffmpeg.opus"
    listing = tmp_path / "chapters.txt"
    listing.write_text(
        ";FFMETADATA1\n[CHAPTER]\nTIMEBASE=1/1000\nSTART=0\nEND=250\ntitle=Zero\n"
        "[CHAPTER]\nTIMEBASE=1/1000\nSTART=250\nEND=2000\ntitle=Één\n",
        encoding="utf-8",
    )
    run_ffmpeg(
        [
            *("-f", "lavfi", "-t", "2", "-i", "anullsrc=r=48000:cl=mono", "-i", str(listing)),
            *("-map", "0:a", "-map_chapters", "1", "-c:a", "libopus", str(out)),
        ]
    )
    assert "CHAPTER000" in {k.upper() for k, _ in OggOpus(out).tags}
    assert [c[:2] for c in read_chapters(out)] == [("Zero", 0), ("Één", 250)]


def test_wav_retagging_replaces_its_chunks_and_keeps_the_rest(tmp_path: Path) -> None:
    from mutagen.wave import WAVE

    out = tmp_path / "x.wav"
    encode(iter([b"\1\0" * 44100]), out)
    audio = out.read_bytes()
    first = (Chapter("Un", 0, 400), Chapter("Deux – ½", 400, 1000))
    write_tags(out, TrackInfo("One", length_ms=1000, chapters=first))
    write_tags(out, TrackInfo("Two", length_ms=1000, chapters=(Chapter("Seul", 0, 1000),)))
    assert read_chapters(out) == [("Seul", 0, 1000)]
    assert read_cues(out) == [CuePoint(0, "Seul")]
    assert read_tags(out)["TIT2"] == "Two"
    assert WAVE(out).info.length == 1.0
    data = out.read_bytes()
    assert data.count(b"cue ") == 1 and data.count(b"adtl") == 1 and data.count(b"id3 ") == 1
    # the audio chunks are as ffmpeg wrote them, and the RIFF size is the file's
    assert data[12 : len(audio)] == audio[12:]
    assert int.from_bytes(data[4:8], "little") == len(data) - 8


def test_tagging_a_non_audio_file_is_one_clear_error(tmp_path: Path) -> None:
    junk = tmp_path / "junk.ogg"
    junk.write_bytes(b"\0" * 100)
    with pytest.raises(AudiocoachError, match=r"cannot tag junk\.ogg"):
        write_tags(junk, TrackInfo("x"))
    with pytest.raises(AudiocoachError, match="cannot tag 'aiff'"):
        write_tags(junk, TrackInfo("x"), fmt="aiff")
