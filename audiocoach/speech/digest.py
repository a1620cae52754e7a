"""A file's content digest, remembered by the file's metadata so a 63 MB model is not reread.

A Piper engine's identity (and so every cache key of its clips) must change when its model file's
content changes, whatever its name or date. Hashing the bundled model takes about 0.1 s; doing it
on every run, and in every playlist worker, is waste. So a digest is remembered against the
file's path and stat signature (size, mtime and ctime in ns, inode, device), as git's index does:
rewriting the file in place changes its ctime (which no tool can set back), and a copy is another
inode, so a changed file always misses and is hashed again.

A file changed within the last ``SETTLE_S`` seconds is not remembered: a second change in the same
timestamp tick would leave the signature equal (git's "racy" case). Memo entries live in memory for
the process and, if a folder is given, as small JSON files there, written atomically; one that
cannot be read or written is simply not used.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import threading
import time
from pathlib import Path

from audiocoach.atomic import atomic_write_bytes

__all__ = ["SETTLE_S", "file_digest"]

#: A file must have been left alone this long before its digest is remembered.
SETTLE_S = 2.0
_HEX = re.compile(r"[0-9a-f]{64}")
_memo: dict[tuple[str, tuple[int, ...]], str] = {}
_lock = threading.Lock()


def _signature(st: os.stat_result) -> tuple[int, ...]:
    return (st.st_size, st.st_mtime_ns, st.st_ctime_ns, st.st_ino, st.st_dev)


def _hash(path: Path) -> str:
    with open(path, "rb") as f:
        return hashlib.file_digest(f, "sha256").hexdigest()


def _memo_file(memo_dir: Path, path: str) -> Path:
    return (
        memo_dir
        / f"{hashlib.sha256(path.encode('utf-8', 'surrogateescape')).hexdigest()[:32]}.json"
    )


def _read_memo(memo_file: Path, path: str, signature: tuple[int, ...]) -> str | None:
    try:
        entry = json.loads(memo_file.read_text(encoding="utf-8"))
        if entry["path"] == path and tuple(entry["stat"]) == signature:
            digest = entry["sha256"]
            if isinstance(digest, str) and _HEX.fullmatch(digest):
                return digest
    except (OSError, ValueError, KeyError, TypeError):
        pass
    return None


def file_digest(path: Path, memo_dir: Path | None = None) -> str:
    """The sha256 (hex) of ``path``'s content, from memory or ``memo_dir`` when the file is
    unchanged since it was last hashed.

    Raises ``OSError`` if the file cannot be read.
    """
    resolved = str(Path(path).resolve())
    signature = _signature(os.stat(resolved))
    key = (resolved, signature)
    with _lock:
        known = _memo.get(key)
    if known is not None:
        return known
    memo_file = _memo_file(memo_dir, resolved) if memo_dir is not None else None
    if memo_file is not None:
        digest = _read_memo(memo_file, resolved, signature)
        if digest is not None:
            with _lock:
                _memo[key] = digest
            return digest
    digest = _hash(Path(resolved))
    after = os.stat(resolved)
    settled = time.time_ns() - max(after.st_mtime_ns, after.st_ctime_ns) > SETTLE_S * 1e9
    if _signature(after) != signature or not settled:
        return digest  # changed while hashed, or too recently to trust the signature
    with _lock:
        _memo[key] = digest
    if memo_file is not None:
        entry = {"path": resolved, "stat": list(signature), "sha256": digest}
        try:
            memo_file.parent.mkdir(parents=True, exist_ok=True)
            atomic_write_bytes(memo_file, json.dumps(entry).encode("utf-8"), fsync=False)
        except OSError:
            pass  # only a memo: the next run hashes again
    return digest
