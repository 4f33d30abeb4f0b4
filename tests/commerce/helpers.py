"""Helpers shared by the commerce tests."""

from __future__ import annotations

from shopchat.commerce.woocommerce import RetryPolicy, WooCommerceClient, WooCommerceCredentials
from tests.support.woocommerce_store import CONSUMER_KEY, CONSUMER_SECRET, WooCommerceTestStore

FAST_RETRY = RetryPolicy(max_retries=3, backoff_base=0.01, backoff_max=0.05, deadline=10.0)
REDIS_URL = "redis://127.0.0.1:6379/0"
GOOD_KEYS = WooCommerceCredentials(CONSUMER_KEY, CONSUMER_SECRET)


def make_client(
    server: WooCommerceTestStore,
    *,
    credentials: WooCommerceCredentials = GOOD_KEYS,
    retry: RetryPolicy = FAST_RETRY,
    timeout: float = 5.0,
    **options: object,
) -> WooCommerceClient:
    """A client for the test store with fast retries."""
    return WooCommerceClient(
        store_url=server.url,
        credentials=credentials,
        retry=retry,
        timeout=timeout,
        **options,  # type: ignore[arg-type]
    )
