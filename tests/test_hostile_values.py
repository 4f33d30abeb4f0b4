"""Values that once answered 500: each gets a clear 4xx or error frame, and nothing is lost.

Each test here failed on main before the fix (a 500, or a crashed socket). The sweep of
every route with such values is in tests/test_hostile_sweep.py.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import time
from collections.abc import Iterator

import httpx
import pytest

from shopchat.settings import Settings
from tests.console.helpers import ConsoleClient, seed_world
from tests.support.chat import WidgetSocket, bearer, is_type, open_session
from tests.support.server import ServerThread
from tests.support.sites import ORIGIN, SiteFactory, identity_token

LONE_SURROGATE = "\ud800"


def _post_json(url: str, body: str, token: str) -> httpx.Response:
    # json.dumps escapes the surrogate as \ud800, as a browser's JSON.stringify would.
    return httpx.post(
        url, content=body, headers={**bearer(token), "content-type": "application/json"}
    )


def test_a_lone_surrogate_in_message_text_is_refused_and_a_clean_resend_is_stored(
    server: ServerThread, sites: SiteFactory
) -> None:
    token = open_session(server.url, sites.create())["session_token"]
    url = f"{server.url}/api/v1/widget/messages"
    body = json.dumps({"client_id": "s1", "text": f"hello {LONE_SURROGATE}"})
    refused = _post_json(url, body, token)
    assert refused.status_code == 422, refused.text
    assert "surrogate" in refused.json()["error"]["message"]
    stored = _post_json(url, json.dumps({"client_id": "s1", "text": "hello"}), token)
    assert stored.status_code == 201, stored.text
    assert stored.json()["ack"]["seq"] == 1  # the refused one took no seq


def test_a_lone_surrogate_in_the_page_context_is_refused(
    server: ServerThread, sites: SiteFactory
) -> None:
    site = sites.create()
    body = json.dumps(
        {"site_key": site.site_key, "context": {"page": {"title": LONE_SURROGATE, "url": "/"}}}
    )
    response = httpx.post(
        f"{server.url}/api/v1/widget/session",
        content=body,
        headers={"Origin": ORIGIN, "content-type": "application/json"},
    )
    assert response.status_code == 422, response.text


def test_a_lone_surrogate_in_an_identity_name_is_scrubbed(
    server: ServerThread, sites: SiteFactory
) -> None:
    site = sites.create()
    identity = identity_token(site, name=f"Anna {LONE_SURROGATE}Schmidt")
    opened = open_session(server.url, site, identity=identity)
    greeting = opened["config"]
    assert LONE_SURROGATE not in json.dumps(greeting, ensure_ascii=False)


def test_an_identity_whose_exp_is_a_string_is_refused(
    server: ServerThread, sites: SiteFactory
) -> None:
    site = sites.create()
    identity = identity_token(site, exp=str(int(time.time()) + 600))
    refused = open_session(server.url, site, identity=identity, expect=401)
    assert refused["error"]["code"] == "identity_invalid"


def test_an_identity_nested_past_the_parser_is_refused(
    server: ServerThread, sites: SiteFactory
) -> None:
    site = sites.create()
    exp = int(time.time()) + 600
    claims = f'{{"iss":"{site.site_key}","sub":"1","exp":{exp},"cart":' + "[" * 5000
    identity = _signed(claims + "]" * 5000 + "}", site.identity_secret)
    refused = open_session(server.url, site, identity=identity, expect=401)
    assert refused["error"]["code"] == "identity_invalid"


def _signed(claims_json: str, secret: str) -> str:
    """An HS256 JWT over claims too deep for json.dumps to write (so PyJWT cannot sign it)."""

    def part(raw: bytes) -> str:
        return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()

    signing_input = part(b'{"alg":"HS256","typ":"JWT"}') + "." + part(claims_json.encode())
    digest = hmac.new(secret.encode(), signing_input.encode(), hashlib.sha256).digest()
    return signing_input + "." + part(digest)


def test_after_seq_beyond_64_bits_is_refused_over_http_and_websocket(
    server: ServerThread, sites: SiteFactory
) -> None:
    token = open_session(server.url, sites.create())["session_token"]
    polled = httpx.get(
        f"{server.url}/api/v1/widget/messages",
        params={"after_seq": str(2**64)},
        headers=bearer(token),
    )
    assert polled.status_code == 422, polled.text
    assert "after_seq" in polled.json()["error"]["message"]
    with WidgetSocket(server.url, token) as ws:
        ws.send({"type": "resume", "after_seq": 2**64})
        error = ws.recv_until(is_type("error"))
        assert error["code"] == "bad_resume"
        ws.send({"type": "message", "client_id": "after", "text": "still here?"})
        assert ws.recv_until(is_type("ack"))["client_id"] == "after"


def test_frames_the_server_cannot_store_get_error_frames_and_the_socket_lives(
    server: ServerThread, sites: SiteFactory
) -> None:
    token = open_session(server.url, sites.create())["session_token"]
    with WidgetSocket(server.url, token) as ws:
        ws.send(json.dumps({"type": "message", "client_id": "x1", "text": LONE_SURROGATE}))
        assert ws.recv_until(is_type("error"))["code"] == "bad_json"
        ws.send('{"type": "message", "client_id": "x2", "text": ' + "[" * 3000 + "]" * 3000)
        assert ws.recv_until(is_type("error"))["code"] == "bad_json"
        ws.send(json.dumps({"type": "rating", "score": 5, "comment": LONE_SURROGATE}))
        assert ws.recv_until(is_type("error"))["code"] in {"bad_json", "bad_rating"}
        ws.send({"type": "message", "client_id": "x3", "text": "fine"})
        assert ws.recv_until(is_type("ack"))["seq"] == 1


@pytest.fixture
def owner(server: ServerThread, backend_settings: Settings) -> Iterator[ConsoleClient]:
    world = seed_world(backend_settings)
    client = ConsoleClient(server.url)
    assert client.login(world.a.email("owner")).status_code == 303
    yield client
    client.close()


def test_a_duplicate_team_name_answers_409(owner: ConsoleClient) -> None:
    assert owner.post("/console/teams", {"name": "Returns"}).status_code == 200
    again = owner.post("/console/teams", {"name": "Returns"})
    assert again.status_code == 409, again.text
    assert again.json()["error"]["code"] == "team_exists"


def test_json_nested_3000_deep_on_the_integrations_form_answers_400(
    owner: ConsoleClient,
) -> None:
    page = owner.get("/console/integrations")
    site_id = page.text.split('action="/console/integrations/', 1)[1].split('"', 1)[0]
    deep = owner.post(f"/console/integrations/{site_id}", {"integrations": "[" * 3000 + "]" * 3000})
    assert deep.status_code == 400, deep.text
    assert "nested too deeply" in deep.json()["error"]["message"]
