"""Connecting a site to its WooCommerce store: read it as the assistant will, and when the
store refuses, find out why before blaming the keys.

A shop whose TLS ends at a proxy that does not tell WordPress (no ``X-Forwarded-Proto``
honoured) refuses HTTP Basic (WooCommerce accepts it only when ``is_ssl()``) and rejects
OAuth 1.0a with "Invalid signature" (it signs its ``http://`` home URL). A host that drops
the ``Authorization`` header refuses Basic too, yet takes OAuth. The other schemes are tried
so that the message names the real cause. No message carries a key, a secret or a signature.
"""

from __future__ import annotations

import re
import ssl
from dataclasses import dataclass, field

import httpx

from shopchat.commerce.store import StoreAuthError, StoreError
from shopchat.commerce.woocommerce import WooCommerceCredentials, woocommerce_store
from shopchat.commerce.woocommerce.auth import oauth1_params
from shopchat.commerce.woocommerce.client import API_PREFIX

_PROBE_PATH = "products"
_QUERY = re.compile(r"(https?://[^\s?#\"'<>]+)[?#][^\s\"'<>]*", re.IGNORECASE)
_SECRETS = re.compile(r"\b(?:ck|cs)_[A-Za-z0-9]{6,}|oauth_signature=[^\s&]+", re.IGNORECASE)

BEHIND_PROXY = (
    "the store is served over HTTPS but WordPress does not know it: TLS ends at a proxy "
    "in front of WordPress, so WooCommerce refuses HTTP Basic and signs OAuth for its "
    "http:// address (the keys themselves are fine). Make the proxy send "
    "'X-Forwarded-Proto: https' and WordPress honour it, in wp-config.php: "
    "if ( isset( $_SERVER['HTTP_X_FORWARDED_PROTO'] ) && 'https' === "
    "$_SERVER['HTTP_X_FORWARDED_PROTO'] ) { $_SERVER['HTTPS'] = 'on'; }"
)
AUTHORIZATION_DROPPED = (
    "the web server in front of WordPress drops the Authorization header, so WooCommerce "
    "never sees the keys over HTTP Basic (OAuth, in the query string, works: the keys are "
    "fine). Pass the header on to PHP, for Apache: "
    'SetEnvIf Authorization "(.*)" HTTP_AUTHORIZATION=$1'
)


class StoreCheckFailed(Exception):
    """The store cannot be read with these keys; the message says what to change."""


def redact(text: str) -> str:
    """A message without query strings (signed URLs carry the key and a signature) or keys."""
    return _SECRETS.sub("…", _QUERY.sub(r"\1?…", text))


@dataclass(frozen=True, slots=True)
class StoreConnection:
    """A store URL, its REST API keys and how to reach it."""

    url: str
    credentials: WooCommerceCredentials = field(repr=False)
    seconds: float = 10.0  # per request
    verify: bool | str | ssl.SSLContext = True


async def check_store(connection: StoreConnection) -> None:
    """Reads products and orders as the assistant will; StoreCheckFailed says why not."""
    try:
        await _read(connection)
    except StoreAuthError as exc:
        refused = redact(str(exc))
        cause = await _auth_cause(connection) if _https(connection.url) else None
        raise StoreCheckFailed(
            cause
            or f"the store refused these keys ({refused}); create a Read key under "
            "WooCommerce → Settings → Advanced → REST API"
        ) from None
    except StoreError as exc:
        raise StoreCheckFailed(
            f"could not read the store at {connection.url}: {redact(str(exc))}"
        ) from None


async def _read(connection: StoreConnection) -> None:
    store = woocommerce_store(
        store_url=connection.url,
        credentials=connection.credentials,
        timeout=connection.seconds,
        verify=connection.verify,
    )
    try:
        await store.list_products(limit=1)
        await store.orders_for_customer(1, limit=1)  # the assistant reads orders too
    finally:
        await store.aclose()


async def _auth_cause(connection: StoreConnection) -> str | None:
    """Why an HTTPS store refused keys that may be right, or None when they are wrong."""
    if await _oauth_answers(connection, signed_as_http=True):
        return BEHIND_PROXY
    if await _oauth_answers(connection, signed_as_http=False):
        return AUTHORIZATION_DROPPED
    return None


async def _oauth_answers(connection: StoreConnection, *, signed_as_http: bool) -> bool:
    """Whether one OAuth-signed read over HTTPS succeeds (signed for http:// or https://)."""
    endpoint = connection.url.rstrip("/") + API_PREFIX + _PROBE_PATH
    signed_for = "http://" + endpoint.removeprefix("https://") if signed_as_http else endpoint
    params = oauth1_params(
        credentials=connection.credentials,
        method="GET",
        base_url=signed_for,
        params={"per_page": "1"},
    )
    verify = connection.verify
    context = ssl.create_default_context(cafile=verify) if isinstance(verify, str) else verify
    try:
        async with httpx.AsyncClient(timeout=connection.seconds, verify=context) as client:
            response = await client.get(endpoint, params=params)
    except httpx.HTTPError:
        return False
    return response.status_code == 200


def _https(url: str) -> bool:
    return url.lower().startswith("https://")
