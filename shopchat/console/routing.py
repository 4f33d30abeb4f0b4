"""Automatic assignment: the least-loaded online agent (of the team, if any) with room left.

Runs from the outbox worker after a hand-off (``console.auto_assign`` items), and when an
agent comes online. Sites opt in with ``site.settings["routing"] = {"auto_assign": true}``.
"""

from __future__ import annotations

import uuid

from sqlalchemy import Select, select
from sqlalchemy.ext.asyncio import AsyncSession

from shopchat.bus import Bus
from shopchat.console import repository
from shopchat.console.live import Outcome, publish
from shopchat.console.service import _assignment, _system, _take
from shopchat.db import Database
from shopchat.models import Conversation, Event, Site
from shopchat.models.base import utcnow
from shopchat.models.tables import Agent, ConsoleSocket, ConversationRouting

ASSIGNABLE_ROLES = ("owner", "admin", "supervisor", "agent")


def auto_assign_enabled(site: Site) -> bool:
    return bool((site.settings.get("routing") or {}).get("auto_assign"))


def live_console_agents() -> Select[uuid.UUID]:
    """Agents with at least one live console socket, in any process (see ``presence``)."""
    return select(ConsoleSocket.agent_id).where(ConsoleSocket.expires_at > utcnow())


async def pick_agent(
    session: AsyncSession, *, account_id: uuid.UUID, team_id: uuid.UUID | None
) -> Agent | None:
    stmt = select(Agent).where(
        Agent.account_id == account_id,
        Agent.availability == "online",
        Agent.role.in_(ASSIGNABLE_ROLES),
        Agent.deactivated_at.is_(None),
        Agent.id.in_(live_console_agents()),  # "online" with every console closed is not here
    )
    if team_id is not None:
        stmt = stmt.where(Agent.id.in_(await repository.team_members(session, team_id)))
    candidates = list((await session.scalars(stmt)).all())
    load = await repository.open_load(session, [a.id for a in candidates])
    free = [a for a in candidates if load[a.id] < a.capacity]
    if not free:
        return None
    return min(free, key=lambda a: (load[a.id] / max(a.capacity, 1), load[a.id], a.created_at))


async def auto_assign(session: AsyncSession, *, conversation_id: uuid.UUID) -> Outcome | None:
    """Assign a waiting conversation if someone can take it; None when nobody can."""
    conversation = await session.get(Conversation, conversation_id)
    if conversation is None or conversation.status != "waiting" or conversation.assignee_id:
        return None
    site = await session.get(Site, conversation.site_id)
    if site is None or not auto_assign_enabled(site):
        return None
    routing = await session.get(ConversationRouting, conversation.id)
    agent = await pick_agent(
        session, account_id=site.account_id, team_id=routing.team_id if routing else None
    )
    if agent is None:
        return None
    await _take(session, conversation, agent)
    joined = await _system(session, conversation, f"{agent.name} joined the chat.", "agent_joined")
    session.add(
        Event(
            account_id=site.account_id,
            site_id=site.id,
            conversation_id=conversation.id,
            actor="system:auto_assign",
            kind="conversation.auto_assigned",
            data={"agent": agent.email},
        )
    )
    return Outcome(
        site.id,
        conversation.id,
        public=[joined, {"type": "status", "status": "agent"}],
        private=[_assignment(conversation, agent)],
    )


async def waiting_to_assign(session: AsyncSession, account_id: uuid.UUID) -> list[uuid.UUID]:
    """Waiting conversations of the account's auto-assigning sites, oldest first."""
    sites = [
        s.id for s in await repository.account_sites(session, account_id) if auto_assign_enabled(s)
    ]
    if not sites:
        return []
    rows = await session.scalars(
        select(Conversation.id)
        .where(Conversation.site_id.in_(sites), Conversation.status == "waiting")
        .order_by(Conversation.updated_at)
        .limit(50)
    )
    return list(rows.all())


async def offer_waiting(db: Database, bus: Bus, account_id: uuid.UUID) -> None:
    """Someone became available: hand out waiting conversations until nobody can take one."""
    async with db.transaction() as session:
        waiting = await waiting_to_assign(session, account_id)
    for conversation_id in waiting:
        async with db.transaction() as session:
            assigned = await auto_assign(session, conversation_id=conversation_id)
        if assigned is None:
            return
        await publish(bus, assigned)
