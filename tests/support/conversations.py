"""Conversations stored straight through the models, for tests that need one to exist."""

from __future__ import annotations

import uuid

from sqlalchemy.ext.asyncio import AsyncSession

from shopchat.models import Contact, Conversation


async def guest_conversation(
    session: AsyncSession, site_id: uuid.UUID, *, status: str = "bot"
) -> Conversation:
    """A guest contact and their conversation, flushed (ids set), no messages yet."""
    contact = Contact(site_id=site_id)
    session.add(contact)
    await session.flush()
    conversation = Conversation(
        site_id=site_id, contact_id=contact.id, session_id=uuid.uuid4(), status=status
    )
    session.add(conversation)
    await session.flush()
    return conversation
