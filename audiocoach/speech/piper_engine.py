"""Natural offline speech: Piper's VITS voices run by onnxruntime, through the piper-tts package.

piper-tts carries its own espeak-ng phonemizer (a separate copy from the one ``espeak.py`` drives;
the two coexist in one process) and runs the voice model with onnxruntime on the CPU.

**The same phrase gives the same clip.** A VITS voice draws Gaussian noise twice per phrase: in its
duration predictor (``noise_w``: how long each phoneme lasts) and in the prior it decodes
(``noise_scale``: timbre). onnxruntime's seed (``onnxruntime.set_seed``) fixes only the sequence
of draws in a session, so a phrase's noise depends on what was spoken before it: no use to a cache
shared by runs and processes, which needs a phrase's clip to be a function of the phrase. So both
noises are off by default (``noise_scale=0``, ``noise_w=0``): the model then speaks its most likely
rendering, bit for bit the same every time. Measured on ``en_US-joe-medium`` (20 syntheses of five
routine phrases from "three" to a 4.6 s sentence; ``scripts/piper_noise.py spread``): with Piper's
defaults (0.667, 0.8) a clip's length varies by 48 to 216 ms (standard deviation 10 to 56 ms) and
its loudness by up to 2 LU; with ``noise_w=0`` the raw length is fixed but the trimmed clip still
varies by 15 to 23 ms (its edges move with the timbre noise), enough to move a timeline; with both
at 0 nothing varies. What it costs: nothing measurable. PocketSphinx's word error rate on the
longer phrases of 40 sampled from the shipped routines (3 syntheses each, ``piper_noise.py wer``)
was 0.276 with the defaults and 0.277 with both noises off (0.296 with only ``noise_w`` off), and
the pitch range (5th to 95th percentile, ``piper_noise.py pitch``) 15.4 and 15.4
semitones: the voice is not flattened.

**Threads, not processes.** One ONNX session runs phrases from several threads at once (onnxruntime
releases the GIL; ``InferenceSession.run`` is thread-safe), each run on one intra-op thread, so
``speech.batch.synthesize_all`` fills the cores without a second model in memory or the start-up
of worker processes; the session always has one intra-op thread, so a clip's samples do not depend
on how many phrases ran beside it (onnxruntime's multi-threaded kernels round differently).

The model runs with its 1-D convolutions rewritten as 2-D ones (``piper_graph``): 18% less CPU.
The session is loaded on the first phrase, not when the engine is made: an engine whose phrases are
all cached never loads the 63 MB model, nor imports onnxruntime. Sessions are shared by every
engine of the process using the same model file (speeds and speakers are per-call settings).
"""

from __future__ import annotations

import importlib.metadata
import logging
import os
import threading
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from audiocoach.errors import InputError
from audiocoach.speech import piper_graph
from audiocoach.speech.base import Clip
from audiocoach.speech.digest import file_digest
from audiocoach.speech.finish import check_speed, close_matches, finish_speech, usable_cpus
from audiocoach.speech.piper_voices import PiperModel

if TYPE_CHECKING:
    from piper import PiperVoice

__all__ = ["FINISH_VERSION", "MAX_SPEED", "MIN_SPEED", "PiperEngine"]

MIN_SPEED = 0.5
MAX_SPEED = 2.0
#: Peak level each phrase is scaled to (-1 dBFS) before finishing: the mix sets loudness later,
#: this only uses the 16-bit range well and never clips.
PEAK = 10 ** (-1 / 20)
#: Bump when what this module does to Piper's samples changes (part of the identity).
FINISH_VERSION = 1
#: Models kept loaded per process (each is ~100-200 MB in memory once loaded).
_MAX_SESSIONS = 2
#: onnxruntime intra-op threads per session: 1, so phrases run side by side on threads and a
#: clip's samples never depend on the thread count (``scripts/piper_parallel.py`` varies it).
INTRA_OP_THREADS = 1
#: Run the model with its 1-D convolutions as 2-D ones (``piper_graph``): 18% less CPU.
#: ``scripts/piper_parallel.py --original-graph`` turns it off to measure the difference.
REWRITE_GRAPH = True


def _version(package: str) -> str:
    try:
        return importlib.metadata.version(package)
    except importlib.metadata.PackageNotFoundError:
        return "missing"


def _graph() -> str:
    """The graph the model runs as: rewritten when the ``onnx`` package allows (see
    ``piper_graph``); part of the identity, since the samples differ slightly."""
    return piper_graph.GRAPH if REWRITE_GRAPH and piper_graph.available() else piper_graph.ORIGINAL


_sessions: dict[tuple[str, int, int, str], PiperVoice] = {}
_sessions_lock = threading.Lock()


def _load(model: PiperModel) -> PiperVoice:
    """The process's loaded ``PiperVoice`` for ``model`` (loading it the first time).

    Raises ``InputError`` when onnxruntime cannot load the file (a damaged or foreign model).
    """
    st = os.stat(model.path)
    key = (str(model.path.resolve()), st.st_size, st.st_mtime_ns, _graph())
    with _sessions_lock:
        voice = _sessions.get(key)
        if voice is not None:
            return voice
        try:
            import onnxruntime
            from piper import PiperConfig, PiperVoice
        except ImportError as exc:
            raise InputError(
                f"error: the piper engine needs the piper-tts package ({exc}); reinstall "
                "audiocoach, or use --engine espeak"
            ) from None
        import json

        config = PiperConfig.from_dict(json.loads(model.config_path.read_text(encoding="utf-8")))
        options = onnxruntime.SessionOptions()
        options.intra_op_num_threads = INTRA_OP_THREADS
        options.inter_op_num_threads = 1
        options.log_severity_level = 3  # errors only: no optimizer chatter on the user's terminal
        try:
            source: str | bytes = str(model.path)
            if _graph() == piper_graph.GRAPH:
                source = piper_graph.conv2d_model(model.path)
            session = onnxruntime.InferenceSession(
                source, sess_options=options, providers=["CPUExecutionProvider"]
            )
        except Exception as exc:  # onnx and onnxruntime raise their own classes for bad files
            reason = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
            raise InputError(
                f"error: {model.path}: cannot load this voice model ({reason[:200]}); "
                "it may be damaged: download it again"
            ) from None
        # piper logs a warning per phoneme its model lacks; the user can do nothing about it.
        logging.getLogger("piper").addHandler(logging.NullHandler())
        voice = PiperVoice(config=config, session=session)
        if len(_sessions) >= _MAX_SESSIONS:
            _sessions.pop(next(iter(_sessions)))
        _sessions[key] = voice
        return voice


class PiperEngine:
    """A Piper voice (``model``) at ``speed``, optionally one ``speaker`` of a multi-speaker model.

    ``speed`` divides the model's phoneme length (``length_scale``), clamped to 0.5..2.0.
    ``speaker`` is a name from the model's speaker map or a number; an unknown one is the user's
    input (``InputError``). ``noise_scale`` and ``noise_w`` are 0 so a phrase always gives the same
    clip (see the module notes). ``digest_memo`` is a folder where the model's content digest is
    remembered between runs (``speech.digest``). ``concurrency``: how many phrases may usefully
    run at once (the CPUs).
    """

    name = "piper"

    def __init__(
        self,
        model: PiperModel,
        *,
        speaker: str | None = None,
        speed: float = 1.0,
        noise_scale: float = 0.0,
        noise_w: float = 0.0,
        digest_memo: Path | None = None,
    ) -> None:
        self.model = model
        self.speed = check_speed(speed, MIN_SPEED, MAX_SPEED)
        self.speaker_id = self._speaker_id(speaker)
        self.voice = model.name
        if self.speaker_id is not None and model.num_speakers > 1:
            label = (
                model.speakers[self.speaker_id]
                if self.speaker_id < len(model.speakers)
                else str(self.speaker_id)
            )
            self.voice = f"{model.name}:{label}"
        self.language = model.language
        self.length_scale = model.length_scale / self.speed
        self.noise_scale = float(noise_scale)
        self.noise_w = float(noise_w)
        self.digest_memo = digest_memo
        self.concurrency = usable_cpus()
        self._identity: str | None = None
        self._identity_lock = threading.Lock()

    def _speaker_id(self, speaker: str | None) -> int | None:
        model = self.model
        if speaker is None or not speaker.strip():
            return None
        wanted = speaker.strip()
        if model.num_speakers <= 1:
            raise InputError(
                f"error: the Piper voice {model.name} has one speaker; {wanted!r} is not one of "
                "its speakers (give no speaker)"
            )
        names = {name.lower(): i for i, name in enumerate(model.speakers)}
        if wanted.lower() in names:
            return names[wanted.lower()]
        if wanted.isdigit() and int(wanted) < model.num_speakers:
            return int(wanted)
        hint = close_matches(wanted, list(model.speakers))
        raise InputError(
            f"error: the Piper voice {model.name} has no speaker {wanted!r}{hint} "
            f"(it has {model.num_speakers}: a name from its .onnx.json speaker_id_map, or a "
            f"number from 0 to {model.num_speakers - 1})"
        )

    def identity(self) -> str:
        """Engine and onnxruntime versions, the model's content digest (and its config's),
        speaker and every synthesis setting. Hashing the model the first time takes ~0.1 s;
        afterwards it is remembered (``speech.digest``)."""
        with self._identity_lock:
            if self._identity is None:
                try:
                    model = file_digest(self.model.path, self.digest_memo)
                    config = file_digest(self.model.config_path, self.digest_memo)
                except OSError as exc:
                    raise InputError(
                        f"error: {self.model.path}: cannot read ({exc.strerror or exc})"
                    ) from None
                speaker = "-" if self.speaker_id is None else str(self.speaker_id)
                self._identity = (
                    f"piper-tts {_version('piper-tts')} onnxruntime {_version('onnxruntime')} "
                    f"model=sha256:{model} config=sha256:{config} speaker={speaker} "
                    f"length_scale={self.length_scale:.6g} noise_scale={self.noise_scale:g} "
                    f"noise_w={self.noise_w:g} graph={_graph()} finish={FINISH_VERSION}"
                )
            return self._identity

    def synthesize(self, text: str) -> Clip:
        if not text.strip():
            return Clip(b"")
        from piper import SynthesisConfig

        voice = _load(self.model)
        config = SynthesisConfig(
            speaker_id=self.speaker_id,
            length_scale=self.length_scale,
            noise_scale=self.noise_scale,
            noise_w_scale=self.noise_w,
            normalize_audio=False,  # per sentence in piper; the whole phrase is scaled below
        )
        chunks: list[Any] = [chunk.audio_float_array for chunk in voice.synthesize(text, config)]
        if not chunks:
            return Clip(b"")
        audio = np.concatenate(chunks).astype(np.float32, copy=False)
        peak = float(np.max(np.abs(audio))) if len(audio) else 0.0
        if not np.isfinite(peak):
            raise InputError(
                f"error: {self.model.path}: the voice model made invalid samples for "
                f"{text[:40]!r}; it may be damaged: download it again"
            )
        if peak < 1e-6:
            return Clip(b"")
        pcm = np.rint(audio * (PEAK * 32767 / peak)).astype(np.int16)
        return finish_speech(pcm, self.model.sample_rate)

    def __repr__(self) -> str:
        return f"PiperEngine({self.voice!r}, speed={self.speed!r})"
