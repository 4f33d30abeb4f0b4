"""A server killed while the assistant thinks loses no answer: the next one gives it.

The first ``shopchat serve`` asks an LLM that never answers, and is killed (SIGKILL) after
acknowledging the customer's message; the second, started on the same SQLite file, answers
it with the built-in assistant, and the customer's long-poll receives it.
"""

from __future__ import annotations

import secrets
import socket
import threading
import uuid
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlalchemy import update

from shopchat.models import Conversation
from shopchat.models.base import utcnow
from tests.conftest import make_settings
from tests.support.chat import bearer, open_session
from tests.support.server import ServerProcess
from tests.support.sites import SiteFactory

SHIPPING = ("How long does shipping take?", "Delivery takes 2 to 4 days in Germany.")


class SilentLLM:
    """A TCP listener that accepts the provider request and never answers it."""

    def __init__(self) -> None:
        self._server = socket.create_server(("127.0.0.1", 0))
        self.port = self._server.getsockname()[1]
        self.asked = threading.Event()
        self._held: list[socket.socket] = []
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self) -> None:
        while True:
            try:
                connection, _ = self._server.accept()
            except OSError:
                return  # closed
            self._held.append(connection)
            if connection.recv(65536):
                self.asked.set()

    def close(self) -> None:
        self._server.close()
        for connection in self._held:
            connection.close()


@pytest.fixture
def silent_llm() -> Iterator[SilentLLM]:
    llm = SilentLLM()
    yield llm
    llm.close()


def test_an_answer_lost_with_a_killed_server_is_given_by_the_next(
    tmp_path: Path, silent_llm: SilentLLM
) -> None:
    env = {
        "SHOPCHAT_DATA_DIR": str(tmp_path),
        "SHOPCHAT_SECRET_KEY": secrets.token_urlsafe(32),
        "SHOPCHAT_ENCRYPTION_KEY": secrets.token_urlsafe(32),
        "SHOPCHAT_LOG_LEVEL": "warning",
    }
    llm = {
        "SHOPCHAT_LLM_BASE_URL": f"http://127.0.0.1:{silent_llm.port}/v1",
        "SHOPCHAT_LLM_MODEL": "test-model",
        "SHOPCHAT_LLM_API_KEY": "sk-test",
    }
    first = ServerProcess({**env, **llm}).start()
    try:
        sites = SiteFactory(make_settings(tmp_path, encryption_key=env["SHOPCHAT_ENCRYPTION_KEY"]))
        site = sites.create(knowledge=(SHIPPING,))
        token = open_session(first.url, site)["session_token"]
        sent = httpx.post(
            f"{first.url}/api/v1/widget/messages",
            json={"client_id": "m1", "text": "how long does shipping take?"},
            headers=bearer(token),
        )
        assert sent.status_code == 201, sent.text
        assert silent_llm.asked.wait(10), "the first server never asked the LLM"
    finally:
        assert first.process is not None
        first.process.kill()  # no shutdown: whatever it was doing is lost
        first.process.wait()

    async def a_minute_passes(session: Any) -> None:
        await session.execute(
            update(Conversation)
            .where(Conversation.site_id == uuid.UUID(site.site_id))
            .values(updated_at=utcnow() - timedelta(minutes=2))
        )

    sites.run(a_minute_passes)
    second = ServerProcess(env).start()
    try:
        with httpx.Client(timeout=20, headers=bearer(token)) as client:
            polled = client.get(
                f"{second.url}/api/v1/widget/messages", params={"after_seq": 1, "wait": 10}
            ).json()["messages"]
            everything = client.get(f"{second.url}/api/v1/widget/messages").json()["messages"]
            metrics = client.get(f"{second.url}/metrics").text
    finally:
        second.stop()

    assert [(m["role"], m["text"]) for m in polled] == [("assistant", SHIPPING[1])]
    assert [m["role"] for m in everything] == ["customer", "assistant"]
    assert "shopchat_replies_recovered_total 1.0" in metrics
