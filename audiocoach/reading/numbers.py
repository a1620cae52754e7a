"""Numbers, ordinals and years in words, in any language num2words knows.

num2words (a well-kept library covering dozens of languages) does the spelling; this module only
picks its language code from a tag such as ``de-AT``, fixes the few forms it gets wrong for the
languages the coach speaks (Spanish "veintiuno mil", French "quatre-vingtsième"), and adds the
forms a number takes before a noun ("eine Minute", "una serie", "une minute", "primer set"), which
num2words does not know.

A language num2words does not know keeps its digits: an engine reads digits in its own language,
which is always better than English words.
"""

from __future__ import annotations

import re
from functools import lru_cache
from typing import Literal

from num2words import CONVERTER_CLASSES, num2words

__all__ = [
    "Gender",
    "decimal_words",
    "german_ordinal_after",
    "num2words_code",
    "number_words",
    "ordinal_words",
    "year_words",
]

#: Grammatical gender of the noun a number or ordinal stands before: masculine, feminine, neuter.
Gender = Literal["m", "f", "n"]

#: Beyond this a number is read digit by digit (it is a code or a phone number, not a quantity).
MAX_QUANTITY = 10**15 - 1
#: Language tags whose num2words code is spelled differently.
_ALIASES = {"nb": "no", "nn": "no", "kk": "kz"}


@lru_cache(maxsize=256)
def num2words_code(lang: str) -> str | None:
    """num2words' code for a language tag (``en``, ``de-AT``, ``pt_BR``), or None if it has none.

    An empty tag is English, the project's default. A regional variant num2words knows (``pt_BR``,
    ``fr_CH``, ``en_IN``) is used; otherwise the base language.
    """
    parts = [p for p in lang.strip().replace("-", "_").split("_") if p]
    if not parts:
        return "en"
    base = parts[0].lower()
    base = _ALIASES.get(base, base)
    if len(parts) > 1:
        regional = f"{base}_{parts[1].upper()}"
        if regional in CONVERTER_CLASSES:
            return regional
    return base if base in CONVERTER_CLASSES else None


def _family(code: str) -> str:
    return code.split("_")[0]


def _digits_one_by_one(text: str, code: str) -> str:
    return " ".join(_cardinal(int(d), code) for d in text if d.isdigit())


@lru_cache(maxsize=4096)
def _cardinal(n: int, code: str) -> str:
    words = num2words(n, lang=code)
    family = _family(code)
    if family == "en":
        words = words.replace(",", "")  # "one thousand, five hundred": no pause inside a number
    elif family == "es":
        # num2words says "veintiuno mil"; Spanish drops the -o before mil and millones.
        words = re.sub(r"\bveintiuno (?=mil)", "veintiún ", words)
        words = re.sub(r"\buno (?=mil)", "un ", words)
    return words


def number_words(n: int | float, lang: str = "en", *, gender: Gender | None = None) -> str:
    """A number in words in ``lang``: ``number_words(21, "de")`` -> "einundzwanzig".

    ``gender`` asks for the form used before a noun of that gender, where the language has one:
    German ``1`` is "eins" counting but "ein"/"eine" before a noun; Spanish 21 is "veintiuno",
    "veintiún" (m) or "veintiuna" (f); French 21 is "vingt et un" or "vingt et une" (f). Without
    ``gender`` the counting form is given.

    A float is read as written in decimals ("2.5" -> "two and a half"; see ``decimal_words``).
    Numbers beyond 10**15 are read digit by digit. In a language num2words does not know, the digits
    are returned unchanged. Never raises for an int or a finite float.
    """
    code = num2words_code(lang)
    if isinstance(n, float):
        if n != n or abs(n) == float("inf"):
            return str(n)
        if n.is_integer():
            return number_words(int(n), lang, gender=gender)
        sign = f"{_minus(code)} " if n < 0 and code else ("-" if n < 0 else "")
        return sign + decimal_words(f"{abs(n):.6f}".rstrip("0"), lang, gender=gender)
    if code is None:
        return str(n)
    if n < 0:
        return f"{_minus(code)} {number_words(-n, lang, gender=gender)}"
    if n > MAX_QUANTITY:
        return _digits_one_by_one(str(n), code)
    try:
        words = _cardinal(n, code)
    except Exception:  # a language module that cannot say this number: digits, never a crash
        return str(n)
    return _agree(words, n, _family(code), gender) if gender else words


@lru_cache(maxsize=64)
def _minus(code: str) -> str:
    try:
        return str(num2words(-1, lang=code)).rsplit(" ", 1)[0]
    except Exception:
        return "-"


def _agree(words: str, n: int, family: str, gender: Gender) -> str:
    """The form of a cardinal before a noun of ``gender``."""
    if family == "de" and n == 1:
        return "eine" if gender == "f" else "ein"
    if family == "es":
        if words.endswith("veintiuno"):
            return words[: -len("veintiuno")] + ("veintiuna" if gender == "f" else "veintiún")
        if words == "uno" or words.endswith(" uno"):
            return words[:-1] + ("a" if gender == "f" else "")
        if gender == "f":
            return re.sub(r"ientos\b", "ientas", words)
    if family == "fr" and gender == "f" and (words == "un" or re.search(r"[ -]un$", words)):
        return words + "e"
    return words


@lru_cache(maxsize=1024)
def _ordinal(n: int, code: str) -> str:
    words = num2words(n, lang=code, to="ordinal")
    family = _family(code)
    if family == "en":
        words = words.replace(",", "")
    elif family == "es":
        words = words.replace("décimoprimero", "decimoprimero")
        words = words.replace("décimosegundo", "decimosegundo")
    elif family == "fr":
        words = words.replace("vingtsième", "vingtième").replace("centsième", "centième")
    return words


def ordinal_words(n: int, lang: str = "en", *, gender: Gender | None = None) -> str:
    """An ordinal in words in ``lang``: ``ordinal_words(3, "fr")`` -> "troisième".

    ``gender`` asks for the form before a noun of that gender, where the language has one:
    German without an article "dritter Satz" (m), "dritte Runde" (f), "drittes Mal" (n) (with no
    gender: "dritte", the form after "der/die/das"); Spanish "primer"/"tercer" before a masculine
    noun (no gender: "primero") and "primera"/"tercera" (f); French "première" (f).

    Numbers below 1 or beyond 10**15, and languages num2words does not know or cannot say the
    ordinal in, give the digits followed by a full stop ("3."), which engines read as an ordinal in
    most languages. Never raises.
    """
    code = num2words_code(lang)
    if code is None or n < 1 or n > MAX_QUANTITY:
        return f"{n}."
    try:
        words = _ordinal(n, code)
    except Exception:
        return f"{n}."
    family = _family(code)
    if gender is None:
        return words
    if family == "de" and words.endswith("e"):
        return words + {"m": "r", "f": "", "n": "s"}[gender]
    if family == "es":
        if gender == "f":
            return re.sub(r"o\b", "a", words)
        return re.sub(r"\b(primer|tercer)o$", r"\1", words)
    if family == "fr" and gender == "f" and words.endswith("premier"):
        return words[: -len("premier")] + "première"
    return words


def german_ordinal_after(n: int, ending: str) -> str:
    """German ordinal with an explicit ending: "dritten" (after "im", "am", "den") and the like."""
    words = ordinal_words(n, "de")
    return words[:-1] + ending if words.endswith("e") else words


def year_words(n: int, lang: str = "en") -> str:
    """A year as people say it: "twenty twenty-four", "neunzehnhundertneunundneunzig".

    Languages that say years as plain numbers (Spanish, French) get the cardinal.
    """
    code = num2words_code(lang)
    if code is None:
        return str(n)
    if _family(code) in ("en", "de") and 1000 <= n <= 2999:
        try:
            return str(num2words(n, lang=code, to="year")).replace(",", "")
        except Exception:
            pass
    return number_words(n, lang)


#: What a decimal separator is called: English "point", German "Komma", and so on. Spanish says
#: the separator it sees ("coma" for 2,5, "punto" for 2.5, as readers in Spain and Mexico do).
_DECIMAL_WORDS = {"en": "point", "de": "Komma", "fr": "virgule"}
_HALVES = {"en": "and a half", "de": "einhalb", "es": "y medio", "fr": "et demi"}
_QUARTERS = {
    "25": {"en": "and a quarter", "de": "einviertel", "es": "y cuarto", "fr": "et quart"},
    "75": {
        "en": "and three quarters",
        "de": "dreiviertel",
        "es": "y tres cuartos",
        "fr": "et trois quarts",
    },
}


def nice_fraction(fraction: str, family: str) -> str | None:
    """Words for .5, .25 and .75 after a whole number ("and a half"), or None."""
    fraction = fraction.rstrip("0") or "0"
    if fraction == "5":
        return _HALVES.get(family)
    return _QUARTERS.get(fraction, {}).get(family)


def decimal_words(
    text: str, lang: str = "en", *, gender: Gender | None = None, plain: bool = False
) -> str:
    """A written decimal in words: "2.5" -> "two and a half", "1,05" (de) -> "eins Komma null fünf".

    ``text`` is digits with one "." or "," between them. A whole number of 1 or more with .5, .25
    or .75 is said as a coach says it ("two and a half", "zweieinhalb", "dos y medio", "deux et
    demi"); other decimals digit by digit after the separator in English and German, and as a number
    in Spanish and French ("dos coma veinticinco"), leading zeros one by one. Languages without
    rules here get num2words' own reading of the float; unknown languages keep the digits.
    ``plain`` reads .5 with the separator too (Spanish "uno coma cinco vueltas", where "uno y medio
    vueltas" would be wrong).
    """
    code = num2words_code(lang)
    if code is None:
        return text
    family = _family(code)
    sep = "," if "," in text else "."
    whole, _, fraction = text.partition(sep)
    if not whole.isdigit() or not fraction.isdigit():
        return text
    if len(whole) > 15:
        return _digits_one_by_one(text, code)
    if family not in ("en", "de", "es", "fr"):
        try:
            return str(num2words(float(f"{whole}.{fraction}"), lang=code))
        except Exception:
            return text
    n = int(whole)
    nice = nice_fraction(fraction, family) if n >= 1 and not plain else None
    if nice:
        if family == "de":
            return ("ein" if n == 1 else number_words(n, lang)) + nice
        if family == "es" and gender == "f":
            nice = nice.replace("medio", "media")
        if family == "fr" and gender == "f":
            nice = nice.replace("demi", "demie")
        return f"{number_words(n, lang, gender=gender)} {nice}"
    word = _DECIMAL_WORDS.get(family) or ("coma" if sep == "," else "punto")
    head = number_words(n, lang, gender=gender if family in ("es", "fr") else None)
    if family in ("es", "fr") and len(fraction) <= 3:
        zeros = len(fraction) - len(fraction.lstrip("0"))
        rest = fraction.lstrip("0")
        tail = [number_words(0, lang)] * zeros + ([number_words(int(rest), lang)] if rest else [])
    else:
        tail = [number_words(int(d), lang) for d in fraction]
    return f"{head} {word} {' '.join(tail)}"
