"""`shopchat serve` at debug writes no session token, console cookie, password or customer
text to its log, whatever the client does (token in the URL, long-poll, console socket)."""

from __future__ import annotations

import json
import logging
from pathlib import Path

import httpx
import pytest

from shopchat.migrations.runner import upgrade
from shopchat.observability.logs import UrlSecretsFilter, scrub_url_secrets
from tests.conftest import make_settings
from tests.console.helpers import PASSWORD, ConsoleClient, run_async, seed_world
from tests.support.chat import WidgetSocket, bearer, is_type, open_session, ws_connect
from tests.support.server import ServerProcess, ServerThread
from tests.support.sites import SiteFactory

CUSTOMER_TEXT = "my parcel zq-4711-quokka never came"


def test_a_debug_server_logs_no_token_cookie_password_or_message_text(tmp_path: Path) -> None:
    settings = make_settings(tmp_path)
    run_async(upgrade(settings))
    world = seed_world(settings)
    env = {"SHOPCHAT_DATA_DIR": str(tmp_path), "SHOPCHAT_ENV": "test"}
    server = ServerProcess({**env, "SHOPCHAT_LOG_LEVEL": "debug"}).start()
    try:
        token = open_session(server.url, world.a.credentials)["session_token"]
        with WidgetSocket(server.url, token) as ws:
            ws.send({"type": "resume", "after_seq": 0})
            ws.send({"type": "message", "client_id": "c-1", "text": CUSTOMER_TEXT})
            ws.recv_until(is_type("message", role="assistant"))
        with WidgetSocket(server.url, token, token_in_url=True) as old_widget:
            old_widget.send({"type": "ping"})
            old_widget.recv_until(is_type("pong"))
        polled = httpx.get(f"{server.url}/api/v1/widget/messages?wait=0", headers=bearer(token))
        assert CUSTOMER_TEXT in polled.text
        agent = ConsoleClient(server.url)
        assert agent.login(world.a.email("agent")).status_code == 303
        cookie = agent.http.cookies["sc_console"]
        agent.http.close()
        url = server.url.replace("http", "ws") + "/console/ws"
        with ws_connect(url, additional_headers={"Cookie": f"sc_console={cookie}"}) as console:
            assert json.loads(console.recv(timeout=5))["type"] == "hello"
    finally:
        server.stop()
    log = server.log.read_text()
    assert '"WebSocket /api/v1/widget/ws?token=[redacted]" [accepted]' in log  # it did log
    assert "DEBUG:    widget socket opened on conversation" in log  # at debug indeed
    # The websockets library shortens frames in its debug lines: look for pieces too.
    _, payload, signature = token.split(".")
    pieces = (token, payload[:24], signature[-12:], cookie, PASSWORD, "quokka", "parcel")
    for secret in pieces:
        assert secret not in log, secret


def test_secret_query_values_are_redacted_and_the_rest_kept() -> None:
    line = "GET /a?after_seq=3&token=abc.def&consumer_secret=cs_1&x=1 and /b?session=s#f"
    assert scrub_url_secrets(line) == (
        "GET /a?after_seq=3&token=[redacted]&consumer_secret=[redacted]&x=1"
        " and /b?session=[redacted]#f"
    )
    oauth = "'https://shop.example/wc/v3/orders?oauth_consumer_key=ck_1&oauth_signature=s%2B'"
    assert scrub_url_secrets(oauth) == (
        "'https://shop.example/wc/v3/orders?oauth_consumer_key=[redacted]&oauth_signature=[redacted]'"
    )


def test_any_server_of_the_app_scrubs_uvicorns_lines(
    server: ServerThread, sites: SiteFactory, caplog: pytest.LogCaptureFixture
) -> None:
    """Served by a runner other than ``shopchat serve`` (here the tests' own uvicorn)."""
    token = open_session(server.url, sites.create())["session_token"]
    uvicorn_error = logging.getLogger("uvicorn.error")
    uvicorn_error.addHandler(caplog.handler)
    try:
        with (
            caplog.at_level(logging.INFO, logger="uvicorn.error"),
            WidgetSocket(server.url, token, token_in_url=True) as ws,
        ):
            ws.send({"type": "ping"})
            ws.recv_until(is_type("pong"))
    finally:
        uvicorn_error.removeHandler(caplog.handler)
    lines = [caplog.handler.format(record) for record in caplog.records]
    assert any("/api/v1/widget/ws?token=[redacted]" in line for line in lines), lines
    assert not any(token in line for line in lines)


def test_the_filter_scrubs_arguments_and_tracebacks() -> None:
    try:
        raise RuntimeError("failed: https://shop.example/wc?consumer_key=ck_9")
    except RuntimeError as exc:
        record = logging.LogRecord(
            "uvicorn.access",
            logging.INFO,
            __file__,
            1,
            '%s "%s"',
            ("1.2.3.4", "/w?token=t1"),
            (type(exc), exc, exc.__traceback__),
        )
    assert UrlSecretsFilter().filter(record)
    formatted = logging.Formatter().format(record)
    assert "t1" not in formatted and "ck_9" not in formatted
    assert record.args == ("1.2.3.4", "/w?token=[redacted]")
