"""The engine seam and its vocabulary: clips, engines, voices and language tags.

Engines are passed in (never global) so tests can count calls and the scheduler can be fed clip
lengths from any engine. ``identity`` must change whenever the audio for the same text would change
(engine, version, model, voice, speed, language), because the cache is keyed on it.

This module sits below every engine and imports none of them.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Literal, Protocol, runtime_checkable

__all__ = [
    "SAMPLE_RATE",
    "Clip",
    "Engine",
    "Voice",
    "VoiceSource",
    "language_tag",
    "primary_language",
]

#: Sample rate of every clip and of the mix. Speech from espeak-ng and Piper (22050 Hz) is
#: resampled once, before caching, so the mixer never resamples.
SAMPLE_RATE = 44100


@dataclass(frozen=True, slots=True)
class Clip:
    """Signed 16-bit little-endian mono PCM at ``sample_rate``."""

    pcm: bytes
    sample_rate: int = SAMPLE_RATE

    @property
    def frames(self) -> int:
        return len(self.pcm) // 2

    @property
    def duration_ms(self) -> int:
        """Length rounded to whole ms: the figure the scheduler plans with."""
        return (self.frames * 1000 + self.sample_rate // 2) // self.sample_rate


@runtime_checkable
class Engine(Protocol):
    """What the renderer needs from a speech engine, and what the timeline says about it.

    ``name`` is the engine (``piper``, ``espeak``, ``gtts``), ``voice`` the voice's display name
    (``en_US-joe-medium``, ``en-us``) and ``language`` the language it speaks as a BCP-47 tag
    (``en-US``): together they say what speaks, for the timeline and the tags.
    """

    name: str
    voice: str
    language: str

    def identity(self) -> str:
        """A stable string naming everything that shapes the audio (for the cache key)."""
        ...

    def synthesize(self, text: str) -> Clip:
        """Speak ``text``; raise ``AudiocoachError`` with one clear line on failure."""
        ...


VoiceSource = Literal["bundled", "user", "model", "espeak"]


@dataclass(frozen=True, slots=True)
class Voice:
    """One voice a user can choose: what ``audiocoach voices`` lists, one row each.

    ``engine`` speaks it, ``name`` is what ``--voice`` accepts, ``language`` a BCP-47 tag, and
    ``source`` where it comes from: ``bundled`` (a voice installed with audiocoach), ``user`` (a
    Piper voice in the user's voices folder), ``model`` (a file given with ``--voice-model``) or
    ``espeak`` (espeak-ng's own voices). ``path`` is the model file of a Piper voice.
    """

    engine: str
    name: str
    language: str
    source: VoiceSource
    path: Path | None = None
    #: A longer description where the engine has one (espeak's "English (America)").
    description: str = ""


def language_tag(code: str) -> str:
    """``en_us``, ``EN-us``, ``en-gb-x-rp`` -> ``en-US``, ``en-US``, ``en-GB-x-rp`` (BCP-47 case).

    Only the spelling is normalised (``_`` to ``-``, the language lower case, a two-letter region
    upper case, a four-letter script title case, after ``x`` private use as it came); nothing is
    checked against a registry. Empty in, empty out.
    """
    parts = [p for p in code.strip().replace("_", "-").split("-") if p]
    out: list[str] = []
    private = False
    for i, part in enumerate(parts):
        if i == 0:
            out.append(part.lower())
        elif private:
            out.append(part)
        elif part.lower() == "x":
            private = True
            out.append("x")
        elif len(part) == 2 and part.isalpha():
            out.append(part.upper())
        elif len(part) == 4 and part.isalpha():
            out.append(part.title())
        else:
            out.append(part.lower())
    return "-".join(out)


def primary_language(code: str) -> str:
    """The language subtag alone: ``en-GB`` -> ``en``; used to tell whether two voices agree."""
    return language_tag(code).split("-", 1)[0]
