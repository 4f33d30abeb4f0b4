"""Fixtures: the WooCommerce test store (HTTP and HTTPS) and stores bound to it."""

from __future__ import annotations

import secrets
import sys
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import pytest
from redis.asyncio import Redis

# pytest puts this folder, not the repository root, on sys.path; the root holds
# both ``shopchat`` and ``tests.support``.
_ROOT = str(Path(__file__).resolve().parents[2])
if _ROOT not in sys.path:
    sys.path.insert(0, _ROOT)

from shopchat.commerce.woocommerce import WooCommerceStore  # noqa: E402
from tests.commerce.helpers import REDIS_URL, make_client  # noqa: E402
from tests.support.woocommerce_store import (  # noqa: E402
    WooCommerceTestStore,
    running_store,
    self_signed_certificate,
)


@pytest.fixture
def wc_server() -> Iterator[WooCommerceTestStore]:
    """The test store over plain HTTP (OAuth 1.0a)."""
    with running_store() as server:
        yield server


@pytest.fixture
def tls_files(tmp_path: Path) -> tuple[Path, Path]:
    """A self-signed certificate and key for 127.0.0.1."""
    return self_signed_certificate(tmp_path)


@pytest.fixture
def wc_tls_server(tls_files: tuple[Path, Path]) -> Iterator[WooCommerceTestStore]:
    """The test store over HTTPS (HTTP Basic)."""
    with running_store(tls=tls_files) as server:
        yield server


@pytest.fixture
async def woo(wc_server: WooCommerceTestStore) -> AsyncIterator[WooCommerceStore]:
    """A WooCommerceStore over HTTP + OAuth against the test store."""
    store = WooCommerceStore(client=make_client(wc_server))
    yield store
    await store.aclose()


@pytest.fixture
async def redis_client() -> AsyncIterator[Redis]:
    """A Redis connection; the tests' keys use a random prefix and are deleted after."""
    client = Redis.from_url(REDIS_URL)
    yield client
    await client.aclose()


@pytest.fixture
async def redis_prefix(redis_client: Redis) -> AsyncIterator[str]:
    """A random key prefix, with every key under it deleted afterwards."""
    prefix = f"test:commerce:{secrets.token_hex(6)}:"
    yield prefix
    keys = [key async for key in redis_client.scan_iter(match=f"{prefix}*")]
    if keys:
        await redis_client.delete(*keys)
