"""Timing rules as properties over generated routines, paces and speech engines.

Set ``HYPOTHESIS_PROFILE=thorough`` for 2000 examples per property instead of the quick default.
"""

from __future__ import annotations

import bisect
import re
from dataclasses import replace
from itertools import pairwise
from pathlib import Path
from typing import Any

import pytest
from hypothesis import event, given, note
from hypothesis import strategies as st
from shipped import ROUTINES
from strategies import pace_options, phrasebooks, routine_dicts, speech_engines

from audiocoach.pace import DEFAULT_CHECK_MS, PaceOptions, Scale, resolve
from audiocoach.phrasebook import Phrasebook, phrasebook_for
from audiocoach.routine import Breath, Check, Exercise, Group, Routine, load_routine
from audiocoach.schedule import AFTER_BEAT_MS, ScheduleError, schedule
from audiocoach.timeline import PHASE_KINDS, TONES, WORK_KINDS, Timeline

SUGGESTED_TEMPO = re.compile(r"--rep-tempo (\d+(?:\.\d+)?)\)")


# --- what the routine and pace say, worked out independently of the scheduler -------------------


def _tempo(ex: Exercise, routine: Routine, options: PaceOptions) -> int:
    base = ex.tempo or routine.pace.rep_tempo or 3000
    if isinstance(options.rep_tempo, int):
        base = options.rep_tempo
    elif isinstance(options.rep_tempo, Scale):
        base = round(base * options.rep_tempo.factor)
    return max(300, round(base * options.pace))


def _expected_exercise(ex: Exercise, routine: Routine, options: PaceOptions) -> list[tuple]:
    """(exercise, kind, length) of each work phase of one occurrence of ``ex``."""
    sides = 1 if not ex.sides or ex.alternate else len(ex.sides)
    one: list[tuple] = []
    if ex.reps is not None:
        counts = ex.reps * (len(ex.sides) if ex.alternate and ex.sides else 1)
        one = [(ex.exercise, "work", counts * _tempo(ex, routine, options))]
    elif ex.breaths is not None or ex.breathe is not None:
        if options.breath is not None:
            b = options.breath
        else:
            b = ex.breath or routine.pace.breath or resolve(routine.pace).breath
        cycle = b.inhale_ms + b.hold_in_ms + b.exhale_ms + b.hold_out_ms
        if ex.breaths is not None:
            n = ex.breaths
        else:
            assert isinstance(ex.duration, int)
            n = max(1, round(max(1000, round(ex.duration * options.pace)) / cycle))
        pattern = [
            ("breath-in", b.inhale_ms),
            ("breath-hold", b.hold_in_ms),
            ("breath-out", b.exhale_ms),
            ("breath-hold", b.hold_out_ms),
        ]
        one = [(ex.exercise, kind, ms) for _ in range(n) for kind, ms in pattern if ms]
    elif ex.duration == "open":
        hold = options.hold or round((routine.pace.hold or 30_000) * options.pace)
        one = [(ex.exercise, "work", hold)]
    else:
        assert isinstance(ex.duration, int)
        one = [(ex.exercise, "work", max(1000, round(ex.duration * options.pace)))]
    return one * (sides * ex.sets)


def expected_work(routine: Routine, options: PaceOptions) -> list[tuple]:
    out: list[tuple] = []
    for section in routine.parts:
        for block in section.blocks:
            if isinstance(block, Exercise):
                out += _expected_exercise(block, routine, options)
            elif isinstance(block, Group):
                for _ in range(block.rounds):
                    for ex in block.exercises:
                        out += _expected_exercise(ex, routine, options)
            elif isinstance(block, Check):
                pause = block.pause if block.pause is not None else DEFAULT_CHECK_MS
                out.append((block.check, "work", max(1000, round(pause * options.pace))))
    return out


def occurrences(routine: Routine) -> int:
    count = 0
    for section in routine.parts:
        for block in section.blocks:
            if isinstance(block, Exercise | Check):
                count += 1
            elif isinstance(block, Group):
                count += block.rounds * len(block.exercises)
    return count


# --- the invariants --------------------------------------------------------------------------


def check_invariants(
    timeline: Timeline, routine: Routine, options: PaceOptions, book: Phrasebook | None = None
) -> None:
    book = book or phrasebook_for(routine.language)
    phases = timeline.phases
    total = timeline.duration_ms

    # phases: contiguous, ordered, from 0 to the end, none empty
    assert phases[0].start_ms == 0
    for a, b in pairwise(phases):
        assert a.end_ms == b.start_ms, (a, b)
    assert all(p.end_ms > p.start_ms for p in phases), [p for p in phases if p.end_ms <= p.start_ms]
    assert phases[-1].end_ms == total
    assert all(p.kind in PHASE_KINDS for p in phases)
    assert phases[0].kind == "intro" and phases[-1].kind == "outro"

    # events: sorted, inside the track
    events = timeline.events
    assert [e.at_ms for e in events] == sorted(e.at_ms for e in events)
    for e in events:
        assert e.at_ms >= 0 and e.end_ms <= total, e
        assert e.duration_ms > 0 or e.kind == "tone", e
        assert (e.kind == "speech") == (e.text is not None), e

    # speech never overlaps speech
    speech = list(timeline.speech())
    for a, b in pairwise(speech):
        assert a.end_ms <= b.at_ms, f"{a} overlaps {b}"

    # work periods last exactly what the routine and pace say
    got = [(p.exercise, p.kind, p.duration_ms) for p in phases if p.kind in WORK_KINDS]
    assert got == expected_work(routine, options)

    # no instructions inside work
    for p in phases:
        if p.kind in WORK_KINDS:
            inside = {e.role for e in speech if p.start_ms <= e.at_ms < p.end_ms}
            assert not inside & {"announce", "step", "set", "side", "intro", "section", "say"}, p

    # a countdown inside work ends on the work's last second: each beat N whole seconds before
    # the end says N in the coach's language ("one", "eins", "un"), just after its pip; a silent
    # word leaves a gap
    after_pip = TONES["pip"] + AFTER_BEAT_MS
    for p in phases:
        if p.kind == "work":
            beats = [
                e for e in speech if e.role == "countdown" and p.start_ms <= e.at_ms < p.end_ms
            ]
            for beat in beats:
                seconds_left, off_beat = divmod(p.end_ms - (beat.at_ms - after_pip), 1000)
                assert off_beat == 0, beat
                assert beat.text == book.say("count.countdown", n=seconds_left), beat
                assert beat.end_ms <= p.end_ms, beat

    # no word sounds with a beat tone (a tick or a pip): the word follows it (issue 8)
    beat_tones = [e for e in timeline.tones() if e.tone in ("tick", "pip")]
    starts = [e.at_ms for e in speech]
    for tone in beat_tones:
        i = bisect.bisect_left(starts, tone.at_ms)
        before = speech[i - 1] if i else None
        assert before is None or before.end_ms <= tone.at_ms, (before, tone)
        assert i == len(speech) or speech[i].at_ms >= tone.end_ms, (tone, speech[i])

    # chapters: contiguous over [0, total], one per exercise occurrence plus intro and finish
    chapters = timeline.chapters
    assert chapters[0].start_ms == 0 and chapters[-1].end_ms == total
    for a, b in pairwise(chapters):
        assert a.end_ms == b.start_ms
        assert a.start_ms < a.end_ms
    assert len(chapters) == occurrences(routine) + 2

    # steps follow the flag (a check's own steps always stay)
    if not options.steps:
        step_texts = {e.text for e in speech if e.role == "step"}
        check_steps = {
            s
            for section in routine.parts
            for block in section.blocks
            if isinstance(block, Check)
            for s in block.steps
        }
        assert step_texts <= check_steps


def acceptable_rejection(exc: ScheduleError) -> bool:
    """A refusal is fine only when every problem it lists says what to change."""
    return all(_says_what_to_change(p.message) for p in exc.problems)


def _says_what_to_change(message: str) -> bool:
    if "too fast to say the count" in message:
        return bool(SUGGESTED_TEMPO.search(message)) and "tempo:" in message
    if "too short to say" in message:
        return "at least" in message and "--breath" in message
    return False


@given(data=routine_dicts(), options=pace_options, speech_ms=speech_engines, book=phrasebooks)
def test_timing_rules_hold(
    data: dict[str, Any], options: PaceOptions, speech_ms, book: Phrasebook
) -> None:
    note(f"routine: {data!r}, language: {book.language}")
    routine = Routine.model_validate(data)
    try:
        timeline = schedule(routine, options, speech_ms, phrasebook=book)
    except ScheduleError as exc:
        kind = (
            "tempo" if "too fast" in exc.message else "breath" if "breath" in exc.message else "?"
        )
        event(f"rejected: {kind}")
        assert acceptable_rejection(exc), exc.message
        return
    event(f"{len(timeline.phases) // 20 * 20}+ phases")
    check_invariants(timeline, routine, options, book)


@given(data=routine_dicts(), options=pace_options, speech_ms=speech_engines)
def test_following_the_suggested_tempo_works(
    data: dict[str, Any], options: PaceOptions, speech_ms
) -> None:
    """A too-fast-tempo refusal names a tempo; using it gets further, and soon succeeds."""
    routine = Routine.model_validate(data)
    for _ in range(4):
        try:
            timeline = schedule(routine, options, speech_ms)
        except ScheduleError as exc:
            match = SUGGESTED_TEMPO.search(exc.message)
            if not match:
                assert acceptable_rejection(exc), exc.message
                return
            tempo = round(float(match.group(1)) * 1000)
            assert tempo != options.rep_tempo, f"suggested the tempo that failed: {exc.message}"
            options = replace(options, rep_tempo=tempo)
            continue
        check_invariants(timeline, routine, options)
        return
    raise AssertionError("the suggested tempos never got the routine scheduled")


@given(data=routine_dicts(), speech_ms=speech_engines, pace=st.sampled_from([0.5, 0.8]))
def test_faster_pace_is_never_longer(data: dict[str, Any], speech_ms, pace: float) -> None:
    routine = Routine.model_validate(data)
    try:
        normal = schedule(routine, PaceOptions(), speech_ms)
        fast = schedule(routine, PaceOptions(pace=pace), speech_ms)
    except ScheduleError:
        return
    work_normal = sum(p.duration_ms for p in normal.phases if p.kind in ("work", "rest"))
    work_fast = sum(p.duration_ms for p in fast.phases if p.kind in ("work", "rest"))
    assert work_fast <= work_normal


@given(data=routine_dicts(), options=pace_options, speech_ms=speech_engines)
def test_json_round_trip(data: dict[str, Any], options: PaceOptions, speech_ms) -> None:
    routine = Routine.model_validate(data)
    try:
        timeline = schedule(routine, options, speech_ms)
    except ScheduleError:
        return
    assert Timeline.from_json(timeline.to_json()) == timeline


SHIPPED = ROUTINES


@pytest.mark.parametrize("path", SHIPPED, ids=[p.stem for p in SHIPPED])
@pytest.mark.parametrize(
    "options",
    [
        PaceOptions(),
        PaceOptions(pace=0.5, rest=Scale(0.5), countdown=0, steps=False),
        PaceOptions(pace=1.5, breath=Breath(3000, 1000, 5000, 1000), rest=45_000, hold=60_000),
    ],
    ids=["default", "quick", "slow"],
)
def test_shipped_routines_keep_the_rules(path: Path, options: PaceOptions, fake_speech) -> None:
    routine = load_routine(path).routine
    check_invariants(schedule(routine, options, fake_speech), routine, options)
