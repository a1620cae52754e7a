"""Pace: flag value parsers and the precedence flags > routine ``pace:`` > built-in defaults."""

from __future__ import annotations

import pytest

from audiocoach.durations import DURATION_FORMS
from audiocoach.pace import (
    DEFAULT_BREATH,
    DEFAULT_COUNTDOWN,
    DEFAULT_HOLD_MS,
    DEFAULT_REP_TEMPO_MS,
    DEFAULT_REST_MS,
    DEFAULT_SWITCH_MS,
    PaceOptions,
    Scale,
    parse_bounded_duration,
    parse_breath_flag,
    parse_duration_or_scale,
    parse_factor,
    parse_hold,
    parse_rep_tempo,
    parse_rest,
    resolve,
)
from audiocoach.routine import Breath, Exercise, Pace

# --- parsers: accepted values ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "value"),
    [("1", 1.0), ("0.5", 0.5), ("x1.5", 1.5), ("X2", 2.0), (" 0.25 ", 0.25), ("4", 4.0)],
)
def test_parse_factor_accepts(text: str, value: float) -> None:
    assert parse_factor(text) == value


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("0", "pace must be from 0.25 to 4 (got '0')"),
        ("0.1", "must be from 0.25 to 4"),
        ("5", "must be from 0.25 to 4"),
        ("-1", "must be from 0.25 to 4"),
        ("nan", "must be from 0.25 to 4"),
        ("inf", "must be from 0.25 to 4"),
        ("fast", "expected a number like 0.8 or 1.5, got 'fast'"),
        ("", "expected a number like 0.8 or 1.5"),
        ("1e999", "must be from 0.25 to 4"),
    ],
)
def test_parse_factor_rejects(text: str, message: str) -> None:
    with pytest.raises(ValueError) as info:
        parse_factor(text)
    assert message in str(info.value)


def test_parse_factor_names_the_flag() -> None:
    with pytest.raises(ValueError, match=r"--speech-speed must be from 0.5 to 2"):
        parse_factor("3", low=0.5, high=2.0, what="--speech-speed")


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("45s", 45_000),
        ("45", 45_000),
        ("1m30s", 90_000),
        ("2m", 120_000),
        ("1.5s", 1500),
        ("0", 0),
        ("1h", 3_600_000),
        ("x0.5", Scale(0.5)),
        ("X2", Scale(2.0)),
        ("*1.5", Scale(1.5)),
        ("x0", Scale(0.0)),
    ],
)
def test_parse_duration_or_scale_accepts(text: str, value: int | Scale) -> None:
    assert parse_duration_or_scale(text) == value


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("soon", f"expected {DURATION_FORMS}, or a factor like x0.5; got 'soon'"),
        ("-5s", "or a factor like x0.5"),
        ("30 secs", "or a factor like x0.5"),
        ("", "or a factor like x0.5"),
        ("2h", "must be from 0s to 3600s (got '2h')"),
        ("x11", "the factor must be from 0 to 10"),
        ("x-1", "the factor must be from 0 to 10"),
        ("xfast", "expected a number like 0.8 or 1.5"),
    ],
)
def test_parse_duration_or_scale_rejects(text: str, message: str) -> None:
    with pytest.raises(ValueError) as info:
        parse_duration_or_scale(text)
    assert message in str(info.value)


def test_rep_tempo_bounds() -> None:
    assert parse_duration_or_scale("0.5s", low_ms=500, high_ms=60_000) == 500
    with pytest.raises(ValueError, match=r"must be from 0.5s to 60s"):
        parse_duration_or_scale("0.4s", low_ms=500, high_ms=60_000)
    with pytest.raises(ValueError, match=r"must be from 0.5s to 60s"):
        parse_duration_or_scale("2m", low_ms=500, high_ms=60_000)


@pytest.mark.parametrize(
    ("text", "breath"),
    [
        ("4:6", Breath(4000, 0, 6000, 0)),
        ("3:5", Breath(3000, 0, 5000, 0)),
        ("4:2:6:2", Breath(4000, 2000, 6000, 2000)),
        ("1.5:2.5", Breath(1500, 0, 2500, 0)),
        (" 4 : 6 ", Breath(4000, 0, 6000, 0)),
        ("4s:6s", Breath(4000, 0, 6000, 0)),
        ("4:0:4:0", Breath(4000, 0, 4000, 0)),
    ],
)
def test_parse_breath_flag_accepts(text: str, breath: Breath) -> None:
    assert parse_breath_flag(text) == breath


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("4", "expected inhale:exhale seconds like 4:6, or inhale:hold:exhale:hold like 4:2:6:2"),
        ("4-6", "expected inhale:exhale seconds like 4:6"),
        ("4:6:2", "expected inhale:exhale seconds like 4:6"),
        ("a:b", "expected inhale:exhale seconds like 4:6"),
        ("0:6", "inhale and exhale must each be 1 to 20 seconds"),
        ("4:30", "inhale and exhale must each be 1 to 20 seconds"),
        ("4:40:6:0", "breath holds must be at most 30 seconds"),
        ("", "expected inhale:exhale seconds like 4:6"),
    ],
)
def test_parse_breath_flag_rejects(text: str, message: str) -> None:
    with pytest.raises(ValueError) as info:
        parse_breath_flag(text)
    assert message in str(info.value)


def test_breath_str_round_trips() -> None:
    for text in ("4:6", "4:2:6:2", "1.5:2.5"):
        assert str(parse_breath_flag(text)) == text
        assert parse_breath_flag(str(parse_breath_flag(text))) == parse_breath_flag(text)


def test_parse_bounded_duration() -> None:
    assert parse_bounded_duration("45s", low_ms=5000, high_ms=600_000) == 45_000
    with pytest.raises(ValueError, match=r"must be from 5s to 600s \(got '2s'\)"):
        parse_bounded_duration("2s", low_ms=5000, high_ms=600_000)
    with pytest.raises(ValueError, match="expected a duration like 30s"):
        parse_bounded_duration("long", low_ms=5000, high_ms=600_000)


# --- precedence ----------------------------------------------------------------------------


ROUTINE_PACE = Pace.model_validate(
    {
        "breath": "3:5",
        "rep_tempo": "2s",
        "rest": "20s",
        "hold": "40s",
        "countdown": 5,
        "switch": "8s",
        "speech_speed": 0.8,
    }
)


def exercise(**fields) -> Exercise:
    return Exercise.model_validate({"exercise": "Move", **fields})


def test_defaults() -> None:
    s = resolve(Pace())
    assert s.breath == DEFAULT_BREATH == Breath(4000, 0, 6000, 0)
    assert s.rep_tempo_ms == DEFAULT_REP_TEMPO_MS == 3000
    assert s.rest_ms == DEFAULT_REST_MS == 30_000
    assert s.hold_ms == DEFAULT_HOLD_MS == 30_000
    assert s.countdown == DEFAULT_COUNTDOWN == 3
    assert s.switch_ms == DEFAULT_SWITCH_MS
    assert s.speech_speed == 1.0
    assert s.steps is True
    assert s.scale == 1.0
    assert s.tempo(exercise(reps=5)) == 3000
    assert s.rest(45_000) == 45_000
    assert s.work(30_000) == 30_000


def test_routine_pace_beats_defaults() -> None:
    s = resolve(ROUTINE_PACE)
    assert s.breath == Breath(3000, 0, 5000, 0)
    assert s.rep_tempo_ms == 2000
    assert s.rest_ms == 20_000
    assert s.hold_ms == 40_000
    assert s.countdown == 5
    assert s.switch_ms == 8000
    assert s.speech_speed == 0.8
    assert s.tempo(exercise(reps=5)) == 2000


def test_flags_beat_routine_pace() -> None:
    options = PaceOptions(
        breath=Breath(4000, 2000, 6000, 2000),
        rep_tempo=4000,
        rest=45_000,
        hold=60_000,
        countdown=0,
        steps=False,
        speech_speed=1.5,
    )
    s = resolve(ROUTINE_PACE, options)
    assert s.breath == Breath(4000, 2000, 6000, 2000)
    assert s.tempo(exercise(reps=5)) == 4000
    assert s.tempo(exercise(reps=5, tempo="1s")) == 4000
    assert s.rest(20_000) == 45_000
    assert s.hold_ms == 60_000
    assert s.countdown == 0  # zero is a value, not "unset"
    assert s.steps is False
    assert s.speech_speed == 1.5


def test_routine_zero_beats_default() -> None:
    s = resolve(Pace.model_validate({"countdown": 0, "rest": 0}))
    assert s.countdown == 0
    assert s.rest_ms == 0


def test_exercise_tempo_beats_routine_pace_but_not_flags() -> None:
    s = resolve(ROUTINE_PACE)
    assert s.tempo(exercise(reps=5, tempo="1.5s")) == 1500
    flagged = resolve(ROUTINE_PACE, PaceOptions(rep_tempo=Scale(2.0)))
    assert flagged.tempo(exercise(reps=5, tempo="1.5s")) == 3000  # scales the exercise's own
    assert flagged.tempo(exercise(reps=5)) == 4000  # scales the routine's


def test_exercise_breath_beats_routine_pace_but_not_flags() -> None:
    own = exercise(breaths=3, breath="5:5")
    assert resolve(ROUTINE_PACE).breath_for(own) == Breath(5000, 0, 5000, 0)
    assert resolve(ROUTINE_PACE).breath_for(exercise(breaths=3)) == Breath(3000, 0, 5000, 0)
    flagged = resolve(ROUTINE_PACE, PaceOptions(breath=Breath(4000, 0, 6000, 0)))
    assert flagged.breath_for(own) == Breath(4000, 0, 6000, 0)


def test_rest_override_and_scale() -> None:
    assert resolve(Pace(), PaceOptions(rest=45_000)).rest(10_000) == 45_000
    assert resolve(Pace(), PaceOptions(rest=Scale(0.5))).rest(30_000) == 15_000
    # a zero rest (between a superset's moves) stays zero whatever the flag says
    assert resolve(Pace(), PaceOptions(rest=45_000)).rest(0) == 0
    assert resolve(Pace(), PaceOptions(rest=Scale(2))).rest(0) == 0


def test_pace_scales_work_rest_tempo_and_hold_not_breath() -> None:
    s = resolve(ROUTINE_PACE, PaceOptions(pace=0.5))
    assert s.work(30_000) == 15_000
    assert s.work(1000) == 1000  # never below a second
    assert s.rest(20_000) == 10_000
    assert s.tempo(exercise(reps=5)) == 1000
    assert s.hold_ms == 20_000
    assert s.breath == Breath(3000, 0, 5000, 0)


def test_explicit_flags_are_not_scaled_again_by_pace() -> None:
    s = resolve(Pace(), PaceOptions(pace=0.5, hold=40_000, rest=45_000))
    assert s.hold_ms == 40_000
    assert s.rest(30_000) == 45_000


def test_tempo_has_a_floor() -> None:
    s = resolve(Pace(), PaceOptions(pace=0.25, rep_tempo=500))
    assert s.tempo(exercise(reps=5)) == 300


# --- a duration written another way gets the same hint on every flag as in a file ----------------

#: (the flag's parser, the flag) for every duration flag
DURATION_FLAGS = [
    (parse_rest, "--rest"),
    (parse_rep_tempo, "--rep-tempo"),
    (parse_hold, "--hold"),
]


@pytest.mark.parametrize(("parse", "flag"), DURATION_FLAGS, ids=[f for _, f in DURATION_FLAGS])
@pytest.mark.parametrize(
    ("text", "hint"),
    [
        ("1:30", "for 1:30 as minutes:seconds write 1m30s"),
        ("0:45", "for 0:45 as minutes:seconds write 45s"),
        ("10:00", "for 10:00 as minutes:seconds write 10m"),
        ("1:00:00", "for 1:00:00 as hours:minutes:seconds write 1h"),
        ("30 secs", "write 30s"),
        ("1 min 30 sec", "write 1m30s"),
        ("2 Minutes", "write 2m"),
    ],
)
def test_every_duration_flag_says_how_to_write_a_time_written_another_way(
    parse, flag: str, text: str, hint: str
) -> None:
    with pytest.raises(ValueError) as info:
        parse(text)
    assert str(info.value).endswith(f"got {text!r}; {hint}"), (flag, str(info.value))


@pytest.mark.parametrize(("parse", "flag"), DURATION_FLAGS, ids=[f for _, f in DURATION_FLAGS])
@pytest.mark.parametrize("text", ["soon", "4:6:8", "1h30", "30 furlongs", "1:75"])
def test_no_hint_where_no_time_is_meant(parse, flag: str, text: str) -> None:
    with pytest.raises(ValueError) as info:
        parse(text)
    assert "write" not in str(info.value), (flag, str(info.value))


@pytest.mark.parametrize(
    ("parse", "text", "message"),
    [
        (parse_rest, "5h", "must be from 0s to 3600s (got '5h')"),
        (parse_rest, "500h", "must be from 0s to 3600s (got '500h')"),
        (parse_rep_tempo, "5h", "must be from 0.5s to 60s (got '5h')"),
        (parse_hold, "5h", "must be from 5s to 600s (got '5h')"),
        (parse_hold, "99999999", "must be from 5s to 600s (got '99999999')"),
    ],
)
def test_a_flag_over_any_limit_is_told_its_own_range(parse, text: str, message: str) -> None:
    with pytest.raises(ValueError) as info:
        parse(text)
    assert str(info.value) == message


@pytest.mark.parametrize("flag", ["--hold", "--rest", "--rep-tempo"])
def test_the_cli_says_the_hint_for_a_clock_time(runner, write_routine, flag: str) -> None:
    from audiocoach.cli import cli

    path = write_routine("title: T\nblocks:\n  - exercise: Row\n    reps: 3\n")
    result = runner.invoke(cli, ["plan", str(path), "--estimate", flag, "1:30"])
    assert result.exit_code == 2, result.output
    assert flag in result.stderr
    assert "for 1:30 as minutes:seconds write 1m30s" in result.stderr
    assert "Traceback" not in result.stderr
