"""The speech cache and the atomic writes under it: hits, damage, unwritable dirs, concurrency."""

from __future__ import annotations

import hashlib
import multiprocessing
import os
import sys
import time
import warnings
from collections import OrderedDict
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pytest
from audio_helpers import make_timeline, say, speechlike
from audio_helpers import tone as tone_event

from audiocoach.atomic import atomic_path, atomic_write_bytes, cleanup_stale_temps
from audiocoach.loudness import clipstats, plan_gain
from audiocoach.loudness.clipstats import SpeechAnalysis, analyse_speech
from audiocoach.speech.base import Clip, Engine
from audiocoach.speech.cache import (
    ANALYSIS_SUFFIX,
    CACHE_DIR_ENV,
    CachedEngine,
    SpeechCache,
    default_cache_dir,
)
from audiocoach.timeline import Timeline

PHRASES = ["Inhale", "Exhale slowly", "Reach forward", "Hold", "Relax your shoulders", "Done"]


def tone(text: str, voice: str = "a") -> Clip:
    """Deterministic, text-dependent PCM standing in for speech."""
    seed = hashlib.sha256(f"{voice}:{text}".encode()).digest()
    frames = 2000 + 100 * len(text)
    return Clip((seed * (frames * 2 // len(seed) + 1))[: frames * 2])


@dataclass
class FakeEngine:
    voice: str = "a"
    calls: int = 0
    name: str = "fake"

    def identity(self) -> str:
        return f"fake voice={self.voice}"

    def synthesize(self, text: str) -> Clip:
        self.calls += 1
        return tone(text, self.voice)


def entries(directory: Path) -> list[Path]:
    return sorted(directory.glob("*.clip"))


def temps(directory: Path) -> list[Path]:
    return sorted(directory.glob(".*.tmp"))


# --- the cache -----------------------------------------------------------------------------------


def test_round_trip(tmp_path: Path) -> None:
    cache = SpeechCache(tmp_path)
    clip = tone("Inhale")
    assert cache.get("id", "Inhale") is None
    cache.put("id", "Inhale", clip)
    assert cache.get("id", "Inhale") == clip
    assert cache.get("other id", "Inhale") is None
    assert cache.get("id", "inhale") is None
    assert cache.stats() == (1, entries(tmp_path)[0].stat().st_size)
    assert temps(tmp_path) == []


def test_empty_clip_round_trips(tmp_path: Path) -> None:
    cache = SpeechCache(tmp_path)
    cache.put("id", "", Clip(b""))
    assert cache.get("id", "") == Clip(b"")


def test_warm_render_does_no_synthesis(tmp_path: Path) -> None:
    cold = CachedEngine(FakeEngine(), SpeechCache(tmp_path))
    first = [cold.synthesize(p) for p in PHRASES]
    assert cold.synth_calls == len(PHRASES)
    warm_engine = FakeEngine()
    warm = CachedEngine(warm_engine, SpeechCache(tmp_path))
    assert [warm.synthesize(p) for p in PHRASES] == first
    assert warm.synth_calls == 0 and warm_engine.calls == 0
    assert isinstance(warm, Engine)
    assert warm.name == "fake" and warm.identity() == "fake voice=a"


def test_memo_within_a_run(tmp_path: Path) -> None:
    engine = CachedEngine(FakeEngine(), SpeechCache(tmp_path))
    for _ in range(3):
        engine.synthesize("Inhale")
    assert engine.synth_calls == 1
    warm = CachedEngine(FakeEngine(), SpeechCache(tmp_path))
    for _ in range(3):
        warm.synthesize("Inhale")
    assert warm.disk_hits == 1 and warm.synth_calls == 0


def test_no_cache_still_memoizes() -> None:
    engine = CachedEngine(FakeEngine(), None)
    engine.synthesize("Inhale")
    engine.synthesize("Inhale")
    assert engine.synth_calls == 1


def test_different_identity_misses(tmp_path: Path) -> None:
    CachedEngine(FakeEngine("a"), SpeechCache(tmp_path)).synthesize("Inhale")
    other = CachedEngine(FakeEngine("b"), SpeechCache(tmp_path))
    assert other.synthesize("Inhale") == tone("Inhale", "b")
    assert other.synth_calls == 1


def _truncate(data: bytes) -> bytes:
    return data[:-7]


def _empty(data: bytes) -> bytes:
    return b""


def _flip_pcm(data: bytes) -> bytes:
    return data[:-100] + bytes([data[-100] ^ 0x01]) + data[-99:]


def _flip_header(data: bytes) -> bytes:
    return bytes([data[0] ^ 0xFF]) + data[1:]


def _header_only(data: bytes) -> bytes:
    return data[:48]


def _extra(data: bytes) -> bytes:
    return data + b"\x00\x00"


@pytest.mark.parametrize(
    "damage", [_truncate, _empty, _flip_pcm, _flip_header, _header_only, _extra]
)
def test_damaged_entry_is_resynthesized(tmp_path: Path, damage) -> None:  # type: ignore[no-untyped-def]
    CachedEngine(FakeEngine(), SpeechCache(tmp_path)).synthesize("Inhale")
    (entry,) = entries(tmp_path)
    entry.write_bytes(damage(entry.read_bytes()))
    engine = CachedEngine(FakeEngine(), SpeechCache(tmp_path))
    assert engine.synthesize("Inhale") == tone("Inhale")
    assert engine.synth_calls == 1
    # The damaged entry was replaced by a good one.
    assert SpeechCache(tmp_path).get("fake voice=a", "Inhale") == tone("Inhale")


def test_damaged_entry_is_deleted_on_read(tmp_path: Path) -> None:
    cache = SpeechCache(tmp_path)
    cache.put("id", "Inhale", tone("Inhale"))
    (entry,) = entries(tmp_path)
    entry.write_bytes(b"garbage")
    assert cache.get("id", "Inhale") is None
    assert not entry.exists()


def _root_can_write(directory: Path) -> bool:
    probe = directory / "probe"
    try:
        probe.write_bytes(b"")
    except PermissionError:
        return False
    probe.unlink()
    return True


@pytest.fixture(params=["under-a-file", "read-only-dir"])
def unwritable(request: pytest.FixtureRequest, tmp_path: Path):  # type: ignore[no-untyped-def]
    if request.param == "under-a-file":
        blocker = tmp_path / "blocker"
        blocker.write_text("not a directory")
        yield blocker / "speech"
        return
    directory = tmp_path / "ro"
    directory.mkdir()
    directory.chmod(0o500)
    try:
        if _root_can_write(directory):
            pytest.skip("running as root: permissions do not stop writes (under-a-file covers it)")
        yield directory
    finally:
        directory.chmod(0o700)


def test_unwritable_cache_degrades_with_one_warning(unwritable: Path) -> None:
    said: list[str] = []
    engine = CachedEngine(FakeEngine(), SpeechCache(unwritable, on_warning=said.append))
    clips = [engine.synthesize(p) for p in PHRASES * 2]
    assert clips == [tone(p) for p in PHRASES * 2]
    assert engine.synth_calls == len(PHRASES)
    assert len(said) == 1
    assert "\n" not in said[0] and "speech cache disabled" in said[0]
    assert str(unwritable) in said[0]


def test_default_warning_goes_through_warnings(tmp_path: Path) -> None:
    blocker = tmp_path / "blocker"
    blocker.write_text("x")
    engine = CachedEngine(FakeEngine(), SpeechCache(blocker / "speech"))
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        engine.synthesize("Inhale")
        engine.synthesize("Exhale")
    assert len(caught) == 1 and "speech cache disabled" in str(caught[0].message)


def test_stats_and_clear(tmp_path: Path) -> None:
    cache = SpeechCache(tmp_path / "speech")
    assert cache.stats() == (0, 0) and cache.clear() == 0  # nothing created yet
    assert not cache.directory.exists()
    engine = CachedEngine(FakeEngine(), cache)
    for p in PHRASES:
        engine.synthesize(p)
    count, size = cache.stats()
    assert count == len(PHRASES) and size > 0
    assert cache.clear() == len(PHRASES)
    assert cache.stats() == (0, 0)


def test_directory_from_environment(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(CACHE_DIR_ENV, str(tmp_path / "env"))
    assert SpeechCache().directory == tmp_path / "env"
    assert SpeechCache(tmp_path / "flag").directory == tmp_path / "flag"
    monkeypatch.delenv(CACHE_DIR_ENV)
    assert default_cache_dir().name == "speech"
    assert "audiocoach" in str(default_cache_dir())


def _writer(directory: str, rounds: int) -> None:
    """One of several processes writing and reading the same entries as fast as it can."""
    cache = SpeechCache(directory, on_warning=lambda message: os._exit(3))
    for _ in range(rounds):
        for phrase in PHRASES:
            cache.put("fake voice=a", phrase, tone(phrase))
            # This process just wrote the entry and writers only ever replace it whole, so it must
            # read back intact; a write seen half-done would fail its checksum and read as None.
            if cache.get("fake voice=a", phrase) != tone(phrase):
                os._exit(2)
    os._exit(0)


def test_concurrent_writers_leave_only_valid_entries(tmp_path: Path) -> None:
    method = "fork" if sys.platform.startswith("linux") else "spawn"
    context = multiprocessing.get_context(method)
    workers = [context.Process(target=_writer, args=(str(tmp_path), 15)) for _ in range(4)]
    for w in workers:
        w.start()
    for w in workers:
        w.join(60)
    assert [w.exitcode for w in workers] == [0, 0, 0, 0]
    assert len(entries(tmp_path)) == len(PHRASES)
    assert temps(tmp_path) == []
    engine = CachedEngine(FakeEngine(), SpeechCache(tmp_path))
    assert [engine.synthesize(p) for p in PHRASES] == [tone(p) for p in PHRASES]
    assert engine.synth_calls == 0


# --- atomic writes -------------------------------------------------------------------------------


def test_atomic_write_bytes(tmp_path: Path) -> None:
    target = tmp_path / "out.mp3"
    atomic_write_bytes(target, b"one")
    atomic_write_bytes(target, b"two")
    assert target.read_bytes() == b"two"
    assert os.listdir(tmp_path) == ["out.mp3"]


def test_atomic_path_names_temp_beside_target(tmp_path: Path) -> None:
    target = tmp_path / "workout.mp3"
    with atomic_path(target) as temp:
        assert temp.parent == tmp_path and temp.exists()
        assert temp.name.startswith(".workout.mp3.") and temp.name.endswith(".tmp")
        assert not target.exists()
        temp.write_bytes(b"audio")
    assert target.read_bytes() == b"audio" and not temp.exists()


@pytest.mark.parametrize("error", [RuntimeError, KeyboardInterrupt])
def test_atomic_path_failure_keeps_old_file(tmp_path: Path, error: type[BaseException]) -> None:
    target = tmp_path / "workout.mp3"
    target.write_bytes(b"old")
    with pytest.raises(error), atomic_path(target) as temp:
        temp.write_bytes(b"half")
        raise error()
    assert target.read_bytes() == b"old"
    assert os.listdir(tmp_path) == ["workout.mp3"]


def test_atomic_path_respects_umask(tmp_path: Path) -> None:
    old = os.umask(0o022)
    try:
        atomic_write_bytes(tmp_path / "f", b"x")
    finally:
        os.umask(old)
    assert (tmp_path / "f").stat().st_mode & 0o777 == 0o644


def test_long_names_still_get_a_temp(tmp_path: Path) -> None:
    target = tmp_path / ("é" * 120 + ".mp3")  # 244 bytes: a full-length temp name would not fit
    atomic_write_bytes(target, b"x")
    assert target.read_bytes() == b"x"


def test_cleanup_stale_temps(tmp_path: Path) -> None:
    old = time.time() - 7200
    stale = tmp_path / ".workout.mp3.0123456789abcdef.tmp"
    other = tmp_path / ".other.mp3.0123456789abcdef.tmp"
    lookalike = tmp_path / ".workout.mp3.notarandomtoken.tmp"
    for path in (stale, other, lookalike):
        path.write_bytes(b"")
        os.utime(path, (old, old))
    # a render still writing holds its temp's lock: the sweep leaves it alone
    with atomic_path(tmp_path / "workout.mp3") as fresh:
        assert cleanup_stale_temps(tmp_path, "workout.mp3") == 1
        assert not stale.exists() and fresh.exists() and other.exists() and lookalike.exists()
        assert cleanup_stale_temps(tmp_path) == 1  # any name: takes "other" too
        assert not other.exists() and fresh.exists()
        fresh.write_bytes(b"done")
    assert (tmp_path / "workout.mp3").read_bytes() == b"done"
    assert cleanup_stale_temps(tmp_path / "missing", "x") == 0


# --- loudness analyses beside the clips ----------------------------------------------------------


class SpeechlikeEngine(FakeEngine):
    """Speech-shaped clips (syllables, pauses, fricatives: the leveller and limiter have work)."""

    def synthesize(self, text: str) -> Clip:
        self.calls += 1
        seed = int.from_bytes(hashlib.sha256(f"{self.voice}:{text}".encode()).digest()[:4], "big")
        return speechlike(300 + 90 * len(text), seed=seed)


@pytest.fixture
def fresh_process(monkeypatch: pytest.MonkeyPatch) -> None:
    """No analysis known in memory, as in a new process (the cache on disk is all there is)."""
    monkeypatch.setattr(clipstats, "_KNOWN", OrderedDict())


def counts_timeline(clips: dict[str, Clip]) -> Timeline:
    """Every phrase said in turn, a tick under each (short ones are fitted while planning)."""
    events, at = [], 200
    for text in clips:
        events += [tone_event(at, "tick"), say(at + 50, text, clips)]
        at += clips[text].duration_ms + 700
    return make_timeline(at + 500, events)


def analyses_on_disk(directory: Path) -> list[Path]:
    return sorted(directory.glob(f"*{ANALYSIS_SUFFIX}"))


def assert_same_analysis(a: SpeechAnalysis, b: SpeechAnalysis) -> None:
    assert a.stats.frames == b.stats.frames and a.stats.loudness == b.stats.loudness
    assert np.array_equal(a.stats.prefix, b.stats.prefix)
    assert np.array_equal(a.envelope, b.envelope)
    assert (a.voice is None) == (b.voice is None)
    if a.voice is not None and b.voice is not None:
        assert a.voice.gain_db == b.voice.gain_db
        assert a.voice.stats.loudness == b.voice.stats.loudness
        assert np.array_equal(a.voice.stats.prefix, b.voice.stats.prefix)
        assert (a.voice.curve is None) == (b.voice.curve is None)
        if a.voice.curve is not None:
            assert np.array_equal(a.voice.curve, b.voice.curve)


def test_each_clip_is_analysed_once_when_synthesized_and_stored_beside_it(
    tmp_path: Path, fresh_process: None
) -> None:
    cold = CachedEngine(SpeechlikeEngine(), SpeechCache(tmp_path))
    clips = {p: cold.synthesize(p) for p in PHRASES}
    assert cold.synth_calls == cold.analyses_made == len(PHRASES)
    assert [p.stem for p in analyses_on_disk(tmp_path)] == [p.stem for p in entries(tmp_path)]
    count, size = SpeechCache(tmp_path).stats()
    assert count == len(PHRASES)
    assert size == sum(p.stat().st_size for p in entries(tmp_path) + analyses_on_disk(tmp_path))
    for text, clip in clips.items():
        found = SpeechCache(tmp_path).lookup("fake voice=a", text)
        assert found is not None and found[0] == clip and found[1] is not None
        assert_same_analysis(
            SpeechAnalysis.from_bytes(found[1], clip.frames) or pytest.fail(text),
            analyse_speech(clip),
        )
    (tmp_path / f"{'0' * 64}.song").write_bytes(b"a song's measurement (music.SongStore)")
    assert SpeechCache(tmp_path).clear() == len(PHRASES)
    assert list(tmp_path.iterdir()) == []


def test_a_warm_render_analyses_no_clip_and_plans_exactly_as_a_cold_one(
    tmp_path: Path, fresh_process: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    cold_clips = {p: CachedEngine(SpeechlikeEngine(), SpeechCache(tmp_path)).synthesize(p)
                  for p in PHRASES}  # fmt: skip
    timeline = counts_timeline(cold_clips)
    monkeypatch.setattr(clipstats, "_KNOWN", OrderedDict())
    cold = plan_gain(timeline, cold_clips)  # every analysis computed here, in the plan
    cold_pcm = {key: cold.pcm[key].copy() for key in cold.pcm}

    monkeypatch.setattr(clipstats, "_KNOWN", OrderedDict())  # a new process: only the disk
    warm_engine = CachedEngine(SpeechlikeEngine(), SpeechCache(tmp_path))
    warm_clips = {p: warm_engine.synthesize(p) for p in PHRASES}

    def no_analysis(clip: Clip) -> SpeechAnalysis:
        raise AssertionError("a warm render analysed a speech clip")

    monkeypatch.setattr(clipstats, "analyse_speech", no_analysis)
    warm = plan_gain(timeline, warm_clips)
    assert warm_engine.synth_calls == warm_engine.analyses_made == 0
    assert warm.gain_db == cold.gain_db and warm.predicted_lufs == cold.predicted_lufs
    assert all(np.array_equal(warm.pcm[key], cold_pcm[key]) for key in cold_pcm)


def _truncate_half(data: bytes) -> bytes:
    return data[: len(data) // 2]


def _flip_body(data: bytes) -> bytes:
    return data[:-100] + bytes([data[-100] ^ 0x04]) + data[-99:]


def _flip_analysis_header(data: bytes) -> bytes:
    return data[:40] + bytes([data[40] ^ 0x01]) + data[41:]


def _analysis_header_only(data: bytes) -> bytes:
    return data[:72]


@pytest.mark.parametrize(
    "damage",
    [_truncate_half, _empty, _flip_body, _flip_header, _flip_analysis_header,
     _analysis_header_only, _extra],
)  # fmt: skip
def test_a_damaged_analysis_is_recomputed_never_trusted(
    tmp_path: Path, fresh_process: None, damage
) -> None:  # type: ignore[no-untyped-def]
    CachedEngine(SpeechlikeEngine(), SpeechCache(tmp_path)).synthesize("Relax your shoulders")
    (path,) = analyses_on_disk(tmp_path)
    path.write_bytes(damage(path.read_bytes()))
    assert_recomputed_in_place(tmp_path, "Relax your shoulders")


def assert_recomputed_in_place(directory: Path, text: str) -> None:
    """A new process reads the clip, makes its analysis again (no synthesis) and stores it."""
    clipstats._KNOWN.clear()
    engine = CachedEngine(SpeechlikeEngine(), SpeechCache(directory))
    clip = engine.synthesize(text)
    assert engine.synth_calls == 0 and engine.analyses_made == 1
    assert_same_analysis(clipstats.speech_analysis(clip), analyse_speech(clip))
    again = CachedEngine(SpeechlikeEngine(), SpeechCache(directory))
    again.synthesize(text)
    assert again.synth_calls == again.analyses_made == 0, "the analysis was stored again"


def test_an_analysis_of_another_clip_is_not_used(tmp_path: Path, fresh_process: None) -> None:
    """An engine whose output varies (Piper's noise): another process replaced the clip, so the
    analysis beside it describes a clip that is no longer there."""
    text = "Reach forward"
    CachedEngine(SpeechlikeEngine(), SpeechCache(tmp_path)).synthesize(text)
    other = SpeechlikeEngine(voice="b").synthesize(text)
    SpeechCache(tmp_path).put("fake voice=a", text, other)  # the clip alone, as a writer races
    clipstats._KNOWN.clear()
    engine = CachedEngine(SpeechlikeEngine(), SpeechCache(tmp_path))
    assert engine.synthesize(text) == other
    assert engine.analyses_made == 1
    assert_same_analysis(clipstats.speech_analysis(other), analyse_speech(other))


@pytest.mark.parametrize("change", ["version", "code"])
def test_an_analysis_from_another_version_is_recomputed(
    tmp_path: Path, fresh_process: None, monkeypatch: pytest.MonkeyPatch, change: str
) -> None:
    CachedEngine(SpeechlikeEngine(), SpeechCache(tmp_path)).synthesize("Exhale slowly")
    if change == "version":
        monkeypatch.setattr(clipstats, "ANALYSIS_VERSION", clipstats.ANALYSIS_VERSION + 1)
    else:  # the same version number, but the code that computes it was edited
        monkeypatch.setattr(clipstats, "_fingerprint", lambda: b"edited threshold")
    assert_recomputed_in_place(tmp_path, "Exhale slowly")


@pytest.mark.parametrize(
    "clip",
    [
        Clip(b""),
        Clip(b"\0\0" * 3000),  # silent: no voice form
        Clip((np.sin(np.arange(9000) / 7) * 300).astype("<i2").tobytes()),  # steady: no curve
        speechlike(2100, seed=8),  # syllables: a leveller curve
    ],
    ids=["empty", "silent", "steady", "speech"],
)
def test_the_stored_form_reads_back_exactly(clip: Clip) -> None:
    analysis = analyse_speech(clip)
    data = analysis.to_bytes()
    assert_same_analysis(SpeechAnalysis.from_bytes(data, clip.frames) or pytest.fail(), analysis)
    assert SpeechAnalysis.from_bytes(data, clip.frames + 16) is None  # not this clip's
    assert SpeechAnalysis.from_bytes(data[:-4], clip.frames) is None
    assert SpeechAnalysis.from_bytes(data + b"\0" * 4, clip.frames) is None
