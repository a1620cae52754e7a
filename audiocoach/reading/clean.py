"""Cleaning any text for an engine, in every language: markup, control codes, symbols, spacing.

Routine text is typed by people: emoji, pasted markup, terminal colour codes, runs of punctuation.
Engines read those badly (gTTS may spell out markup) and some characters make them fail outright.
Nothing here knows a word of any language; the reading rules (``core`` and one module per language)
run between ``prepare`` and ``finish``.
"""

from __future__ import annotations

import html
import re
import unicodedata

__all__ = ["MAX_CHARS", "TERMINAL_CODES", "finish", "prepare", "settle"]

#: Longest text returned. Routine fields are capped well below this; it only keeps pathological
#: input from tying up an engine for minutes. Longer text is cut at a sentence boundary.
MAX_CHARS = 4000

#: Tags are ASCII (HTML, SSML); "< 5 min" is not one.
_MARKUP = re.compile(r"<\s*/?\s*[A-Za-z!?][^<>]{0,500}>")
#: ANSI escape sequences (colours, cursor moves) pasted in from a terminal: else "[31m" reads as
#: "thirty-one meters" once the escape character itself is dropped.
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
_SPACE_CATEGORIES = {"Zs", "Zl", "Zp", "Cc"}
#: Format characters (zero-width space, bidi marks) and unassigned code points.
_INVISIBLE = {"Cf", "Cn"}
_DROP_PUNCTUATION = set("*#_~`|\\^@/<>[]{}")
#: Symbols an engine reads in its own language; kept where no reading rule turned them into words.
_SPEAKABLE_SYMBOLS = set("%°+&")


def prepare(text: object) -> str:
    """Bounded, decoded, normalised text with markup and terminal codes gone; spaces collapsed.

    Vulgar fractions get a space before them so NFKC's "1½" -> "11⁄2" stays "1 1⁄2" (one and a
    half, not eleven halves).
    """
    if not isinstance(text, str):
        text = str(text)
    # Bound the work first: every later step is linear, but there is no point cleaning megabytes.
    text = text[: MAX_CHARS * 2]
    text = text.encode("utf-8", "ignore").decode("utf-8")  # drops lone surrogates
    text = html.unescape(text)
    if not text.isascii():
        # Invisible and unassigned characters go now, not only in ``finish``: a rule must see the
        # text the way a second reading of its result will ("0\u200b0A" is "00A" both times).
        text = "".join(c for c in text if unicodedata.category(c) not in _INVISIBLE)
    text = _VULGAR_FRACTIONS.sub(lambda m: " " + m.group(0), text)
    text = unicodedata.normalize("NFKC", text)
    text = _MARKUP.sub(" ", text)
    text = TERMINAL_CODES.sub(" ", text)
    # One space for any run of whitespace, so no rule after this ever scans a long run of it.
    return _WHITESPACE.sub(" ", text)


def settle(text: str, *, keep_symbols: bool) -> str:
    """``text`` as ``finish`` will leave it, before a reading: characters it drops gone, spacing
    and punctuation tidied, private-use characters (a reading's hidden marks) kept.

    A reading that leaves digits for the engine runs its rules on this, so a second reading of
    its result finds each number in the same company as the first did ("0 :30" and "0:30").
    """
    return _tidy(_strip_characters(text, keep_symbols=keep_symbols, keep_private=True))


def finish(text: str, *, keep_symbols: bool) -> str:
    """Only speakable characters, tidy spacing and punctuation, at most ``MAX_CHARS``; or ``""``.

    ``keep_symbols`` keeps % ° + & for a language whose rules did not turn them into words.
    """
    text = _tidy(_strip_characters(text, keep_symbols=keep_symbols))
    if not any(ch.isalnum() for ch in text):
        return ""
    return _cap(text)


def _strip_characters(text: str, *, keep_symbols: bool, keep_private: bool = False) -> str:
    """Keep letters, digits, marks on them and speakable punctuation; everything else is a gap.

    ``keep_symbols`` also keeps a slash with a number on one side and a word or number on the
    other ("1/2", "10/lato"): what no rule read is left whole for the engine, not cut in two.
    """
    out: list[str] = []
    previous_kept = ""
    text = _VARIATION_SELECTORS.sub("", text)
    for i, ch in enumerate(text):
        category = unicodedata.category(ch)
        major = category[0]
        keep = (
            major in "LN"
            or (major == "M" and previous_kept[:1] in ("L", "N", "M"))
            or (major == "P" and ch not in _DROP_PUNCTUATION)
            or (keep_symbols and ch in _SPEAKABLE_SYMBOLS)
            or (keep_symbols and ch == "/" and _joins_a_number(text, i))
            or (keep_private and category == "Co")
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


def _joins_a_number(text: str, i: int) -> bool:
    """Whether the slash at ``text[i]`` has a number on one side and a word or number on the
    other ("1/2", "10/lato"): one ``finish`` keeps for the engine."""
    before = text[i - 1] if i else ""
    after = text[i + 1] if i + 1 < len(text) else ""
    return before.isalnum() and after.isalnum() and (before.isdigit() or after.isdigit())


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
