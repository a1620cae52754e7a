"""Odd speech text, through the whole path: routine text -> timeline -> ``speakable`` -> espeak-ng.

Emoji, control characters, SSML-like markup, very long steps, numbers and units ("3x10", "15
yards", "30s"). ``tests/test_speech_text.py`` holds ``speakable`` itself to its readings; here the
text starts in a routine file, so what matters is what the engine is finally handed (never a digit,
a tag, a control character or more than ``MAX_CHARS``) and that the engine never fails on it.
"""

from __future__ import annotations

import json
import re
import unicodedata
from typing import Any

import pytest
import yaml
from faultkit import RecordingEngine, decoded_ms
from hypothesis import given, note, settings
from hypothesis import strategies as st

from audiocoach.errors import InputError
from audiocoach.pace import PaceOptions
from audiocoach.reading import LANGUAGES_WITH_RULES
from audiocoach.render import RenderSettings, Speaker, plan_timeline, render_timeline
from audiocoach.routine import RoutineFile, validate_routine
from audiocoach.speech.cache import CachedEngine
from audiocoach.speech.espeak import EspeakEngine
from audiocoach.speech.text import MAX_CHARS, speakable
from audiocoach.yamlsource import parse_source

BUDGET = settings.default.max_examples
LONG_STEP = " ".join(["Keep your back long and breathe out slowly as you lower."] * 34)[:1990]

#: where the text goes in the routine, the text as a runner might paste it, what espeak must get
CASES: list[tuple[str, str, str]] = [
    ("goal", "3x10", "Three sets of ten"),
    ("goal", "Walk 15 yards", "Walk fifteen yards"),
    ("cue", "Hold 30s", "Hold thirty seconds"),
    ("step", "12 reps @ 60%", "Twelve reps at sixty percent"),
    ("step", "Rest 5–10 min between rounds", "Rest five to ten minutes between rounds"),
    ("step", "3 × 8-12 reps", "Three sets of eight to twelve reps"),
    ("step", "Hold 1m30s, then 45 sec", "Hold one minute thirty seconds, then forty-five seconds"),
    ("step", "Set 2/3: 20°, 2.5 kg", "Set two of three: twenty degrees, two and a half kilos"),
    ("cue", "💪 Push hard 🔥", "Push hard"),
    ("step", '<speak>Breathe <break time="3s"/> out</speak>', "Breathe out"),
    ("step", '<prosody rate="x-slow">Slowly</prosody> now', "Slowly now"),
    ("step", "**Slow** _down_ `now`", "Slow down now"),
    ("cue", "Hold\a it\x1b[31m now\x1b[0m", "Hold it now"),
    ("cue", "Tab\there\u00a0and\u2028there", "Tab here and there"),
    ("cue", "Re\u200bach \u202eup", "Reach up"),
    ("step", "Ｆｕｌｌ ｗｉｄｔｈ &amp; relax", "Full width and relax"),
    ("step", "see https://example.com/video now", "see now"),
    ("step", LONG_STEP, LONG_STEP[:40]),
]


def routine_with(cases: list[tuple[str, str, str]]) -> dict[str, Any]:
    exercise: dict[str, Any] = {"exercise": "Push-up ✓", "reps": 3, "tempo": "2s"}
    for where, text, _ in cases:
        if where == "goal":
            exercise["goal"] = text  # one goal: later ones win, so goals come one per exercise
        else:
            exercise.setdefault(f"{where}s", []).append(text)
    return {"title": "Odd text 🏃", "blocks": [exercise]}


def load(data: dict[str, Any]) -> RoutineFile:
    raw = yaml.safe_dump(data, allow_unicode=True, sort_keys=False).encode()
    source = parse_source(raw, "odd.yaml")
    return RoutineFile(validate_routine(source), source)


@pytest.fixture(scope="module")
def engine() -> RecordingEngine:
    return RecordingEngine(EspeakEngine())


def assert_fit_for_the_engine(text: str, written: str | None = None) -> None:
    """Clean, printable, bounded, in words. ``written``: the text as typed, for a language
    without rules of its own, which leaves what needs its words ("3x10", "8-12") to the engine
    exactly as written: digits are allowed there, and only there (never half read)."""
    assert text and text == text.strip()
    assert text.isprintable(), f"a control character reached the engine: {text!r}"
    assert not re.search(r"[<>]", text), f"markup reached the engine: {text!r}"
    if written is None:
        assert not re.search(r"[0-9]", text), f"digits reached the engine: {text!r}"
    else:
        for token in re.findall(r"\S*[0-9]\S*", text):
            shape = as_written(token.strip(".,;:!?"))
            assert shape in as_written(written), f"{token!r} is not as written in {written!r}"
    assert len(text) <= MAX_CHARS


def as_written(text: str) -> str:
    """Compatibility forms, fraction slash and times sign as typed, without spaces or invisible
    format characters (a zero-width space)."""
    text = unicodedata.normalize("NFKC", text).replace("⁄", "/").replace("×", "x")
    return "".join(c for c in text if not c.isspace() and unicodedata.category(c) != "Cf")


@pytest.mark.parametrize(
    ("where", "text", "spoken"), CASES, ids=[f"{w}:{t[:24]!r}" for w, t, _ in CASES]
)
def test_routine_text_reaches_espeak_cleaned_and_in_words(
    engine: RecordingEngine, where: str, text: str, spoken: str
) -> None:
    rf = load(routine_with([(where, text, spoken)]))
    before = len(engine.made)
    voice = Speaker(CachedEngine(engine, None))
    timeline = plan_timeline(rf, PaceOptions(), voice.speech_ms)
    heard = [t for t, _ in engine.made[before:]]
    assert any(spoken in h for h in heard), heard
    for h in heard:
        assert_fit_for_the_engine(h)
    for utterance in timeline.utterances():
        if speakable(utterance):
            assert voice.speech_ms(utterance) > 0, f"espeak made no sound for {utterance!r}"


def test_scheduler_numbers_are_words_too(engine: RecordingEngine) -> None:
    """What the coach itself says ("Set 2 of 3", "Rest, 30 seconds", counts) reaches espeak in
    words."""
    data = {
        "title": "Numbers",
        "blocks": [
            {"exercise": "Rows", "reps": 12, "tempo": "2s", "sets": 3, "rest": "30s"},
            {"rest": "1m30s"},
            {"exercise": "Plank", "duration": "45s", "sides": "both"},
        ],
    }
    before = len(engine.made)
    timeline = plan_timeline(
        load(data), PaceOptions(), Speaker(CachedEngine(engine, None)).speech_ms
    )
    heard = [t for t, _ in engine.made[before:]]
    said = [e.text for e in timeline.speech()]
    assert any(re.search(r"[0-9]", s or "") for s in said), "the timeline does use digits"
    for h in heard:
        assert_fit_for_the_engine(h)
    assert "Eleven" in heard and any("Set two of three" in h for h in heard), heard
    assert any("thirty seconds" in h for h in heard), heard


def test_a_render_of_odd_text_plays_and_its_captions_are_clean(
    engine: RecordingEngine, tmp_path
) -> None:  # type: ignore[no-untyped-def]
    """Every case in one short routine, rendered with real espeak-ng and ffmpeg: the track is as
    long as planned, and the lyrics and captions are one line per cue, free of control codes."""
    short = [c for c in CASES if c[1] != LONG_STEP]
    rf = load(routine_with(short))
    voice = Speaker(CachedEngine(engine, None))
    timeline = plan_timeline(rf, PaceOptions(steps=False), voice.speech_ms)
    out = tmp_path / "odd.mp3"
    render_timeline(timeline, voice, out, RenderSettings(transcript=True, timeline_json=True))
    assert abs(decoded_ms(out) - timeline.duration_ms) <= 50
    for suffix in (".lrc", ".vtt"):
        for line in (tmp_path / f"odd{suffix}").read_text(encoding="utf-8").splitlines():
            assert not any(unicodedata.category(c) == "Cc" for c in line), f"{suffix}: {line!r}"
            assert "[31m" not in line, "a terminal code leaked into the captions"
    assert json.loads((tmp_path / "odd.timeline.json").read_text())["title"] == "Odd text 🏃"


# --- anything at all -------------------------------------------------------------------------

odd_pieces = st.sampled_from(
    [
        "3x10",
        "15 yards",
        "30s",
        "1m30s",
        "4:6",
        "½",
        "%",
        "°",
        "@",
        "&",
        "<b>",
        "</b>",
        "<break/>",
        "&amp;",
        "💪",
        "🏃‍♀️",
        "\u200b",
        "\u202e",
        "\x07",
        "\x1b[1m",
        "\t",
        "\u2028",
        "é",
        "日本",
        "-",
        "—",
        ".",
        "!",
        "?",
        " ",
        "word",
        "9" * 25,
    ]
)
odd_text = st.one_of(
    st.text(min_size=1, max_size=60),
    st.lists(odd_pieces, min_size=1, max_size=12).map("".join),
)


@settings(max_examples=BUDGET, deadline=None)
@given(name=odd_text, cue=odd_text, step=odd_text, goal=odd_text)
def test_any_text_in_a_routine_is_spoken_or_refused(
    engine: RecordingEngine, name: str, cue: str, step: str, goal: str
) -> None:
    """Arbitrary text in the name, a cue, a step and the goal: the routine is refused with a
    located message (empty once trimmed, say), or every phrase reaches espeak clean and espeak
    speaks it."""
    data = {
        "title": name,
        "blocks": [
            {"exercise": name, "duration": "20s", "cues": [cue], "steps": [step], "goal": goal}
        ],
    }
    note(repr(data))
    try:
        rf = load(data)
    except InputError as exc:
        assert exc.issues and all(i.line >= 1 for i in exc.issues)
        return
    before = len(engine.made)
    plan_timeline(rf, PaceOptions(), Speaker(CachedEngine(engine, None)).speech_ms)
    for text, _ in engine.made[before:]:
        assert_fit_for_the_engine(text)


@settings(max_examples=BUDGET, deadline=None)
@given(text=st.one_of(st.text(max_size=300), st.lists(odd_pieces, max_size=30).map("".join)))
def test_espeak_never_fails_on_raw_or_cleaned_text(text: str) -> None:
    """Even text no one cleaned (markup, control characters, emoji) does not break espeak-ng."""
    engine = EspeakEngine()
    raw = engine.synthesize(text)
    assert raw.sample_rate == 44100 and len(raw.pcm) % 2 == 0
    spoken = speakable(text)
    if spoken:
        assert engine.synthesize(spoken).duration_ms > 0


# --- other languages: read in their own words, spoken by their own voice ----------------------

#: language, text as typed in a routine of that language, what that language's espeak voice gets
LANGUAGE_CASES = [
    (
        "de",
        "3 Sätze mit 10 Wiederholungen, 2 Minuten Pause 💪",
        "Drei Sätze mit zehn Wiederholungen, zwei Minuten Pause",
    ),
    (
        "de",
        "<b>3x10</b> KH-Rudern, 30 Sek. halten",
        "Drei Sätze mit zehn Kurzhantel-Rudern, dreißig Sekunden halten",
    ),
    ("es", "3x10 sentadillas\u200b, 1½ min de descanso", "Tres series de diez sentadillas"),
    ("es", "21 repeticiones 🔥", "Veintiuna repeticiones"),
    ("fr", "3 séries de 10 répétitions, 2 min de récup", "Trois séries de dix répétitions"),
    ("fr", "1/2 squat\x1b[1m, 1re série", "Demi-squat, première série"),
]


@pytest.mark.parametrize(("lang", "text", "spoken"), LANGUAGE_CASES)
def test_text_in_another_language_reaches_its_espeak_voice_in_its_words(
    lang: str, text: str, spoken: str
) -> None:
    heard = speakable(text, lang=lang)
    assert spoken in heard
    assert_fit_for_the_engine(heard)
    assert speakable(heard, lang=lang) == heard
    clip = EspeakEngine(voice=lang).synthesize(heard)
    # espeak at 175 words a minute: several words take well over a second.
    assert clip.duration_ms > 1000, heard


@settings(max_examples=BUDGET, deadline=None)
@given(
    lang=st.sampled_from(["de", "es", "fr", "it"]),
    text=st.lists(odd_pieces, min_size=1, max_size=12).map("".join),
)
def test_odd_text_in_any_language_is_clean_and_spoken(lang: str, text: str) -> None:
    spoken = speakable(text, lang=lang)
    if spoken:
        assert_fit_for_the_engine(spoken, written=None if lang in LANGUAGES_WITH_RULES else text)
        assert EspeakEngine(voice=lang).synthesize(spoken).duration_ms > 0
