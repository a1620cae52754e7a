"""What the user chose about the voice, and the engine that choice builds.

``SpeechSettings`` is a plain picklable value (CLI flags and their defaults), so a playlist can hand
it to worker processes, which build their own engines: engines hold libraries and sessions that
do not cross process boundaries. The language and the speech speed are *not* part of it: both are
resolved per track (a routine's ``language:`` and ``pace: speech_speed``, under the CLI's flags)
and passed to ``make_engine`` with it.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from audiocoach.errors import AudiocoachError
from audiocoach.speech.base import Engine
from audiocoach.speech.engines import engine_names
from audiocoach.speech.engines import make_engine as _make_named

__all__ = ["SpeechSettings", "engine_names", "make_engine"]


@dataclass(frozen=True)
class SpeechSettings:
    """The voice the user asked for.

    ``engine`` ``None`` means the best offline engine for the track's language. ``voice`` is the
    engine's own voice name; ``voice_model`` a Piper ``.onnx`` file (its ``.onnx.json`` beside it);
    ``tld`` gTTS's accent. ``cache_dir`` ``None`` is the user cache folder; ``use_cache`` ``False``
    synthesizes everything afresh.
    """

    engine: str | None = None
    voice: str | None = None
    voice_model: Path | None = None
    tld: str = "com"
    cache_dir: Path | None = None
    use_cache: bool = True


def make_engine(settings: SpeechSettings, *, lang: str = "en", speed: float = 1.0) -> Engine:
    """The engine ``settings`` names, speaking ``lang`` at ``speed`` times normal.

    A regional tag falls back to its language when the engine has no voice for the region
    (``de-AT`` speaks with espeak's ``de``), as the phrasebook does. Raises ``AudiocoachError``
    (one line) for an unknown engine or voice.
    """
    engine = settings.engine or "espeak"
    tag = lang.strip().replace("_", "-")
    primary = tag.split("-")[0].lower()
    try:
        return _make_named(engine, voice=settings.voice, speed=speed, lang=tag, tld=settings.tld)
    except AudiocoachError:
        if settings.voice is not None or primary == tag.lower():
            raise
    return _make_named(engine, voice=None, speed=speed, lang=primary, tld=settings.tld)
