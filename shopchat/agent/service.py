"""Agents of an account: creating them, and managing them (roles act only downward).

Every management action is one function here, used by the console's team page and the
command line alike. ``actor`` is the signed-in agent, or None for the command line (the
operator, who may do anything).
"""

from __future__ import annotations

import re
import uuid

from argon2 import PasswordHasher
from sqlalchemy import delete, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from shopchat.console.handoff import mark_waiting
from shopchat.console.live import Outcome
from shopchat.console.repository import account_sites, agent_in_account
from shopchat.console.service import _assignment
from shopchat.kit.errors import BadInput, Conflict, Forbidden, NotFound
from shopchat.models import Agent, Conversation, Event, Site
from shopchat.models.base import utcnow
from shopchat.models.tables import AgentPresence, AgentSession
from shopchat.notify.outbox import enqueue
from shopchat.site import repository as sites

ROLES = ("owner", "admin", "supervisor", "agent", "trainee")
RANK = {role: len(ROLES) - i for i, role in enumerate(ROLES)}  # owner 5 … trainee 1
MANAGERS = frozenset({"owner", "admin"})
MIN_PASSWORD_CHARS = 10
MAX_CAPACITY = 100
_EMAIL = re.compile(r"^[^@\s]{1,64}@[^@\s]{1,190}\.[^@\s]{2,}$")
_hasher = PasswordHasher()


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def require_above(actor: Agent, target: Agent, *, self_ok: bool = False) -> None:
    """Managers act only on agents of a lower role (``self_ok``: or on themselves)."""
    if self_ok and actor.id == target.id:
        return
    if actor.role not in MANAGERS:
        raise Forbidden("only admins and owners manage the team", code="role_required")
    if RANK.get(actor.role, 0) <= RANK.get(target.role, 0):
        raise Forbidden("you can only manage agents of a lower role than yours", code="role_rank")


def require_may_give(actor: Agent, role: str) -> None:
    """A role given is below the giver's own; an owner may also make co-owners."""
    if role not in ROLES:
        raise BadInput(f"role must be one of {', '.join(ROLES)}", code="bad_role")
    if actor.role not in MANAGERS:
        raise Forbidden("only admins and owners manage the team", code="role_required")
    if RANK[role] >= RANK[actor.role] and not (actor.role == "owner" and role == "owner"):
        raise Forbidden("you can only give roles below your own", code="role_rank")


async def create_agent_for_site(
    session: AsyncSession, *, site_key: str, email: str, name: str, role: str, password: str
) -> Agent:
    """Create an agent in the account that owns the site."""
    site = await sites.get_site_by_key(session, site_key)
    if site is None:
        raise NotFound("unknown site key", code="site_not_found")
    email = email.strip().lower()
    if not _EMAIL.match(email):
        raise BadInput(f"not an email address: {email!r}")
    if role not in ROLES:
        raise BadInput(f"role must be one of {', '.join(ROLES)}")
    if len(password) < MIN_PASSWORD_CHARS:
        raise BadInput(f"password must be at least {MIN_PASSWORD_CHARS} characters")
    # Emails are unique across accounts (sign-in is by email alone); the answer is the same
    # whichever account has it and names neither the email nor the account.
    if await session.scalar(select(Agent.id).where(Agent.email == email)):
        raise Conflict(
            "this email address cannot be used for a new agent; use another one",
            code="email_unavailable",
        )
    agent = Agent(
        account_id=site.account_id,
        email=email,
        name=name.strip()[:200] or email,
        role=role,
        password_hash=hash_password(password),
    )
    session.add(agent)
    await session.flush()
    return agent


async def agent_of_account(
    session: AsyncSession, *, account_id: uuid.UUID, agent_id: uuid.UUID
) -> Agent:
    agent = await agent_in_account(session, account_id=account_id, agent_id=agent_id)
    if agent is None:
        raise NotFound("no such agent in your account", code="agent_not_found")
    return agent


async def agent_of_site(session: AsyncSession, *, site_key: str, email: str) -> Agent:
    """For the command line: the agent with this email in the account of the site."""
    site = await sites.get_site_by_key(session, site_key)
    if site is None:
        raise NotFound("unknown site key", code="site_not_found")
    agent = await session.scalar(
        select(Agent).where(
            Agent.account_id == site.account_id, Agent.email == email.strip().lower()
        )
    )
    if agent is None:
        raise NotFound("no such agent in this site's account", code="agent_not_found")
    return agent


def _audit(
    session: AsyncSession, actor: Agent | None, target: Agent, kind: str, **data: object
) -> None:
    session.add(
        Event(
            account_id=target.account_id,
            actor=f"agent:{actor.id}" if actor else "cli",
            kind=kind,
            data={
                "agent": actor.email if actor else None,
                "target": str(target.id),
                "email": target.email,
                **data,
            },
        )
    )


def _signed_out(sites_of_account: list[Site], target: Agent) -> list[Outcome]:
    """Tell every console socket of the agent, in any process, to close now."""
    event = {"type": "agent_signed_out", "agent_id": str(target.id)}
    # Not about one conversation; the site id stands in so consoles route it.
    return [Outcome(site.id, site.id, private=[event]) for site in sites_of_account]


async def revoke_sessions(
    session: AsyncSession, *, actor: Agent | None, target: Agent
) -> tuple[int, list[Outcome]]:
    """End every console session of the agent; returns how many, and what to publish."""
    if actor is not None:
        require_above(actor, target, self_ok=True)
    count = await _end_sessions(session, target)
    _audit(session, actor, target, "agent.sessions_revoked", count=count)
    return count, _signed_out(await account_sites(session, target.account_id), target)


async def _end_sessions(session: AsyncSession, target: Agent) -> int:
    result = await session.execute(
        update(AgentSession)
        .where(AgentSession.agent_id == target.id, AgentSession.revoked_at.is_(None))
        .values(revoked_at=utcnow())
    )
    return int(getattr(result, "rowcount", 0) or 0)


async def change_role(
    session: AsyncSession, *, actor: Agent | None, target: Agent, role: str
) -> None:
    if actor is not None:
        require_above(actor, target)
        require_may_give(actor, role)
    elif role not in ROLES:
        raise BadInput(f"role must be one of {', '.join(ROLES)}", code="bad_role")
    if role != target.role:
        _audit(session, actor, target, "agent.role_changed", previous=target.role, role=role)
        target.role = role


async def edit_agent(
    session: AsyncSession,
    *,
    actor: Agent | None,
    target: Agent,
    name: str | None = None,
    capacity: int | None = None,
) -> None:
    """Rename an agent (anyone themselves) or set how many chats they take (downward only)."""
    if capacity == target.capacity:
        capacity = None
    if actor is not None:
        require_above(actor, target, self_ok=capacity is None)
    if name is not None and not 1 <= len(name.strip()) <= 200:
        raise BadInput("name must be 1 to 200 characters", code="bad_name")
    if capacity is not None and not 0 <= capacity <= MAX_CAPACITY:
        raise BadInput(f"capacity must be 0 to {MAX_CAPACITY}", code="bad_capacity")
    target.name = name.strip() if name is not None else target.name
    target.capacity = capacity if capacity is not None else target.capacity
    _audit(session, actor, target, "agent.edited", name=target.name, capacity=target.capacity)


async def deactivate_agent(
    session: AsyncSession, *, actor: Agent | None, target: Agent
) -> list[Outcome]:
    """Take the agent out: no sign-in, sessions and sockets ended, never assigned, and their
    open conversations back in the queue. Returns what to publish after the commit."""
    if actor is not None:
        require_above(actor, target)
    if target.deactivated_at is not None:
        return []
    target.deactivated_at = utcnow()
    target.availability = "offline"
    await session.execute(delete(AgentPresence).where(AgentPresence.agent_id == target.id))
    count = await _end_sessions(session, target)
    outcomes = _signed_out(await account_sites(session, target.account_id), target)
    outcomes += await _release_conversations(session, target)
    _audit(session, actor, target, "agent.deactivated", sessions=count)
    return outcomes


async def _release_conversations(session: AsyncSession, target: Agent) -> list[Outcome]:
    held = await session.scalars(
        select(Conversation).where(
            Conversation.assignee_id == target.id, Conversation.status.in_(("agent", "waiting"))
        )
    )
    outcomes = []
    for conversation in held.all():
        conversation.assignee_id = None
        conversation.status = "waiting"
        conversation.updated_at = utcnow()
        await mark_waiting(session, conversation)
        site = await session.get(Site, conversation.site_id)
        if site is not None and (site.settings.get("routing") or {}).get("auto_assign"):
            await enqueue(
                session,
                kind="console.auto_assign",
                dedupe_key=f"assign:{conversation.id}:released:{uuid.uuid4()}",
                payload={"site_id": str(site.id), "conversation_id": str(conversation.id)},
                site_id=site.id,
            )
        outcomes.append(
            Outcome(
                conversation.site_id,
                conversation.id,
                public=[{"type": "status", "status": "waiting"}],
                private=[_assignment(conversation, None)],
            )
        )
    return outcomes


async def reactivate_agent(session: AsyncSession, *, actor: Agent | None, target: Agent) -> None:
    """Let a deactivated agent sign in again (with their password); they start offline."""
    if actor is not None:
        require_above(actor, target)
    if target.deactivated_at is not None:
        target.deactivated_at = None
        _audit(session, actor, target, "agent.reactivated")
