"""Spanish: free text read as an entrenadora reads a rutina aloud.

Each table is one kind of thing written in Spanish workout notes; the expected text is what a
Spanish-speaking coach says, written by hand (numbers agree with the noun: "veintiuna
repeticiones", "un minuto y medio").
"""

from __future__ import annotations

import pytest

from audiocoach.reading import speakable


def read(text: str) -> str:
    return speakable(text, lang="es")


SENTENCES = [
    (
        "3 series de 10 repeticiones, 2 minutos de descanso",
        "tres series de diez repeticiones, dos minutos de descanso",
    ),
]

FRACTIONS = [
    ("1/2 sentadilla", "media sentadilla"),
    ("3/4 sentadilla", "tres cuartos de sentadilla"),
    ("1/2 arrodillado", "medio arrodillado"),
    ("½ milla", "media milla"),
    ("1/2 kg", "medio kilo"),
    ("1/4 de milla", "un cuarto de milla"),
    ("1½ min", "un minuto y medio"),
    ("1 1/2 h", "una hora y media"),
    ("2 1/2 km", "dos kilómetros y medio"),
    ("2/3 del recorrido", "dos tercios del recorrido"),
    ("serie 2/3", "serie dos de tres"),
]

NAMED_POSITIONS_AND_PAIRS = [
    ("90/90 de cadera", "noventa-noventa de cadera"),
    ("30/30", "treinta-treinta"),
]

RANGES = [
    ("8-12 repeticiones", "ocho a doce repeticiones"),
    ("8–12 reps", "ocho a doce repeticiones"),
    ("30-45 seg", "treinta a cuarenta y cinco segundos"),
    ("1-2 min de descanso", "uno a dos minutos de descanso"),
    ("1-2 h", "una a dos horas"),
    ("3x8-12", "tres series de ocho a doce"),
]

UNITS = [
    ("400 m", "cuatrocientos metros"),
    ("5 km", "cinco kilómetros"),
    ("30 seg. por lado", "treinta segundos por lado"),
    ("30 s", "treinta segundos"),
    ("2 min", "dos minutos"),
    ("1 min", "un minuto"),
    ("1 h", "una hora"),
    ("20 kg", "veinte kilos"),
    ("21 kg", "veintiún kilos"),
    ("2,5 kg", "dos kilos y medio"),
    ("45 lbs", "cuarenta y cinco libras"),
    ("1 lb", "una libra"),
    ("10 km/h", "diez kilómetros por hora"),
    ("50%", "cincuenta por ciento"),
    ("1m30s", "un minuto y treinta segundos"),
    ("1.500 m", "mil quinientos metros"),
]

TEMPO = [
    ("tempo 3-1-1-0", "tempo tres, uno, uno, cero"),
    ("3010 tempo", "tres, cero, uno, cero tempo"),
    ("tempo 31X1", "tempo tres, uno, explosivo, uno"),
    ("ritmo 2:1:2", "ritmo dos, uno, dos"),
]

SETS_AND_REPS = [
    ("3x10", "tres series de diez"),
    ("3 x 10 sentadillas", "tres series de diez sentadillas"),
    ("1x12", "una serie de doce"),
    ("4x400m", "cuatro por cuatrocientos metros"),
    ("Sentadillas x10", "Sentadillas diez veces"),
    ("3x", "tres veces"),
    ("1x", "una vez"),
    ("3 series x 10", "tres series de diez"),
    ("2-3x", "dos a tres veces"),
    ("al 80% de 1RM", "al ochenta por ciento de una repetición máxima"),
]

RATIOS = [
    ("respiración 4:6", "respiración cuatro a seis"),
    ("4:2:6:2", "cuatro, dos, seis, dos"),
]

ABBREVIATIONS = [
    ("DB remo", "remo con mancuerna"),
    ("KB swing", "swing con kettlebell"),
    ("12 reps", "doce repeticiones"),
    ("1 rep", "una repetición"),
    ("AMRAP 10 min", "tantas repeticiones como puedas diez minutos"),
    ("EMOM 12 min", "cada minuto doce minutos"),
    ("aprox. 5 km", "aproximadamente cinco kilómetros"),
    ("p. ej. un banco", "por ejemplo un banco"),
]

PER_SIDE = [
    ("10/lado", "diez por lado"),
    ("10 x lado", "diez por lado"),
    ("10 c/l", "diez cada lado"),
    ("10 por lado", "diez por lado"),
    ("10/pierna", "diez por pierna"),
    ("10 c/u", "diez cada uno"),
    ("10 e/s", "diez por lado"),
    ("izquierda/derecha", "izquierda o derecha"),
]

ORDINALS = [
    ("1.º set", "primer set"),
    ("1.ª serie", "primera serie"),
    ("2.ª ronda", "segunda ronda"),
    ("el 2.º", "el segundo"),
    ("3er día", "tercer día"),
    ("3.º ejercicio", "tercer ejercicio"),
    ("1º", "primero"),
    ("4.ª", "cuarta"),
]

TIMES = [
    ("a las 7:30", "a las siete y media"),
    ("a la 1:15", "a la una y cuarto"),
    ("1:30", "un minuto y treinta segundos"),
    ("0:45", "cuarenta y cinco segundos"),
    ("4:30/km", "cuatro minutos treinta por kilómetro"),
]

LETTERS_NEXT_TO_NUMBERS = [
    ("3 series", "tres series"),
    ("2 horas", "dos horas"),
    ("4 mañanas", "cuatro mañanas"),
    ("3 sesiones", "tres sesiones"),
    ("10 segundos", "diez segundos"),
    ("2 hélices", "dos hélices"),
    ("5 minutos", "cinco minutos"),
    ("2 saltos", "dos saltos"),
]

AGREEMENT = [
    ("21 repeticiones", "veintiuna repeticiones"),
    ("200 repeticiones", "doscientas repeticiones"),
    ("1 serie", "una serie"),
    ("31 días", "treinta y un días"),
    ("serie 1", "serie uno"),
    ("1 de 3", "uno de tres"),
    ("RPE 7,5", "R P E siete y medio"),
]

TABLES = {
    "sentence": SENTENCES,
    "fraction": FRACTIONS,
    "position": NAMED_POSITIONS_AND_PAIRS,
    "range": RANGES,
    "unit": UNITS,
    "tempo": TEMPO,
    "sets": SETS_AND_REPS,
    "ratio": RATIOS,
    "abbreviation": ABBREVIATIONS,
    "per side": PER_SIDE,
    "ordinal": ORDINALS,
    "time": TIMES,
    "letters": LETTERS_NEXT_TO_NUMBERS,
    "agreement": AGREEMENT,
}
CASES = [(kind, text, said) for kind, rows in TABLES.items() for text, said in rows]


@pytest.mark.parametrize(("kind", "text", "said"), CASES, ids=[f"{k}:{t}" for k, t, _ in CASES])
def test_spanish_is_read_as_a_coach_says_it(kind: str, text: str, said: str) -> None:
    assert read(text) == said


@pytest.mark.parametrize(("kind", "text", "said"), CASES, ids=[f"{k}:{t}" for k, t, _ in CASES])
def test_spanish_reading_is_stable(kind: str, text: str, said: str) -> None:
    assert read(read(text)) == read(text)


def test_a_latin_american_tag_reads_spanish() -> None:
    assert speakable("3x10", lang="es-MX") == "tres series de diez"
