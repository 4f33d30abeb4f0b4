"""In Chromium: the widget opens on the WordPress page and chats with the real chat server."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import WebSocket, sync_playwright

from tests.support.server import ServerProcess
from tests.wordpress.wp_harness import WordPress

pytestmark = pytest.mark.browser


@pytest.fixture
def chat_server(tmp_path: Path, wp: WordPress) -> Iterator[tuple[ServerProcess, dict[str, str]]]:
    env = {"SHOPCHAT_DATA_DIR": str(tmp_path / "chat")}
    created = subprocess.run(
        [
            sys.executable,
            "-m",
            "shopchat",
            "site",
            "create",
            "--name",
            "WordPress test shop",
            "--origin",
            wp.url,
            "--json",
        ],
        env={**os.environ, **env},
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )
    site = json.loads(created.stdout)
    server = ServerProcess(env).start()
    try:
        yield server, site
    finally:
        server.stop()


def test_widget_chats_on_the_wordpress_page(
    wp: WordPress, chat_server: tuple[ServerProcess, dict[str, str]]
) -> None:
    server, site = chat_server
    wp.php("update_option( 'shopchat_settings', shopchat_default_settings() );")
    wp.set_settings(
        {"enabled": True, "server_url": server.url, "site_key": site["site_key"]},
        identity_secret=site["identity_secret"],
    )
    with wp.customer() as client:
        cookies = [
            {"name": c.name, "value": c.value or "", "url": wp.url} for c in client.cookies.jar
        ]
    frames: list[dict[str, object]] = []
    sessions: list[dict[str, object]] = []
    statuses: list[int] = []

    def watch(ws: WebSocket) -> None:
        ws.on("framereceived", lambda payload: frames.append(json.loads(payload)))

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path="/usr/bin/chromium")
        try:
            context = browser.new_context()
            context.add_cookies(cookies)  # type: ignore[arg-type]
            page = context.new_page()
            page.on("websocket", watch)
            page.on(
                "request",
                lambda r: (
                    sessions.append(json.loads(r.post_data or "{}"))
                    if r.url.endswith("/api/v1/widget/session")
                    else None
                ),
            )
            page.on(
                "response",
                lambda r: (
                    statuses.append(r.status) if r.url.endswith("/api/v1/widget/session") else None
                ),
            )
            page.goto(f"{wp.url}/about/")
            page.get_by_role("button", name="Open chat").click()
            box = page.get_by_placeholder("Write a message…")
            box.fill("Hello, what are your opening hours?")
            box.press("Enter")
            page.get_by_text("Hello, what are your opening hours?").wait_for(timeout=15_000)
            for _ in range(150):
                if any(f.get("type") == "message" and f.get("role") == "assistant" for f in frames):
                    break
                page.wait_for_timeout(100)
        finally:
            browser.close()
    assert sessions and sessions[0].get("identity"), (
        "the signed-in customer's identity was not sent"
    )
    assert statuses[0] == 200, f"the chat server refused the session with the identity: {statuses}"
    replies = [f for f in frames if f.get("type") == "message" and f.get("role") == "assistant"]
    assert replies, f"no assistant reply; frames: {frames}"
    assert str(replies[-1]["text"]).strip()
