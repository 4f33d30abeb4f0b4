"""What agents do to conversations. Functions flush; the endpoint commits, then publishes."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from typing import Any

from sqlalchemy import delete, update
from sqlalchemy.ext.asyncio import AsyncSession

from shopchat.attachment import service as attachments
from shopchat.console import audit, repository
from shopchat.console.handoff import mark_waiting
from shopchat.console.live import Outcome
from shopchat.conversation.frames import message_frame
from shopchat.conversation.service import insert_message
from shopchat.kit.errors import BadInput, Conflict, Forbidden, NotFound
from shopchat.models import Contact, Conversation, Note, Site
from shopchat.models.base import utcnow
from shopchat.models.tables import (
    Agent,
    AgentPresence,
    ConversationRouting,
    NoteKind,
    PendingReply,
)

SUPERVISORS = frozenset({"owner", "admin", "supervisor"})
ADMINS = frozenset({"owner", "admin"})
AVAILABILITY = ("online", "away", "offline")
MAX_TEXT = 4000
MAX_ATTACHMENTS = 5
VARIABLES = ("first_name", "name", "agent_name", "site_name")


def is_supervisor(agent: Agent) -> bool:
    return agent.role in SUPERVISORS


def require_supervisor(agent: Agent) -> None:
    if not is_supervisor(agent):
        raise Forbidden("only supervisors, admins and owners may do that", code="role_required")


def require_admin(agent: Agent) -> None:
    if agent.role not in ADMINS:
        raise Forbidden("only admins and owners may do that", code="role_required")


async def load(session: AsyncSession, agent: Agent, conversation_id: uuid.UUID) -> Conversation:
    """The conversation, if it belongs to one of the agent's sites; else NotFound."""
    conversation = await repository.conversation_for(
        session, account_id=agent.account_id, conversation_id=conversation_id
    )
    if conversation is None:
        raise NotFound("conversation not found", code="conversation_not_found")
    return conversation


def _clean(text: str) -> str:
    text = text.replace("\x00", "").strip()
    if not text:
        raise BadInput("write something first", code="empty")
    if len(text) > MAX_TEXT:
        raise BadInput(f"at most {MAX_TEXT} characters", code="too_long")
    return text


def _author(agent: Agent) -> dict[str, Any]:
    return {"author": {"name": agent.name}}


def _assignment(conversation: Conversation, agent: Agent | None, team: str | None = None) -> dict:
    return {
        "type": "assignment",
        "status": conversation.status,
        "assignee_id": str(agent.id) if agent else None,
        "assignee_name": agent.name if agent else None,
        "team": team,
    }


async def _system(session: AsyncSession, conversation: Conversation, text: str, kind: str) -> dict:
    message, _ = await insert_message(
        session, conversation=conversation, role="system", text=text, meta={"kind": kind}
    )
    return message_frame(message)


async def _take(session: AsyncSession, conversation: Conversation, agent: Agent) -> None:
    conversation.assignee_id = agent.id
    conversation.status = "agent"
    conversation.resolved_at = None
    conversation.updated_at = utcnow()
    await session.execute(
        delete(ConversationRouting).where(ConversationRouting.conversation_id == conversation.id)
    )


async def claim(session: AsyncSession, *, agent: Agent, conversation_id: uuid.UUID) -> Outcome:
    """Take a conversation that nobody has (or, for a supervisor, anyone's)."""
    conversation = await load(session, agent, conversation_id)
    if conversation.assignee_id == agent.id and conversation.status == "agent":
        return Outcome(conversation.site_id, conversation.id)
    if conversation.status in ("resolved", "archived"):
        raise Conflict("reopen the conversation first", code="not_open")
    if conversation.assignee_id not in (None, agent.id) and not is_supervisor(agent):
        raise Conflict("another agent has this conversation", code="taken")
    # Conditional update: of two agents claiming at once, exactly one wins.
    won = await session.execute(
        update(Conversation)
        .where(
            Conversation.id == conversation.id,
            Conversation.assignee_id.is_(None)
            if conversation.assignee_id is None
            else Conversation.assignee_id == conversation.assignee_id,
        )
        .values(assignee_id=agent.id)
        .execution_options(synchronize_session=False)
    )
    if not getattr(won, "rowcount", 1):
        raise Conflict("another agent took this conversation first", code="taken")
    await _take(session, conversation, agent)
    joined = await _system(session, conversation, f"{agent.name} joined the chat.", "agent_joined")
    await audit.record(
        session,
        agent=agent,
        kind="conversation.claimed",
        site_id=conversation.site_id,
        conversation_id=conversation.id,
    )
    return Outcome(
        conversation.site_id,
        conversation.id,
        public=[joined, {"type": "status", "status": "agent"}],
        private=[_assignment(conversation, agent)],
    )


async def reply(
    session: AsyncSession,
    *,
    agent: Agent,
    conversation_id: uuid.UUID,
    text: str,
    attachment_ids: Sequence[str] = (),
) -> Outcome:
    """Answer the customer, with files uploaded to the conversation; a trainee's answer
    waits for a supervisor."""
    conversation = await load(session, agent, conversation_id)
    if conversation.assignee_id not in (None, agent.id) and not is_supervisor(agent):
        raise Forbidden("this conversation belongs to another agent", code="not_yours")
    files = await _reply_attachments(session, agent, conversation, attachment_ids)
    text = _clean(text) if text.strip() or not files else ""
    text = await expand_canned(session, agent=agent, conversation=conversation, text=text)
    outcome = Outcome(conversation.site_id, conversation.id)
    if conversation.assignee_id is None and agent.role != "trainee":
        outcome = await claim(session, agent=agent, conversation_id=conversation.id)
    if agent.role == "trainee":
        held = PendingReply(
            site_id=conversation.site_id,
            conversation_id=conversation.id,
            agent_id=agent.id,
            text=text,
        )
        session.add(held)
        await session.flush()
        outcome.private.append(_pending_event(held, agent.name))
        return outcome
    frame = await _agent_message(session, conversation, agent=agent, text=text, files=files)
    outcome.public.append(frame)
    return outcome


async def _reply_attachments(
    session: AsyncSession, agent: Agent, conversation: Conversation, ids: Sequence[str]
) -> list[dict[str, Any]]:
    if not ids:
        return []
    if agent.role == "trainee":
        raise Forbidden("held replies cannot carry files yet", code="role_required")
    if len(ids) > MAX_ATTACHMENTS:
        raise BadInput(f"at most {MAX_ATTACHMENTS} files per reply", code="bad_attachments")
    return await attachments.for_message(session, conversation_id=conversation.id, ids=ids)


async def _agent_message(
    session: AsyncSession,
    conversation: Conversation,
    *,
    agent: Agent,
    text: str,
    meta: dict[str, Any] | None = None,
    files: Sequence[dict[str, Any]] = (),
) -> dict[str, Any]:
    message, _ = await insert_message(
        session,
        conversation=conversation,
        role="agent",
        text=text,
        agent_id=agent.id,
        attachments=files,
        meta={**_author(agent), **(meta or {})},
    )
    if conversation.status in ("resolved", "bot", "waiting"):
        conversation.status = "agent"
        conversation.resolved_at = None
    conversation.updated_at = utcnow()
    return message_frame(message)


def _pending_event(held: PendingReply, author: str | None) -> dict[str, Any]:
    return {
        "type": "pending_reply",
        "id": str(held.id),
        "text": held.text,
        "author": author,
        "status": held.status,
    }


async def review(
    session: AsyncSession,
    *,
    agent: Agent,
    pending_id: uuid.UUID,
    approve: bool,
    text: str | None = None,
) -> Outcome:
    """A supervisor sends (optionally edited) or rejects a trainee's held reply."""
    require_supervisor(agent)
    held = await repository.pending_reply_for(
        session, account_id=agent.account_id, pending_id=pending_id
    )
    if held is None:
        raise NotFound("held reply not found", code="pending_not_found")
    if held.status != "pending":
        raise Conflict("this reply was reviewed already", code="reviewed")
    conversation = await load(session, agent, held.conversation_id)
    trainee = await session.get(Agent, held.agent_id) if held.agent_id else None
    edited = text is not None and _clean(text) != held.text
    held.text = _clean(text) if text is not None else held.text
    held.status = "approved" if approve else "rejected"
    held.reviewer_id = agent.id
    held.reviewed_at = utcnow()
    outcome = Outcome(conversation.site_id, conversation.id)
    outcome.private.append(_pending_event(held, trainee.name if trainee else None))
    if approve:
        frame = await _agent_message(
            session,
            conversation,
            agent=trainee or agent,
            text=held.text,
            meta={"approved_by": agent.name, "edited": edited},
        )
        held.message_id = uuid.UUID(frame["id"])
        outcome.public.append(frame)
    await audit.record(
        session,
        agent=agent,
        kind="reply.approved" if approve else "reply.rejected",
        site_id=conversation.site_id,
        conversation_id=conversation.id,
        data={"pending_id": str(held.id), "edited": edited},
    )
    return outcome


async def add_note(
    session: AsyncSession,
    *,
    agent: Agent,
    conversation_id: uuid.UUID,
    text: str,
    whisper: bool = False,
) -> Outcome:
    """An internal note; a whisper is a supervisor's note to the agent on the conversation."""
    if whisper:
        require_supervisor(agent)
    conversation = await load(session, agent, conversation_id)
    note = Note(conversation_id=conversation.id, agent_id=agent.id, text=_clean(text))
    session.add(note)
    await session.flush()
    if whisper:
        session.add(NoteKind(note_id=note.id, kind="whisper"))
    event = {
        "type": "note",
        "id": str(note.id),
        "text": note.text,
        "author": agent.name,
        "whisper": whisper,
        "created_at": note.created_at.isoformat(),
    }
    return Outcome(conversation.site_id, conversation.id, private=[event])


async def set_status(
    session: AsyncSession, *, agent: Agent, conversation_id: uuid.UUID, action: str
) -> Outcome:
    """Resolve or reopen."""
    conversation = await load(session, agent, conversation_id)
    mine = conversation.assignee_id in (None, agent.id)
    if not mine and not is_supervisor(agent):
        raise Forbidden("this conversation belongs to another agent", code="not_yours")
    if action == "resolve":
        if conversation.status in ("resolved", "archived"):
            return Outcome(conversation.site_id, conversation.id)
        conversation.status = "resolved"
        conversation.resolved_at = utcnow()
        await session.execute(
            delete(ConversationRouting).where(
                ConversationRouting.conversation_id == conversation.id
            )
        )
    elif action == "reopen":
        if conversation.status not in ("resolved", "archived"):
            return Outcome(conversation.site_id, conversation.id)
        conversation.status = "agent" if conversation.assignee_id else "waiting"
        conversation.resolved_at = None
        if conversation.status == "waiting":
            await mark_waiting(session, conversation)
    else:
        raise BadInput("action must be resolve or reopen", code="bad_action")
    conversation.updated_at = utcnow()
    await audit.record(
        session,
        agent=agent,
        kind=f"conversation.{action}d" if action == "resolve" else "conversation.reopened",
        site_id=conversation.site_id,
        conversation_id=conversation.id,
    )
    assignee = (
        await session.get(Agent, conversation.assignee_id) if conversation.assignee_id else None
    )
    return Outcome(
        conversation.site_id,
        conversation.id,
        public=[{"type": "status", "status": conversation.status}],
        private=[_assignment(conversation, assignee)],
    )


async def transfer(
    session: AsyncSession,
    *,
    agent: Agent,
    conversation_id: uuid.UUID,
    to_agent_id: uuid.UUID | None = None,
    to_team_id: uuid.UUID | None = None,
    note: str | None = None,
) -> Outcome:
    """Hand the conversation to another agent, or to a team's queue, with a note."""
    conversation = await load(session, agent, conversation_id)
    if conversation.assignee_id not in (None, agent.id) and not is_supervisor(agent):
        raise Forbidden("only its agent or a supervisor may transfer it", code="not_yours")
    if (to_agent_id is None) == (to_team_id is None):
        raise BadInput("choose either an agent or a team", code="bad_target")
    outcome = Outcome(conversation.site_id, conversation.id)
    if to_agent_id is not None:
        target = await repository.agent_in_account(
            session, account_id=agent.account_id, agent_id=to_agent_id
        )
        if target is None or target.deactivated_at is not None:
            raise NotFound("no such agent in your account", code="agent_not_found")
        await _take(session, conversation, target)
        label, team_name = target.name, None
        outcome.private.append(_assignment(conversation, target))
    else:
        team = await repository.team_in_account(
            session,
            account_id=agent.account_id,
            team_id=to_team_id,  # type: ignore[arg-type]
        )
        if team is None:
            raise NotFound("no such team in your account", code="team_not_found")
        conversation.assignee_id = None
        conversation.status = "waiting"
        conversation.updated_at = utcnow()
        await mark_waiting(session, conversation, team_id=team.id)
        label, team_name = f"team {team.name}", team.name
        outcome.private.append(_assignment(conversation, None, team.name))
    text = f"Transferred to {label}" + (f": {note.strip()}" if note and note.strip() else "")
    noted = await add_note(
        session, agent=agent, conversation_id=conversation.id, text=text[:MAX_TEXT]
    )
    outcome.private.extend(noted.private)
    outcome.public.append({"type": "status", "status": conversation.status})
    await audit.record(
        session,
        agent=agent,
        kind="conversation.transferred",
        site_id=conversation.site_id,
        conversation_id=conversation.id,
        data={"to_agent": str(to_agent_id) if to_agent_id else None, "team": team_name},
    )
    return outcome


async def set_availability(
    session: AsyncSession, *, agent: Agent, availability: str
) -> list[Outcome]:
    """The agent's own choice; it also cancels a restore that closing every console left."""
    if availability not in AVAILABILITY:
        raise BadInput("availability must be online, away or offline", code="bad_availability")
    await session.execute(delete(AgentPresence).where(AgentPresence.agent_id == agent.id))
    return await announce_availability(session, agent=agent, availability=availability)


async def announce_availability(
    session: AsyncSession, *, agent: Agent, availability: str
) -> list[Outcome]:
    """Set the availability and tell the consoles of every site of the account."""
    agent.availability = availability
    event = {
        "type": "presence",
        "agent_id": str(agent.id),
        "name": agent.name,
        "availability": availability,
    }
    sites = await repository.account_sites(session, agent.account_id)
    # Presence is not about one conversation; the site id stands in so consoles route it.
    return [Outcome(site.id, site.id, private=[event]) for site in sites]


async def expand_canned(
    session: AsyncSession, *, agent: Agent, conversation: Conversation, text: str
) -> str:
    """``/shortcut`` alone becomes the canned response, with its variables filled in."""
    if not text.startswith("/") or " " in text:
        return text
    for canned in await repository.canned_responses(session, agent.account_id):
        if canned.shortcut == text[1:]:
            return await fill_variables(
                session, agent=agent, conversation=conversation, text=canned.text
            )
    return text


async def variables_for(
    session: AsyncSession, *, agent: Agent, conversation: Conversation
) -> dict[str, str]:
    contact = await session.get(Contact, conversation.contact_id)
    site = await session.get(Site, conversation.site_id)
    name = (contact.name or "").strip() if contact else ""
    return {
        "first_name": name.split()[0] if name else "there",
        "name": name or "there",
        "agent_name": agent.name,
        "site_name": site.name if site else "",
    }


async def fill_variables(
    session: AsyncSession, *, agent: Agent, conversation: Conversation, text: str
) -> str:
    values = await variables_for(session, agent=agent, conversation=conversation)
    for key, value in values.items():
        text = text.replace("{" + key + "}", value)
    return text
