"""Helpers for the built-in engine's tests: a demo-shop site and the engine called in-process."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass, field

import pytest

from shopchat.assistant.engine import AssistantResponder
from shopchat.assistant.responder import HistoryItem, Reply, ResponderDeps, Turn
from shopchat.commerce.registry import StoreRegistry
from shopchat.db import Database
from shopchat.kit.identity import Identity
from shopchat.kit.ratelimit import MemoryRateLimiter
from shopchat.settings import Settings
from shopchat.site.service import SiteCredentials
from tests.support.sites import SiteFactory
from tests.support.woocommerce_store import (
    CONSUMER_KEY,
    CONSUMER_SECRET,
    WooCommerceTestStore,
    running_store,
)

SHOP = "Northwind Outfitters"
KNOWLEDGE = (
    (
        "Cancelling or changing an order",
        "Orders can be cancelled or changed free of charge until they have shipped.",
    ),
    (
        "Returns and refunds",
        "You can return unworn items within 30 days. Refunds reach your account within "
        "5 business days after the return arrives.",
    ),
    ("Gift wrapping", "We gift-wrap any order for 3 euros; add a note at checkout."),
)
NORA = Identity("101", email="nora.newman@example.com", name="Nora Newman", segment="new")
RAVI = Identity("102", email="ravi.sharma@example.com", name="Ravi Sharma", segment="regular")
SOFIA = Identity("103", email="sofia.lindqvist@example.com", name="Sofia Lindqvist", segment="vip")


@dataclass
class Bot:
    """The engine with the app's real dependencies, asked one turn at a time."""

    engine: AssistantResponder
    site_id: uuid.UUID
    conversation_id: uuid.UUID = field(default_factory=uuid.uuid4)
    history: list[HistoryItem] = field(default_factory=list)
    low_confidence_turns: int = 0

    async def ask(
        self,
        text: str,
        *,
        customer: Identity | None = None,
        language: str | None = None,
        remember: bool = True,
    ) -> Reply:
        turn = Turn(
            site_id=self.site_id,
            site_name=SHOP,
            site_settings={},
            conversation_id=self.conversation_id,
            text=text,
            language=language,
            customer=customer,
            history=tuple(self.history),
            low_confidence_turns=self.low_confidence_turns,
        )
        reply = await self.engine.respond(turn, stream=_ignore)
        assert reply is not None
        if remember:
            self.history += [HistoryItem("customer", text), HistoryItem("assistant", reply.text)]
            low = reply.meta["confidence"] < 0.5
            self.low_confidence_turns = self.low_confidence_turns + 1 if low else 0
        return reply

    def fresh(self) -> Bot:
        """A new conversation on the same site."""
        return Bot(self.engine, self.site_id)


async def _ignore(_text: str) -> None:
    return None


@pytest.fixture(name="demo_site")
def demo_site_fixture(sites: SiteFactory) -> SiteCredentials:
    return sites.create(name=SHOP, knowledge=KNOWLEDGE, settings={"store": "demo"})


@pytest.fixture(name="wc_store")
def wc_store_fixture() -> Iterator[WooCommerceTestStore]:
    with running_store() as store:
        yield store


@pytest.fixture(name="woo_site")
def woo_site_fixture(sites: SiteFactory, wc_store: WooCommerceTestStore) -> SiteCredentials:
    return sites.create(
        name=SHOP, knowledge=KNOWLEDGE, store=(wc_store.url, CONSUMER_KEY, CONSUMER_SECRET)
    )


async def make_bot(settings: Settings, credentials: SiteCredentials) -> AsyncIterator[Bot]:
    db = Database(settings)
    stores = StoreRegistry(settings)
    deps = ResponderDeps(settings, db, MemoryRateLimiter(), stores)
    try:
        yield Bot(AssistantResponder(deps), uuid.UUID(str(credentials.site_id)))
    finally:
        await stores.aclose()
        await db.dispose()


@pytest.fixture(name="bot")
async def bot_fixture(backend_settings: Settings, demo_site: SiteCredentials) -> AsyncIterator[Bot]:
    async for made in make_bot(backend_settings, demo_site):
        yield made


@pytest.fixture(name="woo_bot")
async def woo_bot_fixture(
    backend_settings: Settings, woo_site: SiteCredentials
) -> AsyncIterator[Bot]:
    async for made in make_bot(backend_settings, woo_site):
        yield made
