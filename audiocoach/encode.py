"""Encoding: PCM chunks in, a finished audio file out, all or nothing.

ffmpeg runs as a child process reading raw PCM on stdin (``-f s16le -ar 44100 -ac 1 -i pipe:0``;
``-ac 2`` and interleaved frames for a stereo mix, the file stereo too).
The chunk iterator (normally ``mix.mix_chunks``) is pulled in the writing loop, so the next window
is mixed while ffmpeg, in its own process, encodes the previous one: on two cores mixing and
encoding overlap without any thread of ours. The pipe is enlarged (Linux) so ffmpeg has a few
seconds of audio queued while the next window is mixed, rather than the default 64 kB.

The file is written to a temp name beside the output (``atomic.atomic_path``), then ``finalize``
(tagging, usually) runs on the temp, and only then is it renamed over the output. Whatever fails,
ffmpeg exiting non-zero, the chunk iterator raising, Ctrl-C, tagging, the temp is removed, ffmpeg
is killed, and an existing output file stays byte-for-byte as it was. ffmpeg is started in its own
session so the terminal's Ctrl-C reaches Python, which then stops it, rather than ffmpeg finishing
a half file on its own.

MP3 is written without ffmpeg's ID3 tag (``-id3v2_version 0``) and with the Xing/LAME header
(``-write_xing 1``): ``tags.py`` owns the tags, and the LAME header's encoder delay and padding are
what let decoders (ffmpeg included) return exactly the frames that went in.
"""

from __future__ import annotations

import contextlib
import os
import re
import signal
import subprocess
import tempfile
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path

from audiocoach.atomic import atomic_path
from audiocoach.errors import AudiocoachError, InputError
from audiocoach.ffmpeg import ffmpeg_exe, last_error_line
from audiocoach.speech.base import SAMPLE_RATE

__all__ = ["FORMATS", "OutputFormat", "check_bitrate", "encode", "output_format", "parse_bitrate"]

#: Pipe capacity asked for (Linux caps unprivileged pipes at 1 MiB: about 12 s of mono PCM).
_PIPE_BYTES = 1 << 20
_F_SETPIPE_SZ = 1031  # fcntl.F_SETPIPE_SZ, spelled out for Pythons that lack the name


@dataclass(frozen=True, slots=True)
class OutputFormat:
    """How ffmpeg writes one kind of file."""

    name: str
    muxer: str
    codec: tuple[str, ...]
    lossy: bool
    #: output sample rates the codec accepts (None: any); others fall back to ``fallback_rate``
    rates: tuple[int, ...] | None = None
    fallback_rate: int = SAMPLE_RATE
    #: bitrates (kb/s) the encoder takes for a mono and a stereo track; None: lossless
    kbps: tuple[tuple[int, int], tuple[int, int]] | None = None


FORMATS: dict[str, OutputFormat] = {
    # LAME at -q 7 (compression_level 7): no noise shaping. On limited speech its default -q 5
    # shaping piles quantisation noise onto peaks, +2 dB over the PCM's true peak at 128 kb/s
    # (measured on the bundled routines); -q 7 stays under the PCM's peak, and is 40 % faster.
    "mp3": OutputFormat(
        "mp3",
        "mp3",
        (
            "-c:a",
            "libmp3lame",
            "-compression_level",
            "7",
            "-id3v2_version",
            "0",
            "-write_xing",
            "1",
        ),
        True,
        kbps=((8, 320), (8, 320)),  # LAME's range; more is silently taken as 320
    ),
    # Ranges measured with the bundled ffmpeg at 44.1/48 kHz: libvorbis refuses a mono stream
    # above 240 kb/s or under 32 ("received no packets"), libopus mono above 256.
    "ogg": OutputFormat("ogg", "ogg", ("-c:a", "libvorbis"), True, kbps=((32, 240), (45, 500))),
    "opus": OutputFormat(
        "opus",
        "opus",
        ("-c:a", "libopus"),
        True,
        (48000, 24000, 16000, 12000, 8000),
        48000,
        kbps=((6, 256), (6, 510)),
    ),
    "m4a": OutputFormat(
        "m4a", "ipod", ("-c:a", "aac", "-movflags", "+faststart"), True, kbps=((8, 320), (8, 320))
    ),
    "wav": OutputFormat("wav", "wav", ("-c:a", "pcm_s16le"), False),
    "flac": OutputFormat("flac", "flac", ("-c:a", "flac"), False),
}


def output_format(path: str | os.PathLike[str], fmt: str | None = None) -> OutputFormat:
    """The format for ``path``: ``fmt`` if given, else from the extension (no extension: mp3)."""
    name = (fmt or Path(path).suffix.lstrip(".") or "mp3").lower()
    if name not in FORMATS:
        known = ", ".join(FORMATS)
        raise AudiocoachError(f"cannot write {name!r} audio (formats: {known})")
    return FORMATS[name]


_BITRATE = re.compile(r"\s*(\d{1,7})\s*(k|kbps|kb/s)?\s*", re.IGNORECASE)


def parse_bitrate(text: str) -> str:
    """A bitrate as written (``128k``, ``128 kbps``, ``128``, ``128000``) as ffmpeg's ``128k``.

    A bare number under 1000 is kb/s (nobody means 128 bit/s); from 1000 up, bit/s. Raises
    ``ValueError`` naming the accepted form. The format's own range is checked by
    ``check_bitrate`` once the format and the channels are known.
    """
    match = _BITRATE.fullmatch(text)
    number = int(match.group(1)) if match else 0
    if match is None or (not match.group(2) and number >= 1000 and number % 1000):
        raise ValueError(f"expected a bitrate in kb/s like 128k, got {text!r}")
    kbps = number if match.group(2) or number < 1000 else number // 1000
    if kbps < 1:
        raise ValueError(f"a bitrate must be above zero, like 128k (got {text!r})")
    return f"{kbps}k"


def check_bitrate(spec: OutputFormat, bitrate: str, channels: int = 1) -> None:
    """Refuse a bitrate ``spec``'s encoder cannot use for ``channels`` (1 or 2).

    Lossless formats take any (they ignore it). Raises ``InputError`` (exit status 2) with the
    range, before anything is rendered; ffmpeg would otherwise fail after the whole mix.
    """
    if spec.kbps is None:
        return
    kbps = int(parse_bitrate(bitrate).removesuffix("k"))
    low, high = spec.kbps[channels - 1]
    if not low <= kbps <= high:
        kind = "stereo" if channels == 2 else "mono"
        raise InputError(
            f"error: --bitrate {kbps}k: {spec.name} takes {low}k to {high}k for a {kind} track; "
            f"choose one in that range (speech is clear from 64k)"
        )


def _ffmpeg_args(
    exe: str,
    spec: OutputFormat,
    target: Path,
    *,
    bitrate: str,
    rate: int,
    input_rate: int,
    channels: int = 1,
) -> list[str]:
    args = [exe, "-hide_banner", "-nostdin", "-loglevel", "error"]
    args += ["-f", "s16le", "-ar", str(input_rate), "-ac", str(channels), "-i", "pipe:0"]
    args += ["-map_metadata", "-1", "-fflags", "+bitexact", "-flags:a", "+bitexact"]
    args += list(spec.codec)
    if spec.lossy:
        args += ["-b:a", bitrate]
    args += ["-ar", str(rate), "-ac", str(channels), "-f", spec.muxer, "-y", str(target)]
    return args


def _grow_pipe(stream: object) -> None:
    """Ask for a larger pipe so ffmpeg never waits while the next window is mixed (best effort)."""
    try:
        import fcntl

        fileno = getattr(stream, "fileno", None)
        if fileno is not None:
            fcntl.fcntl(fileno(), getattr(fcntl, "F_SETPIPE_SZ", _F_SETPIPE_SZ), _PIPE_BYTES)
    except (ImportError, OSError, ValueError):
        pass


def encode(
    chunks: Iterable[bytes],
    out: str | os.PathLike[str],
    *,
    bitrate: str = "128k",
    sample_rate: int = SAMPLE_RATE,
    fmt: str | None = None,
    progress: Callable[[int], None] | None = None,
    finalize: Callable[[Path], None] | None = None,
    input_rate: int = SAMPLE_RATE,
    ffmpeg: str | None = None,
    channels: int = 1,
) -> None:
    """Encode s16le PCM ``chunks`` (at ``input_rate``; mono, or ``channels`` interleaved) into
    ``out``, atomically.

    ``fmt`` defaults to the extension of ``out`` (mp3, ogg, opus, m4a, wav, flac). ``bitrate``
    applies to lossy formats; ``sample_rate`` is the file's rate (Opus, which cannot store
    44.1 kHz, is written at 48 kHz). ``progress`` is called after each chunk with the milliseconds
    of audio handed to the encoder so far. ``finalize`` receives the encoded temp file before it
    is renamed into place; tag it there, so tags and rename are one atomic step. Failures raise
    ``AudiocoachError`` (one line, ffmpeg's own message where it has one); an interruption of
    the chunk iterator is re-raised as it was.
    """
    target = Path(out)
    spec = output_format(target, fmt)
    if channels not in (1, 2):
        raise AudiocoachError(f"audio is written mono or stereo, not {channels} channels")
    if not isinstance(sample_rate, int) or sample_rate <= 0:
        raise AudiocoachError(f"sample rate must be a positive number of Hz, got {sample_rate!r}")
    rate = sample_rate if spec.rates is None or sample_rate in spec.rates else spec.fallback_rate
    if not target.parent.is_dir():
        raise AudiocoachError(f"cannot write {target}: folder {target.parent} does not exist")
    exe = ffmpeg or ffmpeg_exe()
    try:
        with atomic_path(target) as temp:
            fed = _run(
                _ffmpeg_args(
                    exe,
                    spec,
                    temp,
                    bitrate=bitrate,
                    rate=rate,
                    input_rate=input_rate,
                    channels=channels,
                ),
                chunks,
                what=f"encoding {target.name}",
                progress=progress,
                input_rate=input_rate * channels,  # samples a second, for progress in ms
            )
            if fed and temp.stat().st_size == 0:
                # an ffmpeg that says it succeeded but wrote nothing must not replace a good file
                raise AudiocoachError(f"encoding {target.name} failed: ffmpeg wrote no audio")
            if finalize is not None:
                try:
                    finalize(temp)
                except AudiocoachError as exc:
                    # name the file asked for, not the temp that is about to vanish
                    raise AudiocoachError(str(exc).replace(temp.name, target.name)) from None
    except OSError as exc:
        raise AudiocoachError(f"cannot write {target}: {exc.strerror or exc}") from None


def _run(
    args: list[str],
    chunks: Iterable[bytes],
    *,
    what: str,
    progress: Callable[[int], None] | None,
    input_rate: int,
) -> int:
    """Feed ``chunks`` to ffmpeg; raise if ffmpeg fails; kill it if anything else does.

    Returns how many bytes of PCM ffmpeg was given.
    """
    with tempfile.TemporaryFile() as errors:
        # stderr to a file, not a pipe: nobody has to drain it while we write stdin
        try:
            proc = subprocess.Popen(
                args,
                stdin=subprocess.PIPE,
                stdout=subprocess.DEVNULL,
                stderr=errors,
                start_new_session=True,
            )
        except OSError as exc:
            reason = exc.strerror or exc
            raise AudiocoachError(f"{what} failed: cannot run ffmpeg: {reason}") from None
        assert proc.stdin is not None
        stalled = False
        source = iter(chunks)
        try:
            _grow_pipe(proc.stdin)
            written = 0
            for chunk in source:
                try:
                    proc.stdin.write(chunk)
                except BrokenPipeError:
                    stalled = True  # ffmpeg quit; its exit status and message say why
                    break
                written += len(chunk)
                if progress is not None:
                    progress(written // 2 * 1000 // input_rate)
            try:
                proc.stdin.close()
            except BrokenPipeError:
                stalled = True
            code = proc.wait()
        except BaseException:
            proc.kill()
            proc.wait()
            raise
        finally:
            close = getattr(source, "close", None)
            if close is not None:
                close()
            with contextlib.suppress(OSError):
                proc.stdin.close()
        if code != 0 or stalled:
            errors.seek(0)
            message = errors.read().decode("utf-8", "replace")
            reason = last_error_line(message) if message.strip() else _exit_reason(code)
            raise AudiocoachError(f"{what} failed: {reason}")
    return written


def _exit_reason(code: int) -> str:
    """Why ffmpeg stopped when it said nothing: its exit status, or the signal in words."""
    if code >= 0:
        return f"ffmpeg exited with {code}"
    try:
        name = signal.Signals(-code).name
        description = signal.strsignal(-code)
    except ValueError:
        name, description = f"signal {-code}", None
    # SIGXFSZ ("file size limit exceeded") is how a size limit on the output stops it
    return f"ffmpeg was stopped by {name}" + (f" ({description.lower()})" if description else "")
