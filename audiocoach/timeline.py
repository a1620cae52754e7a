"""The timeline: what is heard when, in whole milliseconds.

The timeline is the one value that crosses from the pure scheduler to the audio side. Its JSON form
is a contract (see DESIGN.md): ``plan --json`` prints it, ``render --timeline`` writes it, and the
tests compare rendered audio against it. Extra keys may be added; the listed ones must stay.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field, replace
from typing import Any, Literal, get_args

PhaseKind = Literal[
    "intro",
    "prepare",
    "work",
    "rest",
    "breath-in",
    "breath-hold",
    "breath-out",
    "transition",
    "outro",
]
PHASE_KINDS: tuple[str, ...] = get_args(PhaseKind)

#: Phases in which the runner is working (the "exact" periods of the timing rules).
WORK_KINDS = frozenset({"work", "breath-in", "breath-hold", "breath-out"})

EventKind = Literal["speech", "tone"]

#: Tone catalogue: name -> fixed length in ms, or ``None`` for tones whose length the scheduler
#: chooses (breath sweeps span their whole breath phase). Lives here, not in ``tones.py``, because
#: tone lengths are timing facts the scheduler needs while knowing nothing of audio.
TONES: dict[str, int | None] = {
    "start": 350,  # work begins: bright two-note chime
    "stop": 600,  # work ends: falling two-note chime
    "pip": 120,  # one countdown beat
    "tick": 50,  # one rep beat
    "inhale": None,  # rising sweep across an inhale
    "exhale": None,  # falling sweep across an exhale
    "bell": 1500,  # rest begins: soft bell with a long decay
    "finish": 2000,  # the routine is done
}


@dataclass(frozen=True, slots=True)
class Phase:
    """A contiguous stretch of the track with one purpose (announce, work, rest, ...)."""

    kind: PhaseKind
    label: str
    start_ms: int
    end_ms: int
    exercise: str | None = None
    set: int | None = None
    round: int | None = None
    side: str | None = None

    @property
    def duration_ms(self) -> int:
        return self.end_ms - self.start_ms

    def to_json(self) -> dict[str, Any]:
        return {
            "kind": self.kind,
            "label": self.label,
            "start_ms": self.start_ms,
            "end_ms": self.end_ms,
            "exercise": self.exercise,
            "set": self.set,
            "round": self.round,
            "side": self.side,
        }


@dataclass(frozen=True, slots=True)
class Event:
    """Something heard: a spoken utterance or a tone, starting at ``at_ms``.

    ``role`` says what the utterance is for (``count``, ``countdown``, ``announce``, ``step``,
    ``cue``, ...), which transcripts and tests use. ``text`` is what the routine or phrasebook
    says; ``spoken`` is exactly what the engine receives for it (numbers in words, symbols read),
    filled in once a voice is chosen (``Timeline.voiced``); the pure scheduler leaves it ``None``.
    """

    at_ms: int
    kind: EventKind
    duration_ms: int
    text: str | None = None
    tone: str | None = None
    role: str = ""
    spoken: str | None = None

    @property
    def end_ms(self) -> int:
        return self.at_ms + self.duration_ms

    def to_json(self) -> dict[str, Any]:
        data: dict[str, Any] = {
            "at_ms": self.at_ms,
            "kind": self.kind,
            "text": self.text,
            "tone": self.tone,
            "duration_ms": self.duration_ms,
            "role": self.role,
        }
        if self.kind == "speech" and self.spoken is not None:
            data["spoken"] = self.spoken
        return data


@dataclass(frozen=True, slots=True)
class Chapter:
    """A skippable part of the track: one exercise occurrence group (or the intro / finish)."""

    title: str
    start_ms: int
    end_ms: int

    def to_json(self) -> dict[str, Any]:
        return {"title": self.title, "start_ms": self.start_ms, "end_ms": self.end_ms}


@dataclass(frozen=True, slots=True)
class Timeline:
    """The whole track laid out: phases cover ``[0, duration_ms)`` without gaps.

    ``engine``, ``voice`` and ``language`` say what will speak it; the pure scheduler leaves them
    empty and ``voiced`` fills them (with each speech event's ``spoken`` text) once a voice is
    chosen. The JSON form carries them only when set, so a scheduler-only timeline (the golden
    files) stays as it was.
    """

    title: str
    duration_ms: int
    chapters: tuple[Chapter, ...]
    phases: tuple[Phase, ...]
    events: tuple[Event, ...]
    description: str = ""
    source: str = ""
    dropped: tuple[str, ...] = field(default=())
    engine: str = ""
    voice: str = ""
    language: str = ""

    def voiced(
        self, *, engine: str, voice: str, language: str, spoken: Callable[[str], str]
    ) -> Timeline:
        """This timeline as ``engine``'s ``voice`` will say it in ``language``.

        ``spoken(text)`` is the text the engine receives for ``text`` (called once per distinct
        text); it fills every speech event's ``spoken``.
        """
        said = {text: spoken(text) for text in self.utterances()}
        events = tuple(
            replace(e, spoken=said.get(e.text, "")) if e.kind == "speech" else e
            for e in self.events
        )
        return replace(self, events=events, engine=engine, voice=voice, language=language)

    def speech(self) -> Iterator[Event]:
        return (e for e in self.events if e.kind == "speech")

    def tones(self) -> Iterator[Event]:
        return (e for e in self.events if e.kind == "tone")

    def utterances(self) -> list[str]:
        """Unique spoken texts in first-heard order (what a renderer must synthesize)."""
        seen: dict[str, None] = {}
        for e in self.speech():
            if e.text:
                seen.setdefault(e.text, None)
        return list(seen)

    def to_json(self) -> dict[str, Any]:
        voice = {"engine": self.engine, "voice": self.voice, "language": self.language}
        return {
            "title": self.title,
            **(voice if any(voice.values()) else {}),
            "description": self.description,
            "source": self.source,
            "duration_ms": self.duration_ms,
            "chapters": [c.to_json() for c in self.chapters],
            "phases": [p.to_json() for p in self.phases],
            "events": [e.to_json() for e in self.events],
            "dropped": list(self.dropped),
        }

    def dumps(self) -> str:
        return json.dumps(self.to_json(), indent=2, ensure_ascii=False) + "\n"

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Timeline:
        return cls(
            title=data["title"],
            description=data.get("description", ""),
            source=data.get("source", ""),
            duration_ms=int(data["duration_ms"]),
            chapters=tuple(Chapter(**c) for c in data["chapters"]),
            phases=tuple(Phase(**p) for p in data["phases"]),
            events=tuple(
                Event(
                    at_ms=e["at_ms"],
                    kind=e["kind"],
                    duration_ms=e["duration_ms"],
                    text=e.get("text"),
                    tone=e.get("tone"),
                    role=e.get("role", ""),
                    spoken=e.get("spoken"),
                )
                for e in data["events"]
            ),
            dropped=tuple(data.get("dropped", ())),
            engine=data.get("engine", ""),
            voice=data.get("voice", ""),
            language=data.get("language", ""),
        )
