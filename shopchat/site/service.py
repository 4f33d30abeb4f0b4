"""Creating sites and reading their secrets."""

from __future__ import annotations

import secrets
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

from sqlalchemy.ext.asyncio import AsyncSession

from shopchat.kit import crypto
from shopchat.kit.errors import BadInput
from shopchat.models import Account, Site
from shopchat.site import repository

DEFAULT_SETTINGS: dict[str, Any] = {
    "branding": {"color": "#4f46e5", "title": None, "avatar_url": None, "position": "right"},
    "default_language": "en",
    "languages": ["en", "de", "fr", "es", "nl", "it", "pt", "pl"],
    "greeting": None,
    "business_hours": None,
    "triggers": [],
}


@dataclass(frozen=True, slots=True)
class SiteCredentials:
    """What a shop owner copies into the WordPress plugin; shown once, at creation."""

    account_id: str
    site_id: str
    site_key: str
    identity_secret: str
    webhook_secret: str
    allowed_origins: list[str]


def normalize_origin(origin: str) -> str:
    """``https://Shop.example:443/path`` → ``https://shop.example``; raises BadInput."""
    parts = urlsplit(origin.strip())
    if parts.scheme not in {"http", "https"} or not parts.hostname:
        raise BadInput(f"origin must look like https://shop.example, got {origin!r}")
    port = parts.port
    default_port = {"http": 80, "https": 443}[parts.scheme]
    host = parts.hostname.lower()
    if ":" in host:
        host = f"[{host}]"
    return f"{parts.scheme}://{host}" + (f":{port}" if port and port != default_port else "")


async def create_site(
    session: AsyncSession,
    *,
    encryption_key: bytes,
    name: str,
    origins: list[str],
    account: Account | None = None,
    settings: dict[str, Any] | None = None,
    enforce_identity: bool = False,
) -> tuple[Site, SiteCredentials]:
    """Create a site (and its account when none is given) with fresh random secrets."""
    name = name.strip()
    if not name or len(name) > 200:
        raise BadInput("site name must be 1 to 200 characters")
    allowed = sorted({normalize_origin(origin) for origin in origins})
    if account is None:
        account = Account(name=name)
        session.add(account)
        await session.flush()
    identity_secret = secrets.token_urlsafe(32)
    webhook_secret = secrets.token_urlsafe(32)
    site = Site(
        account_id=account.id,
        name=name,
        site_key="sc_" + secrets.token_urlsafe(18),
        identity_secret_enc=crypto.encrypt(identity_secret, encryption_key),
        webhook_secret_enc=crypto.encrypt(webhook_secret, encryption_key),
        allowed_origins=allowed,
        enforce_identity=enforce_identity,
        settings={**DEFAULT_SETTINGS, **(settings or {})},
    )
    session.add(site)
    await session.flush()
    credentials = SiteCredentials(
        account_id=str(account.id),
        site_id=str(site.id),
        site_key=site.site_key,
        identity_secret=identity_secret,
        webhook_secret=webhook_secret,
        allowed_origins=allowed,
    )
    return site, credentials


def identity_secret(site: Site, keys: Sequence[bytes]) -> str:
    return crypto.decrypt(site.identity_secret_enc, keys)


def webhook_secret(site: Site, keys: Sequence[bytes]) -> str:
    return crypto.decrypt(site.webhook_secret_enc, keys)


def origin_allowed(site: Site, origin: str | None) -> bool:
    if not origin:
        return False
    try:
        return normalize_origin(origin) in site.allowed_origins
    except BadInput:
        return False


__all__ = ["create_site", "identity_secret", "origin_allowed", "repository", "webhook_secret"]
