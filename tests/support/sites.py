"""Create sites, knowledge and identities for tests through the real services."""

from __future__ import annotations

import asyncio
import time
from dataclasses import dataclass
from typing import Any

from shopchat.commerce.registry import encrypt_store_credentials
from shopchat.db import Database
from shopchat.kit.identity import sign_identity
from shopchat.knowledge.service import add_entry
from shopchat.settings import Settings
from shopchat.site.service import SiteCredentials, create_site

ORIGIN = "https://shop.example"


@dataclass
class SiteFactory:
    settings: Settings

    def create(
        self,
        *,
        name: str = "Test shop",
        origins: tuple[str, ...] = (ORIGIN,),
        enforce_identity: bool = False,
        knowledge: tuple[tuple[str, str], ...] = (),
        settings: dict[str, Any] | None = None,
        store: tuple[str, str, str] | None = None,
    ) -> SiteCredentials:
        """A site; ``settings={"store": "demo"}`` for the demo shop, ``store=(url, key,
        secret)`` for a WooCommerce store."""
        return asyncio.run(
            self._create(name, origins, enforce_identity, knowledge, settings, store)
        )

    async def _create(
        self,
        name: str,
        origins: tuple[str, ...],
        enforce_identity: bool,
        knowledge: tuple[tuple[str, str], ...],
        settings: dict[str, Any] | None = None,
        store: tuple[str, str, str] | None = None,
    ) -> SiteCredentials:
        db = Database(self.settings)
        try:
            async with db.transaction() as session:
                site, credentials = await create_site(
                    session,
                    encryption_key=self.settings.encryption_key_bytes,
                    name=name,
                    origins=list(origins),
                    enforce_identity=enforce_identity,
                )
                if settings:
                    site.settings = {**site.settings, **settings}
                if store is not None:
                    site.store_url = store[0]
                    site.store_credentials_enc = encrypt_store_credentials(
                        consumer_key=store[1],
                        consumer_secret=store[2],
                        key=self.settings.encryption_key_bytes,
                    )
                for title, body in knowledge:
                    await add_entry(session, site_id=site.id, title=title, body=body)
            return credentials
        finally:
            await db.dispose()

    def run(self, coroutine_factory: Any) -> Any:
        """Run ``coroutine_factory(session)`` in one transaction on the test database."""

        async def run() -> Any:
            db = Database(self.settings)
            try:
                async with db.transaction() as session:
                    return await coroutine_factory(session)
            finally:
                await db.dispose()

        return asyncio.run(run())


def identity_token(
    credentials: SiteCredentials,
    *,
    sub: str = "42",
    name: str = "Anna Schmidt",
    status: str = "vip",
    lifetime: int = 900,
    secret: str | None = None,
    issuer: str | None = None,
    **claims: Any,
) -> str:
    now = int(time.time())
    payload = {
        "iss": issuer or credentials.site_key,
        "sub": sub,
        "iat": now,
        "exp": now + lifetime,
        "email": "anna@example.com",
        "name": name,
        "customer": {"status": status, "order_count": 14, "total_spent": "1890.00"},
        **claims,
    }
    return sign_identity(payload, secret=secret or credentials.identity_secret)
