"""Every console query. Each one is scoped to the signed-in agent's account."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import and_, func, or_, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import aliased

from shopchat.models import Contact, Conversation, Event, KnowledgeEntry, Message, Note, Site
from shopchat.models.base import utcnow
from shopchat.models.tables import (
    Agent,
    AgentSession,
    CannedResponse,
    ConversationRouting,
    NoteKind,
    PendingReply,
    Team,
    TeamMember,
)

OPEN = ("bot", "waiting", "agent")
VIEWS = ("queue", "mine", "open", "resolved", "all")
LIST_LIMIT = 100


@dataclass(frozen=True, slots=True)
class ListedConversation:
    conversation: Conversation
    site_name: str
    contact: Contact
    assignee_name: str | None
    team_name: str | None
    waiting_since: datetime
    last_text: str | None
    last_role: str | None


async def account_sites(session: AsyncSession, account_id: uuid.UUID) -> list[Site]:
    rows = await session.scalars(
        select(Site).where(Site.account_id == account_id).order_by(Site.name)
    )
    return list(rows.all())


async def conversation_for(
    session: AsyncSession, *, account_id: uuid.UUID, conversation_id: uuid.UUID
) -> Conversation | None:
    return await session.scalar(
        select(Conversation)
        .join(Site, Site.id == Conversation.site_id)
        .where(Conversation.id == conversation_id, Site.account_id == account_id)
    )


async def list_conversations(
    session: AsyncSession,
    *,
    account_id: uuid.UUID,
    agent_id: uuid.UUID,
    view: str,
    query: str | None = None,
) -> list[ListedConversation]:
    assignee = aliased(Agent)
    last = aliased(Message)
    waiting_since = func.coalesce(ConversationRouting.waiting_since, Conversation.updated_at)
    stmt = (
        select(
            Conversation,
            Site.name,
            Contact,
            assignee.name,
            Team.name,
            waiting_since,
            last.text,
            last.role,
        )
        .join(Site, Site.id == Conversation.site_id)
        .join(Contact, Contact.id == Conversation.contact_id)
        .outerjoin(assignee, assignee.id == Conversation.assignee_id)
        .outerjoin(ConversationRouting, ConversationRouting.conversation_id == Conversation.id)
        .outerjoin(Team, Team.id == ConversationRouting.team_id)
        .outerjoin(
            last,
            and_(last.conversation_id == Conversation.id, last.seq == Conversation.last_seq),
        )
        .where(Site.account_id == account_id)
    )
    if view == "queue":
        stmt = stmt.where(Conversation.status == "waiting").order_by(waiting_since.asc())
    elif view == "mine":
        stmt = stmt.where(
            Conversation.assignee_id == agent_id, Conversation.status.in_(("agent", "waiting"))
        ).order_by(Conversation.updated_at.desc())
    elif view == "open":
        stmt = stmt.where(Conversation.status.in_(OPEN)).order_by(Conversation.updated_at.desc())
    elif view == "resolved":
        stmt = stmt.where(Conversation.status.in_(("resolved", "archived"))).order_by(
            Conversation.updated_at.desc()
        )
    else:
        stmt = stmt.order_by(Conversation.updated_at.desc())
    if query:
        stmt = stmt.where(_matches(query))
    rows = (await session.execute(stmt.limit(LIST_LIMIT))).all()
    return [
        ListedConversation(conv, site, contact, assignee_name, team, since, text, role)
        for conv, site, contact, assignee_name, team, since, text, role in rows
    ]


def _matches(query: str):  # type: ignore[no-untyped-def]
    pattern = "%" + query.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
    in_messages = (
        select(Message.id)
        .where(Message.conversation_id == Conversation.id, Message.text.ilike(pattern, escape="\\"))
        .exists()
    )
    return or_(
        Contact.name.ilike(pattern, escape="\\"),
        Contact.email.ilike(pattern, escape="\\"),
        in_messages,
    )


async def messages(session: AsyncSession, conversation_id: uuid.UUID) -> Sequence[Message]:
    rows = await session.scalars(
        select(Message).where(Message.conversation_id == conversation_id).order_by(Message.seq)
    )
    return rows.all()


async def notes(
    session: AsyncSession, conversation_id: uuid.UUID
) -> list[tuple[Note, str | None, bool]]:
    rows = await session.execute(
        select(Note, Agent.name, NoteKind.kind)
        .outerjoin(Agent, Agent.id == Note.agent_id)
        .outerjoin(NoteKind, NoteKind.note_id == Note.id)
        .where(Note.conversation_id == conversation_id)
        .order_by(Note.created_at)
    )
    return [(note, name, kind == "whisper") for note, name, kind in rows.all()]


async def pending_replies(
    session: AsyncSession, *, conversation_id: uuid.UUID
) -> list[tuple[PendingReply, str | None]]:
    rows = await session.execute(
        select(PendingReply, Agent.name)
        .outerjoin(Agent, Agent.id == PendingReply.agent_id)
        .where(PendingReply.conversation_id == conversation_id, PendingReply.status == "pending")
        .order_by(PendingReply.created_at)
    )
    return [(reply, name) for reply, name in rows.all()]


async def pending_reply_for(
    session: AsyncSession, *, account_id: uuid.UUID, pending_id: uuid.UUID
) -> PendingReply | None:
    return await session.scalar(
        select(PendingReply)
        .join(Site, Site.id == PendingReply.site_id)
        .where(PendingReply.id == pending_id, Site.account_id == account_id)
    )


async def past_conversations(
    session: AsyncSession, *, conversation: Conversation
) -> Sequence[Conversation]:
    rows = await session.scalars(
        select(Conversation)
        .where(
            Conversation.site_id == conversation.site_id,
            Conversation.contact_id == conversation.contact_id,
            Conversation.id != conversation.id,
        )
        .order_by(Conversation.created_at.desc())
        .limit(10)
    )
    return rows.all()


async def agents(session: AsyncSession, account_id: uuid.UUID) -> Sequence[Agent]:
    rows = await session.scalars(
        select(Agent).where(Agent.account_id == account_id).order_by(Agent.name)
    )
    return rows.all()


async def agent_in_account(
    session: AsyncSession, *, account_id: uuid.UUID, agent_id: uuid.UUID
) -> Agent | None:
    return await session.scalar(
        select(Agent).where(Agent.id == agent_id, Agent.account_id == account_id)
    )


async def teams(session: AsyncSession, account_id: uuid.UUID) -> Sequence[Team]:
    rows = await session.scalars(
        select(Team).where(Team.account_id == account_id).order_by(Team.name)
    )
    return rows.all()


async def team_in_account(
    session: AsyncSession, *, account_id: uuid.UUID, team_id: uuid.UUID
) -> Team | None:
    return await session.scalar(
        select(Team).where(Team.id == team_id, Team.account_id == account_id)
    )


async def team_named(session: AsyncSession, *, account_id: uuid.UUID, name: str) -> Team | None:
    return await session.scalar(
        select(Team).where(Team.account_id == account_id, Team.name == name)
    )


async def team_members(session: AsyncSession, team_id: uuid.UUID) -> Sequence[uuid.UUID]:
    rows = await session.scalars(select(TeamMember.agent_id).where(TeamMember.team_id == team_id))
    return rows.all()


async def open_load(session: AsyncSession, agent_ids: Sequence[uuid.UUID]) -> dict[uuid.UUID, int]:
    """How many open conversations each agent holds."""
    if not agent_ids:
        return {}
    rows = await session.execute(
        select(Conversation.assignee_id, func.count())
        .where(Conversation.assignee_id.in_(agent_ids), Conversation.status == "agent")
        .group_by(Conversation.assignee_id)
    )
    load = {agent_id: 0 for agent_id in agent_ids}
    load.update({agent_id: count for agent_id, count in rows.all() if agent_id is not None})
    return load


async def canned_responses(
    session: AsyncSession, account_id: uuid.UUID
) -> Sequence[CannedResponse]:
    rows = await session.scalars(
        select(CannedResponse)
        .where(CannedResponse.account_id == account_id)
        .order_by(CannedResponse.shortcut)
    )
    return rows.all()


async def live_session_counts(session: AsyncSession, account_id: uuid.UUID) -> dict[uuid.UUID, int]:
    rows = await session.execute(
        select(AgentSession.agent_id, func.count())
        .join(Agent, Agent.id == AgentSession.agent_id)
        .where(
            Agent.account_id == account_id,
            AgentSession.revoked_at.is_(None),
            AgentSession.expires_at > utcnow(),
        )
        .group_by(AgentSession.agent_id)
    )
    return {agent_id: count for agent_id, count in rows.all()}


async def audit_events(
    session: AsyncSession, account_id: uuid.UUID, limit: int = 200
) -> Sequence[Event]:
    rows = await session.scalars(
        select(Event)
        .where(Event.account_id == account_id)
        .order_by(Event.created_at.desc())
        .limit(limit)
    )
    return rows.all()


async def waiting_count(session: AsyncSession, site_id: uuid.UUID) -> int:
    return int(
        await session.scalar(
            select(func.count()).where(
                Conversation.site_id == site_id, Conversation.status == "waiting"
            )
        )
        or 0
    )


async def suggestion_in_account(
    session: AsyncSession, *, account_id: uuid.UUID, entry_id: uuid.UUID
) -> KnowledgeEntry | None:
    """A knowledge entry of one of the account's sites (any status), or None."""
    return await session.scalar(
        select(KnowledgeEntry)
        .join(Site, Site.id == KnowledgeEntry.site_id)
        .where(KnowledgeEntry.id == entry_id, Site.account_id == account_id)
    )
