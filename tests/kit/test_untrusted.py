"""shopchat.kit.untrusted: what no database stores is refused, or scrubbed, at the edge."""

from __future__ import annotations

import pytest

from shopchat.kit import untrusted


@pytest.mark.parametrize(
    ("raw", "why"),
    [
        ('{"text": "a\\ud800b"}', "surrogate"),  # a high surrogate alone
        ('{"text": "\\udc00"}', "surrogate"),  # a low surrogate alone
        ('{"text": "\\ude00\\ud83d"}', "surrogate"),  # a pair in the wrong order
        ('{"k\\ud800": 1}', "surrogate"),  # in a key
        ('{"text": "a\\u0000b"}', "NUL"),  # PostgreSQL's text refuses NUL
        ("[" * 3000 + "]" * 3000, "nested too deeply"),
        ('{"n": NaN}', "not valid JSON"),
        ('{"n": Infinity}', "not valid JSON"),
        ('{"n": 1e400}', "not valid JSON"),  # parses to inf, which no JSON column takes
        ("{", "not valid JSON"),
        (b"\xff\xfe", "not valid JSON"),
    ],
)
def test_loads_refuses_what_cannot_be_stored(raw: str | bytes, why: str) -> None:
    with pytest.raises(untrusted.UntrustedInput, match=why):
        untrusted.loads(raw)


@pytest.mark.parametrize(
    "raw",
    [
        '{"text": "\\ud83d\\ude00"}',  # an emoji as a surrogate pair is fine
        '{"text": "\\\\ud800"}',  # an escaped backslash, then the letters ud800
        '{"text": "Grüße 🦊"}',
        "[" * 100 + "]" * 100,
    ],
)
def test_loads_takes_valid_text(raw: str) -> None:
    value = untrusted.loads(raw)
    assert untrusted.is_storable(value)


def test_scrub_replaces_only_lone_surrogates_and_drops_nul() -> None:
    assert untrusted.scrub("ok 🦊") == "ok 🦊"
    assert untrusted.scrub("a\x00b") == "ab"
    scrubbed = untrusted.scrub("a\ud800b")
    assert untrusted.is_text(scrubbed)
    assert scrubbed.startswith("a") and scrubbed.endswith("b") and "\ufffd" in scrubbed


def test_scrub_json_walks_keys_lists_and_values() -> None:
    value = untrusted.scrub_json({"n\udfff": ["\ud800", {"x": "\udc00y"}], "k": 3, "ok": "é"})
    assert untrusted.is_storable(value)
    assert value["ok"] == "é" and value["k"] == 3


def test_walks_stop_at_max_depth() -> None:
    deep: object = "x"
    for _ in range(untrusted.MAX_DEPTH + 1):
        deep = [deep]
    assert not untrusted.is_storable(deep)
    with pytest.raises(untrusted.UntrustedInput, match="too deeply"):
        untrusted.scrub_json(deep)


def test_the_cheap_scan_sees_every_escape_it_must() -> None:
    assert untrusted.may_be_unstorable(b'"\\uD800"')
    assert untrusted.may_be_unstorable('"\\udbff"')
    assert untrusted.may_be_unstorable("raw \ud800")
    assert untrusted.may_be_unstorable(b'"\\u0000"')
    assert not untrusted.may_be_unstorable(b'"\\u00e9 plain"')
