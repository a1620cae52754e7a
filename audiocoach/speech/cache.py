"""A content-addressed cache of spoken phrases, shared by every run and every process.

Re-rendering a routine should not re-synthesize phrases it has said before: with gTTS that is what
lets a routine render offline, and with any engine it makes re-renders near instant. Entries are
keyed by sha256 of (format version, engine identity, text), so changing engine, voice, speed or
the entry format simply misses rather than playing stale audio.

Trust nothing read back: an entry is a small header (magic, format version, sample rate, frame
count, sha256 of the PCM) and the PCM, checked on every read. A truncated, empty or corrupt entry
is a miss: it is deleted and the phrase synthesized again. Writes go through ``atomic_path``, so
several processes rendering at once never see a partial entry (the last writer wins, and all
writers wrote the same audio). A cache that cannot be written is not an error: the run continues
uncached after one warning.
"""

from __future__ import annotations

import hashlib
import json
import os
import struct
import warnings
from collections.abc import Callable
from pathlib import Path

from audiocoach.atomic import atomic_path, cleanup_stale_temps
from audiocoach.speech.base import Clip, Engine

__all__ = ["CACHE_DIR_ENV", "FORMAT_VERSION", "CachedEngine", "SpeechCache", "default_cache_dir"]

#: Bump when the entry layout or the meaning of cached audio changes (e.g. trimming rules).
FORMAT_VERSION = 1
#: Environment variable naming the speech cache directory (same meaning as ``--cache-dir``).
CACHE_DIR_ENV = "AUDIOCOACH_CACHE_DIR"

_MAGIC = b"ACSP"
# magic, format version, reserved, sample rate, frame count, sha256 of the PCM
_HEADER = struct.Struct("<4sHHII32s")
_SUFFIX = ".clip"


def default_cache_dir() -> Path:
    """``$AUDIOCOACH_CACHE_DIR`` if set, else the platform's user cache dir + ``/speech``."""
    override = os.environ.get(CACHE_DIR_ENV, "").strip()
    if override:
        return Path(override).expanduser()
    import platformdirs

    return Path(platformdirs.user_cache_dir("audiocoach", appauthor=False)) / "speech"


def _default_warning(message: str) -> None:
    warnings.warn(message, RuntimeWarning, stacklevel=4)


def _encode(clip: Clip) -> bytes:
    digest = hashlib.sha256(clip.pcm).digest()
    header = _HEADER.pack(_MAGIC, FORMAT_VERSION, 0, clip.sample_rate, clip.frames, digest)
    return header + clip.pcm


def _decode(data: bytes) -> Clip | None:
    if len(data) < _HEADER.size:
        return None
    magic, version, _, rate, frames, digest = _HEADER.unpack_from(data)
    pcm = data[_HEADER.size :]
    if magic != _MAGIC or version != FORMAT_VERSION or rate <= 0 or len(pcm) != frames * 2:
        return None
    if hashlib.sha256(pcm).digest() != digest:
        return None
    return Clip(pcm, rate)


class SpeechCache:
    """Clips on disk under ``directory`` (default: ``default_cache_dir()``).

    Nothing touches the disk until the first read or write. ``on_warning`` receives the single
    line said when the cache has to be disabled (default: ``warnings.warn``).
    """

    def __init__(
        self,
        directory: str | os.PathLike[str] | None = None,
        *,
        on_warning: Callable[[str], None] | None = None,
    ) -> None:
        self.directory = Path(directory).expanduser() if directory else default_cache_dir()
        self._on_warning = on_warning or _default_warning
        self._disabled = False
        self._swept = False

    @property
    def enabled(self) -> bool:
        """False once the cache has been given up on for this run."""
        return not self._disabled

    @staticmethod
    def key(identity: str, text: str) -> str:
        # JSON keeps the fields unambiguous (no separator a text could contain) and encodes any
        # string, lone surrogates included.
        blob = json.dumps([FORMAT_VERSION, identity, text]).encode("ascii")
        return hashlib.sha256(blob).hexdigest()

    def path_for(self, identity: str, text: str) -> Path:
        return self.directory / f"{self.key(identity, text)}{_SUFFIX}"

    def _disable(self, action: str, exc: OSError) -> None:
        if not self._disabled:
            self._disabled = True
            reason = exc.strerror or type(exc).__name__
            self._on_warning(
                f"speech cache disabled: cannot {action} {self.directory} ({reason}); "
                "phrases will be synthesized without caching"
            )

    def get(self, identity: str, text: str) -> Clip | None:
        """The cached clip, or None (a missing or damaged entry; damaged ones are removed)."""
        if self._disabled:
            return None
        if not self._swept:
            # temps of writers that were killed: gone now, even if this run never writes
            self._swept = True
            cleanup_stale_temps(self.directory)
        path = self.path_for(identity, text)
        try:
            with open(path, "rb") as f:
                stat = os.fstat(f.fileno())
                data = f.read()
        except (FileNotFoundError, NotADirectoryError):
            return None
        except OSError as exc:
            self._disable("read", exc)
            return None
        clip = _decode(data)
        if clip is None:
            self._discard(path, stat)
        return clip

    def _discard(self, path: Path, stat: os.stat_result) -> None:
        """Remove a damaged entry, unless another process has meanwhile replaced it."""
        try:
            now = os.stat(path)
            if (now.st_ino, now.st_dev) == (stat.st_ino, stat.st_dev):
                path.unlink()
        except OSError:
            pass

    def put(self, identity: str, text: str, clip: Clip) -> None:
        """Store ``clip``; failures disable the cache with one warning instead of raising."""
        if self._disabled:
            return
        path = self.path_for(identity, text)
        try:
            self.directory.mkdir(parents=True, exist_ok=True)
            if not self._swept:
                self._swept = True
                cleanup_stale_temps(self.directory)
            # No fsync: an entry lost or torn by a power cut fails its checksum and is redone.
            with atomic_path(path, fsync=False) as temp, open(temp, "wb") as f:
                f.write(_encode(clip))
        except OSError as exc:
            self._disable("write to", exc)

    def _entries(self) -> list[os.DirEntry[str]]:
        try:
            return [
                e
                for e in os.scandir(self.directory)
                if e.name.endswith(_SUFFIX) and not e.name.startswith(".")
            ]
        except OSError:
            return []

    def stats(self) -> tuple[int, int]:
        """(entries, bytes) on disk."""
        count = size = 0
        for entry in self._entries():
            try:
                size += entry.stat(follow_symlinks=False).st_size
                count += 1
            except OSError:
                continue
        return count, size

    def clear(self) -> int:
        """Delete every entry (and abandoned temps); return how many entries went."""
        removed = 0
        for entry in self._entries():
            try:
                os.unlink(entry.path)
                removed += 1
            except OSError:
                continue
        cleanup_stale_temps(self.directory)
        return removed


class CachedEngine:
    """An engine that asks the cache first and remembers every clip of this run in memory.

    It is itself an ``Engine`` with the wrapped engine's name and identity, so the renderer need
    not know whether caching is on. ``synth_calls`` counts real synthesis: a warm re-render must
    leave it at zero. ``cache=None`` keeps only the in-memory memo (``--no-cache``).
    """

    def __init__(self, engine: Engine, cache: SpeechCache | None) -> None:
        self.engine = engine
        self.cache = cache
        self.name = engine.name
        #: What speaks, passed through for the timeline (``Engine.voice``, ``Engine.language``).
        self.voice = str(getattr(engine, "voice", "") or "")
        self.language = str(getattr(engine, "language", "") or "")
        self.synth_calls = 0
        self.disk_hits = 0
        self._identity: str | None = None
        self._memo: dict[str, Clip] = {}

    def identity(self) -> str:
        if self._identity is None:
            self._identity = self.engine.identity()
        return self._identity

    def synthesize(self, text: str) -> Clip:
        clip = self._memo.get(text)
        if clip is not None:
            return clip
        identity = self.identity()
        clip = self.cache.get(identity, text) if self.cache is not None else None
        if clip is None:
            self.synth_calls += 1
            clip = self.engine.synthesize(text)
            if self.cache is not None:
                self.cache.put(identity, text, clip)
        else:
            self.disk_hits += 1
        self._memo[text] = clip
        return clip
