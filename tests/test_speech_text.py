"""How routine text is read aloud: cleaning, numbers and units, and robustness on any input."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from audiocoach.speech.text import MAX_CHARS, number_words, ordinal_words, speakable


@pytest.mark.parametrize(
    ("text", "spoken"),
    [
        ("3x10", "three sets of ten"),
        ("3 × 10 squats", "three sets of ten squats"),
        ("1x12", "one set of twelve"),
        ("3x8-12", "three sets of eight to twelve"),
        ("4x400m", "four times four hundred meters"),
        ("Squats x10", "Squats times ten"),
        ("15 yards", "fifteen yards"),
        ("30s", "thirty seconds"),
        ("1s", "one second"),
        ("Plank (45 sec)", "Plank (forty-five seconds)"),
        ("1m30s", "one minute thirty seconds"),
        ("2h05m", "two hours five minutes"),
        ("Rest 2m", "Rest two minutes"),
        ("Run 400m", "Run four hundred meters"),
        ("10 min", "ten minutes"),
        ("90-degree bend", "ninety-degree bend"),
        ("Breathe 4:6", "Breathe four to six"),
        ("4:2:6:2", "four, two, six, two"),
        ("Run 1:30", "Run one minute thirty seconds"),
        ("0:45", "forty-five seconds"),
        ("8-12 reps", "eight to twelve reps"),
        ("4-7-8 breathing", "four, seven, eight breathing"),
        ("50% effort", "fifty percent effort"),
        ("20°C", "twenty degrees Celsius"),
        ("2.5 kg", "two point five kilograms"),
        ("1,500 m", "one thousand five hundred meters"),
        ("3rd set", "third set"),
        ("21st", "twenty-first"),
        ("10/side", "ten per side"),
        ("10 km/h", "ten kilometers per hour"),
        ("5 s/rep", "five seconds per rep"),
        ("left/right", "left or right"),
        ("set 2/3", "set two of three"),
        ("½ squat", "one half squat"),
        ("~5 min", "about five minutes"),
        ("Keep HR < 150", "Keep HR under one hundred fifty"),
        ("7:30am", "seven thirty a m"),
        ("Lift — slowly", "Lift, slowly"),
        ("-5 degrees", "minus five degrees"),
        ("Round 9999", "Round nine thousand nine hundred ninety-nine"),
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


def test_other_languages_keep_digits_and_symbols() -> None:
    assert speakable("Trois séries de 10 💪 <i>vite</i>", lang="fr") == "Trois séries de 10 vite"
    assert speakable("50 %", lang="de") == "50 %"
    assert speakable("3x10", lang="en-GB") == "three sets of ten"


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


@pytest.mark.parametrize(
    ("n", "words"),
    [
        (0, "zero"),
        (13, "thirteen"),
        (40, "forty"),
        (99, "ninety-nine"),
        (100, "one hundred"),
        (101, "one hundred one"),
        (1000, "one thousand"),
        (2024, "two thousand twenty-four"),
        (9999, "nine thousand nine hundred ninety-nine"),
        (1_000_001, "one million one"),
        (-7, "minus seven"),
    ],
)
def test_number_words(n: int, words: str) -> None:
    assert number_words(n) == words


@pytest.mark.parametrize(
    ("n", "words"),
    [
        (1, "first"),
        (2, "second"),
        (3, "third"),
        (5, "fifth"),
        (12, "twelfth"),
        (20, "twentieth"),
        (42, "forty-second"),
        (100, "one hundredth"),
    ],
)
def test_ordinal_words(n: int, words: str) -> None:
    assert ordinal_words(n) == words


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
