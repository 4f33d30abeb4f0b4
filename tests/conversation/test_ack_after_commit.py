"""An ``ack`` promises the message is stored: a write that fails is never acked, and the
client's resend (same client_id) then stores it exactly once."""

from __future__ import annotations

from typing import Any

import httpx
import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from shopchat.conversation import service
from shopchat.models import Conversation, Message
from tests.support.chat import Frame, WidgetSocket, bearer, is_type, open_session
from tests.support.server import ServerThread
from tests.support.sites import SiteFactory


def _answer(ws: WidgetSocket, client_id: str) -> Frame:
    """The ack or the error answering the message frame with ``client_id``."""
    return ws.recv_until(
        lambda f: f.get("type") in ("ack", "error") and f.get("client_id") == client_id
    )


def test_a_failed_write_is_not_acked_and_its_resend_is_stored_once(
    server: ServerThread, sites: SiteFactory, monkeypatch: pytest.MonkeyPatch
) -> None:
    failures: list[str] = []
    unattended = service.on_unattended_message

    async def fail_once(session: AsyncSession, conversation: Conversation, message: Message) -> Any:
        """Break the transaction after the customer's row was flushed, before the commit."""
        if not failures:
            flushed = await session.scalar(select(Message).where(Message.id == message.id))
            failures.append(f"flushed seq {flushed.seq if flushed else None}")
            raise RuntimeError("the database went away before the commit")
        return await unattended(session, conversation, message)

    monkeypatch.setattr(service, "on_unattended_message", fail_once)
    site = sites.create()
    token = open_session(server.url, site)["session_token"]
    with WidgetSocket(server.url, token) as ws:
        ws.send({"type": "resume", "after_seq": 0})
        ws.send({"type": "message", "client_id": "c1", "text": "Is this stored?"})
        refused = _answer(ws, "c1")
        ws.send({"type": "ping"})
        ws.recv_until(is_type("pong"))  # every frame answering the failed write has arrived
        assert failures == ["flushed seq 1"]
        assert (refused["type"], refused.get("code")) == ("error", "internal")
        assert not [f for f in ws.frames if f.get("type") == "ack"]
        assert not ws.messages()  # nothing was published either

        ws.send({"type": "message", "client_id": "c1", "text": "Is this stored?"})
        first = _answer(ws, "c1")
        ws.send({"type": "message", "client_id": "c1", "text": "Is this stored?"})
        second = _answer(ws, "c1")
    assert first == second == {"type": "ack", "client_id": "c1", "seq": 1}

    polled = httpx.get(
        f"{server.url}/api/v1/widget/messages", params={"after_seq": 0}, headers=bearer(token)
    )
    customer = [m for m in polled.json()["messages"] if m["role"] == "customer"]
    assert [(m["seq"], m["client_id"], m["text"]) for m in customer] == [
        (1, "c1", "Is this stored?")
    ]
