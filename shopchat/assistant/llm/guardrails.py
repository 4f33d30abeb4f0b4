"""Checks on what a model says before a customer reads it.

Every order number and price in an answer must come from a tool result (or from what
the customer wrote): a number the model made up fails the check, and the built-in
engine answers instead.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from decimal import Decimal, InvalidOperation

# A number with optional thousands separators and decimals: 1042, 19.99, 1,299.00, 1.299,00
_NUMBER = re.compile(r"(?<![\w.,])(\d{1,3}(?:[.,\s]\d{3})+(?:[.,]\d{1,2})?|\d+(?:[.,]\d+)?)(?!\w)")
_CURRENCY = re.compile(r"[€$£¥₹]|\b(?:eur|usd|gbp|chf|sek|nok|dkk|pln)\b", re.IGNORECASE)


def values(number: str) -> set[Decimal]:
    """The values a written number can mean (1,299 is 1299 in English, 1.299 in German)."""
    candidates = {number.replace(",", ".")}
    compact = re.sub(r"\s", "", number)
    candidates.add(compact.replace(",", ""))
    candidates.add(compact.replace(".", "").replace(",", "."))
    found = set()
    for candidate in candidates:
        try:
            found.add(Decimal(candidate).normalize())
        except InvalidOperation:
            continue
    return found


def known_values(texts: Iterable[str]) -> set[Decimal]:
    known: set[Decimal] = set()
    for text in texts:
        for match in _NUMBER.finditer(text):
            known |= values(match.group(1))
    return known


def ungrounded_numbers(answer: str, *, known: set[Decimal]) -> list[str]:
    """Order numbers and prices in ``answer`` that no tool result (nor the customer) gave."""
    suspicious = []
    for match in _NUMBER.finditer(answer):
        if _is_fact(answer, match) and not values(match.group(1)) & known:
            suspicious.append(match.group(1))
    return suspicious


def _is_fact(text: str, match: re.Match[str]) -> bool:
    """A number worth checking: three digits or more, decimals, or next to a currency."""
    number = match.group(1)
    digits = sum(ch.isdigit() for ch in number)
    if digits >= 3 or re.search(r"[.,]\d", number):
        return True
    around = text[max(0, match.start() - 4) : match.end() + 5]
    return bool(_CURRENCY.search(around))


def safe_prefix(text: str) -> str:
    """The part of a streaming answer whose words are complete (a number may still grow)."""
    cut = max(text.rfind(" "), text.rfind("\n"))
    return text[: cut + 1] if cut >= 0 else ""
