"""Offline speech through espeak-ng, called with ctypes.

The library and its data come from the ``espeakng-loader`` wheel, so nothing needs installing on
the machine. espeak-ng keeps its state (voice, rate, synth callback) in globals of the loaded
library, so there is exactly one handle per process, created on first use and guarded by a lock:
engines with different voices share it and set their voice before each phrase.

Synchronous output mode hands the samples to a callback as they are made, with no audio device
and no threads; that is what makes it hundreds of times faster than real time.
"""

from __future__ import annotations

import ctypes
import threading
from dataclasses import dataclass

import numpy as np

from audiocoach.errors import AudiocoachError, InputError
from audiocoach.speech.base import Clip, Voice, language_tag
from audiocoach.speech.finish import check_speed, close_matches, finish_speech

__all__ = ["DEFAULT_WPM", "EspeakEngine", "voices"]

#: espeak-ng's own default rate; ``speed`` multiplies it.
DEFAULT_WPM = 175
MIN_WPM = 80
MAX_WPM = 450

_AUDIO_OUTPUT_SYNCHRONOUS = 2
# Ask for samples in ~1 s batches: fewer trips through the Python callback.
_BUFFER_MS = 1000
_EE_OK = 0
_ESPEAK_RATE = 1
_CHARS_UTF8 = 1
_POS_CHARACTER = 1

_SynthCallback = ctypes.CFUNCTYPE(
    ctypes.c_int, ctypes.POINTER(ctypes.c_short), ctypes.c_int, ctypes.c_void_p
)


class _VoiceStruct(ctypes.Structure):
    # ``languages`` is not a C string: it is a run of (priority byte, name, NUL), ending with a 0
    # priority byte, so it is read by address.
    _fields_ = (
        ("name", ctypes.c_char_p),
        ("languages", ctypes.c_void_p),
        ("identifier", ctypes.c_char_p),
        ("gender", ctypes.c_ubyte),
        ("age", ctypes.c_ubyte),
        ("variant", ctypes.c_ubyte),
        ("xx1", ctypes.c_ubyte),
        ("score", ctypes.c_int),
        ("spare", ctypes.c_void_p),
    )


@dataclass(frozen=True, slots=True)
class _Installed:
    """One installed espeak-ng voice; ``language`` is what ``EspeakEngine(voice=...)`` accepts.

    ``languages`` lists (priority, language) pairs: the voice speaks each, and for a language the
    voice with the lowest priority number is the one espeak itself would choose.
    """

    name: str
    language: str
    gender: str
    identifier: str
    languages: tuple[tuple[int, str], ...]


@dataclass(frozen=True, slots=True)
class _VoiceIndex:
    """Lower-cased language codes and identifiers -> the identifier ``SetVoiceByName`` loads."""

    by_language: dict[str, str]
    by_identifier: dict[str, str]
    variants: dict[str, str]
    #: identifier -> the language it speaks first (``gmw/en-US`` -> ``en-us``)
    language_of: dict[str, str]

    def resolve(self, spec: str) -> str | None:
        base, plus, variant = spec.strip().partition("+")
        key = base.strip().lower()
        identifier = self.by_language.get(key) or self.by_identifier.get(key)
        if identifier is None:
            return None
        if not plus:
            return identifier
        # espeak ignores an unknown variant silently; asking for one is a typo worth reporting.
        found = self.variants.get(variant.strip().lower())
        return f"{identifier}+{found}" if found else None

    def candidates(self, spec: str) -> list[str]:
        """What the user may have meant: variants of a known voice, else every voice name."""
        base = spec.strip().partition("+")[0].strip()
        if "+" in spec and (base.lower() in self.by_language or base.lower() in self.by_identifier):
            return [f"{base}+{v}" for v in self.variants.values()]
        return sorted(set(self.by_language) | set(self.by_identifier.values()))


_GENDERS = {1: "male", 2: "female"}


def _decode(raw: bytes | None) -> str:
    return raw.decode("utf-8", "replace") if raw else ""


def _read_languages(address: int | None) -> tuple[tuple[int, str], ...]:
    languages: list[tuple[int, str]] = []
    if not address:
        return ()
    while (priority := ctypes.string_at(address, 1)[0]) != 0:
        name = ctypes.string_at(address + 1)
        languages.append((priority, _decode(name)))
        address += 1 + len(name) + 1
    return tuple(languages)


class _Library:
    """The process-wide espeak-ng handle; every call into the library goes through ``lock``."""

    def __init__(self) -> None:
        try:
            import espeakng_loader

            lib = ctypes.CDLL(espeakng_loader.get_library_path())
            data_path = espeakng_loader.get_data_path()
        except (ImportError, OSError) as exc:
            raise AudiocoachError(
                f"cannot load espeak-ng from the espeakng-loader package ({exc}); "
                "reinstall audiocoach or use --engine gtts"
            ) from None
        lib.espeak_Initialize.argtypes = (ctypes.c_int, ctypes.c_int, ctypes.c_char_p, ctypes.c_int)
        lib.espeak_Initialize.restype = ctypes.c_int
        lib.espeak_Info.argtypes = (ctypes.POINTER(ctypes.c_char_p),)
        lib.espeak_Info.restype = ctypes.c_char_p
        lib.espeak_SetSynthCallback.argtypes = (_SynthCallback,)
        lib.espeak_SetSynthCallback.restype = None
        lib.espeak_SetVoiceByName.argtypes = (ctypes.c_char_p,)
        lib.espeak_SetVoiceByName.restype = ctypes.c_int
        lib.espeak_SetParameter.argtypes = (ctypes.c_int, ctypes.c_int, ctypes.c_int)
        lib.espeak_SetParameter.restype = ctypes.c_int
        lib.espeak_ListVoices.argtypes = (ctypes.c_void_p,)
        lib.espeak_ListVoices.restype = ctypes.POINTER(ctypes.POINTER(_VoiceStruct))
        lib.espeak_Synth.argtypes = (
            ctypes.c_void_p,
            ctypes.c_size_t,
            ctypes.c_uint,
            ctypes.c_int,
            ctypes.c_uint,
            ctypes.c_uint,
            ctypes.c_void_p,
            ctypes.c_void_p,
        )
        lib.espeak_Synth.restype = ctypes.c_int

        self.lock = threading.Lock()
        self._lib = lib
        self._chunks: list[bytes] = []
        # The library keeps only a raw pointer to the callback: this reference keeps it alive.
        self._callback = _SynthCallback(self._collect)
        rate = lib.espeak_Initialize(_AUDIO_OUTPUT_SYNCHRONOUS, _BUFFER_MS, data_path.encode(), 0)
        if rate <= 0:
            raise AudiocoachError(f"espeak-ng failed to start with its data in {data_path}")
        self.sample_rate = rate
        lib.espeak_SetSynthCallback(self._callback)
        self.version = _decode(lib.espeak_Info(None))
        self._voice: str | None = None
        self._wpm: int | None = None
        self._voices: tuple[_Installed, ...] | None = None
        self._index: _VoiceIndex | None = None

    def _collect(self, wav: ctypes._Pointer[ctypes.c_short], count: int, _events: int) -> int:
        if wav and count > 0:
            self._chunks.append(ctypes.string_at(wav, count * 2))
        return 0  # 0 = keep going

    def select_voice(self, voice: str) -> bool:
        """Make ``voice`` current; False if espeak does not know it. Call with ``lock`` held."""
        if voice != self._voice:
            if self._lib.espeak_SetVoiceByName(voice.encode()) != _EE_OK:
                return False
            self._voice = voice
            self._wpm = None  # a voice change resets the rate
        return True

    def synthesize(self, voice: str, wpm: int, text: str) -> bytes:
        with self.lock:
            if not self.select_voice(voice):
                raise AudiocoachError(f"espeak-ng cannot load voice {voice!r}")
            if wpm != self._wpm:
                self._lib.espeak_SetParameter(_ESPEAK_RATE, wpm, 0)
                self._wpm = wpm
            # A NUL would end the text early: espeak reads a C string.
            data = text.replace("\x00", " ").encode("utf-8", "replace") + b"\x00"
            self._chunks = []
            status = self._lib.espeak_Synth(
                data, len(data), 0, _POS_CHARACTER, 0, _CHARS_UTF8, None, None
            )
            chunks, self._chunks = self._chunks, []
        if status != _EE_OK:
            raise AudiocoachError(f"espeak-ng failed to speak {text[:40]!r} (error {status})")
        return b"".join(chunks)

    def _list(self, spec: _VoiceStruct | None) -> list[_Installed]:
        found: list[_Installed] = []
        array = self._lib.espeak_ListVoices(ctypes.byref(spec) if spec is not None else None)
        i = 0
        while array[i]:
            v = array[i].contents
            languages = _read_languages(v.languages)
            found.append(
                _Installed(
                    name=_decode(v.name),
                    language=languages[0][1] if languages else "",
                    gender=_GENDERS.get(v.gender, ""),
                    identifier=_decode(v.identifier),
                    languages=languages,
                )
            )
            i += 1
        return found

    def voices(self) -> tuple[_Installed, ...]:
        with self.lock:
            if self._voices is None:
                self._voices = tuple(self._list(None))
            return self._voices

    def index(self) -> _VoiceIndex:
        voices = self.voices()
        with self.lock:
            if self._index is None:
                best: dict[str, tuple[int, str]] = {}
                for voice in voices:
                    for priority, language in voice.languages:
                        key = language.lower()
                        if key not in best or priority < best[key][0]:
                            best[key] = (priority, voice.identifier)
                # Variants (f3, klatt...) are listed only when asked for by this pseudo-language.
                variant_language = ctypes.create_string_buffer(b"variant")
                spec = _VoiceStruct()
                spec.languages = ctypes.cast(variant_language, ctypes.c_void_p)
                variants = {
                    v.identifier.rsplit("/", 1)[-1].lower(): v.identifier.rsplit("/", 1)[-1]
                    for v in self._list(spec)
                }
                self._index = _VoiceIndex(
                    by_language={k: ident for k, (_, ident) in best.items()},
                    by_identifier={v.identifier.lower(): v.identifier for v in voices},
                    variants=variants,
                    language_of={v.identifier: v.language for v in voices},
                )
            return self._index


_library: _Library | None = None
_library_lock = threading.Lock()


def _get_library() -> _Library:
    global _library
    with _library_lock:
        if _library is None:
            _library = _Library()
        return _library


def voices() -> list[Voice]:
    """espeak-ng's installed voices; a voice's ``name`` is what ``--voice`` and
    ``EspeakEngine(voice=...)`` accept: its language code, or its identifier where another voice
    is the one espeak picks for that code. Loads the library (a few ms)."""
    library = _get_library()
    index = library.index()
    found: list[Voice] = []
    for v in library.voices():
        if not v.language:
            continue
        picked = index.by_language.get(v.language.lower()) == v.identifier
        found.append(
            Voice(
                engine="espeak",
                name=v.language if picked else v.identifier,
                language=language_tag(v.language),
                source="espeak",
                description=" ".join(part for part in (v.name, v.gender) if part),
            )
        )
    return found


class EspeakEngine:
    """espeak-ng speaking with one voice at one rate: offline, free and very fast.

    ``voice`` is a language such as ``en-us`` or a voice identifier such as ``gmw/en-US`` (see
    ``voices``), optionally with a variant (``en-us+f3``). ``speed`` multiplies espeak's 175
    words per minute, clamped to 80..450. The library is loaded, and the voice checked, when the
    engine is made, so a typo fails before any work is done: an unknown voice is the user's input
    (``InputError``, one line with the close matches).

    ``language`` is the BCP-47 tag of the voice espeak loads (``en`` is British: ``en-GB``).
    Calls into the library are serialised (one handle per process), so ``concurrency`` is 1:
    at over 1000 times real time there is nothing to gain from threads.
    """

    name = "espeak"
    concurrency = 1

    def __init__(self, voice: str = "en-us", speed: float = 1.0) -> None:
        self.voice = voice.strip()
        self.speed = check_speed(speed, MIN_WPM / DEFAULT_WPM, MAX_WPM / DEFAULT_WPM)
        self.wpm = min(max(round(DEFAULT_WPM * self.speed), MIN_WPM), MAX_WPM)
        self._library = _get_library()
        index = self._library.index()
        resolved = index.resolve(self.voice)
        if resolved is None:
            hint = close_matches(self.voice, index.candidates(self.voice))
            raise InputError(
                f"error: unknown espeak voice {voice!r}{hint or '; try en-us'} "
                "(audiocoach voices lists them)"
            )
        #: What espeak loads: "en" and "en-gb" both name gmw/en, and share cache entries.
        self.resolved_voice = resolved
        self.language = language_tag(index.language_of.get(resolved.partition("+")[0], ""))
        with self._library.lock:
            if not self._library.select_voice(resolved):
                raise AudiocoachError(f"espeak-ng cannot load voice {voice!r} ({resolved})")

    def identity(self) -> str:
        # The sample rate of the raw output is part of the version in practice, but say it anyway.
        return (
            f"espeak-ng {self._library.version} {self._library.sample_rate}Hz "
            f"voice={self.resolved_voice} wpm={self.wpm}"
        )

    def synthesize(self, text: str) -> Clip:
        if not text.strip():
            return Clip(b"")
        raw = self._library.synthesize(self.resolved_voice, self.wpm, text)
        return finish_speech(np.frombuffer(raw, dtype=np.int16), self._library.sample_rate)

    def __repr__(self) -> str:
        return f"EspeakEngine(voice={self.voice!r}, speed={self.speed!r})"
