"""Recommendations: bought together in the shop's orders, then upsells and related, then the
same category; in stock only, never the product itself; the co-purchase table cached."""

from __future__ import annotations

import uuid
from typing import Any

from shopchat.assistant.copurchase import bought_with, count_co_purchases
from shopchat.assistant.tools import SiteInfo, Tools
from shopchat.commerce.cache import CachedStore, MemoryCacheBackend, StoreCache
from shopchat.commerce.demo import DemoStore, load_demo_data
from shopchat.commerce.store import Store, StoreAuthError
from shopchat.commerce.types import LineItem, Order
from shopchat.commerce.woocommerce import WooCommerceStore
from shopchat.kit.ratelimit import MemoryRateLimiter
from tests.commerce.helpers import make_client
from tests.support.woocommerce_store import running_store


class Clock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


def _tools(store: Store, cache: StoreCache | None = None) -> Tools:
    deps = type("Deps", (), {"limiter": MemoryRateLimiter(), "db": None})()
    return Tools(
        deps=deps,  # type: ignore[arg-type]
        site=SiteInfo(uuid.uuid4(), "Shop", {}),
        store=store,
        customer=None,
        conversation_id=uuid.uuid4(),
        cache=cache,
    )


def _order(number: int, status: str, *product_ids: int) -> dict[str, Any]:
    template = load_demo_data()["orders"][0]
    lines = [{**template["line_items"][0], "product_id": p, "id": p} for p in product_ids]
    return {**template, "id": number, "number": str(number), "status": status, "line_items": lines}


def _picks(result: Any) -> list[tuple[int, str]]:
    return [(p["id"], p["reason"]) for p in result.data["products"]]


def test_counts_pairs_of_paid_orders_only() -> None:
    def order(status: str, *ids: int) -> Order:
        items = tuple(LineItem(product_id=i, name=str(i), quantity=1) for i in ids)
        return Order(id=1, number="1", status=status, line_items=items)

    table = count_co_purchases(
        [
            order("completed", 1, 2, 3),
            order("processing", 1, 2, 2),  # a product twice in one order counts once
            order("cancelled", 1, 4),
            order("refunded", 1, 4),
            order("on-hold", 1, 0),  # a deleted product (id 0) is nobody's partner
        ]
    )
    assert table[1] == {2: 2, 3: 1} and table[2] == {1: 2, 3: 1}
    assert 4 not in table and 0 not in table and 1 not in table[1]
    assert bought_with(table, 1) == [2, 3] and bought_with(table, 99) == []


async def test_bought_together_comes_first_by_count_in_stock_only() -> None:
    data = load_demo_data()
    data["orders"] += [
        _order(5001, "completed", 206, 220, 210),  # 210 is out of stock
        _order(5002, "processing", 206, 220, 208),
        *(_order(5003 + i, "cancelled", 206, 211) for i in range(3)),  # not bought
        _order(5010, "completed", 206, 206),
    ]
    result = await _tools(DemoStore(data)).recommend(product_id=206)
    # 220 twice; then 208, 209 (demo order 1001) and 210 once each, ties by id
    assert _picks(result) == [
        (220, "bought_together"),
        (208, "bought_together"),
        (209, "bought_together"),
    ]
    assert result.data["for_product"]["id"] == 206


async def test_then_upsells_and_related_then_the_same_category() -> None:
    tent = await _tools(DemoStore()).recommend(product_id=216)
    # 218 was bought with the tent (order 1005); 217 is an upsell; 219 (related) is sold out
    assert _picks(tent) == [(218, "bought_together"), (217, "upsell"), (220, "related")]
    data = load_demo_data()
    pack = next(p for p in data["products"] if p["id"] == 213)
    pack["related_ids"], pack["upsell_ids"] = [], []
    commuter = await _tools(DemoStore(data)).recommend(query="city commuter pak")
    assert commuter.data["for_product"]["name"] == "City Commuter Pack"  # typo tolerated
    assert _picks(commuter) == [
        (215, "bought_together"),
        (211, "same_category"),
        (212, "same_category"),
    ]


async def test_the_co_purchase_table_is_cached_not_the_orders() -> None:
    clock = Clock()
    cache = StoreCache(MemoryCacheBackend(clock=clock), site_id="s1")
    with running_store() as server:
        woo = WooCommerceStore(client=make_client(server), currency="EUR")
        tools = _tools(CachedStore(woo, cache=cache), cache)
        try:
            first = await tools.recommend(product_id=206)
            again = await tools.recommend(product_id=207)
            assert len(server.api_requests("orders")) == 1  # one page of 16 orders
            clock.now += 3601
            await tools.recommend(product_id=206)
            assert len(server.api_requests("orders")) == 2
        finally:
            await woo.aclose()
    assert _picks(first)[0] == (209, "bought_together")
    assert _picks(again)[0] == (209, "bought_together")  # order 1008: 207 with socks
    entries = cache.backend._values.values()  # type: ignore[attr-defined]
    cached_values = b"".join(value for _, value in entries)
    assert b"billing" not in cached_values and b"@example.com" not in cached_values


async def test_a_store_that_refuses_orders_still_recommends() -> None:
    class NoOrders(DemoStore):
        async def recent_orders(self, *, limit: int = 200) -> list[Order]:
            raise StoreAuthError("no read access to orders", status=403)

    result = await _tools(NoOrders()).recommend(product_id=216)
    assert result.ok and _picks(result) == [(217, "upsell"), (218, "upsell"), (220, "related")]
