"""Spanish, as an entrenadora reads a rutina aloud.

"3x10" is "tres series de diez", "4x400m" "cuatro por cuatrocientos metros", "1/2 sentadilla"
"media sentadilla", "3/4 sentadilla" "tres cuartos de sentadilla", "1½ min" "un minuto y medio",
"10 x lado" "diez por lado", "1.ª serie" "primera serie", "21 repeticiones" "veintiuna
repeticiones": numbers ending in one and hundreds agree with the noun after them, whose gender comes
from a short list of training words, then from its ending (-a, -ión, -dad: feminine).
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from typing import ClassVar

from audiocoach.reading.core import (
    LETTER,
    START,
    CoachReading,
    Rule,
    Unit,
    ends_with_any,
    pad,
    words,
)
from audiocoach.reading.numbers import Gender

_SECOND = Unit("segundo", "segundos", "m")
_MINUTE = Unit("minuto", "minutos", "m")
_HOUR = Unit("hora", "horas", "f")
_KILO = Unit("kilo", "kilos", "m")
_POUND = Unit("libra", "libras", "f")
_YARD = Unit("yarda", "yardas", "f")
_REP = Unit("repetición", "repeticiones", "f")

_GENDERS: dict[str, Gender] = {
    **dict.fromkeys(
        words(
            "serie vez veces mano repetición hora milla libra yarda vuelta ronda pierna semana "
            "sentadilla plancha flexión zancada caloría respiración pausa parte fase sesión "
            "rodilla posición mancuerna pesa barra kettlebell dominada"
        ),
        "f",
    ),
    **dict.fromkeys(
        words(
            "día minuto segundo metro kilómetro kilo lado brazo pie set ejercicio intervalo "
            "bloque paso salto burpee squat tempo grado latido circuito programa"
        ),
        "m",
    ),
}
_FEMININE_ENDINGS = ("a", "ion", "dad", "tad", "tud", "umbre", "ie")


def _plain(word: str) -> str:
    """Without accents: "repeticiones" and "repetición" share a stem."""
    return "".join(c for c in unicodedata.normalize("NFKD", word) if not unicodedata.combining(c))


_PLAIN_GENDERS = {_plain(k): v for k, v in _GENDERS.items()}
#: "1/4" and the like: the name of the part ("un cuarto", "tres cuartos").
_PARTS = {
    2: "medio",
    3: "tercio",
    4: "cuarto",
    5: "quinto",
    6: "sexto",
    7: "séptimo",
    8: "octavo",
    9: "noveno",
    10: "décimo",
}
_MASCULINE_ORDINAL = "\ue001"  # º, kept from NFKC (which makes it "o")
_FEMININE_ORDINAL = "\ue002"  # ª


class Spanish(CoachReading):
    units: ClassVar = {
        "ms": Unit("milisegundo", "milisegundos", "m"),
        "s": _SECOND,
        "seg": _SECOND,
        "segs": _SECOND,
        "sec": _SECOND,
        "min": _MINUTE,
        "mins": _MINUTE,
        "h": _HOUR,
        "hr": _HOUR,
        "hrs": _HOUR,
        "m": Unit("metro", "metros", "m"),  # or minutes: see m_means_minutes
        "km": Unit("kilómetro", "kilómetros", "m"),
        "mi": Unit("milla", "millas", "f"),
        "yd": _YARD,
        "yds": _YARD,
        "ft": Unit("pie", "pies", "m"),
        "cm": Unit("centímetro", "centímetros", "m"),
        "mm": Unit("milímetro", "milímetros", "m"),
        "kg": _KILO,
        "kgs": _KILO,
        "lb": _POUND,
        "lbs": _POUND,
        "l": Unit("litro", "litros", "m"),
        "ml": Unit("mililitro", "mililitros", "m"),
        "dl": Unit("decilitro", "decilitros", "m"),
        "cl": Unit("centilitro", "centilitros", "m"),
        "cal": Unit("caloría", "calorías", "f"),
        "kcal": Unit("kilocaloría", "kilocalorías", "f"),
        "bpm": Unit("latido por minuto", "latidos por minuto", "m"),
        "rep": _REP,
        "reps": _REP,
        "°c": Unit("grado Celsius", "grados Celsius", "m"),
        "°": Unit("grado", "grados", "m"),
        "%": Unit("por ciento", "por ciento", None),
    }
    dotted_units = frozenset(words("seg segs sec min mins rep reps hr hrs"))
    timed_moves = frozenset(
        words("trote trota trotar camina caminar caminata corre correr carrera rema remar")
    )
    time_context = frozenset(
        words(
            "descanso descansa descansar pausa mantén mantener sostén durante cada recupera "
            "recuperación"
        )
    )
    abbreviations: ClassVar = {
        "DB": "mancuerna",
        "KB": "kettlebell",
        "BB": "barra",
        "BW": "peso corporal",
        "PC": "peso corporal",
        "AMRAP": "tantas repeticiones como puedas",
        "EMOM": "cada minuto",
        "RPE": "R P E",
        "FC": "frecuencia cardiaca",
        "aprox.": "aproximadamente",
        "p. ej.": "por ejemplo",
        "p.ej.": "por ejemplo",
        "máx.": "máximo",
        "izq.": "izquierda",
        "der.": "derecha",
        "c/u": "cada uno",
        "c/l": "cada lado",
        "e/s": "por lado",
        "I/D": "izquierda y derecha",
    }
    sentence_final_abbreviations = frozenset(["izq.", "der.", "máx.", "aprox."])
    counters = frozenset(
        words("serie ronda vuelta semana día ejercicio intervalo bloque parte repetición fase")
    )
    per_nouns = frozenset(
        words("lado pierna brazo mano serie vuelta ronda minuto hora día semana repetición")
    )
    function_words = frozenset(
        words(
            "de del a al y o u e en por para con sin la el los las un una que se más menos "
            "cada hasta entre sobre x"
        )
    )
    tempo_words = ("tempo", "ritmo")
    set_nouns = ("series", "serie")
    sets_of = "de"
    to_word = "a"
    ratio_word = "a"
    of_word = "de"
    per_word = "por"
    sides: ClassVar = {
        "i": "izquierda",
        "d": "derecha",
        "izq": "izquierda",
        "izqda": "izquierda",
        "izda": "izquierda",
        "der": "derecha",
        "dcha": "derecha",
        "drcha": "derecha",
        "izquierda": "izquierda",
        "derecha": "derecha",
    }
    or_word = "o"
    and_word = "y"
    at_word = "con"  # "tres series de diez con veinte kilos"
    at_percent_word = ", al"  # "tres series de cinco, al ochenta por ciento"
    about_word = "aproximadamente"
    under_word = "menos de"
    over_word = "más de"
    plus_word = "más"
    minus_word = "menos"
    number_sign_word = "número"
    explosive_word = "explosivo"
    duration_joiner = " y "
    inverts_fractions = True

    def both(self, first: str, second: str) -> str:
        """ "derecha e izquierda": "y" becomes "e" before an i sound (RAE), not before "hie"."""
        sound_i = re.match(r"h?[ií](?!e)", second, re.IGNORECASE)
        return f"{first} {'e' if sound_i else self.and_word} {second}"

    def before_normalizing(self, text: str) -> str:
        text = re.sub(r"(?<!\w)[Nn]\.?\s?º", " número ", text)
        text = re.sub(r"([0-9])\.?º", r"\1" + _MASCULINE_ORDINAL, text)
        return re.sub(r"([0-9])\.?ª", r"\1" + _FEMININE_ORDINAL, text)

    def gender(self, word: str) -> Gender | None:
        key = _plain(word.lower())
        forms = [key]
        if key.endswith("s"):
            forms += [key[:-1], key[:-2]] if key.endswith("es") else [key[:-1]]
        for form in forms:
            if form in _PLAIN_GENDERS:
                return _PLAIN_GENDERS[form]
        return "f" if any(ends_with_any(f, _FEMININE_ENDINGS) for f in forms) else "m"

    def _number(self, match: re.Match[str]) -> str:
        # "de uno a dos minutos", "de una a dos horas": no "un" at the start of a range.
        if re.match(r" a [0-9]", match.string[match.end() :]) and match.group(0).endswith("1"):
            gender = self.gender_after(match.string, match.end())
            return pad(match, self.say(match.group(0), "f" if gender == "f" else None))
        return super()._number(match)

    def extra_rules(self) -> Iterable[Rule]:
        # "10 x lado": per side, not ten times.
        yield re.compile(r"(?<=[0-9])\s?[xX]\s(?=(?:lado|pierna|brazo|mano)s?(?!\w))"), " por "
        yield re.compile(START + r"([0-9]{1,3})\s?RM(?!\w)"), self._one_rep_max
        # "DB remo": the English order of a gym card; a Spanish coach says "remo con mancuerna".
        yield re.compile(r"(?<!\w)(DB|KB|BB)s? (" + LETTER + r"[\w-]*)"), self._equipment_after

    def _one_rep_max(self, match: re.Match[str]) -> str:
        n = match.group(1)
        return f" {n} {'repetición máxima' if n == '1' else 'repeticiones máximas'} "

    def _equipment_after(self, match: re.Match[str]) -> str:
        kit, move = match.group(1), match.group(2)
        if move.lower() in self.function_words:
            return match.group(0)
        return f"{move} con {self.abbreviations[kit]}"

    def range_start(self, value: str, unit: Unit) -> str:
        return self.say(value, "f" if unit.gender == "f" else None)  # de uno a dos minutos

    def sets(self, count: str, each: str, after: str) -> str:
        return f" {count} {'serie' if count == '1' else 'series'} de {each}"

    def intervals(self, count: str) -> str:
        return f"{self.say(count)} por"

    def times_after(self, count: str) -> str:
        return f"{count} {'vez' if count == '1' else 'veces'}"

    def times_before(self, count: str) -> str:
        return self.times_after(count)

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

    def _part(self, d: int) -> str:
        if d in _PARTS:
            return _PARTS[d]
        plain = unicodedata.normalize("NFKD", self.num(d))
        return "".join(c for c in plain if not unicodedata.combining(c)) + "avo"

    def fraction(self, n: int, d: int, next_word: str) -> tuple[str, bool]:
        part = self._part(d)
        amount = f"un {part}" if n == 1 else f"{self.num(n)} {part}s"
        measure = self._measure(next_word) if next_word else None
        if measure:
            if d == 2:  # media milla, medio kilo
                return f"{'media' if measure.gender == 'f' else 'medio'} {measure.one}", True
            return f"{amount} de {measure.one}", True
        if next_word and next_word.lower() not in self.function_words:
            if d == 2:  # media sentadilla, medio arrodillado
                return ("media" if self.gender(next_word) == "f" else "medio"), False
            return f"{amount} de", False  # tres cuartos de sentadilla
        return ("un medio" if d == 2 else amount), False

    def time_of_day_rules(self) -> Iterable[Rule]:
        yield (
            re.compile(r"(?<!\w)(a las|a la|las|la) ([0-9]{1,2}):([0-5][0-9])(?![0-9:])", re.I),
            self._clock,
        )

    def _clock(self, match: re.Match[str]) -> str:
        hour, minute = int(match.group(2)), int(match.group(3))
        said = {0: "en punto", 15: "y cuarto", 30: "y media"}.get(minute) or (
            f"y {self.num(minute)}"
        )
        return f"{match.group(1)} {self.num(hour, 'f')} {said}"

    def ordinal_rules(self) -> Iterable[Rule]:
        marks = f"{_MASCULINE_ORDINAL}|{_FEMININE_ORDINAL}|\\.?er"
        yield re.compile(START + r"([0-9]{1,15})(" + marks + r")(?!\w)"), self._ordinal

    def _ordinal(self, match: re.Match[str]) -> str:
        n, mark = int(match.group(1)), match.group(2)
        if mark == _FEMININE_ORDINAL:
            return f" {self.ordinal(n, 'f')} "
        following = re.match(r"\s?(\w+)", match.string[match.end() :])
        before_noun = following and following.group(1).lower() not in self.function_words
        # "1.º set" is "primer set"; "el 1.º" is "el primero".
        return f" {self.ordinal(n, 'm' if before_noun or mark != _MASCULINE_ORDINAL else None)} "
