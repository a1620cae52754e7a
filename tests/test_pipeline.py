"""The one render pipeline: what the timeline says is spoken is exactly what the engine gets.

``plan``, ``validate``, ``render``, the playlist's workers and the bench all go through
``audiocoach.render.plan_routine`` / ``render_routine``; these tests pin what that promises.
"""

from __future__ import annotations

import json
from pathlib import Path

from audiocoach.cli import cli
from audiocoach.pace import PaceOptions
from audiocoach.render import Speaker, Speakers, plan_routine, plan_timeline
from audiocoach.routine import load_routine
from audiocoach.speech.base import Clip
from audiocoach.speech.cache import CachedEngine
from audiocoach.speech.espeak import EspeakEngine
from audiocoach.speech.registry import SpeechSettings
from audiocoach.speech.text import speakable

ROUTINE = """\
title: Ladder
blocks:
  - exercise: DB Row
    goal: 3x10 @ 20kg, 90s rest
    reps: 3
    tempo: 2s
  - rest: 1m30s
  - exercise: Side plank
    duration: 20s
    sides: both
"""


class Recording:
    """An espeak engine that remembers every text it was asked to say."""

    def __init__(self) -> None:
        self.inner = EspeakEngine()
        self.name = self.inner.name
        self.voice = "en-us"
        self.heard: list[str] = []

    def identity(self) -> str:
        return self.inner.identity()

    def synthesize(self, text: str) -> Clip:
        self.heard.append(text)
        return self.inner.synthesize(text)


def test_spoken_is_exactly_what_the_engine_receives(write_routine) -> None:
    rf = load_routine(write_routine(ROUTINE))
    engine = Recording()
    speaker = Speaker(CachedEngine(engine, None), "en")
    timeline = speaker.voice(plan_timeline(rf, PaceOptions(), speaker.speech_ms))
    # every spoken text reached the engine as is (the scheduler may also have sized drafts, such
    # as an intro's length estimate before it settled)
    assert {e.spoken for e in timeline.speech()} <= set(engine.heard)
    for event in timeline.speech():
        assert event.spoken == speakable(event.text or "", lang="en")
    goal = next(e for e in timeline.speech() if e.text and e.text.startswith("3x10"))
    assert "Three sets of ten" in (goal.spoken or "")
    assert (timeline.engine, timeline.voice, timeline.language) == ("espeak", "en-us", "en")


def test_plan_heard_column_shows_the_spoken_form(runner, write_routine) -> None:
    path = write_routine(ROUTINE)
    result = runner.invoke(cli, ["plan", str(path), "--engine", "espeak", "--estimate"])
    assert result.exit_code == 0, result.stderr
    assert "Three sets of ten at twenty kilos, ninety-second rest" in result.stdout
    assert "3x10 @ 20kg" not in result.stdout


def test_plan_json_round_trips_with_voice_fields(runner, write_routine) -> None:
    path = write_routine(ROUTINE)
    result = runner.invoke(cli, ["plan", str(path), "--engine", "espeak", "--json"])
    assert result.exit_code == 0, result.stderr
    data = json.loads(result.stdout)
    from audiocoach.timeline import Timeline

    assert Timeline.from_json(data).to_json() == data


def test_one_speaker_per_language_and_speed_across_tracks(write_routine, tmp_path: Path) -> None:
    # A program plans many tracks: they share each engine instead of building one per track.
    rf = load_routine(write_routine(ROUTINE))
    speakers = Speakers(SpeechSettings(engine="espeak", cache_dir=tmp_path / "cache"))
    first = plan_routine(rf, PaceOptions(), speakers)
    again = plan_routine(rf, PaceOptions(), speakers)
    slower = plan_routine(rf, PaceOptions(speech_speed=0.8), speakers)
    assert first.speaker is again.speaker
    assert slower.speaker is not first.speaker
    assert len(speakers.made()) == 2
    assert first.timeline == again.timeline
    assert slower.timeline.duration_ms > first.timeline.duration_ms


def test_progress_shows_on_a_terminal_and_nowhere_else(write_routine, tmp_path: Path) -> None:
    # Field report: a cold `plan` of a program sat silent for 40 s; and without a terminal,
    # `render` left bare "speech " / "mixing " labels in logs. Bars go to a terminal only.
    import os
    import pty
    import subprocess
    import sys

    path = write_routine(ROUTINE)
    args = [sys.executable, "-m", "audiocoach", "plan", str(path), "--engine", "espeak"]
    args += ["--cache-dir", str(tmp_path / "cache")]
    env = dict(os.environ, COLUMNS="100")
    master, slave = pty.openpty()
    try:
        done = subprocess.run(args, stdout=subprocess.PIPE, stderr=slave, env=env, timeout=120)
        os.close(slave)
        shown = b""
        while True:
            try:
                chunk = os.read(master, 4096)
            except OSError:  # the terminal closed once the program ended
                break
            if not chunk:
                break
            shown += chunk
    finally:
        os.close(master)
    assert done.returncode == 0
    assert b"speech" in shown and b"Total" in done.stdout  # the bar on the terminal only
    piped = subprocess.run(args, capture_output=True, env=env, timeout=120)
    assert piped.returncode == 0 and piped.stderr == b""
