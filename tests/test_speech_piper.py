"""The Piper engine for real: the bundled voice speaking, reproducibly, fast, from any folder.

The model is loaded once per process (about half a second from a warm disk), so these tests share
it; each phrase costs a few tens of ms.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path
from types import SimpleNamespace

import numpy as np
import pytest

from audiocoach.cli import cli
from audiocoach.errors import InputError
from audiocoach.ffmpeg import decode_pcm, measure_loudness
from audiocoach.loudness import clip_loudness
from audiocoach.speech import digest, piper_engine
from audiocoach.speech.base import SAMPLE_RATE, Clip, Engine
from audiocoach.speech.batch import synthesize_all
from audiocoach.speech.cache import CachedEngine, SpeechCache
from audiocoach.speech.espeak import EspeakEngine
from audiocoach.speech.finish import FADE_MS, MARGIN_MS
from audiocoach.speech.piper_engine import PEAK, PiperEngine
from audiocoach.speech.piper_voices import bundled_models, read_model
from audiocoach.speech.registry import SpeechSettings, cached_engine, choose_engine, make_engine

ROOT = Path(__file__).resolve().parent.parent

#: A short routine: a dozen phrases, intro to finish, so a cold Piper plan takes a second or two.
TINY = """\
title: Piper check
blocks:
  - exercise: Plank
    duration: 20s
    steps: [Keep your back flat.]
  - rest: 10s
  - exercise: Squat
    reps: 3
    tempo: 2s
"""

PHRASES = {
    # phrase: shortest and longest plausible ms at normal speed (about 3 words a second)
    "Inhale.": (250, 1200),
    "three": (200, 900),
    "Rest, thirty seconds.": (900, 2500),
    "Start in a push-up position. Lower to the bottom and push back up.": (2500, 6000),
}


@pytest.fixture(scope="module")
def joe() -> PiperEngine:
    engine = make_engine(SpeechSettings(), lang="en")
    assert isinstance(engine, PiperEngine)
    return engine


@pytest.fixture(scope="module")
def elsewhere(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The bundled voice copied, under another name, into a folder of its own (with a space)."""
    (model,) = bundled_models()
    folder = tmp_path_factory.mktemp("my voices") / "sub folder"
    folder.mkdir()
    target = folder / "my-joe.onnx"
    shutil.copyfile(model.path, target)
    shutil.copyfile(model.config_path, folder / "my-joe.onnx.json")
    return target


def fake_model(folder: Path, name: str, *, body: bytes = b"model", **config: object) -> Path:
    """A small stand-in ``.onnx`` (right first byte, nothing loadable) with the bundled voice's
    config, edited: enough for everything but synthesis (identity, choice, listing, checks)."""
    (model,) = bundled_models()
    data = json.loads(model.config_path.read_text(encoding="utf-8"))
    data.update(config)
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{name}.onnx"
    path.write_bytes(b"\x08\x07" + body)
    (folder / f"{name}.onnx.json").write_text(json.dumps(data), encoding="utf-8")
    return path


def samples(clip: Clip) -> np.ndarray:
    return np.frombuffer(clip.pcm, dtype="<i2").astype(np.float64) / 32768


# --- choosing Piper ------------------------------------------------------------------------------


@pytest.mark.parametrize("lang", ["en", "en-US", "en_us", "en-GB", "EN"])
def test_the_default_engine_for_english_is_piper(lang: str, joe: PiperEngine) -> None:
    assert choose_engine(SpeechSettings(), lang) == "piper"
    engine = make_engine(SpeechSettings(), lang=lang)
    assert isinstance(engine, PiperEngine) and isinstance(engine, Engine)
    assert (engine.name, engine.voice, engine.language) == ("piper", "en_US-joe-medium", "en-US")
    assert engine.model.source == "bundled" and engine.identity() == joe.identity()


def test_other_languages_default_to_espeak_without_a_piper_voice() -> None:
    assert choose_engine(SpeechSettings(), "de") == "espeak"
    engine = make_engine(SpeechSettings(), lang="de")
    assert isinstance(engine, EspeakEngine) and engine.language == "de"
    with pytest.raises(InputError, match="no Piper voice for language 'de'"):
        make_engine(SpeechSettings(engine="piper"), lang="de")


def test_voice_names_choose_their_engine() -> None:
    assert choose_engine(SpeechSettings(voice="en_US-joe-medium"), "en") == "piper"
    assert choose_engine(SpeechSettings(voice="en-gb"), "en") == "espeak"
    assert choose_engine(SpeechSettings(engine="espeak"), "en") == "espeak"
    with pytest.raises(InputError, match=r"no Piper voice 'en_US-jo'; close matches: en_US-joe"):
        make_engine(SpeechSettings(engine="piper", voice="en_US-jo"))


# --- speaking ------------------------------------------------------------------------------------


@pytest.mark.parametrize("text", list(PHRASES))
def test_phrases_spoken_for_real(joe: PiperEngine, text: str) -> None:
    shortest, longest = PHRASES[text]
    clip = joe.synthesize(text)
    assert clip.sample_rate == SAMPLE_RATE
    assert shortest <= clip.duration_ms <= longest
    x = samples(clip)
    # Scaled to -1 dBFS before resampling (which may overshoot a little), never clipped.
    assert PEAK * 0.95 <= np.abs(x).max() <= 0.97
    # Speech level: a synthetic voice sits 12-20 dB under its peaks; the mix evens it out.
    assert -28 <= clip_loudness(x.astype(np.float32)) <= -12
    # Trimmed to the words with a few ms of air, and faded: no click at either end.
    loud = np.flatnonzero(np.abs(x) > 0.01)
    slack = SAMPLE_RATE * (MARGIN_MS + 30) // 1000
    assert loud[0] <= slack and len(x) - 1 - loud[-1] <= slack
    assert abs(x[0]) < 0.01 and abs(x[-1]) < 0.01
    fade = SAMPLE_RATE * FADE_MS // 1000
    assert np.abs(x[:fade]).max() < np.abs(x).max()
    # Upsampled from 22050 Hz without images: next to nothing above the model's band.
    power = np.abs(np.fft.rfft(x)) ** 2
    freqs = np.fft.rfftfreq(len(x), 1 / SAMPLE_RATE)
    assert power[freqs > 11_500].sum() < 1e-4 * power.sum()


def test_speech_is_words_a_recognizer_hears(joe: PiperEngine) -> None:
    # An independent listener (PocketSphinx's general English model, in the test extra) on a few
    # routine phrases.
    import pocketsphinx

    from audiocoach.ffmpeg import run_ffmpeg

    decoder = pocketsphinx.Decoder(loglevel="FATAL")
    phrases = ["Rest, thirty seconds.", "Keep your back flat.", "Next up: squat.", "Inhale."]
    errors = total = 0
    for text in phrases:
        raw = ["-f", "s16le", "-ac", "1"]
        args = [*raw, "-ar", str(SAMPLE_RATE), "-i", "pipe:0", *raw, "-ar", "16000", "pipe:1"]
        pcm = run_ffmpeg(args, stdin=joe.synthesize(text).pcm, what="resampling").stdout
        decoder.start_utt()
        decoder.process_raw(pcm, full_utt=True)
        decoder.end_utt()
        heard = (decoder.hyp().hypstr if decoder.hyp() else "").lower().split()
        said = text.lower().replace(":", "").replace(",", "").replace(".", "").split()
        errors += sum(1 for word in said if word not in heard)
        total += len(said)
    assert errors / total <= 0.35, (errors, total)


def test_same_text_same_clip(joe: PiperEngine) -> None:
    text = "Rest, thirty seconds. Next up: Chin-Up."
    first = joe.synthesize(text)
    again = PiperEngine(joe.model).synthesize(text)
    assert first.pcm == again.pcm and joe.synthesize(text).pcm == first.pcm


def test_speed_scales_phoneme_length(joe: PiperEngine) -> None:
    text = "Keep your neck and face relaxed."
    normal = joe.synthesize(text).duration_ms
    fast = PiperEngine(joe.model, speed=1.5).synthesize(text).duration_ms
    slow = PiperEngine(joe.model, speed=0.75).synthesize(text).duration_ms
    assert 0.55 <= fast / normal <= 0.8
    assert 1.2 <= slow / normal <= 1.5
    assert PiperEngine(joe.model, speed=9).length_scale == pytest.approx(0.5)


def test_empty_and_silent_text(joe: PiperEngine) -> None:
    assert joe.synthesize("   ").frames == 0


def test_espeak_and_piper_share_a_process(joe: PiperEngine) -> None:
    # two copies of espeak-ng (piper's phonemizer, espeakng-loader's library) side by side
    espeak = EspeakEngine("de")
    german = espeak.synthesize("Guten Morgen").duration_ms
    english = joe.synthesize("Good morning").duration_ms
    assert abs(espeak.synthesize("Guten Morgen").duration_ms - german) <= 80
    assert joe.synthesize("Good morning").duration_ms == english


# --- identity ------------------------------------------------------------------------------------


def test_identity_changes_with_model_content_speaker_and_speed(tmp_path: Path) -> None:
    speakers = {"num_speakers": 3, "speaker_id_map": {"ann": 0, "bob": 1, "cy": 2}}
    path = fake_model(tmp_path / "a", "multi", **speakers)
    model = read_model(path)
    assert model.speakers == ("ann", "bob", "cy")
    base = PiperEngine(model, speaker="ann")
    identities = {
        base.identity(),
        PiperEngine(model, speaker="bob").identity(),
        PiperEngine(model, speaker="2").identity(),
        PiperEngine(model, speaker="ann", speed=1.25).identity(),
    }
    assert len(identities) == 4
    assert PiperEngine(model, speaker="ANN").identity() == base.identity()
    assert PiperEngine(model, speaker="bob").voice == "multi:bob"
    # the same content under another name and folder is the same voice: cache entries shared
    twin = fake_model(tmp_path / "b", "renamed", **speakers)
    assert PiperEngine(read_model(twin), speaker="ann").identity() == base.identity()
    # one byte of the model, or of its config, is another voice
    other = fake_model(tmp_path / "c", "multi", body=b"modem", **speakers)
    assert PiperEngine(read_model(other), speaker="ann").identity() != base.identity()
    edited = fake_model(tmp_path / "d", "multi", inference={"noise_scale": 0.5}, **speakers)
    assert PiperEngine(read_model(edited), speaker="ann").identity() != base.identity()
    with pytest.raises(InputError, match=r"no speaker 'bobby'; close matches: bob"):
        PiperEngine(model, speaker="bobby")
    with pytest.raises(InputError, match="has one speaker"):
        PiperEngine(read_model(fake_model(tmp_path / "e", "single")), speaker="ann")


def test_model_digest_is_remembered_but_never_stale(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    hashed: list[str] = []
    real_hash = digest._hash

    def counting(path: Path) -> str:
        hashed.append(path.name)
        return real_hash(path)

    monkeypatch.setattr(digest, "_hash", counting)
    memo = tmp_path / "memo"
    path = fake_model(tmp_path, "voice")
    # just written: too fresh to trust its signature (a second write could share its timestamp)
    first = digest.file_digest(path, memo)
    assert digest.file_digest(path, memo) == first and hashed == ["voice.onnx", "voice.onnx"]
    assert not memo.exists()
    later = time.time_ns() + int(10 * digest.SETTLE_S * 1e9)
    monkeypatch.setattr(digest, "time", SimpleNamespace(time_ns=lambda: later))
    hashed.clear()
    assert digest.file_digest(path, memo) == first
    monkeypatch.setattr(digest, "_memo", {})  # a new process: only the memo folder remembers
    assert digest.file_digest(path, memo) == first and hashed == ["voice.onnx"]
    # rewritten in place, same size: its ctime moves (a clock tick later), so the memo misses
    time.sleep(0.05)
    path.write_bytes(path.read_bytes().replace(b"model", b"modem"))
    changed = digest.file_digest(path, memo)
    assert changed != first and hashed == ["voice.onnx", "voice.onnx"]


def test_bundled_identity_costs_no_rehash_on_later_runs(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(digest, "_memo", {})
    settings = SpeechSettings(cache_dir=tmp_path)
    first = make_engine(settings).identity()
    assert list((tmp_path / "model-digests").glob("*.json")), "the digest was remembered"
    monkeypatch.setattr(digest, "_memo", {})
    monkeypatch.setattr(digest, "_hash", lambda path: pytest.fail(f"{path} hashed again"))
    assert make_engine(settings).identity() == first


# --- many phrases at once ------------------------------------------------------------------------


def test_synthesize_all_fills_the_cache_in_parallel(
    tmp_path: Path, joe: PiperEngine, monkeypatch: pytest.MonkeyPatch
) -> None:
    texts = ["Plank.", "Keep your back flat.", "Go.", "Halfway.", "Plank.", "Rest, ten seconds."]
    settings = SpeechSettings(cache_dir=tmp_path)
    engine = cached_engine(settings, lang="en")
    threads: set[str] = set()
    done: list[int] = []
    inner = engine.engine
    real = inner.synthesize

    def spy(text: str) -> Clip:
        threads.add(threading.current_thread().name)
        return real(text)

    inner.synthesize = spy  # type: ignore[method-assign]
    clips = synthesize_all(engine, texts, jobs=2, progress=done.append)
    assert list(clips) == list(dict.fromkeys(texts)) and sum(done) == 5
    assert engine.synth_calls == 5 and len(list(tmp_path.glob("*.clip"))) == 5
    assert len(threads) == 2 and all(t.startswith("speech") for t in threads)
    # same clips whatever the number of threads, and as the engine alone makes them
    assert clips == {text: joe.synthesize(text) for text in clips}
    # warm: read back, nothing synthesized, and the model is not even loaded
    monkeypatch.setattr(piper_engine, "_sessions", {})
    warm = cached_engine(settings, lang="en")
    assert synthesize_all(warm, texts, jobs=2) == clips and warm.synth_calls == 0
    assert piper_engine._sessions == {}


def test_synthesize_all_without_a_cache_and_serially(joe: PiperEngine) -> None:
    texts = ["one", "two", "one"]
    engine = CachedEngine(joe, None)
    assert synthesize_all(engine, texts, jobs=1) == {t: joe.synthesize(t) for t in ("one", "two")}
    assert synthesize_all(EspeakEngine(), texts).keys() == {"one", "two"}
    assert synthesize_all(engine, []) == {}


def test_synthesize_all_raises_the_first_error(tmp_path: Path) -> None:
    class Broken:
        name, voice, language, concurrency = "broken", "b", "en", 2

        def identity(self) -> str:
            return "broken"

        def synthesize(self, text: str) -> Clip:
            if text == "bad":
                raise InputError("error: cannot say it")
            return Clip(b"\0\0" * 441)

    with pytest.raises(InputError, match="cannot say it"):
        synthesize_all(CachedEngine(Broken(), SpeechCache(tmp_path)), ["a", "bad", "c", "d"])


# --- the same render twice -----------------------------------------------------------------------


def test_same_timeline_twice_from_an_empty_cache(tmp_path: Path, runner) -> None:
    routine = tmp_path / "tiny.yaml"
    routine.write_text(TINY, encoding="utf-8")
    # one plan in this process, one in a fresh process (its own model session), both uncached
    here = runner.invoke(cli, ["plan", str(routine), "--json", "--no-cache"])
    assert here.exit_code == 0, here.output
    there = subprocess.run(
        [sys.executable, "-m", "audiocoach", "plan", str(routine), "--json", "--no-cache"],
        capture_output=True,
        text=True,
        check=True,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
    )
    first, second = json.loads(here.stdout), json.loads(there.stdout)
    assert first == second
    assert (first["engine"], first["voice"]) == ("piper", "en_US-joe-medium")
    speech = [e for e in first["events"] if e["kind"] == "speech"]
    assert len(speech) > 8 and all(e["duration_ms"] > 0 for e in speech)


def test_render_with_piper_decodes_to_the_plan(
    tmp_path: Path, runner, monkeypatch: pytest.MonkeyPatch
) -> None:
    # the default voice needs no network: any attempt to connect fails the render
    def refuse(*args: object, **kwargs: object) -> None:
        raise AssertionError("a render tried to use the network")

    monkeypatch.setattr(socket.socket, "connect", refuse)
    monkeypatch.setattr(socket, "create_connection", refuse)
    routine = tmp_path / "tiny.yaml"
    routine.write_text(TINY, encoding="utf-8")
    out = tmp_path / "tiny.mp3"
    cache = ["--cache-dir", str(tmp_path / "cache")]
    result = runner.invoke(cli, ["render", str(routine), "-o", str(out), "--timeline", *cache])
    assert result.exit_code == 0, result.output
    assert result.stderr == ""  # no progress bars when stderr is not a terminal
    timeline = json.loads(out.with_suffix(".timeline.json").read_text(encoding="utf-8"))
    assert (timeline["engine"], timeline["voice"]) == ("piper", "en_US-joe-medium")
    pcm, rate = decode_pcm(out)
    assert abs(len(pcm) * 1000 / rate - timeline["duration_ms"]) <= 50
    loudness = measure_loudness(out)
    assert abs(loudness.integrated_lufs + 16) <= 1 and loudness.true_peak_dbtp <= -1
    x = pcm.astype(np.float64) / 32768
    for event in timeline["events"]:
        if event["kind"] == "speech":
            start = event["at_ms"] * rate // 1000
            stop = start + event["duration_ms"] * rate // 1000
            assert 20 * np.log10(np.sqrt(np.mean(x[start:stop] ** 2)) + 1e-12) > -40, event


# --- a voice from anywhere -----------------------------------------------------------------------


def test_voice_model_from_another_folder(tmp_path: Path, runner, elsewhere: Path) -> None:
    routine = tmp_path / "tiny.yaml"
    routine.write_text(TINY, encoding="utf-8")
    cache = ["--cache-dir", str(tmp_path / "cache")]
    mine = runner.invoke(
        cli, ["plan", str(routine), "--json", "--no-cache", "--voice-model", str(elsewhere)]
    )
    assert mine.exit_code == 0, mine.output
    bundled = runner.invoke(cli, ["plan", str(routine), "--json", *cache])
    mine_json, bundled_json = json.loads(mine.stdout), json.loads(bundled.stdout)
    assert (mine_json.pop("voice"), bundled_json.pop("voice")) == ("my-joe", "en_US-joe-medium")
    assert mine_json["engine"] == "piper"
    assert mine_json == bundled_json  # the same model's content: the same speech
    engine = make_engine(SpeechSettings(voice_model=elsewhere))
    assert isinstance(engine, PiperEngine)
    assert (engine.voice, engine.model.source, engine.model.path) == ("my-joe", "model", elsewhere)


def test_voice_by_name_from_the_voices_folder(
    tmp_path: Path, elsewhere: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("AUDIOCOACH_VOICES_DIR", str(elsewhere.parent.parent))
    engine = make_engine(SpeechSettings(voice="my-joe"))
    assert isinstance(engine, PiperEngine) and engine.model.source == "user"
    assert engine.synthesize("Go.").duration_ms > 100


def _run(runner, routine: Path, out: Path, *extra: str):  # type: ignore[no-untyped-def]
    out.write_bytes(b"previous track")
    result = runner.invoke(cli, ["render", str(routine), "-o", str(out), "-q", *extra])
    assert "Traceback" not in result.output + result.stderr
    assert out.read_bytes() == b"previous track", "a failed render left the old file alone"
    return result


@pytest.mark.parametrize(
    ("case", "expected"),
    [
        ("no config", r"my\.onnx:1:1: no voice config beside it \(expected my\.onnx\.json"),
        ("bad json", r"my\.onnx\.json:1:12: not valid JSON"),
        ("no sample rate", r"my\.onnx\.json:1:1: audio\.sample_rate: expected a positive"),
        ("html", r"my\.onnx:1:1: not an ONNX model; a Piper voice is a \.onnx model"),
        ("empty", r"my\.onnx:1:1: empty;"),
        ("missing", r"my\.onnx:1:1: no such file"),
        ("folder", r"my\.onnx:1:1: this is a folder"),
        ("damaged", r"my\.onnx: cannot load this voice model .*download it again"),
        ("german", r"speaks de-DE, but the routine is in en; choose a voice for en"),
        ("speaker", r"has one speaker; 'bob' is not one of its speakers"),
    ],
)
def test_a_bad_voice_model_is_one_line_exit_2(
    tmp_path: Path, runner, case: str, expected: str
) -> None:
    routine = tmp_path / "tiny.yaml"
    routine.write_text("title: T\nblocks:\n  - exercise: Plank\n    duration: 5s\n")
    folder = tmp_path / "voices"
    model = fake_model(folder, "my")
    extra = ["--voice-model", str(model), "--no-cache"]
    if case == "no config":
        model.with_name("my.onnx.json").unlink()
    elif case == "bad json":
        model.with_name("my.onnx.json").write_text('{"audio": {,}}')
    elif case == "no sample rate":
        model.with_name("my.onnx.json").write_text('{"audio": {}, "num_speakers": 1}')
    elif case == "html":
        model.write_text("<html>Not Found</html>")
    elif case == "empty":
        model.write_bytes(b"")
    elif case == "missing":
        model.unlink()
    elif case == "folder":
        model.unlink()
        model.mkdir()
    elif case == "german":
        fake_model(folder, "my", language={"code": "de_DE", "family": "de"})
    elif case == "speaker":
        extra += ["--voice", "bob"]
    # "damaged": the stand-in passes the checks and fails when onnxruntime loads it
    result = _run(runner, routine, tmp_path / "out.mp3", *extra)
    assert result.exit_code == 2, result.output
    (line,) = result.stderr.strip().splitlines()
    assert re.search(expected, line), line
