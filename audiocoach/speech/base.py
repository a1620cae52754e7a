"""The engine seam: anything that turns a phrase into a mono PCM clip.

Engines are passed in (never global) so tests can count calls and the scheduler can be fed clip
lengths from any engine. ``identity`` must change whenever the audio for the same text would change
(engine, version, voice, speed, language), because the cache is keyed on it.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol, runtime_checkable

#: Sample rate of every clip and of the mix. Speech from espeak-ng (22050 Hz) is resampled once,
#: before caching, so the mixer never resamples.
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
    """What the renderer needs from a speech engine."""

    name: str

    def identity(self) -> str:
        """A stable string naming everything that shapes the audio (for the cache key)."""
        ...

    def synthesize(self, text: str) -> Clip:
        """Speak ``text``; raise ``AudiocoachError`` with one clear line on failure."""
        ...
