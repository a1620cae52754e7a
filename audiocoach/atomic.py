"""Write files so that nobody ever sees half of one.

A render can be interrupted (Ctrl-C, a full disk, ffmpeg failing) and several processes may write
the same cache entry at once. Writing to a temp file in the destination's own directory and
renaming it over the final name makes each write all-or-nothing: readers see the old file or the
new one, never a torn one, and the last writer wins. The temp lives in the same directory because
a rename is only atomic within one filesystem.

Temp files are named ``.{name}.{16 hex}.tmp``: hidden, and with a suffix no one mistakes for output
(a half-written ``workout.mp3`` would be). ``cleanup_stale_temps`` sweeps up the ones a killed
process left behind. The writer holds an advisory lock (``flock``) on its temp for as long as it
writes, and the kernel drops that lock when the process dies however it dies (SIGKILL, a power
button, the laptop's battery), so a temp nobody holds is known to be abandoned the moment its
writer is gone, rather than only after an hour; where there is no ``flock`` (Windows), age decides.
"""

from __future__ import annotations

import os
import re
import secrets
import time
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from pathlib import Path

try:
    import fcntl
except ImportError:  # pragma: no cover - Windows: abandoned temps are told by age alone
    fcntl = None  # type: ignore[assignment]

__all__ = ["atomic_path", "atomic_write_bytes", "cleanup_stale_temps"]

#: Temp files older than this are assumed abandoned (no render takes an hour per file).
STALE_AFTER_S = 3600.0

# Leaves room for ".", ".{16 hex}.tmp" within the usual 255-byte file name limit.
_MAX_NAME_BYTES = 200
_TOKEN_HEX = 16


def _temp_prefix(name: str) -> str:
    """The ``.{name}.`` of a temp name; long names are shortened so the temp can be created."""
    encoded = name.encode("utf-8", "surrogateescape")
    if len(encoded) > _MAX_NAME_BYTES:
        name = encoded[:_MAX_NAME_BYTES].decode("utf-8", "ignore")
    return f".{name}."


def _create_temp(final: Path) -> tuple[Path, int]:
    """A new, empty temp beside ``final`` and an open descriptor holding its lock."""
    prefix = _temp_prefix(final.name)
    while True:
        temp = final.with_name(f"{prefix}{secrets.token_hex(_TOKEN_HEX // 2)}.tmp")
        try:
            # O_EXCL: never reuse another writer's temp. 0o666 lets the umask decide the final
            # permissions, as for any file the user creates (mkstemp would force 0o600).
            fd = os.open(temp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666)
        except FileExistsError:  # pragma: no cover - 64 random bits colliding
            continue
        if _hold(fd, temp):
            return temp, fd
        os.close(fd)  # pragma: no cover - swept between creation and locking: take another name


def _hold(fd: int, temp: Path) -> bool:
    """Lock the new temp as this process's; False if a sweep removed it before the lock held."""
    if fcntl is None:  # pragma: no cover - Windows
        return True
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except OSError:
        return True  # no locks on this filesystem: only age tells abandoned temps there
    try:
        return os.stat(temp).st_ino == os.fstat(fd).st_ino
    except OSError:  # pragma: no cover - swept in that instant
        return False


def _abandoned(path: str) -> bool:
    """Whether no living process holds the temp's lock (its writer died without cleaning up)."""
    if fcntl is None:  # pragma: no cover - Windows
        return False
    try:
        flags = os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_NONBLOCK", 0)
        fd = os.open(path, flags)
    except OSError:
        return False
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except OSError:
        return False  # held: its writer is alive (or locks do not work here)
    finally:
        os.close(fd)  # closing drops the probe's own lock
    return True


def _fsync_file(path: Path) -> None:
    # The temp may have been written by another process (ffmpeg), so sync by path, not by handle.
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _fsync_dir(directory: Path) -> None:
    """Persist the rename itself; best effort, as some platforms cannot open directories."""
    try:
        fd = os.open(directory, os.O_RDONLY)
    except OSError:
        return
    try:
        with suppress(OSError):
            os.fsync(fd)
    finally:
        os.close(fd)


@contextmanager
def atomic_path(final_path: str | os.PathLike[str], *, fsync: bool = True) -> Iterator[Path]:
    """Yield an (empty, existing) temp path to write; on success it replaces ``final_path``.

    Anyone may write the temp path, this process or a child like ffmpeg (which must be told to
    overwrite it). If the block raises anything, KeyboardInterrupt included, the temp is removed and
    an existing ``final_path`` is left untouched. ``fsync=False`` skips flushing to disk, for data
    that is verified when read back (the speech cache) and where a sync per file would cost more
    than the rare loss on power failure.
    """
    final = Path(final_path)
    temp, lock = _create_temp(final)
    try:
        yield temp
        if fsync:
            _fsync_file(temp)
        os.replace(temp, final)
    except BaseException:
        with suppress(OSError):
            temp.unlink()
        raise
    finally:
        os.close(lock)
    if fsync:
        _fsync_dir(final.parent)


def atomic_write_bytes(path: str | os.PathLike[str], data: bytes, *, fsync: bool = True) -> None:
    """Replace ``path`` with ``data`` all at once (see ``atomic_path``)."""
    with atomic_path(path, fsync=fsync) as temp, open(temp, "wb") as f:
        f.write(data)


def cleanup_stale_temps(
    directory: str | os.PathLike[str],
    name: str | None = None,
    *,
    max_age_s: float = STALE_AFTER_S,
) -> int:
    """Remove temps a killed process left for ``name`` (any name if None); return how many.

    A temp goes when no living process holds its lock (its writer died), or, where locks tell
    nothing, once it is older than ``max_age_s``; so a render still writing in another process
    keeps its temp. A missing or unreadable directory simply has nothing to clean.
    """
    if name is None:
        pattern = re.compile(rf"\..+\.[0-9a-f]{{{_TOKEN_HEX}}}\.tmp")
    else:
        pattern = re.compile(re.escape(_temp_prefix(name)) + rf"[0-9a-f]{{{_TOKEN_HEX}}}\.tmp")
    cutoff = time.time() - max_age_s
    removed = 0
    try:
        entries = list(os.scandir(directory))
    except OSError:
        return 0
    for entry in entries:
        if not pattern.fullmatch(entry.name):
            continue
        try:
            if entry.is_file(follow_symlinks=False) and (
                entry.stat().st_mtime < cutoff or _abandoned(entry.path)
            ):
                os.unlink(entry.path)
                removed += 1
        except OSError:
            continue
    return removed
