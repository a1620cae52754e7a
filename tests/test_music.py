"""Music in: finding songs in files, folders and playlists; checking and measuring each once."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import numpy as np
import pytest
from music_helpers import make_song

import audiocoach.music as music
from audiocoach.ffmpeg import ffmpeg_exe, measure_loudness
from audiocoach.music import (
    MIN_SONG_MS,
    MusicError,
    SongDecoder,
    SongStore,
    find_songs,
    load_songs,
    measure_song,
)
from audiocoach.speech.base import SAMPLE_RATE


@pytest.fixture(scope="module")
def album(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A folder as a runner's music folder looks: songs in formats, a subfolder, cover and notes,
    a hidden file, numbers that sort naturally, a non-ASCII name."""
    root = tmp_path_factory.mktemp("album")
    (root / "disc 2").mkdir()
    make_song(root / "10 - last.flac", 12, root_hz=196)
    make_song(root / "2 - second.mp3", 12, root_hz=247)
    make_song(root / "1 - first.wav", 12, root_hz=220, stereo=False)
    make_song(root / "disc 2" / "01 - Šárka ♪.ogg", 12, root_hz=262)
    (root / "cover.jpg").write_bytes(b"\xff\xd8\xff not really a jpeg")
    (root / "notes.txt").write_text("liner notes")
    (root / ".hidden.mp3").write_bytes(b"junk")
    return root


def names(paths: list[Path]) -> list[str]:
    return [p.name for p in paths]


def test_a_folder_gives_its_audio_files_in_natural_order(album: Path) -> None:
    assert names(find_songs(album)) == [
        "1 - first.wav",
        "2 - second.mp3",
        "10 - last.flac",
        "01 - Šárka ♪.ogg",
    ]


def test_a_file_is_itself(album: Path) -> None:
    assert find_songs(album / "2 - second.mp3") == [album / "2 - second.mp3"]


@pytest.mark.parametrize("suffix", [".m3u", ".m3u8"])
def test_a_playlist_gives_its_entries_relative_to_itself(album: Path, suffix: str) -> None:
    playlist = album / f"mix{suffix}"
    playlist.write_text(
        "#EXTM3U\n#EXTINF:12,Second\n2 - second.mp3\n\n"
        f"disc 2/01 - Šárka ♪.ogg\n{album / '1 - first.wav'}\n",
        encoding="utf-8",
    )
    try:
        assert names(find_songs(playlist)) == [
            "2 - second.mp3",
            "01 - Šárka ♪.ogg",
            "1 - first.wav",
        ]
    finally:
        playlist.unlink()


def test_a_playlist_lists_every_bad_entry(tmp_path: Path) -> None:
    (tmp_path / "inner.m3u").write_text("x.mp3\n")
    playlist = tmp_path / "bad.m3u8"
    playlist.write_text("missing.mp3\nhttps://radio.example/stream\ninner.m3u\n", encoding="utf-8")
    with pytest.raises(MusicError) as caught:
        find_songs(playlist)
    problems = caught.value.problems
    assert len(problems) == 3
    assert "line 1" in problems[0] and "missing.mp3: no such file" in problems[0]
    assert "line 2" in problems[1] and "web address" in problems[1]
    assert "line 3" in problems[2] and "is a playlist" in problems[2]


def test_an_empty_playlist_and_a_folder_without_audio_are_refused(tmp_path: Path) -> None:
    (tmp_path / "empty.m3u").write_text("#EXTM3U\n# nothing\n")
    with pytest.raises(MusicError, match="lists no songs"):
        find_songs(tmp_path / "empty.m3u")
    (tmp_path / "docs").mkdir()
    (tmp_path / "docs" / "readme.txt").write_text("hi")
    with pytest.raises(MusicError, match="no audio files in it"):
        find_songs(tmp_path / "docs")
    with pytest.raises(MusicError, match="no such file or folder"):
        find_songs(tmp_path / "nowhere")


def test_songs_are_measured_as_ffmpeg_measures_them(album: Path) -> None:
    for path in find_songs(album):
        song = measure_song(path)
        reference = measure_loudness(path)
        assert song.lufs == pytest.approx(reference.integrated_lufs, abs=0.15), path.name
        assert song.peak_dbtp == pytest.approx(reference.true_peak_dbtp, abs=0.15), path.name
        assert abs(song.frames - 12 * SAMPLE_RATE) <= SAMPLE_RATE // 100, path.name
        assert song.channels == (1 if path.suffix == ".wav" else 2)
        # one block loudness per 100 ms step; a steady chord is steady once the first block fills
        assert len(song.powers) == pytest.approx(120, abs=1)
        level = -0.691 + 10 * np.log10(song.powers[5:-1])
        assert np.ptp(level) < 0.3 and np.median(level) == pytest.approx(song.lufs, abs=0.3)


def test_each_song_is_measured_once_by_its_content(
    album: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    store = SongStore(tmp_path / "cache")
    first = load_songs(find_songs(album), store)
    assert len(list((tmp_path / "cache").glob("*.song"))) == 4
    # the same file under another name, elsewhere: its content is known
    copy = tmp_path / "renamed.mp3"
    copy.write_bytes((album / "2 - second.mp3").read_bytes())

    def no_measuring(*args: object, **kwargs: object) -> None:
        raise AssertionError("a song was measured twice")

    monkeypatch.setattr(music, "measure_song", no_measuring)
    again = load_songs([*find_songs(album), copy], store)
    for a, b in zip(first, again, strict=False):
        assert (a.frames, a.channels, a.lufs, a.peak_dbtp) == (
            b.frames,
            b.channels,
            b.lufs,
            b.peak_dbtp,
        )
        assert np.array_equal(a.powers, b.powers)
    assert again[-1].path == copy and again[-1].lufs == first[1].lufs


@pytest.mark.parametrize("damage", ["flip", "truncate", "empty", "old version"])
def test_a_damaged_measurement_is_measured_again(album: Path, tmp_path: Path, damage: str) -> None:
    store = SongStore(tmp_path)
    (song,) = load_songs([album / "10 - last.flac"], store)
    (entry,) = tmp_path.glob("*.song")
    data = entry.read_bytes()
    if damage == "flip":
        data = data[:-20] + bytes([data[-20] ^ 0x02]) + data[-19:]
    elif damage == "truncate":
        data = data[: len(data) // 2]
    elif damage == "empty":
        data = b""
    else:
        body = data.partition(b"\n")[2].replace(b'"version":1', b'"version":0')
        import hashlib

        data = hashlib.sha256(body).hexdigest().encode() + b"\n" + body
    entry.write_bytes(data)
    assert store.get(song.path, song.digest) is None
    (again,) = load_songs([album / "10 - last.flac"], store)
    assert again.lufs == song.lufs and store.get(song.path, song.digest) is not None


def write_video(path: Path) -> Path:
    subprocess.run(
        [ffmpeg_exe(), "-hide_banner", "-loglevel", "error", "-y", "-f", "lavfi",
         "-i", "testsrc=d=12:s=64x48", "-f", "lavfi", "-i", "sine=d=12", "-shortest",
         "-c:v", "mpeg4", "-c:a", "aac", str(path)],
        check=True,
    )  # fmt: skip
    return path


def test_bad_songs_are_each_named_with_what_is_wrong(tmp_path: Path) -> None:
    good = make_song(tmp_path / "good.mp3", 12)
    short = make_song(tmp_path / "short.mp3", 2)
    silent = tmp_path / "silence.wav"
    subprocess.run(
        [ffmpeg_exe(), "-hide_banner", "-loglevel", "error", "-y", "-f", "lavfi",
         "-i", "anullsrc=d=15", str(silent)],
        check=True,
    )  # fmt: skip
    corrupt = tmp_path / "corrupt.mp3"
    corrupt.write_bytes(os.urandom(50_000))
    video = write_video(tmp_path / "clip.mp4")
    picture = tmp_path / "picture.png"
    subprocess.run(
        [ffmpeg_exe(), "-hide_banner", "-loglevel", "error", "-y", "-f", "lavfi",
         "-i", "testsrc=d=1:s=64x64", "-frames:v", "1", str(picture)],
        check=True,
    )  # fmt: skip
    with pytest.raises(MusicError) as caught:
        load_songs([good, short, silent, corrupt, video, picture, tmp_path / "gone.mp3"])
    problems = dict(line.split(": ", 1) for line in caught.value.problems)
    assert set(problems) == {
        str(p) for p in (short, silent, corrupt, video, picture, tmp_path / "gone.mp3")
    }
    assert f"at least {MIN_SONG_MS // 1000} s" in problems[str(short)]
    assert "silent" in problems[str(silent)]
    assert "cannot read it as audio" in problems[str(corrupt)]
    assert "a video file" in problems[str(video)]
    assert "no sound in it" in problems[str(picture)]
    assert "cannot read it" in problems[str(tmp_path / "gone.mp3")]


def test_an_mp3_with_cover_art_is_a_song_not_a_video(tmp_path: Path) -> None:
    plain = make_song(tmp_path / "plain.mp3", 12)
    cover = tmp_path / "cover.png"
    subprocess.run(
        [ffmpeg_exe(), "-hide_banner", "-loglevel", "error", "-y", "-f", "lavfi",
         "-i", "testsrc=d=1:s=64x64", "-frames:v", "1", str(cover)],
        check=True,
    )  # fmt: skip
    tagged = tmp_path / "tagged.mp3"
    subprocess.run(
        [ffmpeg_exe(), "-hide_banner", "-loglevel", "error", "-y", "-i", str(plain),
         "-i", str(cover), "-map", "0:a", "-map", "1", "-c:a", "copy", "-c:v", "png",
         "-disposition:v", "attached_pic", "-id3v2_version", "3", str(tagged)],
        check=True,
    )  # fmt: skip
    (song,) = load_songs([tagged])
    assert song.channels == 2 and song.duration_ms == pytest.approx(12_000, abs=30)


def test_a_song_streams_exactly_as_ffmpeg_decodes_it(album: Path) -> None:
    (song,) = load_songs([album / "2 - second.mp3"])
    reference = subprocess.run(
        [ffmpeg_exe(), "-hide_banner", "-loglevel", "error", "-i", str(song.path),
         "-f", "s16le", "-ac", "2", "-ar", str(SAMPLE_RATE), "pipe:1"],
        capture_output=True,
        check=True,
    ).stdout  # fmt: skip
    expected = np.frombuffer(reference, dtype="<i2").reshape(-1, 2)
    with SongDecoder(song, 2) as decoder:
        parts = [decoder.read(n) for n in (1, 999, 44_100, 300_000, 500_000)]
    streamed = np.concatenate(parts)
    assert np.array_equal(streamed[: len(expected)], expected)
    assert not streamed[len(expected) :].any()  # silence past the end


def test_a_mono_song_plays_in_the_centre_of_a_stereo_track_at_its_own_loudness(
    album: Path,
) -> None:
    """As the voice does: both channels at -3 dB, so the two together measure as the mono song
    (BS.1770 sums the channels' power), and the bed needs no correction for it."""
    (song,) = load_songs([album / "1 - first.wav"])
    with SongDecoder(song, 2) as stereo, SongDecoder(song, 1) as mono:
        both, one = stereo.read(44_100).astype(float), mono.read(44_100).astype(float)
    assert np.array_equal(both[:, 0], both[:, 1])
    assert np.abs(both[:, 0] - one[:, 0] / np.sqrt(2)).max() <= 1.0
