"""Weekly programs: which routine on which day, for how many weeks, and how it progresses.

Progression follows the idea of wger's per-iteration rules: each rule says *what* changes (sets,
reps, holds, rests, breaths, or a deload that scales a week back) and *when* (every N weeks from a
start week, cumulatively, or only in listed weeks). A week's routine is the file's routine with the
week's changes applied to the model, so the scheduler, the render and the tests all see an ordinary
routine: week 3's chin-ups are simply ``sets: 5``.
"""

from __future__ import annotations

import hashlib
import math
import re
import unicodedata
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated, Any

from pydantic import (
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    ValidationError,
    WithJsonSchema,
    model_validator,
)

from audiocoach import schema
from audiocoach.durations import DURATION_FORMS, format_duration, parse_duration
from audiocoach.errors import InputError, Issue, shown
from audiocoach.pace import (
    PaceOptions,
    Scale,
    parse_hold,
    parse_pace,
    parse_rep_tempo,
    parse_rest,
    parse_speech_speed,
)
from audiocoach.routine import (
    NOT_BOOL,
    BreathField,
    Countdown,
    Exercise,
    Group,
    Language,
    Music,
    MusicSource,
    Name,
    Rest,
    Routine,
    RoutineFile,
    Text,
    as_text,
    count_of,
    issues_from,
    load_routine,
)
from audiocoach.suggest import closest
from audiocoach.yamlsource import Source, as_written, read_source

DAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
DAY_NAMES = {
    "mon": "Monday",
    "tue": "Tuesday",
    "wed": "Wednesday",
    "thu": "Thursday",
    "fri": "Friday",
    "sat": "Saturday",
    "sun": "Sunday",
}
_DAY_ALIASES = {**{d: d for d in DAYS}, **{v.lower(): k for k, v in DAY_NAMES.items()}}
MAX_WEEKS = 52


def _signed_ms(value: object) -> int:
    """``+5s``, ``-5s``, ``5`` (seconds): a change to a length."""
    if isinstance(value, str):
        text = value.strip()
        sign = -1 if text.startswith("-") else 1
        try:
            return sign * parse_duration(text.lstrip("+-").strip())
        except ValueError:
            raise ValueError(f"expected a change like +5s or -10s ({DURATION_FORMS})") from None
    if isinstance(value, int | float) and not isinstance(value, bool) and math.isfinite(value):
        if abs(value) > 600:
            raise ValueError("a change of more than 10 minutes a step is surely a mistake")
        return round(value * 1000)
    raise ValueError(f"expected a change like +5s or -10s, got {shown(value)}")


def _signed_int(value: object) -> int:
    if isinstance(value, str) and re.fullmatch(r"[-+]?[0-9]+", value.strip()):
        value = int(value.strip())
    if isinstance(value, bool) or not isinstance(value, int):
        raise ValueError(f"expected a change like +1 or -2, got {shown(value)}")
    if abs(value) > 10:
        raise ValueError("a change of more than 10 a step is surely a mistake")
    return value


#: A number of weeks, or a week of the program (``start: 3``, ``weeks: [4]``).
Weeks = Annotated[int, count_of(1, MAX_WEEKS, "weeks"), WithJsonSchema(schema.count(1, MAX_WEEKS))]
SignedMs = Annotated[int, BeforeValidator(_signed_ms), WithJsonSchema(schema.signed_duration(600))]
SignedInt = Annotated[int, BeforeValidator(_signed_int), WithJsonSchema(schema.signed_count(10))]


def _flag(parse: Callable[[str], Any]) -> BeforeValidator:
    """A day's pace value read as its command-line flag would be, with the same limits."""

    def check(value: object) -> Any:
        if isinstance(value, int | float) and not isinstance(value, bool):
            value = as_written(value)  # a bare number is seconds (or a factor), as on the flag
        if not isinstance(value, str):
            raise ValueError(f"expected a value like the flag takes, got {shown(value)}")
        return parse(value)

    return BeforeValidator(check)


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, str_strip_whitespace=True)


class DayPace(_Model):
    """Pace for one day, with the same meaning as the CLI flags."""

    pace: Annotated[float, _flag(parse_pace)] | None = None
    rest: Annotated[int | Scale, _flag(parse_rest)] | None = None
    breath: BreathField | None = None
    rep_tempo: Annotated[int | Scale, _flag(parse_rep_tempo)] | None = None
    hold: Annotated[int, _flag(parse_hold)] | None = None
    countdown: Countdown | None = None
    steps: bool | None = None
    speech_speed: Annotated[float, _flag(parse_speech_speed)] | None = None

    def options(self) -> PaceOptions:
        return PaceOptions(
            pace=self.pace or 1.0,
            rest=self.rest,
            breath=self.breath,
            rep_tempo=self.rep_tempo,
            hold=self.hold,
            countdown=self.countdown,
            steps=self.steps if self.steps is not None else True,
            speech_speed=self.speech_speed,
        )


class Day(_Model):
    routine: Annotated[
        str, Field(min_length=1), BeforeValidator(as_text), WithJsonSchema(schema.text(None))
    ]
    pace: DayPace = DayPace()
    music: Music | None = None  # the day's music, in place of the routine's own
    #: This day's language, over the routine's own ``language:``.
    language: Language | None = None


REST_WORDS = ("rest", "off", "rest day")


def _day(value: object) -> object:
    if isinstance(value, str):
        return None if value.strip().lower() in REST_WORDS else {"routine": value}
    if value is False:  # YAML 1.1 reads a bare ``off`` (or ``no``) as false: a rest day
        return None
    if value is True:
        raise ValueError(
            "a day takes a routine file (like upper-back-yoga.yaml), rest, "
            "or a mapping with routine: and pace:"
        )
    if isinstance(value, int | float):
        return {"routine": value}  # a file named 2024 (its text, as written)
    return value


DayValue = Annotated[Day | None, BeforeValidator(_day)]


class Rule(_Model):
    """One progression rule: what changes, and in which weeks."""

    every: Weeks | None = None
    start: Weeks = 1
    weeks: tuple[Weeks, ...] | None = None
    sets: SignedInt = 0
    reps: SignedInt = 0
    holds: SignedMs = 0
    rests: SignedMs = 0
    breaths: SignedInt = 0
    deload: Annotated[float, Field(gt=0.0, lt=1.0), NOT_BOOL] | None = None
    routines: tuple[Text, ...] | None = None

    @model_validator(mode="after")
    def _when_and_what(self) -> Rule:
        if (self.every is None) == (self.weeks is None):
            raise ValueError(
                "say when: every: N (cumulative, every N weeks) or weeks: [4] (only those weeks)"
            )
        if not any((self.sets, self.reps, self.holds, self.rests, self.breaths, self.deload)):
            raise ValueError(
                "say what changes: sets, reps, holds, rests, breaths (e.g. +1, +5s) or deload: 0.7"
            )
        if self.deload is not None and self.every is not None:
            raise ValueError("a deload applies in chosen weeks: use weeks: [4], not every:")
        return self

    def times(self, week: int) -> int:
        """How many steps of this rule week ``week`` carries (0 = none)."""
        if self.weeks is not None:
            return 1 if week in self.weeks else 0
        assert self.every is not None
        return max(0, (week - self.start) // self.every) if week > self.start else 0

    def applies_to(self, routine_path: str) -> bool:
        if not self.routines:
            return True
        name = Path(routine_path).name
        return any(Path(r).name == name or Path(r).stem == Path(name).stem for r in self.routines)


class Program(_Model):
    title: Name
    description: Text | None = None
    weeks: Weeks = 1
    days: dict[str, DayValue]
    progression: tuple[Rule, ...] = ()

    @model_validator(mode="after")
    def _some_day(self) -> Program:
        if not any(self.days.values()):
            raise ValueError("every day is a rest day; give at least one day a routine")
        return self


@dataclass(frozen=True)
class Change:
    """The net change a week brings to one routine."""

    sets: int = 0
    reps: int = 0
    hold_ms: int = 0
    rest_ms: int = 0
    breaths: int = 0
    scale: float = 1.0

    def __bool__(self) -> bool:
        return self != Change()

    def describe(self) -> str:
        parts = []
        for value, what in ((self.sets, "set"), (self.reps, "rep"), (self.breaths, "breath")):
            if value:
                parts.append(f"{value:+d} {what}{'s' if abs(value) != 1 else ''}")
        if self.hold_ms:
            sign = "+" if self.hold_ms > 0 else "-"
            parts.append(f"holds {sign}{format_duration(abs(self.hold_ms))}")
        if self.rest_ms:
            sign = "+" if self.rest_ms > 0 else "-"
            parts.append(f"rests {sign}{format_duration(abs(self.rest_ms))}")
        if self.scale != 1.0:
            parts.append(f"deload x{self.scale:g}")
        return ", ".join(parts) or "as written"


@dataclass(frozen=True)
class Track:
    """One day of one week: what to render and how to name and tag it."""

    week: int
    day: str
    number: int  # position among the week's training days, from 1
    of: int
    routine_path: Path
    routine: Routine
    pace: PaceOptions
    change: Change
    music: MusicSource | None = None  # the day's own music, if the program gives one

    @property
    def stem(self) -> str:
        return f"{self.number:02d}-{self.day}-{safe_name(self.routine_path.stem)}"

    @property
    def title(self) -> str:
        return f"{DAY_NAMES[self.day]}: {self.routine.title}"


@dataclass(frozen=True)
class ProgramFile:
    program: Program
    source: Source
    routines: dict[str, RoutineFile]  # day -> loaded routine
    day_keys: dict[str, str]  # canonical day -> key as written

    @property
    def path(self) -> Path:
        return Path(self.source.file)

    def change(self, week: int, routine_path: str) -> Change:
        total = Change()
        scale = 1.0
        for rule in self.program.progression:
            n = rule.times(week)
            if not n or not rule.applies_to(routine_path):
                continue
            if rule.deload is not None:
                scale *= rule.deload
                continue
            total = Change(
                sets=total.sets + n * rule.sets,
                reps=total.reps + n * rule.reps,
                hold_ms=total.hold_ms + n * rule.holds,
                rest_ms=total.rest_ms + n * rule.rests,
                breaths=total.breaths + n * rule.breaths,
            )
        return Change(total.sets, total.reps, total.hold_ms, total.rest_ms, total.breaths, scale)

    def tracks(
        self, weeks: range, cli: PaceOptions | None = None, language: str | None = None
    ) -> Iterator[Track]:
        """The tracks of ``weeks``; ``language`` (``--lang``) wins over a day's and a routine's."""
        training = [d for d in DAYS if self.program.days.get(self.day_keys.get(d, ""))]
        for week in weeks:
            for number, day in enumerate(training, start=1):
                plan = self.program.days[self.day_keys[day]]
                assert plan is not None
                rf = self.routines[day]
                change = self.change(week, plan.routine)
                routine = progress(rf.routine, change)
                spoken = language or plan.language
                if spoken:
                    routine = routine.model_copy(update={"language": spoken})
                yield Track(
                    week=week,
                    day=day,
                    number=number,
                    of=len(training),
                    routine_path=Path(rf.file),
                    routine=routine,
                    pace=layer(plan.pace.options(), cli),
                    change=change,
                    music=None
                    if plan.music is None
                    else MusicSource(
                        plan.music,
                        self.path.parent,
                        self.source.issue(("days", self.day_keys[day], "music"), ""),
                    ),
                )


def is_program(source: Source) -> bool:
    return isinstance(source.data, dict) and "days" in source.data


def load_program(path: Path | str) -> ProgramFile:
    """Read and validate a program and every routine it names; all problems at once."""
    source = read_source(path, what="program")
    if isinstance(source.data, dict) and "days" not in source.data:
        for key in ("blocks", "sections"):
            if key in source.data:
                message = "this is a routine, not a weekly program (it has no days:); use render"
                raise InputError([source.issue((key,), message, key=True)])
    return program_from(source)


def program_from(source: Source) -> ProgramFile:
    if not isinstance(source.data, dict):
        raise InputError([source.issue((), "a program is a mapping with title: and days:")])
    issues: list[Issue] = []
    days_raw = source.data.get("days")
    day_keys: dict[str, str] = {}
    if isinstance(days_raw, dict):
        for key in days_raw:
            canonical = _DAY_ALIASES.get(str(key).strip().lower())
            if canonical is None:
                close = closest(str(key), _DAY_ALIASES)
                hint = f"did you mean {close!r}?" if close else "use mon, tue, ... sun"
                issues.append(source.issue(("days", key), f"unknown day {key!r}; {hint}", key=True))
            elif canonical in day_keys:
                first = source.locate(("days", day_keys[canonical]), key=True)[0]
                issues.append(
                    source.issue(
                        ("days", key),
                        f"{DAY_NAMES[canonical]} is given twice (first on line {first}); "
                        "give each day once",
                        key=True,
                    )
                )
            else:
                day_keys[canonical] = key
    try:
        program = Program.model_validate(source.data)
    except ValidationError as exc:
        found = issues + issues_from(exc, source, Program)
        raise InputError(sorted(found, key=lambda issue: (issue.line, issue.col))) from None
    routines: dict[str, RoutineFile] = {}
    base = Path(source.file).parent
    for day, key in day_keys.items():
        plan = program.days[key.strip()]  # the model strips keys as it strips text
        if plan is None:
            continue
        target = base / plan.routine
        if not _is_file(target):
            where = (
                ("days", key)
                if isinstance(source.data["days"][key], str)
                else (
                    "days",
                    key,
                    "routine",
                )
            )
            shown = plan.routine if len(plan.routine) <= 100 else plan.routine[:97] + "..."
            looked = "".join(c if c.isprintable() else "?" for c in str(target))
            looked = looked if len(looked) <= 200 else looked[:197] + "..."
            issues.append(source.issue(where, f"no routine file {shown!r} (looked for {looked})"))
            continue
        try:
            routines[day] = load_routine(target)
        except InputError as exc:
            issues.extend(exc.issues)
    if issues:
        raise InputError(issues)
    return ProgramFile(program, source, routines, {d: k.strip() for d, k in day_keys.items()})


def _is_file(path: Path) -> bool:
    """``Path.is_file``, but a name the system refuses (too long, say) is simply no file."""
    try:
        return path.is_file()
    except OSError:
        return False


def parse_weeks(text: str | None, program: Program) -> range:
    """``2`` or ``1-4``; inside the program's weeks."""
    if text is None:
        return range(1, program.weeks + 1)
    raw = text.strip()
    try:
        if "-" in raw:
            first, last = (int(p) for p in raw.split("-", 1))
        else:
            first = last = int(raw)
    except ValueError:
        raise ValueError(f"expected a week like 2 or a range like 1-4, got {shown(text)}") from None
    if first > last:
        raise ValueError(f"weeks {raw} run backwards; write {last}-{first}")
    if not 1 <= first <= last <= program.weeks:
        raise ValueError(f"weeks {raw} are outside this program, which has weeks 1-{program.weeks}")
    return range(first, last + 1)


# --- applying a week's change to a routine -----------------------------------------------------


def _clamp(value: int, low: int, high: int) -> int:
    return max(low, min(high, value))


def _exercise(ex: Exercise, c: Change, *, in_group: bool) -> Exercise:
    update: dict[str, Any] = {}
    if ex.sets > 1 and not in_group:
        update["sets"] = _clamp(round((ex.sets + c.sets) * c.scale), 1, 20)
    if ex.reps is not None:
        update["reps"] = _clamp(round((ex.reps + c.reps) * c.scale), 1, 200)
    if ex.breaths is not None:
        update["breaths"] = _clamp(round((ex.breaths + c.breaths) * c.scale), 1, 100)
    if isinstance(ex.duration, int) and ex.breathe is None:
        update["duration"] = _clamp(round((ex.duration + c.hold_ms) * c.scale), 1000, 3_600_000)
    if ex.rest is not None and ex.rest > 0 and c.rest_ms:
        update["rest"] = _clamp(ex.rest + c.rest_ms, 5000, 3_600_000)
    return ex.model_copy(update=update) if update else ex


def _group(g: Group, c: Change) -> Group:
    update: dict[str, Any] = {
        "exercises": tuple(_exercise(e, c, in_group=True) for e in g.exercises)
    }
    if g.rounds > 1:
        update["rounds"] = _clamp(round((g.rounds + c.sets) * c.scale), 1, 20)
    if g.rest is not None and g.rest > 0 and c.rest_ms:
        update["rest"] = _clamp(g.rest + c.rest_ms, 5000, 3_600_000)
    if g.rest_between > 0 and c.rest_ms:
        update["rest_between"] = _clamp(g.rest_between + c.rest_ms, 5000, 3_600_000)
    return g.model_copy(update=update)


def progress(routine: Routine, change: Change) -> Routine:
    """``routine`` with ``change`` applied, counts and lengths kept within the model's limits."""
    if not change:
        return routine

    def block(b: Any) -> Any:
        if isinstance(b, Exercise):
            return _exercise(b, change, in_group=False)
        if isinstance(b, Group):
            return _group(b, change)
        if isinstance(b, Rest) and change.rest_ms:
            return b.model_copy(update={"rest": _clamp(b.rest + change.rest_ms, 5000, 3_600_000)})
        return b

    sections = tuple(
        s.model_copy(update={"blocks": tuple(block(b) for b in s.blocks)}) for s in routine.sections
    )
    blocks = tuple(block(b) for b in routine.blocks)
    pace = routine.pace
    if change.rest_ms:
        base = pace.rest if pace.rest is not None else 30_000
        pace = pace.model_copy(update={"rest": _clamp(base + change.rest_ms, 5000, 3_600_000)})
    return routine.model_copy(update={"sections": sections, "blocks": blocks, "pace": pace})


def layer(base: PaceOptions, top: PaceOptions | None) -> PaceOptions:
    """Command-line pace on top of a day's: given flags win; factors multiply."""
    if top is None:
        return base

    def pick(mine: Any, theirs: Any) -> Any:
        if isinstance(theirs, Scale) and isinstance(mine, int):
            return theirs.apply(mine)
        if isinstance(theirs, Scale) and isinstance(mine, Scale):
            return Scale(mine.factor * theirs.factor)
        return theirs if theirs is not None else mine

    return PaceOptions(
        # each factor is within 0.25..4, their product need not be: keep it where --pace is
        pace=min(max(base.pace * top.pace, 0.25), 4.0),
        rest=pick(base.rest, top.rest),
        breath=top.breath or base.breath,
        rep_tempo=pick(base.rep_tempo, top.rep_tempo),
        hold=top.hold or base.hold,
        countdown=top.countdown if top.countdown is not None else base.countdown,
        steps=base.steps and top.steps,
        speech_speed=top.speech_speed or base.speech_speed,
    )


_RESERVED = {"con", "prn", "aux", "nul"} | {f"{p}{n}" for p in ("com", "lpt") for n in range(10)}


def safe_name(text: str, *, limit: int = 60) -> str:
    """A file-name piece from any title: lowercase ASCII letters, digits and single dashes.

    Accents are folded (``Läufer`` -> ``laufer``) rather than dropped; separators, dots and
    anything else become dashes, so no name can climb out of its folder or hide as a dotfile;
    names Windows reserves (``con``, ``lpt1``) get a suffix.
    """
    folded = unicodedata.normalize("NFKD", text)
    out: list[str] = []
    for ch in folded.lower():
        if unicodedata.combining(ch):
            continue
        if ch.isascii() and ch.isalnum():
            out.append(ch)
        elif out and out[-1] != "-":
            out.append("-")
    name = "".join(out).strip("-")[:limit].strip("-")
    if not name:
        name = "track-" + hashlib.sha256(text.encode("utf-8", "replace")).hexdigest()[:8]
    if name in _RESERVED:
        name += "-track"
    return name
