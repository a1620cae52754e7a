#!/usr/bin/env python3
"""How well a voice is understood: an independent listener's word error rate, alone and in the mix.

Why this exists: a runner hears each cue once, mid-effort, often over a tick or a breath tone. A
voice that a speech recognizer mishears is a voice a tired listener mishears too, so the word
error rate (WER) of an independent recognizer is the figure this project tracks for "can the coach
be understood". The listener is PocketSphinx with the general US English acoustic and language
model that ships inside its wheel (no grammar, no hints: it does not know what should be said).

For each engine it measures, over the shipped English routines:

* cold synthesis speed: every unique phrase synthesized into an empty cache, as ``plan`` and
  ``render`` do before scheduling, in times real time (seconds of unique speech per second);
* WER of each unique phrase's clip *alone* (padded with silence);
* WER of the same phrase *in the track*: the routine is rendered to MP3, decoded, and the phrase
  cut out at the times the plan gives (up to ``OCCURRENCES`` of them: first, middle, last), with
  whatever tones sound with it; each phrase's clip alone counts as many times as it was cut.

Short cues (one or two words: counts, "Inhale.", "Halfway.") and longer ones are reported apart,
because they fail differently: a tick or a sweep can mask a short word entirely.

WER = (substitutions + deletions + insertions) / reference words, counted over all phrases of a
group (Levenshtein distance on word sequences, via rapidfuzz). References are the exact ``spoken``
texts of the timeline (numbers already in words), lowercased without punctuation.

Run alone: ``python scripts/voice_quality.py --engine espeak --engine piper``; the bench's
``voice`` section calls ``measure`` in a child process.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
import tempfile
import time
from collections.abc import Iterable, Sequence
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
ROUTINES = ROOT / "routines"
#: The shipped English routines, the corpus every engine is measured on.
ENGLISH_ROUTINES = (
    "upper-back-yoga",
    "posture-reset",
    "upper-body-supersets",
    "upper-body-strength",
    "upper-body-power",
)
#: The recognizer's rate (its model is trained on 16 kHz speech).
LISTEN_RATE = 16_000
#: Silence around a phrase handed to the recognizer, and the margin of a cut from the track.
PAD_MS = 200
CUT_MARGIN_MS = 30
#: A cue of at most this many words counts as short.
SHORT_WORDS = 2
#: How many occurrences of a phrase are cut from the track (a count is heard with a tick every
#: time, "Inhale." with a sweep: one cut would say little about the others).
OCCURRENCES = 3

Json = dict[str, Any]

_decoder: Any = None


def _listener() -> Any:
    """One PocketSphinx decoder per process (its model loads in about a second)."""
    global _decoder
    if _decoder is None:
        from pocketsphinx import Decoder

        _decoder = Decoder(logfn="/dev/null")
    return _decoder


def _to_16k(pcm: bytes, rate: int) -> bytes:
    """Resample signed 16-bit mono PCM with ffmpeg (the same resampler for clips and tracks)."""
    from audiocoach.ffmpeg import run_ffmpeg

    args = ["-f", "s16le", "-ar", str(rate), "-ac", "1", "-i", "pipe:0"]
    args += ["-ar", str(LISTEN_RATE), "-f", "s16le", "pipe:1"]
    return run_ffmpeg(args, stdin=pcm, what="resampling for the listener").stdout


def recognize(pcm: bytes, rate: int) -> str:
    """What the listener hears in ``pcm`` (s16le mono at ``rate`` Hz): lowercase words."""
    audio = _to_16k(pcm, rate)
    pad = bytes(2 * LISTEN_RATE * PAD_MS // 1000)
    decoder = _listener()
    decoder.start_utt()
    decoder.process_raw(pad + audio + pad, full_utt=True)
    decoder.end_utt()
    hyp = decoder.hyp()
    return hyp.hypstr if hyp is not None else ""


def words(text: str) -> list[str]:
    """Words for scoring: lowercase, hyphens split, punctuation dropped (apostrophes kept)."""
    text = text.lower().replace("-", " ")
    return re.sub(r"[^a-z' ]+", " ", text).split()


def word_errors(reference: str, heard: str) -> int:
    from rapidfuzz.distance import Levenshtein

    return int(Levenshtein.distance(words(reference), words(heard)))


@dataclass(frozen=True)
class Sample:
    """One phrase to score: the reference (spoken) text, its audio, and how many times it counts."""

    spoken: str
    where: str  # "alone" or "track"
    pcm: bytes
    rate: int
    weight: int = 1
    role: str = ""  # the timeline's role of the phrase (count, countdown, breath, ...)


Row = tuple[str, str, str, int, int, int, str]  # spoken, where, heard, errors, words, weight, role


def _score(sample: Sample) -> Row:
    heard = recognize(sample.pcm, sample.rate)
    return (
        sample.spoken,
        sample.where,
        heard,
        word_errors(sample.spoken, heard),
        len(words(sample.spoken)),
        sample.weight,
        sample.role,
    )


def _wer(rows: Iterable[Row], where: str, short: bool) -> Json:
    picked = [r for r in rows if r[1] == where and (r[4] <= SHORT_WORDS) == short]
    errors = sum(r[3] * r[5] for r in picked)
    total = sum(r[4] * r[5] for r in picked)
    return {
        "phrases": len({r[0] for r in picked}),
        "words": total,
        "errors": errors,
        "wer": errors / total if total else None,
    }


def measure(
    engine: str,
    routines: Sequence[str],
    workdir: Path,
    *,
    jobs: int = 2,
    limit: int | None = None,
) -> Json:
    """Cold synthesis speed and WER alone / in the track for ``engine`` over ``routines``.

    ``limit`` scores only the first that many unique phrases (a smoke test); the synthesis
    figures always cover every phrase of the routines.
    """
    from audiocoach.ffmpeg import decode_pcm
    from audiocoach.pace import PaceOptions
    from audiocoach.render import RenderSettings, Speakers, plan_routine, render_timeline
    from audiocoach.routine import load_routine
    from audiocoach.speech.base import SAMPLE_RATE
    from audiocoach.speech.registry import SpeechSettings

    cache = workdir / f"cache-{engine}"
    speakers = Speakers(SpeechSettings(engine=engine, cache_dir=cache))
    t0 = time.perf_counter()
    planned = [
        plan_routine(load_routine(ROUTINES / f"{n}.yaml"), PaceOptions(), speakers)
        for n in routines
    ]
    synth_s = time.perf_counter() - t0
    unique: dict[str, int] = {}
    for p in planned:
        for event in p.timeline.speech():
            if event.text:
                unique.setdefault(event.spoken or "", p.speaker.clip(event.text).duration_ms)
    speech_s = sum(unique.values()) / 1000

    samples: list[Sample] = []
    seen: set[str] = set()
    for name, p in zip(routines, planned, strict=True):
        out = workdir / f"{engine}-{name}.mp3"
        render_timeline(p.timeline, p.speaker, out, RenderSettings())
        track, rate = decode_pcm(out, sample_rate=SAMPLE_RATE)
        heard: dict[str, list[Any]] = {}
        for event in p.timeline.speech():
            if event.text and words(event.spoken or ""):
                heard.setdefault(event.spoken or "", []).append(event)
        for spoken, events in heard.items():
            if spoken in seen or (limit is not None and len(seen) >= limit):
                continue
            seen.add(spoken)
            picks = sorted({0, len(events) // 2, len(events) - 1})[:OCCURRENCES]
            clip = p.speaker.clip(events[0].text)
            role = events[0].role
            samples.append(Sample(spoken, "alone", clip.pcm, clip.sample_rate, len(picks), role))
            for i in picks:
                event = events[i]
                start = max(0, (event.at_ms - CUT_MARGIN_MS) * rate // 1000)
                end = (event.end_ms + CUT_MARGIN_MS) * rate // 1000
                cut = track[start:end].tobytes()
                samples.append(Sample(spoken, "track", cut, rate, 1, role))
    t1 = time.perf_counter()
    with ProcessPoolExecutor(max_workers=jobs) as pool:
        rows = list(pool.map(_score, samples, chunksize=4))
    listen_s = time.perf_counter() - t1
    first = planned[0].timeline
    return {
        "engine": engine,
        "voice": first.voice,
        "routines": list(routines),
        "unique_phrases": len(unique),
        "unique_speech_s": speech_s,
        "cold_synthesis_s": synth_s,
        "cold_x_realtime": speech_s / synth_s if synth_s else None,
        "wer": {
            where: {
                "short": _wer(rows, where, True),
                "long": _wer(rows, where, False),
            }
            for where in ("alone", "track")
        },
        "by_role": {
            f"{role}, {'short' if short else 'long'}": {
                where: _wer([r for r in rows if r[6] == role], where, short)
                for where in ("alone", "track")
            }
            for role, short in sorted({(r[6], r[4] <= SHORT_WORDS) for r in rows})
            if role
        },
        "listen_s": listen_s,
        "worst": [
            {"spoken": r[0], "where": r[1], "heard": r[2], "errors": r[3], "words": r[4]}
            for r in sorted(rows, key=lambda r: r[3] / max(1, r[4]), reverse=True)[:12]
        ],
    }


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--engine", action="append", help="engine(s) to measure (default all)")
    parser.add_argument("--routine", action="append", choices=ENGLISH_ROUTINES)
    parser.add_argument("--jobs", type=int, default=2)
    parser.add_argument("--limit", type=int, default=None, help="score only N unique phrases")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="audiocoach-voice-") as tmp:
        for engine in args.engine or ["espeak", "piper"]:
            routines = args.routine or ENGLISH_ROUTINES
            report = measure(engine, routines, Path(tmp), jobs=args.jobs, limit=args.limit)
            print(json.dumps(report, indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main())
