"""German, as a Trainerin reads a Trainingsplan aloud.

"3x10" is "drei Sätze mit zehn Wiederholungen", "4x400m" "viermal vierhundert Meter", "1/2
kniend" "halb kniend", "3/4 Kniebeuge" "dreiviertel Kniebeuge", "1,5 Min." "eineinhalb Minuten",
"3. Satz" "dritter Satz", "im 3. Satz" "im dritten Satz", "1 Minute" "eine Minute", "KH-Rudern"
"Kurzhantel-Rudern". A number before a noun takes the noun's gender ("ein Satz", "eine Runde"),
found in a short list of training words, then by the noun's ending (-e, -ung, -heit: feminine).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import ClassVar

from audiocoach.reading.core import (
    LETTER,
    START,
    CoachReading,
    Rule,
    Unit,
    ends_with_any,
    words,
)
from audiocoach.reading.numbers import Gender, german_ordinal_after

_SECOND = Unit("Sekunde", "Sekunden", "f")
_MINUTE = Unit("Minute", "Minuten", "f")
_HOUR = Unit("Stunde", "Stunden", "f")
_KILO = Unit("Kilo", "Kilo", "n")
_POUND = Unit("Pfund", "Pfund", "n")
_YARD = Unit("Yard", "Yards", "n")
_REP = Unit("Wiederholung", "Wiederholungen", "f")

#: Genders of training words (singular, lower case); others go by their ending.
_GENDERS: dict[str, Gender] = {
    **dict.fromkeys(
        words(
            "satz meter kilometer zentimeter schritt atemzug liegestütz ausfallschritt "
            "durchgang tag arm fuß block sprung zug lauf kniestand ausfall squat burpee "
            "moment rücken stand klimmzug dip uhr"
        ),
        "m",
    ),
    **dict.fromkeys(
        words(
            "mal bein knie kilo pfund gewicht intervall training yard prozent grad set seil "
            "band ende element rudern kreuzheben laufen gehen dehnen mal"
        ),
        "n",
    ),
    **dict.fromkeys(words("hand kettlebell position serie"), "f"),
}
_FEMININE_ENDINGS = ("e", "ung", "heit", "keit", "schaft", "ion", "tät", "ik", "ei")
_NEUTER_ENDINGS = ("chen", "lein", "ment", "um")
#: After these an ordinal ends in -en ("im dritten Satz", "am dritten Tag").
_OBLIQUE = frozenset(
    words("im am zum zur beim vom dem den des einem einen eines einer jedem jeden")
)
_DATIVE_PREPOSITIONS = frozenset(words("in an auf bei mit nach von zu aus vor seit ab"))
_ARTICLES = frozenset(words("der die das"))
#: Words that begin the object of an imperative put first ("Strecke die Beine", "Beuge dich").
_OBJECT_OPENERS = frozenset(
    words("die das den dem dich dir deine deinen deinem dein einen einem sich")
)
#: Words that open a sentence in a training plan, not nouns a count or time could qualify.
_OPENS_SENTENCES = frozenset(
    words(
        "dann danach anschließend jetzt nun weiter fertig los wir ich du ihr sie es er man das "
        "die der den dem ein eine und aber oder also noch zum zur im am bei mit nach ohne vor in "
        "auf gut super prima danke zuerst zunächst schließlich zuletzt dabei hier da wenn falls "
        "wieder immer nicht kein keine achte achtung halte atme trink trinke mach mache "
        "wiederhole wechsle wechsel bleib bleibe geh gehe leg lege steh stehe komm komme "
        "beginne starte stopp stoppe laufe springe zieh ziehe drück drücke heb hebe senk senke "
        "streck beug beuge drehe setz setze lockere entspann entspanne schüttle"
    )
)


class German(CoachReading):
    units: ClassVar = {
        "ms": Unit("Millisekunde", "Millisekunden", "f"),
        "s": _SECOND,
        "sek": _SECOND,
        "sec": _SECOND,
        "min": _MINUTE,
        "mins": _MINUTE,
        "h": _HOUR,
        "std": _HOUR,
        "m": Unit("Meter", "Meter", "m"),  # or minutes: see m_means_minutes
        "km": Unit("Kilometer", "Kilometer", "m"),
        "hm": Unit("Höhenmeter", "Höhenmeter", "m"),
        "mi": Unit("Meile", "Meilen", "f"),
        "yd": _YARD,
        "yds": _YARD,
        "ft": Unit("Fuß", "Fuß", "m"),
        "cm": Unit("Zentimeter", "Zentimeter", "m"),
        "mm": Unit("Millimeter", "Millimeter", "m"),
        "kg": _KILO,
        "kgs": _KILO,
        "lb": _POUND,
        "lbs": _POUND,
        "l": Unit("Liter", "Liter", "m"),
        "ml": Unit("Milliliter", "Milliliter", "m"),
        "dl": Unit("Deziliter", "Deziliter", "m"),
        "cl": Unit("Zentiliter", "Zentiliter", "m"),
        "cal": Unit("Kalorie", "Kalorien", "f"),
        "kcal": Unit("Kilokalorie", "Kilokalorien", "f"),
        "bpm": Unit("Schlag pro Minute", "Schläge pro Minute", "m"),
        "wdh": _REP,
        "wh": _REP,
        "°c": Unit("Grad Celsius", "Grad Celsius", "n"),
        "°": Unit("Grad", "Grad", "n"),
        "%": Unit("Prozent", "Prozent", "n"),
    }
    dotted_units = frozenset(words("sek sec min mins std wdh wh"))
    timed_moves = frozenset(words("traben trab gehen geh laufen lauf joggen rudern"))
    time_context = frozenset(
        words("pause ruhe erholung halten halte plank planke locker alle jede")
    )
    abbreviations: ClassVar = {
        "KH": "Kurzhantel",
        "LH": "Langhantel",
        "KB": "Kettlebell",
        "DB": "Kurzhantel",
        "BB": "Langhantel",
        "BW": "Körpergewicht",
        "AMRAP": "so viele Wiederholungen wie möglich",
        "EMOM": "jede volle Minute",
        "RPE": "R P E",
        "HF": "Herzfrequenz",
        "GA1": "Grundlagenausdauer eins",
        "GA2": "Grundlagenausdauer zwei",
        "ca.": "circa",
        "z.B.": "zum Beispiel",
        "z. B.": "zum Beispiel",
        "bzw.": "beziehungsweise",
        "u.a.": "unter anderem",
        "inkl.": "inklusive",
        "max.": "maximal",
        "evtl.": "eventuell",
        "ggf.": "gegebenenfalls",
        "usw.": "und so weiter",
        "li.": "links",
        "re.": "rechts",
        "Nr.": "Nummer",
        "e/s": "pro Seite",
        "L/R": "links und rechts",
    }
    sentence_final_abbreviations = frozenset(["usw.", "li.", "re.", "ggf.", "evtl."])
    counters = frozenset(
        words(
            "satz runde woche tag übung intervall durchgang block teil serie wiederholung "
            "einheit phase station"
        )
    )
    per_nouns = frozenset(
        words("seite bein arm hand runde satz minute stunde tag woche wiederholung kilometer")
    )
    year_words_before = frozenset(["seit", "im Jahr", "Jahr", "bis", "ab"])
    tempo_words = ("tempo",)
    set_nouns = ("Sätze", "Satz")
    sets_of = "mit"
    to_word = "bis"
    ratio_word = "zu"
    of_word = "von"
    per_word = "pro"
    sides: ClassVar = {
        "l": "links",
        "r": "rechts",
        "li": "links",
        "re": "rechts",
        "links": "links",
        "rechts": "rechts",
    }
    or_word = "oder"
    and_word = "und"
    at_word = "bei"
    at_percent_word = "bei"
    about_word = "etwa"
    under_word = "unter"
    over_word = "über"
    number_sign_word = "Nummer"
    explosive_word = "explosiv"
    duration_joiner = " und "
    _fraction_function_words = frozenset(words("von der des und oder bis zu"))

    def gender(self, word: str) -> Gender | None:
        key = word.lower()
        if key in _GENDERS and (word[0].isupper() or key == "mal"):
            return _GENDERS[key]
        if not word[0].isupper():  # only nouns are capitalized; "1 von 3" counts: "eins"
            return None
        if ends_with_any(key, _FEMININE_ENDINGS):
            return "f"
        if ends_with_any(key, _NEUTER_ENDINGS):
            return "n"
        return "m"

    def _number(self, match: re.Match[str]) -> str:
        # "ein bis zwei Minuten": the first number of a range before a noun is "ein", uninflected.
        if match.group(0) == "1" and re.match(r" bis [0-9]", match.string[match.end() :]):
            return "ein" if self.gender_after(match.string, match.end()) else "eins"
        return super()._number(match)

    def range_start(self, value: str, unit: Unit) -> str:
        return "ein" if value == "1" else self.say(value)

    def abbreviation_ends_sentence(self, rest: str) -> bool:
        """ "Bein li. Dann re.": before a word that opens sentences ("li. Knie" goes on)."""
        following = rest.lstrip()
        word = re.match(LETTER + r"[\w-]*", following)
        return not following or bool(word and word.group(0).lower() in _OPENS_SENTENCES)

    def measure_before_noun(
        self, value: str, unit: Unit, key: str, *, hyphen: bool, next_word: str, then: str
    ) -> str | None:
        """ "25-kg-Hantel", "2-Min.-Pause": a compound noun, capitalized as one ("eine
        Zwei-Minuten-Pause")."""
        said = super().measure_before_noun(
            value, unit, key, hyphen=hyphen, next_word=next_word, then=then
        )
        if said and next_word[:1].isupper():
            return said[0].upper() + said[1:]
        return said

    def dot_ends_sentence(self, key: str, rest: str) -> bool:
        """ "2 Min. Seitstütz" and "30 Sek. Pause" go on; "30 Sek. Weiter." and "2 Min. Dann
        los." end a sentence.

        German nouns are capitalized too, so a capital alone does not tell: after an
        abbreviated unit ("Min.", "Sek.", "Std.", "Wdh.") a capitalized word goes on the same
        sentence (a noun: what the time is spent on, or the move the reps are of), unless it is a
        word that opens sentences (``_OPENS_SENTENCES``: "Dann", "Danach", "Jetzt", "Wir",
        "Halte", "Wechsle", ...) or a word an article or a pronoun follows: a verb put first,
        its object after it ("30 Sek. Strecke die Beine"). A number starts a new sentence
        ("Halte 30 Sek. 10 Wdh."; a duration that goes on, "1 Std. 30 Min.", has lost its
        inner full stop by then); lower case goes on; the end of the text ends it.
        """
        if key not in self.dotted_units:
            return True
        following = rest.lstrip()
        if not following or following[0].isdigit():  # "30 Sek. 10 Wdh.": a new sentence
            return True
        word = re.match(LETTER + r"[\w-]*", following)
        if not word or not following[0].isupper():
            return False
        if word.group(0).lower() in _OPENS_SENTENCES:
            return True
        # "30 Sek. Strecke die Beine": a verb first, its object after it; a noun takes none.
        then = re.match(r"\s+(" + LETTER + r"+)", following[word.end() :])
        return bool(then and then.group(1) in _OBJECT_OPENERS)

    def sets(self, count: str, each: str, after: str) -> str:
        sets = "Satz" if count == "1" else "Sätze"
        following = re.match(r"\s?(" + LETTER + ")", after)
        reps = ""
        if not (following and following.group(1).isupper()):  # "3x10 Kniebeugen" names them
            reps = " Wiederholung" if each == "1" else " Wiederholungen"
        return f" {count} {sets} mit {each}{reps}"

    def _mal(self, count: str) -> str:
        return ("ein" if count == "1" else self.say(count)) + "mal"

    def intervals(self, count: str) -> str:
        return self._mal(count)

    def times_after(self, count: str) -> str:
        return self._mal(count)

    def times_before(self, count: str) -> str:
        return self._mal(count)

    def _measure(self, word: str) -> Unit | None:
        key = word.lower()
        if key in ("%", "°", "°c"):
            return None
        unit = self.units.get(key)
        if unit is None:
            unit = next(
                (u for u in self.units.values() if word in (u.one, u.many) and u.gender), None
            )
        return unit

    def fraction(self, n: int, d: int, next_word: str) -> tuple[str, bool]:
        stem = "halb" if d == 2 else self.ordinal(d)[:-1] + "el"  # dritte -> drittel
        amount = "" if n == 1 else self.num(n)  # dreiviertel
        measure = self._measure(next_word) if next_word else None
        if measure:  # eine halbe Stunde, ein halber Kilometer, eine viertel Meile
            gender = measure.gender or "m"
            article = "eine" if gender == "f" else "ein"
            if d == 2:
                return f"{article} {_half(gender)} {measure.one}", True
            if n == 1:
                return f"{article} {stem} {measure.one}", True
            return f"{amount}{stem} {measure.one}", True
        if next_word and next_word.lower() not in self._fraction_function_words:
            if d == 2:  # halbe Kniebeuge, halber Kniestand; halb kniend
                gender = self.gender(next_word)
                return (_half(gender) if gender else "halb"), False
            return f"{amount}{stem}", False  # dreiviertel Kniebeuge, viertel Drehung
        if d == 2:
            return "ein halb", False
        noun = stem.capitalize()
        return (f"ein {noun}" if n == 1 else f"{self.num(n)} {noun}"), False

    def time_of_day_rules(self) -> Iterable[Rule]:
        yield (
            re.compile(START + r"([0-9]{1,2})[:.]([0-5][0-9]) ?Uhr(?!\w)"),
            lambda m: f" {self._clock(int(m.group(1)), int(m.group(2)))} ",
        )
        yield (
            re.compile(r"(?<!\w)([Uu]m) ([0-9]{1,2}):([0-5][0-9])(?![0-9:])"),
            lambda m: f"{m.group(1)} {self._clock(int(m.group(2)), int(m.group(3)))} ",
        )

    def _clock(self, hour: int, minute: int) -> str:
        spoken = f"{'ein' if hour == 1 else self.num(hour)} Uhr"
        return f"{spoken} {self.num(minute)}" if minute else spoken

    def ordinal_rules(self) -> Iterable[Rule]:
        # "3. Satz": a number with a full stop before a word is an ordinal when an article or a
        # preposition stands before it, when it opens the text or a clause, or when a lower-case
        # word follows (a sentence would start with a capital). Else it ends a sentence.
        yield re.compile(START + r"([0-9]{1,3})\. (?=(" + LETTER + r"[\w-]*))"), self._ordinal

    def _ordinal(self, match: re.Match[str]) -> str:
        n, following = int(match.group(1)), match.group(2)
        before = match.string[: match.start()].rstrip()
        previous = re.findall(r"\w+", before[-40:])
        last = previous[-1].lower() if previous else ""
        opens = not before or before[-1] in ",;:(-–—"
        if not (following[0].islower() or opens or last in _OBLIQUE | _ARTICLES):
            return match.group(0)
        if last in _OBLIQUE or (
            last == "der" and len(previous) > 1 and previous[-2].lower() in _DATIVE_PREPOSITIONS
        ):
            return f" {german_ordinal_after(n, 'en')} "
        if last in _ARTICLES or not following[0].isupper():
            return f" {self.ordinal(n)} "
        return f" {self.ordinal(n, self.gender(following))} "


def _half(gender: Gender | None) -> str:
    return {"m": "halber", "f": "halbe", "n": "halbes"}.get(gender or "", "halb")
