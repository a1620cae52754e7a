"""Smoke test of ``scripts/bench.py``: it runs end to end and reports every figure.

Only the shape and sanity of the report are checked, never a time: timings depend on the machine
and on whatever else it is doing, and the bench itself measures rather than asserts.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
BENCH = ROOT / "scripts" / "bench.py"


@pytest.fixture(scope="module")
def report() -> dict[str, object]:
    proc = subprocess.run(
        [sys.executable, str(BENCH), "--quick", "--json", "--quiet"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert proc.returncode == 0, proc.stderr[-3000:]
    data: dict[str, object] = json.loads(proc.stdout)
    return data


def _positive(value: object) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool) and value > 0


@pytest.mark.slow
def test_render_figures_are_present_and_sane(report: dict[str, object]) -> None:
    settings = report["settings"]
    assert isinstance(settings, dict)
    assert settings["minutes"] == [3, 8]
    assert settings["sections"] == ["renders", "music", "naive", "playlist", "voice"]
    assert settings["statistic"] == "median"
    renders = report["renders"]
    assert isinstance(renders, dict)
    by_minutes = renders["by_minutes"]
    assert set(by_minutes) == {"3", "8"}
    for minutes, figures in by_minutes.items():
        # the routine is built to the asked-for length, within a few seconds
        assert abs(figures["routine"]["planned_ms"] - int(minutes) * 60_000) < 10_000
        for key in (
            "ratio",
            "ratio_render_timeline",
            "ms_per_audio_minute",
            "import_s",
            "rss_python_mb",
            "rss_python_after_imports_mb",
            "cpu_python_s",
            "cpu_ffmpeg_s",
            "cpu_ffmpeg_alone_s",
        ):
            assert _positive(figures[key]), (minutes, key, figures[key])
        for key in ("render_s", "plan_s", "render_timeline_s", "ffmpeg_alone_s"):
            spread = figures[key]
            assert spread["min"] <= spread["median"] <= spread["max"], (minutes, key)
            assert _positive(spread["min"]), (minutes, key)
        assert figures["rss_python_mb"] >= figures["rss_python_after_imports_mb"]
        # a warm cache: the render synthesized nothing; the same PCM: the same encoded audio
        assert figures["phrases_synthesized_during_render"] == 0
        assert figures["identical_audio"] is True
        assert figures["identical_ffmpeg_args"] in (True, None)  # None: GNU time unavailable
        assert figures["ffmpeg_runs_per_render"] in (0, 1)
        if figures["rss_ffmpeg_mb"] is not None:
            assert _positive(figures["rss_ffmpeg_mb"])
            assert _positive(figures["rss_ffmpeg_alone_mb"])
    assert _positive(renders["linearity"])
    library = report["library"]
    assert isinstance(library, dict)
    assert isinstance(library["changed_during_run"], bool)


@pytest.mark.slow
def test_naive_figures_and_targets(report: dict[str, object]) -> None:
    naive = report["naive"]
    assert isinstance(naive, dict)
    assert naive["minutes"] == 3
    assert naive["extrapolated"] is True  # --quick overlays a sample of the cues
    for key in ("overlay_s", "export_s", "total_s", "rss_python_mb", "speedup"):
        assert _positive(naive[key]), (key, naive[key])
    targets = report["targets"]
    assert isinstance(targets, dict)
    assert {
        "ratio_3min",
        "ratio_8min",
        "rss_python_8min",
        "linearity",
        "playlist_j2_speedup",
        "playlist_j2_busy",
        "piper_cold_x_realtime",
    } <= set(targets)
    assert set(targets) <= {
        "ratio_3min",
        "ratio_8min",
        "rss_python_8min",
        "linearity",
        "playlist_j2_speedup",
        "playlist_j2_busy",
        "piper_cold_x_realtime",
        "piper_long_wer_in_track",
        "piper_short_wer_track_over_alone",
        "piper_long_wer_track_over_alone",
        "music_ratio_3min",
        "music_ratio_8min",
        "music_rss_python_8min",
    }
    playlist = report["playlist"]
    assert isinstance(playlist, dict)
    assert playlist["tracks"] == 4 and playlist["audio_ms"] > 0
    assert playlist["weeks"] is None  # --quick: the small synthetic program
    for key in ("j1_s", "j2_s", "j1_cpu_s", "j2_cpu_s", "again_s"):
        assert _positive(playlist[key]["median"]), (key, playlist[key])
    for key in (
        "speedup_j2",
        "speedup_ceiling",
        "cores_busy_j1",
        "cores_busy_j2",
        "again_fraction_of_j2",
    ):
        assert _positive(playlist[key]), (key, playlist[key])
    # CPU seconds include the workers and their encoders, so -j 1 is seen using more than the
    # Python process alone and no run can keep more cores busy than the machine has.
    assert 0 < playlist["cores_busy_j2"] <= playlist["cpus"] + 0.1
    for name, target in targets.items():
        assert isinstance(target["passed"], bool)
        assert _positive(target["limit"])
        if "over_alone" in name:  # a difference of two rates: may be zero or below
            assert isinstance(target["value"], float) and -1 <= target["value"] <= 1
        else:
            assert _positive(target["value"]), name
    assert report["missed"] == [name for name, t in targets.items() if not t["passed"]]


@pytest.mark.slow
def test_music_figures_are_present_and_sane(report: dict[str, object]) -> None:
    music = report["music"]
    assert isinstance(music, dict)
    assert set(music["by_minutes"]) == {"3", "8"}
    for minutes, found in music["by_minutes"].items():
        assert found["channels"] == 2 and found["songs"] == 6
        assert abs(found["planned_ms"] - int(minutes) * 60_000) < 10_000
        assert _positive(found["ratio"]) and _positive(found["rss_python_mb"])
        assert _positive(found["render_s"]["median"]) and _positive(found["cpu_children_s"])
        # the stereo PCM the baseline encodes is the one the render mixed, to the byte
        assert found["identical_audio"] is True
    assert report["targets"]["music_ratio_8min"]["limit"] == 1.25


@pytest.mark.slow
def test_voice_figures_per_engine(report: dict[str, object]) -> None:
    voice = report["voice"]
    assert isinstance(voice, dict)
    assert voice["routines"] == ["posture-reset"]  # --quick
    assert set(voice["engines"]) == {"espeak", "piper"}
    assert voice["not_measured"] == {"gtts": "needs the network"}
    for engine, found in voice["engines"].items():
        assert _positive(found["cold_x_realtime"]) and _positive(found["unique_speech_s"])
        for where in ("alone", "track"):
            for size in ("short", "long"):
                group = found["wer"][where][size]
                assert group["words"] >= group["phrases"] >= 0
                if group["words"]:
                    assert group["wer"] == group["errors"] / group["words"], (engine, group)
        # the same phrases were scored alone and in the track
        assert found["wer"]["alone"]["long"]["words"] == found["wer"]["track"]["long"]["words"]


def test_only_runs_the_named_sections_and_rejects_unknown_ones() -> None:
    bad = subprocess.run(
        [sys.executable, str(BENCH), "--only", "renders,warp"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert bad.returncode == 2
    assert "unknown section warp; choose from renders, music, naive, playlist, voice" in bad.stderr
    assert "Traceback" not in bad.stderr


def test_only_runs_the_named_section() -> None:
    # naive alone is the cheapest section (a 3-minute routine, a sample of its cues)
    proc = subprocess.run(
        [sys.executable, str(BENCH), "--quick", "--only", "naive", "--json", "--quiet"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert proc.returncode == 0, proc.stderr[-3000:]
    data = json.loads(proc.stdout)
    assert data["settings"]["sections"] == ["naive"]
    assert "renders" not in data and "playlist" not in data
    assert data["naive"]["minutes"] == 3 and data["naive"]["total_s"] > 0
    assert data["targets"] == {} and data["missed"] == []
