"""The scheduler: a routine and a pace become a millisecond timeline. Pure; knows nothing of audio.

It runs in two passes. ``_expand`` walks the model into a flat list of steps (announce, work,
rest, ...) so a rest can look ahead and say what comes next; ``_Layout`` then lays each step on the
clock. The timing rules it keeps (and the property tests check):

* work periods last exactly what the routine and pace say; announcements, steps and the count-in
  come before a work period, never inside it;
* speech never overlaps speech; a countdown's last beat falls in the last second of its period;
* cues that cannot fit are dropped by priority (countdown > set/side > halfway and time left >
  form cues) and listed in ``Timeline.dropped``; what must be said but cannot be (a rep count
  longer than the rep, a breath word longer than its phase) rejects the routine, with one message
  per block that says what to change, every such block at once (``ScheduleError.problems``).

``speech_ms(text)`` is the only window onto speech: an estimator for a quick plan, real clip
lengths for a render, a fake in tests. Whatever it returns is what the timeline reserves. Every
word comes from the ``Phrasebook`` handed in (see ``phrasebook.py``): this module names none.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from audiocoach.durations import clock, format_duration, spoken_duration
from audiocoach.errors import Issue
from audiocoach.pace import DEFAULT_CHECK_MS, PaceOptions, Settings, resolve
from audiocoach.phrasebook import Phrasebook, estimated_span, phrasebook_for, sentence
from audiocoach.routine import Breath, Check, Exercise, Group, Rest, Routine, Say
from audiocoach.timeline import TONES, Chapter, Event, Phase, Timeline
from audiocoach.yamlsource import KeyPath

SpeechMs = Callable[[str], int]

#: Silence between consecutive utterances of one announcement.
GAP_MS = 250
#: Silence after a work period ends before the next phase starts talking (room for the stop chime).
LEAD_MS = 400
#: Minimum clear space around a counted word inside its beat.
BEAT_MARGIN_MS = 100
#: A counted word (a rep's count, a countdown's number) starts this long after its beat tone
#: ends: the tick or pip marks the beat, and the word follows it ("tock-one", "beep-three")
#: instead of sounding with it. A 1.1 kHz tick or 1 kHz pip under a word's first consonant masks
#: it (both sit in the voice's second formant band); 10 ms of clear air is enough for the ear to
#: hear two events, while the word still lands within the beat.
AFTER_BEAT_MS = 10
#: "Go." follows the whole start chime (350 ms) rather than sounding with it: the word then has no
#: tone under it (the intelligibility rule above), and it stays clear of the chime's loudest part
#: for the peak limiter (sharing it took the limiter's depth on "Go." to 3-20 dB; after it, to
#: about 1). Measured with Piper: "Go." misheard in 0 of 5 occurrences either way.
GO_AFTER_CHIME_MS = 360
#: Longest routine audiocoach will lay out; longer is surely a mistake in the file.
MAX_TOTAL_MS = 12 * 3_600_000


@dataclass(frozen=True, slots=True)
class Problem:
    """One reason a routine cannot be laid out: ``path`` points at the block to change."""

    path: KeyPath
    message: str


class ScheduleError(ValueError):
    """The routine cannot be laid out as written; ``problems`` lists every reason, in the order
    of the track (so in file order), each at the block to change and saying what would fit.

    ``path`` and ``message`` are the first problem's. ``located`` turns them all into issues of
    the file the routine came from (the scheduler knows no files).
    """

    def __init__(self, path: KeyPath, message: str, *more: Problem) -> None:
        self.problems: tuple[Problem, ...] = (Problem(path, message), *more)
        super().__init__("\n".join(p.message for p in self.problems))
        self.path = path
        self.message = message

    @classmethod
    def of(cls, problems: Sequence[Problem]) -> ScheduleError:
        first, *more = problems
        return cls(first.path, first.message, *more)

    def located(self, issue: Callable[[KeyPath, str], Issue]) -> list[Issue]:
        """Every problem as an ``Issue``, placed by ``issue`` (``RoutineFile.issue``)."""
        return [issue(p.path, p.message) for p in self.problems]


# --- pass 1: the routine as a flat list of steps ------------------------------------------------


@dataclass
class _CuePool:
    """Form cues of one exercise occurrence, handed out across its sets and sides once each."""

    exercise: str
    cues: tuple[str, ...]
    pending: list[str] = field(default_factory=list)

    def reset(self) -> None:
        self.pending = list(self.cues)


@dataclass
class _Announce:
    kind: str  # "prepare" or "transition"
    lines: list[tuple[str, str]]  # (text, role)
    label: str
    countdown: bool
    min_ms: int = 0
    exercise: str | None = None
    set: int | None = None
    round: int | None = None
    side: str | None = None
    chapter: str | None = None


@dataclass
class _Work:
    mode: str  # "timed", "reps", "breaths", "check"
    label: str
    path: KeyPath
    exercise: str
    duration_ms: int = 0
    reps: int = 0
    tempo_ms: int = 0
    counts: tuple[str, ...] = ()
    alternate: bool = False
    breath: Breath | None = None
    breaths: int = 0
    inhale_words: str | None = None
    exhale_words: str | None = None
    hold_words: str | None = None
    cues: _CuePool | None = None
    set: int | None = None
    round: int | None = None
    side: str | None = None
    countdown: bool = True
    open_hold: bool = False  # duration: open, "as long as comfortable"


@dataclass(frozen=True)
class _Part:
    """What comes next inside the same exercise or group: set 2 of 4, round 2 of 3."""

    kind: str  # "set" or "round"
    number: int
    total: int


@dataclass
class _Rest:
    duration_ms: int
    path: KeyPath
    next_up: str | None = None  # filled by look-ahead
    say: str | None = None
    preview: _Part | None = None


Step = _Announce | _Work | _Rest


def _breaths_in(work_ms: int, cycle_ms: int) -> int:
    """The whole number of breaths nearest a breath-paced move's duration, at least one."""
    return max(1, round(work_ms / cycle_ms))


def _summary(ex: Exercise, settings: Settings, book: Phrasebook) -> str:
    """What the move is, in one sentence: "4 sets of 5 reps.", "30 seconds each side."."""

    def per_side(what: str) -> str:
        return book.say("summary.each_side", what=what) if ex.sides and not ex.alternate else what

    if ex.reps is not None:
        what = book.say("reps", n=ex.reps)
        if ex.alternate:
            what = book.say("summary.alternating", what=book.say("summary.each_side", what=what))
        else:
            what = per_side(what)
    elif ex.breaths is not None:
        what = per_side(book.say("breaths", n=ex.breaths))
    elif ex.duration == "open":
        what = per_side(book.say("summary.open_hold"))
    elif ex.breathe is not None:
        # breath-paced over a duration: the whole breaths nearest it (as the work is laid out).
        # Said as the duration when they fill it exactly, else as breaths: "Twenty seconds each
        # side" over one 14 s breath would promise a length the move does not have.
        assert isinstance(ex.duration, int)
        work, cycle = settings.work(ex.duration), settings.breath_for(ex).cycle_ms
        n = _breaths_in(work, cycle)
        length = book.duration(work) if n * cycle == work else book.say("breaths", n=n)
        what = book.say("summary.with_breath", what=per_side(length))
    else:
        assert isinstance(ex.duration, int)
        what = per_side(book.duration(settings.work(ex.duration)))
    if ex.sets > 1:
        key = "summary.sets_of_reps" if ex.reps is not None else "summary.sets_then"
        what = book.say(key, sets=book.say("sets", n=ex.sets), what=what)
    return sentence(book.say("summary.sentence", what=what))


def _side_line(side: str, book: Phrasebook, *, switch: bool) -> str:
    """The side line: "Left side." as a side starts, "Switch sides. Right side." on a change."""
    key = book.side_key(side)
    prefix = "side.switch_" if switch else "side.start_"
    if key:
        return book.say(prefix + key)
    return sentence(book.say(prefix + "named", side=side))


def _work_steps(
    ex: Exercise,
    settings: Settings,
    book: Phrasebook,
    path: KeyPath,
    pool: _CuePool,
    *,
    set_no: int | None,
    round_no: int | None,
    side: str | None,
) -> _Work:
    common = {
        "label": book.work_label(ex.exercise, side),
        "path": path,
        "exercise": ex.exercise,
        "cues": pool,
        "set": set_no,
        "round": round_no,
        "side": side,
    }
    if ex.reps is not None:
        tempo = settings.tempo(ex)
        alternate = bool(ex.alternate and ex.sides)
        if alternate:
            counts = tuple(
                book.say("count.rep_side", n=i + 1, side=book.side_name(s))
                for i in range(ex.reps)
                for s in ex.sides or ()
            )
        else:
            counts = tuple(book.say("count.rep", n=i + 1) for i in range(ex.reps))
        return _Work(
            mode="reps",
            reps=len(counts),
            tempo_ms=tempo,
            counts=counts,
            alternate=alternate,
            **common,
        )
    if ex.breaths is not None or ex.breathe is not None:
        breath = settings.breath_for(ex)
        if ex.breaths is not None:
            n = ex.breaths
        else:
            assert isinstance(ex.duration, int)
            n = _breaths_in(settings.work(ex.duration), breath.cycle_ms)
        words = ex.breathe
        return _Work(
            mode="breaths",
            breath=breath,
            breaths=n,
            inhale_words=words.inhale if words else None,
            exhale_words=words.exhale if words else None,
            hold_words=words.hold if words else None,
            duration_ms=n * breath.cycle_ms,
            **common,
        )
    if ex.duration == "open":
        return _Work(mode="timed", duration_ms=settings.hold_ms, open_hold=True, **common)
    assert isinstance(ex.duration, int)
    return _Work(mode="timed", duration_ms=settings.work(ex.duration), **common)


def _ended(text: str) -> str:
    """A routine's own words as a sentence of their own: a full stop unless they end in one."""
    return text if text.endswith(".") else text + "."


def _expand_exercise(
    ex: Exercise,
    settings: Settings,
    book: Phrasebook,
    path: KeyPath,
    *,
    intro: list[tuple[str, str]],
    round_no: int | None = None,
    first_in_group: bool = True,
    chapter: str,
) -> list[Step]:
    """One exercise occurrence: announcement, then sets x sides of work with rests between."""
    steps: list[Step] = []
    pool = _CuePool(ex.exercise, tuple(ex.cues))
    sides: tuple[str | None, ...] = (None,) if (not ex.sides or ex.alternate) else ex.sides
    set_rest = settings.rest(ex.rest if ex.rest is not None else settings.rest_ms)
    for set_no in range(1, ex.sets + 1):
        for side_index, side in enumerate(sides):
            lines: list[tuple[str, str]] = []
            kind = "prepare"
            if set_no == 1 and side_index == 0:
                lines += intro
                lines.append((f"{ex.exercise}.", "announce"))
                if ex.goal:
                    lines.append((_ended(ex.goal), "announce"))
                lines.append((_summary(ex, settings, book), "announce"))
                if settings.steps and first_in_group:
                    lines += [(s, "step") for s in ex.steps]
                if ex.sets > 1:
                    lines.append((book.say("set", n=1, total=ex.sets), "set"))
                if side:
                    lines.append((_side_line(side, book, switch=False), "side"))
            elif side_index == 0:
                lines.append((book.say("set", n=set_no, total=ex.sets), "set"))
                if side:
                    lines.append((_side_line(side, book, switch=False), "side"))
            else:
                kind = "transition"
                lines.append((_side_line(side or "", book, switch=True), "side"))
            label_key = "label.switch" if kind == "transition" else "label.get_ready"
            steps.append(
                _Announce(
                    kind=kind,
                    lines=lines,
                    label=book.say(label_key, name=ex.exercise),
                    countdown=True,
                    min_ms=settings.switch_ms if kind == "transition" else 0,
                    exercise=ex.exercise,
                    set=set_no if ex.sets > 1 else None,
                    round=round_no,
                    side=side,
                    chapter=chapter if (set_no == 1 and side_index == 0) else None,
                )
            )
            steps.append(
                _work_steps(
                    ex,
                    settings,
                    book,
                    path,
                    pool,
                    set_no=set_no if ex.sets > 1 else None,
                    round_no=round_no,
                    side=side,
                )
            )
        if set_no < ex.sets and set_rest > 0:
            steps.append(
                _Rest(
                    set_rest,
                    path,
                    preview=_Part("set", set_no + 1, ex.sets),
                    next_up=ex.exercise,
                )
            )
    return steps


def _expand(routine: Routine, settings: Settings, book: Phrasebook) -> list[Step]:
    steps: list[Step] = []
    for s_index, section in enumerate(routine.parts):
        base: KeyPath = ("sections", s_index, "blocks") if routine.sections else ("blocks",)
        for b_index, block in enumerate(section.blocks):
            path = (*base, b_index)
            intro: list[tuple[str, str]] = []
            if b_index == 0 and section.name:
                intro.append((f"{section.name}.", "section"))
            if isinstance(block, Exercise):
                steps += _expand_exercise(
                    block, settings, book, path, intro=intro, chapter=block.exercise
                )
            elif isinstance(block, Group):
                steps += _expand_group(block, settings, book, path, intro)
            elif isinstance(block, Rest):
                if settings.rest(block.rest) > 0:  # --rest 0 removes rests rather than leave 0 ms
                    steps.append(_Rest(settings.rest(block.rest), path, say=block.say))
            elif isinstance(block, Check):
                lines = [*intro, (f"{block.check}.", "announce")]
                lines += [(s, "step") for s in block.steps]
                steps.append(
                    _Announce(
                        kind="prepare",
                        lines=lines,
                        label=book.say("label.get_ready", name=block.check),
                        countdown=False,
                        exercise=block.check,
                        chapter=block.check,
                    )
                )
                pause = settings.work(block.pause if block.pause is not None else DEFAULT_CHECK_MS)
                steps.append(
                    _Work(
                        mode="check",
                        label=block.check,
                        path=path,
                        exercise=block.check,
                        duration_ms=pause,
                        countdown=False,
                    )
                )
            elif isinstance(block, Say):
                steps.append(
                    _Announce(
                        kind="transition",
                        lines=[*intro, (block.say, "say")],
                        label=book.say("label.note"),
                        countdown=False,
                    )
                )
    return steps


def _expand_group(
    group: Group,
    settings: Settings,
    book: Phrasebook,
    path: KeyPath,
    intro: list[tuple[str, str]],
) -> list[Step]:
    steps: list[Step] = []
    names = book.join_names([e.exercise for e in group.exercises])
    rounds = book.say("rounds", n=group.rounds)
    head = [
        *intro,
        (book.say(f"group.{group.kind}", name=group.name), "announce"),
        (book.say("group.order", rounds=rounds, names=names), "announce"),
    ]
    if settings.steps:
        head += [(s, "step") for s in group.steps]
    round_rest = settings.rest(group.rest if group.rest is not None else settings.rest_ms)
    between = settings.rest(group.rest_between)
    for r in range(1, group.rounds + 1):
        for e_index, ex in enumerate(group.exercises):
            lines: list[tuple[str, str]] = []
            if r == 1 and e_index == 0:
                lines += head
            if e_index == 0 and group.rounds > 1:
                lines.append((book.say("round", n=r, total=group.rounds), "set"))
            title = ex.exercise
            if group.rounds > 1:
                title = book.say("label.round", name=ex.exercise, n=r, total=group.rounds)
            steps += _expand_exercise(
                ex,
                settings,
                book,
                (*path, "exercises", e_index),
                intro=lines,
                round_no=r if group.rounds > 1 else None,
                first_in_group=(r == 1),
                chapter=title,
            )
            last_in_round = e_index == len(group.exercises) - 1
            if not last_in_round and between > 0:
                steps.append(_Rest(between, path))
        if r < group.rounds and round_rest > 0:
            steps.append(_Rest(round_rest, path, preview=_Part("round", r + 1, group.rounds)))
    return steps


def _fill_next_up(steps: list[Step]) -> None:
    upcoming: str | None = None
    for step in reversed(steps):
        if isinstance(step, _Work):
            upcoming = step.exercise
        elif isinstance(step, _Rest) and step.next_up is None:
            step.next_up = upcoming


def _rough_ms(steps: list[Step]) -> int:
    """Work and rest time alone: a quick lower bound used to refuse absurd routines early."""
    total = 0
    for step in steps:
        if isinstance(step, _Work):
            total += step.reps * step.tempo_ms if step.mode == "reps" else step.duration_ms
        elif isinstance(step, _Rest):
            total += step.duration_ms
    return total


# --- pass 2: steps on the clock ----------------------------------------------------------------


@dataclass
class _Space:
    """Speech already placed inside one period, to find room for more without overlap."""

    start: int
    end: int
    busy: list[tuple[int, int]] = field(default_factory=list)

    def free(self, at: int, length: int, margin: int = GAP_MS) -> bool:
        if at < self.start or at + length > self.end:
            return False
        return all(at + length + margin <= b0 or at >= b1 + margin for b0, b1 in self.busy)

    def take(self, at: int, length: int) -> None:
        self.busy.append((at, at + length))

    def first_fit(self, target: int, length: int, latest: int) -> int | None:
        """Earliest start >= target (and <= latest) where ``length`` fits between placed speech."""
        candidates = sorted({target} | {b1 + GAP_MS for _, b1 in self.busy if b1 + GAP_MS > target})
        for at in candidates:
            if at > latest:
                break
            if self.free(at, length):
                return at
        return None


class _Layout:
    def __init__(self, speech_ms: SpeechMs, settings: Settings, book: Phrasebook) -> None:
        self._speech_ms = speech_ms
        self._ms_cache: dict[str, int] = {}
        self.settings = settings
        self.book = book
        self.t = 0
        self.phases: list[Phase] = []
        self.events: list[Event] = []
        self.chapters: list[tuple[str, int]] = []
        self.dropped: list[str] = []
        #: What must be said but cannot be, once per block and kind (a tempo, a breath phase):
        #: a block's sets, sides and rounds repeat the same problem.
        self.problems: dict[tuple[KeyPath, str], Problem] = {}
        #: Breath-paced blocks whose long breath words were said as they were introduced.
        self.explained: set[KeyPath] = set()
        #: Notes given once per block, not per set or round: (block, what).
        self.noted: set[tuple[KeyPath, str]] = set()

    def ms(self, text: str) -> int:
        value = self._ms_cache.get(text)
        if value is None:
            value = max(0, int(self._speech_ms(text)))
            self._ms_cache[text] = value
        return value

    # -- primitives

    def say(self, at: int, text: str, role: str) -> int:
        length = self.ms(text)
        if length:
            self.events.append(Event(at, "speech", length, text=text, role=role))
        return length

    def tone(self, at: int, name: str, length: int | None = None) -> None:
        fixed = TONES[name]
        self.events.append(
            Event(at, "tone", length if fixed is None else fixed, tone=name, role=name)
        )

    def phase(self, kind: str, label: str, length: int, **where: object) -> Phase:
        phase = Phase(kind, label, self.t, self.t + length, **where)  # type: ignore[arg-type]
        self.phases.append(phase)
        self.t += length
        return phase

    def problem(self, path: KeyPath, kind: str, message: str) -> None:
        """Note that the block at ``path`` cannot be laid out (the first message of a kind)."""
        self.problems.setdefault((path, kind), Problem(path, message))

    def drop(self, at: int, where: str, text: str, why: str) -> None:
        self.dropped.append(f"{clock(at)} {where}: {text!r} dropped ({why})")

    def countdown(self, end: int, beats: int, where: str) -> None:
        """Pips at end-N s ... end-1 s, each word just after its pip: the last word falls in the
        period's final second."""
        after = _after_beat("pip")
        for k in range(beats):
            at = end - (beats - k) * 1000
            self.tone(at, "pip")
            word = self.book.say("count.countdown", n=beats - k)
            if self.ms(word) <= 1000 - BEAT_MARGIN_MS - after:
                self.say(at + after, word, "countdown")
            else:
                self.drop(at, where, word, "the count takes longer than a second to say")

    # -- steps

    def intro(self, routine: Routine, total_ms: int | None, exercises: int) -> None:
        """Title, then "About 5 minutes, 4 exercises." (left out when ``total_ms`` is None)."""
        lines = [f"{routine.title}."]
        book = self.book
        if total_ms is not None:
            count = book.say("exercises", n=exercises)
            lines.append(book.say("intro", length=book.about(total_ms), exercises=count))
        label = book.say("label.intro")
        self.chapters.append((label, 0))
        self.sequence(
            "intro", label, [(text, "intro") for text in lines], countdown=False, tail=800
        )

    def sequence(
        self,
        kind: str,
        label: str,
        lines: list[tuple[str, str]],
        *,
        countdown: bool,
        min_ms: int = 0,
        tail: int = 0,
        lead: int = LEAD_MS,
        **where: object,
    ) -> None:
        """Utterances one after another, then (maybe) a count-in that ends with the phase."""
        start = self.t
        cursor = start + lead
        for text, role in lines:
            length = self.say(cursor, text, role)
            if length:
                cursor += length + GAP_MS
        beats = self.settings.countdown if countdown else 0
        end = max(cursor + beats * 1000 + tail, start + min_ms)
        if beats:
            self.countdown(end, beats, label)
        self.phase(kind, label, end - start, **where)

    def breath_words(self, work: _Work) -> list[tuple[str, str]]:
        """The routine's breath words that cannot be said within their phase ("Inhale, arch
        your back and lift your chest toward the ceiling." in a 2 s inhale), to say once as the
        move is introduced, the way a coach explains it before pacing it; the phases then say
        the bare word. Words that fit are left to the breaths, so nothing is said twice."""
        b = work.breath
        if b is None or work.path in self.explained:
            return []
        self.explained.add(work.path)
        lines = []
        for word, words, length in (
            ("inhale", work.inhale_words, b.inhale_ms),
            ("hold", work.hold_words, b.hold_in_ms),
            ("exhale", work.exhale_words, b.exhale_ms),
        ):
            if not words:
                continue
            text = self.book.say(f"breath.{word}_with", words=words.rstrip("."))
            if not length:  # hold words, and a pattern (perhaps --breath's) without a hold
                self.drop(self.t, work.exercise, text, f"the breath pattern has no {word}")
            elif self.ms(text) > length - BEAT_MARGIN_MS:
                lines.append((text, "announce"))
        return lines

    def announce(self, step: _Announce, work: Step | None = None) -> None:
        """The lines of ``step``; the breath words of ``work`` (the move it introduces) that do
        not fit in their phases are said after them, before the count-in."""
        if step.chapter:
            self.chapters.append((step.chapter, self.t))
        extra = self.breath_words(work) if isinstance(work, _Work) else []
        self.sequence(
            step.kind,
            step.label,
            [*step.lines, *extra],
            countdown=step.countdown,
            min_ms=step.min_ms,
            tail=0 if step.countdown else 600,
            exercise=step.exercise,
            set=step.set,
            round=step.round,
            side=step.side,
        )

    def rest(self, step: _Rest) -> None:
        start, end = self.t, self.t + step.duration_ms
        if step.duration_ms >= (TONES["bell"] or 0) + 500:
            self.tone(start, "bell")
        space = _Space(start, end - BEAT_MARGIN_MS)
        book = self.book
        wanted = [book.say("rest.start", length=book.duration(step.duration_ms))]
        if step.say:
            wanted.append(step.say)
        if step.next_up and step.preview:
            part = step.preview
            key = f"rest.next_{part.kind}"
            wanted.append(book.say(key, next=step.next_up, n=part.number, total=part.total))
        elif step.next_up:
            wanted.append(book.say("rest.next", next=step.next_up))
        cursor = start + LEAD_MS
        for text in wanted:
            length = self.ms(text)
            if length and space.free(cursor, length):
                self.say(cursor, text, "rest")
                space.take(cursor, length)
                cursor += length + GAP_MS
            elif length:
                self.drop(cursor, "rest", text, "the rest is too short to say it")
        if step.duration_ms >= 45_000:
            at = end - 10_000
            text = book.say("rest.ending")
            if space.free(at, self.ms(text)):
                self.say(at, text, "time-left")
        length = format_duration(step.duration_ms)
        if step.next_up:
            label = book.say("label.rest_next", length=length, next=step.next_up)
        else:
            label = book.say("label.rest", length=length)
        self.phase("rest", label, step.duration_ms)

    def work(self, step: _Work) -> None:
        start = self.t
        where = {"exercise": step.exercise, "set": step.set, "round": step.round, "side": step.side}
        if step.mode == "reps":
            space = self._reps(step, start)
            self.phase("work", step.label, step.reps * step.tempo_ms, **where)
        elif step.mode == "breaths":
            space = self._breaths(step, start, where)
        else:
            space = self._timed(step, start)
            kind_label = step.label
            if step.mode == "check":
                kind_label = self.book.say("label.check", name=step.label)
            self.phase("work", kind_label, step.duration_ms, **where)
        self._cues(step, space)
        self.tone(self.t, "stop")

    def _timed(self, step: _Work, start: int) -> _Space:
        length = step.duration_ms
        end = start + length
        space = _Space(start, end)
        if step.mode == "check":
            self.tone(start, "start")
            return space
        self.tone(start, "start")
        beats = min(self.settings.countdown, max(0, length // 1000 - 2))
        if step.countdown and beats:
            self.countdown(end, beats, step.label)
            for k in range(beats):
                space.take(end - (beats - k) * 1000, 1000 - GAP_MS)
        book = self.book
        go_text = book.say("go")
        go = self.ms(go_text)  # after the countdown, which outranks it, so the two never overlap
        at = start + GO_AFTER_CHIME_MS
        if go and space.free(at, go):
            self.say(at, go_text, "start")
            space.take(at, go)
        marks: list[tuple[int, str, str]] = []
        # "as long as comfortable" has no halfway and no time left to count down to: the
        # announcement promised none (the closing count still says the track moves on)
        if length >= 20_000 and not step.open_hold:
            marks.append((start + length // 2, book.say("halfway"), "halfway"))
        for left, key, minimum in (
            (60_000, "time_left.one_minute", 180_000),
            (30_000, "time_left.thirty_seconds", 90_000),
            (10_000, "time_left.ten_seconds", 40_000),
        ):
            if length >= minimum and not step.open_hold:
                marks.append((end - left, book.say(key), "time-left"))
        for at, text, role in marks:
            size = self.ms(text)
            placed = space.first_fit(at, size, at + 1500)
            if placed is None:
                self.drop(at, step.label, text, "no room")
                continue
            self.say(placed, text, role)
            space.take(placed, size)
        return space

    def _reps(self, step: _Work, start: int) -> _Space:
        space = _Space(start, start + step.reps * step.tempo_ms)
        last_one = self.book.say("count.last_one")
        after = _after_beat("tick")
        room = step.tempo_ms - BEAT_MARGIN_MS - after  # for the word, after its tick
        for i, word in enumerate(step.counts):
            at = start + i * step.tempo_ms
            self.tone(at, "tick")
            text = word
            if i == len(step.counts) - 1 and len(step.counts) > 2 and not step.alternate:
                text = last_one if self.ms(last_one) <= room else word
                if text != last_one and (step.path, "last") not in self.noted:
                    self.noted.add((step.path, "last"))
                    why = f"no room in a {step.tempo_ms / 1000:g}s rep; the count {word!r} is said"
                    self.drop(at, step.label, last_one, f"{why} instead")
            size = self.ms(text)
            if size > room:
                # enough for the longest count, as written before --pace scales it; the
                # message names that count and every part of a beat, so its sum is the need
                longest = max(step.counts, key=self.ms)  # the first of the longest
                word_ms = self.ms(longest)
                need = max(
                    0.5, _tenths_up((after + word_ms + BEAT_MARGIN_MS) / self.settings.scale)
                )
                self.problem(
                    step.path,
                    "tempo",
                    f"{step.exercise}: a rep every {step.tempo_ms / 1000:g}s is too fast to say "
                    f"the count {longest!r}: it takes {word_ms / 1000:.2f}s, starts "
                    f"{after / 1000:.2f}s after its tick and must end {BEAT_MARGIN_MS / 1000:.2f}s "
                    f"before the next; use a tempo of at least {need:.1f}s "
                    f"(tempo: in the file, or --rep-tempo {need:.1f})",
                )
                continue  # the routine is refused; the layout goes on to find every problem
            self.say(at + after, text, "count")
            space.take(at, after + size)
        return space

    def _breaths(self, step: _Work, start: int, where: dict[str, object]) -> _Space:
        assert step.breath is not None
        b = step.breath
        book = self.book
        space = _Space(start, start + step.duration_ms)
        for i in range(1, step.breaths + 1):
            last = i == step.breaths
            for kind, length, word, extra in (
                ("breath-in", b.inhale_ms, "inhale", step.inhale_words),
                ("breath-hold", b.hold_in_ms, "hold", step.hold_words),
                ("breath-out", b.exhale_ms, "exhale", step.exhale_words),
                ("breath-hold", b.hold_out_ms, "hold", None),
            ):
                if not length:
                    continue
                at = self.t
                if kind != "breath-hold":
                    self.tone(at, "inhale" if kind == "breath-in" else "exhale", length)
                plain = book.say(f"breath.{word}")
                options = []
                if extra and i <= 2:
                    options.append(book.say(f"breath.{word}_with", words=extra.rstrip(".")))
                if last and kind == "breath-out" and step.breaths > 1:
                    options.append(book.say("breath.release"))
                options.append(plain)
                chosen = next((o for o in options if self.ms(o) <= length - BEAT_MARGIN_MS), None)
                if chosen is None:
                    if kind == "breath-hold":
                        chosen = ""
                    else:
                        need = _tenths_up(self.ms(plain) + BEAT_MARGIN_MS)
                        self.problem(
                            step.path,
                            word,
                            f"{step.exercise}: a {length / 1000:g}s {word} is too short to "
                            f"say {plain!r}; make each breath phase at least {need:.1f}s "
                            f"(breath: in the file or --breath)",
                        )
                        chosen = ""
                if chosen:
                    size = self.say(at, chosen, "breath")
                    space.take(at, size)
                label = book.say("label.breath", name=step.label, n=i, total=step.breaths)
                self.phase(kind, label, length, **where)
        return space

    def _cues(self, step: _Work, space: _Space) -> None:
        """Form cues spread over the free time of a work period; leftovers try the next set."""
        pool = step.cues
        if not pool or not pool.pending:
            return
        placed: list[str] = []
        count = len(pool.pending)
        length = space.end - space.start
        for n, text in enumerate(pool.pending):
            size = self.ms(text)
            target = space.start + length * (n + 1) // (count + 1)
            at = space.first_fit(target, size, space.end - size) or space.first_fit(
                space.start + 1500, size, space.end - size
            )
            if at is None:
                continue
            self.say(at, text, "cue")
            space.take(at, size)
            placed.append(text)
        pool.pending = [c for c in pool.pending if c not in placed]

    def finish_pools(self, steps: list[Step]) -> None:
        seen: set[int] = set()
        for step in steps:
            if isinstance(step, _Work) and step.cues and id(step.cues) not in seen:
                seen.add(id(step.cues))
                for text in step.cues.pending:
                    self.dropped.append(
                        f"{step.exercise}: cue {text!r} dropped (no room in any set)"
                    )

    def outro(self) -> None:
        label = self.book.say("label.finish")
        self.chapters.append((label, self.t))
        start = self.t
        self.tone(start + LEAD_MS, "finish")
        self.sequence(
            "outro",
            label,
            [(self.book.say("finish"), "outro")],
            countdown=False,
            lead=LEAD_MS + 600,
            tail=0,
        )
        # the finish chime must ring out inside the track
        needed = start + LEAD_MS + (TONES["finish"] or 0) + 300
        if self.t < needed:
            last = self.phases.pop()
            self.phases.append(Phase(last.kind, last.label, last.start_ms, needed))
            self.t = needed


def _after_beat(tone: str) -> int:
    """Where a counted word starts after its beat tone starts: once the tone has sounded."""
    return (TONES[tone] or 0) + AFTER_BEAT_MS


def _tenths_up(ms: float) -> float:
    """Seconds rounded up to a tenth, for suggestions that must be enough: 520 ms -> 0.6."""
    return math.ceil(round(ms, 6) / 100) / 10


def schedule(
    routine: Routine,
    pace: PaceOptions | Settings | None,
    speech_ms: SpeechMs,
    *,
    phrasebook: Phrasebook | None = None,
) -> Timeline:
    """Lay ``routine`` out at ``pace``, sizing every utterance with ``speech_ms``.

    Every word comes from ``phrasebook``; without one, the routine's own ``language:`` picks it
    (English when it has none; a language without a phrasebook is spoken in English, and the
    caller shows ``phrasebook_for(...).notice``). Raises ``ScheduleError`` for a routine that
    cannot be laid out, listing every block that cannot (each too-fast tempo, each too-short
    breath phase) rather than stopping at the first.

    The intro says the track's length ("About 2 minutes"), and saying it takes time, so the
    figure could change the length it describes. It is chosen without a loop that might not
    settle: the smallest figure that the track *saying it* rounds to (``estimated_span``); when
    there is none, because the sentence's own length carries the track across a rounding edge
    and back, the larger of the two (the track is then within a sentence's length of its edge).
    """
    book = phrasebook if phrasebook is not None else phrasebook_for(routine.language)
    settings = pace if isinstance(pace, Settings) else resolve(routine.pace, pace)
    steps = _expand(routine, settings, book)
    _fill_next_up(steps)
    rough = _rough_ms(steps)
    if rough > MAX_TOTAL_MS:
        raise ScheduleError(
            (),
            f"this routine would last at least {spoken_duration(rough)}; audiocoach makes tracks "
            f"of at most {spoken_duration(MAX_TOTAL_MS)}: lower sets, reps, rounds or durations",
        )
    exercises = len({s.exercise for s in steps if isinstance(s, _Work)})

    def lay_out(estimate_ms: int | None) -> Timeline:
        return _lay_out(routine, settings, book, steps, speech_ms, estimate_ms, exercises)

    # Without the estimate sentence the track is shortest, so its figure is the smallest that
    # can be right; the sentence can only lengthen the track, so at most one figure above it.
    bare_ms = lay_out(None).duration_ms
    said = lay_out(bare_ms)
    if estimated_span(said.duration_ms) == estimated_span(bare_ms):
        return said
    return lay_out(said.duration_ms)


def _lay_out(
    routine: Routine,
    settings: Settings,
    book: Phrasebook,
    steps: list[Step],
    speech_ms: SpeechMs,
    estimate_ms: int | None,
    exercises: int,
) -> Timeline:
    for step in steps:
        if isinstance(step, _Work) and step.cues:
            step.cues.reset()
    layout = _Layout(speech_ms, settings, book)
    layout.intro(routine, estimate_ms, exercises)
    for step, after in zip(steps, [*steps[1:], None], strict=True):
        if isinstance(step, _Announce):
            layout.announce(step, after)
        elif isinstance(step, _Work):
            layout.work(step)
        else:
            layout.rest(step)
    layout.finish_pools(steps)
    layout.outro()
    total = layout.t
    problems = list(layout.problems.values())
    if total > MAX_TOTAL_MS:
        problems.insert(
            0,
            Problem(
                (),
                f"this routine would last {spoken_duration(total)}; audiocoach makes tracks of "
                f"at most {spoken_duration(MAX_TOTAL_MS)}: lower sets, reps, rounds or durations",
            ),
        )
    if problems:
        raise ScheduleError.of(problems)
    chapters = _chapters(layout.chapters, total)
    events = tuple(sorted(layout.events, key=lambda e: (e.at_ms, e.kind != "tone")))
    return Timeline(
        title=routine.title,
        description=routine.description or "",
        source=routine.source or "",
        duration_ms=total,
        chapters=chapters,
        phases=tuple(layout.phases),
        events=events,
        dropped=tuple(layout.dropped),
    )


def _chapters(marks: list[tuple[str, int]], total: int) -> tuple[Chapter, ...]:
    """Contiguous chapters from start marks; a mark at the same instant replaces the earlier one."""
    cleaned: list[tuple[str, int]] = []
    for title, start in marks:
        if cleaned and cleaned[-1][1] == start:
            cleaned[-1] = (title, start)
        else:
            cleaned.append((title, start))
    out = []
    for i, (title, start) in enumerate(cleaned):
        end = cleaned[i + 1][1] if i + 1 < len(cleaned) else total
        out.append(Chapter(title, start, end))
    return tuple(out)
