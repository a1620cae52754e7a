"""Durations as people write them (``30s``, ``1m30s``, ``2m``, ``90``) and as they are spoken.

Everything inside audiocoach counts whole milliseconds; this module is the border crossing.
"""

from __future__ import annotations

import math
import re

from audiocoach.errors import shown

_UNIT_MS = {"h": 3_600_000, "m": 60_000, "s": 1000, "ms": 1}
_PART = re.compile(r"(\d+(?:\.\d+)?)(ms|h|m|s)")
_WHOLE = re.compile(r"(?:\d+(?:\.\d+)?(?:ms|h|m|s))+")

#: The accepted forms, quoted in every error so the fix is obvious.
DURATION_FORMS = "a duration like 30s, 1m30s, 2m, 1.5s or a number of seconds"

#: No single duration in a routine may exceed this (a whole routine is capped separately): a
#: bound on what a typo can ask for (``300h``), said in the README's Durations section.
MAX_DURATION_MS = 4 * 3_600_000
_MAX_SHOWN = "4h"


class TooLong(ValueError):
    """A duration over ``MAX_DURATION_MS``; a field with a tighter limit says its own."""


#: ``1:30`` (minutes:seconds) or ``1:30:00`` (hours:minutes:seconds), as a clock writes a time.
_CLOCK = re.compile(r"\s*(?:([0-9]{1,3}):)?([0-9]{1,4}):([0-5][0-9])\s*")


#: Units written as words, and the letter that means them here.
_UNIT_WORDS = {
    **dict.fromkeys(("sec", "secs", "second", "seconds"), "s"),
    **dict.fromkeys(("min", "mins", "minute", "minutes"), "m"),
    **dict.fromkeys(("hr", "hrs", "hour", "hours"), "h"),
    **dict.fromkeys(("msec", "msecs", "millisecond", "milliseconds"), "ms"),
}
_WORDY = re.compile(r"(\d+(?:\.\d+)?)\s*([a-z]+)\s*", re.IGNORECASE)


def duration_hint(text: str) -> str | None:
    """What to write for a time written another way; else None.

    ``1:30`` -> ``for 1:30 as minutes:seconds write 1m30s`` (a colon is kept for breath
    patterns, ``4:6``); ``30 secs`` or ``1 min 30 sec`` -> ``write 30s``, ``write 1m30s``. The
    same hint for a routine file, a program day and every flag.
    """
    if not isinstance(text, str) or len(text) > 40:  # no duration is longer; hostile ones are
        return None
    text = text.strip()
    parts = _WORDY.findall(text)
    if parts and _WORDY.sub("", text) == "":
        units = [_UNIT_WORDS.get(unit.lower()) for _, unit in parts]
        if all(units):
            written = "".join(
                f"{number}{unit}" for (number, _), unit in zip(parts, units, strict=True)
            )
            return f"write {written}"
        return None
    match = _CLOCK.fullmatch(text)
    if match is None:
        return None
    hours, minutes, seconds = (int(part) if part else 0 for part in match.groups())
    units = ((hours, "h"), (minutes, "m"), (seconds, "s"))
    written = "".join(f"{n}{unit}" for n, unit in units if n) or "0s"
    form = "hours:minutes:seconds" if match.group(1) else "minutes:seconds"
    return f"for {text.strip()} as {form} write {written}"


def parse_duration(value: object) -> int:
    """Parse a duration to whole ms; raise ``ValueError`` with a message naming the right form
    (``TooLong`` past ``MAX_DURATION_MS``)."""
    if isinstance(value, bool) or value is None:
        raise ValueError(f"expected {DURATION_FORMS}, got {shown(value)}")
    if isinstance(value, int | float):
        if not math.isfinite(value):
            raise ValueError(f"expected {DURATION_FORMS}, got {shown(value)}")
        if value < 0:
            raise ValueError(f"a duration cannot be negative (got {shown(value)})")
        if value > MAX_DURATION_MS / 1000:
            raise TooLong(
                f"{shown(value)} seconds is too long; no one duration may be over {_MAX_SHOWN}"
            )
        return round(value * 1000)
    if isinstance(value, str):
        text = value.strip().lower().replace(" ", "")
        if re.fullmatch(r"\d+(?:\.\d+)?", text):
            return parse_duration(float(text))
        if len(text) <= 40 and _WHOLE.fullmatch(text):
            ms = 0.0
            for number, unit in _PART.findall(text):
                ms += float(number) * _UNIT_MS[unit]
            if ms > MAX_DURATION_MS:
                raise TooLong(
                    f"{shown(value)} is too long; no one duration may be over {_MAX_SHOWN}"
                )
            return round(ms)
        hint = duration_hint(value)
        raise ValueError(
            f"expected {DURATION_FORMS}, got {shown(value)}" + (f"; {hint}" if hint else "")
        )
    raise ValueError(f"expected {DURATION_FORMS}, got {type(value).__name__}")


def whole_seconds(ms: int) -> int:
    """``ms`` to the nearest second, halves up: the one rounding rule for every length shown.

    ``plan``'s total, its table, ``validate``'s summary, the playlist's ``#EXTINF`` and the spoken
    lengths all round through here, so one track never shows two different lengths (Python's
    ``round`` rounds halves to even: 1.5 s and 2.5 s would both show as 2 s).
    """
    return (ms + 500) // 1000 if ms >= 0 else -((-ms + 500) // 1000)


def format_duration(ms: int, *, exact: bool = True) -> str:
    """Compact form for tables and messages: ``1m30s``, ``45s``, ``1.5s``, ``2h05m``.

    ``exact`` keeps a fraction of a second under a minute (a tempo of ``1.5s``, a value the user
    wrote); ``exact=False`` is for lengths of tracks and parts, shown in whole seconds.
    """
    if ms < 0:
        return "-" + format_duration(-ms, exact=exact)
    if exact and ms % 1000 and ms < 60_000:
        return f"{ms / 1000:g}s"
    seconds = whole_seconds(ms)
    hours, rest = divmod(seconds, 3600)
    minutes, secs = divmod(rest, 60)
    if hours:
        return f"{hours}h{minutes:02d}m"
    if minutes:
        return f"{minutes}m{secs:02d}s" if secs else f"{minutes}m"
    return f"{secs}s"


def timestamp(ms: int) -> str:
    """``hh:mm:ss.mmm``, as WebVTT cues and Vorbis chapter comments write a time."""
    hours, rest = divmod(max(ms, 0), 3_600_000)
    minutes, rest = divmod(rest, 60_000)
    seconds, millis = divmod(rest, 1000)
    return f"{hours:02d}:{minutes:02d}:{seconds:02d}.{millis:03d}"


def clock(ms: int) -> str:
    """``m:ss`` (or ``h:mm:ss``) for the plan table, to the nearest second (``whole_seconds``)."""
    seconds = whole_seconds(ms)
    hours, rest = divmod(seconds, 3600)
    minutes, secs = divmod(rest, 60)
    if hours:
        return f"{hours}:{minutes:02d}:{secs:02d}"
    return f"{minutes}:{secs:02d}"


def spoken_duration(ms: int) -> str:
    """How a coach says a length: "30 seconds", "1 minute 30 seconds", "12 minutes".

    Lengths over ten minutes are rounded to whole minutes (nobody needs "23 minutes 41 seconds").
    """
    seconds = whole_seconds(ms)
    if seconds < 60:
        return f"{seconds} second" + ("" if seconds == 1 else "s")
    if seconds >= 600:
        minutes = (seconds + 30) // 60
        hours, minutes = divmod(minutes, 60)
        if hours:
            h = f"{hours} hour" + ("" if hours == 1 else "s")
            return f"{h} {minutes} minutes" if minutes else h
        return f"{minutes} minutes"
    minutes, secs = divmod(seconds, 60)
    m = f"{minutes} minute" + ("" if minutes == 1 else "s")
    return f"{m} {secs} seconds" if secs else m
