"""In Chromium: an agent attaches an image in the reply box; the customer's widget shows it."""

from __future__ import annotations

import io
import re

import pytest
from PIL import Image
from playwright.sync_api import Browser, expect

from tests.console.test_console_browser import (  # noqa: F401 (the shop fixture)
    Errors,
    Shop,
    customer,
    in_browser,
    new_page,
    shop,
    shot,
    sign_in,
)

pytestmark = pytest.mark.browser


def _png() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (40, 30), (200, 40, 40)).save(out, "PNG")
    return out.getvalue()


def test_agent_attaches_an_image_and_the_widget_shows_it(shop: Shop) -> None:  # noqa: F811
    def scenario(browser: Browser) -> None:
        errors = Errors()
        agent = new_page(browser, errors)
        sign_in(agent, shop, "owner")
        widget = customer(browser, shop, errors, "vip")
        widget.send("I want to talk to a human")
        agent.locator('#conversation-list .row[data-status="waiting"]').click()
        agent.click("#claim")
        expect(agent.locator("#conv-status")).to_have_text("agent")
        expect(agent.locator("#recent-orders")).to_be_visible()
        expect(agent.locator("#orders-note")).to_have_count(0)  # asked of the demo store

        agent.set_input_files(
            "#reply-file", {"name": "label.png", "mimeType": "image/png", "buffer": _png()}
        )
        expect(agent.locator("#reply-files")).to_contain_text("label.png")
        agent.click("#send")  # files alone: no text needed
        expect(agent.locator("#reply-files li")).to_have_count(0)
        image = widget.part(".lg img")
        expect(image).to_have_count(1)
        expect(image).to_have_attribute("alt", "label.png")
        expect(image).to_have_attribute("src", re.compile(r"^blob:"))  # fetched with the token
        thumb = agent.locator("#timeline .attachment img.thumb")
        expect(thumb).to_have_count(1)
        agent.wait_for_function(
            "() => { const i = document.querySelector('#timeline img.thumb');"
            " return i && i.complete && i.naturalWidth === 40; }"
        )
        shot(agent, "console-attachment-sent")
        shot(widget.page, "console-attachment-widget")
        unexpected = [e for e in errors if "WebSocket" not in e]
        assert not unexpected, "\n".join(unexpected)

    in_browser(scenario)
