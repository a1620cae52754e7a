"""``speakable``: any text, cleaned and read in the track's language, ready for an engine.

The one place that decides how routine text is read, so every engine says the same words and the
cache is keyed on what is actually spoken. Cleaning (``clean``) is the same for every language;
reading rules come from the language's own module (``en``, ``de``, ``es``, ``fr``); a language
without one gets what needs no words of its own (``shared``): numbers through num2words, units
through CLDR, the rest left whole for the engine.
"""

from __future__ import annotations

from functools import lru_cache

from audiocoach.reading.clean import MAX_CHARS, finish, prepare
from audiocoach.reading.core import Reading
from audiocoach.reading.de import German
from audiocoach.reading.en import English
from audiocoach.reading.es import Spanish
from audiocoach.reading.fr import French
from audiocoach.reading.shared import SharedReading

__all__ = ["LANGUAGES_WITH_RULES", "reading_for", "speakable"]

#: Languages with reading rules of their own (base language codes).
_READINGS: dict[str, type[Reading]] = {"en": English, "de": German, "es": Spanish, "fr": French}
LANGUAGES_WITH_RULES = tuple(sorted(_READINGS))


@lru_cache(maxsize=64)
def reading_for(lang: str) -> Reading:
    """The reading rules for a language tag (``en``, ``de-AT``, ``es_MX``, ``it``, ``""`` = en)."""
    tag = lang.strip().replace("_", "-")
    base = tag.split("-")[0].lower() or "en"
    return _READINGS.get(base, SharedReading)(tag or "en")


def speakable(text: str, *, lang: str = "en") -> str:
    """Text an engine can say naturally in ``lang``: no markup, symbols or emoji; numbers, units,
    fractions, sets and abbreviations in words as a coach of that language says them.

    Never raises. Returns ``""`` when nothing speakable is left, so the caller can skip the phrase.
    Running it twice changes nothing, so callers need not track whether text is already clean: the
    reading is repeated on its own result until that holds (a rule can meet a number in new
    company once its neighbours are read, "0.000.5"; in routine text one reading is nearly always
    the last). Work is linear in the text's length, and text is cut to ``MAX_CHARS``.
    """
    try:
        reading = reading_for(lang if isinstance(lang, str) else "en")
    except Exception:  # an odd tag: shared cleaning and digits are still speakable
        reading = Reading("")
    if not isinstance(text, str):
        text = str(text)
    spoken = _read_once(reading, text[: 2 * MAX_CHARS])
    for _ in range(_MORE_READINGS):
        again = _read_once(reading, spoken)
        if again == spoken:
            break
        spoken = again
    return spoken


#: Readings of a reading's result at most, to reach text a reading leaves as it is.
_MORE_READINGS = 3


def _read_once(reading: Reading, text: str) -> str:
    text = prepare(reading.before_normalizing(text))
    return finish(reading.read(text), keep_symbols=reading.keep_symbols)
