"""The tools' access rules and argument checks, called directly (as the LLM path calls them)."""

from __future__ import annotations

import uuid

import pytest

from shopchat.assistant.tools import (
    GUESSES_PER_ADDRESS,
    GUESSES_PER_ORDER,
    TOOL_SPECS,
    SiteInfo,
    Tools,
    call_tool,
)
from shopchat.commerce.demo import demo_store
from shopchat.kit.identity import Identity
from shopchat.kit.ratelimit import MemoryRateLimiter


def _tools(customer: Identity | None = None, *, store: object = "demo") -> Tools:
    deps = type("Deps", (), {"limiter": MemoryRateLimiter(), "db": None})()
    return Tools(
        deps=deps,  # type: ignore[arg-type]
        site=SiteInfo(uuid.uuid4(), "Shop", {"store": "demo"}),
        store=demo_store() if store == "demo" else None,
        customer=customer,
        conversation_id=uuid.uuid4(),
    )


async def test_the_owner_sees_the_order_and_nobody_else_does() -> None:
    owner = await _tools(Identity("103")).order_status(order_number="1004")
    assert owner.ok and owner.data["items"][0]["name"] == "Alpine Down Jacket"
    other = await _tools(Identity("102")).order_status(order_number="1004")
    assert (other.ok, other.error, other.data) == (False, "not_found", {})
    guest = await _tools().order_status(order_number="1004")
    assert (guest.ok, guest.error) == (False, "needs_email")


async def test_a_guest_needs_the_billing_email_in_any_case() -> None:
    right = await _tools().order_status(order_number="#1004", email="SOFIA.Lindqvist@example.com")
    assert right.ok and right.data["number"] == "1004"
    wrong = await _tools().order_status(order_number="1004", email="sofia@example.com")
    assert wrong.error == "not_found"
    missing = await _tools().order_status(order_number="9999", email="sofia@example.com")
    assert missing == wrong  # a missing order and someone else's read the same


SOFIA_EMAIL = "sofia.lindqvist@example.com"


class _Visitors:
    """Guests of one site, each in a conversation of their own, sharing the site's limiter."""

    def __init__(self) -> None:
        self.deps = type("Deps", (), {"limiter": MemoryRateLimiter(), "db": None})()
        self.site = SiteInfo(uuid.uuid4(), "Shop", {"store": "demo"})
        self.store = demo_store()

    def guest(self, address: str) -> Tools:
        return Tools(
            deps=self.deps,  # type: ignore[arg-type]
            site=self.site,
            store=self.store,
            customer=None,
            conversation_id=uuid.uuid4(),
            client_address=address,
        )


async def _errors(tools: Tools, guesses: list[tuple[str, str]]) -> list[str | None]:
    return [(await tools.order_status(order_number=n, email=e)).error for n, e in guesses]


async def test_a_flooding_conversation_blocks_itself_not_the_other_visitors() -> None:
    visitors = _Visitors()
    flood = [(str(n), f"guess{n}@example.com") for n in range(2000, 2300)]
    flood[3:5] = [("1004", "a@example.com"), ("1004", "b@example.com")]
    errors = await _errors(visitors.guest("203.0.113.9"), flood)
    assert errors == ["not_found"] * 5 + ["rate_limited"] * 295
    # Another visitor asks about an order the flood guessed at, and one it did not.
    other = visitors.guest("198.51.100.7")
    assert (await other.order_status(order_number="1004", email=SOFIA_EMAIL)).ok
    assert (await other.order_status(order_number="1001", email="ravi.sharma@example.com")).ok


async def test_a_flooding_address_exhausts_its_own_budget_across_conversations() -> None:
    visitors = _Visitors()
    errors: list[str | None] = []
    for conversation in range(6):
        guesses = [(str(3000 + conversation * 5 + n), "x@example.com") for n in range(5)]
        errors += await _errors(visitors.guest("203.0.113.9"), guesses)
    assert errors == ["not_found"] * GUESSES_PER_ADDRESS + ["rate_limited"] * 10
    right = [("1004", SOFIA_EMAIL)]
    assert await _errors(visitors.guest("203.0.113.9"), right) == ["rate_limited"]
    assert await _errors(visitors.guest("198.51.100.7"), right) == [None]


async def test_one_order_number_guessed_from_many_conversations_and_addresses_is_limited() -> None:
    visitors = _Visitors()
    for n in range(GUESSES_PER_ORDER):
        wrong = [("#1004", f"guess{n}@example.com")]
        assert await _errors(visitors.guest(f"192.0.2.{n}"), wrong) == ["not_found"]
    right = [("1004", SOFIA_EMAIL)]
    assert await _errors(visitors.guest("192.0.2.200"), right) == ["rate_limited"]
    other_order = [("1001", "ravi.sharma@example.com")]
    assert await _errors(visitors.guest("192.0.2.201"), other_order) == [None]


async def test_my_orders_is_for_verified_customers_only() -> None:
    assert (await _tools().my_orders()).error == "forbidden"
    mine = await _tools(Identity("102")).my_orders()
    assert {o["number"] for o in mine.data["orders"]} == {"1001", "1002", "1003"}


async def test_no_store_and_facts_shapes() -> None:
    assert (await _tools(store=None).shipping_options()).error == "no_store"
    products = await _tools().search_products(query="jacket")
    assert {"name", "price", "currency", "in_stock", "permalink"} <= set(
        products.data["products"][0]
    )


async def test_call_tool_checks_names_and_arguments() -> None:
    tools = _tools(Identity("102"))
    assert (await call_tool(tools, "delete_everything", {})).error == "unknown_tool"
    assert (await call_tool(tools, "order_status", {})).error == "bad_arguments"
    assert (await call_tool(tools, "order_status", {"order_number": 1001})).error == (
        "bad_arguments"
    )
    assert (await call_tool(tools, "search_products", {"query": "x", "admin": True})).error == (
        "bad_arguments"
    )
    assert (await call_tool(tools, "order_status", {"order_number": "1001"})).ok
    assert (await call_tool(tools, "recommend", {"product_id": 206})).ok


@pytest.mark.parametrize("spec", TOOL_SPECS, ids=lambda s: s["function"]["name"])
def test_every_spec_names_a_tool_method(spec: dict[str, object]) -> None:
    function = spec["function"]
    assert isinstance(function, dict) and callable(getattr(Tools, function["name"]))
