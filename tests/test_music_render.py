"""Music under the coach, heard in the finished MP3: ducking, margin, loudness, crossfades, stereo.

One routine with two named sections is rendered through the CLI with real espeak speech over music
the tests make (``music_helpers``): the warm-up plays one folder (a stereo MP3 and a mono WAV, so
songs change and loop), the main section its own (a FLAC and an Ogg). A synthetic song is the same
chord all through, so each song has its own shimmer frequency: two copies of one would add up in
phase where they crossfade, which real songs (an ending into another beginning) never do.
Everything is measured on the decoded
MP3: the music alone in its shimmer band, where the voice has nothing; the voice in the speech
band; loudness and true peak by ffmpeg's meter.
"""

from __future__ import annotations

import itertools
import json
import math
import os
import subprocess
from pathlib import Path

import numpy as np
import pytest
from music_helpers import MUSIC_BAND_HZ, band_power, blocks_db, level_db, make_song

from audiocoach.bed import CROSSFADE_MS, DEFAULT_MUSIC_LEVEL_DB, FADE_IN_MS, FADE_OUT_MS
from audiocoach.cli import cli
from audiocoach.ducking import DEFAULT_DUCK_DB, LEAD_MS, duck_curve
from audiocoach.ffmpeg import ffmpeg_exe, measure_loudness
from audiocoach.loudness import frame_of, k_weight
from audiocoach.loudness.metering import _block_powers, _gated_loudness
from audiocoach.timeline import Timeline

RATE = 44_100
ROUTINE = """\
title: Music test
music: warm
sections:
  - name: Warm-up
    blocks:
      - exercise: Shoulder Roll
        duration: 40s
        steps: [Roll your shoulders back slowly.]
  - name: Main
    music: main
    blocks:
      - exercise: Side Plank
        duration: 20s
        sides: both
      - exercise: Squat
        reps: 6
        tempo: 3s
      - rest: 45s
      - exercise: Plank
        duration: 20s
"""
#: the designed speech-to-music margin: music between cues DEFAULT_MUSIC_LEVEL_DB from the voice,
#: DEFAULT_DUCK_DB further down while the coach speaks
DESIGN_MARGIN_LU = DEFAULT_DUCK_DB - DEFAULT_MUSIC_LEVEL_DB


def decode_stereo(path: Path) -> np.ndarray:
    pcm = subprocess.run(
        [ffmpeg_exe(), "-v", "error", "-i", str(path), "-f", "s16le", "-ar", str(RATE), "pipe:1"],
        capture_output=True,
        check=True,
    ).stdout
    channels = 2 if _channels(path) == 2 else 1
    return np.frombuffer(pcm, dtype="<i2").reshape(-1, channels).astype(np.float64) / 32768


def _channels(path: Path) -> int:
    text = subprocess.run(
        [ffmpeg_exe(), "-hide_banner", "-i", str(path)], capture_output=True, text=True
    ).stderr
    return 2 if "stereo" in text else 1


@pytest.fixture(scope="module")
def track(tmp_path_factory: pytest.TempPathFactory) -> dict:
    root = tmp_path_factory.mktemp("music-render")
    (root / "warm").mkdir()
    (root / "main").mkdir()
    make_song(root / "warm" / "1 first.mp3", 40, root_hz=220, shimmer_hz=14_000)
    make_song(root / "warm" / "2 second.wav", 25, root_hz=262, shimmer_hz=15_200, stereo=False,
              level=0.8)  # fmt: skip
    make_song(root / "main" / "a.flac", 30, root_hz=196, shimmer_hz=14_600, level=0.3)
    make_song(root / "main" / "b.ogg", 20, root_hz=175, shimmer_hz=15_500)
    routine = root / "music-test.yaml"
    routine.write_text(ROUTINE, encoding="utf-8")
    out = root / "music-test.mp3"
    from click.testing import CliRunner

    result = CliRunner().invoke(
        cli,
        ["render", str(routine), "-o", str(out), "--pan-sides", "--timeline", "-q",
         "--engine", "espeak", "--cache-dir", str(root / "cache")],
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    timeline = Timeline.from_json(json.loads(out.with_suffix(".timeline.json").read_text()))
    samples = decode_stereo(out)
    music = band_power(samples, RATE, *MUSIC_BAND_HZ)
    return {"out": out, "timeline": timeline, "samples": samples, "music": music, "root": root}


def music_blocks(track: dict) -> tuple[np.ndarray, np.ndarray]:
    """Music level per 100 ms block (dB) and the ducking curve's gain at each block's middle."""
    got = blocks_db(track["music"], RATE)
    centres = np.arange(len(got)) * (RATE // 10) + RATE // 20
    want = duck_curve(track["timeline"], DEFAULT_DUCK_DB).db_at(centres)
    return got, want


def inner(blocks: np.ndarray) -> np.ndarray:
    """Block indices away from the fade in at the start and the fade out at the end."""
    index = np.arange(len(blocks))
    return (index >= FADE_IN_MS // 100 + 1) & (index < len(blocks) - FADE_OUT_MS // 100 - 1)


def test_the_track_is_stereo_and_holds_its_loudness_with_music(track: dict) -> None:
    assert track["samples"].shape[1] == 2
    measured = measure_loudness(track["out"])
    print(f"\n[music] {measured.integrated_lufs:.1f} LUFS, {measured.true_peak_dbtp:.1f} dBTP")
    assert measured.integrated_lufs == pytest.approx(-16.0, abs=0.5)
    assert measured.true_peak_dbtp <= -1.0


def test_the_music_follows_the_ducking_through_every_song_change_and_loop(track: dict) -> None:
    """Block by block the music band sits where the ducking curve says, within 1.5 dB (but for a
    block or two under a sibilant): down under every word, back up between, and never dropping
    out where songs crossfade or start over."""
    got, want = music_blocks(track)
    keep = inner(got)
    full = float(np.median(got[keep & (want == 0)]))
    # a loud chime or bell can take the encoder's bits from the quiet shimmer for a moment (and a
    # chime's own partials reach the band): their blocks are the tones', not the music's
    for tone in track["timeline"].tones():
        keep[max(0, tone.at_ms // 100 - 1) : tone.end_ms // 100 + 2] = False
    residual = (got - full - want)[keep]
    # a block with a loud sibilant can lose or gain a dB or two in the encoded band; a dropout,
    # a gap between songs or a crossfade out of balance would sit far off for many blocks
    assert np.abs(residual).max() < 3.0
    assert np.mean(np.abs(residual) < 1.5) > 0.99
    # and there are song changes and loops to go through: the warm-up outlasts its first song
    # (40 s), the main section (from its name to the end) both of its songs (30 s + 20 s) twice
    timeline = track["timeline"]
    main_at = next(e.at_ms for e in timeline.events if e.role == "section" and e.text == "Main.")
    assert main_at > 40_000 and timeline.duration_ms - main_at > 2 * (50_000 - CROSSFADE_MS)


def test_the_dip_is_the_ducking_asked_for_and_is_down_before_the_first_syllable(
    track: dict,
) -> None:
    got, want = music_blocks(track)
    keep = inner(got)
    full = float(np.median(got[keep & (want == 0)]))
    under = float(np.median(got[keep & (want <= -DEFAULT_DUCK_DB + 0.01)]))
    print(f"\n[music] dip under speech {full - under:.1f} dB (asked {DEFAULT_DUCK_DB:g})")
    assert full - under == pytest.approx(DEFAULT_DUCK_DB, abs=1.0)
    # every word that follows a pause finds the music already down in the 50 ms before it
    music = track["music"]
    events = sorted(track["timeline"].speech(), key=lambda e: e.at_ms)
    checked = 0
    for before, event in itertools.pairwise(events):
        if event.at_ms - before.end_ms < 2000 or event.at_ms < FADE_IN_MS + 1000:
            continue
        lo, hi = frame_of(event.at_ms - LEAD_MS + 10), frame_of(event.at_ms)
        level = 10 * math.log10(float(np.mean(music[lo:hi])))
        assert level <= full - DEFAULT_DUCK_DB + 1.0, event.text
        checked += 1
    assert checked >= 5


def loudness_of(samples: np.ndarray) -> float:
    """BS.1770 gated loudness of stereo samples."""
    energy = sum(k_weight(samples[:, c]) ** 2 for c in range(samples.shape[1]))
    return _gated_loudness(_block_powers(np.asarray(energy), RATE // 10))


def test_the_voice_stays_the_designed_margin_over_the_music(track: dict) -> None:
    """Speech-to-music margin: the voice's loudness while it speaks, over the music's loudness at
    the same time (its loudness between cues, less the dip measured in the music band)."""
    timeline, samples = track["timeline"], track["samples"]
    got, want = music_blocks(track)
    keep = inner(got)
    dip = float(np.median(got[keep & (want == 0)]) - np.median(got[keep & (want <= -14.99)]))
    spoken = [e for e in timeline.speech() if e.duration_ms >= 400]
    voice = loudness_of(np.concatenate([samples[frame_of(e.at_ms) : frame_of(e.end_ms)]
                                        for e in spoken]))  # fmt: skip
    busy = np.zeros(len(samples), dtype=bool)
    for event in timeline.events:  # anything sounding, with the ducking's ramps around it
        busy[max(0, frame_of(event.at_ms - 1500)) : frame_of(event.end_ms + 1500)] = True
    busy[: frame_of(FADE_IN_MS)] = busy[-frame_of(FADE_OUT_MS) :] = True
    between = loudness_of(samples[~busy])
    margin = voice - (between - dip)
    print(
        f"\n[music] voice {voice:.1f} LUFS while speaking, music {between:.1f} LUFS between "
        f"cues and {between - dip:.1f} under the voice: margin {margin:.1f} LU "
        f"(designed {DESIGN_MARGIN_LU:g})"
    )
    assert margin >= DESIGN_MARGIN_LU - 2.0
    assert between - voice == pytest.approx(DEFAULT_MUSIC_LEVEL_DB, abs=2.0)


def test_crossfades_are_free_of_clicks(track: dict) -> None:
    """The songs have nothing between 2 and 10 kHz: where only music plays, through every song
    change and loop, that band stays at the codec's noise floor (a click would fill it)."""
    timeline, samples = track["timeline"], track["samples"]
    quiet = np.ones(len(samples), dtype=bool)
    for event in timeline.events:
        quiet[max(0, frame_of(event.at_ms - 200)) : frame_of(event.end_ms + 200)] = False
    gap = band_power(samples, RATE, 2000, 10_000)
    level = blocks_db(np.where(quiet, gap, 0.0), RATE, 50)
    whole = blocks_db(np.where(quiet, samples[:, 0] ** 2 + samples[:, 1] ** 2, 0.0), RATE, 50)
    blocks = quiet[: len(level) * RATE // 20].reshape(-1, RATE // 20).all(axis=1)
    music_only = np.flatnonzero(blocks)
    assert len(music_only) > 1000  # well over a minute of music alone, crossfades included
    excess = level[music_only] - float(np.median(whole[music_only]))
    print(f"\n[music] 2-10 kHz in music-only stretches: at most {excess.max():.1f} dB of the music")
    assert excess.max() < -45.0


def test_pan_sides_puts_one_sided_cues_toward_that_ear(track: dict) -> None:
    timeline, samples = track["timeline"], track["samples"]
    speech_band = [band_power(samples[:, [c]], RATE, 300, 4000) for c in (0, 1)]
    sides: dict[str, list[float]] = {"left": [], "right": [], "": []}
    for event in timeline.speech():
        phase = next(p for p in timeline.phases if p.start_ms <= event.at_ms < p.end_ms)
        lo, hi = frame_of(event.at_ms), frame_of(event.end_ms)
        balance = 10 * math.log10(speech_band[0][lo:hi].sum() / speech_band[1][lo:hi].sum())
        sides[(phase.side or "").lower() if phase.side in ("left", "right") else ""].append(balance)
    print(
        "\n[music] left-right balance of the voice: "
        + ", ".join(f"{k or 'centre'} {np.median(v):+.1f} dB" for k, v in sides.items())
    )
    assert len(sides["left"]) >= 3 and len(sides["right"]) >= 3
    assert min(sides["left"]) > 6.0
    assert max(sides["right"]) < -6.0
    assert max(abs(b) for b in sides[""]) < 1.0


def test_a_section_with_its_own_music_takes_over_as_it_is_announced(track: dict) -> None:
    timeline, samples = track["timeline"], track["samples"]
    main_at = next(e.at_ms for e in timeline.events if e.role == "section" and e.text == "Main.")
    main = band_power(samples, RATE, 14_450, 14_750)  # only the main section's first song
    warm = band_power(samples, RATE, 13_850, 14_150)  # the warm-up's first song
    before = slice(frame_of(15_000), frame_of(main_at - CROSSFADE_MS - 500))
    after = slice(frame_of(main_at + 500), frame_of(timeline.duration_ms - FADE_OUT_MS))
    assert 10 * math.log10(main[after].mean() / max(main[before].mean(), 1e-20)) > 30
    assert 10 * math.log10(warm[before].mean() / max(warm[after].mean(), 1e-20)) > 30


# --- other music, other shapes -------------------------------------------------------------------

SHORT = """\
title: Short
blocks:
  - exercise: Plank
    duration: 20s
"""


def render(runner, tmp_path: Path, *args: str, routine: str = SHORT) -> tuple[object, Path]:  # type: ignore[no-untyped-def]
    path = tmp_path / "short.yaml"
    path.write_text(routine, encoding="utf-8")
    out = tmp_path / "short.mp3"
    result = runner.invoke(
        cli,
        ["render", str(path), "-o", str(out), "-q", "--engine", "espeak",
         "--cache-dir", str(tmp_path / "cache"), *args],
    )  # fmt: skip
    return result, out


def test_mono_music_keeps_the_track_mono_and_a_long_song_fades_out_at_the_end(
    runner, tmp_path: Path
) -> None:
    """A song longer than the workout simply ends with it, faded out (under the ducking of the
    last words); mono music, mono track."""
    song = make_song(tmp_path / "long 曲.wav", 120, stereo=False)
    result, out = render(runner, tmp_path, "--music", str(song), "--timeline")
    assert result.exit_code == 0, result.output
    assert _channels(out) == 1
    timeline = Timeline.from_json(json.loads(out.with_suffix(".timeline.json").read_text()))
    music = band_power(decode_stereo(out), RATE, *MUSIC_BAND_HZ)
    got = blocks_db(music, RATE)
    centres = np.arange(len(got)) * (RATE // 10) + RATE // 20
    left = (len(music) - centres) / frame_of(FADE_OUT_MS)  # 1 as the fade starts, 0 at the end
    fade = np.sin(0.5 * np.pi * np.clip(left, 1e-9, 1))
    want = duck_curve(timeline, DEFAULT_DUCK_DB).db_at(centres) + 20 * np.log10(fade)
    full = float(np.median(got[(want == 0) & (centres > frame_of(FADE_IN_MS))]))
    tail = (left < 1) & (want > -30)  # the fade, down to 30 dB under (then the codec's floor)
    assert tail.sum() >= 40
    assert np.abs(got[tail] - full - want[tail]).max() < 1.5  # faded as designed, not cut
    assert got[-1] < full - 30


def test_a_shuffle_is_the_same_for_the_same_seed(runner, tmp_path: Path) -> None:
    folder = tmp_path / "songs"
    folder.mkdir()
    for i in range(4):
        make_song(folder / f"{i}.flac", 11, root_hz=200 + 20 * i, shimmer_hz=14_000 + 300 * i)
    first, out = render(runner, tmp_path, "--music", str(folder), "--shuffle", "5")
    assert first.exit_code == 0, first.output
    one = out.read_bytes()
    again, _ = render(runner, tmp_path, "--music", str(folder), "--shuffle", "5")
    assert again.exit_code == 0 and out.read_bytes() == one
    other, _ = render(runner, tmp_path, "--music", str(folder), "--shuffle", "6")
    assert other.exit_code == 0 and out.read_bytes() != one
    told, _ = render(runner, tmp_path, "--music", str(folder), "--shuffle")
    assert told.exit_code == 0 and "shuffle: seed " in told.stderr


def bad_music(tmp_path: Path) -> dict[str, Path]:
    """Every kind of music that cannot be used, made for real."""
    made: dict[str, Path] = {"missing": tmp_path / "nowhere.mp3"}
    (tmp_path / "empty").mkdir()
    (tmp_path / "empty" / "notes.txt").write_text("no songs here")
    made["folder without audio"] = tmp_path / "empty"
    made["short"] = make_song(tmp_path / "two seconds.mp3", 2)
    silent = tmp_path / "silence.flac"
    subprocess.run([ffmpeg_exe(), "-v", "error", "-y", "-f", "lavfi", "-i", "anullsrc=d=20",
                    str(silent)], check=True)  # fmt: skip
    made["silent"] = silent
    corrupt = tmp_path / "corrupt.mp3"
    corrupt.write_bytes(os.urandom(64_000))
    made["corrupt"] = corrupt
    video = tmp_path / "clip.mp4"
    subprocess.run([ffmpeg_exe(), "-v", "error", "-y", "-f", "lavfi", "-i", "testsrc=d=12:s=64x48",
                    "-f", "lavfi", "-i", "sine=d=12", "-shortest", "-c:v", "mpeg4", "-c:a", "aac",
                    str(video)], check=True)  # fmt: skip
    made["video"] = video
    playlist = tmp_path / "list.m3u8"
    playlist.write_text("nowhere.mp3\n", encoding="utf-8")
    made["playlist with a missing entry"] = playlist
    return made


EXPECTED = {
    "missing": "no such file or folder",
    "folder without audio": "no audio files in it",
    "short": "only 2.0 s long",
    "silent": "silent",
    "corrupt": "cannot read it as audio",
    "video": "a video file",
    "playlist with a missing entry": "line 1: ",
}


@pytest.mark.parametrize("kind", list(EXPECTED))
def test_music_that_cannot_be_used_is_refused_before_anything_is_written(
    runner, tmp_path: Path, kind: str
) -> None:
    bad = bad_music(tmp_path)[kind]
    out = tmp_path / "short.mp3"
    out.write_bytes(b"the previous render")
    result, _ = render(runner, tmp_path, "--music", str(bad))
    assert result.exit_code == 2, result.output
    (line,) = result.stderr.strip().splitlines()
    assert line.startswith(f"--music: {bad}") and EXPECTED[kind] in line, line
    assert "Traceback" not in result.stderr
    assert out.read_bytes() == b"the previous render"
    assert not (tmp_path / "cache").exists() or not list((tmp_path / "cache").glob("*.clip"))


def test_a_routines_music_problems_are_located_in_the_file(runner, tmp_path: Path) -> None:
    bad = bad_music(tmp_path)
    routine = (
        f"title: Located\nmusic: {bad['short'].name}\nsections:\n"
        f"  - name: One\n    music: {bad['corrupt'].name}\n    blocks:\n"
        "      - exercise: Plank\n        duration: 20s\n"
        "  - music: empty\n    blocks:\n      - exercise: Squat\n        reps: 3\n"
    )
    result, out = render(runner, tmp_path, routine=routine)
    assert result.exit_code == 2
    lines = result.stderr.strip().splitlines()
    assert "short.yaml:" in lines[0] and "give the section a name" in result.stderr
    fixed = routine.replace("  - music: empty\n", "  - name: Two\n    music: empty\n")
    result, out = render(runner, tmp_path, routine=fixed)
    assert result.exit_code == 2 and not out.exists()
    lines = result.stderr.strip().splitlines()
    assert [line.split(": ", 2)[1] for line in lines] == [
        "music",
        "sections[0].music",
        "sections[1].music",
    ]
    assert lines[0].startswith("") and "short.yaml:2:8" in lines[0] and "only 2.0 s" in lines[0]
    assert "cannot read it as audio" in lines[1] and "no audio files" in lines[2]


def test_no_music_silences_a_routines_music(runner, tmp_path: Path) -> None:
    song = make_song(tmp_path / "song.flac", 15)
    routine = SHORT.replace("blocks:", f"music: {song.name}\nblocks:")
    with_music, out = render(runner, tmp_path, routine=routine)
    assert with_music.exit_code == 0 and _channels(out) == 2
    without, out = render(runner, tmp_path, "--no-music", routine=routine)
    assert without.exit_code == 0 and _channels(out) == 1
    both, _ = render(runner, tmp_path, "--no-music", "--music", str(song))
    assert both.exit_code == 2 and "not both" in both.stderr


def test_a_program_day_plays_its_own_music_and_bad_day_music_stops_the_run(
    runner, tmp_path: Path
) -> None:
    (tmp_path / "songs").mkdir()
    make_song(tmp_path / "songs" / "run.flac", 15)
    (tmp_path / "short.yaml").write_text(SHORT, encoding="utf-8")
    program = tmp_path / "week.yaml"
    text = (
        "title: Week\nweeks: 1\ndays:\n"
        "  mon:\n    routine: short.yaml\n    music: songs\n"
        "  wed: short.yaml\n"
    )
    program.write_text(text, encoding="utf-8")
    out = tmp_path / "out"
    args = ["playlist", str(program), "-o", str(out), "-j", "1", "-q", "--engine", "espeak",
            "--cache-dir", str(tmp_path / "cache")]  # fmt: skip
    result = runner.invoke(cli, args)
    assert result.exit_code == 0, result.output
    assert _channels(out / "week-01" / "01-mon-short.mp3") == 2  # the day's (stereo) music
    assert _channels(out / "week-01" / "02-wed-short.mp3") == 1  # no music: as before
    # new songs in the day's folder: that day is rendered again, the other is not
    make_song(tmp_path / "songs" / "more.flac", 12, shimmer_hz=15_000)
    again = runner.invoke(cli, args)
    assert again.exit_code == 0 and "1 rendered, 1 up to date" in again.stdout
    # a day whose music cannot be used stops the run before any track is written
    program.write_text(text.replace("music: songs", "music: nothing-here"), encoding="utf-8")
    before = {p: p.read_bytes() for p in out.rglob("*") if p.is_file()}
    bad = runner.invoke(cli, args)
    assert bad.exit_code == 2
    (line,) = bad.stderr.strip().splitlines()
    assert line.startswith(f"{program}:6:12: days.mon.music: ") and "no such file" in line
    assert {p: p.read_bytes() for p in out.rglob("*") if p.is_file()} == before


def test_a_jingle_in_a_music_folder_is_skipped_with_a_warning(runner, tmp_path: Path) -> None:
    """Field report: one 5 s file among the songs of a folder refused the whole render. Of
    several songs, one too short to crossfade is left out (said once); alone, it is refused."""
    folder = tmp_path / "songs"
    folder.mkdir()
    make_song(folder / "1 song.flac", 15, shimmer_hz=14_800)
    jingle = make_song(folder / "2 jingle.flac", 3, shimmer_hz=12_500)
    make_song(folder / "3 song.flac", 15, shimmer_hz=14_800)
    result, out = render(runner, tmp_path, "--music", str(folder))
    assert result.exit_code == 0, result.output
    warnings = [line for line in result.stderr.splitlines() if line.startswith("warning:")]
    assert warnings == [
        f"warning: --music: {jingle}: only 3.0 s long; a song must last at least 10 s "
        "(it fades in and crossfades out); skipped"
    ]
    samples = decode_stereo(out)
    songs = level_db(band_power(samples, RATE, 14_500, 15_100))
    skipped = level_db(band_power(samples, RATE, 12_200, 12_800))
    assert songs - skipped > 30  # the songs play; the jingle's shimmer is nowhere in the track
    # validate says the same of a routine's music:, and a folder of only jingles is refused
    routine = tmp_path / "with-music.yaml"
    routine.write_text(SHORT.replace("blocks:", "music: songs\nblocks:"), encoding="utf-8")
    checked = runner.invoke(cli, ["validate", str(routine), "--estimate"])
    assert checked.exit_code == 0, checked.output
    assert [line for line in checked.stderr.splitlines() if "skipped" in line] == [
        f"warning: {routine}:2:8: music: {jingle}: only 3.0 s long; a song must last at least "
        "10 s (it fades in and crossfades out); skipped"
    ]
    for song in folder.glob("*song.flac"):
        song.unlink()
    alone, _ = render(runner, tmp_path, "--music", str(folder))
    assert alone.exit_code == 2 and "only 3.0 s long" in alone.stderr
    assert "skipped" not in alone.stderr
