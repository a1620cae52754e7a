"""Tags and chapters, written with mutagen onto the encoded file (before it is renamed into place).

MP3 gets ID3v2.4: title, artist, album, genre, track and disc numbers, a comment (the routine's
source and description), the length, and chapters: one ``CHAP`` frame per timeline chapter (element
ids ``ch0``, ``ch1``, ...; exact start and end in ms; a ``TIT2`` sub-frame with its title) listed
in order by one top-level, ordered ``CTOC``. That is the ID3 chapter addendum podcast players
read to offer "skip to next exercise". WAV carries the same ID3 tag in its ``id3 `` chunk.

Ogg (Vorbis, Opus) and FLAC get Vorbis comments, with chapters as ``CHAPTER001=00:01:30.000`` /
``CHAPTER001NAME=...`` (the Xiph chapter extension, which stores starts only). M4A gets iTunes-style
atoms but **no chapters**: mutagen reads MP4 chapters and cannot write them.

``write_tags`` takes the format explicitly because it is called on the encoder's temp file, whose
name (``.name.random.tmp``) says nothing about its contents.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

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

from audiocoach.durations import timestamp
from audiocoach.errors import AudiocoachError
from audiocoach.timeline import Chapter, Timeline

__all__ = ["TrackInfo", "read_chapters", "read_tags", "write_tags"]

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


def _clean_chapters(chapters: Sequence[Chapter], length_ms: int | None) -> list[Chapter]:
    """Chapters in time order, clipped to the track, empty ones dropped."""
    out = []
    for c in sorted(chapters, key=lambda c: c.start_ms):
        end = min(c.end_ms, length_ms) if length_ms is not None else c.end_ms
        if end > c.start_ms >= 0:
            out.append(Chapter(c.title, c.start_ms, end))
    return out


def _id3(info: TrackInfo) -> ID3:
    tags = ID3()
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


def write_tags(path: str | os.PathLike[str], info: TrackInfo, fmt: str | None = None) -> None:
    """Write ``info`` into the audio file at ``path`` (``fmt`` defaults to its extension).

    Replaces whatever tags the file had. Raises ``AudiocoachError`` if the file cannot be tagged.
    """
    target = Path(path)
    kind = _format_of(target, fmt)
    try:
        if kind == "mp3":
            _id3(info).save(target, v2_version=4, v1=0)
        elif kind == "wav":
            from mutagen.wave import WAVE

            wave = WAVE(target)
            if wave.tags is not None:
                wave.delete()
                wave = WAVE(target)
            wave.add_tags()
            assert wave.tags is not None
            for frame in _id3(info).values():
                wave.tags.add(frame)
            wave.save(v2_version=4)
        elif kind in ("ogg", "opus", "flac"):
            _write_vorbis(target, kind, info)
        elif kind == "m4a":
            _write_mp4(target, info)
        else:
            raise AudiocoachError(f"cannot tag {kind!r} files")
    except (MutagenError, OSError) as exc:
        raise AudiocoachError(f"cannot tag {target.name}: {exc}") from None


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


def _write_mp4(target: Path, info: TrackInfo) -> None:
    # mutagen can read MP4 chapters but not write them: M4A files get no chapters.
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


def read_chapters(
    path: str | os.PathLike[str], fmt: str | None = None
) -> list[tuple[str, int, int]]:
    """Chapters of a tagged file as ``(title, start_ms, end_ms)``, in the order players show them.

    For ID3 the order is the top-level ``CTOC``'s (falling back to start times); for Vorbis
    comments, which store starts only, a chapter ends where the next begins or the file ends.
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
            chapters = list(audio.chapters or [])
            end = round(audio.info.length * 1000)
            out = []
            for i, c in enumerate(chapters):
                stop = round(chapters[i + 1].start * 1000) if i + 1 < len(chapters) else end
                out.append((c.title, round(c.start * 1000), stop))
            return out
    except (MutagenError, OSError) as exc:
        raise AudiocoachError(f"cannot read tags of {target.name}: {exc}") from None
    raise AudiocoachError(f"cannot read tags of {kind!r} files")


def _read_id3_chapters(tags: ID3 | None) -> list[tuple[str, int, int]]:
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


def _read_vorbis_chapters(target: Path, kind: str) -> list[tuple[str, int, int]]:
    from mutagen.flac import FLAC
    from mutagen.oggopus import OggOpus
    from mutagen.oggvorbis import OggVorbis

    audio = {"ogg": OggVorbis, "opus": OggOpus, "flac": FLAC}[kind](target)
    tags = audio.tags or {}
    starts: list[tuple[int, str]] = []
    for i in range(1, 1000):
        start = tags.get(f"CHAPTER{i:03d}")
        if not start:
            break
        h, m, s = start[0].split(":")
        ms = round((int(h) * 3600 + int(m) * 60 + float(s)) * 1000)
        name = tags.get(f"CHAPTER{i:03d}NAME") or [f"Chapter {i}"]
        starts.append((ms, name[0]))
    end = round(audio.info.length * 1000)
    return [
        (name, ms, starts[k + 1][0] if k + 1 < len(starts) else end)
        for k, (ms, name) in enumerate(starts)
    ]


def read_tags(path: str | os.PathLike[str], fmt: str | None = None) -> dict[str, str]:
    """The main text tags of an MP3 or WAV, by ID3 frame id (``TIT2``, ``TRCK``, ``COMM``...)."""
    target = Path(path)
    kind = _format_of(target, fmt)
    if kind not in ("mp3", "wav"):
        raise AudiocoachError(f"read_tags reads ID3 (mp3, wav), not {kind!r}")
    try:
        tags = _read_id3(target, kind)
    except (MutagenError, OSError) as exc:
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
