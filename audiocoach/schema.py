"""JSON Schema for routine and program files, generated from the models, for editors.

``audiocoach schema routine`` prints it; ``schemas/*.schema.json`` keep a copy in the repository,
which the shipped files name on their first line (``# yaml-language-server: $schema=...``), so
the YAML language server (VS Code, Neovim, Helix, ...) completes keys, shows each key's meaning
and marks mistakes as the file is typed.

The schema is generated (pydantic's ``model_json_schema``), never written by hand: a field added
to a model is in the schema after one regeneration (``AUDIOCOACH_UPDATE_SCHEMA=1 pytest
tests/test_schema.py``). Three things are added to what pydantic derives:

* **What the loader accepts.** The models take friendly forms through their validators (a
  duration as ``30s``, ``1m30s`` or a number of seconds; ``sides: both`` or a list; a breath as
  ``4:6`` or a mapping; ``duration: open``; a bare number where text is expected). Each such type
  carries its schema here (``WithJsonSchema`` in ``routine.py`` and ``program.py``), written next
  to the rules it mirrors. Plain ``int``, ``float`` and ``bool`` fields, which pydantic also fills
  from quoted text (``speech_speed: "1.5"``), say so too (``_Generator``). The schema must never
  refuse a file the loader takes: the tests check the shipped files, every accepted form
  (``tests/test_schema.py``) and every routine and program the fuzzers' models accept.
* **What it can say is wrong.** Rules between keys that a schema can state (exactly one of
  ``duration``/``breaths``/``reps``; ``tempo`` only with ``reps``; ``superset`` or ``circuit``;
  ``every`` or ``weeks``; sections or blocks) are written per model in ``_RULES``. What only
  reading the file can tell (a tempo too fast to say the count, a day given twice as ``mon`` and
  ``Monday``, a routine file that does not exist) stays with ``audiocoach validate``.
* **Words for people.** Each key's description and examples, from the README's language
  reference, in ``_DOCS``; a key missing from it is simply undocumented in the editor.

The schema sees YAML as the editor reads it (YAML 1.2): ``title: On`` is text there and
``reps: 0x0A`` the number 10, where audiocoach refuses both with a message; it cannot tell.
"""

from __future__ import annotations

import json
import re
from typing import Any, Literal

from pydantic.json_schema import GenerateJsonSchema, JsonSchemaValue
from pydantic_core import core_schema

Kind = Literal["routine", "program"]
KINDS: tuple[Kind, ...] = ("routine", "program")
#: Draft 7: the newest draft the YAML language server (and VS Code's JSON support) fully knows.
DIALECT = "http://json-schema.org/draft-07/schema#"
_DEFS = "#/definitions/"
#: Where the repository keeps each schema, relative to its root (the shipped files point here).
SCHEMA_FILES: dict[Kind, str] = {
    "routine": "schemas/routine.schema.json",
    "program": "schemas/program.schema.json",
}
#: The first line of a shipped routine or program, relative to ``routines/``.
MODELINE = "# yaml-language-server: $schema=../{path}"


# --- patterns for the forms the validators accept (JSON Schema regexes: ECMA 262) ------------


def _anycase(word: str) -> str:
    """``open`` -> ``[oO][pP][eE][nN]``: JSON Schema regexes have no case-insensitive flag."""
    return "".join(f"[{c.lower()}{c.upper()}]" if c.isalpha() else re.escape(c) for c in word)


def _words(*words: str) -> str:
    return "(?:" + "|".join(_anycase(w) for w in words) + ")"


#: ``parse_duration`` drops every space and ignores case: ``1 m 30 S`` is 1m30s.
_DIGITS = "[0-9](?: *[0-9])*"
_NUMBER = f"{_DIGITS}(?: *\\. *{_DIGITS})?"
_UNIT = "(?:[mM] *[sS]|[hHmMsS])"
_DURATION = f"(?:{_NUMBER}(?: *{_UNIT}(?: *{_NUMBER} *{_UNIT})*)?)"
#: Python's ``float()`` text (what ``x1.5`` factors and lax number fields are read with).
_FLOAT = (
    "[-+]?(?:[0-9](?:_?[0-9])*(?:\\.(?:[0-9](?:_?[0-9])*)?)?|\\.[0-9](?:_?[0-9])*)"
    "(?:[eE][-+]?[0-9](?:_?[0-9])*)?"
)
_INT = "[-+]?[0-9](?:_?[0-9])*(?:\\.0*)?"
_BOOL_WORDS = ("true", "false", "yes", "no", "on", "off", "t", "f", "y", "n", "1", "0")


def _pattern(body: str) -> str:
    return f"^\\s*{body}\\s*$"


def duration(low_s: float = 0, high_s: float = 4 * 3600, *, words: tuple[str, ...] = ()) -> dict:
    """A duration as ``parse_duration`` reads it: ``30s``, ``1m30s``, ``500ms`` or seconds."""
    forms: list[dict[str, Any]] = [
        {"type": "number", "minimum": low_s, "maximum": high_s},
        {"type": "string", "pattern": _pattern(_DURATION)},
    ]
    if words:
        forms.append({"type": "string", "pattern": _pattern(_words(*words))})
    return {"anyOf": forms}


def factor(low: float, high: float) -> dict:
    """A factor as the pace flags take it: ``1.5`` or ``x1.5``."""
    return {
        "anyOf": [
            {"type": "number", "minimum": low, "maximum": high},
            {"type": "string", "pattern": _pattern(f"[xX]* *{_FLOAT}")},
        ]
    }


def duration_or_factor(low_s: float, high_s: float) -> dict:
    """``45s`` (every one this long) or ``x0.5`` (each scaled), as ``--rest`` takes it."""
    return {
        "anyOf": [
            *duration(low_s, high_s)["anyOf"],
            {"type": "string", "pattern": _pattern(f"[xX*][xX]* *{_FLOAT}")},
        ]
    }


def count(low: int, high: int) -> dict:
    """A whole number, maybe quoted (``reps: "10"``)."""
    return {
        "anyOf": [
            {"type": "integer", "minimum": low, "maximum": high},
            {"type": "string", "pattern": _pattern("[0-9]+")},
        ]
    }


def signed_count(limit: int) -> dict:
    """A change to a count: ``+1``, ``-2``."""
    return {
        "anyOf": [
            {"type": "integer", "minimum": -limit, "maximum": limit},
            {"type": "string", "pattern": _pattern("[-+]?[0-9]+")},
        ]
    }


def signed_duration(limit_s: float) -> dict:
    """A change to a length: ``+5s``, ``-10s``, or seconds."""
    return {
        "anyOf": [
            {"type": "number", "minimum": -limit_s, "maximum": limit_s},
            {"type": "string", "pattern": _pattern(f"[-+]* *{_DURATION}")},
        ]
    }


def text(max_length: int | None) -> dict:
    """Text of 1 to ``max_length`` characters once trimmed; a bare number is its own text."""
    if max_length is None:
        inner = "\\S[\\s\\S]*"
    elif max_length > 1:
        inner = f"\\S(?:[\\s\\S]{{0,{max_length - 2}}}\\S)?"
    else:
        inner = "\\S"
    return {
        "anyOf": [
            {"type": "string", "pattern": _pattern(inner)},
            {"type": "number"},
        ]
    }


def lines(max_items: int, max_length: int) -> dict:
    """One sentence or a list of them; an empty value is none."""
    line = text(max_length)
    return {
        "anyOf": [
            *line["anyOf"],
            {"type": "array", "items": line, "maxItems": max_items},
            {"type": "null"},
        ]
    }


def sides(words: tuple[str, ...], max_length: int) -> dict:
    """``both`` (or ``true``), or 2 to 4 side names in order."""
    return {
        "anyOf": [
            {"enum": list(words)},
            {"const": True},
            {
                "type": "array",
                "items": text(max_length),
                "minItems": 2,
                "maxItems": 4,
                "uniqueItems": True,
            },
        ]
    }


def breath() -> dict:
    """``4:6`` or ``4:2:6:2`` (seconds, each part a duration), or the mapping of phases."""
    part = f" *{_DURATION} *"
    return {
        "anyOf": [
            {"type": "string", "pattern": _pattern(f"{part}:{part}(?::{part}:{part})?")},
            {
                "type": "object",
                "properties": {
                    "inhale": duration(1, 20),
                    "hold": duration(0, 30),
                    "exhale": duration(1, 20),
                    "hold_out": duration(0, 30),
                },
                "required": ["inhale", "exhale"],
                "additionalProperties": False,
            },
        ]
    }


def day_name(aliases: dict[str, str]) -> dict:
    """A weekday as a program's ``days:`` key: ``mon`` or ``Monday``, any case."""
    return {"pattern": _pattern(_words(*aliases))}


# --- rules between keys, per model ---------------------------------------------------------


def _given(key: str) -> dict:
    """``key`` is there and not null (the models read ``key: null`` as not given)."""
    return {"required": [key], "properties": {key: {"not": {"type": "null"}}}}


_TRUE = {
    "anyOf": [
        {"const": True},
        {"const": 1},
        {"type": "string", "pattern": "^" + _words("true", "yes", "on", "t", "y", "1") + "$"},
    ]
}
_OPEN = {"type": "string", "pattern": _pattern(_words("open", "as long as comfortable"))}

_RULES: dict[str, dict[str, Any]] = {
    "Routine": {
        "oneOf": [
            {"required": [key], "properties": {key: {"minItems": 1}}}
            for key in ("sections", "blocks")
        ],
    },
    "Exercise": {
        "oneOf": [_given(k) for k in ("duration", "breaths", "reps")],
        "allOf": [
            {"if": _given("tempo"), "then": _given("reps")},
            {"not": {"allOf": [_given("breathe"), _given("reps")]}},
            {
                "if": {"required": ["alternate"], "properties": {"alternate": _TRUE}},
                "then": {"allOf": [_given("reps"), _given("sides")]},
            },
            {
                "if": {"required": ["duration"], "properties": {"duration": _OPEN}},
                "then": {"not": _given("breathe")},
            },
        ],
    },
    "Group": {
        "oneOf": [_given("superset"), _given("circuit")],
        # a superset's exercises take no sets (rounds do that): sets: 1 is harmless
        "properties": {
            "exercises": {
                "items": {
                    "properties": {
                        "sets": {
                            "anyOf": [
                                {"const": 1},
                                {"type": "string", "pattern": _pattern("0*1")},
                            ]
                        }
                    }
                }
            }
        },
    },
    "Rule": {
        "oneOf": [_given("every"), _given("weeks")],
        "anyOf": [_given(k) for k in ("sets", "reps", "holds", "rests", "breaths", "deload")],
        "not": {"allOf": [_given("deload"), _given("every")]},
    },
}


# --- words for people: the README's language reference, per key -----------------------------


_DOCS: dict[str, dict[str, tuple[str, list[Any]]]] = {
    "Routine": {
        "title": ("Required. Spoken in the intro; the audio file's title.", ["Quick plank"]),
        "description": ("Optional; goes into the audio file's comment.", []),
        "source": (
            "Where the routine comes from; goes into the audio file's comment.",
            ["Erin Taylor, Jasyoga"],
        ),
        "author": ("Optional: who wrote the routine.", []),
        "language": (
            "The language the coach speaks (its words, number reading and voice): en, de, es, "
            "fr, or a regional tag like de-AT. --lang overrides it. Default en.",
            ["de"],
        ),
        "pace": ("Pace defaults for this routine; command-line flags override them.", []),
        "sections": (
            "Named parts (warm-up, main, cool-down), each with its blocks; the name is spoken as "
            "the section starts. Give sections or blocks, not both.",
            [],
        ),
        "blocks": (
            "One list of blocks, instead of sections. A block is told by its first key: "
            "exercise, rest, superset, circuit, check or say.",
            [],
        ),
    },
    "Pace": {
        "breath": (
            "Breath pattern in seconds: in:out or in:hold:out:hold, or "
            "{inhale, hold, exhale, hold_out}. Default 4:6.",
            ["4:6", "4:2:6:2"],
        ),
        "rep_tempo": ("Seconds per rep where an exercise gives no tempo. Default 3s.", ["3s"]),
        "rest": (
            "Rest between sets (and between rounds) where a block gives no rest. Default 30s.",
            ["30s", "1m"],
        ),
        "hold": ("Length of open holds (duration: open). Default 30s.", ["30s"]),
        "countdown": (
            "Seconds counted before work starts and at the end of timed work, 0 to 10. Default 3.",
            [3],
        ),
        "switch": ("Time to change sides. Default 5s.", ["5s"]),
        "speech_speed": ("Speech speed, 0.5 to 2.0. Default 1.0.", [1.0]),
    },
    "Section": {
        "name": ("Spoken when the section starts.", ["Warm-up", "Main", "Cool-down"]),
        "blocks": ("The section's blocks, in order.", []),
    },
    "Exercise": {
        "exercise": ("One move, by its name (also its chapter title).", ["Chin-Up"]),
        "duration": (
            "A timed hold or movement (30s, 1m30s, 2m, 1.5s, 500ms or seconds, 1s to 1h), or "
            "open: hold as long as comfortable (the pace's hold). Give exactly one of duration, "
            "breaths or reps.",
            ["30s", "1m30s", 45, "open"],
        ),
        "breaths": ("Hold for this many breaths (1 to 100), at the breath pattern.", [5]),
        "reps": ("Counted reps (1 to 200): a tick and the count on every beat.", [10]),
        "tempo": ("Seconds per rep (with reps only), 0.5s to 60s.", ["3s", "2.5s"]),
        "breathe": (
            "Words for each breath phase: with duration or breaths, move with the breath.",
            [{"inhale": "reach forward", "exhale": "squeeze your shoulder blades together"}],
        ),
        "breath": (
            "This exercise's own breath pattern (--breath still overrides).",
            ["4:2:6:2"],
        ),
        "sides": (
            "Do it on each side: both (left, then right), or name 2 to 4 sides in order.",
            ["both", ["right", "left"], ["clockwise", "counterclockwise"]],
        ),
        "alternate": (
            "With reps and sides: sides alternate every rep; reps counts each side.",
            [True],
        ),
        "sets": ("Repeat the exercise (1 to 20), with 'Set 2 of 4'.", [4]),
        "rest": ("Rest between sets (default: the pace's rest).", ["30s"]),
        "goal": ("Said when the move is announced: distances and targets.", ["Walk 15 yards"]),
        "steps": ("Instructions read once, before the move (--no-steps skips them).", []),
        "cues": (
            "Form reminders spoken during the work, each once per exercise, where there is room.",
            ["Keep your neck still."],
        ),
    },
    "Breathe": {
        "inhale": ("Said with the first breaths' inhale.", ["reach forward"]),
        "exhale": ("Said with the first breaths' exhale.", ["squeeze your shoulder blades"]),
        "hold": ("Said in the held phases of the breath.", ["stay long"]),
    },
    "Rest": {
        "rest": (
            "A rest of 1s to 1h: a bell, the length and what comes next.",
            ["1m", "30s"],
        ),
        "say": ("A sentence added to the rest.", ["Shake out your arms."]),
    },
    "Group": {
        "superset": ("A superset: its exercises alternated for a number of rounds.", []),
        "circuit": ("A circuit: its exercises done in turn for a number of rounds.", []),
        "rounds": ("How many times through (1 to 20), with 'Round 2 of 3'.", [3]),
        "rest": ("Rest between rounds (default: the pace's rest).", ["15s"]),
        "rest_between": (
            "Rest between the exercises of a round (default none: that makes it a superset).",
            ["0s", "10s"],
        ),
        "steps": ("Read once, before the first round.", []),
        "exercises": ("The exercises, without sets: rounds take their place.", []),
    },
    "Check": {
        "check": ("An untimed check, like the standing weight test.", ["Weight test"]),
        "steps": ("Read before the pause.", []),
        "pause": ("A quiet pause to do the check, with no countdown. Default 20s.", ["20s"]),
    },
    "Say": {"say": ("A spoken note between moves.", ["Keep your neck relaxed."])},
    "Program": {
        "title": ("Required. The playlist's title and the tracks' album.", []),
        "description": ("Optional text about the program.", []),
        "weeks": ("How many weeks the program runs (1 to 52). Default 1.", [4]),
        "days": (
            "Which routine on which day: mon..sun (or monday..sunday), each once. A day is a "
            "routine file (relative to this file), rest, or {routine, pace}; a day left out "
            "is a rest day.",
            [{"mon": "upper-body-strength.yaml", "tue": "rest"}],
        ),
        "progression": ("Rules, applied on top of each other.", []),
    },
    "Day": {
        "routine": ("The routine file, relative to this file.", ["upper-body-power.yaml"]),
        "pace": ("This day's pace: the keys of the pace flags.", [{"rest": "x1.3"}]),
        "language": ("The language this day's coach speaks (over the routine's).", ["fr"]),
    },
    "DayPace": {
        "pace": ("Scale work and rest together (0.25 to 4).", [0.8, "x1.2"]),
        "rest": ("Every rest this long, or scaled.", ["45s", "x1.3"]),
        "breath": ("Breath pattern in seconds, like 4:6 or 4:2:6:2.", ["4:6"]),
        "rep_tempo": ("Seconds per rep for every rep exercise, or scaled.", ["2.5s", "x0.8"]),
        "hold": ("Length of open holds, 5s to 10m.", ["45s"]),
        "countdown": ("Seconds counted down, 0 to 10.", [3]),
        "steps": ("Read the step-by-step instructions (false skips them).", [False]),
        "speech_speed": ("Speech speed, 0.5 to 2.0.", [1.1]),
    },
    "Rule": {
        "every": (
            "Cumulative: the change applies once more every N weeks after start.",
            [1, 2],
        ),
        "start": ("With every: the week the counting starts from (default 1).", [1]),
        "weeks": ("Only in these weeks (not cumulative).", [[4]]),
        "sets": ("Change to sets (and superset rounds), like +1.", ["+1"]),
        "reps": ("Change to reps, like +2.", ["+2"]),
        "holds": ("Change to timed holds, like +5s.", ["+5s"]),
        "rests": ("Change to rests, like -5s (never below 5s).", ["-5s"]),
        "breaths": ("Change to breath holds, like +1.", ["+1"]),
        "deload": ("With weeks: scale sets, reps, holds and breaths, like 0.7.", [0.7]),
        "routines": ("Limit the rule to these routine files.", [["upper-body-power.yaml"]]),
    },
}

#: Durations whose field allows less than any duration (0 to 4 h): seconds, low and high.
_RANGES: dict[str, dict[str, tuple[float, float]]] = {
    "Exercise": {"duration": (1, 3600), "tempo": (0.5, 60)},
    "Rest": {"rest": (1, 3600)},
}

_ROOTS: dict[Kind, tuple[str, str]] = {
    "routine": (
        "audiocoach routine",
        "A workout routine that audiocoach turns into a voice-guided audio track.",
    ),
    "program": (
        "audiocoach program",
        "A weekly program: which routine on which day, for how many weeks, and how it progresses.",
    ),
}


# --- generation ----------------------------------------------------------------------------


class _Generator(GenerateJsonSchema):
    """pydantic's generator, saying that plain number and true/false fields also take text.

    pydantic's lax mode reads ``weeks: "4"`` as 4 and ``steps: "no"`` as false; the schema must
    not refuse what the loader takes.
    """

    def int_schema(self, schema: core_schema.IntSchema) -> JsonSchemaValue:
        return {
            "anyOf": [super().int_schema(schema), {"type": "string", "pattern": _pattern(_INT)}]
        }

    def float_schema(self, schema: core_schema.FloatSchema) -> JsonSchemaValue:
        number = super().float_schema(schema)
        return {"anyOf": [number, {"type": "string", "pattern": _pattern(_FLOAT)}]}

    def bool_schema(self, schema: core_schema.BoolSchema) -> JsonSchemaValue:
        words = "^" + _words(*_BOOL_WORDS) + "$"
        return {
            "anyOf": [{"type": "boolean"}, {"enum": [0, 1]}, {"type": "string", "pattern": words}]
        }


def _tidy(node: Any) -> Any:
    """Drop what only clutters an editor's hover: pydantic's generated property titles ("Rep
    Tempo": the key says it already) and defaults of null or of a whole nested model."""
    if isinstance(node, dict):
        out = {}
        for key, value in node.items():
            if key == "properties" and isinstance(value, dict):
                out[key] = {name: _tidy_property(prop) for name, prop in value.items()}
            else:
                out[key] = _tidy(value)
        return out
    if isinstance(node, list):
        return [_tidy(item) for item in node]
    return node


def _tidy_property(prop: Any) -> Any:
    if not isinstance(prop, dict):
        return prop
    return {
        k: _tidy(v)
        for k, v in prop.items()
        if k != "title" and not (k == "default" and (v is None or isinstance(v, dict)))
    }


def _narrow(prop: dict[str, Any], low: float, high: float) -> None:
    """Set the range of the number form of a duration ``prop`` (which may also be null)."""
    for form in prop.get("anyOf", []):
        if form.get("type") == "number":
            form["minimum"], form["maximum"] = low, high
        elif "anyOf" in form:
            _narrow(form, low, high)


def _refs_alone(node: Any) -> Any:
    """Draft 7 ignores whatever stands beside a ``$ref``: put the ``$ref`` in an ``allOf``."""
    if isinstance(node, dict):
        out = {k: _refs_alone(v) for k, v in node.items()}
        if "$ref" in out and len(out) > 1:
            ref = out.pop("$ref")
            out["allOf"] = [{"$ref": ref}, *out.get("allOf", [])]
        return out
    if isinstance(node, list):
        return [_refs_alone(item) for item in node]
    return node


def _merge(target: dict[str, Any], extra: dict[str, Any]) -> None:
    """Add ``extra`` into ``target``, mapping into mapping."""
    for key, value in extra.items():
        if isinstance(value, dict) and isinstance(target.get(key), dict):
            _merge(target[key], value)
        else:
            target[key] = value


def _blocks(defs: dict[str, Any]) -> dict[str, Any]:
    """One ``Block`` definition chosen by the block's first key, as the model chooses.

    pydantic writes the block union as ``oneOf`` the five models, so a block with one mistake
    is "not valid under any of the given schemas". Told apart by the leading key instead, the
    schema checks the block as the model it is and names the key that is wrong. A block with
    none of the leading keys is checked against all five, so an editor still offers their keys.
    """
    from audiocoach.routine import _BLOCK_MODELS, BLOCK_KEYS

    # each model with its leading keys, in the order ``routine._block_tag`` looks for them
    kinds: dict[str, list[str]] = {}
    for key, tag in BLOCK_KEYS.items():
        kinds.setdefault(_BLOCK_MODELS[f"{tag}-block"].__name__, []).append(key)
    refs = [{"$ref": f"{_DEFS}{model}"} for model in kinds]
    chain: dict[str, Any] = {"anyOf": refs}
    for model, keys in reversed(kinds.items()):
        test = (
            {"required": list(keys)}
            if len(keys) == 1
            else {"anyOf": [{"required": [k]} for k in keys]}
        )
        chain = {"if": test, "then": {"$ref": f"{_DEFS}{model}"}, "else": chain}
    block = {
        "description": "A block, told by its first key: exercise, superset or circuit, check, "
        "rest or say.",
        "type": "object",
        **chain,
    }

    def swap(node: Any) -> Any:
        if isinstance(node, dict):
            choices = node.get("oneOf")
            if isinstance(choices, list) and sorted(map(str, choices)) == sorted(map(str, refs)):
                return {"$ref": f"{_DEFS}Block"}
            return {k: swap(v) for k, v in node.items()}
        if isinstance(node, list):
            return [swap(item) for item in node]
        return node

    return {**swap(defs), "Block": block}


def _reachable(root: Any, defs: dict[str, Any]) -> set[str]:
    """The names of the definitions ``root`` refers to, directly or through each other."""
    seen: set[str] = set()
    stack = [root]
    while stack:
        node = stack.pop()
        if isinstance(node, dict):
            ref = node.get("$ref")
            if isinstance(ref, str) and ref.startswith(_DEFS):
                name = ref.removeprefix(_DEFS)
                if name not in seen and name in defs:
                    seen.add(name)
                    stack.append(defs[name])
            stack.extend(node.values())
        elif isinstance(node, list):
            stack.extend(node)
    return seen


def _document(defs: dict[str, Any]) -> None:
    for model, fields in _DOCS.items():
        properties = defs.get(model, {}).get("properties", {})
        for name, (description, examples) in fields.items():
            if name in properties:
                properties[name]["description"] = description
                if examples:
                    properties[name]["examples"] = examples


def _model(kind: Kind) -> Any:
    # imported here: the models import this module's fragments for their own types
    if kind == "routine":
        from audiocoach.routine import Routine

        return Routine
    from audiocoach.program import Program

    return Program


def json_schema(kind: Kind) -> dict[str, Any]:
    """The JSON Schema (draft 7) of a routine or program file, as a dict."""
    model = _model(kind)
    raw = model.model_json_schema(schema_generator=_Generator, ref_template=_DEFS + "{model}")
    defs = raw.pop("$defs", {})
    name = model.__name__
    defs[name] = raw  # the root is documented and ruled like every other model ...
    for model_name, rules in _RULES.items():
        if model_name in defs:
            _merge(defs[model_name], rules)
    if "Exercise" in defs:
        defs = _blocks(defs)
    for model_name, ranges in _RANGES.items():
        for key, (low, high) in ranges.items():
            if model_name in defs:
                _narrow(defs[model_name]["properties"][key], low, high)
    _document(defs)
    if kind == "program":
        _program_rules(defs)
    defs = _refs_alone(_tidy(defs))
    root = defs.pop(name)  # ... then taken back out to the top
    used = _reachable(root, defs)
    defs = {k: v for k, v in defs.items() if k in used}
    title, description = _ROOTS[kind]
    root.pop("title", None)
    return {
        "$schema": DIALECT,
        "title": title,
        "description": description,
        **{k: v for k, v in root.items() if k != "description"},
        "definitions": dict(sorted(defs.items())),
    }


def _program_rules(defs: dict[str, Any]) -> None:
    """What a program's days and a day's pace take, which the flags' parsers decide."""
    from audiocoach.program import _DAY_ALIASES, REST_WORDS

    rest_day = {
        "anyOf": [
            {"type": "null"},
            {"const": False},
            {"type": "string", "pattern": _pattern(_words(*REST_WORDS))},
        ]
    }
    # a mapping is checked as a Day (so a mistake in it is named where it is), else a file or rest
    day = {
        "if": {"type": "object"},
        "then": {"$ref": f"{_DEFS}Day"},
        "else": {
            "anyOf": [
                {"type": "string", "pattern": "\\S", "description": "A routine file, or rest."},
                {"type": "number"},
                rest_day,
            ]
        },
    }
    days = defs["Program"]["properties"]["days"]
    days["additionalProperties"] = day
    days["propertyNames"] = day_name(_DAY_ALIASES)
    days["not"] = {"additionalProperties": rest_day}  # some day has a routine
    pace = defs["DayPace"]["properties"]
    pace["pace"].update(factor(0.25, 4.0))
    pace["rest"].update(duration_or_factor(0, 3600))
    pace["rep_tempo"].update(duration_or_factor(0.5, 60))
    pace["hold"].update(duration(5, 600))
    pace["speech_speed"].update(factor(0.5, 2.0))
    for key in ("pace", "rest", "rep_tempo", "hold", "speech_speed"):
        pace[key]["anyOf"] = [*pace[key]["anyOf"], {"type": "null"}]


def schema_text(kind: Kind) -> str:
    """The schema as the repository keeps it: indented JSON, one trailing newline."""
    return json.dumps(json_schema(kind), indent=2, ensure_ascii=False) + "\n"


def modeline(kind: Kind) -> str:
    """The first line of a shipped file of this kind."""
    return MODELINE.format(path=SCHEMA_FILES[kind])
