"""The gain plan: one gain for the whole track, planned from the timeline before a sample is mixed.

The finished file must measure -16 LUFS integrated (within 1 LU) with true peaks at or below
-1 dBTP, by ffmpeg's ``ebur128`` on the encoded MP3. The obvious way, mixing everything, measuring,
and mixing again (or ffmpeg's two-pass ``loudnorm``), costs a second full pass, and a render must
stream in one pass at barely more than the encoder's own speed. So the level is *predicted*:

1. Every distinct clip is analysed once (``clipstats``, cached by content): its K-weighted energy
   per block as a running sum and its gated loudness; speech clips are levelled and normalised
   to ``VOICE_LUFS``, so every utterance (and every engine) sounds equally loud; tones keep their
   designed levels, which are set against that voice level.
2. The track's integrated loudness is computed *from the timeline*: each event adds its clip's
   energy to the 100 ms hops it covers (from the running sums), 400 ms blocks are four hops, and
   the -70 LUFS absolute and -10 LU relative gates apply as in BS.1770 / EBU R128. Cross-terms
   between overlapping events are ignored: speech never overlaps speech, and a tone under a word
   is uncorrelated with it, so their cross-energy averages out.
3. One global gain moves that prediction to the target (plus what the codec will take, see
   ``codec_margins``).

Peaks: each speech clip is *fitted* (``_Leveller``): its true-peak envelope is compared, block by
block, with the room left under the ceiling by whatever sounds with it (tones' envelopes summed
in), and where it does not fit it goes through the limiter and gets make-up gain back to the voice
level (``dynamics._level_voice``). A fitted clip keeps its loudness, so the gain planned above
stands, and the fitting can wait until the mixer first plays the clip, running while ffmpeg
encodes on the other core. Short clips are the exception: limiting lifts a word's quiet edges, and
in a sparse stretch of counts that moves partly filled blocks across the relative gate, so clips
under ``SHORT_CLIP_MS`` are fitted while planning and the gain solved again (a few rounds of
arithmetic).

``tests/test_loudness.py`` holds the predictions to ffmpeg's measurement of real renders: within
0.1 LU before encoding, 0.3 LU on the MP3, true peak at or below -1 dBTP.
"""

from __future__ import annotations

import math
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from types import MappingProxyType

import numpy as np

from audiocoach.loudness.clipstats import (
    SpeechAnalysis,
    _clip_stats,
    _floats,
    _prefix,
    _Stats,
    _tone_block_envelope,
    speech_analysis,
)
from audiocoach.loudness.dynamics import (
    VOICE_LUFS,
    _curve_power,
    _expand_curve,
    _level_voice,
    _Voice,
)
from audiocoach.loudness.levels import (
    Bed,
    ClipKey,
    MixLevels,
    Placement,
    ToneSource,
    frame_of,
    placements,
    resolve_clips,
)
from audiocoach.loudness.metering import (
    _BLOCK,
    _block_envelope,
    _blocks_from_hops,
    _gated_loudness,
    _level_of_blocks,
)
from audiocoach.speech.base import SAMPLE_RATE, Clip
from audiocoach.timeline import Timeline
from audiocoach.tones import tone_clip

__all__ = ["CEILING_DBTP", "SHORT_CLIP_MS", "TARGET_LUFS", "codec_margins", "plan_gain"]

#: Integrated loudness of the finished track (the usual target for spoken podcasts).
TARGET_LUFS = -16.0
#: Highest true peak the plan allows before encoding; the spec is -1 dBTP on the *encoded* file,
#: and MP3 encoding overshoots limited speech by a few tenths of a dB, so plan 1 dB under it.
CEILING_DBTP = -2.0
#: Speech clips shorter than this are fitted while planning, not in the mixer (see above).
SHORT_CLIP_MS = 1500
_REFIT_DB = 0.05  # a gain change this small leaves fitted clips as they are (1 dB of margin)
#: With music, speech clips that must be limited by more than this are fitted while planning.
DEEP_LIMIT_DB = 6.0


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
        analyses: Mapping[ClipKey, SpeechAnalysis],
    ) -> None:
        self.resolved = resolved
        self.places = places
        self.analyses = analyses
        self.voices = {k: a.voice for k, a in analyses.items() if a.voice is not None}
        self.allowed = 1.0  # peak ceiling before the global gain
        self.scale = 32768.0  # global gain, times int16 full scale
        self.overlaps = _overlaps(places, {k: c.frames for k, c in resolved.items()})
        self.occurrences: dict[ClipKey, list[int]] = {}
        for i, p in enumerate(places):
            self.occurrences.setdefault(p.key, []).append(i)
        self._fits: dict[ClipKey, _Fit] = {}
        self._envelopes: dict[ClipKey, np.ndarray] = {}
        self._raw_envelopes: dict[ClipKey, np.ndarray] = {}
        # each limited clip's last make-up gain (dB): where the next fit's search starts, since
        # the gain moves by tenths of a dB between rounds and so does the answer
        self._last_gain_db: dict[ClipKey, float] = {}

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
            env = self.analyses[key].envelope
            voice = self.voices.get(key)  # None: silent speech, played as supplied
            if voice is not None and voice.curve is not None:
                env = env * voice.curve
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

    def depth_db(self, key: ClipKey) -> float:
        """How far (dB) a speech clip at the voice level passes its room at its worst block."""
        envelope = self.raw_envelope(key)
        norm = np.float32(10 ** (self.voices[key].gain_db / 20))
        over = float(np.max(envelope * norm / self.room(key, len(envelope)), initial=0.0))
        return 20 * math.log10(over) if over > 0 else -math.inf

    def fit(self, key: ClipKey) -> _Fit:
        """Fit a speech clip under its room at the voice level (cached until the gain moves)."""
        fit = self._fits.get(key)
        if fit is None:
            form = self.voices[key]
            raw = self.analyses[key].stats
            norm = 10 ** (form.gain_db / 20)
            envelope = self.raw_envelope(key)
            room = self.room(key, len(envelope))
            if np.all(envelope * np.float32(norm) <= room):
                fit = _Fit(form.curve, norm, np.diff(form.stats.prefix))
            else:
                energy = np.diff(raw.prefix)
                levelled = energy if form.curve is None else energy * _curve_power(form.curve)
                voice = _Voice(raw.frames, levelled, envelope, norm)
                _level_voice(voice, room, VOICE_LUFS, self._last_gain_db.get(key))
                assert voice.curve is not None
                self._last_gain_db[key] = 20 * math.log10(voice.gain)
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


def plan_gain(
    timeline: Timeline,
    clips: Mapping[str, Clip],
    tone_clips: ToneSource = tone_clip,
    *,
    fmt: str = "mp3",
    bitrate: str = "128k",
    target_lufs: float = TARGET_LUFS,
    ceiling_dbtp: float = CEILING_DBTP,
    bed: Bed | None = None,
) -> MixLevels:
    """Plan every gain of a render from the timeline and its clips (see the module docstring).

    ``clips`` maps each spoken text to its clip; tones come from ``tone_clips``. ``fmt`` and
    ``bitrate`` are those the mix will be encoded with (see ``codec_margins``): the plan aims at
    ``target_lufs`` in the *encoded* file. ``bed`` is music under the track (``bed.Bed``): its
    predicted energy joins the loudness, and a song that would pass the ceiling on its own is
    turned down (the bed the mixer must play is the returned ``MixLevels.bed``). The music's
    peaks are known only as a bound per song, so they do not narrow the clips' rooms: where the
    music under a word or a tone would pass the ceiling, the mixer's ``PeakGuard`` takes it.
    Raises ``AudiocoachError`` if a clip is missing or at the wrong rate.
    """
    loss_db, allowance_db = codec_margins(fmt, bitrate)
    target = target_lufs + loss_db
    ceiling_dbtp -= allowance_db
    resolved = resolve_clips(timeline, clips, tone_clips)
    places = placements(timeline)
    frames = frame_of(timeline.duration_ms)
    hop = SAMPLE_RATE // 10

    # every clip's energy profile; speech levelled, at the voice level (where fitting keeps it);
    # a speech clip's analysis usually comes with it from the speech cache (``clipstats``)
    analyses = {k: speech_analysis(c) for k, c in resolved.items() if k[0] == "speech"}
    leveller = _Leveller(resolved, places, analyses)
    voices = leveller.voices
    stats: dict[ClipKey, _Stats] = {
        key: voices[key].stats
        if key in voices
        else analyses[key].stats
        if key in analyses
        else _clip_stats(clip)
        for key, clip in resolved.items()
    }

    music = None if bed is None else bed.hop_energies(-(-frames // hop), hop)

    def solve() -> tuple[float, float, np.ndarray]:
        nonlocal bed, music
        energies = _hop_energies(places, stats, frames, hop)
        while True:
            blocks = _blocks_from_hops(energies if music is None else energies + music, hop)
            gain, level = _solve_gain(blocks, target)
            if bed is None:
                return gain, level, blocks
            capped = bed.capped(10 ** ((ceiling_dbtp - gain) / 20))
            if capped is bed:  # songs only ever go down, so this ends
                return gain, level, blocks
            bed = capped
            music = bed.hop_energies(-(-frames // hop), hop)

    # A fitted clip keeps its loudness but not quite its shape: limiting and make-up lift its
    # quiet edges. In a long clip that is nothing; a short word in a sparse stretch (rep counts)
    # lifts partly filled 400 ms blocks over the relative gate and the track measures lower.
    # So the short clips, cheap to fit, are fitted now and the gain solved again.
    # With music the gain is higher (the music between cues counts towards the loudness, the
    # voice has to carry the rest), and a peaky clip may need more limiting than make-up can give
    # back: such clips (``DEEP_LIMIT_DB``) are fitted now too, so the plan counts what they lose.
    short = [k for k in voices if resolved[k].frames < frame_of(SHORT_CLIP_MS)]
    gain_db, level, blocks = solve()
    for _ in range(4 if short or bed is not None else 0):
        leveller.set_gain(gain_db, ceiling_dbtp)
        if bed is not None:
            short += [k for k in voices if k not in short and leveller.depth_db(k) > DEEP_LIMIT_DB]
        for key in short:
            stats[key] = leveller.stats(key)
        previous = gain_db
        gain_db, level, blocks = solve()
        if abs(gain_db - previous) < _REFIT_DB:
            break

    # tones are not fitted; if they alone would pass the ceiling (loud tones sounding together
    # under a high gain), the gain gives way (a tone over the music's loudest moment is the
    # mixer's ``PeakGuard``'s: the music's peaks are only known as a bound per song)
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
        compressed_db=MappingProxyType({k: v.compressed_db for k, v in voices.items()}),
        _limited=leveller.limited,
        bed=bed,
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
