"""How routine text is read aloud, in any language: cleaning, numbers, and robustness on any input.

The readings of each language with rules are in ``test_reading_en.py`` (and ``_de``, ``_es``,
``_fr``); here: what every language shares (cleaning, the contract of ``speakable``), number words
through num2words, languages without rules, and that no English word reaches a German, Spanish or
French voice.
"""

from __future__ import annotations

import importlib
import re
import time

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from audiocoach.reading import LANGUAGES_WITH_RULES, number_words, ordinal_words, reading_for
from audiocoach.speech.text import MAX_CHARS, speakable


@pytest.mark.parametrize(
    ("text", "spoken"),
    [
        ("3x10", "Three sets of ten"),
        ("3 × 10 squats", "Three sets of ten squats"),
        ("1x12", "One set of twelve"),
        ("3x8-12", "Three sets of eight to twelve"),
        ("4x400m", "Four times four hundred meters"),
        ("Squats x10", "Squats times ten"),
        ("15 yards", "Fifteen yards"),
        ("30s", "Thirty seconds"),
        ("1s", "One second"),
        ("Plank (45 sec)", "Plank (forty-five seconds)"),
        ("1m30s", "One minute thirty seconds"),
        ("2h05m", "Two hours five minutes"),
        ("Rest 2m", "Rest two minutes"),
        ("Run 400m", "Run four hundred meters"),
        ("10 min", "Ten minutes"),
        ("90-degree bend", "Ninety-degree bend"),
        ("Breathe 4:6", "Breathe four to six"),
        ("4:2:6:2", "Four, two, six, two"),
        ("Run 1:30", "Run one minute thirty seconds"),
        ("0:45", "Forty-five seconds"),
        ("8-12 reps", "Eight to twelve reps"),
        ("4-7-8 breathing", "Four, seven, eight breathing"),
        ("50% effort", "Fifty percent effort"),
        ("20°C", "Twenty degrees Celsius"),
        ("2.5 kg", "Two and a half kilos"),
        ("1,500 m", "One thousand five hundred meters"),
        ("3rd set", "Third set"),
        ("21st", "Twenty-first"),
        ("10/side", "Ten per side"),
        ("10 km/h", "Ten kilometers per hour"),
        ("5 s/rep", "Five seconds per rep"),
        ("left/right", "left and right"),  # both sides, in turn, as "L/R"
        ("bench/floor", "bench or floor"),
        ("set 2/3", "set two of three"),
        ("½ squat", "Half squat"),
        ("~5 min", "About five minutes"),
        ("Keep HR < 150", "Keep HR under one hundred and fifty"),
        ("7:30am", "Seven thirty a m"),
        ("Lift — slowly", "Lift, slowly"),
        ("-5 degrees", "Minus five degrees"),
        ("Round 9999", "Round nine thousand nine hundred and ninety-nine"),
    ],
)
def test_numbers_and_units_read_naturally(text: str, spoken: str) -> None:
    assert speakable(text) == spoken


@pytest.mark.parametrize(
    ("text", "spoken"),
    [
        ('🏋️ Push-ups 💪 <break time="1s"/> <b>hard</b>', "Push-ups hard"),
        ("Hello\x00world\n\tagain\u200b!", "Hello world again!"),
        ("Go!!! Now...", "Go! Now."),
        ("&amp; relax", "and relax"),
        ("**Slow** _down_ `now`", "Slow down now"),
        ("see https://example.com/x now", "see now"),
        ("Ｆｕｌｌ ｗｉｄｔｈ", "Full width"),
        ("  Inhale ,  reach  forward  ", "Inhale, reach forward"),
        ("Café crème", "Café crème"),
    ],
)
def test_markup_symbols_and_spacing_are_cleaned(text: str, spoken: str) -> None:
    assert speakable(text) == spoken


@pytest.mark.parametrize("text", ["", "   ", "🔥💯", "<b></b>", "!!!", "( )", "\x00\x01", "---"])
def test_nothing_speakable_is_empty(text: str) -> None:
    assert speakable(text) == ""


def test_long_text_is_cut_at_a_sentence() -> None:
    sentence = "Keep your back straight and breathe out slowly. "
    text = sentence * (MAX_CHARS // len(sentence) + 20)
    spoken = speakable(text)
    assert len(spoken) <= MAX_CHARS
    assert spoken.endswith("slowly.")


def test_long_text_without_sentences_is_cut_at_a_word() -> None:
    spoken = speakable("breathe " * MAX_CHARS)
    assert len(spoken) <= MAX_CHARS and spoken.endswith("breathe")
    assert len(speakable("a" * 10 * MAX_CHARS)) == MAX_CHARS


# At least 200 cases even under the quick CI profile: this is the only guard on arbitrary input.
_EXAMPLES = max(200, settings.default.max_examples)


@settings(max_examples=_EXAMPLES, deadline=None)
@given(st.text())
def test_any_text_gives_printable_text(text: str) -> None:
    spoken = speakable(text)
    assert isinstance(spoken, str)
    assert spoken.isprintable()
    assert len(spoken) <= MAX_CHARS
    assert spoken == spoken.strip()


_ROUTINE_ALPHABET = st.sampled_from(
    [*"0123456789 xX×:-–/.,%°+#~<>&!?()smhkgSMd", "min", "sec", "yd", "lbs", "🔥", "\u200d"]
)


@settings(max_examples=_EXAMPLES, deadline=None)
@given(st.lists(_ROUTINE_ALPHABET, max_size=30).map("".join))
def test_routine_like_text_is_stable(text: str) -> None:
    spoken = speakable(text)
    assert spoken.isprintable()
    assert not any(ch.isdigit() for ch in spoken)  # every number became words
    assert speakable(spoken) == spoken  # cleaning twice changes nothing


@pytest.mark.parametrize("lang", LANGUAGES_WITH_RULES)
@settings(max_examples=_EXAMPLES, deadline=None)
@given(text=st.lists(_ROUTINE_ALPHABET, max_size=30).map("".join))
def test_routine_like_text_is_stable_in_every_language(lang: str, text: str) -> None:
    spoken = speakable(text, lang=lang)
    assert spoken.isprintable()
    assert not any(ch.isdigit() for ch in spoken), spoken
    assert speakable(spoken, lang=lang) == spoken


_LANG_TAGS = st.sampled_from(["en", "de", "es", "fr", "it", "zh", "de-AT", "", "xx-YY", "123", "é"])


@settings(max_examples=_EXAMPLES, deadline=None)
@given(text=st.text(max_size=120), lang=_LANG_TAGS)
def test_any_text_in_any_language_never_raises(text: str, lang: str) -> None:
    spoken = speakable(text, lang=lang)
    assert spoken.isprintable() and spoken == spoken.strip() and len(spoken) <= MAX_CHARS
    assert speakable(spoken, lang=lang) == spoken


# --- numbers through num2words ---------------------------------------------------------------


@pytest.mark.parametrize(
    ("n", "lang", "gender", "words"),
    [
        (0, "en", None, "zero"),
        (13, "en", None, "thirteen"),
        (99, "en", None, "ninety-nine"),
        (101, "en", None, "one hundred and one"),
        (1500, "en", None, "one thousand five hundred"),
        (1_000_001, "en", None, "one million and one"),
        (-7, "en", None, "minus seven"),
        (1, "de", None, "eins"),
        (1, "de", "m", "ein"),
        (1, "de", "f", "eine"),
        (21, "de", None, "einundzwanzig"),
        (1, "es", None, "uno"),
        (1, "es", "m", "un"),
        (1, "es", "f", "una"),
        (21, "es", "m", "veintiún"),
        (21, "es", "f", "veintiuna"),
        (200, "es", "f", "doscientas"),
        (21000, "es", None, "veintiún mil"),
        (21, "fr", None, "vingt et un"),
        (21, "fr", "f", "vingt et une"),
        (1, "fr", "f", "une"),
        (80, "fr", None, "quatre-vingts"),
        (3, "it", None, "tre"),
        (3, "pt-BR", None, "três"),
        (3, "zh", None, "3"),
    ],
)
def test_number_words(n: int, lang: str, gender: str | None, words: str) -> None:
    assert number_words(n, lang, gender=gender) == words  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("n", "lang", "gender", "words"),
    [
        (1, "en", None, "first"),
        (2, "en", None, "second"),
        (12, "en", None, "twelfth"),
        (21, "en", None, "twenty-first"),
        (100, "en", None, "one hundredth"),
        (3, "de", None, "dritte"),
        (3, "de", "m", "dritter"),
        (3, "de", "n", "drittes"),
        (1, "es", None, "primero"),
        (1, "es", "m", "primer"),
        (1, "es", "f", "primera"),
        (3, "es", "m", "tercer"),
        (11, "es", None, "decimoprimero"),
        (1, "fr", None, "premier"),
        (1, "fr", "f", "première"),
        (80, "fr", None, "quatre-vingtième"),
        (21, "fr", None, "vingt et unième"),
        (3, "zh", None, "3."),
    ],
)
def test_ordinal_words(n: int, lang: str, gender: str | None, words: str) -> None:
    assert ordinal_words(n, lang, gender=gender) == words  # type: ignore[arg-type]


def test_huge_numbers_are_read_digit_by_digit() -> None:
    assert number_words(10**20, "de").split() == ["eins"] + ["null"] * 20
    assert speakable("9" * 40, lang="fr") == " ".join(["Neuf"] + ["neuf"] * 39)


# --- languages without rules of their own ----------------------------------------------------


@pytest.mark.parametrize(
    ("lang", "text", "spoken"),
    [
        ("it", "3 serie da 10 💪 <i>piano</i>", "Tre serie da dieci piano"),
        ("it", "1.500 metri", "Millecinquecento metri"),
        ("pt-BR", "3 séries de 10", "Três séries de dez"),
        ("nl", "3 sets van 10", "Drie sets van tien"),
        ("it", "50 %", "Cinquanta percento"),
        ("zh", "3组10次", "3组10次"),
        ("hi", "3 सेट", "3 सेट"),
    ],
)
def test_a_language_without_rules_gets_num2words_numbers_or_digits(
    lang: str, text: str, spoken: str
) -> None:
    assert speakable(text, lang=lang) == spoken


#: English number words, and the words English reading rules add; minus those that are also words
#: of the language checked (French "six", "second").
_ENGLISH = set(
    "zero one two three four five six seven eight nine ten eleven twelve thirteen fourteen "
    "fifteen sixteen seventeen eighteen nineteen twenty thirty forty fifty sixty seventy eighty "
    "ninety hundred thousand million first second third fourth fifth half quarter quarters "
    "point times sets set of to per each seconds minutes hours meters kilos pounds percent "
    "twice once".split()
)
_ALSO_NATIVE = {
    "fr": {"six", "second", "set", "sets", "minutes", "kilos"},
    "de": {"set"},
    "es": {"set", "kilos"},
}


def _texts_with_numbers(lang: str) -> list[str]:
    module = importlib.import_module(f"test_reading_{lang}")
    return [text for _, text, _ in module.CASES if re.search("[0-9½¼¾]", text)]


@pytest.mark.parametrize("lang", ["de", "es", "fr"])
def test_no_english_number_word_reaches_a_german_spanish_or_french_voice(lang: str) -> None:
    texts = [
        *_texts_with_numbers(lang),
        "3x10 30s 1/2 4:6 8-12 2nd 1,5 km 4x400m 21 7:30 tempo 3-1-1-0 10/side 2.5 kg 3rd x10",
    ]
    english = _ENGLISH - _ALSO_NATIVE.get(lang, set())
    assert len(texts) > 50
    for text in texts:
        spoken = speakable(text, lang=lang)
        heard = set(re.findall(r"[^\W\d_]+", spoken.lower()))
        assert not heard & english, (text, spoken)
        assert not re.search("[0-9]", spoken), (text, spoken)


#: A sentence that follows another, in each language.
_NEXT_SENTENCE = {
    "en": "Then go.",
    "de": "Dann los.",
    "es": "Luego sigue.",
    "fr": "Puis repos.",
    "it": "Poi via.",
}


@pytest.mark.parametrize("lang", sorted(_NEXT_SENTENCE))
def test_every_unit_whose_full_stop_ends_a_sentence_keeps_the_sentence_end(lang: str) -> None:
    """ "Halte 30 Sek. Weiter." was "dreißig Sekunden Weiter": the full stop of an abbreviated
    unit that also ends the sentence is kept, for every unit a language reads, so the voice
    pauses there."""
    reading = reading_for(lang)
    units = reading.units  # type: ignore[attr-defined]
    assert len(units) > 20
    following = _NEXT_SENTENCE[lang]
    for written in units:
        spoken = speakable(f"Hold 30 {written}. {following}", lang=lang)
        assert spoken.endswith(f". {following}"), (written, spoken)
        assert not re.search("[0-9]", spoken), (written, spoken)


# --- bounded work on hostile input -----------------------------------------------------------

_HOSTILE = [
    "1-" * 4000,
    "1/" * 4000,
    "1x" * 4000,
    "1:" * 4000,
    "1." * 4000,
    "1," * 4000,
    "tempo 3-1-" * 800,
    "3 Sätze " * 1000,
    "1 1/2 " * 1300,
    "9" * 8000,
    "DB " * 2600,
    "1 bis " * 1300,
]


@pytest.mark.parametrize("lang", [*LANGUAGES_WITH_RULES, "it"])
def test_hostile_text_is_read_in_bounded_time(lang: str) -> None:
    """Every rule is a single regex pass without nested repetition: long runs of what the rules
    look for stay linear (under a second each here, on a busy two-core machine)."""
    for text in _HOSTILE:
        started = time.perf_counter()
        spoken = speakable(text, lang=lang)
        elapsed = time.perf_counter() - started
        assert elapsed < 2.0, (text[:20], elapsed)
        assert len(spoken) <= MAX_CHARS
