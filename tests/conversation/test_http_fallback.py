"""The HTTP fallback of the WebSocket: send, long-poll, and hostile requests."""

from __future__ import annotations

import threading
import time

import httpx
import pytest

from tests.support.chat import bearer, open_session
from tests.support.server import ServerThread
from tests.support.sites import SiteFactory

SHIPPING = ("How long does shipping take?", "Delivery takes 2 to 4 days in Germany.")


def test_send_then_long_poll_gets_the_reply(server: ServerThread, sites: SiteFactory) -> None:
    site = sites.create(knowledge=(SHIPPING,))
    token = open_session(server.url, site)["session_token"]
    sent = httpx.post(
        f"{server.url}/api/v1/widget/messages",
        json={"client_id": "h1", "text": "shipping takes how long?"},
        headers=bearer(token),
    )
    assert sent.status_code == 201
    assert sent.json()["ack"] == {"type": "ack", "client_id": "h1", "seq": 1}
    polled = httpx.get(
        f"{server.url}/api/v1/widget/messages",
        params={"after_seq": 1, "wait": 10},
        headers=bearer(token),
        timeout=15,
    )
    (reply,) = polled.json()["messages"]
    assert (reply["seq"], reply["role"], reply["text"]) == (2, "assistant", SHIPPING[1])


def test_long_poll_waits_and_wakes_on_a_new_message(
    server: ServerThread, sites: SiteFactory
) -> None:
    site = sites.create()
    token = open_session(server.url, site)["session_token"]

    def send_later() -> None:
        time.sleep(0.5)
        httpx.post(
            f"{server.url}/api/v1/widget/messages",
            json={"client_id": "late", "text": "hello?"},
            headers=bearer(token),
        )

    threading.Thread(target=send_later).start()
    started = time.monotonic()
    polled = httpx.get(
        f"{server.url}/api/v1/widget/messages",
        params={"after_seq": 0, "wait": 10},
        headers=bearer(token),
        timeout=15,
    )
    waited = time.monotonic() - started
    assert polled.json()["messages"][0]["client_id"] == "late"
    assert 0.3 < waited < 5


def test_long_poll_returns_empty_after_wait(server: ServerThread, sites: SiteFactory) -> None:
    site = sites.create()
    token = open_session(server.url, site)["session_token"]
    polled = httpx.get(
        f"{server.url}/api/v1/widget/messages",
        params={"after_seq": 0, "wait": 0.3},
        headers=bearer(token),
    )
    assert polled.json() == {"messages": []}


def test_resending_a_client_id_is_answered_200_with_the_same_seq(
    server: ServerThread, sites: SiteFactory
) -> None:
    site = sites.create()
    token = open_session(server.url, site)["session_token"]
    url = f"{server.url}/api/v1/widget/messages"
    first = httpx.post(url, json={"client_id": "same", "text": "hi"}, headers=bearer(token))
    second = httpx.post(url, json={"client_id": "same", "text": "hi"}, headers=bearer(token))
    assert (first.status_code, second.status_code) == (201, 200)
    assert first.json()["ack"]["seq"] == second.json()["ack"]["seq"]


def test_concurrent_duplicates_store_one_message(server: ServerThread, sites: SiteFactory) -> None:
    site = sites.create()
    token = open_session(server.url, site)["session_token"]
    url = f"{server.url}/api/v1/widget/messages"
    results: list[httpx.Response] = []

    def send() -> None:
        results.append(
            httpx.post(url, json={"client_id": "race", "text": "hi"}, headers=bearer(token))
        )

    threads = [threading.Thread(target=send) for _ in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(r.status_code for r in results) == [200] * 5 + [201]
    assert len({r.json()["ack"]["seq"] for r in results}) == 1
    messages = httpx.get(url, headers=bearer(token)).json()["messages"]
    assert [m["client_id"] for m in messages if m["role"] == "customer"] == ["race"]


@pytest.mark.parametrize(
    ("body", "code"),
    [
        ({"client_id": "", "text": "hi"}, "bad_client_id"),
        ({"client_id": "<script>", "text": "hi"}, "bad_client_id"),
        ({"client_id": "ok", "text": ["a"]}, "bad_text"),
        ({"client_id": "ok", "text": ""}, "empty"),
        ({"client_id": "ok", "text": "hi", "attachments": ["not-a-uuid"]}, "bad_attachments"),
        (
            {
                "client_id": "ok",
                "text": "hi",
                "attachments": ["6f1c7d3e-0000-4000-8000-000000000000"],
            },
            "bad_attachments",
        ),
    ],
)
def test_bad_messages_are_400_and_store_nothing(
    server: ServerThread, sites: SiteFactory, body: dict[str, object], code: str
) -> None:
    site = sites.create()
    token = open_session(server.url, site)["session_token"]
    url = f"{server.url}/api/v1/widget/messages"
    response = httpx.post(url, json=body, headers=bearer(token))
    assert response.status_code == 400
    assert response.json()["error"]["code"] == code
    assert httpx.get(url, headers=bearer(token)).json() == {"messages": []}


@pytest.mark.parametrize("authorization", [None, "Basic abc", "Bearer", "Bearer x.y.z"])
def test_missing_or_bad_token_is_401(server: ServerThread, authorization: str | None) -> None:
    headers = {"Authorization": authorization} if authorization else {}
    response = httpx.get(f"{server.url}/api/v1/widget/messages", headers=headers)
    assert response.status_code == 401
    assert response.json()["error"]["code"] == "session_invalid"


def test_malformed_and_oversized_bodies_are_clear_4xx(server: ServerThread) -> None:
    url = f"{server.url}/api/v1/widget/session"
    headers = {"Content-Type": "application/json", "Origin": "https://shop.example"}
    broken = httpx.post(url, content=b'{"site_key": ', headers=headers)
    assert broken.status_code == 422
    assert broken.json()["error"]["code"] == "invalid_request"
    wrong_type = httpx.post(url, json={"site_key": 12}, headers=headers)
    assert wrong_type.status_code == 422
    huge = httpx.post(url, content=b"{" + b" " * 70_000 + b"}", headers=headers)
    assert huge.status_code == 413
    assert huge.json()["error"]["code"] == "too_large"


def test_negative_after_seq_is_rejected(server: ServerThread, sites: SiteFactory) -> None:
    site = sites.create()
    token = open_session(server.url, site)["session_token"]
    response = httpx.get(
        f"{server.url}/api/v1/widget/messages", params={"after_seq": -1}, headers=bearer(token)
    )
    assert response.status_code == 422


def test_cors_preflight_and_echo(server: ServerThread, sites: SiteFactory) -> None:
    preflight = httpx.options(
        f"{server.url}/api/v1/widget/session",
        headers={"Origin": "https://shop.example", "Access-Control-Request-Method": "POST"},
    )
    assert preflight.status_code == 204
    assert preflight.headers["access-control-allow-origin"] == "https://shop.example"
    site = sites.create()
    response = httpx.post(
        f"{server.url}/api/v1/widget/session",
        json={"site_key": site.site_key},
        headers={"Origin": "https://shop.example"},
    )
    assert response.headers["access-control-allow-origin"] == "https://shop.example"
