"""What Piper's generator noise does to clips, and what switching it off costs.

A VITS voice draws noise for phoneme durations (``noise_w``) and for timbre (``noise_scale``), so
the same text gives another clip each time. This measures, for several settings of the two:

* ``spread``: over N syntheses of a few routine phrases, the spread of the finished clip's length
  (ms, after trimming: what the scheduler plans with) and of its loudness (LUFS);
* ``wer``: the word error rate of an independent recognizer (PocketSphinx's general US English
  model, no grammar) on a sample of the shipped routines' phrases, short cues (one or two words)
  and longer ones apart;
* ``pitch``: the pitch range (5th to 95th percentile, semitones) of the longer phrases, a sign of
  whether the voice goes flat without noise.

    PYTHONPATH=. python scripts/piper_noise.py spread --runs 20
    PYTHONPATH=. python scripts/piper_noise.py wer --phrases 40 --runs 3
    PYTHONPATH=. python scripts/piper_noise.py pitch

Needs ``pocketsphinx`` and ``num2words`` for ``wer`` (not runtime dependencies).
"""

from __future__ import annotations

import argparse
import re
import sys
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
SETTINGS = [(0.667, 0.8), (0.667, 0.0), (0.333, 0.0), (0.0, 0.0)]
#: The shipped English routines (the bundled voice is English).
ENGLISH_ROUTINES = (
    "upper-back-yoga",
    "posture-reset",
    "upper-body-supersets",
    "upper-body-strength",
    "upper-body-power",
)
SPREAD_PHRASES = [
    "three",
    "Inhale.",
    "Rest, thirty seconds.",
    "Next up: Chin-Up, set two of four.",
    "Grab the bar with your palms facing you and start by squeezing your shoulder blades together.",
]


def routine_phrases() -> list[str]:
    """Every distinct spoken phrase of the shipped English routines, from an estimated plan."""
    from audiocoach.pace import PaceOptions
    from audiocoach.render import estimated_timeline
    from audiocoach.routine import load_routine
    from audiocoach.speech.text import speakable

    found: dict[str, None] = {}
    for name in ENGLISH_ROUTINES:
        path = ROOT / "routines" / f"{name}.yaml"
        for text in estimated_timeline(load_routine(path), PaceOptions()).utterances():
            spoken = speakable(text)
            if spoken:
                found[spoken] = None
    return list(found)


class Voice:
    """The bundled voice with the noise set per call, finished as audiocoach finishes it."""

    def __init__(self) -> None:
        from audiocoach.speech.piper_engine import _load
        from audiocoach.speech.piper_voices import bundled_models

        (self.model,) = bundled_models()
        self.voice = _load(self.model)

    def raw(self, text: str, noise_scale: float, noise_w: float) -> np.ndarray:
        from piper import SynthesisConfig

        config = SynthesisConfig(
            noise_scale=noise_scale, noise_w_scale=noise_w, normalize_audio=False
        )
        return np.concatenate([c.audio_float_array for c in self.voice.synthesize(text, config)])

    def clip(self, text: str, noise_scale: float, noise_w: float) -> tuple[int, np.ndarray]:
        """(raw length in samples, finished clip as floats at the mix rate)."""
        from audiocoach.speech.finish import finish_speech

        audio = self.raw(text, noise_scale, noise_w)
        pcm = np.rint(np.clip(audio, -1, 1) * 32767).astype(np.int16)
        clip = finish_speech(pcm, self.model.sample_rate)
        return len(audio), np.frombuffer(clip.pcm, "<i2").astype(np.float32) / 32768


def spread(runs: int) -> None:
    from audiocoach.loudness import clip_loudness

    voice = Voice()
    for noise_scale, noise_w in SETTINGS:
        print(f"noise_scale={noise_scale} noise_w={noise_w}")
        for text in SPREAD_PHRASES:
            raws, lengths, levels = [], [], []
            for _ in range(runs):
                raw, x = voice.clip(text, noise_scale, noise_w)
                raws.append(raw)
                lengths.append(len(x) * 1000 / 44100)
                levels.append(clip_loudness(x))
            ms, lufs = np.array(lengths), np.array(levels)
            print(
                f"  {text[:36]:<36} raw {min(raws)}..{max(raws)} samples; clip "
                f"{ms.mean():6.0f} ms, range {ms.max() - ms.min():4.0f} ms, sd {ms.std():5.1f}; "
                f"{lufs.mean():6.2f} LUFS, range {lufs.max() - lufs.min():.2f}, sd {lufs.std():.2f}"
            )


def _words(text: str) -> list[str]:
    from num2words import num2words

    text = re.sub(r"\d+", lambda m: num2words(int(m.group())), text.lower().replace("-", " "))
    return re.sub(r"[^a-z' ]", " ", text).split()


def wer(count: int, runs: int) -> None:
    try:
        from pocketsphinx import Decoder
    except ImportError:
        sys.exit("wer needs pocketsphinx: pip install pocketsphinx")
    from rapidfuzz.distance import Levenshtein

    from audiocoach.ffmpeg import run_ffmpeg

    decoder = Decoder(loglevel="FATAL")
    phrases = routine_phrases()
    rng = np.random.default_rng(1)
    sample = [phrases[i] for i in sorted(rng.choice(len(phrases), count, replace=False))]
    voice = Voice()
    raw = ["-f", "s16le", "-ac", "1"]
    for noise_scale, noise_w in SETTINGS:
        errors = {"short": 0, "long": 0}
        words = {"short": 0, "long": 0}
        for text in sample:
            said = _words(text)
            kind = "short" if len(said) <= 2 else "long"
            for _ in range(runs):
                _, x = voice.clip(text, noise_scale, noise_w)
                pcm16 = (x * 32767).astype("<i2").tobytes()
                args = [*raw, "-ar", "44100", "-i", "pipe:0", *raw, "-ar", "16000", "pipe:1"]
                pcm = run_ffmpeg(args, stdin=pcm16, what="resampling").stdout
                decoder.start_utt()
                decoder.process_raw(pcm, full_utt=True)
                decoder.end_utt()
                heard = _words(decoder.hyp().hypstr if decoder.hyp() else "")
                errors[kind] += Levenshtein.distance(said, heard)
                words[kind] += len(said)
        total = (errors["short"] + errors["long"]) / (words["short"] + words["long"])
        print(
            f"noise_scale={noise_scale} noise_w={noise_w}: word error rate "
            f"long {errors['long'] / max(1, words['long']):.3f} ({words['long']} words), "
            f"short {errors['short'] / max(1, words['short']):.3f} ({words['short']} words), "
            f"all {total:.3f}"
        )


def _f0(audio: np.ndarray, rate: int) -> np.ndarray:
    """Frame pitches (Hz) by autocorrelation, 40 ms frames every 10 ms, voiced frames only."""
    size, hop, low, high = int(0.04 * rate), int(0.01 * rate), rate // 300, rate // 70
    found = []
    for start in range(0, len(audio) - size, hop):
        frame = audio[start : start + size] - audio[start : start + size].mean()
        if float(np.dot(frame, frame)) < 1e-4:
            continue
        ac = np.correlate(frame, frame, "full")[size - 1 :]
        ac /= ac[0]
        lag = low + int(np.argmax(ac[low:high]))
        if ac[lag] > 0.6:
            found.append(rate / lag)
    return np.array(found)


def pitch() -> None:
    voice = Voice()
    long = [p for p in routine_phrases() if len(p.split()) >= 4]
    rng = np.random.default_rng(2)
    sample = [long[i] for i in rng.choice(len(long), 20, replace=False)]
    for noise_scale, noise_w in SETTINGS:
        ranges = []
        for text in sample:
            f0 = _f0(voice.raw(text, noise_scale, noise_w), voice.model.sample_rate)
            semitones = 12 * np.log2(f0 / np.median(f0))
            ranges.append(np.percentile(semitones, 95) - np.percentile(semitones, 5))
        print(
            f"noise_scale={noise_scale} noise_w={noise_w}: pitch range (5-95%) "
            f"{np.mean(ranges):.1f} semitones over {len(sample)} phrases"
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("what", choices=["spread", "wer", "pitch"])
    parser.add_argument("--runs", type=int, default=None, help="syntheses per phrase")
    parser.add_argument("--phrases", type=int, default=40, help="phrases sampled for wer")
    args = parser.parse_args()
    if args.what == "spread":
        spread(args.runs or 20)
    elif args.what == "wer":
        wer(args.phrases, args.runs or 3)
    else:
        pitch()


if __name__ == "__main__":
    main()
