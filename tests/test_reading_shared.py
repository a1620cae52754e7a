"""A language without reading rules of its own (Italian, Brazilian Portuguese, Japanese, ...).

Each thing written is read in full or left exactly as written for the engine, never half read:
the field report had "3x10 @ 20kg" in Italian as "tre x dieci venti kg" and "1½" as "uno uno due".
What needs no words of a language's own is read: numbers by num2words, units by CLDR's names in
the language, fractions with a finite decimal as num2words says that decimal (in the listener's
language whatever the engine: espeak-ng says "½" in English for Japanese or Russian), number
patterns number by number. Expected readings are written by hand; the unit names are CLDR's.
"""

from __future__ import annotations

import re
import unicodedata

import pytest
from num2words import num2words

from audiocoach.reading import speakable

#: A vulgar fraction or fraction slash is never digit by digit (the field report's "1½").
FRACTIONS = [
    ("it", "1½ min", "Uno virgola cinque minuti"),
    ("it", "Iniziamo tra 1½ min.", "Iniziamo tra uno virgola cinque minuti."),
    ("it", "½ squat", "Zero virgola cinque squat"),
    ("it", "2 ¾ km", "Due virgola sette cinque chilometri"),
    ("it", "1⁄4", "Zero virgola due cinque"),  # typed with the fraction slash
    ("it", "1 1/2 min", "Uno virgola cinque minuti"),
    ("pt-BR", "1½", "Um vírgula cinco"),
    ("pt-BR", "2 ¾", "Dois vírgula sete cinco"),
    ("ja", "1½", "一点五"),
    ("ru", "1½", "Одна целая пять десятых"),
    ("nl", "1½ min", "Één komma vijf minuten"),
    # No finite decimal: the fraction character, for the engine ("un terzo").
    ("it", "⅓ di squat", "⅓ di squat"),
    ("it", "1⅓", "1⅓"),
    ("it", "5⁄7", "5/7"),
    # num2words does not know the language: the engine reads it all.
    ("zh", "1½", "1½"),
]

#: Units after a number, in CLDR's words for them; the number in num2words' words.
UNITS = [
    ("it", "20kg", "Venti chilogrammi"),
    ("it", "Bevi 0,5 l d'acqua", "Bevi zero virgola cinque litri d'acqua"),
    ("it", "250 ml", "Duecentocinquanta millilitri"),
    ("it", "30 sec", "Trenta secondi"),
    ("it", "Corsa 400m", "Corsa quattrocento metri"),
    ("it", "50 %", "Cinquanta percento"),
    ("it", "10 km/h", "Dieci chilometri orari"),
    ("it", "Pausa 2 min. Poi via.", "Pausa due minuti. Poi via."),
    ("pt-BR", "5 km", "Cinco quilômetros"),
    ("pt-BR", "30 s", "Trinta segundos"),
    ("nl", "0,5 l water", "Nul komma vijf liter water"),
    ("ja", "5 km", "五 キロメートル"),
    ("ru", "20 кг", "Двадцать килограмм"),  # the language's own abbreviation, from CLDR
    ("ru", "5 км", "Пять километров"),
    ("zh", "20 kg", "20 kg"),
    ("it", "Pausa 2 min. 3 serie.", "Pausa due minuti. Tre serie."),
    ("it", "Pausa 1 h. 30 min. Poi via.", "Pausa uno ora trenta minuti. Poi via."),
]

#: What needs a language's words ("sets of", "to", "per", "of") goes to the engine as written.
LEFT_AS_WRITTEN = [
    ("it", "3x10 @ 20kg", "3x10, venti chilogrammi"),  # "@": a pause, never the e-mail sign
    ("it", "3x10 @ 20kg, 8-12 ripetizioni", "3x10, venti chilogrammi, 8-12 ripetizioni"),
    ("pt-BR", "3x10 @ 20kg", "3x10, vinte quilogramas"),
    ("nl", "8-12 herhalingen", "8-12 herhalingen"),
    ("it", "serie 2/3", "serie 2/3"),
    ("it", "10/lato", "10/lato"),
    ("it", "4:6", "4:6"),
    ("it", "1:30", "1:30"),
    ("it", "3ª serie", "3ª serie"),
    ("it", "Sprint 20m", "Sprint 20m"),  # metres or minutes: the language would say
    ("it", "4x400m", "4x400m"),
    ("it", "Squat x10", "Squat x10"),
    ("it", "T2B", "T2B"),
    ("zh", "3x10 @ 20kg", "3x10, 20kg"),
    ("zh", "3组10次", "3组10次"),
    ("it", "3x5 @ 80%", "3x5, ottanta percento"),
    ("it", "3x10@20kg", "3x10, venti chilogrammi"),
    ("it", "scrivi a coach@example.com", "scrivi a coach example.com"),
]

#: Patterns of numbers need no words: tempo, breath, a 5/3/1 program.
PATTERNS = [
    ("it", "tempo 3-1-1-0", "tempo tre, uno, uno, zero"),
    ("it", "4:2:6:2", "Quattro, due, sei, due"),
    ("it", "5/3/1", "Cinque, tre, uno"),
    ("it", "3 serie da 10", "Tre serie da dieci"),
    ("it", "1.500 metri", "Millecinquecento metri"),
    ("ja", "10回", "十 回"),  # a counter glued to its number is read with it
]

TABLES = {
    "fraction": FRACTIONS,
    "unit": UNITS,
    "as written": LEFT_AS_WRITTEN,
    "pattern": PATTERNS,
}
CASES = [(kind, *row) for kind, rows in TABLES.items() for row in rows]
IDS = [f"{kind}:{lang}:{text}" for kind, lang, text, _ in CASES]


@pytest.mark.parametrize(("kind", "lang", "text", "said"), CASES, ids=IDS)
def test_a_language_without_rules_reads_what_needs_no_words(
    kind: str, lang: str, text: str, said: str
) -> None:
    assert speakable(text, lang=lang) == said


@pytest.mark.parametrize(("kind", "lang", "text", "said"), CASES, ids=IDS)
def test_its_reading_is_stable(kind: str, lang: str, text: str, said: str) -> None:
    spoken = speakable(text, lang=lang)
    assert speakable(spoken, lang=lang) == spoken


def _as_written(text: str) -> str:
    return re.sub(r"\s", "", unicodedata.normalize("NFKC", text).replace("⁄", "/"))


@pytest.mark.parametrize(("kind", "lang", "text", "said"), CASES, ids=IDS)
def test_nothing_is_half_read(kind: str, lang: str, text: str, said: str) -> None:
    """Digits left for the engine are a whole shape as written, never next to a number word."""
    spoken = speakable(text, lang=lang)
    for token in re.findall(r"\S*[0-9]\S*", spoken):
        assert _as_written(token.strip(".,")) in _as_written(text), (text, spoken)
    assert not re.search(r"\b(uno|um) (uno|um) (due|dois)\b", spoken)  # "1½" digit by digit


@pytest.mark.parametrize("lang", ["it", "pt-BR", "ja"])
def test_a_fraction_is_never_read_digit_by_digit(lang: str) -> None:
    """The field report: "1½" was "uno uno due" (it), "um um dois" (pt-BR), "一 一 二" (ja)."""
    code = lang.replace("-", "_")
    one, two = num2words(1, lang=code), num2words(2, lang=code)
    for text in ("1½", "1 1⁄2", "1 1/2", "½", "1⁄2"):
        spoken = speakable(text, lang=lang).lower()
        words = re.findall(r"\w+", spoken)
        assert words.count(one) < 2 and two not in words, (text, spoken)
