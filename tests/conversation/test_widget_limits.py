"""The widget's limits over real HTTP and WebSocket: per address, per conversation, per site.

Each limit gets a server of its own with that limit set low; the suite's shared server
keeps them high (tests/conftest.py), so these are the tests that prove them.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from shopchat.app import create_app
from shopchat.settings import Settings
from shopchat.site.service import SiteCredentials
from tests.support.chat import WidgetSocket, bearer, is_type, open_session
from tests.support.server import ServerThread
from tests.support.sites import ORIGIN, SiteFactory

OTHER_ADDRESS = "127.0.0.2"  # loopback too: the server sees another visitor


def _serve(settings: Settings, **limits: Any) -> Iterator[ServerThread]:
    running = ServerThread(create_app(settings.model_copy(update=limits))).start()
    yield running
    running.stop()


@pytest.fixture(scope="module")
def frame_limited(backend_settings: Settings) -> Iterator[ServerThread]:
    # Five frames, then one every 100 s: nothing refills while a test runs.
    yield from _serve(backend_settings, frames_per_second=0.01, frame_burst=5)


@pytest.fixture(scope="module")
def turn_limited(backend_settings: Settings) -> Iterator[ServerThread]:
    yield from _serve(backend_settings, assistant_turns_per_site_per_minute=3)


@pytest.fixture(scope="module")
def session_limited(backend_settings: Settings) -> Iterator[ServerThread]:
    yield from _serve(backend_settings, sessions_per_ip_per_minute=3)


def _client(address: str | None = None) -> httpx.Client:
    transport = httpx.HTTPTransport(local_address=address) if address else None
    return httpx.Client(transport=transport, timeout=15)


def _post(
    url: str, token: str, client_id: str, text: str = "hello", *, http: Any = httpx
) -> httpx.Response:
    return http.post(  # type: ignore[no-any-return]
        f"{url}/api/v1/widget/messages",
        json={"client_id": client_id, "text": text},
        headers=bearer(token),
        timeout=15,
    )


def _messages(url: str, token: str, *, after_seq: int = 0, wait: float = 0) -> list[dict[str, Any]]:
    polled = httpx.get(
        f"{url}/api/v1/widget/messages",
        params={"after_seq": after_seq, "wait": wait},
        headers=bearer(token),
        timeout=15,
    )
    return polled.json()["messages"]  # type: ignore[no-any-return]


def _assert_429(response: httpx.Response, code: str) -> None:
    assert response.status_code == 429, response.text
    assert response.json()["error"]["code"] == code
    assert int(response.headers["retry-after"]) >= 1


# --- messages per conversation: one bucket for every transport -------------------------


def test_http_messages_past_the_burst_are_refused_and_not_stored(
    frame_limited: ServerThread, sites: SiteFactory
) -> None:
    token = open_session(frame_limited.url, sites.create())["session_token"]
    responses = [_post(frame_limited.url, token, f"h{n}") for n in range(12)]
    assert [r.status_code for r in responses] == [201] * 5 + [429] * 7
    _assert_429(responses[5], "rate_limited")
    assert int(responses[5].headers["retry-after"]) > 60  # a token comes back every 100 s
    customer = [m for m in _messages(frame_limited.url, token) if m["role"] == "customer"]
    assert [m["client_id"] for m in customer] == [f"h{n}" for n in range(5)]
    other = open_session(frame_limited.url, sites.create())["session_token"]
    assert _post(frame_limited.url, other, "o1").status_code == 201  # per conversation


def test_websocket_frames_and_http_messages_share_one_bucket(
    frame_limited: ServerThread, sites: SiteFactory
) -> None:
    site = sites.create()
    token = open_session(frame_limited.url, site)["session_token"]
    with WidgetSocket(frame_limited.url, token) as ws:
        for _ in range(4):
            ws.send({"type": "ping"})
            ws.recv_until(is_type("pong"))
        assert _post(frame_limited.url, token, "h1").status_code == 201  # the fifth
        _assert_429(_post(frame_limited.url, token, "h2"), "rate_limited")
        ws.send({"type": "message", "client_id": "w1", "text": "and over the socket?"})
        assert "retry" in ws.recv_until(is_type("error", code="rate_limited"))["message"]
    with WidgetSocket(frame_limited.url, token) as again:  # a new connection: same bucket
        again.send({"type": "ping"})
        again.recv_until(is_type("error", code="rate_limited"))
    texts = [m["client_id"] for m in _messages(frame_limited.url, token) if m["role"] == "customer"]
    assert texts == ["h1"]


# --- assistant turns per site and minute --------------------------------------------------


def _wait_for_reply(url: str, token: str, after_seq: int) -> dict[str, Any]:
    deadline = time.monotonic() + 15
    while time.monotonic() < deadline:
        replies = [
            m for m in _messages(url, token, after_seq=after_seq, wait=5) if m["role"] != "customer"
        ]
        if replies:
            return replies[0]
    raise AssertionError("no reply")


def test_a_site_over_its_assistant_turns_gets_a_polite_refusal_and_loses_nothing(
    turn_limited: ServerThread, sites: SiteFactory
) -> None:
    url = turn_limited.url
    site = sites.create()
    human = open_session(url, site)["session_token"]
    assert _post(url, human, "x1", "I want to talk to a human").status_code == 201  # turn 1
    handoff = _wait_for_reply(url, human, after_seq=1)
    assert handoff["role"] == "assistant"
    for n in (2, 3):
        token = open_session(url, site)["session_token"]
        assert _post(url, token, f"t{n}").status_code == 201
    busy_token = open_session(url, site)["session_token"]
    busy = _post(url, busy_token, "late", "are you there?")
    _assert_429(busy, "assistant_busy")
    assert "wait a moment" in busy.json()["error"]["message"]
    assert _messages(url, busy_token) == []  # refused before storing: the widget resends it
    with WidgetSocket(url, busy_token) as ws:
        ws.send({"type": "message", "client_id": "late", "text": "are you there?"})
        error = ws.recv_until(is_type("error"))
    assert (error["code"], error["client_id"]) == ("assistant_busy", "late")
    # Waiting for a person: the assistant does not answer, so nothing is counted.
    assert _post(url, human, "x2", "hello? anyone?").status_code == 201
    other_site = open_session(url, sites.create())["session_token"]
    assert _post(url, other_site, "o1").status_code == 201


# --- sessions per address ----------------------------------------------------------------


def _open(url: str, site: SiteCredentials, http: httpx.Client) -> httpx.Response:
    return http.post(
        f"{url}/api/v1/widget/session", json={"site_key": site.site_key}, headers={"Origin": ORIGIN}
    )


def test_sessions_per_address_are_limited(
    session_limited: ServerThread, sites: SiteFactory
) -> None:
    site = sites.create()
    with _client() as http:
        opened = [_open(session_limited.url, site, http) for _ in range(5)]
    assert [r.status_code for r in opened] == [200, 200, 200, 429, 429]
    _assert_429(opened[3], "rate_limited")
    assert int(opened[3].headers["retry-after"]) > 50  # the window slides: a minute
    with _client(OTHER_ADDRESS) as http:
        assert _open(session_limited.url, site, http).status_code == 200


# --- order-number guesses per address, through the chat ----------------------------------


def _ask(url: str, token: str, text: str, http: httpx.Client, seq: list[int]) -> str:
    sent = _post(url, token, f"c{seq[0]}", text, http=http)
    assert sent.status_code == 201, sent.text
    reply = _wait_for_reply(url, token, after_seq=sent.json()["ack"]["seq"])
    seq[0] += 1
    return str(reply["text"])


def test_guesses_from_one_address_block_that_address_not_the_next_visitor(
    server: ServerThread, sites: SiteFactory
) -> None:
    site = sites.create(settings={"store": "demo"})
    counter = [0]
    right = "Where is order 1004? sofia.lindqvist@example.com"
    with _client() as http:
        for conversation in range(4):  # five guesses each: the address's twenty
            token = open_session(server.url, site)["session_token"]
            for n in range(5):
                text = _ask(
                    server.url,
                    token,
                    f"order {3000 + conversation * 5 + n}, g{n}@x.io",
                    http,
                    counter,
                )
                assert "couldn't find" in text
        token = open_session(server.url, site)["session_token"]
        assert "can't look up any more orders" in _ask(server.url, token, right, http, counter)
    with _client(OTHER_ADDRESS) as http:
        token = http.post(
            f"{server.url}/api/v1/widget/session",
            json={"site_key": site.site_key},
            headers={"Origin": ORIGIN},
        ).json()["session_token"]
        assert "Alpine Down Jacket" in _ask(server.url, token, right, http, counter)
