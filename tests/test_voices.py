"""Which voices there are and which one speaks: ``audiocoach voices``, the voices folder, defaults.

Piper voices here are small stand-ins (a file that starts like ONNX, with a real voice config):
choosing and listing read only the config, so nothing is synthesized.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from audiocoach.cli import cli
from audiocoach.errors import InputError
from audiocoach.speech.base import language_tag, primary_language
from audiocoach.speech.espeak import EspeakEngine
from audiocoach.speech.piper_engine import PiperEngine
from audiocoach.speech.piper_voices import (
    VOICES_DIR_ENV,
    bundled_models,
    default_model,
    voices_dir,
)
from audiocoach.speech.registry import SpeechSettings, choose_engine, list_voices, make_engine


def stand_in(folder: Path, name: str, code: str | None) -> Path:
    """A Piper voice for language ``code`` (or a config that names none) in ``folder``."""
    (model,) = bundled_models()
    data = json.loads(model.config_path.read_text(encoding="utf-8"))
    data.pop("language", None)
    if code is None:  # a voice reading characters, not phonemes: nothing names its language
        data.pop("espeak")
        data["phoneme_type"] = "text"
    else:
        data["language"] = {"code": code}
        data["espeak"] = {"voice": code.split("_")[0]}
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{name}.onnx"
    path.write_bytes(b"\x08\x07stand-in")
    (folder / f"{name}.onnx.json").write_text(json.dumps(data), encoding="utf-8")
    return path


@pytest.fixture
def user_voices(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    folder = tmp_path / "voices"
    stand_in(folder, "de_DE-thorsten-medium", "de_DE")
    stand_in(folder / "british", "en_GB-alan-low", "en_GB")
    stand_in(folder, "zz-nolang", None)
    broken = folder / "broken.onnx"
    broken.write_bytes(b"\x08\x07no config beside me")
    monkeypatch.setenv(VOICES_DIR_ENV, str(folder))
    return folder


def rows(stdout: str) -> list[list[str]]:
    """The table's rows, split into engine, voice, language and where from."""
    table = stdout.split("\n\n")[0].splitlines()
    assert table[0].split() == ["engine", "voice", "language", "from"]
    return [line.split(None, 3) for line in table[1:]]


def test_voices_lists_the_bundled_piper_voice_and_espeak(runner) -> None:
    result = runner.invoke(cli, ["voices"])
    assert result.exit_code == 0, result.output
    lines = rows(result.stdout)
    # the bundled model's file is shown, to copy or to give to --voice-model
    model = bundled_models()[0].path
    assert lines[0] == ["piper", "en_US-joe-medium", "en-US", f"bundled: {model}"]
    assert model.is_file() and model.with_suffix(".onnx.json").is_file()
    assert ["espeak", "en-us", "en-US", "espeak-ng: English (America) male"] in lines
    assert ["espeak", "de", "de", "espeak-ng: German male"] in lines
    assert result.stdout.rstrip().endswith(f"your Piper voices folder: {voices_dir()}")
    assert result.stderr == ""


def test_voices_lists_the_users_and_says_which_cannot_be_used(runner, user_voices: Path) -> None:
    result = runner.invoke(cli, ["voices", "--engine", "piper"])
    assert result.exit_code == 0, result.output
    assert rows(result.stdout)[:4] == [
        ["piper", "en_US-joe-medium", "en-US", f"bundled: {bundled_models()[0].path}"],
        [
            "piper",
            "de_DE-thorsten-medium",
            "de-DE",
            f"user: {user_voices}/de_DE-thorsten-medium.onnx",
        ],
        ["piper", "en_GB-alan-low", "en-GB", f"user: {user_voices}/british/en_GB-alan-low.onnx"],
        ["piper", "zz-nolang", "-", f"user: {user_voices}/zz-nolang.onnx"],
    ]
    (warning,) = result.stderr.splitlines()
    assert warning.startswith(f"warning: unusable Piper voice: {user_voices / 'broken.onnx'}:1:1:")
    assert "no voice config beside it" in warning


def test_voices_for_one_language(runner, user_voices: Path) -> None:
    result = runner.invoke(cli, ["voices", "--lang", "de"])
    names = [row[1] for row in rows(result.stdout)]
    assert names == ["de_DE-thorsten-medium", "de"]
    british = [row[1] for row in rows(runner.invoke(cli, ["voices", "--lang", "en_gb"]).stdout)]
    assert british[0] == "en_GB-alan-low" and "en-gb" in british and "en-us" not in british


def test_a_users_voice_speaks_its_language_by_default(user_voices: Path) -> None:
    assert choose_engine(SpeechSettings(), "de") == "piper"
    german = make_engine(SpeechSettings(), lang="de")
    assert isinstance(german, PiperEngine)
    assert (german.voice, german.language, german.model.source) == (
        "de_DE-thorsten-medium",
        "de-DE",
        "user",
    )
    # still espeak when asked for
    assert isinstance(make_engine(SpeechSettings(engine="espeak"), lang="de"), EspeakEngine)


def test_the_closest_english_voice(user_voices: Path) -> None:
    assert default_model("en-GB").name == "en_GB-alan-low"  # the asked-for variety first
    assert default_model("en").name == "en_US-joe-medium"  # else the bundled voice
    assert default_model("en-AU").name == "en_US-joe-medium"
    assert default_model("fr") is None
    assert choose_engine(SpeechSettings(), "fr") == "espeak"


def test_voice_by_name_and_wrong_language(user_voices: Path) -> None:
    engine = make_engine(SpeechSettings(voice="DE_de-Thorsten-Medium"), lang="de")
    assert isinstance(engine, PiperEngine) and engine.voice == "de_DE-thorsten-medium"
    with pytest.raises(InputError) as info:
        make_engine(SpeechSettings(voice="de_DE-thorsten-medium"), lang="en")
    message = str(info.value)
    assert "speaks de-DE, but the routine is in en" in message and "\n" not in message
    # a voice whose config names no language is not second-guessed
    assert make_engine(SpeechSettings(voice="zz-nolang"), lang="en").language == ""


def test_unknown_voice_is_input_error_with_close_matches(
    user_voices: Path, runner, write_routine
) -> None:
    with pytest.raises(InputError, match=r"no Piper voice 'en_GB-alan'; close matches: en_GB"):
        make_engine(SpeechSettings(engine="piper", voice="en_GB-alan"))
    routine = write_routine("title: T\nblocks:\n  - exercise: Plank\n    duration: 5s\n")
    result = runner.invoke(cli, ["plan", str(routine), "--voice", "en-uss"])
    assert result.exit_code == 2
    (line,) = result.stderr.splitlines()
    # no engine named: the voice could be either kind; the close matches come from both
    assert line.startswith("error: no voice named 'en-uss'; close matches: en-us")
    assert line.endswith("audiocoach voices lists them")


def test_list_voices_is_one_kind_of_record(user_voices: Path) -> None:
    voices, problems = list_voices()
    assert {v.engine for v in voices} == {"piper", "espeak"}
    assert {v.source for v in voices} == {"bundled", "user", "espeak"}
    assert all(v.path is not None for v in voices if v.engine == "piper")
    assert len(problems) == 1


@pytest.mark.parametrize(
    ("code", "tag"),
    [
        ("en_US", "en-US"),
        ("EN-gb", "en-GB"),
        ("en", "en"),
        ("sr-latn-rs", "sr-Latn-RS"),
        ("es-419", "es-419"),
        ("en-GB-x-gbclan", "en-GB-x-gbclan"),
        ("  ", ""),
    ],
)
def test_language_tags(code: str, tag: str) -> None:
    assert language_tag(code) == tag
    assert primary_language(code) == tag.split("-")[0]


def test_a_language_no_voice_speaks_is_said_so_at_its_line(tmp_path: Path, runner) -> None:
    # Field report: `language: xx` gave "unknown espeak voice 'xx'; close matches: xex", with no
    # location, blaming a voice the user never named.
    routine = tmp_path / "xx.yaml"
    routine.write_text(
        "title: X\nlanguage: xx\nblocks:\n  - exercise: Plank\n    duration: 20s\n",
        encoding="utf-8",
    )
    result = runner.invoke(cli, ["plan", str(routine), "--estimate"])
    assert result.exit_code == 2
    lines = result.stderr.strip().splitlines()
    assert lines[0].startswith("warning: no phrasebook for xx")
    assert lines[1].startswith(f"{routine}:2:11: language: no offline voice speaks 'xx'")
    assert "--voice" in lines[1] and "xex" not in lines[1]
    flag = runner.invoke(cli, ["plan", str(routine), "--estimate", "--lang", "zz-ZZ"])
    assert flag.exit_code == 2
    assert flag.stderr.strip().splitlines()[-1].startswith("error: no offline voice speaks 'zz-ZZ'")


def test_an_unknown_voice_name_is_neither_kind(tmp_path: Path, runner) -> None:
    routine = tmp_path / "r.yaml"
    routine.write_text(
        "title: X\nblocks:\n  - exercise: Plank\n    duration: 20s\n", encoding="utf-8"
    )
    result = runner.invoke(
        cli, ["plan", str(routine), "--estimate", "--voice", "de_DE-thorsten-medium"]
    )
    assert result.exit_code == 2
    message = result.stderr.strip()
    assert message.startswith("error: no voice named 'de_DE-thorsten-medium': it is neither")
    assert "Piper" in message and ".onnx.json" in message
    espeak = runner.invoke(
        cli, ["plan", str(routine), "--estimate", "--engine", "espeak", "--voice", "en-uss"]
    )
    assert espeak.exit_code == 2
    assert espeak.stderr.startswith("error: unknown espeak voice 'en-uss'")
