"""Pull order numbers, e-mails, catalogue products, quantities and dates out of a message."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Hashable, Iterable, Sequence
from dataclasses import dataclass
from itertools import pairwise
from typing import TypeVar

from shopchat.assistant.nlu.features import normalize
from shopchat.assistant.nlu.language import detect_language

_EMAIL = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)*\.[a-z]{2,}", re.IGNORECASE)
_ORDER_WORDS = (
    r"order|purchase|bestellung|auftrag|bestellnummer|commande|pedido|orden|compra|bestelling|"
    r"ordine|encomenda|zamowienie|zamówienie"
)
# "order 1042", "order no. 1042", "Bestellung Nr. 1042", "commande n° 1042", "order number is #1042"
_ORDER_AFTER_WORD = re.compile(
    rf"\b(?:{_ORDER_WORDS})\s*(?:number|nr\.?|no\.?|n°|n\.|num(?:ero|ber)?|número|nummer|id|#)?"
    r"\s*(?:is\s+|ist\s+|est\s+|es\s+|:\s*)?#?\s*(\d{3,10})\b(?![.,]\d|\s*(?:€|\$|£|eur|usd|dollars?|euros?|pounds?))",
    re.IGNORECASE,
)
_ORDER_HASH = re.compile(r"(?<![\w#])#\s?(\d{3,10})\b(?![.,]\d)")
_ISO_DATE = re.compile(r"\b(\d{4})-(\d{1,2})-(\d{1,2})\b")
_DOTTED_DATE = re.compile(r"\b(\d{1,2})[./](\d{1,2})[./](\d{4})\b")
_PRICE_OR_MEASURE = re.compile(
    r"(?:[€$£]\s*\d[\d.,]*|\d[\d.,]*\s*(?:€|\$|£|eur\b|euros?\b|usd\b|dollars?\b|pounds?\b|%|"
    r"days?\b|weeks?\b|months?\b|years?\b|hours?\b|minutes?\b|kg\b|cm\b|mm\b|km\b|tage?\b|"
    r"jours?\b|dias?\b|dagen\b))",
    re.IGNORECASE,
)
_PHONE = re.compile(r"\+?\d[\d ()/-]{7,}\d")
_QUANTITY_DIGITS = re.compile(
    r"(?<![\w.,#€$£-])(\d{1,3})\s*(?:x\b|×|pcs\b|pieces?\b|stück\b|stk\b)?\s*(?=[^\W\d_])",
    re.IGNORECASE,
)
_QUANTITY_TIMES = re.compile(
    r"\bx\s?(\d{1,3})\b|\b(?:qty|quantity|menge|anzahl|quantité|cantidad|aantal)\s*:?\s*(\d{1,3})\b",
    re.IGNORECASE,
)
_NUMBER_WORDS: dict[str, int] = {
    # "one"/"ein"/"un"/"uno"/"een" double as articles, so they are left out.
    "two": 2,
    "three": 3,
    "four": 4,
    "five": 5,
    "six": 6,
    "seven": 7,
    "eight": 8,
    "nine": 9,
    "ten": 10,
    "zwei": 2,
    "drei": 3,
    "vier": 4,
    "funf": 5,
    "sechs": 6,
    "sieben": 7,
    "acht": 8,
    "neun": 9,
    "zehn": 10,
    "deux": 2,
    "trois": 3,
    "quatre": 4,
    "cinq": 5,
    "sept": 7,
    "huit": 8,
    "neuf": 9,
    "dix": 10,
    "dos": 2,
    "tres": 3,
    "cuatro": 4,
    "cinco": 5,
    "seis": 6,
    "siete": 7,
    "ocho": 8,
    "nueve": 9,
    "diez": 10,
    "twee": 2,
    "drie": 3,
    "vijf": 5,
    "zes": 6,
    "zeven": 7,
    "negen": 9,
    "tien": 10,
}
_NON_ITEM_WORDS = frozenset(
    "days day weeks week months month years year hours hour minutes times am pm st nd rd th "
    "tage tagen wochen jours semaines dias semanas dagen weken of euros dollars".split()
)
_RELATIVE_DAYS: dict[str, dict[str, int]] = {
    "en": {
        "day before yesterday": -2,
        "yesterday": -1,
        "today": 0,
        "tomorrow": 1,
        "day after tomorrow": 2,
    },
    "de": {"vorgestern": -2, "gestern": -1, "heute": 0, "ubermorgen": 2, "morgen": 1},
    "fr": {"avant-hier": -2, "hier": -1, "aujourd'hui": 0, "apres-demain": 2, "demain": 1},
    "es": {"anteayer": -2, "ayer": -1, "hoy": 0, "pasado manana": 2, "manana": 1},
    "nl": {"eergisteren": -2, "gisteren": -1, "vandaag": 0, "overmorgen": 2, "morgen": 1},
}
# French "hier" (yesterday) is "here" in German and Dutch.
_SAME_SPELLING_OTHER_MEANING = frozenset({"hier"})
_GREETING_MORNING = re.compile(r"\b(?:guten|goeie|goede)\s+morgen\b")
_TOKEN = re.compile(r"[^\W_]+", re.UNICODE)
_Item = TypeVar("_Item", bound=Hashable)


@dataclass(frozen=True, slots=True)
class Entities:
    order_numbers: tuple[str, ...] = ()  # digits only, e.g. "1042"
    emails: tuple[str, ...] = ()
    products: tuple[str, ...] = ()  # names as the catalogue spells them
    quantities: tuple[int, ...] = ()
    dates: tuple[dt.date, ...] = ()


def extract_entities(
    text: str, *, product_names: Sequence[str] = (), today: dt.date | None = None
) -> Entities:
    """Everything a reply may need to look up; `today` anchors "yesterday"/"morgen"/"hier"."""
    emails = tuple(_unique(match.group(0) for match in _EMAIL.finditer(text)))
    without_emails = _EMAIL.sub(" ", text)
    dates, without_dates = _dates(without_emails, today or dt.date.today())
    orders = order_numbers(without_dates)
    return Entities(
        order_numbers=orders,
        emails=emails,
        products=match_products(without_dates, product_names),
        quantities=_quantities(without_dates, orders),
        dates=dates,
    )


def order_numbers(text: str) -> tuple[str, ...]:
    """Numbers named as orders ("order 1042", "Bestellung Nr. 1042", "#1042"), not phones."""
    without_phones = _PHONE.sub(
        lambda match: " " if _looks_like_phone(match.group(0)) else match.group(0), text
    )
    found = [
        (match.start(), match.group(1)) for match in _ORDER_AFTER_WORD.finditer(without_phones)
    ]
    found += [(match.start(), match.group(1)) for match in _ORDER_HASH.finditer(without_phones)]
    return tuple(_unique(number for _, number in sorted(found)))


def _looks_like_phone(candidate: str) -> bool:
    digits = sum(char.isdigit() for char in candidate)
    return candidate.startswith(("+", "0", "(")) or digits > 10 or " " in candidate.strip()


def _dates(text: str, today: dt.date) -> tuple[tuple[dt.date, ...], str]:
    """Dates found, and the text with them blanked out so their digits are not read again."""
    found: list[tuple[int, dt.date]] = []

    def keep(position: int, year: int, month: int, day: int) -> str:
        try:
            found.append((position, dt.date(year, month, day)))
        except ValueError:
            return " "
        return " "

    text = _ISO_DATE.sub(lambda m: keep(m.start(), int(m[1]), int(m[2]), int(m[3])), text)
    text = _DOTTED_DATE.sub(lambda m: keep(m.start(), int(m[3]), int(m[2]), int(m[1])), text)
    found += _relative_dates(text, today)
    return tuple(_unique(date for _, date in sorted(found, key=lambda item: item[0]))), text


def _relative_dates(text: str, today: dt.date) -> list[tuple[int, dt.date]]:
    folded = _GREETING_MORNING.sub(" ", normalize(text))
    language = detect_language(text)
    found: list[tuple[int, dt.date]] = []
    taken: list[range] = []
    for phrase_language, phrases in _RELATIVE_DAYS.items():
        for phrase, offset in phrases.items():
            if phrase in _SAME_SPELLING_OTHER_MEANING and language != phrase_language:
                continue
            for match in re.finditer(rf"(?<![\w-]){re.escape(phrase)}(?![\w-])", folded):
                if not any(match.start() in span for span in taken):
                    taken.append(range(match.start(), match.end()))
                    found.append((match.start(), today + dt.timedelta(days=offset)))
    return found


def _quantities(text: str, orders: Sequence[str]) -> tuple[int, ...]:
    cleaned = _PRICE_OR_MEASURE.sub(" ", _PHONE.sub(" ", text))
    for number in orders:
        cleaned = re.sub(rf"#?\b{number}\b", " ", cleaned)
    found: list[tuple[int, int]] = []
    for match in _QUANTITY_TIMES.finditer(cleaned):
        found.append((match.start(), int(match.group(1) or match.group(2))))
    for match in _QUANTITY_DIGITS.finditer(cleaned):
        next_word = _TOKEN.match(cleaned, match.end())
        if next_word and normalize(next_word.group(0)) not in _NON_ITEM_WORDS:
            found.append((match.start(), int(match.group(1))))
    words = list(_TOKEN.finditer(normalize(cleaned)))
    for word, following in pairwise(words):
        if word.group(0) in _NUMBER_WORDS and following.group(0) not in _NON_ITEM_WORDS:
            found.append((word.start(), _NUMBER_WORDS[word.group(0)]))
    return tuple(quantity for _, quantity in sorted(found) if quantity > 0)


def match_products(text: str, product_names: Sequence[str]) -> tuple[str, ...]:
    """Catalogue names in the text, with a typo or two allowed per word ("hoddie" -> "Hoodie")."""
    words = [normalize(token) for token in _TOKEN.findall(text)]
    found: list[tuple[int, int, str]] = []  # (position, -length, name)
    for name in product_names:
        name_words = [normalize(token) for token in _TOKEN.findall(name)]
        position = _find_fuzzy(words, name_words)
        if name_words and position is not None:
            found.append((position, -len(name_words), name))
    return _drop_contained(sorted(found))


def _drop_contained(found: list[tuple[int, int, str]]) -> tuple[str, ...]:
    """Keep "Blue Hoodie" and drop "Hoodie" when both match at the same words."""
    kept: list[tuple[int, int, str]] = []
    for position, negative_length, name in found:
        covered = any(
            position >= start and position - negative_length <= start - length
            for start, length, _ in kept
        )
        if not covered:
            kept.append((position, negative_length, name))
    return tuple(_unique(name for _, _, name in kept))


def _find_fuzzy(words: Sequence[str], name_words: Sequence[str]) -> int | None:
    width = len(name_words)
    for start in range(len(words) - width + 1):
        window = words[start : start + width]
        if all(_similar(word, wanted) for word, wanted in zip(window, name_words, strict=True)):
            return start
    # singular/plural and run-together spellings: "hoodies", "tshirt"
    joined_name = "".join(name_words)
    for start in range(len(words)):
        if _similar(words[start].removesuffix("s"), joined_name) and len(joined_name) >= 4:
            return start
    return None


def _similar(word: str, wanted: str) -> bool:
    if word == wanted or word.removesuffix("s") == wanted or word.removesuffix("es") == wanted:
        return True
    allowed = 0 if len(wanted) <= 3 else 1 if len(wanted) <= 7 else 2
    return (
        allowed > 0
        and abs(len(word) - len(wanted)) <= allowed
        and _edit_distance(word, wanted, allowed) <= allowed
    )


def _edit_distance(left: str, right: str, limit: int) -> int:
    """Damerau-Levenshtein distance (adjacent swaps count once), giving up above `limit`."""
    previous_previous: list[int] = []
    previous = list(range(len(right) + 1))
    for i, left_char in enumerate(left, start=1):
        current = [i] + [0] * len(right)
        for j, right_char in enumerate(right, start=1):
            cost = left_char != right_char
            current[j] = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + cost)
            if i > 1 and j > 1 and left_char == right[j - 2] and left[i - 2] == right_char:
                current[j] = min(current[j], previous_previous[j - 2] + 1)
        if min(current) > limit:
            return limit + 1
        previous_previous, previous = previous, current
    return previous[-1]


def _unique(items: Iterable[_Item]) -> list[_Item]:
    """Items in first-seen order, without repeats."""
    return list(dict.fromkeys(items))
