"""A language without reading rules of its own (``--lang it``, ``pt-BR``, ``ja``): what can be read
without words of its own, and the rest left whole for the engine.

Each thing a routine writes is either read in full or left exactly as written, never half read
("3x10 @ 20kg" in Italian was "tre x dieci venti kg": numbers in Italian, the rest as letters):

* plain numbers in words by num2words ("10 ripetizioni" -> "dieci ripetizioni"), digits where
  num2words does not know the language;
* units after a number in the language's own words from CLDR (Babel): "20kg" -> "venti
  chilogrammi", "0,5 l" -> "zero virgola cinque litri", "2 мин" -> "два минуты"; the unit's name
  and plural are CLDR's, the number num2words' counting form (which does not agree with the
  unit's gender: Italian "uno ora", Russian "два минуты"; a module of rules fixes that);
* vulgar fractions and fraction slashes ("1½", "¾", "1⁄4", "1 1/2") with a finite decimal as
  num2words says a decimal ("uno virgola cinque minuti", "zero virgola sette cinque"): words of
  the listener's language whatever the engine, where espeak-ng says "½" in English for Japanese,
  Russian or Swedish; thirds, sixths and the like, which have no such decimal, go to the engine
  as the fraction character ("⅓"), never digit by digit ("uno uno tre");
* number patterns that need no words (tempo "3-1-1-0", breath "4:2:6:2", "5/3/1"), number by
  number;
* what needs words of a language to be said (sets "3x10", ranges "8-12", "4:6", "1:30",
  "10/side", an ordinal "3ª", a code "T2B", "20m" as metres or minutes) left as written, for the
  engine to read in its language. "@" before a load is a pause (a comma): engines say it as
  the e-mail sign, and the word for it ("con", "a") is the language's.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from decimal import Decimal, InvalidOperation
from fractions import Fraction
from functools import lru_cache
from typing import ClassVar

from babel import Locale, UnknownLocaleError
from babel.numbers import format_decimal
from babel.units import format_unit, get_unit_name

from audiocoach.reading.clean import settle
from audiocoach.reading.core import LETTER, Reading, Rule, pad, sentence_follows

__all__ = ["SharedReading"]

#: Text kept for the engine is hidden from later rules in Unicode's plane 15 private use area, one
#: character for one character (so no state is kept between rules), and shown again at the end.
_HIDE = 0xF0000
_HIDDEN = re.compile("[\U000f0000-\U000ffffd]+")
#: The vulgar fractions ("½"), hidden from NFKC, which would make "1½" read "1 1⁄2".
_VULGAR = "¼½¾⅐⅑⅒⅓⅔⅕⅖⅗⅘⅙⅚⅛⅜⅝⅞↉"
_VULGAR_VALUES = {
    ch: tuple(int(p) for p in unicodedata.normalize("NFKC", ch).split("⁄")) for ch in _VULGAR
}
_VULGAR_OF = {value: ch for ch, value in _VULGAR_VALUES.items()}
_HIDDEN_VULGAR = "[" + "".join(chr(_HIDE + ord(ch)) for ch in _VULGAR) + "]"
#: Ordinal indicators after a number ("3ª serie"), hidden from NFKC (which makes them "a", "o").
_ORDINAL_MARKS = "ºª"
_HIDDEN_ORDINAL = "[" + "".join(chr(_HIDE + ord(ch)) for ch in _ORDINAL_MARKS) + "]"

#: A letter of a script written with spaces between words (not Thai, kana, Han or Hangul, where a
#: counter is glued to its number).
_SPACED_LETTER = (
    r"[^\W\d_\u0e00-\u0e7f\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uac00-\ud7af\uf900-\ufaff]"
)
_VULGAR_RUN = re.compile("[" + _VULGAR + "]+")
_ORDINAL_MARK = re.compile(r"(?<=[0-9])\.?([" + _ORDINAL_MARKS + "])")


#: The slash of "km/h" and "m/s" after a number, kept from the cleaning as a private character.
_PER = "\ue000"
_PER_UNIT = re.compile(r"([0-9] ?(?:km|m))/([hs])(?!\w)", re.IGNORECASE)

_NUM = r"[0-9]+(?:[.,][0-9]+)?"
_FRACTION_SLASH = re.compile(
    r"(?<![0-9])([0-9]{1,3})⁄([1-9][0-9]{0,2})(?![0-9]|[/⁄:.,-][0-9]|" + _HIDDEN_ORDINAL + ")"
)
#: Letters not glued to a digit after them ("side" in "10/side", not "A" in "0/A0").
_WORD = LETTER + r"+(?![0-9])"
#: A digit, or one hidden by an earlier rule (the context a later rule looks at).
_ANY_DIGIT = "[0-9\U000f0030-\U000f0039]"
#: The start of a number: not in a word, nor after a decimal mark. (A dot or comma after other
#: text may be cut by the cleaning that follows: the second reading must find the same.)
_NUMBER_START = r"(?<![^\W_])(?<![0-9][.,])"
#: A number that is not the end of a longer shape ("0/0", "1.5", "x3").
_FREE = r"(?<![^\W_])(?<![^\W_][.,:/⁄-])"
_TIMES_SIGN = re.compile(r"(?<=[0-9])\s*[×✕]\s*(?=[0-9])")
_URL = re.compile(r"https?://\S+|www\.\S+", re.IGNORECASE)
#: "3x10 @ 20kg": the load needs the language's word ("con", "a"); an engine says "@" as the
#: e-mail sign, so it becomes a pause that keeps the load apart from the sets, never nothing.
_AT_LOAD = re.compile(r"(?<=[\w.%])\s*@\s*(?=\.?[0-9])")

#: Unit symbols written the same in most languages -> CLDR unit. "m" is metres only above 24
#: ("Sprint 20m" may be minutes or metres: it is left for the engine).
_UNITS = {
    "ms": "duration-millisecond",
    "s": "duration-second",
    "sec": "duration-second",
    "min": "duration-minute",
    "h": "duration-hour",
    "hr": "duration-hour",
    "km": "length-kilometer",
    "m": "length-meter",
    "cm": "length-centimeter",
    "mm": "length-millimeter",
    "mi": "length-mile",
    "yd": "length-yard",
    "ft": "length-foot",
    "kg": "mass-kilogram",
    "lb": "mass-pound",
    "lbs": "mass-pound",
    "l": "volume-liter",
    "ml": "volume-milliliter",
    "cl": "volume-centiliter",
    "dl": "volume-deciliter",
    "kcal": "energy-kilocalorie",
    "km/h": "speed-kilometer-per-hour",
    "kph": "speed-kilometer-per-hour",
    "mph": "speed-mile-per-hour",
    "m/s": "speed-meter-per-second",
    "%": "concentr-percent",
    "°": "angle-degree",
    "°c": "temperature-celsius",
    "°f": "temperature-fahrenheit",
}


#: Parts of a duration, largest first ("1 h. 30 min." is one duration).
_DURATIONS = ("duration-hour", "duration-minute", "duration-second", "duration-millisecond")


def hide(text: str) -> str:
    """``text`` out of reach of every later rule (and of NFKC), whole, until ``show``."""
    return "".join(chr(_HIDE + ord(c)) if ord(c) < 0xFFFE else c for c in text)


def show(text: str) -> str:
    return _HIDDEN.sub(lambda m: "".join(chr(ord(c) - _HIDE) for c in m.group(0)), text)


@lru_cache(maxsize=64)
def _locale(lang: str) -> Locale | None:
    """Babel's locale for a tag, or its base language's, or None."""
    tag = lang.strip().replace("-", "_")
    for candidate in (tag, tag.split("_")[0]):
        try:
            return Locale.parse(candidate)
        except (ValueError, TypeError, UnknownLocaleError):
            continue
    return None


@lru_cache(maxsize=64)
def _unit_table(lang: str) -> dict[str, str]:
    """Written unit (lower case) -> CLDR unit: the shared symbols and the locale's own short
    names of two letters or more ("кг", "мин", "sek."): one letter is too often a word."""
    table = dict(_UNITS)
    locale = _locale(lang)
    if locale is None:
        return table
    seen: dict[str, set[str]] = {}
    for unit in set(_UNITS.values()):
        try:
            name = get_unit_name(unit, length="short", locale=locale)
        except Exception:  # a unit this CLDR does not name
            continue
        name = (name or "").strip().rstrip(".").lower()
        if len(name) >= 2 and re.fullmatch(r"[^\W\d_]+", name):
            seen.setdefault(name, set()).add(unit)
    for name, units in seen.items():
        if len(units) == 1 and name not in table:
            table[name] = units.pop()
    return table


def _alternation(keys: Iterable[str]) -> str:
    return "|".join(re.escape(k) for k in sorted(set(keys), key=len, reverse=True))


class SharedReading(Reading):
    """The reading of a language without rules of its own (see the module docstring)."""

    keep_symbols: ClassVar[bool] = True

    def __init__(self, lang: str) -> None:
        self.locale = _locale(lang)
        #: Unit as written after a number (lower case) -> CLDR unit ("kg" -> "mass-kilogram").
        self.units = _unit_table(lang)
        super().__init__(lang)

    def before_normalizing(self, text: str) -> str:
        text = _HIDDEN.sub(" ", text)  # typed into the routine: not ours to show
        text = _VULGAR_RUN.sub(lambda m: hide(m.group(0)), text)
        return _ORDINAL_MARK.sub(lambda m: hide(m.group(1)), text)

    def read(self, text: str) -> str:
        text = _URL.sub(" ", text)
        text = _TIMES_SIGN.sub("x", text)  # 3×10
        text = _AT_LOAD.sub(", ", text)
        text = _FRACTION_SLASH.sub(_slashed, text)
        text = _PER_UNIT.sub(r"\1" + _PER + r"\2", text)  # "km/h": the cleaning keeps no slash
        # The rules read the text as the final cleaning will leave it (see ``clean.settle``).
        return show(super().read(settle(text, keep_symbols=True))).replace(_PER, "/")

    def build_rules(self) -> Iterable[Rule]:
        yield re.compile(r"(?<!\w)\.(?=[0-9])"), "0."  # ".5 kg"
        yield (
            re.compile(_NUMBER_START + r"[0-9]{1,3}(?:[.,][0-9]{3})+(?![0-9]|[.,][0-9])"),
            lambda m: re.sub(r"[.,]", "", m.group(0)),
        )
        # 3ª, 2º: an ordinal the engine reads ("terza").
        yield re.compile(r"[0-9]+(?=" + _HIDDEN_ORDINAL + ")"), lambda m: hide(m.group(0))
        # 1½, ½ (and 1⁄4 typed, made ¼ by ``read``), 1 1/2; a slash alone ("serie 1/2") is no
        # fraction.
        yield (
            re.compile(r"(?:" + _FREE + r"([0-9]+)( ?))?(" + _HIDDEN_VULGAR + r")"),
            lambda m: self._fraction(m, *_VULGAR_VALUES[show(m.group(3))]),
        )
        yield (
            re.compile(_FREE + r"([0-9]+)( )([0-9])/([0-9]{1,2})(?![0-9/])"),
            self._mixed,
        )
        # Patterns of three numbers or more: tempo 3-1-1-0, breath 4:2:6:2, 5/3/1 (a clock time,
        # 1:05:00, needs words).
        yield (
            re.compile(_FREE + r"[0-9]{1,2}:[0-5][0-9]:[0-5][0-9](?!\w|:\w)"),
            lambda m: hide(m.group(0)),
        )
        yield (
            re.compile(_FREE + r"[0-9]+(?:[-–:/][0-9]+){2,}(?!\w|[-:/]\w)"),
            self._pattern,
        )
        # What needs a language's words: 3x10, 4x400m, 8-12, 4:6, 1:30, 10/side, 1/2, x10, 3x.
        yield (
            re.compile(
                _NUMBER_START + r"(?:[xX]\s?)?" + _NUM + r"(?:\s?(?:[-–]\s?" + _NUM + r"|[xX:]\s?"
                r"(?:" + _NUM + r"|" + _WORD + r"))|/(?:" + _NUM + r"|" + _WORD + r"))+"
                r"(?:" + _WORD + r")?"
            ),
            lambda m: hide(m.group(0)),
        )
        yield re.compile(r"(?<![\w.])[xX]\s?[0-9]+\w*"), lambda m: hide(m.group(0))
        yield re.compile(_NUMBER_START + r"[0-9]+\s?[xX](?!\w)"), lambda m: hide(m.group(0))
        units = _alternation(k.replace("/", _PER) for k in self.units)
        times = _alternation(k for k, unit in self.units.items() if unit in _DURATIONS)
        yield (
            re.compile(
                _FREE
                + r"("
                + _NUM
                + r"\s?("
                + times
                + r"))\.(?=\s?"
                + _NUM
                + r"\s?("
                + times
                + r")"
                r"(?!\w))",
                re.IGNORECASE,
            ),
            self._drop_inner_stop,
        )
        yield (
            re.compile(
                _FREE + r"(" + _NUM + r")\s?(" + units + r")"
                r"(\.(?!" + _ANY_DIGIT + r"))?(?![\w'’]|/" + _ANY_DIGIT + ")",
                re.IGNORECASE,
            ),
            self._unit,
        )
        # Letters and digits in one word (3rd, VO2, T2B, 1m30s, 20m). Not a counter glued to its
        # number in a script written without spaces ("10回", "3组"): num2words reads those.
        yield (
            re.compile(r"(?<!\w)(?=[0-9]*" + _SPACED_LETTER + r")(?=[^\W_]*[0-9])[^\W_]+"),
            lambda m: hide(m.group(0)),
        )
        # The end of a shape nothing above read ("0L/0"): as written, like its start.
        yield (
            re.compile(r"(?<=[^\W_][:/⁄-]|[\U000f0000-\U000ffffd][:/⁄-])" + _NUM),
            lambda m: hide(m.group(0)),
        )
        if self.code is not None:
            yield re.compile(_NUM), self._plain_number
        else:
            yield re.compile(_NUM), lambda m: hide(m.group(0))

    # --- fractions --------------------------------------------------------------------------

    def _fraction(self, match: re.Match[str], n: int, d: int) -> str:
        """A fraction with a finite decimal as that decimal's digits, for the unit and number
        rules ("1½ min" -> "1.5 min"); else, for the engine, the fraction character ("⅓", "1 ⅓";
        "5/7" where Unicode has none). ``match`` groups: whole number, the space after it."""
        whole, space = match.group(1) or "", match.group(2) or ""
        if d and (1000 * n) % d == 0 and self.code is not None and len(whole) <= 15:
            value = Fraction(int(whole or 0)) + Fraction(n, d)
            return pad(match, _decimal_text(value))
        character = _VULGAR_OF.get((n, d)) or f"{n}/{d}"
        return hide(f"{whole}{space}{character}")

    def _mixed(self, match: re.Match[str]) -> str:
        """ "1 1/2": a whole number and a fraction below one; "serie 2 3/4" stays as written."""
        n, d = int(match.group(3)), int(match.group(4))
        if not 0 < n < d <= 16:
            return hide(match.group(0))
        if (1000 * n) % d == 0 and self.code is not None:
            return self._fraction(match, n, d)
        return hide(match.group(0))

    def _pattern(self, match: re.Match[str]) -> str:
        if self.code is None:
            return hide(match.group(0))
        parts = re.findall("[0-9]+", match.group(0))
        return " " + ", ".join(self.say(p) for p in parts) + " "

    # --- units ------------------------------------------------------------------------------

    def _unit(self, match: re.Match[str]) -> str:
        value, written, dot = match.groups()
        unit = self.units.get(written.lower().replace(_PER, "/"))
        whole = re.split("[.,]", value)[0]
        ambiguous = written.lower() == "m" and len(whole) <= 2 and int(whole) <= 24
        said = None if unit is None or ambiguous else self._unit_words(value, unit)
        if said is None:
            return hide(match.group(0))
        if dot and sentence_follows(match.string[match.end() :], number_too=True):
            return pad(match, said) + ". "
        return pad(match, said) + " "

    def _drop_inner_stop(self, match: re.Match[str]) -> str:
        """ "1 h. 30 min.": a smaller part of the same duration follows, so the full stop was the
        abbreviation's alone and goes (a number after a unit's full stop otherwise starts a new
        sentence)."""
        larger, smaller = (self.units[match.group(i).lower()] for i in (2, 3))
        if _DURATIONS.index(smaller) > _DURATIONS.index(larger):
            return match.group(1)
        return match.group(0)

    def _unit_words(self, value: str, unit: str) -> str | None:
        """ "20", mass-kilogram -> "venti chilogrammi": CLDR's long form for the amount, its
        number in num2words' words. None when CLDR cannot say it, or num2words does not know the
        language (the number and its unit then go to the engine as written)."""
        if self.locale is None or self.code is None:
            return None
        try:
            amount = Decimal(value.replace(",", "."))
            formatted = format_unit(amount, unit, length="long", locale=self.locale)
            shown = format_decimal(amount, locale=self.locale)
        except (InvalidOperation, ValueError, KeyError, UnknownLocaleError):
            return None
        if not formatted or shown not in formatted:
            return None
        return formatted.replace(shown, self.say(value), 1)


def _slashed(match: re.Match[str]) -> str:
    """ "1⁄3" typed with the fraction slash: the fraction character (hidden for the fraction
    rule), or "5/7" where Unicode has none."""
    n, d = int(match.group(1)), int(match.group(2))
    character = _VULGAR_OF.get((n, d))
    return hide(character) if character else f"{n}/{d}"


def _decimal_text(value: Fraction) -> str:
    """A fraction with a finite decimal as written digits: 3/2 -> "1.5", 1/8 -> "0.125"."""
    text = f"{Decimal(value.numerator) / Decimal(value.denominator):f}"
    return text.rstrip("0").rstrip(".") if "." in text else text
