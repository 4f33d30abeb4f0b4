"""Which store a site reads: the demo shop, its WooCommerce store, or none yet.

One long-lived store client per site (connection reuse), rebuilt when the site's store
URL or credentials change; every store is wrapped in the catalogue cache.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Sequence

from shopchat.commerce.cache import (
    CacheBackend,
    CachedStore,
    MemoryCacheBackend,
    RedisCacheBackend,
    StoreCache,
)
from shopchat.commerce.demo import demo_store
from shopchat.commerce.store import Store
from shopchat.commerce.woocommerce import WooCommerceCredentials, woocommerce_store
from shopchat.commerce.woocommerce.adapter import WooCommerceStore
from shopchat.kit import crypto
from shopchat.kit.redis import redis_client
from shopchat.models import Site
from shopchat.settings import Settings

DEMO = "demo"


def encrypt_store_credentials(*, consumer_key: str, consumer_secret: str, key: bytes) -> str:
    """The value kept in ``Site.store_credentials_enc``."""
    plain = json.dumps({"consumer_key": consumer_key, "consumer_secret": consumer_secret})
    return crypto.encrypt(plain, key)


def decrypt_store_credentials(token: str, keys: Sequence[bytes]) -> WooCommerceCredentials:
    data = json.loads(crypto.decrypt(token, keys))
    return WooCommerceCredentials(
        consumer_key=data["consumer_key"], consumer_secret=data["consumer_secret"]
    )


class StoreRegistry:
    """Hands out each site's store; built in the app's lifespan, closed with it."""

    def __init__(self, settings: Settings) -> None:
        self._settings = settings
        self._redis = redis_client(settings.redis_url) if settings.redis_url else None
        self._backend: CacheBackend = (
            RedisCacheBackend(self._redis) if self._redis else MemoryCacheBackend()
        )
        self._demo = demo_store()
        self._stores: dict[uuid.UUID, tuple[tuple[str, str], Store, WooCommerceStore]] = {}
        self._retired: list[WooCommerceStore] = []  # replaced clients, closed at shutdown

    def cache(self, site_id: uuid.UUID) -> StoreCache:
        """The catalogue cache of one site (the webhook receiver invalidates through it)."""
        return StoreCache(self._backend, site_id=str(site_id))

    def for_site(self, site: Site) -> Store | None:
        """The site's store, or None when the site has connected none."""
        if site.settings.get("store") == DEMO:
            return self._demo
        if not site.store_url or not site.store_credentials_enc:
            return None
        fingerprint = (site.store_url, site.store_credentials_enc)
        known = self._stores.get(site.id)
        if known is not None and known[0] == fingerprint:
            return known[1]
        credentials = decrypt_store_credentials(
            site.store_credentials_enc, self._settings.decryption_keys
        )
        client = woocommerce_store(store_url=site.store_url, credentials=credentials)
        store = CachedStore(client, cache=self.cache(site.id))
        self._stores[site.id] = (fingerprint, store, client)
        if known is not None:
            self._retired.append(known[2])
        return store

    def woocommerce_for_site(self, site: Site) -> WooCommerceStore | None:
        """The site's WooCommerce adapter itself (uncached), or None for other stores."""
        if site.settings.get("store") == DEMO or self.for_site(site) is None:
            return None
        return self._stores[site.id][2]

    async def aclose(self) -> None:
        for _, _, client in self._stores.values():
            await client.aclose()
        for client in self._retired:
            await client.aclose()
        if self._redis is not None:
            await self._redis.aclose()
