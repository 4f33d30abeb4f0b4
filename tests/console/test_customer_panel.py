"""The customer panel's recent orders: asked of the shop, else the last sign-in's claims."""

from __future__ import annotations

import socket
import time
import uuid
from collections.abc import Callable, Iterator

import pytest
from sqlalchemy.ext.asyncio import AsyncSession

from shopchat.commerce.registry import encrypt_store_credentials
from shopchat.console import orders
from shopchat.models import Site
from shopchat.settings import Settings
from tests.console.helpers import ConsoleClient, World, run_db
from tests.support.chat import open_session
from tests.support.server import ServerThread
from tests.support.sites import identity_token

CLAIMED = [{"number": "9999", "status": "claimed-status", "total": "12.34"}]


def _connect_store(
    settings: Settings, world: World, *, demo: bool = False, url: str | None = None
) -> None:
    async def work(session: AsyncSession) -> None:
        site = await session.get(Site, uuid.UUID(world.a.site_id))
        assert site is not None
        if demo:
            site.settings = {**site.settings, "store": "demo"}
        if url:
            site.store_url = url
            site.store_credentials_enc = encrypt_store_credentials(
                consumer_key="ck_test", consumer_secret="cs_test", key=settings.encryption_key_bytes
            )

    run_db(settings, work)


def _verified_conversation(server: ServerThread, world: World, customer_id: str) -> str:
    token = identity_token(
        world.a.credentials, sub=customer_id, name="Jonas Weber", recent_orders=CLAIMED
    )
    return str(open_session(server.url, world.a.credentials, identity=token)["conversation_id"])


def _panel(agent: ConsoleClient, conversation_id: str, **headers: str) -> str:
    page = agent.get(f"/console/c/{conversation_id}", headers=headers)
    assert page.status_code == 200, page.text
    return page.text.split('<aside class="panel">', 1)[1].split("</section>", 1)[0]


@pytest.fixture
def closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture
def silent_port() -> Iterator[int]:
    """A port that accepts connections and never answers."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        s.listen(16)
        yield int(s.getsockname()[1])


def test_a_verified_customers_orders_come_from_the_demo_store(
    console_server: ServerThread,
    console_settings: Settings,
    world: World,
    client: Callable[..., ConsoleClient],
) -> None:
    _connect_store(console_settings, world, demo=True)
    conversation_id = _verified_conversation(console_server, world, "103")
    panel = _panel(client(world.a.email("agent")), conversation_id)
    assert "Recent orders" in panel
    for number in ("#1014", "#1015", "#1013", "#1012", "#1011"):
        assert number in panel
    assert "78.95 EUR" in panel and "processing" in panel
    assert "#9999" not in panel and "last sign-in" not in panel


def test_a_customer_without_orders_in_the_store_has_none(
    console_server: ServerThread,
    console_settings: Settings,
    world: World,
    client: Callable[..., ConsoleClient],
) -> None:
    _connect_store(console_settings, world, demo=True)
    conversation_id = _verified_conversation(console_server, world, "101")
    panel = _panel(client(world.a.email("agent")), conversation_id)
    assert "No orders yet." in panel
    assert "#9999" not in panel


def test_a_store_that_is_down_falls_back_to_the_claims(
    console_server: ServerThread,
    console_settings: Settings,
    world: World,
    client: Callable[..., ConsoleClient],
    closed_port: int,
) -> None:
    _connect_store(console_settings, world, url=f"http://127.0.0.1:{closed_port}")
    conversation_id = _verified_conversation(console_server, world, "102")
    started = time.monotonic()
    panel = _panel(client(world.a.email("agent")), conversation_id)
    assert time.monotonic() - started < orders.STORE_TIMEOUT + 2
    assert "#9999 · claimed-status · 12.34" in panel
    assert "from the shop’s last sign-in" in panel
    assert "the shop did not answer" in panel


def test_a_store_that_never_answers_is_cut_short(
    console_server: ServerThread,
    console_settings: Settings,
    world: World,
    client: Callable[..., ConsoleClient],
    silent_port: int,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(orders, "STORE_TIMEOUT", 0.5)
    _connect_store(console_settings, world, url=f"http://127.0.0.1:{silent_port}")
    conversation_id = _verified_conversation(console_server, world, "102")
    started = time.monotonic()
    panel = _panel(client(world.a.email("agent")), conversation_id)
    assert time.monotonic() - started < 3
    assert "#9999" in panel and "the shop did not answer" in panel


def test_partial_refreshes_do_not_ask_the_store(
    console_server: ServerThread,
    console_settings: Settings,
    world: World,
    client: Callable[..., ConsoleClient],
    silent_port: int,
) -> None:
    _connect_store(console_settings, world, url=f"http://127.0.0.1:{silent_port}")
    conversation_id = _verified_conversation(console_server, world, "102")
    started = time.monotonic()
    panel = _panel(client(world.a.email("agent")), conversation_id, **{"X-Console-Refresh": "1"})
    assert time.monotonic() - started < 1.5
    assert "Recent orders" not in panel


def test_without_a_store_or_verification_nothing_is_asked(
    console_server: ServerThread,
    console_settings: Settings,
    world: World,
    client: Callable[..., ConsoleClient],
) -> None:
    agent = client(world.a.email("agent"))
    claimed_only = _verified_conversation(console_server, world, "103")
    panel = _panel(agent, claimed_only)
    assert "#9999" in panel and "from the shop’s last sign-in" in panel
    assert "did not answer" not in panel

    _connect_store(console_settings, world, demo=True)
    guest = open_session(console_server.url, world.a.credentials)["conversation_id"]
    assert "Recent orders" not in _panel(agent, guest)
