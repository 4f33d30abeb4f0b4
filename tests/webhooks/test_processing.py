"""What a stored delivery does: the contact's orders, a notice to an open chat, the cache."""

from __future__ import annotations

import asyncio
import time
import uuid
from typing import Any

import pytest
from sqlalchemy import select

from shopchat.commerce.cache import StoreCache
from shopchat.commerce.webhooks import service
from shopchat.models import Contact, Conversation, Message, Site
from shopchat.site.service import SiteCredentials
from tests.support.chat import WidgetSocket, is_type, open_session
from tests.support.server import ServerThread
from tests.support.sites import SiteFactory, identity_token
from tests.webhooks.helpers import deliver, events, order_payload, wait_processed

KNOWN_ORDER = {
    "id": 727,
    "number": "727",
    "status": "processing",
    "total": "29.35",
    "date_created": "2024-04-30T09:00:00",
}


def chat_as_customer(server: ServerThread, site: SiteCredentials) -> dict[str, Any]:
    token = identity_token(site, sub="42", recent_orders=[KNOWN_ORDER])
    return open_session(server.url, site, identity=token)


def contact_context(sites: SiteFactory, site: SiteCredentials) -> dict[str, Any]:
    async def load(session: Any) -> dict[str, Any]:
        contact = await session.scalar(
            select(Contact).where(
                Contact.site_id == uuid.UUID(site.site_id), Contact.external_id == "42"
            )
        )
        return dict(contact.context)

    return sites.run(load)  # type: ignore[no-any-return]


def stored_messages(sites: SiteFactory, conversation_id: str) -> list[Message]:
    async def load(session: Any) -> list[Message]:
        stmt = select(Message).where(Message.conversation_id == uuid.UUID(conversation_id))
        return list((await session.scalars(stmt.order_by(Message.seq))).all())

    return sites.run(load)  # type: ignore[no-any-return]


def notices(sites: SiteFactory, conversation_id: str) -> list[Message]:
    return [m for m in stored_messages(sites, conversation_id) if m.meta.get("proactive")]


def change_site(sites: SiteFactory, site: SiteCredentials, **settings: Any) -> None:
    async def change(session: Any) -> None:
        row = await session.get(Site, uuid.UUID(site.site_id))
        row.settings = {**row.settings, **settings}

    sites.run(change)


def test_a_status_change_reaches_the_customers_open_widget(
    server: ServerThread, sites: SiteFactory
) -> None:
    site = sites.create()
    session = chat_as_customer(server, site)
    with WidgetSocket(server.url, session["session_token"]) as socket:
        last_seq = max((m["seq"] for m in session["messages"]), default=0)
        socket.send({"type": "resume", "after_seq": last_seq})
        deliver(server.url, site, order_payload(status="completed", tracking="1Z999AA10123456784"))
        frame = socket.recv_until(is_type("message", role="assistant"))
    assert frame["text"].startswith("Good news: your order #727 has shipped.")
    assert "DHL 1Z999AA10123456784" in frame["text"]
    (notice,) = notices(sites, session["conversation_id"])
    assert notice.seq == frame["seq"] and notice.meta["status"] == "completed"


def test_the_contacts_orders_are_refreshed(server: ServerThread, sites: SiteFactory) -> None:
    site = sites.create()
    chat_as_customer(server, site)
    deliver(server.url, site, order_payload(status="on-hold"))
    deliver(server.url, site, order_payload(order_id=800, status="pending", modified="2024-05-02"))
    wait_processed(sites, site, count=2)
    context = contact_context(sites, site)
    by_id = {o["id"]: o for o in context["recent_orders"]}
    assert by_id[727]["status"] == "on-hold"
    assert by_id[800]["status"] == "pending" and by_id[800]["number"] == "800"
    assert context["order_status_seen"]["727"]["status"] == "on-hold"


def test_a_late_older_delivery_does_not_undo_a_newer_one(
    server: ServerThread, sites: SiteFactory
) -> None:
    site = sites.create()
    session = chat_as_customer(server, site)
    deliver(server.url, site, order_payload(status="completed", modified="2024-05-03T12:00:00"))
    wait_processed(sites, site, count=1)
    deliver(server.url, site, order_payload(status="on-hold", modified="2024-05-02T12:00:00"))
    wait_processed(sites, site, count=2)
    assert contact_context(sites, site)["order_status_seen"]["727"]["status"] == "completed"
    assert [n.meta["status"] for n in notices(sites, session["conversation_id"])] == ["completed"]


def test_no_notice_without_a_status_change_or_for_an_unlisted_status(
    server: ServerThread, sites: SiteFactory
) -> None:
    site = sites.create()
    session = chat_as_customer(server, site)
    deliver(server.url, site, order_payload(status="processing"))  # as the identity said
    deliver(server.url, site, order_payload(status="failed", modified="2024-05-02"))
    old = order_payload(order_id=900, status="completed", created="2024-03-01T10:00:00")
    deliver(server.url, site, old)  # first seen: an old order edited, no news to anyone
    wait_processed(sites, site, count=3)
    assert notices(sites, session["conversation_id"]) == []


def test_a_new_order_is_announced(server: ServerThread, sites: SiteFactory) -> None:
    site = sites.create()
    session = chat_as_customer(server, site)
    placed = order_payload(
        order_id=901, status="processing", created="2024-05-01T09:59:58", modified=CHECKOUT
    )
    deliver(server.url, site, placed, topic="order.created")
    wait_processed(sites, site, count=1)
    (notice,) = notices(sites, session["conversation_id"])
    assert "#901 is confirmed" in notice.text


CHECKOUT = "2024-05-01T10:00:03"


def test_a_checkout_updated_before_created_is_confirmed_once(
    server: ServerThread, sites: SiteFactory
) -> None:
    """What WooCommerce 9.9 sent for a real checkout: order.updated 5 s before
    order.created, both with the final state, no intermediate status."""
    site = sites.create()
    session = chat_as_customer(server, site)
    final = order_payload(
        order_id=902, status="processing", created="2024-05-01T09:59:58", modified=CHECKOUT
    )
    deliver(server.url, site, final, topic="order.updated")
    deliver(server.url, site, final, topic="order.created")
    wait_processed(sites, site, count=2)
    (notice,) = notices(sites, session["conversation_id"])
    assert "#902 is confirmed" in notice.text
    assert contact_context(sites, site)["order_status_seen"]["902"]["told"] == "processing"
    deliver(server.url, site, final, topic="order.created")  # a repeat (another delivery id)
    deliver(server.url, site, final, topic="order.updated")
    wait_processed(sites, site, count=4)
    assert len(notices(sites, session["conversation_id"])) == 1


def test_a_checkout_draft_sends_no_notice_and_is_not_an_order(
    server: ServerThread, sites: SiteFactory
) -> None:
    """The Checkout block makes a checkout-draft order when a signed-in customer opens it."""
    site = sites.create()
    session = chat_as_customer(server, site)
    draft = order_payload(
        order_id=903, status="checkout-draft", created="2024-05-01T09:59:58", modified=CHECKOUT
    )
    deliver(server.url, site, draft, topic="order.updated")
    wait_processed(sites, site, count=1)
    assert notices(sites, session["conversation_id"]) == []
    context = contact_context(sites, site)
    assert "903" not in context.get("order_status_seen", {})
    assert 903 not in [o["id"] for o in context["recent_orders"]]


def test_notices_follow_the_site_settings(server: ServerThread, sites: SiteFactory) -> None:
    site = sites.create()
    session = chat_as_customer(server, site)
    change_site(sites, site, order_notifications={"enabled": True, "statuses": ["refunded"]})
    deliver(server.url, site, order_payload(status="completed", modified="2024-05-02"))
    deliver(server.url, site, order_payload(status="refunded", modified="2024-05-03"))
    wait_processed(sites, site, count=2)
    assert [n.meta["status"] for n in notices(sites, session["conversation_id"])] == ["refunded"]
    change_site(sites, site, order_notifications={"enabled": False})
    deliver(server.url, site, order_payload(status="cancelled", modified="2024-05-04"))
    wait_processed(sites, site, count=3)
    assert len(notices(sites, session["conversation_id"])) == 1


@pytest.mark.parametrize(
    "language, expected",
    [
        ("de", "Gute Nachricht: Ihre Bestellung #727 wurde versandt."),
        ("fr", "Bonne nouvelle : votre commande n°727 a été expédiée."),
        ("es", "Buenas noticias: tu pedido #727 ha sido enviado."),
        ("nl", "Goed nieuws: je bestelling #727 is verzonden."),
        ("ja", "Good news: your order #727 has shipped."),
    ],
)
def test_the_notice_is_in_the_conversations_language(
    server: ServerThread, sites: SiteFactory, language: str, expected: str
) -> None:
    site = sites.create()
    session = chat_as_customer(server, site)

    async def speak(db: Any) -> None:
        conversation = await db.get(Conversation, uuid.UUID(session["conversation_id"]))
        conversation.language = language

    sites.run(speak)
    deliver(server.url, site, order_payload(status="completed"))
    wait_processed(sites, site, count=1)
    (notice,) = notices(sites, session["conversation_id"])
    assert notice.text == expected


def test_a_closed_conversation_or_a_guest_order_gets_no_notice(
    server: ServerThread, sites: SiteFactory
) -> None:
    site = sites.create()
    session = chat_as_customer(server, site)

    async def resolve(db: Any) -> None:
        conversation = await db.get(Conversation, uuid.UUID(session["conversation_id"]))
        conversation.status = "resolved"

    sites.run(resolve)
    deliver(server.url, site, order_payload(status="completed"))
    deliver(server.url, site, order_payload(order_id=5, status="completed", customer_id=0))
    wait_processed(sites, site, count=2)
    assert notices(sites, session["conversation_id"]) == []
    assert contact_context(sites, site)["order_status_seen"]["727"]["status"] == "completed"


def test_redelivered_status_is_told_once(server: ServerThread, sites: SiteFactory) -> None:
    site = sites.create()
    session = chat_as_customer(server, site)
    for modified, status in (("2024-05-02", "completed"), ("2024-05-03", "on-hold")):
        deliver(server.url, site, order_payload(status=status, modified=modified))
    deliver(server.url, site, order_payload(status="completed", modified="2024-05-04"))
    wait_processed(sites, site, count=3)
    told = [n.meta["status"] for n in notices(sites, session["conversation_id"])]
    assert told == ["completed", "on-hold"]


def test_failing_processing_never_fails_the_delivery(
    server: ServerThread, sites: SiteFactory, monkeypatch: pytest.MonkeyPatch
) -> None:
    """WooCommerce disables a webhook on its 7th failure in a row: ours never depend on the work."""
    site = sites.create()
    calls: list[str] = []
    real = service.process

    async def broken(*args: Any, **kwargs: Any) -> Any:
        calls.append("x")
        raise RuntimeError("processing is broken")

    monkeypatch.setattr(service, "process", broken)
    for number in range(5):
        started = time.monotonic()
        response = deliver(server.url, site, order_payload(order_id=1000 + number))
        assert response.status_code == 200
        assert time.monotonic() - started < 1.0
    deadline = time.monotonic() + 10
    while len(calls) < 5 and time.monotonic() < deadline:
        time.sleep(0.05)
    assert len(calls) >= 5
    assert all(e.processed_at is None for e in events(sites, site))
    monkeypatch.setattr(service, "process", real)
    wait_processed(sites, site, count=5, timeout=20)


def test_a_slow_cache_never_slows_the_answers(
    server: ServerThread, sites: SiteFactory, monkeypatch: pytest.MonkeyPatch
) -> None:
    site = sites.create()
    real = StoreCache.invalidate_product
    forgotten: list[int] = []

    async def slow(self: StoreCache, product_id: int) -> None:
        await asyncio.sleep(2)
        await real(self, product_id)
        forgotten.append(product_id)

    monkeypatch.setattr(StoreCache, "invalidate_product", slow)
    started = time.monotonic()
    responses = [
        deliver(server.url, site, {"id": 30 + n, "name": "Tent"}, topic="product.updated")
        for n in range(5)
    ]
    assert [r.status_code for r in responses] == [200] * 5
    assert time.monotonic() - started < 2
    wait_processed(sites, site, count=5, timeout=30)
    assert sorted(forgotten) == [30, 31, 32, 33, 34]
