"""Finding and running ffmpeg: the one binary audiocoach encodes, decodes and measures with.

ffmpeg comes from the ``imageio-ffmpeg`` wheel, so a fresh machine needs nothing installed; the
``AUDIOCOACH_FFMPEG`` environment variable points at another build (a distro ffmpeg, a build with
other codecs). The path is resolved by a function and passed on, never stored in a global such as
pydub's ``AudioSegment.converter``, so two renders in one process cannot disturb each other.

The wheel has no ffprobe. Everything here therefore asks ffmpeg itself: decoding to raw PCM (it
honours the LAME gapless header, so an MP3 decodes to exactly the frames that were encoded) and
loudness through its ``ebur128`` filter, the yardstick the tests and the bench hold renders to.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from pathlib import Path
from typing import NamedTuple

import numpy as np

from audiocoach.errors import AudiocoachError

__all__ = [
    "FFMPEG_ENV",
    "Loudness",
    "decode_pcm",
    "ffmpeg_exe",
    "last_error_line",
    "measure_loudness",
    "run_ffmpeg",
]

#: Environment variable naming an ffmpeg executable to use instead of the bundled one.
FFMPEG_ENV = "AUDIOCOACH_FFMPEG"

_MISSING = (
    "ffmpeg not found: reinstall audiocoach (it ships ffmpeg through imageio-ffmpeg) "
    f"or set {FFMPEG_ENV}"
)


def ffmpeg_exe() -> str:
    """Path of the ffmpeg to run: ``$AUDIOCOACH_FFMPEG`` if set, else the imageio-ffmpeg binary.

    Resolved on every call (it is cheap) rather than cached, so a changed environment is honoured
    and tests can point it elsewhere without resetting hidden state.
    """
    override = os.environ.get(FFMPEG_ENV, "").strip()
    if override:
        found = shutil.which(override)
        if found is None:
            raise AudiocoachError(f"{FFMPEG_ENV}={override!r} is not an executable ffmpeg")
        return found
    try:
        import imageio_ffmpeg
    except ImportError:
        raise AudiocoachError(_MISSING) from None
    try:
        exe = imageio_ffmpeg.get_ffmpeg_exe()
    except RuntimeError:
        raise AudiocoachError(_MISSING) from None
    if not exe or not os.path.isfile(exe):
        raise AudiocoachError(_MISSING)
    return exe


def last_error_line(stderr: bytes | str) -> str:
    """The last non-empty line ffmpeg printed: usually the one that says what went wrong."""
    text = stderr.decode("utf-8", "replace") if isinstance(stderr, bytes) else stderr
    lines = [line.strip() for line in text.splitlines() if line.strip()]
    return lines[-1] if lines else "no message"


def run_ffmpeg(
    args: list[str],
    *,
    ffmpeg: str | None = None,
    what: str = "ffmpeg",
    stdin: bytes | None = None,
) -> subprocess.CompletedProcess[bytes]:
    """Run ffmpeg to completion with ``args`` (after the executable); stdout and stderr captured.

    ``stdin`` is fed to ffmpeg (for ``-i pipe:0``); without it ffmpeg's stdin is empty. Failure
    becomes one ``AudiocoachError`` line: ``{what} failed: <ffmpeg's last stderr line>``.
    """
    exe = ffmpeg or ffmpeg_exe()
    try:
        proc = subprocess.run(
            [exe, "-hide_banner", "-nostdin", *args],
            input=stdin if stdin is not None else b"",
            capture_output=True,
            check=False,
        )
    except OSError as exc:
        raise AudiocoachError(f"{what} failed: cannot run {exe}: {exc.strerror or exc}") from None
    if proc.returncode != 0:
        raise AudiocoachError(f"{what} failed: {last_error_line(proc.stderr)}")
    return proc


_OUTPUT_RATE = re.compile(rb"Output #0.*?Audio: pcm_s16le, (\d+) Hz", re.S)


def decode_pcm(
    path: str | os.PathLike[str], *, sample_rate: int | None = None, ffmpeg: str | None = None
) -> tuple[np.ndarray, int]:
    """Decode any audio file to mono int16 samples; returns ``(samples, sample_rate)``.

    ``sample_rate=None`` keeps the file's own rate (read back from ffmpeg's report, as there is no
    ffprobe); pass a rate to resample. Multi-channel input is downmixed.
    """
    src = Path(path)
    if not src.is_file():
        raise AudiocoachError(f"cannot decode {src}: no such file")
    args = ["-i", str(src), "-vn", "-map", "0:a:0", "-ac", "1"]
    if sample_rate is not None:
        args += ["-ar", str(sample_rate)]
    args += ["-f", "s16le", "-c:a", "pcm_s16le", "pipe:1"]
    proc = run_ffmpeg(args, ffmpeg=ffmpeg, what=f"decoding {src.name}")
    rate = sample_rate
    if rate is None:
        match = _OUTPUT_RATE.search(proc.stderr)
        if match is None:
            raise AudiocoachError(f"decoding {src.name} failed: ffmpeg reported no sample rate")
        rate = int(match.group(1))
    samples = np.frombuffer(proc.stdout, dtype="<i2").astype(np.int16, copy=False)
    return samples, rate


class Loudness(NamedTuple):
    """What ffmpeg's EBU R128 scanner reports for a whole file."""

    integrated_lufs: float
    true_peak_dbtp: float


_EBUR128 = "ebur128=peak=true:framelog=quiet"
_SUMMARY = re.compile(rb"Summary:(.*)", re.S)
_INTEGRATED = re.compile(rb"I:\s+(-?inf|-?\d+(?:\.\d+)?)\s+LUFS")
_PEAK = re.compile(rb"Peak:\s+(-?inf|-?\d+(?:\.\d+)?)\s+dBFS")


def measure_loudness(path: str | os.PathLike[str], *, ffmpeg: str | None = None) -> Loudness:
    """Integrated loudness (LUFS) and true peak (dBTP) of a file, per ffmpeg's ``ebur128``.

    This is the yardstick the render's loudness plan is held to: measured on the encoded file, so
    encoder overshoot is included. ffmpeg reports one decimal.
    """
    src = Path(path)
    if not src.is_file():
        raise AudiocoachError(f"cannot measure {src}: no such file")
    proc = run_ffmpeg(
        ["-i", str(src), "-vn", "-filter_complex", _EBUR128, "-f", "null", "-"],
        ffmpeg=ffmpeg,
        what=f"measuring {src.name}",
    )
    summary = _SUMMARY.search(proc.stderr)
    integrated = _INTEGRATED.search(summary.group(1)) if summary else None
    peak = _PEAK.search(summary.group(1)) if summary else None
    if integrated is None or peak is None:
        raise AudiocoachError(f"measuring {src.name} failed: no ebur128 summary from ffmpeg")
    return Loudness(float(integrated.group(1)), float(peak.group(1)))
