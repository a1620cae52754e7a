"""The reading rules every coaching language shares, with the words left to each language.

A coach reads "3x10" as "three sets of ten", "drei Sätze mit zehn", "tres series de diez" or
"trois séries de dix": the *shape* of what runners write (sets x reps, ranges, fractions, units,
tempo, clock times, per-side phrases, ordinals) is the same in every language, the words and their
grammar are not. ``CoachReading`` holds the patterns for those shapes and asks its language
(``en``, ``de``, ``es``, ``fr``, one module each) for words: a unit table, a gender for a noun,
how a fraction, a set or an ordinal is said.

``Reading`` is what every reading shares (rules in order, sentence starts kept); a language
without rules of its own gets ``shared.SharedReading``: what needs no words of its own is read,
the rest left whole for the engine; never another language's words.

Rules run in order, each a regex substitution over the whole text (so work stays linear in the
text's length). Most rules leave the numbers they place as digits ("3 Sätze mit 10"); the last rule
turns every number left into words, in the form the next noun asks for ("eine Minute", "una
serie"). Every pattern treats any Unicode letter as a letter (``\\w``, ``[^\\W\\d_]``), so "3 Sätze"
is never "3 s" plus "ätze".
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from functools import lru_cache
from typing import ClassVar

from audiocoach.reading.numbers import (
    Gender,
    decimal_words,
    nice_fraction,
    num2words_code,
    number_words,
    ordinal_words,
    year_words,
)

Replacement = str | Callable[[re.Match[str]], str]
Rule = tuple[re.Pattern[str], Replacement]

#: Any letter of any script (not a digit, not "_").
LETTER = r"[^\W\d_]"
WORD = LETTER + r"+"
#: A number not glued to a word or to a longer number on its left.
START = r"(?<![\w.])(?<![0-9],)"
_URL = re.compile(r"https?://\S+|www\.\S+", re.IGNORECASE)
_TIMES_SIGN = re.compile(r"(?<=[0-9])\s*[×✕]\s*(?=[0-9])")
_LEADING_POINT = re.compile(r"(?:^|(?<=\s))\.(?=[0-9])")
_RIGHT_SIDE = re.compile(r"[0-9]\s?R(?!\w)")
#: A number and a unit-like word just before (``2 min `` of "2 min 30 s rest").
_ENDS_IN_A_MEASURE = re.compile(r"[0-9]\s*[^\W\d_]{1,8}\.?\s+$")
_NEXT_WORD = re.compile(r"\s*(" + LETTER + r"[\w'’-]*)")
#: "m" for minutes is at most this many when the words around do not say (then metres).
_MOST_MINUTES_IN_M = 24
#: Where a sentence or clause ends: words beyond it say nothing of a number's unit.
_SENTENCE_BREAK = re.compile(r"[.!?;](?:\s|$)")


@dataclass(frozen=True)
class Unit:
    """How a unit is said after a number: its singular and plural, and the gender of its noun."""

    one: str
    many: str
    gender: Gender | None = "m"


def words(text: str) -> set[str]:
    return set(text.split())


class Reading:
    """What every reading shares: rules run in order, numbers in words, sentence starts kept.

    Used as is, it only spells numbers (by num2words in the language when it knows it, "3 serie
    da 10" -> "tre serie da dieci"; otherwise digits stay for the engine); a language without rules
    of its own gets ``shared.SharedReading``, one with rules a ``CoachReading``. A dot or comma
    followed by exactly three digits groups thousands ("1.500"); otherwise it is a decimal mark.

    A rule that puts a word first in a sentence capitalizes it, as the original did ("3x10 at
    20kg." -> "Three sets of ten...", "DB Row." -> "Dumbbell Row."): engines take a capital as a
    cue for a sentence start. Text that began lower case ("e.g. ...") stays lower case.
    """

    #: Whether % ° + & stay for the engine (True where no rule here turns them into words).
    keep_symbols: ClassVar[bool] = True

    def __init__(self, lang: str) -> None:
        self.lang = lang
        self.code = num2words_code(lang)
        self.rules: tuple[Rule, ...] = tuple(
            (pattern, _capitalizing(replacement)) for pattern, replacement in self.build_rules()
        )

    def say(self, token: str, gender: Gender | None = None) -> str:
        """A written number (digits, maybe one decimal mark) in words; long codes digit by digit."""
        if not token.isdigit():
            return decimal_words(token, self.lang, gender=gender)
        if len(token) > 15:
            return " ".join(number_words(int(d), self.lang) for d in token)
        return number_words(int(token), self.lang, gender=gender)

    def build_rules(self) -> Iterable[Rule]:
        yield _URL, " "
        yield (
            re.compile(r"(?<![0-9.,])[0-9]{1,3}(?:[.,][0-9]{3})+(?![0-9]|[.,][0-9])"),
            lambda m: re.sub(r"[.,]", "", m.group(0)),
        )
        if self.code is not None:  # else digits stay, untouched, for the engine
            yield re.compile(r"[0-9]+(?:[.,][0-9]+)?"), self._plain_number

    def before_normalizing(self, text: str) -> str:
        """A hook for marks NFKC would change (Spanish º and ª); the default changes nothing."""
        return text

    def read(self, text: str) -> str:
        for pattern, replacement in self.rules:
            text = pattern.sub(replacement, text)
        return text

    def _plain_number(self, match: re.Match[str]) -> str:
        return pad(match, self.say(match.group(0)))


#: Looked past, back from a rule's match, to find whether it starts a sentence.
_OPENERS = " \"'“‘«„¿¡([{"
_SENTENCE_ENDS = ".!?…"
_LOOK_BACK = 24
#: Signs that join what stands around them: never the start of a sentence ("12 Wdh. @ 60%").
_JOINERS = ("@", "&")


def at_sentence_start(text: str, start: int) -> bool:
    """Whether ``text[start:]`` opens a sentence: nothing but spaces, quotes and brackets stand
    between it and the start of the text or a ``. ! ? …``. Looks back a bounded distance."""
    window = text[max(0, start - _LOOK_BACK) : start]
    before = window.rstrip(_OPENERS)
    if not before:
        return start <= _LOOK_BACK
    return before[-1] in _SENTENCE_ENDS


def _capitalizing(replacement: Replacement) -> Callable[[re.Match[str]], str]:
    """``replacement``, with its first letter upper-cased when it opens a sentence and what it
    replaces did not start with a lower-case letter (a digit, a capital, a symbol)."""

    def replace(match: re.Match[str]) -> str:
        said = replacement(match) if callable(replacement) else match.expand(replacement)
        written = next((c for c in match.group(0) if c.isalnum()), "")
        if written.islower() or match.group(0).strip() in _JOINERS:
            return said
        first = next((i for i, c in enumerate(said) if c.isalnum()), None)
        if first is None or not said[first].islower():
            return said
        if not at_sentence_start(match.string, match.start()):
            return said
        return said[:first] + said[first].upper() + said[first + 1 :]

    return replace


def sentence_follows(rest: str, *, number_too: bool = False) -> bool:
    """After a full stop that may be an abbreviation's: does a sentence end there? Yes at the end
    of the text or before a capital (in German, a noun also has one: see ``German``).

    ``number_too``: also before a number, after a unit or a count ("Hold 30 sec. 10 reps.",
    "10 ea. 3 sets."): a number never goes on a measure's phrase (a duration that goes on, "3
    min. 30 sec.", has lost its inner full stop first: see ``CoachReading``). Not after a word
    such as "approx." or "máx.", which a number follows in the same sentence.
    """
    following = rest.lstrip()
    return not following or following[0].isupper() or (number_too and following[0].isdigit())


def pad(match: re.Match[str], spoken: str) -> str:
    """``spoken`` with a space only where it would otherwise touch a letter: "ninety-degree"."""
    text, start, end = match.string, match.start(), match.end()
    left = " " if start and text[start - 1].isalnum() else ""
    right = " " if end < len(text) and text[end].isalnum() else ""
    return f"{left}{spoken}{right}"


def alternation(keys: Iterable[str]) -> str:
    return "|".join(re.escape(k) for k in sorted(set(keys), key=len, reverse=True))


class CoachReading(Reading):
    """The shared rules; a language supplies the words (class attributes) and a few methods."""

    keep_symbols: ClassVar[bool] = False
    #: "2.5" and, outside English, "2,5": a decimal mark the number rule reads.
    decimal_marks: ClassVar[str] = ".,"
    #: Spelled unit (lower case, as typed after a number) -> how it is said.
    units: ClassVar[Mapping[str, Unit]] = {}
    #: Units whose abbreviation may carry a full stop that is not a sentence end ("Sek.", "min.").
    dotted_units: ClassVar[frozenset[str]] = frozenset()
    #: "m" after a number: which words next to it make it metres and which minutes (see
    #: ``m_means_minutes``). Moves over a short measured distance (sprint, carry, strides):
    #: metres at any value.
    distance_context: ClassVar[frozenset[str]] = frozenset()
    #: Moves timed as often as measured (jog, walk, run): minutes up to 24, metres above.
    timed_moves: ClassVar[frozenset[str]] = frozenset()
    time_context: ClassVar[frozenset[str]] = frozenset()
    #: Whether "m" alone means minutes when nothing near it says otherwise and the value is small.
    m_is_minutes_by_default: ClassVar[bool] = False
    #: Exact abbreviations (case-sensitive, whole words) -> words.
    abbreviations: ClassVar[Mapping[str, str]] = {}
    #: Those of them with a full stop that may also end a sentence ("10 ea. Then rest.").
    sentence_final_abbreviations: ClassVar[frozenset[str]] = frozenset()
    #: Nouns after which "2/3" is "two of three" ("set", "Satz", "serie", "série").
    counters: ClassVar[frozenset[str]] = frozenset()
    #: Sides as written (lower case, no full stop) -> the word said: "l" -> "left", "li" ->
    #: "links", "izq" -> "izquierda". Two of them joined by a slash are both sides, taken in turn
    #: ("L/R", "li/re im Wechsel", "izq./der. alternando"): read with ``and_word``, never "or".
    sides: ClassVar[Mapping[str, str]] = {}
    #: Words after a slash that mean "per" ("10/side"); others mean "or" ("bench/floor").
    per_nouns: ClassVar[frozenset[str]] = frozenset()
    #: Words before which a number is not followed by its noun ("1 of 3", "uno de tres").
    function_words: ClassVar[frozenset[str]] = frozenset()
    #: Prepositions after which a four-digit number is a year ("since 2019").
    year_words_before: ClassVar[frozenset[str]] = frozenset()
    tempo_words: ClassVar[tuple[str, ...]] = ("tempo",)
    #: The word for sets, and what "x" after it means: "3 sets x 10" is "three sets of ten".
    set_nouns: ClassVar[tuple[str, ...]] = ("sets", "set")
    sets_of: ClassVar[str] = "of"
    # Plain words of the language.
    to_word: ClassVar[str] = "to"  # a range: 8-12
    ratio_word: ClassVar[str] = "to"  # a ratio: 4:6
    of_word: ClassVar[str] = "of"  # set 2/3
    per_word: ClassVar[str] = "per"
    or_word: ClassVar[str] = "or"
    and_word: ClassVar[str] = "and"
    #: "@ 20kg" (the load: "at", "bei", "con", "avec") and "@ 80%" (of a maximum). Never the
    #: word of a range: "tres series de diez a veinte kilos" is heard as "ten to twenty kilos".
    at_word: ClassVar[str] = "at"
    at_percent_word: ClassVar[str] = "at"
    about_word: ClassVar[str] = "about"
    under_word: ClassVar[str] = "under"
    over_word: ClassVar[str] = "over"
    plus_word: ClassVar[str] = "plus"
    minus_word: ClassVar[str] = "minus"
    number_sign_word: ClassVar[str] = "number"
    explosive_word: ClassVar[str] = "explosive"
    pair_joiner: ClassVar[str] = "-"  # 90/90
    duration_joiner: ClassVar[str] = " "  # one minute thirty seconds

    # --- language hooks ------------------------------------------------------------------------

    def gender(self, word: str) -> Gender | None:
        """The gender of ``word`` when it is a noun a number agrees with, else None."""
        return None

    def sets(self, count: str, each: str, after: str) -> str:
        """ "3x10": digits kept for the number rule; ``after`` is the text that follows."""
        raise NotImplementedError

    def intervals(self, count: str) -> str:
        """ "4x" before "400m": the count and the word for times, in words."""
        raise NotImplementedError

    def intervals_before(self, count: str, after: str) -> str:
        """ "4x" before a measure (``after`` starts with it: "400m", "50lb dumbbells")."""
        return self.intervals(count)

    def times_after(self, count: str) -> str:
        """ "x10" after a move ("Squats x10")."""
        raise NotImplementedError

    def times_before(self, count: str) -> str:
        """ "3x" (three times)."""
        raise NotImplementedError

    def fraction(self, n: int, d: int, next_word: str) -> tuple[str, bool]:
        """Words for n/d standing before ``next_word`` ("" at the end); and whether they took it."""
        raise NotImplementedError

    def time_of_day_rules(self) -> Iterable[Rule]:
        return ()

    def ordinal_rules(self) -> Iterable[Rule]:
        return ()

    def extra_rules(self) -> Iterable[Rule]:
        """Rules of one language that run before the shared ones ("10 x lado", "DB remo")."""
        return ()

    # --- shared helpers ------------------------------------------------------------------------

    def num(self, n: int, gender: Gender | None = None) -> str:
        return number_words(n, self.lang, gender=gender)

    def ordinal(self, n: int, gender: Gender | None = None) -> str:
        return ordinal_words(n, self.lang, gender=gender)

    def unit_words(self, value: str, unit: Unit) -> str:
        """ "2.5" and kilos -> "two and a half kilos"; French "une heure et demie"."""
        whole, fraction = split_decimal(value)
        plural = self.plural(value)
        if fraction and self.inverts_fractions and len(whole) <= 15 and int(whole) >= 1:
            nice = nice_fraction(fraction, self.family)
            if nice:
                if unit.gender == "f":
                    nice = nice.replace("medio", "media").replace("demi", "demie")
                noun = unit.one if int(whole) == 1 else unit.many
                return f"{self.num(int(whole), unit.gender)} {noun} {nice}"
        return f"{self.say(value, unit.gender)} {unit.many if plural else unit.one}"

    #: Spanish and French put the unit inside "one and a half": "un minuto y medio".
    inverts_fractions: ClassVar[bool] = False

    @property
    def family(self) -> str:
        return (self.code or "en").split("_")[0]

    def plural(self, value: str) -> bool:
        whole, fraction = split_decimal(value)
        return not (whole.lstrip("0") == "1" and not fraction.strip("0"))

    def duration(self, hours: int, minutes: int, seconds: int) -> str:
        parts = [
            self.unit_words(str(count), self.units[key])
            for count, key in ((hours, "h"), (minutes, "min"), (seconds, "s"))
            if count
        ]
        if not parts:
            return self.unit_words("0", self.units["s"])
        return self.duration_joiner.join(parts)

    # --- the rules -------------------------------------------------------------------------------

    def build_rules(self) -> Iterable[Rule]:
        yield _URL, " "
        yield _TIMES_SIGN, "x"
        yield from self.extra_rules()
        yield from self.side_rules()
        yield from self.abbreviation_rules()
        yield from self.separator_rules()
        yield re.compile(r"#\s?(?=[0-9])"), f" {self.number_sign_word} "
        yield re.compile(r"(?<=[0-9])\s*\+\s*(?=[0-9])"), f" {self.plus_word} "
        yield re.compile(r"(?<=[0-9])\+"), f" {self.plus_word} "
        yield re.compile(r"[~≈]\s*(?=[0-9])"), f" {self.about_word} "
        yield re.compile(r"(?:≤|<=?)\s*(?=[0-9])"), f" {self.under_word} "
        yield re.compile(r"(?:≥|>=?)\s*(?=[0-9])"), f" {self.over_word} "
        yield _LEADING_POINT, "0."
        yield from self.time_of_day_rules()
        yield from self.tempo_rules()
        yield from self.clock_rules()
        yield from self.set_rules()
        yield from self.slash_rules()
        yield from self.dash_rules()
        yield from self.compound_duration_rules()
        yield self.duration_goes_on_rule()
        # "3x10 @ 20kg": the load the sets are done with; before a percentage, of a maximum.
        at_percent = re.compile(r"(?<=[\w.])\s*@\s*(?=[0-9]+(?:[.,][0-9]+)?\s?%)")
        yield at_percent, f" {self.at_percent_word} "
        yield re.compile(r"(?<=[\w.])\s*@\s*(?=\w)"), f" {self.at_word} "
        yield self.unit_rule()
        yield from self.ordinal_rules()
        yield from self.year_rules()
        yield re.compile(r"\s*&\s*"), f" {self.and_word} "
        yield re.compile(r"[0-9]+(?:[" + self.decimal_marks + r"][0-9]+)?"), self._number

    def abbreviation_rules(self) -> Iterable[Rule]:
        if self.abbreviations:
            keys = alternation(self.abbreviations)
            # A key ending in "." or "/" ("e.g.", "w/") may touch the next word.
            pattern = re.compile(r"(?<![^\W\d])(" + keys + r")(?:(?<=[./])|(?![^\W\d]|_))")
            yield pattern, self._abbreviation

    def side_rules(self) -> Iterable[Rule]:
        """ "L/R", "li/re", "izq./der.", "g/d", "gauche/droite": both sides, in turn ("left and
        right", "links und rechts", "izquierda y derecha", "gauche et droite"), as a coach says
        alternating sides. Not a letter or a unit after a number in lower case ("30 g/d")."""
        if self.sides:
            side = r"(" + alternation(self.sides) + r")(\.)?"
            yield (
                re.compile(r"(?<![\w./])" + side + r"\s?/\s?" + side + r"(?![\w/])", re.I),
                self._sides,
            )

    def _sides(self, match: re.Match[str]) -> str:
        written = match.group(1)
        after_number = re.search(r"[0-9]\s?$", match.string[: match.start()])
        if after_number and written.islower() and (len(written) == 1 or written in self.units):
            return match.group(0)  # "30 g/d", "2 l/min": a unit, not a side
        first, second = (self.sides[match.group(i).lower()] for i in (1, 3))
        said = self.both(first, second)
        if match.group(4) and self.abbreviation_ends_sentence(match.string[match.end() :]):
            return pad(match, said) + ". "  # "Bein izq./der. Luego...": the dot was both
        return pad(match, said)

    def both(self, first: str, second: str) -> str:
        """Two words joined by "and" ("izquierda y derecha"; Spanish says "e" before an i)."""
        return f"{first} {self.and_word} {second}"

    def _abbreviation(self, match: re.Match[str]) -> str:
        key = match.group(1)
        said = self.abbreviations[key]
        rest = match.string[match.end() :]
        name_follows = not key.endswith(".") and re.match(r" " + LETTER, rest)
        if name_follows and rest[1].isupper() and " " not in said and said[:1].islower():
            said = said[0].upper() + said[1:]  # a name in title case: "KB Press", "DB Row"
        if key in self.sentence_final_abbreviations and self.abbreviation_ends_sentence(rest):
            return pad(match, said) + ". "  # "10 ea. Then rest": the dot was both
        return pad(match, said)

    def abbreviation_ends_sentence(self, rest: str) -> bool:
        """After "10 ea." (one of ``sentence_final_abbreviations``): does a sentence end too?"""
        return sentence_follows(rest)

    def separator_rules(self) -> Iterable[Rule]:
        """Thousands separators go; what is left between digits is a decimal mark (or a list)."""
        if self.decimal_marks == ".":  # English: 1,500 groups thousands, 2.5 is a decimal
            yield (
                re.compile(r"(?<![0-9,])[0-9]{1,3}(?:,[0-9]{3})+(?![0-9]|,[0-9])"),
                lambda m: m.group(0).replace(",", ""),
            )
            return
        # 1,2,3: a list, not a decimal.
        yield (
            re.compile(r"(?<![0-9.,])[0-9]+(?:,[0-9]+){2,}(?![0-9])"),
            lambda m: m.group(0).replace(",", ", "),
        )
        # 1.500 groups thousands; 2,5 (and 2.5, as an English keyboard writes it) is a decimal.
        yield (
            re.compile(r"(?<![0-9.,])[0-9]{1,3}(?:\.[0-9]{3})+(?![0-9]|[.,][0-9])"),
            lambda m: m.group(0).replace(".", ""),
        )

    def tempo_rules(self) -> Iterable[Rule]:
        """Lifting tempo: "tempo 3-1-1-0", "3010 tempo", "31X1" (X: as fast as you can)."""
        # X (explode up) comes third in the compact form ("31X0"); "3x10" is never a tempo.
        notation = r"([0-9](?:\s?[-–:]\s?[0-9xX]){2,3}|[0-9]{2}[0-9xX][0-9]|[0-9]{3})(?![\w:-])"
        tempo = "|".join(self.tempo_words)
        yield (
            re.compile(r"(?<!\w)(" + tempo + r")\b(:?)\s?(?<![\w-])" + notation, re.IGNORECASE),
            lambda m: f"{m.group(1)}{m.group(2)} {self._tempo(m.group(3))}",
        )
        yield (
            re.compile(r"(?<![\w:-])" + notation + r"\s?(" + tempo + r")\b", re.IGNORECASE),
            lambda m: f"{self._tempo(m.group(1))} {m.group(2)}",
        )

    def _tempo(self, notation: str) -> str:
        beats = [c for c in notation if c.isdigit() or c in "xX"]
        said = [self.explosive_word if c in "xX" else self.num(int(c)) for c in beats]
        return ", ".join(said)

    def clock_rules(self) -> Iterable[Rule]:
        """Pace (4:30/km), durations (1:30, 1:05:00) and ratios (4:6, 4:2:6:2)."""
        per_units = alternation(self.units)
        yield (
            re.compile(
                START + r"([0-9]{1,2}):([0-5][0-9])\s?/\s?([0-9]+\s?)?(" + per_units + r")(?!\w)",
                re.IGNORECASE,
            ),
            self._pace,
        )
        yield (
            re.compile(START + r"([0-9]{1,2}):([0-5][0-9]):([0-5][0-9])(?![0-9:])"),
            lambda m: f" {self.duration(*(int(g) for g in m.groups()))} ",
        )
        yield (
            re.compile(START + r"([0-9]{1,3}):([0-5][0-9])(?![0-9:])"),
            lambda m: f" {self.duration(0, int(m.group(1)), int(m.group(2)))} ",
        )
        yield re.compile(r"(?<![\w.:])[0-9]+(?::[0-9]+)+(?![0-9:])"), self._ratio

    def _pace(self, match: re.Match[str]) -> str:
        minutes, seconds, distance, unit = match.groups()
        pace = self.pace(int(minutes), int(seconds))
        if distance:  # a rowing split, 2:00/500m: the unit rule reads "500m"
            return f" {pace} {self.per_word} {distance.strip()}{unit} "
        return f" {pace} {self.per_word} {self.units[unit.lower()].one} "

    def pace(self, minutes: int, seconds: int) -> str:
        """A running pace: "four thirty" (English); other languages name the minutes."""
        spoken = self.unit_words(str(minutes), self.units["min"])
        return f"{spoken} {self.num(seconds)}" if seconds else spoken

    def _ratio(self, match: re.Match[str]) -> str:
        parts = [self.num(int(p)) if len(p) <= 15 else p for p in match.group(0).split(":")]
        joiner = f" {self.ratio_word} " if len(parts) == 2 else ", "
        return f" {joiner.join(parts)} "

    def set_rules(self) -> Iterable[Rule]:
        """3x10 (sets of reps), 4x400m (intervals), Squats x10, 3x (times)."""
        measures = [
            (key, unit) for key, unit in self.units.items() if key not in ("%", "°", "°c", "°f")
        ]
        interval_units = alternation(
            [key for key, _ in measures]
            + [form.lower() for _, unit in measures for form in (unit.one, unit.many)]
        )
        # "3 sets x 10 reps": the x after the word for sets is "of".
        yield (
            re.compile(r"(?<!\w)(" + alternation(self.set_nouns) + r")\s?[xX]\s?(?=[0-9])"),
            lambda m: f"{m.group(1)} {self.sets_of} ",
        )
        yield (
            re.compile(
                START + r"([0-9]+)\s?[xX]\s?(?=[0-9]+(?:[.,][0-9]+)?\s?(?:" + interval_units + r")"
                r"(?!\w))",
                re.IGNORECASE,
            ),
            lambda m: f" {self.intervals_before(m.group(1), m.string[m.end() :])} ",
        )
        # "3x8-12": the range stays digits for the range rule, inside "three sets of ...".
        yield (
            re.compile(START + r"([0-9]+)\s?[xX]\s?([0-9]+(?:\s?[-–]\s?[0-9]+)?)(?![0-9])"),
            lambda m: self.sets(m.group(1), m.group(2), m.string[m.end() :]),
        )
        # "Squats x10", "DB curls x 8." (a full stop after it ends the sentence; "x 2.5" is no
        # count of times).
        yield (
            re.compile(r"(?<![\w.])[xX]\s?([0-9]+)(?!\w|[.,][0-9])"),
            lambda m: f" {self.times_after(m.group(1))} ",
        )
        yield (
            re.compile(START + r"(?:([0-9]+)\s?[-–]\s?)?([0-9]+)\s?[xX](?!\w)"),
            self._times_before,
        )

    def _times_before(self, match: re.Match[str]) -> str:
        low, high = match.groups()
        if low:  # 2-3x: two to three times
            return f" {self.say(low)} {self.to_word} {self.times_many(high)} "
        return f" {self.times_before(high)} "

    def times_many(self, count: str) -> str:
        """The end of a range of times ("2-3x"); the same as ``times_before`` unless overridden."""
        return self.times_before(count)

    @property
    def _range_rest(self) -> re.Pattern[str]:
        return _range_rest(self.to_word)

    def slash_rules(self) -> Iterable[Rule]:
        """5/3/1, set 2/3, 90/90, 1/2 kneeling, ½, 1 1/2; then 10/side, km/h, left/right."""
        slash = r"\s?[/⁄]\s?"
        yield (
            re.compile(START + r"[0-9]+(?:" + slash + r"[0-9]+){2,}(?![0-9])"),
            lambda m: (
                " " + " ".join(self.num(int(p)) for p in re.findall("[0-9]+", m.group(0))) + " "
            ),
        )
        # 1 1/2 and 1½ (NFKC: "1 1⁄2"): a whole number and a half or a quarter is a decimal, so
        # units read it as a coach does ("one and a half minutes", "un minuto y medio").
        mark = self.decimal_marks[-1]
        yield (
            re.compile(START + r"([0-9]+) ([13])[/⁄]([24])(?![0-9])"),
            lambda m: self._mixed(m, mark),
        )
        yield (
            re.compile(START + r"([0-9]+)" + slash + r"([0-9]+)(?![0-9])(?:(\s)(" + WORD + r"))?"),
            self._slash,
        )
        yield re.compile(r"(?<!\w)([0-9]+|" + WORD + r")\s?/\s?(" + WORD + r")(?!\w)"), self._per

    def _mixed(self, match: re.Match[str], mark: str) -> str:
        whole, n, d = match.group(1), int(match.group(2)), int(match.group(3))
        if n >= d or len(whole) > 15:
            return match.group(0)
        return f"{whole}{mark}{n * 100 // d}"

    def _slash(self, match: re.Match[str]) -> str:
        first, second, space, next_word = match.groups()
        next_word = next_word or ""
        tail = f"{space}{next_word}" if next_word else ""
        if len(first) > 15 or len(second) > 15:
            return f" {first} {second}{tail}"
        n, d = int(first), int(second)
        before = match.string[: match.start()].split()
        counted = before and before[-1].lower().strip(".,:") in self.counters
        if counted and 1 <= n <= d <= 30:  # set 2/3; but "exercise 90/90" names a position
            return f" {first} {self.of_word} {second}{tail}"
        if n == 0 or d < 2 or d > 16 or n >= d:  # 90/90, 30/30, 20/10: a pair, not a fraction
            return f" {self.num(n)}{self.pair_joiner}{self.num(d)}{tail}"
        spoken, took = self.fraction(n, d, next_word)
        return f" {spoken}" + ("" if took else tail)

    def _per(self, match: re.Match[str]) -> str:
        left, right = match.group(1), match.group(2)
        key = right.lower()
        unit = self.units.get(key) or self.units.get(key.rstrip("s"))
        if unit:  # km/h, 10/min
            return f"{left} {self.per_word} {unit.one}"
        if left.isdigit() or key in self.per_nouns or key.rstrip("s") in self.per_nouns:
            return f"{left} {self.per_word} {right}"
        return f"{left} {self.or_word} {right}"

    def dash_rules(self) -> Iterable[Rule]:
        """4-7-8 (a pattern: each number), 8-12 (a range), -5 (minus)."""
        num = r"[0-9]+(?:[" + self.decimal_marks + r"][0-9]+)?"
        yield (
            re.compile(r"(?<![\w.,-])" + num + r"(?:-" + num + r"){2,}(?![\w-])"),
            lambda m: " " + ", ".join(self._said(p) for p in m.group(0).split("-")) + " ",
        )
        yield (
            re.compile(START + r"(" + num + r")\s?[-–—]\s?(" + num + r")(?![0-9])"),
            rf" \1 {self.to_word} \2 ",
        )
        yield re.compile(r"(?:(?<=^)|(?<=[\s(\[]))[-−](?=[0-9])"), f" {self.minus_word} "

    def _said(self, token: str) -> str:
        return decimal_words(token, self.lang) if not token.isdigit() else self.num(int(token))

    def compound_duration_rules(self) -> Iterable[Rule]:
        """1m30s, 2h05m, 1h30, 1'30'' (minutes and seconds as runners write them)."""
        yield (
            re.compile(
                START + r"(?=[0-9]+(?:\.[0-9]+)?(?:h|m)[0-9])"
                r"((?:[0-9]+(?:\.[0-9]+)?(?:ms|h|m|s))+)(?!\w)"
            ),
            self._compound,
        )
        yield (
            re.compile(START + r"([0-9]+)h([0-5][0-9])(?!\w)"),
            lambda m: f" {self.duration(int(m.group(1)), int(m.group(2)), 0)} ",
        )
        yield (
            re.compile(START + r"([0-9]+)m([0-5][0-9])(?!\w)"),
            lambda m: f" {self.duration(0, int(m.group(1)), int(m.group(2)))} ",
        )
        if self.family != "en":  # in English 5'10" is a height
            yield (
                re.compile(START + r"([0-9]+)['′]([0-5][0-9])(?:''|\"|′′)?(?![\w'′])"),
                lambda m: f" {self.duration(0, int(m.group(1)), int(m.group(2)))} ",
            )
            yield (
                re.compile(START + r"([0-9]+)(?:''|\"|′′)(?!\w)"),
                lambda m: f" {self.duration(0, 0, int(m.group(1)))} ",
            )
            yield (
                re.compile(START + r"([0-9]+)['′](?![\w'′])"),
                lambda m: f" {self.duration(0, int(m.group(1)), 0)} ",
            )

    def _compound(self, match: re.Match[str]) -> str:
        parts = re.findall(r"([0-9]+(?:\.[0-9]+)?)(ms|h|m|s)", match.group(0))
        # Inside "1h30m" or "1m30s", m is always minutes.
        keys = {"m": "min"}
        said = [self.unit_words(v, self.units[keys.get(u, u)]) for v, u in parts]
        return f" {self.duration_joiner.join(said)} "

    def duration_goes_on_rule(self) -> Rule:
        """ "3 min. 30 sec.", "1 Std. 30 Min.": a time whose smaller part follows is one
        duration; the full stop inside it is the abbreviation's alone, so it goes (a number after
        an abbreviation's full stop otherwise starts a new sentence: ``sentence_follows``)."""
        order = [self.units.get(key) for key in ("h", "min", "s")]
        rank = {key: order.index(unit) for key, unit in self.units.items() if unit in order}
        num = r"[0-9]+(?:[" + self.decimal_marks + r"][0-9]+)?"
        times = alternation(key for key in rank if key != "m")
        pattern = re.compile(
            START + r"(" + num + r"\s?(" + times + r"))\.(?=\s?" + num + r"\s?(" + times + r")"
            r"(?!\w))",
            re.IGNORECASE,
        )

        def drop_inner_stop(match: re.Match[str]) -> str:
            larger, smaller = rank[match.group(2).lower()], rank[match.group(3).lower()]
            return match.group(1) if smaller > larger else match.group(0)

        return pattern, drop_inner_stop

    def unit_rule(self) -> Rule:
        num = r"[0-9]+(?:[" + self.decimal_marks + r"][0-9]+)?"
        # "1 to 2 min" (the range rule ran first): both numbers agree with the unit.
        ranged = r"(?:(" + num + r") " + re.escape(self.to_word) + r" )?"
        pattern = re.compile(
            START + ranged + r"(" + num + r")(\s*|-)(" + alternation(self.units) + r")(\.)?(?!\w)",
            re.IGNORECASE,
        )
        return pattern, self._unit

    def _unit(self, match: re.Match[str]) -> str:
        """A number and its unit in words, in agreement ("zwei Minuten", "una hora"), or as
        one word before the noun it describes (``measure_before_noun``)."""
        first, value, joint, spelled, dot = match.groups()
        key = spelled.lower()
        if spelled == "L" and _RIGHT_SIDE.search(match.string, match.end(), match.end() + 12):
            return match.group(0)  # "10 L, 10 R": sides, not litres
        unit = self.units[key]
        if key == "m" and self.m_means_minutes(value, match):
            unit = self.units["min"]
        rest = match.string[match.end() :]
        ends = bool(dot) and self.dot_ends_sentence(key, rest)
        glued = rest.startswith("-")  # "2-Min.-Pause"
        following = None if dot and not glued else _NEXT_WORD.match(rest.removeprefix("-"))
        if joint != "-" and _ENDS_IN_A_MEASURE.search(match.string, 0, match.start()):
            following = None  # "2 min 30 s rest": the end of a length, not a word of its own
        before_noun = self.measure_before_noun(
            value,
            unit,
            key,
            hyphen=joint == "-",
            next_word=following.group(1) if following else "",
            then=following.string[following.end() :] if following else "",
        )
        spoken = f" {before_noun or self.unit_words(value, unit)}"
        if first:
            spoken = f" {self.range_start(first, unit)} {self.to_word}{spoken}"
        if ends:
            return spoken + ". "
        return spoken + ("" if glued else " ")  # "25-kg-Hantel"

    def measure_before_noun(
        self, value: str, unit: Unit, key: str, *, hyphen: bool, next_word: str, then: str
    ) -> str | None:
        """A measure said as a word that describes the noun after it, or None to say it as is.

        ``hyphen``: written with one ("25-kg-Hantel", "2-Min.-Pause"); ``next_word``: the word
        after it, also one joined by a hyphen ("" when none, or after a written full stop:
        "30 sec. on each side"); ``then``: the text after that word. A written hyphen joins the
        unit to its number and the number to what follows ("fünfundzwanzig-Kilo-Hantel");
        without one, a language says the measure as usual ("zwanzig Kilo Hantel"). English makes
        it singular before a noun: see ``English``.
        """
        if not hyphen:
            return None
        return self.unit_words(value, unit).replace(" ", "-")

    def range_start(self, value: str, unit: Unit) -> str:
        """The first number of "1 to 2 minutes"."""
        return self.say(value, unit.gender)

    def dot_ends_sentence(self, key: str, rest: str) -> bool:
        """After "30 sec." is the full stop the abbreviation's, or a sentence end?"""
        return key not in self.dotted_units or sentence_follows(rest, number_too=True)

    def m_means_minutes(self, value: str, match: re.Match[str]) -> bool:
        """ "m" after a number: minutes or metres, by the value, then the nearest word that says.

        From 100 up it is metres: no part of a workout is written as 100 minutes or more in "m"
        ("Then a 400m jog", "Traben 400m"). Below that, the words of the same sentence nearest the
        number decide, nearest first (the word before, the word after, then up to two more
        before): a move over a short measured distance (``distance_context``: "Sprint 20m",
        "Carry 10m") means metres; a move timed as often as measured (``timed_moves``: "Walk
        30m", "2m jog") means minutes up to 24 and metres above, as a runner reads it; a word of
        rest or time (``time_context``: "Rest 2m", "Jog for 10m") means minutes. With none of
        them, the language's default: in English minutes up to 24 ("Hold 1m"), else metres.
        """
        whole = split_decimal(value)[0]
        if len(whole) > 2:
            return False
        small = int(whole) <= _MOST_MINUTES_IN_M
        start = match.start()
        sentence = _SENTENCE_BREAK.split(match.string[max(0, start - 40) : start])[-1]
        before = [w.lower() for w in re.findall(WORD, sentence)][-3:]
        after = _NEXT_WORD.match(match.string, match.end())
        near = before[-1:] + ([after.group(1).lower()] if after else []) + before[-2::-1]
        for word in near:
            if word in self.distance_context:
                return False
            if word in self.timed_moves:
                return small
            if word in self.time_context:
                return True
        return self.m_is_minutes_by_default and small

    def year_rules(self) -> Iterable[Rule]:
        if self.year_words_before:
            yield (
                re.compile(
                    r"(?<!\w)(" + alternation(self.year_words_before) + r") "
                    r"(1[1-9][0-9]{2}|20[0-9]{2})(?![0-9]|[.,][0-9])",
                    re.IGNORECASE,
                ),
                lambda m: f"{m.group(1)} {year_words(int(m.group(2)), self.lang)}",
            )

    def _number(self, match: re.Match[str]) -> str:
        token, gender = match.group(0), self.gender_after(match.string, match.end())
        if gender and self.inverts_fractions and not token.isdigit():
            # Before a noun that is not a unit: "uno coma cinco vueltas", not "uno y medio vueltas".
            return pad(match, decimal_words(token, self.lang, gender=gender, plain=True))
        return pad(match, self.say(token, gender))

    def gender_after(self, text: str, end: int) -> Gender | None:
        """Gender of the noun a number stands before, looking past "to 12" in "1 to 2 minutes"."""
        rest = text[end : end + 60]
        skip = self._range_rest.match(rest)
        if skip:
            rest = rest[skip.end() :]
        found = _NEXT_WORD.match(rest)
        if not found:
            return None
        word = found.group(1)
        if word.lower() in self.function_words:
            return None
        return self.gender(word)


@lru_cache(maxsize=16)
def _range_rest(to_word: str) -> re.Pattern[str]:
    return re.compile(r"\s?(?:" + re.escape(to_word) + r"|[-–])\s?[0-9]+(?:[.,][0-9]+)?")


def split_decimal(value: str) -> tuple[str, str]:
    for mark in ".,":
        if mark in value:
            whole, _, fraction = value.partition(mark)
            return whole, fraction
    return value, ""


def ends_with_any(word: str, endings: Iterable[str]) -> bool:
    return any(word.endswith(e) for e in endings)
