"""SIGTERM stops a busy ``shopchat serve`` at once, the way a rolling restart needs it: the
open long-poll is answered (empty), the widget's and the console's sockets close with
4000 (reconnect), and what was acknowledged before the signal is in the database."""

from __future__ import annotations

import re
import signal
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from contextlib import ExitStack
from pathlib import Path

import httpx
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from shopchat.conversation.ws import CLOSE_RECONNECT
from shopchat.models import Message
from shopchat.settings import Settings
from tests.conftest import make_settings
from tests.console.helpers import ConsoleClient, console_socket, run_db, seed_world
from tests.support.chat import WidgetSocket, bearer, close_code, is_type, open_session
from tests.support.server import ServerProcess

STOPPED_WITHIN_SECONDS = 5.0


def _open_long_polls(server: ServerProcess) -> float:
    text = httpx.get(f"{server.url}/metrics").text
    found = re.search(r"^shopchat_long_polls (\S+)$", text, re.MULTILINE)
    return float(found.group(1)) if found else 0.0


def test_sigterm_stops_a_busy_server_promptly_and_loses_nothing(tmp_path: Path) -> None:
    env = {
        "SHOPCHAT_DATA_DIR": str(tmp_path),
        "SHOPCHAT_ENV": "test",
        "SHOPCHAT_LOG_LEVEL": "warning",
    }
    server = ServerProcess(env).start()
    settings = make_settings(tmp_path)
    world = seed_world(settings)
    stack = ExitStack()
    agent = ConsoleClient(server.url)
    try:
        assert agent.login(world.a.email("agent")).status_code == 303
        console = console_socket(stack, server.url, agent)
        customer = open_session(server.url, world.a.credentials)
        widget = stack.enter_context(WidgetSocket(server.url, customer["session_token"]))
        widget.send({"type": "resume", "after_seq": 0})
        widget.send({"type": "message", "client_id": "m1", "text": "Where is my parcel?"})
        acked = widget.recv_until(is_type("ack", client_id="m1"))
        waiting = open_session(server.url, world.a.credentials)["session_token"]
        with ThreadPoolExecutor(1) as pool:
            poll = pool.submit(
                httpx.get,
                f"{server.url}/api/v1/widget/messages",
                params={"after_seq": 1000, "wait": 25},
                headers=bearer(waiting),
                timeout=30,
            )
            deadline = time.monotonic() + 10
            while _open_long_polls(server) < 1:
                assert time.monotonic() < deadline, "the long-poll never reached the server"
                time.sleep(0.05)

            started = time.monotonic()
            server.process.send_signal(signal.SIGTERM)  # type: ignore[union-attr]
            server.process.wait(timeout=30)  # type: ignore[union-attr]
            stopped_after = time.monotonic() - started
            answered = poll.result(timeout=5)

        assert stopped_after < STOPPED_WITHIN_SECONDS
        assert answered.status_code == 200
        assert answered.json() == {"messages": []}
        assert close_code(widget.ws) == CLOSE_RECONNECT
        assert close_code(console) == CLOSE_RECONNECT
        assert _stored_seq(settings, uuid.UUID(customer["conversation_id"]), "m1") == acked["seq"]
    finally:
        stack.close()
        agent.close()
        server.stop()


def _stored_seq(settings: Settings, conversation_id: uuid.UUID, client_id: str) -> int | None:
    async def read(session: AsyncSession) -> int | None:
        return await session.scalar(
            select(Message.seq).where(
                Message.conversation_id == conversation_id, Message.client_id == client_id
            )
        )

    return run_db(settings, read)  # type: ignore[no-any-return]
