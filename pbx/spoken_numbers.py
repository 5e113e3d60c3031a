"""Numbers and durations as words: recorded prompt names per language, or text for speech.

The recorded spellers follow the file names of Debian's asterisk-core-sounds sets
("digits/20", "digits/et", "minutes") and the grammar of each language as far as
those files allow. A speller gives None for what its recordings cannot say
(Russian past 99, say); the caller then has the number spoken by espeak-ng, from
the text `number_text` and `duration_text` give.
"""

from collections.abc import Callable

Speller = Callable[[int], list[str] | None]


def _tens_units(n: int, tens: int) -> list[str]:
    return [f"digits/{tens}"] + ([f"digits/{n - tens}"] if n > tens else [])


def _scaled(n: int, speller: Speller, scales: tuple) -> list[str] | None:
    """`n` from a thousand up: the count of its largest scale, the scale's word, the rest.

    `scales` holds (size, words for exactly one, word for more) from the largest.
    """
    if n >= 1_000_000_000:
        return None
    for size, one, many in scales:
        if n >= size:
            count, rest = divmod(n, size)
            head = list(one) if count == 1 else speller(count)
            tail = speller(rest) if rest else []
            if head is None or tail is None:
                return None
            return head + ([] if count == 1 else [many]) + tail
    raise ValueError(n)


# (size, words for exactly one, word for more): mille, not "un mille"; un millón.
_EN_SCALES = (
    (1_000_000, ("digits/1", "digits/million"), "digits/million"),
    (1000, ("digits/1", "digits/thousand"), "digits/thousand"),
)
_FR_SCALES = (
    (1_000_000, ("digits/1", "digits/million"), "digits/million"),
    (1000, ("digits/thousand",), "digits/thousand"),
)
_ES_SCALES = (
    (1_000_000, ("digits/1M", "digits/million"), "digits/millions"),
    (1000, ("digits/thousand",), "digits/thousand"),
)
_IT_SCALES = (
    (1_000_000, ("digits/un", "digits/million"), "digits/millions"),
    (1000, ("digits/thousand",), "digits/thousands"),
)


def _english(n: int) -> list[str] | None:
    if n < 20:
        return [f"digits/{n}"]
    if n < 100:
        return _tens_units(n, n // 10 * 10)
    if n < 1000:
        rest = _english(n % 100) if n % 100 else []
        return [f"digits/{n // 100}", "digits/hundred", *rest]
    return _scaled(n, _english, _EN_SCALES)


def _french(n: int) -> list[str] | None:
    if n >= 100:
        return _french_hundreds(n)
    if n <= 20:
        return [f"digits/{n}"]
    tens = 60 if 70 <= n < 80 else 80 if n >= 80 else n // 10 * 10
    if n in (71,) or (n % 10 == 1 and n < 70):  # vingt et un ... soixante et onze
        return [f"digits/{tens}", "digits/et", f"digits/{n - tens}"]
    return _tens_units(n, tens)  # soixante-dix-huit, quatre-vingt-un: no "et"


def _french_hundreds(n: int) -> list[str] | None:
    if n >= 1000:
        return _scaled(n, _french, _FR_SCALES)
    hundreds, rest = divmod(n, 100)
    head = ["digits/hundred"] if hundreds == 1 else [f"digits/{hundreds}", "digits/hundred"]
    return head + (_french(rest) or []) if rest else head


def _spanish(n: int) -> list[str] | None:
    if n < 30 or (n < 100 and n % 10 == 0):
        return [f"digits/{n}"]
    if n < 100:  # treinta y cinco
        return [f"digits/{n // 10 * 10}", "digits/and", f"digits/{n % 10}"]
    if n == 100:
        return ["digits/hundred"]  # cien
    if n < 1000:
        hundreds, rest = divmod(n, 100)
        head = ["digits/100-and"] if hundreds == 1 else [f"digits/{hundreds * 100}"]
        return head + (_spanish(rest) or []) if rest else head
    return _scaled(n, _spanish, _ES_SCALES)


def _italian(n: int) -> list[str] | None:
    if n < 20:
        return [f"digits/{n}"]
    if n < 100:  # ventuno, ventotto: recorded whole, the vowel elided
        return [f"digits/{n}"] if n % 10 in (1, 8) else _tens_units(n, n // 10 * 10)
    if n < 1000:
        hundreds, rest = divmod(n, 100)
        head = ["digits/hundred"] if hundreds == 1 else [f"digits/{hundreds}", "digits/hundred"]
        return head + (_italian(rest) or []) if rest else head
    return _scaled(n, _italian, _IT_SCALES)


def _russian(n: int) -> list[str] | None:
    # The Russian set has no hundreds; its numbers past 99 are spoken.
    if n < 20:
        return [f"digits/{n}"]
    return _tens_units(n, n // 10 * 10) if n < 100 else None


_SPELLERS: dict[str, Speller] = {
    "en": _english,
    "fr": _french,
    "es": _spanish,
    "it": _italian,
    "ru": _russian,
}

# Prompt names: minute, minutes, second, seconds, and (None: spoken instead).
_UNITS: dict[str, tuple[str, ...]] = {
    "en": ("minute", "minutes", "second", "seconds", "vm-and"),
    "fr": ("minute", "minutes", "second", "seconds", "vm-and"),
    "es": ("queue-minute", "minutes", "seconds", "seconds", "vm-and"),
    "it": ("queue-minute", "minutes", "seconds", "seconds", "vm-and"),
}


def base_language(language: str) -> str:
    """ "fr" of "fr-ca"."""
    return language.split("-", 1)[0]


def number_prompts(n: int, language: str) -> list[str] | None:
    """The recorded prompt names that say `n` in `language`, or None if they cannot."""
    speller = _SPELLERS.get(base_language(language))
    if speller is None:
        return None
    if n < 0:
        words = speller(-n)
        return ["digits/minus", *words] if words else None
    return speller(n)


def _minutes_seconds(seconds: int) -> list[tuple[int, int]]:
    """(count, unit index: 0 minutes, 1 seconds) of a duration, zero parts left out."""
    minutes, rest = divmod(max(seconds, 0), 60)
    parts = [(minutes, 0)] if minutes else []
    return [*parts, (rest, 1)] if rest or not minutes else parts


def duration_prompts(seconds: int, language: str) -> list[str] | None:
    """Recorded prompt names saying `seconds` as minutes and seconds, or None."""
    units = _UNITS.get(base_language(language))
    if units is None:
        return None
    words: list[str] = []
    for count, unit in _minutes_seconds(seconds):
        number = number_prompts(count, language)
        if number is None:
            return None
        if words:
            words.append(units[4])
        words += [*number, units[2 * unit + (count != 1)]]
    return words


def number_text(n: int) -> str:
    """`n` as text espeak-ng reads in any language's own words."""
    return str(n)


def _plural_ru(count: int, forms: tuple[str, str, str]) -> str:
    if count % 10 == 1 and count % 100 != 11:
        return forms[0]
    if 2 <= count % 10 <= 4 and not 12 <= count % 100 <= 14:
        return forms[1]
    return forms[2]


def _plural_ar(count: int, forms: tuple[str, str, str, str]) -> str:
    """Arabic: one (singular), two (dual, said without the number), 3-10 (plural),
    11 and up (singular again)."""
    if count == 1:
        return f"{forms[0]} واحدة"
    if count == 2:
        return forms[1]
    return f"{count} {forms[2] if 3 <= count % 100 <= 10 else forms[3]}"


def _simple(one: str, many: str) -> Callable[[int], str]:
    return lambda count: f"{count} {one if count == 1 else many}"


# For speech: each unit's phrase for a count, and the word joining minutes and seconds.
_PHRASES: dict[str, tuple[Callable[[int], str], Callable[[int], str], str]] = {
    "en": (_simple("minute", "minutes"), _simple("second", "seconds"), "and"),
    "fr": (_simple("minute", "minutes"), _simple("seconde", "secondes"), "et"),
    "es": (_simple("minuto", "minutos"), _simple("segundo", "segundos"), "y"),
    "it": (_simple("minuto", "minuti"), _simple("secondo", "secondi"), "e"),
    "de": (_simple("Minute", "Minuten"), _simple("Sekunde", "Sekunden"), "und"),
    "ru": (
        lambda c: f"{c} {_plural_ru(c, ('минута', 'минуты', 'минут'))}",
        lambda c: f"{c} {_plural_ru(c, ('секунда', 'секунды', 'секунд'))}",
        "и",
    ),
    "ar": (
        lambda c: _plural_ar(c, ("دقيقة", "دقيقتان", "دقائق", "دقيقة")),
        lambda c: _plural_ar(c, ("ثانية", "ثانيتان", "ثوان", "ثانية")),
        "و",
    ),
    "fa": (_simple("دقیقه", "دقیقه"), _simple("ثانیه", "ثانیه"), "و"),
}


def duration_text(seconds: int, language: str) -> str | None:
    """`seconds` as minutes and seconds in words for espeak-ng, or None for a language
    this module has no words for."""
    phrases = _PHRASES.get(base_language(language))
    if phrases is None:
        return None
    parts = [phrases[unit](count) for count, unit in _minutes_seconds(seconds)]
    return f" {phrases[2]} ".join(parts)
