"""A TTL cache for a shop's catalogue and settings, in-process or in Redis.

Only what every visitor of a shop may see is cached: products, searches, product
lists, shipping zones and payment gateways. Orders, refunds, notes and customers are
personal and must be fresh, so ``CachedStore`` always asks the store for them. Tables
computed from them for everyone (how often products are bought together) may be kept
with ``StoreCache.derived``; the orders themselves never are.

Invalidation works by generations: every key carries the site's generation (and list
keys also the catalogue generation), so "forget the whole site" or "forget all
product lists" is one INCR, and stale entries simply age out with their TTL.
"""

from __future__ import annotations

import hashlib
import time
from collections.abc import Awaitable, Callable
from typing import Protocol, TypeVar

from pydantic import TypeAdapter
from redis.asyncio import Redis

from shopchat.commerce.store import Store
from shopchat.commerce.types import (
    Customer,
    Order,
    OrderNote,
    PaymentGateway,
    Product,
    Refund,
    ShippingZone,
)

T = TypeVar("T")

CATALOGUE_TTL_SECONDS = 300.0
SETTINGS_TTL_SECONDS = 3600.0


class CacheBackend(Protocol):
    """Bytes by key with expiry, plus counters that never expire."""

    async def get(self, key: str) -> bytes | None:
        """The value, or None when absent or expired."""
        ...

    async def set(self, key: str, value: bytes, *, ttl: float) -> None:
        """Store a value for ``ttl`` seconds."""
        ...

    async def delete(self, key: str) -> None:
        """Forget a value."""
        ...

    async def counters(self, *keys: str) -> list[int]:
        """Current values of counters (0 when never incremented)."""
        ...

    async def increment(self, key: str) -> int:
        """Add one to a counter."""
        ...


class MemoryCacheBackend:
    """An in-process backend for the single-process embedded mode."""

    def __init__(self, *, clock: Callable[[], float] = time.monotonic, max_entries: int = 10_000):
        self._clock = clock
        self._max_entries = max_entries
        self._values: dict[str, tuple[float, bytes]] = {}
        self._counters: dict[str, int] = {}

    async def get(self, key: str) -> bytes | None:
        """The value, or None when absent or expired."""
        entry = self._values.get(key)
        if entry is None or entry[0] <= self._clock():
            self._values.pop(key, None)
            return None
        return entry[1]

    async def set(self, key: str, value: bytes, *, ttl: float) -> None:
        """Store a value for ``ttl`` seconds, evicting expired then oldest entries if full."""
        if len(self._values) >= self._max_entries:
            self._evict()
        self._values[key] = (self._clock() + ttl, value)

    async def delete(self, key: str) -> None:
        """Forget a value."""
        self._values.pop(key, None)

    async def counters(self, *keys: str) -> list[int]:
        """Current values of counters."""
        return [self._counters.get(k, 0) for k in keys]

    async def increment(self, key: str) -> int:
        """Add one to a counter."""
        self._counters[key] = self._counters.get(key, 0) + 1
        return self._counters[key]

    def _evict(self) -> None:
        now = self._clock()
        for key in [k for k, (expires, _) in self._values.items() if expires <= now]:
            del self._values[key]
        while len(self._values) >= self._max_entries:
            del self._values[next(iter(self._values))]


class RedisCacheBackend:
    """A Redis backend shared by all app processes; every key starts with ``prefix``."""

    def __init__(self, redis: Redis, *, prefix: str = "shopchat:commerce:") -> None:
        self._redis = redis
        self._prefix = prefix

    async def get(self, key: str) -> bytes | None:
        """The value, or None when absent or expired."""
        value = await self._redis.get(self._prefix + key)
        return value.encode() if isinstance(value, str) else value

    async def set(self, key: str, value: bytes, *, ttl: float) -> None:
        """Store a value for ``ttl`` seconds (millisecond precision)."""
        await self._redis.set(self._prefix + key, value, px=max(1, int(ttl * 1000)))

    async def delete(self, key: str) -> None:
        """Forget a value."""
        await self._redis.delete(self._prefix + key)

    async def counters(self, *keys: str) -> list[int]:
        """Current values of counters, in one round trip."""
        values = await self._redis.mget([self._prefix + k for k in keys])
        return [int(v) if v is not None else 0 for v in values]

    async def increment(self, key: str) -> int:
        """Add one to a counter."""
        return int(await self._redis.incr(self._prefix + key))


class StoreCache:
    """One site's slice of a backend; what the webhook receiver calls to invalidate."""

    def __init__(
        self,
        backend: CacheBackend,
        *,
        site_id: str,
        catalogue_ttl: float = CATALOGUE_TTL_SECONDS,
        settings_ttl: float = SETTINGS_TTL_SECONDS,
    ) -> None:
        self.backend = backend
        self.site_id = site_id
        self.catalogue_ttl = catalogue_ttl
        self.settings_ttl = settings_ttl
        self._site_generation = f"site:{site_id}:gen"
        self._lists_generation = f"site:{site_id}:lists-gen"

    async def invalidate_product(self, product_id: int) -> None:
        """Forget one product and every product list or search (it may appear in them)."""
        (site_gen,) = await self.backend.counters(self._site_generation)
        await self.backend.delete(self._key(site_gen, f"product:{product_id}"))
        await self.backend.increment(self._lists_generation)

    async def invalidate_site(self) -> None:
        """Forget everything cached for this site (settings, shipping, catalogue)."""
        await self.backend.increment(self._site_generation)

    async def product(
        self, product_id: int, load: Callable[[], Awaitable[Product | None]]
    ) -> Product | None:
        """A product, from cache or ``load``."""
        (site_gen,) = await self.backend.counters(self._site_generation)
        key = self._key(site_gen, f"product:{product_id}")
        return await self._cached(key, load, ttl=self.catalogue_ttl, codec=_PRODUCT)

    async def product_list(
        self, kind: str, params: str, load: Callable[[], Awaitable[list[Product]]]
    ) -> list[Product]:
        """A search result or product list, from cache or ``load``."""
        site_gen, lists_gen = await self.backend.counters(
            self._site_generation, self._lists_generation
        )
        digest = hashlib.sha256(params.encode()).hexdigest()[:32]
        key = self._key(site_gen, f"{kind}:{lists_gen}:{digest}")
        return await self._cached(key, load, ttl=self.catalogue_ttl, codec=_PRODUCTS)

    async def setting(
        self, name: str, load: Callable[[], Awaitable[T]], *, codec: TypeAdapter[T]
    ) -> T:
        """A store setting (shipping zones, payment gateways), from cache or ``load``."""
        (site_gen,) = await self.backend.counters(self._site_generation)
        key = self._key(site_gen, name)
        return await self._cached(key, load, ttl=self.settings_ttl, codec=codec)

    async def derived(
        self,
        name: str,
        load: Callable[[], Awaitable[T]],
        *,
        codec: TypeAdapter[T],
        ttl: float,
        catalogue: bool = False,
    ) -> T:
        """A table computed from the store, for ``ttl`` (catalogue: until a product changes)."""
        site_gen, lists_gen = await self.backend.counters(
            self._site_generation, self._lists_generation
        )
        key = self._key(site_gen, f"{name}:{lists_gen}" if catalogue else name)
        return await self._cached(key, load, ttl=ttl, codec=codec)

    def _key(self, site_gen: int, name: str) -> str:
        return f"site:{self.site_id}:{site_gen}:{name}"

    async def _cached(
        self, key: str, load: Callable[[], Awaitable[T]], *, ttl: float, codec: TypeAdapter[T]
    ) -> T:
        """The cached value; on a miss, load it and keep it unless it is None."""
        raw = await self.backend.get(key)
        if raw is not None:
            return codec.validate_json(raw)
        value = await load()
        if value is not None:
            await self.backend.set(key, codec.dump_json(value), ttl=ttl)
        return value


_PRODUCT: TypeAdapter[Product | None] = TypeAdapter(Product | None)
_PRODUCTS: TypeAdapter[list[Product]] = TypeAdapter(list[Product])
_ZONES: TypeAdapter[list[ShippingZone]] = TypeAdapter(list[ShippingZone])
_GATEWAYS: TypeAdapter[list[PaymentGateway]] = TypeAdapter(list[PaymentGateway])


class CachedStore:
    """A Store that serves catalogue and settings from a StoreCache."""

    def __init__(self, store: Store, *, cache: StoreCache) -> None:
        self.store = store
        self.cache = cache

    async def get_product(self, product_id: int) -> Product | None:
        """One product, cached."""
        return await self.cache.product(product_id, lambda: self.store.get_product(product_id))

    async def search_products(self, query: str, *, limit: int = 10) -> list[Product]:
        """A product search, cached per (normalised query, limit)."""
        params = f"{' '.join(query.casefold().split())}|{limit}"
        return await self.cache.product_list(
            "search", params, lambda: self.store.search_products(query, limit=limit)
        )

    async def products_by_sku(self, sku: str) -> list[Product]:
        """A SKU lookup, cached per SKU."""
        return await self.cache.product_list(
            "sku", sku.strip().casefold(), lambda: self.store.products_by_sku(sku)
        )

    async def list_products(
        self, *, category_id: int | None = None, limit: int = 20
    ) -> list[Product]:
        """A product list, cached per (category, limit)."""
        return await self.cache.product_list(
            "list",
            f"{category_id}|{limit}",
            lambda: self.store.list_products(category_id=category_id, limit=limit),
        )

    async def get_order(self, order_id_or_number: int | str) -> Order | None:
        """Not cached: order status must be current."""
        return await self.store.get_order(order_id_or_number)

    async def orders_for_customer(self, customer_id: int, *, limit: int = 10) -> list[Order]:
        """Not cached: personal and changing."""
        return await self.store.orders_for_customer(customer_id, limit=limit)

    async def recent_orders(self, *, limit: int = 200) -> list[Order]:
        """Not cached: personal. Cache what is computed from them (``StoreCache.derived``)."""
        return await self.store.recent_orders(limit=limit)

    async def refunds(self, order_id: int) -> list[Refund]:
        """Not cached."""
        return await self.store.refunds(order_id)

    async def order_notes(self, order_id: int, *, customer_only: bool = True) -> list[OrderNote]:
        """Not cached."""
        return await self.store.order_notes(order_id, customer_only=customer_only)

    async def shipping_zones(self) -> list[ShippingZone]:
        """Shipping zones, cached as a setting."""
        return await self.cache.setting("shipping_zones", self.store.shipping_zones, codec=_ZONES)

    async def payment_gateways(self) -> list[PaymentGateway]:
        """Payment gateways, cached as a setting."""
        return await self.cache.setting(
            "payment_gateways", self.store.payment_gateways, codec=_GATEWAYS
        )

    async def get_customer(self, customer_id: int) -> Customer | None:
        """Not cached: personal."""
        return await self.store.get_customer(customer_id)
