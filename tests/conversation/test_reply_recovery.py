"""Reply recovery: a customer message whose process died before answering is answered by
the next process that looks, once, however many look at the same time."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator
from datetime import timedelta

import pytest
from sqlalchemy import select, update

from shopchat.assistant.responder import Reply, StreamSink, Turn
from shopchat.bus import MemoryBus
from shopchat.conversation.service import Chat, conversation_channel, insert_message, reply_id_for
from shopchat.db import Database
from shopchat.models import Conversation, Message
from shopchat.models.base import utcnow
from shopchat.settings import Settings
from shopchat.site.service import SiteCredentials
from tests.support.conversations import guest_conversation
from tests.support.sites import SiteFactory

OWED_FOR = timedelta(minutes=2)  # older than the grace, younger than the horizon


class Answering:
    """The assistant seam, answering every turn and counting them; ``gate`` holds answers."""

    def __init__(self) -> None:
        self.turns: list[Turn] = []
        self.gate = asyncio.Event()
        self.gate.set()

    async def respond(self, turn: Turn, *, stream: StreamSink) -> Reply | None:
        self.turns.append(turn)
        await self.gate.wait()
        return Reply(text=f"Answer to: {turn.text}")


class Silent(Answering):
    async def respond(self, turn: Turn, *, stream: StreamSink) -> Reply | None:
        self.turns.append(turn)
        return None


@pytest.fixture
def site(fresh_settings: Settings) -> SiteCredentials:
    return SiteFactory(fresh_settings).create()


@pytest.fixture
def other(fresh_settings: Settings) -> SiteCredentials:
    return SiteFactory(fresh_settings).create(name="Other shop")


@pytest.fixture
async def db(fresh_settings: Settings) -> AsyncIterator[Database]:
    database = Database(fresh_settings)
    yield database
    await database.dispose()


async def customer_wrote(
    db: Database,
    site: SiteCredentials,
    text: str,
    *,
    ago: timedelta = OWED_FOR,
    status: str = "bot",
) -> uuid.UUID:
    """A conversation whose customer's message was stored ``ago`` by a process that then
    died: nothing answered it."""
    site_id = uuid.UUID(site.site_id)
    async with db.transaction() as session:
        conversation = await guest_conversation(session, site_id, status=status)
        await insert_message(
            session, conversation=conversation, role="customer", text=text, client_id="c1"
        )
        await session.execute(
            update(Conversation)
            .where(Conversation.id == conversation.id)
            .values(updated_at=utcnow() - ago)
        )
    return conversation.id


async def stored(db: Database, conversation_id: uuid.UUID) -> list[Message]:
    async with db.transaction() as session:
        result = await session.scalars(
            select(Message).where(Message.conversation_id == conversation_id).order_by(Message.seq)
        )
        return list(result.all())


async def test_an_owed_reply_is_answered_pushed_and_not_asked_again(
    db: Database, site: SiteCredentials
) -> None:
    conversation_id = await customer_wrote(db, site, "Do you ship to Austria?")
    bus, responder = MemoryBus(), Answering()
    chat = Chat(db=db, bus=bus, responder=responder)
    async with await bus.subscribe(conversation_channel(conversation_id)) as live:
        assert await chat.answer_owed_replies() == 1
        await chat.drain()
        pushed = [live.queue.get_nowait() for _ in range(live.queue.qsize())]

    messages = await stored(db, conversation_id)
    assert [(m.seq, m.role, m.text) for m in messages] == [
        (1, "customer", "Do you ship to Austria?"),
        (2, "assistant", "Answer to: Do you ship to Austria?"),
    ]
    assert messages[1].id == reply_id_for(conversation_id, 1)
    assert [(e["seq"], e["role"]) for e in pushed if e["type"] == "message"] == [(2, "assistant")]

    assert await chat.answer_owed_replies() == 0  # answered: nothing is owed any more
    assert len(responder.turns) == 1


async def test_processes_racing_for_one_owed_message_store_one_reply(
    db: Database, fresh_settings: Settings, site: SiteCredentials
) -> None:
    conversation_id = await customer_wrote(db, site, "Where is my parcel?")
    other_db = Database(fresh_settings)  # the second process's own pool
    first, second = Answering(), Answering()
    for responder in (first, second):
        responder.gate.clear()  # both are thinking before either stores
    chats = [
        Chat(db=db, bus=MemoryBus(), responder=first),
        Chat(db=other_db, bus=MemoryBus(), responder=second),
    ]
    try:
        assert [await chat.answer_owed_replies() for chat in chats] == [1, 1]
        for _ in range(100):
            if first.turns and second.turns:
                break
            await asyncio.sleep(0.02)
        first.gate.set()
        second.gate.set()
        for chat in chats:
            await chat.drain()
    finally:
        await other_db.dispose()

    assert len(first.turns) == len(second.turns) == 1  # both really answered
    roles = [m.role for m in await stored(db, conversation_id)]
    assert roles == ["customer", "assistant"]


@pytest.mark.parametrize(
    ("ago", "status"),
    [
        (timedelta(seconds=5), "bot"),  # its own process may still be answering
        (timedelta(hours=2), "bot"),  # the customer has long gone
        (OWED_FOR, "waiting"),  # handed to a person: theirs to answer
        (OWED_FOR, "agent"),
        (OWED_FOR, "resolved"),
    ],
)
async def test_messages_not_owed_are_left_alone(
    db: Database, site: SiteCredentials, ago: timedelta, status: str
) -> None:
    conversation_id = await customer_wrote(db, site, "hello?", ago=ago, status=status)
    responder = Answering()
    chat = Chat(db=db, bus=MemoryBus(), responder=responder)
    assert await chat.answer_owed_replies() == 0
    await chat.drain()
    assert responder.turns == []
    assert [m.role for m in await stored(db, conversation_id)] == ["customer"]


async def test_a_conversation_already_answered_is_not_owed(
    db: Database, site: SiteCredentials
) -> None:
    conversation_id = await customer_wrote(db, site, "Hi")
    chat = Chat(db=db, bus=MemoryBus(), responder=Answering())
    await chat.answer_owed_replies()
    await chat.drain()
    async with db.transaction() as session:  # the answer, too, is old now
        await session.execute(
            update(Conversation)
            .where(Conversation.id == conversation_id)
            .values(updated_at=utcnow() - OWED_FOR)
        )
    later = Answering()
    assert await Chat(db=db, bus=MemoryBus(), responder=later).answer_owed_replies() == 0
    assert later.turns == []


async def test_a_silent_responder_is_asked_once_per_process(
    db: Database, site: SiteCredentials
) -> None:
    await customer_wrote(db, site, "…")
    responder = Silent()
    chat = Chat(db=db, bus=MemoryBus(), responder=responder)
    assert await chat.answer_owed_replies() == 1
    await chat.drain()
    assert await chat.answer_owed_replies() == 0
    assert len(responder.turns) == 1


async def test_each_site_is_answered_with_its_own_turn(
    db: Database, site: SiteCredentials, other: SiteCredentials
) -> None:
    ours = await customer_wrote(db, site, "question for ours")
    theirs = await customer_wrote(db, other, "question for theirs")
    responder = Answering()
    chat = Chat(db=db, bus=MemoryBus(), responder=responder)
    assert await chat.answer_owed_replies() == 2
    await chat.drain()
    asked = {(str(t.site_id), t.conversation_id, t.text) for t in responder.turns}
    assert asked == {
        (site.site_id, ours, "question for ours"),
        (other.site_id, theirs, "question for theirs"),
    }
