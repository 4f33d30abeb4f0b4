"""The customer panel's recent orders: asked of the shop while the agent waits, briefly.

A verified contact's ``external_id`` is their WooCommerce customer id. The store is asked
outside any database transaction, for at most ``STORE_TIMEOUT`` seconds; when it fails,
is slow, or the site has no store, the panel shows the orders the shop put in the
customer's last signed identity (``Contact.context``), marked as such.
"""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass
from typing import Any

from shopchat.commerce.registry import StoreRegistry
from shopchat.commerce.types import Order
from shopchat.models import Contact, Site

log = logging.getLogger(__name__)

STORE_TIMEOUT = 3.0
LIMIT = 5


@dataclass(frozen=True, slots=True)
class OrderLine:
    number: str
    status: str
    total: str


@dataclass(frozen=True, slots=True)
class RecentOrders:
    lines: list[OrderLine]
    live: bool  # False: from the last sign-in's claims
    store_failed: bool = False


async def recent_orders(stores: StoreRegistry, *, site: Site, contact: Contact) -> RecentOrders:
    """Live from the site's store for a verified customer, else from the identity claims."""
    customer_id = _customer_id(contact)
    store = stores.for_site(site) if customer_id else None
    if store is None or customer_id is None:
        return _from_claims(contact)
    try:
        found = await asyncio.wait_for(
            store.orders_for_customer(customer_id, limit=LIMIT), STORE_TIMEOUT
        )
    except Exception as exc:  # a panel without live orders beats a page that fails
        log.warning("recent orders of site %s: %s", site.id, type(exc).__name__)
        return _from_claims(contact, store_failed=True)
    return RecentOrders([_line(o) for o in found], live=True)


def _customer_id(contact: Contact) -> int | None:
    raw = (contact.external_id or "").strip()
    return int(raw) if raw.isdigit() and int(raw) > 0 else None


def _from_claims(contact: Contact, *, store_failed: bool = False) -> RecentOrders:
    claimed = (contact.context or {}).get("recent_orders") or []
    lines = [_claimed_line(o) for o in claimed if isinstance(o, dict)][:LIMIT]
    return RecentOrders(lines, live=False, store_failed=store_failed)


def _line(order: Order) -> OrderLine:
    total = f"{order.total} {order.currency}".strip() if order.total is not None else ""
    return OrderLine(order.number or str(order.id), order.status, total)


def _claimed_line(order: dict[str, Any]) -> OrderLine:
    number = order.get("number") or order.get("id") or ""
    return OrderLine(str(number), str(order.get("status", "")), str(order.get("total", "")))
