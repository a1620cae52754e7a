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


# --- every problem of a program in one pass --------------------------------------------------


def test_missing_routine_and_typos_are_reported_together_in_line_order(tmp_path: Path) -> None:
    """The field report: a missing file was reported only once the typos were fixed."""
    path = _program(
        tmp_path,
        "title: P\nweeks: 2\ndyas: 3\ndays:\n  mon: tiny1.yaml\n  fri: missing.yaml\n"
        "  sat:\n    rotuine: tiny2.yaml\n    pace: {rset: 30s}\n"
        "progression:\n  - evrey: 1\n    reps: +1\n",
    )
    with pytest.raises(InputError) as info:
        load_program(path)
    assert info.value.text.splitlines() == [
        f"{path}:3:1: dyas: unknown key 'dyas'; did you mean 'days'?",
        f"{path}:6:8: days.fri: no routine file 'missing.yaml' (looked for "
        f"{tmp_path / 'missing.yaml'})",
        # the key is there, misspelt: no "missing 'routine'" beside it
        f"{path}:8:5: days.sat.rotuine: unknown key 'rotuine'; did you mean 'routine'?",
        f"{path}:9:12: days.sat.pace.rset: unknown key 'rset'; did you mean 'rest'?",
        f"{path}:11:5: progression[0].evrey: unknown key 'evrey'; did you mean 'every'?",
    ]


def test_program_problems_come_before_those_inside_its_routines(tmp_path: Path) -> None:
    path = _program(
        tmp_path, "title: P\ndays:\n  mon: tiny1.yaml\n  tue: tiny1.yaml\n  wed: gone.yaml\n"
    )
    (tmp_path / "tiny1.yaml").write_text("title: T\nblocks:\n  - exercise: X\n    reps: ten\n")
    with pytest.raises(InputError) as info:
        load_program(path)
    lines = info.value.text.splitlines()
    assert lines[0].startswith(f"{path}:5:8: days.wed: no routine file 'gone.yaml'")
    # a routine named on two days is read, and its problems said, once
    assert lines[1:] == [
        f"{tmp_path / 'tiny1.yaml'}:4:11: blocks[0].reps: expected a whole number of reps from "
        "1 to 200, got 'ten'"
    ]


@pytest.mark.parametrize(
    ("day", "hint"),
    [
        ("rets", "did you mean 'rest' (a rest day)?"),
        ("Rest dya", "did you mean 'rest day' (a rest day)?"),
        ("tiny1", "did you mean 'tiny1.yaml'?"),
        ("tiny1.yml", "did you mean 'tiny1.yaml'?"),
        ("tyni2.yaml", "did you mean 'tiny2.yaml'?"),
    ],
)
def test_a_missing_routine_file_gets_the_nearest(tmp_path: Path, day: str, hint: str) -> None:
    path = _program(tmp_path, f"title: P\ndays:\n  mon: tiny1.yaml\n  wed: {day}\n")
    with pytest.raises(InputError) as info:
        load_program(path)
    (issue,) = info.value.issues
    assert issue.message.endswith(f"(looked for {tmp_path / day}); {hint}"), issue.message


def test_a_missing_routine_file_far_from_any_gets_no_guess(tmp_path: Path) -> None:
    path = _program(tmp_path, "title: P\ndays:\n  mon: tiny1.yaml\n  wed: chin-ups.yaml\n")
    with pytest.raises(InputError) as info:
        load_program(path)
    (issue,) = info.value.issues
    assert issue.message.endswith(f"(looked for {tmp_path / 'chin-ups.yaml'})")


# --- progression rules that can never apply are refused, each at the key to change --------------

#: A routine with one set of everything: nothing for "sets" or "rests" to change
ONE_SET = (
    "title: One\nblocks:\n  - exercise: Plank\n    duration: 25s\n  - exercise: Row\n    reps: 3\n"
)


def _rules(tmp_path: Path, weeks: int, rules: str, days: str = "  mon: tiny1.yaml\n") -> list[str]:
    (tmp_path / "one.yaml").write_text(ONE_SET, encoding="utf-8")
    path = _program(tmp_path, f"title: P\nweeks: {weeks}\ndays:\n{days}progression:\n{rules}")
    try:
        load_program(path)
    except InputError as exc:
        return [f"{i.line}:{i.col}: {i.path}: {i.message}" for i in exc.issues]
    return []


@pytest.mark.parametrize(
    ("weeks", "rule", "expected"),
    [
        (
            2,
            "  - weeks: [1, 3]\n    deload: 0.7\n",
            "6:16: progression[0].weeks[1]: week 3 is outside this program, which has weeks 1-2; "
            "list weeks from 1 to 2 (or make the program longer: weeks: 3)",
        ),
        (
            1,
            "  - weeks: [2]\n    reps: +1\n",
            "6:13: progression[0].weeks[0]: week 2 is outside this program, which has 1 week; "
            "list weeks from 1 to 1 (or make the program longer: weeks: 2)",
        ),
        (
            4,
            "  - every: 1\n    start: 5\n    reps: +1\n",
            "7:12: progression[0].start: week 5 is outside this program, which has weeks 1-4; "
            "start from a week from 1 to 4",
        ),
        (
            4,
            "  - every: 4\n    reps: +1\n",
            "6:12: progression[0].every: every: 4 from week 1 first changes week 5, outside this "
            "program, which has weeks 1-4, so the rule never applies; use every: 3 or less from "
            "week 1",
        ),
        (
            4,
            "  - every: 2\n    start: 3\n    reps: +1\n",
            "6:12: progression[0].every: every: 2 from week 3 first changes week 5, outside this "
            "program, which has weeks 1-4, so the rule never applies; use every: 1 from week 3",
        ),
        (
            4,
            "  - every: 1\n    start: 4\n    reps: +1\n",
            "6:12: progression[0].every: every: 1 from week 4 first changes week 5, outside this "
            "program, which has weeks 1-4, so the rule never applies; use start: 3 or earlier",
        ),
        (
            1,
            "  - every: 1\n    reps: +1\n",
            "6:12: progression[0].every: every: 1 from week 1 first changes week 2, outside this "
            "program, which has 1 week, so the rule never applies; use weeks: 2 or more (a "
            "change comes in the weeks after the one it starts from)",
        ),
    ],
)
def test_a_rule_for_weeks_the_program_does_not_have(
    tmp_path: Path, weeks: int, rule: str, expected: str
) -> None:
    assert _rules(tmp_path, weeks, rule) == [expected]


def test_a_rule_in_the_last_week_applies(tmp_path: Path) -> None:
    assert (
        _rules(tmp_path, 4, "  - every: 3\n    reps: +1\n  - weeks: [4]\n    deload: 0.5\n") == []
    )


@pytest.mark.parametrize(
    ("listed", "expected"),
    [
        (
            "nope.yaml",
            "'nope.yaml' is not a routine of this program's days; the days' routines are: "
            "tiny1.yaml, one.yaml",
        ),
        (
            "tyni1.yaml",
            "'tyni1.yaml' is not a routine of this program's days; did you mean 'tiny1.yaml'? "
            "the days' routines are: tiny1.yaml, one.yaml",
        ),
    ],
)
def test_a_rule_for_a_routine_that_is_none_of_the_days(
    tmp_path: Path, listed: str, expected: str
) -> None:
    days = "  mon: tiny1.yaml\n  tue: one.yaml\n  wed: tiny1.yaml\n"
    rule = f"  - every: 1\n    reps: +1\n    routines: [one.yaml, {listed}]\n"
    assert _rules(tmp_path, 2, rule, days) == [f"10:26: progression[0].routines[1]: {expected}"]


@pytest.mark.parametrize(
    ("change", "target"),
    [
        (
            "sets: +1",
            "exercises with more than one set and supersets or circuits of more than one round",
        ),
        ("rests: -5s", "rests between sets or rounds (not 0s) and rest blocks"),
        ("breaths: +1", "holds counted in breaths (breaths:)"),
    ],
)
def test_a_change_with_nothing_to_change_is_refused(
    tmp_path: Path, change: str, target: str
) -> None:
    """The field report: "+1 set" was planned for a routine of single sets, changing nothing."""
    key = change.split(":")[0]
    issues = _rules(tmp_path, 3, f"  - every: 1\n    {change}\n", "  mon: one.yaml\n")
    assert issues == [
        f"7:{len(key) + 7}: progression[0].{key}: {change} changes nothing: it applies to "
        f"{target}, and one.yaml has none; remove it, or limit the rule (routines:) to a "
        "routine that has some"
    ]
    # one routine of the rule's with something to change is enough: the rule is kept
    both = "  mon: one.yaml\n  tue: tiny1.yaml\n"
    assert _rules(tmp_path, 3, f"  - every: 1\n    {change}\n", both) == []
    # ... unless the rule is limited to the routine without
    limited = f"  - every: 1\n    {change}\n    routines: [one.yaml]\n"
    (issue,) = _rules(tmp_path, 3, limited, both)
    assert "and one.yaml has none" in issue


def test_a_week_describes_only_what_changes_each_days_routine(tmp_path: Path) -> None:
    (tmp_path / "one.yaml").write_text(ONE_SET, encoding="utf-8")
    path = _program(
        tmp_path,
        "title: P\nweeks: 2\ndays:\n  mon: one.yaml\n  tue: tiny1.yaml\nprogression:\n"
        "  - every: 1\n    sets: +1\n    reps: +2\n    rests: -5s\n    breaths: +1\n",
    )
    pf = load_program(path)
    week2 = {t.day: t for t in pf.tracks(range(2, 3))}
    assert week2["mon"].change == Change(reps=2)
    assert week2["mon"].change.describe() == "+2 reps"
    assert week2["tue"].change == Change(sets=1, reps=2, rest_ms=-5000, breaths=1)
    assert week2["tue"].change.describe() == "+1 set, +2 reps, +1 breath, rests -5s"
    # what is described is what happened: the routine as written where nothing changes
    one = week2["mon"].routine
    assert [e.sets for e in one.exercises()] == [1, 1]
    assert [e.reps for e in one.exercises()] == [None, 5]
    assert one.pace == pf.routines["mon"].routine.pace


def test_plan_describes_each_day_by_what_changes_it(tmp_path: Path, runner) -> None:
    (tmp_path / "one.yaml").write_text(ONE_SET, encoding="utf-8")
    path = _program(
        tmp_path,
        "title: P\nweeks: 2\ndays:\n  mon: one.yaml\n  tue: tiny1.yaml\nprogression:\n"
        "  - every: 1\n    sets: +1\n",
    )
    result = runner.invoke(cli, ["plan", str(path), "--estimate", "--weeks", "2"])
    assert result.exit_code == 0, result.stderr
    (monday,) = [line for line in result.stdout.splitlines() if " Monday " in line]
    (tuesday,) = [line for line in result.stdout.splitlines() if " Tuesday " in line]
    assert monday.rstrip().endswith("as written")
    assert tuesday.rstrip().endswith("+1 set")


def test_a_misspelt_weeks_is_not_taken_as_one_week(tmp_path: Path) -> None:
    """``wekes: 4``: the rules are not judged against the default of one week."""
    path = _program(
        tmp_path,
        "title: P\nwekes: 4\ndays:\n  mon: tiny1.yaml\nprogression:\n  - every: 2\n    reps: +1\n",
    )
    with pytest.raises(InputError) as info:
        load_program(path)
    assert info.value.text == f"{path}:2:1: wekes: unknown key 'wekes'; did you mean 'weeks'?"


def test_rules_are_not_judged_by_days_that_are_misspelt(tmp_path: Path) -> None:
    """A rule for the routine of a misspelt day (or of a program whose days: is misspelt) is
    not "none of the days'": the misspelling is the one problem."""
    (tmp_path / "one.yaml").write_text(ONE_SET, encoding="utf-8")
    rule = "progression:\n  - every: 1\n    sets: +1\n    routines: [tiny1.yaml]\n"
    path = _program(
        tmp_path, "title: P\nweeks: 2\ndays:\n  mon: one.yaml\n  tsu: tiny1.yaml\n" + rule
    )
    with pytest.raises(InputError) as info:
        load_program(path)
    assert [i.path for i in info.value.issues] == ["days.tsu"]
    path = _program(tmp_path, "title: P\nweeks: 2\ndyas:\n  mon: tiny1.yaml\n" + rule)
    with pytest.raises(InputError) as info:
        load_program(path)
    assert [i.path for i in info.value.issues] == ["dyas"]
