"""Ducking: the music's gain under the coach, worked out from the timeline before a sample plays.

A live app lowers the music when it hears the voice (a sidechain compressor), so the first
syllable is always clipped by the music still at full level, and close cues make the music
pump. The timeline knows every word's start and end in advance, so here the music is already
down when the coach starts, and stays down between cues too close together to be worth coming
back up for:

* for each speech event, the music ramps down over ``ATTACK_MS`` to ``depth_db`` below its level,
  reaching it ``LEAD_MS`` before the clip starts (a clip opens with 15 ms of air, so the music is
  down well before the first syllable), stays down until ``HOLD_MS`` after the clip ends, then
  ramps back up over ``RELEASE_MS``;
* two dips whose full-level stretch between them would last less than ``MERGE_MS`` become one:
  counted reps, breath cues and a countdown get one dip, not one per word.

Ramps are straight lines in dB (a fade the ear hears as even), so the curve is a list of corner
points (``GainCurve``), and the mixer evaluates it only where it moves.

Tones do not duck. They are short and mark time (a tick on every rep, pips of a countdown): a dip
for each would make the music pump on every beat, which is what the merging exists to prevent,
and the counts and cues that go with them already duck. The chimes and bell are designed to be
heard over the voice level, which the music sits under (``bed.DEFAULT_MUSIC_LEVEL_DB``).
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass

import numpy as np

from audiocoach.loudness.levels import frame_of
from audiocoach.timeline import Timeline

__all__ = [
    "ATTACK_MS",
    "DEFAULT_DUCK_DB",
    "HOLD_MS",
    "LEAD_MS",
    "MERGE_MS",
    "RELEASE_MS",
    "GainCurve",
    "duck_curve",
]

#: How far the music goes down under speech. With the music 3 dB under the voice between cues
#: (``bed.DEFAULT_MUSIC_LEVEL_DB``), 15 dB puts it 18 LU under the voice while the coach speaks:
#: background music 15-20 LU under speech keeps speech easy to follow for most listeners
#: (broadcasters' mixing guidance), and a runner hears it over traffic and breath.
DEFAULT_DUCK_DB = 15.0
#: The music is fully down this long before a clip starts.
LEAD_MS = 60
#: Ramp down over this (fast enough to fit before a cue that follows a pause of half a second).
ATTACK_MS = 300
#: The music stays down this long after a clip ends (the voice's last consonant and room).
HOLD_MS = 150
#: Ramp back up over this: slower than the attack, so the return is not heard as a jump.
RELEASE_MS = 800
#: Dips separated by less full-level music than this are joined into one (no pumping).
MERGE_MS = 3000


@dataclass(frozen=True, slots=True, eq=False)
class GainCurve:
    """A gain in dB over frames of the track: straight lines between corner points.

    ``x`` (frames, increasing) and ``y`` (dB) are the corners; before the first and after the
    last the gain holds. An empty curve is 0 dB everywhere.
    """

    x: np.ndarray
    y: np.ndarray

    @classmethod
    def flat(cls) -> GainCurve:
        return cls(np.zeros(0, dtype=np.int64), np.zeros(0))

    def db_at(self, frames: np.ndarray) -> np.ndarray:
        """The gain (dB) at each of ``frames``."""
        if len(self.x) == 0:
            return np.zeros(len(frames))
        return np.interp(frames, self.x, self.y)

    def max_db(self, lo: int, hi: int) -> float:
        """The highest gain (dB) anywhere in frames ``[lo, hi]``."""
        if len(self.x) == 0:
            return 0.0
        inside = self.y[(self.x > lo) & (self.x < hi)]
        ends = self.db_at(np.array([lo, hi], dtype=np.float64))
        return float(max(ends.max(), inside.max() if len(inside) else -np.inf))

    def linear(self, lo: int, hi: int) -> float | np.ndarray:
        """Amplitude gain for frames ``[lo, hi)``: one number if it holds still there, else one
        value per frame (float32), computed only across the ramps."""
        if len(self.x) == 0:
            return 1.0
        n = hi - lo
        i = int(np.searchsorted(self.x, lo, side="right"))
        j = int(np.searchsorted(self.x, hi, side="left"))
        first = float(np.interp(lo, self.x, self.y))
        if i >= j:  # no corner strictly inside
            last = float(np.interp(hi, self.x, self.y))
            if first == last:
                return float(10 ** (first / 20))
        out = np.empty(n, dtype=np.float32)
        edges = [lo, *(int(v) for v in self.x[i:j]), hi]
        for a, b in itertools.pairwise(edges):
            if b <= a:
                continue
            db_a = float(np.interp(a, self.x, self.y))
            db_b = float(np.interp(b, self.x, self.y))
            if db_a == db_b:
                out[a - lo : b - lo] = 10 ** (db_a / 20)
            else:
                ramp = np.linspace(db_a, db_b, b - a, endpoint=False, dtype=np.float32)
                out[a - lo : b - lo] = np.power(np.float32(10), ramp / np.float32(20))
        return out


def duck_curve(timeline: Timeline, depth_db: float = DEFAULT_DUCK_DB) -> GainCurve:
    """The music's ducking gain (0 dB or down to ``-depth_db``) over ``timeline``, in frames.

    Only speech ducks (see the module docstring for why tones do not). ``depth_db`` 0 gives a
    flat curve.
    """
    if depth_db <= 0:
        return GainCurve.flat()
    spans = sorted(
        (e.at_ms, e.end_ms)
        for e in timeline.events
        if e.kind == "speech" and e.text and e.duration_ms > 0
    )
    dips: list[list[int]] = []  # [first ms fully down, last ms fully down]
    for start, end in spans:
        down, up = start - LEAD_MS, end + HOLD_MS
        if dips and down - ATTACK_MS - (dips[-1][1] + RELEASE_MS) < MERGE_MS:
            dips[-1][1] = max(dips[-1][1], up)
        else:
            dips.append([down, up])
    xs: list[int] = []
    ys: list[float] = []
    for down, up in dips:
        xs += [frame_of(down - ATTACK_MS), frame_of(down), frame_of(up), frame_of(up + RELEASE_MS)]
        ys += [0.0, -depth_db, -depth_db, 0.0]
    return GainCurve(np.array(xs, dtype=np.int64), np.array(ys, dtype=np.float64))
