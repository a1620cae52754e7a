"""English, as a coach reads a workout card aloud.

"3x10" is "three sets of ten", "4x400m" "four times four hundred meters", "1/2 kneeling" "half
kneeling", "3/4 squat" "three-quarter squat", "90/90 hip switch" "ninety-ninety hip switch",
"10/side" "ten per side", "DB row" "dumbbell row", "Rest 2m" two minutes but "Sprint 20m" twenty
meters (the movement says which "m" is meant).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import ClassVar

from audiocoach.reading.core import (
    LETTER,
    START,
    WORD,
    CoachReading,
    Rule,
    Unit,
    pad,
    sentence_follows,
    words,
)

_SECOND = Unit("second", "seconds")
_MINUTE = Unit("minute", "minutes")
_HOUR = Unit("hour", "hours")
_METER = Unit("meter", "meters")
_KILO = Unit("kilo", "kilos")
_POUND = Unit("pound", "pounds")
_YARD = Unit("yard", "yards")
_MILE = Unit("mile", "miles")
_LITER = Unit("liter", "liters")
_FLUID_OUNCE = Unit("fluid ounce", "fluid ounces")

#: Nouns a load, a time or a distance describes in a workout ("a 25 lb dumbbell", "30 sec hold",
#: "400m repeats"): the measure before one is said as one word, in the singular, as a coach says
#: it ("a twenty-five-pound dumbbell"). A closed list, as "5 km easy" or "Rest 30 sec between
#: sets" is no such thing; a written hyphen ("25-lb") always makes a measure such a word.
_THINGS = "dumbbell kettlebell barbell plate bag sandbag ball medball bell vest"
_LOADED = frozenset(words(_THINGS) | {w + "s" for w in words(_THINGS)})
_MEASURED_NOUNS = _LOADED | frozenset(
    words(
        "bar bars hold holds plank planks jog jogs run runs walk walks rest break pause "
        "recovery sprint sprints stride strides repeat repeats interval intervals carry carries "
        "row swim ride ruck hang hangs effort efforts round rounds block circuit warm-up warmup "
        "cooldown cool-down turn turns box boxes"
    )
)
#: Words that make a " after a number inches: a height or a length ("24\" box", "box jump 20\"").
_HEIGHT_WORDS = frozenset(
    words(
        "box boxes jump jumps step steps step-up step-ups bench platform hurdle hurdles riser "
        "deficit height high tall long wide deep inch inches foot feet ft wall target"
    )
)
#: Words right after a " that make it seconds: "45\" more", "30\" rest", "20\" on, 10\" off".
#: Not "each" or "per side": "18\" each leg" may be a step's height; the sentence decides.
_SECONDS_AFTER = frozenset(words("more rest hold holds pause break recovery off on between wait"))
#: A number with a unit of time, or a clock duration: "30-60s", "2 min", "90'", "1:30".
_TIME_WRITTEN = re.compile(
    r"[0-9]\s?(?:s|secs?|seconds?|min|mins|minutes?|['′])(?![\w'′])|[0-9]:[0-5][0-9]",
    re.IGNORECASE,
)
#: A sentence break, to look at the sentence a " stands in and the one before.
_SENTENCE_SPLIT = re.compile(r"[.!?;](?:\s|$)")
_INCH = r"(?:\"|″|''|”)"
#: After a listed word, what makes it a verb of a new instruction, not a noun: "Sprint 20m walk
#: back", "Hold 30 sec rest 10 sec", "Run 400m walk to the line".
_INSTRUCTION_GOES_ON = re.compile(r"\s?(?:[0-9]|(?:back|to|for|until|it)\b)", re.IGNORECASE)
#: "2x 50lb dumbbells": a count of loaded things ("two fifty-pound dumbbells"), not of times.
_COUNTED_LOAD = re.compile(
    r"\s?[0-9]+(?:\.[0-9]+)?(?:\s*|-)(?:kgs?|lbs?)\.?[\s-](" + LETTER + r"+)", re.IGNORECASE
)


class English(CoachReading):
    decimal_marks = "."
    units: ClassVar = {
        "ms": Unit("millisecond", "milliseconds"),
        "s": _SECOND,
        "sec": _SECOND,
        "secs": _SECOND,
        "min": _MINUTE,
        "mins": _MINUTE,
        "h": _HOUR,
        "hr": _HOUR,
        "hrs": _HOUR,
        "m": _METER,  # or minutes: see m_means_minutes
        "km": Unit("kilometer", "kilometers"),
        "mi": _MILE,
        "yd": _YARD,
        "yds": _YARD,
        "ft": Unit("foot", "feet"),
        "cm": Unit("centimeter", "centimeters"),
        "mm": Unit("millimeter", "millimeters"),
        "kg": _KILO,
        "kgs": _KILO,
        "lb": _POUND,
        "lbs": _POUND,
        "l": _LITER,
        "ml": Unit("milliliter", "milliliters"),
        "dl": Unit("deciliter", "deciliters"),
        "cl": Unit("centiliter", "centiliters"),
        "oz": Unit("ounce", "ounces"),
        "fl oz": _FLUID_OUNCE,
        "fl. oz": _FLUID_OUNCE,
        "cal": Unit("calorie", "calories"),
        "kcal": Unit("kilocalorie", "kilocalories"),
        "bpm": Unit("beat per minute", "beats per minute"),
        "rpm": Unit("revolution per minute", "revolutions per minute"),
        "°c": Unit("degree Celsius", "degrees Celsius"),
        "°f": Unit("degree Fahrenheit", "degrees Fahrenheit"),
        "°": Unit("degree", "degrees"),
        "%": Unit("percent", "percent"),
    }
    dotted_units = frozenset(words("sec secs min mins hr hrs lb lbs yd yds ft mi oz")) | {
        "fl oz",
        "fl. oz",
    }
    m_is_minutes_by_default = True
    # Loaded or short-distance moves are measured in meters; "Rest 2m" and "Hold 1m" are minutes;
    # "Walk 30m" and "400m jog" meters, "2m jog" minutes (see CoachReading.m_means_minutes).
    distance_context = frozenset(
        words(
            "sprint sprints carry carries crawl crawls lunge lunges shuttle shuttles sled drag "
            "drags push bound bounds skip skips shuffle shuffles backpedal farmer farmers "
            "farmer's suitcase stride strides dash dashes swim hill hills bear repeat repeats"
        )
    )
    timed_moves = frozenset(
        words(
            "jog jogs jogging walk walks walking run runs running row rows rowing bike ride "
            "cycle ski erg ruck"
        )
    )
    time_context = frozenset(
        words(
            "rest hold holds plank wait recover recovery pause break breathe stretch cap amrap "
            "emom every for easy within"
        )
    )
    # What workout cards and running plans abbreviate (exact case, whole words).
    abbreviations: ClassVar = {
        "DB": "dumbbell",
        "DBs": "dumbbells",
        "KB": "kettlebell",
        "KBs": "kettlebells",
        "BB": "barbell",
        "BW": "bodyweight",
        "RDL": "Romanian deadlift",
        "RDLs": "Romanian deadlifts",
        "SLDL": "single-leg deadlift",
        "SL": "single-leg",
        "SA": "single-arm",
        "OH": "overhead",
        "OHP": "overhead press",
        "BOR": "bent-over row",
        "TGU": "Turkish get-up",
        "TGUs": "Turkish get-ups",
        "KBS": "kettlebell swings",
        "HSPU": "handstand push-ups",
        "T2B": "toes to bar",
        "DU": "double-under",
        "DUs": "double-unders",
        "AMRAP": "as many reps as possible",
        "EMOM": "every minute on the minute",
        "E2MOM": "every two minutes on the minute",
        "RPE": "R P E",
        "RIR": "reps in reserve",
        "TUT": "time under tension",
        "PB": "personal best",
        "PR": "personal record",
        "WU": "warm-up",
        "CD": "cool-down",
        "MP": "marathon pace",
        "HMP": "half-marathon pace",
        "VO2": "V O two",
        "VO2max": "V O two max",
        "e.g.": "for example",
        "i.e.": "that is",
        "approx.": "about",
        "vs.": "versus",
        "vs": "versus",
        "w/": "with",
        "w/o": "without",
        "b/w": "between",
        "ea.": "each",
        "alt.": "alternating",
        "e/s": "each side",
        "E/S": "each side",
        "L/R": "left and right",
        "R/L": "right and left",
    }
    sentence_final_abbreviations = frozenset(["ea.", "alt."])
    counters = frozenset(
        words(
            "set sets round rounds rep reps week weeks day days exercise step lap interval block "
            "circuit part phase stage session workout station rung"
        )
    )
    sides: ClassVar = {
        "l": "left",
        "r": "right",
        "lt": "left",
        "rt": "right",
        "left": "left",
        "right": "right",
    }
    per_nouns = frozenset(
        words("side leg arm hand round lap minute second hour day week rep set mile kilometer")
    )
    year_words_before = frozenset(words("in since from until till by circa"))
    _fraction_function_words = frozenset(words("of the a an and or to in on at for with"))

    def extra_rules(self) -> Iterable[Rule]:
        yield re.compile(r"(?<=[0-9]) ?ea(?!\w)(\.)?"), self._each
        yield re.compile(r"(?<!\w)Z([1-5])(?!\w)"), r" zone \1 "
        yield re.compile(START + r"([0-9]{1,3})\s?RMs?(?!\w)"), r" \1-rep max "  # 1RM
        # 2'30", 1'05": minutes and seconds (no height has 30 inches after its feet).
        yield (
            re.compile(START + r"([0-9]{1,3})\s?['′’]\s?([0-5][0-9])\s?" + _INCH + r"(?![\w'])"),
            self._minutes_and_seconds,
        )
        # 5'10" (a height or a box: "five foot ten"), 6' (six feet), before 24" (inches).
        yield (
            re.compile(
                START + r"([0-9]{1,2})\s?['′’]\s?([0-9]|1[01])(?:\s?(?:\"|″|''|′′|”))?(?![\w'′’])"
            ),
            self._feet_and_inches,
        )
        yield re.compile(START + r"([0-9]{1,3})\s?['′](?![\w'′])"), self._feet
        yield re.compile(START + r"([0-9]{1,3}(?:\.[0-9])?)\s?(?:\"|″|'')(?![\w'])"), self._inches

    def _each(self, match: re.Match[str]) -> str:
        """ "10 ea." is "ten each"; its full stop may end the sentence too ("10 ea. Then rest.")."""
        if match.group(1) and sentence_follows(match.string[match.end() :], number_too=True):
            return " each. "
        return " each "

    def _feet_and_inches(self, match: re.Match[str]) -> str:
        feet, inches = match.group(1), match.group(2)
        if inches == "0":
            return f" {self.say(feet)} {'foot' if feet == '1' else 'feet'} "
        return f" {self.say(feet)} foot {self.say(inches)} "

    def _feet(self, match: re.Match[str]) -> str:
        """ "6'": six feet; not the closing quote of "'Go 3'" (a quote opened before it)."""
        before = match.string[: match.start()]
        if re.search(r"(?:^|\s)'" + LETTER, before):
            return match.group(0)
        feet = match.group(1)
        last = re.findall(WORD, before[-30:])
        if last and last[-1].lower() in self.time_context:  # "Rest 90'", as Europe writes it
            return f" {self.duration(0, int(feet), 0)} "
        return f" {self.say(feet)} {'foot' if feet == '1' else 'feet'} "

    def _minutes_and_seconds(self, match: re.Match[str]) -> str:
        """ "2'30"": two minutes thirty seconds; "5'10"" and "6'11"" stay a height unless the
        sentence speaks of time (see ``_seconds``)."""
        minutes, seconds = match.group(1), match.group(2)
        if int(seconds) < 12 and not (seconds[0] == "0" or self._seconds(match)):
            return match.group(0)  # feet and inches: the next rule
        return pad(match, f"{minutes} min {seconds} s")

    def _seconds(self, match: re.Match[str]) -> bool:
        """Whether a " after a number is seconds, as training notes write them ("Hold 45\"",
        "then 45\" more", "2'30\""), not inches.

        Inches when a height word stands right after ("24\" box") or anywhere in the sentence
        ("Box jump 24\""); seconds when a time word follows ("45\" more", "30\" rest", "20\" on"),
        or when the sentence or the one before speaks of time: a time word (``time_context``:
        rest, hold, pause, every...) or a number with a unit of time ("30-60s", "2 min", "90'").
        Otherwise inches, as an American reads a bare 12".
        """
        text, start, end = match.string, match.start(), match.end()
        following = re.match(r"\s?(" + LETTER + r"[\w-]*)", text[end:])
        next_word = following.group(1).lower() if following else ""
        if next_word in _HEIGHT_WORDS:
            return False
        if next_word in _SECONDS_AFTER:
            return True
        breaks = [m.end() for m in _SENTENCE_SPLIT.finditer(text, 0, start)]
        sentence_start = breaks[-1] if breaks else 0
        after = _SENTENCE_SPLIT.search(text, end)
        sentence = text[sentence_start : after.start() if after else len(text)]
        if {w.lower() for w in re.findall(LETTER + r"[\w-]*", sentence)} & _HEIGHT_WORDS:
            return False
        sentence_end = after.start() if after else len(text)
        previous_start = breaks[-2] if len(breaks) > 1 else 0
        around = text[previous_start:start] + " " + text[end:sentence_end]  # not the " itself
        spoken_words = {w.lower() for w in re.findall(LETTER + r"+", around)}
        return bool(spoken_words & self.time_context) or bool(_TIME_WRITTEN.search(around))

    def _inches(self, match: re.Match[str]) -> str:
        value = match.group(1)
        if self._seconds(match):
            return pad(match, f"{value}s")  # read by the unit rule: "forty-five seconds"
        following = re.match(r"\s?(" + LETTER + r"+)", match.string[match.end() :])
        if following and following.group(1).lower() in _MEASURED_NOUNS:
            return f" {self.say(value).replace(' ', '-')}-inch "  # a twenty-four-inch box
        return f" {self.say(value)} {'inches' if self.plural(value) else 'inch'} "

    def times_many(self, count: str) -> str:
        return f"{self.say(count)} times"

    def sets(self, count: str, each: str, after: str) -> str:
        # Digits stay digits for the later rules: "3x8-12" is three sets of eight to twelve.
        return f" {count} {'set' if count == '1' else 'sets'} of {each}"

    def intervals(self, count: str) -> str:
        return f"{self.say(count)} times"

    def intervals_before(self, count: str, after: str) -> str:
        """ "4x400m" is "four times four hundred meters"; "2x 50lb DBs" "two fifty-pound
        dumbbells" (the abbreviation is read by then)."""
        load = _COUNTED_LOAD.match(after)
        if load and load.group(1).lower() in _LOADED:
            return self.say(count)
        return self.intervals(count)

    def measure_before_noun(
        self, value: str, unit: Unit, key: str, *, hyphen: bool, next_word: str, then: str
    ) -> str | None:
        """ "25-lb dumbbell", "a 25 lbs DB", "16kg KB", "30 sec hold", "400m repeats": before a
        noun it describes, a measure is one word in the singular, "a twenty-five-pound dumbbell",
        "a thirty-second hold", "four-hundred-meter repeats" (never "pounds dumbbell"). Before
        any other word it is said as usual ("five kilometers easy", "fifty percent effort"), and
        before a listed word that starts a new instruction ("Sprint 20m walk back", "Hold 30 sec
        rest 10 sec")."""
        if key == "%":
            return None
        noun = next_word.lower() in _MEASURED_NOUNS and not _INSTRUCTION_GOES_ON.match(then)
        if not (hyphen or noun):
            return None
        number = self.say(value).replace(",", "").replace(" ", "-")
        return f"{number}-{unit.one.replace(' ', '-')}"

    def times_after(self, count: str) -> str:
        return f"times {self.say(count)}"

    def times_before(self, count: str) -> str:
        return {"1": "once", "2": "twice"}.get(count) or f"{self.say(count)} times"

    def fraction(self, n: int, d: int, next_word: str) -> tuple[str, bool]:
        name = {2: "half", 4: "quarter"}.get(d) or self.ordinal(d)
        names = {2: "halves", 4: "quarters"}.get(d) or name + "s"
        key = next_word.lower()
        measure = self._measure(key)
        if measure:  # half a mile, half an hour, three quarters of a mile
            article = "an" if measure[0] in "aeiou" or measure.startswith("hour") else "a"
            if n == 1 and d == 2:
                return f"half {article} {measure}", True
            amount = f"a {name}" if n == 1 else f"{self.num(n)} {names}"
            return f"{amount} of {article} {measure}", True
        if key == "of":
            return ("half" if d == 2 else self._alone(n, name, names)), False
        if next_word and key not in self._fraction_function_words:
            # Before a move or position it describes: half kneeling, three-quarter squat.
            if d == 2:
                return "half", False
            if d == 4:
                return ("quarter" if n == 1 else f"{self.num(n)}-quarter"), False
            return (f"one-{name}" if n == 1 else f"{self.num(n)}-{names}"), False
        return self._alone(n, name, names), False

    def _alone(self, n: int, name: str, names: str) -> str:
        return f"one {name}" if n == 1 else f"{self.num(n)} {names}"

    def _measure(self, key: str) -> str | None:
        """The singular noun of a unit of measure named by ``key`` ("mi", "miles"), or None."""
        if key in ("%", "°"):
            return None
        unit = self.units.get(key)
        if unit is None:
            unit = next((u for u in self.units.values() if key in (u.one, u.many)), None)
        if unit is None or unit.one.startswith(("degree", "percent")):
            return None
        return unit.one

    def time_of_day_rules(self) -> Iterable[Rule]:
        yield (
            re.compile(START + r"([0-9]{1,2})(?::([0-5][0-9]))?\s?([ap])\.?m\b\.?", re.IGNORECASE),
            self._time_of_day,
        )

    def _time_of_day(self, match: re.Match[str]) -> str:
        hour, minute, half = int(match.group(1)), int(match.group(2) or 0), match.group(3).lower()
        if minute == 0:
            spoken_minute = ""
        elif minute < 10:
            spoken_minute = f" oh {self.num(minute)}"
        else:
            spoken_minute = f" {self.num(minute)}"
        said = f" {self.num(hour)}{spoken_minute} {half} m"
        written = match.group(0)
        # "3 pm." ends a sentence; "3 p.m." ends one before a capital or the end of the text.
        if written.endswith(".") and (
            "." not in written[:-1]
            or sentence_follows(match.string[match.end() :], number_too=True)
        ):
            return said + ". "
        return said + " "

    def ordinal_rules(self) -> Iterable[Rule]:
        yield (
            re.compile(START + r"([0-9]{1,15})(st|nd|rd|th)(?!\w)", re.IGNORECASE),
            lambda m: f" {self.ordinal(int(m.group(1)))} ",
        )

    def pace(self, minutes: int, seconds: int) -> str:
        """ "4:30/km" is "four thirty per kilometer"; "5:00/mi" "five minutes per mile"."""
        if not seconds:
            return self.unit_words(str(minutes), self.units["min"])
        spoken = f" oh {self.num(seconds)}" if seconds < 10 else f" {self.num(seconds)}"
        return f"{self.num(minutes)}{spoken}"
