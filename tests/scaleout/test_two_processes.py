"""Two server processes sharing PostgreSQL and Redis deliver each other's messages."""

from __future__ import annotations

import secrets
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from tests.conftest import (
    REDIS_URL,
    create_postgres_database,
    drop_postgres_database,
    make_settings,
)
from tests.support.chat import WidgetSocket, bearer, is_type, open_session
from tests.support.server import ServerProcess
from tests.support.sites import SiteFactory

pytestmark = [pytest.mark.postgres, pytest.mark.redis]

SHIPPING = ("How long does shipping take?", "Delivery takes 2 to 4 days in Germany.")


@pytest.fixture(scope="module")
def cluster(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[ServerProcess, ...]]:
    url = create_postgres_database()
    shared = {
        "SHOPCHAT_DATABASE_URL": url,
        "SHOPCHAT_REDIS_URL": REDIS_URL,
        "SHOPCHAT_SECRET_KEY": secrets.token_urlsafe(32),
        "SHOPCHAT_ENCRYPTION_KEY": secrets.token_urlsafe(32),
        "SHOPCHAT_LOG_LEVEL": "warning",
    }
    servers = tuple(
        ServerProcess({**shared, "SHOPCHAT_DATA_DIR": str(tmp_path_factory.mktemp(f"p{n}"))})
        for n in (1, 2)
    )
    try:
        for server in servers:
            server.start()
        yield servers
    finally:
        for server in servers:
            server.stop()
        drop_postgres_database(url)


def _sites(cluster: tuple[ServerProcess, ...], tmp_path: Path) -> SiteFactory:
    env = cluster[0].env
    settings = make_settings(
        tmp_path,
        env["SHOPCHAT_DATABASE_URL"],
        encryption_key=env["SHOPCHAT_ENCRYPTION_KEY"],
    )
    return SiteFactory(settings)


def test_a_message_written_on_one_process_reaches_a_socket_on_the_other(
    cluster: tuple[ServerProcess, ...], tmp_path: Path
) -> None:
    first, second = cluster
    site = _sites(cluster, tmp_path).create(knowledge=(SHIPPING,))
    session = open_session(first.url, site)
    token = session["session_token"]
    with WidgetSocket(first.url, token) as ws:
        ws.send({"type": "resume", "after_seq": 0})
        sent = httpx.post(
            f"{second.url}/api/v1/widget/messages",
            json={"client_id": "x1", "text": "how long does shipping take?"},
            headers=bearer(token),
        )
        assert sent.status_code == 201
        echo = ws.recv_until(is_type("message", role="customer"))
        reply = ws.recv_until(is_type("message", role="assistant"))
    assert echo["client_id"] == "x1"
    assert reply["text"] == SHIPPING[1]  # written by the second process, pushed by the first


def test_long_poll_on_one_process_wakes_for_a_socket_message_on_the_other(
    cluster: tuple[ServerProcess, ...], tmp_path: Path
) -> None:
    first, second = cluster
    site = _sites(cluster, tmp_path).create()
    token = open_session(second.url, site)["session_token"]
    with httpx.Client(timeout=20) as client, WidgetSocket(first.url, token) as ws:
        ws.send({"type": "resume", "after_seq": 0})
        ws.send({"type": "message", "client_id": "w1", "text": "anyone there?"})
        ws.recv_until(is_type("ack"))
        polled = client.get(
            f"{second.url}/api/v1/widget/messages",
            params={"after_seq": 1, "wait": 10},
            headers=bearer(token),
        )
    assert polled.json()["messages"][0]["role"] == "assistant"


def test_both_processes_report_ready_with_redis(cluster: tuple[ServerProcess, ...]) -> None:
    for server in cluster:
        assert httpx.get(f"{server.url}/readyz").json() == {"status": "ready"}
