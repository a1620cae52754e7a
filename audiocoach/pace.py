"""Pace: how fast a routine runs, from built-in defaults, the routine's own ``pace:`` and CLI flags.

Precedence is flags > routine > defaults. Overrides are whole-routine: ``--rest 45s`` makes every
rest that exists 45 s (a superset's zero rest between exercises stays zero, since that is what makes
it a superset); ``--rest x0.5`` halves them. ``--pace`` scales work and rest together but leaves
breaths alone: a breath is a body rhythm, not a timer (change it with ``--breath``).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from audiocoach.durations import (
    DURATION_FORMS,
    TooLong,
    duration_hint,
    parse_duration,
)
from audiocoach.errors import shown
from audiocoach.routine import Breath, Exercise, parse_breath
from audiocoach.routine import Pace as RoutinePace

DEFAULT_BREATH = Breath(4000, 0, 6000, 0)  # six breaths a minute: slow, calming, easy to follow
DEFAULT_REP_TEMPO_MS = 3000
DEFAULT_REST_MS = 30_000
DEFAULT_HOLD_MS = 30_000
DEFAULT_COUNTDOWN = 3
DEFAULT_SWITCH_MS = 5000
DEFAULT_CHECK_MS = 20_000


@dataclass(frozen=True, slots=True)
class Scale:
    """``x0.5``: multiply the routine's own value instead of replacing it."""

    factor: float

    def apply(self, ms: int) -> int:
        return round(ms * self.factor)


@dataclass(frozen=True, slots=True)
class PaceOptions:
    """What the user asked for on the command line; ``None`` means "as the routine says"."""

    pace: float = 1.0
    rest: int | Scale | None = None
    breath: Breath | None = None
    rep_tempo: int | Scale | None = None
    hold: int | None = None
    countdown: int | None = None
    steps: bool = True
    speech_speed: float | None = None


@dataclass(frozen=True, slots=True)
class Settings:
    """The resolved pace the scheduler works from."""

    scale: float
    breath: Breath
    rep_tempo_ms: int
    rest_ms: int
    hold_ms: int
    countdown: int
    switch_ms: int
    speech_speed: float
    steps: bool
    rest_override: int | Scale | None
    breath_override: bool
    tempo_override: int | Scale | None

    def work(self, ms: int) -> int:
        """A timed work length after ``--pace``."""
        return max(1000, round(ms * self.scale))

    def rest(self, ms: int) -> int:
        """A rest length after ``--rest`` and ``--pace``; zero stays zero."""
        if ms <= 0:
            return 0
        if isinstance(self.rest_override, int):
            return self.rest_override
        if isinstance(self.rest_override, Scale):
            ms = self.rest_override.apply(ms)
        return round(ms * self.scale)

    def tempo(self, exercise: Exercise) -> int:
        base = exercise.tempo if exercise.tempo is not None else self.rep_tempo_ms
        if isinstance(self.tempo_override, int):
            base = self.tempo_override
        elif isinstance(self.tempo_override, Scale):
            base = self.tempo_override.apply(base)
        return max(300, round(base * self.scale))

    def breath_for(self, exercise: Exercise) -> Breath:
        if self.breath_override or exercise.breath is None:
            return self.breath
        return exercise.breath


def resolve(routine_pace: RoutinePace, options: PaceOptions | None = None) -> Settings:
    """Merge defaults, the routine's ``pace:`` block and CLI options."""
    o = options or PaceOptions()
    r = routine_pace
    return Settings(
        scale=o.pace,
        breath=o.breath or r.breath or DEFAULT_BREATH,
        rep_tempo_ms=r.rep_tempo or DEFAULT_REP_TEMPO_MS,
        rest_ms=r.rest if r.rest is not None else DEFAULT_REST_MS,
        hold_ms=round((o.hold or r.hold or DEFAULT_HOLD_MS) * (1.0 if o.hold else o.pace)),
        countdown=o.countdown
        if o.countdown is not None
        else (r.countdown if r.countdown is not None else DEFAULT_COUNTDOWN),
        switch_ms=r.switch if r.switch is not None else DEFAULT_SWITCH_MS,
        speech_speed=o.speech_speed or r.speech_speed or 1.0,
        steps=o.steps,
        rest_override=o.rest,
        breath_override=o.breath is not None,
        tempo_override=o.rep_tempo,
    )


# --- parsing flag values (each raises ValueError with the accepted form) -----------------------


def parse_factor(text: str, *, low: float = 0.25, high: float = 4.0, what: str = "pace") -> float:
    try:
        value = float(text.strip().lstrip("xX"))
    except ValueError:
        raise ValueError(f"expected a number like 0.8 or 1.5, got {shown(text)}") from None
    if not math.isfinite(value) or not low <= value <= high:
        raise ValueError(f"{what} must be from {low:g} to {high:g} (got {shown(text)})")
    return value


def _flag_duration(text: str, forms: str) -> int:
    """``parse_duration`` for a flag's value: the flag's accepted ``forms`` in the message, and
    the same hint a file gets for a clock-style time (``--hold 1:30``: write 1m30s)."""
    try:
        return parse_duration(text.strip())
    except TooLong:
        raise
    except ValueError:
        hint = duration_hint(text)
        raise ValueError(
            f"expected {forms}; got {shown(text)}" + (f"; {hint}" if hint else "")
        ) from None


def _within(ms: int, text: str, low_ms: int, high_ms: int) -> int:
    if not low_ms <= ms <= high_ms:
        raise ValueError(
            f"must be from {low_ms / 1000:g}s to {high_ms / 1000:g}s (got {shown(text)})"
        )
    return ms


def parse_duration_or_scale(text: str, *, low_ms: int = 0, high_ms: int = 3_600_000) -> int | Scale:
    """``45s`` (replace) or ``x0.5`` (scale); ``ValueError`` saying the forms taken."""
    stripped = text.strip()
    if stripped[:1] in ("x", "X", "*"):
        return Scale(parse_factor(stripped[1:], low=0.0, high=10.0, what="the factor"))
    try:
        ms = _flag_duration(stripped, f"{DURATION_FORMS}, or a factor like x0.5")
    except TooLong:
        ms = high_ms + 1  # said as this flag's own range
    return _within(ms, text, low_ms, high_ms)


def parse_breath_flag(text: str) -> Breath:
    return parse_breath(text)


def parse_bounded_duration(text: str, *, low_ms: int, high_ms: int) -> int:
    """A duration from ``low_ms`` to ``high_ms``; ``ValueError`` saying the form or the range."""
    try:
        ms = _flag_duration(text, DURATION_FORMS)
    except TooLong:
        ms = high_ms + 1
    return _within(ms, text, low_ms, high_ms)


# One parser per pace setting, with its limits: the flags and a program day's ``pace:`` share
# them, so a value refused on the command line is refused in a file too.


def parse_pace(text: str, *, what: str = "pace") -> float:
    return parse_factor(text, low=0.25, high=4.0, what=what)


def parse_rest(text: str) -> int | Scale:
    return parse_duration_or_scale(text)


def parse_rep_tempo(text: str) -> int | Scale:
    return parse_duration_or_scale(text, low_ms=500, high_ms=60_000)


def parse_hold(text: str) -> int:
    return parse_bounded_duration(text, low_ms=5000, high_ms=600_000)


def parse_speech_speed(text: str, *, what: str = "speech speed") -> float:
    return parse_factor(text, low=0.5, high=2.0, what=what)
