"""Presence from open consoles: closing every console tab sets an agent offline after a grace
period, the next console brings their availability back, and routing skips closed consoles."""

from __future__ import annotations

import json
import time
import uuid
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from sqlalchemy import select
from websockets.sync.client import ClientConnection

from shopchat.console import presence
from shopchat.models import Conversation, Site
from shopchat.models.tables import Agent, ConsoleSocket
from shopchat.settings import Settings
from tests.console.helpers import ConsoleClient, World, run_db
from tests.console.test_handoff_flow import _handed_off
from tests.support.chat import ws_connect
from tests.support.server import ServerThread


@pytest.fixture(autouse=True)
def short_grace(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    monkeypatch.setattr(presence, "GRACE_SECONDS", 0.6)
    monkeypatch.setattr(presence, "HEARTBEAT_SECONDS", 0.3)
    yield


def console(server: ServerThread, c: ConsoleClient) -> ClientConnection:
    cookie = f"sc_console={c.http.cookies['sc_console']}"
    ws = ws_connect(
        server.url.replace("http", "ws") + "/console/ws", additional_headers={"Cookie": cookie}
    )
    ws.__enter__()  # closed by the test, at the moment it chooses
    assert json.loads(ws.recv(timeout=5))["type"] == "hello"
    return ws


def availability(settings: Settings, agent_id: uuid.UUID) -> str:
    async def read(session: Any) -> str:
        return (await session.get(Agent, agent_id)).availability  # type: ignore[no-any-return]

    return run_db(settings, read)  # type: ignore[no-any-return]


def presence_of(ws: ClientConnection, agent_id: uuid.UUID, timeout: float = 5) -> str:
    deadline = time.monotonic() + timeout
    while True:
        event = json.loads(ws.recv(timeout=max(0.01, deadline - time.monotonic())))
        if event.get("type") == "presence" and event["agent_id"] == str(agent_id):
            return str(event["availability"])


def test_closing_every_console_sets_offline_and_reopening_restores(
    console_server: ServerThread,
    console_settings: Settings,
    world: World,
    client: Callable[..., ConsoleClient],
) -> None:
    agent_id = world.a.agents["agent"]
    watcher = console(console_server, client(world.a.email("supervisor")))
    agent = client(world.a.email("agent"))

    first, second = console(console_server, agent), console(console_server, agent)
    first.close()
    time.sleep(1.2)  # past the grace: one console is still open
    assert availability(console_settings, agent_id) == "online"

    second.close()
    assert availability(console_settings, agent_id) == "online"  # within the grace period
    assert presence_of(watcher, agent_id) == "offline"
    assert availability(console_settings, agent_id) == "offline"

    third = console(console_server, agent)
    assert presence_of(watcher, agent_id) == "online"
    assert availability(console_settings, agent_id) == "online"

    # A reload (close, reopen at once) is no absence.
    third.close()
    fourth = console(console_server, agent)
    time.sleep(1.5)
    assert availability(console_settings, agent_id) == "online"
    fourth.close()
    watcher.close()


def test_an_agents_own_choice_is_what_comes_back(
    console_server: ServerThread,
    console_settings: Settings,
    world: World,
    client: Callable[..., ConsoleClient],
) -> None:
    agent_id = world.a.agents["agent"]
    agent = client(world.a.email("agent"))
    ws = console(console_server, agent)
    assert agent.post("/console/availability", {"availability": "away"}).is_success
    ws.close()
    time.sleep(1.5)
    assert availability(console_settings, agent_id) == "offline"
    ws = console(console_server, agent)
    time.sleep(0.3)
    assert availability(console_settings, agent_id) == "away"
    # Chosen "offline" stays offline when the console opens again.
    assert agent.post("/console/availability", {"availability": "offline"}).is_success
    ws.close()
    time.sleep(1.5)
    ws = console(console_server, agent)
    time.sleep(0.3)
    assert availability(console_settings, agent_id) == "offline"
    ws.close()


def test_routing_skips_agents_without_a_live_console(
    console_server: ServerThread,
    console_settings: Settings,
    world: World,
    client: Callable[..., ConsoleClient],
) -> None:
    async def configure(session: Any) -> None:
        site = await session.get(Site, uuid.UUID(world.a.site_id))
        site.settings = {**site.settings, "routing": {"auto_assign": True}}
        for agent in (await session.scalars(select(Agent))).all():
            if agent.id != world.a.agents["agent2"]:
                agent.availability = "offline"

    async def assignee(session: Any, conversation_id: str) -> tuple[Any, str]:
        conversation = await session.get(Conversation, uuid.UUID(conversation_id))
        return conversation.assignee_id, conversation.status

    run_db(console_settings, configure)
    agent2 = client(world.a.email("agent2"))
    ws = console(console_server, agent2)
    ws.close()
    time.sleep(1.5)  # agent2 closed the tab: offline now, "online" to restore

    socket, conversation_id = _handed_off(console_server, world)
    socket.close()
    time.sleep(2.5)  # the worker polls every second; nobody has a console open
    found = run_db(console_settings, lambda s: assignee(s, conversation_id))
    assert found == (None, "waiting")

    ws = console(console_server, agent2)  # back: online again, and offered the queue
    deadline = time.monotonic() + 5
    while found[0] is None and time.monotonic() < deadline:
        time.sleep(0.1)
        found = run_db(console_settings, lambda s: assignee(s, conversation_id))
    assert found == (world.a.agents["agent2"], "agent")

    async def live_rows(session: Any) -> int:
        rows = await session.scalars(
            select(ConsoleSocket).where(ConsoleSocket.agent_id == world.a.agents["agent2"])
        )
        return len(rows.all())

    assert run_db(console_settings, live_rows) >= 1
    ws.close()


def test_an_online_agent_without_any_console_is_never_picked(
    console_server: ServerThread,
    console_settings: Settings,
    world: World,
) -> None:
    async def configure(session: Any) -> None:
        site = await session.get(Site, uuid.UUID(world.a.site_id))
        site.settings = {**site.settings, "routing": {"auto_assign": True}}

    run_db(console_settings, configure)  # every agent is "online"; none has a console open
    socket, conversation_id = _handed_off(console_server, world)
    socket.close()
    time.sleep(2.5)

    async def status(session: Any) -> tuple[Any, str]:
        conversation = await session.get(Conversation, uuid.UUID(conversation_id))
        return conversation.assignee_id, conversation.status

    assert run_db(console_settings, status) == (None, "waiting")
