"""Presence from open consoles: closing every console tab sets an agent offline after a grace
period, the next console brings their availability back, and routing skips closed consoles."""

from __future__ import annotations

import json
import time
import uuid
from collections.abc import Callable, Iterator
from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import select, update
from websockets.sync.client import ClientConnection

from shopchat.console import presence
from shopchat.models import Conversation, Site
from shopchat.models.base import utcnow
from shopchat.models.tables import Agent, ConsoleSocket, OutboxItem
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


def wait_until(check: Callable[[], bool], what: str, timeout: float = 10) -> None:
    deadline = time.monotonic() + timeout
    while not check():
        if time.monotonic() > deadline:
            raise AssertionError(f"still not {what} after {timeout}s")
        time.sleep(0.05)


def sweep_past_grace(settings: Settings, agent_id: uuid.UUID) -> None:
    """The sweep as it runs once the grace period is over, without waiting it out: the
    agent's closed sockets are made older than the grace, then the account is swept."""

    async def sweep(session: Any) -> None:
        agent = await session.get(Agent, agent_id)
        now = utcnow()
        await session.execute(
            update(ConsoleSocket)
            .where(ConsoleSocket.agent_id == agent_id, ConsoleSocket.expires_at <= now)
            .values(expires_at=now - timedelta(seconds=presence.GRACE_SECONDS + 1))
        )
        await presence.sweep(session, account_id=agent.account_id)

    run_db(settings, sweep)


def auto_assign_tried(settings: Settings, conversation_id: str) -> bool:
    """Whether the outbox worker has run the hand-off's auto-assignment (done with it)."""

    async def read(session: Any) -> bool:
        items = await session.scalars(
            select(OutboxItem).where(
                OutboxItem.kind == "console.auto_assign", OutboxItem.sent_at.is_not(None)
            )
        )
        return any(i.payload["conversation_id"] == conversation_id for i in items.all())

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
    sweep_past_grace(console_settings, agent_id)  # past the grace: one console is still open
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
    sweep_past_grace(console_settings, agent_id)
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
    wait_until(lambda: availability(console_settings, agent_id) == "offline", "offline")
    ws = console(console_server, agent)  # restored before the console's hello
    assert availability(console_settings, agent_id) == "away"
    # Chosen "offline" stays offline when the console opens again.
    assert agent.post("/console/availability", {"availability": "offline"}).is_success
    ws.close()
    sweep_past_grace(console_settings, agent_id)
    ws = console(console_server, agent)
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
    ws.close()  # agent2 closed the tab: offline after the grace, "online" to restore
    agent2_id = world.a.agents["agent2"]
    wait_until(lambda: availability(console_settings, agent2_id) == "offline", "offline")

    socket, conversation_id = _handed_off(console_server, world)
    socket.close()
    # Nobody has a console open when the worker runs the auto-assignment.
    wait_until(lambda: auto_assign_tried(console_settings, conversation_id), "auto-assigned")
    found = run_db(console_settings, lambda s: assignee(s, conversation_id))
    assert found == (None, "waiting")

    ws = console(console_server, agent2)  # back: online again, and offered the queue
    wanted = (agent2_id, "agent")
    wait_until(
        lambda: run_db(console_settings, lambda s: assignee(s, conversation_id)) == wanted,
        "assigned",
    )

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
    wait_until(lambda: auto_assign_tried(console_settings, conversation_id), "auto-assigned")

    async def status(session: Any) -> tuple[Any, str]:
        conversation = await session.get(Conversation, uuid.UUID(conversation_id))
        return conversation.assignee_id, conversation.status

    assert run_db(console_settings, status) == (None, "waiting")
