"""Tones never mask words (issue 8): beat tones come before their word, the rest dip under it.

A tick or pip marks a beat and its count follows it (the scheduler's rule, checked in the
property tests); a tone that rings while the coach speaks (a breath sweep under "Inhale, reach
forward", a bell's tail under "Rest, 30 seconds") dips ``UNDER_SPEECH_DB`` beneath the words.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from audio_helpers import decode, make_timeline, render, rms_dbfs, span, tone

from audiocoach.loudness import keyed_events
from audiocoach.pace import PaceOptions
from audiocoach.render import plan_routine
from audiocoach.routine import load_routine
from audiocoach.speech.base import Clip
from audiocoach.speech.registry import SpeechSettings
from audiocoach.timeline import Event
from audiocoach.tones import (
    DIP_ATTACK_MS,
    DIP_LEAD_MS,
    DIP_RELEASE_MS,
    DIPS_UNDER_SPEECH,
    UNDER_SPEECH_DB,
    tone_clip,
    under_speech,
)

ROUTINES = Path(__file__).resolve().parent.parent / "routines"


def _floats(clip: Clip) -> np.ndarray:
    return np.frombuffer(clip.pcm, dtype="<i2").astype(np.float64) / 32768


def test_a_dip_is_the_set_depth_under_the_word_and_nothing_elsewhere() -> None:
    sweep = tone_clip("inhale", 6000)
    dipped = under_speech(sweep, ((2000, 3500),))
    x, y = _floats(sweep), _floats(dipped)
    assert len(x) == len(y)
    # fully down from the lead before the word to its end
    inside = span(y, 2000 - DIP_LEAD_MS, 3500), span(x, 2000 - DIP_LEAD_MS, 3500)
    assert rms_dbfs(inside[0]) - rms_dbfs(inside[1]) == pytest.approx(UNDER_SPEECH_DB, abs=0.1)
    # untouched before the ramp starts and after the release ends
    before = 2000 - DIP_LEAD_MS - DIP_ATTACK_MS
    assert np.array_equal(span(y, 0, before - 1), span(x, 0, before - 1))
    after = 3500 + DIP_RELEASE_MS
    assert np.array_equal(span(y, after + 1, 6000), span(x, after + 1, 6000))


def test_a_dip_ramps_without_a_click() -> None:
    # the gain moves along raised cosines: no step a listener hears as a click
    x = np.ones(44_100, dtype=np.int16) * 16_000
    flat = Clip(x.tobytes())
    gain = _floats(under_speech(flat, ((300, 600),))) / _floats(flat)
    assert np.max(np.abs(np.diff(gain))) < 0.002  # per sample, at most 0.2% of full level


def _silent(ms: int) -> Clip:
    return Clip(bytes(2 * (ms * 44_100 // 1000)))


def test_the_sweep_dips_under_its_words_in_the_encoded_track(tmp_path: Path) -> None:
    # A silent clip stands in for the words, so the decoded track holds the tones alone and the
    # dip can be read off it; the dip comes from the timeline (when words are said), not from
    # what the words sound like.
    clips = {"Inhale, reach forward.": _silent(1500)}
    events = [
        tone(0, "inhale", 6000),
        Event(2000, "speech", 1500, text="Inhale, reach forward.", role="breath"),
        tone(6000, "exhale", 6000),  # no words over this one
    ]
    out = tmp_path / "dips.mp3"
    render(make_timeline(12_000, events), clips, out)
    track = decode(out)
    under = rms_dbfs(span(track, 2000, 3400))
    beside = rms_dbfs(span(track, 4000, 5000))
    assert under - beside == pytest.approx(UNDER_SPEECH_DB, abs=1.5)
    # the undisturbed sweep keeps its level all through (away from its fades)
    a, b = rms_dbfs(span(track, 7600, 8600)), rms_dbfs(span(track, 9600, 10600))
    assert abs(a - b) < 1.5


def test_beat_tones_never_dip_and_tones_away_from_words_stay_whole() -> None:
    events = [
        tone(1000, "tick"),
        Event(1060, "speech", 400, text="One.", role="count"),
        tone(5000, "bell"),
    ]
    keys = {key[1]: key for _, key in keyed_events(make_timeline(8000, events))}
    assert keys["tick"][3] == ()
    assert keys["bell"][3] == ()


@pytest.mark.parametrize("name", ["upper-back-yoga", "upper-body-strength"])
def test_in_a_shipped_routine_no_tone_sounds_full_over_a_word(name: str, tmp_path: Path) -> None:
    planned = plan_routine(
        load_routine(ROUTINES / f"{name}.yaml"),
        PaceOptions(),
        SpeechSettings(engine="espeak", cache_dir=tmp_path / "cache"),
    )
    timeline = planned.timeline
    words = [(e.at_ms, e.end_ms) for e in timeline.speech() if e.text]
    dipped = 0
    for event, key in keyed_events(timeline):
        if event.kind != "tone":
            continue
        over = [(a, b) for a, b in words if a < event.end_ms and b > event.at_ms]
        if not over:
            continue
        # a tone that shares time with a word dips under every such word
        assert event.tone in DIPS_UNDER_SPEECH, (event, over)
        assert {(a - event.at_ms, b - event.at_ms) for a, b in over} <= set(key[3]), event
        dipped += 1
    assert dipped > 0  # breath sweeps under breath cues, bells under "Rest, ..."
