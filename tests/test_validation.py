"""``audiocoach validate`` over a corpus of broken routines, each saying what it expects.

Every file in ``tests/bad/`` starts with one ``# expect: LINE: substring`` comment per message the
validator must print. The file must be rejected (exit 2, no traceback) with exactly those
messages, each located at ``FILE:LINE:``.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from shipped import ALL_FILES

from audiocoach.cli import cli
from audiocoach.errors import InputError, Issue
from audiocoach.program import is_program, program_from
from audiocoach.routine import load_routine, validate_routine
from audiocoach.suggest import closest
from audiocoach.yamlsource import MAX_NUMBER_CHARS, read_source

BAD_DIR = Path(__file__).parent / "bad"
BAD_FILES = sorted(BAD_DIR.glob("*.yaml"))
EXPECT = re.compile(r"^# expect: (\d+): (.+)$")


def expectations(path: Path) -> list[tuple[int, str]]:
    found = []
    for line in path.read_text(encoding="utf-8").splitlines():
        match = EXPECT.match(line)
        if match:
            found.append((int(match.group(1)), match.group(2).strip()))
    return found


def located_messages(output: str, path: Path) -> list[str]:
    """The message lines of ``output`` that are about ``path`` (``path:line:col: ...``)."""
    pattern = re.compile(rf"^{re.escape(str(path))}:\d+:\d+: ")
    return [line for line in output.splitlines() if pattern.match(line)]


VALID = """\
title: Upper back basics
description: A short test routine.
pace:
  breath: 4:6
  rest: 20s
sections:
  - name: Warm-up
    blocks:
      - exercise: Shoulder rolls
        duration: 30s
        steps:
          - Stand tall.
        cues: Keep your neck long.
      - exercise: Cat-cow
        breaths: 4
        breathe:
          inhale: arch your back
          exhale: round your spine
  - name: Main
    blocks:
      - exercise: Band pull-apart
        reps: 10
        tempo: 2s
        sets: 2
      - rest: 30s
        say: Shake out your arms.
      - superset: Back and chest
        rounds: 2
        rest: 30s
        exercises:
          - exercise: Row
            reps: 8
          - exercise: Side plank
            duration: 20s
            sides: both
      - check: Weight test
        steps: [Stand with feet hip-width apart, Notice where your weight falls]
      - say: Well done so far.
      - exercise: Child's pose
        duration: open
"""


def test_corpus_is_big_enough() -> None:
    assert len(BAD_FILES) >= 15
    for path in BAD_FILES:
        assert expectations(path), f"{path.name} has no '# expect:' line"


@pytest.mark.parametrize("path", BAD_FILES, ids=[p.stem for p in BAD_FILES])
def test_bad_routine_is_rejected_with_located_messages(runner, path: Path) -> None:
    result = runner.invoke(cli, ["validate", str(path)])
    text = result.stdout + result.stderr
    assert result.exit_code == 2, text
    assert isinstance(result.exception, SystemExit), result.exception
    assert "Traceback" not in text
    messages = located_messages(result.stderr, path)
    expected = expectations(path)
    for line, substring in expected:
        hits = [m for m in messages if m.startswith(f"{path}:{line}:") and substring in m]
        assert hits, f"no message at line {line} containing {substring!r} in:\n{result.stderr}"
    assert len(messages) == len(expected), result.stderr
    assert not result.stdout.strip(), "a rejected file must not be reported as ok"


def test_misspelt_key_points_at_the_key_itself(runner) -> None:
    path = BAD_DIR / "misspelt_key.yaml"
    result = runner.invoke(cli, ["validate", str(path)])
    # line 7 is "        durtion: 30s": column 9 is where the key starts
    assert f"{path}:7:9: sections[0].blocks[0].durtion: unknown key 'durtion'" in result.stderr


def test_messages_have_the_documented_shape(runner) -> None:
    path = BAD_DIR / "three_mistakes.yaml"
    result = runner.invoke(cli, ["validate", str(path)])
    shape = re.compile(rf"^{re.escape(str(path))}:\d+:\d+: [\w\[\].]+: \S.*$")
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 3
    assert all(shape.match(line) for line in lines), lines
    # in file order
    assert [int(line.split(":")[1]) for line in lines] == [7, 9, 11]


def test_valid_routine_exits_zero(runner, write_routine) -> None:
    path = write_routine(VALID)
    result = runner.invoke(cli, ["validate", str(path), "--engine", "espeak"])
    assert result.exit_code == 0, result.stderr
    assert result.stdout.startswith(f"ok: {path}: Upper back basics")
    assert not result.stderr


@pytest.mark.parametrize(
    "text",
    [
        "title: Minimal\nblocks:\n  - exercise: Plank\n    duration: 30\n",
        "title: Open hold\nblocks:\n  - exercise: Hang\n    duration: as long as comfortable\n",
        "title: Breath map\nblocks:\n  - exercise: Box\n    breaths: 3\n"
        "    breath: {inhale: 4s, hold: 4s, exhale: 4s, hold_out: 4s}\n",
        "title: Circuit\nblocks:\n  - circuit: Loop\n    rounds: 3\n    rest_between: 10s\n"
        "    exercises:\n      - exercise: Squat\n        reps: 5\n"
        "      - exercise: Lunge\n        reps: 4\n        sides: [right, left]\n"
        "        alternate: true\n",
        "title: Named sides\nblocks:\n  - exercise: Lean\n    duration: 1m30s\n"
        "    sides: [front, back]\n",
    ],
    ids=["bare-seconds", "open-hold", "breath-mapping", "circuit-alternate", "named-sides"],
)
def test_other_valid_shapes_exit_zero(runner, write_routine, text: str) -> None:
    result = runner.invoke(cli, ["validate", str(write_routine(text)), "--engine", "espeak"])
    assert result.exit_code == 0, result.stderr


def _shipped_routines() -> list[Path]:
    return ALL_FILES  # routines and the week program: validate takes both


@pytest.mark.parametrize("path", _shipped_routines(), ids=lambda p: p.stem)
def test_shipped_routines_are_valid(runner, path: Path) -> None:
    # with the default voice (Piper for English), the one a runner will hear them in
    result = runner.invoke(cli, ["validate", str(path)])
    assert result.exit_code == 0, result.stderr


def test_several_files_report_every_problem_of_every_file(runner, write_routine) -> None:
    good = write_routine(VALID, "good.yaml")
    first = BAD_DIR / "three_mistakes.yaml"
    second = BAD_DIR / "duplicate_key.yaml"
    missing = good.parent / "nowhere.yaml"
    files = [str(first), str(good), str(second), str(missing)]
    result = runner.invoke(cli, ["validate", *files, "--engine", "espeak"])
    assert result.exit_code == 2
    assert "Traceback" not in result.stdout + result.stderr
    assert f"ok: {good}:" in result.stdout
    assert len(located_messages(result.stderr, first)) == 3
    assert len(located_messages(result.stderr, second)) == 1
    assert len(located_messages(result.stderr, missing)) == 1
    assert "no such file" in result.stderr


def test_validate_needs_a_file(runner) -> None:
    result = runner.invoke(cli, ["validate"])
    assert result.exit_code == 2
    assert "Missing argument" in result.stderr


def test_did_you_mean_inside_supersets_and_breathe(write_routine) -> None:
    path = write_routine(
        """
        title: Nested typos
        blocks:
          - superset: Pair
            exercises:
              - exercise: Row
                reps: 5
                tempp: 2s
          - exercise: Flow
            duration: 30s
            breathe:
              inhal: Up
        """
    )
    with pytest.raises(InputError) as info:
        load_routine(path)
    assert info.value.text.splitlines() == [
        f"{path}:7:9: blocks[0].exercises[0].tempp: unknown key 'tempp'; did you mean 'tempo'?",
        f"{path}:11:7: blocks[1].breathe.inhal: unknown key 'inhal'; did you mean 'inhale'?",
    ]


# --- did you mean: the key the typo is nearest, counting a swap of two letters as one edit ---

#: where the typo stands: (routine or program text with {key}, the dotted path before the key)
PLACES: dict[str, tuple[str, str]] = {
    "block": ("title: T\nblocks:\n  - exercise: Row\n    {key}: 4\n    reps: 5\n", "blocks[0]"),
    "pace": ("title: T\npace:\n  {key}: 4\nblocks: [{{say: hi}}]\n", "pace"),
    "superset": (
        "title: T\nblocks:\n  - superset: S\n    {key}: 4\n"
        "    exercises: [{{exercise: A, reps: 5}}]\n",
        "blocks[0]",
    ),
    "superset-exercise": (
        "title: T\nblocks:\n  - superset: S\n    exercises:\n      - exercise: A\n"
        "        duration: 30s\n        {key}: 4\n",
        "blocks[0].exercises[0]",
    ),
    "program": ("title: W\n{key}: 4\ndays: {{mon: tiny.yaml}}\n", ""),
    "day": ("title: W\ndays:\n  mon:\n    routine: tiny.yaml\n    {key}: 4\n", "days.mon"),
    "day-pace": (
        "title: W\ndays:\n  mon:\n    routine: tiny.yaml\n    pace: {{{key}: 4}}\n",
        "days.mon.pace",
    ),
    "progression": (
        "title: W\ndays: {{mon: tiny.yaml}}\nprogression:\n  - every: 1\n    {key}: 4\n",
        "progression[0]",
    ),
}

#: (place, typo, the key meant): swaps, a letter missing, a letter extra, case
TYPOS = [
    ("block", "rpes", "reps"),  # the field report: difflib said 'rest'
    ("block", "sest", "sets"),
    ("block", "tmepo", "tempo"),
    ("block", "stpes", "steps"),
    ("block", "cuse", "cues"),
    ("block", "goa", "goal"),
    ("block", "durtion", "duration"),
    ("block", "alternat", "alternate"),
    ("block", "repss", "reps"),
    ("block", "breathss", "breaths"),
    ("block", "Reps", "reps"),
    ("block", "SIDES", "sides"),
    ("pace", "rset", "rest"),
    ("pace", "brath", "breath"),
    ("pace", "rep_temop", "rep_tempo"),
    ("pace", "speech_sped", "speech_speed"),
    ("pace", "countdonw", "countdown"),
    ("pace", "Hold", "hold"),
    ("superset", "rounsd", "rounds"),
    ("superset", "rest_betwen", "rest_between"),
    ("superset", "Rounds", "rounds"),
    ("superset-exercise", "rpes", "reps"),
    ("superset-exercise", "cuess", "cues"),
    ("program", "wekes", "weeks"),
    ("program", "titel", "title"),
    ("program", "progresion", "progression"),
    ("program", "Weeks", "weeks"),
    ("day", "rotuine", "routine"),
    ("day", "pcae", "pace"),
    ("day-pace", "rset", "rest"),
    ("day-pace", "stpes", "steps"),
    ("day-pace", "rep_tmepo", "rep_tempo"),
    ("progression", "hodls", "holds"),
    ("progression", "rests", None),  # a real key: no typo (and every: 1, rests: 4 is fine)
    ("progression", "breahts", "breaths"),
    ("progression", "delaod", "deload"),
    ("progression", "routine", "routines"),
    ("progression", "Sets", "sets"),
]


def issues_of(tmp_path: Path, text: str) -> list[Issue]:
    """Every issue in a routine or program file (one named ``tiny.yaml`` routine is beside it)."""
    (tmp_path / "tiny.yaml").write_text(
        "title: Tiny\nblocks:\n  - exercise: Plank\n    duration: 20s\n", encoding="utf-8"
    )
    path = tmp_path / "file.yaml"
    path.write_text(text, encoding="utf-8")
    source = read_source(path)
    try:
        program_from(source) if is_program(source) else validate_routine(source)
    except InputError as exc:
        return list(exc.issues)
    return []


@pytest.mark.parametrize(("place", "typo", "meant"), TYPOS, ids=[f"{p}-{t}" for p, t, _ in TYPOS])
def test_did_you_mean_finds_the_key_meant(
    tmp_path: Path, place: str, typo: str, meant: str | None
) -> None:
    template, parent = PLACES[place]
    issues = issues_of(tmp_path, template.format(key=typo))
    if meant is None:
        assert not any("unknown key" in i.message for i in issues), issues
        return
    path = f"{parent}.{typo}" if parent else typo
    (issue,) = [i for i in issues if i.path == path]
    assert issue.message == f"unknown key {typo!r}; did you mean {meant!r}?"


@pytest.mark.parametrize(
    ("typo", "meant"),
    [
        ("teu", "tue"),  # a swap beats a changed letter (thu)
        ("mno", "mon"),
        ("thrusday", "thursday"),
        ("wendesday", "wednesday"),
        ("frday", "friday"),
        ("satrday", "saturday"),
        ("sunn", "sun"),
        ("mondayy", "monday"),
        ("weds", "wed"),
        ("Frii", "fri"),
    ],
)
def test_did_you_mean_a_day(tmp_path: Path, typo: str, meant: str) -> None:
    issues = issues_of(tmp_path, f"title: W\ndays:\n  mon: tiny.yaml\n  {typo}: tiny.yaml\n")
    (issue,) = issues
    assert issue.path == f"days.{typo}"
    assert issue.message == f"unknown day {typo!r}; did you mean {meant!r}?"


@pytest.mark.parametrize(
    ("first_key", "meant"),
    [
        ("rets", "rest"),
        ("exercize", "exercise"),
        ("Exercise", "exercise"),
        ("sya", "say"),
        ("supreset", "superset"),
        ("circiut", "circuit"),
        ("chekc", "check"),
    ],
)
def test_did_you_mean_a_block_kind(tmp_path: Path, first_key: str, meant: str) -> None:
    (issue,) = issues_of(tmp_path, f"title: T\nblocks:\n  - {first_key}: Plank\n")
    assert issue.message.endswith(f"did you mean {meant!r}?"), issue.message


@pytest.mark.parametrize(
    ("typo", "message"),
    [
        ("inhael", "did you mean 'inhale'?"),
        ("hold_ot", "did you mean 'hold_out'?"),
        ("Exhale", "did you mean 'exhale'?"),
        ("pause", "use inhale, hold, exhale, hold_out"),
    ],
)
def test_did_you_mean_a_breath_phase(tmp_path: Path, typo: str, message: str) -> None:
    text = (
        "title: T\nblocks:\n  - exercise: Box\n    breaths: 3\n"
        f"    breath: {{inhale: 4s, exhale: 4s, {typo}: 2s}}\n"
    )
    (issue,) = issues_of(tmp_path, text)
    assert issue.path == "blocks[0].breath"
    assert issue.message == f"unknown breath key {typo!r}; {message}"


@pytest.mark.parametrize("key", ["colour", "x", "durationnnnn", "zzzz"])
def test_no_suggestion_for_a_key_nothing_like_any(tmp_path: Path, key: str) -> None:
    text = f"title: T\nblocks:\n  - exercise: Row\n    reps: 5\n    {key}: 1\n"
    (issue,) = issues_of(tmp_path, text)
    assert issue.message.startswith(f"unknown key {key!r}; allowed here: exercise, duration")


def test_closest_ranks_by_edits_counting_a_swap_as_one() -> None:
    assert closest("rpes", ["rest", "reps"]) == "reps"
    assert closest("rpes", ["reps", "rest"]) == "reps"
    assert closest("Reps", ["rest", "reps"]) == "reps"
    assert closest("rest", ["rest", "reps"]) is None  # itself is no suggestion; reps is 2 edits
    assert closest("xyz", ["rest", "reps"]) is None
    assert closest("", ["rest"]) is None
    assert closest("progresion", ["progression", "weeks"]) == "progression"


def _slips(key: str) -> set[str]:
    """Every one-slip typo of ``key``: a letter dropped, doubled, swapped with the next; case."""
    out = {key.capitalize(), key.upper()}
    for i in range(len(key)):
        out.add(key[:i] + key[i + 1 :])
        out.add(key[:i] + key[i] + key[i:])
        if i + 1 < len(key):
            out.add(key[:i] + key[i + 1] + key[i] + key[i + 2 :])
    return out - {key, ""}


def _allowed_keys() -> dict[str, list[str]]:
    from audiocoach.program import _DAY_ALIASES, Day, DayPace, Program, Rule
    from audiocoach.routine import Breathe, Check, Exercise, Group, Pace, Rest, Routine, Section

    models = (Routine, Pace, Section, Exercise, Breathe, Rest, Check, Group, Program, Day, DayPace)
    places = {m.__name__: list(m.model_fields) for m in (*models, Rule)}
    places["days"] = list(_DAY_ALIASES)
    return places


def test_every_one_slip_typo_of_every_key_finds_it_unless_another_is_as_near() -> None:
    from rapidfuzz.distance import OSA

    checked = 0
    for place, keys in _allowed_keys().items():
        for key in keys:
            for typo in _slips(key):
                if typo.lower() in {k.lower() for k in keys} - {key}:
                    continue  # the slip spells another key
                suggested = closest(typo, keys)
                nearest = min(OSA.distance(typo.lower(), k) for k in keys if k != typo)
                tied = [k for k in keys if OSA.distance(typo.lower(), k) == nearest]
                assert suggested == key or (suggested in tied and key in tied), (
                    place,
                    typo,
                    key,
                    suggested,
                )
                checked += 1
    assert checked > 1000


# --- where and what: the first user's reports, each with its siblings -------------------------


@pytest.mark.parametrize(
    ("text", "where"),
    [
        # the field report: a 4-line file's error was placed on line 5, which does not exist
        ("title: Syntax\nblocks:\n  - exercise: Plank\n    duration: [30s\n", (4, 19)),
        ("title: Syntax\nblocks:\n  - exercise: Plank\n    duration: [30s", (4, 19)),
        ("title: Syntax\nblocks:\n  - exercise: Plank\n    duration: [30s\n\n# done\n\n", (4, 19)),
        ("title: T\nblocks: [{exercise: Plank, duration: 30s}\n", (2, 42)),
        ("title: 'T\nblocks: []\n", (2, 11)),
    ],
)
def test_a_syntax_error_at_the_end_is_placed_on_the_last_line(
    runner, write_routine, text: str, where: tuple[int, int]
) -> None:
    path = write_routine(text)
    result = runner.invoke(cli, ["validate", str(path), "--estimate"])
    assert result.exit_code == 2
    (line,) = result.stderr.splitlines()
    assert line.startswith(f"{path}:{where[0]}:{where[1]}: YAML syntax error: "), line
    assert "the file ends inside" in line
    lines = text.splitlines()
    assert where[1] == len(lines[where[0] - 1]) + 1  # just past the last character


def test_a_syntax_error_inside_a_list_says_where_the_list_opens(write_routine) -> None:
    path = write_routine("title: T\nblocks: [{exercise: A, reps: 3}\n  {say: hi}]\n")
    with pytest.raises(InputError) as info:
        load_routine(path)
    assert info.value.text == (
        f"{path}:3:3: YAML syntax error: did not find expected ',' or ']' "
        "(in the list [ that opens at line 2, column 9)"
    )


@pytest.mark.parametrize("sides", ["Both", "BOTH", " both", "each side", "Each  Side"])
def test_sides_both_in_any_case(write_routine, sides: str) -> None:
    path = write_routine(
        f"title: T\nblocks:\n  - exercise: Bend\n    duration: 20s\n    sides: '{sides}'\n"
    )
    assert load_routine(path).routine.blocks[0].sides == ("left", "right")


@pytest.mark.parametrize(
    ("value", "hint"),
    [
        ("bothh", "did you mean 'both'?"),
        ("bth", "did you mean 'both'?"),
        ("eachside", "did you mean 'each side'?"),
        ("right", "'right' names one side: for one side only, leave sides out"),
        ("[left]", "'left' names one side: for one side only, leave sides out"),
        ("sometimes", None),
    ],
)
def test_sides_that_are_not_both(tmp_path: Path, value: str, hint: str | None) -> None:
    (issue,) = issues_of(
        tmp_path, f"title: T\nblocks:\n  - exercise: Bend\n    duration: 20s\n    sides: {value}\n"
    )
    assert issue.path == "blocks[0].sides"
    if hint is None:
        assert issue.message == (
            "expected 'both' or a list of side names like [left, right], got 'sometimes'"
        )
    else:
        assert hint in issue.message, issue.message


@pytest.mark.parametrize(
    ("place", "value", "meant"),
    [
        ("    duration: {v}\n", "opne", "'open'"),
        ("    duration: {v}\n", "Oepn", "'open'"),
        ("    reps: 3\n    sides: both\n    alternate: {v}\n", "ture", "true"),
        ("    reps: 3\n    sides: both\n    alternate: {v}\n", "flase", "false"),
        ("    reps: 3\n    sides: both\n    alternate: {v}\n", "yse", "yes"),
    ],
)
def test_did_you_mean_a_word_of_a_known_set(
    tmp_path: Path, place: str, value: str, meant: str
) -> None:
    (issue,) = issues_of(tmp_path, "title: T\nblocks:\n  - exercise: A\n" + place.format(v=value))
    assert issue.message.endswith(f"got {value!r}; did you mean {meant}?"), issue.message


def test_did_you_mean_in_a_program_days_pace(tmp_path: Path) -> None:
    text = "title: W\ndays:\n  mon:\n    routine: tiny.yaml\n    pace: {steps: of}\n"
    (issue,) = issues_of(tmp_path, text)
    assert issue.path == "days.mon.pace.steps"
    assert issue.message == "expected true or false, got 'of'; did you mean off?"


def test_a_days_steps_off_is_taken(tmp_path: Path) -> None:
    text = "title: W\ndays:\n  mon:\n    routine: tiny.yaml\n    pace: {steps: off}\n"
    assert issues_of(tmp_path, text) == []


# --- every problem at once, through the CLI: the scheduler's too --------------------------------

#: Two tempos too fast to say "1 left" in, with espeak and with the estimate a program is
#: checked with before anything is rendered: the field report was of one problem a run.
TOO_FAST = """\
title: Fast
blocks:
  - exercise: Lunge
    reps: 6
    sides: both
    alternate: true
    tempo: 0.5s
  - exercise: Plank
    duration: 30s
  - exercise: Step-Up
    reps: 10
    sides: both
    alternate: true
    tempo: 0.6s
    sets: 2
"""


def test_validate_reports_every_too_fast_tempo_at_once(runner, write_routine) -> None:
    path = write_routine(TOO_FAST)
    result = runner.invoke(cli, ["validate", str(path), "--engine", "espeak"])
    assert result.exit_code == 2
    lines = result.stderr.splitlines()
    assert [line.split(": ")[0] for line in lines] == [f"{path}:3:5", f"{path}:10:5"]
    count = r"too fast to say the count '\d+ (left|right)': it takes \d\.\d\ds"
    assert re.search(rf"Lunge: a rep every 0.5s is {count}", lines[0])
    assert re.search(rf"Step-Up: a rep every 0.6s is {count}", lines[1])


def test_a_program_reports_every_too_fast_tempo_of_every_track(runner, tmp_path: Path) -> None:
    (tmp_path / "fast.yaml").write_text(TOO_FAST, encoding="utf-8")
    program = tmp_path / "week.yaml"
    program.write_text(
        "title: W\nweeks: 2\ndays:\n  mon: fast.yaml\n  thu: fast.yaml\n", encoding="utf-8"
    )
    out = tmp_path / "out"
    result = runner.invoke(cli, ["playlist", str(program), "-o", str(out), "--engine", "espeak"])
    assert result.exit_code == 2
    fast = tmp_path / "fast.yaml"
    where = [line.split(": week")[0] for line in result.stderr.splitlines()]
    # both blocks, in each of the four tracks, found before anything is rendered
    assert where == [f"{fast}:3:5: blocks[0]", f"{fast}:10:5: blocks[2]"] * 4
    assert not out.exists()


@pytest.mark.parametrize(
    ("written", "name", "tag"),
    [
        ("english", "English", "en"),
        ("German", "German", "de"),
        ("Deutsch", "German", "de"),
        ("español", "Spanish", "es"),
        ("espanol", "Spanish", "es"),
        ("Frnech", "French", "fr"),
        ("Italian", "Italian", "it"),
    ],
)
def test_a_language_given_by_its_name_gets_its_tag(
    tmp_path: Path, written: str, name: str, tag: str
) -> None:
    (issue,) = issues_of(tmp_path, f"title: T\nlanguage: {written}\nblocks: [{{say: hi}}]\n")
    assert issue.path == "language"
    assert issue.message.endswith(f"got {written!r}; for {name} write language: {tag}")


@pytest.mark.parametrize("written", ["xyz1", "qqqqqqq"])
def test_no_language_is_guessed_from_a_word_like_none(tmp_path: Path, written: str) -> None:
    (issue,) = issues_of(tmp_path, f"title: T\nlanguage: {written}\nblocks: [{{say: hi}}]\n")
    assert issue.message.endswith(f"got {written!r}"), issue.message


# --- a file's own YAML problems do not hide the model's ------------------------------------------


def test_a_duplicate_key_is_reported_with_every_other_problem(runner, write_routine) -> None:
    """Field report: a duplicate key stopped everything else (the exhael typo went unsaid)."""
    path = write_routine(
        """\
        title: Dup
        blocks:
          - exercise: Cat cow
            breaths: 3
            breathe: {exhael: round}
            breaths: 4
          - exercise: Plank
            duratoin: 30s
        """
    )
    out = path.with_suffix(".mp3")
    out.write_bytes(b"keep me")
    for command in (["validate", str(path)], ["render", str(path), "-o", str(out)]):
        result = runner.invoke(cli, [*command, "--engine", "espeak"])
        assert result.exit_code == 2 and "Traceback" not in result.output
        assert result.stderr.splitlines() == [
            f"{path}:5:15: blocks[0].breathe.exhael: unknown key 'exhael'; did you mean 'exhale'?",
            f"{path}:6:5: blocks[0].breaths: duplicate key 'breaths' (first given on line 4); "
            "give each key once",
            f"{path}:8:5: blocks[1].duratoin: unknown key 'duratoin'; did you mean 'duration'?",
        ]
    assert out.read_bytes() == b"keep me"


def test_a_value_that_cannot_be_read_is_said_once_with_the_other_problems(
    runner, write_routine
) -> None:
    long = "1" * (MAX_NUMBER_CHARS + 1)
    path = write_routine(
        f"""\
        title: Long
        blocks:
          - exercise: Row
            reps: {long}
          - exercise: Plank
            duration: 30 secs
        """
    )
    result = runner.invoke(cli, ["validate", str(path), "--estimate"])
    assert result.exit_code == 2
    lines = result.stderr.splitlines()
    assert [line.split(": ")[0] for line in lines] == [f"{path}:4:11", f"{path}:6:15"]
    assert f"this number is {len(long)} characters long" in lines[0]  # not "got nothing" too
    assert "blocks[1].duration" in lines[1]


def test_a_programs_duplicate_key_comes_with_its_other_problems_and_its_routines(
    runner, tmp_path: Path
) -> None:
    (tmp_path / "r.yaml").write_text(
        "title: R\nblocks:\n  - exercise: Plank\n    duratoin: 30s\n", encoding="utf-8"
    )
    program = tmp_path / "week.yaml"
    program.write_text(
        "title: W\nweeks: 2\nweeks: 3\ndays:\n  mon: r.yaml\n  tue: missing.yaml\n",
        encoding="utf-8",
    )
    for command in ("validate", "plan"):
        result = runner.invoke(cli, [command, str(program), "--estimate"])
        assert result.exit_code == 2 and "Traceback" not in result.output
        assert [line.split(": ")[0] for line in result.stderr.splitlines()] == [
            f"{program}:3:1",  # the duplicate weeks:
            f"{program}:6:8",  # no routine file missing.yaml
            f"{tmp_path / 'r.yaml'}:4:5",  # the routine's own typo
        ]
