"""Loudness: one gain for the whole track, planned from the timeline before a sample is mixed.

The finished file must measure -16 LUFS integrated (within 1 LU) with true peaks at or below
-1 dBTP, by ffmpeg's ``ebur128`` on the encoded MP3. The obvious way, mixing everything, measuring,
and mixing again (or ffmpeg's two-pass ``loudnorm``), costs a second full pass, and a render must
stream in one pass at barely more than the encoder's own speed. So the level is *predicted*:

1. Every distinct clip is analysed once (cached by content): its K-weighted energy (BS.1770's two
   filters, applied through the spectrum of 11.6 ms frames) per block of 16 samples, kept as a
   running sum, and its gated loudness. A track has hundreds of events but only dozens of
   distinct clips, each a few seconds long, so this is the only pass over samples the encoder
   has to wait for.
2. Speech clips are normalised to ``VOICE_LUFS``, so every utterance (and every engine) sounds
   equally loud; tones keep their designed levels, which are set against that voice level.
3. The track's integrated loudness is computed *from the timeline*: each event adds its clip's
   energy to the 100 ms hops it covers (from the running sums), 400 ms blocks are four hops, and
   the -70 LUFS absolute and -10 LU relative gates apply as in BS.1770 / EBU R128. Cross-terms
   between overlapping events are ignored: speech never overlaps speech, and a tone under a word
   is uncorrelated with it, so their cross-energy averages out.
4. One global gain moves that prediction to the target (plus what the codec will take, see
   ``codec_margins``).

Peaks: at -16 LUFS the ceiling (``CEILING_DBTP``, -2 dBTP, 1 dB under the spec for encoder
overshoot) leaves speech a peak-to-loudness ratio of about 12 dB, and synthetic voices come with
13-19 (espeak: 17 in the median). Two stages take it down, both gain curves in the dB domain,
vectorised, and smoothed over at least a pitch period (a gain that moves within one modulates the
waveform, heard on headphones as a harmonic crunch):

* a *leveller*, a soft-knee 3:1 compressor on each clip's short-term loudness (attack ~5 ms,
  release 6 dB per 100 ms), evens out its syllables; its curve depends only on the clip, so it is
  made while planning and the plan sees each clip's energy as it will sound;
* each clip is then *fitted*: its true-peak envelope is compared, block by block, with the room
  left under the ceiling by whatever sounds with it (tones' envelopes summed in), and where it
  does not fit it goes through a look-ahead limiter whose release (10 dB per 33 ms) holds the gain
  through a voiced stretch rather than following the glottal pulses, and gets make-up gain back
  to the voice level, the pair solved per clip.

On the shipped routines the leveller takes 8 dB from the loudest syllables in the median and the
limiter 4 from the peaks (it took 8 alone, with a release fast enough to follow the pitch), and
what the gain adds beyond a smooth level change fell from -23 to -40 dB of the speech
(``tests/test_loudness.py`` holds that figure). A fitted clip keeps its loudness, so the gain
planned above stands, and the fitting can wait until the mixer first plays the clip, running
while ffmpeg encodes on the other core. Short clips are the exception: limiting lifts a word's
quiet edges, and in a sparse stretch of counts that moves partly filled blocks across the
relative gate, so clips under ``SHORT_CLIP_MS`` are fitted while planning and the gain solved
again (a few rounds of arithmetic).

``tests/test_loudness.py`` holds the predictions to ffmpeg's measurement of real renders: within
0.1 LU before encoding, 0.3 LU on the MP3, true peak at or below -1 dBTP.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from functools import lru_cache
from types import MappingProxyType

import numpy as np

from audiocoach.errors import AudiocoachError
from audiocoach.speech.base import SAMPLE_RATE, Clip
from audiocoach.timeline import Event, Timeline
from audiocoach.tones import tone_clip

__all__ = [
    "CEILING_DBTP",
    "SHORT_CLIP_MS",
    "TARGET_LUFS",
    "VOICE_LUFS",
    "ClipKey",
    "MixLevels",
    "Placement",
    "ToneSource",
    "clip_loudness",
    "codec_margins",
    "event_key",
    "frame_of",
    "integrated_loudness",
    "k_weight",
    "limit_peaks",
    "placements",
    "plan_gain",
    "resolve_clips",
    "true_peak",
]

#: Integrated loudness of the finished track (the usual target for spoken podcasts).
TARGET_LUFS = -16.0
#: Highest true peak the plan allows before encoding; the spec is -1 dBTP on the *encoded* file,
#: and MP3 encoding overshoots limited speech by a few tenths of a dB, so plan 1 dB under it.
CEILING_DBTP = -2.0
#: Every speech clip is brought to this gated loudness before the global gain; tone levels are
#: set against it (see ``tones.LEVEL_DBFS``).
VOICE_LUFS = -18.0
#: A nearly silent clip is not blown up into audible noise.
MAX_NORMALISE_DB = 30.0
#: The most the limiter takes from any moment of a clip; a clip needing more (a voice far peakier
#: than espeak's, or very crowded by tones) stays under the voice level instead of being crushed.
MAX_LIMIT_DB = 20.0
#: Speech clips shorter than this are fitted while planning, not in the mixer (see above).
SHORT_CLIP_MS = 1500

_ABS_GATE_LUFS = -70.0
_REL_GATE_LU = -10.0
_BLOCK_HOPS = 4  # 400 ms blocks, 100 ms hops (75 % overlap)
_BLOCK = 16  # energy, envelopes and limiter gain per 16 samples (0.36 ms)
_BLOCKS_PER_MS = SAMPLE_RATE / 1000 / _BLOCK
# Speech dynamics (see "Peaks" above). Every gain curve is smoothed by a triangle (two boxcar
# passes) at least as long as the pitch periods it must not follow: a gain that moves within one
# period of the voice (4-10 ms at 100-250 Hz) modulates the waveform, heard as harmonic crunch.
# Leveller: a soft-knee compressor on the voice's short-term loudness, evening out syllables so the
# limiter has less to do. Threshold and ratio measured on the shipped routines' espeak clips: loud
# syllables sit 6-9 LU over a clip's gated loudness, and 3:1 from 4 LU under it takes about 2 dB
# off the peak-to-loudness ratio and halves the limiter's median depth (8 dB to 4).
_COMP_THRESHOLD_LU = -4.0  # short-term level, relative to VOICE_LUFS, where compression starts
_COMP_RATIO = 3.0
_COMP_KNEE_DB = 6.0  # soft knee: the ratio eases in over 6 dB around the threshold
_COMP_WINDOW_MS = 20.0  # level detector: mean square over a 20 ms triangle (two 10 ms boxcars,
#                         zeros at multiples of 100 Hz: the level does not ripple with the pitch)
_COMP_ATTACK_DB_PER_MS = 1.0  # gain falls ahead of a loud syllable at up to 1 dB/ms (~5 ms)
_COMP_RELEASE_DB_PER_MS = 0.06  # and recovers at 6 dB per 100 ms after it
_COMP_SMOOTH_MS = 20.0  # its gain curve is smoothed over a 20 ms triangle
# Limiter, after the leveller: what still pokes over the room. Look-ahead (the attack ramp plus the
# smoothing's hold) of several ms; the release, 10 dB per 33 ms, spans several pitch periods, so
# the gain stays down through a voiced stretch instead of dipping at every glottal pulse.
_ATTACK_DB_PER_MS = 3.0  # limiter: how fast the gain may fall ahead of a peak
_RELEASE_DB_PER_MS = 0.3  # and how fast it recovers after one
_SMOOTH_MS = 10.0  # its gain curve is smoothed over a 10 ms triangle (held: no peak gets through)
_LEVEL_TOLERANCE_LU = 0.05  # how closely a limited clip is brought back to the voice level
# Where 1 dB more gain adds less loudness than this, the limiter is holding the whole word down
# (a short word crowded by a tone: its peaks are its body) and the rest comes from lifting its quiet
# edges; the search stops there rather than limit up to MAX_LIMIT_DB for the last tenths of a LU.
_MIN_RETURN_LU_PER_DB = 0.1
_REFIT_DB = 0.05  # a gain change this small leaves fitted clips as they are (1 dB of margin)
_TP_HALF_TAPS = 6  # true-peak interpolation kernel: 12 taps per phase
_TP_PHASES = (0.25, 0.5, 0.75)  # 4x oversampling

#: ``("speech", text, 0)`` or ``("tone", name, duration_ms)``: one distinct sound in the mix.
ClipKey = tuple[str, str, int]
#: Where tones come from: ``tones.tone_clip`` unless a test injects its own.
ToneSource = Callable[[str, int], Clip]


# --- what the encoder does to levels ------------------------------------------------------------


def _kbps(bitrate: str) -> float | None:
    text = bitrate.strip().lower()
    scale = 1.0
    if text.endswith("k"):
        text = text[:-1]
    elif text.endswith("m"):
        text, scale = text[:-1], 1000.0
    else:
        scale = 0.001
    try:
        return float(text) * scale
    except ValueError:
        return None


def codec_margins(fmt: str = "mp3", bitrate: str = "128k") -> tuple[float, float]:
    """``(loudness_loss_db, peak_allowance_db)`` of encoding to ``fmt`` at ``bitrate``.

    Measured with the bundled ffmpeg on limited speech at -16 LUFS: LAME at 160 kb/s and below
    takes about 0.4 dB off the level (its quantiser rounds towards zero; 256 kb/s and up takes
    nothing), so the plan aims that much higher. Encoders also overshoot peaks: LAME as
    ``encode`` runs it stays under the PCM's peak from 96 kb/s up but not at 64 kb/s, and
    low-bitrate Vorbis, Opus and above all AAC overshoot more (AAC at 64 kb/s by 3.5 dB), so the
    plan keeps that much more headroom for them. Lossless formats change nothing.
    """
    kbps = _kbps(bitrate) or 128.0
    name = fmt.lower()
    if name == "mp3":
        loss = 0.4 if kbps <= 160 else 0.3 if kbps <= 192 else 0.15 if kbps <= 224 else 0.0
        return loss, 1.0 if kbps < 96 else 0.0
    if name in ("ogg", "opus"):
        return 0.05, 1.0 if kbps < 96 else 0.0
    if name == "m4a":
        return 0.05, 3.0 if kbps < 96 else 0.5
    return 0.0, 0.0


# --- timeline -> clips --------------------------------------------------------------------------


def frame_of(ms: int, sample_rate: int = SAMPLE_RATE) -> int:
    """The frame at which millisecond ``ms`` starts: ``round(ms * rate / 1000)``, halves up.

    The single rounding rule shared by the mixer (where a clip starts), the loudness plan and the
    total length, so an event lands on the same sample everywhere.
    """
    return (ms * sample_rate + 500) // 1000


def event_key(event: Event) -> ClipKey | None:
    """Which clip an event plays, or None for an event that makes no sound (empty speech)."""
    if event.kind == "speech":
        return ("speech", event.text, 0) if event.text else None
    if event.kind == "tone":
        if not event.tone:
            raise AudiocoachError(f"tone event at {event.at_ms} ms names no tone")
        return ("tone", event.tone, int(event.duration_ms))
    raise AudiocoachError(f"unknown event kind {event.kind!r} at {event.at_ms} ms")


def resolve_clips(
    timeline: Timeline, clips: Mapping[str, Clip], tones: ToneSource = tone_clip
) -> dict[ClipKey, Clip]:
    """Every distinct clip the timeline plays, keyed by ``event_key``.

    ``clips`` maps spoken text to its clip; tones come from ``tones``. Checks the contract the
    mixer relies on (every text has a clip, every clip is at the mix rate) once, up front, so a
    missing clip fails before ffmpeg starts rather than minutes into a render.
    """
    out: dict[ClipKey, Clip] = {}
    for event in timeline.events:
        key = event_key(event)
        if key is None or key in out:
            continue
        kind, name, length = key
        if kind == "speech":
            clip = clips.get(name)
            if clip is None:
                raise AudiocoachError(f"no speech clip for {name!r}")
        else:
            clip = tones(name, length)
        if clip.sample_rate != SAMPLE_RATE:
            raise AudiocoachError(
                f"clip for {name!r} is at {clip.sample_rate} Hz; the mix runs at {SAMPLE_RATE} Hz"
            )
        out[key] = clip
    return out


@dataclass(frozen=True, slots=True)
class Placement:
    """One sounding event: its clip and the frame where the clip's first sample plays."""

    start: int
    key: ClipKey


def placements(timeline: Timeline) -> list[Placement]:
    """Sounding events in time order, with their start frames."""
    out = [
        Placement(frame_of(e.at_ms), key)
        for e in timeline.events
        if (key := event_key(e)) is not None
    ]
    out.sort(key=lambda p: p.start)
    return out


# --- BS.1770 measurement primitives -------------------------------------------------------------


def _k_weighting_biquads(rate: int) -> tuple[tuple[np.ndarray, np.ndarray], ...]:
    """The BS.1770 pre-filter (high shelf) and RLB high-pass for any sample rate.

    Derived from the analogue prototypes the way libebur128 (and so ffmpeg) does, rather than
    using the 48 kHz table from the standard: the mix runs at 44.1 kHz.
    """
    f0, gain_db, q = 1681.974450955533, 3.999843853973347, 0.7071752369554196
    k = math.tan(math.pi * f0 / rate)
    vh = 10 ** (gain_db / 20)
    vb = vh**0.4996667741545416
    a0 = 1 + k / q + k * k
    shelf_b = np.array(
        [(vh + vb * k / q + k * k) / a0, 2 * (k * k - vh) / a0, (vh - vb * k / q + k * k) / a0]
    )
    shelf_a = np.array([1.0, 2 * (k * k - 1) / a0, (1 - k / q + k * k) / a0])
    f0, q = 38.13547087602444, 0.5003270373238773
    k = math.tan(math.pi * f0 / rate)
    a0 = 1 + k / q + k * k
    hp_b = np.array([1.0, -2.0, 1.0])
    hp_a = np.array([1.0, 2 * (k * k - 1) / a0, (1 - k / q + k * k) / a0])
    return (shelf_b, shelf_a), (hp_b, hp_a)


@lru_cache(maxsize=64)
def _k_response(size: int, rate: int) -> np.ndarray:
    """The K-weighting filters' frequency response at the ``rfft`` bins of a ``size``-point FFT."""
    z = np.exp(-1j * np.pi * np.arange(size // 2 + 1) / (size / 2))  # z**-1 on the unit circle
    response = np.ones(size // 2 + 1, dtype=np.complex128)
    for b, a in _k_weighting_biquads(rate):
        response *= (b[0] + b[1] * z + b[2] * z * z) / (a[0] + a[1] * z + a[2] * z * z)
    return response.astype(np.complex64)


def _fft_size(n: int) -> int:
    """Smallest 2**k or 3 * 2**k at or above ``n``: fast for pocketfft, few distinct sizes."""
    size = 1 << max(0, (n - 1).bit_length())
    three = 3 * (size // 4)
    return three if three >= n else size


#: Samples of K-weighting tail kept beyond a clip (the RLB high-pass rings for ~4000 samples).
_K_TAIL = 4096


def k_weight(samples: np.ndarray, rate: int = SAMPLE_RATE) -> np.ndarray:
    """K-weighted copy of ``samples`` (floats, full scale 1.0), same length, zero initial state.

    Filtering in the frequency domain with zero padding equals running the two IIR biquads, to
    within their decayed tail: numpy has no recursive filter, and a Python loop would take a
    fifth of a second per clip.
    """
    x = np.asarray(samples, dtype=np.float32)
    n = len(x)
    if n == 0:
        return x
    size = _fft_size(n + _K_TAIL)
    return np.fft.irfft(np.fft.rfft(x, size) * _k_response(size, rate), size)[:n]


#: Frame length for K-weighting clips by their spectrum (11.6 ms at 44.1 kHz).
_K_FRAME = 512


def _k_block_energy(x: np.ndarray, rate: int = SAMPLE_RATE) -> np.ndarray:
    """K-weighted energy of each ``_BLOCK``-sample block of ``x``, the fast way.

    Each 512-sample frame's K-weighted energy is its power spectrum weighted by the filter's
    squared response (Parseval), and is shared among the frame's blocks in proportion to their
    raw energy. Against filtering the clip exactly (``k_weight``) a clip's loudness agrees to
    0.01 dB and 100 ms hops to a few tenths on quiet ones, at a fifth of the cost: the plan runs
    before the encoder starts, so every millisecond here is wall time.
    """
    n = len(x)
    frames = -(-n // _K_FRAME)
    padded = np.zeros(frames * _K_FRAME, dtype=np.float32)
    padded[:n] = x
    spectrum = np.fft.rfft(padded.reshape(frames, _K_FRAME), axis=1)
    power = np.square(spectrum.real) + np.square(spectrum.imag)
    k_frame = power @ _k_power_weights(_K_FRAME, rate)
    raw = np.square(padded).reshape(-1, _BLOCK).sum(axis=1, dtype=np.float64)
    per_frame = raw.reshape(frames, _K_FRAME // _BLOCK)
    total = per_frame.sum(axis=1)
    ratio = np.divide(k_frame, total, out=np.zeros_like(total), where=total > 0)
    return (per_frame * ratio[:, None]).ravel()[: -(-n // _BLOCK)]


@lru_cache(maxsize=8)
def _k_power_weights(size: int, rate: int) -> np.ndarray:
    """Squared K response per ``rfft`` bin, scaled so that weights @ |X|**2 is an energy."""
    weights = np.abs(_k_response(size, rate).astype(np.complex128)) ** 2 * (2.0 / size)
    weights[0] /= 2
    if size % 2 == 0:
        weights[-1] /= 2
    return weights


def _block_powers(energy: np.ndarray, hop: int) -> np.ndarray:
    """Mean-square power of each full 400 ms block (100 ms hop) of per-sample energies."""
    hops = len(energy) // hop
    per_hop = energy[: hops * hop].reshape(hops, hop).sum(axis=1, dtype=np.float64)
    return _blocks_from_hops(per_hop, hop)


def _blocks_from_hops(per_hop: np.ndarray, hop: int) -> np.ndarray:
    if len(per_hop) < _BLOCK_HOPS:
        return np.zeros(0)
    c = np.concatenate([[0.0], np.cumsum(per_hop)])
    return (c[_BLOCK_HOPS:] - c[:-_BLOCK_HOPS]) / (_BLOCK_HOPS * hop)


def _to_lufs(power: float) -> float:
    return -0.691 + 10 * math.log10(power) if power > 0 else -math.inf


def _gated_loudness(powers: np.ndarray) -> float:
    """BS.1770 integrated loudness of block powers: absolute then relative gate."""
    if len(powers) == 0:
        return -math.inf
    kept = powers[powers > 10 ** ((_ABS_GATE_LUFS + 0.691) / 10)]
    if len(kept) == 0:
        return -math.inf
    relative = 10 ** ((_to_lufs(float(kept.mean())) + _REL_GATE_LU + 0.691) / 10)
    gated = kept[kept > relative]
    return _to_lufs(float(gated.mean())) if len(gated) else -math.inf


def _energy(samples: np.ndarray, rate: int = SAMPLE_RATE) -> np.ndarray:
    y = k_weight(samples, rate)
    return np.square(y, dtype=np.float32)


def integrated_loudness(samples: np.ndarray, rate: int = SAMPLE_RATE) -> float:
    """Integrated loudness (LUFS) of a whole mono signal (floats, full scale 1.0)."""
    return _gated_loudness(_block_powers(_energy(samples, rate), rate // 10))


def clip_loudness(samples: np.ndarray) -> float:
    """Gated loudness of one clip at the mix rate, as speech clips are normalised by it.

    BS.1770 gating over the clip's own 400 ms blocks; a clip shorter than one block (a count word)
    is one block of its own length, so "two" is held to the same level as a sentence.
    """
    return _level_of_blocks(_per_block(_energy(samples)), len(samples))


@lru_cache(maxsize=4)
def _tp_kernel(half: int = _TP_HALF_TAPS) -> np.ndarray:
    """Windowed-sinc interpolators for the fractional positions of 4x oversampling (taps x 3)."""
    taps = np.arange(-half + 1, half + 1, dtype=np.float64)
    rows = []
    for d in _TP_PHASES:
        t = taps - d
        window = 0.5 + 0.5 * np.cos(np.pi * t / (half + 0.5))
        rows.append(np.sinc(t) * window)
    return np.array(rows, dtype=np.float32).T.copy()


def _peak_envelope(x: np.ndarray, floor: float) -> np.ndarray:
    """Per-sample true-peak envelope: ``max(|x[i]|, interpolated peaks either side of i)``.

    Interpolates (4x, windowed sinc) only next to samples at or above ``floor``: an inter-sample
    peak 6 dB over both of its neighbours needs near-Nyquist content speech does not have. That
    keeps it to a small fraction of the samples.
    """
    x = np.asarray(x, dtype=np.float32)
    env = np.abs(x)
    n = len(x)
    if n < 2:
        return env
    loud = env >= floor
    starts = np.flatnonzero(loud[:-1] | loud[1:])  # the interval i..i+1 has a loud end
    if len(starts) == 0:
        return env
    half = _TP_HALF_TAPS
    padded = np.concatenate([np.zeros(half - 1, np.float32), x, np.zeros(half, np.float32)])
    windows = np.lib.stride_tricks.sliding_window_view(padded, 2 * half)[starts]
    between = np.abs(windows @ _tp_kernel(half)).max(axis=1)
    env[starts] = np.maximum(env[starts], between)
    env[starts + 1] = np.maximum(env[starts + 1], between)
    return env


def true_peak(samples: np.ndarray) -> float:
    """True peak (linear, full scale 1.0), 4x oversampled as in BS.1770 Annex 2."""
    x = np.asarray(samples)
    if len(x) == 0:
        return 0.0
    sample_peak = float(np.max(np.abs(x)))
    if sample_peak == 0.0:
        return 0.0
    return float(_peak_envelope(x, sample_peak / 2).max())


def _sliding_min(a: np.ndarray, half: int) -> np.ndarray:
    """Minimum over ``a[i-half .. i+half]`` for every i, in O(n) (van Herk / Gil-Werman)."""
    width = 2 * half + 1
    n = len(a)
    total = n + 2 * half
    total += -total % width
    padded = np.full(total, np.inf, dtype=a.dtype)
    padded[half : half + n] = a
    blocks = padded.reshape(-1, width)
    prefix = np.minimum.accumulate(blocks, axis=1).ravel()
    suffix = np.minimum.accumulate(blocks[:, ::-1], axis=1)[:, ::-1].ravel()
    return np.minimum(suffix[:n], prefix[width - 1 : width - 1 + n])


def _boxcar(a: np.ndarray, half: int) -> np.ndarray:
    """Mean of ``a[i-half .. i+half]`` for every i, zeros beyond the ends."""
    c = np.zeros(len(a) + 2 * half + 1)
    np.cumsum(a, out=c[half + 1 : half + 1 + len(a)])
    c[half + 1 + len(a) :] = c[half + len(a)]
    return (c[2 * half + 1 :] - c[: len(a)]) / (2 * half + 1)


def _shape_gain(need_db: np.ndarray, attack: float, release: float, half: int) -> np.ndarray:
    """The smooth gain curve (dB) at or below ``need_db`` everywhere: the dynamics' one shape.

    First the lowest of ``need[k] + slope * |n - k|`` over all k, the slope being ``attack``
    (dB per unit) before a dip and ``release`` after it: so the gain is down by the time a peak
    arrives, recovers at a steady rate after it, and never exceeds what any unit needs. Both
    halves are a cumulative minimum (a min-plus convolution with a V-shaped kernel), so there is
    no sample loop. Then a hold (the lowest value within ``2 * half`` units either side) and two
    passes of a ``2 * half + 1`` boxcar: every value averaged into a unit is already at or below
    its need, so nothing gets through, and the triangle they make has nulls at the multiples of
    1 / boxcar length and falls 12 dB per octave beyond, so the gain cannot follow anything faster.
    """
    n = np.arange(len(need_db), dtype=np.float64)
    after = release * n + np.minimum.accumulate(need_db - release * n)
    before = np.minimum.accumulate((need_db + attack * n)[::-1])[::-1] - attack * n
    hold = 2 * half
    pad = np.zeros(hold)
    gain = _sliding_min(np.concatenate([pad, np.minimum(after, before), pad]), hold)
    # Each boxcar pass reaches ``half`` units, so at the clip's units only padded values (0 dB
    # beyond the clip, i.e. no reduction: the hold already covers them) are averaged.
    gain = _boxcar(_boxcar(gain, half), half)
    return np.minimum(gain[hold : hold + len(need_db)], 0.0)


def _limiter_gain(
    envelope: np.ndarray, ceiling: float | np.ndarray, units_per_ms: float
) -> np.ndarray:
    """Gain curve (<= 1) keeping ``envelope * gain`` at or below ``ceiling`` (scalar or per unit).

    A look-ahead limiter without a sample loop (``_shape_gain``): attack ``_ATTACK_DB_PER_MS``,
    release ``_RELEASE_DB_PER_MS``, smoothed over a ``_SMOOTH_MS`` triangle. The release
    spans several pitch periods and the smoothing one, so through a voiced stretch the gain
    follows the syllable's peak level, not each glottal pulse: it lowers the peaks without the
    harmonic distortion of a gain that rises and falls with the waveform.
    ``units_per_ms`` is the envelope's resolution (samples, or blocks of samples, per ms).
    """
    env = np.asarray(envelope, dtype=np.float64)
    headroom = 20 * np.log10(np.maximum(ceiling, 1e-12) / np.maximum(env, 1e-12))
    return _limiter_curve(np.minimum(headroom, 0.0), units_per_ms)


def _limiter_curve(need_db: np.ndarray, units_per_ms: float) -> np.ndarray:
    """``_limiter_gain`` from the reduction each unit needs (dB, <= 0), as a linear curve."""
    if len(need_db) == 0 or need_db.min() >= 0.0:
        return np.ones(len(need_db), dtype=np.float32)
    half = max(1, round(_SMOOTH_MS * units_per_ms / 4))
    gain_db = _shape_gain(
        need_db, _ATTACK_DB_PER_MS / units_per_ms, _RELEASE_DB_PER_MS / units_per_ms, half
    )
    return np.minimum(10 ** (gain_db / 20), 1.0).astype(np.float32)


def _compressor_gain(block_energy: np.ndarray, gain_db: float) -> np.ndarray:
    """The leveller's gain (<= 1) per block of a speech clip: ``block_energy`` is its K-weighted
    energy per ``_BLOCK`` samples as supplied, ``gain_db`` its normalisation to the voice level.

    A soft-knee compressor on the short-term loudness (mean square over a 20 ms triangle), with
    the ballistics and smoothing of ``_shape_gain`` at speech-levelling rates. It only lowers; the
    clip's make-up gain (see ``_voice_form``) restores its loudness.
    """
    if len(block_energy) == 0:
        return np.ones(0, dtype=np.float32)
    window = max(1, round(_COMP_WINDOW_MS * _BLOCKS_PER_MS / 4))
    power = _boxcar(_boxcar(np.asarray(block_energy, dtype=np.float64), window), window) / _BLOCK
    level = 10 * np.log10(np.maximum(power, 1e-20)) - 0.691 + gain_db - VOICE_LUFS
    over = level - _COMP_THRESHOLD_LU
    knee, slope = _COMP_KNEE_DB, 1 / _COMP_RATIO - 1
    need = np.where(
        over >= knee / 2,
        slope * over,
        np.where(over > -knee / 2, slope * np.square(over + knee / 2) / (2 * knee), 0.0),
    )
    if need.min() >= 0.0:
        return np.ones(len(need), dtype=np.float32)
    half = max(1, round(_COMP_SMOOTH_MS * _BLOCKS_PER_MS / 4))
    gain = _shape_gain(
        need,
        _COMP_ATTACK_DB_PER_MS / _BLOCKS_PER_MS,
        _COMP_RELEASE_DB_PER_MS / _BLOCKS_PER_MS,
        half,
    )
    return np.minimum(10 ** (gain / 20), 1.0).astype(np.float32)


def _rows_max(rows: np.ndarray) -> np.ndarray:
    """Row maxima of a narrow 2-D array (numpy's ``max(axis=1)`` is slow on rows of 16: it loops
    per row; on the transposed copy it runs along whole columns, three times faster than that
    and than halving the rows)."""
    return np.ascontiguousarray(rows.T).max(axis=0)


def _block_envelope(x: np.ndarray) -> np.ndarray:
    """True-peak envelope per block of ``_BLOCK`` samples: the block's peak, between samples too.

    Per block, the largest sample, and the 4x-interpolated (windowed sinc) values between the two
    adjacent samples whose sum is largest: overshoot between samples is greatest where two
    neighbours are both large and alike in sign. Against interpolating every interval this finds
    a clip's true peak to within 0.01 dB, and any block's to about 0.5 dB, at a fraction of the
    cost (measured on espeak speech, plain and limited). Where it matters, the mixer's final check
    on limited clips (``_Leveller.samples``) catches the rest.
    """
    n = len(x)
    if n < 2:
        return np.abs(np.asarray(x, dtype=np.float32))
    half = _TP_HALF_TAPS
    blocks = -(-n // _BLOCK)
    padded = np.zeros(blocks * _BLOCK + 2 * half + 2, dtype=np.float32)
    padded[half : half + n] = x
    body = padded[half : half + blocks * _BLOCK]
    env = _rows_max(np.abs(body).reshape(blocks, _BLOCK))
    pairs = np.abs(body + padded[half + 1 : half + 1 + blocks * _BLOCK]).reshape(blocks, _BLOCK)
    first = pairs.argmax(axis=1) + np.arange(blocks) * _BLOCK + 1  # interval start - half + 1
    windows = np.lib.stride_tricks.sliding_window_view(padded, 2 * half)[first]
    # (a matrix product, and the three phases compared column by column: numpy's per-row
    # reductions loop in Python-speed steps on rows this short)
    between = np.abs(windows @ _tp_kernel(half))
    return np.maximum(np.maximum(env, between[:, 0]), np.maximum(between[:, 1], between[:, 2]))


def _curve_corners(curve: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The per-block gain made safe to interpolate, and its neighbours on either side.

    Taking the lowest of each block and its neighbours first means a value interpolated between
    two block centres is at or below both blocks' gains, so no sample gets more than its block.
    """
    low = curve.astype(np.float32)
    np.minimum(low[1:], curve[:-1], out=low[1:])
    np.minimum(low[:-1], curve[1:], out=low[:-1])
    before = np.concatenate([low[:1], low[:-1]])
    after = np.concatenate([low[1:], low[-1:]])
    return low, before, after


#: Distance of each sample in a block from the block centre, in blocks (-0.47 .. 0.47).
_FRAC = (np.arange(_BLOCK, dtype=np.float32) - (_BLOCK - 1) / 2) / _BLOCK
_LEAN_1 = float(np.abs(_FRAC[_FRAC < 0]).sum())  # sums over each half-block, for mean squares
_LEAN_2 = float(np.square(_FRAC[_FRAC < 0]).sum())


def _expand_curve(curve: np.ndarray, frames: int) -> np.ndarray:
    """Per-block gain to per sample: each half-block leans linearly towards its neighbour."""
    low, before, after = _curve_corners(curve)
    out = np.empty((len(low), _BLOCK), dtype=np.float32)
    side = _BLOCK // 2  # the first half-block leans back, the second forward (two half-size
    #                     passes: a broadcast ``where`` over the whole block costs twice as much)
    np.multiply((before - low)[:, None], -_FRAC[:side], out=out[:, :side])
    np.multiply((after - low)[:, None], _FRAC[side:], out=out[:, side:])
    out += low[:, None]
    return out.ravel()[:frames]


def _curve_power(curve: np.ndarray) -> np.ndarray:
    """Mean square, per block, of the per-sample gain ``_expand_curve`` makes (in closed form),
    so that predicted energies match what the mixer will play."""
    low, before, after = (v.astype(np.float64) for v in _curve_corners(curve))
    db, da = before - low, after - low
    return (
        _BLOCK * low * low + 2 * low * (db + da) * _LEAN_1 + (db * db + da * da) * _LEAN_2
    ) / _BLOCK


def _level_of_blocks(block_energy: np.ndarray, frames: int) -> float:
    """Gated loudness from K-weighted energy per block; a clip shorter than 400 ms is one block."""
    if frames == 0:
        return -math.inf
    hop = SAMPLE_RATE // 10
    running = np.concatenate([[0.0], np.cumsum(block_energy, dtype=np.float64)])
    if frames < _BLOCK_HOPS * hop:
        return _to_lufs(float(running[-1]) / frames)
    hops = frames // hop
    edges = np.rint(np.arange(hops + 1) * (hop / _BLOCK)).astype(np.int64)
    np.minimum(edges, len(block_energy), out=edges)
    return _gated_loudness(_blocks_from_hops(np.diff(running[edges]), hop))


def limit_peaks(samples: np.ndarray, ceiling: float) -> np.ndarray:
    """``samples`` (44.1 kHz) with true peaks brought to ``ceiling`` (linear) by the limiter."""
    x = np.asarray(samples, dtype=np.float32)
    if len(x) == 0 or ceiling <= 0:
        return np.zeros_like(x)
    curve = _limiter_gain(_block_envelope(x), ceiling, _BLOCKS_PER_MS)
    out = x * _expand_curve(curve, len(x))
    peak = true_peak(out)  # interpolation between samples can add a hair: trim it
    return out * np.float32(ceiling / peak) if peak > ceiling else out


# --- per-clip analysis --------------------------------------------------------------------------


@dataclass(frozen=True, slots=True, eq=False)
class _Stats:
    """What the plan needs of one clip at one level: its energy profile and loudness."""

    frames: int
    prefix: np.ndarray  # running K-weighted energy every _BLOCK samples; prefix[0] == 0
    loudness: float

    def scaled(self, gain: float) -> _Stats:
        level = self.loudness + 20 * math.log10(gain) if gain > 0 else -math.inf
        return _Stats(self.frames, self.prefix * (gain * gain), level)


def _prefix(block_energy: np.ndarray) -> np.ndarray:
    out = np.zeros(len(block_energy) + 1)
    np.cumsum(block_energy, out=out[1:])
    return out


def _per_block(energy: np.ndarray) -> np.ndarray:
    n = len(energy)
    blocks = -(-n // _BLOCK)
    padded = np.zeros(blocks * _BLOCK, dtype=np.float64)
    padded[:n] = energy
    return padded.reshape(blocks, _BLOCK).sum(axis=1)


def _floats(clip: Clip) -> np.ndarray:
    return np.frombuffer(clip.pcm, dtype="<i2").astype(np.float32) * np.float32(1 / 32768)


@lru_cache(maxsize=512)
def _clip_stats(clip: Clip) -> _Stats:
    """Energy profile and loudness of a clip as supplied; cached by content (renders share most
    phrases). Only the profile per block is kept, a quarter of the clip's size."""
    x = _floats(clip)
    block_energy = _k_block_energy(x)
    return _Stats(len(x), _prefix(block_energy), _level_of_blocks(block_energy, len(x)))


@lru_cache(maxsize=64)
def _tone_block_envelope(clip: Clip) -> np.ndarray:
    """Per-block true-peak envelope of a tone (cached: a routine has a handful of tones)."""
    return _block_envelope(_floats(clip))


def _place_blocks(bed: np.ndarray, env: np.ndarray, first_block: int) -> np.ndarray:
    """``env`` (per block) laid on ``bed``'s block grid from ``first_block`` on, zero elsewhere."""
    out = np.zeros(len(bed), dtype=np.float32)
    lo, hi = max(0, first_block), min(len(bed), first_block + len(env))
    if hi > lo:
        out[lo:hi] = env[lo - first_block : hi - first_block]
    return out


def _add_shifted_blocks(bed: np.ndarray, env: np.ndarray, offset: int) -> None:
    """Add to each block of ``bed`` the most that ``env`` reaches within it.

    ``env`` is a per-block envelope of a clip starting ``offset`` samples into the bed's clip.
    When the two block grids do not line up, a bed block sees two of ``env``'s blocks, so the
    larger is taken: a bound, off by at most one block (0.36 ms) of the envelope's shape.
    """
    q, r = divmod(offset, _BLOCK)
    placed = _place_blocks(bed, env, q)
    if r:
        np.maximum(placed, _place_blocks(bed, env, q + 1), out=placed)
    bed += placed


@dataclass(slots=True)
class _Voice:
    """A speech clip being levelled, per block: its K-weighted energy and true-peak envelope as
    supplied, and the limiter curve and gain that fit it under its room at the voice level."""

    frames: int
    energy: np.ndarray
    envelope: np.ndarray
    gain: float
    curve: np.ndarray | None = None


def _level_voice(voice: _Voice, room: np.ndarray, target_lufs: float) -> None:
    """Limit a speech clip under ``room`` (per block) while it still measures ``target_lufs``.

    Limiting takes loudness away, and the make-up gain that restores it raises the peaks into the
    limiter again; the loudness after limiting still rises steadily with the gain, so the gain is
    found by a safeguarded secant search (a handful of limiter runs, each on a few thousand
    blocks). The K-weighted energy of the limited clip is the original's times the gain curve
    squared (the curve moves slowly beside the filter's short memory), so no clip is filtered
    twice. The limiter takes at most ``MAX_LIMIT_DB`` from a block, and stops deepening where
    that buys almost no loudness; a clip needing more stays under the target rather than being
    crushed, and its peaks still fit the room. Sets the
    voice's ``curve`` and ``gain``.
    """
    room = np.maximum(room.astype(np.float64), 1e-9)
    env = np.maximum(voice.envelope.astype(np.float64), 1e-9)
    # Where the clip is silent there is nothing to limit, however little room: such blocks
    # (60 dB under the clip's peak) do not bound the gain.
    fits = room / env
    headroom = 20 * np.log10(fits)  # how far each block may rise (once, not per attempt)
    fits[env < env.max() * 1e-3] = np.inf

    def attempt(gain_db: float) -> tuple[float, np.ndarray, float]:
        gain = 10 ** (gain_db / 20)
        curve = _limiter_curve(np.minimum(headroom - gain_db, 0.0), _BLOCKS_PER_MS)
        level = _level_of_blocks(voice.energy * _curve_power(curve), voice.frames) + gain_db
        return level, curve, gain

    lo = 20 * math.log10(float(np.min(fits)))  # no limiting needed up to here
    hi = lo + MAX_LIMIT_DB  # no block limited by more than MAX_LIMIT_DB
    base_level = _level_of_blocks(voice.energy, voice.frames)
    # Solve level(gain) = target. Without limiting, gain g gives base_level + g; limiting takes a
    # loss that grows with g. Start where no loss would land, step by the loss found (which
    # undershoots), then secant steps, bisecting whenever a step would leave the bracket.
    a, b = lo, hi  # level(a) < target; whether level(b) > target is not known until tried
    b_known = False
    guess = min(hi, max(lo, target_lufs - base_level))
    best = attempt(guess)
    previous: tuple[float, float] | None = None
    for _ in range(10):
        err = best[0] - target_lufs
        if abs(err) < _LEVEL_TOLERANCE_LU:
            break
        if err < 0:
            a = guess
        else:
            b, b_known = guess, True
        if guess >= hi and err < 0:
            break  # even the deepest limiting leaves it short: take that
        returns = (
            (err - previous[1]) / (guess - previous[0])
            if err < 0 and previous is not None and guess > previous[0]
            else math.inf
        )
        if returns < _MIN_RETURN_LU_PER_DB:
            break  # more gain would go almost all into the limiter: stay a little short
        if previous is not None and previous[1] != err:
            step = guess - err * (guess - previous[0]) / (err - previous[1])
        else:
            step = guess - err  # first correction: add back the loss
        if not a < step < b:
            step = (a + b) / 2 if b_known else max(step, a + 1.0)
        previous = (guess, err)
        guess = min(hi, max(lo, step))
        best = attempt(guess)
    _, voice.curve, voice.gain = best


# --- the plan -----------------------------------------------------------------------------------


def _hop_energies(
    places: list[Placement], stats: Mapping[ClipKey, _Stats], frames: int, hop: int
) -> np.ndarray:
    """K-weighted energy per 100 ms hop of the whole track, summed from each event's clip.

    Vectorised over all events: each event contributes the differences of its clip's running
    energy at the hop edges it spans.
    """
    hops = -(-frames // hop)
    if not places or hops == 0:
        return np.zeros(hops)
    keys = list({p.key: None for p in places})
    where = {k: i for i, k in enumerate(keys)}
    offsets = np.cumsum([0] + [len(stats[k].prefix) for k in keys])
    table = np.concatenate([stats[k].prefix for k in keys])
    start = np.array([p.start for p in places], dtype=np.int64)
    length = np.array([stats[p.key].frames for p in places], dtype=np.int64)
    base = offsets[[where[p.key] for p in places]]
    top = base + np.array([len(stats[p.key].prefix) - 1 for p in places])
    first = np.maximum(start, 0)
    last = np.minimum(start + length, frames)
    ok = last > first
    start, first, last, base, top = (v[ok] for v in (start, first, last, base, top))
    j0 = first // hop
    counts = (last - 1) // hop - j0 + 2  # hop edges each event spans
    owner = np.repeat(np.arange(len(counts)), counts)
    edge_no = np.arange(int(counts.sum())) - np.repeat(np.cumsum(counts) - counts, counts)
    hop_no = j0[owner] + edge_no
    edges = np.clip(hop_no * hop, first[owner], last[owner]) - start[owner]
    index = base[owner] + (edges + _BLOCK // 2) // _BLOCK
    values = table[np.minimum(index, top[owner])]
    inside = owner[1:] == owner[:-1]  # consecutive edges of one event
    return np.bincount(hop_no[:-1][inside], weights=np.diff(values)[inside], minlength=hops)[:hops]


def _solve_gain(block_powers: np.ndarray, target: float) -> tuple[float, float]:
    """Global gain (dB) putting the gated loudness on ``target``, and the loudness it reaches.

    The relative gate moves with the gain but the absolute one does not, so iterate.
    """
    base = _gated_loudness(block_powers)
    if not math.isfinite(base):
        return 0.0, -math.inf
    gain = target - base
    for _ in range(8):
        level = _gated_loudness(block_powers * 10 ** (gain / 10))
        if not math.isfinite(level) or abs(level - target) < 1e-4:
            break
        gain += target - level
    return gain, _gated_loudness(block_powers * 10 ** (gain / 10))


def _overlaps(places: list[Placement], lengths: Mapping[ClipKey, int]) -> list[list[int]]:
    """For each placement, the indices of the other placements sounding at the same time."""
    out: list[list[int]] = [[] for _ in places]
    for i, p in enumerate(places):
        end = p.start + lengths[p.key]
        for j in range(i + 1, len(places)):
            if places[j].start >= end:
                break
            out[i].append(j)
            out[j].append(i)
    return out


@dataclass(slots=True)
class _Fit:
    """How one speech clip is fitted under its room: gain curve per block (leveller times limiter;
    None: neither acts) and gain."""

    curve: np.ndarray | None
    gain: float
    energy: np.ndarray  # K-weighted energy per block as it will sound (before the global gain)
    limited_db: float = 0.0  # the most the limiter takes from any block


@dataclass(frozen=True, slots=True, eq=False)
class _VoiceForm:
    """A speech clip at the voice level: normalised, levelled (``curve``: the leveller's gain per
    block, None if it does nothing) and made up, so ``gain_db`` takes it to ``VOICE_LUFS``;
    ``stats`` is its energy profile at that level."""

    gain_db: float
    curve: np.ndarray | None
    stats: _Stats

    @property
    def compressed_db(self) -> float:
        return 0.0 if self.curve is None else -20 * math.log10(float(self.curve.min()))


@lru_cache(maxsize=512)
def _voice_form(clip: Clip) -> _VoiceForm | None:
    """Normalise and level a speech clip (None: silent). Cached by content, like its analysis.

    The leveller's curve depends only on the clip (its level is relative to the voice level), so
    it is made while planning, for every clip: a few passes over the per-block energies, a small
    fraction of the analysis. The plan then sees each clip's energy profile as it will sound,
    quiet syllables lifted, and the limiter in ``_Leveller.fit`` has only the peaks left to take.
    """
    raw = _clip_stats(clip)
    if not math.isfinite(raw.loudness):
        return None
    norm_db = min(MAX_NORMALISE_DB, max(-MAX_NORMALISE_DB, VOICE_LUFS - raw.loudness))
    energy = np.diff(raw.prefix)
    curve = _compressor_gain(energy, norm_db)
    if float(curve.min()) >= 1.0:
        return _VoiceForm(norm_db, None, raw.scaled(10 ** (norm_db / 20)))
    curve.flags.writeable = False  # cached and shared by every plan that plays the clip
    energy = energy * _curve_power(curve)
    # make-up: the levelled clip keeps the loudness normalisation gave it
    gain_db = norm_db + raw.loudness - _level_of_blocks(energy, raw.frames)
    energy *= 10 ** (gain_db / 10)
    return _VoiceForm(gain_db, curve, _Stats(raw.frames, _prefix(energy), raw.loudness + norm_db))


class _Leveller:
    """Fits speech clips under the peak ceiling and makes every clip's final samples.

    Fitting a speech clip (true-peak envelope, limiter, make-up) keeps it at the voice level by
    construction, so the global gain can be planned without it, from the cheap energy profiles,
    and most of the work can wait until the mixer first needs the clip, while ffmpeg is busy
    encoding on the other core. The plan fits the short clips itself (see ``plan_gain``).
    """

    def __init__(
        self,
        resolved: Mapping[ClipKey, Clip],
        places: list[Placement],
        voices: Mapping[ClipKey, _VoiceForm],
    ) -> None:
        self.resolved = resolved
        self.places = places
        self.voices = voices
        self.allowed = 1.0  # peak ceiling before the global gain
        self.scale = 32768.0  # global gain, times int16 full scale
        self.overlaps = _overlaps(places, {k: c.frames for k, c in resolved.items()})
        self.occurrences: dict[ClipKey, list[int]] = {}
        for i, p in enumerate(places):
            self.occurrences.setdefault(p.key, []).append(i)
        self._fits: dict[ClipKey, _Fit] = {}
        self._envelopes: dict[ClipKey, np.ndarray] = {}
        self._raw_envelopes: dict[ClipKey, np.ndarray] = {}

    def set_gain(self, gain_db: float, ceiling_dbtp: float) -> None:
        allowed = 10 ** ((ceiling_dbtp - gain_db) / 20)
        if abs(20 * math.log10(allowed / self.allowed)) > _REFIT_DB:
            self._fits.clear()  # rooms moved: fit again (smaller moves are within the margin)
            self._envelopes.clear()
        self.allowed = allowed
        self.scale = 10 ** (gain_db / 20) * 32768.0

    def raw_envelope(self, key: ClipKey) -> np.ndarray:
        """Per-block true-peak envelope of a speech clip as levelled, before any gain.

        The leveller's curve moves over tens of ms, so within a block it is all but constant and
        the product is the levelled clip's envelope (the final check in ``samples`` has the rest).
        """
        env = self._raw_envelopes.get(key)
        if env is None:
            env = _block_envelope(_floats(self.resolved[key]))
            voice = self.voices.get(key)  # None: silent speech, played as supplied
            if voice is not None and voice.curve is not None:
                env *= voice.curve
            self._raw_envelopes[key] = env
        return env

    def envelope(self, key: ClipKey) -> np.ndarray:
        """Per-block true-peak envelope of a clip as it will sound, at most (before the gain).

        A speech clip's is taken at its normalised level but no higher than the ceiling, which
        fitting guarantees; that bounds what it adds to a neighbour without fitting it first.
        """
        env = self._envelopes.get(key)
        if env is None:
            if key[0] == "tone":
                env = _tone_block_envelope(self.resolved[key])
            else:
                voice = self.voices.get(key)
                gain = np.float32(10 ** (voice.gain_db / 20) if voice is not None else 1.0)
                env = np.minimum(self.raw_envelope(key) * gain, np.float32(self.allowed))
            self._envelopes[key] = env
        return env

    def room(self, key: ClipKey, blocks: int) -> np.ndarray:
        """Per block of a speech clip: the ceiling less whatever sounds with it, at worst."""
        room = np.full(blocks, self.allowed, dtype=np.float32)
        for i in self.occurrences.get(key, ()):
            if not self.overlaps[i]:
                continue
            company = np.zeros(blocks, dtype=np.float32)
            for j in self.overlaps[i]:
                other = self.places[j]
                offset = other.start - self.places[i].start
                _add_shifted_blocks(company, self.envelope(other.key), offset)
            np.minimum(room, self.allowed - company, out=room)
        return np.maximum(room, np.float32(self.allowed * 1e-3))

    def fit(self, key: ClipKey) -> _Fit:
        """Fit a speech clip under its room at the voice level (cached until the gain moves)."""
        fit = self._fits.get(key)
        if fit is None:
            form = self.voices[key]
            raw = _clip_stats(self.resolved[key])
            norm = 10 ** (form.gain_db / 20)
            envelope = self.raw_envelope(key)
            room = self.room(key, len(envelope))
            if np.all(envelope * np.float32(norm) <= room):
                fit = _Fit(form.curve, norm, np.diff(form.stats.prefix))
            else:
                energy = np.diff(raw.prefix)
                levelled = energy if form.curve is None else energy * _curve_power(form.curve)
                voice = _Voice(raw.frames, levelled, envelope, norm)
                _level_voice(voice, room, VOICE_LUFS)
                assert voice.curve is not None
                curve = voice.curve if form.curve is None else voice.curve * form.curve
                power = _curve_power(curve) * voice.gain * voice.gain
                depth = -20 * math.log10(float(voice.curve.min()))
                fit = _Fit(curve, voice.gain, energy * power, depth)
            self._fits[key] = fit
        return fit

    def stats(self, key: ClipKey) -> _Stats:
        """The energy profile of a speech clip as fitted, for the plan."""
        fit = self.fit(key)
        frames = self.resolved[key].frames
        return _Stats(frames, _prefix(fit.energy), _level_of_blocks(fit.energy, frames))

    def samples(self, key: ClipKey) -> np.ndarray:
        """Final int16 samples of a clip, every gain applied."""
        x = _floats(self.resolved[key])
        if key not in self.voices:  # tones, and silent speech
            return _quantise(x, self.scale)
        fit = self.fit(key)
        if fit.curve is None:
            return _quantise(x, fit.gain * self.scale)
        out = x * _expand_curve(fit.curve, len(x))
        # A moving gain adds a little between samples that the per-block envelopes cannot show:
        # measure the result and trim any excess, so the ceiling holds.
        room = self.room(key, len(fit.curve))
        over = float(np.max(_block_envelope(out) * np.float32(fit.gain) / room))
        gain = fit.gain / over if over > 1.0 else fit.gain
        return _quantise(out, gain * self.scale)

    def limited(self) -> dict[ClipKey, float]:
        """The most the limiter took (dB) from each speech clip fitted so far, where it took any."""
        return {key: fit.limited_db for key, fit in self._fits.items() if fit.limited_db > 0}


def _quantise(samples: np.ndarray, gain: float) -> np.ndarray:
    return np.clip(np.rint(samples * np.float32(gain)), -32768, 32767).astype(np.int16)


class _FinalClips(Mapping[ClipKey, np.ndarray]):
    """Each clip's final int16 samples, made on first use (see ``_Leveller``) and kept."""

    def __init__(self, leveller: _Leveller) -> None:
        self._leveller = leveller
        self._made: dict[ClipKey, np.ndarray] = {}

    def __getitem__(self, key: ClipKey) -> np.ndarray:
        made = self._made.get(key)
        if made is None:
            if key not in self._leveller.resolved:
                raise KeyError(key)
            made = self._made[key] = self._leveller.samples(key)
        return made

    def __iter__(self) -> Iterator[ClipKey]:
        return iter(self._leveller.resolved)

    def __len__(self) -> int:
        return len(self._leveller.resolved)


@dataclass(frozen=True)
class MixLevels:
    """The loudness plan for one timeline, ready for the mixer.

    ``gain_db`` is the one global gain, applied to every clip. ``predicted_lufs`` is the
    integrated loudness the plan expects ffmpeg to measure on the encoded file;
    ``predicted_peak_dbtp`` is the true peak no moment of the mix exceeds before encoding.
    ``pcm`` gives each clip's final int16 samples with every gain applied, made when the mixer
    first asks; ``limited_db`` then tells, per speech clip, the most the limiter took from it;
    ``compressed_db``, the most the leveller took from each (known from the plan).
    """

    gain_db: float
    predicted_lufs: float
    predicted_peak_dbtp: float
    pcm: Mapping[ClipKey, np.ndarray] = field(repr=False, compare=False)
    _leveller: _Leveller = field(repr=False, compare=False)

    @property
    def limited_db(self) -> Mapping[ClipKey, float]:
        return MappingProxyType(self._leveller.limited())

    @property
    def compressed_db(self) -> Mapping[ClipKey, float]:
        voices = self._leveller.voices
        return MappingProxyType({key: voice.compressed_db for key, voice in voices.items()})


def plan_gain(
    timeline: Timeline,
    clips: Mapping[str, Clip],
    tone_clips: ToneSource = tone_clip,
    *,
    fmt: str = "mp3",
    bitrate: str = "128k",
    target_lufs: float = TARGET_LUFS,
    ceiling_dbtp: float = CEILING_DBTP,
) -> MixLevels:
    """Plan every gain of a render from the timeline and its clips (see the module docstring).

    ``clips`` maps each spoken text to its clip; tones come from ``tone_clips``. ``fmt`` and
    ``bitrate`` are those the mix will be encoded with (see ``codec_margins``): the plan aims at
    ``target_lufs`` in the *encoded* file. Raises ``AudiocoachError`` if a clip is missing or at
    the wrong rate.
    """
    loss_db, allowance_db = codec_margins(fmt, bitrate)
    target = target_lufs + loss_db
    ceiling_dbtp -= allowance_db
    resolved = resolve_clips(timeline, clips, tone_clips)
    places = placements(timeline)
    frames = frame_of(timeline.duration_ms)
    hop = SAMPLE_RATE // 10

    # every clip's energy profile; speech levelled, at the voice level (where fitting keeps it)
    stats: dict[ClipKey, _Stats] = {}
    voices: dict[ClipKey, _VoiceForm] = {}
    for key, clip in resolved.items():
        form = _voice_form(clip) if key[0] == "speech" else None
        if form is not None:
            voices[key] = form
        stats[key] = form.stats if form is not None else _clip_stats(clip)
    leveller = _Leveller(resolved, places, voices)

    def solve() -> tuple[float, float, np.ndarray]:
        blocks = _blocks_from_hops(_hop_energies(places, stats, frames, hop), hop)
        return (*_solve_gain(blocks, target), blocks)

    # A fitted clip keeps its loudness but not quite its shape: limiting and make-up lift its
    # quiet edges. In a long clip that is nothing; a short word in a sparse stretch (rep counts)
    # lifts partly filled 400 ms blocks over the relative gate and the track measures lower.
    # So the short clips, cheap to fit, are fitted now and the gain solved again.
    short = [k for k in voices if resolved[k].frames < frame_of(SHORT_CLIP_MS)]
    gain_db, level, blocks = solve()
    for _ in range(4 if short else 0):
        leveller.set_gain(gain_db, ceiling_dbtp)
        for key in short:
            stats[key] = leveller.stats(key)
        previous = gain_db
        gain_db, level, blocks = solve()
        if abs(gain_db - previous) < _REFIT_DB:
            break

    # tones are not fitted; if they alone would pass the ceiling (loud tones sounding together
    # under a high gain), the gain gives way
    tone_peak = _tones_peak(places, resolved)
    if tone_peak > 0 and 20 * math.log10(tone_peak) + gain_db > ceiling_dbtp:
        gain_db = ceiling_dbtp - 20 * math.log10(tone_peak)
        level = _gated_loudness(blocks * 10 ** (gain_db / 10))
    leveller.set_gain(gain_db, ceiling_dbtp)
    return MixLevels(
        gain_db=gain_db,
        predicted_lufs=level - loss_db,
        predicted_peak_dbtp=ceiling_dbtp,
        pcm=_FinalClips(leveller),
        _leveller=leveller,
    )


def _tones_peak(places: list[Placement], resolved: Mapping[ClipKey, Clip]) -> float:
    """Highest true peak of the tones alone, overlapping ones summed (a bound, from envelopes)."""
    tones = [p for p in places if p.key[0] == "tone"]
    lengths = {p.key: resolved[p.key].frames for p in tones}
    worst = 0.0
    for i, group in enumerate(_overlaps(tones, lengths)):
        bed = _tone_block_envelope(resolved[tones[i].key]).copy()
        for j in group:
            other = _tone_block_envelope(resolved[tones[j].key])
            _add_shifted_blocks(bed, other, tones[j].start - tones[i].start)
        worst = max(worst, float(bed.max()) if len(bed) else 0.0)
    return worst
