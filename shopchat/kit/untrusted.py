"""Checks on what arrives from outside, so that a database never meets what it cannot hold.

A lone UTF-16 surrogate (JSON ``"\\ud800"``) parses into a Python string that has no UTF-8
form: SQLite's driver and PostgreSQL both refuse it, deep inside a write. PostgreSQL's text
and JSON types refuse NUL too. Integers past 64 bits overflow every column they are compared
with, and JSON nested a few thousand levels deep exhausts the parser's recursion. Each is
refused here, at the edge.
"""

from __future__ import annotations

import json
import math
import re
from typing import Any

MAX_INT64 = 2**63 - 1
MAX_DEPTH = 100  # of JSON taken as text; WooCommerce's deepest payloads nest about 6
# Any surrogate escape, paired (an emoji) or not, and NUL; only a hit is worth a walk.
_SUSPECT_ESCAPE = re.compile(rb"\\u(?:[dD][89a-fA-F]|0000)")


UNSTORABLE = "text holds NUL or an unpaired UTF-16 surrogate"


class UntrustedInput(ValueError):
    """The input cannot be taken as it is; the message says why, for the client."""


def is_text(value: str) -> bool:
    """False when the string holds a lone surrogate or NUL, which a database refuses."""
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return "\x00" not in value


def scrub(value: str) -> str:
    """The string without NUL and with each lone surrogate replaced by U+FFFD, for data
    kept rather than refused."""
    if is_text(value):
        return value
    kept = value.replace("\x00", "")
    return kept.encode("utf-8", "surrogatepass").decode("utf-8", "replace")


def scrub_json(value: Any, depth: int = 0) -> Any:
    """A parsed JSON value with every string in it scrubbed; raise UntrustedInput past
    MAX_DEPTH levels."""
    if isinstance(value, str):
        return scrub(value)
    if depth >= MAX_DEPTH:
        raise UntrustedInput("JSON is nested too deeply")
    if isinstance(value, list):
        return [scrub_json(item, depth + 1) for item in value]
    if isinstance(value, dict):
        return {scrub(str(key)): scrub_json(item, depth + 1) for key, item in value.items()}
    return value


def is_storable(value: Any) -> bool:
    """True when every string of a parsed JSON value is text (see is_text), at most
    MAX_DEPTH levels down."""
    pending = [(value, 0)]
    while pending:
        item, depth = pending.pop()
        if isinstance(item, str):
            if not is_text(item):
                return False
        elif isinstance(item, list | dict):
            if depth >= MAX_DEPTH:
                return False
            if isinstance(item, dict):
                if not all(is_text(key) for key in item):
                    return False
                item = item.values()
            pending.extend((child, depth + 1) for child in item)
    return True


def loads(raw: str | bytes) -> Any:
    """Parse JSON that must be storable as it is; raise UntrustedInput saying what is wrong."""
    try:
        value = json.loads(raw, parse_constant=_no_constants, parse_float=_finite_float)
    except RecursionError:
        raise UntrustedInput("JSON is nested too deeply") from None
    except (ValueError, UnicodeDecodeError):
        raise UntrustedInput("not valid JSON") from None
    if may_be_unstorable(raw) and not is_storable(value):
        raise UntrustedInput(UNSTORABLE)
    return value


def may_be_unstorable(raw: str | bytes) -> bool:
    """A cheap scan of raw JSON: only text that it flags needs the walk of is_storable."""
    if isinstance(raw, str):
        try:
            raw = raw.encode("utf-8")
        except UnicodeEncodeError:
            return True
    return bool(_SUSPECT_ESCAPE.search(raw))


def _finite_float(text: str) -> float:
    value = float(text)
    if not math.isfinite(value):  # 1e400 parses to inf, which JSON cannot write back
        raise ValueError(f"{text[:20]} is out of range")
    return value


def _no_constants(name: str) -> None:
    raise ValueError(f"{name} is not JSON")
