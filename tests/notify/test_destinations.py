"""Where the outbox sends: a refused address is given up at once and nothing reaches it."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from email.message import Message
from typing import Any

import pytest
from sqlalchemy import delete, select

from shopchat.db import Database
from shopchat.migrations.runner import upgrade
from shopchat.models import OutboxItem, Site
from shopchat.notify.outbox import enqueue_notifications
from shopchat.notify.worker import MAX_ATTEMPTS, OutboxWorker
from shopchat.settings import Settings
from tests.conftest import make_settings
from tests.console.helpers import World, run_async, seed_world
from tests.kit.test_outbound import REFUSED_HOSTS
from tests.notify.conftest import CONSOLE_URL
from tests.notify.receivers import HttpReceiver, Listener, SmtpServer, scripted_dns

PAYLOAD = {
    "event": "conversation.handoff",
    "site_name": "Shop A",
    "conversation_id": str(uuid.uuid4()),
    "customer": {"name": "Anna"},
    "excerpt": "help",
}


@pytest.fixture(scope="module")
def shared(tmp_path_factory: pytest.TempPathFactory) -> tuple[Settings, World]:
    """One migrated database with two tenants for the whole module: seeding is slow."""
    settings = make_settings(tmp_path_factory.mktemp("destinations"), public_url=CONSOLE_URL)
    run_async(upgrade(settings))
    return settings, seed_world(settings)


@pytest.fixture
def strict_settings(shared: tuple[Settings, World]) -> Settings:
    """The default rules: public https only, email through the operator's relay."""
    return shared[0]


@pytest.fixture
def world(shared: tuple[Settings, World]) -> World:
    return shared[1]


def _with(settings: Settings, **overrides: Any) -> Settings:
    """The same database and keys, with some settings of the operator's changed."""
    return make_settings(settings.data_dir, public_url=CONSOLE_URL, **overrides)


@pytest.fixture
def listener() -> Iterator[Listener]:
    running = Listener().start()
    yield running
    running.stop()


async def _send_once(settings: Settings, world: World, integrations: dict[str, Any]) -> OutboxItem:
    """Store ``integrations`` as they are (as if saved before these rules), enqueue one
    event, run one worker pass; the item as it is afterwards."""
    db = Database(settings)
    worker = OutboxWorker(db, settings)
    try:
        async with db.transaction() as session:
            await session.execute(delete(OutboxItem))
            site = await session.get(Site, uuid.UUID(world.a.site_id))
            assert site is not None
            site.settings = {**site.settings, "integrations": integrations}
            await enqueue_notifications(
                session, site=site, event_key=f"handoff:{uuid.uuid4()}", payload=PAYLOAD
            )
        assert await worker.run_once() == 1
        async with db.transaction() as session:
            return (await session.scalars(select(OutboxItem))).one()
    finally:
        await worker.stop()
        await db.dispose()


def _given_up(item: OutboxItem, *reasons: str) -> bool:
    """Not sent, not to be retried, refused for one of ``reasons``."""
    error = item.last_error or ""
    return (
        item.sent_at is None
        and item.attempts == MAX_ATTEMPTS
        and error.startswith("Refused")
        and any(reason in error for reason in reasons)
    )


async def test_a_refused_address_is_given_up_at_once_in_every_spelling(
    strict_settings: Settings, world: World, listener: Listener
) -> None:
    port = listener.port
    urls = [f"https://{host}:{port}/hook" for host in REFUSED_HOSTS]
    urls += [
        f"http://127.0.0.1:{port}/hook",
        f"gopher://127.0.0.1:{port}/_POST",
        "file:///etc/passwd",
        f"http://hooks.slack.com:{port}/services/x",
    ]
    for url in urls:
        item = await _send_once(strict_settings, world, {"webhook": {"url": url}})
        assert _given_up(item, "integrations.webhook.url", "resolves to"), (url, item.last_error)
    assert listener.connections == []


async def test_slack_and_discord_only_reach_their_own_hosts(
    strict_settings: Settings, world: World, listener: Listener
) -> None:
    port = listener.port
    for channel, url in [
        ("slack", f"https://127.0.0.1:{port}/services/x"),
        ("slack", f"https://hooks.slack.com.evil.example:{port}/services/x"),
        ("slack", f"https://evil.example:{port}/hooks.slack.com/services/x"),
        ("discord", f"https://127.1:{port}/api/webhooks/1/x"),
        ("discord", f"https://discord.com:{port}/oauth2/authorize"),
        ("discord", "https://evil.example/api/webhooks/1/x"),
    ]:
        item = await _send_once(strict_settings, world, {channel: {"webhook_url": url}})
        assert _given_up(item, f"integrations.{channel}.webhook_url"), (url, item.last_error)
    assert listener.connections == []


async def test_the_right_host_name_resolving_to_loopback_is_refused_when_connecting(
    strict_settings: Settings, world: World, listener: Listener, monkeypatch: pytest.MonkeyPatch
) -> None:
    dns = scripted_dns(monkeypatch)
    dns["hooks.slack.com"] = [["127.0.0.1"]]
    dns["discord.com"] = [["::1"]]
    slack = {"slack": {"webhook_url": f"https://hooks.slack.com:{listener.port}/services/x"}}
    item = await _send_once(strict_settings, world, slack)
    assert _given_up(item, "hooks.slack.com resolves to an address that is not"), item.last_error
    discord = {"discord": {"webhook_url": f"https://discord.com:{listener.port}/api/webhooks/1"}}
    item = await _send_once(strict_settings, world, discord)
    assert _given_up(item, "discord.com resolves to an address that is not"), item.last_error
    assert listener.connections == []


async def test_a_redirect_is_given_up_and_not_followed(
    strict_settings: Settings, world: World, receiver: HttpReceiver
) -> None:
    target = HttpReceiver().start()
    receiver.statuses, receiver.location = [302], target.url("/inside")
    allowing = _with(strict_settings, outbound_allowed_hosts="127.0.0.1")
    try:
        item = await _send_once(allowing, world, {"webhook": {"url": receiver.url()}})
    finally:
        target.stop()
    assert len(receiver.requests) == 1 and target.requests == []
    assert item.sent_at is None and item.attempts == MAX_ATTEMPTS and "302" in str(item.last_error)


EMAIL = {"to": ["team@shop-a.example"], "from": "chat@shop-a.example"}


async def test_a_site_does_not_choose_the_smtp_host_unless_the_operator_allows_it(
    strict_settings: Settings, world: World, smtp: SmtpServer
) -> None:
    own = {**EMAIL, "smtp": {"host": "127.0.0.1", "port": smtp.port}}
    item = await _send_once(strict_settings, world, {"email": own})
    assert _given_up(item, "integrations.email.smtp"), item.last_error
    assert smtp.messages == []


async def test_an_allowed_site_smtp_host_must_still_be_public(
    strict_settings: Settings, world: World, listener: Listener
) -> None:
    allowed = _with(strict_settings, tenant_smtp_allowed=True)
    for host in ("127.0.0.1", "127.1", "2130706433", "localhost", "::1", "10.0.0.1"):
        own = {**EMAIL, "smtp": {"host": host, "port": listener.port}}
        item = await _send_once(allowed, world, {"email": own})
        assert _given_up(item, "integrations.email.smtp.host"), (host, item.last_error)
    assert listener.connections == []


async def test_an_allowed_site_smtp_host_is_connected_at_a_checked_address(
    strict_settings: Settings, world: World, smtp: SmtpServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The host passes the rules when saved; at send time it resolves to loopback: refused."""
    dns = scripted_dns(monkeypatch)
    dns["smtp.shop-a.example"] = [["127.0.0.1"]]
    allowed = _with(strict_settings, tenant_smtp_allowed=True)
    own = {**EMAIL, "smtp": {"host": "smtp.shop-a.example", "port": smtp.port}}
    item = await _send_once(allowed, world, {"email": own})
    assert _given_up(item, "smtp.host: smtp.shop-a.example resolves to"), item.last_error
    assert smtp.messages == [] and dns["lookups:smtp.shop-a.example"] == [[]]


def _relay(settings: Settings, smtp: SmtpServer, **more: Any) -> Settings:
    return _with(settings, smtp_host="127.0.0.1", smtp_port=smtp.port, **more)


async def test_email_goes_through_the_operators_relay(
    strict_settings: Settings, world: World, smtp: SmtpServer
) -> None:
    relay = _relay(strict_settings, smtp, smtp_from="notify@operator.example")
    item = await _send_once(relay, world, {"email": EMAIL})
    assert item.sent_at is not None and item.last_error is None
    mail: Message = smtp.messages[0]
    assert mail["From"] == "notify@operator.example"
    assert mail["Reply-To"] == "chat@shop-a.example" and mail["To"] == "team@shop-a.example"


async def test_recipients_are_capped(
    strict_settings: Settings, world: World, smtp: SmtpServer
) -> None:
    relay = _relay(strict_settings, smtp, email_max_recipients=3)
    many = {"to": [f"person{n}@elsewhere.example" for n in range(4)]}
    item = await _send_once(relay, world, {"email": many})
    assert _given_up(item, "at most 3 recipients"), item.last_error
    assert smtp.messages == []
    for bad in ("a@b.example, c@d.example", "x@y.example\r\nBcc: z@w.example", "nobody"):
        item = await _send_once(relay, world, {"email": {"to": bad}})
        assert _given_up(item, "integrations.email.to"), (bad, item.last_error)
    assert smtp.messages == []
