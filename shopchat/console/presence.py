"""Presence from open consoles: an agent whose every console closed goes offline on its own.

Each console WebSocket is a ``console_sockets`` row, live while ``expires_at`` is ahead:
heartbeats push it forward, closing sets it to now, and a process that dies simply stops
pushing — so every process sees the same count. When an agent's last socket has been
closed for ``GRACE_SECONDS`` (a page reload reconnects well within it), a sweep sets the
agent offline and remembers what they were in ``agent_presence.restore_to``; their next
console socket brings that back. Sweeps run after each close and on every heartbeat of any
console of the account, so a dead process's agents are swept by whoever is still there.
"""

from __future__ import annotations

import asyncio
import logging
import uuid
from datetime import timedelta

from sqlalchemy import delete, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from shopchat.console import live, routing, service
from shopchat.console.live import Outcome
from shopchat.models.base import utcnow
from shopchat.models.tables import Agent, AgentPresence, ConsoleSocket
from shopchat.services import Services

log = logging.getLogger(__name__)

GRACE_SECONDS = 15.0
HEARTBEAT_SECONDS = 20.0
LEASE_SECONDS = 60.0  # a socket not heard of for this long (its process died) is closed
_sweeps: set[asyncio.Task[None]] = set()


async def _locked_agent(session: AsyncSession, agent_id: uuid.UUID) -> Agent | None:
    # The lock orders an opening socket against a sweep of the same agent on PostgreSQL.
    return await session.scalar(select(Agent).where(Agent.id == agent_id).with_for_update())


async def opened(session: AsyncSession, *, agent_id: uuid.UUID) -> tuple[uuid.UUID, list[Outcome]]:
    """Count a new console socket; bring back the availability a sweep took away."""
    agent = await _locked_agent(session, agent_id)
    assert agent is not None
    socket = ConsoleSocket(
        agent_id=agent.id, expires_at=utcnow() + timedelta(seconds=LEASE_SECONDS)
    )
    session.add(socket)
    presence = await session.get(AgentPresence, agent.id)
    outcomes: list[Outcome] = []
    if presence is not None:
        if presence.restore_to and agent.availability == "offline":
            outcomes = await service.announce_availability(
                session, agent=agent, availability=presence.restore_to
            )
        await session.delete(presence)
    await session.flush()
    return socket.id, outcomes


async def heartbeat(session: AsyncSession, *, socket_id: uuid.UUID) -> None:
    await session.execute(
        update(ConsoleSocket)
        .where(ConsoleSocket.id == socket_id)
        .values(expires_at=utcnow() + timedelta(seconds=LEASE_SECONDS))
    )


async def closed(session: AsyncSession, *, socket_id: uuid.UUID) -> None:
    """The socket no longer counts; its row stays until a sweep past the grace period."""
    await session.execute(
        update(ConsoleSocket).where(ConsoleSocket.id == socket_id).values(expires_at=utcnow())
    )


async def sweep(session: AsyncSession, *, account_id: uuid.UUID) -> list[Outcome]:
    """Set offline the account's agents whose last console closed more than the grace ago."""
    cutoff = utcnow() - timedelta(seconds=GRACE_SECONDS)
    stale = await session.scalars(
        select(ConsoleSocket.agent_id)
        .join(Agent, Agent.id == ConsoleSocket.agent_id)
        .where(Agent.account_id == account_id, ConsoleSocket.expires_at <= cutoff)
        .distinct()
    )
    outcomes: list[Outcome] = []
    for agent_id in sorted(set(stale.all())):
        outcomes += await _sweep_agent(session, agent_id, cutoff)
    return outcomes


async def _sweep_agent(session: AsyncSession, agent_id: uuid.UUID, cutoff: object) -> list[Outcome]:
    agent = await _locked_agent(session, agent_id)
    await session.execute(
        delete(ConsoleSocket).where(
            ConsoleSocket.agent_id == agent_id, ConsoleSocket.expires_at <= cutoff
        )
    )
    remaining = await session.scalar(
        select(ConsoleSocket.id).where(ConsoleSocket.agent_id == agent_id).limit(1)
    )
    if agent is None or remaining is not None or agent.availability == "offline":
        return []  # still open somewhere, or within the grace period of a close
    presence = await session.get(AgentPresence, agent.id)
    if presence is None:
        presence = AgentPresence(agent_id=agent.id)
        session.add(presence)
    presence.restore_to = agent.availability
    return await service.announce_availability(session, agent=agent, availability="offline")


async def sweep_and_publish(services: Services, account_id: uuid.UUID) -> None:
    async with services.db.transaction() as session:
        outcomes = await sweep(session, account_id=account_id)
    for outcome in outcomes:
        await live.publish(services.bus, outcome)


def sweep_after_grace(services: Services, account_id: uuid.UUID) -> None:
    """After a socket closed: sweep once the grace period is over, outside the connection."""

    async def later() -> None:
        try:
            await asyncio.sleep(GRACE_SECONDS + 0.2)
            await sweep_and_publish(services, account_id)
        except asyncio.CancelledError:
            pass
        except Exception:
            log.exception("presence sweep failed; the next heartbeat of the account retries")

    task = asyncio.create_task(later())
    _sweeps.add(task)
    task.add_done_callback(_sweeps.discard)


async def socket_opened(
    services: Services, agent_id: uuid.UUID, account_id: uuid.UUID
) -> uuid.UUID:
    """Count a console socket; publish a restored availability and offer the queue."""
    async with services.db.transaction() as session:
        socket_id, outcomes = await opened(session, agent_id=agent_id)
    for outcome in outcomes:
        await live.publish(services.bus, outcome)
    if outcomes:
        await routing.offer_waiting(services.db, services.bus, account_id)
    return socket_id
