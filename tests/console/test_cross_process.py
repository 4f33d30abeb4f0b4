"""Agents and customers on different server processes (PostgreSQL + Redis) see each other live."""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterator
from contextlib import ExitStack
from pathlib import Path

import pytest

from shopchat.migrations.runner import upgrade
from tests.conftest import (
    REDIS_URL,
    create_postgres_database,
    drop_postgres_database,
    make_settings,
)
from tests.console.helpers import (
    ConsoleClient,
    World,
    console_socket,
    run_async,
    seed_world,
    until,
)
from tests.support.chat import WidgetSocket, is_type, open_session
from tests.support.server import ServerProcess

pytestmark = [pytest.mark.postgres, pytest.mark.redis]


@pytest.fixture
def two_processes(tmp_path: Path) -> Iterator[tuple[ServerProcess, ServerProcess, World]]:
    url = create_postgres_database()
    settings = make_settings(tmp_path, url, redis_url=REDIS_URL)
    run_async(upgrade(settings))
    world = seed_world(settings)
    env = {
        "SHOPCHAT_DATA_DIR": str(tmp_path),  # the same generated keys in both
        "SHOPCHAT_DATABASE_URL": url,
        "SHOPCHAT_REDIS_URL": REDIS_URL,
        "SHOPCHAT_ENV": "test",
    }
    first = ServerProcess(env).start()
    second = ServerProcess(env).start()
    try:
        yield first, second, world
    finally:
        first.stop()
        second.stop()
        drop_postgres_database(url)


def test_agent_and_customer_on_different_processes(
    two_processes: tuple[ServerProcess, ServerProcess, World],
) -> None:
    agents_side, customers_side, world = two_processes
    agent = ConsoleClient(agents_side.url)
    assert agent.login(world.a.email("agent")).status_code == 303
    agent.refresh_csrf()
    colleague = ConsoleClient(customers_side.url)
    assert colleague.login(world.a.email("supervisor")).status_code == 303
    colleague.refresh_csrf()
    stack = ExitStack()
    console = console_socket(stack, agents_side.url, agent)
    colleague_console = console_socket(stack, customers_side.url, colleague)

    session = open_session(customers_side.url, world.a.credentials)
    conversation_id = session["conversation_id"]
    with WidgetSocket(customers_side.url, session["session_token"]) as customer:
        customer.send({"type": "resume", "after_seq": 0})
        customer.send({"type": "message", "client_id": "m1", "text": "I want to talk to a human"})
        until(console, {"type": "status", "status": "waiting", "conversation_id": conversation_id})

        assert agent.post(f"/console/c/{conversation_id}/claim").is_success
        customer.recv_until(is_type("status", status="agent"))
        assert agent.post(
            f"/console/c/{conversation_id}/reply", {"text": "Hello from P1"}
        ).is_success
        reply = customer.recv_until(lambda f: f.get("role") == "agent")
        assert reply["text"] == "Hello from P1"

        customer.send({"type": "typing", "on": True})
        until(console, {"type": "typing", "role": "customer", "on": True})
        console.send(json.dumps({"type": "typing", "conversation_id": conversation_id, "on": True}))
        customer.recv_until(is_type("typing", role="agent", on=True))

        customer.send({"type": "message", "client_id": "m2", "text": "Thanks, P2 here"})
        until(console, {"type": "message", "role": "customer", "text": "Thanks, P2 here"})

    # Presence crosses processes too.
    assert agent.post("/console/availability", {"availability": "away"}).is_success
    presence = until(colleague_console, {"type": "presence", "availability": "away"})
    assert presence["agent_id"] == str(world.a.agents["agent"])
    assert uuid.UUID(presence["agent_id"])
    stack.close()
    agent.close()
    colleague.close()
