"""Liveness, readiness (naming what failed) and Prometheus metrics."""

from __future__ import annotations

import contextlib
import socket
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from shopchat.app import create_app
from tests.conftest import make_settings
from tests.support.chat import WidgetSocket, is_type, open_session
from tests.support.server import ServerThread, free_port
from tests.support.sites import SiteFactory


def test_healthz_and_readyz(server: ServerThread) -> None:
    assert httpx.get(f"{server.url}/healthz").json() == {"status": "ok"}
    assert httpx.get(f"{server.url}/readyz").json() == {"status": "ready"}


def test_metrics_count_messages_and_open_sockets(server: ServerThread, sites: SiteFactory) -> None:
    site = sites.create()
    before = _metric(server, 'shopchat_messages_total{role="customer"}')
    with WidgetSocket(server.url, open_session(server.url, site)["session_token"]) as ws:
        ws.send({"type": "resume", "after_seq": 0})
        ws.send({"type": "message", "client_id": "m", "text": "hi"})
        ws.recv_until(is_type("ack"))
        assert _metric(server, "shopchat_ws_connections") >= 1
    assert _metric(server, 'shopchat_messages_total{role="customer"}') == before + 1


def _metric(server: ServerThread, name: str) -> float:
    """The value of one sample in the Prometheus text of /metrics (0 when absent)."""
    for line in httpx.get(f"{server.url}/metrics").text.splitlines():
        if line.startswith(name + " "):
            return float(line.rsplit(" ", 1)[1])
    return 0.0


@pytest.fixture
def server_whose_redis_dies(tmp_path: Path) -> Iterator[ServerThread]:
    """The app on its own real Redis server, which the test then stops."""
    port = free_port()
    redis = subprocess.Popen(
        ["redis-server", "--port", str(port), "--bind", "127.0.0.1", "--save", ""],
        stdout=subprocess.DEVNULL,
    )
    for _ in range(100):
        with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", port)):
            break
        time.sleep(0.05)
    settings = make_settings(tmp_path, redis_url=f"redis://127.0.0.1:{port}/0")
    running = ServerThread(create_app(settings)).start()
    assert httpx.get(f"{running.url}/readyz").status_code == 200
    redis.terminate()
    redis.wait()
    yield running
    running.stop()


def test_readyz_names_redis_when_it_is_down(server_whose_redis_dies: ServerThread) -> None:
    response = httpx.get(f"{server_whose_redis_dies.url}/readyz")
    assert response.status_code == 503
    assert response.json() == {"status": "unavailable", "failed": {"redis": "ConnectionError"}}


def test_readyz_names_the_database_when_it_is_down(tmp_path: Path) -> None:
    settings = make_settings(tmp_path, "postgresql://postgres@127.0.0.1:1/nothing")
    running = ServerThread(create_app(settings)).start()
    try:
        response = httpx.get(f"{running.url}/readyz", timeout=30)
    finally:
        running.stop()
    assert response.status_code == 503
    assert list(response.json()["failed"]) == ["database"]
