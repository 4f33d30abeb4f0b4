"""Order catch-up: an order changed while shopchat was down reaches the customer anyway.

WooCommerce never redelivers a failed delivery, so the catch-up reads the orders modified
since the last order event (REST ``modified_after``) from the WooCommerce stand-in and
feeds them to the webhook worker, which processes them like deliveries.
"""

from __future__ import annotations

import asyncio
import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import select

from shopchat.app import create_app
from shopchat.commerce.registry import StoreRegistry
from shopchat.commerce.webhooks.catchup import OrderCatchUp
from shopchat.db import Database
from shopchat.models import Message
from shopchat.settings import Settings
from tests.support.chat import open_session
from tests.support.server import ServerThread
from tests.support.sites import SiteFactory, identity_token
from tests.support.woocommerce_store import CONSUMER_KEY, CONSUMER_SECRET, running_store
from tests.webhooks.helpers import deliver, order_payload, wait_processed

KNOWN = {"id": 1014, "number": "1014", "status": "processing", "total": "89.00"}


def notices(sites: SiteFactory, conversation_id: str) -> list[str]:
    async def load(session: Any) -> list[str]:
        stmt = select(Message).where(Message.conversation_id == uuid.UUID(conversation_id))
        return [m.text for m in (await session.scalars(stmt)).all() if m.meta.get("proactive")]

    return sites.run(load)  # type: ignore[no-any-return]


async def catch_up_twice(settings: Settings) -> tuple[int, int]:
    db, stores = Database(settings), StoreRegistry(settings)
    try:
        catch_up = OrderCatchUp(db, stores)
        return await catch_up.run_once(), await catch_up.run_once()
    finally:
        await stores.aclose()
        await db.dispose()


def test_an_order_changed_while_shopchat_was_down_is_caught_up(fresh_settings: Settings) -> None:
    settings = fresh_settings.model_copy(update={"order_catch_up_seconds": 0})
    with running_store() as shop:
        sites = SiteFactory(settings)
        site = sites.create(store=(shop.url, CONSUMER_KEY, CONSUMER_SECRET))
        app = ServerThread(create_app(settings)).start()
        try:
            token = identity_token(site, sub="103", recent_orders=[KNOWN])
            session = open_session(app.url, site, identity=token)
            processing = next(o for o in shop.data["orders"] if o["id"] == 1014)
            last_seen = order_payload(
                order_id=1014,
                customer_id=103,
                status="processing",
                modified=processing["date_modified_gmt"],
            )
            deliver(app.url, site, last_seen)  # the last event before shopchat went down
            wait_processed(sites, site, count=1)
            shop.update_order(1014, status="completed")  # its webhook failed: never resent
            first, second = asyncio.run(catch_up_twice(settings))
            assert (first, second) == (1, 0)  # the second pass finds it seen
            wait_processed(sites, site, count=2)
            told = notices(sites, session["conversation_id"])
        finally:
            app.stop()
    assert told == ["Good news: your order #1014 has shipped. Tracking: UPS 1Z999AA10123456784"]
    asked = shop.api_requests("orders")[-1].params
    assert asked["dates_are_gmt"] == "true" and asked["orderby"] == "modified"
    after = datetime.fromisoformat(asked["modified_after"])
    assert after.tzinfo is None  # an offset would be turned into shop-local time by WordPress
