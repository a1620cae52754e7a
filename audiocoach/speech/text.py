"""Kept so ``from audiocoach.speech.text import speakable`` goes on working.

How text is read aloud now lives in ``audiocoach.reading`` (one module per language, a shared rule
core, shared cleaning, numbers through num2words); import from there in new code.
"""

from audiocoach.reading import MAX_CHARS, TERMINAL_CODES, number_words, ordinal_words, speakable

__all__ = ["MAX_CHARS", "TERMINAL_CODES", "number_words", "ordinal_words", "speakable"]
