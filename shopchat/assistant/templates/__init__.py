"""The built-in assistant's answers: one message catalogue per language.

Each language module has ``MESSAGES`` (answer templates with ``{named}`` fields),
``STATUSES`` (WooCommerce order statuses as a sentence ends them) and ``QUICK``
(quick-reply labels, worded so that the classifier understands them when tapped).
"""

from __future__ import annotations

from datetime import date
from types import ModuleType
from typing import Any

from shopchat.assistant.templates import de, en, es, fr, nl

DEFAULT_LANGUAGE = "en"
_CATALOGUES: dict[str, ModuleType] = {"en": en, "de": de, "fr": fr, "es": es, "nl": nl}
LANGUAGES = frozenset(_CATALOGUES)
_CURRENCY_SYMBOLS = {"EUR": "€", "USD": "$", "GBP": "£", "CHF": "CHF"}
_FEW_LEFT = 5


def supported(language: str | None) -> str:
    """The language to answer in: the customer's when we have it, else English."""
    return language if language in _CATALOGUES else DEFAULT_LANGUAGE


def say(language: str, key: str, **values: Any) -> str:
    """One message in the customer's language, with its fields filled in."""
    template: str = _CATALOGUES[supported(language)].MESSAGES[key]
    return template.format(**values)


def quick(language: str, key: str, **values: Any) -> str:
    """A quick-reply label."""
    label: str = _CATALOGUES[supported(language)].QUICK[key]
    return label.format(**values)


def status(language: str, code: str) -> str:
    """A WooCommerce order status in words; an unknown (plugin) status as the shop named it."""
    statuses: dict[str, str] = _CATALOGUES[supported(language)].STATUSES
    return statuses.get(code, code.replace("-", " "))


def money(language: str, amount: str | None, currency: str) -> str:
    """An amount as a shopper of that language writes it: €149.00, 149,00 €, € 149,00."""
    if amount is None:
        return ""
    symbol = _CURRENCY_SYMBOLS.get(currency, currency)
    if language == "en" or language not in _CATALOGUES:
        return f"{symbol}{amount}"
    local = amount.replace(".", ",")
    return f"{symbol} {local}" if language == "nl" else f"{local} {symbol}"


def day(language: str, iso: str | None) -> str:
    """A date: 12 Jan 2026, 12.01.2026, 12/01/2026, 12-01-2026."""
    if not iso:
        return ""
    value = date.fromisoformat(iso)
    if language == "de":
        return f"{value:%d.%m.%Y}"
    if language in {"fr", "es"}:
        return f"{value:%d/%m/%Y}"
    if language == "nl":
        return f"{value.day}-{value.month:02d}-{value.year}"
    return f"{value.day} {en.MONTHS[value.month - 1]} {value.year}"


def stock(language: str, product: dict[str, Any]) -> str:
    """Stock in words: in stock, only 3 left, on backorder, out of stock."""
    if product["stock_status"] == "onbackorder":
        return say(language, "backorder")
    if not product["in_stock"]:
        return say(language, "out_of_stock")
    count = product.get("stock_quantity")
    if isinstance(count, int) and 0 < count <= _FEW_LEFT:
        return say(language, "few_left", count=count)
    return say(language, "in_stock")
