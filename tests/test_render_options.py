"""The render's output options are checked before any work, with what would be right.

Field reports: ``--bitrate abc`` and ``-o x.ogg --bitrate 256k`` failed only after the whole mix,
with ffmpeg's "Nothing was written into output file" (exit 1); a missing output folder was
exit 1. (``-o out`` writes an MP3 named exactly ``out``: tests/reliability/test_output_names.py.)
"""

from __future__ import annotations

from pathlib import Path

import pytest

from audiocoach.cli import cli
from audiocoach.encode import FORMATS, check_bitrate, parse_bitrate
from audiocoach.errors import InputError

ROUTINE = "title: Short\nblocks:\n  - exercise: Plank\n    duration: 5s\n"


@pytest.mark.parametrize(
    ("written", "bitrate"),
    [("128k", "128k"), ("96K", "96k"), ("64 kbps", "64k"), ("96", "96k"), ("128000", "128k")],
)
def test_bitrates_as_people_write_them(written: str, bitrate: str) -> None:
    assert parse_bitrate(written) == bitrate


@pytest.mark.parametrize("written", ["abc", "12.5k", "128001", "0k", "-64k", ""])
def test_bitrates_that_are_not(written: str) -> None:
    with pytest.raises(ValueError, match="like 128k"):
        parse_bitrate(written)


@pytest.mark.parametrize(
    ("fmt", "bitrate", "channels", "ok"),
    [
        ("mp3", "320k", 1, True),
        ("mp3", "384k", 1, False),
        ("mp3", "4k", 2, False),
        ("ogg", "256k", 1, False),  # libvorbis: no packets for a mono stream above 240k
        ("ogg", "256k", 2, True),
        ("ogg", "24k", 1, False),
        ("opus", "510k", 2, True),
        ("opus", "300k", 1, False),
        ("m4a", "96k", 1, True),
        ("wav", "1k", 1, True),  # lossless: the bitrate does not apply
        ("flac", "9000k", 2, True),
    ],
)
def test_each_format_takes_its_encoders_range(
    fmt: str, bitrate: str, channels: int, ok: bool
) -> None:
    if ok:
        check_bitrate(FORMATS[fmt], bitrate, channels)
        return
    with pytest.raises(InputError, match=rf"--bitrate {bitrate}: {fmt} takes \d+k to \d+k"):
        check_bitrate(FORMATS[fmt], bitrate, channels)


def _render(runner, tmp_path: Path, *args: str):
    routine = tmp_path / "short.yaml"
    routine.write_text(ROUTINE, encoding="utf-8")
    return runner.invoke(cli, ["render", str(routine), "--engine", "espeak", "-q", *args])


def test_a_bitrate_the_format_cannot_use_is_refused_before_rendering(
    tmp_path: Path, runner
) -> None:
    out = tmp_path / "x.ogg"
    result = _render(runner, tmp_path, "-o", str(out), "--bitrate", "256k")
    assert result.exit_code == 2
    assert result.stderr.strip() == (
        "error: --bitrate 256k: ogg takes 32k to 240k for a mono track; choose one in that range "
        "(speech is clear from 64k)"
    )
    assert not out.exists()
    bad = _render(runner, tmp_path, "-o", str(out), "--bitrate", "abc")
    assert bad.exit_code == 2
    assert "expected a bitrate in kb/s like 128k, got 'abc'" in bad.stderr
    fine = _render(runner, tmp_path, "-o", str(out), "--bitrate", "96")
    assert fine.exit_code == 0, fine.stderr
    assert out.stat().st_size > 0


def test_an_output_in_a_missing_folder_is_refused(tmp_path: Path, runner) -> None:
    missing = tmp_path / "nope" / "out.mp3"
    result = _render(runner, tmp_path, "-o", str(missing))
    assert result.exit_code == 2
    assert f"there is no folder '{missing.parent}': create it first" in result.stderr
    assert not missing.parent.exists()


@pytest.mark.parametrize(
    ("flags", "warning"),
    [
        (["--duck", "20"], "warning: --duck changes nothing: this track has no music"),
        (
            ["--duck", "20", "--music-level", "-6"],
            "warning: --duck and --music-level change nothing: this track has no music",
        ),
        (["--shuffle", "3"], "warning: --shuffle changes nothing: this track has no music"),
        (["--no-music", "--duck", "9"], "warning: --duck changes nothing with --no-music"),
        ([], None),
        (["--duck", "15"], "warning: --duck changes nothing"),  # the default, but given
    ],
)
def test_music_flags_without_music_say_they_change_nothing(
    tmp_path: Path, runner, flags: list[str], warning: str | None
) -> None:
    """Field report: ``--duck 20`` without music was accepted silently."""
    routine = tmp_path / "r.yaml"
    routine.write_text(ROUTINE, encoding="utf-8")
    out = tmp_path / "r.mp3"
    args = ["render", str(routine), "-o", str(out), "--engine", "espeak", "-q", *flags]
    result = runner.invoke(cli, args)
    assert result.exit_code == 0, result.output
    assert out.is_file()
    warnings = [line for line in result.stderr.splitlines() if line.startswith("warning:")]
    assert warnings == ([] if warning is None else [warnings[0]])
    if warning is not None:
        assert warnings[0].startswith(warning)
