"""The WebSocket round trip, resume, idempotency and bad frames, on SQLite and PostgreSQL."""

from __future__ import annotations

import json
import time
import uuid

import httpx
import pytest
from websockets.exceptions import ConnectionClosed

from shopchat.app import create_app
from shopchat.bus import base as bus_base
from shopchat.conversation import ws as widget_ws
from shopchat.conversation.service import conversation_channel, insert_message
from shopchat.models import Conversation
from shopchat.settings import Settings
from tests.support.chat import WidgetSocket, bearer, is_type, open_session, ws_connect
from tests.support.server import ServerThread
from tests.support.sites import SiteFactory

SHIPPING = ("How long does shipping take?", "Delivery takes 2 to 4 days in Germany.")


def test_message_is_acked_echoed_and_answered(server: ServerThread, sites: SiteFactory) -> None:
    site = sites.create(knowledge=(SHIPPING,))
    session = open_session(server.url, site)
    with WidgetSocket(server.url, session["session_token"]) as ws:
        ws.send({"type": "resume", "after_seq": 0})
        ws.send({"type": "message", "client_id": "c-1", "text": "how long does shipping take"})
        ack = ws.recv_until(is_type("ack"))
        reply = ws.recv_until(is_type("message", role="assistant"))
    assert ack == {"type": "ack", "client_id": "c-1", "seq": 1}
    echo = ws.messages()[0]
    assert (echo["seq"], echo["role"], echo["client_id"]) == (1, "customer", "c-1")
    assert reply["seq"] == 2
    assert reply["text"] == SHIPPING[1]


def test_unknown_question_is_answered_honestly(server: ServerThread, sites: SiteFactory) -> None:
    site = sites.create(knowledge=(SHIPPING,))
    session = open_session(server.url, site)
    with WidgetSocket(server.url, session["session_token"]) as ws:
        ws.send({"type": "resume", "after_seq": 0})
        ws.send({"type": "message", "client_id": "q", "text": "Do you sell submarines?"})
        reply = ws.recv_until(is_type("message", role="assistant"))
    assert "didn't quite get that" in reply["text"]
    assert "€" not in reply["text"]
    assert reply["quick_replies"]


def test_knowledge_of_another_site_is_never_used(server: ServerThread, sites: SiteFactory) -> None:
    sites.create(knowledge=(("Secret discount code", "The staff code is STAFF50."),))
    site = sites.create()
    session = open_session(server.url, site)
    with WidgetSocket(server.url, session["session_token"]) as ws:
        ws.send({"type": "resume", "after_seq": 0})
        ws.send({"type": "message", "client_id": "x", "text": "secret discount code?"})
        reply = ws.recv_until(is_type("message", role="assistant"))
    assert "STAFF50" not in reply["text"]


def test_resume_replays_each_missed_message_once_in_order(
    server: ServerThread, sites: SiteFactory
) -> None:
    site = sites.create(knowledge=(SHIPPING,))
    session = open_session(server.url, site)
    token = session["session_token"]
    with WidgetSocket(server.url, token) as ws:
        ws.send({"type": "resume", "after_seq": 0})
        ws.send({"type": "message", "client_id": "a", "text": "shipping time?"})
        ws.recv_until(is_type("message", seq=2))
    # While the customer is offline, two more messages and their replies are written.
    for client_id in ("b", "c"):
        posted = httpx.post(
            f"{server.url}/api/v1/widget/messages",
            json={"client_id": client_id, "text": "shipping time?"},
            headers=bearer(token),
        )
        assert posted.status_code == 201
        _wait_for_seq(server, token, posted.json()["ack"]["seq"] + 1)
    with WidgetSocket(server.url, token) as ws:
        ws.send({"type": "resume", "after_seq": 2})
        ws.recv_until(is_type("message", seq=6))
        ws.send({"type": "message", "client_id": "d", "text": "and shipping?"})
        ws.recv_until(is_type("message", seq=8))
        seqs = [f["seq"] for f in ws.messages()]
    assert seqs == [3, 4, 5, 6, 7, 8]


def test_same_client_id_twice_stores_one_message(server: ServerThread, sites: SiteFactory) -> None:
    site = sites.create()
    session = open_session(server.url, site)
    with WidgetSocket(server.url, session["session_token"]) as ws:
        ws.send({"type": "resume", "after_seq": 0})
        for _ in range(2):
            ws.send({"type": "message", "client_id": "dup", "text": "hello there"})
        first = ws.recv_until(is_type("ack"))
        second = ws.recv_until(is_type("ack"))
    assert first["seq"] == second["seq"] == 1
    replay = httpx.get(
        f"{server.url}/api/v1/widget/messages", headers=bearer(session["session_token"])
    ).json()["messages"]
    assert [m["client_id"] for m in replay if m["role"] == "customer"] == ["dup"]


def test_bad_frames_get_error_frames_and_the_connection_lives(
    server: ServerThread, sites: SiteFactory
) -> None:
    site = sites.create()
    session = open_session(server.url, site)
    cases = [
        ("{not json", "bad_json"),
        ("[1, 2]", "bad_frame"),
        (json.dumps({"type": "launch_missiles"}), "unknown_type"),
        (json.dumps({"type": "message", "client_id": "x" * 65, "text": "hi"}), "bad_client_id"),
        (json.dumps({"type": "message", "client_id": "ok", "text": "x" * 4001}), "too_long"),
        (json.dumps({"type": "message", "client_id": "ok", "text": "   "}), "empty"),
        (json.dumps({"type": "message", "client_id": "ok", "text": 5}), "bad_text"),
        (json.dumps({"type": "resume", "after_seq": -1}), "bad_resume"),
        (json.dumps({"type": "typing", "on": "yes"}), "bad_typing"),
        (json.dumps({"type": "rating", "score": 9}), "bad_rating"),
        (json.dumps({"type": "rating", "score": 5}), "not_resolved"),
        (json.dumps({"type": "message", "client_id": "a", "text": "x" * 40_000}), "too_large"),
    ]
    with WidgetSocket(server.url, session["session_token"]) as ws:
        for raw, code in cases:
            ws.send(raw)
            error = ws.recv_until(is_type("error"))
            assert error["code"] == code, (raw[:40], error)
            assert error["message"]
        ws.send({"type": "ping"})
        assert ws.recv_until(lambda f: f["type"] != "typing") == {"type": "pong"}


def test_frame_flood_is_rate_limited_without_closing(
    server: ServerThread, sites: SiteFactory
) -> None:
    site = sites.create()
    session = open_session(server.url, site)
    with WidgetSocket(server.url, session["session_token"]) as ws:
        for _ in range(40):
            ws.send({"type": "ping"})
        limited = ws.recv_until(is_type("error", code="rate_limited"))
        assert "retry" in limited["message"]
        ws.ws.recv(timeout=1)  # still open: frames keep coming


def test_bad_session_token_gets_error_frame_and_close_4401(server: ServerThread) -> None:
    ws = WidgetSocket(server.url, "not-a-token")
    error = ws.recv_until(is_type("error"))
    assert error["code"] == "session_invalid"
    try:
        ws.ws.recv(timeout=5)
    except Exception as exc:  # the server closed the connection
        assert "4401" in str(exc)
    else:
        raise AssertionError("connection stayed open")


def _wait_for_seq(server: ServerThread, token: str, seq: int) -> None:
    response = httpx.get(
        f"{server.url}/api/v1/widget/messages",
        params={"after_seq": seq - 1, "wait": 10},
        headers=bearer(token),
        timeout=15,
    )
    assert response.json()["messages"][0]["seq"] == seq


def test_an_error_answering_a_message_names_its_client_id(
    server: ServerThread, sites: SiteFactory
) -> None:
    site = sites.create()
    session = open_session(server.url, site)
    with WidgetSocket(server.url, session["session_token"]) as ws:
        ws.send({"type": "message", "client_id": "q-7", "text": "x" * 5000})
        too_long = ws.recv_until(is_type("error"))
        ws.send({"type": "message", "client_id": "q-8", "text": "hi", "attachments": ["nope"]})
        bad_attachment = ws.recv_until(is_type("error"))
    assert (too_long["code"], too_long["client_id"]) == ("too_long", "q-7")
    assert (bad_attachment["code"], bad_attachment["client_id"]) == ("bad_attachments", "q-8")


def test_a_client_that_never_resumes_gets_live_messages_from_its_connect(
    server: ServerThread, sites: SiteFactory
) -> None:
    site = sites.create(knowledge=(SHIPPING,))
    session = open_session(server.url, site)
    token = session["session_token"]
    posted = httpx.post(
        f"{server.url}/api/v1/widget/messages",
        json={"client_id": "earlier", "text": "shipping time?"},
        headers=bearer(token),
    )
    _wait_for_seq(server, token, posted.json()["ack"]["seq"] + 1)
    with WidgetSocket(server.url, token) as ws:
        ws.send({"type": "message", "client_id": "now", "text": "how long does shipping take"})
        reply = ws.recv_until(is_type("message", role="assistant"))
    assert reply["text"] == SHIPPING[1]
    assert [(m["seq"], m["role"]) for m in ws.messages()] == [(3, "customer"), (4, "assistant")]


def _close_code(ws: WidgetSocket, timeout: float = 10) -> int:
    """Read until the server closes; its close code."""
    with pytest.raises(ConnectionClosed) as closed:
        while True:
            ws.recv_until(lambda _f: False, timeout=timeout)
    assert closed.value.rcvd is not None
    return closed.value.rcvd.code


def _live(ws: WidgetSocket, after_seq: int = 0) -> None:
    """Resume, and return once the server handled it (frames are handled in order)."""
    ws.send({"type": "resume", "after_seq": after_seq})
    ws.send({"type": "ping"})
    ws.recv_until(is_type("pong"))


def test_the_first_frame_must_authenticate(server: ServerThread) -> None:
    with ws_connect(server.url.replace("http", "ws") + "/api/v1/widget/ws") as ws:
        ws.send(json.dumps({"type": "resume", "after_seq": 0}))
        error = json.loads(ws.recv(timeout=10))
        with pytest.raises(ConnectionClosed) as closed:
            ws.recv(timeout=10)
    assert error["code"] == "auth_required"
    assert closed.value.rcvd is not None and closed.value.rcvd.code == 4401


def test_the_token_in_the_url_still_works_for_one_release(
    server: ServerThread, sites: SiteFactory
) -> None:
    session = open_session(server.url, sites.create(knowledge=(SHIPPING,)))
    with WidgetSocket(server.url, session["session_token"], token_in_url=True) as ws:
        _live(ws)
        ws.send({"type": "message", "client_id": "old", "text": "how long does shipping take"})
        reply = ws.recv_until(is_type("message", role="assistant"))
    assert reply["text"] == SHIPPING[1]


async def _store_unpublished(server: ServerThread, conversation_id: str, text: str) -> int:
    """A message in the store whose push never happened (another process died, say)."""
    async with server.app.state.services.db.transaction() as session:
        conversation = await session.get(Conversation, uuid.UUID(conversation_id))
        assert conversation is not None
        message, _ = await insert_message(
            session, conversation=conversation, role="system", text=text
        )
        return message.seq


def test_a_gap_in_seq_is_filled_from_the_store(server: ServerThread, sites: SiteFactory) -> None:
    session = open_session(server.url, sites.create(knowledge=(SHIPPING,)))
    with WidgetSocket(server.url, session["session_token"]) as ws:
        _live(ws)
        missed = server.call(_store_unpublished(server, session["conversation_id"], "missed"))
        ws.send({"type": "message", "client_id": "after", "text": "shipping time?"})
        ws.recv_until(is_type("message", role="assistant"))
    assert missed == 1
    assert [(m["seq"], m["role"]) for m in ws.messages()] == [
        (1, "system"),
        (2, "customer"),
        (3, "assistant"),
    ]


def test_a_lagged_subscriber_recovers_from_the_store(
    server: ServerThread, sites: SiteFactory, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(bus_base, "QUEUE_SIZE", 3)
    session = open_session(server.url, sites.create())
    conversation_id = session["conversation_id"]

    async def lose_a_push_in_a_burst() -> int:
        seq = await _store_unpublished(server, conversation_id, "lost in the burst")
        channel = conversation_channel(uuid.UUID(conversation_id))
        for _ in range(5):  # one loop turn: more than the subscription holds
            await server.app.state.services.bus.publish(
                channel, {"type": "typing", "role": "agent", "on": True}
            )
        return seq

    with WidgetSocket(server.url, session["session_token"]) as ws:
        _live(ws)
        seq = server.call(lose_a_push_in_a_burst())
        recovered = ws.recv_until(is_type("message", seq=seq))
    assert recovered["text"] == "lost in the burst"


def test_a_connection_whose_frames_pile_up_is_closed_4008(
    server: ServerThread, sites: SiteFactory, monkeypatch: pytest.MonkeyPatch
) -> None:
    session = open_session(server.url, sites.create())
    for n in range(3):
        server.call(_store_unpublished(server, session["conversation_id"], f"old {n}"))
    monkeypatch.setattr(widget_ws, "OUTBOX_FRAMES", 2)
    with WidgetSocket(server.url, session["session_token"]) as ws:
        ws.send({"type": "resume", "after_seq": 0})  # three frames at once for a queue of two
        assert _close_code(ws) == 4008


def test_a_connection_is_closed_4000_at_its_maximum_lifetime(
    backend_settings: Settings, sites: SiteFactory
) -> None:
    settings = backend_settings.model_copy(update={"ws_max_lifetime_seconds": 1.0})
    short_lived = ServerThread(create_app(settings)).start()
    try:
        session = open_session(short_lived.url, sites.create())
        started = time.monotonic()
        with WidgetSocket(short_lived.url, session["session_token"]) as ws:
            _live(ws)
            code = _close_code(ws)
        assert code == 4000
        assert 0.9 < time.monotonic() - started < 8
    finally:
        short_lived.stop()
