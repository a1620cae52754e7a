"""Tools shared by the reliability tests: the CLI run as a real process, the faults injected into
it (SIGKILL, a file-size limit standing in for a full disk, file permissions that bind even root,
a broken ffmpeg), and the checks on what a run leaves behind.

Faults that end a process (SIGKILL, SIGXFSZ) or limit one (RLIMIT_FSIZE) need a process of their
own, so these tests run ``python -m audiocoach`` rather than click's in-process runner.
"""

from __future__ import annotations

import contextlib
import ctypes
import hashlib
import os
import resource
import signal
import subprocess
import sys
import textwrap
from collections.abc import Callable, Iterable
from pathlib import Path

from audiocoach.ffmpeg import FFMPEG_ENV, decode_pcm
from audiocoach.speech.cache import CACHE_DIR_ENV, _decode

#: Routines kept short (30-40 s of audio) so a render takes well under a second of work; they
#: share phrases ("Plank", "Keep your back flat.") so parallel renders meet in the speech cache.
ROUTINE_A = """\
title: Reliability A
blocks:
  - exercise: Plank
    duration: 8s
    cues: [Keep your back flat.]
  - exercise: Rows
    reps: 3
    tempo: 1.5s
"""
ROUTINE_B = """\
title: Reliability B
blocks:
  - exercise: Plank
    duration: 10s
    cues: [Keep your back flat.]
  - exercise: Squats
    reps: 3
    tempo: 2s
    goal: 3x10 over the week
"""
ROUTINE_C = """\
title: Reliability C
blocks:
  - exercise: Rows
    reps: 4
    tempo: 1.5s
  - exercise: Side plank
    duration: 6s
    cues: [Keep your back flat.]
"""
ROUTINE_D = """\
title: Reliability D
blocks:
  - exercise: Squats
    reps: 3
    tempo: 2s
  - exercise: Plank
    duration: 7s
    goal: Walk 15 yards after
"""
ROUTINES = {"a": ROUTINE_A, "b": ROUTINE_B, "c": ROUTINE_C, "d": ROUTINE_D}


def write_routines(folder: Path, names: Iterable[str] = ROUTINES) -> dict[str, Path]:
    folder.mkdir(parents=True, exist_ok=True)
    paths = {}
    for name in names:
        path = folder / f"{name}.yaml"
        path.write_text(textwrap.dedent(ROUTINES[name]), encoding="utf-8")
        paths[name] = path
    return paths


# --- running the CLI as a process ----------------------------------------------------------------


def cli_env(**extra: str) -> dict[str, str]:
    """The environment of a CLI run: no inherited cache or ffmpeg override unless given."""
    env = {k: v for k, v in os.environ.items() if k not in (CACHE_DIR_ENV, FFMPEG_ENV)}
    env.update(extra)
    return env


def cli_args(*args: str | os.PathLike[str]) -> list[str]:
    return [sys.executable, "-m", "audiocoach", *map(os.fspath, args)]


def run_cli(
    *args: str | os.PathLike[str],
    cwd: Path,
    env: dict[str, str] | None = None,
    preexec_fn: Callable[[], None] | None = None,
    timeout: float = 120,
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        cli_args(*args),
        cwd=cwd,
        env=env or cli_env(),
        preexec_fn=preexec_fn,
        capture_output=True,
        text=True,
        timeout=timeout,
    )


def start_cli(
    *args: str | os.PathLike[str], cwd: Path, env: dict[str, str] | None = None
) -> subprocess.Popen[str]:
    """A CLI run in its own process group, so a kill can take it with every worker it started."""
    return subprocess.Popen(
        cli_args(*args),
        cwd=cwd,
        env=env or cli_env(),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
        start_new_session=True,
    )


def kill_group(proc: subprocess.Popen[str]) -> None:
    """SIGKILL the run and everything in its group: the laptop's lid closing on a dead battery."""
    with contextlib.suppress(ProcessLookupError):
        os.killpg(proc.pid, signal.SIGKILL)
    proc.wait(30)
    if proc.stderr is not None:
        proc.stderr.close()


def file_size_limit(limit: int) -> Callable[[], None]:
    """A ``preexec_fn``: files may grow to ``limit`` bytes, like a disk with that much room left.

    SIGXFSZ is ignored so an oversized write fails with EFBIG, which the program must report. (A
    child the program starts gets SIGXFSZ back at its default: Python's ``subprocess`` restores
    it, so ffmpeg is stopped by the signal, unless a wrapper ignores it again.)
    """

    def limit_writes() -> None:
        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
        resource.setrlimit(resource.RLIMIT_FSIZE, (limit, limit))

    return limit_writes


_PR_CAPBSET_DROP = 24
# CAP_DAC_OVERRIDE, CAP_DAC_READ_SEARCH, CAP_FOWNER: what lets root ignore file permissions
_PERMISSION_CAPS = (1, 2, 3)


def _drop_permission_override() -> None:
    libc = ctypes.CDLL(None, use_errno=True)
    for cap in _PERMISSION_CAPS:
        if libc.prctl(_PR_CAPBSET_DROP, cap, 0, 0, 0) != 0:
            raise OSError(ctypes.get_errno(), "prctl(PR_CAPBSET_DROP)")


def permissions_bind() -> Callable[[], None] | str | None:
    """A ``preexec_fn`` under which file permissions bind this process's children.

    Not root: none is needed (returns None). Root: capabilities that bypass permissions are
    dropped from the bounding set, so the exec'd child lacks them; returns a reason string if that
    is impossible here (the caller skips).
    """
    if os.geteuid() != 0:
        return None
    probe = subprocess.run(
        ["sh", "-c", "grep CapEff /proc/self/status"],
        preexec_fn=_drop_permission_override,
        capture_output=True,
        text=True,
        check=False,
    )
    if probe.returncode != 0:
        return f"cannot drop root's permission override here: {probe.stderr.strip()}"
    return _drop_permission_override


def fake_ffmpeg(folder: Path, name: str, body: str) -> Path:
    """An executable shell script standing in for ffmpeg (via AUDIOCOACH_FFMPEG)."""
    path = folder / name
    path.write_text("#!/bin/sh\n" + textwrap.dedent(body), encoding="utf-8")
    path.chmod(0o755)
    return path


# --- checks on what a run leaves behind -----------------------------------------------------------


def assert_clean_failure(result: subprocess.CompletedProcess[str], code: int = 1) -> str:
    """Exit ``code``, no traceback, exactly one ``error:`` line (warnings allowed); returns it."""
    output = result.stdout + result.stderr
    assert result.returncode == code, output
    assert "Traceback" not in output, output
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    errors = [line for line in lines if line.startswith("error: ")]
    stray = [line for line in lines if not line.startswith(("error: ", "warning: "))]
    assert len(errors) == 1 and not stray, result.stderr
    return errors[0]


def temps_in(folder: Path) -> list[str]:
    """Temp files (``.name.<16 hex>.tmp``) in ``folder``."""
    if not folder.is_dir():
        return []
    return sorted(p.name for p in folder.iterdir() if p.name.startswith(".") and ".tmp" in p.name)


def visible(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir() if not p.name.startswith("."))


def sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def decoded_ms(path: Path) -> float:
    samples, rate = decode_pcm(path)
    return len(samples) * 1000 / rate


def cache_report(cache_dir: Path) -> tuple[int, list[str]]:
    """(valid entries, names of entries that fail their checks) in a speech cache folder."""
    good, bad = 0, []
    for entry in sorted(cache_dir.glob("*.clip")):
        if _decode(entry.read_bytes()) is None:
            bad.append(entry.name)
        else:
            good += 1
    return good, bad


# --- processes for the cache tests (library API, so they can report what they used) --------------


class RecordingEngine:
    """Wraps an engine and notes the sha256 of every clip it really synthesized, by text."""

    def __init__(self, inner) -> None:  # type: ignore[no-untyped-def]
        self.inner = inner
        self.name = inner.name
        self.made: list[tuple[str, str]] = []

    def identity(self) -> str:
        return self.inner.identity()

    def synthesize(self, text: str):  # type: ignore[no-untyped-def]
        clip = self.inner.synthesize(text)
        self.made.append((text, hashlib.sha256(clip.pcm).hexdigest()))
        return clip


def render_worker(routine: str, out: str, cache: str, log: str, ready, go) -> None:  # type: ignore[no-untyped-def]
    """One of several processes rendering through one shared speech cache.

    Says it is ``ready`` and waits for ``go`` so the processes really overlap, renders
    ``routine`` to ``out`` with real espeak-ng and ffmpeg, then writes to ``log`` (JSON) what it
    synthesized,
    which clip it mixed for each phrase (sha256 of the PCM, by spoken text) and its timeline's
    length. The parent checks that every clip mixed is one some process genuinely synthesized.
    """
    import json

    from audiocoach.pace import PaceOptions
    from audiocoach.render import Speaker, plan_timeline, render_timeline
    from audiocoach.routine import load_routine
    from audiocoach.speech.cache import CachedEngine, SpeechCache
    from audiocoach.speech.espeak import EspeakEngine
    from audiocoach.speech.text import speakable

    warnings: list[str] = []
    engine = RecordingEngine(EspeakEngine())
    cached = CachedEngine(engine, SpeechCache(cache, on_warning=warnings.append))
    voice = Speaker(cached)
    rf = load_routine(routine)
    ready.put(os.getpid())
    go.wait(120)
    timeline = plan_timeline(rf, PaceOptions(), voice.speech_ms)
    render_timeline(timeline, voice, Path(out))
    used = {
        speakable(text): hashlib.sha256(clip.pcm).hexdigest()
        for text, clip in voice.clips_for(timeline).items()
        if speakable(text)
    }
    report = {
        "made": engine.made,
        "used": used,
        "duration_ms": timeline.duration_ms,
        "disk_hits": cached.disk_hits,
        "warnings": warnings,
    }
    Path(log).write_text(json.dumps(report), encoding="utf-8")


def corrupter(cache: str, stop: str, log: str, seed: int) -> None:
    """Damage cache entries in place, as fast as it can, until the file ``stop`` appears.

    Each round picks an entry and flips a byte of its PCM or header, truncates it, empties it or
    overwrites it with junk: a failing disk, a sync tool, another program. Writes ``log`` (JSON)
    with how many entries it damaged, by kind.
    """
    import json
    import random
    import time

    rng = random.Random(seed)
    done: dict[str, int] = {}
    kinds = ("flip-pcm", "flip-header", "truncate", "empty", "junk")
    while not os.path.exists(stop):
        entries = list(Path(cache).glob("*.clip"))
        if not entries:
            time.sleep(0.001)
            continue
        entry = rng.choice(entries)
        kind = rng.choice(kinds)
        try:
            with open(entry, "r+b") as f:
                data = f.read()
                if len(data) < 64:
                    continue
                if kind == "flip-pcm":
                    at = rng.randrange(48, len(data))
                    f.seek(at)
                    f.write(bytes([data[at] ^ (1 << rng.randrange(8))]))
                elif kind == "flip-header":
                    at = rng.randrange(0, 48)
                    f.seek(at)
                    f.write(bytes([data[at] ^ 0xFF]))
                elif kind == "truncate":
                    f.truncate(rng.randrange(1, len(data)))
                elif kind == "empty":
                    f.truncate(0)
                else:
                    f.seek(0)
                    f.write(rng.randbytes(min(len(data), 4096)))
        except OSError:
            continue  # replaced or removed meanwhile
        done[kind] = done.get(kind, 0) + 1
        time.sleep(rng.uniform(0.002, 0.01))
    Path(log).write_text(json.dumps(done), encoding="utf-8")


def damage(entry: Path, kind: str) -> None:
    """One kind of damage to one cache entry (the header is 48 bytes)."""
    data = entry.read_bytes()
    if kind == "truncate":
        data = data[: len(data) // 2]
    elif kind == "empty":
        data = b""
    elif kind == "flip-pcm":
        data = data[:-100] + bytes([data[-100] ^ 0x10]) + data[-99:]
    elif kind == "flip-header":
        data = data[:20] + bytes([data[20] ^ 0x01]) + data[21:]
    elif kind == "header-only":
        data = data[:48]
    elif kind == "appended":
        data = data + b"\0\0"
    else:
        raise ValueError(kind)
    entry.write_bytes(data)


DAMAGE = ("truncate", "empty", "flip-pcm", "flip-header", "header-only", "appended")


def pool_workers(pid: int) -> list[int]:
    """The process-pool workers among ``pid``'s children (Linux /proc), by their command line."""
    found = []
    for task in Path(f"/proc/{pid}/task").glob("*"):
        try:
            kids = (task / "children").read_text().split()
        except OSError:
            continue
        for kid in map(int, kids):
            try:
                if b"spawn_main" in Path(f"/proc/{kid}/cmdline").read_bytes():
                    found.append(kid)
            except OSError:
                continue
    return found
