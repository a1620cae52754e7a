"""German: free text read as a Trainerin reads a Trainingsplan aloud.

Each table is one kind of thing written in German training plans; the expected text is what a
German coach says, written by hand. The field report of issue 11 heads the first table: the "S" of
"Sätze" was read as the unit "s" and the numbers as English words.
"""

from __future__ import annotations

import pytest

from audiocoach.reading import speakable


def read(text: str) -> str:
    return speakable(text, lang="de")


FIELD_REPORTS = [
    (
        "3 Sätze mit 10 Wiederholungen, 2 Minuten Pause",
        "drei Sätze mit zehn Wiederholungen, zwei Minuten Pause",
    ),
]

FRACTIONS = [
    ("1/2 kniend", "halb kniend"),
    ("3/4 Kniebeuge", "dreiviertel Kniebeuge"),
    ("1/2 Kniebeuge", "halbe Kniebeuge"),
    ("1/2 Kniestand", "halber Kniestand"),
    ("½ Stunde", "eine halbe Stunde"),
    ("1/4 Meile", "eine viertel Meile"),
    ("1 1/2 Minuten", "eineinhalb Minuten"),
    ("1½ km", "eineinhalb Kilometer"),
    ("2/3 der Strecke", "zwei Drittel der Strecke"),
    ("Satz 2/3", "Satz zwei von drei"),
    ("Runde 1/4", "Runde eins von vier"),
]

NAMED_POSITIONS_AND_PAIRS = [
    ("90/90 Hüftrotation", "neunzig-neunzig Hüftrotation"),
    ("30/30 Intervalle", "dreißig-dreißig Intervalle"),
]

RANGES = [
    ("8-12 Wiederholungen", "acht bis zwölf Wiederholungen"),
    ("8–12 Wdh. locker", "acht bis zwölf Wiederholungen locker"),
    ("30-45 Sek. halten", "dreißig bis fünfundvierzig Sekunden halten"),
    ("1-2 Min. Pause", "ein bis zwei Minuten Pause"),
    ("1-2 Sätze", "ein bis zwei Sätze"),
    ("3x8-12", "drei Sätze mit acht bis zwölf Wiederholungen"),
]

UNITS = [
    ("400 m laufen", "vierhundert Meter laufen"),
    ("5 km", "fünf Kilometer"),
    ("30 Sek. halten", "dreißig Sekunden halten"),
    ("30 s", "dreißig Sekunden"),
    ("2 Min. Pause", "zwei Minuten Pause"),
    ("1 Min. Pause", "eine Minute Pause"),
    ("1 h", "eine Stunde"),
    ("20 kg", "zwanzig Kilo"),
    ("2,5 kg", "zweieinhalb Kilo"),
    ("45 lbs", "fünfundvierzig Pfund"),
    ("3 mi", "drei Meilen"),
    ("1m30s", "eine Minute und dreißig Sekunden"),
    ("10 km/h", "zehn Kilometer pro Stunde"),
    ("500 Hm", "fünfhundert Höhenmeter"),
    ("50 %", "fünfzig Prozent"),
    ("1.500 m", "eintausendfünfhundert Meter"),
]

TEMPO = [
    ("Tempo 3-1-1-0", "Tempo drei, eins, eins, null"),
    ("3010 Tempo", "drei, null, eins, null Tempo"),
    ("Tempo 31X1", "Tempo drei, eins, explosiv, eins"),
    ("Tempo 2:1:2", "Tempo zwei, eins, zwei"),
]

SETS_AND_REPS = [
    ("3x10", "drei Sätze mit zehn Wiederholungen"),
    ("3 x 10 Kniebeugen", "drei Sätze mit zehn Kniebeugen"),
    ("1x12", "ein Satz mit zwölf Wiederholungen"),
    ("3x10 pro Seite", "drei Sätze mit zehn Wiederholungen pro Seite"),
    ("4x400m", "viermal vierhundert Meter"),
    ("Kniebeugen x10", "Kniebeugen zehnmal"),
    ("3x wiederholen", "dreimal wiederholen"),
    ("3 Sätze x 10", "drei Sätze mit zehn"),
    ("2-3x wiederholen", "zwei bis dreimal wiederholen"),
]

RATIOS = [
    ("Atmung 4:6", "Atmung vier zu sechs"),
    ("4:2:6:2", "vier, zwei, sechs, zwei"),
]

ABBREVIATIONS = [
    ("KH-Rudern", "Kurzhantel-Rudern"),
    ("LH Kniebeuge", "Langhantel Kniebeuge"),
    ("KB Swing", "Kettlebell Swing"),
    ("DB Rudern", "Kurzhantel Rudern"),
    ("AMRAP 10 Min. lang", "so viele Wiederholungen wie möglich zehn Minuten lang"),
    ("12 Wdh. @ 60%", "zwölf Wiederholungen bei sechzig Prozent"),
    ("1 Wdh. links", "eine Wiederholung links"),
    ("ca. 5 Min. locker", "circa fünf Minuten locker"),
    ("z.B. auf einer Bank", "zum Beispiel auf einer Bank"),
    ("GA1 Lauf", "Grundlagenausdauer eins Lauf"),
]

PER_SIDE = [
    ("10/Seite", "zehn pro Seite"),
    ("10 pro Seite", "zehn pro Seite"),
    ("10 je Seite", "zehn je Seite"),
    ("10 e/s", "zehn pro Seite"),
    ("10/Bein", "zehn pro Bein"),
    ("links/rechts", "links oder rechts"),
]

ORDINALS = [
    ("3. Satz", "dritter Satz"),
    ("2. Runde", "zweite Runde"),
    ("1. Übung: Kniebeugen", "erste Übung: Kniebeugen"),
    ("im 3. Satz", "im dritten Satz"),
    ("der 2. Satz", "der zweite Satz"),
    ("in der 2. Runde", "in der zweiten Runde"),
    ("ab dem 4. Durchgang", "ab dem vierten Durchgang"),
    ("zum 5. Mal", "zum fünften Mal"),
    ("Mach 10. Dann Pause.", "Mach zehn. Dann Pause."),
]

TIMES = [
    ("7:30 Uhr", "sieben Uhr dreißig"),
    ("um 6:15", "um sechs Uhr fünfzehn"),
    ("1:30", "eine Minute und dreißig Sekunden"),
    ("0:45", "fünfundvierzig Sekunden"),
    ("seit 1999", "seit neunzehnhundertneunundneunzig"),
    ("4:30/km", "vier Minuten dreißig pro Kilometer"),
]

LETTERS_NEXT_TO_NUMBERS = [
    ("3 Sätze", "drei Sätze"),
    ("2 Höhenmeter", "zwei Höhenmeter"),
    ("10 Sekunden", "zehn Sekunden"),
    ("2 Minuten", "zwei Minuten"),
    ("4 Schritte", "vier Schritte"),
    ("3 Stöße", "drei Stöße"),
    ("5 Hürden", "fünf Hürden"),
    ("3Sätze", "drei Sätze"),
]

AGREEMENT = [
    ("1 Minute", "eine Minute"),
    ("1 Satz", "ein Satz"),
    ("21 Wiederholungen", "einundzwanzig Wiederholungen"),
    ("Satz 1", "Satz eins"),
    ("1 von 3", "eins von drei"),
]

TABLES = {
    "field report": FIELD_REPORTS,
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
def test_german_is_read_as_a_coach_says_it(kind: str, text: str, said: str) -> None:
    assert read(text) == said


@pytest.mark.parametrize(("kind", "text", "said"), CASES, ids=[f"{k}:{t}" for k, t, _ in CASES])
def test_german_reading_is_stable(kind: str, text: str, said: str) -> None:
    assert read(read(text)) == read(text)


def test_an_austrian_tag_reads_german() -> None:
    assert speakable("3 Sätze", lang="de-AT") == "drei Sätze"
