"""Weekly programs: which routine on which day, for how many weeks, and how it progresses.

Progression follows the idea of wger's per-iteration rules: each rule says *what* changes (sets,
reps, holds, rests, breaths, or a deload that scales a week back) and *when* (every N weeks from a
start week, cumulatively, or only in listed weeks). A week's routine is the file's routine with the
week's changes applied to the model, so the scheduler, the render and the tests all see an ordinary
routine: week 3's chin-ups are simply ``sets: 5``. A week's ``Change`` is described per routine by
what it changes there (``Change.on``), and a rule that can change nothing in any week or routine
of the program is refused where it is written, with the program's other problems.
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
    TypeAdapter,
    ValidationError,
    WithJsonSchema,
    model_validator,
)

from audiocoach import schema
from audiocoach.durations import (
    DURATION_FORMS,
    TooLong,
    duration_hint,
    format_duration,
    parse_duration,
)
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
from audiocoach.phrasebook import phrasebook_for
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
from audiocoach.yamlsource import Source, SourceError, as_written, read_source

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
    """``+5s``, ``-5s``, ``5`` (seconds): a change to a length, of at most 10 minutes a step."""
    too_much = "a change of more than 10 minutes a step is surely a mistake"
    if isinstance(value, str):
        text = value.strip()
        sign = -1 if text.startswith("-") else 1
        bare = text.lstrip("+-").strip()
        try:
            ms = parse_duration(bare)
        except TooLong:
            raise ValueError(too_much) from None
        except ValueError:
            hint = duration_hint(bare)
            if hint:
                hint = "; " + hint.replace(" write ", " write " + ("-" if sign < 0 else "+"))
            raise ValueError(
                f"expected a change like +5s or -10s ({DURATION_FORMS}){hint or ''}"
            ) from None
        if ms > 600_000:
            raise ValueError(too_much)
        return sign * ms
    if isinstance(value, int | float) and not isinstance(value, bool) and math.isfinite(value):
        if abs(value) > 600:
            raise ValueError(too_much)
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
        return any(_same_routine(r, routine_path) for r in self.routines)


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

    def on(self, routine: Routine) -> Change:
        """This change less the parts that change nothing in ``routine`` (``+1 set`` where no
        exercise has more than one set and no superset more than one round): the plan and the
        manifest then describe what a week really changes."""
        return Change(
            sets=self.sets if changes(routine, "sets") else 0,
            reps=self.reps if changes(routine, "reps") else 0,
            hold_ms=self.hold_ms if changes(routine, "holds") else 0,
            rest_ms=self.rest_ms if changes(routine, "rests") else 0,
            breaths=self.breaths if changes(routine, "breaths") else 0,
            scale=self.scale if changes(routine, "deload") else 1.0,
        )

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
        """``Wednesday: Day B``, the day named in the track's language (``Mittwoch: Tag B``):
        the title a player shows, and the playlists list."""
        day = phrasebook_for(self.routine.language).weekday(DAYS.index(self.day))
        return f"{day}: {self.routine.title}"

    def week_name(self) -> str:
        """``week 2`` in the track's language (``Woche 2``), for its album and playlists."""
        return phrasebook_for(self.routine.language).say("label.week", n=self.week)


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
                change = self.change(week, plan.routine).on(rf.routine)
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
    try:
        source = read_source(path, what="program")
    except SourceError as exc:  # a duplicate key: the program's other problems are listed too
        raise exc.with_checks(program_from) from None
    if isinstance(source.data, dict) and "days" not in source.data:
        for key in ("blocks", "sections"):
            if key in source.data:
                message = "this is a routine, not a weekly program (it has no days:); use render"
                raise InputError([source.issue((key,), message, key=True)])
    return program_from(source)


def program_from(source: Source) -> ProgramFile:
    """Validate a loaded program and load every routine it names: every problem at once.

    The program's own problems (its keys, its days, a missing routine file, a progression rule
    that names a week or a routine the program does not have, or changes nothing) come first,
    in line order, then each routine file's own, file by file in the order of the week. A typo
    in one place never hides a problem in another: the routine files are looked for and the
    rules checked from what the file says even when its keys are wrong.
    """
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
    program: Program | None = None
    try:
        program = Program.model_validate(source.data)
    except ValidationError as exc:
        issues += issues_from(exc, source, Program)
    named = {day: _routine_named(days_raw[key]) for day, key in day_keys.items()}
    routines, loaded_issues = _load_routines(source, day_keys, named, issues)
    issues += _rule_issues(source, named, routines)
    issues.sort(key=lambda issue: (issue.line, issue.col))
    issues += loaded_issues
    if issues or program is None:
        raise InputError(issues)
    return ProgramFile(program, source, routines, {d: k.strip() for d, k in day_keys.items()})


def _routine_named(value: object) -> str | None:
    """The routine file a day names, read from the file as written (None: a rest day, or a
    day the model refuses, which says why)."""
    try:
        day = _day(value)
    except ValueError:
        return None
    routine = day.get("routine") if isinstance(day, dict) else None
    if isinstance(routine, int | float) and not isinstance(routine, bool):
        routine = as_written(routine)
    if isinstance(routine, str) and routine.strip():
        return routine.strip()
    return None


def _load_routines(
    source: Source,
    day_keys: dict[str, str],
    named: dict[str, str | None],
    issues: list[Issue],
) -> tuple[dict[str, RoutineFile], list[Issue]]:
    """Each day's routine, loaded once per file. A missing file is added to ``issues`` (it is
    the program's problem, at its day); the problems inside routine files are returned."""
    routines: dict[str, RoutineFile] = {}
    inside: list[Issue] = []
    loaded: dict[Path, RoutineFile | None] = {}
    base = Path(source.file).parent
    for day, key in day_keys.items():
        name = named[day]
        if name is None:
            continue
        target = base / name
        if target not in loaded:
            if not _is_file(target):
                where = (
                    ("days", key)
                    if not isinstance(source.data["days"][key], dict)
                    else (
                        "days",
                        key,
                        "routine",
                    )
                )
                shown = name if len(name) <= 100 else name[:97] + "..."
                looked = "".join(c if c.isprintable() else "?" for c in str(target))
                looked = looked if len(looked) <= 200 else looked[:197] + "..."
                hint = _nearest_file(name, target)
                issues.append(
                    source.issue(where, f"no routine file {shown!r} (looked for {looked}){hint}")
                )
                loaded[target] = None
                continue
            try:
                loaded[target] = load_routine(target)
            except InputError as exc:
                inside.extend(exc.issues)
                loaded[target] = None
        found = loaded[target]
        if found is not None:
            routines[day] = found
    return routines, inside


#: What each kind of change applies to, as a message says it (the rules of ``progress``).
TARGETS = {
    "sets": "exercises with more than one set and supersets or circuits of more than one round",
    "reps": "exercises counted in reps",
    "holds": "timed holds (duration: a length; not open, not breath-paced)",
    "rests": "rests between sets or rounds (not 0s) and rest blocks",
    "breaths": "holds counted in breaths (breaths:)",
    "deload": "sets, reps, timed holds or breaths",
}


def changes(routine: Routine, what: str) -> bool:
    """Whether a change of ``what`` (a key of ``TARGETS``) alters anything in ``routine``.

    Mirrors ``progress``: sets change only exercises of more than one set (a single set is a
    move done once, not a set to add to) and rounds of more than one; rests change only rests
    that exist (a superset's 0 s between exercises stays 0).
    """
    blocks = [b for section in routine.parts for b in section.blocks]
    single = [b for b in blocks if isinstance(b, Exercise)]
    groups = [b for b in blocks if isinstance(b, Group)]
    every = list(routine.exercises())
    if what == "sets":
        return any(e.sets > 1 for e in single) or any(g.rounds > 1 for g in groups)
    if what == "reps":
        return any(e.reps is not None for e in every)
    if what == "breaths":
        return any(e.breaths is not None for e in every)
    if what == "holds":
        return any(isinstance(e.duration, int) and e.breathe is None for e in every)
    if what == "rests":
        return (
            any(isinstance(b, Rest) for b in blocks)
            or any(e.sets > 1 and (e.rest is None or e.rest > 0) for e in single)
            or any(g.rounds > 1 and (g.rest is None or g.rest > 0) for g in groups)
            or any(g.rest_between > 0 for g in groups)
        )
    if what == "deload":
        return any(changes(routine, k) for k in ("sets", "reps", "holds", "breaths"))
    raise ValueError(f"no such change: {what!r}")


def _rule_issues(
    source: Source, named: dict[str, str | None], routines: dict[str, RoutineFile]
) -> list[Issue]:
    """A rule that can never apply, each at the key to change: a week the program does not
    have, a routine that is not one of its days, a change that changes nothing in every
    routine the rule applies to.

    Read from the file as written, rule by rule, so these are found along with any typo
    elsewhere; a rule the model refuses is left to its message.
    """
    data = source.data
    raw_rules = data.get("progression")
    if not isinstance(raw_rules, list):
        return []
    weeks: int | None = Program.model_fields["weeks"].default
    try:
        if "weeks" in data:
            weeks = TypeAdapter(Weeks).validate_python(data["weeks"])
    except ValidationError:
        weeks = None  # the model says what is wrong with it
    if any(
        key not in Program.model_fields and closest(str(key), Program.model_fields) == "weeks"
        for key in data
    ):
        weeks = None  # wekes: 4 means weeks, not the default of 1: judge no rule by it
    days = {day: name for day, name in named.items() if name is not None}
    days_raw = data.get("days")
    # every routine the file names, a misspelt day's too: a rule for it is no mistake of its own
    written = (
        [n for n in map(_routine_named, days_raw.values()) if n]
        if isinstance(days_raw, dict)
        else []
    )
    # whether each day is known, so a rule's routines can be judged by what they hold
    whole = isinstance(days_raw, dict) and len(named) == len(days_raw)
    issues: list[Issue] = []
    for i, raw in enumerate(raw_rules):
        try:
            rule = Rule.model_validate(raw)
        except ValidationError:
            continue
        at: tuple[str | int, ...] = ("progression", i)
        if weeks is not None:
            issues += _rule_weeks(source, at, rule, weeks)
        if isinstance(days_raw, dict):
            issues += _rule_routines(source, at, rule, written)
        applies = [d for d, name in days.items() if rule.applies_to(name)]
        if not whole or not applies or any(d not in routines for d in applies):
            continue  # a day misspelt, no routine to judge by, or one that did not load
        for key, value in (
            ("sets", rule.sets),
            ("reps", rule.reps),
            ("holds", rule.holds),
            ("rests", rule.rests),
            ("breaths", rule.breaths),
            ("deload", rule.deload),
        ):
            if value and not any(changes(routines[d].routine, key) for d in applies):
                issues.append(_changes_nothing(source, (*at, key), key, applies, days))
    return issues


def _rule_weeks(source: Source, at: tuple[str | int, ...], rule: Rule, weeks: int) -> list[Issue]:
    have = f"this program, which has {_weeks_of(weeks)}"
    if rule.weeks is not None:
        return [
            source.issue(
                (*at, "weeks", j),
                f"week {week} is outside {have}; list weeks from 1 to {weeks} "
                f"(or make the program longer: weeks: {week})",
            )
            for j, week in enumerate(rule.weeks)
            if week > weeks
        ]
    assert rule.every is not None
    if rule.start > weeks:
        return [
            source.issue(
                (*at, "start"),
                f"week {rule.start} is outside {have}; start from a week from 1 to {weeks}",
            )
        ]
    first = rule.start + rule.every
    if first > weeks:
        latest = weeks - rule.start
        if latest > 1:
            fix = f"every: {latest} or less from week {rule.start}"
        elif latest == 1:
            fix = f"every: 1 from week {rule.start}"
        elif weeks > 2:
            fix = f"start: {weeks - 1} or earlier"
        elif weeks == 2:
            fix = "start: 1"
        else:
            fix = "weeks: 2 or more (a change comes in the weeks after the one it starts from)"
        return [
            source.issue(
                (*at, "every"),
                f"every: {rule.every} from week {rule.start} first changes week {first}, "
                f"outside {have}, so the rule never applies; use {fix}",
            )
        ]
    return []


def _weeks_of(weeks: int) -> str:
    return "1 week" if weeks == 1 else f"weeks 1-{weeks}"


def _rule_routines(
    source: Source, at: tuple[str | int, ...], rule: Rule, written: list[str]
) -> list[Issue]:
    if not rule.routines:
        return []
    names = list(dict.fromkeys(Path(name).name for name in written))
    issues = []
    for j, wanted in enumerate(rule.routines):
        if any(_same_routine(wanted, name) for name in written):
            continue
        # by stem, so the shared ".yaml" does not make any two names look alike
        stems = {Path(name).stem: name for name in names}
        close = stems.get(closest(Path(wanted).stem, stems) or "")
        hint = f"did you mean {close!r}? " if close else ""
        listed = ", ".join(names) if names else "none (every day is a rest day)"
        issues.append(
            source.issue(
                (*at, "routines", j),
                f"{wanted!r} is not a routine of this program's days; {hint}"
                f"the days' routines are: {listed}",
            )
        )
    return issues


def _same_routine(wanted: str, routine_path: str) -> bool:
    """Whether a rule's ``routines:`` entry names ``routine_path`` (by file name or stem)."""
    name = Path(routine_path).name
    return Path(wanted).name == name or Path(wanted).stem == Path(name).stem


def _changes_nothing(
    source: Source,
    path: tuple[str | int, ...],
    key: str,
    applies: list[str],
    days: dict[str, str],
) -> Issue:
    files = list(dict.fromkeys(Path(days[d]).name for d in applies))
    which = f"{files[0]} has none" if len(files) == 1 else f"none of {', '.join(files)} has any"
    scalar = source.scalars.get(path)
    written = f"{key}: {scalar.text}" if scalar is not None else key
    return source.issue(
        path,
        f"{written} changes nothing: it applies to {TARGETS[key]}, and {which}; "
        "remove it, or limit the rule (routines:) to a routine that has some",
    )


def _nearest_file(name: str, target: Path) -> str:
    """ "; did you mean ...?" for a day's missing routine file: a rest word (``rets``) or a
    routine file beside where it was looked for (``upper-back-yoga.yml``, ``yoga.yaml``)."""
    rest = closest(name, REST_WORDS)
    if rest:
        return f"; did you mean {rest!r} (a rest day)?"
    try:
        folder = target.parent
        found = []
        for entry in folder.iterdir():
            if entry.suffix.lower() in (".yaml", ".yml") and len(found) < 500:
                found.append(entry.name)
    except OSError:
        return ""
    stems = {Path(entry).stem: entry for entry in found}
    close = stems.get(target.name) or closest(target.name, found)
    if close is None:
        return ""
    written = str(Path(name).parent / close) if Path(name).parent != Path() else close
    return f"; did you mean {written!r}?"


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
