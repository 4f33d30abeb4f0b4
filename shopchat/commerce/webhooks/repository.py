"""Every query of the webhook receiver and its worker."""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from datetime import datetime
from typing import Any

from sqlalchemy import func, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncSession

from shopchat.models import Contact, OrderEvent, Site

ORDER_EVENT_TOPICS = ("order.created", "order.updated")


async def insert_once(
    session: AsyncSession,
    *,
    site_id: uuid.UUID,
    delivery_id: str,
    content_sha256: str,
    topic: str,
    payload: dict[str, Any],
) -> bool:
    """Store a delivery unless the site has it already; True when it is new."""
    values = {
        "site_id": site_id,
        "delivery_id": delivery_id,
        "content_sha256": content_sha256,
        "topic": topic,
        "payload": payload,
    }
    dialect = session.get_bind().dialect.name
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    stmt = (
        insert(OrderEvent)
        .values(**values)
        .on_conflict_do_nothing(index_elements=["site_id", "delivery_id", "content_sha256"])
        .returning(OrderEvent.id)
    )
    return (await session.execute(stmt)).first() is not None


async def due_ids(session: AsyncSession, *, limit: int) -> list[uuid.UUID]:
    """The oldest unprocessed deliveries (any site)."""
    stmt = (
        select(OrderEvent.id)
        .where(OrderEvent.processed_at.is_(None))
        .order_by(OrderEvent.received_at)
        .limit(limit)
    )
    return list((await session.scalars(stmt)).all())


async def lock_unprocessed(
    session: AsyncSession, event_id: uuid.UUID, *, skip_locked: bool
) -> OrderEvent | None:
    """The delivery, locked for this transaction, unless done already or another has it."""
    stmt = select(OrderEvent).where(OrderEvent.id == event_id, OrderEvent.processed_at.is_(None))
    if skip_locked:
        stmt = stmt.with_for_update(skip_locked=True)
    return await session.scalar(stmt)


async def mark_processed(session: AsyncSession, event_id: uuid.UUID, *, at: datetime) -> None:
    await session.execute(
        update(OrderEvent).where(OrderEvent.id == event_id).values(processed_at=at)
    )


async def contact_for_customer(
    session: AsyncSession, *, site_id: uuid.UUID, customer_id: str, lock: bool
) -> Contact | None:
    stmt = select(Contact).where(Contact.site_id == site_id, Contact.external_id == customer_id)
    if lock:
        stmt = stmt.with_for_update()
    return await session.scalar(stmt)


async def last_order_event_at(session: AsyncSession, *, site_id: uuid.UUID) -> datetime | None:
    """When the site's newest order delivery (or caught-up order) was received."""
    stmt = select(func.max(OrderEvent.received_at)).where(
        OrderEvent.site_id == site_id, OrderEvent.topic.in_(ORDER_EVENT_TOPICS)
    )
    return await session.scalar(stmt)


async def contacts_for_customers(
    session: AsyncSession, *, site_id: uuid.UUID, customer_ids: Iterable[str]
) -> dict[str, Contact]:
    """The site's contacts by WooCommerce customer id."""
    wanted = sorted(set(customer_ids))
    if not wanted:
        return {}
    stmt = select(Contact).where(Contact.site_id == site_id, Contact.external_id.in_(wanted))
    return {c.external_id: c for c in (await session.scalars(stmt)).all() if c.external_id}


async def sites_with_a_store(session: AsyncSession) -> list[Site]:
    """Every site connected to a WooCommerce store (any account)."""
    stmt = select(Site).where(Site.store_url.is_not(None), Site.store_credentials_enc.is_not(None))
    return list((await session.scalars(stmt)).all())
