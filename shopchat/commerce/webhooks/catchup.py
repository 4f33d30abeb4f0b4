"""Order catch-up: what WooCommerce's webhooks missed, read back from its REST API.

WooCommerce 9.9 never redelivers a failed delivery (it only counts failures, and disables
the webhook on the 7th in a row), so an order changed while shopchat was down or failing
is told by no webhook. Every few minutes each process reads, per connected site, the
orders modified since the last order event it has (``modified_after``) and stores each
one a contact of the site has not seen in that state as an ``order.updated`` delivery.
The webhook worker then processes it like any delivery: one path, one set of rules.
Two processes reading the same state store one row (same delivery id and body digest).
"""

from __future__ import annotations

import json
import logging
import uuid
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from shopchat.commerce.registry import StoreRegistry
from shopchat.commerce.store import StoreError
from shopchat.commerce.types import HIDDEN_ORDER_STATUSES
from shopchat.commerce.webhooks import repository
from shopchat.commerce.webhooks.service import content_digest
from shopchat.commerce.woocommerce import mapping
from shopchat.db import Database
from shopchat.kit.periodic import Periodic
from shopchat.models import Site
from shopchat.models.base import utcnow

log = logging.getLogger(__name__)

EVERY_SECONDS = 300.0
# Clocks of shop and chat server differ, and modified_after is strict at second resolution.
OVERLAP = timedelta(minutes=10)
FIRST_LOOKBACK = timedelta(days=1)  # a site that never sent an order event
MAX_ORDERS = 500  # per site and pass; the next pass goes on from the last one read
TOPIC = "order.updated"
DELIVERY_ID = "catch-up"


class OrderCatchUp:
    """Reads each connected site's recently modified orders and stores the unseen ones."""

    def __init__(
        self, db: Database, stores: StoreRegistry, *, wake: Callable[[], None] | None = None
    ) -> None:
        self.db = db
        self.stores = stores
        self.wake = wake
        self._read_up_to: dict[uuid.UUID, datetime] = {}  # this process's progress

    async def run_once(self) -> int:
        """One pass over every connected site; returns how many orders it stored."""
        async with self.db.transaction() as session:
            sites = await repository.sites_with_a_store(session)
        stored = 0
        for site in sites:
            try:
                stored += await self._site(site)
            except StoreError as exc:
                log.warning("order catch-up for site %s failed: %s", site.id, type(exc).__name__)
        if stored and self.wake is not None:
            self.wake()
        return stored

    async def _site(self, site: Site) -> int:
        store = self.stores.woocommerce_for_site(site)
        if store is None:
            return 0
        started = utcnow()
        since = await self._since(site.id, now=started)
        records = await store.order_records_modified_after(since, limit=MAX_ORDERS)
        async with self.db.transaction() as session:
            stored = await store_unseen_orders(session, site_id=site.id, records=records)
        last = mapping.timestamp(records[-1], "date_modified") if records else None
        # A full batch may have more behind it: go on from its last order, not from now.
        self._read_up_to[site.id] = last if len(records) >= MAX_ORDERS and last else started
        return stored

    async def _since(self, site_id: uuid.UUID, *, now: datetime) -> datetime:
        async with self.db.transaction() as session:
            seen = await repository.last_order_event_at(session, site_id=site_id)
        marks = [m for m in (seen, self._read_up_to.get(site_id)) if m is not None]
        return max(marks) - OVERLAP if marks else now - FIRST_LOOKBACK


async def store_unseen_orders(
    session: AsyncSession, *, site_id: uuid.UUID, records: list[dict[str, Any]]
) -> int:
    """Store as deliveries the orders of the site's contacts in a state not seen yet."""
    wanted = [r for r in records if _customer(r) and _plain_status(r) not in HIDDEN_ORDER_STATUSES]
    contacts = await repository.contacts_for_customers(
        session, site_id=site_id, customer_ids=(_customer(r) for r in wanted)
    )
    stored = 0
    for record in wanted:
        contact = contacts.get(_customer(record))
        if contact is None or _seen(contact.context or {}, record):
            continue
        body = json.dumps(record, sort_keys=True, separators=(",", ":")).encode()
        stored += await repository.insert_once(
            session,
            site_id=site_id,
            delivery_id=DELIVERY_ID,
            content_sha256=content_digest(TOPIC, body),
            topic=TOPIC,
            payload=record,
        )
    return stored


def _customer(record: dict[str, Any]) -> str:
    customer_id = mapping.integer(record.get("customer_id"))
    return str(customer_id) if customer_id > 0 else ""


def _plain_status(record: dict[str, Any]) -> str:
    return mapping.plain(record.get("status"))


def _seen(context: dict[str, Any], record: dict[str, Any]) -> bool:
    """Whether the contact's orders already hold this order at this modification or later."""
    seen = context.get("order_status_seen")
    last = seen.get(str(mapping.integer(record.get("id")))) if isinstance(seen, dict) else None
    modified = mapping.timestamp(record, "date_modified")
    if not isinstance(last, dict) or not last.get("modified") or modified is None:
        return False
    return str(last["modified"]) >= modified.isoformat()


def start_order_catch_up(
    db: Database,
    stores: StoreRegistry,
    *,
    wake: Callable[[], None] | None = None,
    every_seconds: float = EVERY_SECONDS,
) -> Periodic | None:
    """The catch-up as a background job (None when ``every_seconds`` is 0: turned off)."""
    if every_seconds <= 0:
        return None
    catch_up = OrderCatchUp(db, stores, wake=wake)
    return Periodic("order-catch-up", catch_up.run_once, every_seconds=every_seconds).start()
