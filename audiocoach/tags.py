"""Tags and chapters, written onto the encoded file (before it is renamed into place).

Every format audiocoach writes carries the timeline's chapters, each in the structures its readers
look for (what each stores, and its time resolution):

* **MP3**: ID3v2.4 (mutagen): title, artist, album, genre, track and disc numbers, a comment (the
  routine's source and description), the length, and one ``CHAP`` frame per chapter (element ids
  ``ch0``, ``ch1``, ...; start and end in ms; a ``TIT2`` sub-frame with its title) listed in
  order by one top-level, ordered ``CTOC``: the ID3 chapter addendum podcast players read. The
  ``CHAP`` frames are also stored in time order, because readers that ignore ``CTOC`` (ffmpeg,
  and players built on it) list them in file order, and mutagen on its own orders frames by size.
* **WAV**: the same ID3 tag in an ``id3 `` chunk, plus ``cue `` markers named by ``labl`` for
  audio editors (``wavchunks.py``); markers store starts, to the sample.
* **Ogg Vorbis, Opus, FLAC**: Vorbis comments, chapters as ``CHAPTER001=00:01:30.000`` /
  ``CHAPTER001NAME=...`` (the Xiph chapter extension ffmpeg and players read); starts only, to
  the ms. A chapter ends where the next begins or the audio does.
* **M4A**: iTunes atoms (mutagen), and chapters in both MP4 forms: a QuickTime chapter text
  track (what Apple's players read; times in the audio's sample rate units) and a Nero ``chpl``
  atom (what most other players and mutagen read; 100 ns units). mutagen cannot write either, so
  ffmpeg's MP4 muxer does: the encoded file is remuxed (stream copy, the audio untouched) with an
  ffmetadata chapter list. ``chpl`` stores a title in at most 255 bytes, so longer titles are cut
  there, at a character boundary, for M4A.

``write_tags`` reads the chapters back after writing and returns them, so what a caller reports
is what the file holds; a file that does not read back as written is an error, never a success.
It takes the format explicitly because it is called on the encoder's temp file, whose name
(``.name.random.tmp``) says nothing about its contents.
"""

from __future__ import annotations

import io
import os
import re
import tempfile
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from mutagen import MutagenError
from mutagen.id3 import (
    CHAP,
    COMM,
    CTOC,
    ID3,
    TALB,
    TCON,
    TIT2,
    TLEN,
    TPE1,
    TPOS,
    TRCK,
    TSSE,
    CTOCFlags,
    ID3NoHeaderError,
)

from audiocoach.atomic import atomic_path
from audiocoach.durations import timestamp
from audiocoach.errors import AudiocoachError
from audiocoach.ffmpeg import run_ffmpeg
from audiocoach.timeline import Chapter, Timeline
from audiocoach.wavchunks import CuePoint, read_cues, replace_metadata

__all__ = ["ChapterMark", "TrackInfo", "read_chapters", "read_tags", "write_tags"]

#: A chapter as read from a file: ``(title, start_ms, end_ms)``.
ChapterMark = tuple[str, int, int]
#: Formats whose chapters store their ends; the others store starts, and ends are derived.
_STORES_ENDS = ("mp3", "wav")
#: Nero ``chpl`` keeps a title's length in one byte.
_CHPL_TITLE_BYTES = 255

_NO_OFFSET = 0xFFFFFFFF  # CHAP byte offsets unused: times are exact
_UTF8 = 3  # ID3v2.4 text encoding


@dataclass(frozen=True, slots=True)
class TrackInfo:
    """Everything written into a file's tags."""

    title: str
    artist: str = "audiocoach"
    album: str = ""
    genre: str = "Fitness"
    track: int | None = None
    track_total: int | None = None
    disc: int | None = None
    disc_total: int | None = None
    comment: str = ""
    length_ms: int | None = None
    chapters: tuple[Chapter, ...] = field(default=())

    @classmethod
    def from_timeline(cls, timeline: Timeline, **overrides: object) -> TrackInfo:
        """Tags for a rendered timeline: its title, chapters, length, and source + description.

        ``overrides`` set any other field (album, track, artist, ...), e.g. from a program.
        """
        parts = [timeline.description.strip()]
        if timeline.source:
            parts.append(f"Routine: {timeline.source}")
        values: dict[str, object] = {
            "title": timeline.title,
            "comment": "\n".join(p for p in parts if p),
            "length_ms": timeline.duration_ms,
            "chapters": tuple(timeline.chapters),
        }
        values.update(overrides)
        return cls(**values)  # type: ignore[arg-type]


def _number(n: int | None, total: int | None) -> str | None:
    if n is None:
        return None
    return f"{n}/{total}" if total else str(n)


def _clean_chapters(
    chapters: Sequence[Chapter], length_ms: int | None, kind: str = ""
) -> list[Chapter]:
    """Chapters as ``kind`` will store them: in time order, clipped to the track, none empty.

    For M4A a title is cut to what ``chpl`` can hold (255 bytes, at a character boundary).
    """
    out = []
    for c in sorted(chapters, key=lambda c: c.start_ms):
        end = min(c.end_ms, length_ms) if length_ms is not None else c.end_ms
        if end > c.start_ms >= 0:
            title = _fit_chpl(c.title) if kind == "m4a" else c.title
            out.append(Chapter(title, c.start_ms, end))
    return out


def _fit_chpl(title: str) -> str:
    return title.encode("utf-8")[:_CHPL_TITLE_BYTES].decode("utf-8", "ignore")


class _ChapterOrderedID3(ID3):
    """ID3 whose ``CHAP`` frames are stored in time order.

    mutagen sorts frames by importance, then size; a reader that ignores ``CTOC`` (ffmpeg's)
    would list the chapters in that order. This hooks mutagen's frame serialisation (its
    ``_write``; ``test_tags`` checks the stored order, so a mutagen change cannot pass unseen).
    """

    def _write(self, config: Any) -> bytes:
        data = bytes(super()._write(config))
        return _chaps_in_time_order(data) if config.v2_version == 4 else data


def _chaps_in_time_order(frames: bytes) -> bytes:
    """ID3v2.4 frame data with the ``CHAP`` frames reordered by start time, others in place."""
    parts: list[tuple[bytes, bytes]] = []
    pos = 0
    while pos + 10 <= len(frames) and frames[pos : pos + 4] != b"\0\0\0\0":
        raw = frames[pos + 4 : pos + 8]
        size = (raw[0] << 21) | (raw[1] << 14) | (raw[2] << 7) | raw[3]  # syncsafe
        parts.append((frames[pos : pos + 4], frames[pos : pos + 10 + size]))
        pos += 10 + size

    def start(frame: bytes) -> int:
        body = frame[10:]
        after_id = body.index(b"\0") + 1
        return int.from_bytes(body[after_id : after_id + 4], "big")

    chaps = iter(sorted((f for i, f in parts if i == b"CHAP"), key=start))
    ordered = [next(chaps) if frame_id == b"CHAP" else f for frame_id, f in parts]
    return b"".join(ordered) + frames[pos:]


def _id3(info: TrackInfo) -> ID3:
    tags = _ChapterOrderedID3()
    tags.add(TIT2(encoding=_UTF8, text=[info.title]))
    tags.add(TPE1(encoding=_UTF8, text=[info.artist]))
    if info.album:
        tags.add(TALB(encoding=_UTF8, text=[info.album]))
    if info.genre:
        tags.add(TCON(encoding=_UTF8, text=[info.genre]))
    if (track := _number(info.track, info.track_total)) is not None:
        tags.add(TRCK(encoding=_UTF8, text=[track]))
    if (disc := _number(info.disc, info.disc_total)) is not None:
        tags.add(TPOS(encoding=_UTF8, text=[disc]))
    if info.comment:
        tags.add(COMM(encoding=_UTF8, lang="eng", desc="", text=[info.comment]))
    if info.length_ms is not None:
        tags.add(TLEN(encoding=_UTF8, text=[str(info.length_ms)]))
    tags.add(TSSE(encoding=_UTF8, text=["audiocoach"]))
    chapters = _clean_chapters(info.chapters, info.length_ms)
    ids = [f"ch{i}" for i in range(len(chapters))]
    for element_id, chapter in zip(ids, chapters, strict=True):
        tags.add(
            CHAP(
                element_id=element_id,
                start_time=chapter.start_ms,
                end_time=chapter.end_ms,
                start_offset=_NO_OFFSET,
                end_offset=_NO_OFFSET,
                sub_frames=[TIT2(encoding=_UTF8, text=[chapter.title])],
            )
        )
    if ids:
        tags.add(
            CTOC(
                element_id="toc",
                flags=CTOCFlags.TOP_LEVEL | CTOCFlags.ORDERED,
                child_element_ids=ids,
                sub_frames=[TIT2(encoding=_UTF8, text=["Chapters"])],
            )
        )
    return tags


def _vorbis_comments(info: TrackInfo) -> dict[str, str]:
    comments = {"TITLE": info.title, "ARTIST": info.artist}
    optional = {
        "ALBUM": info.album,
        "GENRE": info.genre,
        "TRACKNUMBER": str(info.track) if info.track is not None else "",
        "TRACKTOTAL": str(info.track_total) if info.track_total else "",
        "DISCNUMBER": str(info.disc) if info.disc is not None else "",
        "DISCTOTAL": str(info.disc_total) if info.disc_total else "",
        "COMMENT": info.comment,
        "ENCODER": "audiocoach",
    }
    comments.update({k: v for k, v in optional.items() if v})
    for i, chapter in enumerate(_clean_chapters(info.chapters, info.length_ms), start=1):
        comments[f"CHAPTER{i:03d}"] = timestamp(chapter.start_ms)
        comments[f"CHAPTER{i:03d}NAME"] = chapter.title
    return comments


def _format_of(path: Path, fmt: str | None) -> str:
    return (fmt or path.suffix.lstrip(".") or "mp3").lower()


def write_tags(
    path: str | os.PathLike[str], info: TrackInfo, fmt: str | None = None
) -> list[ChapterMark]:
    """Write ``info`` into the audio file at ``path`` (``fmt`` defaults to its extension).

    Replaces whatever tags and chapters the file had. Returns the chapters read back from the
    file (``read_chapters``), which are ``info``'s (sorted, clipped to ``length_ms``, empty ones
    dropped). Raises ``AudiocoachError`` if the file cannot be tagged or does not read back so.
    """
    target = Path(path)
    kind = _format_of(target, fmt)
    try:
        if kind == "mp3":
            _id3(info).save(target, v2_version=4, v1=0)
        elif kind == "wav":
            _write_wav(target, info)
        elif kind in ("ogg", "opus", "flac"):
            _write_vorbis(target, kind, info)
        elif kind == "m4a":
            _mux_mp4_chapters(target, _clean_chapters(info.chapters, info.length_ms, kind))
            _write_mp4(target, info)
        else:
            raise AudiocoachError(f"cannot tag {kind!r} files")
    except (MutagenError, OSError) as exc:
        raise AudiocoachError(f"cannot tag {target.name}: {exc}") from None
    written = read_chapters(target, kind)
    expected = _clean_chapters(info.chapters, info.length_ms, kind)
    _check_read_back(target, kind, expected, written)
    return written


def _check_read_back(
    target: Path, kind: str, expected: Sequence[Chapter], written: Sequence[ChapterMark]
) -> None:
    """Raise unless ``written`` holds ``expected``: titles and starts, and ends where stored."""
    want = [(c.title, c.start_ms, c.end_ms) for c in expected]
    if kind not in _STORES_ENDS:
        want = [(*w[:2], 0) for w in want]
        written = [(*w[:2], 0) for w in written]
    if list(written) != want:
        raise AudiocoachError(
            f"cannot tag {target.name}: wrote {len(want)} chapters, "
            f"but {len(written)} read back differently"
        )
    if kind == "wav":
        markers = [(label, ms) for label, ms in _wav_markers(target)]
        if markers != [(c.title, c.start_ms) for c in expected]:
            raise AudiocoachError(f"cannot tag {target.name}: its cue markers do not read back")


def _write_wav(target: Path, info: TrackInfo) -> None:
    """The ID3 tag in an ``id3 `` chunk, and ``cue`` markers with ``labl`` names."""
    from mutagen.wave import WAVE

    rate = WAVE(target).info.sample_rate
    tag = io.BytesIO()
    _id3(info).save(tag, v2_version=4, v1=0, padding=lambda _: 0)
    cues = [
        CuePoint(round(c.start_ms * rate / 1000), c.title)
        for c in _clean_chapters(info.chapters, info.length_ms)
    ]
    replace_metadata(target, id3=tag.getvalue(), cues=cues)


def _wav_markers(target: Path) -> list[tuple[str, int]]:
    """A WAV's cue markers as ``(label, start_ms)``."""
    from mutagen.wave import WAVE

    rate = WAVE(target).info.sample_rate
    return [(c.label, round(c.sample * 1000 / rate)) for c in read_cues(target)]


def _write_vorbis(target: Path, kind: str, info: TrackInfo) -> None:
    from mutagen.flac import FLAC
    from mutagen.oggopus import OggOpus
    from mutagen.oggvorbis import OggVorbis

    opener = {"ogg": OggVorbis, "opus": OggOpus, "flac": FLAC}[kind]
    audio = opener(target)
    if audio.tags is None:
        audio.add_tags()
    assert audio.tags is not None
    audio.tags.clear()
    for key, value in _vorbis_comments(info).items():
        audio.tags[key] = [value]
    audio.save()


def _ffmetadata(chapters: Sequence[Chapter]) -> str:
    """ffmpeg's metadata file format with one ``[CHAPTER]`` per chapter (ms time base).

    '=', ';', '#', '\\\\' and line breaks in a value are escaped with a backslash (ffmpeg's
    "Metadata" documentation, section ffmetadata).
    """

    def escape(text: str) -> str:
        return re.sub(r"([=;#\\\n])", r"\\\1", text.replace("\r", " "))

    lines = [";FFMETADATA1"]
    for c in chapters:
        lines += ["[CHAPTER]", "TIMEBASE=1/1000", f"START={c.start_ms}", f"END={c.end_ms}"]
        lines.append(f"title={escape(c.title)}")
    return "\n".join(lines) + "\n"


def _mux_mp4_chapters(target: Path, chapters: Sequence[Chapter]) -> None:
    """Replace an MP4's chapters (QuickTime text track + Nero ``chpl``), copying its audio.

    ffmpeg's MP4 muxer writes both forms from chapters given as a second, ffmetadata input;
    global metadata is not mapped (mutagen writes the tags next), chapter titles are.
    """
    with tempfile.TemporaryDirectory(prefix="audiocoach-") as folder:
        listing = Path(folder) / "chapters.ffmeta"
        listing.write_text(_ffmetadata(chapters), encoding="utf-8")
        with atomic_path(target, fsync=False) as temp:
            run_ffmpeg(
                [
                    *("-i", str(target), "-f", "ffmetadata", "-i", str(listing)),
                    *("-map", "0:a", "-map_metadata:g", "-1"),
                    *("-map_chapters", "1" if chapters else "-1", "-c", "copy"),
                    *("-fflags", "+bitexact", "-movflags", "+faststart", "-f", "ipod"),
                    *("-y", str(temp)),
                ],
                what=f"writing chapters into {target.name}",
            )


def _write_mp4(target: Path, info: TrackInfo) -> None:
    from mutagen.mp4 import MP4

    audio = MP4(target)
    if audio.tags is None:
        audio.add_tags()
    assert audio.tags is not None
    audio.tags.clear()
    audio.tags["\xa9nam"] = [info.title]
    audio.tags["\xa9ART"] = [info.artist]
    if info.album:
        audio.tags["\xa9alb"] = [info.album]
    if info.genre:
        audio.tags["\xa9gen"] = [info.genre]
    if info.track is not None:
        audio.tags["trkn"] = [(info.track, info.track_total or 0)]
    if info.disc is not None:
        audio.tags["disk"] = [(info.disc, info.disc_total or 0)]
    if info.comment:
        audio.tags["\xa9cmt"] = [info.comment]
    audio.tags["\xa9too"] = ["audiocoach"]
    audio.save()


def _read_id3(target: Path, kind: str) -> ID3 | None:
    if kind == "wav":
        from mutagen.wave import WAVE

        tags = WAVE(target).tags
        return tags if isinstance(tags, ID3) else None
    try:
        return ID3(target)
    except ID3NoHeaderError:
        return None


def read_chapters(path: str | os.PathLike[str], fmt: str | None = None) -> list[ChapterMark]:
    """Chapters of a tagged file as ``(title, start_ms, end_ms)``, in the order players show them.

    For ID3 (MP3, WAV) the order is the top-level ``CTOC``'s (falling back to start times). The
    other formats store starts only: a chapter ends where the next begins or the audio ends.
    M4A is read from its Nero ``chpl`` atom (mutagen's reader).
    """
    target = Path(path)
    kind = _format_of(target, fmt)
    try:
        if kind in ("mp3", "wav"):
            return _read_id3_chapters(_read_id3(target, kind))
        if kind in ("ogg", "opus", "flac"):
            return _read_vorbis_chapters(target, kind)
        if kind == "m4a":
            from mutagen.mp4 import MP4

            audio = MP4(target)
            starts = [(round(c.start * 1000), c.title) for c in audio.chapters or []]
            return _ends_from_starts(starts, round(audio.info.length * 1000))
    except (MutagenError, OSError, AudiocoachError) as exc:
        raise AudiocoachError(f"cannot read tags of {target.name}: {exc}") from None
    raise AudiocoachError(f"cannot read tags of {kind!r} files")


def _ends_from_starts(starts: Sequence[tuple[int, str]], end_ms: int) -> list[ChapterMark]:
    return [
        (name, ms, starts[k + 1][0] if k + 1 < len(starts) else end_ms)
        for k, (ms, name) in enumerate(starts)
    ]


def _read_id3_chapters(tags: ID3 | None) -> list[ChapterMark]:
    if tags is None:
        return []
    chaps = {frame.element_id: frame for frame in tags.getall("CHAP")}
    order: list[str] = []
    for toc in tags.getall("CTOC"):
        if toc.flags & CTOCFlags.TOP_LEVEL:
            order = [i for i in toc.child_element_ids if i in chaps]
            break
    if not order:
        order = sorted(chaps, key=lambda i: chaps[i].start_time)
    out = []
    for element_id in order:
        frame = chaps[element_id]
        titles = frame.sub_frames.getall("TIT2")
        title = str(titles[0].text[0]) if titles and titles[0].text else element_id
        out.append((title, int(frame.start_time), int(frame.end_time)))
    return out


#: ``CHAPTERnnn`` (any number of digits: ffmpeg writes from ``CHAPTER000``, others from 001).
_CHAPTER_KEY = re.compile(r"CHAPTER(\d+)", re.IGNORECASE)
_CHAPTER_TIME = re.compile(r"(\d+):(\d{1,2}):(\d{1,2}(?:\.\d+)?)")


def _read_vorbis_chapters(target: Path, kind: str) -> list[ChapterMark]:
    from mutagen.flac import FLAC
    from mutagen.oggopus import OggOpus
    from mutagen.oggvorbis import OggVorbis

    audio = {"ogg": OggVorbis, "opus": OggOpus, "flac": FLAC}[kind](target)
    tags = {key.upper(): values for key, values in (audio.tags or {}).items()}
    starts: list[tuple[int, int, str]] = []
    for key, values in tags.items():
        number = _CHAPTER_KEY.fullmatch(key)
        time = _CHAPTER_TIME.fullmatch(values[0].strip()) if number and values else None
        if number is None or time is None:
            continue
        h, m, s = time.groups()
        ms = round((int(h) * 3600 + int(m) * 60 + float(s)) * 1000)
        name = tags.get(f"{key}NAME") or [f"Chapter {int(number.group(1))}"]
        starts.append((ms, int(number.group(1)), name[0]))
    starts.sort()
    end_ms = round(audio.info.length * 1000)
    return _ends_from_starts([(ms, name) for ms, _, name in starts], end_ms)


def read_tags(path: str | os.PathLike[str], fmt: str | None = None) -> dict[str, str]:
    """The main text tags of an MP3 or WAV, by ID3 frame id (``TIT2``, ``TRCK``, ``COMM``...)."""
    target = Path(path)
    kind = _format_of(target, fmt)
    if kind not in ("mp3", "wav"):
        raise AudiocoachError(f"read_tags reads ID3 (mp3, wav), not {kind!r}")
    try:
        tags = _read_id3(target, kind)
    except (MutagenError, OSError, AudiocoachError) as exc:
        raise AudiocoachError(f"cannot read tags of {target.name}: {exc}") from None
    if tags is None:
        return {}
    out: dict[str, str] = {}
    for frame_id in ("TIT2", "TPE1", "TALB", "TCON", "TRCK", "TPOS", "TLEN", "TSSE"):
        frames = tags.getall(frame_id)
        if frames:
            out[frame_id] = str(frames[0].text[0])
    comments = tags.getall("COMM")
    if comments:
        out["COMM"] = str(comments[0].text[0])
    out["version"] = f"2.{tags.version[1]}"
    return out
