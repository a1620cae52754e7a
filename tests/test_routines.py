"""The routines in ``routines/``: valid, faithful to their articles, and stable (golden).

The five English routines, and the German, Spanish and French translations of the yoga routine
(their goldens pin the coach's words in those languages too).

Faithfulness is checked against the articles' own numbers (moves, sets, reps, holds, sides, rests)
written out here by hand, independent of the routine files. The golden timelines pin the whole
schedule (with the deterministic estimator) so any change to timing shows up as a reviewed diff:
regenerate with ``AUDIOCOACH_UPDATE_GOLDEN=1 pytest tests/test_routines.py``.
"""

from __future__ import annotations

import json
import os
from collections import Counter
from pathlib import Path

import pytest

from audiocoach.estimate import estimator
from audiocoach.pace import PaceOptions
from audiocoach.phrasebook import phrasebook_for
from audiocoach.routine import load_routine
from audiocoach.schedule import schedule
from audiocoach.timeline import Timeline

ROOT = Path(__file__).resolve().parent.parent
ROUTINES = ROOT / "routines"
GOLDEN = Path(__file__).resolve().parent / "golden"

NAMES = [
    "upper-back-yoga",
    "posture-reset",
    "upper-body-supersets",
    "upper-body-strength",
    "upper-body-power",
]
#: The translations of a seed routine (tests/test_languages.py checks they match their source).
TRANSLATIONS = ["upper-back-yoga-de", "upper-back-yoga-es", "upper-back-yoga-fr"]

# Every exercise each article describes, in order, as a chapter title prefix.
ARTICLE_MOVES = {
    "upper-back-yoga": ["Shoulder Row", "Locust", "Back Core Isolation", "Dolphin"],
    "posture-reset": [
        "Weight test",
        "Standing Elbow Curls",
        "Overhead Extension",
        "Downward Dog",
        "Weight test again",
    ],
    "upper-body-supersets": [
        "Thread the Needle",
        "Dynamic Child's Pose",
        "Half-Kneeling Rainbow",
        "Half-Kneeling Chop",
        "Bear Plank Lateral Walk",
        "Reciprocal Row",
        "Chest Fly",
        "Bent-Over Wide Row",
        "Hammer Curl",
        "Standing Shoulder Stretch",
        "Child's Pose",
    ],
    "upper-body-strength": [
        "Push-Up with Reach",
        "Chin-Up",
        "TRX Row",
        "Y Raise",
        "T Raise",
        "W Raise",
        "L Raise",
        "Overhead Kettlebell Carry",
        "Stability Ball Circles",
    ],
    "upper-body-power": [
        "Burpee",
        "Renegade Row with Push-Up",
        "Overhead Press to Lat Pulldown",
        "Stability Ball Push-Up",
        "Bench Dip",
        "Benjamin's Burpee",
    ],
    "upper-back-yoga-de": [
        "Schulterrudern",
        "Heuschrecke",
        "Rumpfisolation in Bauchlage",
        "Delfin",
    ],
    "upper-back-yoga-es": [
        "Remo de hombros",
        "Langosta",
        "Aislamiento del core en el suelo",
        "Delfín",
    ],
    "upper-back-yoga-fr": ["Tirage des épaules", "Sauterelle", "Gainage du dos au sol", "Dauphin"],
}


def plan(name: str, pace: PaceOptions | None = None) -> Timeline:
    rf = load_routine(ROUTINES / f"{name}.yaml")
    return schedule(rf.routine, pace or PaceOptions(), estimator())


def work(timeline: Timeline, exercise: str) -> list:
    return [p for p in timeline.phases if p.kind == "work" and p.exercise == exercise]


@pytest.mark.parametrize("name", NAMES + TRANSLATIONS)
def test_every_article_move_is_a_chapter_in_order(name: str) -> None:
    timeline = plan(name)
    book = phrasebook_for(load_routine(ROUTINES / f"{name}.yaml").routine.language)
    titles = [c.title for c in timeline.chapters]
    assert titles[0] == book.say("label.intro") and titles[-1] == book.say("label.finish")
    seen = []
    for title in titles[1:-1]:
        base = title.split(" (")[0]
        if base not in seen:
            seen.append(base)
    assert seen == ARTICLE_MOVES[name]


@pytest.mark.parametrize("name", NAMES + TRANSLATIONS)
def test_golden_timeline(name: str) -> None:
    timeline = plan(name)
    path = GOLDEN / f"{name}.json"
    current = timeline.to_json()
    if os.environ.get("AUDIOCOACH_UPDATE_GOLDEN"):
        path.write_text(json.dumps(current, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
    if not path.exists():
        pytest.fail(f"no golden {path.name}: run with AUDIOCOACH_UPDATE_GOLDEN=1, commit it")
    assert current == json.loads(path.read_text(encoding="utf-8"))


def test_yoga_holds_and_breath_pacing() -> None:
    t = plan("upper-back-yoga")
    # Shoulder Row: ~30 s of breath-paced rows at the routine's 4:6 breath = 3 whole breaths
    rows = [p for p in t.phases if p.exercise == "Shoulder Row" and p.kind.startswith("breath")]
    assert [p.kind for p in rows] == ["breath-in", "breath-out"] * 3
    assert sum(p.duration_ms for p in rows) == 30_000
    spoken = [e.text for e in t.speech()]
    assert "Inhale, reach forward and broaden your upper back." in spoken
    assert "Exhale, squeeze your shoulder blades together." in spoken
    # "Hold each pose for 5+ deep breaths": Locust and Dolphin are 5 breaths
    for pose in ("Locust", "Dolphin"):
        ins = [p for p in t.phases if p.exercise == pose and p.kind == "breath-in"]
        assert len(ins) == 5
    # Back Core Isolation: 10 reps, a tick on every beat and its count just after it
    (reps,) = work(t, "Back Core Isolation")
    counts = [e for e in t.speech() if e.role == "count" and reps.start_ms <= e.at_ms < reps.end_ms]
    ticks = [e for e in t.tones() if e.tone == "tick" and reps.start_ms <= e.at_ms < reps.end_ms]
    assert len(counts) == len(ticks) == 10
    assert [c.at_ms - reps.start_ms for c in ticks] == [i * 4000 for i in range(10)]
    assert [c.at_ms - k.at_ms for c, k in zip(counts, ticks, strict=True)] == [60] * 10


def test_posture_reset_checks_and_open_hold() -> None:
    t = plan("posture-reset")
    checks = [p for p in t.phases if p.kind == "work" and "take your time" in p.label]
    assert len(checks) == 2  # weight test before and after
    (dog,) = work(t, "Downward Dog")
    assert dog.duration_ms == 30_000  # open hold at the default --hold
    (dog_longer,) = work(plan("posture-reset", PaceOptions(hold=60_000)), "Downward Dog")
    assert dog_longer.duration_ms == 60_000


def test_supersets_structure() -> None:
    t = plan("upper-body-supersets")
    for move in ("Thread the Needle", "Half-Kneeling Rainbow"):
        sides = [p.side for p in work(t, move)]
        assert len(sides) == 2 and all(p.duration_ms == 30_000 for p in work(t, move))
    assert [p.side for p in work(t, "Thread the Needle")] == ["right", "left"]
    for move in ("Dynamic Child's Pose", "Standing Shoulder Stretch", "Child's Pose"):
        assert [p.duration_ms for p in work(t, move)] == [30_000]
    # 8 reps per side for the chop and reciprocal row, 8 reps for the others, every round
    for move, per_round in (
        ("Half-Kneeling Chop", 2),
        ("Reciprocal Row", 2),
        ("Bear Plank Lateral Walk", 1),
        ("Chest Fly", 1),
        ("Bent-Over Wide Row", 1),
        ("Hammer Curl", 1),
    ):
        phases = work(t, move)
        assert len(phases) == 3 * per_round
        assert all(p.duration_ms == 8 * 3000 for p in phases)
        assert sorted({p.round for p in phases}) == [1, 2, 3]


def test_strength_sets_reps_and_rests() -> None:
    t = plan("upper-body-strength")
    expected = {  # exercise: (work periods, reps per period)
        "Push-Up with Reach": (4, 8),  # 4 sets x (4 each side, alternating)
        "Chin-Up": (4, 5),
        "TRX Row": (3, 10),
        "Y Raise": (3, 8),
        "T Raise": (3, 8),
        "W Raise": (3, 8),
        "L Raise": (3, 8),
        "Stability Ball Circles": (6, 8),  # 3 sets x 8 each direction
    }
    counts = Counter()
    for e in t.speech():
        if e.role == "count":
            phase = next(p for p in t.phases if p.start_ms <= e.at_ms < p.end_ms)
            counts[(phase.exercise, phase.start_ms)] += 1
    for move, (periods, reps) in expected.items():
        phases = work(t, move)
        assert len(phases) == periods, move
        assert all(counts[(move, p.start_ms)] == reps for p in phases), move
    carry = work(t, "Overhead Kettlebell Carry")
    assert [p.side for p in carry] == ["left", "right"] * 3
    assert [p.side for p in work(t, "Stability Ball Circles")] == [
        "clockwise",
        "counterclockwise",
    ] * 3
    rests = [p for p in t.phases if p.kind == "rest"]
    assert rests and all(p.duration_ms == 30_000 for p in rests)  # "Rest: 30s" everywhere


def test_power_sets_and_reps() -> None:
    t = plan("upper-body-power")
    assert len(work(t, "Bench Dip")) == 3  # "three sets of ten reps"
    assert len(work(t, "Benjamin's Burpee")) == 4  # "four sets of eight"
    dips = work(t, "Bench Dip")[0]
    assert dips.duration_ms == 10 * 3000


@pytest.mark.parametrize("name", NAMES + TRANSLATIONS)
def test_pace_flags_change_every_routine(name: str) -> None:
    base = plan(name)
    assert plan(name, PaceOptions(pace=0.5)).duration_ms < base.duration_ms
    rested = plan(name, PaceOptions(rest=45_000))
    assert all(p.duration_ms == 45_000 for p in rested.phases if p.kind == "rest")
