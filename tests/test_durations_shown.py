"""One rounding rule for every length shown: nearest second, halves up (issue 9, item 4)."""

from __future__ import annotations

import pytest

from audiocoach.durations import clock, format_duration, spoken_duration, whole_seconds


@pytest.mark.parametrize(
    ("ms", "seconds"),
    [(0, 0), (499, 0), (500, 1), (1_499, 1), (1_500, 2), (2_500, 3), (107_365, 107)],
)
def test_whole_seconds_rounds_halves_up(ms: int, seconds: int) -> None:
    # Python's round() sends 2.5 s to 2 and 1.5 s to 2: two lengths shown alike, one rule broken.
    assert whole_seconds(ms) == seconds


@pytest.mark.parametrize(
    ("ms", "table", "compact"),
    [
        (107_365, "1:47", "1m47s"),  # the report's routine, 1:47 (1m48s) before
        (107_600, "1:48", "1m48s"),
        (48_365, "0:48", "48s"),  # plan said 48.365s
        (59_600, "1:00", "1m"),
        (3_599_500, "1:00:00", "1h00m"),
    ],
)
def test_table_and_compact_forms_agree(ms: int, table: str, compact: str) -> None:
    assert clock(ms) == table
    assert format_duration(ms, exact=False) == compact


def test_exact_form_keeps_what_was_written() -> None:
    # a tempo or a value from the routine file is shown as written, not rounded
    assert format_duration(1_500) == "1.5s"
    assert format_duration(48_365) == "48.365s"


@pytest.mark.parametrize(
    ("ms", "words"),
    [(29_500, "30 seconds"), (90_000, "1 minute 30 seconds"), (630_000, "11 minutes")],
)
def test_spoken_lengths_round_the_same_way(ms: int, words: str) -> None:
    assert spoken_duration(ms) == words
