"""How free text is read aloud, in every language the coach speaks.

``speakable(text, lang=...)`` is the entry point; ``number_words`` and ``ordinal_words`` spell
numbers for phrasebooks too. One module per language with rules (``en``, ``de``, ``es``, ``fr``),
a shared rule core (``core``), the reading of a language without rules (``shared``: numbers,
CLDR units, fractions; the rest as written), shared cleaning (``clean``) and numbers through
num2words (``numbers``).
"""

from audiocoach.reading.clean import MAX_CHARS, TERMINAL_CODES
from audiocoach.reading.numbers import Gender, number_words, ordinal_words
from audiocoach.reading.speak import LANGUAGES_WITH_RULES, reading_for, speakable

__all__ = [
    "LANGUAGES_WITH_RULES",
    "MAX_CHARS",
    "TERMINAL_CODES",
    "Gender",
    "number_words",
    "ordinal_words",
    "reading_for",
    "speakable",
]
