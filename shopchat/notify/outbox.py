"""Writing outbox items, in the caller's transaction, once per event and channel."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from shopchat.models import OutboxItem, Site
from shopchat.models.base import utcnow

CHANNELS = ("slack", "discord", "email", "webhook")
_REQUIRED = {"slack": "webhook_url", "discord": "webhook_url", "email": "to", "webhook": "url"}


def configured_channels(site: Site) -> list[str]:
    """The channels of ``site.settings["integrations"]`` that are set up and enabled."""
    integrations = (site.settings or {}).get("integrations") or {}
    found = []
    for channel in CHANNELS:
        config = integrations.get(channel)
        if not isinstance(config, dict):
            continue
        if config.get(_REQUIRED[channel]) and config.get("enabled", True):
            found.append(channel)
    return found


async def enqueue(
    session: AsyncSession,
    *,
    kind: str,
    dedupe_key: str,
    payload: dict[str, Any],
    site_id: Any = None,
    not_before: datetime | None = None,
) -> bool:
    """Add one item unless its dedupe key exists; returns whether it was added."""
    if await session.scalar(select(OutboxItem.id).where(OutboxItem.dedupe_key == dedupe_key)):
        return False
    item = OutboxItem(
        site_id=site_id,
        kind=kind,
        dedupe_key=dedupe_key[:200],
        payload=payload,
        next_attempt_at=not_before or utcnow(),
    )
    try:
        async with session.begin_nested():  # a concurrent twin loses here, not the caller
            session.add(item)
            await session.flush()
    except IntegrityError:
        return False
    return True


async def enqueue_notifications(
    session: AsyncSession, *, site: Site, event_key: str, payload: dict[str, Any]
) -> int:
    """One outbox item per configured channel for this event; returns how many were new."""
    added = 0
    for channel in configured_channels(site):
        added += await enqueue(
            session,
            kind=f"notify.{channel}",
            dedupe_key=f"{event_key}:{channel}",
            payload=payload,
            site_id=site.id,
        )
    return added
