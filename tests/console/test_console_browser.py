"""The console in Chromium, with the customer in the real widget on the demo storefront.

Playwright's sync API runs on its own thread here, so that it neither needs nor blocks
this thread's event loop (the fixtures seed the database with asyncio).
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from playwright.sync_api import Browser, BrowserContext, Page, expect, sync_playwright
from sqlalchemy import select

from shopchat.agent.service import create_agent_for_site
from shopchat.app import create_app
from shopchat.demo.seed import DEMO_AGENT_EMAIL, DEMO_AGENT_PASSWORD, DemoSite, seed_demo
from shopchat.models.tables import Site
from shopchat.settings import Settings
from tests.browser.conftest import CHROMIUM, CHROMIUM_ARGS, SCREENSHOTS, Widget
from tests.console.helpers import PASSWORD, ScriptedResponder, run_async, run_db
from tests.support.server import ServerThread, free_port

pytestmark = pytest.mark.browser
TIMEOUT_MS = 15_000
XSS = '<img src=x onerror="window.__xss=1"><script>window.__xss=2</script>'


@dataclass
class Shop:
    base: str
    demo: DemoSite

    def email(self, role: str) -> str:
        return DEMO_AGENT_EMAIL if role == "owner" else f"{role}@northwind.example"


@pytest.fixture
def shop(console_settings: Settings) -> Iterator[Shop]:
    port = free_port()
    demo = run_async(seed_demo(console_settings, port=port))

    async def agents(session):  # type: ignore[no-untyped-def]
        # The demo keeps office hours (Mon–Fri 9–18 Berlin); staffed around the clock here,
        # so that what the customer is told does not depend on when the suite runs.
        site = await session.scalar(select(Site).where(Site.site_key == demo.site_key))
        site.settings = {**site.settings, "business_hours": None}
        for role, name in (
            ("supervisor", "Sam Supervisor"),
            ("agent2", "Bea Agent"),
            ("trainee", "Tim Trainee"),
        ):
            await create_agent_for_site(
                session,
                site_key=demo.site_key,
                email=f"{role}@northwind.example",
                name=name,
                role=role.rstrip("2"),
                password=PASSWORD,
            )

    run_db(console_settings, agents)
    app = create_app(console_settings, demo=demo, responder_factory=ScriptedResponder)
    server = ServerThread(app, port=port).start()
    yield Shop(f"http://localhost:{port}", demo)
    server.stop()


def in_browser(scenario: Callable[[Browser], None]) -> None:
    """Run a Playwright scenario on a thread of its own; re-raise what it raised."""
    failure: list[BaseException] = []

    def run() -> None:
        try:
            with sync_playwright() as pw:
                browser = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
                try:
                    scenario(browser)
                finally:
                    browser.close()
        except BaseException as exc:
            failure.append(exc)

    thread = threading.Thread(target=run, name="playwright")
    thread.start()
    thread.join(timeout=300)
    assert not thread.is_alive(), "browser scenario hung"
    if failure:
        raise failure[0]


class Errors(list[str]):
    def watch(self, page: Page) -> Page:
        page.on("pageerror", lambda exc: self.append(f"pageerror: {exc}"))
        page.on(
            "console", lambda m: self.append(f"console: {m.text}") if m.type == "error" else None
        )
        page.on(
            "response", lambda r: self.append(f"{r.status}: {r.url}") if r.status >= 400 else None
        )
        return page


def new_page(browser: Browser, errors: Errors) -> Page:
    context: BrowserContext = browser.new_context(viewport={"width": 1400, "height": 860})
    context.set_default_timeout(TIMEOUT_MS)
    return errors.watch(context.new_page())


def shot(page: Page, name: str) -> None:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.wait_for_timeout(300)
    page.screenshot(path=str(Path(SCREENSHOTS) / f"{name}.png"))


def sign_in(page: Page, shop: Shop, role: str, *, screenshot: str | None = None) -> None:
    page.goto(f"{shop.base}/console/login")
    page.fill("input[name=email]", shop.email(role))
    page.fill("input[name=password]", DEMO_AGENT_PASSWORD if role == "owner" else PASSWORD)
    if screenshot:
        shot(page, screenshot)
    page.click("button[type=submit]")
    expect(page.locator("#live-status")).to_have_text("live")


def customer(browser: Browser, shop: Shop, errors: Errors, persona: str = "guest") -> Widget:
    page = new_page(browser, errors)
    page.goto(f"{shop.base}/demo?as={persona}")
    widget = Widget(page).open()
    return widget


def test_agent_sees_the_handoff_live_claims_and_replies(shop: Shop) -> None:
    def scenario(browser: Browser) -> None:
        errors = Errors()
        agent = new_page(browser, errors)
        sign_in(agent, shop, "owner", screenshot="console-01-login")
        expect(agent.locator(".list-head")).to_contain_text("Waiting for a person")
        expect(agent.locator("#conversation-list .row")).to_have_count(0)

        widget = customer(browser, shop, errors, "vip")
        widget.send("Where is my order? I want to talk to a human")
        row = agent.locator('#conversation-list .row[data-status="waiting"]')
        expect(row).to_have_count(1)  # appeared live, no reload
        expect(agent.locator("#queue-count")).to_have_text("1")
        expect(widget.part(".lg")).to_contain_text("member of our team")
        shot(agent, "console-02-queue-live")

        row.click()
        expect(agent.locator("#timeline")).to_contain_text("I want to talk to a human")
        expect(agent.locator(".msg.role-assistant .bot").first).to_have_text("BOT Assistant")
        expect(agent.locator(".customer")).to_contain_text("verified")
        agent.click("#claim")
        expect(agent.locator("#conv-status")).to_have_text("agent")
        expect(widget.part(".lg")).to_contain_text("joined the chat")

        agent.fill("#reply-text", "Hi! I'm Alex, let me look at your order.")
        agent.press("#reply-text", "Enter")
        expect(widget.part(".lg")).to_contain_text("let me look at your order")
        expect(agent.locator("#reply-text")).to_have_value("")

        widget.input.type("it was order", delay=30)
        expect(agent.locator("#typing")).to_have_text("Customer is typing…")
        widget.input.fill("")
        widget.send(XSS)
        last = agent.locator("#timeline .msg.role-customer .text").last
        expect(last).to_have_text(XSS)
        assert agent.evaluate("window.__xss") is None
        assert agent.locator("#timeline img").count() == 0

        agent.fill("#note-form textarea", "VIP: offer free express shipping")
        agent.click("#note-form button")
        expect(agent.locator("#notes")).to_contain_text("offer free express shipping")
        shot(agent, "console-03-conversation")
        shot(widget.page, "console-04-customer-widget")
        expect(widget.part(".lg")).not_to_contain_text("free express shipping")
        assert widget.page.evaluate("window.__xss") is None
        unexpected = [e for e in errors if "WebSocket" not in e]
        assert not unexpected, "\n".join(unexpected)

    in_browser(scenario)


def test_trainee_held_reply_supervisor_whisper_and_transfer(shop: Shop) -> None:
    def scenario(browser: Browser) -> None:
        errors = Errors()
        widget = customer(browser, shop, errors)
        widget.send("human please")
        expect(widget.part(".lg")).to_contain_text("member of our team")

        trainee = new_page(browser, errors)
        sign_in(trainee, shop, "trainee")
        trainee.locator('#conversation-list .row[data-status="waiting"]').click()
        conversation_url = trainee.url
        trainee.click("#claim")
        expect(trainee.locator("#conv-status")).to_have_text("agent")

        supervisor = new_page(browser, errors)
        sign_in(supervisor, shop, "supervisor")
        supervisor.goto(conversation_url)
        expect(supervisor.locator("#live-status")).to_have_text("live")

        trainee.fill("#reply-text", "We will refund you tomorow")
        trainee.click("#send")
        expect(trainee.locator("#toast")).to_have_text("Sent for approval")
        held = supervisor.locator("#pending .held")
        expect(held).to_have_count(1)  # live on the supervisor's screen
        expect(widget.part(".lg")).not_to_contain_text("refund you")
        shot(supervisor, "console-05-trainee-reply-held")

        held.locator("textarea").fill("We have refunded your order today.")
        held.locator("button.approve").click()
        expect(widget.part(".lg")).to_contain_text("We have refunded your order today.")
        expect(widget.part(".lg")).not_to_contain_text("tomorow")
        expect(supervisor.locator("#pending .held")).to_have_count(0)

        supervisor.fill("#note-form textarea", "Ask for the order number first")
        supervisor.check("#note-form input[name=whisper]")
        supervisor.click("#note-form button")
        whisper = trainee.locator("#notes .note.whisper")
        expect(whisper).to_contain_text("Ask for the order number first")  # live, no reload
        expect(whisper).to_contain_text("Whisper from Sam Supervisor")
        shot(trainee, "console-06-whisper")
        expect(widget.part(".lg")).not_to_contain_text("order number first")

        colleague = new_page(browser, errors)
        sign_in(colleague, shop, "agent2")
        colleague.goto(f"{shop.base}/console?view=mine")
        expect(colleague.locator("#conversation-list .row")).to_have_count(0)
        trainee.click(".transfer summary")
        trainee.select_option("#transfer-form select", label="Bea Agent (offline)")
        trainee.fill("#transfer-form input[name=note]", "Refund done; customer may ask about it")
        trainee.click("#transfer-form button")
        expect(colleague.locator("#conversation-list .row")).to_have_count(1)  # live
        colleague.locator("#conversation-list .row").click()
        expect(colleague.locator("#notes")).to_contain_text("Transferred to Bea Agent")
        shot(colleague, "console-07-after-transfer")
        unexpected = [e for e in errors if "WebSocket" not in e]
        assert not unexpected, "\n".join(unexpected)

    in_browser(scenario)


def test_faq_suggestion_with_markup_stays_inert_and_is_approved(
    shop: Shop, console_settings: Settings
) -> None:
    from sqlalchemy import select

    from shopchat.knowledge.service import add_entry
    from shopchat.models import KnowledgeEntry, Site

    async def suggest(session):  # type: ignore[no-untyped-def]
        site_id = await session.scalar(select(Site.id).where(Site.site_key == shop.demo.site_key))
        entry = await add_entry(
            session,
            site_id=site_id,
            title=f"Can I pay by invoice? {XSS}",
            body=f"Yes, for business customers. {XSS}",
            source="suggested",
            status="suggested",
        )
        return entry.id

    entry_id = run_db(console_settings, suggest)

    def scenario(browser: Browser) -> None:
        errors = Errors()
        page = new_page(browser, errors)
        sign_in(page, shop, "supervisor")
        page.goto(f"{shop.base}/console/suggestions")
        form = page.locator(f"form[data-entry='{entry_id}']")
        expect(form.locator("input[name=title]")).to_have_value(f"Can I pay by invoice? {XSS}")
        assert page.evaluate("window.__xss") is None
        shot(page, "console-09-faq-suggestions")
        form.locator("input[name=title]").fill("Can I pay by invoice?")
        form.locator("textarea[name=body]").fill("Yes, for business customers.")
        form.locator("button[value=approve]").click()
        expect(page.locator(f"form[data-entry='{entry_id}']")).to_have_count(0)
        assert page.evaluate("window.__xss") is None
        assert not [e for e in errors if "__xss" in e or "pageerror" in e], errors

    in_browser(scenario)

    async def read(session):  # type: ignore[no-untyped-def]
        entry = await session.get(KnowledgeEntry, entry_id)
        return entry.status, entry.title, entry.body

    assert run_db(console_settings, read) == (
        "approved",
        "Can I pay by invoice?",
        "Yes, for business customers.",
    )
