"""The music bed laid out and ducked from the timeline: pure arithmetic, no audio decoded."""

from __future__ import annotations

import itertools
import math
import tracemalloc
from pathlib import Path

import numpy as np
import pytest
from audio_helpers import make_timeline, say, speechlike, tone
from music_helpers import make_song

from audiocoach.bed import (
    CROSSFADE_MS,
    DEFAULT_MUSIC_LEVEL_DB,
    FADE_IN_MS,
    FADE_OUT_MS,
    MusicPart,
    lay_bed,
)
from audiocoach.ducking import (
    ATTACK_MS,
    DEFAULT_DUCK_DB,
    HOLD_MS,
    LEAD_MS,
    MERGE_MS,
    RELEASE_MS,
    GainCurve,
    duck_curve,
)
from audiocoach.loudness import VOICE_LUFS, frame_of
from audiocoach.music import STEP_MS, Song, load_songs
from audiocoach.speech.base import SAMPLE_RATE


def fake_song(name: str, seconds: float, lufs: float = -20.0, peak_dbtp: float = -6.0) -> Song:
    """A measured song that is never decoded (layout and arithmetic only)."""
    steps = int(seconds * 1000) // STEP_MS
    power = 10 ** ((lufs + 0.691) / 10)
    return Song(Path(name), name, frame_of(int(seconds * 1000)), 2, lufs, peak_dbtp,
                np.full(steps, power))  # fmt: skip


CLIPS = {
    "Go.": speechlike(500, seed=1),
    "Shoulders down.": speechlike(1200, seed=2),
    "one": speechlike(400, seed=3),
    "two": speechlike(400, seed=4),
    "three": speechlike(450, seed=5),
}


def db_at(curve: GainCurve, ms: float) -> float:
    return float(curve.db_at(np.array([ms * SAMPLE_RATE / 1000]))[0])


# --- ducking ------------------------------------------------------------------------------------


def test_the_music_is_down_before_the_first_syllable_and_up_after_the_last() -> None:
    timeline = make_timeline(20_000, [say(8000, "Shoulders down.", CLIPS)])
    curve = duck_curve(timeline, 12.0)
    end = 8000 + CLIPS["Shoulders down."].duration_ms
    assert db_at(curve, 8000 - LEAD_MS - ATTACK_MS - 1) == 0.0
    assert db_at(curve, 8000 - LEAD_MS - ATTACK_MS / 2) == pytest.approx(-6.0, abs=0.1)
    for ms in (8000 - LEAD_MS, 8000, end, end + HOLD_MS):
        assert db_at(curve, ms) == pytest.approx(-12.0, abs=0.05), ms
    assert db_at(curve, end + HOLD_MS + RELEASE_MS / 2) == pytest.approx(-6.0, abs=0.1)
    assert db_at(curve, end + HOLD_MS + RELEASE_MS + 1) == 0.0


def test_cues_close_together_share_one_dip() -> None:
    """A set of counted reps (a count every 2.5 s) is one dip, not one per word: no pumping."""
    events = [say(2000 + 2500 * k, ["one", "two", "three"][k % 3], CLIPS) for k in range(6)]
    curve = duck_curve(make_timeline(30_000, events), 12.0)
    lo, hi = frame_of(2000 - LEAD_MS), frame_of(2000 + 2500 * 5 + 450 + HOLD_MS)
    assert curve.max_db(lo, hi) == pytest.approx(-12.0)


def test_cues_far_apart_get_their_own_dips() -> None:
    gap = ATTACK_MS + RELEASE_MS + MERGE_MS + LEAD_MS + HOLD_MS + 500
    first_end = 1000 + CLIPS["Go."].duration_ms
    events = [say(1000, "Go.", CLIPS), say(first_end + gap, "Go.", CLIPS)]
    curve = duck_curve(make_timeline(30_000, events), 12.0)
    between = frame_of(first_end + HOLD_MS + RELEASE_MS), frame_of(first_end + gap - 400)
    assert curve.max_db(*between) == 0.0
    assert len(curve.x) == 8  # two dips of four corners


def test_tones_do_not_duck_and_no_depth_means_no_curve() -> None:
    timeline = make_timeline(10_000, [tone(1000, "start"), tone(3000, "tick"), tone(5000, "bell")])
    assert len(duck_curve(timeline, 12.0).x) == 0
    timeline = make_timeline(10_000, [say(1000, "Go.", CLIPS)])
    assert len(duck_curve(timeline, 0.0).x) == 0
    assert DEFAULT_DUCK_DB - DEFAULT_MUSIC_LEVEL_DB == 18.0  # the designed speech-to-music margin


def test_the_curve_is_the_same_evaluated_whole_or_piecewise() -> None:
    events = [say(500 + 1700 * k, "one", CLIPS) for k in range(3)]
    events += [say(12_000, "Shoulders down.", CLIPS)]
    curve = duck_curve(make_timeline(20_000, events), 9.0)
    frames = frame_of(20_000)
    exact = 10 ** (curve.db_at(np.arange(frames)) / 20)
    for window in (1000, 4410, 220_500):
        for w0 in range(0, frames, window):
            w1 = min(frames, w0 + window)
            got = curve.linear(w0, w1)
            want = exact[w0:w1]
            if isinstance(got, float):
                assert np.allclose(want, got, rtol=1e-6)
            else:
                assert np.allclose(got, want, rtol=1e-5)


# --- laying songs out ---------------------------------------------------------------------------


def test_songs_crossfade_loop_and_fade_at_the_ends() -> None:
    a, b = fake_song("a", 30), fake_song("b", 20)
    bed = lay_bed([MusicPart(0, (a, b))], 100_000, channels=2, duck=GainCurve.flat())
    cross = frame_of(CROSSFADE_MS)
    assert [s.song.name for s in bed.slots] == ["a", "b", "a", "b", "a"]
    starts = [s.start for s in bed.slots]
    lengths = [a.frames, b.frames, a.frames, b.frames]
    assert starts == [sum(lengths[:k]) - k * cross for k in range(5)]
    assert bed.slots[0].fade_in == frame_of(FADE_IN_MS)
    assert all(s.fade_in == cross for s in bed.slots[1:])
    assert all(s.fade_out == cross for s in bed.slots[:-1])
    last = bed.slots[-1]
    assert last.end == bed.frames and last.fade_out == frame_of(FADE_OUT_MS)
    # equal power through every crossfade: the two songs' squared fades sum to one
    for left, right in zip(bed.slots, bed.slots[1:], strict=False):
        t = np.arange(right.start, left.end)
        power = left.shape(t) ** 2 + right.shape(t) ** 2
        assert np.allclose(power, 1.0, atol=1e-9)


def test_the_music_covers_the_whole_track_without_a_gap() -> None:
    songs = tuple(fake_song(n, s) for n, s in [("a", 11), ("b", 47), ("c", 13)])
    for total in (5_000, 60_000, 61_500, 600_000):
        bed = lay_bed([MusicPart(0, songs)], total, channels=2, duck=GainCurve.flat())
        covered = np.zeros(bed.frames, dtype=bool)
        for slot in bed.slots:
            covered[slot.start : slot.end] = True
        assert covered.all(), total


def test_a_shuffle_is_reproducible_and_never_repeats_a_song_at_the_seam() -> None:
    songs = tuple(fake_song(f"s{i}", 12 + i) for i in range(6))

    def order(seed: int | None) -> list[str]:
        bed = lay_bed([MusicPart(0, songs)], 900_000, channels=2, duck=GainCurve.flat(),
                      shuffle=seed)  # fmt: skip
        return [s.song.name for s in bed.slots]

    assert order(None)[:6] == [f"s{i}" for i in range(6)]
    assert order(7) == order(7) and order(7) != order(8) and order(7)[:6] != order(None)[:6]
    for seed in range(30):
        played = order(seed)
        assert all(x != y for x, y in itertools.pairwise(played)), seed
        assert sorted(played[:6]) == sorted(f"s{i}" for i in range(6))  # each once a round


def test_a_section_with_its_own_music_takes_over_as_it_begins() -> None:
    warm, main = fake_song("warm", 40), fake_song("main", 40)
    parts = [MusicPart(0, (warm,)), MusicPart(60_000, (main,)), MusicPart(120_000, ())]
    bed = lay_bed(parts, 150_000, channels=2, duck=GainCurve.flat())
    at = frame_of(60_000)
    before = [s for s in bed.slots if s.song is warm]
    after = [s for s in bed.slots if s.song is main]
    assert before[-1].end == at and before[-1].fade_out == frame_of(CROSSFADE_MS)
    assert after[0].start == at - frame_of(CROSSFADE_MS) and after[0].fade_in == frame_of(
        CROSSFADE_MS
    )
    assert max(s.end for s in bed.slots) == frame_of(120_000)  # silence from the third part
    assert after[-1].fade_out == frame_of(CROSSFADE_MS)


def test_every_song_is_brought_to_the_music_level() -> None:
    loud, quiet = fake_song("loud", 30, lufs=-9.0), fake_song("quiet", 30, lufs=-31.0)
    bed = lay_bed([MusicPart(0, (loud, quiet))], 50_000, channels=2, duck=GainCurve.flat(),
                  level_db=-8.0)  # fmt: skip
    for slot in bed.slots:
        level = slot.song.lufs + 20 * math.log10(slot.gain)
        assert level == pytest.approx(VOICE_LUFS - 8.0)


def test_the_predicted_energy_follows_level_fades_and_ducking() -> None:
    song = fake_song("steady", 80, lufs=-20.0)
    timeline = make_timeline(60_000, [say(30_000, "Shoulders down.", CLIPS)])
    bed = lay_bed([MusicPart(0, (song,))], 60_000, channels=2, duck=duck_curve(timeline, 12.0))
    hop = SAMPLE_RATE // 10
    energy = bed.hop_energies(600, hop)
    level = -0.691 + 10 * np.log10(np.maximum(energy / hop, 1e-30))
    music = VOICE_LUFS + DEFAULT_MUSIC_LEVEL_DB
    assert level[100] == pytest.approx(music, abs=0.01)  # 10 s: full level
    assert level[301] == pytest.approx(music - 12.0, abs=0.01)  # under the cue
    assert level[5] < music - 10  # fading in
    assert level[598] < music - 10  # fading out


def test_songs_that_would_pass_the_ceiling_alone_are_turned_down() -> None:
    a, b = fake_song("a", 30, peak_dbtp=-1.0), fake_song("b", 30, peak_dbtp=-3.0)
    bed = lay_bed([MusicPart(0, (a, b))], 55_000, channels=2, duck=GainCurve.flat(), level_db=0)
    t = np.arange(0, bed.frames, 11)

    def reached(slots: tuple) -> np.ndarray:  # type: ignore[type-arg]
        out = np.zeros(len(t))
        for s in slots:
            inside = (t >= s.start) & (t < s.end)
            out[inside] += s.peak * s.shape(t[inside])
        return out

    allowed = 0.8 * bed.slots[0].peak
    capped = bed.capped(allowed)
    assert reached(capped.slots).max() <= allowed * 1.0001  # crossfades included
    assert capped.slots[0].gain < bed.slots[0].gain
    assert bed.capped(10 * reached(bed.slots).max()) is bed


def test_streaming_music_holds_a_few_windows_in_memory_however_long(tmp_path: Path) -> None:
    """The bed of a track, from songs looping under it, streamed window by window: the memory it
    takes is a few windows' worth for 2 minutes and for 20 (the bench streams two hours), and
    every window is there."""
    songs = tuple(load_songs([make_song(tmp_path / f"{i}.flac", 40, root_hz=200 + 30 * i)
                              for i in range(3)]))  # fmt: skip
    window = frame_of(5000)
    peaks = []
    for minutes in (2, 20):
        bed = lay_bed([MusicPart(0, songs)], minutes * 60_000, channels=2, duck=GainCurve.flat())
        tracemalloc.start()
        try:
            count = 0
            for chunk in bed.windows(window, 1.0):
                assert chunk.shape[1] == 2
                count += 1
            peaks.append(tracemalloc.get_traced_memory()[1])
        finally:
            tracemalloc.stop()
        assert count == -(-bed.frames // window)
    assert max(peaks) < 12 * window * 2 * 4, peaks  # a few float32 stereo windows
    assert peaks[1] < peaks[0] * 1.5, peaks  # ten times the music, not more memory
