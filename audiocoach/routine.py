"""The routine language: a validated, immutable model of what a routine file says.

pydantic does the checking so every problem is found in one pass; this module turns its errors into
``file:line:col: key.path: message`` lines that say what would be right, with "did you mean" for
misspelt keys. The model is frozen: the scheduler reads it and never changes it.

Block kinds are told apart by their leading key (``exercise``, ``rest``, ``superset``/``circuit``,
``check``, ``say``) rather than by a ``type:`` field, because that is how a person writes a list of
moves.
"""

from __future__ import annotations

import functools
import math
import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated, Any, Literal, get_args, get_origin

from babel import Locale, UnknownLocaleError
from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Discriminator,
    Field,
    Tag,
    ValidationError,
    WithJsonSchema,
    field_validator,
    model_validator,
)
from pydantic_core import PydanticCustomError

from audiocoach import schema
from audiocoach.durations import DURATION_FORMS, TooLong, parse_duration
from audiocoach.errors import InputError, Issue, shown
from audiocoach.phrasebook import available_languages, language_tag
from audiocoach.suggest import closest
from audiocoach.yamlsource import (
    MAX_NUMBER_CHARS,
    NON_DECIMAL,
    KeyPath,
    Source,
    SourceError,
    as_written,
    dotted,
    read_source,
)

Ms = Annotated[int, BeforeValidator(parse_duration), WithJsonSchema(schema.duration())]


OPEN_WORDS = ("open", "as long as comfortable")
DURATION_RANGE = "duration must be from 1s to 1h (or 'open' for as long as comfortable)"
REST_RANGE = "a rest block lasts from 1s to 1h"


def _capped(message: str) -> BeforeValidator:
    """A duration for a field with a limit under ``MAX_DURATION_MS``: one too long for any
    field (``13h``) is told this field's own range, not the general one."""

    def parse(value: object) -> int:
        try:
            return parse_duration(value)
        except TooLong:
            raise ValueError(message) from None

    return BeforeValidator(parse)


def _parse_open_duration(value: object) -> int | Literal["open"]:
    if isinstance(value, str) and value.strip().lower() in OPEN_WORDS:
        return "open"
    try:
        return parse_duration(value)
    except TooLong:
        raise ValueError(DURATION_RANGE) from None
    except ValueError as exc:
        close = closest(value, OPEN_WORDS) if isinstance(value, str) else None
        if close and "expected a duration" in str(exc):
            raise ValueError(f"{exc}; did you mean {close!r}?") from None
        raise


OpenMs = Annotated[
    int | Literal["open"],
    BeforeValidator(_parse_open_duration),
    WithJsonSchema(schema.duration(words=OPEN_WORDS)),
]


_DIGITS = re.compile(r"[0-9]+")


def count_of(low: int, high: int, what: str) -> Any:
    """A validator for a whole number of ``what`` from ``low`` to ``high``: ``10``, ``10.0`` or
    ``"10"``, never ``true`` (pydantic's own ``int`` would silently read true as 1)."""

    def check(value: object) -> int:
        if isinstance(value, bool):
            got = str(value).lower()
            raise ValueError(f"expected a whole number of {what} from {low} to {high}, got {got}")
        if not isinstance(value, int | float | str):
            raise ValueError(f"expected a whole number of {what} from {low} to {high}")
        if isinstance(value, str):
            if not _DIGITS.fullmatch(value.strip()):
                raise ValueError(
                    f"expected a whole number of {what} from {low} to {high}, got {shown(value)}"
                )
            value = int(value.strip())
        if isinstance(value, float):
            if not math.isfinite(value) or value != int(value):
                raise ValueError(
                    f"expected a whole number of {what} from {low} to {high}, got {shown(value)}"
                )
            value = int(value)
        if not low <= value <= high:
            raise ValueError(f"{what} must be from {low} to {high} (got {value})")
        return value

    return BeforeValidator(check)


def _not_bool(value: object) -> object:
    if isinstance(value, bool):
        raise ValueError(f"expected a number, got {str(value).lower()}")
    return value


#: For a plain number field: pydantic would read true as 1 and false as 0, without a word.
NOT_BOOL = BeforeValidator(_not_bool)

Countdown = Annotated[
    int, count_of(0, 10, "seconds of countdown"), WithJsonSchema(schema.count(0, 10))
]
Sets = Annotated[int, count_of(1, 20, "sets"), WithJsonSchema(schema.count(1, 20))]
Rounds = Annotated[int, count_of(1, 20, "rounds"), WithJsonSchema(schema.count(1, 20))]
Reps = Annotated[int, count_of(1, 200, "reps"), WithJsonSchema(schema.count(1, 200))]
Breaths = Annotated[int, count_of(1, 100, "breaths"), WithJsonSchema(schema.count(1, 100))]

#: The error type of a bare word YAML read as true, false or null where text is expected.
NOT_TEXT = "not_text"
#: The error type of true or false (``steps: off``) where a list of sentences is expected.
LINES_NOT_BOOL = "lines_not_bool"


def as_text(value: object) -> object:
    """Text as written: a bare number is its own text (``1.10``, ``2024``); a bare word YAML
    turned into true, false or null is refused (``issues_from`` shows the quoted form)."""
    if isinstance(value, bool) or value is None:
        raise PydanticCustomError(NOT_TEXT, "expected text")
    if isinstance(value, int | float):
        return as_written(value)
    return value


Text = Annotated[
    str,
    Field(min_length=1, max_length=2000),
    BeforeValidator(as_text),
    WithJsonSchema(schema.text(2000)),
]
Name = Annotated[
    str,
    Field(min_length=1, max_length=120),
    BeforeValidator(as_text),
    WithJsonSchema(schema.text(120)),
]
_LANGUAGE_PATTERN = r"^\s*[A-Za-z]{2,3}(?:[-_][A-Za-z0-9]{2,8})*(?:\.[A-Za-z0-9-]+)?(?:@\w+)?\s*$"


def language_or_name(value: object, *, write: str = "language: ") -> str:
    """``language_tag``, and for a language's name (``english``, ``Deutsch``, ``Frnech``) the
    tag to write instead: the name is one of a known set, so it gets a "did you mean".

    ``write`` is how the tag is given where the value came from (``language: `` in a file,
    ``--lang `` on the command line). Raises ``ValueError``.
    """
    try:
        return language_tag(value)
    except ValueError as exc:
        tag = _tag_named(value) if isinstance(value, str) else None
        if tag is None:
            raise
        raise ValueError(f"{exc}; for {_language_names()[tag]} write {write}{tag}") from None


def _language(value: object) -> str:
    return language_or_name(value)


@functools.cache
def _language_names() -> dict[str, str]:
    """Tag -> English name, for the languages CLDR names (Babel's data, as ``phrasebook``)."""
    return {tag: name for tag, name in Locale("en").languages.items() if "_" not in tag}


@functools.cache
def _names_to_tags() -> dict[str, str]:
    """Each language's English name (``german``), and the own name of each language with a
    phrasebook (``deutsch``), -> its tag. (Own names of all ~600 would take a second to load.)"""
    out = {name.lower(): tag for tag, name in _language_names().items()}
    for tag in available_languages():
        try:
            own = Locale.parse(tag).get_language_name(tag)
        except (ValueError, UnknownLocaleError):
            continue
        if own:
            out.setdefault(own.lower(), tag)
    return out


def _tag_named(text: str) -> str | None:
    """The tag of the language ``text`` names or mistypes (``englsh`` -> ``en``), or None."""
    names = _names_to_tags()
    key = " ".join(text.lower().split())
    if key in names:
        return names[key]
    if len(key) < 4:  # a short word is a mistyped tag more often than a name: no guess
        return None
    close = closest(key, names)
    return names[close] if close else None


#: ``de``, ``de-AT``, ``pt_BR``: which phrasebook (and voice) speaks the routine. As text first
#: (``language: no`` is YAML's false: the message shows the quoted form), then checked as a tag.
Language = Annotated[
    str,
    BeforeValidator(_language),
    BeforeValidator(as_text),
    WithJsonSchema(
        {
            "type": "string",
            "pattern": _LANGUAGE_PATTERN,
            "examples": ["en", "de", "es", "fr", "de-AT"],
        }
    ),
]

_BREATH_FORMS = "inhale:exhale seconds like 4:6, or inhale:hold:exhale:hold like 4:2:6:2"


@dataclass(frozen=True, slots=True)
class Breath:
    """One breath cycle in ms: in, hold after in, out, hold after out."""

    inhale_ms: int
    hold_in_ms: int
    exhale_ms: int
    hold_out_ms: int

    @property
    def cycle_ms(self) -> int:
        return self.inhale_ms + self.hold_in_ms + self.exhale_ms + self.hold_out_ms

    def __str__(self) -> str:
        parts = [self.inhale_ms, self.hold_in_ms, self.exhale_ms, self.hold_out_ms]
        if not self.hold_in_ms and not self.hold_out_ms:
            parts = [self.inhale_ms, self.exhale_ms]
        return ":".join(f"{p / 1000:g}" for p in parts)


def parse_breath(value: object) -> Breath:
    """``4:6`` or ``4:2:6:2`` (seconds) or a mapping ``{inhale, hold, exhale, hold_out}``."""
    if isinstance(value, Breath):
        return value
    if isinstance(value, dict):
        phases = ("inhale", "hold", "exhale", "hold_out")
        unknown = sorted(str(k) for k in set(value) - set(phases))
        if unknown:
            close = closest(unknown[0], phases)
            hint = f"did you mean {close!r}?" if close else "use inhale, hold, exhale, hold_out"
            raise ValueError(f"unknown breath key {unknown[0]!r}; {hint}")
        parts = [
            value.get("inhale"),
            value.get("hold", 0),
            value.get("exhale"),
            value.get("hold_out", 0),
        ]
        if parts[0] is None or parts[2] is None:
            raise ValueError("a breath needs inhale and exhale, like {inhale: 4s, exhale: 6s}")
        ms = [parse_duration(p) for p in parts]
    elif isinstance(value, str) and ":" in value:
        pieces = value.split(":")
        if len(pieces) not in (2, 4):
            raise ValueError(f"expected {_BREATH_FORMS}, got {shown(value)}")
        try:
            ms = [parse_duration(p.strip()) for p in pieces]
        except ValueError:
            raise ValueError(f"expected {_BREATH_FORMS}, got {shown(value)}") from None
        if len(ms) == 2:
            ms = [ms[0], 0, ms[1], 0]
    else:
        raise ValueError(f"expected {_BREATH_FORMS}, got {shown(value)}")
    inhale, hold_in, exhale, hold_out = ms
    if not (1000 <= inhale <= 20_000 and 1000 <= exhale <= 20_000):
        raise ValueError(f"inhale and exhale must each be 1 to 20 seconds (got {shown(value)})")
    if hold_in > 30_000 or hold_out > 30_000:
        raise ValueError(f"breath holds must be at most 30 seconds (got {shown(value)})")
    return Breath(inhale, hold_in, exhale, hold_out)


BreathField = Annotated[Breath, BeforeValidator(parse_breath), WithJsonSchema(schema.breath())]


SIDE_WORDS = ("both", "each", "each side")


def _sides(value: object) -> object:
    """``both`` (or ``true``; any case) is left then right; a list names the sides, each checked
    as text. A word that is not ``both`` gets the nearest of the words taken, and ``left`` or
    ``right`` alone what to do for one side."""
    if value is True or (isinstance(value, str) and " ".join(value.lower().split()) in SIDE_WORDS):
        return ("left", "right")
    if isinstance(value, list | tuple):
        if not 2 <= len(value) <= 4:
            raise ValueError(_side_count(value))
        return value
    expected = "expected 'both' or a list of side names like [left, right]"
    if isinstance(value, str):
        close = closest(value, SIDE_WORDS)
        if close:
            raise ValueError(f"{expected}, got {shown(value)}; did you mean {close!r}?")
        if value.strip().lower() in ("left", "right"):
            raise ValueError(f"{expected}, got {shown(value)}; {_side_count([value])}")
        raise ValueError(f"{expected}, got {shown(value)}")
    raise ValueError(f"{expected}, got {_describe(value)}")


def _side_count(names: list[object] | tuple[object, ...]) -> str:
    if len(names) == 1:
        return (
            f"{shown(names[0])} names one side: for one side only, leave sides out (and say "
            "which in the exercise's name); for each side in turn, sides: both"
        )
    return "sides lists 2 to 4 names, like [left, right]"


def _distinct(names: tuple[str, ...]) -> tuple[str, ...]:
    if len(set(names)) != len(names):
        raise ValueError("each side may be named once")
    return names


Sides = Annotated[
    tuple[Name, ...],
    BeforeValidator(_sides),
    AfterValidator(_distinct),
    WithJsonSchema(schema.sides(SIDE_WORDS, 120)),
]


def _one_or_many(value: object) -> object:
    """A single sentence is accepted where a list of lines is expected: the common case of one
    cue. An empty ``steps:`` is no steps. Each line is then checked as text, where it stands."""
    if value is None:
        return ()
    if isinstance(value, bool):
        raise PydanticCustomError(LINES_NOT_BOOL, "expected sentences")
    if isinstance(value, str | int | float):
        return (value,)
    if isinstance(value, list | tuple):
        return value
    raise ValueError("expected a sentence or a list of sentences (lines starting with '- ')")


Lines = Annotated[
    tuple[Text, ...],
    BeforeValidator(_one_or_many),
    Field(max_length=50),
    WithJsonSchema(schema.lines(50, 2000)),
]


def _at(*path: str | int, message: str) -> ValueError:
    """A model-level error that knows which key it is about (``issues_from`` moves it there)."""
    return ValueError(f"@{'/'.join(map(str, path))}@{message}")


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, str_strip_whitespace=True)


class Pace(_Model):
    """Routine-level pace defaults; CLI flags override them (see ``audiocoach.pace``)."""

    breath: BreathField | None = None
    rep_tempo: Ms | None = None
    rest: Ms | None = None
    hold: Ms | None = None
    countdown: Countdown | None = None
    switch: Ms | None = None
    speech_speed: Annotated[float, Field(ge=0.5, le=2.0), NOT_BOOL] | None = None


class Breathe(_Model):
    """Words for each phase of a breath-paced move."""

    inhale: Text | None = None
    exhale: Text | None = None
    hold: Text | None = None


class Exercise(_Model):
    """One move: timed, breath-counted, breath-paced or counted in reps; maybe per side, in sets."""

    exercise: Name
    duration: OpenMs | None = None
    breaths: Breaths | None = None
    reps: Reps | None = None
    tempo: Ms | None = None
    breathe: Breathe | None = None
    breath: BreathField | None = None
    sides: Sides | None = None
    alternate: bool = False
    sets: Sets = 1
    rest: Ms | None = None
    goal: Text | None = None
    steps: Lines = ()
    cues: Lines = ()

    @model_validator(mode="after")
    def _one_measure(self) -> Exercise:
        given = [k for k in ("duration", "breaths", "reps") if getattr(self, k) is not None]
        if not given:
            raise ValueError(
                "say how long: give one of duration (e.g. 30s, or open), breaths (e.g. 5) "
                "or reps (e.g. 10)"
            )
        if len(given) > 1:
            raise _at(
                given[1],
                message=f"give only one of duration, breaths or reps (found {', '.join(given)})",
            )
        if self.tempo is not None and self.reps is None:
            raise _at(
                "tempo", message="tempo goes with reps (seconds per rep); remove it or use reps"
            )
        if self.breathe is not None and self.reps is not None:
            raise _at("breathe", message="breathe goes with duration or breaths, not reps")
        if self.alternate and (self.sides is None or self.reps is None):
            raise _at(
                "alternate",
                message="alternate needs reps and sides (e.g. sides: both) to alternate",
            )
        if self.duration == "open" and self.breathe is not None:
            raise _at(
                "breathe", message="an open hold cannot be breath-paced; give a duration or breaths"
            )
        return self

    @field_validator("tempo")
    @classmethod
    def _tempo_range(cls, value: int | None) -> int | None:
        if value is not None and not 500 <= value <= 60_000:
            raise ValueError("tempo is seconds per rep, from 0.5s to 60s")
        return value

    @field_validator("duration")
    @classmethod
    def _duration_range(cls, value: int | str | None) -> int | str | None:
        if isinstance(value, int) and not 1000 <= value <= 3_600_000:
            raise ValueError(DURATION_RANGE)
        return value

    @property
    def kind(self) -> str:
        if self.reps is not None:
            return "reps"
        if self.breaths is not None:
            return "breaths"
        if self.breathe is not None:
            return "breath-paced"
        return "open" if self.duration == "open" else "timed"


class Rest(_Model):
    """A standalone rest; the coach previews what comes next."""

    rest: Annotated[int, _capped(REST_RANGE), WithJsonSchema(schema.duration())]
    say: Text | None = None

    @field_validator("rest")
    @classmethod
    def _range(cls, value: int) -> int:
        if not 1000 <= value <= 3_600_000:
            raise ValueError(REST_RANGE)
        return value


class Check(_Model):
    """An untimed check, like the standing weight test: steps, then a pause to feel it."""

    check: Name
    steps: Lines = ()
    pause: Ms | None = None


class Say(_Model):
    """A spoken note between moves."""

    say: Text


class Group(_Model):
    """A superset or circuit: exercises alternated for a number of rounds."""

    superset: Name | None = None
    circuit: Name | None = None
    rounds: Rounds = 1
    rest: Ms | None = None
    rest_between: Ms = 0
    steps: Lines = ()
    exercises: Annotated[tuple[Exercise, ...], Field(min_length=1, max_length=20)]

    @model_validator(mode="after")
    def _shape(self) -> Group:
        if self.superset is None and self.circuit is None:
            raise ValueError(
                "a superset or circuit needs a name, like superset: Chop and bear walk "
                "(or circuit: Full body)"
            )
        if self.superset is not None and self.circuit is not None:
            raise ValueError("name the group with superset: or circuit:, not both")
        for i, exercise in enumerate(self.exercises):
            if exercise.sets != 1:
                raise _at(
                    "exercises",
                    i,
                    "sets",
                    message=f"sets inside a {self.kind} are not allowed; "
                    "use the group's rounds instead (every exercise is done once per round)",
                )
        return self

    @property
    def kind(self) -> str:
        return "superset" if self.superset is not None else "circuit"

    @property
    def name(self) -> str:
        return self.superset or self.circuit or ""


#: Leading key -> block kind, in the order they are recognised (a superset may also say ``rest:``).
BLOCK_KEYS = {
    "exercise": "exercise",
    "superset": "group",
    "circuit": "group",
    "check": "check",
    "rest": "rest",
    "say": "say",
}
#: Each block's model by its tag (pydantic's discriminator, and where error paths are cleaned).
_BLOCK_MODELS: dict[str, type[BaseModel]] = {
    "exercise-block": Exercise,
    "rest-block": Rest,
    "group-block": Group,
    "check-block": Check,
    "say-block": Say,
}
_TAGS = set(_BLOCK_MODELS)


def _block_tag(value: Any) -> str | None:
    if isinstance(value, BaseModel):
        return next((tag for tag, m in _BLOCK_MODELS.items() if type(value) is m), None)
    if isinstance(value, dict):
        for key, tag in BLOCK_KEYS.items():
            if key in value:
                if "exercise" in value:
                    return "exercise-block"
                return f"{tag}-block"
    return None


Block = Annotated[
    Annotated[Exercise, Tag("exercise-block")]
    | Annotated[Rest, Tag("rest-block")]
    | Annotated[Group, Tag("group-block")]
    | Annotated[Check, Tag("check-block")]
    | Annotated[Say, Tag("say-block")],
    Discriminator(
        _block_tag,
        custom_error_type="block_kind",
        custom_error_message=(
            "a block starts with one of: exercise, rest, superset, circuit, check, say"
        ),
    ),
]


#: ``music: off``: no music there.
MUSIC_OFF = "off"


def _music(value: object) -> object:
    if value is False:  # YAML reads a bare ``off`` as false
        return MUSIC_OFF
    return as_text(value)


#: Music to play: an audio file, a folder of them or an .m3u/.m3u8 playlist (relative to the file
#: it is written in), or ``off``.
Music = Annotated[
    str,
    Field(min_length=1, max_length=4096),
    BeforeValidator(_music),
    WithJsonSchema(
        {
            "anyOf": [
                *schema.text(4096)["anyOf"],
                {"const": False, "description": "off: no music here"},
            ],
            "examples": ["music/", "running.m3u8", "off"],
        }
    ),
]


class Section(_Model):
    """A named part of the routine (warm-up, main, cool-down)."""

    name: Name | None = None
    music: Music | None = None
    blocks: Annotated[tuple[Block, ...], Field(min_length=1, max_length=200)]

    @model_validator(mode="after")
    def _music_needs_a_name(self) -> Section:
        if self.music is not None and self.name is None:
            raise ValueError(
                "a section's music starts as its name is spoken; give the section a name: "
                "(or put music: at the top of the routine)"
            )
        return self


#: Where a routine's moves go (``_body_issues`` says it for a file before the model can).
BODY_NEITHER = (
    "a routine needs its moves: give them as sections: (a list of named parts, each with "
    "blocks) or as blocks: (one list of moves)"
)
BODY_BOTH = (
    "give the moves as sections: (a list of named parts, each with blocks) "
    "or as blocks: (one list of moves), not both"
)


class Routine(_Model):
    """A whole routine file."""

    title: Name
    description: Text | None = None
    source: Text | None = None
    author: Name | None = None
    language: Language | None = None
    pace: Pace = Pace()
    music: Music | None = None
    sections: Annotated[tuple[Section, ...], Field(max_length=20)] = ()
    blocks: Annotated[tuple[Block, ...], Field(max_length=200)] = ()

    @model_validator(mode="after")
    def _body(self) -> Routine:
        if not self.sections and not self.blocks:
            raise ValueError(BODY_NEITHER)
        if self.sections and self.blocks:
            raise ValueError(BODY_BOTH)
        return self

    @property
    def parts(self) -> tuple[Section, ...]:
        """Sections, with a bare ``blocks:`` list seen as one unnamed section."""
        return self.sections or (Section(blocks=self.blocks),)

    def exercises(self) -> Iterator[Exercise]:
        for section in self.parts:
            for block in section.blocks:
                if isinstance(block, Exercise):
                    yield block
                elif isinstance(block, Group):
                    yield from block.exercises


@dataclass(frozen=True)
class MusicSource:
    """Music named somewhere: ``value`` as written (a path relative to ``base``, or ``off``) and
    ``origin``, where it was written (an ``Issue`` without a message; None: the command line).
    A plain value, so it can travel to a playlist's worker processes."""

    value: str
    base: Path
    origin: Issue | None = None

    @property
    def off(self) -> bool:
        return self.value.strip().lower() == MUSIC_OFF

    @property
    def path(self) -> Path:
        path = Path(self.value).expanduser()
        return path if path.is_absolute() else self.base / path

    def problem(self, message: str) -> Issue | str:
        """``message`` placed where the music was named (``--music: ...`` for the CLI)."""
        if self.origin is None:
            return f"--music: {message}"
        return Issue(self.origin.file, self.origin.line, self.origin.col, self.origin.path, message)


@dataclass(frozen=True)
class RoutineFile:
    """A routine with the source it came from, so later stages can still point at lines."""

    routine: Routine
    source: Source

    @property
    def file(self) -> str:
        return self.source.file

    def issue(self, path: KeyPath, message: str) -> Issue:
        return self.source.issue(path, message)

    def music(self, routine: Routine | None = None) -> tuple[MusicSource | None, ...]:
        """The routine's own music, then each section's (None where a section names none)."""
        chosen = routine or self.routine
        base = Path(self.file).parent
        own = None
        if chosen.music is not None:
            own = MusicSource(chosen.music, base, self.issue(("music",), ""))
        return (
            own,
            *(
                MusicSource(s.music, base, self.issue(("sections", i, "music"), ""))
                if s.music
                else None
                for i, s in enumerate(chosen.sections)
            ),
        )


def load_routine(path: Path | str) -> RoutineFile:
    """Read, parse and validate a routine file; ``InputError`` lists every problem at once."""
    try:
        source = read_source(path, what="routine")
    except SourceError as exc:  # a duplicate key: the model's problems are listed with it
        raise exc.with_checks(validate_routine) from None
    if isinstance(source.data, dict) and "days" in source.data:
        message = "this is a weekly program (it has days:), not a routine; use playlist"
        raise InputError([source.issue(("days",), message, key=True)])
    return RoutineFile(validate_routine(source), source)


def validate_routine(source: Source) -> Routine:
    if not isinstance(source.data, dict):
        raise InputError(
            [
                source.issue(
                    (),
                    f"the file holds {_holds(source.data)}; a routine is a mapping that starts "
                    "with 'title:' and has 'sections:' or 'blocks:'",
                )
            ]
        )
    body = _body_issues(source.data, source)
    try:
        routine = Routine.model_validate(source.data)
    except ValidationError as exc:
        issues = issues_from(exc, source, Routine)
        if body:  # said better (or said at all: a refused title stops the model's own check)
            issues = [i for i in issues if not (i.path == "" and i.message in _BODIES)]
        found = dict.fromkeys([*issues, *body])  # the model's "not both" is the same issue
        raise InputError(sorted(found, key=lambda i: (i.line, i.col))) from None
    return routine  # (the model refuses whatever _body_issues finds)


_BODIES = (BODY_NEITHER, BODY_BOTH)


def _body_issues(data: dict[str, Any], source: Source) -> list[Issue]:
    """Where the moves are missing (``blocks: []`` given but empty, or neither key given) or
    given twice (as sections and as blocks).

    Read from the file as written, so the message names what was written (an empty list is
    not a missing key) and comes along with every other problem: the model's own check runs
    only once every field is valid. Moves in one key beside an empty other (``blocks: []``
    after sections) are fine, as before.
    """
    given = {key: data[key] for key in ("sections", "blocks") if key in data}
    filled = [key for key, value in given.items() if isinstance(value, list) and value]
    if len(filled) == 2:  # at the second of the two, where the reader sees both
        second = max(filled, key=lambda key: source.locate((key,), key=True))
        return [source.issue((second,), BODY_BOTH, key=True)]
    if filled or any(not isinstance(v, list) for v in given.values()):
        return []  # moves somewhere, or a value the model says is not a list
    if not given:
        return [source.issue((), BODY_NEITHER)]
    what = {
        "blocks": "a routine needs at least one block: list its moves under blocks:, one per "
        "line starting with '- ' (like '- exercise: Plank')",
        "sections": "a routine needs at least one section: list its parts under sections:, "
        "each with a name: and blocks: (or give the moves as blocks: instead)",
    }
    return [source.issue((key,), what[key]) for key in given]


def _holds(data: object) -> str:
    """What a file that is not a mapping holds, in words."""
    if isinstance(data, bool):
        return "just true or false"
    if data is None:
        return "just null"
    if isinstance(data, int | float):
        return "a number"
    if isinstance(data, list):
        return "a list"
    if isinstance(data, str):
        return "a line of text"
    return type(data).__name__


# --- turning pydantic errors into messages a runner can act on -------------------------------


@dataclass(frozen=True, slots=True)
class _Keyed:
    """A mapping whose values are ``model`` (a program's days): the next path part is a key."""

    model: Any


def _fields_at(model: type[BaseModel], path: KeyPath, data: Any) -> list[str]:
    """The keys allowed in the mapping at ``path`` (for "did you mean").

    The models' own annotations are walked, so a nested model (a superset's exercises, a program
    day's pace) is found without a table to keep in step; a block's model comes from its tag.
    Shared with ``audiocoach.program``, whose models nest the same way.
    """
    current: Any = model
    node = data
    for part in path:
        if current is Block and not isinstance(part, int):  # node is the block itself now
            current = _block_model(node)
        node = node[part] if isinstance(node, dict | list) and _has(node, part) else None
        if isinstance(current, _Keyed):
            current = current.model
        elif not isinstance(part, int):  # an index keeps the model of the list's items
            current = _child_model(current, part)
        if current is None:
            return []
    if current is Block:
        current = _block_model(node)
    if isinstance(current, type) and issubclass(current, BaseModel):
        return list(current.model_fields)
    return []


def _has(node: Any, part: Any) -> bool:
    if isinstance(node, dict):
        return part in node
    return isinstance(part, int) and 0 <= part < len(node)


def _block_model(node: Any) -> type[BaseModel] | None:
    tag = _block_tag(node) if isinstance(node, dict) else None
    return _BLOCK_MODELS.get(tag or "")


def _child_model(model: Any, key: str) -> Any:
    """The model held by field ``key`` of ``model`` (or ``Block``, or a ``_Keyed``); else None."""
    if not (isinstance(model, type) and issubclass(model, BaseModel)):
        return None
    field = model.model_fields.get(key)
    return _model_in(field.annotation) if field is not None else None


def _model_in(annotation: Any) -> Any:
    if annotation is Block:
        return Block
    if isinstance(annotation, type):
        return annotation if issubclass(annotation, BaseModel) else None
    args = get_args(annotation)
    if get_origin(annotation) is Annotated:
        return _model_in(args[0])
    if get_origin(annotation) is dict:
        inner = _model_in(args[1])
        return _Keyed(inner) if inner is not None else None
    for arg in args:
        found = _model_in(arg)
        if found is not None:
            return found
    return None


def _describe(value: Any) -> str:
    if isinstance(value, dict):
        return "a mapping"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, bool):
        return f"{str(value).lower()}"
    if value is None:
        return "nothing"
    text = repr(value)
    return text if len(text) <= 40 else text[:37] + "..."


def _friendly(
    err: dict[str, Any], path: KeyPath, source: Source, model: type[BaseModel]
) -> tuple[str, bool]:
    """Message for one pydantic error, and whether to point at the key rather than the value."""
    kind = err["type"]
    value = err.get("input")
    ctx = err.get("ctx") or {}
    if kind == "extra_forbidden":
        key = str(path[-1])
        allowed = _fields_at(model, path[:-1], source.data)
        close = closest(key, allowed)
        if close:
            return f"unknown key {key!r}; did you mean {close!r}?", True
        shown = ", ".join(allowed) if allowed else "none"
        elsewhere = _ELSEWHERE.get((key, tuple(allowed)), "")
        return f"unknown key {key!r}; allowed here: {shown}{elsewhere}", True
    if kind == "missing":
        key = str(path[-1])
        return f"missing {key!r}: {_REQUIRED.get(key, f'this needs {key}:')}", False
    if kind == "block_kind":
        if isinstance(value, dict):
            keys = list(value)
            close = next((c for c in map(_block_key, keys) if c), None)
            hint = f"; did you mean {close!r}?" if close else ""
            return (
                "a block starts with one of: exercise, rest, superset, circuit, check, say "
                f"(found {', '.join(map(str, keys)) or 'no keys'}){hint}",
                close is not None,
            )
        return (
            f"expected a block (a mapping like 'exercise: Push-up'), got {_describe(value)}",
            False,
        )
    if kind in ("model_type", "dict_type", "model_attributes_type"):
        return f"expected a mapping of keys (like 'name: value'), got {_describe(value)}", False
    if kind in ("tuple_type", "list_type"):
        return f"expected a list (lines starting with '- '), got {_describe(value)}", False
    if kind in ("string_type", "string_sub_type", NOT_TEXT):
        return not_text(value, path, source), False
    if kind == "string_too_short":
        return "must not be empty", False
    if kind == "string_too_long":
        return f"is too long; at most {ctx.get('max_length')} characters", False
    if kind == "too_short":
        needed = _AT_LEAST.get(str(path[-1]) if path else "")
        if needed and ctx.get("min_length") == 1:
            return f"needs at least one {needed}", False
        return f"needs at least {ctx.get('min_length')} item(s)", False
    if kind == "too_long":
        return f"has too many items; at most {ctx.get('max_length')}", False
    if kind in ("bool_type", "bool_parsing"):
        close = closest(value, _BOOL_WORDS) if isinstance(value, str) else None
        hint = f"; did you mean {close}?" if close else ""
        return f"expected true or false, got {_describe(value)}{hint}", False
    if kind == LINES_NOT_BOOL:
        return _lines_not_bool(value, path, source), False
    if kind in ("int_type", "int_parsing", "int_from_float"):
        return f"expected a whole number, got {_describe(value)}", False
    if kind in ("float_type", "float_parsing", "finite_number"):
        return f"expected a number, got {_describe(value)}", False
    if kind in ("greater_than_equal", "less_than_equal", "greater_than", "less_than"):
        bounds = {
            "greater_than_equal": "at least",
            "less_than_equal": "at most",
            "greater_than": "more than",
            "less_than": "less than",
        }
        limit = next(iter(ctx.values()), "")
        return f"must be {bounds[kind]} {limit} (got {_describe(value)})", False
    if kind == "literal_error":
        return f"expected {ctx.get('expected')}, got {_describe(value)}", False
    if kind == "value_error":
        return str(ctx.get("error", err["msg"])), False
    return f"{err['msg']} (got {_describe(value)})", False


#: The words YAML reads as true or false (a misspelt one gets the nearest).
_BOOL_WORDS = ("true", "false", "yes", "no", "on", "off")

#: What a list that must not be empty holds, by its key: "needs at least one block".
_AT_LEAST = {
    "blocks": "block (a move, like '- exercise: Plank')",
    "exercises": "exercise (like '- exercise: Row')",
    "sections": "section",
}

_PACE_KEYS = tuple(Pace.model_fields)
_EXERCISE_KEYS = tuple(Exercise.model_fields)

#: Keys that belong somewhere else, by (key, the keys allowed where it was found): where it goes.
_ELSEWHERE = {
    ("steps", _PACE_KEYS): (
        "; to leave the steps unread, render with --no-steps (in a program, give the day "
        "pace: {steps: off})"
    ),
    ("pace", _EXERCISE_KEYS): (
        "; pace: goes at the top of the routine (or a program day), for the whole track; "
        "an exercise has its own tempo:, rest: and breath:"
    ),
    ("rounds", _EXERCISE_KEYS): (
        "; rounds belong to a superset or circuit; an exercise repeats with sets:"
    ),
    **{
        (key, tuple(Section.model_fields)): (
            f"; moves go in the section's blocks: list, like blocks: [{{{key}: ...}}]"
        )
        for key in ("exercise", "rest", "superset", "circuit", "check", "say")
    },
}

#: What a required key holds, for the message when it is left out.
_REQUIRED = {
    "blocks": "a section holds its moves under blocks:, like blocks: [{exercise: Plank, "
    "duration: 30s}]",
    "exercises": "a superset or circuit lists its moves under exercises:, like exercises: "
    "[{exercise: Row, reps: 8}, {exercise: Push-up, reps: 8}]",
    "title": "a routine starts with its title, like title: Upper-Back Yoga",
    "days": "a program says which routine on which day, like days: {mon: upper-back-yoga.yaml}",
}

#: What each list of sentences holds, for the message when it is given true or false.
_LINES = {
    "steps": "the instructions read before the move",
    "cues": "form reminders spoken during the work",
}


def _lines_not_bool(value: Any, path: KeyPath, source: Source) -> str:
    """``steps: off``: a list of sentences given a bare true or false. Quoting the word would
    make the coach say "off", so the message says what the field takes instead, and where
    the setting of that name is (steps: a program day's pace:, or --no-steps)."""
    key = str(path[-1]) if path else "this"
    scalar = source.scalars.get(path)
    word = scalar.text if scalar is not None and scalar.plain else str(value).lower()
    takes = _LINES.get(key, "sentences")
    block = _value_at(source.data, path[:-1])
    if key == "steps" and isinstance(block, dict):
        if "check" in block:
            takes = "the instructions read before the check"
        elif "superset" in block or "circuit" in block:
            takes = "the instructions read before the first round"
    reading = str(value).lower()
    said = word if word.lower() == reading else f"{word}, which YAML reads as {reading}"
    message = f"{key} takes {takes}: a sentence, or a list of lines starting with '- '; not {said}"
    if key == "steps":
        return (
            f"{message}. To leave the steps unread, remove steps: here, or render with "
            "--no-steps (in a program, give the day pace: {steps: off})"
        )
    return f"{message}. For none, remove {key}: here"


def _block_key(key: object) -> str | None:
    """The block's leading key ``key`` mistypes (``rets`` -> ``rest``), if any."""
    return closest(str(key), BLOCK_KEYS)


def not_text(value: Any, path: KeyPath, source: Source) -> str:
    """Why ``value`` at ``path`` is not text, in the words the runner wrote.

    ``exercise: No`` -> ``YAML reads the bare word No as false, not as text; to mean the word,
    quote it: exercise: "No"``. A list item is shown quoted alone (``"No"``).
    """
    scalar = source.scalars.get(path)
    key = path[-1] if path and isinstance(path[-1], str) else None
    if scalar is not None and scalar.plain and (isinstance(value, bool) or value is None):
        word = scalar.text
        noun, example = _EXAMPLES.get(key or "", (key, ""))
        like = f", like {key}: {example}" if example else ""
        if not word:
            return "must not be empty" + (f"; write the {noun} here{like}" if key else "")
        if value is None:  # ~, null: no value given, not a word meant
            if key:
                return (
                    f"{key} is required, and {word} is YAML's null (no value); "
                    f"write the {noun} here{like}"
                )
            parent = path[-2] if len(path) > 1 and isinstance(path[-2], str) else "the list"
            return (
                f"an item of {parent} cannot be empty ({word} is YAML's null, no value); "
                "write it, or remove the line"
            )
        quoted = '"' + word.replace("\\", "\\\\").replace('"', '\\"') + '"'
        shown_as = f"{key}: {quoted}" if key else quoted
        reading = "null (no value)" if value is None else str(value).lower()
        return (
            f"YAML reads the bare word {word} as {reading}, not as text; "
            f"to mean the word, quote it: {shown_as}"
        )
    return f"expected text, got {_describe(value)}"


#: What each required text is, with an example: "write the title here, like title: ...".
_EXAMPLES = {
    "title": ("title", "Upper-Back Yoga"),
    "exercise": ("name of the move", "Plank"),
    "check": ("name of the check", "Weight test"),
    "say": ("sentence to say", "Keep your neck long."),
    "name": ("name of the section", "Warm-up"),
    "routine": ("routine file", "upper-back-yoga.yaml"),
}


def _written_hint(message: str, path: KeyPath, source: Source) -> str:
    """What to write instead of a number in another base or a YAML 1.1 word (a duration
    written as a clock time or with a unit in words gets its hint from ``parse_duration``)."""
    scalar = source.scalars.get(path)
    if scalar is None or not scalar.plain or "YAML reads" in message:
        return message
    text = scalar.text
    if NON_DECIMAL.fullmatch(text):
        base = {"x": "hexadecimal", "b": "binary", "o": "octal"}[text.lstrip("+-")[1].lower()]
        if len(text) > MAX_NUMBER_CHARS:  # a hostile file's 5000 hex digits: no decimal echo
            return f"{message}; {text[:12]}... is {base}: write numbers in decimal"
        number = int(text.replace("_", ""), 0)
        return f"{message}; {text} is {base}: write numbers in decimal, like {number}"
    value = _value_at(source.data, path)
    if (isinstance(value, bool) or value is None) and text.lower() not in _PLAIN_WORDS:
        reading = "null" if value is None else str(value).lower()
        return f"{message} (YAML reads the bare word {text} as {reading})"
    return message


#: Words that say what YAML reads them as; any other bare true/false/null word gets a note.
_PLAIN_WORDS = {"true", "false", "null", "~", ""}


def _value_at(data: Any, path: KeyPath) -> Any:
    for part in path:
        if isinstance(data, dict | list) and _has(data, part):
            data = data[part]
        else:
            return _MISSING
    return data


_MISSING = object()


def issues_from(exc: ValidationError, source: Source, model: type[BaseModel]) -> list[Issue]:
    """One located, de-duplicated message per problem, in file order."""
    issues: dict[tuple[int, int, str], Issue] = {}
    errors = exc.errors(include_url=False)
    paths = [_clean_loc(e["loc"]) for e in errors]
    # "missing 'routine'" beside "unknown key 'rotuine'; did you mean 'routine'?" says one
    # mistake twice: the key is there, misspelt
    misspelt = {
        (*path[:-1], closest(str(path[-1]), _fields_at(model, path[:-1], source.data)))
        for err, path in zip(errors, paths, strict=True)
        if err["type"] == "extra_forbidden" and path
    }
    for err, path in zip(errors, paths, strict=True):
        if err["type"] == "too_short" and any(
            len(p) > len(path) and p[: len(path)] == path for p in paths
        ):
            continue  # pydantic counts a list whose items all failed as empty; the items say why
        if err["type"] == "missing" and path in misspelt:
            continue
        message, at_key = _friendly(err, path, source, model)
        if message.startswith("@") and "@" in message[1:]:
            extra, message = message[1:].split("@", 1)
            path = path + tuple(int(p) if p.isdigit() else p for p in extra.split("/"))
            at_key = True
        message = _written_hint(message, path, source)
        # a union-member error for an ``int | "open"`` field repeats the same message per member
        line, col = source.locate(path, key=at_key)
        issue = Issue(source.file, line, col, dotted(path), message)
        issues.setdefault((line, col, message), issue)
    return sorted(issues.values(), key=lambda i: (i.line, i.col))


def _clean_loc(loc: tuple[Any, ...]) -> KeyPath:
    """Drop pydantic's union tags and type names so the path reads like the YAML."""
    out: list[str | int] = []
    for part in loc:
        if isinstance(part, str) and part in _TAGS:
            continue
        if isinstance(part, str) and (
            part.startswith(("function-", "literal[", "int", "union[")) or part in {"str", "float"}
        ):
            continue
        out.append(part)
    return tuple(out)


__all__ = [
    "DURATION_FORMS",
    "Block",
    "Breath",
    "Breathe",
    "Check",
    "Exercise",
    "Group",
    "Pace",
    "Rest",
    "Routine",
    "RoutineFile",
    "Say",
    "Section",
    "issues_from",
    "load_routine",
    "parse_breath",
    "validate_routine",
]
