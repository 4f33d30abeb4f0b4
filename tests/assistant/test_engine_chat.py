"""The built-in engine in live chat: the real server, the widget's WebSocket and HTTP."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from shopchat.app import create_app
from shopchat.assistant.engine import AssistantResponder
from shopchat.settings import Settings
from shopchat.site.service import SiteCredentials
from tests.assistant.test_engine_harness import (  # noqa: F401
    demo_site_fixture,
    wc_store_fixture,
    woo_site_fixture,
)
from tests.support.chat import WidgetSocket, bearer, is_type, open_session
from tests.support.server import ServerThread
from tests.support.sites import identity_token


@pytest.fixture(name="engine_server", scope="module")
def engine_server_fixture(backend_settings: Settings) -> Iterator[ServerThread]:
    running = ServerThread(create_app(backend_settings, responder_factory=AssistantResponder))
    yield running.start()
    running.stop()


def test_a_guest_tracks_an_order_over_the_websocket(
    engine_server: ServerThread, demo_site: SiteCredentials
) -> None:
    session = open_session(engine_server.url, demo_site)
    with WidgetSocket(engine_server.url, session["session_token"]) as ws:
        ws.send({"type": "resume", "after_seq": 0})
        ws.send({"type": "message", "client_id": "a", "text": "Where is my order 1016?"})
        ask = ws.recv_until(is_type("message", role="assistant", seq=2))
        ws.send({"type": "message", "client_id": "b", "text": "jonas.becker@example.net"})
        answer = ws.recv_until(is_type("message", role="assistant", seq=4))
    assert "email" in str(ask["text"]) and "Camp Slip-On Clogs" not in str(ask["text"])
    assert "Camp Slip-On Clogs" in str(answer["text"]) and "cancelled" in str(answer["text"])


def test_a_verified_customer_asks_in_german_over_http(
    engine_server: ServerThread, woo_site: SiteCredentials
) -> None:
    token = identity_token(woo_site, sub="102", name="Ravi Sharma", status="regular")
    session = open_session(engine_server.url, woo_site, identity=token)
    headers = bearer(session["session_token"])
    sent = httpx.post(
        f"{engine_server.url}/api/v1/widget/messages",
        json={"client_id": "m1", "text": "Wo ist meine Bestellung 1001?"},
        headers=headers,
    )
    assert sent.status_code == 201, sent.text
    reply = _poll_reply(engine_server.url, headers)
    assert "Bestellung 1001" in reply["text"] and "JJD000390007821456" in reply["text"]


def test_asking_for_a_person_moves_the_conversation_to_waiting(
    engine_server: ServerThread, demo_site: SiteCredentials
) -> None:
    session = open_session(engine_server.url, demo_site)
    with WidgetSocket(engine_server.url, session["session_token"]) as ws:
        ws.send({"type": "resume", "after_seq": 0})
        ws.send({"type": "message", "client_id": "h", "text": "I want to talk to a human"})
        reply = ws.recv_until(is_type("message", role="assistant"))
        ws.recv_until(is_type("status", status="waiting"))
    assert "member of our team" in reply["text"]


def _poll_reply(base_url: str, headers: dict[str, str]) -> dict[str, Any]:
    for _ in range(20):
        got = httpx.get(
            f"{base_url}/api/v1/widget/messages",
            params={"after_seq": 1, "wait": 5},
            headers=headers,
            timeout=10,
        )
        assert got.status_code == 200, got.text
        replies = [m for m in got.json()["messages"] if m["role"] == "assistant"]
        if replies:
            return replies[0]  # type: ignore[no-any-return]
    raise AssertionError("no reply")
