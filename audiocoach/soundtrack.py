"""The soundtrack of a track: which music plays where, from the command line, day and routine.

Who decides, most specific first:

1. ``--no-music``: none.
2. ``--music PATH``: that music under the whole track, whatever the files say.
3. A section's own ``music:`` from where its name is spoken, up to the next named section; a
   named section without one goes back to the track's music. The first section's music plays
   from the start (the intro belongs to it).
4. The track's music: a program day's ``music:``, else the routine's own ``music:``.

``music: off`` is silence there. Songs are found and measured (``music.load_songs``) before the
routine is planned, so music that cannot be used stops the render before any speech is made, with
every problem placed where the music was named: ``routine.yaml:3:8: music: ...``, or
``--music: ...``. Only once the timeline exists are the songs laid under it (``Soundtrack.lay``):
the ducking and the section boundaries come from the timeline.

The track is stereo when any of its songs is (or with ``--pan-sides``), mono otherwise.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

from audiocoach.bed import DEFAULT_MUSIC_LEVEL_DB, Bed, MusicPart, lay_bed
from audiocoach.ducking import DEFAULT_DUCK_DB, duck_curve
from audiocoach.errors import InputError, Issue
from audiocoach.music import MusicError, Song, SongStore, find_songs, load_songs
from audiocoach.routine import MusicSource, Routine, RoutineFile
from audiocoach.timeline import Timeline

__all__ = ["MusicOptions", "Soundtrack", "prepare_soundtrack"]


@dataclass(frozen=True)
class MusicOptions:
    """The music choices of a render (the command line's).

    ``source`` (``--music``) replaces the routine's and the day's music; ``off`` (``--no-music``)
    silences all of it; ``shuffle`` seeds a reproducible shuffle; ``duck_db`` is how far the music
    goes down under speech, ``level_db`` its loudness from the voice's between cues; ``pan_sides``
    moves one-sided work's cues toward that ear (and makes the track stereo).
    """

    source: Path | None = None
    off: bool = False
    shuffle: int | None = None
    duck_db: float = DEFAULT_DUCK_DB
    level_db: float = DEFAULT_MUSIC_LEVEL_DB
    pan_sides: bool = False


@dataclass(frozen=True, eq=False)
class Soundtrack:
    """A track's music, found and measured, waiting for its timeline.

    ``track`` plays from the start; ``sections[k]`` is the k-th named section's own (None: it
    plays the track's music); an empty tuple is silence.
    """

    track: tuple[Song, ...]
    sections: tuple[tuple[Song, ...] | None, ...]
    options: MusicOptions

    @property
    def channels(self) -> int:
        songs = [*self.track, *(s for part in self.sections if part for s in part)]
        return 2 if self.options.pan_sides or any(s.channels == 2 for s in songs) else 1

    def digest(self) -> str:
        """A hash of the songs (by content) and where each plays: changes when the music does."""
        parts = [[s.digest for s in self.track]]
        parts += [None if p is None else [s.digest for s in p] for p in self.sections]
        blob = json.dumps(parts).encode()
        return hashlib.sha256(blob).hexdigest()

    def lay(self, timeline: Timeline) -> Bed:
        """The songs laid under ``timeline``: sections change the music as their names are said,
        ducked under every speech event."""
        starts = [e.at_ms for e in timeline.events if e.role == "section"]
        parts = [MusicPart(0, self.track)]
        for k, (own, at) in enumerate(zip(self.sections, starts, strict=False)):
            songs = self.track if own is None else own
            if k == 0:
                parts[0] = MusicPart(0, songs)
            elif songs is not parts[-1].songs:
                parts.append(MusicPart(at, songs))
        return lay_bed(
            parts,
            timeline.duration_ms,
            channels=self.channels,
            duck=duck_curve(timeline, self.options.duck_db),
            level_db=self.options.level_db,
            shuffle=self.options.shuffle,
        )


def prepare_soundtrack(
    rf: RoutineFile,
    options: MusicOptions,
    *,
    routine: Routine | None = None,
    day: MusicSource | None = None,
    store: SongStore | None = None,
    ffmpeg: str | None = None,
    warn: Callable[[str], None] | None = None,
) -> Soundtrack | None:
    """Find and measure the music of one track (see the module docstring); None: no music.

    ``routine`` replaces the file's own (a program's week of it); ``day`` is the program day's
    music. Raises ``InputError`` listing every problem, each where its music was named.
    ``warn`` hears of songs skipped in a folder or playlist (too short to crossfade); without
    it they are problems too.
    """
    if options.off:
        return None
    chosen = routine or rf.routine
    if options.source is not None:
        track_source: MusicSource | None = MusicSource(str(options.source), Path.cwd())
        section_sources: Sequence[MusicSource | None] = ()
    else:
        own, *per_section = rf.music(chosen)
        track_source = day or own
        named = [s.name is not None for s in chosen.sections]
        section_sources = [
            src for src, is_named in zip(per_section, named, strict=True) if is_named
        ]
    resolved: dict[Path, tuple[Song, ...]] = {}
    problems: list[Issue | str] = []

    def songs_of(source: MusicSource | None) -> tuple[Song, ...] | None:
        if source is None:
            return None
        if source.off:
            return ()
        path = source.path
        if path not in resolved:
            try:
                where = None if warn is None else (lambda m: warn(str(source.problem(m))))
                songs = load_songs(find_songs(path), store, ffmpeg=ffmpeg, warn=where)
                resolved[path] = tuple(songs)
            except MusicError as exc:
                problems.extend(source.problem(p) for p in exc.problems)
                resolved[path] = ()
        return resolved[path]

    track = songs_of(track_source) or ()
    sections = tuple(songs_of(s) for s in section_sources)
    if problems:
        issues = [p for p in problems if isinstance(p, Issue)]
        if len(issues) == len(problems):
            raise InputError(issues)
        raise InputError("\n".join(str(p) for p in problems))
    if not track and not any(sections):
        return None
    return Soundtrack(track, sections, options)
