"""Hypothesis strategies: valid routine dicts, pace options and fake speech engines.

Routines are built as the plain data a YAML file would hold (durations as text like ``"1m30s"``)
so they go through the same validation as a file. Sizes are kept small: the properties are about
how things fit together, not about volume.
"""

from __future__ import annotations

import zlib
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from hypothesis import strategies as st

from audiocoach.pace import PaceOptions, Scale, parse_breath_flag
from audiocoach.phrasebook import available_languages, load_phrasebook

WORDS = (
    "row plank bridge reach squeeze shoulder blades back chest slowly breathe hold band wall "
    "angel cobra child pose thread needle side lunge pull apart keep your neck long and soft "
    "press down through the heels up over"
).split()


def _phrase(words: list[str], end: str) -> str:
    text = " ".join(words)
    return text[0].upper() + text[1:] + end


names = st.lists(st.sampled_from(WORDS), min_size=1, max_size=3).map(lambda w: _phrase(w, ""))
sentences = st.builds(
    _phrase, st.lists(st.sampled_from(WORDS), min_size=1, max_size=9), st.sampled_from(["", "."])
)


def seconds_text(low: int, high: int) -> st.SearchStrategy[Any]:
    """A duration of ``low``..``high`` whole seconds, written in any accepted form."""

    def spell(s: int, form: int) -> Any:
        if form == 0:
            return s  # a bare number of seconds
        if form == 1 or s < 60:
            return f"{s}s"
        minutes, rest = divmod(s, 60)
        return f"{minutes}m{rest}s" if rest else f"{minutes}m"

    return st.builds(spell, st.integers(low, high), st.integers(0, 2))


breath_patterns = st.one_of(
    st.tuples(st.integers(2, 6), st.integers(2, 8)).map(lambda p: f"{p[0]}:{p[1]}"),
    st.tuples(st.integers(2, 5), st.integers(0, 3), st.integers(2, 6), st.integers(0, 3)).map(
        lambda p: ":".join(map(str, p))
    ),
)


def _maybe(strategy: st.SearchStrategy[Any]) -> st.SearchStrategy[Any]:
    return st.one_of(st.none(), strategy)


def _drop_none(d: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in d.items() if v is not None}


@st.composite
def exercises(draw: st.DrawFn, *, in_group: bool = False) -> dict[str, Any]:
    kind = draw(st.sampled_from(["timed", "open", "breaths", "breath-paced", "reps"]))
    ex: dict[str, Any] = {"exercise": draw(names)}
    if kind == "timed":
        ex["duration"] = draw(seconds_text(1, 90))
    elif kind == "open":
        ex["duration"] = draw(st.sampled_from(["open", "as long as comfortable"]))
    elif kind == "breaths":
        ex["breaths"] = draw(st.integers(1, 6))
        ex["breath"] = draw(_maybe(breath_patterns))
    elif kind == "breath-paced":
        ex["duration"] = draw(seconds_text(5, 60))
        ex["breathe"] = _drop_none(
            {
                "inhale": draw(_maybe(sentences)),
                "exhale": draw(_maybe(sentences)),
                "hold": draw(_maybe(sentences)),
            }
        )
        ex["breath"] = draw(_maybe(breath_patterns))
    else:
        ex["reps"] = draw(st.integers(1, 15))
        # down to 0.5 s so that some tempos are too fast to say the count
        tenths = st.one_of(st.integers(5, 9), st.integers(10, 40), st.integers(10, 40))
        ex["tempo"] = draw(_maybe(tenths.map(lambda t: f"{t / 10:g}s")))
    sides = draw(st.sampled_from([None, None, "both", ["right", "left"], ["front", "back", "up"]]))
    if sides is not None:
        ex["sides"] = sides
        if kind == "reps" and draw(st.booleans()):
            ex["alternate"] = True
    if not in_group:
        ex["sets"] = draw(st.integers(1, 3))
        ex["rest"] = draw(_maybe(seconds_text(0, 40)))
    ex["goal"] = draw(_maybe(sentences))
    ex["steps"] = draw(_maybe(st.lists(sentences, max_size=3)))
    ex["cues"] = draw(_maybe(st.one_of(sentences, st.lists(sentences, max_size=4))))
    return _drop_none(ex)


@st.composite
def groups(draw: st.DrawFn) -> dict[str, Any]:
    return _drop_none(
        {
            draw(st.sampled_from(["superset", "circuit"])): draw(names),
            "rounds": draw(st.integers(1, 3)),
            "rest": draw(_maybe(seconds_text(0, 40))),
            "rest_between": draw(_maybe(seconds_text(0, 15))),
            "steps": draw(_maybe(st.lists(sentences, max_size=2))),
            "exercises": draw(st.lists(exercises(in_group=True), min_size=1, max_size=3)),
        }
    )


rests = st.builds(
    lambda rest, say: _drop_none({"rest": rest, "say": say}),
    seconds_text(1, 60),
    _maybe(sentences),
)
checks = st.builds(
    lambda name, steps, pause: _drop_none({"check": name, "steps": steps, "pause": pause}),
    names,
    _maybe(st.lists(sentences, max_size=2)),
    _maybe(seconds_text(1, 30)),
)
says = st.builds(lambda text: {"say": text}, sentences)

blocks = st.one_of(
    exercises(),
    exercises(),
    exercises(),
    groups(),
    rests,
    checks,
    says,
)

routine_paces = st.builds(
    lambda *values: _drop_none(
        dict(
            zip(
                ["breath", "rep_tempo", "rest", "hold", "countdown", "switch", "speech_speed"],
                values,
                strict=True,
            )
        )
    ),
    _maybe(breath_patterns),
    _maybe(st.integers(10, 50).map(lambda t: f"{t / 10:g}s")),
    _maybe(seconds_text(0, 60)),
    _maybe(seconds_text(5, 60)),
    _maybe(st.integers(0, 5)),
    _maybe(seconds_text(0, 8)),
    _maybe(st.sampled_from([0.75, 1.0, 1.25])),
)


@st.composite
def routine_dicts(draw: st.DrawFn) -> dict[str, Any]:
    """A valid routine, as the dict a YAML file would load to."""
    routine: dict[str, Any] = {"title": draw(names)}
    if draw(st.booleans()):
        routine["description"] = draw(sentences)
    if draw(st.booleans()):
        routine["pace"] = draw(routine_paces)
    if draw(st.booleans()):
        routine["blocks"] = draw(st.lists(blocks, min_size=1, max_size=5))
    else:
        routine["sections"] = draw(
            st.lists(
                st.builds(
                    lambda name, body: _drop_none({"name": name, "blocks": body}),
                    _maybe(names),
                    st.lists(blocks, min_size=1, max_size=4),
                ),
                min_size=1,
                max_size=3,
            )
        )
    return routine


pace_options = st.builds(
    PaceOptions,
    pace=st.sampled_from([0.5, 0.8, 1.0, 1.0, 1.0, 1.5]),
    rest=st.one_of(
        st.none(),
        st.integers(0, 60).map(lambda s: s * 1000),
        st.sampled_from([0.5, 1.5, 2.0]).map(Scale),
    ),
    breath=st.one_of(st.none(), breath_patterns.map(parse_breath_flag)),
    rep_tempo=st.one_of(
        st.none(),
        st.integers(10, 40).map(lambda t: t * 100),
        st.sampled_from([0.8, 1.25]).map(Scale),
    ),
    hold=_maybe(st.integers(5, 60).map(lambda s: s * 1000)),
    countdown=_maybe(st.integers(0, 5)),
    steps=st.booleans(),
    speech_speed=st.none(),
)


@dataclass(frozen=True)
class FakeSpeech:
    """A deterministic speech length: ``base + per_char * len(text)``, silent for some texts."""

    per_char: int
    base: int
    silent_one_in: int  # 0: never silent

    def __call__(self, text: str) -> int:
        if self.silent_one_in and zlib.crc32(text.encode()) % self.silent_one_in == 0:
            return 0
        return self.base + self.per_char * len(text)


speech_engines: st.SearchStrategy[Callable[[str], int]] = st.builds(
    FakeSpeech,
    # mostly like real speech; sometimes absurdly slow, so that crowding and refusals happen
    per_char=st.one_of(st.integers(20, 120), st.integers(20, 120), st.integers(200, 800)),
    base=st.integers(0, 300),
    silent_one_in=st.sampled_from([0, 0, 3, 7]),
)


#: Every shipped phrasebook: the timing rules must hold whatever language the coach speaks.
phrasebooks = st.sampled_from(available_languages()).map(load_phrasebook)
