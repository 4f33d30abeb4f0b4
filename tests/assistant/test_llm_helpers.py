"""Set-up shared by the LLM tests (no tests here): a site on the demo store with an LLM, deps."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from sqlalchemy import update

from shopchat.assistant.llm.config import seal_api_key
from shopchat.assistant.responder import HistoryItem, ResponderDeps, Turn
from shopchat.commerce.registry import StoreRegistry
from shopchat.db import Database
from shopchat.kit.identity import Identity
from shopchat.kit.ratelimit import MemoryRateLimiter
from shopchat.models import Site
from shopchat.settings import Settings
from tests.support.sites import SiteFactory

API_KEY = "sk-test-7f3a9c1e5b2d4f6a8c0e"
SHIPPING = ("How long does delivery take?", "Delivery takes 2 to 4 working days in Germany.")
RAVI = Identity(customer_id="102", email="ravi.sharma@example.com", name="Ravi Sharma")
SOFIA = Identity(customer_id="103", email="sofia.lindqvist@example.com", name="Sofia Lindqvist")


def llm_site(sites: SiteFactory, base_url: str, **llm: Any) -> uuid.UUID:
    """A site on the demo store whose assistant uses the LLM at ``base_url``."""
    credentials = sites.create(knowledge=(SHIPPING,))
    block = {
        "base_url": base_url,
        "model": "test-model",
        "api_key_enc": seal_api_key(API_KEY, settings=sites.settings),
        **llm,
    }

    async def configure(session: Any) -> uuid.UUID:
        site = await session.scalar(select_site(credentials.site_key))
        await session.execute(
            update(Site).where(Site.id == site.id).values(settings={"store": "demo", "llm": block})
        )
        return site.id  # type: ignore[no-any-return]

    return sites.run(configure)  # type: ignore[no-any-return]


def select_site(site_key: str) -> Any:
    from sqlalchemy import select

    return select(Site).where(Site.site_key == site_key)


@asynccontextmanager
async def responder_deps(settings: Settings) -> AsyncIterator[ResponderDeps]:
    db = Database(settings)
    stores = StoreRegistry(settings)
    limiter = MemoryRateLimiter()
    try:
        yield ResponderDeps(settings, db, limiter, stores)
    finally:
        await stores.aclose()
        await db.dispose()


async def turn_for(
    deps: ResponderDeps,
    site_id: uuid.UUID,
    text: str,
    *,
    customer: Identity | None = None,
    history: tuple[HistoryItem, ...] = (),
    language: str = "en",
) -> Turn:
    async with deps.db.transaction() as session:
        site = await session.get(Site, site_id)
        assert site is not None
        settings = dict(site.settings)
    return Turn(
        site_id=site_id,
        site_name="Northwind",
        site_settings=settings,
        conversation_id=uuid.uuid4(),
        text=text,
        language=language,
        customer=customer,
        history=history,
    )


class Deltas:
    """A stream sink that keeps every ``text so far`` it was given."""

    def __init__(self) -> None:
        self.texts: list[str] = []

    async def __call__(self, text_so_far: str) -> None:
        self.texts.append(text_so_far)
