"""WooCommerce implementation of the Store interface."""

from __future__ import annotations

import ssl
from collections.abc import Sequence

from shopchat.commerce.woocommerce.adapter import WooCommerceStore
from shopchat.commerce.woocommerce.auth import AuthScheme, WooCommerceCredentials
from shopchat.commerce.woocommerce.client import RetryPolicy, WooCommerceClient

__all__ = [
    "RetryPolicy",
    "WooCommerceClient",
    "WooCommerceCredentials",
    "WooCommerceStore",
    "decrypt_credentials",
    "woocommerce_store",
]


def woocommerce_store(
    *,
    store_url: str,
    credentials: WooCommerceCredentials,
    auth: AuthScheme = "auto",
    timeout: float = 10.0,
    retry: RetryPolicy | None = None,
    verify: bool | str | ssl.SSLContext = True,
    currency: str | None = None,
) -> WooCommerceStore:
    """A WooCommerceStore for one shop; close it with ``aclose()``."""
    client = WooCommerceClient(
        store_url=store_url,
        credentials=credentials,
        auth=auth,
        timeout=timeout,
        retry=retry,
        verify=verify,
    )
    return WooCommerceStore(client=client, currency=currency)


def decrypt_credentials(
    *, consumer_key_token: str, consumer_secret_token: str, keys: Sequence[bytes]
) -> WooCommerceCredentials:
    """Credentials from the AES-256-GCM tokens a Site keeps at rest, tried with ``keys``."""
    from shopchat.kit.crypto import decrypt

    return WooCommerceCredentials(
        consumer_key=decrypt(consumer_key_token, keys),
        consumer_secret=decrypt(consumer_secret_token, keys),
    )
