"""Numbers and bare words are read as the runner wrote them, or refused saying why, never changed.

PyYAML reads YAML 1.1, which turns ``010`` into 8, ``0x0A`` into 10, ``1:30`` into 90, ``1.10``
into 1.1 and ``On``/``No`` into true/false. Each kind has its field report's example first, then
its siblings across routine and program files (block keys, pace, supersets, days, progression).
"""

from __future__ import annotations

import textwrap
from pathlib import Path
from typing import Any

import pytest
from conftest import fake_speech_ms

from audiocoach.cli import cli
from audiocoach.errors import InputError
from audiocoach.program import ProgramFile, program_from
from audiocoach.routine import Breath, Exercise, Group, Rest, Routine, validate_routine
from audiocoach.schedule import schedule
from audiocoach.timeline import WORK_KINDS
from audiocoach.yamlsource import WrittenFloat, WrittenInt, parse_source

ONE_EXERCISE = "title: T\nblocks:\n  - exercise: Plank\n    {measure}\n"


def load(text: str) -> Routine:
    return validate_routine(parse_source(textwrap.dedent(text).encode(), "r.yaml"))


def refusal(text: str) -> InputError:
    with pytest.raises(InputError) as info:
        load(text)
    return info.value


def exercise(text: str) -> Exercise:
    block = load(text).blocks[0]
    assert isinstance(block, Exercise)
    return block


def said(routine: Routine) -> list[str]:
    return [e.text or "" for e in schedule(routine, None, fake_speech_ms).speech()]


# --- the field report's examples, end to end -------------------------------------------------


def test_reps_010_plans_ten_reps() -> None:
    routine = load(ONE_EXERCISE.format(measure="reps: 010"))
    assert routine.blocks[0].reps == 10  # YAML 1.1: octal 8
    words = said(routine)
    assert "10 reps." in words
    counts = words[words.index("10 reps.") :]
    assert [w for w in counts if w.isdigit()][-1] == "9" and "Last one." in counts


def test_duration_020_is_twenty_seconds_of_work() -> None:
    routine = load(ONE_EXERCISE.format(measure="duration: 020"))
    assert routine.blocks[0].duration == 20_000  # YAML 1.1: 16 s
    timeline = schedule(routine, None, fake_speech_ms)
    (work,) = [p for p in timeline.phases if p.kind in WORK_KINDS]
    assert work.duration_ms == 20_000
    assert "20 seconds." in said(routine)


def test_rest_010_says_ten_seconds() -> None:
    routine = load("title: T\nblocks:\n  - exercise: Row\n    reps: 5\n  - rest: 010\n")
    assert isinstance(routine.blocks[1], Rest) and routine.blocks[1].rest == 10_000
    assert "Rest, 10 seconds." in said(routine)  # YAML 1.1: "Rest, 8 seconds."


def test_reps_0x0a_is_refused_with_the_line_and_the_decimal_number() -> None:
    error = refusal(ONE_EXERCISE.format(measure="reps: 0x0A"))
    (issue,) = error.issues
    assert (issue.line, issue.col, issue.path) == (4, 11, "blocks[0].reps")
    assert "got '0x0A'" in issue.message
    assert "0x0A is hexadecimal: write numbers in decimal, like 10" in issue.message


@pytest.mark.parametrize(
    ("text", "where", "word", "reading", "quoted"),
    [
        ("title: On\nblocks: [{say: hi}]\n", (1, 8, "title"), "On", "true", 'title: "On"'),
        (
            "title: T\nblocks:\n  - exercise: No\n    reps: 5\n",
            (3, 15, "blocks[0].exercise"),
            "No",
            "false",
            'exercise: "No"',
        ),
    ],
    ids=["title-On", "exercise-No"],
)
def test_a_bare_word_read_as_true_or_false_shows_the_quoted_form(
    text: str, where: tuple[int, int, str], word: str, reading: str, quoted: str
) -> None:
    (issue,) = refusal(text).issues
    assert (issue.line, issue.col, issue.path) == where
    assert f"YAML reads the bare word {word} as {reading}, not as text" in issue.message
    assert issue.message.endswith(f"quote it: {quoted}")
    assert "expected text, got" not in issue.message


def test_the_quoted_forms_are_the_words() -> None:
    routine = load('title: "On"\nblocks:\n  - exercise: "No"\n    reps: 5\n')
    assert routine.title == "On" and routine.blocks[0].exercise == "No"


# --- 1. leading zeros: decimal, as a person reads them (YAML 1.1 read octal) -----------------

#: measure line, attribute, value now (YAML 1.1's value in the comment)
LEADING_ZEROS: list[tuple[str, str, Any]] = [
    ("reps: 010", "reps", 10),  # 8
    ("reps: 0010", "reps", 10),  # 8
    ("reps: 012\n    sets: 010", "sets", 10),  # 8
    ("breaths: 012", "breaths", 12),  # 10
    ("reps: 5\n    tempo: 04", "tempo", 4000),  # 4: same, either way
    ("duration: 020", "duration", 20_000),  # 16 s
    ("duration: 0100", "duration", 100_000),  # 64 s
    ("duration: 09", "duration", 9000),  # YAML 1.1 read 09 as text; still nine
    ("reps: 010\n    sets: 2\n    rest: 045", "rest", 45_000),  # 37 s
    ("reps: -0", "reps", None),  # refused: 0 reps (below)
]


@pytest.mark.parametrize(("measure", "attribute", "value"), LEADING_ZEROS[:-1])
def test_leading_zeros_are_decimal(measure: str, attribute: str, value: int) -> None:
    assert getattr(exercise(ONE_EXERCISE.format(measure=measure)), attribute) == value


@pytest.mark.parametrize(
    ("block", "attribute", "value"),
    [
        ("  - rest: 010", "rest", 10_000),
        ("  - superset: S\n    rounds: 010\n    exercises: [{exercise: A, reps: 5}]", "rounds", 10),
        (
            "  - superset: S\n    rest_between: 010\n    exercises: [{exercise: A, reps: 5}]",
            "rest_between",
            10_000,
        ),
        ("  - check: Weight test\n    pause: 030", "pause", 30_000),  # 24 s
    ],
)
def test_leading_zeros_in_other_blocks(block: str, attribute: str, value: int) -> None:
    routine = load(f"title: T\nblocks:\n{block}\n")
    assert getattr(routine.blocks[0], attribute) == value


@pytest.mark.parametrize(
    ("line", "attribute", "value"),
    [
        ("rest: 010", "rest", 10_000),
        ("hold: 045", "hold", 45_000),
        ("switch: 010", "switch", 10_000),
        ("rep_tempo: 02", "rep_tempo", 2000),
        ("countdown: 010", "countdown", 10),
    ],
)
def test_leading_zeros_in_pace(line: str, attribute: str, value: int) -> None:
    routine = load(f"title: T\npace:\n  {line}\nblocks: [{{say: hi}}]\n")
    assert getattr(routine.pace, attribute) == value


def test_minus_zero_reps_is_refused_as_zero() -> None:
    (issue,) = refusal(ONE_EXERCISE.format(measure="reps: -0")).issues
    assert "reps must be from 1 to 200 (got 0)" in issue.message


# --- 2. other bases: refused with the reason (YAML 1.1 read 0x and 0b silently) --------------


@pytest.mark.parametrize(
    ("measure", "path", "reason"),
    [
        ("reps: 0x0A", "blocks[0].reps", "0x0A is hexadecimal: write numbers in decimal, like 10"),
        ("reps: 0XA", "blocks[0].reps", "0XA is hexadecimal: write numbers in decimal, like 10"),
        ("reps: 0b1010", "blocks[0].reps", "0b1010 is binary: write numbers in decimal, like 10"),
        ("reps: 0o12", "blocks[0].reps", "0o12 is octal: write numbers in decimal, like 10"),
        ("breaths: 0x5", "blocks[0].breaths", "0x5 is hexadecimal"),
        (
            "reps: 5\n    sets: 0b11",
            "blocks[0].sets",
            "0b11 is binary: write numbers in decimal, like 3",
        ),
        (
            "duration: 0x1E",
            "blocks[0].duration",
            "0x1E is hexadecimal: write numbers in decimal, like 30",
        ),
        ("duration: -0x1E", "blocks[0].duration", "like -30"),
        ("reps: 5\n    tempo: 0b10", "blocks[0].tempo", "0b10 is binary"),
        (
            "reps: 5\n    rest: 0o36",
            "blocks[0].rest",
            "0o36 is octal: write numbers in decimal, like 30",
        ),
        (
            "reps: 0x1_0",
            "blocks[0].reps",
            "0x1_0 is hexadecimal: write numbers in decimal, like 16",
        ),
    ],
)
def test_numbers_in_other_bases_are_refused_saying_which_and_the_decimal(
    measure: str, path: str, reason: str
) -> None:
    (issue,) = refusal(ONE_EXERCISE.format(measure=measure)).issues
    assert issue.path == path
    assert reason in issue.message, issue.message


@pytest.mark.parametrize("text", ["0x0A", "0b1010", "0o12", "0xFF"])
def test_other_bases_in_text_fields_are_the_text(text: str) -> None:
    routine = load(f"title: {text}\nblocks:\n  - exercise: {text}\n    reps: 5\n")
    assert routine.title == text and routine.blocks[0].exercise == text


def test_other_bases_in_pace_are_refused() -> None:
    error = refusal("title: T\npace:\n  rest: 0x1E\n  countdown: 0b11\nblocks: [{say: hi}]\n")
    assert [i.path for i in error.issues] == ["pace.rest", "pace.countdown"]
    assert "0x1E is hexadecimal" in error.issues[0].message
    assert "0b11 is binary" in error.issues[1].message


# --- 3. digit groups with underscores: the number a person reads ------------------------------


@pytest.mark.parametrize(
    ("measure", "attribute", "value"),
    [
        ("reps: 1_0", "reps", 10),
        ("reps: 1_00", "reps", 100),
        ("duration: 1_0", "duration", 10_000),
        ("duration: 1_0.5", "duration", 10_500),
        ("breaths: 0_5", "breaths", 5),  # YAML 1.1: octal 5
    ],
)
def test_underscores_group_digits(measure: str, attribute: str, value: int) -> None:
    assert getattr(exercise(ONE_EXERCISE.format(measure=measure)), attribute) == value


def test_a_thousand_reps_is_refused_as_a_thousand() -> None:
    (issue,) = refusal(ONE_EXERCISE.format(measure="reps: 1_000")).issues
    assert "reps must be from 1 to 200 (got 1000)" in issue.message


@pytest.mark.parametrize("text", ["1_000", "2_0_2_4"])
def test_underscores_in_text_fields_stay(text: str) -> None:
    assert load(f"title: {text}\nblocks: [{{say: {text}}}]\n").title == text


# --- 4. base 60: breath patterns are breath patterns, clock times are refused as durations ----


@pytest.mark.parametrize(
    ("line", "breath"),
    [
        ("breath: 4:6", Breath(4000, 0, 6000, 0)),
        ("breath: 4:2:6:2", Breath(4000, 2000, 6000, 2000)),
        ("breath: 5:5", Breath(5000, 0, 5000, 0)),
        ("breath: 4:7:8:0", Breath(4000, 7000, 8000, 0)),
        ("breath: 1:30", None),  # 30 s exhale: out of range, and said so (below)
    ][:-1],
)
def test_breath_patterns_stay_patterns(line: str, breath: Breath) -> None:
    routine = load(
        f"title: T\npace:\n  {line}\nblocks:\n  - exercise: Box\n    breaths: 3\n    {line}\n"
    )
    assert routine.pace.breath == breath
    assert routine.blocks[0].breath == breath


@pytest.mark.parametrize(
    ("measure", "path", "hint"),
    [
        ("duration: 1:30", "blocks[0].duration", "for 1:30 as minutes:seconds write 1m30s"),
        ("duration: 2:00", "blocks[0].duration", "for 2:00 as minutes:seconds write 2m"),
        ("duration: 0:45", "blocks[0].duration", "for 0:45 as minutes:seconds write 45s"),
        ("duration: 2:05", "blocks[0].duration", "for 2:05 as minutes:seconds write 2m5s"),
        ("reps: 5\n    sets: 2\n    rest: 1:30", "blocks[0].rest", "write 1m30s"),
        ("reps: 5\n    tempo: 0:03", "blocks[0].tempo", "write 3s"),
    ],
)
def test_clock_times_in_durations_are_refused_with_the_duration_to_write(
    measure: str, path: str, hint: str
) -> None:
    (issue,) = refusal(ONE_EXERCISE.format(measure=measure)).issues
    assert issue.path == path
    assert "expected a duration like 30s" in issue.message and hint in issue.message


def test_a_clock_time_rest_block_is_refused_not_read_as_90() -> None:
    (issue,) = refusal("title: T\nblocks:\n  - rest: 1:30\n").issues
    assert issue.path == "blocks[0].rest" and "write 1m30s" in issue.message


@pytest.mark.parametrize("text", ["1:30", "4:6", "12:00:00", "1:30.5"])
def test_base_60_in_text_fields_is_the_text(text: str) -> None:
    routine = load(f"title: {text}\nblocks:\n  - exercise: Row\n    reps: 5\n    goal: {text}\n")
    assert routine.title == text and routine.blocks[0].goal == text


def test_base_60_reps_are_refused() -> None:
    (issue,) = refusal(ONE_EXERCISE.format(measure="reps: 1:30")).issues
    assert "expected a whole number of reps from 1 to 200, got '1:30'" in issue.message


# --- 5 and 6. numbers where text is expected: the text as written -----------------------------


@pytest.mark.parametrize(
    ("text", "field", "value"),
    [
        ("title: 2024\nblocks: [{say: hi}]", "title", "2024"),
        ("title: 1.10\nblocks: [{say: hi}]", "title", "1.10"),
        ("title: 3.0\nblocks: [{say: hi}]", "title", "3.0"),
        ("title: 010\nblocks: [{say: hi}]", "title", "010"),
        ("title: .5\nblocks: [{say: hi}]", "title", ".5"),
        ("title: 1.0e+3\nblocks: [{say: hi}]", "title", "1.0e+3"),
        ("title: .inf\nblocks: [{say: hi}]", "title", ".inf"),
        ("title: -0\nblocks: [{say: hi}]", "title", "-0"),
        ("title: +5\nblocks: [{say: hi}]", "title", "+5"),
        ("title: T\ndescription: 2024\nblocks: [{say: hi}]", "description", "2024"),
        ("title: T\nsource: 1.10\nblocks: [{say: hi}]", "source", "1.10"),
        ("title: T\nauthor: 42\nblocks: [{say: hi}]", "author", "42"),
    ],
)
def test_numbers_in_routine_text_fields_are_their_text(text: str, field: str, value: str) -> None:
    assert getattr(load(text + "\n"), field) == value


def test_numbers_in_block_text_fields_are_their_text() -> None:
    routine = load(
        """
        title: T
        sections:
          - name: 1
            blocks:
              - exercise: 1.10
                duration: 30s
                goal: 1.50
                steps: [1.10, 2.0, 3]
                cues: 0.5
                sides: [1.0, 2.0]
                breathe: {inhale: 4}
              - superset: 12
                exercises: [{exercise: 90, reps: 5}]
              - check: 2.50
                steps: 1.10
              - say: .5
              - rest: 30s
                say: 2.0
        """
    )
    (section,) = routine.sections
    ex, group, check, say, rest = section.blocks
    assert section.name == "1"
    assert isinstance(ex, Exercise) and ex.exercise == "1.10" and ex.goal == "1.50"
    assert ex.steps == ("1.10", "2.0", "3") and ex.cues == ("0.5",)
    assert ex.sides == ("1.0", "2.0")
    assert isinstance(group, Group) and group.name == "12" and group.exercises[0].exercise == "90"
    assert check.check == "2.50" and check.steps == ("1.10",)
    assert say.say == ".5" and rest.say == "2.0"


def test_a_number_exercise_name_is_spoken_as_written(fake_speech) -> None:
    routine = load("title: T\nblocks:\n  - exercise: 1.10\n    duration: 5s\n")
    assert "1.10." in said(routine)


# --- 7. bare words YAML reads as true, false or null, where text is expected -----------------

BOOL_WORDS = ["yes", "Yes", "YES", "no", "No", "NO", "on", "On", "ON", "off", "Off", "OFF"]
BOOL_WORDS += ["true", "True", "TRUE", "false", "False", "FALSE"]


def reading(word: str) -> str:
    return "true" if word.lower() in ("yes", "on", "true") else "false"


@pytest.mark.parametrize("word", BOOL_WORDS)
def test_every_yaml_boolean_word_in_a_title_is_refused_with_the_quoted_form(word: str) -> None:
    (issue,) = refusal(f"title: {word}\nblocks: [{{say: hi}}]\n").issues
    assert issue.message == (
        f"YAML reads the bare word {word} as {reading(word)}, not as text; "
        f'to mean the word, quote it: title: "{word}"'
    )


@pytest.mark.parametrize(
    ("text", "path", "quoted"),
    [
        ("  - exercise: Off\n    reps: 5", "blocks[0].exercise", 'exercise: "Off"'),
        ("  - exercise: Row\n    reps: 5\n    goal: yes", "blocks[0].goal", 'goal: "yes"'),
        ("  - say: on", "blocks[0].say", 'say: "on"'),
        ("  - check: No", "blocks[0].check", 'check: "No"'),
        ("  - rest: 30s\n    say: no", "blocks[0].say", 'say: "no"'),
        (
            "  - superset: Off\n    exercises: [{exercise: A, reps: 5}]",
            "blocks[0].superset",
            'superset: "Off"',
        ),
        (
            "  - circuit: C\n    exercises: [{exercise: yes, reps: 5}]",
            "blocks[0].exercises[0].exercise",
            'exercise: "yes"',
        ),
        (
            "  - exercise: Row\n    duration: 30s\n    breathe: {inhale: up, exhale: off}",
            "blocks[0].breathe.exhale",
            'exhale: "off"',
        ),
    ],
)
def test_boolean_words_in_block_text_fields(text: str, path: str, quoted: str) -> None:
    (issue,) = refusal(f"title: T\nblocks:\n{text}\n").issues
    assert issue.path == path
    assert "YAML reads the bare word" in issue.message and issue.message.endswith(quoted)


@pytest.mark.parametrize(
    ("line", "path", "word"),
    [
        ("steps: [Stand tall, no]", "blocks[0].steps[1]", "no"),
        ("steps:\n      - Stand tall\n      - Yes", "blocks[0].steps[1]", "Yes"),
        ("cues: [on]", "blocks[0].cues[0]", "on"),
        ("sides: [yes, no]", "blocks[0].sides[0]", "yes"),
        ("sides: [left, off]", "blocks[0].sides[1]", "off"),
    ],
)
def test_boolean_words_in_lists_of_text(line: str, path: str, word: str) -> None:
    issues = refusal(f"title: T\nblocks:\n  - exercise: Row\n    reps: 5\n    {line}\n").issues
    assert issues[0].path == path
    assert f"YAML reads the bare word {word} as {reading(word)}" in issues[0].message
    quoted = f'"{word}"' if path.endswith("]") else f'{path.split(".")[-1]}: "{word}"'
    assert issues[0].message.endswith(f"quote it: {quoted}")


#: "is required" for YAML's null in a required text (not "quote it": nobody means the word ~)
_TITLE = "write the title here, like title: Upper-Back Yoga"
_MOVE = "write the name of the move here, like exercise: Plank"


@pytest.mark.parametrize(
    ("text", "path", "message"),
    [
        (
            "title: ~\nblocks: [{say: hi}]",
            "title",
            f"title is required, and ~ is YAML's null (no value); {_TITLE}",
        ),
        (
            "title: null\nblocks: [{say: hi}]",
            "title",
            f"title is required, and null is YAML's null (no value); {_TITLE}",
        ),
        (
            "title: Null\nblocks: [{say: hi}]",
            "title",
            f"title is required, and Null is YAML's null (no value); {_TITLE}",
        ),
        ("title:\nblocks: [{say: hi}]", "title", f"must not be empty; {_TITLE}"),
        (
            "title: T\nblocks:\n  - exercise: ~\n    reps: 5",
            "blocks[0].exercise",
            f"exercise is required, and ~ is YAML's null (no value); {_MOVE}",
        ),
        (
            "title: T\nblocks:\n  - exercise:\n    reps: 5",
            "blocks[0].exercise",
            f"must not be empty; {_MOVE}",
        ),
        (
            "title: T\nblocks:\n  - say: NULL",
            "blocks[0].say",
            "say is required, and NULL is YAML's null (no value); write the sentence to say "
            "here, like say: Keep your neck long.",
        ),
        (
            "title: T\nblocks:\n  - check: ~",
            "blocks[0].check",
            "check is required, and ~ is YAML's null (no value); write the name of the check "
            "here, like check: Weight test",
        ),
        (  # an optional text given null is not given: the music then needs a name
            "title: T\nsections:\n  - name: ~\n    music: off\n    blocks: [{say: hi}]",
            "sections[0]",
            "a section's music starts as its name is spoken; give the section a name: "
            "(or put music: at the top of the routine)",
        ),
        (
            "title: T\nblocks:\n  - exercise: Row\n    reps: 5\n    steps: [Stand, ~]",
            "blocks[0].steps[1]",
            "an item of steps cannot be empty (~ is YAML's null, no value); write it, or remove "
            "the line",
        ),
        (
            "title: T\nblocks:\n  - exercise: Row\n    reps: 5\n    sides: [left, null]",
            "blocks[0].sides[1]",
            "an item of sides cannot be empty (null is YAML's null, no value); write it, or "
            "remove the line",
        ),
    ],
)
def test_null_words_where_text_is_required(text: str, path: str, message: str) -> None:
    (issue,) = refusal(text + "\n").issues
    assert (issue.path, issue.message) == (path, message)


def test_null_in_an_optional_text_field_is_not_given() -> None:
    routine = load(
        "title: T\ndescription: ~\nblocks:\n  - exercise: Row\n    reps: 5\n"
        "    goal: null\n    steps:\n    cues: ~\n"
    )
    assert routine.description is None
    assert routine.blocks[0].goal is None
    assert routine.blocks[0].steps == () and routine.blocks[0].cues == ()


@pytest.mark.parametrize(
    ("line", "value"),
    [("alternate: yes", True), ("alternate: On", True), ("alternate: true", True)],
)
def test_boolean_words_where_true_or_false_is_meant_stay_booleans(line: str, value: bool) -> None:
    ex = exercise(ONE_EXERCISE.format(measure=f"reps: 5\n    sides: both\n    {line}"))
    assert ex.alternate is value


def test_a_boolean_word_where_a_number_is_meant_says_how_yaml_read_it() -> None:
    (issue,) = refusal(ONE_EXERCISE.format(measure="reps: yes")).issues
    assert issue.message.endswith("(YAML reads the bare word yes as true)")


@pytest.mark.parametrize("key", ["on", "yes", "No", "1", "2.5", "null", "~"])
def test_a_bare_key_is_its_text(key: str) -> None:
    """Keys are names: ``on:`` is the key 'on' (YAML 1.1: true, refused as "not a name")."""
    (issue,) = refusal(f"title: T\n{key}: 3\nblocks: [{{say: hi}}]\n").issues
    assert issue.path == key and f"unknown key {key!r}" in issue.message


# --- the same kinds in program files -------------------------------------------------------

#: Two sets of a timed hold: something for each rule below to change (a rule that changes
#: nothing in every routine it applies to is refused).
TINY = "title: Tiny\nblocks:\n  - exercise: Plank\n    duration: 20s\n    sets: 2\n"


def load_program(tmp_path: Path, text: str) -> ProgramFile:
    (tmp_path / "tiny.yaml").write_text(TINY, encoding="utf-8")
    raw = textwrap.dedent(text).encode()
    return program_from(parse_source(raw, str(tmp_path / "week.yaml"), what="program"))


def program_refusal(tmp_path: Path, text: str) -> InputError:
    with pytest.raises(InputError) as info:
        load_program(tmp_path, text)
    return info.value


def test_program_numbers_with_leading_zeros_are_decimal(tmp_path: Path) -> None:
    pf = load_program(
        tmp_path,
        """
        title: W
        weeks: 010
        days:
          mon:
            routine: tiny.yaml
            pace: {rest: 020, hold: 010, countdown: 07, rep_tempo: 02, pace: 01.5}
        progression:
          - every: 02
            holds: 010
          - weeks: [04, 010]
            deload: 0.70
          - every: 1
            start: 03
            sets: 01
        """,
    )
    program = pf.program
    assert program.weeks == 10  # YAML 1.1: 8
    pace = program.days["mon"].pace
    assert (pace.rest, pace.hold, pace.countdown, pace.rep_tempo, pace.pace) == (
        20_000,  # 16 s
        10_000,  # 8 s
        7,
        2000,
        1.5,
    )
    every, only, start = program.progression
    assert (every.every, every.holds) == (2, 10_000)  # holds +8 s
    assert only.weeks == (4, 10)  # week 8
    assert (start.start, start.sets) == (3, 1)


@pytest.mark.parametrize(
    ("text", "path", "reason"),
    [
        ("weeks: 0x04\ndays: {mon: tiny.yaml}", "weeks", "0x04 is hexadecimal"),
        (
            "days: {mon: tiny.yaml}\nprogression: [{every: 0b1, sets: 1}]",
            "progression[0].every",
            "0b1 is binary",
        ),
        (
            "days: {mon: tiny.yaml}\nprogression: [{every: 1, holds: 0x05}]",
            "progression[0].holds",
            "0x05 is hexadecimal",
        ),
        (
            "days:\n  mon: {routine: tiny.yaml, pace: {rest: 0x1E}}",
            "days.mon.pace.rest",
            "0x1E is hexadecimal: write numbers in decimal, like 30",
        ),
        (
            "days:\n  mon: {routine: tiny.yaml, pace: {rest: 1:30}}",
            "days.mon.pace.rest",
            "for 1:30 as minutes:seconds write 1m30s",
        ),
        (
            "days:\n  mon: {routine: tiny.yaml, pace: {hold: 0o50}}",
            "days.mon.pace.hold",
            "0o50 is octal: write numbers in decimal, like 40",
        ),
    ],
)
def test_program_numbers_in_other_bases_are_refused(
    tmp_path: Path, text: str, path: str, reason: str
) -> None:
    issues = program_refusal(tmp_path, "title: W\n" + text + "\n").issues
    assert issues[0].path == path and reason in issues[0].message, issues


def test_program_text_fields_take_numbers_as_written(tmp_path: Path) -> None:
    (tmp_path / "2024.yaml").write_text(TINY, encoding="utf-8")
    (tmp_path / "1.10").write_text(TINY, encoding="utf-8")
    pf = load_program(
        tmp_path,
        """
        title: 2.10
        description: 2024
        weeks: 2
        days:
          mon: tiny.yaml
          tue: 2024.yaml
          wed: 1.10
        progression:
          - every: 1
            sets: 1
            routines: [2024.yaml, 1.10]
        """,
    )
    assert pf.program.title == "2.10" and pf.program.description == "2024"
    assert pf.program.progression[0].routines == ("2024.yaml", "1.10")


def test_program_a_day_named_by_a_number_is_that_file(tmp_path: Path) -> None:
    (issue,) = program_refusal(tmp_path, "title: W\ndays: {mon: 1.10}\n").issues
    assert "no routine file '1.10'" in issue.message


@pytest.mark.parametrize(
    ("text", "path", "quoted"),
    [
        ("title: Yes\ndays: {mon: tiny.yaml}", "title", 'title: "Yes"'),
        ("title: W\ndescription: off\ndays: {mon: tiny.yaml}", "description", 'description: "off"'),
        (
            "title: W\ndays: {mon: tiny.yaml}\nprogression: [{every: 1, sets: 1, routines: [no]}]",
            "progression[0].routines[0]",
            '"no"',
        ),
        ("title: W\ndays:\n  mon: {routine: No}", "days.mon.routine", 'routine: "No"'),
    ],
)
def test_program_boolean_words_in_text_fields(
    tmp_path: Path, text: str, path: str, quoted: str
) -> None:
    (issue,) = program_refusal(tmp_path, text + "\n").issues
    assert issue.path == path
    assert "YAML reads the bare word" in issue.message and issue.message.endswith(quoted)


@pytest.mark.parametrize("word", ["off", "Off", "no", "NO", "false", "~", "rest", "Rest day"])
def test_program_a_rest_day_may_be_any_word_for_none(tmp_path: Path, word: str) -> None:
    pf = load_program(tmp_path, f"title: W\ndays:\n  mon: tiny.yaml\n  tue: {word}\n")
    assert pf.program.days["tue"] is None


@pytest.mark.parametrize("word", ["on", "yes", "true"])
def test_program_a_day_that_is_true_says_what_a_day_takes(tmp_path: Path, word: str) -> None:
    (issue,) = program_refusal(tmp_path, f"title: W\ndays:\n  mon: {word}\n").issues
    assert issue.path == "days.mon"
    assert "a day takes a routine file" in issue.message
    if word != "true":
        assert issue.message.endswith(f"(YAML reads the bare word {word} as true)")


def test_program_day_pace_booleans_stay_booleans(tmp_path: Path) -> None:
    pf = load_program(
        tmp_path, "title: W\ndays:\n  mon: {routine: tiny.yaml, pace: {steps: off}}\n"
    )
    assert pf.program.days["mon"].pace.steps is False


# --- the loader itself ------------------------------------------------------------------------


def test_plain_numbers_remember_their_text_and_quoted_text_stays_text() -> None:
    source = parse_source(b"a: 010\nb: 1.10\nc: '010'\nd: !!str 1.10\ne: 0x0A\nf: On\n", "s.yaml")
    a, b = source.data["a"], source.data["b"]
    assert isinstance(a, WrittenInt) and (a, a.text) == (10, "010")
    assert isinstance(b, WrittenFloat) and (b, b.text) == (1.1, "1.10")
    assert source.data["c"] == "010" and source.data["d"] == "1.10"
    assert source.data["e"] == "0x0A"
    assert source.data["f"] is True
    assert source.scalars[("f",)].text == "On" and source.scalars[("f",)].plain
    assert not source.scalars[("c",)].plain


def test_written_numbers_survive_pickling() -> None:
    import pickle

    data = parse_source(b"a: 010\nb: 1.10\n", "p.yaml").data
    again = pickle.loads(pickle.dumps(data))
    assert again == {"a": 10, "b": 1.1} and again["a"].text == "010" and again["b"].text == "1.10"


def test_validate_reports_every_kind_at_once(runner, write_routine) -> None:
    path = write_routine(
        """
        title: On
        blocks:
          - exercise: No
            reps: 0x0A
          - rest: 1:30
          - exercise: Row
            reps: 010
            steps: [Stand, off]
        """
    )
    result = runner.invoke(cli, ["validate", str(path)])
    assert result.exit_code == 2
    lines = result.stderr.strip().splitlines()
    assert [line.split(":")[1] for line in lines] == ["1", "3", "4", "5", "8"]
    assert 'title: "On"' in lines[0] and 'exercise: "No"' in lines[1]
    assert "like 10" in lines[2] and "write 1m30s" in lines[3] and 'quote it: "off"' in lines[4]
