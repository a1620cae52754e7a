"""Tags and chapters: ID3v2.4 with CHAP/CTOC for MP3, Vorbis comments for Ogg and FLAC."""

from __future__ import annotations

from pathlib import Path

import pytest
from audio_helpers import decode, demo, render
from mutagen.id3 import ID3, CTOCFlags

from audiocoach.encode import encode
from audiocoach.errors import AudiocoachError
from audiocoach.mix import mix_chunks, total_frames
from audiocoach.tags import TrackInfo, read_chapters, read_tags, write_tags
from audiocoach.timeline import Chapter


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


def test_m4a_gets_tags_but_no_chapters(tmp_path: Path) -> None:
    from mutagen.mp4 import MP4

    timeline, clips = demo(3000)
    out = tmp_path / "x.m4a"
    encode(mix_chunks(timeline, clips), out)
    write_tags(out, TrackInfo("Apple", track=1, track_total=2, chapters=(Chapter("A", 0, 900),)))
    assert MP4(out).tags["\xa9nam"] == ["Apple"]
    assert MP4(out).tags["trkn"] == [(1, 2)]
    assert read_chapters(out) == []


def test_tagging_a_non_audio_file_is_one_clear_error(tmp_path: Path) -> None:
    junk = tmp_path / "junk.ogg"
    junk.write_bytes(b"\0" * 100)
    with pytest.raises(AudiocoachError, match=r"cannot tag junk\.ogg"):
        write_tags(junk, TrackInfo("x"))
    with pytest.raises(AudiocoachError, match="cannot tag 'aiff'"):
        write_tags(junk, TrackInfo("x"), fmt="aiff")
