"""Checks on what arrives from outside, so that a database never meets what it cannot hold.

A lone UTF-16 surrogate (JSON ``"\\ud800"``) parses into a Python string that has no UTF-8
form: SQLite's driver and PostgreSQL's JSON types both refuse it, deep inside a write.
Integers past 64 bits overflow every column they are compared with, and JSON nested a few
thousand levels deep exhausts the parser's recursion. Each is refused here, at the edge.
"""

from __future__ import annotations

import json
import re
from typing import Any

MAX_INT64 = 2**63 - 1
# Any surrogate escape, paired (an emoji) or not; only a match is worth a full check.
_SURROGATE_ESCAPE = re.compile(rb"\\u[dD][89a-fA-F]")


class UntrustedInput(ValueError):
    """The input cannot be taken as it is; the message says why, for the client."""


def is_text(value: str) -> bool:
    """False when the string holds a lone surrogate, which no database stores."""
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def scrub(value: str) -> str:
    """The string with each lone surrogate replaced by U+FFFD, for data kept, not refused."""
    return (
        value
        if is_text(value)
        else value.encode("utf-8", "surrogatepass").decode("utf-8", "replace")
    )


def scrub_json(value: Any) -> Any:
    """A parsed JSON value with every string in it scrubbed."""
    if isinstance(value, str):
        return scrub(value)
    if isinstance(value, list):
        return [scrub_json(item) for item in value]
    if isinstance(value, dict):
        return {scrub(str(key)): scrub_json(item) for key, item in value.items()}
    return value


def is_storable(value: Any) -> bool:
    """True when a parsed JSON value holds no lone surrogate anywhere."""
    try:
        json.dumps(value, ensure_ascii=False).encode("utf-8")
    except (UnicodeEncodeError, RecursionError, ValueError):
        return False
    return True


def loads(raw: str | bytes) -> Any:
    """Parse JSON that must be storable as it is; raise UntrustedInput saying what is wrong."""
    try:
        value = json.loads(raw, parse_constant=_no_constants)
    except RecursionError:
        raise UntrustedInput("JSON is nested too deeply") from None
    except (ValueError, UnicodeDecodeError):
        raise UntrustedInput("not valid JSON") from None
    if may_hold_surrogates(raw) and not is_storable(value):
        raise UntrustedInput("text holds an unpaired UTF-16 surrogate")
    return value


def may_hold_surrogates(raw: str | bytes) -> bool:
    """A cheap scan of raw JSON: only text that passes it needs the full walk of is_storable."""
    if isinstance(raw, str):
        try:
            raw = raw.encode("utf-8")
        except UnicodeEncodeError:
            return True
    return bool(_SURROGATE_ESCAPE.search(raw))


def _no_constants(name: str) -> None:
    raise ValueError(f"{name} is not JSON")
