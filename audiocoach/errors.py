"""Errors the library raises; the CLI is the one place that turns them into messages and exits.

``InputError`` (exit status 2) carries every problem found in the user's files at once, each with
its place, so a runner fixes their routine in one pass. ``AudiocoachError`` (exit status 1) is for
the environment: a missing engine, an unwritable folder, ffmpeg failing.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Issue:
    """One problem in an input file, located as precisely as the file allows.

    ``path`` and ``message`` are kept to one line, however hostile the file: a line break or other
    control character in a key or value is shown escaped (``\\n``), and a quoted value longer
    than a line is cut short, so one issue is always one line of output.
    """

    file: str
    line: int
    col: int
    path: str
    message: str

    def __post_init__(self) -> None:
        object.__setattr__(self, "path", _one_line(self.path))
        object.__setattr__(self, "message", _LONG_QUOTE.sub(_cut, _one_line(self.message)))

    def __str__(self) -> str:
        where = f"{self.file}:{self.line}:{self.col}"
        return f"{where}: {self.path}: {self.message}" if self.path else f"{where}: {self.message}"


#: A quoted value (as ``repr`` writes one) of more than 100 characters. A quote opens after a
#: non-letter and closes before one, so the text between two quoted values ('a' ... 'b') or an
#: apostrophe (day's) is never taken for one.
_LONG_QUOTE = re.compile(r"(?<!\w)(?:'[^'\n]{100,}?'|\"[^\"\n]{100,}?\")(?!\w)")


def _one_line(text: str) -> str:
    if text.isprintable():
        return text
    return "".join(
        repr(c)[1:-1] if unicodedata.category(c) in ("Cc", "Zl", "Zp") else c for c in text
    )


def _cut(match: re.Match[str]) -> str:
    quoted = match.group(0)
    return f"{quoted[:60]}...{quoted[0]}"


def shown(value: object, limit: int = 60) -> str:
    """``repr(value)`` for a message, cut short: a hostile file's list or number can be huge.

    Quoted strings are also cut when an ``Issue`` is made, but a list or mapping's ``repr`` is not
    one quoted string, so values are shown through this where they are put into a message.
    """
    text = repr(value)
    return text if len(text) <= limit else text[: limit - 3] + "..."


class AudiocoachError(Exception):
    """A failure of the environment or of a run (exit status 1)."""

    exit_code = 1


class InputError(AudiocoachError):
    """The user's input is wrong (exit status 2); ``issues`` lists every problem found."""

    exit_code = 2

    def __init__(self, issues: list[Issue] | tuple[Issue, ...] | str) -> None:
        if isinstance(issues, str):
            self.issues: tuple[Issue, ...] = ()
            self.text = issues
        else:
            self.issues = tuple(issues)
            self.text = "\n".join(str(i) for i in self.issues)
        super().__init__(self.text)
