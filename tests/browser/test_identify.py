"""The WordPress plugin's integration points in Chromium: ``shopchatSettings.sessionId``,
``position`` and ``color``; a refreshed identity through ``shopchat.identify(token)`` and
the ``shopchat:identity`` event keeps the conversation and updates what the server knows."""

from __future__ import annotations

import hashlib
import json
import time
import uuid
from contextlib import closing
from typing import Any

import pytest
from playwright.sync_api import Page, Route, expect

from shopchat.kit import crypto
from shopchat.kit.identity import sign_identity
from tests.browser.conftest import DemoServer, Widget

pytestmark = pytest.mark.browser


def _site(server: DemoServer) -> tuple[str, str]:
    """The demo site's key and identity secret (decrypted as the server does)."""
    with closing(server.db()) as db:
        key, sealed = db.execute("SELECT site_key, identity_secret_enc FROM sites").fetchone()
    raw = (server.data_dir / "encryption_key").read_text().strip()
    return key, crypto.decrypt(sealed, [hashlib.sha256(raw.encode()).digest()])


def _token(server: DemoServer, sub: str, cart_items: int) -> str:
    site_key, secret = _site(server)
    now = int(time.time())
    cart = {"items": [{"product_id": 10 + i, "quantity": 1} for i in range(cart_items)]}
    claims = {"iss": site_key, "sub": sub, "iat": now, "exp": now + 600, "name": "Ida Test"}
    return sign_identity({**claims, "cart": cart}, secret=secret)


def _contact_cart(server: DemoServer, sub: str) -> Any:
    with closing(server.db()) as db:
        row = db.execute("SELECT context FROM contacts WHERE external_id = ?", (sub,)).fetchone()
    return json.loads(row[0]).get("cart") if row else None


def _wait_for_cart(server: DemoServer, sub: str, items: int) -> None:
    deadline = time.monotonic() + 15
    while time.monotonic() < deadline:
        cart = _contact_cart(server, sub)
        if cart and len(cart["items"]) == items:
            return
        time.sleep(0.1)
    raise AssertionError(f"cart never had {items} items: {_contact_cart(server, sub)}")


def _stored(server: DemoServer, text: str) -> dict[str, Any]:
    """The conversation of a customer message, once the server has stored it."""
    deadline = time.monotonic() + 10
    while True:
        try:
            return server.conversation_with(text)
        except AssertionError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.1)


def _wait_for_answers(page: Page, answers: list[dict[str, Any]], count: int) -> None:
    deadline = time.monotonic() + 10
    while len(answers) < count and time.monotonic() < deadline:
        page.wait_for_timeout(100)


def _shop_page(page: Page, server: DemoServer, settings: dict[str, Any]) -> list[dict[str, Any]]:
    """A shop page like the plugin's; returns the session answers the widget gets."""
    site_key, _ = _site(server)
    html = (
        "<!doctype html><html lang=en><body><p>Shop</p><script>window.shopchatSettings = "
        + json.dumps(settings)
        + f';</script><script src="/widget.js" data-site-key="{site_key}" async></script>'
        + "</body></html>"
    )
    path = f"/shop-{uuid.uuid4().hex[:8]}"

    def fulfil(route: Route) -> None:
        route.fulfill(status=200, content_type="text/html", body=html)

    page.route(f"{server.base}{path}", fulfil)
    answers: list[dict[str, Any]] = []

    def seen(response: Any) -> None:
        if response.url.endswith("/api/v1/widget/session"):
            answers.append({**response.json(), "http": response.status})

    page.on("response", seen)
    page.goto(f"{server.base}{path}")
    return answers


def test_session_id_position_and_colour_from_the_plugin(
    demo_server: DemoServer, page: Page
) -> None:
    session_id = str(uuid.uuid4())
    settings = {"sessionId": session_id, "position": "left", "color": "#0a7d3b"}
    answers = _shop_page(page, demo_server, settings)
    widget = Widget(page)
    widget.launcher.wait_for()
    expect(widget.launcher).to_have_css("background-color", "rgb(10, 125, 59)")
    box = widget.launcher.bounding_box()
    assert box is not None and box["x"] < 100  # the left corner of a 1280 px page
    assert answers[0]["session_id"] == session_id == widget.session_id()
    widget.open()
    panel = widget.panel.bounding_box()
    assert panel is not None and panel["x"] < 100


def test_a_refreshed_identity_keeps_the_conversation(demo_server: DemoServer, page: Page) -> None:
    sub = str(uuid.uuid4().int % 10**9)
    answers = _shop_page(page, demo_server, {"identity": _token(demo_server, sub, 1)})
    widget = Widget(page).open()
    _wait_for_cart(demo_server, sub, 1)
    first_text = f"before the cart changed {uuid.uuid4().hex[:6]}"
    widget.send(first_text)
    expect(widget.mine(first_text)).to_be_visible()
    conversation = answers[0]["conversation_id"]

    # The plugin's identity.js: an event on document, after the cart changed.
    page.evaluate(
        "t => document.dispatchEvent("
        "new CustomEvent('shopchat:identity', {detail: {identity: t}}))",
        _token(demo_server, sub, 3),
    )
    _wait_for_cart(demo_server, sub, 3)
    # Or the API, as identity.js calls it when the widget offers it.
    page.evaluate("t => window.shopchat.identify(t)", _token(demo_server, sub, 2))
    _wait_for_cart(demo_server, sub, 2)
    _wait_for_answers(page, answers, 3)
    assert [a["conversation_id"] for a in answers] == [conversation] * 3

    second_text = f"after the cart changed {uuid.uuid4().hex[:6]}"
    widget.send(second_text)
    expect(widget.mine(second_text)).to_be_visible()
    expect(widget.mine(first_text)).to_be_visible()
    found = _stored(demo_server, second_text)
    assert found["id"].replace("-", "") == conversation.replace("-", "")
    assert demo_server.customer_texts(found["id"]) == [first_text, second_text]


def test_a_refused_identity_changes_nothing(demo_server: DemoServer, page: Page) -> None:
    sub = str(uuid.uuid4().int % 10**9)
    answers = _shop_page(page, demo_server, {"identity": _token(demo_server, sub, 1)})
    Widget(page).open()
    _wait_for_cart(demo_server, sub, 1)
    forged = _token(demo_server, sub, 5)[:-4] + "AAAA"
    page.evaluate("t => window.shopchat.identify(t)", forged)
    page.evaluate("t => window.shopchat.identify(t)", 42)  # not a token: ignored
    _wait_for_answers(page, answers, 2)
    page.wait_for_timeout(500)  # nothing more follows (a guest session would)
    assert [a["http"] for a in answers] == [200, 401]  # no fallback to a guest session
    assert len(_contact_cart(demo_server, sub)["items"]) == 1
