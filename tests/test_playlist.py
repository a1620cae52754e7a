"""Playlists: the week's tracks, tagged and listed; incremental; failures lose nothing."""

from __future__ import annotations

import json
import re
import time
from pathlib import Path

import pytest
from mutagen.id3 import ID3
from shipped import WEEK

from audiocoach.cli import cli
from audiocoach.durations import whole_seconds
from audiocoach.errors import AudiocoachError
from audiocoach.ffmpeg import decode_pcm
from audiocoach.playlist import Job, check_schedulable, longest_first
from audiocoach.program import load_program
from audiocoach.render import RenderSettings
from audiocoach.speech.registry import SpeechSettings

TINY = """\
title: Tiny {n}
blocks:
  - exercise: Plank {n}
    duration: 6s
  - exercise: Rows {n}
    reps: 2
    tempo: 2s
"""

SPEECH = SpeechSettings(engine="espeak")
SETTINGS = RenderSettings()


def read_m3u8(path: Path) -> list[tuple[int, str, Path]]:
    lines = path.read_text(encoding="utf-8").splitlines()
    assert lines[0] == "#EXTM3U"
    rows = []
    for info, target in zip(lines[2::2], lines[3::2], strict=True):
        assert info.startswith("#EXTINF:")
        seconds, title = info[len("#EXTINF:") :].split(",", 1)
        rows.append((int(seconds), title, path.parent / target))
    return rows


def decoded_seconds(path: Path) -> float:
    samples, rate = decode_pcm(path)
    return len(samples) / rate


@pytest.fixture(scope="module")
def cache_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("playlist-cache")


@pytest.mark.slow
def test_week_playlist_two_weeks(tmp_path: Path, runner, cache_dir: Path) -> None:
    out = tmp_path / "OUT"
    args = ["playlist", str(WEEK), "-o", str(out), "--weeks", "1-2", "-j", "2", "-q"]
    args += ["--cache-dir", str(cache_dir), "--engine", "espeak"]
    started = time.perf_counter()
    first = runner.invoke(cli, args)
    first_s = time.perf_counter() - started
    assert first.exit_code == 0, first.stderr
    assert "10 rendered, 0 up to date, 0 failed" in first.stdout

    for week in (1, 2):
        rows = read_m3u8(out / f"week-0{week}" / f"week-0{week}.m3u8")
        assert [r[2].name for r in rows] == [
            "01-mon-upper-body-strength.mp3",
            "02-tue-upper-back-yoga.mp3",
            "03-wed-upper-body-supersets.mp3",
            "04-thu-posture-reset.mp3",
            "05-sat-upper-body-power.mp3",
        ]
        for number, (seconds, title, path) in enumerate(rows, start=1):
            assert path.is_file()
            assert abs(seconds - decoded_seconds(path)) <= 1.0, path
            tags = ID3(path)
            assert str(tags["TALB"]) == f"Upper Body for Runners, 4-week block, week {week}"
            assert str(tags["TRCK"]) == f"{number}/5"
            assert str(tags["TPOS"]) == f"{week}/4"
            assert str(tags["TIT2"]) == title
    whole = read_m3u8(out / "upper-body-for-runners-4-week-block.m3u8")
    assert len(whole) == 10 and all(path.is_file() for _, _, path in whole)
    assert (out / "manifest.json").is_file()

    mtimes = {p: p.stat().st_mtime_ns for p in out.rglob("*.mp3")}
    started = time.perf_counter()
    second = runner.invoke(cli, args)
    second_s = time.perf_counter() - started
    assert second.exit_code == 0, second.stderr
    assert "0 rendered, 10 up to date, 0 failed" in second.stdout
    assert {p: p.stat().st_mtime_ns for p in out.rglob("*.mp3")} == mtimes
    print(f"\n[playlist] first run {first_s:.1f} s, immediate second run {second_s:.2f} s")


def _tiny_program(folder: Path) -> Path:
    for n in (1, 2):
        (folder / f"tiny{n}.yaml").write_text(TINY.format(n=n), encoding="utf-8")
    program = folder / "program.yaml"
    program.write_text(
        "title: Tiny program\nweeks: 2\ndays:\n  mon: tiny1.yaml\n  tue: rest\n  wed: tiny2.yaml\n"
        "progression:\n  - every: 1\n    holds: +2s\n",
        encoding="utf-8",
    )
    return program


def _tiny_playlist(tmp_path: Path, cache_dir: Path) -> tuple[Path, list[str]]:
    """The tiny program's output folder and the serial ``playlist`` command that renders it."""
    out = tmp_path / "out"
    program = _tiny_program(tmp_path)
    return out, [
        "playlist",
        str(program),
        "-o",
        str(out),
        "-j",
        "1",
        "-q",
        "--cache-dir",
        str(cache_dir),
        "--engine",
        "espeak",
    ]


def test_editing_one_routine_rerenders_only_its_tracks(
    tmp_path: Path, runner, cache_dir: Path
) -> None:
    out, args = _tiny_playlist(tmp_path, cache_dir)
    assert runner.invoke(cli, args).exit_code == 0
    before = {p.relative_to(out): p.stat().st_mtime_ns for p in out.rglob("*.mp3")}
    assert sorted(map(str, before)) == [
        "week-01/01-mon-tiny1.mp3",
        "week-01/02-wed-tiny2.mp3",
        "week-02/01-mon-tiny1.mp3",
        "week-02/02-wed-tiny2.mp3",
    ]
    tiny2 = tmp_path / "tiny2.yaml"
    tiny2.write_text(tiny2.read_text().replace("reps: 2", "reps: 3"), encoding="utf-8")
    result = runner.invoke(cli, args)
    assert result.exit_code == 0, result.stderr
    assert "2 rendered, 2 up to date, 0 failed" in result.stdout
    after = {p.relative_to(out): p.stat().st_mtime_ns for p in out.rglob("*.mp3")}
    changed = sorted(str(p) for p in after if after[p] != before[p])
    assert changed == ["week-01/02-wed-tiny2.mp3", "week-02/02-wed-tiny2.mp3"]
    # a pace flag changes every track's inputs
    result = runner.invoke(cli, [*args, "--countdown", "2"])
    assert "4 rendered, 0 up to date" in result.stdout


def test_failed_track_keeps_other_tracks_and_previous_playlists(
    tmp_path: Path, runner, cache_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    out, args = _tiny_playlist(tmp_path, cache_dir)
    assert runner.invoke(cli, args).exit_code == 0
    playlist = out / "week-01" / "week-01.m3u8"
    previous = playlist.read_bytes()
    tiny1 = tmp_path / "tiny1.yaml"
    tiny1.write_text(tiny1.read_text().replace("duration: 6s", "duration: 7s"), encoding="utf-8")
    tiny2 = tmp_path / "tiny2.yaml"
    tiny2.write_text(tiny2.read_text().replace("reps: 2", "reps: 3"), encoding="utf-8")

    import audiocoach.render as render_module

    real = render_module.render_timeline

    def failing(timeline, voice, path, settings=None, progress=None, soundtrack=None):
        if "tiny2" in path.name:
            raise AudiocoachError("disk full (simulated)")
        return real(timeline, voice, path, settings, progress, soundtrack)

    monkeypatch.setattr(render_module, "render_timeline", failing)
    old_wed = (out / "week-01" / "02-wed-tiny2.mp3").read_bytes()
    result = runner.invoke(cli, args)
    assert result.exit_code == 1
    assert "2 rendered, 0 up to date, 2 failed" in result.stdout
    assert "disk full (simulated)" in result.stderr and "Traceback" not in result.stderr
    assert playlist.read_bytes() == previous
    assert (out / "week-01" / "02-wed-tiny2.mp3").read_bytes() == old_wed
    monkeypatch.setattr(render_module, "render_timeline", real)
    retry = runner.invoke(cli, args)
    assert retry.exit_code == 0
    assert "2 rendered, 2 up to date, 0 failed" in retry.stdout


def test_unwritable_output_folder(tmp_path: Path, runner, cache_dir: Path) -> None:
    program = _tiny_program(tmp_path)
    blocker = tmp_path / "file"
    blocker.write_text("not a folder")
    result = runner.invoke(
        cli,
        [
            "playlist",
            str(program),
            "-o",
            str(blocker / "out"),
            "-q",
            "--cache-dir",
            str(cache_dir),
            "--engine",
            "espeak",
        ],
    )
    assert result.exit_code == 1
    assert result.stderr.startswith("error: cannot write to ")
    assert len(result.stderr.strip().splitlines()) == 1


def test_bad_week_range_is_input_error(tmp_path: Path, runner) -> None:
    program = _tiny_program(tmp_path)
    result = runner.invoke(
        cli, ["playlist", str(program), "-o", str(tmp_path / "o"), "--weeks", "2-3"]
    )
    assert result.exit_code == 2
    assert "outside this program, which has weeks 1-2" in result.stderr
    assert not (tmp_path / "o").exists()


def test_parallel_runs_start_the_longest_tracks_first(tmp_path: Path) -> None:
    # Two workers given the week in program order could end with one idle while the other
    # finishes Saturday's long power session; longest-first hands that out at once.
    pf = load_program(WEEK)
    tracks = list(pf.tracks(range(1, 2)))
    lengths = check_schedulable(pf, tracks)
    jobs = [
        Job(t, pf.routines[t.day], tmp_path / f"{t.day}.mp3", "key", SPEECH, None, SETTINGS, ms)
        for t, ms in zip(tracks, lengths, strict=True)
    ]
    order = [job.track.day for job in longest_first(jobs)]
    assert order[0] == "sat"  # the power session, 37 minutes as written
    assert set(order[-2:]) == {"tue", "thu"}  # the two short mobility routines
    assert [job.estimate_ms for job in longest_first(jobs)] == sorted(lengths, reverse=True)
    # ties keep program order, so a run's order is reproducible
    same = [
        Job(t, pf.routines[t.day], tmp_path / f"{t.day}.mp3", "key", SPEECH, None, SETTINGS, 1)
        for t in tracks
    ]
    assert longest_first(same) == same


def test_a_track_the_real_voice_cannot_lay_out_is_located_input_error(
    tmp_path: Path, runner, cache_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The pre-check sizes speech with an estimate; if the real voice turns out longer and a rep
    # count no longer fits, the worker's failure is still the routine's fault: file:line:col,
    # exit status 2, and not the "run again to retry" advice meant for environment failures.
    (tmp_path / "fast.yaml").write_text(
        "title: Fast\npace: {speech_speed: 0.5}\n"
        "blocks:\n  - exercise: Squat\n    reps: 4\n    tempo: 0.5s\n",
        encoding="utf-8",
    )
    program = tmp_path / "program.yaml"
    program.write_text("title: P\ndays:\n  mon: fast.yaml\n", encoding="utf-8")
    monkeypatch.setattr("audiocoach.render.estimator", lambda speed=1.0: lambda text: 1)
    out = tmp_path / "out"
    args = ["playlist", str(program), "-o", str(out), "-j", "1", "-q", "--engine", "espeak"]
    result = runner.invoke(cli, [*args, "--cache-dir", str(cache_dir)])
    assert result.exit_code == 2, result.output
    (line,) = result.stderr.strip().splitlines()
    assert line.startswith(f"{tmp_path / 'fast.yaml'}:4:5: blocks[0]: week 1: Squat: a rep every")
    assert "use a tempo of at least" in line
    assert "Traceback" not in result.output and "retry" not in result.output
    assert not list(out.rglob("*.mp3")) and not list(out.rglob("*.m3u8"))


def test_validate_and_playlist_size_speech_at_the_days_speed(tmp_path: Path, runner) -> None:
    # Half-speed speech makes the count too long for a 0.5 s rep: found before rendering.
    (tmp_path / "fast.yaml").write_text(
        "title: Fast\nblocks:\n  - exercise: Squat\n    reps: 4\n    tempo: 0.5s\n",
        encoding="utf-8",
    )
    program = tmp_path / "program.yaml"
    program.write_text(
        "title: P\ndays:\n  mon:\n    routine: fast.yaml\n    pace: {speech_speed: 0.5}\n",
        encoding="utf-8",
    )
    result = runner.invoke(cli, ["validate", str(program)])
    assert result.exit_code == 2
    assert result.stderr.startswith(f"{tmp_path / 'fast.yaml'}:3:5: blocks[0]: week 1: Squat:")
    out = tmp_path / "out"
    result = runner.invoke(
        cli, ["playlist", str(program), "-o", str(out), "-q", "--engine", "espeak"]
    )
    assert result.exit_code == 2
    assert "use a tempo of at least" in result.stderr
    assert not out.exists() or not list(out.rglob("*.mp3"))


def test_plan_and_playlist_show_one_length_per_track(
    tmp_path: Path, runner, cache_dir: Path
) -> None:
    # Field report: a program plan showed 0:24 for a track the playlist listed as #EXTINF:25
    # (one floored, the other rounded). Both now round through durations.whole_seconds.
    out, args = _tiny_playlist(tmp_path, cache_dir)
    assert runner.invoke(cli, [*args, "--engine", "espeak"]).exit_code == 0
    plan = runner.invoke(
        cli, ["plan", args[1], "--engine", "espeak", "--cache-dir", str(cache_dir)]
    )
    assert plan.exit_code == 0, plan.stderr
    shown = re.findall(r"^\s+(\d+)\s+\S+\s+.+?\s+(\d+):(\d\d)\s", plan.stdout, re.M)
    listed = []
    for week in (1, 2):
        text = (out / f"week-{week:02d}" / f"week-{week:02d}.m3u8").read_text(encoding="utf-8")
        listed += [int(s) for s in re.findall(r"^#EXTINF:(\d+),", text, re.M)]
    assert [int(m) * 60 + int(s) for _, m, s in shown] == listed
    manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    exact = [t["duration_ms"] for t in sorted(manifest["tracks"].values(), key=_order)]
    assert listed == [whole_seconds(ms) for ms in exact]


def _order(entry: dict) -> tuple[int, str]:
    return entry["week"], ["mon", "tue", "wed", "thu", "fri", "sat", "sun"].index(entry["day"])
