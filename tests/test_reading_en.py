"""English: free text read as a coach reads a workout card aloud.

Each table is one kind of thing runners and coaches write; the expected text is what a coach says,
written by hand. The two field reports of issue 9 head the first table.
"""

from __future__ import annotations

import pytest

from audiocoach.reading import speakable


def read(text: str) -> str:
    return speakable(text, lang="en")


FIELD_REPORTS = [
    ("90/90 Hip Switch", "ninety-ninety Hip Switch"),
    ("1/2 kneeling, then 3/4 squat", "half kneeling, then three-quarter squat"),
]

FRACTIONS = [
    ("½ squat", "half squat"),
    ("1/4 turn", "quarter turn"),
    ("1/2 reps", "half reps"),
    ("1/2 mile", "half a mile"),
    ("½ hour", "half an hour"),
    ("3/4 mile", "three quarters of a mile"),
    ("1 1/2 miles", "one and a half miles"),
    ("1½ min", "one and a half minutes"),
    ("2 1/4 miles", "two and a quarter miles"),
    ("2/3 of the way down", "two thirds of the way down"),
    ("1/2 of the reps", "half of the reps"),
    ("hold 1/3", "hold one third"),
    ("Round 1/4", "Round one of four"),
    ("set 2/3", "set two of three"),
]

NAMED_POSITIONS_AND_PAIRS = [
    ("90/90 stretch", "ninety-ninety stretch"),
    ("30/30 intervals", "thirty-thirty intervals"),
    ("5/3/1 squat", "five three one squat"),
]

RANGES = [
    ("8-12 reps", "eight to twelve reps"),
    ("8–12 reps", "eight to twelve reps"),
    ("30-45s", "thirty to forty-five seconds"),
    ("1-2 min rest", "one to two minutes rest"),
    ("3 x 8-12", "three sets of eight to twelve"),
]

UNITS = [
    ("Run 400m", "Run four hundred meters"),
    ("Rest 2m", "Rest two minutes"),
    ("Sprint 20m", "Sprint twenty meters"),
    ("Farmer carry 20m", "Farmer carry twenty meters"),
    ("Hold 45 sec", "Hold forty-five seconds"),
    ("Hold 45 sec. then rest", "Hold forty-five seconds then rest"),
    ("2 mins", "two minutes"),
    ("1 min", "one minute"),
    ("5 km", "five kilometers"),
    ("3 mi easy", "three miles easy"),
    ("15 yd", "fifteen yards"),
    ("6 ft", "six feet"),
    ("20 kg", "twenty kilos"),
    ("2.5 kg", "two and a half kilos"),
    ("45 lbs", "forty-five pounds"),
    ("1 lb", "one pound"),
    ("1h", "one hour"),
    ("1m30s", "one minute thirty seconds"),
    ("10 km/h", "ten kilometers per hour"),
    ("50% effort", "fifty percent effort"),
    ('Box jump 24"', "Box jump twenty-four inches"),
]

TEMPO = [
    ("tempo 3-1-1-0", "tempo three, one, one, zero"),
    ("Tempo: 3-1-1-0", "Tempo: three, one, one, zero"),
    ("3010 tempo", "three, zero, one, zero tempo"),
    ("tempo 31X1", "tempo three, one, explosive, one"),
    ("tempo 2:1:2", "tempo two, one, two"),
]

SETS_AND_REPS = [
    ("3x10", "three sets of ten"),
    ("3 x 10", "three sets of ten"),
    ("3×10 squats", "three sets of ten squats"),
    ("1x12", "one set of twelve"),
    ("4x400m", "four times four hundred meters"),
    ("6 x 200m", "six times two hundred meters"),
    ("Squats x10", "Squats times ten"),
    ("Repeat 3x", "Repeat three times"),
    ("2x through", "twice through"),
    ("3 sets x 10 reps", "three sets of ten reps"),
    ("Run 3 x 1 mile", "Run three times one mile"),
    ("Repeat 2-3x", "Repeat two to three times"),
    ("5x5 @ 80% 1RM", "five sets of five at eighty percent one-rep max"),
]

RATIOS = [
    ("Breathe 4:6", "Breathe four to six"),
    ("4:2:6:2", "four, two, six, two"),
]

ABBREVIATIONS = [
    ("DB row", "dumbbell row"),
    ("KB swing", "kettlebell swing"),
    ("BB back squat", "barbell back squat"),
    ("BW squats", "bodyweight squats"),
    ("SL RDL", "single-leg Romanian deadlift"),
    ("AMRAP 10 min", "as many reps as possible ten minutes"),
    ("EMOM 12 min", "every minute on the minute twelve minutes"),
    ("Squat @ RPE 8", "Squat at R P E eight"),
    ("12 reps", "twelve reps"),
    ("Row w/ band", "Row with band"),
    ("Rest 60s b/w sets", "Rest sixty seconds between sets"),
    ("e.g. a bench", "for example a bench"),
    ("Z2 run", "zone two run"),
]

PER_SIDE = [
    ("10/side", "ten per side"),
    ("10 each side", "ten each side"),
    ("10 e/s", "ten each side"),
    ("10/leg", "ten per leg"),
    ("10 ea.", "ten each"),
    ("8 L/R", "eight left and right"),
    ("left/right", "left or right"),
]

ORDINALS = [
    ("1st set", "first set"),
    ("2nd round", "second round"),
    ("3rd", "third"),
    ("21st", "twenty-first"),
    ("the 100th rep", "the one hundredth rep"),
]

TIMES = [
    ("7:30am", "seven thirty a m"),
    ("6am", "six a m"),
    ("6:05 pm", "six oh five p m"),
    ("Run 1:30", "Run one minute thirty seconds"),
    ("0:45", "forty-five seconds"),
    ("since 2019", "since twenty nineteen"),
    ("4:30/km", "four thirty per kilometer"),
    ("7:15/mi", "seven fifteen per mile"),
    ("Row 500m @ 2:00/500m", "Row five hundred meters at two minutes per five hundred meters"),
]

LETTERS_NEXT_TO_NUMBERS = [
    ("3 Sätze", "three Sätze"),
    ("2 Übungen", "two Übungen"),
    ("5 mañanas", "five mañanas"),
    ("4 étapes", "four étapes"),
    ("3 sets", "three sets"),
    ("2 hours", "two hours"),
    ("10 minutes", "ten minutes"),
    ("5 Hürden", "five Hürden"),
]

OTHER = [
    ("Keep HR < 150", "Keep HR under one hundred and fifty"),
    ("-5 degrees", "minus five degrees"),
    ("1,500 m", "one thousand five hundred meters"),
    ("~5 min", "about five minutes"),
    ("20°C", "twenty degrees Celsius"),
    ("4-7-8 breathing", "four, seven, eight breathing"),
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
    "other": OTHER,
}
CASES = [(kind, text, said) for kind, rows in TABLES.items() for text, said in rows]


@pytest.mark.parametrize(("kind", "text", "said"), CASES, ids=[f"{k}:{t}" for k, t, _ in CASES])
def test_english_is_read_as_a_coach_says_it(kind: str, text: str, said: str) -> None:
    assert read(text) == said


@pytest.mark.parametrize(("kind", "text", "said"), CASES, ids=[f"{k}:{t}" for k, t, _ in CASES])
def test_english_reading_is_stable(kind: str, text: str, said: str) -> None:
    assert read(read(text)) == read(text)


def test_a_regional_tag_reads_english() -> None:
    assert speakable("3x10", lang="en-GB") == "three sets of ten"
    assert speakable("3x10", lang="") == "three sets of ten"
