"""Durability and effects seen from outside: restarts leave nothing unprocessed; product
updates reach the catalogue cache (the WooCommerce test store sees the reads again).

Each test has a database of its own, so that no other running app's worker takes its
deliveries.
"""

from __future__ import annotations

import asyncio
import json
import uuid
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from sqlalchemy import select

from shopchat.app import create_app
from shopchat.commerce.registry import encrypt_store_credentials
from shopchat.commerce.webhooks import service
from shopchat.models import Contact, Conversation, Message, OrderEvent, Site
from shopchat.settings import Settings
from shopchat.site.service import SiteCredentials
from tests.support.server import ServerThread
from tests.support.sites import SiteFactory
from tests.support.woocommerce_store import (
    CONSUMER_KEY,
    CONSUMER_SECRET,
    WooCommerceTestStore,
)
from tests.webhooks.helpers import delivery_headers, order_payload, wait_processed, webhook_url


def customer_in_chat(sites: SiteFactory, site: SiteCredentials) -> uuid.UUID:
    """A verified customer (id 42) who knows order 727 as processing, in an open chat."""

    async def make(session: Any) -> uuid.UUID:
        site_id = uuid.UUID(site.site_id)
        contact = Contact(
            site_id=site_id,
            external_id="42",
            segment="regular",
            context={"recent_orders": [{"id": 727, "number": "727", "status": "processing"}]},
        )
        session.add(contact)
        await session.flush()
        conversation = Conversation(site_id=site_id, contact_id=contact.id, session_id=uuid.uuid4())
        session.add(conversation)
        await session.flush()
        return conversation.id

    return sites.run(make)  # type: ignore[no-any-return]


def notice_texts(sites: SiteFactory, conversation_id: uuid.UUID) -> list[str]:
    async def load(session: Any) -> list[str]:
        stmt = select(Message.text).where(Message.conversation_id == conversation_id)
        return list((await session.scalars(stmt)).all())

    return sites.run(load)  # type: ignore[no-any-return]


def test_a_delivery_left_unprocessed_is_processed_when_the_app_starts(
    fresh_settings: Settings,
) -> None:
    sites = SiteFactory(fresh_settings)
    site = sites.create()
    conversation_id = customer_in_chat(sites, site)

    async def left_behind(session: Any) -> None:
        # What a process that answered and then died leaves: a stored, unprocessed row.
        session.add(
            OrderEvent(
                site_id=uuid.UUID(site.site_id),
                delivery_id="answered-then-died",
                topic="order.updated",
                payload=order_payload(status="completed"),
            )
        )

    sites.run(left_behind)
    app = ServerThread(create_app(fresh_settings)).start()
    try:
        (event,) = wait_processed(sites, site, count=1)
    finally:
        app.stop()
    assert event.delivery_id == "answered-then-died"
    assert notice_texts(sites, conversation_id) == ["Good news: your order #727 has shipped."]


def test_deliveries_answered_by_a_process_that_stopped_are_processed_by_the_next(
    fresh_settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    sites = SiteFactory(fresh_settings)
    site = sites.create()

    async def dies(*_args: Any, **_kwargs: Any) -> Any:
        raise RuntimeError("the process dies before the work is done")

    monkeypatch.setattr(service, "process", dies)
    first = ServerThread(create_app(fresh_settings)).start()
    try:
        for number in range(3):
            body = order_payload(order_id=100 + number)
            raw = json.dumps(body).encode()
            response = httpx.post(
                webhook_url(first.url, site),
                content=raw,
                headers=delivery_headers(raw, site.webhook_secret),
            )
            assert response.status_code == 200
    finally:
        first.stop()
    assert all(e.processed_at is None for e in wait_processed(sites, site, count=0))
    monkeypatch.undo()
    second = ServerThread(create_app(fresh_settings)).start()
    try:
        processed = wait_processed(sites, site, count=3)
    finally:
        second.stop()
    assert sorted(e.payload["id"] for e in processed) == [100, 101, 102]


@pytest.fixture
def woo() -> Iterator[WooCommerceTestStore]:
    with WooCommerceTestStore() as store:
        yield store


@pytest.fixture
def connected_site(fresh_settings: Settings, woo: WooCommerceTestStore) -> SiteCredentials:
    sites = SiteFactory(fresh_settings)
    site = sites.create()

    async def connect(session: Any) -> None:
        row = await session.get(Site, uuid.UUID(site.site_id))
        row.store_url = woo.url
        row.store_credentials_enc = encrypt_store_credentials(
            consumer_key=CONSUMER_KEY,
            consumer_secret=CONSUMER_SECRET,
            key=fresh_settings.encryption_key_bytes,
        )

    sites.run(connect)
    return site


async def test_a_product_update_makes_the_next_read_go_to_the_store(
    fresh_settings: Settings, woo: WooCommerceTestStore, connected_site: SiteCredentials
) -> None:
    changed, untouched = (p["id"] for p in woo.data["products"][:2])
    app = create_app(fresh_settings)
    async with app.router.lifespan_context(app):
        services = app.state.services
        async with services.db.transaction() as session:
            site = await session.get(Site, uuid.UUID(connected_site.site_id))
        store = services.stores.for_site(site)

        async def reads(product_id: int) -> int:
            await store.get_product(product_id)
            return len(woo.api_requests(f"products/{product_id}"))

        assert [await reads(changed), await reads(changed), await reads(untouched)] == [1, 1, 1]
        raw = b'{"id": %d, "name": "Renamed", "price": "1.00"}' % changed
        headers = delivery_headers(raw, connected_site.webhook_secret, topic="product.updated")
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://chat") as client:
            url = webhook_url("http://chat", connected_site)
            assert (await client.post(url, content=raw, headers=headers)).status_code == 200
        for _ in range(100):
            async with services.db.transaction() as session:
                event = await session.scalar(select(OrderEvent))
            if event is not None and event.processed_at is not None:
                break
            await asyncio.sleep(0.05)
        assert event is not None and event.processed_at is not None
        assert await reads(changed) == 2  # forgotten: read from the store again
        assert await reads(changed) == 2  # and cached again
        assert await reads(untouched) == 1
