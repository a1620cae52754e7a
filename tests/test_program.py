"""Weekly programs: validation with located messages, progression through the timelines, plan."""

from __future__ import annotations

from pathlib import Path

import pytest
from shipped import WEEK

from audiocoach.cli import cli
from audiocoach.errors import InputError
from audiocoach.pace import PaceOptions, Scale
from audiocoach.program import Change, load_program, parse_weeks, progress, safe_name
from audiocoach.schedule import schedule

TINY = """\
title: Tiny {n}
blocks:
  - exercise: Plank {n}
    duration: 20s
    sets: 2
    rest: 20s
  - exercise: Rows
    reps: 4
  - exercise: Breathe
    breaths: 2
"""


def _work(timeline, exercise):
    return [p for p in timeline.phases if p.kind == "work" and p.exercise == exercise]


def test_week_program_loads_with_three_strength_days_and_rest_days() -> None:
    pf = load_program(WEEK)
    assert pf.program.weeks == 4
    rest_days = [
        d for d in ("mon", "tue", "wed", "thu", "fri", "sat", "sun") if d not in pf.routines
    ]
    assert rest_days == ["fri", "sun"]
    strength = {"upper-body-strength", "upper-body-supersets", "upper-body-power"}
    assert {Path(rf.file).stem for rf in pf.routines.values()} >= strength


def test_week_two_differs_from_week_one_exactly_as_the_rules_say(fake_speech) -> None:
    pf = load_program(WEEK)
    one, two, three = ({t.day: t for t in pf.tracks(range(w, w + 1))} for w in (1, 2, 3))
    # holds +5 s a week: the supersets' 30 s mobility holds become 35 s in week 2
    t1 = schedule(one["wed"].routine, one["wed"].pace, fake_speech)
    t2 = schedule(two["wed"].routine, two["wed"].pace, fake_speech)
    assert [p.duration_ms for p in _work(t1, "Thread the Needle")] == [30_000, 30_000]
    assert [p.duration_ms for p in _work(t2, "Thread the Needle")] == [35_000, 35_000]
    # rests -5 s a week: the strength day's 30 s rests become 25 s
    s1 = schedule(one["mon"].routine, one["mon"].pace, fake_speech)
    s2 = schedule(two["mon"].routine, two["mon"].pace, fake_speech)
    assert {p.duration_ms for p in s1.phases if p.kind == "rest"} == {30_000}
    assert {p.duration_ms for p in s2.phases if p.kind == "rest"} == {25_000}
    # breaths +1 a week: Locust holds 5 breaths, then 6
    y1 = schedule(one["tue"].routine, one["tue"].pace, fake_speech)
    y2 = schedule(two["tue"].routine, two["tue"].pace, fake_speech)
    inhales = lambda t: [p for p in t.phases if p.exercise == "Locust" and p.kind == "breath-in"]  # noqa: E731
    assert (len(inhales(y1)), len(inhales(y2))) == (5, 6)
    # sets +1 every two weeks: chin-ups 4 sets in weeks 1-2, 5 in week 3
    s3 = schedule(three["mon"].routine, three["mon"].pace, fake_speech)
    assert [len(_work(t, "Chin-Up")) for t in (s1, s2, s3)] == [4, 4, 5]
    # the week's change as it applies to each day: the strength day holds no breaths, so the
    # rule "breaths +1" changes nothing there and is not described; the yoga day has breaths
    # but no timed holds and no rests
    assert two["mon"].change == Change(hold_ms=5000, rest_ms=-5000)
    assert two["tue"].change == Change(breaths=1)
    assert two["mon"].change.describe() == "holds +5s, rests -5s"


def test_deload_week_scales_back() -> None:
    pf = load_program(WEEK)
    week3 = {t.day: t for t in pf.tracks(range(3, 4))}
    week4 = {t.day: t for t in pf.tracks(range(4, 5))}
    chin3 = next(e for e in week3["mon"].routine.exercises() if e.exercise == "Chin-Up")
    chin4 = next(e for e in week4["mon"].routine.exercises() if e.exercise == "Chin-Up")
    assert week4["mon"].change.scale == pytest.approx(0.7)
    assert (chin3.sets, chin3.reps) == (5, 5)
    assert (chin4.sets, chin4.reps) == (round(5 * 0.7), round(5 * 0.7))


def test_progress_keeps_model_limits() -> None:
    pf = load_program(WEEK)
    routine = pf.routines["mon"].routine
    huge = progress(routine, Change(sets=10, reps=10, hold_ms=10_000, rest_ms=-60_000))
    assert all(e.sets <= 20 for e in huge.exercises())
    short = progress(routine, Change(rest_ms=-600_000))
    assert all(e.rest is None or e.rest >= 5000 for e in short.exercises())


def test_cli_pace_applies_on_top_of_the_day(fake_speech) -> None:
    pf = load_program(WEEK)
    sat = next(t for t in pf.tracks(range(1, 2)) if t.day == "sat")
    # the program's Saturday scales rests by 1.3; --rest 20s on the command line replaces them
    flagged = next(t for t in pf.tracks(range(1, 2), PaceOptions(rest=20_000)) if t.day == "sat")
    rests = {
        p.duration_ms
        for p in schedule(sat.routine, sat.pace, fake_speech).phases
        if p.kind == "rest"
    }
    assert rests == {round(45_000 * 1.3), round(60_000 * 1.3)}
    flagged_rests = {
        p.duration_ms
        for p in schedule(flagged.routine, flagged.pace, fake_speech).phases
        if p.kind == "rest"
    }
    assert flagged_rests == {20_000}
    # factors multiply: the day's x1.3 under --rest x0.5 is x0.65 of the routine's own rests
    halved = next(t for t in pf.tracks(range(1, 2), PaceOptions(rest=Scale(0.5))) if t.day == "sat")
    halved_rests = {
        p.duration_ms
        for p in schedule(halved.routine, halved.pace, fake_speech).phases
        if p.kind == "rest"
    }
    assert halved_rests == {round(45_000 * 0.65), round(60_000 * 0.65)}


def test_day_pace_has_the_flags_limits_and_names_each_mistake(tmp_path: Path) -> None:
    path = _program(
        tmp_path,
        "title: P\ndays:\n  mon:\n    routine: tiny1.yaml\n    pace:\n"
        "      rets: 30s\n      rep_tempo: 0\n      hold: 0\n      pace: 9\n"
        "      speech_speed: fast\n",
    )
    with pytest.raises(InputError) as info:
        load_program(path)
    assert info.value.text.splitlines() == [
        f"{path}:6:7: days.mon.pace.rets: unknown key 'rets'; did you mean 'rest'?",
        f"{path}:7:18: days.mon.pace.rep_tempo: must be from 0.5s to 60s (got '0')",
        f"{path}:8:13: days.mon.pace.hold: must be from 5s to 600s (got '0')",
        f"{path}:9:13: days.mon.pace.pace: pace must be from 0.25 to 4 (got '9')",
        f"{path}:10:21: days.mon.pace.speech_speed: expected a number like 0.8 or 1.5, got 'fast'",
    ]


def test_parse_weeks() -> None:
    program = load_program(WEEK).program
    assert parse_weeks("1-2", program) == range(1, 3)
    assert parse_weeks("3", program) == range(3, 4)
    assert parse_weeks(None, program) == range(1, 5)
    with pytest.raises(ValueError, match="outside this program, which has weeks 1-4"):
        parse_weeks("3-6", program)
    with pytest.raises(ValueError, match="like 2 or a range like 1-4"):
        parse_weeks("first", program)
    with pytest.raises(ValueError, match="weeks 2-1 run backwards; write 1-2"):
        parse_weeks("2-1", program)


def _program(tmp_path: Path, body: str) -> Path:
    for n in (1, 2):
        (tmp_path / f"tiny{n}.yaml").write_text(TINY.format(n=n), encoding="utf-8")
    path = tmp_path / "program.yaml"
    path.write_text(body, encoding="utf-8")
    return path


def test_missing_routine_file_is_located(tmp_path: Path, runner) -> None:
    path = _program(
        tmp_path,
        "title: P\nweeks: 2\ndays:\n  mon: tiny1.yaml\n  wed: nowhere.yaml\n",
    )
    result = runner.invoke(cli, ["validate", str(path)])
    assert result.exit_code == 2
    assert f"{path}:5:8: days.wed: no routine file 'nowhere.yaml'" in result.stderr


def test_day_named_twice(tmp_path: Path, runner) -> None:
    path = _program(tmp_path, "title: P\ndays:\n  mon: tiny1.yaml\n  Monday: tiny2.yaml\n")
    result = runner.invoke(cli, ["validate", str(path)])
    assert result.exit_code == 2
    assert f"{path}:4:3: days.Monday: Monday is given twice (first on line 3)" in result.stderr


def test_unknown_day_and_bad_rule_all_reported(tmp_path: Path) -> None:
    path = _program(
        tmp_path,
        "title: P\nweeks: 3\ndays:\n  mnday: tiny1.yaml\nprogression:\n"
        "  - sets: +1\n  - every: 1\n    holds: soon\n",
    )
    with pytest.raises(InputError) as caught:
        load_program(path)
    text = caught.value.text
    assert ":4:3: days.mnday: unknown day 'mnday'; did you mean 'monday'?" in text
    assert ":6:5: progression[0]: say when" in text
    assert ":8:12: progression[1].holds: expected a change like +5s" in text


def test_invalid_routine_in_program_points_at_the_routine(tmp_path: Path, runner) -> None:
    path = _program(tmp_path, "title: P\ndays:\n  mon: tiny1.yaml\n")
    (tmp_path / "tiny1.yaml").write_text("title: T\nblocks:\n  - exercise: X\n    reps: ten\n")
    result = runner.invoke(cli, ["validate", str(path)])
    assert result.exit_code == 2
    assert f"{tmp_path / 'tiny1.yaml'}:4:11: blocks[0].reps" in result.stderr


def test_plan_program_table(runner) -> None:
    result = runner.invoke(cli, ["plan", str(WEEK), "--estimate", "--weeks", "1-2"])
    assert result.exit_code == 0, result.stderr
    lines = result.stdout.splitlines()
    assert sum(" Monday " in line for line in lines) == 2
    assert any("holds +5s, rests -5s" in line for line in lines)
    assert "rest days: Friday, Sunday" in result.stdout
    bad = runner.invoke(cli, ["plan", str(WEEK), "--estimate", "--weeks", "5-6"])
    assert bad.exit_code == 2
    assert "outside this program" in bad.stderr


@pytest.mark.parametrize(
    ("title", "expected"),
    [
        ("Upper-Body Strength", "upper-body-strength"),
        ("a/b\\c", "a-b-c"),
        ("..", None),
        ("CON", "con-track"),
        ("Übung für Läufer", "ubung-fur-laufer"),
        ("", None),
    ],
)
def test_safe_name(title: str, expected: str | None) -> None:
    name = safe_name(title)
    assert "/" not in name and "\\" not in name and name not in ("", ".", "..")
    if expected is not None:
        assert name == expected


def test_a_file_of_the_other_kind_is_named_for_what_it_is(tmp_path: Path, runner) -> None:
    routine = WEEK.parent / "posture-reset.yaml"
    days = WEEK.read_text(encoding="utf-8").splitlines().index("days:") + 1
    sections = routine.read_text(encoding="utf-8").splitlines().index("sections:") + 1
    result = runner.invoke(cli, ["render", str(WEEK), "-o", str(tmp_path / "x.mp3")])
    assert result.exit_code == 2
    assert result.stderr == (
        f"{WEEK}:{days}:1: days: this is a weekly program (it has days:), not a routine; "
        "use playlist\n"
    )
    result = runner.invoke(cli, ["playlist", str(routine), "-o", str(tmp_path / "out")])
    assert result.exit_code == 2
    assert result.stderr == (
        f"{routine}:{sections}:1: sections: this is a routine, not a weekly program (it has no "
        "days:); use render\n"
    )
    assert list(tmp_path.iterdir()) == []


def test_plan_refuses_options_that_do_not_apply(runner) -> None:
    routine = WEEK.parent / "posture-reset.yaml"
    result = runner.invoke(cli, ["plan", str(routine), "--estimate", "--weeks", "2"])
    assert result.exit_code == 2 and "--weeks is for a program; this is a routine" in result.stderr
    result = runner.invoke(cli, ["plan", str(WEEK), "--estimate", "--json"])
    assert result.exit_code == 2 and "--json prints one routine's timeline" in result.stderr
