"""Product deliveries: trashing a product fires product.deleted (body ``{"id": N}``),
restoring it product.restored, a new one product.created; each makes the cache forget."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator, Iterator
from decimal import Decimal
from pathlib import Path

import pytest

from shopchat.commerce.registry import StoreRegistry, encrypt_store_credentials
from shopchat.commerce.store import Store
from shopchat.commerce.webhooks.service import forget_cached
from shopchat.models import Site
from tests.conftest import make_settings
from tests.support.woocommerce_store import (
    CONSUMER_KEY,
    CONSUMER_SECRET,
    WooCommerceTestStore,
    running_store,
)

SITE_ID = uuid.uuid4()


@pytest.fixture
def shop() -> Iterator[WooCommerceTestStore]:
    with running_store() as server:
        yield server


@pytest.fixture
async def registry(tmp_path: Path) -> AsyncIterator[StoreRegistry]:
    registry = StoreRegistry(make_settings(tmp_path))
    yield registry
    await registry.aclose()


def cached_store(registry: StoreRegistry, shop: WooCommerceTestStore) -> Store:
    """The site's store as the assistant gets it: the adapter behind the catalogue cache."""
    key = registry._settings.encryption_key_bytes
    site = Site(
        id=SITE_ID,
        settings={},
        store_url=shop.url,
        store_credentials_enc=encrypt_store_credentials(
            consumer_key=CONSUMER_KEY, consumer_secret=CONSUMER_SECRET, key=key
        ),
    )
    store = registry.for_site(site)
    assert store is not None
    return store


async def deliver(registry: StoreRegistry, topic: str, payload: dict) -> None:
    await forget_cached(site_id=SITE_ID, topic=topic, payload=payload, stores=registry)


async def test_a_trashed_product_is_not_offered_any_more(
    shop: WooCommerceTestStore, registry: StoreRegistry
) -> None:
    store = cached_store(registry, shop)
    assert await store.get_product(206) is not None
    assert 206 in [p.id for p in await store.search_products("boots")]
    shop.trash_product(206)
    assert await store.get_product(206) is not None  # cached: no delivery yet
    await deliver(registry, "product.deleted", {"id": 206})  # WooCommerce sends the id only
    assert await store.get_product(206) is None
    assert 206 not in [p.id for p in await store.search_products("boots")]
    assert 206 not in [p.id for p in await store.list_products(limit=50)]


async def test_a_restored_product_is_offered_again(
    shop: WooCommerceTestStore, registry: StoreRegistry
) -> None:
    store = cached_store(registry, shop)
    shop.trash_product(206)
    assert await store.get_product(206) is None
    assert 206 not in [p.id for p in await store.list_products(limit=50)]
    product = next(p for p in shop.data["products"] if p["id"] == 206)
    product["status"] = "publish"
    await deliver(registry, "product.restored", {**product})
    assert await store.get_product(206) is not None
    assert 206 in [p.id for p in await store.list_products(limit=50)]


async def test_a_created_product_appears_in_cached_lists(
    shop: WooCommerceTestStore, registry: StoreRegistry
) -> None:
    store = cached_store(registry, shop)
    assert 221 not in [p.id for p in await store.search_products("boots")]
    template = next(p for p in shop.data["products"] if p["id"] == 206)
    shop.data["products"].append({**template, "id": 221, "name": "Fell Trail Boots"})
    await deliver(registry, "product.created", {"id": 221, "name": "Fell Trail Boots"})
    assert 221 in [p.id for p in await store.search_products("boots")]


async def test_a_variation_edit_refreshes_its_parent(
    shop: WooCommerceTestStore, registry: StoreRegistry
) -> None:
    """A variation price edit: the parent's cached price must not survive the deliveries."""
    store = cached_store(registry, shop)
    assert (await store.get_product(206)).price == Decimal("159.00")  # type: ignore[union-attr]
    next(p for p in shop.data["products"] if p["id"] == 206)["price"] = "139.00"
    await deliver(registry, "product.updated", {"id": 3101, "type": "variation", "parent_id": 206})
    assert (await store.get_product(206)).price == Decimal("139.00")  # type: ignore[union-attr]
