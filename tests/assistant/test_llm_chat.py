"""The LLM path in live chat: the real server, the widget's WebSocket, a real LLM endpoint."""

from __future__ import annotations

import itertools
import uuid
from collections.abc import Iterator
from typing import Any

import pytest
from sqlalchemy import select

from shopchat.models import Message
from tests.assistant.test_llm_helpers import llm_site
from tests.support.chat import WidgetSocket, is_type, open_session
from tests.support.openai_server import OpenAITestServer, Step
from tests.support.server import ServerThread
from tests.support.sites import SiteFactory

ANSWER = "Delivery takes 2 to 4 working days in Germany, and tracking comes by email."


@pytest.fixture
def llm() -> Iterator[OpenAITestServer]:
    with OpenAITestServer() as server:
        yield server


def _open(server: ServerThread, sites: SiteFactory, llm: OpenAITestServer) -> dict[str, Any]:
    site_id = llm_site(sites, llm.base_url)
    site_key = sites.run(lambda s: _site_key(s, site_id))
    credentials = type("Credentials", (), {"site_key": site_key})()
    return open_session(server.url, credentials)  # type: ignore[arg-type]


async def _site_key(session: Any, site_id: uuid.UUID) -> str:
    from shopchat.models import Site

    site = await session.get(Site, site_id)
    return str(site.site_key)


def test_streamed_reply_arrives_as_deltas_then_the_message(
    server: ServerThread, sites: SiteFactory, llm: OpenAITestServer
) -> None:
    session = _open(server, sites, llm)
    llm.script(Step.call("search_knowledge", query="delivery"), Step.say(ANSWER, usage=(300, 25)))
    with WidgetSocket(server.url, session["session_token"]) as ws:
        ws.send({"type": "resume", "after_seq": 0})
        ws.send({"type": "message", "client_id": "c-1", "text": "how long is delivery?"})
        final = ws.recv_until(is_type("message", role="assistant"))
    deltas = [f for f in ws.frames if f["type"] == "delta"]
    assert len(deltas) >= 3
    assert {d["id"] for d in deltas} == {final["id"]}
    texts = [d["text"] for d in deltas]
    assert all(b.startswith(a) for a, b in itertools.pairwise(texts))
    assert final["text"] == ANSWER
    assert ws.frames.index(deltas[-1]) < ws.frames.index(final)
    stored = sites.run(
        lambda s: s.scalar(select(Message).where(Message.id == uuid.UUID(final["id"])))
    )
    llm_meta = stored.meta["llm"]
    assert (llm_meta["model"], llm_meta["tokens_in"], llm_meta["tokens_out"]) == (
        "test-model",
        340,
        35,
    )
    assert llm_meta["tools"] == ["search_knowledge"]


def test_provider_failure_reaches_the_customer_as_the_built_in_answer(
    server: ServerThread, sites: SiteFactory, llm: OpenAITestServer
) -> None:
    session = _open(server, sites, llm)
    llm.script(Step(status=500), Step(status=500))
    with WidgetSocket(server.url, session["session_token"]) as ws:
        ws.send({"type": "resume", "after_seq": 0})
        ws.send({"type": "message", "client_id": "c-1", "text": "how long does delivery take"})
        final = ws.recv_until(is_type("message", role="assistant"))
    assert not [f for f in ws.frames if f["type"] == "error"]
    assert final["text"].strip()
    stored = sites.run(lambda s: s.get(Message, uuid.UUID(final["id"])))
    assert stored.meta["engine"] != "llm"
    assert stored.meta["llm"]["fallback"] == "provider answered HTTP 500"
