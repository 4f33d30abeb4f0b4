"""The catalogue/settings cache on both backends: hits, expiry, invalidation."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable
from typing import Any

import pytest
from pydantic import TypeAdapter
from redis.asyncio import Redis

from shopchat.commerce.cache import (
    CacheBackend,
    CachedStore,
    MemoryCacheBackend,
    RedisCacheBackend,
    StoreCache,
)
from shopchat.commerce.demo import DemoStore
from shopchat.commerce.woocommerce import WooCommerceStore
from tests.commerce.helpers import make_client
from tests.support.woocommerce_store import WooCommerceTestStore

TTL = 0.5
TABLE: TypeAdapter[dict[int, dict[int, int]]] = TypeAdapter(dict[int, dict[int, int]])


class FakeClock:
    """A monotonic clock the test moves by hand."""

    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture(params=["memory", pytest.param("redis", marks=pytest.mark.redis)])
def backend_and_wait(
    request: pytest.FixtureRequest, redis_client: Redis, redis_prefix: str
) -> tuple[CacheBackend, Callable[[float], Any]]:
    """A backend and a coroutine function that lets ``seconds`` of cache time pass."""
    if request.param == "redis":
        return RedisCacheBackend(redis_client, prefix=redis_prefix), asyncio.sleep
    clock = FakeClock()

    async def advance(seconds: float) -> None:
        clock.now += seconds

    return MemoryCacheBackend(clock=clock), advance


@pytest.fixture
async def cached(
    wc_server: WooCommerceTestStore,
    backend_and_wait: tuple[CacheBackend, Callable[[float], Any]],
) -> AsyncIterator[CachedStore]:
    """A CachedStore over the WooCommerce test store."""
    backend, _ = backend_and_wait
    store = WooCommerceStore(client=make_client(wc_server), currency="EUR")
    cache = StoreCache(backend, site_id="site-a", catalogue_ttl=TTL, settings_ttl=TTL)
    yield CachedStore(store, cache=cache)
    await store.aclose()


async def test_second_read_is_a_hit(cached: CachedStore, wc_server: WooCommerceTestStore) -> None:
    first = await cached.get_product(202)
    second = await cached.get_product(202)
    assert first == second and first is not None
    assert len(wc_server.api_requests("products/202")) == 1


async def test_lists_and_settings_are_cached(
    cached: CachedStore, wc_server: WooCommerceTestStore
) -> None:
    for _ in range(2):
        assert len(await cached.search_products("Jacket")) == 3
        assert len(await cached.search_products("  jacket ")) == 3
        assert len(await cached.list_products(category_id=15)) == 5
        assert (await cached.shipping_zones())[0].name == "Germany"
        assert len(await cached.payment_gateways()) == 3
    assert len(wc_server.api_requests("products")) == 2
    assert len(wc_server.api_requests("shipping/zones")) == 1
    assert len(wc_server.api_requests("payment_gateways")) == 1


async def test_entries_expire(
    cached: CachedStore,
    wc_server: WooCommerceTestStore,
    backend_and_wait: tuple[CacheBackend, Callable[[float], Any]],
) -> None:
    _, wait = backend_and_wait
    await cached.get_product(202)
    await wait(TTL + 0.1)
    await cached.get_product(202)
    assert len(wc_server.api_requests("products/202")) == 2


async def test_invalidate_product_forgets_it_and_every_list(
    cached: CachedStore, wc_server: WooCommerceTestStore
) -> None:
    await cached.get_product(202)
    await cached.get_product(201)
    await cached.list_products(category_id=15)
    wc_server.data["products"][1]["stock_status"] = "outofstock"
    await cached.cache.invalidate_product(202)
    product = await cached.get_product(202)
    listed = await cached.list_products(category_id=15)
    await cached.get_product(201)
    assert product is not None and product.stock_status == "outofstock"
    assert next(p for p in listed if p.id == 202).stock_status == "outofstock"
    assert len(wc_server.api_requests("products/201")) == 1, "other products stay cached"


async def test_invalidate_site_forgets_everything(
    cached: CachedStore, wc_server: WooCommerceTestStore
) -> None:
    await cached.get_product(202)
    await cached.payment_gateways()
    await cached.cache.invalidate_site()
    await cached.get_product(202)
    await cached.payment_gateways()
    assert len(wc_server.api_requests("products/202")) == 2
    assert len(wc_server.api_requests("payment_gateways")) == 2


async def test_invalidation_from_another_instance_on_the_same_backend(
    cached: CachedStore,
    wc_server: WooCommerceTestStore,
    backend_and_wait: tuple[CacheBackend, Callable[[float], Any]],
) -> None:
    backend, _ = backend_and_wait
    await cached.get_product(202)
    webhook_side = StoreCache(backend, site_id="site-a")
    await webhook_side.invalidate_product(202)
    await cached.get_product(202)
    assert len(wc_server.api_requests("products/202")) == 2


async def test_sites_do_not_share_entries(
    backend_and_wait: tuple[CacheBackend, Callable[[float], Any]],
) -> None:
    backend, _ = backend_and_wait
    a = CachedStore(DemoStore(), cache=StoreCache(backend, site_id="a"))
    other_data = DemoStore()._data
    other_data["products"][0]["name"] = "Site B Jacket"
    b = CachedStore(DemoStore(other_data), cache=StoreCache(backend, site_id="b"))
    first_a, first_b = await a.get_product(201), await b.get_product(201)
    assert first_a is not None and first_b is not None
    assert (first_a.name, first_b.name) == ("Fjord Rain Jacket", "Site B Jacket")
    await StoreCache(backend, site_id="a").invalidate_site()
    second_b = await b.get_product(201)
    assert second_b == first_b


async def test_personal_data_is_never_cached(
    cached: CachedStore, wc_server: WooCommerceTestStore
) -> None:
    for _ in range(2):
        await cached.get_order(1001)
        await cached.orders_for_customer(102)
        await cached.get_customer(102)
        await cached.refunds(1012)
        await cached.order_notes(1001)
        await cached.recent_orders(limit=50)
    assert len(wc_server.api_requests("orders/1001")) == 2
    assert len([r for r in wc_server.api_requests("orders") if "customer" not in r.params]) == 2
    assert len(wc_server.api_requests("customers/102")) == 2
    assert len(wc_server.api_requests("orders/1012/refunds")) == 2


async def test_derived_tables_are_kept_for_their_ttl(
    backend_and_wait: tuple[CacheBackend, Callable[[float], Any]],
) -> None:
    backend, wait = backend_and_wait
    cache = StoreCache(backend, site_id="site-d")
    loads: list[str] = []

    async def load() -> dict[int, dict[int, int]]:
        loads.append("table")
        return {206: {209: len(loads)}}

    async def table() -> dict[int, dict[int, int]]:
        return await cache.derived("co_purchases", load, codec=TABLE, ttl=TTL)

    assert await table() == {206: {209: 1}}
    assert await table() == {206: {209: 1}}  # int keys survive the JSON round trip
    await cache.invalidate_product(206)  # orders did not change: the table stays
    assert await table() == {206: {209: 1}}
    await wait(TTL + 0.1)
    assert await table() == {206: {209: 2}}
    await cache.invalidate_site()
    assert await table() == {206: {209: 3}}


async def test_catalogue_tables_are_forgotten_when_a_product_changes() -> None:
    cache = StoreCache(MemoryCacheBackend(), site_id="site-n")
    names = iter([["Alpine Down Jacket"], ["Alpine Down Jacket 2"]])

    async def load() -> list[str]:
        return next(names)

    codec: TypeAdapter[list[str]] = TypeAdapter(list[str])
    first = await cache.derived("names", load, codec=codec, ttl=60, catalogue=True)
    again = await cache.derived("names", load, codec=codec, ttl=60, catalogue=True)
    await cache.invalidate_product(202)
    renamed = await cache.derived("names", load, codec=codec, ttl=60, catalogue=True)
    assert first == again == ["Alpine Down Jacket"] and renamed == ["Alpine Down Jacket 2"]


async def test_missing_product_is_not_cached(
    cached: CachedStore, wc_server: WooCommerceTestStore
) -> None:
    assert await cached.get_product(4040) is None
    assert await cached.get_product(4040) is None
    assert len(wc_server.api_requests("products/4040")) == 2


@pytest.mark.redis
async def test_redis_keys_live_under_the_prefix_and_expire(
    redis_client: Redis, redis_prefix: str
) -> None:
    cache = StoreCache(RedisCacheBackend(redis_client, prefix=redis_prefix), site_id="s1")
    await CachedStore(DemoStore(), cache=cache).get_product(201)
    keys = [k.decode() async for k in redis_client.scan_iter(match=f"{redis_prefix}*")]
    assert keys == [f"{redis_prefix}site:s1:0:product:201"]
    assert 0 < await redis_client.pttl(keys[0]) <= 300_000


def test_memory_backend_is_bounded() -> None:
    backend = MemoryCacheBackend(max_entries=3)

    async def fill() -> None:
        for i in range(10):
            await backend.set(f"k{i}", b"v", ttl=60)

    asyncio.run(fill())
    assert len(backend._values) == 3
