"""WooCommerceClient over real HTTP(S): auth, pagination, retries, timeouts, errors."""

from __future__ import annotations

import logging
import socket
import ssl
from pathlib import Path

import pytest

from shopchat.commerce.store import StoreAuthError, StoreError, StoreUnavailable
from shopchat.commerce.woocommerce import (
    RetryPolicy,
    WooCommerceClient,
    WooCommerceCredentials,
    WooCommerceStore,
)
from shopchat.commerce.woocommerce.auth import oauth1_signature
from tests.commerce.helpers import GOOD_KEYS, make_client
from tests.support.woocommerce_store import (
    CONSUMER_KEY,
    CUSTOMER_ROLE_KEY,
    CUSTOMER_ROLE_SECRET,
    WRITE_ONLY_KEY,
    WRITE_ONLY_SECRET,
    WooCommerceTestStore,
    woocommerce_oauth_signature,
)

NO_RETRY = RetryPolicy(max_retries=0)


def test_oauth_signature_matches_woocommerces_algorithm() -> None:
    params = {
        "oauth_consumer_key": "ck_x",
        "oauth_nonce": "n0nce",
        "oauth_signature_method": "HMAC-SHA256",
        "oauth_timestamp": "1700000000",
        "search": "rain jacket & co/ü~",
        "per_page": "10",
    }
    url = "http://shop.example/wp-json/wc/v3/products"
    ours = oauth1_signature(method="GET", base_url=url, params=params, consumer_secret="cs_y")
    theirs = woocommerce_oauth_signature(method="GET", base_uri=url, params=params, secret="cs_y")
    assert ours == theirs
    assert ours != oauth1_signature(method="GET", base_url=url, params=params, consumer_secret="z")


async def test_oauth_over_http_signs_every_request(wc_server: WooCommerceTestStore) -> None:
    async with make_client(wc_server) as client:
        response = await client.get("products", params={"search": "rain jacket", "per_page": 5})
    assert response is not None and response.data[0]["name"] == "Fjord Rain Jacket"
    seen = wc_server.api_requests("products")[0]
    assert seen.params["oauth_signature_method"] == "HMAC-SHA256"
    assert (
        "consumer_secret" not in seen.params and seen.params["oauth_consumer_key"] == CONSUMER_KEY
    )


@pytest.mark.parametrize(
    ("credentials", "status", "says"),
    [
        (
            WooCommerceCredentials(CONSUMER_KEY, "cs_wrong"),
            401,
            "provided signature does not match",
        ),
        (WooCommerceCredentials("ck_unknown", "cs_wrong"), 401, "Consumer key is invalid"),
        (WooCommerceCredentials(WRITE_ONLY_KEY, WRITE_ONLY_SECRET), 401, "read permissions"),
        (WooCommerceCredentials(CUSTOMER_ROLE_KEY, CUSTOMER_ROLE_SECRET), 403, "cannot list"),
    ],
)
async def test_refused_keys_raise_store_auth_error_with_a_clear_message(
    wc_server: WooCommerceTestStore, credentials: WooCommerceCredentials, status: int, says: str
) -> None:
    store = WooCommerceStore(client=make_client(wc_server, credentials=credentials))
    with pytest.raises(StoreAuthError) as raised:
        await store.get_product(201)
    await store.aclose()
    assert raised.value.status == status
    assert says in str(raised.value) and "API key" in str(raised.value)
    assert credentials.consumer_secret not in str(raised.value)
    assert len(wc_server.requests) == 1, "auth errors are not retried"


async def test_basic_auth_over_https(
    wc_tls_server: WooCommerceTestStore, tls_files: tuple[Path, Path]
) -> None:
    store = WooCommerceStore(client=make_client(wc_tls_server, verify=str(tls_files[0])))
    product = await store.get_product(201)
    await store.aclose()
    assert product is not None and product.name == "Fjord Rain Jacket"
    assert wc_tls_server.requests[0].scheme == "https"
    assert not any(k.startswith("oauth_") for k in wc_tls_server.requests[0].params)


async def test_wrong_secret_over_https(
    wc_tls_server: WooCommerceTestStore, tls_files: tuple[Path, Path]
) -> None:
    wrong = WooCommerceCredentials(CONSUMER_KEY, "cs_nope")
    ca = ssl.create_default_context(cafile=str(tls_files[0]))
    client = make_client(wc_tls_server, credentials=wrong, verify=ca)
    with pytest.raises(StoreAuthError, match="Consumer secret is invalid"):
        await client.get("products/201")
    await client.aclose()


async def test_untrusted_certificate_is_a_store_error_not_retried(
    wc_tls_server: WooCommerceTestStore,
) -> None:
    client = make_client(wc_tls_server)
    with pytest.raises(StoreError, match="not trusted") as raised:
        await client.get("products/201")
    await client.aclose()
    assert not isinstance(raised.value, StoreUnavailable)


def test_basic_auth_over_plain_http_is_refused() -> None:
    with pytest.raises(ValueError, match="HTTPS"):
        WooCommerceClient(store_url="http://shop.example", credentials=GOOD_KEYS, auth="basic")


async def test_unsigned_request_gets_woocommerce_error(wc_server: WooCommerceTestStore) -> None:
    tls_only = make_client(wc_server)
    tls_only._scheme = "basic"  # what a misconfigured client would send over HTTP
    with pytest.raises(StoreAuthError, match="woocommerce_rest_cannot_view"):
        await tls_only.get("products")
    await tls_only.aclose()


async def test_pagination_follows_total_pages(wc_server: WooCommerceTestStore) -> None:
    store = WooCommerceStore(client=make_client(wc_server), page_size=7)
    products = await store.list_products(limit=100)
    await store.aclose()
    assert [p.id for p in products] == list(range(201, 221))
    pages = [r.params["page"] for r in wc_server.api_requests("products")]
    assert pages == ["1", "2", "3"]
    assert {r.params["per_page"] for r in wc_server.api_requests("products")} == {"7"}


async def test_pagination_stops_at_the_limit(wc_server: WooCommerceTestStore) -> None:
    async with make_client(wc_server) as client:
        items = await client.get_list("products", limit=9, page_size=4)
    assert len(items) == 9
    assert [r.params["page"] for r in wc_server.api_requests("products")] == ["1", "2", "3"]


async def test_per_page_never_exceeds_woocommerces_maximum(wc_server: WooCommerceTestStore) -> None:
    async with make_client(wc_server) as client:
        items = await client.get_list("products", limit=500, page_size=1000)
    assert len(items) == 20
    assert wc_server.api_requests("products")[0].params["per_page"] == "100"


async def test_retries_then_succeeds_with_fresh_oauth_nonces(
    wc_server: WooCommerceTestStore,
) -> None:
    wc_server.fail_next(2, status=503)
    async with make_client(wc_server) as client:
        response = await client.get("products/201")
    assert response is not None and response.data["id"] == 201
    attempts = wc_server.api_requests("products/201")
    assert len(attempts) == 3
    assert len({a.params["oauth_nonce"] for a in attempts}) == 3


@pytest.mark.parametrize("status", [429, 500, 502, 504])
async def test_retryable_statuses(wc_server: WooCommerceTestStore, status: int) -> None:
    wc_server.fail_next(1, status=status, retry_after="0")
    async with make_client(wc_server) as client:
        assert await client.get("products/201") is not None
    assert len(wc_server.requests) == 2


async def test_retries_exhausted_raise_store_unavailable(wc_server: WooCommerceTestStore) -> None:
    wc_server.fail_next(10, status=503)
    retry = RetryPolicy(max_retries=2, backoff_base=0.01, backoff_max=0.02)
    async with make_client(wc_server, retry=retry) as client:
        with pytest.raises(StoreUnavailable, match="after 3 attempts: HTTP 503") as raised:
            await client.get("products/201")
    assert raised.value.status == 503
    assert len(wc_server.requests) == 3


async def test_retry_deadline_bounds_the_total_wait(wc_server: WooCommerceTestStore) -> None:
    wc_server.fail_next(10, status=503, retry_after="5")
    retry = RetryPolicy(max_retries=5, backoff_max=5, deadline=1.0)
    async with make_client(wc_server, retry=retry) as client:
        with pytest.raises(StoreUnavailable):
            await client.get("products/201")
    assert len(wc_server.requests) == 1


async def test_timeout_raises_store_unavailable(wc_server: WooCommerceTestStore) -> None:
    wc_server.slow_next(1, seconds=3)
    async with make_client(wc_server, retry=NO_RETRY, timeout=0.3) as client:
        with pytest.raises(StoreUnavailable, match="timed out"):
            await client.get("products/201")


async def test_timeout_then_retry_succeeds(wc_server: WooCommerceTestStore) -> None:
    wc_server.slow_next(1, seconds=3)
    async with make_client(wc_server, timeout=0.3) as client:
        assert await client.get("products/201") is not None
    assert len(wc_server.requests) == 2


async def test_unreachable_store_raises_store_unavailable() -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        closed_port = probe.getsockname()[1]
    retry = RetryPolicy(max_retries=1, backoff_base=0.01)
    client = WooCommerceClient(
        store_url=f"http://127.0.0.1:{closed_port}", credentials=GOOD_KEYS, retry=retry
    )
    with pytest.raises(StoreUnavailable, match="ConnectError"):
        await client.get("products")
    await client.aclose()


async def test_a_site_without_the_rest_api_is_a_store_error(
    wc_server: WooCommerceTestStore,
) -> None:
    client = WooCommerceClient(store_url=wc_server.url + "/blog", credentials=GOOD_KEYS)
    with pytest.raises(StoreError, match="no WooCommerce REST API") as raised:
        await client.get("products/201")
    await client.aclose()
    assert not isinstance(raised.value, StoreAuthError | StoreUnavailable)


async def test_unknown_route_is_a_store_error_not_none(wc_server: WooCommerceTestStore) -> None:
    async with make_client(wc_server) as client:
        with pytest.raises(StoreError, match="rest_no_route"):
            await client.get("no/such/route")


async def test_bad_parameter_is_a_store_error(wc_server: WooCommerceTestStore) -> None:
    async with make_client(wc_server) as client:
        with pytest.raises(StoreError, match="400 rest_invalid_param"):
            await client.get("products", params={"per_page": 500})


async def test_secrets_never_logged(
    wc_server: WooCommerceTestStore, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    wc_server.fail_next(1, status=503)
    async with make_client(wc_server) as client:
        await client.get("products", params={"search": "tent"})
    wrong = WooCommerceCredentials(CONSUMER_KEY, "cs_wrong_but_secret")
    async with make_client(wc_server, credentials=wrong) as client:
        with pytest.raises(StoreAuthError):
            await client.get("products")
    assert "woocommerce GET products failed" in caplog.text
    assert GOOD_KEYS.consumer_secret not in caplog.text
    assert "cs_wrong_but_secret" not in caplog.text
    ours = [r.getMessage() for r in caplog.records if r.name.startswith("shopchat.commerce")]
    assert ours and not any("oauth_" in m or "?" in m for m in ours)
    assert GOOD_KEYS.consumer_secret not in repr(GOOD_KEYS)


def test_credentials_decrypt_from_tokens_at_rest() -> None:
    from shopchat.commerce.woocommerce import decrypt_credentials
    from shopchat.kit.crypto import encrypt, generate_key

    key = generate_key()
    credentials = decrypt_credentials(
        consumer_key_token=encrypt("ck_abc", key),
        consumer_secret_token=encrypt("cs_def", key),
        keys=[key],
    )
    assert credentials == WooCommerceCredentials("ck_abc", "cs_def")
