"""What happens in the transaction where a conversation starts waiting for a person.

Called by the chat service (``Chat._store_reply``) and by transfers: the customer is told
someone is coming, the queue remembers since when, and the notifications are written to
the outbox in the same transaction, so a commit means they will be sent.
"""

from __future__ import annotations

import time

from sqlalchemy.ext.asyncio import AsyncSession

from shopchat.console import hours
from shopchat.console.repository import waiting_count
from shopchat.conversation import repository as conversations
from shopchat.models import Contact, Conversation, Message, Site
from shopchat.models.base import utcnow
from shopchat.models.tables import ConversationRouting
from shopchat.notify.outbox import enqueue, enqueue_notifications

FOLLOW_UP_WINDOW_SECONDS = 300
EXCERPT_CHARS = 300


async def on_handoff(session: AsyncSession, conversation: Conversation) -> list[Message]:
    """Queue the conversation, tell the customer, enqueue notifications; returns new messages."""
    from shopchat.conversation.service import insert_message  # the chat service imports us

    site = await session.get(Site, conversation.site_id)
    assert site is not None
    await mark_waiting(session, conversation)
    ahead = max(0, await waiting_count(session, site.id) - 1)
    notice, _ = await insert_message(
        session,
        conversation=conversation,
        role="system",
        text=hours.handoff_notice(
            site.settings.get("business_hours"),
            ahead_in_queue=ahead,
            language=conversation.language or site.settings.get("default_language"),
        ),
        meta={"kind": "handoff_notice"},
    )
    payload = await _payload(session, site, conversation, event="conversation.handoff")
    await enqueue_notifications(
        session, site=site, event_key=f"handoff:{conversation.id}:{notice.seq}", payload=payload
    )
    if (site.settings.get("routing") or {}).get("auto_assign"):
        await enqueue(
            session,
            kind="console.auto_assign",
            dedupe_key=f"assign:{conversation.id}:{notice.seq}",
            payload={"site_id": str(site.id), "conversation_id": str(conversation.id)},
            site_id=site.id,
        )
    return [notice]


async def on_unattended_message(
    session: AsyncSession, conversation: Conversation, message: Message
) -> None:
    """A customer wrote while nobody has the conversation: remind people (once per window)."""
    if conversation.status != "waiting" or message.role != "customer":
        return
    site = await session.get(Site, conversation.site_id)
    assert site is not None
    window = int(time.time() // FOLLOW_UP_WINDOW_SECONDS)
    payload = await _payload(session, site, conversation, event="conversation.message")
    payload["excerpt"] = message.text[:EXCERPT_CHARS]
    await enqueue_notifications(
        session, site=site, event_key=f"message:{conversation.id}:{window}", payload=payload
    )


async def mark_waiting(
    session: AsyncSession, conversation: Conversation, *, team_id: object = None
) -> None:
    routing = await session.get(ConversationRouting, conversation.id)
    if routing is None:
        routing = ConversationRouting(conversation_id=conversation.id)
        session.add(routing)
    routing.waiting_since = utcnow()
    routing.team_id = team_id  # type: ignore[assignment]
    await session.flush()


async def _payload(
    session: AsyncSession, site: Site, conversation: Conversation, *, event: str
) -> dict[str, object]:
    contact = await session.get(Contact, conversation.contact_id)
    recent = await conversations.last_messages(session, conversation_id=conversation.id, limit=10)
    last_customer = next((m.text for m in reversed(recent) if m.role == "customer"), "")
    return {
        "event": event,
        "site_id": str(site.id),
        "site_name": site.name,
        "conversation_id": str(conversation.id),
        "customer": {
            "name": contact.name if contact else None,
            "email": contact.email if contact else None,
            "segment": contact.segment if contact else "guest",
        },
        "excerpt": last_customer[:EXCERPT_CHARS],
        "at": utcnow().isoformat(),
    }
