"""The offline engine for real (espeak-ng from the wheel), and the finishing every engine shares."""

from __future__ import annotations

import time
from concurrent.futures import ThreadPoolExecutor

import numpy as np
import pytest

from audiocoach.errors import AudiocoachError, InputError
from audiocoach.speech.base import SAMPLE_RATE, Clip, Engine
from audiocoach.speech.espeak import MAX_WPM, EspeakEngine, voices
from audiocoach.speech.finish import FADE_MS, MARGIN_MS, finish_speech
from audiocoach.speech.registry import SpeechSettings, engine_names, make_engine

PHRASE = "Inhale, reach forward"


@pytest.fixture(scope="module")
def engine() -> EspeakEngine:
    return EspeakEngine()


def samples(clip: Clip) -> np.ndarray:
    return np.frombuffer(clip.pcm, dtype="<i2").astype(np.int32)


def test_is_an_engine(engine: EspeakEngine) -> None:
    assert isinstance(engine, Engine)
    assert (engine.name, engine.voice, engine.language) == ("espeak", "en-us", "en-US")


@pytest.mark.parametrize(
    ("voice", "language"),
    [("en", "en-GB"), ("en-gb", "en-GB"), ("de", "de"), ("en-us+f3", "en-US")],
)
def test_language_is_the_loaded_voices(voice: str, language: str) -> None:
    # "en" loads espeak's British voice: the timeline says so, not the "en" that was asked for
    engine = EspeakEngine(voice)
    assert engine.voice == voice and engine.language == language


def test_phrase_has_plausible_length(engine: EspeakEngine) -> None:
    clip = engine.synthesize(PHRASE)
    assert clip.sample_rate == SAMPLE_RATE
    assert 600 <= clip.duration_ms <= 4000
    assert np.abs(samples(clip)).max() > 3000


def test_clip_is_trimmed_and_faded(engine: EspeakEngine) -> None:
    x = np.abs(samples(engine.synthesize(PHRASE)))
    loud = np.flatnonzero(x > 300)
    # The words start and end within the kept margin (plus a little for soft consonants).
    slack = SAMPLE_RATE * (MARGIN_MS + 30) // 1000
    assert loud[0] <= slack
    assert len(x) - 1 - loud[-1] <= slack
    # The fades leave the very ends near zero: no click.
    assert x[0] < 300 and x[-1] < 300


def test_faster_speed_gives_shorter_clip() -> None:
    normal = EspeakEngine(speed=1.0).synthesize(PHRASE)
    fast = EspeakEngine(speed=1.6).synthesize(PHRASE)
    assert fast.duration_ms < normal.duration_ms * 0.8


def test_identity_stable_and_distinct() -> None:
    a = EspeakEngine("en-us", 1.0)
    assert a.identity() == EspeakEngine("en-us", 1.0).identity()
    identities = {
        a.identity(),
        EspeakEngine("en-gb", 1.0).identity(),
        EspeakEngine("en-us", 1.3).identity(),
        EspeakEngine("en-us+f3", 1.0).identity(),
    }
    assert len(identities) == 4
    assert "espeak" in a.identity() and "en-US" in a.identity()
    # Two names for one voice are one identity, so they share cache entries.
    assert EspeakEngine("en").identity() == EspeakEngine("en-gb").identity()


def test_voices_sound_different() -> None:
    us = EspeakEngine("en-us").synthesize(PHRASE)
    de = EspeakEngine("de").synthesize(PHRASE)
    assert us.pcm != de.pcm


def test_concurrent_use_is_safe() -> None:
    # espeak adds a little randomness (the same phrase measured 577..602 ms over runs, as the
    # trimmed tail varies), so compare lengths with a margin: two threads' samples interleaved
    # into one clip would be off by a whole phrase (500+ ms), or leave a clip empty.
    jobs = [("en-us", "Inhale"), ("en-gb", "Exhale slowly"), ("de", "Ausatmen")] * 4
    engines = {v: EspeakEngine(v) for v, _ in jobs}
    expected = [engines[v].synthesize(t).duration_ms for v, t in jobs]
    with ThreadPoolExecutor(4) as pool:
        got = list(pool.map(lambda job: engines[job[0]].synthesize(job[1]).duration_ms, jobs))
    for a, b in zip(got, expected, strict=True):
        assert abs(a - b) <= 80


def test_unknown_variant_is_an_error() -> None:
    with pytest.raises(InputError, match="en-us\\+bogus"):
        EspeakEngine("en-us+bogus")


def test_voices_lists_every_language_each_loadable() -> None:
    found = voices()
    us = next(v for v in found if v.name == "en-us")
    assert (us.engine, us.language, us.source) == ("espeak", "en-US", "espeak")
    assert "English (America)" in us.description
    assert len(found) > 50 and len({v.name for v in found}) == len(found)
    for voice in found[::10]:  # a sample: loading all ~130 would only repeat the same check
        assert EspeakEngine(voice.name).voice == voice.name


def test_unknown_voice_names_close_matches() -> None:
    # a voice name is the user's input: InputError, exit status 2, one line
    with pytest.raises(InputError) as info:
        EspeakEngine("en-uss")
    message = str(info.value)
    assert "\n" not in message
    assert "en-uss" in message and "en-us" in message.split("close matches:")[1]


def test_empty_text_is_an_empty_clip(engine: EspeakEngine) -> None:
    assert engine.synthesize("  ").frames == 0


@pytest.mark.parametrize("speed", [0, -1, float("nan"), float("inf")])
def test_bad_speed_is_an_error(speed: float) -> None:
    with pytest.raises(AudiocoachError, match="speed"):
        EspeakEngine(speed=speed)


def test_speed_is_clamped_to_espeak_range() -> None:
    assert EspeakEngine(speed=10).wpm == MAX_WPM
    assert EspeakEngine(speed=0.1).wpm == 80


def test_much_faster_than_real_time(engine: EspeakEngine) -> None:
    text = "Inhale, reach forward. Hold it there for three seconds, then release slowly."
    engine.synthesize(text)
    start = time.process_time()  # espeak runs in this process (ctypes): CPU time, not wall
    audio_ms = sum(engine.synthesize(text).duration_ms for _ in range(10))
    elapsed_ms = (time.process_time() - start) * 1000
    # Measured at several hundred times real time; a loose floor catches an accidental slow path.
    assert audio_ms / elapsed_ms > 50


# --- finish_speech -------------------------------------------------------------------------------


def test_finish_upsamples_cleanly() -> None:
    rate = SAMPLE_RATE // 2
    t = np.arange(rate) / rate
    tone = (8000 * np.sin(2 * np.pi * 1000 * t)).astype(np.int16)
    clip = finish_speech(tone, rate)
    assert clip.sample_rate == SAMPLE_RATE
    assert abs(clip.frames - 2 * len(tone)) <= 2
    y = samples(clip)[2000:-2000]
    t2 = (np.arange(len(y)) + 2000) / SAMPLE_RATE
    ideal = 8000 * np.sin(2 * np.pi * 1000 * t2)
    assert np.max(np.abs(y - ideal)) < 80  # within 1% of the tone's amplitude


def test_finish_trims_silence_and_fades() -> None:
    rate = SAMPLE_RATE
    burst = np.full(rate // 10, 10000, dtype=np.int16)
    padded = np.concatenate([np.zeros(rate, np.int16), burst, np.zeros(rate, np.int16)])
    clip = finish_speech(padded, rate)
    margin = rate * MARGIN_MS // 1000
    assert clip.frames == len(burst) + 2 * margin
    y = samples(clip)
    fade = rate * FADE_MS // 1000
    assert y[0] == 0 and y[-1] == 0
    assert y[margin + fade] == 10000


def test_finish_of_silence_is_empty() -> None:
    assert finish_speech(np.zeros(1000, np.int16), SAMPLE_RATE).frames == 0
    assert finish_speech(b"", SAMPLE_RATE).frames == 0


def test_finish_other_rates() -> None:
    tone = (5000 * np.sin(np.arange(16000) / 5)).astype(np.int16)
    clip = finish_speech(tone.tobytes(), 16000)
    assert abs(clip.frames - round(16000 * SAMPLE_RATE / 16000)) <= 2 * SAMPLE_RATE // 1000


# --- make_engine ---------------------------------------------------------------------------------


def test_make_engine_espeak() -> None:
    engine = make_engine(SpeechSettings(engine="espeak"), speed=1.2, lang="en")
    assert isinstance(engine, EspeakEngine)
    assert engine.voice == "en-us" and engine.wpm == 210
    assert make_engine(SpeechSettings(engine="espeak", voice="en-gb")).voice == "en-gb"
    # no --engine: an espeak voice name picks espeak; a language with no Piper voice too
    assert isinstance(make_engine(SpeechSettings(voice="en-gb")), EspeakEngine)
    german = make_engine(SpeechSettings(engine="espeak"), lang="de")
    assert german.voice == "de" and german.language == "de"


def test_make_engine_unknown_lists_names() -> None:
    with pytest.raises(InputError) as info:
        make_engine(SpeechSettings(engine="festival"))
    assert all(name in str(info.value) for name in engine_names())
    assert set(engine_names()) >= {"espeak", "gtts", "piper"}


def test_espeak_takes_no_piper_model(tmp_path) -> None:
    with pytest.raises(InputError, match="--voice-model is a Piper voice"):
        make_engine(SpeechSettings(engine="espeak", voice_model=tmp_path / "voice.onnx"))
