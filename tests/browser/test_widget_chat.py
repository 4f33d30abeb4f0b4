"""Chatting through the widget on the demo storefront: send, reply, reload, restart, tabs."""

from __future__ import annotations

from collections.abc import Callable

import httpx
import pytest
from playwright.sync_api import BrowserContext, Page, expect

from tests.browser.conftest import DemoServer, PageErrors, Widget

pytestmark = pytest.mark.browser

SHIPPING = "How long does shipping take?"
SHIPPING_ANSWER = "Orders ship within 1 business day"


def test_send_a_message_and_see_the_reply(
    demo_server: DemoServer,
    page: Page,
    widget_of: Callable[[Page], Widget],
    shot: Callable[[Page, str], None],
) -> None:
    page.goto(f"{demo_server.base}/demo")
    widget = widget_of(page)
    expect(widget.launcher).to_be_visible()
    shot(page, "01-launcher-closed")
    widget.open()
    expect(widget.part(".hello")).to_contain_text("How can we help you today?")
    widget.send(SHIPPING)
    expect(widget.mine(SHIPPING)).to_have_count(1)
    expect(widget.replies().last).to_contain_text(SHIPPING_ANSWER)
    shot(page, "02-reply")


def test_the_verified_customer_is_greeted_by_name(demo_server, page, widget_of, shot):
    page.goto(f"{demo_server.base}/demo?as=vip")
    widget = widget_of(page).open()
    expect(widget.part(".hello")).to_contain_text("Welcome back, Sofia")
    expect(widget.part(".hello")).to_contain_text("VIP")
    shot(page, "03-vip-greeting")
    page.goto(f"{demo_server.base}/demo?as=new")
    expect(widget_of(page).open().part(".hello")).to_contain_text("Hi Nora, welcome to")
    page.goto(f"{demo_server.base}/demo?as=regular")
    expect(widget_of(page).open().part(".hello")).to_contain_text("Welcome back, Ravi!")


def test_history_survives_a_reload_and_the_panel_stays_open(demo_server, page, widget_of):
    page.goto(f"{demo_server.base}/demo")
    widget = widget_of(page).open()
    widget.send(SHIPPING)
    expect(widget.replies().last).to_contain_text(SHIPPING_ANSWER)
    page.reload()
    widget = widget_of(page)
    expect(widget.input).to_be_visible()  # still open in this tab
    expect(widget.mine(SHIPPING)).to_have_count(1)
    expect(widget.replies()).to_have_count(1)
    page.goto(f"{demo_server.base}/demo?lang=en#products")  # navigating keeps it too
    expect(widget_of(page).mine(SHIPPING)).to_have_count(1)


def test_quick_reply_hands_over_to_a_person(demo_server, page, widget_of, shot):
    page.goto(f"{demo_server.base}/demo")
    widget = widget_of(page).open()
    widget.send("Can you engrave my initials on a tent pole?")
    quick = widget.part(".q button").filter(has_text="Talk to a person")
    expect(quick).to_be_visible()
    shot(page, "04-quick-reply")
    quick.click()
    expect(widget.mine("Talk to a person")).to_have_count(1)
    expect(widget.replies().filter(has_text="member of our team").first).to_be_visible()
    expect(widget.part(".nt")).to_contain_text("A member of our team will reply here shortly")
    expect(widget.part(".q button")).to_have_count(0)


def test_restart_while_open_resumes_and_delivers_what_was_typed_once(
    demo_server: DemoServer, page, widget_of, shot, errors: PageErrors
):
    page.goto(f"{demo_server.base}/demo")
    widget = widget_of(page).open()
    widget.send(SHIPPING)
    expect(widget.replies()).to_have_count(1)
    session_id = widget.session_id()

    demo_server.stop()
    expect(widget.part(".c")).to_be_visible()  # "Connection lost — reconnecting…"
    widget.send("Typed while you were away")
    pending = widget.part(".lg .m.pend")
    expect(pending).to_have_count(1)
    expect(pending).to_contain_text("as soon as the connection is back")
    assert "Typed while you were away" in (widget.local("outbox") or "")
    shot(page, "05-offline-queued")

    demo_server.start()
    # A message the page missed while it was disconnected arrives through resume.
    _post_from_another_device(demo_server, page, session_id, "Sent from my phone meanwhile")

    expect(widget.part(".c")).to_be_hidden(timeout=40_000)
    expect(widget.mine("Typed while you were away")).to_have_count(1, timeout=40_000)
    expect(widget.mine("Sent from my phone meanwhile")).to_have_count(1)
    expect(widget.part(".lg .m.pend")).to_have_count(0)
    assert widget.local("outbox") == "[]"
    # One answer to each later message, in whichever order they arrive: the assistant asks
    # the first unclear one to rephrase, hands the second to a person, and the console adds
    # its "someone will reply" notice. Nothing is doubled.
    expect(widget.replies()).to_have_count(4)
    conversation = demo_server.conversation_with("Typed while you were away")
    texts = demo_server.customer_texts(conversation["id"])
    assert texts.count("Typed while you were away") == 1
    assert texts.count(SHIPPING) == 1
    seqs = page.evaluate(
        "() => [...document.querySelector('shopchat-widget').shadowRoot"
        ".querySelectorAll('.lg [data-seq]')].map(e => +e.dataset.seq)"
    )
    assert seqs == sorted(set(seqs)) and len(seqs) == conversation["last_seq"]
    shot(page, "06-resumed")


def test_other_tabs_of_the_shop_see_the_same_conversation(
    demo_server, context: BrowserContext, widget_of, errors: PageErrors
):
    first = errors.watch(context.new_page())
    first.goto(f"{demo_server.base}/demo")
    one = widget_of(first).open()
    one.send(SHIPPING)
    expect(one.replies()).to_have_count(1)
    second = errors.watch(context.new_page())
    second.goto(f"{demo_server.base}/demo")
    two = widget_of(second).open()
    expect(two.mine(SHIPPING)).to_have_count(1)
    two.send("Written in the second tab")
    expect(one.mine("Written in the second tab")).to_have_count(1)
    expect(one.replies()).to_have_count(2)
    assert errors.unexpected() == []


def test_unread_badge_counts_replies_while_closed(demo_server, page, widget_of, shot):
    page.goto(f"{demo_server.base}/demo")
    widget = widget_of(page).open()
    widget.send(SHIPPING)
    expect(widget.replies()).to_have_count(1)
    widget.input.press("Escape")
    expect(widget.panel).to_be_hidden()
    expect(widget.part(".b")).to_be_hidden()
    _post_from_another_device(demo_server, page, widget.session_id(), "Do you ship to Norway?")
    expect(widget.part(".b")).to_have_text("1")
    expect(widget.launcher).to_have_attribute("aria-label", "Open chat (1 unread)")
    shot(page, "07-unread-badge")
    widget.launcher.click()
    expect(widget.part(".b")).to_be_hidden()
    expect(widget.mine("Do you ship to Norway?")).to_have_count(1)


def _post_from_another_device(server: DemoServer, page, session_id: str, text: str) -> None:
    opened = httpx.post(
        f"{server.base}/api/v1/widget/session",
        json={"site_key": _site_key(page), "session_id": session_id},
        headers={"Origin": server.base},
    )
    opened.raise_for_status()
    httpx.post(
        f"{server.base}/api/v1/widget/messages",
        json={"client_id": f"device-{abs(hash(text))}", "text": text},
        headers={"Authorization": f"Bearer {opened.json()['session_token']}"},
    ).raise_for_status()


def _site_key(page) -> str:
    return page.locator("script[data-site-key]").get_attribute("data-site-key")
