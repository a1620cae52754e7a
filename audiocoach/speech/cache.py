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

Beside each clip (``KEY.clip``) lies its loudness analysis (``KEY.analysis``): what the gain plan
works out from the clip alone (``loudness.clipstats.SpeechAnalysis``), made once when the clip is
synthesized, so a warm render goes from reading clips to mixing without analysing any. It is a
file of its own, so the clip's format and key stay as they were (a cache filled before keeps its
clips) and an analysis made by other code is replaced without touching its clip. Its header binds
it to one clip (the sha256 of that clip's PCM: an engine whose output varies may have had another
process replace the clip since) and checksums it; the analysis inside carries its own version and
the fingerprint of the code that made it. Anything that does not match is recomputed, never
trusted: a damaged, old or foreign analysis costs one analysis, never a synthesis.
"""

from __future__ import annotations

import hashlib
import json
import os
import struct
import warnings
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

from audiocoach.atomic import atomic_path, cleanup_stale_temps
from audiocoach.speech.base import SAMPLE_RATE, Clip, Engine

if TYPE_CHECKING:
    from audiocoach.loudness.clipstats import SpeechAnalysis

__all__ = [
    "ANALYSIS_SUFFIX",
    "CACHE_DIR_ENV",
    "FORMAT_VERSION",
    "CachedEngine",
    "SpeechCache",
    "default_cache_dir",
]

#: Bump when the entry layout or the meaning of cached audio changes (e.g. trimming rules).
FORMAT_VERSION = 1
#: Environment variable naming the speech cache directory (same meaning as ``--cache-dir``).
CACHE_DIR_ENV = "AUDIOCOACH_CACHE_DIR"

_MAGIC = b"ACSP"
# magic, format version, reserved, sample rate, frame count, sha256 of the PCM
_HEADER = struct.Struct("<4sHHII32s")
_SUFFIX = ".clip"
#: The analysis beside each clip: ``_ANALYSIS_HEADER`` then the analysis's own bytes.
ANALYSIS_SUFFIX = ".analysis"
_ANALYSIS_MAGIC = b"ACAN"
# magic, layout version, reserved, sha256 of the clip's PCM, sha256 of the analysis bytes
_ANALYSIS_HEADER = struct.Struct("<4sHH32s32s")
_ANALYSIS_LAYOUT = 1
#: Files kept beside the clips and cleared with them: their analyses, and the music's
#: measurements (``music.SongStore`` keeps them in the same folder).
_BESIDE = (ANALYSIS_SUFFIX, ".song")


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
    entry = _decode_entry(data)
    return None if entry is None else entry[0]


def _decode_entry(data: bytes) -> tuple[Clip, bytes] | None:
    """The clip of an entry and the sha256 of its PCM (checked), or None if damaged."""
    if len(data) < _HEADER.size:
        return None
    magic, version, _, rate, frames, digest = _HEADER.unpack_from(data)
    pcm = data[_HEADER.size :]
    if magic != _MAGIC or version != FORMAT_VERSION or rate <= 0 or len(pcm) != frames * 2:
        return None
    if hashlib.sha256(pcm).digest() != digest:
        return None
    return Clip(pcm, rate), digest


def _encode_analysis(pcm_digest: bytes, analysis: bytes) -> bytes:
    checksum = hashlib.sha256(analysis).digest()
    header = _ANALYSIS_HEADER.pack(_ANALYSIS_MAGIC, _ANALYSIS_LAYOUT, 0, pcm_digest, checksum)
    return header + analysis


def _decode_analysis(data: bytes, pcm_digest: bytes) -> bytes | None:
    """The analysis bytes of an entry if it is intact and belongs to the clip ``pcm_digest``."""
    if len(data) < _ANALYSIS_HEADER.size:
        return None
    magic, layout, _, of_clip, checksum = _ANALYSIS_HEADER.unpack_from(data)
    body = data[_ANALYSIS_HEADER.size :]
    if magic != _ANALYSIS_MAGIC or layout != _ANALYSIS_LAYOUT or of_clip != pcm_digest:
        return None
    if hashlib.sha256(body).digest() != checksum:
        return None
    return body


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

    def analysis_path_for(self, identity: str, text: str) -> Path:
        return self.directory / f"{self.key(identity, text)}{ANALYSIS_SUFFIX}"

    def _disable(self, action: str, exc: OSError) -> None:
        if not self._disabled:
            self._disabled = True
            reason = exc.strerror or type(exc).__name__
            self._on_warning(
                f"speech cache disabled: cannot {action} {self.directory} ({reason}); "
                "phrases will be synthesized without caching"
            )

    def _read(self, path: Path) -> tuple[bytes, os.stat_result] | None:
        """A file's bytes and identity (None: not there, or the cache just got disabled)."""
        if self._disabled:
            return None
        if not self._swept:
            # temps of writers that were killed: gone now, even if this run never writes
            self._swept = True
            cleanup_stale_temps(self.directory)
        try:
            with open(path, "rb") as f:
                stat = os.fstat(f.fileno())
                return f.read(), stat
        except (FileNotFoundError, NotADirectoryError):
            return None
        except OSError as exc:
            self._disable("read", exc)
            return None

    def get(self, identity: str, text: str) -> Clip | None:
        """The cached clip, or None (a missing or damaged entry; damaged ones are removed)."""
        found = self._get_entry(identity, text)
        return None if found is None else found[0]

    def lookup(self, identity: str, text: str) -> tuple[Clip, bytes | None] | None:
        """The cached clip and the analysis stored beside it, or None if the clip is not cached.

        The analysis is None when there is none, or when it is damaged or belongs to another
        clip (such an analysis file is removed); whether its contents are of this version is for
        the reader (``SpeechAnalysis.from_bytes``) to say.
        """
        found = self._get_entry(identity, text)
        if found is None:
            return None
        clip, digest = found
        path = self.analysis_path_for(identity, text)
        read = self._read(path)
        if read is None:
            return clip, None
        analysis = _decode_analysis(read[0], digest)
        if analysis is None:
            self._discard(path, read[1])
        return clip, analysis

    def _get_entry(self, identity: str, text: str) -> tuple[Clip, bytes] | None:
        path = self.path_for(identity, text)
        read = self._read(path)
        if read is None:
            return None
        entry = _decode_entry(read[0])
        if entry is None:
            self._discard(path, read[1])
        return entry

    def _discard(self, path: Path, stat: os.stat_result) -> None:
        """Remove a damaged entry, unless another process has meanwhile replaced it."""
        try:
            now = os.stat(path)
            if (now.st_ino, now.st_dev) == (stat.st_ino, stat.st_dev):
                path.unlink()
        except OSError:
            pass

    def put(self, identity: str, text: str, clip: Clip, analysis: bytes | None = None) -> None:
        """Store ``clip`` (and its ``analysis`` beside it); failures disable the cache with one
        warning instead of raising."""
        self._write(self.path_for(identity, text), _encode(clip))
        if analysis is not None:
            digest = hashlib.sha256(clip.pcm).digest()
            self._write(self.analysis_path_for(identity, text), _encode_analysis(digest, analysis))

    def put_analysis(self, identity: str, text: str, clip: Clip, analysis: bytes) -> None:
        """Store (or replace) the analysis of the cached ``clip``, bound to exactly that clip."""
        digest = hashlib.sha256(clip.pcm).digest()
        self._write(self.analysis_path_for(identity, text), _encode_analysis(digest, analysis))

    def _write(self, path: Path, data: bytes) -> None:
        if self._disabled:
            return
        try:
            self.directory.mkdir(parents=True, exist_ok=True)
            if not self._swept:
                self._swept = True
                cleanup_stale_temps(self.directory)
            # No fsync: an entry lost or torn by a power cut fails its checksum and is redone.
            with atomic_path(path, fsync=False) as temp, open(temp, "wb") as f:
                f.write(data)
        except OSError as exc:
            self._disable("write to", exc)

    def _entries(self, suffixes: tuple[str, ...] = (_SUFFIX,)) -> list[os.DirEntry[str]]:
        try:
            return [
                e
                for e in os.scandir(self.directory)
                if e.name.endswith(suffixes) and not e.name.startswith(".")
            ]
        except OSError:
            return []

    def stats(self) -> tuple[int, int]:
        """(entries, bytes) on disk: the clips, and the bytes of everything the cache keeps."""
        count = size = 0
        for entry in self._entries((_SUFFIX, *_BESIDE)):
            try:
                size += entry.stat(follow_symlinks=False).st_size
                count += entry.name.endswith(_SUFFIX)
            except OSError:
                continue
        return count, size

    def clear(self) -> int:
        """Delete every entry, what is kept beside them and abandoned temps; return how many
        clips went."""
        removed = 0
        for entry in self._entries((_SUFFIX, *_BESIDE)):
            try:
                os.unlink(entry.path)
                removed += entry.name.endswith(_SUFFIX)
            except OSError:
                continue
        cleanup_stale_temps(self.directory)
        return removed


class CachedEngine:
    """An engine that asks the cache first and remembers every clip of this run in memory.

    It is itself an ``Engine`` with the wrapped engine's name and identity, so the renderer need
    not know whether caching is on. ``synth_calls`` counts real synthesis: a warm re-render must
    leave it at zero. ``cache=None`` keeps only the in-memory memo (``--no-cache``).

    With a cache, every clip comes with its loudness analysis: made right after synthesis (so
    wherever clips are synthesized, in parallel workers too, their analyses are made there) and
    stored beside the clip, or read back with it; an analysis that is missing, damaged or made by
    other code is made again and stored. Each is handed to ``loudness.clipstats.remember``, where
    the gain plan finds it by the clip's content. ``analyses_made`` counts the analyses made.
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
        self.analyses_made = 0
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
        if self.cache is None:
            self.synth_calls += 1
            clip = self.engine.synthesize(text)  # the plan analyses it when it needs to
        else:
            clip = self._through_cache(self.cache, text)
        self._memo[text] = clip
        return clip

    def _through_cache(self, cache: SpeechCache, text: str) -> Clip:
        # imported here: the loudness package (numpy, tones) is not needed to look at a cache
        from audiocoach.loudness.clipstats import SpeechAnalysis, analyse_speech, remember

        identity = self.identity()
        found = cache.lookup(identity, text)
        if found is None:
            self.synth_calls += 1
            clip = self.engine.synthesize(text)
            analysis = self._analyse(clip, analyse_speech)
            cache.put(identity, text, clip, None if analysis is None else analysis.to_bytes())
        else:
            self.disk_hits += 1
            clip, stored = found
            analysis = None if stored is None else SpeechAnalysis.from_bytes(stored, clip.frames)
            if analysis is None:
                analysis = self._analyse(clip, analyse_speech)
                if analysis is not None:
                    cache.put_analysis(identity, text, clip, analysis.to_bytes())
        if analysis is not None:
            remember(clip, analysis)
        return clip

    def _analyse(
        self, clip: Clip, analyse: Callable[[Clip], SpeechAnalysis]
    ) -> SpeechAnalysis | None:
        """The clip's analysis, or None for a clip not at the mix rate (the plan refuses it)."""
        if clip.sample_rate != SAMPLE_RATE:
            return None
        self.analyses_made += 1
        return analyse(clip)
