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
# An order number as shops print them: digits of any length ("32", "1042"), or the
# formats of order-number plugins ("2024-0001", "WC-1042", "INV/2024/17").
_ORDER_NUMBER = r"(?P<number>(?:[A-Za-z]{1,5}[-_/]?)?\d{1,12}(?:[-/]\d{1,12}){0,2})"
_NOT_AN_ORDER_AFTER = (
    r"(?![.,]\d|\s*(?:€|\$|£|%|eur\b|usd\b|dollars?\b|euros?\b|pounds?\b|kg\b|x\b|pcs\b|"
    r"pieces?\b|items?\b|stück\b|days?\b|weeks?\b|tage\b))"
)
# "order 1042", "order no. 1042", "Bestellung Nr. 1042", "commande n° 1042", "order number is #1042"
_ORDER_AFTER_WORD = re.compile(
    rf"\b(?:{_ORDER_WORDS})\s*(?P<marker>number|nr\.?|no\.?|n°|n\.|num(?:ero|ber)?|número|nummer|id|#)?"
    rf"\s*(?:is\s+|ist\s+|est\s+|es\s+|:\s*)?#?\s*{_ORDER_NUMBER}\b{_NOT_AN_ORDER_AFTER}",
    re.IGNORECASE,
)
_ORDER_HASH = re.compile(rf"(?<![\w#])#\s?{_ORDER_NUMBER}\b(?![.,]\d)")
# "to order 2 jackets", "can I order 3": the English verb, followed by a quantity.
_ORDER_VERB_BEFORE = re.compile(
    r"\b(?:to|i|we|you|they|can|could|would|will|should|please|i'd|i'll|we'd|let's|want|like)"
    r"\s+$",
    re.IGNORECASE,
)
_SKU_CANDIDATE = re.compile(
    r"(?<![\w@./-])[A-Za-z0-9]{1,40}(?:[-_.][A-Za-z0-9]{1,40}){0,5}(?![\w@/-]|\.\w)"
)
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
    order_numbers: tuple[str, ...] = ()  # as the shop prints them, without "#": "1042", "WC-17"
    emails: tuple[str, ...] = ()
    products: tuple[str, ...] = ()  # names as the catalogue spells them
    quantities: tuple[int, ...] = ()
    dates: tuple[dt.date, ...] = ()


def extract_entities(
    text: str,
    *,
    product_names: Sequence[str] = (),
    today: dt.date | None = None,
    known_orders: Sequence[str] = (),
) -> Entities:
    """Everything a reply may need to look up; `today` anchors "yesterday"/"morgen"/"hier";
    `known_orders` are order numbers of this shop (the customer's), found wherever they stand."""
    emails = tuple(_unique(match.group(0) for match in _EMAIL.finditer(text)))
    without_emails = _EMAIL.sub(" ", text)
    dates, without_dates = _dates(without_emails, today or dt.date.today())
    orders = order_numbers(without_dates, known=known_orders)
    return Entities(
        order_numbers=orders,
        emails=emails,
        products=match_products(without_dates, product_names),
        quantities=_quantities(without_dates, orders),
        dates=dates,
    )


def order_numbers(text: str, *, known: Sequence[str] = ()) -> tuple[str, ...]:
    """Numbers named as orders ("order 32", "Bestellung Nr. 1042", "#2024-0001"), not phones;
    and anywhere in the text, the ``known`` numbers and others of their format ("WC-1042")."""
    without_phones = _PHONE.sub(
        lambda match: " " if _looks_like_phone(match.group(0)) else match.group(0), text
    )
    found = [
        (match.start(), match.group("number"))
        for match in _ORDER_AFTER_WORD.finditer(without_phones)
        if match.group("marker") or not _ORDER_VERB_BEFORE.search(without_phones[: match.start()])
    ]
    found += [(m.start(), m.group("number")) for m in _ORDER_HASH.finditer(without_phones)]
    if pattern := _known_formats(known):
        found += [(m.start(), m.group(0)) for m in pattern.finditer(without_phones)]
    return tuple(_unique(number for _, number in sorted(found)))


def _known_formats(known: Sequence[str]) -> re.Pattern[str] | None:
    """The shop's own numbers, and numbers shaped like them when the shape has letters or
    separators ("WC-200" → WC-<digits>; a bare "32" is too common a shape to look for)."""
    alternatives = {re.escape(number) for number in known if number}
    for number in known:
        if not number.isdigit() and any(char.isdigit() for char in number):
            lettered = any(char.isalpha() for char in number)
            alternatives.add(
                "".join(
                    (r"\d+" if lettered else rf"\d{{{len(part)}}}")
                    if part.isdigit()
                    else re.escape(part)
                    for part in re.split(r"(\d+)", number)
                )
            )
    if not alternatives:
        return None
    ordered = sorted(alternatives, key=len, reverse=True)
    return re.compile(rf"(?<![\w-])(?:{'|'.join(ordered)})(?![\w-])", re.IGNORECASE)


def sku_like(text: str) -> tuple[str, ...]:
    """Words that look like SKUs ("NW-BAG-EXP65", "AB1234"): letters with digits, or parts
    joined by "-", "_" or "." (two joins, or one in capitals: not "T-Shirt" or "e-mail")."""
    found = []
    for match in _SKU_CANDIDATE.finditer(text):
        word = match.group(0)
        joins = sum(word.count(char) for char in "-_.")
        letters, digits = any(c.isalpha() for c in word), any(c.isdigit() for c in word)
        if letters and (digits or joins >= 2 or (joins == 1 and word.isupper() and len(word) >= 5)):
            found.append(word)
    return tuple(_unique(found))


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
        cleaned = re.sub(rf"#?\b{re.escape(number)}\b", " ", cleaned)
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
