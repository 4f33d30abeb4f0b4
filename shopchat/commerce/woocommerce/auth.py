"""WooCommerce REST authentication: HTTP Basic over HTTPS, OAuth 1.0a over plain HTTP.

OAuth here is WooCommerce's "one-legged" variant: no token, the signing key is
``consumer_secret + "&"``, parameters travel in the query string, and each request
needs a fresh nonce and timestamp (WooCommerce rejects a nonce it has seen).
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets
import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Literal
from urllib.parse import quote

AuthScheme = Literal["auto", "basic", "oauth1"]


@dataclass(frozen=True, slots=True)
class WooCommerceCredentials:
    """A REST API key pair; the secret never appears in repr or logs."""

    consumer_key: str
    consumer_secret: str = field(repr=False)


def percent_encode(value: str) -> str:
    """RFC 3986 encoding, as PHP's rawurlencode (what WooCommerce signs with)."""
    return quote(value, safe="")


def signature_base_string(method: str, base_url: str, params: Mapping[str, str]) -> str:
    """WooCommerce's string to sign: METHOD&enc(url)&enc(k=v&...), keys sorted bytewise."""
    pairs = (
        percent_encode(f"{percent_encode(k)}={percent_encode(params[k])}")
        for k in sorted(params, key=lambda k: k.encode())
    )
    return f"{method.upper()}&{percent_encode(base_url)}&{'%26'.join(pairs)}"


def oauth1_signature(
    *, method: str, base_url: str, params: Mapping[str, str], consumer_secret: str
) -> str:
    """Base64 HMAC-SHA256 of the base string, keyed with ``consumer_secret&``."""
    base = signature_base_string(method, base_url, params)
    digest = hmac.new(f"{consumer_secret}&".encode(), base.encode(), hashlib.sha256).digest()
    return base64.b64encode(digest).decode()


def oauth1_params(
    *,
    credentials: WooCommerceCredentials,
    method: str,
    base_url: str,
    params: Mapping[str, str],
) -> dict[str, str]:
    """The query parameters of a signed request: the caller's plus the oauth_* ones."""
    signed = {
        **params,
        "oauth_consumer_key": credentials.consumer_key,
        "oauth_nonce": secrets.token_hex(16),
        "oauth_signature_method": "HMAC-SHA256",
        "oauth_timestamp": str(int(time.time())),
    }
    signed["oauth_signature"] = oauth1_signature(
        method=method,
        base_url=base_url,
        params=signed,
        consumer_secret=credentials.consumer_secret,
    )
    return signed


def resolve_scheme(scheme: AuthScheme, *, https: bool) -> Literal["basic", "oauth1"]:
    """Which scheme to use; refuses Basic (a clear-text secret) over plain HTTP."""
    if scheme == "auto":
        return "basic" if https else "oauth1"
    if scheme == "basic" and not https:
        raise ValueError("HTTP Basic auth would send the consumer secret in clear; use HTTPS")
    return scheme
