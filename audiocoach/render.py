"""Rendering: a routine file becomes a tagged audio file, the whole pipeline in one place.

``Voice`` is the bridge between the pure scheduler and the speech engine: the scheduler asks it how
long a phrase is, and it answers with the real clip's length (synthesizing through the cache), so
the timeline reserves exactly the time the audio will take. ``plan`` uses the same ``Voice``, which
is why ``plan`` and ``render`` agree on the total.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path

from audiocoach.atomic import cleanup_stale_temps
from audiocoach.encode import encode, output_format
from audiocoach.errors import InputError
from audiocoach.estimate import estimator
from audiocoach.loudness import plan_gain
from audiocoach.mix import mix_chunks
from audiocoach.pace import PaceOptions
from audiocoach.routine import Routine, RoutineFile
from audiocoach.schedule import ScheduleError, SpeechMs, schedule
from audiocoach.sidecars import write_chapters_json, write_lrc, write_timeline_json, write_vtt
from audiocoach.speech.base import Clip, Engine
from audiocoach.speech.text import speakable
from audiocoach.tags import ChapterMark, TrackInfo, write_tags
from audiocoach.timeline import Timeline

Progress = Callable[[int], None]

_SILENT = Clip(b"")
#: Files written beside the audio (``--transcript``, ``--timeline``, ``--chapters-json``).
SIDECAR_SUFFIXES = (".lrc", ".vtt", ".timeline.json", ".chapters.json")


class Voice:
    """Phrases to clips for one run: cleans text for speech, memoizes, measures."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self._clips: dict[str, Clip] = {}

    def clip(self, text: str) -> Clip:
        clip = self._clips.get(text)
        if clip is None:
            spoken = speakable(text)
            clip = self.engine.synthesize(spoken) if spoken else _SILENT
            self._clips[text] = clip
        return clip

    def speech_ms(self, text: str) -> int:
        return self.clip(text).duration_ms

    def warm(self, texts: Iterable[str], progress: Progress | None = None) -> None:
        """Synthesize ahead of scheduling so a progress bar can count phrases."""
        for text in texts:
            self.clip(text)
            if progress:
                progress(1)

    def clips_for(self, timeline: Timeline) -> dict[str, Clip]:
        return {text: self.clip(text) for text in timeline.utterances()}


def plan_timeline(
    rf: RoutineFile, pace: PaceOptions, speech_ms: SpeechMs, routine: Routine | None = None
) -> Timeline:
    """Schedule a routine; one that cannot be laid out is an input error at its line.

    ``routine`` replaces the file's own (a program's week after progression), keeping its lines.
    """
    try:
        return schedule(routine or rf.routine, pace, speech_ms)
    except ScheduleError as exc:
        raise InputError([rf.issue(exc.path, exc.message)]) from None


def likely_phrases(rf: RoutineFile, pace: PaceOptions) -> list[str]:
    """The phrases a render will speak, from a quick estimated plan (to count progress)."""
    return plan_timeline(rf, pace, estimator()).utterances()


@dataclass(frozen=True)
class RenderSettings:
    """How the file is written; the routine and pace say what is in it."""

    bitrate: str = "128k"
    sample_rate: int = 44100
    fmt: str | None = None
    transcript: bool = False
    timeline_json: bool = False
    chapters_json: bool = False
    tags: dict[str, object] = field(default_factory=dict)


@dataclass(frozen=True)
class Rendered:
    path: Path
    timeline: Timeline
    sidecars: tuple[Path, ...]
    #: The chapters the written file holds, as read back from it (``tags.write_tags``).
    chapters: tuple[ChapterMark, ...] = ()


def render_timeline(
    timeline: Timeline,
    voice: Voice,
    out: Path,
    settings: RenderSettings | None = None,
    progress: Progress | None = None,
) -> Rendered:
    """Mix, encode and tag ``timeline`` into ``out`` atomically; write the asked-for sidecars."""
    settings = settings or RenderSettings()
    spec = output_format(out, settings.fmt)
    # Temps a killed render left for this file and its sidecars; their writers are gone, so they
    # go now (a render of the same file still running in another process holds its temp's lock).
    for name in (out.name, *(out.with_suffix(s).name for s in SIDECAR_SUFFIXES)):
        cleanup_stale_temps(out.parent, name)
    clips = voice.clips_for(timeline)
    levels = plan_gain(timeline, clips, fmt=spec.name, bitrate=settings.bitrate)
    info = TrackInfo.from_timeline(timeline, **settings.tags)
    chapters: list[ChapterMark] = []
    encode(
        mix_chunks(timeline, clips, levels),
        out,
        bitrate=settings.bitrate,
        sample_rate=settings.sample_rate,
        fmt=spec.name,
        progress=progress,
        finalize=lambda temp: chapters.extend(write_tags(temp, info, spec.name)),
    )
    sidecars: list[Path] = []
    if settings.transcript:
        for suffix, write in ((".lrc", write_lrc), (".vtt", write_vtt)):
            path = out.with_suffix(suffix)
            write(timeline, path)
            sidecars.append(path)
    if settings.timeline_json:
        path = out.with_suffix(".timeline.json")
        write_timeline_json(timeline, path)
        sidecars.append(path)
    if settings.chapters_json:
        path = out.with_suffix(".chapters.json")
        write_chapters_json(timeline, path, file_name=out.name)
        sidecars.append(path)
    return Rendered(out, timeline, tuple(sidecars), tuple(chapters))
