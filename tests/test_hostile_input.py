"""Hostile and odd input: every case ends in a located message (or is accepted when harmless),
fast. The time bounds guard against hangs and blow-ups; they are not benchmarks.
"""

from __future__ import annotations

import re
import time
from pathlib import Path

import pytest

from audiocoach.cli import cli
from audiocoach.errors import InputError
from audiocoach.routine import load_routine, validate_routine
from audiocoach.schedule import ScheduleError, schedule
from audiocoach.yamlsource import MAX_BYTES, MAX_DEPTH, parse_source

#: A bound on CPU seconds of this process, not wall time: each case takes milliseconds, and the
#: bound is there to catch a blow-up (an alias bomb expanded, a nesting walked recursively), not to
#: time anything, so other load on the machine must not be able to trip it.
FAST_S = 2.0
LOCATED = re.compile(r"^(?P<file>.+?):(?P<line>\d+):(?P<col>\d+): (?P<rest>.+)$")


def _one_exercise(measure: str) -> bytes:
    return f"title: Hostile\nblocks:\n  - exercise: Plank\n    {measure}\n".encode()


def _laughs() -> bytes:
    lines = ["a: &a [lol, lol, lol, lol, lol, lol, lol, lol, lol, lol]"]
    for i in range(1, 9):
        prev, name = chr(ord("a") + i - 1), chr(ord("a") + i)
        lines.append(f"{name}: &{name} [" + ", ".join([f"*{prev}"] * 10) + "]")
    lines.append("title: *i")
    return ("\n".join(lines) + "\n").encode()


def _merge_bomb() -> bytes:
    """Merges of merges: PyYAML's own flattening repeats keys 10x per level (10^9 pairs here)."""
    keys = ", ".join(f"k{i}: 1" for i in range(10))
    lines = [f"m0: &m0 {{{keys}}}"]
    for i in range(1, 10):
        lines.append(f"m{i}: &m{i} {{<<: [" + ", ".join([f"*m{i - 1}"] * 10) + "]}")
    return ("title: Merge bomb\n" + "\n".join(lines) + "\n").encode()


def _big_file() -> bytes:
    block = "  - exercise: Plank\n    duration: 30s\n    cues: [" + "x" * 60 + "]\n"
    body = "title: Big\nblocks:\n" + block * (2 * 1024 * 1024 // len(block) + 1)
    return body.encode()


#: name -> (bytes, expected line or None for "any", substring of the message)
REJECTED: dict[str, tuple[bytes, int | None, str]] = {
    "billion-laughs": (_laughs(), None, "more than 100,000 values"),
    "deep-flow": (b"title: x\nblocks: " + b"[" * 5000 + b"]" * 5000 + b"\n", 2, "nesting"),
    "deep-flow-unclosed": (b"[" * 5000, 1, "nesting"),
    "deep-flow-mapping": (b"title: x\nx: " + b"{a: " * 5000 + b"}" * 5000 + b"\n", 2, "nesting"),
    "deep-block": (b"title: x\nblocks:\n  " + b"- " * 5000 + b"x\n", 3, "nesting"),
    "deep-block-mapping": (
        b"title: x\n" + b"".join(b" " * i + b"k:\n" for i in range(60)) + b" " * 60 + b"v\n",
        None,
        "nesting",
    ),
    "two-megabytes": (_big_file(), 1, "at most 1 MB"),
    # found by the fuzzer: a list's repr was echoed whole into the message
    "breath-huge-list": (
        _one_exercise("breath: [" + ", ".join(["[1, 2, 3, 4]"] * 500) + "]"),
        4,
        "expected inhale:exhale seconds like 4:6",
    ),
    "reps-huge-list": (_one_exercise("reps: [" + "1, " * 2000 + "1]"), 4, "whole number"),
    "1e309": (_one_exercise("duration: 1e309"), 4, "expected a duration like 30s"),
    "1.0e+309": (_one_exercise("duration: 1.0e+309"), 4, "expected a duration like 30s"),
    ".nan": (_one_exercise("duration: .nan"), 4, "expected a duration like 30s"),
    ".inf": (_one_exercise("duration: .inf"), 4, "expected a duration like 30s"),
    "-.inf": (_one_exercise("duration: -.inf"), 4, "expected a duration like 30s"),
    "-0": (_one_exercise("duration: -0"), 4, "duration must be from 1s to 1h"),
    "negative": (_one_exercise("duration: -5"), 4, "cannot be negative"),
    "huge-sets": (
        _one_exercise("duration: 30s\n    sets: 99999999999999999999"),
        5,
        "sets must be from 1 to 20",
    ),
    "10000-digit-reps": (_one_exercise("reps: " + "9" * 10_000), 4, "characters long"),
    "10000-digit-duration": (_one_exercise("duration: " + "9" * 10_000), 4, "characters long"),
    # numbers in other bases stay text; the hint must not turn 10,000 digits into a decimal
    "10000-digit-hex": (_one_exercise("reps: 0x" + "F" * 10_000), 4, "0xFFFFFFFFFF... is hex"),
    "10000-digit-clock": (_one_exercise("duration: " + "9" * 10_000 + ":30"), 4, "a duration"),
    "10000-digit-leading-zero": (_one_exercise("reps: 0" + "1" * 10_000), 4, "characters long"),
    "nul-byte": (b"title: Plank\nblocks:\x00\n", 2, "not a text file"),
    "latin-1": (_one_exercise("duration: 30s").replace(b"Plank", b"Caf\xe9"), 3, "not UTF-8"),
    "empty": (b"", 1, "file is empty"),
    "whitespace-only": (b"  \n\n\t\n", 1, "file is empty"),
    "comments-only": (b"# a routine\n\n   # to be written\n", 1, "file is empty"),
    "list-root": (b"- exercise: Plank\n  duration: 30s\n", 1, "the file holds a list"),
    "string-root": (b"just some words\n", 1, "the file holds a line of text"),
    "number-root": (b"42\n", 1, "the file holds a number"),
    "duplicate-keys": (
        b"title: One\ntitle: Two\nblocks:\n  - exercise: P\n    duration: 30s\n",
        2,
        "duplicate key 'title' (first given on line 1)",
    ),
    "tab-indent": (b"title: x\nblocks:\n\t- exercise: P\n", 3, "indents with spaces"),
    "python-tag": (b"title: !!python/name:os.system\n", 1, "cannot read this value"),
    "python-tag-on-list": (b"title: !!python/object/apply:os.system [ls]\n", 1, "expected text"),
    "control-character": ("title: Étirement\x01\n".encode(), 1, "U+0001 is a control character"),
    "escape-sequence": (b"title: \x1b[31mred\n", 1, "U+001B is a control character"),
    "recursive-alias": (b"title: x\nloop: &a [*a]\n", None, "refer to themselves"),
    "alias-chain": (
        ("title: x\n" + "".join(f"a{i}: &a{i} [*a{i - 1}]\n" for i in range(1, 3000)))
        .replace("*a0", "1")
        .encode(),
        None,
        "nest deeper than 40",
    ),
    "merge-bomb": (_merge_bomb(), None, "unknown key"),
    "recursive-merge": (b"title: x\nm: &m {<<: *m}\n", 2, "refer to themselves"),
    "merge-a-scalar": (b"title: x\nblocks:\n  - <<: 5\n", 3, "'<<' merges a mapping"),
    "half-a-million-values": (b"title: x\nn: [" + b"1," * 450_000 + b"1]\n", 2, "100,000 values"),
    "binary-tag": (b"title: !!binary aGVsbG8=\nblocks: []\n", 1, "binary values"),
    "bad-syntax": (b"title: [unclosed\nblocks: x\n", None, "YAML syntax error"),
}

#: name -> (bytes, title once loaded)
ACCEPTED: dict[str, tuple[bytes, str]] = {
    "utf-8-bom": (b"\xef\xbb\xbf" + _one_exercise("duration: 30s"), "Hostile"),
    "crlf": (_one_exercise("duration: 30s").replace(b"\n", b"\r\n"), "Hostile"),
    "tabs-in-values": (
        b"title: Tabs\tand spaces\t\nblocks:\n  - exercise:\tPlank\n    duration:\t30s  \t# c\n",
        "Tabs and spaces",
    ),
    "non-ascii": (
        "title: Étirements — dos\nblocks:\n  - exercise: Chin tuck ✓\n    duration: 30s\n".encode(),
        "Étirements — dos",
    ),
    "merge-key": (
        b"title: Merge\nblocks:\n  - &p {exercise: Plank, duration: 30s}\n"
        b"  - <<: *p\n    exercise: Side plank\n",
        "Merge",
    ),
}


def _timed(func, *args):
    start = time.process_time()
    try:
        return func(*args), None, time.process_time() - start
    except Exception as exc:
        return None, exc, time.process_time() - start


def _load_bytes(raw: bytes):
    return validate_routine(parse_source(raw, "hostile.yaml"))


@pytest.mark.parametrize("name", list(REJECTED))
def test_hostile_bytes_are_rejected_quickly_with_a_located_message(name: str) -> None:
    raw, line, substring = REJECTED[name]
    _, exc, elapsed = _timed(_load_bytes, raw)
    assert elapsed < FAST_S, f"{name} took {elapsed:.2f}s"
    assert isinstance(exc, InputError), repr(exc)
    assert exc.issues, "an input error must carry located issues"
    text = exc.text
    assert substring in text, text
    for issue in exc.issues:
        assert issue.file == "hostile.yaml"
        assert issue.line >= 1 and issue.col >= 1
        assert "\n" not in issue.message, "one message, one line"
        assert len(str(issue)) < 400, "a message must not echo a huge value back"
    if line is not None:
        assert any(issue.line == line for issue in exc.issues), text


@pytest.mark.parametrize("name", list(REJECTED))
def test_hostile_files_exit_2_through_the_cli(runner, write_routine, name: str) -> None:
    raw, line, substring = REJECTED[name]
    path = write_routine(raw, "hostile.yaml")
    start = time.process_time()
    result = runner.invoke(cli, ["validate", str(path)])
    elapsed = time.process_time() - start
    assert elapsed < FAST_S, f"{name} took {elapsed:.2f}s"
    assert result.exit_code == 2, result.stdout + result.stderr
    assert "Traceback" not in result.stdout + result.stderr
    lines = result.stderr.strip().splitlines()
    assert lines, "expected a message"
    for text in lines:
        match = LOCATED.match(text)
        assert match and match.group("file") == str(path), text
    assert substring in result.stderr
    if line is not None:
        assert any(f"{path}:{line}:" in text for text in lines), result.stderr


@pytest.mark.parametrize("name", list(ACCEPTED))
def test_harmless_oddities_are_accepted(write_routine, fake_speech, name: str) -> None:
    raw, title = ACCEPTED[name]
    routine = _load_bytes(raw)
    if title:
        assert routine.title == title
    timeline = schedule(routine, None, fake_speech)
    assert timeline.duration_ms > 30_000
    rf = load_routine(write_routine(raw))
    assert rf.routine == routine


def test_crlf_keeps_line_numbers(write_routine) -> None:
    raw = b"title: x\r\nblocks:\r\n  - exercise: P\r\n    reps: ten\r\n"
    with pytest.raises(InputError) as info:
        load_routine(write_routine(raw))
    assert [(i.line, i.col) for i in info.value.issues] == [(4, 11)]


def test_bom_keeps_line_and_column_numbers() -> None:
    raw = b"\xef\xbb\xbftitle: x\nblocks:\n  - exercise: P\n    reps: ten\n"
    with pytest.raises(InputError) as info:
        _load_bytes(raw)
    assert [(i.line, i.col) for i in info.value.issues] == [(4, 11)]


def test_tab_in_value_keeps_columns() -> None:
    raw = b"title: x\nblocks:\n  - exercise:\tP\n    reps:\tten\n"
    with pytest.raises(InputError) as info:
        _load_bytes(raw)
    assert [(i.line, i.col) for i in info.value.issues] == [(4, 11)]


def test_latin1_message_names_the_byte_and_the_fix() -> None:
    raw = b"title: ok\nblocks:\n  - exercise: Caf\xe9 stretch\n"
    with pytest.raises(InputError) as info:
        _load_bytes(raw)
    (issue,) = info.value.issues
    assert (issue.line, issue.col) == (3, 18)
    assert "0xE9" in issue.message and "save the file as UTF-8" in issue.message


def test_limits_are_what_the_messages_say() -> None:
    assert MAX_BYTES == 1024 * 1024
    with pytest.raises(InputError) as info:
        parse_source(b"x: " + b"[" * (MAX_DEPTH + 1) + b"]" * (MAX_DEPTH + 1), "f")
    assert f"deeper than {MAX_DEPTH} levels" in info.value.text
    # exactly at the limit is fine (the model then says what is wrong, if anything)
    parse_source(b"x: " + b"[" * (MAX_DEPTH - 1) + b"]" * (MAX_DEPTH - 1), "f")


def test_routine_lasting_for_days_is_refused_quickly(write_routine, fake_speech) -> None:
    raw = _one_exercise("reps: 200\n    sets: 20\n    tempo: 60s")
    routine = _load_bytes(raw)
    start = time.process_time()
    with pytest.raises(ScheduleError) as info:
        schedule(routine, None, fake_speech)
    assert time.process_time() - start < FAST_S
    message = info.value.message
    assert "66 hours" in message, message  # how long it would be
    assert "at most 12 hours" in message, message  # the limit
    assert "lower sets, reps, rounds or durations" in message


def test_routine_lasting_for_days_exits_2_through_plan(runner, write_routine) -> None:
    path = write_routine(_one_exercise("reps: 200\n    sets: 20\n    tempo: 60s"))
    start = time.process_time()
    result = runner.invoke(cli, ["plan", str(path), "--estimate"])
    assert time.process_time() - start < FAST_S
    assert result.exit_code == 2
    (line,) = result.stderr.strip().splitlines()
    assert line.startswith(f"{path}:1:1: ")
    assert "hours" in line and "at most 12 hours" in line


def test_many_long_rests_hit_the_total_limit(write_routine, fake_speech) -> None:
    rests = "".join("  - rest: 1h\n" for _ in range(13))
    raw = f"title: Sleep\nblocks:\n  - exercise: Plank\n    duration: 30s\n{rests}".encode()
    with pytest.raises(ScheduleError, match="at most 12 hours"):
        schedule(_load_bytes(raw), None, fake_speech)


def test_many_blocks_stay_within_limits(fake_speech) -> None:
    blocks = "".join(f"  - exercise: Move {i}\n    duration: 5s\n" for i in range(200))
    routine = _load_bytes(f"title: Many\nblocks:\n{blocks}".encode())
    start = time.process_time()
    timeline = schedule(routine, None, fake_speech)
    assert time.process_time() - start < FAST_S
    assert len([c for c in timeline.chapters if c.title.startswith("Move")]) == 200


def test_too_many_blocks_is_a_message(fake_speech) -> None:
    blocks = "".join("  - exercise: Move\n    duration: 5s\n" for _ in range(201))
    with pytest.raises(InputError, match="at most 200"):
        _load_bytes(f"title: Many\nblocks:\n{blocks}".encode())


def test_missing_file_and_folder(runner, tmp_path: Path) -> None:
    for target, text in ((tmp_path / "nope.yaml", "no such file"), (tmp_path, "this is a folder")):
        result = runner.invoke(cli, ["validate", str(target)])
        assert result.exit_code == 2
        (line,) = result.stderr.strip().splitlines()
        assert line.startswith(f"{target}:1:1: {text}"), line


# --- YAML features that stay usable ----------------------------------------------------------


def test_merge_keys_follow_yaml_rules() -> None:
    raw = b"a: &a {x: 1, y: 1}\nb: &b {x: 2, z: 2}\nc:\n  <<: [*a, *b]\n  y: 3\n"
    source = parse_source(raw, "m.yaml")
    # the first merged mapping wins over later ones; keys written in place win over both
    assert source.data["c"] == {"x": 1, "y": 3, "z": 2}
    assert source.locate(("c", "y")) == (5, 6)
    assert source.locate(("c", "x")) == (1, 11)  # where the merged value was written


def test_merge_does_not_hide_real_duplicates() -> None:
    raw = b"d: &d {sets: 2}\ne:\n  <<: *d\n  sets: 3\n  sets: 4\n"
    with pytest.raises(InputError) as info:
        parse_source(raw, "m.yaml")
    (issue,) = info.value.issues
    assert (issue.line, issue.path) == (5, "e.sets")
    assert "first given on line 4" in issue.message


def test_merged_exercise_defaults_validate(fake_speech) -> None:
    raw = (
        b"title: Shared\n"
        b"blocks:\n"
        b"  - &hold {exercise: Plank, duration: 30s, sets: 2}\n"
        b"  - <<: *hold\n"
        b"    exercise: Side plank\n"
        b"    durtion: 20s\n"
    )
    with pytest.raises(InputError) as info:
        _load_bytes(raw)
    (issue,) = info.value.issues
    assert (issue.line, issue.col) == (6, 5)
    assert "did you mean 'duration'" in issue.message


def test_breath_ratio_is_not_read_as_base_60() -> None:
    # YAML 1.1 reads 4:6 as 246; a routine means a breath pattern
    source = parse_source(b"pace: {breath: 4:6}\nb: 1:30\n", "p.yaml")
    assert source.data == {"pace": {"breath": "4:6"}, "b": "1:30"}


def test_keys_are_located_separately_from_values() -> None:
    source = parse_source(b"title: x\nblocks:\n  - exercise: P\n    reps:   ten\n", "k.yaml")
    assert source.locate(("blocks", 0, "reps"), key=True) == (4, 5)
    assert source.locate(("blocks", 0, "reps")) == (4, 13)
    # a path that does not exist points at its nearest existing ancestor
    assert source.locate(("blocks", 0, "tempo")) == (3, 5)
