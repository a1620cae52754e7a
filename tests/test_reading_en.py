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
    ("90/90 Hip Switch", "Ninety-ninety Hip Switch"),
    ("1/2 kneeling, then 3/4 squat", "Half kneeling, then three-quarter squat"),
]

FRACTIONS = [
    ("½ squat", "Half squat"),
    ("1/4 turn", "Quarter turn"),
    ("1/2 reps", "Half reps"),
    ("1/2 mile", "Half a mile"),
    ("½ hour", "Half an hour"),
    ("3/4 mile", "Three quarters of a mile"),
    ("1 1/2 miles", "One and a half miles"),
    ("1½ min", "One and a half minutes"),
    ("2 1/4 miles", "Two and a quarter miles"),
    ("2/3 of the way down", "Two thirds of the way down"),
    ("1/2 of the reps", "Half of the reps"),
    ("hold 1/3", "hold one third"),
    ("Round 1/4", "Round one of four"),
    ("set 2/3", "set two of three"),
]

NAMED_POSITIONS_AND_PAIRS = [
    ("90/90 stretch", "Ninety-ninety stretch"),
    ("30/30 intervals", "Thirty-thirty intervals"),
    ("5/3/1 squat", "Five three one squat"),
]

RANGES = [
    ("8-12 reps", "Eight to twelve reps"),
    ("8–12 reps", "Eight to twelve reps"),
    ("30-45s", "Thirty to forty-five seconds"),
    ("1-2 min rest", "One to two-minute rest"),  # a measure before a noun: one word
    ("3 x 8-12", "Three sets of eight to twelve"),
]

UNITS = [
    ("Run 400m", "Run four hundred meters"),
    ("Rest 2m", "Rest two minutes"),
    ("Sprint 20m", "Sprint twenty meters"),
    ("Farmer carry 20m", "Farmer carry twenty meters"),
    ("Hold 45 sec", "Hold forty-five seconds"),
    ("Hold 45 sec. then rest", "Hold forty-five seconds then rest"),
    ("2 mins", "Two minutes"),
    ("1 min", "One minute"),
    ("5 km", "Five kilometers"),
    ("3 mi easy", "Three miles easy"),
    ("15 yd", "Fifteen yards"),
    ("6 ft", "Six feet"),
    ("20 kg", "Twenty kilos"),
    ("2.5 kg", "Two and a half kilos"),
    ("45 lbs", "Forty-five pounds"),
    ("1 lb", "One pound"),
    ("1h", "One hour"),
    ("1m30s", "One minute thirty seconds"),
    ("10 km/h", "Ten kilometers per hour"),
    ("50% effort", "Fifty percent effort"),
    ('Box jump 24"', "Box jump twenty-four inches"),
]

TEMPO = [
    ("tempo 3-1-1-0", "tempo three, one, one, zero"),
    ("Tempo: 3-1-1-0", "Tempo: three, one, one, zero"),
    ("3010 tempo", "Three, zero, one, zero tempo"),
    ("tempo 31X1", "tempo three, one, explosive, one"),
    ("tempo 2:1:2", "tempo two, one, two"),
]

SETS_AND_REPS = [
    ("3x10", "Three sets of ten"),
    ("3 x 10", "Three sets of ten"),
    ("3×10 squats", "Three sets of ten squats"),
    ("1x12", "One set of twelve"),
    ("4x400m", "Four times four hundred meters"),
    ("6 x 200m", "Six times two hundred meters"),
    ("Squats x10", "Squats times ten"),
    ("Repeat 3x", "Repeat three times"),
    ("2x through", "Twice through"),
    ("3 sets x 10 reps", "Three sets of ten reps"),
    ("Run 3 x 1 mile", "Run three times one mile"),
    ("Repeat 2-3x", "Repeat two to three times"),
    ("5x5 @ 80% 1RM", "Five sets of five at eighty percent one-rep max"),
    ("DB curls x 8.", "Dumbbell curls times eight."),
    ("DB curls x 8", "Dumbbell curls times eight"),
    ("Squats x10. Rest.", "Squats times ten. Rest."),
    ("Lunges x 12, then rest", "Lunges times twelve, then rest"),
]

RATIOS = [
    ("Breathe 4:6", "Breathe four to six"),
    ("4:2:6:2", "Four, two, six, two"),
]

ABBREVIATIONS = [
    ("DB row", "Dumbbell row"),
    ("KB swing", "Kettlebell swing"),
    ("BB back squat", "Barbell back squat"),
    ("BW squats", "Bodyweight squats"),
    ("SL RDL", "Single-leg Romanian deadlift"),
    ("AMRAP 10 min", "As many reps as possible ten minutes"),
    ("EMOM 12 min", "Every minute on the minute twelve minutes"),
    ("Squat @ RPE 8", "Squat at R P E eight"),
    ("12 reps", "Twelve reps"),
    ("Row w/ band", "Row with band"),
    ("Rest 60s b/w sets", "Rest sixty seconds between sets"),
    ("e.g. a bench", "for example a bench"),
    ("Z2 run", "Zone two run"),
]

PER_SIDE = [
    ("10/side", "Ten per side"),
    ("10 each side", "Ten each side"),
    ("10 e/s", "Ten each side"),
    ("10/leg", "Ten per leg"),
    ("10 ea.", "Ten each."),  # the full stop ends the sentence too
    ("8 L/R", "Eight left and right"),
    # Sides joined by a slash are both sides, in turn: "and", never "or".
    ("left/right", "left and right"),
    ("l/r alternating", "left and right alternating"),
    ("10 Rt/Lt", "Ten right and left"),
    ("bench/floor", "bench or floor"),
]

ORDINALS = [
    ("1st set", "First set"),
    ("2nd round", "Second round"),
    ("3rd", "Third"),
    ("21st", "Twenty-first"),
    ("the 100th rep", "the one hundredth rep"),
]

TIMES = [
    ("7:30am", "Seven thirty a m"),
    ("6am", "Six a m"),
    ("6:05 pm", "Six oh five p m"),
    ("Run 1:30", "Run one minute thirty seconds"),
    ("0:45", "Forty-five seconds"),
    ("since 2019", "since twenty nineteen"),
    ("4:30/km", "Four thirty per kilometer"),
    ("7:15/mi", "Seven fifteen per mile"),
    ("Row 500m @ 2:00/500m", "Row five hundred meters at two minutes per five hundred meters"),
]

LETTERS_NEXT_TO_NUMBERS = [
    ("3 Sätze", "Three Sätze"),
    ("2 Übungen", "Two Übungen"),
    ("5 mañanas", "Five mañanas"),
    ("4 étapes", "Four étapes"),
    ("3 sets", "Three sets"),
    ("2 hours", "Two hours"),
    ("10 minutes", "Ten minutes"),
    ("5 Hürden", "Five Hürden"),
]

OTHER = [
    ("Keep HR < 150", "Keep HR under one hundred and fifty"),
    ("-5 degrees", "Minus five degrees"),
    ("1,500 m", "One thousand five hundred meters"),
    ("~5 min", "About five minutes"),
    ("20°C", "Twenty degrees Celsius"),
    ("4-7-8 breathing", "Four, seven, eight breathing"),
]

#: An abbreviation's full stop that also ends the sentence is kept: the voice pauses there.
SENTENCE_ENDS = [
    ("Hold 30 sec. Then relax.", "Hold thirty seconds. Then relax."),
    ("Rest 2 min. Go again.", "Rest two minutes. Go again."),
    ("Rest 1 hr. Then go.", "Rest one hour. Then go."),
    ("Carry 50 lbs. Walk back.", "Carry fifty pounds. Walk back."),
    ("Walk 15 yd. Then jog.", "Walk fifteen yards. Then jog."),
    ("Hold 30 sec. on each side", "Hold thirty seconds on each side"),
    ("3 p.m. Drink", "Three p m. Drink"),
    ("Run at 6 a.m.", "Run at six a m."),
    ("at 3 p.m. today", "at three p m today"),
    ("3 pm. Drink water.", "Three p m. Drink water."),
    ("10 alt. Then rest.", "Ten alternating. Then rest."),
    (
        "Hold for 30-45 sec. 10-15 reps.",
        "Hold for thirty to forty-five seconds. Ten to fifteen reps.",
    ),
    ("1 min. 3 sets x 10 reps.", "One minute. Three sets of ten reps."),
    ("90 secs. 3 min 30 sec.", "Ninety seconds. Three minutes thirty seconds."),
    ("Carry 50 lbs. 3 rounds.", "Carry fifty pounds. Three rounds."),
    ("10 ea. 3 sets.", "Ten each. Three sets."),
    ("3 p.m. 5 km easy", "Three p m. Five kilometers easy"),
    ("3 min. 30 sec. Then rest.", "Three minutes thirty seconds. Then rest."),
    ("Rest 1 hr. 30 min. easy", "Rest one hour thirty minutes easy"),
    ("approx. 5 min", "about five minutes"),
]

VOLUMES = [
    ("Drink 0.5 l of water", "Drink zero point five liters of water"),
    ("1 l", "One liter"),
    ("2 L", "Two liters"),
    ("500 ml", "Five hundred milliliters"),
    ("2 dl", "Two deciliters"),
    ("33 cl", "Thirty-three centiliters"),
    ("8 oz", "Eight ounces"),
    ("8 fl oz", "Eight fluid ounces"),
    ("16 fl. oz. of water", "Sixteen fluid ounces of water"),
    ("1/2 l", "Half a liter"),
    ("10 L, 10 R", "Ten L, ten R"),  # sides, not litres
]

#: "@": the load the sets are done with.
LOADS = [
    ("3x10 @ 20kg", "Three sets of ten at twenty kilos"),
    ("3x5 @ 80%", "Three sets of five at eighty percent"),
]

#: A reading that puts a word first in a sentence capitalizes it, as the original did.
SENTENCE_STARTS = [
    ("Main. DB Row.", "Main. Dumbbell Row."),
    (
        "Cat-Cow. 30 seconds, moving with your breath.",
        "Cat-Cow. Thirty seconds, moving with your breath.",
    ),
    ("rest. 3x10 squats", "rest. Three sets of ten squats"),
    ("Next up: KB Press", "Next up: Kettlebell Press"),  # a name in title case
    ("Grab a DB and row", "Grab a dumbbell and row"),
    ("e.g. 3 sets", "for example three sets"),  # written lower case
]

#: "m" after a number: metres from 100 up and next to a move over a distance; minutes for rest.
#: Next to a move timed as often as measured (jog, walk, run) the value decides: up to 24 is
#: minutes ("2m jog"), above is metres ("Walk 30m"); "for" before the number says minutes.
METRES_OR_MINUTES = [
    ("Jog 800m.", "Jog eight hundred meters."),
    ("Walk 30m.", "Walk thirty meters."),
    ("Easy jog. Walk 30m.", "Easy jog. Walk thirty meters."),
    ("Walk 30m easy", "Walk thirty meters easy"),
    ("Easy run 30m", "Easy run thirty meters"),
    ("Jog 10m easy", "Jog ten minutes easy"),
    ("Jog for 30m", "Jog for thirty minutes"),
    ("Run 20m", "Run twenty minutes"),
    ("Sprint 400m", "Sprint four hundred meters"),
    ("Row 500m", "Row five hundred meters"),
    ("Swim 50m", "Swim fifty meters"),
    ("Plank 1m", "Plank one minute"),
    ("Rest 90m", "Rest ninety minutes"),
    ("Rest 200m, then go", "Rest two hundred meters, then go"),
    ("Shuttle 10m", "Shuttle ten meters"),
]

#: A load, time or distance before a noun it describes is one word, in the singular: after a
#: written hyphen always, else before a noun of a closed list (dumbbell, hold, jog, repeats...).
MEASURES_BEFORE_NOUNS = [
    ("25-lb dumbbell", "Twenty-five-pound dumbbell"),
    ("a 25 lbs DB", "a twenty-five-pound dumbbell"),
    ("16kg KB", "Sixteen-kilo kettlebell"),
    ("2x 50lb DBs", "Two fifty-pound dumbbells"),
    ("2 x 20kg KBs", "Two twenty-kilo kettlebells"),
    ("30 sec hold", "Thirty-second hold"),
    # the end of a length in two units is no word of its own: "two minutes thirty seconds rest"
    ("2 min 30 s rest", "Two minutes thirty seconds rest"),
    ("1 min 30 sec hold", "One minute thirty seconds hold"),
    ("2'30\" rest", "Two minutes thirty seconds rest"),
    ("1 h 15 min run", "One hour fifteen minutes run"),
    ("400m repeats", "Four-hundred-meter repeats"),
    ("4x400m repeats", "Four times four-hundred-meter repeats"),
    ("Then a 400m jog.", "Then a four-hundred-meter jog."),
    ("2m jog", "Two-minute jog"),
    ("100m strides x 4", "One-hundred-meter strides times four"),
    ("30-45 sec hold", "Thirty to forty-five-second hold"),
    ("2.5 kg plates", "Two-and-a-half-kilo plates"),
    ("10 min warm-up", "Ten-minute warm-up"),
    ("90° turn", "Ninety-degree turn"),
    ("5-km run", "Five-kilometer run"),
    ("5 km easy", "Five kilometers easy"),
    ("Rest 30 sec between sets", "Rest thirty seconds between sets"),
    ("Sprint 20m walk back", "Sprint twenty meters walk back"),
    ("Hold 30 sec rest 10 sec", "Hold thirty seconds rest ten seconds"),
    ("Hold 30 sec. hold again", "Hold thirty seconds hold again"),
    ("2x 20kg", "Two times twenty kilos"),
]

#: A height or a length in feet and inches, as Americans say it.
FEET_AND_INCHES = [
    ("5'10\"", "Five foot ten"),
    ("5' 10\"", "Five foot ten"),
    ("5’10”", "Five foot ten"),
    ("5'10", "Five foot ten"),
    ("6'", "Six feet"),
    ("1'", "One foot"),
    ("6'0\"", "Six feet"),
    ('12"', "Twelve inches"),
    ('Jump 30" box', "Jump thirty-inch box"),
    ("'Go 3' he said", "'Go three' he said"),
    ("Rest 90'", "Rest ninety minutes"),
]

#: " after a number: seconds when the sentence or the one before speaks of time (a time word, a
#: unit of time) or a time word follows; inches for a height ("24\" box", "Box jump 24\"").
SECONDS_OR_INCHES = [
    ('Hold 30-60s, then 45" more.', "Hold thirty to sixty seconds, then forty-five seconds more."),
    ('Hold 45".', "Hold forty-five seconds."),
    ('Hold 30" each side.', "Hold thirty seconds each side."),
    (
        'Side plank 45" per side, rest 15s.',
        "Side plank forty-five seconds per side, rest fifteen seconds.",
    ),
    ('Rest 2 min. Then 30" more.', "Rest two minutes. Then thirty seconds more."),
    ('20" on, 10" off', "Twenty seconds on, ten seconds off"),
    ('Box jumps, 30" rest', "Box jumps, thirty-second rest"),
    ("Rest 2'30\"", "Rest two minutes thirty seconds"),
    ("Run 1'05\".", "Run one minute five seconds."),
    ("Plank 1'10\"", "Plank one minute ten seconds"),
    ('24" box', "Twenty-four-inch box"),
    ('Box jump 24"', "Box jump twenty-four inches"),
    ('Rest 60s. Box jump 24".', "Rest sixty seconds. Box jump twenty-four inches."),
    ('Step-ups 18" each leg', "Step-ups eighteen inches each leg"),
    ("Athlete height 5'10\".", "Athlete height five foot ten."),
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
    "sentence end": SENTENCE_ENDS,
    "volume": VOLUMES,
    "load": LOADS,
    "sentence start": SENTENCE_STARTS,
    "metres or minutes": METRES_OR_MINUTES,
    "measure before a noun": MEASURES_BEFORE_NOUNS,
    "feet and inches": FEET_AND_INCHES,
    "seconds or inches": SECONDS_OR_INCHES,
}
CASES = [(kind, text, said) for kind, rows in TABLES.items() for text, said in rows]


@pytest.mark.parametrize(("kind", "text", "said"), CASES, ids=[f"{k}:{t}" for k, t, _ in CASES])
def test_english_is_read_as_a_coach_says_it(kind: str, text: str, said: str) -> None:
    assert read(text) == said


@pytest.mark.parametrize(("kind", "text", "said"), CASES, ids=[f"{k}:{t}" for k, t, _ in CASES])
def test_english_reading_is_stable(kind: str, text: str, said: str) -> None:
    assert read(read(text)) == read(text)


def test_a_regional_tag_reads_english() -> None:
    assert speakable("3x10", lang="en-GB") == "Three sets of ten"
    assert speakable("3x10", lang="") == "Three sets of ten"
