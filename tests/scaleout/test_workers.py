"""``shopchat serve --workers 2`` on PostgreSQL + Redis: two processes share the port, see
each other's messages live, and a worker killed with SIGKILL is replaced while the other
keeps serving.

Which worker holds a connection is read from /proc (the server end of the client's TCP
port), so the app carries no test hook.
"""

from __future__ import annotations

import json
import os
import signal
import time
from collections.abc import Callable, Iterator
from contextlib import ExitStack
from pathlib import Path
from typing import TypeVar

import httpx
import pytest
from websockets.sync.client import ClientConnection

from shopchat.conversation.ws import CLOSE_RECONNECT
from tests.conftest import REDIS_URL, create_postgres_database, drop_postgres_database
from tests.conftest import make_settings as settings_for
from tests.console.helpers import ConsoleClient, World, console_socket, seed_world, until
from tests.support.chat import WidgetSocket, close_code, is_type, open_session
from tests.support.procfs import serving_pid, worker_pids
from tests.support.server import ServerProcess

pytestmark = [pytest.mark.postgres, pytest.mark.redis]
T = TypeVar("T")
STOPPED_WITHIN_SECONDS = 10.0  # two workers' lifespans on two loaded cores


@pytest.fixture
def workers(tmp_path: Path) -> Iterator[tuple[ServerProcess, World]]:
    url = create_postgres_database()  # empty: the parent migrates it before the workers start
    env = {
        "SHOPCHAT_DATA_DIR": str(tmp_path),
        "SHOPCHAT_DATABASE_URL": url,
        "SHOPCHAT_REDIS_URL": REDIS_URL,
        "SHOPCHAT_ENV": "test",
        "SHOPCHAT_LOG_LEVEL": "warning",
    }
    server = ServerProcess(env, workers=2)
    try:
        server.start()
        yield server, seed_world(settings_for(tmp_path, url, redis_url=REDIS_URL))
    finally:
        server.stop()
        drop_postgres_database(url)


def _wait_for(condition: Callable[[], object], timeout: float = 20) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "condition not met in time"
        time.sleep(0.05)


def _two_workers(server: ServerProcess, *, without: int = 0) -> set[int]:
    _wait_for(lambda: len(worker_pids(server.pid) - {without}) == 2)
    return worker_pids(server.pid)


def _on_worker(
    server: ServerProcess,
    open_one: Callable[[], T],
    socket_of: Callable[[T], ClientConnection],
    wanted: int,
) -> T:
    """Open connections until the kernel hands one to worker ``wanted``; close the others."""
    deadline = time.monotonic() + 30  # a worker just started may still be starting up
    while time.monotonic() < deadline:
        connection = open_one()
        ws = socket_of(connection)
        pids = worker_pids(server.pid)
        if (
            serving_pid(server_port=server.port, client_port=ws.local_address[1], candidates=pids)
            == wanted
        ):
            return connection
        ws.close()
    raise AssertionError(f"no connection reached worker {wanted} in 30 s")


def test_two_workers_answer_fan_out_and_a_killed_one_is_replaced(
    workers: tuple[ServerProcess, World],
) -> None:
    server, world = workers
    first, second = sorted(_two_workers(server))
    stack = ExitStack()
    agent = ConsoleClient(server.url)
    assert agent.login(world.a.email("agent")).status_code == 303
    console = _on_worker(server, lambda: console_socket(stack, server.url, agent), _same, second)

    session = open_session(server.url, world.a.credentials)
    conversation_id, token = session["conversation_id"], session["session_token"]
    widget = _on_worker(server, lambda: WidgetSocket(server.url, token), _inner, first)
    widget.send({"type": "resume", "after_seq": 0})

    # The customer on the first worker, the agent on the second: each sees the other live.
    widget.send({"type": "message", "client_id": "m1", "text": "I want to talk to a human"})
    widget.recv_until(is_type("ack", client_id="m1"))
    until(console, {"type": "message", "role": "customer", "text": "I want to talk to a human"})
    until(console, {"type": "status", "status": "waiting", "conversation_id": conversation_id})
    assert agent.post(f"/console/c/{conversation_id}/claim").is_success
    assert agent.post(f"/console/c/{conversation_id}/reply", {"text": "Hi, Ann here"}).is_success
    assert widget.recv_until(lambda f: f.get("role") == "agent")["text"] == "Hi, Ann here"
    console.send(json.dumps({"type": "typing", "conversation_id": conversation_id, "on": True}))
    widget.recv_until(is_type("typing", role="agent", on=True))

    # SIGKILL the customer's worker: the supervisor starts a new one; the agent's keeps serving.
    os.kill(first, signal.SIGKILL)
    assert close_code(widget.ws, timeout=10) is None  # cut, no close frame: a dead process
    console.send(json.dumps({"type": "ping"}))
    until(console, {"type": "pong"})
    assert httpx.get(f"{server.url}/readyz").status_code == 200
    (replacement,) = _two_workers(server, without=first) - {first, second}
    assert replacement != first

    # The customer reconnects (to the replacement, to be sure it serves) and resumes.
    widget = _on_worker(server, lambda: WidgetSocket(server.url, token), _inner, replacement)
    widget.send({"type": "resume", "after_seq": 0})
    widget.recv_until(is_type("message", text="Hi, Ann here"))
    widget.send({"type": "message", "client_id": "m2", "text": "still there?"})
    until(console, {"type": "message", "role": "customer", "text": "still there?"})

    # SIGTERM to the parent stops every worker promptly; open sockets get "reconnect".
    started = time.monotonic()
    server.process.send_signal(signal.SIGTERM)  # type: ignore[union-attr]
    server.process.wait(timeout=30)  # type: ignore[union-attr]
    assert time.monotonic() - started < STOPPED_WITHIN_SECONDS
    assert close_code(console) == close_code(widget.ws) == CLOSE_RECONNECT
    widget.close()
    stack.close()
    agent.close()


def _same(ws: ClientConnection) -> ClientConnection:
    return ws


def _inner(widget: WidgetSocket) -> ClientConnection:
    return widget.ws
