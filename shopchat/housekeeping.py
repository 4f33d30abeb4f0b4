"""Keeps the tables that only grow in check.

Webhook deliveries (``order_events``) and notifications (``outbox``) are kept after they
are done so that their unique keys turn duplicate deliveries and retries into no-ops, and
so an operator can see what was sent. Both needs pass within days (WooCommerce never
redelivers a failed delivery, and a duplicate arrives within seconds; missed orders are
read back by the catch-up job, docs/store-adapter.md), so rows done for longer than
``RETENTION`` are deleted, once an hour, by every process (the deletes are idempotent).
Conversations and messages are the shop's history and are never deleted here.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, cast

from sqlalchemy import CursorResult, Result, and_, delete, or_

from shopchat.db import Database
from shopchat.kit.periodic import Periodic
from shopchat.models import OrderEvent, OutboxItem
from shopchat.models.base import utcnow
from shopchat.notify.worker import MAX_ATTEMPTS

log = logging.getLogger(__name__)

RETENTION = timedelta(days=30)
EVERY_SECONDS = 3600.0


@dataclass(frozen=True, slots=True)
class Pruned:
    order_events: int
    outbox: int


async def prune(db: Database, *, now: datetime | None = None) -> Pruned:
    """Delete deliveries processed, and notifications sent or given up, before RETENTION."""
    cutoff = (now or utcnow()) - RETENTION
    async with db.transaction() as session:
        events = await session.execute(delete(OrderEvent).where(OrderEvent.processed_at < cutoff))
        notifications = await session.execute(
            delete(OutboxItem).where(
                or_(
                    OutboxItem.sent_at < cutoff,
                    and_(
                        OutboxItem.sent_at.is_(None),
                        OutboxItem.attempts >= MAX_ATTEMPTS,
                        OutboxItem.created_at < cutoff,
                    ),
                )
            )
        )
    pruned = Pruned(order_events=_count(events), outbox=_count(notifications))
    if pruned.order_events or pruned.outbox:
        log.info("housekeeping deleted %s", pruned)
    return pruned


def _count(result: Result[Any]) -> int:
    return cast("CursorResult[Any]", result).rowcount  # a DELETE's result is a cursor's


def start_housekeeping(db: Database, *, every_seconds: float = EVERY_SECONDS) -> Periodic:
    async def run() -> None:
        await prune(db)

    return Periodic("housekeeping", run, every_seconds=every_seconds).start()
