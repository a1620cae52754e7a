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
        "Drei Sätze mit zehn Wiederholungen, zwei Minuten Pause",
    ),
]

FRACTIONS = [
    ("1/2 kniend", "Halb kniend"),
    ("3/4 Kniebeuge", "Dreiviertel Kniebeuge"),
    ("1/2 Kniebeuge", "Halbe Kniebeuge"),
    ("1/2 Kniestand", "Halber Kniestand"),
    ("½ Stunde", "Eine halbe Stunde"),
    ("1/4 Meile", "Eine viertel Meile"),
    ("1 1/2 Minuten", "Eineinhalb Minuten"),
    ("1½ km", "Eineinhalb Kilometer"),
    ("2/3 der Strecke", "Zwei Drittel der Strecke"),
    ("Satz 2/3", "Satz zwei von drei"),
    ("Runde 1/4", "Runde eins von vier"),
]

NAMED_POSITIONS_AND_PAIRS = [
    ("90/90 Hüftrotation", "Neunzig-neunzig Hüftrotation"),
    ("30/30 Intervalle", "Dreißig-dreißig Intervalle"),
]

RANGES = [
    ("8-12 Wiederholungen", "Acht bis zwölf Wiederholungen"),
    ("8–12 Wdh. locker", "Acht bis zwölf Wiederholungen locker"),
    ("30-45 Sek. halten", "Dreißig bis fünfundvierzig Sekunden halten"),
    ("1-2 Min. Pause", "Ein bis zwei Minuten Pause"),
    ("1-2 Sätze", "Ein bis zwei Sätze"),
    ("3x8-12", "Drei Sätze mit acht bis zwölf Wiederholungen"),
]

UNITS = [
    ("400 m laufen", "Vierhundert Meter laufen"),
    ("5 km", "Fünf Kilometer"),
    ("30 Sek. halten", "Dreißig Sekunden halten"),
    ("30 s", "Dreißig Sekunden"),
    ("2 Min. Pause", "Zwei Minuten Pause"),
    ("1 Min. Pause", "Eine Minute Pause"),
    ("1 h", "Eine Stunde"),
    ("20 kg", "Zwanzig Kilo"),
    ("2,5 kg", "Zweieinhalb Kilo"),
    ("45 lbs", "Fünfundvierzig Pfund"),
    ("3 mi", "Drei Meilen"),
    ("1m30s", "Eine Minute und dreißig Sekunden"),
    ("10 km/h", "Zehn Kilometer pro Stunde"),
    ("500 Hm", "Fünfhundert Höhenmeter"),
    ("50 %", "Fünfzig Prozent"),
    ("1.500 m", "Eintausendfünfhundert Meter"),
]

TEMPO = [
    ("Tempo 3-1-1-0", "Tempo drei, eins, eins, null"),
    ("3010 Tempo", "Drei, null, eins, null Tempo"),
    ("Tempo 31X1", "Tempo drei, eins, explosiv, eins"),
    ("Tempo 2:1:2", "Tempo zwei, eins, zwei"),
]

SETS_AND_REPS = [
    ("3x10", "Drei Sätze mit zehn Wiederholungen"),
    ("3 x 10 Kniebeugen", "Drei Sätze mit zehn Kniebeugen"),
    ("1x12", "Ein Satz mit zwölf Wiederholungen"),
    ("3x10 pro Seite", "Drei Sätze mit zehn Wiederholungen pro Seite"),
    ("4x400m", "Viermal vierhundert Meter"),
    ("Kniebeugen x10", "Kniebeugen zehnmal"),
    ("3x wiederholen", "Dreimal wiederholen"),
    ("3 Sätze x 10", "Drei Sätze mit zehn"),
    ("2-3x wiederholen", "Zwei bis dreimal wiederholen"),
    ("Kniebeugen x 8.", "Kniebeugen achtmal."),
]

RATIOS = [
    ("Atmung 4:6", "Atmung vier zu sechs"),
    ("4:2:6:2", "Vier, zwei, sechs, zwei"),
]

ABBREVIATIONS = [
    ("KH-Rudern", "Kurzhantel-Rudern"),
    ("LH Kniebeuge", "Langhantel Kniebeuge"),
    ("KB Swing", "Kettlebell Swing"),
    ("DB Rudern", "Kurzhantel Rudern"),
    ("AMRAP 10 Min. lang", "So viele Wiederholungen wie möglich zehn Minuten lang"),
    ("12 Wdh. @ 60%", "Zwölf Wiederholungen bei sechzig Prozent"),
    ("1 Wdh. links", "Eine Wiederholung links"),
    ("ca. 5 Min. locker", "circa fünf Minuten locker"),
    ("z.B. auf einer Bank", "zum Beispiel auf einer Bank"),
    ("GA1 Lauf", "Grundlagenausdauer eins Lauf"),
]

PER_SIDE = [
    ("10/Seite", "Zehn pro Seite"),
    ("10 pro Seite", "Zehn pro Seite"),
    ("10 je Seite", "Zehn je Seite"),
    ("10 e/s", "Zehn pro Seite"),
    ("10/Bein", "Zehn pro Bein"),
    # Sides joined by a slash are both sides, in turn: "and", as "L/R" is in every language.
    ("links/rechts", "links und rechts"),
    ("li/re im Wechsel", "links und rechts im Wechsel"),
    ("Li/Re im Wechsel", "Links und rechts im Wechsel"),
    ("8 li/re", "Acht links und rechts"),
    ("Bein li./re. Dann Pause.", "Bein links und rechts. Dann Pause."),
    ("10 re/li", "Zehn rechts und links"),
    ("Bank/Boden", "Bank oder Boden"),
]

ORDINALS = [
    ("3. Satz", "Dritter Satz"),
    ("2. Runde", "Zweite Runde"),
    ("1. Übung: Kniebeugen", "Erste Übung: Kniebeugen"),
    ("im 3. Satz", "im dritten Satz"),
    ("der 2. Satz", "der zweite Satz"),
    ("in der 2. Runde", "in der zweiten Runde"),
    ("ab dem 4. Durchgang", "ab dem vierten Durchgang"),
    ("zum 5. Mal", "zum fünften Mal"),
    ("Mach 10. Dann Pause.", "Mach zehn. Dann Pause."),
]

TIMES = [
    ("7:30 Uhr", "Sieben Uhr dreißig"),
    ("um 6:15", "um sechs Uhr fünfzehn"),
    ("1:30", "Eine Minute und dreißig Sekunden"),
    ("0:45", "Fünfundvierzig Sekunden"),
    ("seit 1999", "seit neunzehnhundertneunundneunzig"),
    ("4:30/km", "Vier Minuten dreißig pro Kilometer"),
]

LETTERS_NEXT_TO_NUMBERS = [
    ("3 Sätze", "Drei Sätze"),
    ("2 Höhenmeter", "Zwei Höhenmeter"),
    ("10 Sekunden", "Zehn Sekunden"),
    ("2 Minuten", "Zwei Minuten"),
    ("4 Schritte", "Vier Schritte"),
    ("3 Stöße", "Drei Stöße"),
    ("5 Hürden", "Fünf Hürden"),
    ("3Sätze", "Drei Sätze"),
]

AGREEMENT = [
    ("1 Minute", "Eine Minute"),
    ("1 Satz", "Ein Satz"),
    ("21 Wiederholungen", "Einundzwanzig Wiederholungen"),
    ("Satz 1", "Satz eins"),
    ("1 von 3", "Eins von drei"),
]

#: An abbreviation's full stop that also ends the sentence is kept: the voice pauses there.
#: German nouns are capitalized too: "30 Sek. Pause" goes on.
SENTENCE_ENDS = [
    (
        "Pause 2 Min. Dann los. Halte 30 Sek. Weiter. Dann 1 Std. Fertig.",
        "Pause zwei Minuten. Dann los. Halte dreißig Sekunden. Weiter. Dann eine Stunde. Fertig.",
    ),
    ("Halte 1 Min.", "Halte eine Minute."),
    ("1 Std. Wir laufen.", "Eine Stunde. Wir laufen."),
    ("30 Sek. Pause", "Dreißig Sekunden Pause"),
    ("2 Min. Gehpause, dann weiter", "Zwei Minuten Gehpause, dann weiter"),
    ("10 Wdh. Kniebeugen", "Zehn Wiederholungen Kniebeugen"),
    ("10 Wdh. Dann Pause.", "Zehn Wiederholungen. Dann Pause."),
    ("Bein li. Dann re.", "Bein links. Dann rechts."),
    ("Bein li. Knie gestreckt", "Bein links Knie gestreckt"),
    ("Kniebeugen usw. Dann Pause.", "Kniebeugen und so weiter. Dann Pause."),
    ("Wiederhole das ggf. Dann Pause.", "Wiederhole das gegebenenfalls. Dann Pause."),
    ("Halte 30 Sek. 10 Wdh.", "Halte dreißig Sekunden. Zehn Wiederholungen."),
    ("Halte 30 Sek. 3 Sätze.", "Halte dreißig Sekunden. Drei Sätze."),
    ("1 Std. 30 Min. laufen", "Eine Stunde dreißig Minuten laufen"),
    # After a unit's full stop a capitalized word is a noun the sentence goes on with, unless it
    # opens sentences ("Dann", "Wechsle") or an object follows it (a verb put first).
    ("dann 2 Min. Seitstütz.", "dann zwei Minuten Seitstütz."),
    (
        "Dann 2 Min. Seitstütz. Danach 1 Min. Pause.",
        "Dann zwei Minuten Seitstütz. Danach eine Minute Pause.",
    ),
    (
        "30 Sek. Plank, dann 10 Wdh. Liegestütze.",
        "Dreißig Sekunden Plank, dann zehn Wiederholungen Liegestütze.",
    ),
    ("5 Min. Einlaufen", "Fünf Minuten Einlaufen"),
    ("2 Min. Seitstütz der linken Seite", "Zwei Minuten Seitstütz der linken Seite"),
    ("Halte 30 Sek. Wechsle die Seite.", "Halte dreißig Sekunden. Wechsle die Seite."),
    ("2 Min. Jetzt schneller.", "Zwei Minuten. Jetzt schneller."),
    ("30 Sek. Strecke die Beine.", "Dreißig Sekunden. Strecke die Beine."),
    ("30 Sek. Beuge dich vor.", "Dreißig Sekunden. Beuge dich vor."),
]

VOLUMES = [
    ("Trink 0,5 l Wasser.", "Trink null Komma fünf Liter Wasser."),
    ("1 l", "Ein Liter"),
    ("1,5 l", "Eineinhalb Liter"),
    ("250 ml", "Zweihundertfünfzig Milliliter"),
    ("2 dl", "Zwei Deziliter"),
    ("33 cl", "Dreiunddreißig Zentiliter"),
]

#: "@": the load the sets are done with.
LOADS = [
    ("3x10 @ 20kg", "Drei Sätze mit zehn Wiederholungen bei zwanzig Kilo"),
    ("3x5 @ 80%", "Drei Sätze mit fünf Wiederholungen bei achtzig Prozent"),
]

#: A reading that puts a word first in a sentence capitalizes it, as the original did.
SENTENCE_STARTS = [
    (
        "Hauptteil. 3x10 mit 20kg.",
        "Hauptteil. Drei Sätze mit zehn Wiederholungen mit zwanzig Kilo.",
    ),
    ("Rudern. 10/Seite", "Rudern. Zehn pro Seite"),
    ("ca. 3 Sätze", "circa drei Sätze"),  # written lower case
]

#: "m" after a number: metres from 100 up; next to Traben or Gehen minutes up to 24, else metres.
METRES_OR_MINUTES = [
    ("Traben 400m", "Traben vierhundert Meter"),
    ("Traben 2m", "Traben zwei Minuten"),
    ("Gehen 30m", "Gehen dreißig Meter"),
    ("Pause 2m", "Pause zwei Minuten"),
]

#: Ein Maß im Bindestrich-Kompositum: "25-kg-Hantel" (sonst blieb "kg" als Buchstaben).
MEASURES_BEFORE_NOUNS = [
    ("25-kg-Hantel", "Fünfundzwanzig-Kilo-Hantel"),
    ("Eine 2-Min.-Pause", "Eine Zwei-Minuten-Pause"),
    ("20 kg Hantel", "Zwanzig Kilo Hantel"),
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
    "sentence end": SENTENCE_ENDS,
    "volume": VOLUMES,
    "load": LOADS,
    "sentence start": SENTENCE_STARTS,
    "metres or minutes": METRES_OR_MINUTES,
    "measure before a noun": MEASURES_BEFORE_NOUNS,
}
CASES = [(kind, text, said) for kind, rows in TABLES.items() for text, said in rows]


@pytest.mark.parametrize(("kind", "text", "said"), CASES, ids=[f"{k}:{t}" for k, t, _ in CASES])
def test_german_is_read_as_a_coach_says_it(kind: str, text: str, said: str) -> None:
    assert read(text) == said


@pytest.mark.parametrize(("kind", "text", "said"), CASES, ids=[f"{k}:{t}" for k, t, _ in CASES])
def test_german_reading_is_stable(kind: str, text: str, said: str) -> None:
    assert read(read(text)) == read(text)


def test_an_austrian_tag_reads_german() -> None:
    assert speakable("3 Sätze", lang="de-AT") == "Drei Sätze"
