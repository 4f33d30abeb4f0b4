"""Housekeeping deletes webhook deliveries and notifications done for over 30 days, and
nothing still pending; every server does it when it starts and hourly after."""

from __future__ import annotations

import asyncio
import time
import uuid
from datetime import datetime, timedelta

from sqlalchemy import select

from shopchat.app import create_app
from shopchat.db import Database
from shopchat.housekeeping import Pruned, prune
from shopchat.models import OrderEvent, OutboxItem
from shopchat.models.base import utcnow
from shopchat.notify.worker import MAX_ATTEMPTS
from shopchat.settings import Settings
from tests.support.server import ServerThread
from tests.support.sites import SiteFactory

LONG_AGO = timedelta(days=31)
LATELY = timedelta(days=29)


def seed(settings: Settings, now: datetime) -> None:
    site_id = uuid.UUID(SiteFactory(settings).create().site_id)

    async def rows(session):  # type: ignore[no-untyped-def]
        def event(name: str, received: timedelta, processed: timedelta | None) -> OrderEvent:
            return OrderEvent(
                site_id=site_id,
                delivery_id=name,
                topic="order.updated",
                received_at=now - received,
                processed_at=None if processed is None else now - processed,
            )

        def notification(
            name: str, created: timedelta, sent: timedelta | None, attempts: int
        ) -> OutboxItem:
            return OutboxItem(
                kind="notify.email",
                dedupe_key=name,
                created_at=now - created,
                sent_at=None if sent is None else now - sent,
                attempts=attempts,
            )

        session.add_all(
            [
                event("done-long-ago", LONG_AGO, LONG_AGO),
                event("done-lately", LONG_AGO, LATELY),
                event("never-processed", LONG_AGO, None),
                notification("sent-long-ago", LONG_AGO, LONG_AGO, 1),
                notification("sent-lately", LONG_AGO, LATELY, 1),
                notification("given-up-long-ago", LONG_AGO, None, MAX_ATTEMPTS),
                notification("given-up-lately", LATELY, None, MAX_ATTEMPTS),
                notification("still-retrying", LONG_AGO, None, 2),
            ]
        )

    SiteFactory(settings).run(rows)


def remaining(settings: Settings) -> tuple[set[str], set[str]]:
    async def read(session):  # type: ignore[no-untyped-def]
        events = set(await session.scalars(select(OrderEvent.delivery_id)))
        notifications = set(await session.scalars(select(OutboxItem.dedupe_key)))
        return events, notifications

    return SiteFactory(settings).run(read)  # type: ignore[no-any-return]


KEPT = (
    {"done-lately", "never-processed"},
    {"sent-lately", "given-up-lately", "still-retrying"},
)


def test_prune_deletes_only_what_was_done_before_the_retention(fresh_settings: Settings) -> None:
    now = utcnow()
    seed(fresh_settings, now)

    async def run() -> tuple[Pruned, Pruned]:
        db = Database(fresh_settings)
        try:
            return await prune(db, now=now), await prune(db, now=now)
        finally:
            await db.dispose()

    first, again = asyncio.run(run())
    assert first == Pruned(order_events=1, outbox=2)
    assert again == Pruned(order_events=0, outbox=0)
    assert remaining(fresh_settings) == KEPT


def test_a_starting_server_prunes(fresh_settings: Settings) -> None:
    seed(fresh_settings, utcnow())
    server = ServerThread(create_app(fresh_settings)).start()
    try:
        for _ in range(100):
            if remaining(fresh_settings) == KEPT:
                break
            time.sleep(0.05)
    finally:
        server.stop()
    assert remaining(fresh_settings) == KEPT
