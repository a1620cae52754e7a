"""Loudness: the track's level planned from the timeline, so the mix streams in one pass.

The finished file must measure -16 LUFS integrated with true peaks at or below -1 dBTP. Instead of
mixing, measuring and mixing again, the level is predicted from the timeline and each clip's
analysis, and the mixer plays every clip with its final gain already applied. The parts, each a
module owning one thing, in the order data flows through them:

* ``metering``: BS.1770 K-weighting, gated integrated loudness, true peak;
* ``dynamics``: the leveller's compressor and the peak limiter (gain curves);
* ``clipstats``: each clip's analysis (energy profile, loudness, levelled form), once per clip;
* ``plan``: ``plan_gain``, one global gain from the timeline, and each speech clip fitted under
  the peak ceiling;
* ``levels``: what the mixer needs: clips placed on frames, and ``MixLevels``, the plan's result.

The mixer imports ``levels`` only. This package re-exports the public names of all five.
"""

from __future__ import annotations

from audiocoach.loudness.dynamics import MAX_LIMIT_DB, VOICE_LUFS, PeakGuard, limit_peaks
from audiocoach.loudness.levels import (
    ClipKey,
    MixLevels,
    Placement,
    ToneSource,
    event_key,
    frame_of,
    keyed_events,
    placements,
    resolve_clips,
)
from audiocoach.loudness.metering import clip_loudness, integrated_loudness, k_weight, true_peak
from audiocoach.loudness.plan import (
    CEILING_DBTP,
    SHORT_CLIP_MS,
    TARGET_LUFS,
    codec_margins,
    plan_gain,
)

__all__ = [
    "CEILING_DBTP",
    "MAX_LIMIT_DB",
    "SHORT_CLIP_MS",
    "TARGET_LUFS",
    "VOICE_LUFS",
    "ClipKey",
    "MixLevels",
    "PeakGuard",
    "Placement",
    "ToneSource",
    "clip_loudness",
    "codec_margins",
    "event_key",
    "frame_of",
    "integrated_loudness",
    "k_weight",
    "keyed_events",
    "limit_peaks",
    "placements",
    "plan_gain",
    "resolve_clips",
    "true_peak",
]
