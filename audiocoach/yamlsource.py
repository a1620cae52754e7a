"""Safe YAML loading that remembers where every value came from, and how it was written.

Validation messages must say ``file:line:col``, so loading keeps a map from each value's key path
(``("sections", 0, "blocks", 2, "reps")``) to its position. Files are hand-written and sometimes
hostile, so loading is bounded before PyYAML's recursive composer or an alias expansion can run
away: size, nesting depth and the number of values are capped and each breach is one clear message.

**Bare words and numbers are read as a person reads them, here, once.** PyYAML reads YAML 1.1,
which changes what a runner typed: ``reps: 010`` is octal 8, ``reps: 0x0A`` is 10, ``title: On``
is ``True``, ``1:30`` is the base-60 number 90. Fixing that field by field would miss the next
field (and every field other modules add); the loader is the one place that sees every scalar
with its text and quoting, so it decides, and keeps the text for the model and the messages:

* plain decimal digits are a decimal number, leading zeros and ``_`` digit groups included
  (``010`` is ten, ``1_000`` a thousand); a plain number remembers its text (``WrittenInt``,
  ``WrittenFloat``), so a text field takes ``exercise: 1.10`` or ``title: 2024`` as written;
* hexadecimal, octal and binary literals (``0x0A``, ``0o12``, ``0b1010``) and base-60 ``1:30``
  stay text: no field reads them as a number, so a number field refuses them with their line
  and what to write instead (``0x0A is hexadecimal: write numbers in decimal, like 10``), and a
  breath pattern reads ``4:6`` as in:out;
* YAML's booleans and nulls (``yes``, ``no``, ``on``, ``off``, ``true``, ``false``, ``null``,
  ``~``) stay what YAML says, since ``alternate: yes`` and ``steps: off`` mean just that;
  ``Source.scalars`` keeps how each was written, so where text is expected the message can say
  that YAML read the bare word ``No`` as false and show the quoted form (``exercise: "No"``).
  Refusing rather than quietly taking the word keeps a file meaning the same to every YAML tool
  (an editor, a linter, a converter);
* keys are names, so a plain key is its text whatever it looks like (``on:`` is the key 'on').

Booleans and null cannot carry their text (Python cannot subclass them), which is why the text
lives beside the data in ``Source.scalars`` rather than on the value.
"""

from __future__ import annotations

import math
import os
import re
import sys
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from audiocoach.errors import InputError, Issue

Key = str | int
KeyPath = tuple[Key, ...]


class WrittenInt(int):
    """An int read from a plain YAML scalar, remembering the text it was written as (``010``)."""

    text: str

    def __new__(cls, value: int, text: str) -> WrittenInt:
        self = super().__new__(cls, value)
        self.text = text
        return self

    def __reduce__(self) -> tuple[Any, ...]:
        return (WrittenInt, (int(self), self.text))


class WrittenFloat(float):
    """A float read from a plain YAML scalar, remembering its text (``1.10``, not ``1.1``)."""

    text: str

    def __new__(cls, value: float, text: str) -> WrittenFloat:
        self = super().__new__(cls, value)
        self.text = text
        return self

    def __reduce__(self) -> tuple[Any, ...]:
        return (WrittenFloat, (float(self), self.text))


def as_written(value: object) -> str:
    """The text a scalar was written as: a number's own text (``1.10``), else ``str(value)``."""
    text = getattr(value, "text", None)
    return text if isinstance(text, str) else str(value)


@dataclass(frozen=True, slots=True)
class Scalar:
    """How one scalar was written: its text, and its quoting (``None`` for a bare word)."""

    text: str
    style: str | None

    @property
    def plain(self) -> bool:
        return self.style is None


MAX_BYTES = 1024 * 1024
MAX_DEPTH = 40
MAX_VALUES = 100_000
#: Longer number literals are refused before Python turns them into (huge) ints.
MAX_NUMBER_CHARS = 40

#: libyaml's parser when PyYAML was built with it: the pure-Python one takes tens of seconds on a
#: hostile 1 MB file (a flow list of half a million items); libyaml takes a fraction of a second.
_LOADER: Any = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
_MERGE_TAG = "tag:yaml.org,2002:merge"


@dataclass(frozen=True)
class Source:
    """A loaded document: plain Python data plus where each part of it stands in the file."""

    file: str
    data: Any
    values: Mapping[KeyPath, tuple[int, int]] = field(default_factory=dict)
    keys: Mapping[KeyPath, tuple[int, int]] = field(default_factory=dict)
    scalars: Mapping[KeyPath, Scalar] = field(default_factory=dict)

    def locate(self, path: KeyPath, *, key: bool = False) -> tuple[int, int]:
        """Line and column (1-based) of ``path``, or of its nearest ancestor that exists.

        ``key=True`` points at the key itself (for "unknown key" messages) rather than its value.
        """
        if key and path in self.keys:
            return self.keys[path]
        probe = path
        while probe:
            if probe in self.values:
                return self.values[probe]
            probe = probe[:-1]
        return self.values.get((), (1, 1))

    def issue(self, path: KeyPath, message: str, *, key: bool = False) -> Issue:
        line, col = self.locate(path, key=key)
        return Issue(self.file, line, col, dotted(path), message)


def dotted(path: KeyPath) -> str:
    """``sections[0].blocks[2].reps``: the path as it reads in a message."""
    out = ""
    for part in path:
        if isinstance(part, int):
            out += f"[{part}]"
        else:
            out += ("." if out else "") + part
    return out


def read_source(path: Path | str, *, what: str = "routine") -> Source:
    """Read and parse ``path``; raise ``InputError`` with located issues for anything unusable."""
    path = Path(path)
    name = str(path)
    try:
        # Never more than the limit and a byte: a 3 GB (or sparse, or endless, like /dev/zero)
        # file must be refused at once, not read into memory first.
        with open(path, "rb") as f:
            raw = f.read(MAX_BYTES + 1)
            size = max(os.fstat(f.fileno()).st_size, len(raw))
    except FileNotFoundError:
        raise InputError(
            [Issue(name, 1, 1, "", f"no such file; check the path to the {what}")]
        ) from None
    except IsADirectoryError:
        raise InputError(
            [Issue(name, 1, 1, "", f"this is a folder; give a {what} file (.yaml)")]
        ) from None
    except OSError as exc:
        raise InputError([Issue(name, 1, 1, "", f"cannot read: {exc.strerror}")]) from None
    if len(raw) > MAX_BYTES:
        shown = f"{size / 1e6:.1f} MB" if size > len(raw) else "more than 1 MB"
        raise InputError(
            [Issue(name, 1, 1, "", f"file is {shown}; a {what} file may be at most 1 MB")]
        )
    return parse_source(raw, name, what=what)


def parse_source(raw: bytes, name: str, *, what: str = "routine") -> Source:
    """Parse bytes already read (split out so tests and fuzzers need no files)."""

    def fail(message: str, line: int = 1, col: int = 1) -> InputError:
        return InputError([Issue(name, line, col, "", message)])

    if len(raw) > MAX_BYTES:
        raise fail(f"file is {len(raw) / 1e6:.1f} MB; a {what} file may be at most 1 MB")
    if raw.startswith(b"\xef\xbb\xbf"):
        raw = raw[3:]
    nul = raw.find(b"\x00")
    if nul >= 0:
        line, col = _line_col(raw, nul)
        raise fail("this is not a text file (found a NUL byte); give a YAML text file", line, col)
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        line, col = _line_col(raw, exc.start)
        raise fail(
            f"not UTF-8 text (byte 0x{raw[exc.start]:02X}); save the file as UTF-8", line, col
        ) from None
    text = _detab(text)
    if not text.strip() or all(
        not ln.strip() or ln.lstrip().startswith("#") for ln in text.splitlines()
    ):
        raise fail(f"file is empty; a {what} needs at least a title")
    _check_depth(text, name)
    try:
        node = yaml.compose(text, Loader=_LOADER)
    except yaml.MarkedYAMLError as exc:
        line, col, problem = _syntax_error(text, exc)
        raise fail(f"YAML syntax error: {problem}", line, col) from None
    except yaml.reader.ReaderError as exc:
        # libyaml counts bytes, PyYAML characters: find the character itself
        pos = text.find(chr(exc.character)) if isinstance(exc.character, int) else -1
        pos = max(pos, 0)
        line = text.count("\n", 0, pos) + 1
        col = pos - (text.rfind("\n", 0, pos) + 1) + 1
        char = f"U+{exc.character:04X}" if isinstance(exc.character, int) else "a character"
        raise fail(
            f"{char} is a control character, not allowed in YAML text; remove it", line, col
        ) from None
    except yaml.YAMLError as exc:
        raise fail(f"YAML error: {exc}") from None
    except RecursionError:
        raise fail(f"nesting is too deep; a {what} is at most {MAX_DEPTH} levels deep") from None
    if node is None:
        raise fail(f"file is empty; a {what} needs at least a title")
    return _Builder(name).build(node)


#: What a parser's context names, and what closes it: "while parsing a flow sequence" is a
#: ``[`` list that has not been closed when the parser gave up.
_OPENERS = {
    "while parsing a flow sequence": ("the list [", "close it with ]"),
    "while parsing a flow mapping": ("the mapping {", "close it with }"),
    "while scanning a quoted scalar": ("the quoted text", "end it with the same quote mark"),
}


def _syntax_error(text: str, exc: yaml.MarkedYAMLError) -> tuple[int, int, str]:
    """Line, column and words for a syntax error, placed where a person would fix it.

    A parser that runs off the end of the file reports the position after the last line (one
    line past a file that ends with a newline, or past trailing comments): that line does not
    exist in the reader's editor, so the error is placed at the end of the last line with
    content, and says what is still open there and where it was opened.
    """
    mark = exc.problem_mark or exc.context_mark
    line, col = (mark.line + 1, mark.column + 1) if mark else (1, 1)
    problem = exc.problem or exc.context or "cannot parse"
    if _tab_indented(text, line):
        return line, col, "a tab indents this line; YAML indents with spaces only"
    opener = _OPENERS.get(exc.context or "")
    opened = exc.context_mark
    where = f"line {opened.line + 1}, column {opened.column + 1}" if opened else ""
    if mark is not None and _only_blank_after(text, mark.line, mark.column):
        line, col = _end_of_content(text)
        if opener and where:
            name, fix = opener
            problem = f"{problem}: the file ends inside {name} that opens at {where}; {fix}"
        else:
            problem = f"{problem} (at the end of the file)"
    elif opener and where and opened is not None and opened.line + 1 != line:
        problem = f"{problem} (in {opener[0]} that opens at {where})"
    return line, col, problem


def _only_blank_after(text: str, line: int, column: int) -> bool:
    """Whether nothing but blanks and comments follows (0-based) ``line``, ``column``."""
    lines = text.split("\n")
    if line >= len(lines):
        return True
    rest = [lines[line][column:], *lines[line + 1 :]]
    return all(not part.strip() or part.strip().startswith("#") for part in rest)


def _end_of_content(text: str) -> tuple[int, int]:
    """Line and column (1-based) just past the last character of the last line with content."""
    lines = text.split("\n")
    for index in range(len(lines) - 1, -1, -1):
        body = lines[index].strip()
        if body and not body.startswith("#"):
            return index + 1, len(lines[index].rstrip()) + 1
    return 1, 1


def _detab(text: str) -> str:
    """Turn tabs after a line's first non-blank character into spaces, one for one.

    PyYAML rejects a tab outside quotes even where YAML allows it (``duration:<TAB>30s``, a
    trailing tab an editor left behind). One space per tab keeps every column where it was. A tab
    in the indentation of a content line stays an error (YAML indents with spaces), said plainly.
    """
    if "\t" not in text:
        return text
    lines = text.split("\n")
    for i, line in enumerate(lines):
        body = line.lstrip(" \t")
        if not body or body.startswith("#"):
            lines[i] = line.replace("\t", " ")
        elif "\t" in body:
            lines[i] = line[: len(line) - len(body)] + body.replace("\t", " ")
    return "\n".join(lines)


def _tab_indented(text: str, line: int) -> bool:
    """Whether (1-based) ``line`` is indented with a tab: the one tab ``_detab`` leaves."""
    lines = text.split("\n")
    if not 1 <= line <= len(lines):
        return False
    current = lines[line - 1]
    return "\t" in current[: len(current) - len(current.lstrip(" \t"))]


def _line_col(raw: bytes, offset: int) -> tuple[int, int]:
    line = raw.count(b"\n", 0, offset) + 1
    col = offset - (raw.rfind(b"\n", 0, offset) + 1) + 1
    return line, col


def _refusal(name: str, mark: yaml.Mark, message: str) -> InputError:
    """The whole file refused at ``mark``: it is too big or too deep to read any further."""
    return InputError([Issue(name, mark.line + 1, mark.column + 1, "", message)])


def _check_depth(text: str, name: str) -> None:
    """Walk parser events (iterative, cheap) so deep nesting never reaches the composer.

    Values are counted too: half a million of them would take seconds to compose, only to be
    refused by the builder's budget afterwards.
    """
    depth = 0
    values = 0
    try:
        for event in yaml.parse(text, Loader=_LOADER):
            if isinstance(event, yaml.NodeEvent) and not isinstance(event, yaml.AliasEvent):
                values += 1
                if values > MAX_VALUES:
                    raise _refusal(
                        name,
                        event.start_mark,
                        f"file holds more than {MAX_VALUES:,} values; a routine needs far fewer",
                    )
            if isinstance(event, yaml.CollectionStartEvent):
                depth += 1
                if depth > MAX_DEPTH:
                    raise _refusal(
                        name,
                        event.start_mark,
                        f"nesting is deeper than {MAX_DEPTH} levels; "
                        "a routine needs only a few (sections > blocks > exercises)",
                    )
            elif isinstance(event, yaml.CollectionEndEvent):
                depth -= 1
    except yaml.YAMLError:
        return  # compose() reports syntax errors with their position


_NUMBER_TAGS = {"tag:yaml.org,2002:int", "tag:yaml.org,2002:float"}
_STR_TAG = "tag:yaml.org,2002:str"
#: Decimal digits, maybe signed, maybe grouped with ``_``: a whole number as a person reads it.
_DECIMAL_INT = re.compile(r"[-+]?[0-9][0-9_]*")
#: Literals in another base: YAML 1.1 reads the first two (and ``0o`` in YAML 1.2) as numbers.
NON_DECIMAL = re.compile(r"[-+]?0(?:[xX][0-9a-fA-F_]+|[bB][01_]+|[oO][0-7_]+)")


_RESOLVER = yaml.resolver.Resolver()


def _implicit(node: yaml.Node) -> bool:
    """Whether ``node`` is a bare scalar typed by its look (not quoted, no ``!!tag`` of its own).

    An explicit tag that agrees with the look (``!!int 10``) counts as implicit: same reading.
    """
    return (
        isinstance(node, yaml.ScalarNode)
        and not node.style  # libyaml says '' for a plain scalar, PyYAML None
        and node.tag == _RESOLVER.resolve(yaml.ScalarNode, node.value, (True, False))
    )


def _ident(node: yaml.Node) -> Any:
    """What makes two keys the same key: their tag and text (or, for odd keys, the node)."""
    return (node.tag, node.value) if isinstance(node, yaml.ScalarNode) else id(node)


class SourceError(InputError):
    """Problems of a file's YAML found while the rest of it could be read: a duplicate key, a
    key that is not text, a value that cannot be read (an overlong number, binary data).

    ``partial`` is the file as read (a duplicate key's first value; nothing for a value that
    cannot be read), so the model's checks can add their problems: every problem at once.
    """

    def __init__(
        self, issues: list[Issue], partial: Source, unread: frozenset[str] = frozenset()
    ) -> None:
        super().__init__(issues)
        self.partial = partial
        #: Dotted paths of the values that could not be read (``None`` in ``partial``): what a
        #: check says of them or of what holds them ("say how long") follows from that.
        self.unread = unread

    def with_checks(self, check: Callable[[Source], object]) -> InputError:
        """These problems and those ``check`` raises (``InputError``) on the file as read.

        This file's problems are put in line order; a check's problem at a value already
        reported (or inside it) is left out, and problems of other files (a program's routines)
        follow in the check's order.
        """
        try:
            check(self.partial)
        except InputError as more:
            said = {i.path for i in self.issues}
            extra = [
                i
                for i in more.issues
                if not (
                    i.file == self.partial.file
                    and (_within(i.path, said) or any(_holds(i.path, u) for u in self.unread))
                )
            ]
        else:
            extra = []
        own = sorted(
            dict.fromkeys([*self.issues, *(i for i in extra if i.file == self.partial.file)]),
            key=lambda i: (i.line, i.col),
        )
        return InputError([*own, *(i for i in extra if i.file != self.partial.file)])


def _holds(outer: str, path: str) -> bool:
    """``outer`` holds ``path`` or is it; the file itself (``""``) holds every path."""
    return outer == "" or path == outer or path.startswith((f"{outer}.", f"{outer}["))


def _within(path: str, said: set[str]) -> bool:
    """``path`` is one of ``said`` or inside one (``blocks[0].reps`` in ``blocks[0]``)."""
    return any(path == p or path.startswith((f"{p}.", f"{p}[")) for p in said if p)


class _Builder:
    """Turns a composed node graph into plain data, recording positions and enforcing budgets."""

    def __init__(self, name: str) -> None:
        self.name = name
        self.values: dict[KeyPath, tuple[int, int]] = {}
        self.keys: dict[KeyPath, tuple[int, int]] = {}
        self.scalars: dict[KeyPath, Scalar] = {}
        self.issues: list[Issue] = []
        self.unread: list[str] = []  # dotted paths of values read as None for a problem
        self.count = 0
        self.constructor = yaml.constructor.SafeConstructor()
        self._resolved: dict[int, dict[Any, tuple[yaml.Node, yaml.Node]]] = {}

    def build(self, node: yaml.Node) -> Source:
        limit = sys.getrecursionlimit()
        try:
            sys.setrecursionlimit(max(limit, MAX_DEPTH * 4 + 200))
            data = self._node(node, ())
        finally:
            sys.setrecursionlimit(limit)
        source = Source(self.name, data, self.values, self.keys, self.scalars)
        if self.issues:
            raise SourceError(self.issues, source, frozenset(self.unread))
        return source

    def _pos(self, node: yaml.Node) -> tuple[int, int]:
        return node.start_mark.line + 1, node.start_mark.column + 1

    def _node(self, node: yaml.Node, path: KeyPath) -> Any:
        self.count += 1
        if self.count > MAX_VALUES:
            raise _refusal(
                self.name,
                node.start_mark,
                f"file expands to more than {MAX_VALUES:,} values "
                "(YAML aliases repeating each other?); a routine needs far fewer",
            )
        if len(path) > MAX_DEPTH:  # only aliases get here: the text itself was checked
            raise _refusal(
                self.name,
                node.start_mark,
                f"YAML aliases nest deeper than {MAX_DEPTH} levels (or refer to "
                "themselves); a routine needs only a few",
            )
        self.values[path] = self._pos(node)
        if isinstance(node, yaml.MappingNode):
            return self._mapping(node, path)
        if isinstance(node, yaml.SequenceNode):
            return [self._node(child, (*path, i)) for i, child in enumerate(node.value)]
        self.scalars[path] = Scalar(str(node.value), node.style or None)
        return self._scalar(node, path)

    def _mapping(self, node: yaml.MappingNode, path: KeyPath) -> dict[str, Any]:
        out: dict[str, Any] = {}
        # keys brought in by "<<: *anchor" first; keys written here override them silently
        for key_node, value_node in self._merged_into(node, 0):
            key = self._key(key_node, path)
            if isinstance(key, str):
                self.keys[(*path, key)] = self._pos(key_node)
                out[key] = self._node(value_node, (*path, key))
        first_seen: dict[str, int] = {}
        for key_node, value_node in node.value:
            if key_node.tag == _MERGE_TAG:
                continue
            key = self._key(key_node, path)
            line, col = self._pos(key_node)
            if not isinstance(key, str):
                shown = key_node.value if isinstance(key_node, yaml.ScalarNode) else "a collection"
                self.issues.append(
                    Issue(self.name, line, col, "", f"key {shown!r} must be a name (text)")
                )
                self.unread.append(dotted(path))  # the mapping lacks this key and its value
                continue
            child = (*path, key)
            if key in first_seen:
                self.issues.append(
                    Issue(
                        self.name,
                        line,
                        col,
                        dotted(child),
                        f"duplicate key {key!r} (first given on line {first_seen[key]}); "
                        "give each key once",
                    )
                )
                continue
            first_seen[key] = line
            self.keys[child] = (line, col)
            out[key] = self._node(value_node, child)
        return out

    def _merged_into(self, node: yaml.MappingNode, depth: int) -> list[tuple[yaml.Node, yaml.Node]]:
        """Pairs that ``<<`` merge keys bring into ``node``, less the keys ``node`` writes itself.

        Of several merged mappings the first wins, as YAML says. Unlike PyYAML's
        ``flatten_mapping`` each merged mapping is resolved once and gives each key once, so
        merges of merges of merges cannot multiply into millions of pairs.
        """
        own = {_ident(k) for k, _ in node.value if k.tag != _MERGE_TAG}
        merged: dict[Any, tuple[yaml.Node, yaml.Node]] = {}
        for key_node, value_node in node.value:
            if key_node.tag != _MERGE_TAG:
                continue
            sources = (
                value_node.value if isinstance(value_node, yaml.SequenceNode) else [value_node]
            )
            for source in sources:
                if not isinstance(source, yaml.MappingNode) or depth >= MAX_DEPTH:
                    line, col = self._pos(source)
                    why = (
                        "merges nest too deep (or refer to themselves)"
                        if isinstance(source, yaml.MappingNode)
                        else "'<<' merges a mapping, like '<<: *defaults', or a list of them"
                    )
                    raise InputError([Issue(self.name, line, col, "", why)])
                for ident, pair in self._effective(source, depth + 1).items():
                    if ident not in own:
                        merged.setdefault(ident, pair)
        return list(merged.values())

    def _effective(
        self, node: yaml.MappingNode, depth: int
    ) -> dict[Any, tuple[yaml.Node, yaml.Node]]:
        """Every key of ``node`` with merges applied (memoised: aliases share nodes)."""
        cached = self._resolved.get(id(node))
        if cached is None:
            cached = {_ident(k): (k, v) for k, v in self._merged_into(node, depth)}
            for key_node, value_node in node.value:
                if key_node.tag != _MERGE_TAG:
                    cached.setdefault(_ident(key_node), (key_node, value_node))
            self._resolved[id(node)] = cached
        return cached

    def _key(self, node: yaml.Node, path: KeyPath) -> Any:
        """A key as written: every key in a routine is a name, so ``on:`` is 'on', ``1:`` '1'."""
        if not isinstance(node, yaml.ScalarNode):
            return None
        if _implicit(node) and node.tag != _STR_TAG:
            return str(node.value)
        return self._scalar(node, path)

    def _scalar(self, node: yaml.Node, path: KeyPath) -> Any:
        text = str(node.value)
        implicit = _implicit(node)
        if implicit and node.tag in _NUMBER_TAGS and (":" in text or NON_DECIMAL.fullmatch(text)):
            # YAML 1.1 reads 4:6 as the base-60 number 246 (a breath pattern here), 010 as
            # octal and 0x0A as hex: kept as written, so nothing reads them as other numbers
            return text
        looks_decimal = implicit and _DECIMAL_INT.fullmatch(text) is not None
        if (node.tag in _NUMBER_TAGS or looks_decimal) and len(text) > MAX_NUMBER_CHARS:
            line, col = self._pos(node)
            self.issues.append(
                Issue(
                    self.name,
                    line,
                    col,
                    dotted(path),
                    f"this number is {len(text):,} characters long; no value in a "
                    f"routine needs more than {MAX_NUMBER_CHARS} (quote it if it is text)",
                )
            )
            self.unread.append(dotted(path))
            return None
        if looks_decimal:
            # 010 is ten, as a person reads it (YAML 1.1 says octal 8); 09 is nine (YAML 1.1: text)
            return WrittenInt(int(text.replace("_", "")), text)
        if implicit and node.tag == "tag:yaml.org,2002:float":
            try:
                return WrittenFloat(float(text.replace("_", "")), text)
            except ValueError:
                pass  # .inf, .nan and the like: YAML's constructor knows them
        try:
            value = self.constructor.construct_object(node, deep=False)
        except (ValueError, yaml.constructor.ConstructorError) as exc:
            line, col = self._pos(node)
            problem = exc.problem if isinstance(exc, yaml.MarkedYAMLError) else str(exc)
            self.issues.append(
                Issue(self.name, line, col, dotted(path), f"cannot read this value: {problem}")
            )
            self.unread.append(dotted(path))
            return None
        if isinstance(value, float) and not math.isfinite(value):
            # validation says what would be right for the field; a text field takes the text
            return WrittenFloat(value, text) if implicit else value
        if isinstance(value, bytes | bytearray):
            line, col = self._pos(node)
            self.issues.append(
                Issue(self.name, line, col, dotted(path), "binary values are not allowed here")
            )
            self.unread.append(dotted(path))
            return None
        if not isinstance(value, str | int | float | bool) and value is not None:
            # timestamps and sets: keep them as the text the user wrote
            return str(node.value)
        return value
