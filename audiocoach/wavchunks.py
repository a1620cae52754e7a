"""WAV metadata chunks: the ``id3 `` tag, and chapters as ``cue `` points with ``labl`` names.

A WAV file is a RIFF container: ``RIFF <size> WAVE`` and then chunks (``fmt ``, ``data``, ...),
each ``<id> <size>`` and its data padded to an even length. Chapters go in twice, because two
kinds of program read WAV files and each reads its own:

* players and tag libraries (ffmpeg, mutagen) read an ID3 tag in an ``id3 `` chunk,
  the same ``CHAP``/``CTOC`` frames an MP3 carries;
* audio editors (Audition, REAPER and Sound Forge, for instance) and ``wavinfo`` read markers:
  a ``cue `` chunk of cue points (each a sample offset into ``data``) and a ``LIST`` chunk of
  type ``adtl`` whose ``labl`` sub-chunks name them. ffmpeg reads these too. A cue point is a
  start; our chapters are contiguous, so each chapter ends where the next marker (or the audio)
  does. Region lengths (``ltxt``) are left out: the starts already say everything, and a reader
  we checked (wavinfo 4.0) misreads ``ltxt`` fields. Cue ids count from 0, as ffmpeg numbers
  ID3 chapters: ffmpeg reads both and merges them by id, so other ids would show every chapter
  twice there.

Cue offsets are whole samples, so a chapter start is stored to 1/44100 s at 44.1 kHz and reads
back to the same millisecond (rounding). ``labl`` text has no declared encoding; it is written as
UTF-8, which ffmpeg reads as such (a reader assuming a Windows code page shows non-ASCII letters
wrongly; wavinfo must be told ``info_encoding="utf-8"``). The chunk layouts are those of
Microsoft's *Multimedia Programming Interface and Data Specifications 1.0* (1991), "cue-points
chunk" and "associated data list".

mutagen can read and write the ``id3 `` chunk but knows no ``cue `` or ``adtl``; this module owns
all three, so retagging replaces them together and leaves every other chunk as it was.
"""

from __future__ import annotations

import os
import struct
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import BinaryIO, NamedTuple

from audiocoach.atomic import atomic_path
from audiocoach.errors import AudiocoachError

__all__ = ["CuePoint", "read_cues", "replace_metadata"]

_ID3_IDS = (b"id3 ", b"ID3 ")
_CUE = b"cue "


class CuePoint(NamedTuple):
    """A named marker: its sample offset in ``data`` and its label."""

    sample: int
    label: str


class _Chunk(NamedTuple):
    id: bytes
    offset: int  # of the chunk header
    size: int  # of the data, without the pad byte
    list_type: bytes  # for LIST chunks: the four bytes after the size


def _chunks(f: BinaryIO) -> Iterator[_Chunk]:
    """The top-level chunks of an open WAV file; raises ``AudiocoachError`` if it is no WAV."""
    f.seek(0)
    header = f.read(12)
    if len(header) < 12 or header[:4] != b"RIFF" or header[8:12] != b"WAVE":
        raise AudiocoachError("not a RIFF WAVE file")
    end = 8 + struct.unpack("<I", header[4:8])[0]
    offset = 12
    while offset + 8 <= end:
        f.seek(offset)
        head = f.read(12)
        if len(head) < 8:
            break
        chunk_id, size = head[:4], struct.unpack("<I", head[4:8])[0]
        yield _Chunk(chunk_id, offset, size, head[8:12] if chunk_id == b"LIST" else b"")
        offset += 8 + size + (size & 1)


def _ours(chunk: _Chunk) -> bool:
    return chunk.id in (*_ID3_IDS, _CUE) or (chunk.id == b"LIST" and chunk.list_type == b"adtl")


def _chunk(chunk_id: bytes, data: bytes) -> bytes:
    return chunk_id + struct.pack("<I", len(data)) + data + (b"\0" if len(data) & 1 else b"")


def _cue_chunks(cues: Sequence[CuePoint]) -> bytes:
    if not cues:
        return b""
    points = b"".join(
        # dwName, dwPosition, fccChunk, dwChunkStart, dwBlockStart, dwSampleOffset
        struct.pack("<II4sIII", n, cue.sample, b"data", 0, 0, cue.sample)
        for n, cue in enumerate(cues)
    )
    labels = b"".join(
        _chunk(b"labl", struct.pack("<I", n) + cue.label.encode("utf-8") + b"\0")
        for n, cue in enumerate(cues)
    )
    return _chunk(_CUE, struct.pack("<I", len(cues)) + points) + _chunk(b"LIST", b"adtl" + labels)


def replace_metadata(
    path: str | os.PathLike[str], *, id3: bytes | None, cues: Sequence[CuePoint]
) -> None:
    """Replace the file's ``id3 ``, ``cue `` and ``adtl`` chunks with these (none: removed).

    ``id3`` is a whole ID3v2 tag (header, frames, padding). New chunks go at the end, after
    ``data``, where readers expect metadata; a file that had none is only appended to, any other
    is rewritten (through a temp, so a failure leaves it as it was). Raises ``AudiocoachError``.
    """
    target = Path(path)
    tail = (_chunk(b"id3 ", id3) if id3 else b"") + _cue_chunks(cues)
    try:
        with open(target, "r+b") as f:
            chunks = list(_chunks(f))
            if not any(_ours(c) for c in chunks):
                end = chunks[-1].offset + 8 + chunks[-1].size if chunks else 12
                end += end & 1
                f.seek(end)
                f.write(tail)
                f.truncate()
                f.seek(4)
                f.write(struct.pack("<I", end + len(tail) - 8))
                return
        _rewrite(target, [c for c in chunks if not _ours(c)], tail)
    except OSError as exc:
        raise AudiocoachError(f"cannot tag {target.name}: {exc.strerror or exc}") from None
    except AudiocoachError as exc:
        raise AudiocoachError(f"cannot tag {target.name}: {exc}") from None


def _rewrite(target: Path, keep: list[_Chunk], tail: bytes) -> None:
    with (
        atomic_path(target, fsync=False) as temp,
        open(target, "rb") as src,
        open(temp, "wb") as out,
    ):
        size = 4 + sum(8 + c.size + (c.size & 1) for c in keep) + len(tail)
        out.write(b"RIFF" + struct.pack("<I", size) + b"WAVE")
        for c in keep:
            src.seek(c.offset)
            out.write(src.read(8))
            _copy(src, out, c.size)
            if c.size & 1:
                out.write(b"\0")
        out.write(tail)


def _copy(src: BinaryIO, dst: BinaryIO, n: int) -> None:
    remaining = n
    while remaining > 0:
        block = src.read(min(remaining, 1 << 20))
        if not block:
            raise AudiocoachError("truncated WAV chunk")
        dst.write(block)
        remaining -= len(block)


def _data_of(f: BinaryIO, chunk: _Chunk) -> bytes:
    f.seek(chunk.offset + 8)
    return f.read(chunk.size)


def read_cues(path: str | os.PathLike[str]) -> list[CuePoint]:
    """Cue points in sample order, each with its ``labl`` (empty if it has none)."""
    offsets: dict[int, int] = {}
    labels: dict[int, str] = {}
    with open(path, "rb") as f:
        for chunk in _chunks(f):
            if chunk.id == _CUE:
                data = _data_of(f, chunk)
                (count,) = struct.unpack_from("<I", data)
                for k in range(min(count, (len(data) - 4) // 24)):
                    name, *_, sample = struct.unpack_from("<II4sIII", data, 4 + 24 * k)
                    offsets[name] = sample
            elif chunk.id == b"LIST" and chunk.list_type == b"adtl":
                data = _data_of(f, chunk)
                pos = 4
                while pos + 8 <= len(data):
                    sub_id, size = data[pos : pos + 4], struct.unpack_from("<I", data, pos + 4)[0]
                    body = data[pos + 8 : pos + 8 + size]
                    if sub_id == b"labl" and len(body) >= 4:
                        text = body[4:].split(b"\0", 1)[0]
                        labels[struct.unpack_from("<I", body)[0]] = text.decode("utf-8", "replace")
                    pos += 8 + size + (size & 1)
    return sorted(
        (CuePoint(sample, labels.get(name, "")) for name, sample in offsets.items()),
        key=lambda c: c.sample,
    )
