"""Rendering a program: every track of the chosen weeks, in parallel, incrementally, with playlists.

Each track's *key* is a hash of everything that shapes its audio and tags (the week's routine after
progression, its pace, the voice, the output settings, the tags, audiocoach's version). A manifest
in the output folder records the key each file was made from, so a second run renders only tracks
whose key changed: edit one routine and only its days are redone. Tracks render in worker
processes that share the speech cache (its writes are atomic). Playlists are written only when
every track of the run succeeded, so a failure leaves the previous playlists as they were.
"""

from __future__ import annotations

import hashlib
import json
import multiprocessing
import os
import unicodedata
from collections.abc import Callable, Iterable
from concurrent.futures import Future, ProcessPoolExecutor, as_completed
from concurrent.futures.process import BrokenProcessPool
from dataclasses import asdict, dataclass, field, replace
from pathlib import Path
from typing import Any

from audiocoach import __version__
from audiocoach.atomic import atomic_write_bytes, cleanup_stale_temps
from audiocoach.durations import whole_seconds
from audiocoach.errors import AudiocoachError, InputError, Issue
from audiocoach.pace import resolve
from audiocoach.program import ProgramFile, Track, safe_name
from audiocoach.render import (
    RenderSettings,
    Speakers,
    estimated_timeline,
    make_speaker,
    render_routine,
    song_store,
    track_language,
)
from audiocoach.routine import RoutineFile
from audiocoach.soundtrack import prepare_soundtrack
from audiocoach.speech.registry import SpeechSettings

MANIFEST = "manifest.json"


@dataclass(frozen=True)
class Job:
    """One track to render in a worker (engines are built there: they do not cross processes)."""

    track: Track
    rf: RoutineFile
    out: Path
    key: str
    speech: SpeechSettings
    lang: str | None
    settings: RenderSettings
    #: Estimated length, so parallel runs can start the longest tracks first.
    estimate_ms: int = 0
    #: Synthesis threads in the worker (``None``: every CPU): one when tracks run side by side,
    #: which already keeps the cores busy.
    synth_jobs: int | None = None


@dataclass(frozen=True)
class Done:
    path: Path
    key: str
    duration_ms: int
    title: str
    error: str | None = None
    #: The engine identity that spoke the track (for the manifest).
    identity: str = ""
    #: Where the routine must change, when the real voice made the track impossible to lay out.
    issues: tuple[Issue, ...] = ()


@dataclass
class Outcome:
    rendered: list[Path] = field(default_factory=list)
    skipped: list[Path] = field(default_factory=list)
    failed: list[tuple[Path, str]] = field(default_factory=list)
    #: Failures that are the input's fault, as located messages (exit status 2, not "retry").
    issues: list[Issue] = field(default_factory=list)
    playlists: list[Path] = field(default_factory=list)


def week_dir(out_dir: Path, week: int) -> Path:
    return out_dir / f"week-{week:02d}"


def track_path(out_dir: Path, track: Track) -> Path:
    return week_dir(out_dir, track.week) / f"{track.stem}.mp3"


def track_tags(pf: ProgramFile, track: Track, weeks_total: int) -> dict[str, object]:
    return {
        "title": track.title,
        "album": f"{pf.program.title}, {track.week_name()}",
        "track": track.number,
        "track_total": track.of,
        "disc": track.week,
        "disc_total": weeks_total,
        "artist": "audiocoach",
    }


def track_key(track: Track, speech_identity: str, settings: RenderSettings, music: str = "") -> str:
    """Everything that shapes a track's bytes, hashed (``music``: its songs' digests)."""
    payload = {
        "music": music,
        "version": __version__,
        "routine": track.routine.model_dump(mode="json"),
        "pace": repr(track.pace),
        "speech": speech_identity,
        "settings": {k: repr(v) for k, v in asdict(settings).items()},
        "title": track.title,
    }
    blob = json.dumps(payload, sort_keys=True, default=repr).encode("utf-8")
    return hashlib.sha256(blob).hexdigest()


def _render_job(job: Job) -> Done:
    """Worker: one track, start to finish. Errors come back as text, never as a crash."""
    try:
        job.out.parent.mkdir(parents=True, exist_ok=True)
        rendered = render_routine(
            job.rf,
            job.track.pace,
            Speakers(job.speech, jobs=job.synth_jobs),
            job.out,
            job.settings,
            routine=job.track.routine,
            lang=job.lang,
            day_music=job.track.music,
            warn=_said_before,
        )
        timeline = rendered.timeline
        identity = f"{timeline.engine} {timeline.voice} {timeline.language}"
        return Done(job.out, job.key, timeline.duration_ms, job.track.title, identity=identity)
    except InputError as exc:  # the real voice is longer than the estimate the check used
        week = f"week {job.track.week}: "
        issues = tuple(replace(i, message=week + i.message) for i in exc.issues)
        message = "; ".join(i.message for i in issues) or week + exc.text
        return Done(job.out, job.key, 0, job.track.title, error=message, issues=issues)
    except (AudiocoachError, OSError) as exc:
        return Done(job.out, job.key, 0, job.track.title, error=str(exc) or type(exc).__name__)


def load_manifest(out_dir: Path) -> dict[str, Any]:
    path = out_dir / MANIFEST
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {"tracks": {}}
    if not isinstance(data, dict) or not isinstance(data.get("tracks"), dict):
        return {"tracks": {}}
    return data


def _write_json(path: Path, data: Any) -> None:
    atomic_write_bytes(path, (json.dumps(data, indent=1, ensure_ascii=False) + "\n").encode())


def check_writable(out_dir: Path) -> None:
    try:
        out_dir.mkdir(parents=True, exist_ok=True)
        probe = out_dir / f".audiocoach-probe-{os.getpid()}"
        probe.write_bytes(b"")
        probe.unlink()
    except OSError as exc:
        raise AudiocoachError(f"cannot write to {out_dir}: {exc.strerror or exc}") from None


def check_schedulable(pf: ProgramFile, tracks: Iterable[Track]) -> list[int]:
    """Every track must lay out before any is rendered (so bad input writes nothing).

    Returns each track's estimated length in ms, in order: the estimate is good enough to order
    work by, and comes free with the check.
    """
    issues = []
    lengths: list[int] = []
    seen: set[tuple[int, str]] = set()
    for track in tracks:
        try:
            timeline = estimated_timeline(pf.routines[track.day], track.pace, track.routine)
            lengths.append(timeline.duration_ms)
        except InputError as exc:
            if (track.week, track.day) not in seen:
                seen.add((track.week, track.day))
                week = f"week {track.week}: "
                issues += [replace(i, message=week + i.message) for i in exc.issues]
    if issues:
        raise InputError(issues)
    return lengths


def _said_before(message: str) -> None:
    """A worker's warnings about music: ``check_music`` gave them once, before rendering."""


def check_music(
    pf: ProgramFile,
    tracks: Iterable[Track],
    settings: RenderSettings,
    speech: SpeechSettings,
    warn: Callable[[str], None] | None = None,
) -> dict[str, str]:
    """Every day's music must be usable before any track is rendered (bad input writes nothing).

    Returns, per day, a digest of the songs it plays (for the track keys: new songs in a music
    folder render the day again). Raises ``InputError`` with every problem of every day.
    """
    out: dict[str, str] = {}
    issues: list[Issue] = []
    texts: list[str] = []
    for track in tracks:
        if track.day in out:
            continue
        try:
            soundtrack = prepare_soundtrack(
                pf.routines[track.day],
                settings.music,
                routine=track.routine,
                day=track.music,
                store=song_store(speech),
                warn=warn,
            )
        except InputError as exc:
            issues += exc.issues
            texts += [] if exc.issues else [exc.text]
            out[track.day] = ""
            continue
        out[track.day] = soundtrack.digest() if soundtrack is not None else ""
    if texts:  # --music names one source for every day: say its problems once
        raise InputError(texts[0])
    if issues:
        raise InputError(sorted(set(issues), key=lambda i: (i.file, i.line, i.col)))
    return out


def render_program(
    pf: ProgramFile,
    tracks: list[Track],
    out_dir: Path,
    *,
    speech: SpeechSettings,
    settings: RenderSettings,
    lang: str | None = None,
    jobs: int = 1,
    on_done: Callable[[Done], None] | None = None,
    on_plan: Callable[[int], None] | None = None,
    warn: Callable[[str], None] | None = None,
) -> Outcome:
    """Render what changed, update the manifest and (if all succeeded) the playlists.

    ``warn`` hears of music skipped (a song in a folder too short to crossfade), once.
    """
    lengths = check_schedulable(pf, tracks)
    music = check_music(pf, tracks, settings, speech, warn)
    check_writable(out_dir)
    cleanup_stale_temps(out_dir)
    identities: dict[tuple[str, float], str] = {}
    manifest = load_manifest(out_dir)
    entries: dict[str, Any] = manifest["tracks"]
    weeks_total = pf.program.weeks
    outcome = Outcome()
    todo: list[Job] = []
    for track, length_ms in zip(tracks, lengths, strict=True):
        out = track_path(out_dir, track)
        tags = track_tags(pf, track, weeks_total)
        # every track gets its Podcasting 2.0 chapters file
        job_settings = replace(settings, tags=tags, chapters_json=True)
        if settings.music.shuffle is not None:  # each day its own order, the same on every run
            seed = settings.music.shuffle * 1000 + track.week * 10 + track.number
            job_settings = replace(job_settings, music=replace(settings.music, shuffle=seed))
        voice = (
            track_language(track.routine, lang),
            resolve(track.routine.pace, track.pace).speech_speed,
        )
        if voice not in identities:
            engine = make_speaker(speech, language=voice[0], speed=voice[1]).engine
            identities[voice] = engine.identity()
        identity = identities[voice]
        key = track_key(track, identity, job_settings, music[track.day])
        rel = out.relative_to(out_dir).as_posix()
        entry = entries.get(rel)
        if (
            entry
            and entry.get("key") == key
            and out.is_file()
            and out.stat().st_size == entry.get("bytes")
            and out.with_suffix(".chapters.json").is_file()
        ):
            outcome.skipped.append(out)
            continue
        if out.parent.is_dir():
            cleanup_stale_temps(out.parent)
        rf = pf.routines[track.day]
        synth_jobs = 1 if jobs > 1 else None
        todo.append(Job(track, rf, out, key, speech, lang, job_settings, length_ms, synth_jobs))
    if on_plan:
        on_plan(len(todo))
    results = _run(todo, jobs, on_done)
    for done in results:
        rel = done.path.relative_to(out_dir).as_posix()
        if done.error:
            outcome.failed.append((done.path, done.error))
            outcome.issues.extend(done.issues)
            continue
        job = next(j for j in todo if j.out == done.path)
        entries[rel] = {
            "key": done.key,
            "title": done.title,
            "duration_ms": done.duration_ms,
            "bytes": done.path.stat().st_size,
            "week": job.track.week,
            "day": job.track.day,
            "routine": str(job.track.routine_path),
            "progression": job.track.change.describe(),
            "pace": repr(job.track.pace),
            "speech": done.identity,
            "audiocoach": __version__,
        }
        outcome.rendered.append(done.path)
    manifest["program"] = str(pf.path)
    _write_json(out_dir / MANIFEST, manifest)
    if not outcome.failed:
        outcome.playlists = write_playlists(pf, tracks, out_dir, entries)
    return outcome


def longest_first(todo: list[Job]) -> list[Job]:
    """The order workers take jobs in: longest first, ties in program order.

    Handed out in program order, a week whose long days fall to the same worker leaves the other
    idle at the end (measured: four tracks of 3, 4, 3, 4 stations on two workers ran 4+4 against
    3+3 stations). Longest first keeps the workers' loads within one short track of each other.
    """
    return sorted(todo, key=lambda job: -job.estimate_ms)


def _run(todo: list[Job], jobs: int, on_done: Callable[[Done], None] | None) -> list[Done]:
    results: list[Done] = []
    if not todo:
        return results
    if jobs <= 1 or len(todo) == 1:
        for job in todo:
            done = _render_job(job)
            results.append(done)
            if on_done:
                on_done(done)
        return results
    context = multiprocessing.get_context("spawn")
    with ProcessPoolExecutor(max_workers=min(jobs, len(todo)), mp_context=context) as pool:
        futures: dict[Future[Done], Job] = {}
        broken = False
        try:
            for job in longest_first(todo):
                try:
                    futures[pool.submit(_render_job, job)] = job
                except BrokenProcessPool:  # a worker died while the pool was starting
                    broken = True
                    _finish(_lost(job), results, on_done)
            for future in as_completed(futures):
                try:
                    done = future.result()
                except BrokenProcessPool:  # a worker was killed (out of memory, say)
                    broken = True
                    done = _lost(futures[future])
                _finish(done, results, on_done)
        except BaseException:
            for future in futures:
                future.cancel()
            raise
        finally:
            if broken:
                # The pool is dead. CPython (3.11) can leave a worker it started while breaking
                # running, and leaving this block would then wait for it forever: stop them all.
                for process in list((getattr(pool, "_processes", None) or {}).values()):
                    process.kill()
    return results


def _lost(job: Job) -> Done:
    why = "its worker process died (killed, or out of memory?)"
    return Done(job.out, job.key, 0, job.track.title, error=why)


def _finish(done: Done, results: list[Done], on_done: Callable[[Done], None] | None) -> None:
    results.append(done)
    if on_done:
        on_done(done)


def _one_line(text: str) -> str:
    """A title as one playlist line: a line break in it would start a line a player reads as a
    path (``"Evil\\n../../x.mp3"``), so breaks and other control characters become spaces."""
    return " ".join("".join(" " if unicodedata.category(c) == "Cc" else c for c in text).split())


def _m3u8(title: str, rows: list[tuple[int, str, str]]) -> bytes:
    lines = ["#EXTM3U", f"#PLAYLIST:{_one_line(title)}"]
    for seconds, name, path in rows:
        lines.append(f"#EXTINF:{seconds},{_one_line(name)}")
        lines.append(path)
    return ("\n".join(lines) + "\n").encode("utf-8")


def write_playlists(
    pf: ProgramFile, tracks: list[Track], out_dir: Path, entries: dict[str, Any]
) -> list[Path]:
    """One extended M3U per week and one for the whole run, with relative paths."""
    written: list[Path] = []
    everything: list[tuple[int, str, str]] = []
    for week in sorted({t.week for t in tracks}):
        rows = []
        names = []
        for track in (t for t in tracks if t.week == week):
            out = track_path(out_dir, track)
            rel = out.relative_to(out_dir).as_posix()
            seconds = whole_seconds(entries[rel]["duration_ms"])
            rows.append((seconds, track.title, out.name))
            name = track.week_name()
            names.append(name)
            everything.append((seconds, f"{name[:1].upper()}{name[1:]}, {track.title}", rel))
        # the week in its tracks' language when they share one (days may differ), else English
        named = names[0] if len(set(names)) == 1 else f"week {week}"
        path = week_dir(out_dir, week) / f"week-{week:02d}.m3u8"
        atomic_write_bytes(path, _m3u8(f"{pf.program.title}, {named}", rows))
        written.append(path)
    whole = out_dir / f"{safe_name(pf.program.title)}.m3u8"
    atomic_write_bytes(whole, _m3u8(pf.program.title, everything))
    written.append(whole)
    return written
