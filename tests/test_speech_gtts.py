"""The online engine through fakes: retries, backoff, error lines, decoding; the network only in
tests marked ``net``."""

from __future__ import annotations

import subprocess
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import imageio_ffmpeg
import numpy as np
import pytest
import requests
from gtts.tts import gTTSError

from audiocoach.errors import AudiocoachError, InputError
from audiocoach.speech.base import SAMPLE_RATE, Engine
from audiocoach.speech.cache import CachedEngine, SpeechCache
from audiocoach.speech.gtts_engine import NO_NETWORK, GttsEngine, decode_mp3
from audiocoach.speech.registry import SpeechSettings, make_engine


@pytest.fixture(scope="module")
def mp3() -> bytes:
    """Half a second of silence, a second of tone, half a second of silence, as MP3 (24 kHz like
    Google's)."""
    rate = 24000
    t = np.arange(rate) / rate
    tone = 0.4 * np.sin(2 * np.pi * 440 * t)
    pcm = np.concatenate([np.zeros(rate // 2), tone, np.zeros(rate // 2)])
    raw = (pcm * 32767).astype("<i2").tobytes()
    command = [
        imageio_ffmpeg.get_ffmpeg_exe(),
        "-hide_banner",
        "-loglevel",
        "error",
        "-f",
        "s16le",
        "-ar",
        str(rate),
        "-ac",
        "1",
        "-i",
        "pipe:0",
        "-codec:a",
        "libmp3lame",
        "-b:a",
        "64k",
        "-f",
        "mp3",
        "pipe:1",
    ]
    return subprocess.run(command, input=raw, capture_output=True, check=True).stdout


@dataclass
class FakeResponse:
    status_code: int
    reason: str = "Busy"
    headers: dict[str, str] = field(default_factory=dict)


@dataclass
class FakeFetch:
    """Fails with each of ``failures`` in turn, then returns ``audio``."""

    audio: bytes
    failures: list[BaseException] = field(default_factory=list)
    calls: list[tuple[str, str, str, bool]] = field(default_factory=list)

    def __call__(self, text: str, lang: str, tld: str, slow: bool) -> bytes:
        self.calls.append((text, lang, tld, slow))
        if self.failures:
            raise self.failures.pop(0)
        return self.audio


def http_error(status: int, **headers: str) -> gTTSError:
    return gTTSError("from the API", response=FakeResponse(status, headers=headers))


def make(fetch: Callable[..., bytes], sleeps: list[float], **kwargs: object) -> GttsEngine:
    return GttsEngine(fetch=fetch, sleep=sleeps.append, **kwargs)  # type: ignore[arg-type]


def test_decodes_trims_and_resamples(mp3: bytes) -> None:
    fetch, sleeps = FakeFetch(mp3), []
    engine = make(fetch, sleeps)
    assert isinstance(engine, Engine)
    assert (engine.name, engine.voice, engine.language) == ("gtts", "en translate.google.com", "en")
    clip = engine.synthesize("Inhale")
    assert clip.sample_rate == SAMPLE_RATE
    # The tone is one second; the half seconds of silence around it are trimmed to margins.
    assert 1000 <= clip.duration_ms <= 1100
    assert fetch.calls == [("Inhale", "en", "com", False)]
    assert sleeps == []


def test_speed_changes_tempo(mp3: bytes) -> None:
    clip = make(FakeFetch(mp3), [], speed=2.0).synthesize("Inhale")
    assert 480 <= clip.duration_ms <= 580


def test_retries_busy_answers_with_backoff(mp3: bytes) -> None:
    fetch = FakeFetch(mp3, [http_error(429), http_error(503), http_error(500)])
    sleeps: list[float] = []
    clip = make(fetch, sleeps, backoff_s=0.5).synthesize("Exhale")
    assert clip.frames > 0
    assert len(fetch.calls) == 4
    assert sleeps == [0.5, 1.0, 2.0]


def test_honours_retry_after_within_cap(mp3: bytes) -> None:
    fetch = FakeFetch(
        mp3, [http_error(429, **{"Retry-After": "7"}), http_error(429, **{"Retry-After": "99"})]
    )
    sleeps: list[float] = []
    make(fetch, sleeps, max_wait_s=20).synthesize("Exhale")
    assert sleeps == [7.0, 20.0]


def test_real_requests_responses_are_understood(mp3: bytes) -> None:
    # A requests Response with an error status is falsy: the status must still be found.
    response = requests.Response()
    response.status_code = 429
    response.headers["Retry-After"] = "3"
    fetch = FakeFetch(
        mp3, [gTTSError("busy", response=response), requests.HTTPError(response=response)]
    )
    sleeps: list[float] = []
    make(fetch, sleeps).synthesize("Exhale")
    assert sleeps == [3.0, 3.0]


def test_gives_up_after_retries(mp3: bytes) -> None:
    fetch = FakeFetch(mp3, [http_error(503) for _ in range(10)])
    sleeps: list[float] = []
    with pytest.raises(AudiocoachError) as info:
        make(fetch, sleeps, retries=2).synthesize("Exhale")
    message = str(info.value)
    assert "\n" not in message
    assert "HTTP 503" in message and "3 attempts" in message and "--engine espeak" in message
    assert len(fetch.calls) == 3 and len(sleeps) == 2


@pytest.mark.parametrize(
    "failure",
    [
        gTTSError("Failed to connect. Probable cause: Unknown"),
        requests.ConnectionError("Name or service not known"),
        requests.Timeout("read timed out"),
        ConnectionRefusedError(111, "Connection refused"),
    ],
    ids=["gtts", "requests", "timeout", "socket"],
)
def test_no_connection_is_one_clear_line(mp3: bytes, failure: BaseException) -> None:
    fetch = FakeFetch(mp3, [failure])
    sleeps: list[float] = []
    with pytest.raises(AudiocoachError) as info:
        make(fetch, sleeps).synthesize("Exhale")
    assert str(info.value) == NO_NETWORK
    assert len(fetch.calls) == 1 and sleeps == []  # offline fails at once


def test_refusal_is_not_retried(mp3: bytes) -> None:
    fetch = FakeFetch(mp3, [http_error(403)])
    with pytest.raises(AudiocoachError, match="refused the request \\(HTTP 403\\)"):
        make(fetch, []).synthesize("Exhale")
    assert len(fetch.calls) == 1


def test_bugs_are_not_disguised(mp3: bytes) -> None:
    with pytest.raises(ZeroDivisionError):
        make(FakeFetch(mp3, [ZeroDivisionError()]), []).synthesize("Exhale")


def test_undecodable_audio_is_one_line() -> None:
    with pytest.raises(AudiocoachError, match="decoding speech from Google Translate failed: "):
        make(FakeFetch(b"this is not an mp3"), []).synthesize("Exhale")
    with pytest.raises(AudiocoachError, match="no audio"):
        make(FakeFetch(b""), []).synthesize("Exhale")


def test_empty_text_needs_no_request(mp3: bytes) -> None:
    fetch = FakeFetch(mp3)
    assert make(fetch, []).synthesize("  ").frames == 0
    assert fetch.calls == []


def test_cached_phrase_renders_without_fetching(tmp_path: Path, mp3: bytes) -> None:
    cache = SpeechCache(tmp_path)
    online = CachedEngine(make(FakeFetch(mp3), []), cache)
    first = online.synthesize("Inhale")
    offline_fetch = FakeFetch(mp3, [gTTSError("Failed to connect") for _ in range(5)])
    offline = CachedEngine(make(offline_fetch, []), cache)
    assert offline.synthesize("Inhale") == first
    assert offline_fetch.calls == [] and offline.synth_calls == 0
    with pytest.raises(AudiocoachError, match="no network"):
        offline.synthesize("A phrase never cached")


def test_identity_names_what_shapes_the_audio() -> None:
    base = GttsEngine(fetch=FakeFetch(b""))
    identity = base.identity()
    assert "gtts" in identity and "lang=en" in identity and "tld=com" in identity
    assert "slow=False" in identity
    others = {
        GttsEngine(lang="fr", fetch=FakeFetch(b"")).identity(),
        GttsEngine(tld="co.uk", fetch=FakeFetch(b"")).identity(),
        GttsEngine(slow=True, fetch=FakeFetch(b"")).identity(),
        GttsEngine(speed=1.2, fetch=FakeFetch(b"")).identity(),
    }
    assert identity not in others and len(others) == 4
    assert identity == GttsEngine(fetch=FakeFetch(b"")).identity()


def test_unknown_language_names_close_matches() -> None:
    # the language is the user's input: exit status 2
    with pytest.raises(InputError, match=r"'eng'.*close matches: en"):
        GttsEngine(lang="eng")


def test_make_engine_gtts(tmp_path: Path) -> None:
    engine = make_engine(SpeechSettings(engine="gtts", tld="de"), speed=1.0, lang="de")
    assert isinstance(engine, GttsEngine) and engine.lang == "de" and engine.tld == "de"
    assert engine.language == "de" and engine.voice == "de translate.google.de"
    with pytest.raises(InputError, match="no voices"):
        make_engine(SpeechSettings(engine="gtts", voice="en-us"), lang="en")
    with pytest.raises(InputError, match="--voice-model is a Piper voice"):
        make_engine(SpeechSettings(engine="gtts", voice_model=tmp_path / "x.onnx"), lang="en")


def test_decode_mp3_directly(mp3: bytes) -> None:
    pcm = decode_mp3(mp3)
    # Encoded through a pipe, the MP3 has no LAME header, so the encoder's padding remains.
    assert 0 <= len(pcm) // 2 - 2 * SAMPLE_RATE < SAMPLE_RATE // 10


@pytest.mark.net
def test_real_google_translate() -> None:
    clip = GttsEngine().synthesize("Inhale, reach forward")
    assert 500 <= clip.duration_ms <= 4000


def test_decoding_uses_the_same_ffmpeg_as_everything_else(
    mp3: bytes, monkeypatch: pytest.MonkeyPatch
) -> None:
    # AUDIOCOACH_FFMPEG chooses the ffmpeg for every run, Google's speech included
    monkeypatch.setenv("AUDIOCOACH_FFMPEG", "/nonexistent/ffmpeg")
    with pytest.raises(AudiocoachError, match="AUDIOCOACH_FFMPEG='/nonexistent/ffmpeg'"):
        decode_mp3(mp3)
