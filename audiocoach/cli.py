"""The command line: a thin click layer over the library.

This is the one place that turns errors into messages and exit codes: 2 for bad input (every
problem as ``file:line:col: key: message``), 1 for a failed run (one line), 0 otherwise. No
traceback reaches a user.
"""

from __future__ import annotations

import functools
import json
import os
import secrets
import sys
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any, TypeVar

import click
from click.core import ParameterSource

from audiocoach import __version__
from audiocoach.bed import DEFAULT_MUSIC_LEVEL_DB
from audiocoach.ducking import DEFAULT_DUCK_DB
from audiocoach.durations import clock, format_duration
from audiocoach.encode import FORMATS, check_bitrate, output_format, parse_bitrate
from audiocoach.errors import AudiocoachError, InputError
from audiocoach.pace import (
    PaceOptions,
    parse_breath_flag,
    parse_hold,
    parse_pace,
    parse_rep_tempo,
    parse_rest,
    parse_speech_speed,
)
from audiocoach.phrasebook import phrasebook_for
from audiocoach.playlist import check_music, check_schedulable, render_program
from audiocoach.program import (
    DAY_NAMES,
    ProgramFile,
    is_program,
    load_program,
    parse_weeks,
    program_from,
)
from audiocoach.render import RenderSettings, Speakers, plan_routine, render_routine, song_store
from audiocoach.routine import RoutineFile, language_or_name, load_routine, validate_routine
from audiocoach.soundtrack import MusicOptions, prepare_soundtrack
from audiocoach.speech.cache import SpeechCache
from audiocoach.speech.registry import SpeechSettings, engine_names
from audiocoach.timeline import Timeline
from audiocoach.yamlsource import Source, SourceError, read_source

F = TypeVar("F", bound=Callable[..., Any])


def _converter(parse: Callable[[str], Any]) -> Callable[[click.Context, click.Parameter, Any], Any]:
    def callback(ctx: click.Context, param: click.Parameter, value: Any) -> Any:
        if value is None:
            return None
        try:
            return parse(value)
        except ValueError as exc:
            raise click.BadParameter(str(exc)) from None

    return callback


def pace_options(func: F) -> F:
    """The pace flags shared by every command that schedules."""
    options = [
        click.option(
            "--pace",
            "pace_factor",
            default="1",
            metavar="FACTOR",
            callback=_converter(lambda v: parse_pace(v, what="--pace")),
            help="Scale work and rest together (0.5 = half as long). Breaths are not scaled.",
        ),
        click.option(
            "--rest",
            metavar="DURATION|xFACTOR",
            callback=_converter(parse_rest),
            help="Every rest this long (45s), or scaled (x0.5). Zero rests stay zero.",
        ),
        click.option(
            "--breath",
            metavar="IN:OUT|IN:HOLD:OUT:HOLD",
            callback=_converter(parse_breath_flag),
            help="Breath pattern in seconds, e.g. 4:6 or 4:2:6:2.",
        ),
        click.option(
            "--rep-tempo",
            metavar="SECONDS|xFACTOR",
            callback=_converter(parse_rep_tempo),
            help="Seconds per rep for every rep exercise (3s), or scaled (x0.8).",
        ),
        click.option(
            "--hold",
            metavar="DURATION",
            callback=_converter(parse_hold),
            help="Length of open holds ('as long as comfortable'). Default 30s.",
        ),
        click.option(
            "--countdown",
            type=click.IntRange(0, 10),
            default=None,
            help="Seconds counted down before and at the end of timed work (0 = none).",
        ),
        click.option(
            "--no-steps",
            is_flag=True,
            help="Skip the spoken step-by-step instructions (for people who know the moves).",
        ),
        click.option(
            "--speech-speed",
            metavar="FACTOR",
            callback=_converter(lambda v: parse_speech_speed(v, what="--speech-speed")),
            help="Speech speed, 0.5 to 2.0 (1.0 normal). Changes timing too.",
        ),
    ]
    for option in reversed(options):
        func = option(func)
    return func


def _pace_from(kwargs: dict[str, Any]) -> PaceOptions:
    return PaceOptions(
        pace=kwargs.pop("pace_factor"),
        rest=kwargs.pop("rest"),
        breath=kwargs.pop("breath"),
        rep_tempo=kwargs.pop("rep_tempo"),
        hold=kwargs.pop("hold"),
        countdown=kwargs.pop("countdown"),
        steps=not kwargs.pop("no_steps"),
        speech_speed=kwargs.pop("speech_speed"),
    )


def speech_options(func: F) -> F:
    """Which voice speaks, shared by ``plan`` (for real lengths) and ``render``."""
    options = [
        click.option(
            "--engine",
            default=None,
            type=click.Choice(engine_names()),
            help="Speech engine: piper (natural, offline), espeak (offline, robotic, fast) or "
            "gtts (Google, online). Default: piper where it has a voice for the language (the "
            "bundled one for English), else espeak.",
        ),
        click.option(
            "--voice",
            default=None,
            help="A voice from 'audiocoach voices' (Piper or espeak); with --voice-model, one of "
            "the model's speakers.",
        ),
        click.option(
            "--voice-model",
            type=click.Path(path_type=Path),
            default=None,
            metavar="FILE.onnx",
            help="A Piper voice model from any folder (its .onnx.json beside it).",
        ),
        click.option(
            "--lang",
            default=None,
            callback=_converter(functools.partial(language_or_name, write="--lang ")),
            help="Language of the coach's words and the voice: en, de, es, fr, de-AT, ... "
            "(default: the routine's language:, else en).",
        ),
        click.option(
            "--tld", default="com", show_default=True, help="gtts accent: com, co.uk, com.au, ..."
        ),
        click.option(
            "--cache-dir",
            # not checked for access here: a cache that cannot be used is dropped with a warning
            type=click.Path(path_type=Path, file_okay=False, readable=False),
            envvar="AUDIOCOACH_CACHE_DIR",
            default=None,
            help="Speech cache folder (default: the user cache folder; env AUDIOCOACH_CACHE_DIR).",
        ),
        click.option("--no-cache", is_flag=True, help="Synthesize every phrase afresh."),
    ]
    for option in reversed(options):
        func = option(func)
    return func


def music_options(func: F) -> F:
    """The music under the coach, shared by ``render`` and ``playlist``."""
    options = [
        click.option(
            "--music",
            type=click.Path(path_type=Path),
            default=None,
            help="Music under the whole track: an audio file, a folder of them, or an "
            ".m3u/.m3u8 playlist (over the routine's and the day's music:).",
        ),
        click.option("--no-music", is_flag=True, help="No music, whatever the files say."),
        click.option(
            "--shuffle",
            is_flag=False,
            flag_value="random",
            default=None,
            metavar="[SEED]",
            help="Shuffle the songs; the same SEED gives the same order again.",
        ),
        click.option(
            "--duck",
            "duck_db",
            type=click.FloatRange(0, 40),
            default=DEFAULT_DUCK_DB,
            show_default=True,
            metavar="DB",
            help="How far the music goes down while the coach speaks.",
        ),
        click.option(
            "--music-level",
            "music_level_db",
            type=click.FloatRange(-40, 0),
            default=DEFAULT_MUSIC_LEVEL_DB,
            show_default=True,
            metavar="DB",
            help="The music's loudness against the voice's when nothing is said.",
        ),
        click.option(
            "--pan-sides",
            is_flag=True,
            help="Stereo, with the cues of one-sided work toward that ear (left side, left ear).",
        ),
    ]
    for option in reversed(options):
        func = option(func)
    return func


def _music_from(kwargs: dict[str, Any]) -> MusicOptions:
    source, off = kwargs.pop("music"), kwargs.pop("no_music")
    shuffle = kwargs.pop("shuffle")
    if source is not None and off:
        raise click.UsageError("give --music or --no-music, not both")
    if shuffle == "random":
        shuffle = secrets.randbelow(1_000_000)
        click.echo(
            f"shuffle: seed {shuffle} (--shuffle {shuffle} plays this order again)", err=True
        )
    elif shuffle is not None:
        if not shuffle.strip().isdigit():
            raise click.BadParameter(
                f"a seed is a whole number, e.g. --shuffle 7 (got {shuffle!r})",
                param_hint="'--shuffle'",
            )
        shuffle = int(shuffle)
    return MusicOptions(
        source=source,
        off=off,
        shuffle=shuffle,
        duck_db=kwargs.pop("duck_db"),
        level_db=kwargs.pop("music_level_db"),
        pan_sides=kwargs.pop("pan_sides"),
    )


def _warn(message: str) -> None:
    click.echo(f"warning: {message}", err=True)


def _speech_from(kwargs: dict[str, Any]) -> SpeechSettings:
    return SpeechSettings(
        engine=kwargs.pop("engine"),
        voice=kwargs.pop("voice"),
        voice_model=kwargs.pop("voice_model"),
        tld=kwargs.pop("tld"),
        cache_dir=kwargs.pop("cache_dir"),
        use_cache=not kwargs.pop("no_cache"),
    )


def _warn_languages(tags: Iterable[str | None]) -> None:
    """One warning per language without a phrasebook among a program's tracks."""
    for tag in dict.fromkeys(tags):
        notice = phrasebook_for(tag).notice
        if notice:
            _warn(notice)


def handle_errors(func: F) -> F:
    """Map library errors to messages and exit codes; the only try/except around commands."""

    @functools.wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return func(*args, **kwargs)
        except InputError as exc:
            click.echo(exc.text, err=True)
            sys.exit(2)
        except AudiocoachError as exc:
            click.echo(f"error: {exc}", err=True)
            sys.exit(exc.exit_code)
        except KeyboardInterrupt:
            click.echo("interrupted; nothing was written", err=True)
            sys.exit(130)
        except BrokenPipeError:
            raise  # stdout closed early (piped into head): click ends quietly
        except OSError as exc:
            # A failure of the machine that no layer below put into words (a full disk, a
            # folder where a file should be): still one line, never a traceback.
            click.echo(f"error: {_os_error(exc)}", err=True)
            sys.exit(1)

    return wrapper  # type: ignore[return-value]


def _os_error(exc: OSError) -> str:
    where = exc.filename2 if exc.filename2 is not None else exc.filename
    reason = exc.strerror or str(exc) or type(exc).__name__
    return f"{where}: {reason}" if where is not None else reason


@click.group(context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100})
@click.version_option(__version__, prog_name="audiocoach")
def cli() -> None:
    """Turn a workout routine file into a voice-guided audio track."""


_ESTIMATE = click.option(
    "--estimate",
    is_flag=True,
    help="Size speech with a quick estimate instead of real synthesized lengths.",
)


@cli.command()
@click.argument("files", nargs=-1, required=True, type=click.Path(path_type=Path))
@_ESTIMATE
@speech_options
@handle_errors
def validate(files: tuple[Path, ...], estimate: bool, **kwargs: Any) -> None:
    """Check routine and program files; print every problem as file:line:col: key: message.

    Each file is also laid out with the voice that will speak it (as `plan` does), so a routine
    that validates also renders, and the length shown is the one `render` produces. --estimate
    sizes speech with a quick estimate instead (nothing is synthesized).
    """
    speech = _speech_from(kwargs)
    lang = kwargs.pop("lang")
    problems: list[str] = []
    for path in files:
        try:
            click.echo(f"ok: {path}: {_check(path, speech, lang, estimate)}")
        except InputError as exc:
            problems.append(exc.text)
    if problems:
        click.echo("\n".join(problems), err=True)
        sys.exit(2)


def _read_source(path: Path) -> Source:
    """A routine or program file; a duplicate key is reported with the file's other problems."""
    try:
        return read_source(path)
    except SourceError as exc:
        raise exc.with_checks(
            lambda source: program_from(source) if is_program(source) else validate_routine(source)
        ) from None


def _check(path: Path, speech: SpeechSettings, lang: str | None, estimate: bool) -> str:
    """Validate one file and lay it out; a summary line if it is fine."""
    source = _read_source(path)
    if is_program(source):
        pf = program_from(source)
        tracks = list(pf.tracks(range(1, pf.program.weeks + 1), language=lang))
        _warn_languages(track.routine.language for track in tracks)
        check_schedulable(pf, tracks)
        check_music(pf, tracks, RenderSettings(), speech, _warn)  # as playlist checks, first
        if not estimate:
            speakers = Speakers(speech)  # warned above, once per language
            for track in tracks:
                rf = pf.routines[track.day]
                plan_routine(rf, track.pace, speakers, routine=track.routine)
        weeks, n = pf.program.weeks, len(tracks)
        return f"{pf.program.title} ({weeks} week{'s' * (weeks != 1)}, {n} track{'s' * (n != 1)})"
    rf = RoutineFile(validate_routine(source), source)
    prepare_soundtrack(rf, MusicOptions(), store=song_store(speech), warn=_warn)  # as render does
    with _Bars(quiet=False) as bars:
        timeline = plan_routine(
            rf, PaceOptions(), speech, lang=lang, estimate=estimate, warn=_warn, **bars.speech()
        )
    length = format_duration(timeline.timeline.duration_ms, exact=False)
    return f"{rf.routine.title} ({'about ' if estimate else ''}{length})"


@cli.command()
@click.argument("routine", type=click.Path(path_type=Path))
@pace_options
@click.option("--json", "as_json", is_flag=True, help="Print the timeline as JSON (the contract).")
@_ESTIMATE
@speech_options
@click.option("--weeks", default=None, help="For a program: which weeks, e.g. 2 or 1-4.")
@handle_errors
def plan(routine: Path, as_json: bool, estimate: bool, **kwargs: Any) -> None:
    """Show what a routine will sound like: time, phase and what is heard.

    Speech is sized with the real voice (through the cache), so the total is the one `render`
    produces; --estimate skips synthesis for a quick look. Given a program file, shows its weeks:
    day, routine, duration and what progressed.
    """
    pace = _pace_from(kwargs)
    speech = _speech_from(kwargs)
    lang = kwargs.pop("lang")
    source = _read_source(routine)
    weeks = kwargs.pop("weeks")
    if is_program(source):
        if as_json:
            raise click.UsageError("--json prints one routine's timeline; a program has many")
        pf = program_from(source)
        click.echo(_format_program(pf, pace, speech, lang, estimate, weeks))
        return
    if weeks is not None:
        raise click.UsageError("--weeks is for a program; this is a routine")
    rf = RoutineFile(validate_routine(source), source)
    with _Bars(quiet=False) as bars:
        planned = plan_routine(
            rf, pace, speech, lang=lang, estimate=estimate, warn=_warn, **bars.speech()
        )
    timeline = planned.timeline
    if as_json:
        click.echo(json.dumps(timeline.to_json(), indent=2, ensure_ascii=False))
        return
    click.echo(format_plan(timeline))


def format_plan(timeline: Timeline) -> str:
    """A readable table: one row per phase with what is said in it; a run of breaths is one row.

    The breath rows' labels are worded in the timeline's language.
    """
    book = phrasebook_for(timeline.language or None)
    breath_kinds = {"breath-in", "breath-out", "breath-hold"}
    rows: list[list[Any]] = []  # [start, kind, label, said, breaths]
    # the bare breath words are left out like the counts; the routine's own are shown, once
    bare = {book.say(f"breath.{w}") for w in ("inhale", "exhale", "hold", "release")}
    speech = list(timeline.speech())
    index = 0
    for phase in timeline.phases:
        said = []
        while index < len(speech) and speech[index].at_ms < phase.end_ms:
            event = speech[index]
            if event.role not in ("countdown", "count", "breath") or (
                event.role == "breath" and event.text not in bare
            ):
                said.append(event.spoken or event.text or "")
            index += 1
        if phase.kind in breath_kinds:
            label = book.work_label(phase.exercise or phase.label, phase.side)
            if rows and rows[-1][1] == "breath" and rows[-1][2] == label:
                rows[-1][3] += [w for w in said if w not in rows[-1][3]]
                rows[-1][4] += phase.kind == "breath-in"
                continue
            rows.append([phase.start_ms, "breath", label, said, 1])
            continue
        rows.append([phase.start_ms, phase.kind, phase.label, said, 0])
    lines = [timeline.title, "", f"{'time':>8}  {'phase':<11} {'what':<38} heard"]
    for start, kind, label, said, breaths in rows:
        detail = " ".join(said)
        if kind == "breath":
            label = book.say("label.breaths", name=label, n=breaths)
        lines.append(f"{clock(start):>8}  {kind:<11} {label[:38]:<38} {detail}".rstrip())
    lines.append("")
    total = timeline.duration_ms
    lines.append(f"Total {clock(total)} ({format_duration(total, exact=False)})")
    lines.append("Chapters: " + ", ".join(c.title for c in timeline.chapters))
    lines += [f"note: {note}" for note in timeline.dropped]
    return "\n".join(lines)


@cli.command()
@click.argument("routine", type=click.Path(path_type=Path))
@click.option(
    "-o",
    "--output",
    type=click.Path(path_type=Path, dir_okay=False),
    default=None,
    help="Output file (default: ROUTINE's name with .mp3, in the current folder). Format from "
    "the extension: "
    "mp3, ogg, opus, m4a, wav, flac.",
)
@pace_options
@speech_options
@music_options
@click.option(
    "--bitrate",
    default="128k",
    show_default=True,
    callback=_converter(parse_bitrate),
    help="Bitrate of lossy formats, e.g. 96k (mp3 and m4a 8k-320k; ogg and opus: see README).",
)
@click.option("--sample-rate", type=click.IntRange(8000, 48000), default=44100, show_default=True)
@click.option("--transcript", is_flag=True, help="Also write .lrc and .vtt of what is said.")
@click.option("--timeline", "timeline_json", is_flag=True, help="Also write .timeline.json.")
@click.option(
    "--chapters-json",
    is_flag=True,
    help="Also write .chapters.json (Podcasting 2.0 chapters, for a feed's <podcast:chapters>).",
)
@click.option("--quiet", "-q", is_flag=True, help="No progress bars.")
@handle_errors
def render(
    routine: Path,
    output: Path | None,
    bitrate: str,
    sample_rate: int,
    transcript: bool,
    timeline_json: bool,
    chapters_json: bool,
    quiet: bool,
    **kwargs: Any,
) -> None:
    """Render a routine to a voice-guided audio file with chapters."""
    pace = _pace_from(kwargs)
    speech = _speech_from(kwargs)
    music = _music_from(kwargs)
    lang = kwargs.pop("lang")
    out = output or Path(routine.name).with_suffix(".mp3")
    try:
        output_format(out)  # every format written carries chapters; others are refused here
        if not out.parent.is_dir():
            raise AudiocoachError(f"there is no folder {str(out.parent)!r}: create it first")
    except AudiocoachError as exc:
        raise click.BadParameter(str(exc), param_hint="'-o' / '--output'") from None
    rf = load_routine(routine)
    _warn_music_options_unused(music, rf)
    settings = RenderSettings(
        bitrate=bitrate,
        sample_rate=sample_rate,
        transcript=transcript,
        timeline_json=timeline_json,
        music=music,
        chapters_json=chapters_json,
    )
    with _Bars(quiet) as bars:
        result = render_routine(
            rf,
            pace,
            speech,
            out,
            settings,
            lang=lang,
            warn=_warn,
            on_phrases=bars.speech()["on_phrases"],
            speech_progress=bars.advance,
            on_timeline=lambda timeline: bars.start(timeline.duration_ms, "mixing"),
            mix_progress=bars.reach,
        )
    timeline = result.timeline
    click.echo(
        f"wrote {result.path} ({clock(timeline.duration_ms)}, {len(result.chapters)} chapters)"
    )
    for path in result.sidecars:
        click.echo(f"wrote {path}")


def _warn_music_options_unused(music: MusicOptions, rf: RoutineFile) -> None:
    """``--duck 20`` on a track without music changes nothing: say so rather than accept it."""
    if music.source is not None or (not music.off and any(rf.music(rf.routine))):
        return
    ctx = click.get_current_context()
    given = [
        flag
        for name, flag in (("duck_db", "--duck"), ("music_level_db", "--music-level"))
        if ctx.get_parameter_source(name) is ParameterSource.COMMANDLINE
    ]
    if music.shuffle is not None:
        given.append("--shuffle")
    if given:
        verb = "changes" if len(given) == 1 else "change"
        why = (
            "with --no-music"
            if music.off
            else ": this track has no music (give --music PATH, or music: in the routine)"
        )
        _warn(f"{' and '.join(given)} {verb} nothing{' ' * music.off}{why}")


class _Bars:
    """One progress bar at a time on stderr (none with ``--quiet``): each stage starts its own."""

    def __init__(self, quiet: bool) -> None:
        self.quiet = quiet
        self.bar: Any = None
        self.done = 0

    def __enter__(self) -> _Bars:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        if self.bar is not None:
            self.bar.__exit__(None, None, None)
            self.bar = None

    def start(self, length: int, label: str, count: bool = False) -> None:
        self.close()
        self.bar = _bar(length, label, self.quiet or length == 0, count).__enter__()
        self.done = 0

    def advance(self, n: int) -> None:
        if self.bar is not None:
            self.bar.update(n)
            self.done += n

    def speech(self) -> dict[str, Any]:
        """The hooks of ``plan_routine`` that show a bar counting phrases as they are spoken."""
        return {
            "on_phrases": lambda count: self.start(count, "speech", count=True),
            "progress": self.advance,
        }

    def reach(self, done: int) -> None:
        """Move to ``done`` (a running total, as the encoder reports ms)."""
        self.advance(done - self.done)


class _NoBar:
    def __enter__(self) -> _NoBar:
        return self

    def __exit__(self, *exc: object) -> None:
        return None

    def update(self, n: int) -> None:
        return None


def _bar(length: int, label: str, quiet: bool, count: bool = False) -> Any:
    """A progress bar on stderr with the time left; ``count`` shows done/total (phrases).

    None when stderr is not a terminal: a log or a pipe would get a label and no bar.
    """
    if quiet or not click.get_text_stream("stderr").isatty():
        return _NoBar()
    return click.progressbar(
        length=max(1, length),
        label=f"{label:<7}",
        file=click.get_text_stream("stderr"),
        width=30,
        show_pos=count,
    )


def _weeks(pf: ProgramFile, text: str | None) -> range:
    try:
        return parse_weeks(text, pf.program)
    except ValueError as exc:
        raise click.BadParameter(str(exc), param_hint="'--weeks'") from None


def _format_program(
    pf: ProgramFile,
    pace: PaceOptions,
    speech: SpeechSettings,
    lang: str | None,
    estimate: bool,
    weeks: str | None,
) -> str:
    lines = [
        pf.program.title,
        "",
        f"{'week':>4}  {'day':<10} {'routine':<36} {'length':>7}  changes",
    ]
    speakers = Speakers(speech, _warn)
    total = 0
    tracks = list(pf.tracks(_weeks(pf, weeks), pace, lang))
    with _Bars(quiet=False) as bars:
        bars.start(len(tracks), "tracks", count=True)
        for track in tracks:
            rf = pf.routines[track.day]
            planned = plan_routine(
                rf, track.pace, speakers, routine=track.routine, lang=lang, estimate=estimate
            )
            length = planned.timeline.duration_ms
            total += length
            lines.append(
                f"{track.week:>4}  {DAY_NAMES[track.day]:<10} {track.routine.title[:36]:<36} "
                f"{clock(length):>7}  {track.change.describe()}"
            )
            bars.advance(1)
    lines += [
        "",
        f"Total {clock(total)} of training; rest days: "
        + (
            ", ".join(
                DAY_NAMES[d] for d in DAY_NAMES if not pf.program.days.get(pf.day_keys.get(d, ""))
            )
            or "none"
        ),
    ]
    return "\n".join(lines)


@cli.command()
@click.argument("program", type=click.Path(path_type=Path))
@click.option(
    "-o",
    "--output",
    "out_dir",
    required=True,
    type=click.Path(path_type=Path, file_okay=False),
    help="Folder for the tracks and playlists.",
)
@click.option("--weeks", default=None, help="Which weeks: 2 or 1-4 (default: all).")
@pace_options
@speech_options
@music_options
@click.option(
    "--bitrate",
    default="128k",
    show_default=True,
    callback=_converter(parse_bitrate),
    help="Bitrate of the MP3s, 8k to 320k.",
)
@click.option(
    "-j",
    "--jobs",
    type=click.IntRange(1, 64),
    default=os.cpu_count() or 1,
    show_default="number of CPUs",
    help="Tracks rendered at once.",
)
@click.option("--quiet", "-q", is_flag=True, help="No progress bar.")
@handle_errors
def playlist(
    program: Path,
    out_dir: Path,
    weeks: str | None,
    bitrate: str,
    jobs: int,
    quiet: bool,
    **kwargs: Any,
) -> None:
    """Render a weekly program: numbered, tagged tracks and .m3u8 playlists.

    Only tracks whose inputs changed since the last run are rendered again.
    """
    pace = _pace_from(kwargs)
    speech = _speech_from(kwargs)
    music = _music_from(kwargs)
    lang = kwargs.pop("lang")
    check_bitrate(FORMATS["mp3"], bitrate, 2)  # the tracks are MP3s; mono and stereo alike
    pf = load_program(program)
    tracks = list(pf.tracks(_weeks(pf, weeks), pace, lang))
    _warn_languages(track.routine.language for track in tracks)
    bar_box: dict[str, Any] = {}

    def on_plan(count: int) -> None:
        bar_box["bar"] = _bar(count, "tracks", quiet or count == 0).__enter__()

    def on_done(done: Any) -> None:
        bar_box["bar"].update(1)

    try:
        outcome = render_program(
            pf,
            tracks,
            out_dir,
            speech=speech,
            lang=lang,
            settings=RenderSettings(bitrate=bitrate, music=music),
            jobs=jobs,
            on_done=on_done,
            on_plan=on_plan,
            warn=_warn,
        )
    finally:
        if "bar" in bar_box:
            bar_box["bar"].__exit__(None, None, None)
    click.echo(
        f"{len(outcome.rendered)} rendered, {len(outcome.skipped)} up to date, "
        f"{len(outcome.failed)} failed"
    )
    for path in outcome.playlists:
        click.echo(f"wrote {path}")
    if outcome.issues:  # the routine cannot be laid out with the real voice: fix, not retry
        raise InputError(outcome.issues)
    if outcome.failed:
        for path, why in outcome.failed:
            click.echo(f"error: {path}: {why}", err=True)
        click.echo("playlists left as they were; run again to retry the failed tracks", err=True)
        sys.exit(1)


@cli.command("schema")
@click.argument("kind", type=click.Choice(["routine", "program"]))
def schema_command(kind: str) -> None:
    """Print the JSON Schema of routine or program files, for editors.

    \b
    Name the saved schema on a file's first line for the YAML language server:
    # yaml-language-server: $schema=../schemas/routine.schema.json
    """
    from audiocoach.schema import schema_text

    click.echo(schema_text(kind), nl=False)  # type: ignore[arg-type]


@cli.command()
@click.option(
    "--engine", type=click.Choice(["piper", "espeak"]), default=None, help="Only this engine's."
)
@click.option("--lang", default=None, help="Only voices for this language: en, de, en-GB, ...")
@handle_errors
def voices(engine: str | None, lang: str | None) -> None:
    """List the offline voices: Piper's (bundled, and yours) and espeak-ng's, with languages.

    Give a name to --voice. Piper voices of your own (NAME.onnx with NAME.onnx.json) go in the
    voices folder shown at the end, or are used from anywhere with --voice-model.
    """
    from audiocoach.speech.base import language_tag as bcp47
    from audiocoach.speech.piper_voices import voices_dir
    from audiocoach.speech.registry import list_voices

    found, problems = list_voices()
    for problem in problems:
        _warn(f"unusable Piper voice: {problem}")
    wanted = bcp47(lang).lower() if lang else ""
    click.echo(f"{'engine':<7} {'voice':<30} {'language':<12} from")
    for v in found:
        tag = v.language.lower()
        if engine and v.engine != engine:
            continue
        if wanted and tag != wanted and not tag.startswith(wanted + "-"):
            continue
        bundled = f"bundled: {v.path}" if v.path else "bundled"
        where = {"bundled": bundled, "user": f"user: {v.path}", "model": f"file: {v.path}"}.get(
            v.source, f"espeak-ng: {v.description}".rstrip(": ")
        )
        click.echo(f"{v.engine:<7} {v.name:<30} {v.language or '-':<12} {where}")
    click.echo(f"\nyour Piper voices folder: {voices_dir()}")


@cli.command()
@click.option(
    "--cache-dir",
    type=click.Path(path_type=Path, file_okay=False, readable=False),
    envvar="AUDIOCOACH_CACHE_DIR",
    default=None,
    help="Speech cache folder (env AUDIOCOACH_CACHE_DIR).",
)
@click.option("--clear", is_flag=True, help="Delete every cached phrase.")
@handle_errors
def cache(cache_dir: Path | None, clear: bool) -> None:
    """Show where the speech cache is and how big it is; --clear empties it."""
    store = SpeechCache(cache_dir, on_warning=_warn)
    if clear:
        removed = store.clear()
        click.echo(
            f"removed {removed} cached phrase{'s' if removed != 1 else ''} from {store.directory}"
        )
        return
    entries, size = store.stats()
    click.echo(
        f"{store.directory}: {entries} phrase{'s' if entries != 1 else ''}, {size / 1e6:.1f} MB"
    )


def main() -> None:
    # A file name that is not valid UTF-8 (or a title the terminal's encoding lacks) is shown
    # escaped rather than ending the run with a UnicodeEncodeError after the work is done.
    if getattr(sys.stdout, "errors", None) == "strict" and hasattr(sys.stdout, "reconfigure"):
        sys.stdout.reconfigure(errors="backslashreplace")
    cli(prog_name="audiocoach")
