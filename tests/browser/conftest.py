"""A real ``shopchat serve --demo`` and Debian's Chromium driven by Playwright."""

from __future__ import annotations

import json
import re
import sqlite3
import time
from collections.abc import Callable, Iterator
from contextlib import closing
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Browser, BrowserContext, Locator, Page, Playwright, sync_playwright

from tests.support.server import ServerProcess

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
SCREENSHOTS = Path(__file__).resolve().parents[2] / "test-artifacts" / "screenshots"
TIMEOUT_MS = 15_000


class DemoServer(ServerProcess):
    """The demo server; stoppable and restartable on the same port and data dir."""

    def __init__(self, data_dir: Path) -> None:
        super().__init__({"SHOPCHAT_DATA_DIR": str(data_dir)}, demo=True)
        self.data_dir = data_dir

    @property
    def base(self) -> str:
        return f"http://localhost:{self.port}"  # an allowed origin of the demo site

    def restart(self) -> None:
        self.stop()
        self.start()

    def db(self) -> sqlite3.Connection:
        return sqlite3.connect(self.data_dir / "shopchat.db", timeout=30)

    def site_settings(self) -> dict[str, Any]:
        with closing(self.db()) as db:
            (raw,) = db.execute("SELECT settings FROM sites").fetchone()
        return json.loads(raw)

    def set_site_settings(self, settings: dict[str, Any]) -> None:
        with closing(self.db()) as db, db:
            db.execute("UPDATE sites SET settings = ?", (json.dumps(settings),))

    def conversation_with(self, text: str) -> dict[str, Any]:
        """The conversation in which a customer wrote ``text`` (unique per test)."""
        with closing(self.db()) as db:
            db.row_factory = sqlite3.Row
            row = db.execute(
                "SELECT c.* FROM conversations c JOIN messages m ON m.conversation_id = c.id "
                "WHERE m.text = ? AND m.role = 'customer'",
                (text,),
            ).fetchone()
        assert row is not None, f"no conversation with {text!r}"
        return dict(row)

    def customer_texts(self, conversation_id: str) -> list[str]:
        with closing(self.db()) as db:
            rows = db.execute(
                "SELECT text FROM messages WHERE conversation_id = ? AND role = 'customer' "
                "ORDER BY seq",
                (conversation_id,),
            ).fetchall()
        return [text for (text,) in rows]

    def resolve(self, conversation_id: str) -> None:
        """What an agent's 'resolve' does to the row (the console is another issue's)."""
        with closing(self.db()) as db, db:
            db.execute(
                "UPDATE conversations SET status = 'resolved', resolved_at = CURRENT_TIMESTAMP "
                "WHERE id = ?",
                (conversation_id,),
            )


@pytest.fixture(scope="session")
def demo_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[DemoServer]:
    server = DemoServer(tmp_path_factory.mktemp("demo-data"))
    server.start()
    yield server
    server.stop()


# Package scope: Playwright's sync API keeps an event loop running in this thread, which
# must be gone before other packages' tests call asyncio.run().
@pytest.fixture(scope="package")
def playwright() -> Iterator[Playwright]:
    with sync_playwright() as pw:
        yield pw


@pytest.fixture(scope="package")
def browser(playwright: Playwright) -> Iterator[Browser]:
    chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
    yield chromium
    chromium.close()


@pytest.fixture
def context(browser: Browser) -> Iterator[BrowserContext]:
    ctx = browser.new_context(viewport={"width": 1280, "height": 800}, locale="en-GB")
    ctx.set_default_timeout(TIMEOUT_MS)
    yield ctx
    ctx.close()


class PageErrors(list[str]):
    """Console errors and uncaught exceptions of a page; CSP violations among them."""

    def watch(self, page: Page) -> Page:
        page.on("pageerror", lambda exc: self.append(f"pageerror: {exc}"))
        page.on(
            "console",
            lambda msg: self.append(f"console: {msg.text}") if msg.type == "error" else None,
        )
        return page

    def unexpected(self) -> list[str]:
        # Reconnecting while the server is down logs failed requests; nothing else may.
        noise = re.compile(r"ERR_CONNECTION_REFUSED|WebSocket connection|Failed to load resource")
        return [e for e in self if not noise.search(e)]


@pytest.fixture
def errors() -> PageErrors:
    return PageErrors()


@pytest.fixture
def page(context: BrowserContext, errors: PageErrors) -> Iterator[Page]:
    yield errors.watch(context.new_page())
    assert errors.unexpected() == []


@pytest.fixture
def shot() -> Callable[[Page, str], None]:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)

    def save(page: Page, name: str) -> None:
        time.sleep(0.25)  # let transitions settle
        page.screenshot(path=str(SCREENSHOTS / f"{name}.png"))

    return save


class Widget:
    """The widget inside a page, seen through its (open) shadow root."""

    def __init__(self, page: Page) -> None:
        self.page = page
        self.host = page.locator("shopchat-widget")

    def part(self, css: str) -> Locator:
        return self.host.locator(css)

    @property
    def launcher(self) -> Locator:
        return self.part(".l")

    @property
    def panel(self) -> Locator:
        return self.part(".p")

    @property
    def input(self) -> Locator:
        return self.part(".s textarea")

    def open(self) -> Widget:
        self.launcher.wait_for()
        if self.launcher.get_attribute("aria-expanded") != "true":  # reopened after a reload
            self.launcher.click()
        self.input.wait_for()
        return self

    def send(self, text: str) -> None:
        self.input.fill(text)
        self.input.press("Enter")

    def bubbles(self, css: str = ".lg .m") -> Locator:
        return self.part(css)

    def mine(self, text: str) -> Locator:
        return self.part(".lg .m.me").filter(has_text=text)

    def replies(self) -> Locator:
        return self.part(".lg .m:not(.me):not(.hello)")

    def local(self, key: str) -> str | None:
        return self.page.evaluate(
            "([key]) => { const s = document.querySelector('script[data-site-key]');"
            " return localStorage.getItem('shopchat:' + s.dataset.siteKey + ':' + key); }",
            [key],
        )

    def session_id(self) -> str:
        sid = self.local("sid")
        assert sid
        return sid


@pytest.fixture
def widget_of() -> Callable[[Page], Widget]:
    return Widget
