"""WooCommerce's webhook signature and ping, checked without leaking timing."""

from __future__ import annotations

import base64
import hashlib
import hmac
import re

_PING = re.compile(rb"webhook_id=\d{1,20}")


def sign(body: bytes, secret: str) -> str:
    """``X-WC-Webhook-Signature``: base64 of HMAC-SHA256 of the raw body."""
    digest = hmac.new(secret.encode(), body, hashlib.sha256).digest()
    return base64.b64encode(digest).decode()


def valid(body: bytes, secret: str, signature: str | None) -> bool:
    if not signature:
        return False
    given = signature.strip().encode("latin-1", errors="replace")
    return hmac.compare_digest(sign(body, secret).encode(), given)


def is_ping(body: bytes) -> bool:
    """WooCommerce's delivery on creating a webhook: the form body ``webhook_id=N``."""
    return _PING.fullmatch(body.strip()) is not None
