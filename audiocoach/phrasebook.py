"""The coach's words in one language: a phrasebook, read from a data file shipped with the package.

The scheduler decides *when* something is said and asks a ``Phrasebook`` *what* to say: "Set 2 of
4.", "Pause, dreißig Sekunden.", "Inspirez, levez plus haut.". It never holds a word of any
language itself. One YAML file per language lives in ``audiocoach/phrasebooks/`` (``en.yaml`` is the
reference every other file must match key for key and placeholder for placeholder).

A phrase is a ``str.format`` template. Numbers are placeholders whose format spec says how to say
them, so a phrasebook decides per phrase whether a number is left as digits (for the text reader
to spell, or for a label that is only shown) or spelled out here:

* ``{n}``: digits, ``4``;
* ``{n:words}``: the counting word from num2words, ``vier``, ``quatre``, ``uno``;
* ``{n:words.f}``, ``{n:words.m}``: the form that agrees with a feminine or masculine noun after it,
  from the file's ``agreement`` table applied to the last word (Spanish ``veintiuno`` becomes
  ``veintiún segundos`` and ``veintiuna repeticiones``; French ``vingt et un`` becomes
  ``vingt et une secondes``): num2words only gives the counting form.

A phrase whose value is a mapping of CLDR plural categories (``one``, ``few``, ``many``, ``other``
...) has plural forms; the category is chosen by the placeholder ``n`` with Babel's CLDR rules
(``Locale.parse(lang).plural_form``), so "1 rep" / "2 reps", "eine Minute" / "zwei Minuten" and
French's "zéro seconde" come from the language's own rules rather than ``n == 1`` guesses.

Language tags (``de``, ``de-DE``, ``de_AT``, ``pt-BR``, ``de_DE.UTF-8``) are parsed with Babel and
resolved to the nearest shipped phrasebook (``de-AT`` -> ``de``); a language without one gets the
English phrasebook and a one-line ``notice`` for the caller to print. That stand-in spells every
number of a spoken phrase in English words (``{n}`` reads as ``{n:words}``; labels keep digits):
the track is read in the requested language, whose reader would otherwise turn the digits of
"Set 2 of 3." into its own words ("Set due of tre."), while the routine's own text in it is still
read in that language.
"""

from __future__ import annotations

import functools
import re
import string
from collections.abc import Mapping
from dataclasses import dataclass, replace
from importlib import resources
from types import MappingProxyType
from typing import Any

import yaml
from babel import Locale, UnknownLocaleError
from babel.core import parse_locale
from num2words import num2words

__all__ = [
    "DEFAULT_LANGUAGE",
    "PLURAL_CATEGORIES",
    "Phrasebook",
    "PhrasebookError",
    "Span",
    "available_languages",
    "estimated_span",
    "language_tag",
    "load_phrasebook",
    "nearest_language",
    "phrasebook_for",
    "placeholders",
    "plural_categories",
    "said_span",
]

DEFAULT_LANGUAGE = "en"
#: Every CLDR plural category; a phrase's forms are a subset with ``other`` always present.
PLURAL_CATEGORIES = ("zero", "one", "two", "few", "many", "other")
#: The format specs a number placeholder may carry (see the module docstring).
NUMBER_SPECS = ("", "words", "words.f", "words.m")
_TAG_FORMS = "a language tag like de, de-DE, es or pt-BR"
_PACKAGE_DIR = "phrasebooks"


class PhrasebookError(ValueError):
    """A phrasebook file is malformed: the file and key are in the message."""


# --- language tags --------------------------------------------------------------------------------


def _parts(tag: str) -> tuple[str, str | None, str | None]:
    """``(language, script, territory)`` of a tag, lower/title/upper-cased; ValueError if malformed.

    Parsing is Babel's (``babel.core.parse_locale``, which also drops ``.UTF-8`` and ``@modifier``
    as POSIX locales have them); BCP 47's hyphens are accepted as well as POSIX underscores.
    """
    text = tag.strip() if isinstance(tag, str) else ""
    if not text or len(text) > 35:
        raise ValueError(f"expected {_TAG_FORMS}, got {tag!r}")
    try:
        parsed = parse_locale(text.replace("-", "_"))
    except ValueError:
        raise ValueError(f"expected {_TAG_FORMS}, got {tag!r}") from None
    language, territory, script = parsed[0], parsed[1], parsed[2]
    if not 2 <= len(language) <= 3:
        raise ValueError(f"expected {_TAG_FORMS}, got {tag!r}")
    return language, script, territory


def language_tag(value: object) -> str:
    """Validate a language tag as written (``de``, ``de-AT``, ``pt_BR``) and return it stripped.

    Raises ``ValueError`` naming the accepted forms. Used for a routine's ``language:``, a program
    day's and ``--lang``. A well-formed tag without a phrasebook is not an error (see
    ``phrasebook_for``).
    """
    if not isinstance(value, str):
        raise ValueError(f"expected {_TAG_FORMS}, got {value!r}")
    _parts(value)
    return value.strip()


@functools.cache
def available_languages() -> tuple[str, ...]:
    """The tags of the shipped phrasebooks (their file names), sorted: ``("de", "en", ...)``."""
    folder = resources.files("audiocoach") / _PACKAGE_DIR
    names = (entry.name for entry in folder.iterdir() if entry.name.endswith(".yaml"))
    return tuple(sorted(name.removesuffix(".yaml") for name in names))


def nearest_language(tag: str) -> str | None:
    """The shipped phrasebook closest to ``tag``, or None: ``de-AT`` -> ``de``, ``pt-BR`` -> None.

    Tries the tag with script and territory, without the territory, without the script, then the
    bare language. Raises ``ValueError`` for a malformed tag.
    """
    language, script, territory = _parts(tag)
    shipped = {name.lower(): name for name in available_languages()}
    candidates = [
        "-".join(p for p in (language, script, territory) if p),
        "-".join(p for p in (language, territory) if p),
        "-".join(p for p in (language, script) if p),
        language,
    ]
    for candidate in candidates:
        found = shipped.get(candidate.lower())
        if found:
            return found
    return None


def _language_name(tag: str) -> str:
    """``German (Austria)`` for ``de-AT`` (CLDR's English name), or the tag itself if unknown."""
    try:
        return Locale.parse(tag.replace("-", "_")).get_display_name("en") or tag
    except (ValueError, UnknownLocaleError):
        return tag


# --- plural rules -------------------------------------------------------------------------------


@functools.cache
def plural_categories(language: str) -> frozenset[str]:
    """The CLDR plural categories ``language`` uses: ``{"one", "many", "other"}`` for ``fr``."""
    return frozenset(_plural_rule(language).tags) | {"other"}


@functools.cache
def _plural_rule(language: str) -> Any:
    try:
        return Locale.parse(language.replace("-", "_")).plural_form
    except (ValueError, UnknownLocaleError):
        return Locale.parse(DEFAULT_LANGUAGE).plural_form


# --- lengths as a coach says them -----------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Span:
    """A length split the way it is said: ``Span(0, 1, 30)`` is "1 minute 30 seconds"."""

    hours: int = 0
    minutes: int = 0
    seconds: int = 0


def _half_up(value: int, unit: int) -> int:
    """``value`` rounded to a whole number of ``unit`` with halves going up (not to even)."""
    return (value + unit // 2) // unit


def said_span(ms: int) -> Span:
    """A known length (a rest, a hold) as a coach says it: to the second, halves up.

    From ten minutes on it is whole minutes (nobody needs "23 minutes 41 seconds").
    """
    seconds = _half_up(max(ms, 0), 1000)
    if seconds < 60:
        return Span(seconds=seconds)
    if seconds >= 600:
        hours, minutes = divmod(_half_up(ms, 60_000), 60)
        return Span(hours=hours, minutes=minutes)
    minutes, rest = divmod(seconds, 60)
    return Span(minutes=minutes, seconds=rest)


def estimated_span(ms: int) -> Span:
    """A whole track's length as the intro's "about ..." says it, halves rounding up.

    The unit grows with the length, as a person rounds: under a minute, tens of seconds (at least
    ten: "about 40 seconds"); from there to an hour, whole minutes (1:29 is "about 1 minute",
    1:30 and the 1:47 of issue 9 "about 2 minutes"); from an hour on, five minutes ("about
    1 hour 5 minutes"). The edges: 54.999 s -> 50 s, 55 s -> 1 min, 89.999 s -> 1 min, 90 s ->
    2 min, 59:29.999 -> 59 min, 59:30 -> 1 h, 1:02:29.999 -> 1 h, 1:02:30 -> 1 h 5 min.
    """
    ms = max(ms, 0)
    tens = _half_up(ms, 10_000) * 10
    if tens < 60:
        return Span(seconds=max(10, tens))
    minutes = _half_up(ms, 60_000)
    if minutes < 60:
        return Span(minutes=minutes)
    hours, minutes = divmod(_half_up(ms, 300_000) * 5, 60)
    return Span(hours=hours, minutes=minutes)


# --- the phrasebook -----------------------------------------------------------------------------

Template = str | Mapping[str, str]


class _Number:
    """An int in a template: ``format`` gives digits, words or an agreeing form (see module doc)."""

    __slots__ = ("book", "spell", "value")

    def __init__(self, value: int, book: Phrasebook, spell: bool = False) -> None:
        self.value = value
        self.book = book
        #: Digits (``{n}``) as words too: a stand-in phrasebook's spoken phrases.
        self.spell = spell

    def __format__(self, spec: str) -> str:
        if spec == "":
            if not self.spell:
                return str(self.value)
            spec = "words"
        if spec not in NUMBER_SPECS:
            raise ValueError(f"unknown number format {spec!r}; use one of {NUMBER_SPECS}")
        words = _spelled(self.value, self.book.number_language)
        gender = spec.partition(".")[2]
        if not gender:
            return words
        table = self.book.agreement.get(gender, {})
        head, sep, last = _split_last_word(words)
        return head + sep + table.get(last, last)


@functools.lru_cache(maxsize=4096)
def _spelled(value: int, language: str) -> str:
    """num2words' cardinal, memoized: a long routine says the same counts hundreds of times."""
    return num2words(value, lang=language)


def _opens_with_a_value(key: str, template: str) -> bool:
    """Whether a phrase is a sentence (or a count, said alone) that opens with a value: a phrase
    ("{rounds}: {names}." -> "Zwei Runden: ...") or a number a stand-in phrasebook spells ("One",
    as the English reader says "1"). Its first letter is then made upper case, as a sentence's is;
    a value written ``{n:words}`` on purpose ("three" of the countdown) stays as it is."""
    if not template.startswith("{") or not (
        key.startswith("count.") or template.rstrip().endswith((".", "!", "?"))
    ):
        return False
    first = next(iter(string.Formatter().parse(template)), None)
    return first is not None and not (first[2] or "").startswith("words")


def _split_last_word(words: str) -> tuple[str, str, str]:
    """``("vingt et", " ", "un")``; the last word after a space or hyphen ("quatre-vingt-un")."""
    match = re.search(r"[ \-](?=[^ \-]*$)", words)
    if not match:
        return "", "", words
    return words[: match.start()], match.group(), words[match.end() :]


@dataclass(frozen=True)
class Phrasebook:
    """Every phrase the coach says (and every label the plan shows) in one language.

    ``language`` is the file's tag (``de``); ``requested`` the tag that was asked for when it was
    different (``de-AT``, or ``pt`` when English stands in for a language without a phrasebook).
    ``spells_numbers`` makes ``{n}`` in a spoken phrase (any key but ``label.*``) read as
    ``{n:words}``; ``phrasebook_for`` sets it on a stand-in (see the module docstring).
    """

    language: str
    phrases: Mapping[str, Template]
    agreement: Mapping[str, Mapping[str, str]]
    number_language: str
    requested: str | None = None
    spells_numbers: bool = False

    # -- the one general entry point

    def say(self, key: str, /, **values: object) -> str:
        """The phrase ``key`` with ``values`` filled in; ``n`` picks the plural form.

        Raises ``KeyError`` for a key the phrasebook does not have (the tests make sure every
        shipped phrasebook has every key English has).
        """
        template = self.phrases[key]
        if not isinstance(template, str):
            count = values.get("n")
            if not isinstance(count, int):
                raise TypeError(f"phrase {key!r} has plural forms and needs an integer n")
            category = _plural_rule(self.language)(count)
            template = template.get(category, template["other"])
        spell = self.spells_numbers and not key.startswith("label.")
        filled = {
            name: _Number(value, self, spell)
            if isinstance(value, int) and not isinstance(value, bool)
            else value
            for name, value in values.items()
        }
        said = template.format_map(filled)
        if _opens_with_a_value(key, template):
            said = said[:1].upper() + said[1:]  # "Zwei Runden: ...": a sentence starts here
        return said

    def weekday(self, day: int) -> str:
        """The name of a day of the week, ``0`` Monday to ``6`` Sunday, as a title starts it
        (``Montag``, ``Lunes``, ``Mercredi``): CLDR's wide names, through Babel."""
        names = Locale.parse(self.language.replace("-", "_")).days["format"]["wide"]
        name = str(names[day])
        return name[:1].upper() + name[1:]

    # -- conveniences the scheduler uses (words only; it keeps the timing)

    @property
    def fallback(self) -> bool:
        """True when English stands in for a requested language that has no phrasebook."""
        return self.requested is not None and nearest_language(self.requested) is None

    @property
    def notice(self) -> str | None:
        """One line for the user when the requested language has no phrasebook, else None."""
        if not self.fallback:
            return None
        assert self.requested is not None
        name = _language_name(self.requested)
        shown = name if name == self.requested else f"{name} ({self.requested})"
        return (
            f"no phrasebook for {shown}: the coach will speak English "
            f"(phrasebooks: {', '.join(available_languages())})"
        )

    def length(self, span: Span) -> str:
        """Say a length: "1 minute 30 seconds", "eine Minute und dreißig Sekunden", "2 hours".

        Parts that are zero are left out; two parts are joined by the language's own pattern
        (``minutes_seconds``, ``hours_minutes``), hours with minutes and seconds by both.
        """
        small = [
            self.say(unit, n=n)
            for unit, n in (("minutes", span.minutes), ("seconds", span.seconds))
            if n
        ]
        if len(small) == 2:
            small = [self.say("minutes_seconds", minutes=small[0], seconds=small[1])]
        if span.hours:
            hours = self.say("hours", n=span.hours)
            return self.say("hours_minutes", hours=hours, minutes=small[0]) if small else hours
        return small[0] if small else self.say("seconds", n=0)

    def duration(self, ms: int) -> str:
        """A known length said exactly enough: "30 seconds" (see ``said_span``)."""
        return self.length(said_span(ms))

    def about(self, ms: int) -> str:
        """A track's length as the intro says it: "2 minutes" (see ``estimated_span``)."""
        return self.length(estimated_span(ms))

    def side_key(self, side: str) -> str | None:
        """``"left"``/``"right"`` when ``side`` names one (in English or this language)."""
        low = side.strip().lower()
        for key in ("left", "right"):
            if low in (key, self.say(f"side.{key}").lower()):
                return key
        return None

    def side_name(self, side: str) -> str:
        """The side as shown and counted: "links" for left; a routine's own names as written."""
        key = self.side_key(side)
        return self.say(f"side.{key}") if key else side

    def work_label(self, exercise: str, side: str | None) -> str:
        """A work phase's label: "Thread the Needle (left)", "Thread the Needle (links)"."""
        if not side:
            return exercise
        return self.say("label.side", name=exercise, side=self.side_name(side))

    def join_names(self, names: list[str]) -> str:
        """Join names with the language's "then": "A, then B, then C"."""
        return self.say("group.then").join(names)


def sentence(text: str) -> str:
    """First letter upper-cased, the rest as written ("clockwise." -> "Clockwise.")."""
    return text[:1].upper() + text[1:]


# --- loading ------------------------------------------------------------------------------------


def placeholders(template: Template) -> dict[str, set[str]]:
    """Field name -> the format specs it is used with, over all plural forms of ``template``."""
    forms = [template] if isinstance(template, str) else list(template.values())
    found: dict[str, set[str]] = {}
    for form in forms:
        for _, name, spec, _ in string.Formatter().parse(form):
            if name is not None:
                found.setdefault(name, set()).add(spec or "")
    return found


def _flatten(node: Any, prefix: str, where: str, out: dict[str, Template]) -> None:
    if not isinstance(node, dict) or not node:
        raise PhrasebookError(f"{where}: {prefix or 'phrases'}: expected a mapping of phrases")
    for key, value in node.items():
        if not isinstance(key, str) or not re.fullmatch(r"[a-z][a-z0-9_]*", key):
            raise PhrasebookError(f"{where}: {prefix}{key!r}: keys are lowercase words")
        name = f"{prefix}{key}"
        if isinstance(value, str):
            out[name] = value
        elif isinstance(value, dict) and "other" in value and set(value) <= set(PLURAL_CATEGORIES):
            if not all(isinstance(v, str) for v in value.values()):
                raise PhrasebookError(f"{where}: {name}: every plural form is text")
            out[name] = MappingProxyType(dict(value))
        elif isinstance(value, dict) and set(value) <= set(PLURAL_CATEGORIES):
            raise PhrasebookError(f"{where}: {name}: plural forms need an 'other' form")
        elif isinstance(value, dict):
            _flatten(value, f"{name}.", where, out)
        else:
            raise PhrasebookError(
                f"{where}: {name}: expected text, plural forms ({{one: ..., other: ...}}) or a "
                f"group of phrases"
            )


def _check_templates(phrases: Mapping[str, Template], where: str) -> None:
    for key, template in phrases.items():
        try:
            found = placeholders(template)
        except ValueError as exc:
            raise PhrasebookError(f"{where}: {key}: {exc}") from None
        for name, specs in found.items():
            if not name.isidentifier():
                raise PhrasebookError(f"{where}: {key}: placeholder {{{name}}} is not a plain name")
            bad = specs - set(NUMBER_SPECS)
            if bad:
                raise PhrasebookError(
                    f"{where}: {key}: unknown format {sorted(bad)[0]!r} in {{{name}}}; "
                    f"numbers take {', '.join(s or '(none)' for s in NUMBER_SPECS)}"
                )


def parse_phrasebook(data: Any, where: str) -> Phrasebook:
    """A ``Phrasebook`` from a file's parsed YAML; ``PhrasebookError`` says what is malformed."""
    if not isinstance(data, dict):
        raise PhrasebookError(f"{where}: expected a mapping with language: and phrases:")
    unknown = set(data) - {"language", "num2words", "agreement", "phrases"}
    if unknown:
        raise PhrasebookError(f"{where}: unknown key {sorted(unknown)[0]!r}")
    try:
        language = language_tag(data.get("language"))
    except ValueError as exc:
        raise PhrasebookError(f"{where}: language: {exc}") from None
    agreement_data = data.get("agreement") or {}
    if not isinstance(agreement_data, dict) or not all(
        g in ("f", "m")
        and isinstance(t, dict)
        and all(isinstance(a, str) and isinstance(b, str) for a, b in t.items())
        for g, t in agreement_data.items()
    ):
        raise PhrasebookError(f"{where}: agreement: expected {{f: {{un: une}}, m: {{...}}}}")
    phrases: dict[str, Template] = {}
    _flatten(data.get("phrases"), "", where, phrases)
    _check_templates(phrases, where)
    number_language = str(data.get("num2words") or language.replace("-", "_"))
    try:
        num2words(1, lang=number_language)
    except NotImplementedError:
        raise PhrasebookError(f"{where}: num2words does not know {number_language!r}") from None
    return Phrasebook(
        language=language,
        phrases=MappingProxyType(phrases),
        agreement=MappingProxyType(
            {g: MappingProxyType(dict(t)) for g, t in agreement_data.items()}
        ),
        number_language=number_language,
    )


@functools.cache
def load_phrasebook(language: str) -> Phrasebook:
    """The shipped phrasebook named ``language`` exactly (``"de"``); cached, immutable.

    Raises ``PhrasebookError`` if there is no such file or it is malformed.
    """
    if language not in available_languages():
        raise PhrasebookError(f"no phrasebook {language!r}; shipped: {available_languages()}")
    resource = resources.files("audiocoach") / _PACKAGE_DIR / f"{language}.yaml"
    where = f"phrasebooks/{language}.yaml"
    try:
        data = yaml.safe_load(resource.read_text(encoding="utf-8"))
    except yaml.YAMLError as exc:
        raise PhrasebookError(f"{where}: not valid YAML: {exc}") from None
    book = parse_phrasebook(data, where)
    if book.language != language:
        raise PhrasebookError(f"{where}: says language: {book.language}, not {language}")
    return book


def phrasebook_for(tag: str | None) -> Phrasebook:
    """The phrasebook for a language tag: the nearest shipped one, else English.

    ``None`` means English. For a tag without a phrasebook the result is English with
    ``requested`` set, so ``notice`` gives the line to show the user, and with ``spells_numbers``,
    so its phrases carry English words for the requested language's reader, never digits. Raises
    ``ValueError`` for a malformed tag.
    """
    if tag is None:
        return load_phrasebook(DEFAULT_LANGUAGE)
    found = nearest_language(tag)
    book = load_phrasebook(found or DEFAULT_LANGUAGE)
    if found is not None and found.lower() == tag.strip().lower():
        return book
    return replace(book, requested=tag.strip(), spells_numbers=found is None)
