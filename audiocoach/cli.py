"""The command line: a thin click layer over the library.

This is the one place that turns errors into messages and exit codes: 2 for bad input (every
problem as ``file:line:col: key: message``), 1 for a failed run (one line), 0 otherwise. No
traceback reaches a user.
"""

from __future__ import annotations

import functools
import json
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

import click

from audiocoach import __version__
from audiocoach.durations import clock, format_duration
from audiocoach.errors import AudiocoachError, InputError
from audiocoach.estimate import estimator
from audiocoach.pace import (
    PaceOptions,
    parse_bounded_duration,
    parse_breath_flag,
    parse_duration_or_scale,
    parse_factor,
    resolve,
)
from audiocoach.routine import RoutineFile, load_routine
from audiocoach.schedule import ScheduleError, SpeechMs, schedule
from audiocoach.timeline import Timeline

F = TypeVar("F", bound=Callable[..., Any])


def _converter(parse: Callable[[str], Any]) -> Callable[[click.Context, click.Parameter, Any], Any]:
    def callback(ctx: click.Context, param: click.Parameter, value: Any) -> Any:
        if value is None:
            return None
        try:
            return parse(value)
        except ValueError as exc:
            raise click.BadParameter(str(exc)) from None

    return callback


def pace_options(func: F) -> F:
    """The pace flags shared by every command that schedules."""
    options = [
        click.option(
            "--pace",
            "pace_factor",
            default="1",
            metavar="FACTOR",
            callback=_converter(lambda v: parse_factor(v, low=0.25, high=4.0, what="--pace")),
            help="Scale work and rest together (0.5 = half as long). Breaths are not scaled.",
        ),
        click.option(
            "--rest",
            metavar="DURATION|xFACTOR",
            callback=_converter(parse_duration_or_scale),
            help="Every rest this long (45s), or scaled (x0.5). Zero rests stay zero.",
        ),
        click.option(
            "--breath",
            metavar="IN:OUT|IN:HOLD:OUT:HOLD",
            callback=_converter(parse_breath_flag),
            help="Breath pattern in seconds, e.g. 4:6 or 4:2:6:2.",
        ),
        click.option(
            "--rep-tempo",
            metavar="SECONDS|xFACTOR",
            callback=_converter(lambda v: parse_duration_or_scale(v, low_ms=500, high_ms=60_000)),
            help="Seconds per rep for every rep exercise (3s), or scaled (x0.8).",
        ),
        click.option(
            "--hold",
            metavar="DURATION",
            callback=_converter(lambda v: parse_bounded_duration(v, low_ms=5000, high_ms=600_000)),
            help="Length of open holds ('as long as comfortable'). Default 30s.",
        ),
        click.option(
            "--countdown",
            type=click.IntRange(0, 10),
            default=None,
            help="Seconds counted down before and at the end of timed work (0 = none).",
        ),
        click.option(
            "--no-steps",
            is_flag=True,
            help="Skip the spoken step-by-step instructions (for people who know the moves).",
        ),
        click.option(
            "--speech-speed",
            metavar="FACTOR",
            callback=_converter(
                lambda v: parse_factor(v, low=0.5, high=2.0, what="--speech-speed")
            ),
            help="Speech speed, 0.5 to 2.0 (1.0 normal). Changes timing too.",
        ),
    ]
    for option in reversed(options):
        func = option(func)
    return func


def _pace_from(kwargs: dict[str, Any]) -> PaceOptions:
    return PaceOptions(
        pace=kwargs.pop("pace_factor"),
        rest=kwargs.pop("rest"),
        breath=kwargs.pop("breath"),
        rep_tempo=kwargs.pop("rep_tempo"),
        hold=kwargs.pop("hold"),
        countdown=kwargs.pop("countdown"),
        steps=not kwargs.pop("no_steps"),
        speech_speed=kwargs.pop("speech_speed"),
    )


def handle_errors(func: F) -> F:
    """Map library errors to messages and exit codes; the only try/except around commands."""

    @functools.wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return func(*args, **kwargs)
        except InputError as exc:
            click.echo(exc.text, err=True)
            sys.exit(2)
        except AudiocoachError as exc:
            click.echo(f"error: {exc}", err=True)
            sys.exit(exc.exit_code)
        except KeyboardInterrupt:
            click.echo("interrupted; nothing was written", err=True)
            sys.exit(130)

    return wrapper  # type: ignore[return-value]


def plan_timeline(rf: RoutineFile, pace: PaceOptions, speech_ms: SpeechMs) -> Timeline:
    """Schedule a loaded routine, turning scheduling problems into located input errors."""
    try:
        return schedule(rf.routine, pace, speech_ms)
    except ScheduleError as exc:
        raise InputError([rf.issue(exc.path, exc.message)]) from None


@click.group(context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100})
@click.version_option(__version__, prog_name="audiocoach")
def cli() -> None:
    """Turn a workout routine file into a voice-guided audio track."""


@cli.command()
@click.argument("files", nargs=-1, required=True, type=click.Path(path_type=Path))
@handle_errors
def validate(files: tuple[Path, ...]) -> None:
    """Check routine files; print every problem as file:line:col: key: message."""
    problems: list[str] = []
    for path in files:
        try:
            rf = load_routine(path)
            timeline = plan_timeline(rf, PaceOptions(), estimator())
        except InputError as exc:
            problems.append(exc.text)
            continue
        click.echo(
            f"ok: {path}: {rf.routine.title} (about {format_duration(timeline.duration_ms)})"
        )
    if problems:
        click.echo("\n".join(problems), err=True)
        sys.exit(2)


@cli.command()
@click.argument("routine", type=click.Path(path_type=Path))
@pace_options
@click.option("--json", "as_json", is_flag=True, help="Print the timeline as JSON (the contract).")
@click.option(
    "--estimate",
    is_flag=True,
    help="Size speech with a quick estimate instead of real synthesized lengths.",
)
@handle_errors
def plan(routine: Path, as_json: bool, estimate: bool, **kwargs: Any) -> None:
    """Show what a routine will sound like: time, phase and what is heard."""
    pace = _pace_from(kwargs)
    rf = load_routine(routine)
    settings = resolve(rf.routine.pace, pace)
    speech_ms = estimator(settings.speech_speed)
    _ = estimate
    timeline = plan_timeline(rf, pace, speech_ms)
    if as_json:
        click.echo(json.dumps(timeline.to_json(), indent=2, ensure_ascii=False))
        return
    click.echo(format_plan(timeline))


def format_plan(timeline: Timeline) -> str:
    """A readable table: one row per phase with what is said in it; a run of breaths is one row."""
    breath_kinds = {"breath-in", "breath-out", "breath-hold"}
    rows: list[list[Any]] = []  # [start, kind, label, said, breaths]
    speech = list(timeline.speech())
    index = 0
    for phase in timeline.phases:
        said = []
        while index < len(speech) and speech[index].at_ms < phase.end_ms:
            if speech[index].role not in ("countdown", "count", "breath"):
                said.append(speech[index].text or "")
            index += 1
        if phase.kind in breath_kinds:
            label = phase.label.split(": breath")[0]
            if rows and rows[-1][1] == "breath" and rows[-1][2] == label:
                rows[-1][3] += said
                rows[-1][4] += phase.kind == "breath-in"
                continue
            rows.append([phase.start_ms, "breath", label, said, 1])
            continue
        rows.append([phase.start_ms, phase.kind, phase.label, said, 0])
    lines = [timeline.title, "", f"{'time':>8}  {'phase':<11} {'what':<38} heard"]
    for start, kind, label, said, breaths in rows:
        detail = " ".join(said)
        if kind == "breath":
            label = f"{label} ({breaths} breath{'s' if breaths != 1 else ''})"
        lines.append(f"{clock(start):>8}  {kind:<11} {label[:38]:<38} {detail}".rstrip())
    lines.append("")
    lines.append(f"Total {clock(timeline.duration_ms)} ({format_duration(timeline.duration_ms)})")
    lines.append("Chapters: " + ", ".join(c.title for c in timeline.chapters))
    lines += [f"note: {note}" for note in timeline.dropped]
    return "\n".join(lines)


def main() -> None:
    cli(prog_name="audiocoach")
