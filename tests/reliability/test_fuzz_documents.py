"""Fuzzing: generated YAML documents through load, validate and schedule.

Four families of input: valid routines written out as YAML (block, flow and mixed styles); near
misses (valid routines with keys dropped, misspelt or duplicated, values swapped for hostile ones,
lines deleted, re-indented or cut short); random structures and scalars; raw text and bytes. Plus
near-miss programs (``days:``) and near misses through the command line.

Every input ends in one of two ways: a timeline that keeps every timing rule
(``check_invariants``, shared with the scheduler's property tests), or validation messages, each
with its file, a line inside the file and one line of text. Never any other exception. Whatever
the model accepts, the editor schema (``audiocoach schema``) accepts too.

The quick CI profile runs a few hundred documents in a few seconds; ``HYPOTHESIS_PROFILE=thorough``
runs forty times as many.
"""

from __future__ import annotations

import copy
import gc
import re
import time
from collections import Counter
from pathlib import Path
from typing import Any

import click
import jsonschema
import pytest
import yaml
from click.testing import CliRunner
from hypothesis import HealthCheck, event, example, given, note, settings
from hypothesis import strategies as st
from shipped import ROUTINES as SHIPPED_ROUTINES
from strategies import routine_dicts, speech_engines
from test_schedule_properties import check_invariants

from audiocoach.cli import cli
from audiocoach.errors import InputError
from audiocoach.estimate import estimator
from audiocoach.pace import PaceOptions
from audiocoach.program import is_program, program_from
from audiocoach.render import plan_timeline
from audiocoach.routine import Routine, RoutineFile, validate_routine
from audiocoach.schedule import schedule
from audiocoach.schema import json_schema
from audiocoach.timeline import Timeline
from audiocoach.yamlsource import parse_source

NAME = "fuzz.yaml"
#: Examples per test under the active profile ("ci": 50, "thorough": 2000), scaled per family.
BUDGET = settings.default.max_examples
#: CPU time allowed for one document (parse, validate, schedule; a program: all its weeks); hangs
#: and blow-ups fail. CPU time, not wall time, so a busy machine does not make the tests flaky.
SLOW_S = 1.0
SLOW_PROGRAM_S = 2.0
LOCATED = re.compile(r"^(?P<file>.+?):(?P<line>\d+):(?P<col>\d+): (?P<rest>.+)$")
ACCEPTABLE_REFUSALS = ("too fast to say the count", "too short to say", "at most 12 hours")

TALLY: dict[str, Counter[str]] = {}
SCHEMAS = {kind: jsonschema.Draft7Validator(json_schema(kind)) for kind in ("routine", "program")}


def check_schema_accepts(data: Any, kind: str = "routine") -> None:
    """What the model accepted, the editor schema must accept too (it may refuse less)."""
    errors = [
        f"{list(e.absolute_path)}: {e.message[:200]}" for e in SCHEMAS[kind].iter_errors(data)
    ]
    assert not errors, errors


def fake_speech_ms(text: str) -> int:
    """60 ms a character: the shared fake (tests/conftest.py) without importing a conftest."""
    return 100 + 60 * len(text) if text else 0


def tally(family: str, outcome: str) -> None:
    TALLY.setdefault(family, Counter())[outcome] += 1
    event(outcome)


@pytest.fixture(scope="module", autouse=True)
def _report_tally():
    yield
    total = sum(sum(c.values()) for c in TALLY.values())
    lines = [f"{family}: {dict(counts)}" for family, counts in sorted(TALLY.items())]
    print(f"\nfuzzed documents: {total}\n  " + "\n  ".join(lines))


# --- the pipeline and what its answers must look like --------------------------------------------


def run(raw: bytes, speech_ms=fake_speech_ms) -> tuple[Routine, Timeline] | InputError:  # type: ignore[no-untyped-def]
    """load -> validate -> schedule, as ``plan`` does; InputError is the only allowed failure."""
    try:
        source = parse_source(raw, NAME)
        rf = RoutineFile(validate_routine(source), source)
        check_schema_accepts(source.data)
        return rf.routine, plan_timeline(rf, PaceOptions(), speech_ms)
    except InputError as exc:
        return exc


def max_line(raw: bytes) -> int:
    return len(raw.decode("utf-8", "replace").splitlines()) + 1


def check_messages(exc: InputError, raw: bytes, files: set[str] | None = None) -> None:
    assert exc.issues, "validation messages must be located"
    for issue in exc.issues:
        assert issue.file in (files or {NAME})
        if issue.file == NAME:
            assert 1 <= issue.line <= max_line(raw), (issue, max_line(raw))
        assert issue.line >= 1 and issue.col >= 1, issue
        assert issue.message and len(str(issue).splitlines()) == 1, issue
        assert len(str(issue)) < 600, "a message must not echo a huge value back"


def timed(func, *args):  # type: ignore[no-untyped-def]
    """``func(*args)`` and the CPU seconds it took, with the garbage collector held off.

    A slow answer is measured once more and the quicker time kept: a pause of the interpreter's
    own (a first-time import, a cache warming) is not the input's fault; a blow-up repeats.
    """
    best = float("inf")
    for _ in range(2):
        gc.disable()
        try:
            start = time.process_time()
            result = func(*args)
            best = min(best, time.process_time() - start)
        finally:
            gc.enable()
        if best < SLOW_S:
            break
    return result, best


def check(raw: bytes, family: str, speech_ms=fake_speech_ms) -> None:  # type: ignore[no-untyped-def]
    note(f"document: {raw[:2000]!r}")
    result, elapsed = timed(run, raw, speech_ms)
    assert elapsed < SLOW_S, f"{elapsed:.2f}s for one document"
    if isinstance(result, InputError):
        check_messages(result, raw)
        first = result.issues[0].message
        tally(family, "refused: " + re.sub(r"'.*", "", first.split(";")[0])[:40])
        return
    routine, timeline = result
    check_invariants(timeline, routine, PaceOptions())
    tally(family, "timeline")


def _runner() -> CliRunner:
    major, minor = (int(p) for p in click.__version__.split(".")[:2])
    return CliRunner() if (major, minor) >= (8, 2) else CliRunner(mix_stderr=False)  # type: ignore[call-arg]


def dump(data: Any, style: str = "block") -> str:
    flow = {"block": False, "flow": True, "mixed": None}[style]
    return yaml.safe_dump(data, sort_keys=False, allow_unicode=True, default_flow_style=flow)


# --- 1. valid routines ---------------------------------------------------------------------------


@settings(max_examples=2 * BUDGET)
@given(
    data=routine_dicts(), style=st.sampled_from(["block", "flow", "mixed"]), speech=speech_engines
)
def test_valid_routines_written_as_yaml(data: dict[str, Any], style: str, speech) -> None:
    """A valid routine, in any YAML style, schedules within the rules, or is refused only for
    what the scheduler cannot lay out (a tempo too fast to count), at a line, saying what to do."""
    raw = dump(data, style).encode()
    result = run(raw, speech)
    if isinstance(result, InputError):
        check_messages(result, raw)
        assert all(any(r in i.message for r in ACCEPTABLE_REFUSALS) for i in result.issues), (
            result.text
        )
        tally("valid", "refused by the scheduler")
        return
    routine, timeline = result
    assert routine == Routine.model_validate(data)
    check_invariants(timeline, routine, PaceOptions())
    tally("valid", "timeline")


# --- 2. near misses ------------------------------------------------------------------------------

HOSTILE_VALUES: list[Any] = [
    None,
    True,
    False,
    0,
    -0.0,
    -1,
    float("inf"),
    float("-inf"),
    float("nan"),
    10**30,
    -(10**30),
    0.5,
    1e-300,
    "",
    "  ",
    "ten",
    "30 s",
    "1m30",
    "99999999h",
    "1e309",
    "-0",
    "4:6:",
    "4:0",
    "x0.5",
    "open",
    "both",
    "🔥",
    "a" * 3000,
    "\u202eevil",
    "null",
    "yes",
    [],
    {},
    [1, [2, [3]]],
    {"a": {"b": 1}},
    {"exercise": "Nested", "duration": "5s"},
]
KEYS = [
    "title",
    "blocks",
    "sections",
    "exercise",
    "duration",
    "reps",
    "sets",
    "rest",
    "breaths",
    "breathe",
    "breath",
    "tempo",
    "sides",
    "alternate",
    "cues",
    "steps",
    "superset",
    "circuit",
    "rounds",
    "exercises",
    "check",
    "say",
    "pace",
    "goal",
    "name",
]


def _containers(node: Any, path: tuple = ()) -> list[tuple]:
    found = [path] if isinstance(node, dict | list) else []
    if isinstance(node, dict):
        for key, value in node.items():
            found += _containers(value, (*path, key))
    elif isinstance(node, list):
        for i, value in enumerate(node):
            found += _containers(value, (*path, i))
    return found


def _at(node: Any, path: tuple) -> Any:
    for part in path:
        node = node[part]
    return node


def _typo(draw: st.DrawFn, key: str) -> str:
    if not key:
        return "x"
    i = draw(st.integers(0, len(key) - 1))
    how = draw(st.sampled_from(["drop", "double", "swap", "case", "space"]))
    if how == "drop":
        return key[:i] + key[i + 1 :] or "x"
    if how == "double":
        return key[:i] + key[i] + key[i:]
    if how == "swap" and i + 1 < len(key):
        return key[:i] + key[i + 1] + key[i] + key[i + 2 :]
    if how == "case":
        return key.capitalize() if key.islower() else key.lower() + "s"
    return key + " "


def _plain(node: Any) -> Any:
    """Loaded data as plain Python values (a number that remembers its text as the number)."""
    if isinstance(node, dict):
        return {key: _plain(value) for key, value in node.items()}
    if isinstance(node, list):
        return [_plain(value) for value in node]
    if isinstance(node, int) and not isinstance(node, bool):
        return int(node)
    if isinstance(node, float):
        return float(node)
    return node


#: The shipped routines as a person wrote them: the commonest base for a near miss (and much
#: cheaper to draw than a generated routine).
SHIPPED_DATA = [_plain(parse_source(p.read_bytes(), p.name).data) for p in SHIPPED_ROUTINES]
bases = st.one_of(*[st.sampled_from(SHIPPED_DATA)] * 4, routine_dicts())


@st.composite
def _mutated_data(draw: st.DrawFn) -> Any:
    data = copy.deepcopy(draw(bases))
    ops = []
    for _ in range(draw(st.integers(1, 3))):
        path = draw(st.sampled_from(_containers(data)))
        node = _at(data, path)
        op = draw(st.sampled_from(["drop", "typo", "hostile", "wrap", "unknown", "dup", "root"]))
        ops.append(op)
        keys = list(node) if isinstance(node, dict) else list(range(len(node)))
        if op == "root":
            data = draw(st.sampled_from([[data], "just text", 42, None, {"routine": data}]))
            break
        if not keys:
            continue
        key = draw(st.sampled_from(keys))
        if op == "drop":
            del node[key]
        elif op == "typo" and isinstance(node, dict):
            node[_typo(draw, str(key))] = node.pop(key)
        elif op == "hostile":
            node[key] = copy.deepcopy(draw(st.sampled_from(HOSTILE_VALUES)))
        elif op == "wrap":
            node[key] = draw(st.sampled_from([[node[key]], {"value": node[key]}]))
        elif op == "unknown" and isinstance(node, dict):
            node[draw(st.sampled_from([*KEYS, "colour", "durtion", "rep", "exercize"]))] = (
                copy.deepcopy(draw(st.sampled_from(HOSTILE_VALUES)))
            )
        elif op == "dup" and isinstance(node, list):
            node.insert(key, copy.deepcopy(node[key]))
    note(f"data mutations: {ops}")
    return data


_JUNK = [":", "-", "[", "]", "{", "}", "#", "&", "*", "!", "|", ">", "'", '"', "%", "@", "`", "\t"]


@st.composite
def near_misses(draw: st.DrawFn) -> bytes:
    """A valid routine with up to three changes to its data and up to three to its text."""
    text = dump(draw(_mutated_data()), draw(st.sampled_from(["block", "block", "flow", "mixed"])))
    lines = text.split("\n")
    ops = []
    for _ in range(draw(st.integers(0, 3))):
        op = draw(st.sampled_from(["dup-line", "drop-line", "indent", "junk", "cut", "alias"]))
        ops.append(op)
        i = draw(st.integers(0, max(0, len(lines) - 1)))
        if op == "dup-line":
            lines.insert(i, lines[i])  # a key given twice
        elif op == "drop-line" and len(lines) > 1:
            del lines[i]
        elif op == "indent":
            lines[i] = draw(st.sampled_from([" ", "  ", "   ", "\t"])) + lines[i]
        elif op == "junk":
            j = draw(st.integers(0, len(lines[i])))
            lines[i] = lines[i][:j] + draw(st.sampled_from(_JUNK)) + lines[i][j:]
        elif op == "cut":
            lines = lines[: i + 1]
            lines[-1] = lines[-1][: draw(st.integers(0, len(lines[-1])))]
        else:
            lines.insert(i, draw(st.sampled_from(["x: &a [1, 2]", "y: *a", "z: *nowhere"])))
    note(f"text mutations: {ops}")
    raw = "\n".join(lines).encode()
    wrapper = draw(st.sampled_from(["plain", "plain", "bom", "crlf"]))
    if wrapper == "bom":
        raw = b"\xef\xbb\xbf" + raw
    elif wrapper == "crlf":
        raw = raw.replace(b"\n", b"\r\n")
    return raw


@settings(max_examples=3 * BUDGET, suppress_health_check=[HealthCheck.too_slow])
@given(raw=near_misses())
# found by the thorough profile: a 3000-character value echoed back whole in its message
@example(raw=b"title: x\nblocks:\n  - exercise: P\n    duration: '" + b"a" * 3000 + b"'\n")
def test_near_misses(raw: bytes) -> None:
    check(raw, "near-miss")


# --- 3. random structures and scalars ------------------------------------------------------------

scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(),
    st.floats(allow_nan=True, allow_infinity=True),
    st.text(max_size=30),
    st.sampled_from([v for v in HOSTILE_VALUES if not isinstance(v, dict | list)]),
)
keys = st.one_of(st.sampled_from(KEYS), st.text(max_size=12))
structures = st.recursive(
    scalars,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(keys, inner, max_size=5),
    max_leaves=30,
)
documents = st.one_of(
    structures,
    st.builds(lambda title, body: {"title": title, "blocks": body}, scalars, structures),
    st.builds(lambda body: {"title": "Random", "sections": body}, structures),
    st.builds(
        lambda blocks: {"title": "Random", "blocks": blocks},
        st.lists(st.dictionaries(st.sampled_from(KEYS), structures, max_size=5), max_size=4),
    ),
)


@settings(max_examples=2 * BUDGET)
@given(document=documents, style=st.sampled_from(["block", "flow"]))
# found by the thorough profile: a key that is a line break broke a message over two lines
@example(document={"title": None, "blocks": [{"\n": None}]}, style="block")
def test_random_structures(document: Any, style: str) -> None:
    check(dump(document, style).encode(), "structure")


yaml_alphabet = st.sampled_from([*_JUNK, " ", "\n", "  ", "- ", ": ", "a", "1", "title", "é", "🔥"])


@settings(max_examples=2 * BUDGET)
@given(
    raw=st.one_of(
        st.binary(max_size=300),
        st.text(max_size=300).map(str.encode),
        st.lists(yaml_alphabet, max_size=80).map(lambda parts: "".join(parts).encode()),
        st.lists(yaml_alphabet, max_size=40).map(
            lambda p: ("title: x\nblocks:\n" + "".join(p)).encode()
        ),
    )
)
def test_random_text_and_bytes(raw: bytes) -> None:
    check(raw, "text/bytes")


# --- 4. programs and the command line ------------------------------------------------------------


@pytest.fixture(scope="module")
def program_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("programs")
    (folder / "a.yaml").write_text(
        "title: A\nblocks:\n  - exercise: Plank\n    duration: 20s\n    sets: 2\n", encoding="utf-8"
    )
    (folder / "b.yaml").write_text(
        "title: B\nblocks:\n  - exercise: Rows\n    reps: 8\n  - rest: 30s\n", encoding="utf-8"
    )
    return folder


@st.composite
def programs(draw: st.DrawFn) -> Any:
    data: Any = {
        "title": "Fuzz week",
        "weeks": draw(st.integers(1, 3)),
        "days": {
            "mon": "a.yaml",
            "wed": {"routine": "b.yaml", "pace": {"rest": "x1.5", "countdown": 2}},
            "fri": "rest",
        },
        "progression": [
            {"every": 1, "holds": "+5s"},
            {"every": 2, "sets": 1, "routines": ["a.yaml"]},
            {"weeks": [2], "deload": 0.7},
        ],
    }
    for _ in range(draw(st.integers(0, 3))):
        paths = _containers(data)
        if not paths:
            break
        node = _at(data, draw(st.sampled_from(paths)))
        keys = list(node) if isinstance(node, dict) else list(range(len(node)))
        if not keys:
            continue
        key = draw(st.sampled_from(keys))
        op = draw(st.sampled_from(["drop", "hostile", "typo", "path"]))
        if op == "drop":
            del node[key]
        elif op == "hostile":
            node[key] = copy.deepcopy(draw(st.sampled_from(HOSTILE_VALUES)))
        elif op == "typo" and isinstance(node, dict):
            node[_typo(draw, str(key))] = node.pop(key)
        elif op == "path":
            node[key] = draw(
                st.sampled_from(
                    ["../a.yaml", "/dev/zero", ".", "missing.yaml", "a.yaml/x", "Monday"]
                )
            )
    return data


@settings(max_examples=BUDGET, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=programs(), style=st.sampled_from(["block", "flow"]))
def test_near_miss_programs(program_dir: Path, data: Any, style: str) -> None:
    """Programs load, lay out every week of every day, or say what is wrong, where."""
    raw = dump(data, style).encode()
    note(f"program: {raw!r}")
    name = str(program_dir / "week.yaml")

    def lay_out() -> str | InputError:
        try:
            source = parse_source(raw, name, what="program")
            if not is_program(source):
                return "not a program"
            pf = program_from(source)
            check_schema_accepts(source.data, "program")
            tracks = list(pf.tracks(range(1, pf.program.weeks + 1)))
            for track in tracks:
                plan_timeline(pf.routines[track.day], track.pace, estimator(), track.routine)
            timeline = schedule(tracks[-1].routine, tracks[-1].pace, fake_speech_ms)
            check_invariants(timeline, tracks[-1].routine, tracks[-1].pace)
            return "laid out"
        except InputError as exc:
            return exc

    outcome, elapsed = timed(lay_out)
    assert elapsed < SLOW_PROGRAM_S, f"{elapsed:.2f}s for one program"
    if isinstance(outcome, InputError):
        files = {name, str(program_dir / "a.yaml"), str(program_dir / "b.yaml")}
        for issue in outcome.issues:
            if issue.file.endswith(("zero", "a.yaml/x")) or ".." in issue.file:
                files.add(issue.file)
        check_messages(outcome, raw, files)
        outcome = "refused"
    tally("program", outcome)


@settings(
    max_examples=max(10, BUDGET // 2), suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(raw=near_misses())
def test_near_misses_through_the_cli(tmp_path_factory: pytest.TempPathFactory, raw: bytes) -> None:
    """``audiocoach plan --estimate``: exit 0, or exit 2 with every line located; no traceback."""
    path = tmp_path_factory.mktemp("cli", numbered=True) / NAME
    path.write_bytes(raw)
    result = _runner().invoke(cli, ["plan", str(path), "--estimate"])
    output = result.output
    assert "Traceback" not in output
    assert result.exit_code in (0, 2), (result.exit_code, output, result.exception)
    if result.exit_code == 2:
        for line in filter(None, result.stderr.splitlines()):
            match = LOCATED.match(line)
            assert match and match.group("file") == str(path), line
        tally("cli", "exit 2")
    else:
        assert result.stdout.startswith(output.split("\n")[0])
        tally("cli", "exit 0")
