"""Every query on conversations, contacts and messages; all scoped by site (but one, said there)."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import Row, bindparam, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from shopchat.models import Contact, Conversation, Message, Site
from shopchat.models.base import utcnow

OPEN_STATUSES = ("bot", "waiting", "agent")

# The chat round trip's statements are built once, with bound parameters: building a
# statement and its cache key costs more than SQLite takes to run it.
_CONVERSATION = select(Conversation).where(
    Conversation.id == bindparam("conversation_id"), Conversation.site_id == bindparam("site_id")
)
_CONVERSATION_SITE_CONTACT = (
    select(Conversation, Site, Contact)
    .join(Site, Site.id == Conversation.site_id)
    .outerjoin(
        Contact,
        (Contact.id == Conversation.contact_id) & (Contact.site_id == Conversation.site_id),
    )
    .where(
        Conversation.id == bindparam("conversation_id"),
        Conversation.site_id == bindparam("site_id"),
    )
)
_RECENT_HISTORY = (
    select(Message.seq, Message.role, Message.text)
    .where(
        Message.conversation_id == bindparam("conversation_id"),
        Message.site_id == bindparam("site_id"),
    )
    .order_by(Message.seq.desc())
    .limit(bindparam("limit"))
)
_NEXT_SEQ = (
    update(Conversation)
    .where(Conversation.id == bindparam("conversation_id"))
    .values(last_seq=Conversation.last_seq + 1, updated_at=bindparam("now"))
    .returning(Conversation.last_seq)
    .execution_options(synchronize_session=False)
)


async def get_conversation(
    session: AsyncSession, *, site_id: uuid.UUID, conversation_id: uuid.UUID
) -> Conversation | None:
    return await session.scalar(
        _CONVERSATION, {"conversation_id": conversation_id, "site_id": site_id}
    )


async def conversation_with_site_and_contact(
    session: AsyncSession, *, site_id: uuid.UUID, conversation_id: uuid.UUID
) -> tuple[Conversation, Site, Contact | None] | None:
    """A conversation with its site and contact, in one query."""
    params = {"conversation_id": conversation_id, "site_id": site_id}
    row = (await session.execute(_CONVERSATION_SITE_CONTACT, params)).first()
    return None if row is None else (row[0], row[1], row[2])


async def latest_conversation_for_session(
    session: AsyncSession, *, site_id: uuid.UUID, session_id: uuid.UUID
) -> Conversation | None:
    return await session.scalar(
        select(Conversation)
        .where(
            Conversation.site_id == site_id,
            Conversation.session_id == session_id,
            Conversation.status != "archived",
        )
        .order_by(Conversation.created_at.desc())
        .limit(1)
    )


async def latest_open_conversation_for_contact(
    session: AsyncSession, *, site_id: uuid.UUID, contact_id: uuid.UUID
) -> Conversation | None:
    return await session.scalar(
        select(Conversation)
        .where(
            Conversation.site_id == site_id,
            Conversation.contact_id == contact_id,
            Conversation.status.in_(OPEN_STATUSES),
        )
        .order_by(Conversation.updated_at.desc())
        .limit(1)
    )


async def get_contact(
    session: AsyncSession, *, site_id: uuid.UUID, contact_id: uuid.UUID
) -> Contact | None:
    return await session.scalar(
        select(Contact).where(Contact.id == contact_id, Contact.site_id == site_id)
    )


async def contact_by_external_id(
    session: AsyncSession, *, site_id: uuid.UUID, external_id: str
) -> Contact | None:
    return await session.scalar(
        select(Contact).where(Contact.site_id == site_id, Contact.external_id == external_id)
    )


async def messages_after(
    session: AsyncSession, *, conversation_id: uuid.UUID, after_seq: int, limit: int
) -> Sequence[Message]:
    result = await session.scalars(
        select(Message)
        .where(Message.conversation_id == conversation_id, Message.seq > after_seq)
        .order_by(Message.seq)
        .limit(limit)
    )
    return result.all()


async def last_messages(
    session: AsyncSession, *, conversation_id: uuid.UUID, limit: int
) -> list[Message]:
    result = await session.scalars(
        select(Message)
        .where(Message.conversation_id == conversation_id)
        .order_by(Message.seq.desc())
        .limit(limit)
    )
    return list(reversed(result.all()))


async def recent_history(
    session: AsyncSession, *, site_id: uuid.UUID, conversation_id: uuid.UUID, limit: int
) -> list[Row[int, str, str]]:
    """(seq, role, text) of the last ``limit`` messages, oldest first; plain rows, no
    ``Message`` objects, for a reader that needs nothing else (the responder's history)."""
    params = {"conversation_id": conversation_id, "site_id": site_id, "limit": limit}
    rows = await session.execute(_RECENT_HISTORY, params)
    return list(reversed(rows.all()))


async def message_exists(
    session: AsyncSession, *, site_id: uuid.UUID, message_id: uuid.UUID
) -> bool:
    found = await session.scalar(
        select(Message.id).where(Message.id == message_id, Message.site_id == site_id)
    )
    return found is not None


async def message_by_client_id(
    session: AsyncSession, *, conversation_id: uuid.UUID, client_id: str
) -> Message | None:
    return await session.scalar(
        select(Message).where(
            Message.conversation_id == conversation_id, Message.client_id == client_id
        )
    )


async def allocate_seq(session: AsyncSession, *, conversation_id: uuid.UUID) -> int:
    """Take the next message number (and touch ``updated_at``); the row lock orders
    concurrent writers on PostgreSQL."""
    seq = await session.scalar(_NEXT_SEQ, {"conversation_id": conversation_id, "now": utcnow()})
    if seq is None:
        raise LookupError(f"conversation {conversation_id} vanished")
    return seq


async def owed_replies(
    session: AsyncSession, *, since: datetime, until: datetime, limit: int
) -> list[tuple[uuid.UUID, uuid.UUID, int]]:
    """(site, conversation, seq) of conversations still with the assistant whose latest
    message is the customer's, written between ``since`` and ``until``, oldest first.

    The one query here that spans sites: reply recovery runs for the whole deployment,
    and answers each conversation under its own site.
    """
    rows = await session.execute(
        select(Conversation.site_id, Conversation.id, Message.seq)
        .join(
            Message,
            (Message.conversation_id == Conversation.id) & (Message.seq == Conversation.last_seq),
        )
        .where(
            Conversation.status == "bot",
            Conversation.updated_at >= since,
            Conversation.updated_at < until,
            Message.role == "customer",
        )
        .order_by(Conversation.updated_at)
        .limit(limit)
    )
    return [(site_id, conversation_id, seq) for site_id, conversation_id, seq in rows]
