"""Cache integrity: several processes render routines that share phrases through one speech
cache, with entries damaged before and during their renders, and with a cache they may not write.

A damaged entry (truncated, emptied, flipped bytes) fails its checksum, is re-synthesized and
replaced; a cache that cannot be written is dropped with one warning; and no process ever mixes a
clip into a track that is not one some process genuinely synthesized.

espeak-ng varies a phrase by a few samples from one synthesis to the next, so "genuine" is checked
by provenance, not by comparison with a fresh synthesis: every process logs the sha256 of each
clip it synthesized and of each clip it mixed, and every clip mixed must be one of those (or an
entry that was genuine before the run began).
"""

from __future__ import annotations

import json
import multiprocessing
import shutil
import subprocess
import sys
from collections import defaultdict
from pathlib import Path

import pytest
from faultkit import (
    DAMAGE,
    ROUTINES,
    cache_report,
    cli_args,
    cli_env,
    corrupter,
    damage,
    decoded_ms,
    permissions_bind,
    render_worker,
    run_cli,
    temps_in,
    write_routines,
)

from audiocoach.pace import PaceOptions
from audiocoach.render import Speaker, estimated_timeline, plan_timeline
from audiocoach.routine import load_routine
from audiocoach.speech.cache import ANALYSIS_SUFFIX, CachedEngine, SpeechCache, _decode
from audiocoach.speech.espeak import EspeakEngine
from audiocoach.speech.text import speakable
from audiocoach.timeline import Timeline

# fork where there is one: the workers start with audiocoach already imported (a second saved each)
SPAWN = multiprocessing.get_context("fork" if sys.platform.startswith("linux") else "spawn")
WORKERS = len(ROUTINES)


@pytest.fixture(scope="module")
def routines(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    return write_routines(tmp_path_factory.mktemp("routines"))


@pytest.fixture(scope="module")
def identity() -> str:
    return EspeakEngine().identity()


def run_workers(
    routines: dict[str, Path], cache: Path, folder: Path, *, corrupting: bool = False
) -> tuple[dict[str, dict], dict[str, int]]:
    """Render every routine at once, one process each (plus a corrupter if asked); their reports."""
    folder.mkdir(parents=True, exist_ok=True)
    ready, go = SPAWN.Queue(), SPAWN.Event()
    procs = {
        name: SPAWN.Process(
            target=render_worker,
            args=(
                str(path),
                str(folder / f"{name}.mp3"),
                str(cache),
                str(folder / f"{name}.json"),
                ready,
                go,
            ),
        )
        for name, path in routines.items()
    }
    stop = folder / "stop"
    vandal = None
    if corrupting:
        vandal = SPAWN.Process(target=corrupter, args=(str(cache), str(stop), str(folder / "x"), 7))
        vandal.start()
    for proc in procs.values():
        proc.start()
    try:
        for _ in procs:
            ready.get(timeout=120)
        go.set()  # all loaded: from here they render at the same time
        for proc in procs.values():
            proc.join(120)
    finally:
        stop.touch()
        if vandal is not None:
            vandal.join(60)
        for proc in procs.values():
            if proc.is_alive():  # pragma: no cover - a hung worker
                proc.kill()
    assert {n: p.exitcode for n, p in procs.items()} == dict.fromkeys(procs, 0)
    reports = {n: json.loads((folder / f"{n}.json").read_text()) for n in procs}
    for name, report in reports.items():
        assert report["warnings"] == [], report["warnings"]
        assert abs(decoded_ms(folder / f"{name}.mp3") - report["duration_ms"]) <= 50
    vandalism = json.loads((folder / "x").read_text()) if corrupting else {}
    return reports, vandalism


def genuine(reports: dict[str, dict]) -> dict[str, set[str]]:
    """Every clip any process synthesized: spoken text -> sha256s."""
    made: dict[str, set[str]] = defaultdict(set)
    for report in reports.values():
        for text, digest in report["made"]:
            made[text].add(digest)
    return made


def assert_only_genuine_clips_mixed(reports: dict[str, dict], allowed: dict[str, set[str]]) -> int:
    """Every clip every process mixed is in ``allowed``; returns how many were checked."""
    checked = 0
    for name, report in reports.items():
        for text, digest in report["used"].items():
            assert digest in allowed.get(text, set()), f"{name} mixed a clip no one made: {text!r}"
            checked += 1
    return checked


def entries_by_text(cache: Path, identity: str, texts) -> dict[str, str | None]:  # type: ignore[no-untyped-def]
    """The sha256 of each phrase's cache entry (None if missing or damaged)."""
    import hashlib

    out: dict[str, str | None] = {}
    for text in texts:
        path = cache / f"{SpeechCache.key(identity, text)}.clip"
        clip = _decode(path.read_bytes()) if path.exists() else None
        out[text] = hashlib.sha256(clip.pcm).hexdigest() if clip else None
    return out


@pytest.fixture(scope="module")
def warm(routines: dict[str, Path], tmp_path_factory: pytest.TempPathFactory) -> dict:
    """Four ``audiocoach render`` processes at once into one cold cache (the plain case)."""
    folder = tmp_path_factory.mktemp("warm")
    cache, out = folder / "cache", folder / "out"
    out.mkdir()
    procs = {
        name: subprocess.Popen(
            cli_args(
                "render", path, "-o", out / f"{name}.mp3", "--timeline", "-q", "--engine", "espeak"
            ),
            env=cli_env(AUDIOCOACH_CACHE_DIR=str(cache)),
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for name, path in routines.items()
    }
    results = {name: proc.communicate(timeout=120) for name, proc in procs.items()}
    codes = {name: proc.returncode for name, proc in procs.items()}
    return {"cache": cache, "out": out, "results": results, "codes": codes}


def test_parallel_cli_renders_share_one_cache(warm: dict, identity: str) -> None:
    """Every process succeeds quietly; every entry is sound, each phrase stored once, no temps;
    every track is as long as its plan."""
    cache, out = warm["cache"], warm["out"]
    for name, code in warm["codes"].items():
        assert code == 0 and warm["results"][name][1] == "", warm["results"][name]
    spoken: set[str] = set()
    for name in warm["codes"]:
        timeline = Timeline.from_json(json.loads((out / f"{name}.timeline.json").read_text()))
        assert abs(decoded_ms(out / f"{name}.mp3") - timeline.duration_ms) <= 50
        spoken |= {speakable(t) for t in timeline.utterances()} - {""}
    good, bad = cache_report(cache)
    assert bad == [] and temps_in(cache) == []
    expected = {f"{SpeechCache.key(identity, text)}.clip" for text in spoken}
    stored = {p.name for p in cache.glob("*.clip")}
    # and beside each clip its loudness analysis, nothing else
    assert {p.name for p in cache.iterdir()} == stored | {
        name.replace(".clip", ANALYSIS_SUFFIX) for name in stored
    }
    # every phrase heard has its entry; a few more come from the quick estimated plan the CLI
    # warms the voice with (an intro saying "about 40 seconds" where the real track is 39)
    assert expected <= stored and len(stored - expected) <= len(warm["codes"]), stored - expected
    assert good == len(stored)
    print(f"\n{len(warm['codes'])} CLI processes, one cold cache: {good} entries, all valid")


def read_everything(cache: Path, routines: dict[str, Path]) -> None:
    """Ask the cache for every phrase the CLI would (its estimated plan's and the real one's)."""
    voice = Speaker(CachedEngine(EspeakEngine(), SpeechCache(cache)))
    for path in routines.values():
        rf = load_routine(path)
        voice.warm(estimated_timeline(rf, PaceOptions()).utterances())
        plan_timeline(rf, PaceOptions(), voice.speech_ms)


def phrases(warm: dict) -> set[str]:
    """The spoken phrases of the four routines."""
    out: set[str] = set()
    for name in warm["codes"]:
        timeline = json.loads((warm["out"] / f"{name}.timeline.json").read_text())
        out |= {speakable(e["text"]) for e in timeline["events"] if e["text"]} - {""}
    return out


def test_damaged_entries_are_detected_and_replaced_by_parallel_renders(
    warm, routines: dict[str, Path], tmp_path: Path, identity: str
) -> None:
    """Every entry damaged (six kinds, in turn), then four processes at once: each damaged entry
    is caught by its checksum, synthesized again and replaced; none reaches a track."""
    cache = tmp_path / "cache"
    shutil.copytree(warm["cache"], cache)
    entries = sorted(cache.glob("*.clip"))
    kinds: dict[str, int] = defaultdict(int)
    for i, entry in enumerate(entries):
        kind = DAMAGE[i % len(DAMAGE)]
        damage(entry, kind)
        kinds[kind] += 1
    assert cache_report(cache)[0] == 0
    reports, _ = run_workers(routines, cache, tmp_path / "out")
    made = genuine(reports)
    # nothing from before could be used: every clip mixed was synthesized in this run
    checked = assert_only_genuine_clips_mixed(reports, made)
    assert phrases(warm) <= set(made), "every damaged phrase was synthesized again"
    stored = entries_by_text(cache, identity, made)
    assert all(stored[text] in made[text] for text in made), "and its entry replaced"
    assert temps_in(cache) == []
    # entries no render needed (phrases of the CLI's estimated plan) are caught when next read
    read_everything(cache, routines)
    good, bad = cache_report(cache)
    assert bad == [] and good == len(entries) and temps_in(cache) == []
    print(f"\n{len(entries)} entries damaged {dict(kinds)}; {checked} mixed clips genuine")


def test_entries_damaged_while_processes_render(
    warm, routines: dict[str, Path], tmp_path: Path, identity: str
) -> None:
    """A fifth process damages entries in place, as fast as it can, while four render."""
    cache = tmp_path / "cache"
    shutil.copytree(warm["cache"], cache)
    before = entries_by_text(cache, identity, phrases(warm))
    assert None not in before.values()
    reports, vandalism = run_workers(routines, cache, tmp_path / "out", corrupting=True)
    made = genuine(reports)
    allowed = {t: made.get(t, set()) | {before[t]} for t in before}
    checked = assert_only_genuine_clips_mixed(reports, allowed)
    assert sum(vandalism.values()) > 0, "the corrupter never struck"
    # what it damaged last is still damaged; the next reader repairs it
    _, damaged_after = cache_report(cache)
    read_everything(cache, routines)
    good, bad = cache_report(cache)
    assert bad == [] and good == len(list(warm["cache"].glob("*.clip"))) and temps_in(cache) == []
    print(
        f"\ncorrupter: {sum(vandalism.values())} damages {vandalism} during {WORKERS} renders; "
        f"{checked} mixed clips genuine; {len(damaged_after)} left damaged, then repaired"
    )


# --- a cache folder that cannot be written -------------------------------------------------------


@pytest.mark.parametrize("mode", [0o555, 0o000], ids=["read-only", "no-access"])
def test_a_cache_that_cannot_be_written_degrades_with_one_warning(
    warm, routines: dict[str, Path], tmp_path: Path, mode: int
) -> None:
    """Read-only (entries readable, none writable, a damaged one undeletable) or no access at
    all: the render succeeds, says so in one warning line, and changes nothing in the cache."""
    preexec = permissions_bind()
    if isinstance(preexec, str):
        pytest.skip(preexec)
    cache = tmp_path / "cache"
    shutil.copytree(warm["cache"], cache)
    damage(sorted(cache.glob("*.clip"))[0], "flip-pcm")
    extra = routines["b"].read_text().replace("Squats", "Lunges")  # phrases not in the cache
    routine = tmp_path / "new.yaml"
    routine.write_text(extra, encoding="utf-8")
    before = {p.name: p.read_bytes() for p in cache.iterdir()}
    cache.chmod(mode)
    try:
        result = run_cli(
            "render",
            routine,
            "-o",
            tmp_path / "new.mp3",
            "--timeline",
            "-q",
            "--cache-dir",
            cache,
            "--engine",
            "espeak",
            cwd=tmp_path,
            preexec_fn=preexec,
        )
    finally:
        cache.chmod(0o755)
    assert result.returncode == 0, result.stderr
    (line,) = result.stderr.strip().splitlines()
    action = "read" if mode == 0 else "write to"
    assert line.startswith(f"warning: speech cache disabled: cannot {action} {cache} ("), line
    assert "Permission denied" in line
    assert {p.name: p.read_bytes() for p in cache.iterdir()} == before
    timeline = json.loads((tmp_path / "new.timeline.json").read_text())
    assert abs(decoded_ms(tmp_path / "new.mp3") - timeline["duration_ms"]) <= 50
