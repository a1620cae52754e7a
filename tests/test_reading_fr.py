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
        "trois séries de dix répétitions, deux minutes de repos",
    ),
]

FRACTIONS = [
    ("1/2 squat", "demi-squat"),
    ("3/4 squat", "trois quarts de squat"),
    ("1/4 tour", "un quart de tour"),
    ("½ heure", "une demi-heure"),
    ("1/2 km", "un demi-kilomètre"),
    ("1/4 d'heure", "un quart d'heure"),
    ("1½ min", "une minute et demie"),
    ("2 1/2 km", "deux kilomètres et demi"),
    ("2/3 du parcours", "deux tiers du parcours"),
    ("série 2/3", "série deux sur trois"),
]

NAMED_POSITIONS_AND_PAIRS = [
    ("90/90 des hanches", "quatre-vingt-dix quatre-vingt-dix des hanches"),
    ("30/30", "trente trente"),
]

RANGES = [
    ("8-12 répétitions", "huit à douze répétitions"),
    ("8–12 reps", "huit à douze répétitions"),
    ("30-45 s", "trente à quarante-cinq secondes"),
    ("1-2 min de repos", "une à deux minutes de repos"),
    ("3x8-12", "trois séries de huit à douze"),
]

UNITS = [
    ("400 m", "quatre cents mètres"),
    ("5 km", "cinq kilomètres"),
    ("30 sec", "trente secondes"),
    ("30 s", "trente secondes"),
    ("5 mn", "cinq minutes"),
    ("1 min", "une minute"),
    ("1 h", "une heure"),
    ("20 kg", "vingt kilos"),
    ("21 kg", "vingt et un kilos"),
    ("1,5 km", "un kilomètre et demi"),
    ("2,5 kg", "deux kilos et demi"),
    ("0,8 km", "zéro virgule huit kilomètre"),
    ("10 km/h", "dix kilomètres par heure"),
    ("50 %", "cinquante pour cent"),
    ("45 lbs", "quarante-cinq livres"),
    ('30" de repos', "trente secondes de repos"),
    ("1'30", "une minute trente"),
    ("1 500 m", "mille cinq cents mètres"),
]

TEMPO = [
    ("tempo 3-1-1-0", "tempo trois, un, un, zéro"),
    ("3010 tempo", "trois, zéro, un, zéro tempo"),
    ("tempo 31X1", "tempo trois, un, explosif, un"),
]

SETS_AND_REPS = [
    ("3x10", "trois séries de dix"),
    ("3 x 10 squats", "trois séries de dix squats"),
    ("1x12", "une série de douze"),
    ("4x400m", "quatre fois quatre cents mètres"),
    ("squats x10", "squats dix fois"),
    ("3x", "trois fois"),
    ("1x", "une fois"),
    ("3 séries x 10", "trois séries de dix"),
    ("2-3x", "deux à trois fois"),
    ("5RM", "cinq répétitions maximales"),
]

RATIOS = [
    ("respiration 4:6", "respiration quatre pour six"),
    ("4:2:6:2", "quatre, deux, six, deux"),
]

ABBREVIATIONS = [
    ("DB rowing", "rowing à l'haltère"),
    ("KB swing", "swing au kettlebell"),
    ("BB squat", "squat à la barre"),
    ("12 reps", "douze répétitions"),
    ("1 rép", "une répétition"),
    ("AMRAP 10 min", "un maximum de répétitions dix minutes"),
    ("EMOM 12 min", "chaque minute douze minutes"),
    ("env. 5 km", "environ cinq kilomètres"),
    ("récup 2 min", "récupération deux minutes"),
    ("pompes PDC", "pompes poids du corps"),
]

PER_SIDE = [
    ("10/côté", "dix par côté"),
    ("10 e/s", "dix par côté"),
    ("10/jambe", "dix par jambe"),
    ("10 de chaque côté", "dix de chaque côté"),
    ("gauche/droite", "gauche ou droite"),
]

ORDINALS = [
    ("1er tour", "premier tour"),
    ("1re série", "première série"),
    ("1ère série", "première série"),
    ("2e série", "deuxième série"),
    ("2ème tour", "deuxième tour"),
    ("3e", "troisième"),
    ("2nd", "second"),
    ("21e", "vingt et unième"),
]

TIMES = [
    ("à 7:30", "à sept heures trente"),
    ("7h30", "sept heures trente"),
    ("1h30 de marche", "une heure trente de marche"),
    ("1:30", "une minute trente"),
    ("0:45", "quarante-cinq secondes"),
    ("4:30/km", "quatre minutes trente par kilomètre"),
]

LETTERS_NEXT_TO_NUMBERS = [
    ("5 séries", "cinq séries"),
    ("4 mètres", "quatre mètres"),
    ("2 hélices", "deux hélices"),
    ("3 étirements", "trois étirements"),
    ("10 secondes", "dix secondes"),
    ("2 heures", "deux heures"),
    ("3 semaines", "trois semaines"),
    ("5séries", "cinq séries"),
]

AGREEMENT = [
    ("21 répétitions", "vingt et une répétitions"),
    ("1 série", "une série"),
    ("1 tour", "un tour"),
    ("31 secondes", "trente et une secondes"),
    ("série 1", "série un"),
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
def test_french_is_read_as_a_coach_says_it(kind: str, text: str, said: str) -> None:
    assert read(text) == said


@pytest.mark.parametrize(("kind", "text", "said"), CASES, ids=[f"{k}:{t}" for k, t, _ in CASES])
def test_french_reading_is_stable(kind: str, text: str, said: str) -> None:
    assert read(read(text)) == read(text)


def test_a_canadian_tag_reads_french() -> None:
    assert speakable("3x10", lang="fr-CA") == "trois séries de dix"
