"""Faults while writing: the render killed (SIGKILL) at random points, the disk filling up, ffmpeg
failing or missing, the speech engine raising on a phrase.

After every fault the previous output is intact and plays, nothing partial sits under a final name,
temp files are hidden (``.workout.mp3.<hex>.tmp``, never ``*.mp3``) and gone after the next run,
the speech cache holds only valid entries, and the next run succeeds.
"""

from __future__ import annotations

import json
import os
import random
import shutil
import signal
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import pytest
from click.testing import CliRunner
from faultkit import (
    assert_clean_failure,
    cache_report,
    cli_args,
    cli_env,
    decoded_ms,
    fake_ffmpeg,
    file_size_limit,
    kill_group,
    pool_workers,
    run_cli,
    sha,
    start_cli,
    temps_in,
    visible,
    write_routines,
)
from hypothesis import settings
from mutagen.id3 import ID3

from audiocoach.atomic import cleanup_stale_temps
from audiocoach.cli import cli
from audiocoach.errors import AudiocoachError
from audiocoach.ffmpeg import FFMPEG_ENV, ffmpeg_exe
from audiocoach.pace import PaceOptions
from audiocoach.render import Speaker, plan_timeline, render_timeline
from audiocoach.routine import load_routine
from audiocoach.speech.base import Clip
from audiocoach.speech.cache import CachedEngine, SpeechCache
from audiocoach.speech.espeak import EspeakEngine
from audiocoach.tags import read_chapters, read_tags

THOROUGH = settings.default.max_examples >= 1000
#: SIGKILLs per run of the suite: a few by default, many more under HYPOTHESIS_PROFILE=thorough.
KILLS = 24 if THOROUGH else 6
SIDECARS = (".lrc", ".vtt", ".timeline.json")
NAMES = sorted(["workout.mp3", *(f"workout{s}" for s in SIDECARS)])


@dataclass(frozen=True)
class World:
    root: Path
    routines: dict[str, Path]
    cache: Path
    #: the four files of each reference render, by routine: name -> {file name: sha256}
    refs: dict[str, dict[str, str]]
    ref_dirs: dict[str, Path]
    durations: dict[str, int]


def _render_args(routine: Path, out: Path, cache: Path, *extra: str) -> list[str]:
    return [
        "render",
        str(routine),
        "-o",
        str(out),
        "-q",
        "--transcript",
        "--timeline",
        "--cache-dir",
        str(cache),
        "--engine",
        "espeak",
        *extra,
    ]


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory) -> World:
    """Routines A (what was rendered before) and B (the new render), their reference files."""
    root = tmp_path_factory.mktemp("faults")
    routines = write_routines(root / "routines", ["a", "b"])
    cache = root / "cache"
    refs: dict[str, dict[str, str]] = {}
    ref_dirs: dict[str, Path] = {}
    durations: dict[str, int] = {}
    runner = CliRunner()
    for name, routine in routines.items():
        folder = root / f"ref-{name}"
        folder.mkdir()
        result = runner.invoke(cli, _render_args(routine, folder / "workout.mp3", cache))
        assert result.exit_code == 0, result.output
        assert visible(folder) == NAMES
        refs[name] = {n: sha(folder / n) for n in NAMES}
        ref_dirs[name] = folder
        timeline = json.loads((folder / "workout.timeline.json").read_text(encoding="utf-8"))
        durations[name] = timeline["duration_ms"]
    assert refs["a"]["workout.mp3"] != refs["b"]["workout.mp3"]
    return World(root, routines, cache, refs, ref_dirs, durations)


def install(world: World, name: str, folder: Path) -> None:
    """Put routine ``name``'s reference files in ``folder``: what an earlier run left there."""
    folder.mkdir(parents=True, exist_ok=True)
    for file in NAMES:
        shutil.copyfile(world.ref_dirs[name] / file, folder / file)


def origin(world: World, path: Path) -> str:
    """Which render a final file is whole from: "a" (byte for byte the earlier one) or "b".

    A new render is checked for being whole rather than compared byte for byte: espeak-ng varies
    a phrase by a few samples from one synthesis to the next, so a run that synthesized afresh
    writes different (equally good) bytes. Whole means: the MP3 decodes to exactly the length its
    own chapters say, with B's title; the text files parse and end where they should.
    """
    if sha(path) == world.refs["a"][path.name]:
        return "a"
    if path.suffix == ".mp3":
        assert read_tags(path)["TIT2"] == "Reliability B"
        chapters = read_chapters(path)
        assert chapters[-1][0] == "Finish"
        assert abs(decoded_ms(path) - chapters[-1][2]) <= 50, "a truncated MP3"
    elif path.suffix == ".json":
        assert json.loads(path.read_text(encoding="utf-8"))["title"] == "Reliability B"
    else:
        text = path.read_text(encoding="utf-8")
        assert "Reliability B" in text and text.endswith("\n"), "a truncated sidecar"
    return "b"


def state(world: World, folder: Path) -> dict[str, str]:
    """Where each final file comes from; fails on a missing, extra or broken one."""
    assert visible(folder) == NAMES, visible(folder)
    return {name: origin(world, folder / name) for name in NAMES}


def assert_previous_intact(world: World, folder: Path) -> None:
    assert set(state(world, folder).values()) == {"a"}
    assert abs(decoded_ms(folder / "workout.mp3") - world.durations["a"]) <= 50


# --- SIGKILL -----------------------------------------------------------------------------------


def _wait_for(proc: subprocess.Popen[str], ready, timeout: float = 60) -> bool:
    """Poll until ``ready()``; False if the run ended first."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if ready():
            return True
        if proc.poll() is not None:
            return False
        time.sleep(0.002)
    raise AssertionError("the render neither reached the kill point nor ended")


def test_sigkill_at_random_points_never_breaks_the_previous_file(
    world: World, tmp_path: Path
) -> None:
    """Kill ``render`` (SIGKILL, whole process group) at random points in its run.

    Points: during start-up and synthesis (a cold cache, so cache writes are under way), as the
    output's temp appears, while ffmpeg encodes into it, and right after the audio is renamed into
    place (sidecars still to come). After each: every final file is the old one or the new one,
    whole; the cache holds only valid entries; temps are hidden. The next full run removes them.
    """
    out = tmp_path / "out"
    install(world, "a", out)
    rng = random.Random(20_240_601)
    shared_cache = tmp_path / "cache"
    shutil.copytree(world.cache, shared_cache)
    a_mp3 = world.refs["a"]["workout.mp3"]

    def output_temp() -> bool:
        return any(n.startswith(".workout.mp3.") for n in os.listdir(out))

    def replaced() -> bool:
        try:
            return sha(out / "workout.mp3") != a_mp3
        except FileNotFoundError:  # pragma: no cover - never absent: renames replace
            return False

    points = ["start", "cold-cache", "temp", "encoding", "renamed"]
    plan = [points[i % len(points)] for i in range(KILLS)]
    killed: dict[str, int] = {}
    leftovers = 0
    for number, point in enumerate(plan):
        cache = tmp_path / f"cold-{number}" if point in ("start", "cold-cache") else shared_cache
        proc = start_cli(*_render_args(world.routines["b"], out / "workout.mp3", cache), cwd=out)
        if point == "start":
            time.sleep(rng.uniform(0.05, 1.5))
            reached = proc.poll() is None
        elif point == "cold-cache":
            reached = _wait_for(proc, lambda c=cache: any(c.glob("*")))
            time.sleep(rng.uniform(0, 0.05))
        elif point == "temp":
            reached = _wait_for(proc, output_temp)
        elif point == "encoding":
            reached = _wait_for(proc, output_temp)
            time.sleep(rng.uniform(0, 0.3))
        else:
            reached = _wait_for(proc, replaced)
        kill_group(proc)
        if not reached or proc.returncode == 0:
            continue  # it finished first: not a kill
        killed[point] = killed.get(point, 0) + 1
        time.sleep(0.2)  # ffmpeg runs in its own session: let it see the closed pipe and exit
        state(world, out)
        assert [p.name for p in out.glob("*.mp3")] == ["workout.mp3"], "a temp looks like output"
        leftovers += len(temps_in(out))
        for folder in {cache, shared_cache}:
            if folder.is_dir():
                assert cache_report(folder)[1] == [], "a killed run left a corrupt cache entry"
        install(world, "a", out)  # the next kill must again preserve the previous render
    assert sum(killed.values()) >= KILLS - 1, killed  # at most one run outran its kill point

    finished = run_cli(
        *_render_args(world.routines["b"], out / "workout.mp3", shared_cache), cwd=out
    )
    assert finished.returncode == 0, finished.stderr
    assert set(state(world, out).values()) == {"b"}
    assert temps_in(out) == [], "the next run removes what killed runs left"
    assert temps_in(shared_cache) == []
    print(f"\nSIGKILL: {sum(killed.values())} kills {killed}; {leftovers} temps left, all removed")


def _lock_holder(path: Path, then: str) -> subprocess.Popen[str]:
    code = (
        "import os, sys, time\n"
        "from audiocoach.atomic import atomic_path\n"
        f"with atomic_path({str(path)!r}) as temp:\n"
        "    temp.write_bytes(b'half a file')\n"
        "    print(temp.name, flush=True)\n"
        f"    {then}\n"
    )
    return subprocess.Popen(
        [sys.executable, "-c", code], stdout=subprocess.PIPE, text=True, env=cli_env()
    )


def test_a_killed_writers_temp_goes_at_once_a_live_writers_stays(tmp_path: Path) -> None:
    """Temps are told apart by their writer's lock, not their age: no hour-long wait."""
    live = _lock_holder(tmp_path / "live.mp3", "time.sleep(60)")
    dead = _lock_holder(tmp_path / "dead.mp3", "os.kill(os.getpid(), 9)")
    assert live.stdout is not None and dead.stdout is not None
    live_temp, dead_temp = live.stdout.readline().strip(), dead.stdout.readline().strip()
    dead.wait(30)
    try:
        assert sorted(temps_in(tmp_path)) == sorted([live_temp, dead_temp])
        assert cleanup_stale_temps(tmp_path) == 1
        assert temps_in(tmp_path) == [live_temp]
    finally:
        live.kill()
        live.wait(30)
        live.stdout.close()
        dead.stdout.close()
    assert cleanup_stale_temps(tmp_path, "live.mp3") == 1
    assert list(tmp_path.iterdir()) == []


# --- a full disk (RLIMIT_FSIZE) ------------------------------------------------------------------


def _tag_bytes(path: Path) -> int:
    return ID3(path).size


@pytest.mark.parametrize(
    "case", ["no-room", "encoder-killed", "encoder-efbig", "tagging", "cache-only"]
)
def test_a_full_disk_keeps_the_previous_file(world: World, tmp_path: Path, case: str) -> None:
    """Files may grow only so far (RLIMIT_FSIZE in the render's process).

    ``no-room``: nothing can be written at all. ``encoder-killed``: ffmpeg hits the limit and is
    stopped by SIGXFSZ. ``encoder-efbig``: ffmpeg (with SIGXFSZ ignored) gets EFBIG. ``tagging``:
    the audio fits, the tags do not. ``cache-only``: the track fits, big speech clips do not: the
    cache is given up with one warning and the render succeeds.
    """
    out = tmp_path / "out"
    install(world, "a", out)
    b_mp3 = world.ref_dirs["b"] / "workout.mp3"
    env = cli_env()
    cache = tmp_path / "cache"
    shutil.copytree(world.cache, cache)
    extra: list[str] = []
    if case == "no-room":
        limit = 0
    elif case == "encoder-killed":
        limit = 64_000
    elif case == "encoder-efbig":
        limit = 64_000
        wrapper = fake_ffmpeg(tmp_path, "ffmpeg", f'trap "" XFSZ\nexec "{ffmpeg_exe()}" "$@"\n')
        env = cli_env(**{FFMPEG_ENV: str(wrapper)})
    elif case == "tagging":
        size = b_mp3.stat().st_size
        limit = size - _tag_bytes(b_mp3) // 2  # the audio fits; with its tags it does not
    else:
        shutil.rmtree(cache)  # cold: every phrase is synthesized and written to the cache
        limit = 150_000  # a 16 kb/s track fits; clips of two seconds and more do not
        extra = ["--sample-rate", "16000", "--bitrate", "16k"]
    args = _render_args(world.routines["b"], out / "workout.mp3", cache, *extra)
    result = run_cli(*args, cwd=tmp_path, env=env, preexec_fn=file_size_limit(limit))
    if case == "cache-only":
        assert result.returncode == 0, result.stderr
        (warning,) = result.stderr.strip().splitlines()
        assert warning.startswith("warning: speech cache disabled: cannot write to ")
        assert "File too large" in warning
        assert abs(decoded_ms(out / "workout.mp3") - world.durations["b"]) <= 50
        good, bad = cache_report(cache)
        assert good > 0 and bad == [] and temps_in(cache) == []
        assert temps_in(out) == []
        return
    line = assert_clean_failure(result, 1)
    expected = {
        "no-room": "cannot write ",
        "encoder-killed": "ffmpeg was stopped by SIGXFSZ (file size limit exceeded)",
        "encoder-efbig": "File too large",
        "tagging": "cannot tag workout.mp3: [Errno 27] File too large",
    }[case]
    assert expected in line, line
    assert ".tmp" not in line, "the message names the file asked for, not a temp"
    assert_previous_intact(world, out)
    assert temps_in(out) == []
    assert cache_report(cache)[1] == []
    # room again: the next run succeeds
    again = CliRunner().invoke(cli, _render_args(world.routines["b"], out / "workout.mp3", cache))
    assert again.exit_code == 0, again.output
    assert set(state(world, out).values()) == {"b"}


def test_a_program_whose_manifest_cannot_be_written_is_one_line(
    tmp_path: Path, world: World, runner
) -> None:
    """A folder where the manifest should be: one ``error:`` line, not a traceback."""
    (tmp_path / "a.yaml").write_text(world.routines["a"].read_text(), encoding="utf-8")
    program = tmp_path / "week.yaml"
    program.write_text("title: Week\ndays:\n  mon: a.yaml\n", encoding="utf-8")
    out = tmp_path / "out"
    (out / "manifest.json").mkdir(parents=True)
    result = runner.invoke(
        cli,
        [
            "playlist",
            str(program),
            "-o",
            str(out),
            "-q",
            "-j",
            "1",
            "--cache-dir",
            str(world.cache),
            "--engine",
            "espeak",
        ],
    )
    assert result.exit_code == 1, result.output
    assert "Traceback" not in result.output
    (line,) = result.stderr.strip().splitlines()
    assert line == f"error: {out / 'manifest.json'}: Is a directory"


# --- ffmpeg missing or failing -------------------------------------------------------------------

FFMPEGS: dict[str, tuple[str | None, str]] = {
    # name -> (script body, or None for a path set up by the test; what the error line says)
    "missing": (None, "is not an executable ffmpeg"),
    "not-executable": (None, "is not an executable ffmpeg"),
    "a-folder": (None, "is not an executable ffmpeg"),
    "not-a-program": (None, "cannot run ffmpeg: Exec format error"),
    "fails-at-once": ("echo \"Unknown encoder 'libmp3lame'\" >&2\nexit 1\n", "Unknown encoder"),
    "killed-mid-stream": ("head -c 200000 >/dev/null\nkill -9 $$\n", "stopped by SIGKILL"),
    "half-a-file-then-fails": (
        'for last; do :; done\nhead -c 50000 > "$last"\necho "Conversion failed!" >&2\nexit 1\n',
        "Conversion failed!",
    ),
    "succeeds-writing-nothing": ("cat >/dev/null\nexit 0\n", "ffmpeg wrote no audio"),
}


@pytest.mark.parametrize("case", list(FFMPEGS))
def test_a_broken_ffmpeg_keeps_the_previous_file(
    world: World, tmp_path: Path, runner, monkeypatch: pytest.MonkeyPatch, case: str
) -> None:
    body, expected = FFMPEGS[case]
    tools = tmp_path / "tools"
    tools.mkdir()
    if body is not None:
        exe = fake_ffmpeg(tools, "ffmpeg", body)
    elif case == "missing":
        exe = tools / "no-such-ffmpeg"
    elif case == "not-executable":
        exe = tools / "ffmpeg"
        exe.write_bytes(b"#!/bin/sh\nexit 0\n")
        exe.chmod(0o644)
    elif case == "a-folder":
        exe = tools
    else:
        exe = tools / "ffmpeg"
        exe.write_bytes(bytes(range(256)) * 4)
        exe.chmod(0o755)
    out = tmp_path / "out"
    install(world, "a", out)
    monkeypatch.setenv(FFMPEG_ENV, str(exe))
    result = runner.invoke(cli, _render_args(world.routines["b"], out / "workout.mp3", world.cache))
    assert result.exit_code == 1, result.output
    assert "Traceback" not in result.output
    (line,) = result.stderr.strip().splitlines()
    assert line.startswith("error: ") and expected in line, line
    monkeypatch.delenv(FFMPEG_ENV)  # the real ffmpeg again, to check the file and re-render
    assert_previous_intact(world, out)
    assert temps_in(out) == []
    again = runner.invoke(cli, _render_args(world.routines["b"], out / "workout.mp3", world.cache))
    assert again.exit_code == 0, again.output
    assert set(state(world, out).values()) == {"b"}


# --- the speech engine raising on a phrase -------------------------------------------------------


class Flaky:
    """espeak, failing on a chosen phrase or call: a network engine dropping, a voice crashing."""

    name = "espeak"

    def __init__(self, *, phrase: str | None = None, call: int | None = None, error=None) -> None:
        self.inner = EspeakEngine()
        self.phrase, self.call, self.calls = phrase, call, 0
        self.error = error or AudiocoachError("speech engine failed (simulated)")
        self.made: dict[str, Clip] = {}  # text as the engine got it -> the clip it returned
        self.failed: list[str] = []

    def identity(self) -> str:
        return self.inner.identity()

    def synthesize(self, text: str) -> Clip:
        self.calls += 1
        if (self.phrase and self.phrase.lower() in text.lower()) or self.calls == self.call:
            self.failed.append(text)
            raise self.error
        self.made[text] = clip = self.inner.synthesize(text)
        return clip


@pytest.mark.parametrize(
    "flaky",
    [
        pytest.param({"phrase": "Squats"}, id="on-a-phrase"),
        pytest.param({"call": 1}, id="on-the-first-call"),
        pytest.param({"call": 6}, id="on-the-sixth-call"),
        pytest.param(
            {"phrase": "three sets of ten", "error": OSError(5, "I/O error")}, id="os-error"
        ),
    ],
)
@pytest.mark.parametrize("when", ["planning", "rendering"])
def test_an_engine_failing_on_a_phrase_writes_nothing_and_poisons_nothing(
    world: World, tmp_path: Path, flaky: dict, when: str
) -> None:
    """Library API: the failure propagates; the old file, the folder and the cache stay sound.

    ``planning``: the engine fails while the timeline is laid out (the usual place, as clips are
    measured there). ``rendering``: the timeline was planned with another voice and the failing
    one only meets the phrase when the mix asks for clips.
    """
    out = tmp_path / "out"
    install(world, "a", out)
    cache = tmp_path / "cache"
    rf = load_routine(world.routines["b"])
    engine = Flaky(**flaky)
    voice = Speaker(CachedEngine(engine, SpeechCache(cache)))
    with pytest.raises(type(engine.error)):
        if when == "planning":
            timeline = plan_timeline(rf, PaceOptions(), voice.speech_ms)
        else:
            planner = Speaker(CachedEngine(EspeakEngine(), None))
            timeline = plan_timeline(rf, PaceOptions(), planner.speech_ms)
        render_timeline(timeline, voice, out / "workout.mp3")
    assert_previous_intact(world, out)
    assert temps_in(out) == []
    bad = cache_report(cache)[1] if cache.is_dir() else []
    assert bad == [] and temps_in(cache) == []
    # what the engine made before failing is cached, exactly; the phrase it failed on is not
    identity = engine.identity()
    store = SpeechCache(cache)
    assert engine.failed
    assert {text: store.get(identity, text) for text in engine.made} == engine.made
    assert all(store.get(identity, text) is None for text in engine.failed)
    # the engine works again: the render completes
    voice = Speaker(CachedEngine(EspeakEngine(), SpeechCache(cache)))
    timeline = plan_timeline(rf, PaceOptions(), voice.speech_ms)
    render_timeline(timeline, voice, out / "workout.mp3")
    assert origin(world, out / "workout.mp3") == "b"
    assert abs(decoded_ms(out / "workout.mp3") - timeline.duration_ms) <= 50


def test_an_engine_failure_through_the_cli_is_one_line(
    world: World, tmp_path: Path, runner, monkeypatch: pytest.MonkeyPatch
) -> None:
    out = tmp_path / "out"
    install(world, "a", out)
    real = EspeakEngine.synthesize

    def failing(self: EspeakEngine, text: str) -> Clip:
        if "Squats" in text:
            raise AudiocoachError("espeak-ng failed to speak 'Squats' (error 2)")
        return real(self, text)

    monkeypatch.setattr(EspeakEngine, "synthesize", failing)
    result = runner.invoke(cli, _render_args(world.routines["b"], out / "workout.mp3", tmp_path))
    assert result.exit_code == 1, result.output
    assert result.stderr.strip() == "error: espeak-ng failed to speak 'Squats' (error 2)"
    assert_previous_intact(world, out)
    assert temps_in(out) == [] and cache_report(tmp_path)[1] == []


# --- a week rendering in parallel, killed --------------------------------------------------------


def test_a_week_killed_mid_render_finishes_on_the_next_run(
    world: World, tmp_path: Path, runner
) -> None:
    """``playlist -j 2`` killed, workers and all, while its tracks render: every track present
    is whole, and the next run finishes the week, leaves no temps and lists only real tracks."""
    write_routines(tmp_path, ["a", "b", "c", "d"])
    program = tmp_path / "week.yaml"
    program.write_text(
        "title: Week\ndays:\n  mon: a.yaml\n  tue: b.yaml\n  thu: c.yaml\n  sat: d.yaml\n",
        encoding="utf-8",
    )
    out, week = tmp_path / "out", tmp_path / "out" / "week-01"
    cache = tmp_path / "cache"
    shutil.copytree(world.cache, cache)
    args = ["playlist", str(program), "-o", str(out), "-q", "--cache-dir", str(cache)]
    args += ["--engine", "espeak"]
    proc = start_cli(*args, "-j", "2", cwd=tmp_path)
    reached = _wait_for(proc, lambda: week.is_dir() and any(week.iterdir()))
    time.sleep(random.Random(5).uniform(0, 0.5))
    kill_group(proc)
    assert reached, "the run ended before it could be killed"
    time.sleep(0.2)
    for track in week.glob("*.mp3"):  # whatever made it is whole
        chapters = read_chapters(track)
        assert abs(decoded_ms(track) - chapters[-1][2]) <= 50
    assert not list(out.glob("*.m3u8")), "no playlist before every track is done"
    if (out / "manifest.json").exists():
        json.loads((out / "manifest.json").read_text(encoding="utf-8"))

    result = runner.invoke(cli, [*args, "-j", "1"])
    assert result.exit_code == 0, result.output
    assert temps_in(out) == [] and temps_in(week) == [] and temps_in(cache) == []
    tracks = sorted(p.name for p in week.glob("*.mp3"))
    assert len(tracks) == 4
    listed = [
        line
        for line in (week / "week-01.m3u8").read_text(encoding="utf-8").splitlines()
        if not line.startswith("#")
    ]
    assert sorted(listed) == tracks
    manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    for rel, entry in manifest["tracks"].items():
        assert (out / rel).stat().st_size == entry["bytes"]


@pytest.mark.skipif(not Path("/proc/self/task").is_dir(), reason="needs Linux /proc")
@pytest.mark.parametrize("when", ["pool-starting", "tracks-rendering"])
def test_a_worker_killed_mid_week_is_a_failed_track_not_a_traceback(
    world: World, tmp_path: Path, runner, when: str
) -> None:
    """One of ``playlist``'s worker processes is killed (the out-of-memory killer's way): the
    run reports the tracks it lost, one line each, keeps the old playlists, and the next run
    finishes the week. Killed as the pool starts, this once hung the run forever (CPython's
    executor waited for a worker it never stopped) or ended in a traceback from ``submit``."""
    write_routines(tmp_path, ["a", "b", "c", "d"])
    program = tmp_path / "week.yaml"
    program.write_text(
        "title: Week\ndays:\n  mon: a.yaml\n  tue: b.yaml\n  thu: c.yaml\n  sat: d.yaml\n",
        encoding="utf-8",
    )
    out = tmp_path / "out"
    args = ["playlist", program, "-o", out, "-q", "--cache-dir", tmp_path / "cache"]
    args += ["--engine", "espeak"]
    proc = subprocess.Popen(
        cli_args(*args, "-j", "2"),
        cwd=tmp_path,
        env=cli_env(),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    week = out / "week-01"
    if when == "pool-starting":
        assert _wait_for(proc, lambda: bool(pool_workers(proc.pid)))
    else:
        assert _wait_for(proc, lambda: week.is_dir() and any(week.iterdir()))
    workers = pool_workers(proc.pid)
    assert workers, "no pool workers found"
    os.kill(workers[0], signal.SIGKILL)
    try:
        stdout, stderr = proc.communicate(timeout=120)
    finally:
        if proc.poll() is None:  # pragma: no cover - a hang: take it and its workers down
            for pid in [*pool_workers(proc.pid), proc.pid]:
                os.kill(pid, signal.SIGKILL)
            proc.communicate()
    assert proc.returncode == 1, stdout + stderr
    assert "Traceback" not in stdout + stderr
    lines = stderr.strip().splitlines()
    assert lines[-1] == "playlists left as they were; run again to retry the failed tracks"
    assert all(line.startswith("error: ") for line in lines[:-1]) and len(lines) >= 2
    assert any("its worker process died" in line for line in lines)
    assert not list(out.rglob("*.m3u8"))
    again = runner.invoke(cli, [*map(str, args), "-j", "1"])
    assert again.exit_code == 0, again.output
    assert temps_in(week) == [] and len(list(week.glob("*.mp3"))) == 4
