"""Which products the shop's customers buy together, counted from its latest orders.

Counted once per site per ``TTL_SECONDS`` from ``Store.recent_orders`` and kept in the
commerce cache as {product id: {product id: orders holding both}}; the orders themselves
are never cached. Only paid orders count: cancelled, failed, pending and refunded ones
say nothing about what goes well together.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable
from itertools import permutations

from pydantic import TypeAdapter

from shopchat.commerce.cache import StoreCache
from shopchat.commerce.store import Store
from shopchat.commerce.types import Order

ORDERS_READ = 200
TTL_SECONDS = 3600.0
PARTNERS_KEPT = 10  # per product: bounds the cached table and the work per turn
ITEMS_PER_ORDER = 20  # a wholesale order's hundred lines say little about what goes together
COUNTED_STATUSES = frozenset({"completed", "processing", "on-hold"})

CoPurchases = dict[int, dict[int, int]]
_TABLE: TypeAdapter[CoPurchases] = TypeAdapter(CoPurchases)


def count_co_purchases(orders: Iterable[Order]) -> CoPurchases:
    """For each product, how many paid orders also held each other product (the top few)."""
    counts: defaultdict[int, Counter[int]] = defaultdict(Counter)
    for order in orders:
        if order.status in COUNTED_STATUSES:
            products = list(dict.fromkeys(i.product_id for i in order.line_items if i.product_id))
            for first, second in permutations(products[:ITEMS_PER_ORDER], 2):
                counts[first][second] += 1
    return {product: _top(partners) for product, partners in counts.items()}


def bought_with(table: CoPurchases, product_id: int) -> list[int]:
    """Products bought together with one, most often first (ties: lower id first)."""
    partners = table.get(product_id, {})
    return sorted(partners, key=lambda other: (-partners[other], other))


async def co_purchases(store: Store, *, cache: StoreCache | None) -> CoPurchases:
    """The site's table: from the cache, else counted from its latest orders (and kept)."""

    async def count() -> CoPurchases:
        return count_co_purchases(await store.recent_orders(limit=ORDERS_READ))

    if cache is None:
        return await count()
    return await cache.derived("co_purchases", count, codec=_TABLE, ttl=TTL_SECONDS)


def _top(partners: Counter[int]) -> dict[int, int]:
    ranked = sorted(partners.items(), key=lambda item: (-item[1], item[0]))
    return dict(ranked[:PARTNERS_KEPT])
