"""Online speech through Google Translate's text-to-speech, via gTTS.

The voice is better than espeak's but needs the network, can be rate-limited, and arrives as MP3.
So: every request goes through an injectable ``fetch`` (tests use fakes, never the network); busy
answers (429, 5xx) are retried with exponential backoff; no network at all fails at once with one
line that says what still works. MP3 is decoded by the same ffmpeg as everything else, through a
pipe, which needs no ffprobe and no temp files.

gTTS (and its HTTP stack) is imported only when this engine is made, never for espeak.
"""

from __future__ import annotations

import importlib.metadata
import time
from collections.abc import Callable
from typing import Protocol

from audiocoach.errors import AudiocoachError, InputError
from audiocoach.ffmpeg import run_ffmpeg
from audiocoach.speech.base import SAMPLE_RATE, Clip, language_tag
from audiocoach.speech.finish import check_speed, close_matches, finish_speech

__all__ = ["NO_NETWORK", "Fetch", "GttsEngine", "decode_mp3", "gtts_fetch"]

NO_NETWORK = (
    "cannot reach Google Translate text-to-speech (no network?); cached phrases still render "
    "offline — or use the offline engine: --engine espeak"
)

#: HTTP statuses that mean "busy, try again later".
RETRY_STATUSES = frozenset({429, 500, 502, 503, 504})
MIN_SPEED = 0.5
MAX_SPEED = 2.0


class Fetch(Protocol):
    """Speak ``text`` and return MP3 bytes; raise ``gtts.tts.gTTSError`` (or a requests or OS
    connection error) on failure."""

    def __call__(self, text: str, lang: str, tld: str, slow: bool) -> bytes: ...


def gtts_fetch(text: str, lang: str, tld: str, slow: bool, *, timeout: float = 15.0) -> bytes:
    """The real request, through gTTS."""
    import io

    from gtts import gTTS

    buffer = io.BytesIO()
    # lang_check=False: the language was checked once, when the engine was made.
    gTTS(text, lang=lang, tld=tld, slow=slow, lang_check=False, timeout=timeout).write_to_fp(buffer)
    return buffer.getvalue()


def _gtts_version() -> str:
    try:
        return importlib.metadata.version("gTTS")
    except importlib.metadata.PackageNotFoundError:  # pragma: no cover - it is a dependency
        return "unknown"


def _response_of(exc: BaseException) -> object | None:
    # gTTSError keeps it in ``rsp``, requests errors in ``response``. Compared with None, not by
    # truth: a requests Response with an error status is falsy.
    response = getattr(exc, "rsp", None)
    return response if response is not None else getattr(exc, "response", None)


def _status_of(exc: BaseException) -> int | None:
    """The HTTP status behind a failure, or None when no server answered."""
    status = getattr(_response_of(exc), "status_code", None)
    return status if isinstance(status, int) else None


def _retry_after_s(exc: BaseException) -> float | None:
    headers = getattr(_response_of(exc), "headers", None) or {}
    try:
        value = headers.get("Retry-After")
    except AttributeError:
        return None
    if isinstance(value, str) and value.strip().isdigit():
        return float(value.strip())
    return None


def _is_fetch_failure(exc: BaseException) -> bool:
    """Failures of the request itself (as opposed to bugs), which become one-line errors."""
    if isinstance(exc, OSError):  # ConnectionError, TimeoutError, socket errors
        return True
    try:
        import requests
        from gtts.tts import gTTSError
    except ImportError:  # pragma: no cover - both are dependencies
        return False
    return isinstance(exc, gTTSError | requests.RequestException)


def decode_mp3(mp3: bytes, *, tempo: float = 1.0, ffmpeg: str | None = None) -> bytes:
    """MP3 bytes -> signed 16-bit mono PCM at ``SAMPLE_RATE``, optionally sped up or slowed down.

    ffmpeg reads from stdin with the format given, so it never needs ffprobe; it also honours the
    encoder's padding header, so the decoded length is the real one. The ffmpeg is the one every
    run uses (``ffmpeg_exe``: ``AUDIOCOACH_FFMPEG`` or the imageio-ffmpeg wheel).
    """
    args = ["-loglevel", "error", "-f", "mp3", "-i", "pipe:0"]
    if tempo != 1.0:
        args += ["-filter:a", f"atempo={tempo:.4f}"]
    args += ["-f", "s16le", "-acodec", "pcm_s16le", "-ac", "1", "-ar", str(SAMPLE_RATE), "pipe:1"]
    what = "decoding speech from Google Translate"
    return run_ffmpeg(args, ffmpeg=ffmpeg, what=what, stdin=mp3).stdout


class GttsEngine:
    """Google Translate's voice for ``lang`` with the accent of the ``tld`` site (``co.uk``...).

    ``slow`` is Google's own slow reading; ``speed`` then changes tempo without changing pitch.
    ``retries`` busy answers are retried, waiting ``backoff_s`` * 2**attempt (or what the server
    asks, capped at ``max_wait_s``) between them. ``voice`` names the language and the site
    (``en translate.google.com``); ``concurrency`` is 1, as a busy server should not be pressed.
    """

    name = "gtts"
    concurrency = 1

    def __init__(
        self,
        lang: str = "en",
        tld: str = "com",
        slow: bool = False,
        *,
        speed: float = 1.0,
        fetch: Fetch | None = None,
        sleep: Callable[[float], None] = time.sleep,
        retries: int = 4,
        backoff_s: float = 1.0,
        max_wait_s: float = 30.0,
    ) -> None:
        self.lang = lang.strip()
        self.tld = tld.strip().lstrip(".") or "com"
        self.slow = bool(slow)
        self.speed = check_speed(speed, MIN_SPEED, MAX_SPEED)
        self._fetch: Fetch = fetch if fetch is not None else gtts_fetch
        self._sleep = sleep
        self.retries = max(0, retries)
        self.backoff_s = backoff_s
        self.max_wait_s = max_wait_s
        self._check_lang()
        self.voice = f"{self.lang} translate.google.{self.tld}"
        self.language = language_tag(self.lang)

    def _check_lang(self) -> None:
        from gtts.lang import tts_langs

        known = tts_langs()
        if self.lang not in known:
            hint = close_matches(self.lang, sorted(known))
            raise InputError(
                f"error: Google Translate has no voice for language {self.lang!r}{hint}"
                " (accents come from tld, e.g. co.uk, com.au)"
            )

    def identity(self) -> str:
        return (
            f"gtts {_gtts_version()} lang={self.lang} tld={self.tld} slow={self.slow} "
            f"speed={self.speed:g}"
        )

    def synthesize(self, text: str) -> Clip:
        if not text.strip():
            return Clip(b"")
        mp3 = self._fetch_with_retries(text)
        if not mp3:
            raise AudiocoachError(f"Google Translate returned no audio for {text[:40]!r}")
        pcm = decode_mp3(mp3, tempo=self.speed)
        return finish_speech(pcm, SAMPLE_RATE)

    def _fetch_with_retries(self, text: str) -> bytes:
        attempt = 0
        while True:
            try:
                return self._fetch(text, self.lang, self.tld, self.slow)
            except Exception as exc:
                if not _is_fetch_failure(exc):
                    raise
                status = _status_of(exc)
                if status is None:
                    raise AudiocoachError(NO_NETWORK) from exc
                if 200 <= status < 300:
                    raise AudiocoachError(
                        "Google Translate text-to-speech answered without audio (its API may "
                        "have changed: try upgrading gTTS); or use the offline engine: "
                        "--engine espeak"
                    ) from exc
                if status not in RETRY_STATUSES:
                    raise AudiocoachError(
                        f"Google Translate text-to-speech refused the request (HTTP {status}); "
                        "use the offline engine: --engine espeak"
                    ) from exc
                if attempt >= self.retries:
                    raise AudiocoachError(
                        f"Google Translate text-to-speech is busy (HTTP {status}) after "
                        f"{attempt + 1} attempts; try again later, or use the offline engine: "
                        "--engine espeak"
                    ) from exc
                wait = self.backoff_s * 2**attempt
                asked = _retry_after_s(exc)
                if asked is not None:
                    wait = max(wait, asked)
                self._sleep(min(wait, self.max_wait_s))
                attempt += 1

    def __repr__(self) -> str:
        return f"GttsEngine(lang={self.lang!r}, tld={self.tld!r}, slow={self.slow!r})"
