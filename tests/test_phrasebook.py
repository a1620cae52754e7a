"""Phrasebooks: complete in every language, plural forms by CLDR, numbers in the right words.

English is the reference: every other phrasebook has each of its keys with the same placeholders,
and every plural phrase has exactly the CLDR plural categories of its language (Babel's
``plural_form.tags``), so a translator adding a language learns here what is missing.
"""

from __future__ import annotations

import fnmatch
import tomllib
from pathlib import Path

import pytest
from babel import Locale

from audiocoach.phrasebook import (
    PhrasebookError,
    Span,
    available_languages,
    estimated_span,
    language_tag,
    load_phrasebook,
    nearest_language,
    parse_phrasebook,
    phrasebook_for,
    placeholders,
    plural_categories,
    said_span,
)

ROOT = Path(__file__).resolve().parent.parent
LANGUAGES = available_languages()
OTHERS = [lang for lang in LANGUAGES if lang != "en"]
ENGLISH = load_phrasebook("en")


def test_the_four_languages_ship() -> None:
    assert {"en", "de", "es", "fr"} <= set(LANGUAGES)


@pytest.mark.parametrize("lang", OTHERS)
def test_every_phrase_english_has(lang: str) -> None:
    book = load_phrasebook(lang)
    assert sorted(book.phrases) == sorted(ENGLISH.phrases)


@pytest.mark.parametrize("lang", OTHERS)
def test_same_placeholders_as_english(lang: str) -> None:
    book = load_phrasebook(lang)
    for key, template in ENGLISH.phrases.items():
        theirs = placeholders(book.phrases[key])
        assert set(theirs) == set(placeholders(template)), (lang, key)


@pytest.mark.parametrize("lang", LANGUAGES)
def test_plural_forms_complete_for_the_language(lang: str) -> None:
    book = load_phrasebook(lang)
    wanted = set(Locale.parse(lang).plural_form.tags) | {"other"}
    assert plural_categories(lang) == wanted
    plural = {k: v for k, v in book.phrases.items() if not isinstance(v, str)}
    assert plural, "a phrasebook with no plural forms cannot say '1 rep' and '2 reps'"
    for key, forms in plural.items():
        assert set(forms) == wanted, (lang, key, sorted(forms))
        # each form can be reached: n decides, so n appears in the forms that need it
        assert "n" in placeholders(forms), (lang, key)


@pytest.mark.parametrize("lang", LANGUAGES)
def test_every_phrase_fills_in(lang: str) -> None:
    """Each phrase says something for small and large numbers, with no brace left over."""
    book = load_phrasebook(lang)
    for key, template in book.phrases.items():
        names = placeholders(template)
        for n in (0, 1, 2, 5, 21, 1_000_000):
            values: dict[str, object] = {
                name: n if name in ("n", "total") else "X" for name in names
            }
            text = book.say(key, **values)
            assert text.strip() and "{" not in text and "}" not in text, (lang, key, text)


def test_shipped_files_are_package_data() -> None:
    """An installed wheel has every phrasebook: pyproject's package-data patterns match them."""
    config = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    patterns = config["tool"]["setuptools"]["package-data"]["audiocoach"]
    files = sorted((ROOT / "audiocoach" / "phrasebooks").glob("*.yaml"))
    assert [f.stem for f in files] == list(LANGUAGES)
    for path in files:
        relative = path.relative_to(ROOT / "audiocoach").as_posix()
        assert any(fnmatch.fnmatch(relative, p) for p in patterns), relative


# --- plural forms and number words ----------------------------------------------------------


@pytest.mark.parametrize(
    ("lang", "key", "n", "said"),
    [
        ("en", "reps", 1, "1 rep"),
        ("en", "reps", 2, "2 reps"),
        ("en", "exercises", 1, "1 exercise"),
        ("de", "minutes", 1, "eine Minute"),
        ("de", "minutes", 2, "zwei Minuten"),
        ("de", "breaths", 1, "ein Atemzug"),
        ("de", "breaths", 21, "einundzwanzig Atemzüge"),
        ("es", "seconds", 1, "un segundo"),
        ("es", "seconds", 21, "veintiún segundos"),
        ("es", "seconds", 31, "treinta y un segundos"),
        ("es", "reps", 21, "veintiuna repeticiones"),
        ("es", "hours", 1, "una hora"),
        ("es", "seconds", 1_000_000, "un millón de segundos"),
        ("fr", "seconds", 0, "zéro seconde"),  # French "one" covers 0 and 1
        ("fr", "seconds", 1, "une seconde"),
        ("fr", "seconds", 21, "vingt et une secondes"),
        ("fr", "seconds", 81, "quatre-vingt-une secondes"),
        ("fr", "rounds", 21, "vingt et un tours"),  # tour is masculine
        ("fr", "minutes", 1_000_000, "un million de minutes"),
    ],
)
def test_plural_and_agreement(lang: str, key: str, n: int, said: str) -> None:
    assert load_phrasebook(lang).say(key, n=n) == said


@pytest.mark.parametrize(
    ("lang", "counts", "countdown"),
    [
        ("en", ["1", "2", "3"], ["three", "two", "one"]),
        ("de", ["eins", "zwei", "drei"], ["drei", "zwei", "eins"]),
        ("es", ["uno", "dos", "tres"], ["tres", "dos", "uno"]),
        ("fr", ["un", "deux", "trois"], ["trois", "deux", "un"]),
    ],
)
def test_counts_and_countdowns(lang: str, counts: list[str], countdown: list[str]) -> None:
    """English counts stay digits (the timeline contract); the others are the language's words."""
    book = load_phrasebook(lang)
    assert [book.say("count.rep", n=n) for n in (1, 2, 3)] == counts
    assert [book.say("count.countdown", n=n) for n in (3, 2, 1)] == countdown


@pytest.mark.parametrize(
    ("lang", "ms", "said"),
    [
        ("en", 30_000, "30 seconds"),
        ("en", 61_000, "1 minute 1 second"),
        ("en", 90_000, "1 minute 30 seconds"),
        ("en", 3_900_000, "1 hour 5 minutes"),
        ("de", 90_000, "eine Minute und dreißig Sekunden"),
        ("es", 81_000, "un minuto y veintiún segundos"),
        ("fr", 81_000, "une minute et vingt et une secondes"),
        ("fr", 7_260_000, "deux heures et une minute"),
    ],
)
def test_lengths_in_words(lang: str, ms: int, said: str) -> None:
    assert load_phrasebook(lang).duration(ms) == said


# --- how lengths are rounded (issue 9.4) ----------------------------------------------------


@pytest.mark.parametrize(
    ("ms", "span"),
    [
        (0, Span(seconds=10)),  # never "about 0 seconds"
        (14_999, Span(seconds=10)),
        (15_000, Span(seconds=20)),  # halves go up, not to even
        (45_000, Span(seconds=50)),
        (54_999, Span(seconds=50)),
        (55_000, Span(minutes=1)),  # "60 seconds" is said as a minute
        (89_999, Span(minutes=1)),
        (90_000, Span(minutes=2)),
        (107_000, Span(minutes=2)),  # the field report: 1:47 is "about 2 minutes"
        (110_000, Span(minutes=2)),  # not "about 110 seconds"
        (150_000, Span(minutes=3)),
        (3_569_999, Span(minutes=59)),
        (3_570_000, Span(hours=1)),
        (3_749_999, Span(hours=1)),
        (3_750_000, Span(hours=1, minutes=5)),
        (5_399_999, Span(hours=1, minutes=30)),
    ],
)
def test_estimate_rounding_edges(ms: int, span: Span) -> None:
    assert estimated_span(ms) == span


@pytest.mark.parametrize(
    ("ms", "span"),
    [
        (1_499, Span(seconds=1)),
        (1_500, Span(seconds=2)),
        (2_500, Span(seconds=3)),  # halves up (round() would say 2)
        (59_499, Span(seconds=59)),
        (59_500, Span(minutes=1)),
        (599_499, Span(minutes=9, seconds=59)),
        (599_500, Span(minutes=10)),
        (629_999, Span(minutes=10)),
        (630_000, Span(minutes=11)),
    ],
)
def test_said_length_rounding_edges(ms: int, span: Span) -> None:
    assert said_span(ms) == span


@pytest.mark.parametrize(
    ("lang", "said"),
    [
        ("en", "2 minutes"),
        ("de", "zwei Minuten"),
        ("es", "dos minutos"),
        ("fr", "deux minutes"),
    ],
)
def test_a_1_47_track_is_about_2_minutes_in_every_language(lang: str, said: str) -> None:
    assert load_phrasebook(lang).about(107_000) == said


# --- choosing a phrasebook ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("tag", "lang"),
    [
        ("de", "de"),
        ("de-DE", "de"),
        ("de_AT", "de"),
        ("DE-ch", "de"),
        ("de_DE.UTF-8", "de"),  # a POSIX locale as $LANG has it
        ("es-419", "es"),
        ("fr-CA", "fr"),
        ("en-GB", "en"),
        ("pt-BR", None),
        ("ja", None),
    ],
)
def test_tags_resolve_to_the_nearest_phrasebook(tag: str, lang: str | None) -> None:
    assert nearest_language(tag) == lang
    book = phrasebook_for(tag)
    assert book.language == (lang or "en")
    assert (book.notice is None) == (lang is not None)


def test_a_language_without_a_phrasebook_is_one_clear_line() -> None:
    book = phrasebook_for("pt-BR")
    assert book.fallback and book.language == "en"
    assert book.say("go") == "Go."
    notice = book.notice or ""
    assert "\n" not in notice
    assert "Portuguese (Brazil)" in notice and "pt-BR" in notice
    assert "English" in notice
    assert all(lang in notice for lang in LANGUAGES)


@pytest.mark.parametrize("tag", ["it", "pt-BR", "ja"])
def test_a_stand_in_phrasebook_spells_its_numbers_in_english(tag: str) -> None:
    """English standing in for a language is read by that language's reader, which would say the
    digits of "Set 2 of 3." in its own words ("Set due of tre."): the stand-in says them itself."""
    book = phrasebook_for(tag)
    assert book.spells_numbers
    assert book.say("set", n=2, total=3) == "Set two of three."
    assert book.say("rest.start", length=book.duration(90_000)) == (
        "Rest, one minute thirty seconds."
    )
    exercises = book.say("exercises", n=12)
    assert book.say("intro", length=book.about(14 * 60_000), exercises=exercises) == (
        "About fourteen minutes, twelve exercises."
    )
    assert book.say("group.order", rounds=book.say("rounds", n=2), names="A, then B") == (
        "Two rounds: A, then B."
    )
    assert [book.say("count.rep", n=n) for n in (1, 2, 21)] == ["One", "Two", "Twenty-one"]
    assert book.say("count.rep_side", n=1, side="left") == "One left"
    assert [book.say("count.countdown", n=n) for n in (3, 2, 1)] == ["three", "two", "one"]
    # Labels are shown, not said: digits, as in English.
    assert book.say("label.round", name="Chop", n=2, total=3) == "Chop (round 2 of 3)"
    assert book.say("label.breath", name="Locust", n=1, total=5) == "Locust: breath 1 of 5"


def test_english_itself_keeps_its_digits_for_the_reader() -> None:
    """The English timeline (pinned by the goldens) keeps "Set 2 of 3."; so does English for a
    region of English (en-GB), which the English reader reads."""
    for book in (ENGLISH, phrasebook_for("en-GB")):
        assert not book.spells_numbers
        assert book.say("set", n=2, total=3) == "Set 2 of 3."
        assert book.say("count.rep", n=1) == "1"
        assert book.say("group.order", rounds=book.say("rounds", n=2), names="A") == "2 rounds: A."


@pytest.mark.parametrize(
    ("lang", "said"),
    [
        ("de", "Zwei Runden: A, dann B."),
        ("es", "Dos rondas: A, luego B."),
        ("fr", "Deux tours : A, puis B."),
    ],
)
def test_a_sentence_that_opens_with_a_value_opens_with_a_capital(lang: str, said: str) -> None:
    book = load_phrasebook(lang)
    rounds = book.say("rounds", n=2)
    assert book.say("group.order", rounds=rounds, names=book.join_names(["A", "B"])) == said


@pytest.mark.parametrize("tag", ["", "x", "123", "de__AT", "toolonglanguage", "de DE", "ü"])
def test_malformed_tags_are_refused_with_the_right_form(tag: str) -> None:
    with pytest.raises(ValueError, match="language tag like de, de-DE"):
        language_tag(tag)


def test_sides_in_english_or_the_language_are_sides() -> None:
    german = load_phrasebook("de")
    assert german.side_key("left") == german.side_key("Links") == "left"
    assert german.side_name("right") == "rechts"
    assert german.side_key("im Uhrzeigersinn") is None
    assert german.side_name("im Uhrzeigersinn") == "im Uhrzeigersinn"


# --- a malformed phrasebook file says what is wrong -----------------------------------------


@pytest.mark.parametrize(
    ("phrases", "message"),
    [
        ({"go": "{n.__class__}"}, "not a plain name"),
        ({"go": "{n:spell}"}, "unknown format 'spell'"),
        ({"go": "{n"}, "go:"),
        ({"reps": {"one": "{n} rep"}}, "reps"),  # plural forms need "other"
        ({"Go": "Go."}, "keys are lowercase words"),
        ({"go": 3}, "expected text"),
    ],
)
def test_malformed_phrasebooks_are_refused(phrases: dict, message: str) -> None:
    with pytest.raises(PhrasebookError, match=message):
        parse_phrasebook({"language": "xx", "phrases": phrases}, "xx.yaml")


def test_unknown_top_level_key_is_refused() -> None:
    with pytest.raises(PhrasebookError, match="unknown key 'phrase'"):
        parse_phrasebook({"language": "en", "phrase": {}}, "en.yaml")
