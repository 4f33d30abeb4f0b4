"""An agent sees and touches only its own account's sites: every page, action and socket."""

from __future__ import annotations

import json
import re
from collections.abc import Callable

from tests.console.helpers import ConsoleClient, World
from tests.console.test_handoff_flow import _handed_off
from tests.support.chat import is_type, open_session, ws_connect
from tests.support.server import ServerThread


def test_another_account_sees_and_touches_nothing(
    console_server: ServerThread, world: World, client: Callable[..., ConsoleClient]
) -> None:
    socket, conversation_id = _handed_off(console_server, world)
    socket.close()
    owner_a = client(world.a.email("owner"))
    trainee_a = client(world.a.email("trainee"))
    team = owner_a.post("/console/teams", {"name": "Returns A"}).json()["team_id"]
    assert owner_a.post("/console/canned", {"shortcut": "secret-a", "text": "A only"}).is_success
    assert owner_a.post(f"/console/c/{conversation_id}/notes", {"text": "note of A"}).is_success
    assert trainee_a.post(f"/console/c/{conversation_id}/reply", {"text": "held A"}).json()["held"]
    pending = re.search(
        r"/console/pending/([0-9a-f-]+)/review", owner_a.get(f"/console/c/{conversation_id}").text
    ).group(1)  # type: ignore[union-attr]
    canned_a = re.search(r'name="delete" value="([0-9a-f-]+)"', owner_a.get("/console/canned").text)
    assert canned_a

    b_session = open_session(console_server.url, world.b.credentials)
    owner_b = client(world.b.email("owner"))
    b_conversation = b_session["conversation_id"]

    # Pages: nothing of A shows up.
    for path in (
        "/console?view=queue",
        "/console?view=open",
        "/console?view=all",
        "/console?view=resolved",
        "/console?q=human",
        "/console/list?view=open",
        "/console/team",
        "/console/audit",
        "/console/canned",
        "/console/integrations",
        f"/console/c/{b_conversation}",
    ):
        page = owner_b.get(path)
        assert page.status_code == 200, path
        for secret in (
            conversation_id,
            "Shop A",
            world.a.email("owner"),
            "secret-a",
            pending,
            world.a.site_id,
        ):
            assert secret not in page.text, (path, secret)
    assert owner_b.get(f"/console/c/{conversation_id}").status_code == 404

    # Actions on A's conversation are 404 — as if it did not exist.
    for action, form in (
        ("claim", {}),
        ("reply", {"text": "hi"}),
        ("notes", {"text": "x"}),
        ("notes", {"text": "x", "whisper": "1"}),
        ("status", {"action": "resolve"}),
        ("transfer", {"target": f"agent:{world.b.agents['owner']}"}),
    ):
        response = owner_b.post(f"/console/c/{conversation_id}/{action}", form)
        assert response.status_code == 404, (action, response.text)
    assert (
        owner_b.post(f"/console/pending/{pending}/review", {"decision": "approve"}).status_code
        == 404
    )

    # A's agents and teams cannot be targets of B's transfers; A's team cannot be edited.
    for target in (f"agent:{world.a.agents['agent']}", f"team:{team}"):
        response = owner_b.post(f"/console/c/{b_conversation}/transfer", {"target": target})
        assert response.status_code == 404, target
    member = owner_b.post(
        f"/console/teams/{team}/members", {"agent_id": str(world.b.agents["owner"])}
    )
    assert member.status_code == 404
    owner_b.post("/console/canned", {"delete": canned_a.group(1)})
    assert "secret-a" in owner_a.get("/console/canned").text
    assert (
        owner_b.post(f"/console/integrations/{world.a.site_id}", {"integrations": "{}"}).status_code
        == 404
    )
    assert owner_b.post(f"/console/agents/{world.a.agents['agent']}/revoke").status_code == 404

    # A's conversation is untouched.
    page = owner_a.get(f"/console/c/{conversation_id}")
    assert "waiting" in page.text and "held A" in page.text


def test_console_socket_carries_only_own_sites(
    console_server: ServerThread, world: World, client: Callable[..., ConsoleClient]
) -> None:
    owner_b = client(world.b.email("owner"))
    owner_a = client(world.a.email("owner"))
    ws_url = console_server.url.replace("http", "ws") + "/console/ws"

    def sock(c: ConsoleClient):  # type: ignore[no-untyped-def]
        cookie = f"sc_console={c.http.cookies['sc_console']}"
        return ws_connect(ws_url, additional_headers={"Cookie": cookie})

    with sock(owner_b) as b, sock(owner_a) as a:
        assert json.loads(a.recv(timeout=5))["type"] == "hello"
        assert json.loads(b.recv(timeout=5))["type"] == "hello"
        socket, conversation_id = _handed_off(console_server, world)
        socket.close()
        seen_a: list[dict[str, object]] = []
        while not any(e.get("status") == "waiting" for e in seen_a):
            seen_a.append(json.loads(a.recv(timeout=5)))
        assert all(e.get("conversation_id") == conversation_id for e in seen_a)
        b.send(json.dumps({"type": "ping"}))
        assert json.loads(b.recv(timeout=5)) == {"type": "pong"}  # nothing of A came before it
        # B cannot type into A's conversation either.
        b.send(json.dumps({"type": "typing", "conversation_id": conversation_id, "on": True}))
        b.send(json.dumps({"type": "ping"}))
        assert json.loads(b.recv(timeout=5)) == {"type": "pong"}


def test_socket_refuses_other_origins_and_signed_out(
    console_server: ServerThread, world: World, client: Callable[..., ConsoleClient]
) -> None:
    ws_url = console_server.url.replace("http", "ws") + "/console/ws"
    agent = client(world.a.email("agent"))
    cookie = f"sc_console={agent.http.cookies['sc_console']}"
    import pytest
    from websockets.exceptions import ConnectionClosed, InvalidStatus

    with (
        pytest.raises((InvalidStatus, ConnectionClosed)),
        ws_connect(
            ws_url, additional_headers={"Cookie": cookie, "Origin": "https://evil.example"}
        ) as ws,
    ):
        ws.recv(timeout=5)
    with ws_connect(ws_url) as ws:
        assert json.loads(ws.recv(timeout=5))["code"] == "signed_out"
    assert is_type("x")({"type": "x"})
