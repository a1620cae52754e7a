"""Music: the runner's own songs, found, checked, measured once, and decoded as a stream.

A music source is an audio file, a folder of them (searched through its subfolders, in natural
name order), or an ``.m3u``/``.m3u8`` playlist (entries relative to the playlist; ``#`` lines are
comments). Any format ffmpeg decodes is a song; in a folder, files are told by their extension
(``AUDIO_EXTENSIONS``), so the cover art and notes beside an album are passed over.

Each song is checked and measured by one ffmpeg pass (``measure_song``): it must have an audio
stream and no moving picture (a video is refused; an MP3's cover art is fine), decode, last at
least ``MIN_SONG_MS`` (it crossfades at both ends), and not be silent. The pass runs ffmpeg's
``ebur128`` meter on the song as it will be mixed (mono, or downmixed to stereo) and keeps its
integrated loudness, true peak and the loudness of every 400 ms block on a 100 ms step: the gain
plan predicts the finished track's loudness from those without decoding the music again. A
measurement is keyed by the sha256 of the file's bytes and kept in the cache folder
(``SongStore``), so each song is measured once, whatever its name or folder.

``SongDecoder`` streams a song's samples from an ffmpeg process, window by window, so two hours of
music cost the memory of one window; the pipe lets ffmpeg decode ahead on its own core.

Problems are collected, not raised one at a time: ``MusicError.problems`` lists every bad file at
once, each as one line naming the file, for the caller to place (a routine's ``music:`` line, or
the ``--music`` option).
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import math
import os
import re
import subprocess
import tempfile
from collections.abc import Callable, Iterable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import unquote, urlparse

import numpy as np

from audiocoach.atomic import atomic_path
from audiocoach.errors import AudiocoachError
from audiocoach.ffmpeg import ffmpeg_exe, last_error_line
from audiocoach.speech.base import SAMPLE_RATE

__all__ = [
    "AUDIO_EXTENSIONS",
    "MIN_SONG_MS",
    "MusicError",
    "Song",
    "SongDecoder",
    "SongStore",
    "find_songs",
    "load_songs",
    "measure_song",
]

#: What counts as a song in a folder (a file named directly may have any extension).
AUDIO_EXTENSIONS = frozenset(
    ".mp3 .m4a .aac .ogg .oga .opus .flac .wav .wave .aif .aiff .wma .mka .alac .ape .wv".split()
)
PLAYLIST_EXTENSIONS = (".m3u", ".m3u8")
#: The shortest song: it must be able to fade in and crossfade out (``bed.CROSSFADE_MS``).
MIN_SONG_MS = 10_000
#: A song quieter than this (integrated) is silence, or nearly: lifting it would lift hiss.
SILENT_LUFS = -50.0
#: Step of the stored block loudness (``Song.powers``), as ffmpeg's meter reports it.
STEP_MS = 100
#: Bump when what a stored measurement means changes.
MEASURE_VERSION = 1
_SUFFIX = ".song"


class MusicError(AudiocoachError):
    """Music that cannot be used; ``problems`` has one line per bad source or song."""

    exit_code = 2

    def __init__(self, problems: Iterable[str]) -> None:
        self.problems = tuple(problems)
        super().__init__("\n".join(self.problems))


class SongTooShort(MusicError):
    """A song shorter than ``MIN_SONG_MS``: refused alone, skipped in a folder or playlist."""


@dataclass(frozen=True, slots=True, eq=False)
class Song:
    """One song as the mix will play it, measured.

    ``frames`` at the mix rate; ``channels`` 1 or 2 (more are downmixed to stereo); ``lufs``
    integrated loudness and ``peak_dbtp`` true peak in that layout; ``powers`` the mean-square
    K-weighted power (channels summed, as BS.1770 sums them) of the 400 ms block ending at each
    ``STEP_MS`` step, from the first; ``digest`` the sha256 of the file it was measured from.
    """

    path: Path
    digest: str
    frames: int
    channels: int
    lufs: float
    peak_dbtp: float
    powers: np.ndarray

    @property
    def duration_ms(self) -> int:
        return self.frames * 1000 // SAMPLE_RATE

    @property
    def name(self) -> str:
        return self.path.name


# --- finding songs ------------------------------------------------------------------------------


def _natural(text: str) -> list[object]:
    """Sort key: digits by value, so "2 - b" comes before "10 - a"; case ignored."""
    return [int(p) if p.isdigit() else p.casefold() for p in re.split(r"(\d+)", text)]


def _hidden(name: str) -> bool:
    return name.startswith(".")


def find_songs(source: Path) -> list[Path]:
    """The songs a music source names, in play order (before any shuffle).

    Raises ``MusicError`` when the source does not exist or cannot be read, a folder holds no
    audio file, or a playlist names nothing usable (every bad entry listed).
    """
    name = _show(source)
    if not os.path.lexists(source):
        raise MusicError([f"{name}: no such file or folder"])
    if source.is_dir():
        return _folder_songs(source)
    if not source.is_file():
        raise MusicError([f"{name}: not a file or folder"])
    if source.suffix.lower() in PLAYLIST_EXTENSIONS:
        return _playlist_songs(source)
    return [source]


def _folder_songs(folder: Path) -> list[Path]:
    found: list[Path] = []
    problems: list[str] = []

    def walk_error(exc: OSError) -> None:
        problems.append(f"{_show(Path(exc.filename or folder))}: cannot read the folder "
                        f"({exc.strerror or exc})")  # fmt: skip

    for root, dirs, files in os.walk(folder, onerror=walk_error):
        dirs[:] = [d for d in dirs if not _hidden(d)]
        for file in files:
            if not _hidden(file) and Path(file).suffix.lower() in AUDIO_EXTENSIONS:
                found.append(Path(root) / file)
    if problems:
        raise MusicError(problems)
    if not found:
        kinds = ".mp3, .m4a, .flac, .ogg, .opus, .wav and other audio files"
        raise MusicError(
            [f"{_show(folder)}: no audio files in it (looked for {kinds}, in subfolders too)"]
        )
    return sorted(found, key=lambda p: _natural(p.relative_to(folder).as_posix()))


def _playlist_songs(playlist: Path) -> list[Path]:
    try:
        data = playlist.read_bytes()
    except OSError as exc:
        raise MusicError([f"{_show(playlist)}: cannot read it ({exc.strerror or exc})"]) from None
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        if playlist.suffix.lower() == ".m3u8":
            raise MusicError([f"{_show(playlist)}: an .m3u8 playlist must be UTF-8"]) from None
        text = data.decode("latin-1")  # the old .m3u convention: the system's 8-bit encoding
    songs: list[Path] = []
    problems: list[str] = []
    for number, raw in enumerate(text.splitlines(), start=1):
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        where = f"{_show(playlist)} line {number}"
        scheme = urlparse(line).scheme.lower()
        if scheme == "file":
            entry = Path(unquote(urlparse(line).path))
        elif len(scheme) > 1:  # (a one-letter scheme is a Windows drive)
            problems.append(f"{where}: {line!r} is a web address; list files on this computer")
            continue
        else:
            entry = (
                Path(line.replace("\\", "/")) if "\\" in line and "/" not in line else Path(line)
            )
        entry = entry if entry.is_absolute() else playlist.parent / entry
        if not os.path.lexists(entry):
            problems.append(f"{where}: {_show(entry)}: no such file")
        elif entry.is_dir():
            try:
                songs += _folder_songs(entry)
            except MusicError as exc:
                problems += [f"{where}: {p}" for p in exc.problems]
        elif entry.suffix.lower() in PLAYLIST_EXTENSIONS:
            problems.append(f"{where}: {_show(entry)} is a playlist; list its songs instead")
        else:
            songs.append(entry)
    if problems:
        raise MusicError(problems)
    if not songs:
        raise MusicError([f"{_show(playlist)}: the playlist lists no songs"])
    return songs


def _show(path: Path) -> str:
    """A path for a message, as given; bytes that are not UTF-8 shown escaped (``\\xff``)."""
    return os.fsdecode(path).encode("utf-8", "surrogateescape").decode("utf-8", "backslashreplace")


# --- measuring songs ----------------------------------------------------------------------------


_VIDEO = re.compile(r"Stream #\d+:\d+[^:]*: Video: (.*)")
_AUDIO = re.compile(r"Stream #\d+:\d+[^:]*: Audio: [^,]+, (\d+) Hz, ([^,]+)")
_FRAME = re.compile(r"\bt:\s*([\d.]+)\s+TARGET:.*?M:\s*(-?inf|-?[\d.]+)")
_INTEGRATED = re.compile(r"I:\s+(-?inf|-?[\d.]+)\s+LUFS")
_PEAK = re.compile(r"Peak:\s+(-?inf|-?[\d.]+)\s+dBFS")
_OUT_TIME = re.compile(r"out_time_us=(\d+)")


def file_digest(path: Path) -> str:
    """sha256 of a file's bytes, read in chunks (songs are several MB)."""
    digest = hashlib.sha256()
    with open(path, "rb") as f:
        while chunk := f.read(1 << 20):
            digest.update(chunk)
    return digest.hexdigest()


def _probe(path: Path, exe: str) -> tuple[int, str]:
    """(channels, problem) from ffmpeg's description of the file ('' if it is fine so far)."""
    proc = subprocess.run(
        [exe, "-hide_banner", "-nostdin", "-i", os.fspath(path)],
        capture_output=True,
        check=False,
    )
    text = proc.stderr.decode("utf-8", "replace")
    if "Input #0" not in text:
        return 0, f"ffmpeg cannot read it as audio ({last_error_line(text)})"
    audio = _AUDIO.search(text)
    if audio is None:
        return 0, "has no sound in it (no audio stream)"
    for video in _VIDEO.findall(text):
        if "attached pic" not in video:  # an album's cover art is fine
            return 0, "a video file; give the music as audio files"
    layout = audio.group(2).strip()
    return (1 if layout in ("mono", "1 channels") else 2), ""


def measure_song(path: Path, *, digest: str | None = None, ffmpeg: str | None = None) -> Song:
    """Check and measure one song with ffmpeg (see the module docstring).

    Raises ``MusicError`` (one line, naming the file) when it is not a song audiocoach can play.
    """
    exe = ffmpeg or ffmpeg_exe()
    name = _show(path)
    try:
        digest = digest or file_digest(path)
    except OSError as exc:
        raise MusicError([f"{name}: cannot read it ({exc.strerror or exc})"]) from None
    channels, problem = _probe(path, exe)
    if problem:
        raise MusicError([f"{name}: {problem}"])
    layout = "mono" if channels == 1 else "stereo"
    graph = (
        f"aresample={SAMPLE_RATE},aformat=channel_layouts={layout},ebur128=peak=true:framelog=info"
    )
    with tempfile.TemporaryFile() as log:
        proc = subprocess.run(
            [exe, "-hide_banner", "-nostdin", "-nostats", "-i", os.fspath(path), "-map", "0:a:0",
             "-af", graph, "-f", "null", "-", "-progress", "pipe:1"],
            stdout=subprocess.PIPE,
            stderr=log,
            check=False,
        )  # fmt: skip
        log.seek(0)
        text = log.read().decode("utf-8", "replace")
    if proc.returncode != 0:
        raise MusicError([f"{name}: ffmpeg cannot decode it ({last_error_line(text)})"])
    out_times = _OUT_TIME.findall(proc.stdout.decode("ascii", "replace"))
    summary = text[text.rfind("Summary:") :] if "Summary:" in text else ""
    integrated = _INTEGRATED.search(summary)
    peak = _PEAK.search(summary)
    if not out_times or integrated is None or peak is None:
        raise MusicError([f"{name}: ffmpeg decoded no sound from it"])
    frames = int(out_times[-1]) * SAMPLE_RATE // 1_000_000
    lufs = float(integrated.group(1))
    moments = [float(m) for _, m in _FRAME.findall(text[: len(text) - len(summary)])]
    powers = np.array([10 ** ((m + 0.691) / 10) if m > -120 else 0.0 for m in moments])
    if frames * 1000 < MIN_SONG_MS * SAMPLE_RATE:
        raise SongTooShort(
            [f"{name}: only {frames / SAMPLE_RATE:.1f} s long; a song must last at least "
             f"{MIN_SONG_MS // 1000} s (it fades in and crossfades out)"]
        )  # fmt: skip
    if not lufs > SILENT_LUFS:
        raise MusicError([f"{name}: silent (or nearly: {lufs:.1f} LUFS); give a song with sound"])
    return Song(path, digest, frames, channels, lufs, float(peak.group(1)), powers)


class SongStore:
    """Song measurements on disk, one ``DIGEST.song`` per song content, in ``directory``.

    Written atomically; read back only if intact (a checksum over the record) and of this
    version, else measured again. A store that cannot be written is simply not used.
    """

    def __init__(self, directory: Path) -> None:
        self.directory = directory

    def _path(self, digest: str) -> Path:
        return self.directory / f"{digest}{_SUFFIX}"

    def get(self, path: Path, digest: str) -> Song | None:
        try:
            data = self._path(digest).read_bytes()
        except OSError:
            return None
        checksum, _, body = data.partition(b"\n")
        if hashlib.sha256(body).hexdigest().encode() != checksum:
            return None
        try:
            record = json.loads(body)
            if record["version"] != MEASURE_VERSION or record["digest"] != digest:
                return None
            powers = np.array(record["powers"], dtype=np.float64)
            song = Song(path, digest, int(record["frames"]), int(record["channels"]),
                        float(record["lufs"]), float(record["peak_dbtp"]), powers)  # fmt: skip
        except (ValueError, KeyError, TypeError):
            return None
        if song.channels not in (1, 2) or song.frames <= 0 or not math.isfinite(song.lufs):
            return None
        return song

    def put(self, song: Song) -> None:
        record = {
            "version": MEASURE_VERSION,
            "digest": song.digest,
            "frames": song.frames,
            "channels": song.channels,
            "lufs": song.lufs,
            "peak_dbtp": song.peak_dbtp,
            "powers": [float(p) for p in song.powers],  # repr: read back exactly
        }
        body = json.dumps(record, separators=(",", ":")).encode()
        data = hashlib.sha256(body).hexdigest().encode() + b"\n" + body
        with contextlib.suppress(OSError):
            self.directory.mkdir(parents=True, exist_ok=True)
            with atomic_path(self._path(song.digest), fsync=False) as temp:
                temp.write_bytes(data)


def load_songs(
    paths: Sequence[Path],
    store: SongStore | None = None,
    *,
    jobs: int | None = None,
    ffmpeg: str | None = None,
    warn: Callable[[str], None] | None = None,
) -> list[Song]:
    """Measure every song (from ``store`` when it has them), ``jobs`` ffmpeg runs at a time.

    Of several songs (a folder, a playlist), one too short to crossfade (a jingle, a sample)
    is skipped with ``warn`` when it is given, as long as another song can play. Raises
    ``MusicError`` listing every song that cannot be used.
    """
    exe = ffmpeg or ffmpeg_exe()
    short: list[str] = []

    def one(path: Path) -> Song | str | None:
        try:
            digest = file_digest(path)
        except OSError as exc:
            return f"{_show(path)}: cannot read it ({exc.strerror or exc})"
        song = store.get(path, digest) if store is not None else None
        if song is not None:
            return song
        try:
            song = measure_song(path, digest=digest, ffmpeg=exe)
        except SongTooShort as exc:
            if warn is None or len(paths) == 1:
                return "\n".join(exc.problems)
            short.extend(exc.problems)
            return None
        except MusicError as exc:
            return "\n".join(exc.problems)
        if store is not None:
            store.put(song)
        return song

    workers = max(1, min(len(paths), jobs or os.cpu_count() or 1))
    if workers == 1:
        results = [one(p) for p in paths]
    else:
        with ThreadPoolExecutor(workers) as pool:  # each worker waits on its own ffmpeg
            results = list(pool.map(one, paths))
    problems = [r for r in results if isinstance(r, str)]
    songs = [r for r in results if isinstance(r, Song)]
    if short and not songs:  # nothing else to play: the short songs are the problem
        problems = [*short, *problems]
    if problems:
        raise MusicError(problems)
    for line in short:
        assert warn is not None
        warn(f"{line}; skipped")
    return songs


# --- decoding -----------------------------------------------------------------------------------


class SongDecoder:
    """One song decoded by ffmpeg as a stream of s16le frames at the mix rate, ``channels`` wide.

    ``read(n)`` returns the next ``n`` frames as an int16 array of shape (n, channels), padded
    with silence past the song's end. ``close()`` stops ffmpeg; a decoder is also a context
    manager. A song that stops decoding part-way (the file changed or vanished) raises
    ``AudiocoachError``.
    """

    def __init__(self, song: Song, channels: int, *, ffmpeg: str | None = None) -> None:
        self.song = song
        self.channels = channels
        self._errors = tempfile.TemporaryFile()  # noqa: SIM115 - closed by close()
        layout = "mono" if channels == 1 else "stereo"
        args = [ffmpeg or ffmpeg_exe(), "-hide_banner", "-nostdin", "-loglevel", "error",
                "-i", os.fspath(song.path), "-map", "0:a:0",
                "-af", f"aresample={SAMPLE_RATE},aformat=channel_layouts={layout}",
                "-f", "s16le", "-c:a", "pcm_s16le", "-ar", str(SAMPLE_RATE),
                "-ac", str(channels), "pipe:1"]  # fmt: skip
        try:
            self._proc: subprocess.Popen[bytes] | None = subprocess.Popen(
                args, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=self._errors
            )
        except OSError as exc:
            self._errors.close()
            raise AudiocoachError(f"cannot run ffmpeg to play {song.name}: {exc}") from None
        self._done = False

    def read(self, frames: int) -> np.ndarray:
        width = 2 * self.channels
        out = bytearray(frames * width)
        view = memoryview(out)
        got = 0
        proc = self._proc
        while not self._done and proc is not None and got < len(out):
            assert proc.stdout is not None
            n = proc.stdout.readinto(view[got:])
            if not n:
                self._done = True
                self._finish()
                break
            got += n
        return np.frombuffer(out, dtype="<i2").reshape(frames, self.channels)

    def _finish(self) -> None:
        proc = self._proc
        if proc is None:
            return
        code = proc.wait()
        if code != 0:
            self._errors.seek(0)
            reason = last_error_line(self._errors.read())
            self.close()
            raise AudiocoachError(f"playing {self.song.name} failed: {reason}")

    def close(self) -> None:
        proc, self._proc = self._proc, None
        if proc is not None:
            if proc.poll() is None:
                proc.kill()
            with contextlib.suppress(OSError):
                proc.wait()
            if proc.stdout is not None:
                proc.stdout.close()
        self._errors.close()

    def __enter__(self) -> SongDecoder:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
