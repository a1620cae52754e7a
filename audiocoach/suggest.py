""" "Did you mean": the allowed name nearest to a misspelt one.

The commonest typo is two letters swapped (``rpes`` for ``reps``), so candidates are ranked by the
optimal string alignment distance (Levenshtein plus adjacent transpositions, each one edit) from
rapidfuzz, not by difflib's ratio, which counts a swap as two changes and so once suggested
``rest`` for ``rpes``. Case and stray spaces or punctuation do not count (``Reps``, ``rest ``).
Ties go first to a candidate with the very same letters (``teu`` is ``tue`` swapped, not ``thu``
with one letter changed), then to the one that shares more of the word's beginning
(Jaro-Winkler), since people mistype the middle of a word more often than its first letters.
"""

from __future__ import annotations

from collections.abc import Iterable

from rapidfuzz import process
from rapidfuzz.distance import OSA, JaroWinkler
from rapidfuzz.utils import default_process


def max_edits(word: str) -> int:
    """How many edits still make ``word`` a typo rather than another word: 1 up to four
    letters (``rpes``), 2 up to eight (``durtoin``), 3 beyond (``progresion``)."""
    size = len(default_process(word))
    return 1 if size <= 4 else 2 if size <= 8 else 3


def closest(word: str, choices: Iterable[str]) -> str | None:
    """The choice ``word`` most likely mistypes, or ``None`` if none is within ``max_edits``.

    ``closest("rpes", ["rest", "reps"]) == "reps"``; ``closest("Reps", ["reps"]) == "reps"``.
    """
    options = [c for c in dict.fromkeys(choices) if c != word]
    if not options or not default_process(word):
        return None
    found = process.extract(
        word,
        options,
        scorer=OSA.distance,
        processor=default_process,
        limit=None,
        score_cutoff=max_edits(word),
    )
    if not found:
        return None
    query = default_process(word)

    def rank(match: tuple[str, float, int]) -> tuple[float, bool, float, int]:
        candidate = default_process(match[0])
        swapped = sorted(candidate) == sorted(query)
        return (match[1], not swapped, -JaroWinkler.similarity(query, candidate), match[2])

    return min(found, key=rank)[0]
