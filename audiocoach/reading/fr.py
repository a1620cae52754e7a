"""French, as a coach reads a séance aloud.

"3x10" is "trois séries de dix", "4x400m" "quatre fois quatre cents mètres", "1/2 squat"
"demi-squat", "1/4 tour" "un quart de tour", "1h30" "une heure trente", "1½ min" "une minute et
demie", "2e série" "deuxième série", "1re série" "première série", "21 répétitions" "vingt et une
répétitions": numbers ending in one agree with the noun after them, whose gender comes from a short
list of training words, then from its ending (-tion, -ure, -ée: feminine). A quantity below two is
singular ("1,5 kilomètre" is "un kilomètre et demi", "0,8 kilomètre").
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import ClassVar

from audiocoach.reading.core import LETTER, START, CoachReading, Rule, Unit, ends_with_any, words
from audiocoach.reading.core import split_decimal as _split
from audiocoach.reading.numbers import Gender

_SECOND = Unit("seconde", "secondes", "f")
_MINUTE = Unit("minute", "minutes", "f")
_KILO = Unit("kilo", "kilos", "m")
_POUND = Unit("livre", "livres", "f")
_YARD = Unit("yard", "yards", "m")
_REP = Unit("répétition", "répétitions", "f")

_GENDERS: dict[str, Gender] = {
    **dict.fromkeys(
        words(
            "minute seconde heure série répétition fois jambe main semaine respiration "
            "inspiration expiration pompe traction fente planche pause étape séance livre "
            "calorie récupération position épaule hanche barre montée descente course marche "
            "foulée côte reprise"
        ),
        "f",
    ),
    **dict.fromkeys(
        words(
            "côté tour kilo mètre kilomètre mile squat burpee bras pied jour round set exercice "
            "intervalle bloc pas saut genou degré battement temps haltère yard"
        ),
        "m",
    ),
}
_FEMININE_ENDINGS = (
    "tion", "sion", "ure", "ette", "ence", "ance", "ée", "ie", "ade", "ise", "ière", "elle",
    "esse", "ine",
)  # fmt: skip
_PARTS = {2: "demi", 3: "tiers", 4: "quart"}
_WITH_KIT = {"DB": "à l'haltère", "KB": "au kettlebell", "BB": "à la barre"}
_FUNCTION_WORDS = words(
    "de du des d à au aux et ou en par pour avec sans sur le la les l un une que plus moins "
    "chaque entre jusqu"
)


class French(CoachReading):
    units: ClassVar = {
        "ms": Unit("milliseconde", "millisecondes", "f"),
        "s": _SECOND,
        "sec": _SECOND,
        "secs": _SECOND,
        "min": _MINUTE,
        "mins": _MINUTE,
        "mn": _MINUTE,
        "h": Unit("heure", "heures", "f"),
        "m": Unit("mètre", "mètres", "m"),  # or minutes: see m_means_minutes
        "km": Unit("kilomètre", "kilomètres", "m"),
        "mi": Unit("mile", "miles", "m"),
        "yd": _YARD,
        "yds": _YARD,
        "ft": Unit("pied", "pieds", "m"),
        "cm": Unit("centimètre", "centimètres", "m"),
        "mm": Unit("millimètre", "millimètres", "m"),
        "kg": _KILO,
        "kgs": _KILO,
        "lb": _POUND,
        "lbs": _POUND,
        "l": Unit("litre", "litres", "m"),
        "ml": Unit("millilitre", "millilitres", "m"),
        "dl": Unit("décilitre", "décilitres", "m"),
        "cl": Unit("centilitre", "centilitres", "m"),
        "cal": Unit("calorie", "calories", "f"),
        "kcal": Unit("kilocalorie", "kilocalories", "f"),
        "bpm": Unit("battement par minute", "battements par minute", "m"),
        "rep": _REP,
        "reps": _REP,
        "rép": _REP,
        "réps": _REP,
        "°c": Unit("degré Celsius", "degrés Celsius", "m"),
        "°": Unit("degré", "degrés", "m"),
        "%": Unit("pour cent", "pour cent", None),
    }
    dotted_units = frozenset(words("sec secs min mins mn rep reps rép réps"))
    timed_moves = frozenset(
        words("footing marche marcher trottiner trot course courir cours rameur")
    )
    time_context = frozenset(
        words(
            "repos récup récupération pause maintenir maintiens tenir tiens gainage pendant "
            "toutes chaque"
        )
    )
    abbreviations: ClassVar = {
        "DB": "haltère",
        "KB": "kettlebell",
        "BB": "barre",
        "BW": "poids du corps",
        "PDC": "poids du corps",
        "AMRAP": "un maximum de répétitions",
        "EMOM": "chaque minute",
        "RPE": "R P E",
        "FC": "fréquence cardiaque",
        "FCM": "fréquence cardiaque maximale",
        "env.": "environ",
        "p. ex.": "par exemple",
        "p.ex.": "par exemple",
        "par ex.": "par exemple",
        "c.-à-d.": "c'est-à-dire",
        "récup": "récupération",
        "max.": "maximum",
        "e/s": "par côté",
        "G/D": "gauche et droite",
    }
    sentence_final_abbreviations = frozenset(["max.", "env."])
    counters = frozenset(
        words("série tour round semaine jour exercice intervalle bloc partie répétition étape")
    )
    per_nouns = frozenset(
        words("côté jambe bras main série tour minute heure jour semaine répétition")
    )
    function_words = frozenset(_FUNCTION_WORDS)
    set_nouns = ("séries", "série")
    sets_of = "de"
    to_word = "à"
    ratio_word = "pour"
    of_word = "sur"
    per_word = "par"
    sides: ClassVar = {"g": "gauche", "d": "droite", "gauche": "gauche", "droite": "droite"}
    or_word = "ou"
    and_word = "et"
    at_word = "avec"  # "trois séries de dix avec vingt kilos"
    at_percent_word = ", à"  # "trois séries de cinq, à quatre-vingts pour cent"
    about_word = "environ"
    under_word = "moins de"
    over_word = "plus de"
    plus_word = "plus"
    minus_word = "moins"
    number_sign_word = "numéro"
    explosive_word = "explosif"
    pair_joiner = " "
    inverts_fractions = True

    def separator_rules(self) -> Iterable[Rule]:
        # French groups thousands with a space: "1 500 m" (NFKC made the narrow space a space).
        yield (
            re.compile(r"(?<![0-9.,])(?<![0-9] )[0-9]{1,3}(?: [0-9]{3})+(?![0-9]|[.,][0-9])"),
            lambda m: m.group(0).replace(" ", ""),
        )
        yield from super().separator_rules()

    def extra_rules(self) -> Iterable[Rule]:
        yield re.compile(START + r"([0-9]{1,3})\s?RM(?!\w)"), self._one_rep_max
        # "DB rowing": the English order of a gym card; a French coach says "rowing à l'haltère".
        yield re.compile(r"(?<!\w)(DB|KB|BB)s? (" + LETTER + r"[\w-]*)"), self._equipment_after

    def _one_rep_max(self, match: re.Match[str]) -> str:
        n = match.group(1)
        return f" {n} {'répétition maximale' if n == '1' else 'répétitions maximales'} "

    def _equipment_after(self, match: re.Match[str]) -> str:
        kit, move = match.group(1), match.group(2)
        if move.lower() in self.function_words:
            return match.group(0)
        return f"{move} {_WITH_KIT[kit]}"

    def gender(self, word: str) -> Gender | None:
        key = word.lower()
        singular = key[:-1] if key.endswith(("s", "x")) and key not in ("fois", "bras") else key
        for form in (key, singular):
            if form in _GENDERS:
                return _GENDERS[form]
        return "f" if ends_with_any(singular, _FEMININE_ENDINGS) else "m"

    def plural(self, value: str) -> bool:
        """French counts below two as one: "1,5 kilomètre", "0,8 mile"."""
        whole = _split(value)[0]
        return len(whole) > 1 or int(whole or "0") >= 2

    def duration(self, hours: int, minutes: int, seconds: int) -> str:
        """ "1h30" is "une heure trente", "1:30" "une minute trente": the smaller unit unnamed."""
        parts = [(hours, "h"), (minutes, "min"), (seconds, "s")]
        said = [(count, key) for count, key in parts if count]
        if len(said) == 2 and parts.index(said[1]) == parts.index(said[0]) + 1:
            (big, key), (small, _) = said
            return f"{self.unit_words(str(big), self.units[key])} {self.num(small)}"
        return super().duration(hours, minutes, seconds)

    def sets(self, count: str, each: str, after: str) -> str:
        return f" {count} {'série' if count == '1' else 'séries'} de {each}"

    def intervals(self, count: str) -> str:
        return f"{count} fois"

    def times_after(self, count: str) -> str:
        return f"{count} fois"

    def times_before(self, count: str) -> str:
        return f"{count} fois"

    def _measure(self, word: str) -> Unit | None:
        key = word.lower()
        if key in ("%", "°", "°c"):
            return None
        unit = self.units.get(key)
        if unit is None:
            unit = next(
                (u for u in self.units.values() if key in (u.one, u.many) and u.gender), None
            )
        return unit

    def fraction(self, n: int, d: int, next_word: str) -> tuple[str, bool]:
        part = _PARTS.get(d) or self.ordinal(d)
        parts = part if part.endswith("s") else part + "s"
        amount = f"un {part}" if n == 1 else f"{self.num(n)} {parts}"
        measure = self._measure(next_word) if next_word else None
        if measure:
            if d == 2:  # une demi-heure, un demi-kilomètre
                article = "une" if measure.gender == "f" else "un"
                return f"{article} demi-{measure.one}", True
            return f"{amount} {_de(measure.one)}", True  # un quart d'heure
        if next_word and next_word.lower() not in self.function_words:
            if d == 2:  # demi-squat
                return f"demi-{next_word}", True
            return f"{amount} {_de(next_word)}", True  # un quart de tour
        return ("un demi" if d == 2 else amount), False

    def time_of_day_rules(self) -> Iterable[Rule]:
        yield (
            re.compile(r"(?<!\w)([àÀ]) ([0-9]{1,2}):([0-5][0-9])(?![0-9:])"),
            lambda m: f"{m.group(1)} {self.duration(int(m.group(2)), int(m.group(3)), 0)}",
        )

    def ordinal_rules(self) -> Iterable[Rule]:
        endings = r"ers|er|res|re|ères|ère|ndes|nde|nds|nd|èmes|ème|eme|es|e|è"
        yield re.compile(START + r"([0-9]{1,15})(" + endings + r")(?!\w)"), self._ordinal

    def _ordinal(self, match: re.Match[str]) -> str:
        n, ending = int(match.group(1)), match.group(2)
        plural = "s" if ending.endswith("s") else ""
        ending = ending.rstrip("s") or ending
        if ending.startswith("nd"):
            return f" {'seconde' if ending == 'nde' else 'second'}{plural} "
        if ending in ("re", "ère"):
            return f" {self.ordinal(n, 'f')}{plural} "
        return f" {self.ordinal(n)}{plural} "


def _de(noun: str) -> str:
    """ "de tour", but "d'heure": de elides before a vowel or a mute h."""
    return f"d'{noun}" if noun[:1].lower() in "aeiouyhéèêàâîôû" else f"de {noun}"
