"""The audit log: every console action, with who did it, written in the action's transaction."""

from __future__ import annotations

import uuid
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from shopchat.models import Event
from shopchat.models.tables import Agent


async def record(
    session: AsyncSession,
    *,
    agent: Agent,
    kind: str,
    site_id: uuid.UUID | None = None,
    conversation_id: uuid.UUID | None = None,
    data: dict[str, Any] | None = None,
) -> None:
    session.add(
        Event(
            account_id=agent.account_id,
            site_id=site_id,
            conversation_id=conversation_id,
            actor=f"agent:{agent.id}",
            kind=kind,
            data={"agent": agent.email, **(data or {})},
        )
    )
