"""What production adds: HSTS, no public API docs, /metrics behind a token; and what every
deployment has: nosniff everywhere, a console CSP naming only its own host, slow bodies cut."""

from __future__ import annotations

import asyncio
import secrets
import socket
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from shopchat.app import create_app
from shopchat.migrations.runner import upgrade
from shopchat.settings import Settings, load_settings
from tests.conftest import make_settings
from tests.support.server import ServerThread

METRICS_TOKEN = secrets.token_urlsafe(24)


def _production(data_dir: Path, database_url: str, **overrides: object) -> Settings:
    settings = load_settings(
        env="production",
        data_dir=data_dir,
        database_url=database_url,
        secret_key=secrets.token_urlsafe(32),
        encryption_key=secrets.token_urlsafe(32),
        **overrides,
    )
    asyncio.run(upgrade(settings))
    return settings


@pytest.fixture
def production(tmp_path: Path, postgres_url: str) -> Iterator[ServerThread]:
    running = ServerThread(create_app(_production(tmp_path, postgres_url))).start()
    yield running
    running.stop()


@pytest.fixture
def development(tmp_path: Path) -> Iterator[ServerThread]:
    settings = make_settings(tmp_path, metrics_token=METRICS_TOKEN, body_read_timeout_seconds=0.5)
    asyncio.run(upgrade(settings))
    running = ServerThread(create_app(settings)).start()
    yield running
    running.stop()


@pytest.mark.postgres
def test_production_sends_hsts_on_every_kind_of_response(production: ServerThread) -> None:
    for path in ("/healthz", "/console/login", "/widget.js", "/console/static/console.js"):
        response = httpx.get(production.url + path)
        assert response.status_code == 200, path
        hsts = response.headers.get("strict-transport-security", "")
        assert hsts.startswith("max-age=63072000"), path
    missing = httpx.get(production.url + "/no/such/page")
    assert "strict-transport-security" in missing.headers


@pytest.mark.postgres
def test_production_hides_the_api_schema_and_metrics_without_a_token(
    production: ServerThread,
) -> None:
    for path in ("/docs", "/redoc", "/openapi.json", "/metrics"):
        assert httpx.get(production.url + path).status_code == 404, path


@pytest.mark.postgres
def test_production_serves_metrics_to_the_token_alone(tmp_path: Path, postgres_url: str) -> None:
    settings = _production(tmp_path, postgres_url, metrics_token=METRICS_TOKEN)
    with_token = ServerThread(create_app(settings)).start()
    try:
        url = with_token.url + "/metrics"
        assert httpx.get(url).status_code == 401
        wrong = {"Authorization": "Bearer " + METRICS_TOKEN[:-1] + "x"}
        assert httpx.get(url, headers=wrong).status_code == 401
        right = httpx.get(url, headers={"Authorization": f"Bearer {METRICS_TOKEN}"})
        assert right.status_code == 200
        assert "shopchat_messages_total" in right.text
    finally:
        with_token.stop()


def test_development_has_docs_and_no_hsts(server: ServerThread) -> None:
    response = httpx.get(server.url + "/openapi.json")
    assert response.status_code == 200
    assert "strict-transport-security" not in response.headers
    assert httpx.get(server.url + "/metrics").status_code == 200  # no token configured


def test_every_response_says_nosniff(server: ServerThread) -> None:
    for path in ("/healthz", "/console/static/console.js", "/console/login", "/nowhere"):
        assert httpx.get(server.url + path).headers["x-content-type-options"] == "nosniff"


def test_the_console_csp_connects_to_its_own_host_only(server: ServerThread) -> None:
    csp = httpx.get(server.url + "/console/login").headers["content-security-policy"]
    connect = next(d for d in csp.split(";") if d.strip().startswith("connect-src"))
    assert connect.split() == ["connect-src", "'self'"]


def test_a_configured_metrics_token_applies_outside_production_too(
    development: ServerThread,
) -> None:
    assert httpx.get(development.url + "/metrics").status_code == 401


def test_a_body_that_trickles_is_cut_with_408(development: ServerThread) -> None:
    with socket.create_connection(("127.0.0.1", development.port), timeout=10) as conn:
        conn.sendall(
            b"POST /api/v1/widget/session HTTP/1.1\r\nHost: x\r\n"
            b"Content-Type: application/json\r\nContent-Length: 100\r\n\r\n{"
        )
        answer = conn.recv(4096)  # nothing more is sent: the server must give up by itself
    assert answer.startswith(b"HTTP/1.1 408"), answer[:200]
    assert b"too_slow" in answer
    assert httpx.get(development.url + "/healthz").status_code == 200
