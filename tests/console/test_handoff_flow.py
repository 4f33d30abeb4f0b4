"""The hand-off path end to end over real HTTP and WebSockets: bot → waiting → agent → resolved."""

from __future__ import annotations

import uuid
from collections.abc import Callable

from sqlalchemy.ext.asyncio import AsyncSession

from shopchat.models import Conversation
from shopchat.settings import Settings
from tests.console.helpers import ConsoleClient, World, run_db
from tests.support.chat import WidgetSocket, is_type, open_session
from tests.support.server import ServerThread


def _handed_off(server: ServerThread, world: World) -> tuple[WidgetSocket, str]:
    session = open_session(server.url, world.a.credentials)
    socket = WidgetSocket(server.url, session["session_token"])
    socket.send({"type": "resume", "after_seq": 0})
    socket.send({"type": "message", "client_id": "c1", "text": "I want a human please"})
    socket.recv_until(is_type("status", status="waiting"))
    return socket, session["conversation_id"]


def test_customer_is_told_someone_is_coming(console_server: ServerThread, world: World) -> None:
    socket, _ = _handed_off(console_server, world)
    with socket:
        notice = socket.recv_until(lambda f: f.get("type") == "message" and f["role"] == "system")
    assert "member of our team" in notice["text"]


def test_claim_reply_resolve(
    console_server: ServerThread,
    console_settings: Settings,
    world: World,
    client: Callable[..., ConsoleClient],
) -> None:
    socket, conversation_id = _handed_off(console_server, world)
    agent = client(world.a.email("agent"))
    queue = agent.get("/console?view=queue")
    assert conversation_id in queue.text

    assert agent.post(f"/console/c/{conversation_id}/claim").status_code == 200
    with socket:
        joined = socket.recv_until(lambda f: f.get("role") == "system" and "joined" in f["text"])
        socket.recv_until(is_type("status", status="agent"))
        assert "Agent of Shop A" in joined["text"]
        response = agent.post(f"/console/c/{conversation_id}/reply", {"text": "Hi, I'm here."})
        assert response.status_code == 200, response.text
        reply = socket.recv_until(lambda f: f.get("role") == "agent")
        assert reply["text"] == "Hi, I'm here."
        assert reply["author"] == {"name": "Agent of Shop A"}

        # While an agent owns the conversation the assistant stays silent.
        socket.send({"type": "message", "client_id": "c2", "text": "thanks!"})
        socket.recv_until(is_type("ack", client_id="c2"))
        assert agent.post(f"/console/c/{conversation_id}/status", {"action": "resolve"}).is_success
        socket.recv_until(is_type("status", status="resolved"))
        later = [f for f in socket.messages() if f["seq"] > reply["seq"]]
        assert not [f for f in later if f["role"] == "assistant"]

    page = agent.get(f"/console/c/{conversation_id}")
    assert "thanks!" in page.text and "Hi, I&#39;m here." in page.text
    assert agent.post(f"/console/c/{conversation_id}/status", {"action": "reopen"}).is_success

    async def state(session: AsyncSession) -> tuple[str, object, object]:
        conversation = await session.get(Conversation, uuid.UUID(conversation_id))
        assert conversation is not None
        return conversation.status, conversation.assignee_id, conversation.resolved_at

    # Reopened, it goes back to the agent who has it, not to the queue or the bot.
    assert run_db(console_settings, state) == ("agent", world.a.agents["agent"], None)


def test_notice_speaks_the_conversations_language(
    console_server: ServerThread, world: World
) -> None:
    session = open_session(console_server.url, world.a.credentials)
    with WidgetSocket(console_server.url, session["session_token"]) as socket:
        socket.send({"type": "resume", "after_seq": 0})
        socket.send({"type": "message", "client_id": "c1", "text": "[de] einen human bitte"})
        notice = socket.recv_until(lambda f: f.get("type") == "message" and f["role"] == "system")
    assert "Wir melden uns in wenigen Minuten bei dir" in notice["text"]
