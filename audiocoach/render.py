"""Rendering: a routine file becomes a tagged audio file, the whole pipeline in one place.

Every command that produces sound goes through here: ``render`` and ``playlist`` (one worker per
track) call ``render_routine``; ``plan`` and ``validate`` call ``plan_routine``, which is its first
half, so ``plan`` and ``render`` agree on the total to the millisecond. The bench calls the same two
functions. The order is the design's data flow::

    routine + pace --resolve--> settings (speech speed, language)
    speech settings --make_engine--> engine --Speaker--> clip lengths
    routine + settings + clip lengths --schedule--> Timeline --voiced--> Timeline (+ spoken text)
    routine + day + --music --prepare_soundtrack--> songs, measured (before any speech is made)
    Timeline + clips (+ songs laid under it, ducked) --plan_gain, mix, encode, tag--> file

``Speaker`` is the bridge between the pure scheduler and the speech engine: the scheduler asks it
how long a phrase is, and it answers with the real clip's length (synthesizing through the cache),
so the timeline reserves exactly the time the audio will take.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from audiocoach.atomic import cleanup_stale_temps
from audiocoach.encode import check_bitrate, encode, output_format
from audiocoach.errors import InputError
from audiocoach.estimate import estimator
from audiocoach.loudness import plan_gain
from audiocoach.mix import mix_chunks
from audiocoach.music import SongStore
from audiocoach.pace import PaceOptions, Settings, resolve
from audiocoach.phrasebook import Phrasebook, phrasebook_for
from audiocoach.routine import MusicSource, Routine, RoutineFile
from audiocoach.schedule import ScheduleError, SpeechMs, schedule
from audiocoach.sidecars import write_chapters_json, write_lrc, write_timeline_json, write_vtt
from audiocoach.soundtrack import MusicOptions, Soundtrack, prepare_soundtrack
from audiocoach.speech.base import Clip, Engine
from audiocoach.speech.batch import synthesize_all
from audiocoach.speech.cache import SpeechCache
from audiocoach.speech.registry import SpeechSettings, cached_engine
from audiocoach.speech.text import speakable
from audiocoach.tags import ChapterMark, TrackInfo, write_tags
from audiocoach.timeline import Timeline

Progress = Callable[[int], None]
Warn = Callable[[str], None]

_SILENT = Clip(b"")
#: Files written beside the audio (``--transcript``, ``--timeline``, ``--chapters-json``).
SIDECAR_SUFFIXES = (".lrc", ".vtt", ".timeline.json", ".chapters.json")
#: The language a routine is spoken in when neither the routine nor the user names one.
DEFAULT_LANGUAGE = "en"


class Speaker:
    """Phrases to clips for one run: reads text for speech in one language, memoizes, measures.

    ``spoken(text)`` is exactly what the engine receives (``speakable`` in the speaker's language),
    so the timeline's ``spoken`` field, the cache key and the audio all agree.
    """

    def __init__(
        self, engine: Engine, language: str = DEFAULT_LANGUAGE, *, jobs: int | None = None
    ) -> None:
        self.engine = engine
        self.language = language
        #: Threads for cold synthesis (``None``: every usable CPU); a playlist worker uses one.
        self.jobs = jobs
        self._clips: dict[str, Clip] = {}

    def spoken(self, text: str) -> str:
        return speakable(text, lang=self.language)

    def clip(self, text: str) -> Clip:
        clip = self._clips.get(text)
        if clip is None:
            spoken = self.spoken(text)
            clip = self.engine.synthesize(spoken) if spoken else _SILENT
            self._clips[text] = clip
        return clip

    def speech_ms(self, text: str) -> int:
        return self.clip(text).duration_ms

    def warm(self, texts: Iterable[str], progress: Progress | None = None) -> None:
        """Synthesize ahead of scheduling, on all cores (``speech.batch.synthesize_all``), so a
        progress bar can count phrases (``progress(n)``: n more of ``texts`` done)."""
        texts = list(texts)
        spoken = {text: self.spoken(text) for text in texts}
        unique = list(dict.fromkeys(s for s in spoken.values() if s))
        if progress and len(texts) > len(unique):
            progress(len(texts) - len(unique))  # repeats and silent texts: nothing to do
        clips = synthesize_all(self.engine, unique, jobs=self.jobs, progress=progress)
        for text, said in spoken.items():
            self._clips[text] = clips[said] if said else _SILENT

    def clips_for(self, timeline: Timeline) -> dict[str, Clip]:
        return {text: self.clip(text) for text in timeline.utterances()}

    def voice(self, timeline: Timeline) -> Timeline:
        """``timeline`` saying who speaks it and the exact text each speech event sends."""
        return timeline.voiced(
            engine=self.engine.name,
            voice=str(getattr(self.engine, "voice", "") or ""),
            language=self.language,
            spoken=self.spoken,
        )


def track_language(routine: Routine, lang: str | None) -> str:
    """The language a track is spoken in: ``--lang``, else the routine's ``language:``, else en."""
    own = getattr(routine, "language", None)
    return (lang or own or DEFAULT_LANGUAGE).strip() or DEFAULT_LANGUAGE


def make_speaker(
    speech: SpeechSettings,
    *,
    language: str,
    speed: float,
    warn: Warn | None = None,
    jobs: int | None = None,
) -> Speaker:
    """The engine ``speech`` names, behind the shared speech cache (unless it is off)."""
    engine = cached_engine(speech, lang=language, speed=speed, on_warning=warn)
    return Speaker(engine, language, jobs=jobs)


class Speakers:
    """The voices of one run: a speaker per (language, speed) and a phrasebook per language.

    Each is built on first use. A program plans many tracks; they share each engine (a neural
    voice loads its model once) and its in-memory clips, rather than rebuilding them track by
    track, and a language without a phrasebook is warned about once, not once a track.
    """

    def __init__(
        self, speech: SpeechSettings, warn: Warn | None = None, *, jobs: int | None = None
    ) -> None:
        self.speech = speech
        self.warn = warn
        self.jobs = jobs
        self._made: dict[tuple[str, float], Speaker] = {}
        self._books: dict[str, Phrasebook] = {}

    def phrasebook(self, language: str) -> Phrasebook:
        """The coach's words in ``language`` (English, with one warning, when it has none)."""
        if language not in self._books:
            book = phrasebook_for(language)
            if book.notice and self.warn:
                self.warn(book.notice)
            self._books[language] = book
        return self._books[language]

    def get(self, language: str, speed: float) -> Speaker:
        key = (language, speed)
        if key not in self._made:
            self._made[key] = make_speaker(
                self.speech, language=language, speed=speed, warn=self.warn, jobs=self.jobs
            )
        return self._made[key]

    def made(self) -> tuple[Speaker, ...]:
        """Every speaker built so far (for counting synthesis, say)."""
        return tuple(self._made.values())


def plan_timeline(
    rf: RoutineFile,
    pace: PaceOptions | Settings,
    speech_ms: SpeechMs,
    routine: Routine | None = None,
    *,
    phrasebook: Phrasebook | None = None,
) -> Timeline:
    """Schedule a routine; one that cannot be laid out is an input error listing every block
    that does not fit, each at its line (``ScheduleError.located``).

    ``routine`` replaces the file's own (a program's week after progression), keeping its lines.
    ``phrasebook`` says the coach's words (default: the routine's ``language:``, else English).
    """
    try:
        return schedule(routine or rf.routine, pace, speech_ms, phrasebook=phrasebook)
    except ScheduleError as exc:
        raise InputError(exc.located(rf.issue)) from None


def estimated_timeline(
    rf: RoutineFile,
    pace: PaceOptions,
    routine: Routine | None = None,
    *,
    phrasebook: Phrasebook | None = None,
) -> Timeline:
    """The timeline with speech sized by the estimator (no synthesis) at the track's speed."""
    settings = resolve((routine or rf.routine).pace, pace)
    speech_ms = estimator(settings.speech_speed)
    return plan_timeline(rf, settings, speech_ms, routine, phrasebook=phrasebook)


@dataclass(frozen=True)
class Planned:
    """A routine laid out with the voice that will speak it, ready to mix."""

    timeline: Timeline
    speaker: Speaker


def plan_routine(
    rf: RoutineFile,
    pace: PaceOptions,
    speech: SpeechSettings | Speakers,
    *,
    routine: Routine | None = None,
    lang: str | None = None,
    estimate: bool = False,
    warn: Warn | None = None,
    progress: Progress | None = None,
    on_phrases: Callable[[int], None] | None = None,
) -> Planned:
    """Lay ``rf`` (or ``routine``, a program's week of it) out with real speech lengths.

    The speech speed and the language are resolved here and nowhere else: the routine's
    ``pace: speech_speed`` under the ``pace`` flags, ``lang`` over the routine's ``language:``.
    Every phrase a quick estimated plan finds is synthesized first (``on_phrases`` hears how many,
    ``progress`` each one done), then the real plan is made against the warm clips.
    ``estimate=True`` sizes speech with the estimator instead and synthesizes nothing.
    ``speech`` is the voice asked for, or the ``Speakers`` of a run of many tracks.
    Raises ``InputError`` (located) when the routine cannot be laid out, ``AudiocoachError`` when
    the voice cannot be built.
    """
    chosen = routine or rf.routine
    settings = resolve(chosen.pace, pace)
    language = track_language(chosen, lang)
    speakers = speech if isinstance(speech, Speakers) else Speakers(speech, warn)
    book = speakers.phrasebook(language)
    try:
        speaker = speakers.get(language, settings.speech_speed)
    except InputError as exc:
        if lang is None and not exc.issues and rf.routine.language == language:
            # the routine's own language: choose found no voice for it; say where it was asked
            raise InputError([rf.issue(("language",), exc.text.removeprefix("error: "))]) from None
        raise
    if estimate:
        speech_ms = estimator(settings.speech_speed)
        timeline = plan_timeline(rf, settings, speech_ms, routine, phrasebook=book)
        return Planned(speaker.voice(timeline), speaker)
    phrases = estimated_timeline(rf, pace, routine, phrasebook=book).utterances()
    if on_phrases:
        on_phrases(len(phrases))
    speaker.warm(phrases, progress)
    timeline = plan_timeline(rf, settings, speaker.speech_ms, routine, phrasebook=book)
    return Planned(speaker.voice(timeline), speaker)


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
    music: MusicOptions = field(default_factory=MusicOptions)


@dataclass(frozen=True)
class Rendered:
    path: Path
    timeline: Timeline
    sidecars: tuple[Path, ...]
    #: The chapters the written file holds, as read back from it (``tags.write_tags``).
    chapters: tuple[ChapterMark, ...] = ()


def mixed_pcm(
    timeline: Timeline,
    speaker: Speaker,
    *,
    fmt: str = "mp3",
    bitrate: str = "128k",
    soundtrack: Soundtrack | None = None,
    pan_sides: bool = False,
) -> Iterator[bytes]:
    """The track's PCM, window by window, exactly as the encoder receives it.

    Signed 16-bit little-endian at ``SAMPLE_RATE``, interleaved where the track is stereo
    (``track_channels``). The loudness plan is made first (it allows for the codec ``fmt`` at
    ``bitrate``, and for the music of ``soundtrack`` laid under the timeline), then windows are
    mixed lazily as the consumer pulls them.
    """
    clips = speaker.clips_for(timeline)
    bed = soundtrack.lay(timeline) if soundtrack is not None else None
    levels = plan_gain(timeline, clips, fmt=fmt, bitrate=bitrate, bed=bed)
    channels = track_channels(soundtrack, pan_sides)
    return mix_chunks(timeline, clips, levels, channels=channels, pan_sides=pan_sides)


def track_channels(soundtrack: Soundtrack | None, pan_sides: bool) -> int:
    """2 for a track with stereo music or side panning, else 1 (as without music)."""
    return soundtrack.channels if soundtrack is not None else (2 if pan_sides else 1)


def song_store(speech: SpeechSettings | Speakers) -> SongStore | None:
    """Where song measurements are kept: the speech cache's folder (None with ``--no-cache``)."""
    chosen = speech.speech if isinstance(speech, Speakers) else speech
    return SongStore(SpeechCache(chosen.cache_dir).directory) if chosen.use_cache else None


def render_timeline(
    timeline: Timeline,
    speaker: Speaker,
    out: Path,
    settings: RenderSettings | None = None,
    progress: Progress | None = None,
    soundtrack: Soundtrack | None = None,
) -> Rendered:
    """Mix, encode and tag ``timeline`` into ``out`` atomically; write the asked-for sidecars.

    ``progress`` hears the ms of audio encoded so far; ``soundtrack`` is the music to lay under
    the track (``prepare_soundtrack``).
    """
    settings = settings or RenderSettings()
    pan_sides = settings.music.pan_sides
    spec = output_format(out, settings.fmt)
    # Temps a killed render left for this file and its sidecars; their writers are gone, so they
    # go now (a render of the same file still running in another process holds its temp's lock).
    for name in (out.name, *(out.with_suffix(s).name for s in SIDECAR_SUFFIXES)):
        cleanup_stale_temps(out.parent, name)
    info = TrackInfo.from_timeline(timeline, **settings.tags)
    pcm = mixed_pcm(
        timeline,
        speaker,
        fmt=spec.name,
        bitrate=settings.bitrate,
        soundtrack=soundtrack,
        pan_sides=pan_sides,
    )
    chapters: list[ChapterMark] = []
    encode(
        pcm,
        out,
        bitrate=settings.bitrate,
        sample_rate=settings.sample_rate,
        fmt=spec.name,
        progress=progress,
        finalize=lambda temp: chapters.extend(write_tags(temp, info, spec.name)),
        channels=track_channels(soundtrack, pan_sides),
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


def render_routine(
    rf: RoutineFile,
    pace: PaceOptions,
    speech: SpeechSettings | Speakers,
    out: Path,
    settings: RenderSettings | None = None,
    *,
    routine: Routine | None = None,
    lang: str | None = None,
    warn: Warn | None = None,
    on_phrases: Callable[[int], None] | None = None,
    speech_progress: Progress | None = None,
    on_timeline: Callable[[Timeline], None] | None = None,
    mix_progress: Progress | None = None,
    day_music: MusicSource | None = None,
) -> Rendered:
    """The whole pipeline for one track: plan with the real voice, then mix, encode and tag.

    ``routine`` replaces the file's own (a program's week after progression). The hooks let a
    caller show progress: ``on_phrases(count)`` then ``speech_progress(1)`` per phrase synthesized,
    ``on_timeline(timeline)`` once laid out, then ``mix_progress(ms_done)`` while encoding.
    ``day_music`` is a program day's music (``RenderSettings.music`` says what the command line
    chose). Nothing is written when planning fails (``InputError``: music that cannot be used
    fails before any speech is made), and the output is atomic.
    """
    settings = settings or RenderSettings()
    soundtrack = prepare_soundtrack(
        rf, settings.music, routine=routine, day=day_music, store=song_store(speech), warn=warn
    )
    channels = track_channels(soundtrack, settings.music.pan_sides)
    check_bitrate(output_format(out, settings.fmt), settings.bitrate, channels)
    planned = plan_routine(
        rf,
        pace,
        speech,
        routine=routine,
        lang=lang,
        warn=warn,
        progress=speech_progress,
        on_phrases=on_phrases,
    )
    if on_timeline:
        on_timeline(planned.timeline)
    return render_timeline(
        planned.timeline, planned.speaker, out, settings, mix_progress, soundtrack
    )
