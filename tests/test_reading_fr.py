"""French: free text read as a coach reads a séance aloud.

Each table is one kind of thing written in French workout notes; the expected text is what a
French coach says, written by hand ("une minute et demie", "vingt et une répétitions",
"demi-squat", "un quart de tour").
"""

from __future__ import annotations

import pytest

from audiocoach.reading import speakable


def read(text: str) -> str:
    return speakable(text, lang="fr")


SENTENCES = [
    (
        "3 séries de 10 répétitions, 2 minutes de repos",
        "Trois séries de dix répétitions, deux minutes de repos",
    ),
]

FRACTIONS = [
    ("1/2 squat", "Demi-squat"),
    ("3/4 squat", "Trois quarts de squat"),
    ("1/4 tour", "Un quart de tour"),
    ("½ heure", "Une demi-heure"),
    ("1/2 km", "Un demi-kilomètre"),
    ("1/4 d'heure", "Un quart d'heure"),
    ("1½ min", "Une minute et demie"),
    ("2 1/2 km", "Deux kilomètres et demi"),
    ("2/3 du parcours", "Deux tiers du parcours"),
    ("série 2/3", "série deux sur trois"),
]

NAMED_POSITIONS_AND_PAIRS = [
    ("90/90 des hanches", "Quatre-vingt-dix quatre-vingt-dix des hanches"),
    ("30/30", "Trente trente"),
]

RANGES = [
    ("8-12 répétitions", "Huit à douze répétitions"),
    ("8–12 reps", "Huit à douze répétitions"),
    ("30-45 s", "Trente à quarante-cinq secondes"),
    ("1-2 min de repos", "Une à deux minutes de repos"),
    ("3x8-12", "Trois séries de huit à douze"),
]

UNITS = [
    ("400 m", "Quatre cents mètres"),
    ("5 km", "Cinq kilomètres"),
    ("30 sec", "Trente secondes"),
    ("30 s", "Trente secondes"),
    ("5 mn", "Cinq minutes"),
    ("1 min", "Une minute"),
    ("1 h", "Une heure"),
    ("20 kg", "Vingt kilos"),
    ("21 kg", "Vingt et un kilos"),
    ("1,5 km", "Un kilomètre et demi"),
    ("2,5 kg", "Deux kilos et demi"),
    ("0,8 km", "Zéro virgule huit kilomètre"),
    ("10 km/h", "Dix kilomètres par heure"),
    ("50 %", "Cinquante pour cent"),
    ("45 lbs", "Quarante-cinq livres"),
    ('30" de repos', "Trente secondes de repos"),
    ("1'30", "Une minute trente"),
    ("1 500 m", "Mille cinq cents mètres"),
]

TEMPO = [
    ("tempo 3-1-1-0", "tempo trois, un, un, zéro"),
    ("3010 tempo", "Trois, zéro, un, zéro tempo"),
    ("tempo 31X1", "tempo trois, un, explosif, un"),
]

SETS_AND_REPS = [
    ("3x10", "Trois séries de dix"),
    ("3 x 10 squats", "Trois séries de dix squats"),
    ("1x12", "Une série de douze"),
    ("4x400m", "Quatre fois quatre cents mètres"),
    ("squats x10", "squats dix fois"),
    ("3x", "Trois fois"),
    ("1x", "Une fois"),
    ("3 séries x 10", "Trois séries de dix"),
    ("2-3x", "Deux à trois fois"),
    ("5RM", "Cinq répétitions maximales"),
    ("Squats x 8.", "Squats huit fois."),
]

RATIOS = [
    ("respiration 4:6", "respiration quatre pour six"),
    ("4:2:6:2", "Quatre, deux, six, deux"),
]

ABBREVIATIONS = [
    ("DB rowing", "Rowing à l'haltère"),
    ("KB swing", "Swing au kettlebell"),
    ("BB squat", "Squat à la barre"),
    ("12 reps", "Douze répétitions"),
    ("1 rép", "Une répétition"),
    ("AMRAP 10 min", "Un maximum de répétitions dix minutes"),
    ("EMOM 12 min", "Chaque minute douze minutes"),
    ("env. 5 km", "environ cinq kilomètres"),
    ("récup 2 min", "récupération deux minutes"),
    ("pompes PDC", "pompes poids du corps"),
]

PER_SIDE = [
    ("10/côté", "Dix par côté"),
    ("10 e/s", "Dix par côté"),
    ("10/jambe", "Dix par jambe"),
    ("10 de chaque côté", "Dix de chaque côté"),
    # Sides joined by a slash are both sides, in turn: "et", as "L/R" is "left and right".
    ("gauche/droite", "gauche et droite"),
    ("g/d en alternance", "gauche et droite en alternance"),
    ("10 D/G", "Dix droite et gauche"),
    ("banc/sol", "banc ou sol"),
    ("30 g/d", "Trente g ou d"),  # after a number, in lower case: a unit, not the sides
]

ORDINALS = [
    ("1er tour", "Premier tour"),
    ("1re série", "Première série"),
    ("1ère série", "Première série"),
    ("2e série", "Deuxième série"),
    ("2ème tour", "Deuxième tour"),
    ("3e", "Troisième"),
    ("2nd", "Second"),
    ("21e", "Vingt et unième"),
]

TIMES = [
    ("à 7:30", "à sept heures trente"),
    ("7h30", "Sept heures trente"),
    ("1h30 de marche", "Une heure trente de marche"),
    ("1:30", "Une minute trente"),
    ("0:45", "Quarante-cinq secondes"),
    ("4:30/km", "Quatre minutes trente par kilomètre"),
]

LETTERS_NEXT_TO_NUMBERS = [
    ("5 séries", "Cinq séries"),
    ("4 mètres", "Quatre mètres"),
    ("2 hélices", "Deux hélices"),
    ("3 étirements", "Trois étirements"),
    ("10 secondes", "Dix secondes"),
    ("2 heures", "Deux heures"),
    ("3 semaines", "Trois semaines"),
    ("5séries", "Cinq séries"),
]

AGREEMENT = [
    ("21 répétitions", "Vingt et une répétitions"),
    ("1 série", "Une série"),
    ("1 tour", "Un tour"),
    ("31 secondes", "Trente et une secondes"),
    ("série 1", "série un"),
]

#: An abbreviation's full stop that also ends the sentence is kept: the voice pauses there.
SENTENCE_ENDS = [
    ("Repos 2 min. Puis on repart.", "Repos deux minutes. Puis on repart."),
    ("Repos 2 mn. Puis gainage.", "Repos deux minutes. Puis gainage."),
    ("Gainage 30 sec. Ensuite repos.", "Gainage trente secondes. Ensuite repos."),
    ("Courir 1 h. Puis marcher.", "Courir une heure. Puis marcher."),
    ("10 rép. Puis repos.", "Dix répétitions. Puis repos."),
    ("10 répétitions max. Puis repos.", "Dix répétitions maximum. Puis repos."),
    ("Repos 1 min. 3 séries.", "Repos une minute. Trois séries."),
    ("Repos 1 min. 1re série.", "Repos une minute. Première série."),
    ("Repos 1 min. 30 s puis gainage", "Repos une minute trente secondes puis gainage"),
]

VOLUMES = [
    ("Buvez 0,5 l d'eau.", "Buvez zéro virgule cinq litre d'eau."),
    ("Prenez 1 l d'eau", "Prenez un litre d'eau"),
    ("1,5 l", "Un litre et demi"),
    ("2 l", "Deux litres"),
    ("250 ml", "Deux cent cinquante millilitres"),
    ("33 cl", "Trente-trois centilitres"),
]

#: "@": the load, never the word of a range ("de dix à vingt kilos" is ten to twenty kilos).
LOADS = [
    ("3x10 @ 20kg", "Trois séries de dix avec vingt kilos"),
    ("3x5 @ 80%", "Trois séries de cinq, à quatre-vingts pour cent"),
]

#: A reading that puts a word first in a sentence capitalizes it, as the original did.
SENTENCE_STARTS = [
    ("Squat. 3x10.", "Squat. Trois séries de dix."),
    ("Gainage. 1/2 squat", "Gainage. Demi-squat"),
    ("env. 30 min", "environ trente minutes"),  # written lower case
]

#: "m" après un nombre : mètres dès 100 ; après footing ou marche, minutes jusqu'à 24, sinon mètres.
METRES_OR_MINUTES = [
    ("footing 800m", "footing huit cents mètres"),
    ("footing 2m", "footing deux minutes"),
    ("marche 30m", "marche trente mètres"),
    ("repos 2m", "repos deux minutes"),
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
def test_french_is_read_as_a_coach_says_it(kind: str, text: str, said: str) -> None:
    assert read(text) == said


@pytest.mark.parametrize(("kind", "text", "said"), CASES, ids=[f"{k}:{t}" for k, t, _ in CASES])
def test_french_reading_is_stable(kind: str, text: str, said: str) -> None:
    assert read(read(text)) == read(text)


def test_a_canadian_tag_reads_french() -> None:
    assert speakable("3x10", lang="fr-CA") == "Trois séries de dix"
