"""The widget on real pages: keyboard, phones, hostile CSS, CSP, languages, dark mode, triggers."""

from __future__ import annotations

import re
import time
from collections.abc import Callable, Iterator
from contextlib import closing

import pytest
from playwright.sync_api import Browser, Page, Route, expect

from tests.browser.conftest import DemoServer, PageErrors, Widget

pytestmark = pytest.mark.browser

HOSTILE_CSS = """
* { box-sizing: content-box !important; font-family: "Comic Sans MS", cursive !important;
    letter-spacing: 3px !important; line-height: 3 !important; color: #f0f !important; }
div, button { all: unset !important; display: block !important; position: static !important;
    background: red !important; color: yellow !important; padding: 30px !important;
    margin: 20px !important; border: 6px dashed lime !important; font-size: 28px !important;
    width: 50% !important; height: 90px !important; text-transform: uppercase !important;
    transform: rotate(3deg) !important; opacity: .5 !important; }
textarea, form, section, header, p, span, svg { display: none !important; }
"""


def _site_key(server: DemoServer) -> str:
    with closing(server.db()) as db:
        (key,) = db.execute("SELECT site_key FROM sites").fetchone()
    return key


def _serve_page(page: Page, server: DemoServer, path: str, css: str, head: str = "") -> None:
    """A shop page of our own at an allowed origin; the widget comes from the real server."""
    html = (
        "<!doctype html><html lang=en><head><style>"
        + css
        + "</style>"
        + head
        + "</head><body><div><p>A shop</p><button>Buy</button></div>"
        + f'<script src="/widget.js" data-site-key="{_site_key(server)}" async></script>'
        + "</body></html>"
    )

    def fulfil(route: Route) -> None:
        route.fulfill(status=200, content_type="text/html", body=html)

    page.route(f"{server.base}{path}", fulfil)


def _geometry(widget: Widget) -> dict[str, object]:
    # Settled: connected (through the long-poll fallback here, see below), no hover effect.
    widget.page.wait_for_timeout(2000)
    expect(widget.part(".c")).to_be_hidden(timeout=30_000)
    widget.page.mouse.move(5, 5)
    time.sleep(0.4)
    return widget.host.evaluate(
        """host => {
          const r = host.shadowRoot;
          const box = (s) => { const b = r.querySelector(s).getBoundingClientRect();
            return [b.x, b.y, b.width, b.height].map(Math.round); };
          const css = (s, p) => getComputedStyle(r.querySelector(s))[p];
          return {launcher: box('.l'), panel: box('.p'), input: box('.s textarea'),
            send: box('.s .sd'), hello: box('.hello'), bg: css('.l', 'backgroundColor'),
            font: css('.hello', 'fontFamily'), size: css('.hello', 'fontSize'),
            color: css('.hello', 'color'), spacing: css('.hello', 'letterSpacing')};
        }"""
    )


def test_a_page_styling_every_div_and_button_does_not_change_the_widget(
    demo_server, page, widget_of, shot
):
    _serve_page(page, demo_server, "/plain-shop", "body{margin:0}")
    _serve_page(page, demo_server, "/hostile-shop", HOSTILE_CSS)
    page.goto(f"{demo_server.base}/plain-shop")
    plain = _geometry(widget_of(page).open())
    page.goto(f"{demo_server.base}/hostile-shop")
    widget = widget_of(page).open()
    hostile = _geometry(widget)
    assert hostile == plain
    assert plain["bg"] == "rgb(15, 118, 110)"  # the demo shop's brand colour
    # Chromium refuses WebSockets from these routed pages to localhost (local network
    # access checks), which shows the widget's long-poll fallback at work as well.
    widget.send("How long does shipping take?")
    expect(widget.replies()).to_have_count(1, timeout=30_000)
    expect(widget.part(".c")).to_be_hidden()
    shot(page, "10-hostile-css")


def test_a_three_digit_colour_of_the_plugin_is_the_brand_colour(demo_server, page, widget_of):
    plugin = '<script>window.shopchatSettings = {color: "#e33"};</script>'
    _serve_page(page, demo_server, "/short-colour-shop", "body{margin:0}", head=plugin)
    page.goto(f"{demo_server.base}/short-colour-shop")
    launcher = widget_of(page).launcher
    expect(launcher).to_have_css("background-color", "rgb(238, 51, 51)")
    expect(launcher).to_have_css("color", "rgb(17, 24, 39)")  # dark text reads better on it


def test_keyboard_alone(demo_server, page, widget_of, shot):
    page.goto(f"{demo_server.base}/demo")
    widget = widget_of(page)
    widget.launcher.wait_for()
    for _ in range(80):
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement.tagName") == "SHOPCHAT-WIDGET":
            break
    focused = "document.activeElement.shadowRoot.activeElement"
    assert page.evaluate(f"{focused}.className") == "l"
    page.keyboard.press("Enter")
    expect(widget.panel).to_be_visible()
    assert page.evaluate(f"{focused}.tagName") == "TEXTAREA"  # focus moved into the panel
    page.keyboard.type("How long does shipping take?")
    page.keyboard.press("Enter")
    expect(widget.replies()).to_have_count(1)
    page.keyboard.press("Tab")
    assert page.evaluate(f"{focused}.getAttribute('aria-label')") == "Send"
    shot(page, "11-keyboard")
    page.keyboard.press("Escape")
    expect(widget.panel).to_be_hidden()
    assert page.evaluate(f"{focused}.className") == "l"  # focus back on the launcher
    assert widget.launcher.get_attribute("aria-expanded") == "false"
    log = widget.part("[role=log]")
    assert log.get_attribute("aria-live") == "polite"


def test_phone_viewport_is_full_screen(demo_server, browser: Browser, widget_of, shot):
    phone = browser.new_context(
        viewport={"width": 390, "height": 844},
        is_mobile=True,
        has_touch=True,
        device_scale_factor=2,
    )
    try:
        page = phone.new_page()
        page.goto(f"{demo_server.base}/demo?as=new")
        widget = widget_of(page)
        shot(page, "12-phone-closed")
        widget.launcher.tap()
        expect(widget.input).to_be_visible()
        box = widget.panel.bounding_box()
        assert box == {"x": 0, "y": 0, "width": 390, "height": 844}
        expect(widget.launcher).to_be_hidden()
        widget.send("How long does shipping take?")
        expect(widget.replies()).to_have_count(1)
        shot(page, "13-phone-open")
        widget.part(".h button[aria-label='Close chat']").tap()
        expect(widget.launcher).to_be_visible()
    finally:
        phone.close()


def test_german_page_speaks_german(demo_server, page, widget_of, shot):
    page.goto(f"{demo_server.base}/de/demo?as=regular")
    expect(page.locator("h2#products")).to_have_text("Unsere Favoriten")
    widget = widget_of(page)
    expect(widget.launcher).to_have_attribute("aria-label", re.compile(r"^Chat öffnen"))
    widget.open()
    expect(widget.part(".hello")).to_contain_text("Schön, dass du wieder da bist, Ravi!")
    expect(widget.input).to_have_attribute("placeholder", "Nachricht schreiben…")
    expect(widget.part(".h button").last).to_have_attribute("aria-label", "Chat schließen")
    expect(widget.part(".ft")).to_have_text("Bereitgestellt von shopchat")
    widget.send("Wie lange dauert der Versand?")
    expect(widget.replies()).to_have_count(1)
    shot(page, "14-german")
    page.goto(f"{demo_server.base}/demo?lang=de")
    expect(widget_of(page).part(".s textarea")).to_have_attribute(
        "placeholder", "Nachricht schreiben…"
    )


def test_arabic_is_right_to_left(demo_server, page, widget_of, shot):
    page.goto(f"{demo_server.base}/demo?lang=ar")
    widget = widget_of(page).open()
    expect(widget.panel).to_have_attribute("dir", "rtl")
    expect(widget.input).to_have_attribute("placeholder", "اكتب رسالة…")
    widget.send("مرحبا")
    expect(widget.mine("مرحبا")).to_be_visible()
    expect(widget.replies()).to_have_count(1)
    mine_x, hello_x = widget.host.evaluate(
        "h => ['.m.me', '.hello'].map(s => h.shadowRoot.querySelector(s).getBoundingClientRect().x)"
    )
    assert mine_x < hello_x  # the customer's side is the left in RTL
    shot(page, "15-arabic-rtl")


def test_dark_mode(demo_server, browser: Browser, widget_of, shot):
    dark = browser.new_context(color_scheme="dark", viewport={"width": 1280, "height": 800})
    try:
        page = dark.new_page()
        page.goto(f"{demo_server.base}/demo?as=vip")
        widget = widget_of(page).open()
        widget.send("How long does shipping take?")
        expect(widget.replies()).to_have_count(1)
        background = widget.panel.evaluate("p => getComputedStyle(p).backgroundColor")
        assert background == "rgb(17, 24, 39)"
        shot(page, "16-dark-mode")
    finally:
        dark.close()


def test_styles_need_no_inline_css_under_a_strict_policy(demo_server, page, errors: PageErrors):
    response = page.goto(f"{demo_server.base}/demo")
    policy = response.headers["content-security-policy"]
    assert "style-src 'self'" in policy and "unsafe" not in policy
    expect(page.locator("shopchat-widget")).to_be_attached()
    sheets = page.evaluate(
        "document.querySelector('shopchat-widget').shadowRoot.adoptedStyleSheets.length"
    )
    assert sheets >= 1
    assert not [e for e in errors if "Content Security Policy" in e]


@pytest.fixture
def triggers(demo_server: DemoServer) -> Iterator[Callable[[list[dict[str, object]]], None]]:
    original = demo_server.site_settings()

    def set_triggers(items: list[dict[str, object]]) -> None:
        demo_server.set_site_settings({**original, "triggers": items})

    yield set_triggers
    demo_server.set_site_settings(original)


def test_proactive_triggers_once_a_day(demo_server, page, widget_of, triggers, shot):
    triggers(
        [
            {
                "id": "browsing",
                "seconds": 1,
                "url": "*/demo*",
                "message": {
                    "en": "Need a hand choosing a jacket?",
                    "de": "Hilfe bei der Jackenwahl?",
                },
            },
            {
                "id": "big-cart",
                "cart_over": 300,
                "message": "Your cart ships free by express. Any questions?",
            },
        ]
    )
    page.goto(f"{demo_server.base}/demo")
    widget = widget_of(page)
    nudge = widget.part(".n")
    expect(nudge).to_contain_text("Need a hand choosing a jacket?")
    expect(widget.part(".b")).to_have_text("1")
    shot(page, "17-trigger")
    nudge.click()
    expect(widget.part(".hello")).to_contain_text("Need a hand choosing a jacket?")
    widget.input.press("Escape")  # no nudges while the chat is open
    page.reload()
    widget = widget_of(page)
    widget.launcher.wait_for()
    time.sleep(1.5)
    expect(widget.part(".n")).to_be_hidden()  # at most once per visitor per day
    page.goto(f"{demo_server.base}/demo?as=vip")  # a verified cart of €438
    expect(widget_of(page).part(".n")).to_contain_text("Your cart ships free by express")


def test_exit_intent_trigger(demo_server, page, widget_of, triggers):
    triggers([{"id": "leaving", "exit_intent": True, "message": "Before you go: 10% off today!"}])
    page.goto(f"{demo_server.base}/demo?as=new")
    widget = widget_of(page)
    widget.launcher.wait_for()
    time.sleep(0.5)
    expect(widget.part(".n")).to_be_hidden()
    page.mouse.move(600, 300)
    page.evaluate("document.dispatchEvent(new MouseEvent('mouseout', {clientY: 0, bubbles: true}))")
    expect(widget.part(".n")).to_contain_text("Before you go")
