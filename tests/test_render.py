"""End to end: real espeak-ng speech, real mixing, real ffmpeg, checked by decoding the file.

Every test here listens to what a runner would: the track is as long as the plan says, as loud as
a podcast, has the chapters of the timeline, sounds where speech and tones are scheduled and is
quiet where nothing is.
"""

from __future__ import annotations

import json
import socket
from pathlib import Path

import numpy as np
import pytest
from mutagen.id3 import ID3
from shipped import ROUTINES

from audiocoach.cli import cli
from audiocoach.ffmpeg import decode_pcm, measure_loudness
from audiocoach.pace import PaceOptions
from audiocoach.phrasebook import phrasebook_for
from audiocoach.render import RenderSettings, Speaker, plan_timeline, render_timeline
from audiocoach.routine import load_routine
from audiocoach.speech.cache import CachedEngine, SpeechCache
from audiocoach.speech.espeak import EspeakEngine
from audiocoach.tags import read_chapters
from audiocoach.timeline import Timeline

ROOT = Path(__file__).resolve().parent.parent
YOGA = ROOT / "routines" / "upper-back-yoga.yaml"

SMALL = """\
title: Small test routine
blocks:
  - exercise: Side plank
    duration: 25s
    sides: both
    cues: [Hips high.]
  - rest: 20s
  - exercise: Rows
    reps: 4
    tempo: 2s
  - exercise: Breathing
    breaths: 2
"""


@pytest.fixture
def offline(monkeypatch: pytest.MonkeyPatch) -> None:
    """Any attempt to open a network connection fails the test."""

    def refuse(*args: object, **kwargs: object) -> None:
        raise AssertionError("a render tried to use the network")

    monkeypatch.setattr(socket.socket, "connect", refuse)
    monkeypatch.setattr(socket, "create_connection", refuse)


@pytest.fixture(scope="module")
def cache_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("speech-cache")


@pytest.fixture(scope="module")
def yoga(tmp_path_factory: pytest.TempPathFactory, cache_dir: Path) -> dict:
    """The README's first render, through the CLI, plus the plan of the same routine."""
    from click.testing import CliRunner

    out = tmp_path_factory.mktemp("yoga") / "yoga.mp3"
    runner = CliRunner()
    args = ["--cache-dir", str(cache_dir)]
    result = runner.invoke(
        cli, ["render", str(YOGA), "-o", str(out), "--transcript", "--timeline", "-q", *args]
    )
    assert result.exit_code == 0, result.output
    planned = runner.invoke(cli, ["plan", str(YOGA), "--json", *args])
    assert planned.exit_code == 0, planned.output
    samples, rate = decode_pcm(out)
    return {
        "out": out,
        "plan": json.loads(planned.stdout),
        "samples": samples.astype(np.float64) / 32768.0,
        "rate": rate,
    }


def rms_dbfs(samples: np.ndarray, rate: int, start_ms: int, end_ms: int) -> float:
    part = samples[start_ms * rate // 1000 : end_ms * rate // 1000]
    if not len(part):
        return -200.0
    return 10 * np.log10(float(np.mean(part**2)) + 1e-20)


def test_duration_matches_plan(yoga: dict) -> None:
    decoded_ms = len(yoga["samples"]) * 1000 / yoga["rate"]
    assert abs(decoded_ms - yoga["plan"]["duration_ms"]) <= 50


def test_loudness_is_podcast_level(yoga: dict) -> None:
    loud = measure_loudness(yoga["out"])
    assert abs(loud.integrated_lufs - (-16.0)) <= 1.0
    assert loud.true_peak_dbtp <= -1.0


def test_chapters_are_the_timeline_chapters(yoga: dict) -> None:
    planned = [(c["title"], c["start_ms"], c["end_ms"]) for c in yoga["plan"]["chapters"]]
    assert read_chapters(yoga["out"]) == planned
    tags = ID3(yoga["out"])
    assert tags.version[:2] == (2, 4)
    (toc,) = tags.getall("CTOC")
    assert sorted(toc.child_element_ids) == sorted(c.element_id for c in tags.getall("CHAP"))
    assert [tags[f"CHAP:{e}"].sub_frames["TIT2"].text[0] for e in toc.child_element_ids] == [
        c[0] for c in planned
    ]
    assert str(tags["TIT2"]) == "Upper-Back Yoga for Runners"
    assert "Jasyoga" in str(tags.getall("COMM")[0])


def test_sound_where_speech_is_scheduled(yoga: dict) -> None:
    samples, rate = yoga["samples"], yoga["rate"]
    speech = [e for e in yoga["plan"]["events"] if e["kind"] == "speech"]
    assert speech
    quiet = [
        e["text"]
        for e in speech
        if rms_dbfs(samples, rate, e["at_ms"], e["at_ms"] + e["duration_ms"]) < -40
    ]
    assert not quiet, f"inaudible speech: {quiet[:5]}"


def test_sidecars_written(yoga: dict) -> None:
    out: Path = yoga["out"]
    lrc = out.with_suffix(".lrc").read_text(encoding="utf-8")
    assert "[ti:Upper-Back Yoga for Runners]" in lrc and "Locust." in lrc
    assert out.with_suffix(".vtt").read_text(encoding="utf-8").startswith("WEBVTT")
    written = json.loads(out.with_suffix(".timeline.json").read_text(encoding="utf-8"))
    assert written["duration_ms"] == yoga["plan"]["duration_ms"]


def _silent_spans(timeline: Timeline, min_ms: int = 1500) -> list[tuple[int, int]]:
    """Stretches inside rests and holds where no event (speech or tone, with its tail) sounds."""
    busy = sorted((e.at_ms, e.at_ms + e.duration_ms) for e in timeline.events)
    spans = []
    for phase in timeline.phases:
        if phase.kind not in ("rest", "work"):
            continue
        cursor = phase.start_ms
        for start, end in busy:
            if end <= cursor or start >= phase.end_ms:
                continue
            if start - cursor >= min_ms:
                spans.append((cursor, start))
            cursor = max(cursor, end)
        if phase.end_ms - cursor >= min_ms:
            spans.append((cursor, phase.end_ms))
    return spans


def test_small_routine_sound_and_silence(
    tmp_path: Path, write_routine, cache_dir: Path, offline: None
) -> None:
    rf = load_routine(write_routine(SMALL))
    voice = Speaker(CachedEngine(EspeakEngine(), SpeechCache(cache_dir)))
    timeline = plan_timeline(rf, PaceOptions(), voice.speech_ms)
    out = tmp_path / "small.mp3"
    render_timeline(timeline, voice, out)
    samples, rate = decode_pcm(out)
    x = samples.astype(np.float64) / 32768.0
    assert abs(len(x) * 1000 / rate - timeline.duration_ms) <= 50
    for event in timeline.events:
        if event.kind == "tone" and event.tone in ("inhale", "exhale"):
            continue  # breath sweeps are deliberately soft; checked below
        level = rms_dbfs(x, rate, event.at_ms, event.at_ms + event.duration_ms)
        assert level > -45, (event, level)
    sweeps = [e for e in timeline.events if e.tone in ("inhale", "exhale")]
    assert sweeps and all(
        rms_dbfs(x, rate, e.at_ms + 200, e.at_ms + e.duration_ms - 200) > -60 for e in sweeps
    )
    spans = _silent_spans(timeline)
    assert any(
        p.kind == "rest" and p.start_ms <= s < p.end_ms for s, _ in spans for p in timeline.phases
    ), "expected a quiet stretch inside the rest"
    for start, end in spans:
        # allow 150 ms for decay and encoder spread at the edges of neighbouring sounds
        assert rms_dbfs(x, rate, start + 150, end - 150) < -60, (start, end)


def test_warm_cache_render_does_no_synthesis(tmp_path: Path, offline: None) -> None:
    cache = SpeechCache(tmp_path / "cache")
    rf = load_routine(YOGA)
    first = CachedEngine(EspeakEngine(), cache)
    timeline = plan_timeline(rf, PaceOptions(), Speaker(first).speech_ms)
    assert first.synth_calls > 0
    second = CachedEngine(EspeakEngine(), cache)
    voice = Speaker(second)
    again = plan_timeline(rf, PaceOptions(), voice.speech_ms)
    render_timeline(again, voice, tmp_path / "warm.wav", RenderSettings())
    assert second.synth_calls == 0
    assert again.duration_ms == timeline.duration_ms


@pytest.mark.slow
@pytest.mark.parametrize("name", [p.stem for p in ROUTINES])
def test_cold_cache_render_of_every_routine(
    name: str, tmp_path: Path, runner, offline: None
) -> None:
    out = tmp_path / f"{name}.mp3"
    cache = tmp_path / "fresh-cache"
    result = runner.invoke(
        cli,
        [
            "render",
            str(ROOT / "routines" / f"{name}.yaml"),
            "-o",
            str(out),
            "-q",
            "--cache-dir",
            str(cache),
            "--engine",
            "espeak",
        ],
    )
    assert result.exit_code == 0, result.output
    assert any(cache.rglob("*")), "the cold render filled the cache"
    chapters = read_chapters(out)
    book = phrasebook_for(load_routine(ROOT / "routines" / f"{name}.yaml").routine.language)
    assert chapters[0][0] == book.say("label.intro") and chapters[-1][0] == book.say("label.finish")
    samples, rate = decode_pcm(out)
    assert abs(len(samples) * 1000 / rate - chapters[-1][2]) <= 50


def test_invalid_routine_writes_nothing(tmp_path: Path, write_routine, runner) -> None:
    bad = write_routine("title: Bad\nblocks:\n  - exercise: Plank\n    durtion: 30s\n")
    out = tmp_path / "out.mp3"
    out.write_bytes(b"previous track")
    result = runner.invoke(cli, ["render", str(bad), "-o", str(out), "-q"])
    assert result.exit_code == 2
    assert ":4:5: blocks[0].durtion: unknown key 'durtion'; did you mean 'duration'?" in (
        result.stderr
    )
    assert "Traceback" not in result.output + result.stderr
    assert out.read_bytes() == b"previous track"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out.mp3", "routine.yaml"]


def test_unwritable_output_is_one_line(tmp_path: Path, write_routine, runner, cache_dir) -> None:
    ok = write_routine("title: Tiny\nblocks:\n  - exercise: Plank\n    duration: 5s\n")
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("x")
    result = runner.invoke(
        cli,
        [
            "render",
            str(ok),
            "-o",
            str(blocker / "out.mp3"),
            "-q",
            "--cache-dir",
            str(cache_dir),
            "--engine",
            "espeak",
        ],
    )
    # a file where a folder should be: refused as the -o value it is, before any work
    assert result.exit_code == 2
    assert f"there is no folder '{blocker}': create it first" in result.stderr
    assert "Traceback" not in result.output
    assert blocker.read_text() == "x"


def test_encoder_failure_keeps_previous_file(
    tmp_path: Path, write_routine, runner, cache_dir
) -> None:
    ok = write_routine("title: Tiny\nblocks:\n  - exercise: Plank\n    duration: 5s\n")
    out = tmp_path / "out.mp3"
    out.write_bytes(b"previous track")
    # an encoder that reads its input and then fails, as a full disk or a crash would
    failing = tmp_path.parent / f"{tmp_path.name}-ffmpeg"
    failing.write_text("#!/bin/sh\ncat > /dev/null\necho 'Error: simulated failure' >&2\nexit 1\n")
    failing.chmod(0o755)
    result = runner.invoke(
        cli,
        ["render", str(ok), "-o", str(out), "-q", "--engine", "espeak", "--cache-dir", cache_dir],
        env={"AUDIOCOACH_FFMPEG": str(failing)},
    )
    assert result.exit_code == 1
    assert len(result.stderr.strip().splitlines()) == 1
    assert out.read_bytes() == b"previous track"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out.mp3", "routine.yaml"]
