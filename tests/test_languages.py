"""The coach in German, Spanish and French: the shipped translations, plans with no English in the
coach's words, the choice of language (``--lang``, ``language:``, a program day's), and real renders
with espeak-ng's voice of each language.

"Coach words" are what the coach says besides the routine's own text: every speech event, label
and chapter title with the routine's free text (names, steps, cues, goals, side names) taken out.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from click.testing import CliRunner
from num2words import num2words
from shipped import ROUTINES_DIR

from audiocoach.cli import cli
from audiocoach.estimate import estimator
from audiocoach.ffmpeg import decode_pcm
from audiocoach.pace import PaceOptions
from audiocoach.phrasebook import available_languages, load_phrasebook
from audiocoach.program import load_program
from audiocoach.reading import speakable
from audiocoach.render import render_routine
from audiocoach.routine import Routine, load_routine
from audiocoach.schedule import schedule
from audiocoach.speech.registry import SpeechSettings
from audiocoach.tags import read_chapters
from audiocoach.timeline import WORK_KINDS, Timeline

#: The languages the yoga routine is translated into (routines/upper-back-yoga-LANG.yaml).
LANGUAGES = ["de", "es", "fr"]
#: Every phrasebook but English: a language added later is checked for English words too.
PHRASEBOOKS = [lang for lang in available_languages() if lang != "en"]
SOURCE = "upper-back-yoga"
ENGLISH_ROUTINES = [
    "upper-back-yoga",
    "posture-reset",
    "upper-body-supersets",
    "upper-body-strength",
    "upper-body-power",
]
#: Words spelled the same in English and the language, reviewed one by one: French "minute(s)",
#: "circuit" and "six", German "Minute". Anything else English in a coach phrase is a fault.
SAME_IN_BOTH = {"de": {"minute"}, "es": set(), "fr": {"circuit", "minute", "minutes", "six"}}


def words(text: str) -> set[str]:
    return {w for w in re.findall(r"[^\W\d_]+", text.lower()) if len(w) > 1}


def _vocabulary(lang: str) -> set[str]:
    book = load_phrasebook(lang)
    found: set[str] = set()
    for template in book.phrases.values():
        for form in [template] if isinstance(template, str) else template.values():
            found |= words(re.sub(r"\{[^}]*\}", " ", form))
    return found


ENGLISH_COACH_WORDS = _vocabulary("en")
ENGLISH_NUMBER_WORDS = {w for n in range(1001) for w in words(num2words(n, lang="en"))}


def free_text(routine: Routine) -> list[str]:
    """Every string the routine itself says, longest first (so names inside names go last)."""
    found: list[str] = []

    def walk(node: Any) -> None:
        if isinstance(node, str):
            found.append(node.rstrip("."))
        elif isinstance(node, dict):
            for value in node.values():
                walk(value)
        elif isinstance(node, list | tuple):
            for value in node:
                walk(value)

    walk(routine.model_dump(mode="json", exclude={"pace", "language"}))
    return sorted({t for t in found if t}, key=len, reverse=True)


def coach_words(timeline: Timeline, routine: Routine) -> tuple[list[str], list[str]]:
    """(spoken coach phrases, shown labels and chapter titles), the routine's own text removed."""
    own = free_text(routine)

    def strip(text: str) -> str:
        for part in own:
            text = re.sub(re.escape(part), " ", text, flags=re.IGNORECASE)
        return text

    spoken = [strip(e.text or "") for e in timeline.speech()]
    shown = [strip(p.label) for p in timeline.phases] + [strip(c.title) for c in timeline.chapters]
    return spoken, shown


def plan(routine: Routine, lang: str | None = None, **pace: Any) -> Timeline:
    book = load_phrasebook(lang) if lang else None
    return schedule(routine, PaceOptions(**pace), estimator(), phrasebook=book)


def translation(lang: str) -> Routine:
    return load_routine(ROUTINES_DIR / f"{SOURCE}-{lang}.yaml").routine


# --- the shipped translations ---------------------------------------------------------------


@pytest.mark.parametrize("lang", LANGUAGES)
def test_translation_is_its_source_in_another_language(lang: str) -> None:
    """The same moves, holds, breaths, reps and cues as the English routine, in order."""
    routine = translation(lang)
    source = load_routine(ROUTINES_DIR / f"{SOURCE}.yaml").routine
    assert routine.language == lang and source.language is None
    ours, theirs = plan(routine), plan(source)

    def shape(t: Timeline) -> list[tuple]:
        return [
            (p.kind, p.duration_ms, p.set, p.round, p.side)
            for p in t.phases
            if p.kind in WORK_KINDS
        ]

    assert shape(ours) == shape(theirs)
    assert len(ours.chapters) == len(theirs.chapters)
    for mine, original in zip(routine.exercises(), source.exercises(), strict=True):
        assert mine.exercise != original.exercise
        assert (len(mine.steps), len(mine.cues)) == (len(original.steps), len(original.cues))
        assert (mine.breathe is None) == (original.breathe is None)
    assert routine.pace == source.pace


@pytest.mark.parametrize("lang", LANGUAGES)
def test_translation_speaks_its_language(lang: str) -> None:
    routine = translation(lang)
    timeline = plan(routine)  # no phrasebook given: the routine's language: picks it
    book = load_phrasebook(lang)
    titles = [c.title for c in timeline.chapters]
    assert titles[0] == book.say("label.intro") and titles[-1] == book.say("label.finish")
    spoken = [e.text for e in timeline.speech()]
    assert book.say("finish") in spoken
    assert timeline.to_json() == plan(routine, lang).to_json()
    # the routine's breath words are heard, inside the language's own breath phrase
    first = next(ex for ex in routine.exercises() if ex.breathe)
    assert first.breathe is not None
    inhale = book.say("breath.inhale_with", words=first.breathe.inhale)
    assert inhale in spoken
    assert not timeline.dropped


@pytest.mark.parametrize("lang", LANGUAGES)
def test_translations_validate_and_plan_through_the_cli(lang: str, runner: CliRunner) -> None:
    path = ROUTINES_DIR / f"{SOURCE}-{lang}.yaml"
    checked = runner.invoke(cli, ["validate", str(path)])
    assert checked.exit_code == 0, checked.output
    assert "warning" not in checked.stderr
    planned = runner.invoke(cli, ["plan", str(path), "--estimate"])
    assert planned.exit_code == 0, planned.output
    book = load_phrasebook(lang)
    assert book.say("label.intro") in planned.output
    assert book.say("label.breaths", name=translation(lang).parts[0].blocks[1].exercise, n=3) in (
        planned.output
    )


# --- no English in a German, Spanish or French plan -----------------------------------------


def _english_in(texts: list[str], lang: str, vocabulary: set[str]) -> set[str]:
    found: set[str] = set()
    for text in texts:
        found |= (words(text) & vocabulary) - SAME_IN_BOTH.get(lang, set())
    return found


@pytest.mark.parametrize("lang", PHRASEBOOKS)
@pytest.mark.parametrize("name", [f"{SOURCE}-LANG", *ENGLISH_ROUTINES])
def test_no_english_coach_words_or_number_words(lang: str, name: str) -> None:
    """Every phrase and label the coach adds is in the language; counts are its words, no digits.

    The English routines planned in each language reach every kind of phrase: sets, rounds,
    supersets and circuits, named and left/right sides, alternating counts, rests with next-up,
    open holds, checks, time-left calls and the countdown.
    """
    path = ROUTINES_DIR / f"{name.replace('LANG', lang)}.yaml"
    if not path.exists():
        path = ROUTINES_DIR / f"{SOURCE}.yaml"  # a language without a translated routine yet
    routine = load_routine(path).routine
    for pace in ({}, {"countdown": 10, "hold": 200_000, "rest": 50_000}):
        timeline = plan(routine, lang, **pace)
        spoken, shown = coach_words(timeline, routine)
        assert not _english_in(spoken, lang, ENGLISH_COACH_WORDS), spoken
        assert not _english_in(spoken, lang, ENGLISH_NUMBER_WORDS), spoken
        assert not [t for t in spoken if re.search(r"\d", t)], "digits left for an English reader"
        assert not _english_in(shown, lang, ENGLISH_COACH_WORDS), shown


def test_the_check_would_catch_english() -> None:
    """The same check on an English plan finds English coach and number words."""
    routine = load_routine(ROUTINES_DIR / "upper-body-strength.yaml").routine
    spoken, shown = coach_words(plan(routine, "en", countdown=10), routine)
    assert {"set", "rest", "next", "up", "go"} <= _english_in(spoken, "de", ENGLISH_COACH_WORDS)
    assert {"three", "two", "one"} <= _english_in(spoken, "de", ENGLISH_NUMBER_WORDS)
    assert {"get", "ready", "intro"} <= _english_in(shown, "de", ENGLISH_COACH_WORDS)


def test_english_words_are_unchanged_by_the_phrasebook() -> None:
    """The goldens pin the whole English timeline; here the phrases a reader looks for first."""
    routine = load_routine(ROUTINES_DIR / "upper-body-strength.yaml").routine
    spoken = [e.text for e in plan(routine).speech()]
    for phrase in (
        "4 sets of 4 reps each side, alternating.",
        "Set 2 of 4.",
        "Rest, 30 seconds.",
        "Next up: Chin-Up, set 2 of 4.",
        "Switch sides. Right side.",
        "Clockwise.",
        "Switch: counterclockwise.",
        "Round 2 of 3.",
        "Last one.",
        "1 right",
        "three",
        "Go.",
        "Halfway.",
        "Well done. That's the end of the workout.",
    ):
        assert phrase in spoken, phrase


# --- choosing the language ------------------------------------------------------------------


def _plan_json(runner: CliRunner, args: list[str]) -> dict:
    result = runner.invoke(cli, ["plan", *args, "--estimate", "--json"])
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


def _said(data: dict) -> list[str]:
    return [e["text"] for e in data["events"] if e["kind"] == "speech"]


def test_lang_flag_picks_the_phrasebook(runner: CliRunner) -> None:
    yoga = str(ROUTINES_DIR / f"{SOURCE}.yaml")
    assert "Inhale." in _said(_plan_json(runner, [yoga]))
    assert "Inspirez." in _said(_plan_json(runner, [yoga, "--lang", "fr"]))
    assert "Einatmen." in _said(_plan_json(runner, [yoga, "--lang", "de_AT"]))
    # the flag wins over the routine's own language:
    german = str(ROUTINES_DIR / f"{SOURCE}-de.yaml")
    assert "Inhala." in _said(_plan_json(runner, [german, "--lang", "es-MX"]))
    assert "Einatmen." in _said(_plan_json(runner, [german]))


@pytest.mark.parametrize(
    ("given", "hint"),
    [
        ("english", "for English write --lang en"),
        ("Deutsch", "for German write --lang de"),
        ("Frnech", "for French write --lang fr"),
        ("spanish", "for Spanish write --lang es"),
    ],
)
def test_lang_flag_given_a_language_name_says_its_tag(
    runner: CliRunner, given: str, hint: str
) -> None:
    """As ``language: english`` in a file does, with the flag's own spelling."""
    yoga = str(ROUTINES_DIR / f"{SOURCE}.yaml")
    result = runner.invoke(cli, ["plan", yoga, "--estimate", "--lang", given])
    assert result.exit_code == 2 and "Traceback" not in result.output
    assert result.stderr.rstrip().endswith(hint)


def test_a_language_without_a_phrasebook_warns_once_and_speaks_english(
    write_routine, runner: CliRunner
) -> None:
    path = write_routine(
        """
        title: Prancha
        language: pt-BR
        blocks:
          - exercise: Prancha
            duration: 30s
        """
    )
    result = runner.invoke(cli, ["plan", str(path), "--estimate"])
    assert result.exit_code == 0, result.output
    warnings = [line for line in result.stderr.splitlines() if line.startswith("warning:")]
    assert len(warnings) == 1
    assert "Portuguese (Brazil)" in warnings[0] and "English" in warnings[0]
    assert "Get ready: Prancha" in result.stdout


_STAND_IN = """
    title: Dorso
    language: LANG
    blocks:
      - say: Inizia con 2 serie leggere.
      - exercise: Rematore
        reps: 8
        sets: 3
        rest: 30s
        sides: both
        goal: 3 serie da 10 con 20kg
      - superset: Spinta
        rounds: 2
        exercises:
          - exercise: Piegamenti
            reps: 5
          - exercise: Plank
            duration: 45s
      - rest: 1m30s
      - exercise: Ponte
        breaths: 4
"""


@pytest.mark.parametrize("lang", ["it", "pt-BR", "ja"])
def test_a_stand_in_coach_speaks_english_and_the_routine_its_own_language(
    write_routine, runner: CliRunner, lang: str
) -> None:
    """English standing in for a language without a phrasebook: the coach's phrases are read as
    English throughout ("Set one of three.", never "Set uno of tre."), the routine's own text
    in its language ("3 serie da 10" in Italian words)."""
    path = write_routine(_STAND_IN.replace("LANG", lang))
    data = _plan_json(runner, [str(path)])
    routine = load_routine(path).routine
    with_digits = [t for t in free_text(routine) if re.search(r"[0-9]", t)]
    events = [e for e in data["events"] if e["kind"] == "speech"]
    coach = [e for e in events if not any(t in e["text"] for t in with_digits)]
    assert len(coach) > 40
    for event in coach:  # what an English track says for the same text
        assert event["spoken"] == speakable(event["text"], lang="en"), event
    spoken = [e["spoken"] for e in events]
    heard = " ".join(spoken)
    for phrase in ("Set one of three.", "Rest, thirty seconds.", "Two rounds: ", "Four breaths."):
        assert phrase in heard, phrase
    assert re.search(r"About [a-z-]+ minutes, four exercises\.", heard), heard
    assert "One" in spoken and "Seven" in spoken  # the counts
    code = lang.replace("-", "_")
    (goal,) = {e["spoken"] for e in events if e["text"].startswith("3 serie")}
    assert num2words(10, lang=code) in goal and num2words(20, lang=code) in goal, goal
    if lang == "it":
        assert goal == "Tre serie da dieci con venti chilogrammi."
    coach_said = " ".join(e["spoken"] for e in coach)
    native = {num2words(n, lang=code) for n in range(2, 31)}
    assert not native & set(re.findall(r"\w+", coach_said.lower())), coach_said


@pytest.mark.parametrize("where", ["routine", "flag"])
def test_a_malformed_language_is_bad_input(write_routine, runner: CliRunner, where: str) -> None:
    language = "language: 'de DE'\n" if where == "routine" else ""
    path = write_routine(
        f"title: Plank\n{language}blocks:\n  - exercise: Plank\n    duration: 30s\n"
    )
    flag = ["--lang", "de DE"] if where == "flag" else []
    result = runner.invoke(cli, ["plan", str(path), "--estimate", *flag])
    assert result.exit_code == 2
    assert "language tag like de, de-DE" in result.stderr
    if where == "routine":
        assert f"{path}:2:" in result.stderr  # located at the language: line
    assert not result.stdout


def test_a_program_day_speaks_its_own_language(tmp_path: Path, runner: CliRunner) -> None:
    for name in (f"{SOURCE}.yaml", f"{SOURCE}-de.yaml"):
        (tmp_path / name).write_text((ROUTINES_DIR / name).read_text(encoding="utf-8"))
    program = tmp_path / "week.yaml"
    program.write_text(
        "title: Polyglot week\nweeks: 1\ndays:\n"
        f"  mon: {SOURCE}.yaml\n"
        f"  wed:\n    routine: {SOURCE}.yaml\n    language: es\n"
        f"  fri: {SOURCE}-de.yaml\n",
        encoding="utf-8",
    )
    pf = load_program(program)
    tracks = {t.day: t for t in pf.tracks(range(1, 2))}
    assert {d: t.routine.language for d, t in tracks.items()} == {
        "mon": None,
        "wed": "es",
        "fri": "de",
    }
    said = {
        day: [e.text for e in schedule(t.routine, t.pace, estimator()).speech()]
        for day, t in tracks.items()
    }
    assert "Inhale." in said["mon"] and "Inhala." in said["wed"] and "Einatmen." in said["fri"]
    flagged = {t.day: t.routine.language for t in pf.tracks(range(1, 2), language="fr")}
    assert set(flagged.values()) == {"fr"}
    result = runner.invoke(cli, ["plan", str(program), "--estimate"])
    assert result.exit_code == 0, result.output


# --- rendered with espeak-ng's voice of the language ------------------------------------------


@pytest.mark.parametrize("lang", LANGUAGES)
def test_translation_renders_with_its_espeak_voice(lang: str, tmp_path: Path) -> None:
    # Through the one pipeline, as `render` runs it: the routine's language: picks the phrasebook,
    # the text reading and the espeak voice of that language.
    rf = load_routine(ROUTINES_DIR / f"{SOURCE}-{lang}.yaml")
    out = tmp_path / f"{lang}.mp3"
    speech = SpeechSettings(engine="espeak", cache_dir=tmp_path / "cache")
    timeline = render_routine(rf, PaceOptions(), speech, out).timeline
    assert not timeline.dropped, timeline.dropped
    assert (timeline.engine, timeline.language) == ("espeak", lang)
    assert timeline.voice.split("-")[0] == lang
    samples, rate = decode_pcm(out)
    x = samples.astype(np.float64) / 32768.0
    assert abs(len(x) * 1000 / rate - timeline.duration_ms) <= 50
    chapters = read_chapters(out)
    assert chapters == [(c.title, c.start_ms, c.end_ms) for c in timeline.chapters]
    assert chapters[0][0] == load_phrasebook(lang).say("label.intro")
    for event in timeline.speech():
        part = x[event.at_ms * rate // 1000 : event.end_ms * rate // 1000]
        level = 10 * np.log10(float(np.mean(part**2)) + 1e-20)
        assert level > -40, (event.text, level)


def test_a_programs_tracks_are_named_in_their_language(runner: CliRunner, tmp_path: Path) -> None:
    """Field report: a German day was tagged 'Wednesday: Tag B' in the player; the playlists
    listed it so too. Day and week names come from the track's language (CLDR's day names)."""
    from mutagen.id3 import ID3

    (tmp_path / "tag-b.yaml").write_text(
        "title: Tag B\nlanguage: de\nblocks:\n  - exercise: Planke\n    duration: 5s\n",
        encoding="utf-8",
    )
    (tmp_path / "day-a.yaml").write_text(
        "title: Day A\nblocks:\n  - exercise: Plank\n    duration: 5s\n", encoding="utf-8"
    )
    (tmp_path / "week.yaml").write_text(
        "title: Mixed\nweeks: 1\ndays:\n  mon: day-a.yaml\n  wed: tag-b.yaml\n"
        "  fri:\n    routine: day-a.yaml\n    language: es\n",
        encoding="utf-8",
    )
    out = tmp_path / "out"
    args = ["playlist", str(tmp_path / "week.yaml"), "-o", str(out), "-q", "-j", "1"]
    result = runner.invoke(cli, [*args, "--engine", "espeak"])
    assert result.exit_code == 0, result.output
    tracks = sorted((out / "week-01").glob("*.mp3"))
    tags = [(str(ID3(t)["TIT2"]), str(ID3(t)["TALB"])) for t in tracks]
    assert tags == [
        ("Monday: Day A", "Mixed, week 1"),
        ("Mittwoch: Tag B", "Mixed, Woche 1"),
        ("Viernes: Day A", "Mixed, semana 1"),
    ]
    week = (out / "week-01" / "week-01.m3u8").read_text(encoding="utf-8").splitlines()
    assert week[1] == "#PLAYLIST:Mixed, week 1"  # the days' languages differ: English
    assert [line.split(",", 1)[1] for line in week if line.startswith("#EXTINF")] == [
        "Monday: Day A",
        "Mittwoch: Tag B",
        "Viernes: Day A",
    ]
    whole = (out / "mixed.m3u8").read_text(encoding="utf-8").splitlines()
    assert [line.split(",", 1)[1] for line in whole if line.startswith("#EXTINF")] == [
        "Week 1, Monday: Day A",
        "Woche 1, Mittwoch: Tag B",
        "Semana 1, Viernes: Day A",
    ]
