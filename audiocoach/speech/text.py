"""Turn whatever a routine says into text any engine speaks well.

Routine text is typed by people: emoji, pasted markup, ``3x10``, ``1m30s``, ``4:6``. Engines read
those badly (espeak says "three x ten", gTTS may spell out the markup), and some characters make
them fail outright. ``speakable`` is the one place that decides how such text is read, so every
engine says the same words and the cache is keyed on what is actually spoken.

Numbers are expanded to English words only for English: other languages keep their digits, which
each engine reads in its own language better than any rule here could.
"""

from __future__ import annotations

import html
import re
import unicodedata
from collections.abc import Callable

__all__ = ["MAX_CHARS", "TERMINAL_CODES", "number_words", "ordinal_words", "speakable"]

#: Longest text returned. Routine fields are capped well below this; it only keeps pathological
#: input from tying up an engine for minutes. Longer text is cut at a sentence boundary.
MAX_CHARS = 4000

# --- numbers to words ----------------------------------------------------------------------------

_ONES = (
    "zero one two three four five six seven eight nine ten eleven twelve thirteen fourteen "
    "fifteen sixteen seventeen eighteen nineteen"
).split()
_TENS = "_ _ twenty thirty forty fifty sixty seventy eighty ninety".split()
_SCALES = ((10**12, "trillion"), (10**9, "billion"), (10**6, "million"), (10**3, "thousand"))
_IRREGULAR_ORDINALS = {
    "one": "first",
    "two": "second",
    "three": "third",
    "five": "fifth",
    "eight": "eighth",
    "nine": "ninth",
    "twelve": "twelfth",
}
#: Beyond this, digits are read one by one (a phone number, not a quantity).
_MAX_WORDS_NUMBER = 10**15 - 1


def _under_thousand(n: int) -> str:
    hundreds, rest = divmod(n, 100)
    words = [f"{_ONES[hundreds]} hundred"] if hundreds else []
    if rest >= 20:
        tens, ones = divmod(rest, 10)
        words.append(f"{_TENS[tens]}-{_ONES[ones]}" if ones else _TENS[tens])
    elif rest or not hundreds:
        words.append(_ONES[rest])
    return " ".join(words)


def number_words(n: int) -> str:
    """American English for an integer: 1234 -> "one thousand two hundred thirty-four"."""
    if n < 0:
        return "minus " + number_words(-n)
    if n > _MAX_WORDS_NUMBER:
        return " ".join(_ONES[int(d)] for d in str(n))
    words: list[str] = []
    for scale, name in _SCALES:
        count, n = divmod(n, scale)
        if count:
            words.append(f"{_under_thousand(count)} {name}")
    if n or not words:
        words.append(_under_thousand(n))
    return " ".join(words)


def ordinal_words(n: int) -> str:
    """21 -> "twenty-first"."""
    words = number_words(n)
    head, sep, last = max(words.rpartition(" "), words.rpartition("-"), key=lambda p: len(p[0]))
    if last in _IRREGULAR_ORDINALS:
        last = _IRREGULAR_ORDINALS[last]
    elif last.endswith("y"):
        last = last[:-1] + "ieth"
    else:
        last += "th"
    return f"{head}{sep}{last}"


def _digits(text: str) -> str:
    return " ".join(_ONES[int(d)] for d in text)


def _number(text: str) -> str:
    """Words for a written number: "1,500" or "2.5" or "007"."""
    whole, _, fraction = text.replace(",", "").partition(".")
    words = number_words(int(whole)) if len(whole) <= 15 else _digits(whole)
    return f"{words} point {_digits(fraction)}" if fraction else words


# --- English reading rules -----------------------------------------------------------------------

_NUM = r"[0-9]+(?:\.[0-9]+)?"
# Not glued to a word or a longer number on the left.
_START = r"(?<![\w.])"

# Units people abbreviate after a number: spelling -> (singular, plural).
_UNITS: dict[str, tuple[str, str]] = {
    "ms": ("millisecond", "milliseconds"),
    "s": ("second", "seconds"),
    "sec": ("second", "seconds"),
    "secs": ("second", "seconds"),
    "min": ("minute", "minutes"),
    "mins": ("minute", "minutes"),
    "h": ("hour", "hours"),
    "hr": ("hour", "hours"),
    "hrs": ("hour", "hours"),
    "km": ("kilometer", "kilometers"),
    "mi": ("mile", "miles"),
    "yd": ("yard", "yards"),
    "yds": ("yard", "yards"),
    "ft": ("foot", "feet"),
    "cm": ("centimeter", "centimeters"),
    "mm": ("millimeter", "millimeters"),
    "kg": ("kilogram", "kilograms"),
    "kgs": ("kilogram", "kilograms"),
    "lb": ("pound", "pounds"),
    "lbs": ("pound", "pounds"),
    "cal": ("calorie", "calories"),
    "kcal": ("kilocalorie", "kilocalories"),
    "bpm": ("beat per minute", "beats per minute"),
    "rpm": ("revolution per minute", "revolutions per minute"),
    "°c": ("degree Celsius", "degrees Celsius"),
    "°f": ("degree Fahrenheit", "degrees Fahrenheit"),
    "°": ("degree", "degrees"),
    "%": ("percent", "percent"),
    "m": ("minute", "minutes"),  # or meters: see _unit
}
_DISTANCE = ("m", "km", "mi", "yd", "yds", "ft", "meters", "metres", "yards", "miles")
_UNIT_ALTERNATION = "|".join(re.escape(u) for u in sorted(_UNITS, key=len, reverse=True))
#: "m" alone reads as minutes up to this value ("rest 2m"), meters above ("run 400m").
_MAX_MINUTES_FOR_M = 24

_SPACE_CATEGORIES = {"Zs", "Zl", "Zp", "Cc"}
_DROP_PUNCTUATION = set("*#_~`|\\^@/<>[]{}")
_KEEP_SYMBOLS_NON_ENGLISH = set("%°+&")
#: After a slash these mean "per" ("10/side", "km/h"); other words mean "or" ("left/right").
_PER_WORDS = {"side", "leg", "arm", "round", "lap", "minute", "second", "hour", "day", "week"}
_PER_ABBREVIATIONS = {"min": "minute", "sec": "second", "s": "second", "h": "hour", "hr": "hour"}
_FRACTIONS = {2: ("half", "halves"), 4: ("quarter", "quarters")}


def _plural(value: str, unit: tuple[str, str]) -> str:
    return unit[0] if value in ("1", "1.0") else unit[1]


def _unit(match: re.Match[str]) -> str:
    value, spelled = match.group(1), match.group(2)
    key = spelled.lower()
    unit = _UNITS[key]
    if key == "m" and float(value) > _MAX_MINUTES_FOR_M:
        unit = ("meter", "meters")
    return f" {_number(value)} {_plural(value, unit)} "


def _compound_time(match: re.Match[str]) -> str:
    # Inside "1h30m" or "1m30s", m is always minutes.
    parts = re.findall(r"([0-9]+(?:\.[0-9]+)?)(ms|h|m|s)", match.group(0))
    words = [f"{_number(v)} {_plural(v, _UNITS[u])}" for v, u in parts]
    return " " + " ".join(words) + " "


def _clock(match: re.Match[str]) -> str:
    hours, minutes, seconds = (int(g) if g else 0 for g in match.groups())
    words = [
        f"{number_words(count)} {name if count == 1 else name + 's'}"
        for count, name in ((hours, "hour"), (minutes, "minute"), (seconds, "second"))
        if count
    ]
    return " " + (" ".join(words) if words else "zero seconds") + " "


def _time_of_day(match: re.Match[str]) -> str:
    hour, minute, half = int(match.group(1)), int(match.group(2)), match.group(3).lower()
    if minute == 0:
        spoken_minute = ""
    elif minute < 10:
        spoken_minute = f" oh {number_words(minute)}"
    else:
        spoken_minute = f" {number_words(minute)}"
    return f" {number_words(hour)}{spoken_minute} {half} m "


def _ratio(match: re.Match[str]) -> str:
    parts = [_number(p) for p in match.group(0).split(":")]
    return " " + (" to ".join(parts) if len(parts) == 2 else ", ".join(parts)) + " "


def _sets(match: re.Match[str]) -> str:
    count, each, unit = match.group(1), match.group(2), match.group(3)
    if unit:  # 4x400m: intervals, not sets of reps
        return f" {count} times {each}{unit}"
    # Digits stay digits for the later rules: "3x10-12" is three sets of ten to twelve.
    sets = "set" if count == "1" else "sets"
    return f" {count} {sets} of {each}"


def _fraction(match: re.Match[str]) -> str:
    whole, numerator, denominator = match.group(1), int(match.group(2)), int(match.group(3))
    if denominator in _FRACTIONS:
        name = _FRACTIONS[denominator][numerator != 1]
    elif denominator == 0 or denominator > _MAX_WORDS_NUMBER:
        return f" {_number(match.group(2))} over {_number(match.group(3))} "
    else:
        name = ordinal_words(denominator) + ("s" if numerator != 1 else "")
    fraction = f"{number_words(numerator)} {name}"
    return f" {_number(whole)} and {fraction} " if whole else f" {fraction} "


def _padded(match: re.Match[str], words: str) -> str:
    """``words`` with a space only where it would otherwise touch a letter: "ninety-degree"."""
    text, start, end = match.string, match.start(), match.end()
    left = " " if start and text[start - 1].isalnum() else ""
    right = " " if end < len(text) and text[end].isalnum() else ""
    return f"{left}{words}{right}"


def _per_or_or(match: re.Match[str]) -> str:
    left, right = match.group(1), match.group(2)
    key = right.lower()
    if key in _PER_ABBREVIATIONS or key.rstrip("s") in _PER_ABBREVIATIONS:
        return f"{left} per {_PER_ABBREVIATIONS.get(key) or _PER_ABBREVIATIONS[key.rstrip('s')]}"
    # "s/rep" is per rep, but "sets/reps" is one or the other.
    joiner = "per" if key.rstrip("s") in _PER_WORDS or key in ("rep", "set") else "or"
    return f"{left} {joiner} {right}"


_RULES: tuple[tuple[re.Pattern[str], str | Callable[[re.Match[str]], str]], ...] = (
    (re.compile(r"https?://\S+|www\.\S+", re.IGNORECASE), " "),
    (re.compile(r"(?<=[0-9])\s*[×✕]\s*(?=[0-9])"), "x"),
    (
        re.compile(r"(?<![0-9,])[0-9]{1,3}(?:,[0-9]{3})+(?![0-9]|,[0-9])"),
        lambda m: m.group(0).replace(",", ""),
    ),
    (re.compile(r"#\s?(?=[0-9])"), " number "),
    (re.compile(r"(?<=[0-9])\s*\+\s*(?=[0-9])"), " plus "),
    (re.compile(r"(?<=[0-9])\+"), " plus "),
    (re.compile(r"[~≈]\s*(?=[0-9])"), " about "),
    (re.compile(r"(?:≤|<=?)\s*(?=[0-9])"), " under "),
    (re.compile(r"(?:≥|>=?)\s*(?=[0-9])"), " over "),
    (re.compile(r"(?:^|(?<=\s))\.(?=[0-9])"), " point "),
    # 7:30am before durations like 1:30.
    (
        re.compile(_START + r"([0-9]{1,2}):([0-5][0-9])\s*([ap])\.?m\b\.?", re.IGNORECASE),
        _time_of_day,
    ),
    (re.compile(_START + r"([0-9]{1,2}):([0-5][0-9]):([0-5][0-9])(?![0-9:])"), _clock),
    (re.compile(_START + r"()([0-9]{1,3}):([0-5][0-9])(?![0-9:])"), _clock),
    (re.compile(r"(?<![\w.:])[0-9]+(?::[0-9]+)+(?![0-9:])"), _ratio),
    (
        re.compile(
            _START + r"([0-9]+)\s*[xX]\s*([0-9]+(?:\.[0-9]+)?)"
            r"(\s*(?:" + "|".join(_DISTANCE) + r"|s|sec|secs|min|mins|seconds|minutes)"
            r"(?![A-Za-z]))?"
        ),
        _sets,
    ),
    (re.compile(r"(?<![\w.])[xX]\s?([0-9]+)(?![\w.])"), r" times \1 "),
    (re.compile(_START + r"([0-9]+)[xX](?![\w])"), r" \1 times "),
    # Fractions: NFKC turns ½ into 1⁄2 (with U+2044 FRACTION SLASH).
    (re.compile(r"(?<![0-9])(?:([0-9]+) )?([0-9]+)⁄([0-9]+)"), _fraction),
    (re.compile(_START + r"([0-9]+)\s*/\s*([0-9]+)(?![0-9])"), r" \1 of \2 "),
    (re.compile(r"([0-9]|\b[A-Za-z]+)\s*/\s*([A-Za-z]+)\b"), _per_or_or),
    (
        re.compile(r"(?<![\w.-])" + _NUM + r"(?:-" + _NUM + r"){2,}(?![\w-])"),
        lambda m: " " + ", ".join(m.group(0).split("-")) + " ",
    ),
    (
        re.compile(_START + r"(" + _NUM + r")\s*(?:-|–|—|to)\s*(" + _NUM + r")(?![0-9])"),
        r" \1 to \2 ",
    ),
    (re.compile(r"(?:(?<=^)|(?<=[\s(\[]))[-−](?=[0-9])"), " minus "),
    (
        re.compile(
            _START + r"(?=[0-9]+(?:\.[0-9]+)?(?:h|m)[0-9])((?:[0-9]+(?:\.[0-9]+)?(?:ms|h|m|s))+)"
            r"(?![\w])"
        ),
        _compound_time,
    ),
    (
        re.compile(
            _START + r"(" + _NUM + r")\s*(" + _UNIT_ALTERNATION + r")(?![A-Za-z0-9])",
            re.IGNORECASE,
        ),
        _unit,
    ),
    (
        re.compile(_START + r"([0-9]+)(st|nd|rd|th)\b", re.IGNORECASE),
        lambda m: f" {ordinal_words(int(m.group(1)))} ",
    ),
    (re.compile(r"\s*&\s*"), " and "),
    (re.compile(r"(?<=\w)\s*@\s*(?=\w)"), " at "),
    (re.compile(r"[0-9]+(?:\.[0-9]+)?"), lambda m: _padded(m, _number(m.group(0)))),
)


def _read_english(text: str) -> str:
    for pattern, replacement in _RULES:
        text = pattern.sub(replacement, text)
    return text


# --- cleaning ------------------------------------------------------------------------------------

_MARKUP = re.compile(r"<\s*/?\s*[A-Za-z!?][^<>]{0,500}>")
#: Terminal colour and cursor codes pasted from a console ("\x1b[31m"): else "[31m" reads as
#: "thirty-one meters" once the escape character itself is dropped.
#: ANSI escape sequences (colours, cursor moves) pasted in from a terminal.
TERMINAL_CODES = re.compile(r"\x1b\[[0-?]*[ -/]*[@-~]|\x1b[@-_]?")
_WHITESPACE = re.compile(r"\s+")
_SPACE_BEFORE_PUNCT = re.compile(r"\s+([,.;:!?…)])")
_SPACE_AFTER_OPEN = re.compile(r"([(])\s+")
_REPEATED_PUNCT = re.compile(r"([,.;:!?])(?:\s*[,.;:!?])+")
_EMPTY_PARENS = re.compile(r"\(\s*[,.;:]*\s*\)")
# Stripped with str methods: a regex anchored at the end rescans long runs from every start.
_LEADING = " ,.;:!?)-–—"
_TRAILING = " ,;:(-–—"
_DASH = re.compile(r"\s*[—–]\s*|\s-\s")
_SENTENCE_END = re.compile(r"[.!?…](?=\s)")
_VULGAR_FRACTIONS = re.compile("[\u00bc-\u00be\u2150-\u215e]")
_VARIATION_SELECTORS = re.compile("[\ufe00-\ufe0f\U000e0100-\U000e01ef\u20e3]")


def _strip_characters(text: str, *, english: bool) -> str:
    """Keep letters, digits, marks on them and speakable punctuation; everything else is a gap."""
    out: list[str] = []
    previous_kept = ""
    for ch in _VARIATION_SELECTORS.sub("", text):
        category = unicodedata.category(ch)
        major = category[0]
        keep = (
            major in "LN"
            or (major == "M" and previous_kept[:1] in ("L", "N", "M"))
            or (major == "P" and ch not in _DROP_PUNCTUATION)
            or (not english and ch in _KEEP_SYMBOLS_NON_ENGLISH)
        )
        if keep:
            out.append(ch)
        elif category in _SPACE_CATEGORIES or major in "SPZ":
            out.append(" ")
            category = "Zs"
        else:  # format, private-use, unassigned, surrogate, orphan marks
            continue
        previous_kept = category
    return "".join(out)


def _merge_punctuation(match: re.Match[str]) -> str:
    run = match.group(0)
    # A sentence end wins over a comma next to it; otherwise keep the first mark.
    for mark in "?!.":
        if mark in run:
            return mark
    return match.group(1)


def _dash_pause(match: re.Match[str]) -> str:
    """A dash between words is a pause; between numbers it may be a range, so it stays."""
    text, start, end = match.string, match.start(), match.end()
    between_digits = (
        start > 0 and text[start - 1].isdigit() and end < len(text) and text[end].isdigit()
    )
    return match.group(0) if between_digits else ", "


def _tidy_once(text: str) -> str:
    # Whitespace first: the patterns below then never meet a run of it, which keeps them linear.
    text = _WHITESPACE.sub(" ", text)
    text = _EMPTY_PARENS.sub(" ", text)
    text = _DASH.sub(_dash_pause, text)
    text = _WHITESPACE.sub(" ", text)
    text = _SPACE_BEFORE_PUNCT.sub(r"\1", text)
    text = _SPACE_AFTER_OPEN.sub(r"\1", text)
    text = _REPEATED_PUNCT.sub(_merge_punctuation, text)
    return text.lstrip(_LEADING).rstrip(_TRAILING)


def _tidy(text: str) -> str:
    """Whitespace and punctuation fixes, repeated until stable (one fix can enable another)."""
    for _ in range(5):
        tidier = _tidy_once(text)
        if tidier == text:
            break
        text = tidier
    return text


def _cap(text: str) -> str:
    if len(text) <= MAX_CHARS:
        return text
    head = text[: MAX_CHARS + 1]
    ends = [m.end() for m in _SENTENCE_END.finditer(head)]
    if ends and ends[-1] > MAX_CHARS // 2:
        return head[: ends[-1]].rstrip()
    cut = head.rfind(" ")
    return head[: cut if cut > MAX_CHARS // 2 else MAX_CHARS].rstrip(_TRAILING)


def _is_english(lang: str) -> bool:
    return lang.strip().lower().replace("_", "-").split("-")[0] in ("", "en")


def speakable(text: str, *, lang: str = "en") -> str:
    """Text an engine can say naturally: no markup, symbols or emoji; numbers and units in words.

    Never raises. Returns ``""`` when nothing speakable is left, so the caller can skip the phrase.
    Running it twice changes nothing, so callers need not track whether text is already clean.
    """
    if not isinstance(text, str):
        text = str(text)
    # Bound the work first: every later step is linear, but there is no point cleaning megabytes.
    text = text[: MAX_CHARS * 2]
    text = text.encode("utf-8", "ignore").decode("utf-8")  # drops lone surrogates
    text = html.unescape(text)
    # Before NFKC turns "1½" into "11⁄2" (eleven halves).
    text = _VULGAR_FRACTIONS.sub(lambda m: " " + m.group(0), text)
    text = unicodedata.normalize("NFKC", text)
    text = _MARKUP.sub(" ", text)
    text = TERMINAL_CODES.sub(" ", text)
    # One space for any run of whitespace, so no rule below ever scans a long run of it.
    text = _WHITESPACE.sub(" ", text)
    english = _is_english(lang)
    if english:
        text = _read_english(text)
    text = _tidy(_strip_characters(text, english=english))
    if not any(ch.isalnum() for ch in text):
        return ""
    return _cap(text)
