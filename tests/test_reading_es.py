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
        "Tres series de diez repeticiones, dos minutos de descanso",
    ),
]

FRACTIONS = [
    ("1/2 sentadilla", "Media sentadilla"),
    ("3/4 sentadilla", "Tres cuartos de sentadilla"),
    ("1/2 arrodillado", "Medio arrodillado"),
    ("½ milla", "Media milla"),
    ("1/2 kg", "Medio kilo"),
    ("1/4 de milla", "Un cuarto de milla"),
    ("1½ min", "Un minuto y medio"),
    ("1 1/2 h", "Una hora y media"),
    ("2 1/2 km", "Dos kilómetros y medio"),
    ("2/3 del recorrido", "Dos tercios del recorrido"),
    ("serie 2/3", "serie dos de tres"),
]

NAMED_POSITIONS_AND_PAIRS = [
    ("90/90 de cadera", "Noventa-noventa de cadera"),
    ("30/30", "Treinta-treinta"),
]

RANGES = [
    ("8-12 repeticiones", "Ocho a doce repeticiones"),
    ("8–12 reps", "Ocho a doce repeticiones"),
    ("30-45 seg", "Treinta a cuarenta y cinco segundos"),
    ("1-2 min de descanso", "Uno a dos minutos de descanso"),
    ("1-2 h", "Una a dos horas"),
    ("3x8-12", "Tres series de ocho a doce"),
]

UNITS = [
    ("400 m", "Cuatrocientos metros"),
    ("5 km", "Cinco kilómetros"),
    ("30 seg. por lado", "Treinta segundos por lado"),
    ("30 s", "Treinta segundos"),
    ("2 min", "Dos minutos"),
    ("1 min", "Un minuto"),
    ("1 h", "Una hora"),
    ("20 kg", "Veinte kilos"),
    ("21 kg", "Veintiún kilos"),
    ("2,5 kg", "Dos kilos y medio"),
    ("45 lbs", "Cuarenta y cinco libras"),
    ("1 lb", "Una libra"),
    ("10 km/h", "Diez kilómetros por hora"),
    ("50%", "Cincuenta por ciento"),
    ("1m30s", "Un minuto y treinta segundos"),
    ("1.500 m", "Mil quinientos metros"),
]

TEMPO = [
    ("tempo 3-1-1-0", "tempo tres, uno, uno, cero"),
    ("3010 tempo", "Tres, cero, uno, cero tempo"),
    ("tempo 31X1", "tempo tres, uno, explosivo, uno"),
    ("ritmo 2:1:2", "ritmo dos, uno, dos"),
]

SETS_AND_REPS = [
    ("3x10", "Tres series de diez"),
    ("3 x 10 sentadillas", "Tres series de diez sentadillas"),
    ("1x12", "Una serie de doce"),
    ("4x400m", "Cuatro por cuatrocientos metros"),
    ("Sentadillas x10", "Sentadillas diez veces"),
    ("3x", "Tres veces"),
    ("1x", "Una vez"),
    ("3 series x 10", "Tres series de diez"),
    ("2-3x", "Dos a tres veces"),
    ("al 80% de 1RM", "al ochenta por ciento de una repetición máxima"),
    ("Sentadillas x 8.", "Sentadillas ocho veces."),
]

RATIOS = [
    ("respiración 4:6", "respiración cuatro a seis"),
    ("4:2:6:2", "Cuatro, dos, seis, dos"),
]

ABBREVIATIONS = [
    ("DB remo", "Remo con mancuerna"),
    ("KB swing", "Swing con kettlebell"),
    ("12 reps", "Doce repeticiones"),
    ("1 rep", "Una repetición"),
    ("AMRAP 10 min", "Tantas repeticiones como puedas diez minutos"),
    ("EMOM 12 min", "Cada minuto doce minutos"),
    ("aprox. 5 km", "aproximadamente cinco kilómetros"),
    ("p. ej. un banco", "por ejemplo un banco"),
]

PER_SIDE = [
    ("10/lado", "Diez por lado"),
    ("10 x lado", "Diez por lado"),
    ("10 c/l", "Diez cada lado"),
    ("10 por lado", "Diez por lado"),
    ("10/pierna", "Diez por pierna"),
    ("10 c/u", "Diez cada uno"),
    ("10 e/s", "Diez por lado"),
    # Sides joined by a slash are both sides, in turn: "y", as "L/R" is "left and right".
    ("izquierda/derecha", "izquierda y derecha"),
    ("izq./der. alternando", "izquierda y derecha alternando"),
    ("10 izq/der", "Diez izquierda y derecha"),
    ("Pierna dcha./izda. Luego descansa.", "Pierna derecha e izquierda. Luego descansa."),
    ("banco/suelo", "banco o suelo"),
]

ORDINALS = [
    ("1.º set", "Primer set"),
    ("1.ª serie", "Primera serie"),
    ("2.ª ronda", "Segunda ronda"),
    ("el 2.º", "el segundo"),
    ("3er día", "Tercer día"),
    ("3.º ejercicio", "Tercer ejercicio"),
    ("1º", "Primero"),
    ("4.ª", "Cuarta"),
]

TIMES = [
    ("a las 7:30", "a las siete y media"),
    ("a la 1:15", "a la una y cuarto"),
    ("1:30", "Un minuto y treinta segundos"),
    ("0:45", "Cuarenta y cinco segundos"),
    ("4:30/km", "Cuatro minutos treinta por kilómetro"),
]

LETTERS_NEXT_TO_NUMBERS = [
    ("3 series", "Tres series"),
    ("2 horas", "Dos horas"),
    ("4 mañanas", "Cuatro mañanas"),
    ("3 sesiones", "Tres sesiones"),
    ("10 segundos", "Diez segundos"),
    ("2 hélices", "Dos hélices"),
    ("5 minutos", "Cinco minutos"),
    ("2 saltos", "Dos saltos"),
]

AGREEMENT = [
    ("21 repeticiones", "Veintiuna repeticiones"),
    ("200 repeticiones", "Doscientas repeticiones"),
    ("1 serie", "Una serie"),
    ("31 días", "Treinta y un días"),
    ("serie 1", "serie uno"),
    ("1 de 3", "Uno de tres"),
    ("RPE 7,5", "R P E siete y medio"),
]

#: An abbreviation's full stop that also ends the sentence is kept: the voice pauses there.
SENTENCE_ENDS = [
    ("Descansa 30 seg. Luego sigue.", "Descansa treinta segundos. Luego sigue."),
    ("Corre 1 hr. Después camina.", "Corre una hora. Después camina."),
    ("Descansa 1 h. Fin", "Descansa una hora. Fin"),
    ("10 rep. Luego descansa.", "Diez repeticiones. Luego descansa."),
    ("Mantén 2 min. y respira", "Mantén dos minutos y respira"),
    ("Pierna izq. Luego der.", "Pierna izquierda. Luego derecha."),
    ("30 minutos aprox. Luego camina.", "Treinta minutos aproximadamente. Luego camina."),
    ("descansa 1 min. 1.ª serie suave.", "descansa un minuto. Primera serie suave."),
    ("Descansa 30 seg. 3 series.", "Descansa treinta segundos. Tres series."),
    ("Descansa 1 min. 30 seg. Luego sigue.", "Descansa un minuto treinta segundos. Luego sigue."),
    ("aprox. 5 km", "aproximadamente cinco kilómetros"),
]

VOLUMES = [
    ("Bebe 0,5 l de agua.", "Bebe cero coma cinco litros de agua."),
    ("1 l", "Un litro"),
    ("1,5 l", "Un litro y medio"),
    ("250 ml", "Doscientos cincuenta mililitros"),
    ("33 cl", "Treinta y tres centilitros"),
]

#: "@": the load, never the word of a range ("de diez a veinte kilos" is ten to twenty kilos).
LOADS = [
    ("3x10 @ 20kg", "Tres series de diez con veinte kilos"),
    ("8-12 @ 15 kg", "Ocho a doce con quince kilos"),
    ("3x5 @ 80%", "Tres series de cinco, al ochenta por ciento"),
]

#: A reading that puts a word first in a sentence capitalizes it, as the original did.
SENTENCE_STARTS = [
    ("Remo. 3x10.", "Remo. Tres series de diez."),
    ("Plancha. DB remo", "Plancha. Remo con mancuerna"),
    ("aprox. 30 min", "aproximadamente treinta minutos"),  # written lower case
]

#: "m" after a number: metres from 100 up; next to trote or camina minutes up to 24, else metres.
METRES_OR_MINUTES = [
    ("trote 400m", "trote cuatrocientos metros"),
    ("trote 2m", "trote dos minutos"),
    ("camina 30m", "camina treinta metros"),
    ("descanso 2m", "descanso dos minutos"),
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
    "sentence end": SENTENCE_ENDS,
    "volume": VOLUMES,
    "load": LOADS,
    "sentence start": SENTENCE_STARTS,
    "metres or minutes": METRES_OR_MINUTES,
}
CASES = [(kind, text, said) for kind, rows in TABLES.items() for text, said in rows]


@pytest.mark.parametrize(("kind", "text", "said"), CASES, ids=[f"{k}:{t}" for k, t, _ in CASES])
def test_spanish_is_read_as_a_coach_says_it(kind: str, text: str, said: str) -> None:
    assert read(text) == said


@pytest.mark.parametrize(("kind", "text", "said"), CASES, ids=[f"{k}:{t}" for k, t, _ in CASES])
def test_spanish_reading_is_stable(kind: str, text: str, said: str) -> None:
    assert read(read(text)) == read(text)


def test_a_latin_american_tag_reads_spanish() -> None:
    assert speakable("3x10", lang="es-MX") == "Tres series de diez"
