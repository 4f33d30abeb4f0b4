"""Hand-off notifications through the outbox to real receivers: Slack, Discord, webhook, SMTP."""

from __future__ import annotations

import hashlib
import hmac
import json
import uuid

from sqlalchemy import select

from shopchat.app import create_app
from shopchat.console.admin import seal_secrets
from shopchat.models import OutboxItem, Site
from shopchat.settings import Settings
from tests.console.helpers import ScriptedResponder, World, run_db
from tests.console.test_handoff_flow import _handed_off
from tests.notify.receivers import HttpReceiver, SmtpServer, wait_for
from tests.support.chat import is_type
from tests.support.server import ServerThread

SECRET = "whsec-test-123"


def configure(settings: Settings, world: World, receiver: HttpReceiver, smtp: SmtpServer) -> None:
    integrations = {
        "slack": {"webhook_url": receiver.url("/slack")},
        "discord": {"webhook_url": receiver.url("/discord")},
        "webhook": {"url": receiver.url("/webhook"), "secret": SECRET},
        "email": {
            "to": ["team@shop-a.example"],
            "from": "chat@shop-a.example",
            "smtp": {"host": "127.0.0.1", "port": smtp.port},
        },
    }

    async def save(session):  # type: ignore[no-untyped-def]
        site = await session.get(Site, uuid.UUID(world.a.site_id))
        sealed = seal_secrets(integrations, {}, settings.encryption_key_bytes)
        site.settings = {**site.settings, "integrations": sealed}

    run_db(settings, save)


def test_handoff_notifies_every_channel_once(
    console_settings: Settings, world: World, receiver: HttpReceiver, smtp: SmtpServer
) -> None:
    configure(console_settings, world, receiver, smtp)
    server = ServerThread(create_app(console_settings, responder_factory=ScriptedResponder)).start()
    try:
        socket, conversation_id = _handed_off(server, world)
        wait_for(lambda: len(receiver.requests) == 3 and len(smtp.messages) == 1)
        # A follow-up while nobody has answered: one reminder per channel.
        socket.send({"type": "message", "client_id": "c9", "text": "hello? <@everyone>"})
        socket.recv_until(is_type("ack", client_id="c9"))
        socket.send({"type": "message", "client_id": "c10", "text": "still there?"})
        socket.recv_until(is_type("ack", client_id="c10"))
        socket.close()
        wait_for(lambda: len(receiver.requests) == 6 and len(smtp.messages) == 2)
        import time

        time.sleep(2.5)  # several worker passes later, nothing was sent twice
    finally:
        server.stop()
    assert len(receiver.requests) == 6 and len(smtp.messages) == 2
    link = f"http://console.test/console/c/{conversation_id}"
    by_path: dict[str, list] = {}
    for request in receiver.requests:
        by_path.setdefault(request.path, []).append(request)

    slack = by_path["/slack"][0].json()
    assert link in slack["text"] and "I want a human please" in slack["text"]
    assert "&lt;@everyone&gt;" in by_path["/slack"][1].json()["text"]
    discord = by_path["/discord"][0].json()
    assert link in discord["content"] and discord["allowed_mentions"] == {"parse": []}

    hook = by_path["/webhook"][0]
    expected = hmac.new(
        SECRET.encode(),
        hook.headers["x-shopchat-timestamp"].encode() + b"." + hook.body,
        hashlib.sha256,
    ).hexdigest()
    assert hook.headers["x-shopchat-signature"] == f"sha256={expected}"
    body = hook.json()
    assert body["event"] == "conversation.handoff" and body["data"]["url"] == link
    assert body["id"] == hook.headers["x-shopchat-delivery"]
    assert by_path["/webhook"][1].json()["event"] == "conversation.message"

    mail = smtp.messages[0]
    assert mail["To"] == "team@shop-a.example" and "waiting for a person" in mail["Subject"]
    payload = mail.get_payload(decode=True)
    assert isinstance(payload, bytes)
    assert link in payload.decode()

    async def items(session):  # type: ignore[no-untyped-def]
        return (await session.scalars(select(OutboxItem))).all()

    stored = run_db(console_settings, items)
    assert len(stored) == 8 and all(i.sent_at is not None and i.attempts == 1 for i in stored)
    # The webhook secret is kept encrypted in the site settings.

    async def settings_of(session):  # type: ignore[no-untyped-def]
        return (await session.get(Site, uuid.UUID(world.a.site_id))).settings

    assert SECRET not in json.dumps(run_db(console_settings, settings_of))
