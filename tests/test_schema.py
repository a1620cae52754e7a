"""The editor schema (``audiocoach schema routine|program``): current, valid, true to the loader.

The schema must accept every file audiocoach accepts (the shipped files, every friendly form of a
value, and, in ``tests/reliability/test_fuzz_documents.py``, every generated routine and program
the model takes) and should refuse what it can say is wrong: the bad-file corpus, except the
files listed in ``SCHEMA_CANNOT_SAY`` with the reason.

The kept copies in ``schemas/`` are regenerated with ``AUDIOCOACH_UPDATE_SCHEMA=1 pytest
tests/test_schema.py`` (after a model gains a field, that one command is all that is needed).
"""

from __future__ import annotations

import json
import os
import re
from pathlib import Path
from typing import Any

import jsonschema
import pytest
from shipped import ALL_FILES, PROGRAMS, ROUTINES

from audiocoach.cli import cli
from audiocoach.errors import InputError
from audiocoach.program import is_program, program_from
from audiocoach.routine import validate_routine
from audiocoach.schema import KINDS, SCHEMA_FILES, json_schema, modeline, schema_text
from audiocoach.yamlsource import parse_source, read_source

REPO = Path(__file__).resolve().parent.parent
BAD_DIR = Path(__file__).parent / "bad"
UPDATE = os.environ.get("AUDIOCOACH_UPDATE_SCHEMA") == "1"
VALIDATORS = {kind: jsonschema.Draft7Validator(json_schema(kind)) for kind in KINDS}


def kind_of(data: Any) -> str:
    return "program" if isinstance(data, dict) and "days" in data else "routine"


def schema_errors(data: Any, kind: str | None = None) -> list[jsonschema.ValidationError]:
    return list(VALIDATORS[kind or kind_of(data)].iter_errors(data))


# --- the kept copies and the command ---------------------------------------------------------


@pytest.mark.parametrize("kind", KINDS)
def test_kept_schema_is_current(kind: str) -> None:
    path = REPO / SCHEMA_FILES[kind]
    text = schema_text(kind)  # type: ignore[arg-type]
    if UPDATE:
        path.write_text(text, encoding="utf-8")
    assert path.read_text(encoding="utf-8") == text, (
        f"{path} is out of date: regenerate with AUDIOCOACH_UPDATE_SCHEMA=1 pytest "
        "tests/test_schema.py"
    )


@pytest.mark.parametrize("kind", KINDS)
def test_schema_is_a_valid_draft_7_schema(kind: str) -> None:
    """Draft 7: the YAML language server and VS Code know it fully (not yet 2019-09 or 2020-12)."""
    schema = json.loads((REPO / SCHEMA_FILES[kind]).read_text(encoding="utf-8"))
    jsonschema.Draft7Validator.check_schema(schema)
    assert schema["$schema"] == "http://json-schema.org/draft-07/schema#"
    text = json.dumps(schema)
    for newer in ("$defs", "dependentRequired", "dependentSchemas", "unevaluated", "prefixItems"):
        assert newer not in text, f"{newer} is newer than draft 7"

    def refs_stand_alone(node: Any) -> None:
        if isinstance(node, dict):
            assert "$ref" not in node or len(node) == 1, node  # draft 7 ignores $ref's siblings
            for value in node.values():
                refs_stand_alone(value)
        elif isinstance(node, list):
            for value in node:
                refs_stand_alone(value)

    refs_stand_alone(schema)
    assert schema["title"] == f"audiocoach {kind}"


@pytest.mark.parametrize("kind", KINDS)
def test_the_command_prints_the_schema(runner, kind: str) -> None:
    result = runner.invoke(cli, ["schema", kind])
    assert result.exit_code == 0, result.stderr
    assert result.stdout == (REPO / SCHEMA_FILES[kind]).read_text(encoding="utf-8")
    assert json.loads(result.stdout) == json_schema(kind)  # type: ignore[arg-type]


def test_the_command_names_the_kinds(runner) -> None:
    result = runner.invoke(cli, ["schema", "week"])
    assert result.exit_code == 2
    assert "'routine', 'program'" in result.stderr


def test_the_language_reference_describes_keys_that_exist() -> None:
    """Every key the descriptions name is a key of a model, so a renamed key cannot silently lose
    its words. A key a model gains later is in the schema after regeneration, described by its
    ``Field(description=...)`` or by an entry in ``audiocoach.schema._DOCS``."""
    from audiocoach.schema import _DOCS

    seen: set[str] = set()
    for kind in KINDS:
        schema = json_schema(kind)  # type: ignore[arg-type]
        models = {"Routine" if kind == "routine" else "Program": schema, **schema["definitions"]}
        seen |= set(models)
        for name, keys in _DOCS.items():
            if name not in models:
                continue
            for key in keys:
                prop = models[name]["properties"].get(key)
                assert prop is not None, f"{name}.{key} is described but no longer exists"
                assert prop["description"] == keys[key][0]
    assert set(_DOCS) <= seen, set(_DOCS) - seen


# --- shipped files ---------------------------------------------------------------------------


@pytest.mark.parametrize("path", ALL_FILES, ids=lambda p: p.name)
def test_shipped_files_name_their_schema_on_their_first_line(path: Path) -> None:
    kind = "program" if path in PROGRAMS else "routine"
    first = path.read_text(encoding="utf-8").splitlines()[0]
    assert first == modeline(kind)  # type: ignore[arg-type]
    target = first.split("$schema=", 1)[1]
    assert (path.parent / target).resolve() == (REPO / SCHEMA_FILES[kind]).resolve()  # type: ignore[index]
    assert (path.parent / target).is_file()


@pytest.mark.parametrize("path", ALL_FILES, ids=lambda p: p.name)
def test_shipped_files_are_valid_against_the_schema(path: Path) -> None:
    data = read_source(path).data
    assert kind_of(data) == ("program" if path in PROGRAMS else "routine")
    assert not [e.message for e in schema_errors(data)]


def test_shipped_routines_and_programs_are_both_covered() -> None:
    assert len(ROUTINES) >= 5 and len(PROGRAMS) >= 1


# --- what the loader accepts, the schema accepts ---------------------------------------------

ONE = "title: T\nblocks:\n  - exercise: Plank\n    {line}\n"

#: every friendly form of each value the models take, one file each
ACCEPTED_ROUTINES: list[str] = [
    *[
        ONE.format(line=f"duration: {d}")
        for d in (
            "30s",
            "1m30s",
            "2m",
            "1h",
            "1.5s",
            "1500ms",
            "45",
            "45.5",
            "30S",
            "1M30S",
            "'1 m 30 s'",
            "' 30s '",
            "'45'",
            "open",
            "Open",
            "as long as comfortable",
            "1_0",
            "020",
        )
    ],
    *[ONE.format(line=f"reps: {r}") for r in ("10", "'10'", "10.0", "010", "' 7 '", "200")],
    *[
        ONE.format(line=f"duration: 30s\n    sides: {s}")
        for s in ("both", "each", "each side", "true", "yes", "[right, left]", "[a, b, c, d]")
    ],
    *[
        ONE.format(line=f"breaths: 3\n    breath: {b}")
        for b in (
            "4:6",
            "4:2:6:2",
            "'4s:6s'",
            "'4 : 6'",
            "'4:0:6:0'",
            "{inhale: 4s, exhale: 6}",
            "{inhale: 4, hold: 2s, exhale: 6s, hold_out: 0}",
        )
    ],
    *[
        ONE.format(line=f"duration: 30s\n    cues: {c}")
        for c in ("Keep still.", "[One, Two]", "~", "", "1.10", "[1.10, 2]")
    ],
    ONE.format(line="reps: 5\n    sides: both\n    alternate: yes"),
    ONE.format(line="reps: 5\n    sides: both\n    alternate: 'true'"),
    ONE.format(line="reps: 5\n    tempo: 2.5s\n    sets: '3'\n    rest: 0"),
    ONE.format(line="duration: 30s\n    breathe: {inhale: up, exhale: down}"),
    ONE.format(line="breaths: 4\n    breathe: {hold: stay}"),
    ONE.format(line="duration: 30s\n    goal: ~\n    tempo: ~\n    reps: ~"),
    ONE.format(line="duration: 30s\n    sets: 2\n    rest: 1m"),
    "title: 2024\nauthor: 1.10\ndescription: ~\nblocks: [{say: 5}]\n",
    "title: T\npace: {breath: 4:6, rep_tempo: 2, rest: 45s, hold: 1m, countdown: '0', switch: 0,"
    " speech_speed: '1.5'}\nblocks: [{say: hi}]\n",
    "title: T\npace: {speech_speed: 2}\nblocks: [{say: hi}]\n",
    "title: T\nsections:\n  - blocks: [{rest: 30s, say: Breathe.}]\n  - name: 2\n"
    "    blocks: [{check: Weight test, steps: Stand., pause: 20s}]\nblocks: []\n",
    "title: T\nblocks:\n  - superset: S\n    rounds: 3\n    rest: 15s\n    rest_between: 0\n"
    "    steps: [Go.]\n    exercises:\n      - {exercise: A, reps: 5, sets: 1}\n"
    "      - {exercise: B, duration: 20s, sides: both}\n",
    "title: T\nblocks:\n  - circuit: C\n    superset: ~\n    exercises: [{exercise: A, reps: 5}]\n",
    "title: T\nblocks:\n  - exercise: A\n    rest: 30s\n    duration: 30s\n",
]


@pytest.mark.parametrize("text", ACCEPTED_ROUTINES)
def test_every_form_the_routine_loader_takes_the_schema_takes(text: str) -> None:
    source = parse_source(text.encode(), "ok.yaml")
    validate_routine(source)  # the loader takes it ...
    errors = schema_errors(source.data, "routine")
    assert not errors, [f"{list(e.absolute_path)}: {e.message}" for e in errors]  # ... and so


def _program(tmp_path: Path, text: str) -> Any:
    (tmp_path / "tiny.yaml").write_text(
        # something for every progression rule to change: holds, sets, rests, reps, breaths
        "title: Tiny\nblocks:\n  - exercise: Plank\n    duration: 20s\n    sets: 2\n"
        "  - exercise: Row\n    reps: 5\n  - exercise: Rest pose\n    breaths: 3\n",
        encoding="utf-8",
    )
    source = parse_source(text.encode(), str(tmp_path / "week.yaml"), what="program")
    program_from(source)
    return source.data


ACCEPTED_PROGRAMS: list[str] = [
    "title: W\ndays: {mon: tiny.yaml}\n",
    "title: W\nweeks: '4'\ndays:\n  Monday: tiny.yaml\n  ' wed': tiny.yaml\n  FRI: rest\n"
    "  sat: Rest Day\n  sun: off\n  tue: ~\n  thu: false\n",
    "title: 2024\ndescription: 7\nweeks: 010\ndays:\n  mon:\n    routine: tiny.yaml\n"
    "    pace: {pace: x1.2, rest: x1.3, rep_tempo: 2.5s, hold: 45s, countdown: 2, steps: off,"
    " speech_speed: 1.1, breath: 4:6}\n",
    "title: W\ndays:\n  mon:\n    routine: tiny.yaml\n"
    "    pace: {pace: 0.8, rest: 45, rep_tempo: x0.8, hold: 600, countdown: '3', steps: 'yes',"
    " speech_speed: x2, breath: {inhale: 4, exhale: 6}}\n",
    "title: W\nweeks: 4\ndays: {mon: tiny.yaml}\nprogression:\n"
    "  - {every: 1, holds: +5s}\n  - {every: 2, start: 2, sets: +1, routines: [tiny.yaml]}\n"
    "  - {every: 1, rests: -5s, reps: '-2', breaths: 1}\n  - {weeks: [4], deload: 0.7}\n"
    "  - {weeks: ['2', 3.0], holds: 5, rests: '- 10s'}\n",
]


@pytest.mark.parametrize("text", ACCEPTED_PROGRAMS)
def test_every_form_the_program_loader_takes_the_schema_takes(tmp_path: Path, text: str) -> None:
    data = _program(tmp_path, text)
    errors = schema_errors(data, "program")
    assert not errors, [f"{list(e.absolute_path)}: {e.message}" for e in errors]


# --- what the schema can say is wrong --------------------------------------------------------

#: a routine the loader refuses, and the path of the value the schema refuses too
REFUSED_ROUTINES: list[tuple[str, list[Any]]] = [
    (ONE.format(line="duration: 30 secs"), ["blocks", 0, "duration"]),
    (ONE.format(line="duration: -5"), ["blocks", 0, "duration"]),
    (ONE.format(line="duration: 0.5"), ["blocks", 0, "duration"]),
    (ONE.format(line="duration: 3601"), ["blocks", 0, "duration"]),
    (ONE.format(line="duration: 1:30"), ["blocks", 0, "duration"]),
    (ONE.format(line="duration: closed"), ["blocks", 0, "duration"]),
    (ONE.format(line="reps: 0"), ["blocks", 0, "reps"]),
    (ONE.format(line="reps: 201"), ["blocks", 0, "reps"]),
    (ONE.format(line="reps: 0x0A"), ["blocks", 0, "reps"]),
    (ONE.format(line="reps: ten"), ["blocks", 0, "reps"]),
    (ONE.format(line="reps: 5\n    tempo: 0.2"), ["blocks", 0, "tempo"]),
    (ONE.format(line="reps: 5\n    sets: 21"), ["blocks", 0, "sets"]),
    (ONE.format(line="duration: 5s\n    sides: sometimes"), ["blocks", 0, "sides"]),
    (ONE.format(line="duration: 5s\n    sides: [left]"), ["blocks", 0, "sides"]),
    (ONE.format(line="duration: 5s\n    sides: [a, b, c, d, e]"), ["blocks", 0, "sides"]),
    (ONE.format(line="breaths: 3\n    breath: 4-6"), ["blocks", 0, "breath"]),
    (ONE.format(line="breaths: 3\n    breath: '4:6:8'"), ["blocks", 0, "breath"]),
    (ONE.format(line="breaths: 3\n    breath: {inhale: 4}"), ["blocks", 0, "breath"]),
    (ONE.format(line="breaths: 3\n    breath: {inhal: 4, exhale: 4}"), ["blocks", 0, "breath"]),
    (ONE.format(line="breaths: 3\n    breath: {inhale: 40, exhale: 4}"), ["blocks", 0, "breath"]),
    (ONE.format(line="duration: 5s\n    goal: '   '"), ["blocks", 0, "goal"]),
    (ONE.format(line="duration: 5s\n    goal: No"), ["blocks", 0, "goal"]),
    (ONE.format(line="duration: 5s\n    steps: [ok, yes]"), ["blocks", 0, "steps"]),
    (
        ONE.format(line=f"duration: 5s\n    steps: [{', '.join(['a'] * 51)}]"),
        ["blocks", 0, "steps"],
    ),
    (ONE.format(line="duration: 5s\n    alternate: maybe"), ["blocks", 0, "alternate"]),
    (ONE.format(line="duration: open\n    breathe: {inhale: up}"), ["blocks", 0]),
    (ONE.format(line="reps: 5\n    alternate: true"), ["blocks", 0]),
    (ONE.format(line="duration: 5s\n    breaths: 3"), ["blocks", 0]),
    (f"title: {'x' * 121}\nblocks: [{{say: hi}}]\n", ["title"]),
    ("title: On\nblocks: [{say: hi}]\n", ["title"]),
    ("title: T\npace: {speech_speed: 3}\nblocks: [{say: hi}]\n", ["pace", "speech_speed"]),
    ("title: T\npace: {speech_speed: yes}\nblocks: [{say: hi}]\n", ["pace", "speech_speed"]),
    ("title: T\npace: {countdown: 11}\nblocks: [{say: hi}]\n", ["pace", "countdown"]),
    ("title: T\nblocks: []\n", []),
    ("title: T\nblocks: [{rest: 0.5}]\n", ["blocks", 0, "rest"]),
    ("title: T\nblocks: [{say: hi, check: x}]\n", ["blocks", 0]),
    ("title: T\nblocks: [{circuit: C, exercises: []}]\n", ["blocks", 0, "exercises"]),
]


@pytest.mark.parametrize(("text", "where"), REFUSED_ROUTINES)
def test_the_schema_refuses_what_it_can_say_is_wrong(text: str, where: list[Any]) -> None:
    source = parse_source(text.encode(), "bad.yaml")
    with pytest.raises(InputError):
        validate_routine(source)
    errors = schema_errors(source.data, "routine")
    assert errors, "the schema should refuse this"
    assert where in [list(e.absolute_path) for e in errors], [
        (list(e.absolute_path), e.message[:80]) for e in errors
    ]


REFUSED_PROGRAMS: list[tuple[str, list[Any]]] = [
    ("title: W\ndays: {funday: tiny.yaml}\n", ["days"]),
    ("title: W\ndays: {mon: rest, tue: off, wed: ~}\n", ["days"]),
    ("title: W\ndays: {}\n", ["days"]),
    ("title: W\ndays: {mon: yes}\n", ["days", "mon"]),
    ("title: W\nweeks: 53\ndays: {mon: tiny.yaml}\n", ["weeks"]),
    ("title: W\nweeks: true\ndays: {mon: tiny.yaml}\n", ["weeks"]),
    (
        "title: W\ndays:\n  mon: {routine: tiny.yaml, pace: {pace: 5}}\n",
        ["days", "mon", "pace", "pace"],
    ),
    (
        "title: W\ndays:\n  mon: {routine: tiny.yaml, pace: {hold: 2}}\n",
        ["days", "mon", "pace", "hold"],
    ),
    (
        "title: W\ndays:\n  mon: {routine: tiny.yaml, pace: {rest: 45 secs}}\n",
        ["days", "mon", "pace", "rest"],
    ),
    (
        "title: W\ndays:\n  mon: {routine: tiny.yaml, pace: {rset: 45s}}\n",
        ["days", "mon", "pace"],
    ),
    ("title: W\ndays: {mon: tiny.yaml}\nprogression: [{sets: 1}]\n", ["progression", 0]),
    ("title: W\ndays: {mon: tiny.yaml}\nprogression: [{every: 1}]\n", ["progression", 0]),
    (
        "title: W\ndays: {mon: tiny.yaml}\nprogression: [{every: 1, weeks: [2], sets: 1}]\n",
        ["progression", 0],
    ),
    (
        "title: W\ndays: {mon: tiny.yaml}\nprogression: [{every: 1, deload: 0.7}]\n",
        ["progression", 0],
    ),
    (
        "title: W\ndays: {mon: tiny.yaml}\nprogression: [{weeks: [4], deload: 1.5}]\n",
        ["progression", 0, "deload"],
    ),
    (
        "title: W\ndays: {mon: tiny.yaml}\nprogression: [{every: 1, sets: +11}]\n",
        ["progression", 0, "sets"],
    ),
]


@pytest.mark.parametrize(("text", "where"), REFUSED_PROGRAMS)
def test_the_program_schema_refuses_what_it_can_say_is_wrong(
    tmp_path: Path, text: str, where: list[Any]
) -> None:
    with pytest.raises(InputError):
        _program(tmp_path, text)
    data = parse_source(text.encode(), "bad.yaml", what="program").data
    errors = schema_errors(data, "program")
    assert errors, "the schema should refuse this"
    assert where in [list(e.absolute_path) for e in errors], [
        (list(e.absolute_path), e.message[:80]) for e in errors
    ]


# --- the bad-file corpus ---------------------------------------------------------------------

#: Bad files a schema cannot refuse, and why. Every other file in tests/bad is refused by the
#: schema at the place (or the mapping around the place) its message points to.
SCHEMA_CANNOT_SAY: dict[str, str] = {
    "yaml_syntax": "not YAML: the editor's YAML parser reports it before any schema applies",
    "duplicate_key": "a YAML error: the parser keeps one of the two values, the schema sees one",
    "rest_too_short": "0.5s is a duration by its form; its length needs reading the units "
    "(a bare 0.5 is refused by the schema)",
    "tempo_too_fast": "whether a count can be said in a tempo depends on the voice's speech "
    "lengths, which only the scheduler knows",
    "yaml_syntax_at_end": "not YAML: an unclosed [ at the end of the file",
    "yaml_unclosed_quote": "not YAML: an unclosed quote",
    "durations_too_long": "13h is a duration by its form; its length needs reading the units",
    "program_rules_never_apply": "whether a rule's weeks, routines and changes apply needs the "
    "program's weeks, its days and what is in their routines",
}

#: Refused here (the schema is checked against what audiocoach's loader reads), but an editor
#: reads YAML 1.2 and sees otherwise: ``On`` is text and ``0x0A`` the number 10 there.
EDITOR_SEES_OTHERWISE = {"bool_word_in_text", "reps_hex", "program_numbers"}

BAD_FILES = sorted(BAD_DIR.glob("*.yaml"))
EXPECT = re.compile(r"^# expect: (\d+): ")


def _path(dotted: str) -> list[Any]:
    """``blocks[0].reps`` as a JSON path: ``["blocks", 0, "reps"]``."""
    parts: list[Any] = []
    for name, index in re.findall(r"([^.\[\]]+)|\[(\d+)\]", dotted):
        parts.append(int(index) if index else name)
    return parts


@pytest.mark.parametrize("path", BAD_FILES, ids=lambda p: p.stem)
def test_bad_files_are_refused_by_the_schema_where_it_can_say_why(path: Path) -> None:
    try:
        source = read_source(path)
    except InputError:
        assert path.stem in SCHEMA_CANNOT_SAY, f"{path.name}: the YAML itself is refused"
        return
    data = source.data
    errors = schema_errors(data)
    if path.stem in SCHEMA_CANNOT_SAY:
        assert not errors, f"{path.name} is refused after all: take it off SCHEMA_CANNOT_SAY"
        return
    assert errors, f"{path.name}: the schema takes it"
    found = {tuple(e.absolute_path) for e in errors}
    try:
        program_from(source) if is_program(source) else validate_routine(source)
    except InputError as exc:
        issues = exc.issues
    else:
        pytest.fail(f"{path.name} is accepted by the loader")
    for issue in issues:
        at = _path(issue.path)
        near = {tuple(at), tuple(at[:-1])}
        assert near & found, (issue, sorted(found))


def test_the_lists_name_real_bad_files() -> None:
    names = {p.stem for p in BAD_FILES}
    assert set(SCHEMA_CANNOT_SAY) <= names
    assert names >= EDITOR_SEES_OTHERWISE
