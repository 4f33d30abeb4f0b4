"""Edges of the hand-off state machine, in process: reopening, the agent's claim racing the
assistant, and a responder that breaks."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator

import pytest
from sqlalchemy import select

from shopchat.assistant.responder import Reply, StreamSink, Turn
from shopchat.bus import MemoryBus
from shopchat.console import service as console
from shopchat.conversation.frames import SendMessage
from shopchat.conversation.service import Chat, conversation_channel
from shopchat.conversation.tokens import SessionClaims
from shopchat.db import Database
from shopchat.models import Agent, Conversation, Message, Site
from shopchat.models.base import utcnow
from shopchat.settings import Settings
from shopchat.site.service import SiteCredentials
from tests.support.conversations import guest_conversation
from tests.support.sites import SiteFactory

FALLBACK = (
    "Sorry, I ran into a problem answering that. I've asked a member of our team to help you here."
)


class Gated:
    """The assistant seam: answers every turn once ``gate`` opens; ``asked`` is set on a turn."""

    def __init__(self) -> None:
        self.gate = asyncio.Event()
        self.asked = asyncio.Event()

    async def respond(self, turn: Turn, *, stream: StreamSink) -> Reply | None:
        self.asked.set()
        await self.gate.wait()
        return Reply(text=f"Answer to: {turn.text}")


class Raising:
    async def respond(self, turn: Turn, *, stream: StreamSink) -> Reply | None:
        raise RuntimeError("the model fell over")


@pytest.fixture
def site(fresh_settings: Settings) -> SiteCredentials:
    return SiteFactory(fresh_settings).create()


@pytest.fixture
async def db(fresh_settings: Settings) -> AsyncIterator[Database]:
    database = Database(fresh_settings)
    yield database
    await database.dispose()


async def _conversation(db: Database, site: SiteCredentials, *, status: str) -> SessionClaims:
    async with db.transaction() as session:
        conversation = await guest_conversation(session, uuid.UUID(site.site_id), status=status)
        if status == "resolved":
            conversation.resolved_at = utcnow()
    return SessionClaims(
        site_id=conversation.site_id,
        conversation_id=conversation.id,
        contact_id=conversation.contact_id,
        session_id=conversation.session_id,
        verified=False,
    )


async def _agent(db: Database, site: SiteCredentials) -> Agent:
    async with db.transaction() as session:
        found = await session.get(Site, uuid.UUID(site.site_id))
        assert found is not None
        agent = Agent(
            account_id=found.account_id,
            email=f"{uuid.uuid4().hex}@example.test",
            name="Ann Agent",
            password_hash="unused",
        )
        session.add(agent)
    return agent


async def _state(db: Database, claims: SessionClaims) -> tuple[Conversation, list[Message]]:
    async with db.transaction() as session:
        conversation = await session.get(Conversation, claims.conversation_id)
        assert conversation is not None
        messages = await session.scalars(
            select(Message)
            .where(Message.conversation_id == claims.conversation_id)
            .order_by(Message.seq)
        )
        return conversation, list(messages.all())


async def test_a_customer_writing_into_a_resolved_conversation_reopens_it_for_the_bot(
    db: Database, site: SiteCredentials
) -> None:
    claims = await _conversation(db, site, status="resolved")
    bus, responder = MemoryBus(), Gated()
    responder.gate.set()
    chat = Chat(db=db, bus=bus, responder=responder)
    async with await bus.subscribe(conversation_channel(claims.conversation_id)) as live:
        await chat.post_customer_message(claims, SendMessage(client_id="c1", text="One more"))
        await chat.drain()
        pushed = [live.queue.get_nowait() for _ in range(live.queue.qsize())]

    conversation, messages = await _state(db, claims)
    assert (conversation.status, conversation.resolved_at) == ("bot", None)
    assert [(m.role, m.text) for m in messages] == [
        ("customer", "One more"),
        ("assistant", "Answer to: One more"),
    ]
    assert {"type": "status", "status": "bot"} in pushed


async def test_a_resolved_conversation_with_an_assignee_reopens_to_that_agent(
    db: Database, site: SiteCredentials
) -> None:
    claims = await _conversation(db, site, status="resolved")
    agent = await _agent(db, site)
    async with db.transaction() as session:
        conversation = await session.get(Conversation, claims.conversation_id)
        assert conversation is not None
        conversation.assignee_id = agent.id
    responder = Gated()
    responder.gate.set()
    chat = Chat(db=db, bus=MemoryBus(), responder=responder)
    await chat.post_customer_message(claims, SendMessage(client_id="c1", text="Ann, again"))
    await chat.drain()

    conversation, messages = await _state(db, claims)
    assert (conversation.status, conversation.assignee_id) == ("agent", agent.id)
    assert conversation.resolved_at is None
    assert [m.role for m in messages] == ["customer"]  # the agent answers, not the bot
    assert not responder.asked.is_set()


async def test_a_reply_computed_while_an_agent_claimed_the_conversation_is_not_stored(
    db: Database, site: SiteCredentials
) -> None:
    claims = await _conversation(db, site, status="bot")
    agent = await _agent(db, site)
    responder = Gated()
    chat = Chat(db=db, bus=MemoryBus(), responder=responder)
    await chat.post_customer_message(claims, SendMessage(client_id="c1", text="Where is it?"))
    await asyncio.wait_for(responder.asked.wait(), timeout=10)  # the assistant is thinking
    async with db.transaction() as session:
        await console.claim(session, agent=agent, conversation_id=claims.conversation_id)
    responder.gate.set()
    await chat.drain()

    conversation, messages = await _state(db, claims)
    assert (conversation.status, conversation.assignee_id) == ("agent", agent.id)
    assert [m.role for m in messages] == ["customer", "system"]  # "Ann Agent joined the chat."
    assert messages[1].meta["kind"] == "agent_joined"


async def test_a_responder_that_raises_sends_the_fallback_and_hands_off(
    db: Database, site: SiteCredentials
) -> None:
    claims = await _conversation(db, site, status="bot")
    bus = MemoryBus()
    chat = Chat(db=db, bus=bus, responder=Raising())
    async with await bus.subscribe(conversation_channel(claims.conversation_id)) as live:
        await chat.post_customer_message(claims, SendMessage(client_id="c1", text="Hello?"))
        await chat.drain()
        pushed = [live.queue.get_nowait() for _ in range(live.queue.qsize())]

    conversation, messages = await _state(db, claims)
    assert conversation.status == "waiting"
    assert [(m.role, m.meta.get("kind")) for m in messages] == [
        ("customer", None),
        ("assistant", None),
        ("system", "handoff_notice"),
    ]
    assert messages[1].text == FALLBACK
    assert messages[1].meta["error"] == "responder_failed"
    assert {"type": "status", "status": "waiting"} in pushed
