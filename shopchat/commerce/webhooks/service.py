"""Receiving a delivery, and processing a stored one (the worker calls ``process``)."""

from __future__ import annotations

import hashlib
import re
import uuid
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from shopchat.commerce.registry import StoreRegistry
from shopchat.commerce.types import HIDDEN_ORDER_STATUSES, Order
from shopchat.commerce.webhooks import notices, repository
from shopchat.commerce.woocommerce import mapping
from shopchat.conversation import repository as conversations
from shopchat.conversation.service import insert_message
from shopchat.kit import untrusted
from shopchat.kit.errors import BadInput, ShopchatError
from shopchat.models import Contact, Conversation, Message, OrderEvent, Site
from shopchat.models.base import utcnow

ORDER_TOPICS = frozenset(repository.ORDER_EVENT_TOPICS)
PRODUCT_TOPICS = frozenset(
    {"product.created", "product.updated", "product.deleted", "product.restored"}
)
DEFAULT_NOTIFY_STATUSES = ("processing", "completed", "cancelled", "refunded", "on-hold")
MAX_RECENT_ORDERS = 20
MAX_SEEN_ORDERS = 50
NEW_ORDER = timedelta(days=1)

_DELIVERY_ID = re.compile(r"[A-Za-z0-9._:-]{1,100}")
_TOPIC = re.compile(r"[a-z0-9_-]{1,30}\.[a-z0-9_-]{1,33}")

Published = list[tuple[Conversation, Message]]


class UnsupportedMediaType(ShopchatError):
    status = 415
    code = "unsupported_media_type"


@dataclass(frozen=True, slots=True)
class Delivery:
    """A verified delivery; ``(delivery_id, content_sha256)`` tells it from any other."""

    delivery_id: str
    topic: str
    payload: dict[str, Any]
    content_sha256: str


def parse_delivery(
    body: bytes, *, content_type: str | None, topic: str | None, delivery_id: str | None
) -> Delivery:
    """The delivery of a verified request; raises BadInput on nonsense."""
    media = (content_type or "").split(";")[0].strip().lower()
    if media != "application/json" and not media.endswith("+json"):
        raise UnsupportedMediaType("a WooCommerce delivery is application/json")
    payload = _json_object(body)
    topic = (topic or "unknown").strip().lower()
    if topic != "unknown" and not _TOPIC.fullmatch(topic):
        raise BadInput("X-WC-Webhook-Topic is not a topic", code="bad_topic")
    delivery_id = (delivery_id or "").strip() or "none"
    if not _DELIVERY_ID.fullmatch(delivery_id):
        raise BadInput("X-WC-Webhook-Delivery-ID is not an id", code="bad_delivery_id")
    return Delivery(delivery_id, topic, payload, content_digest(topic, body))


def content_digest(topic: str, body: bytes) -> str:
    """What makes a delivery this one: WooCommerce shares one delivery id among every
    delivery of a webhook in the same second, whatever the resource."""
    return hashlib.sha256(topic.encode() + b"\n" + body).hexdigest()


def _json_object(body: bytes) -> dict[str, Any]:
    try:
        payload = untrusted.loads(body)
    except untrusted.UntrustedInput as exc:
        raise BadInput(f"the body is {exc}", code="bad_json") from None
    if not isinstance(payload, dict):
        raise BadInput("the body is not a JSON object", code="bad_json")
    return payload


async def receive(session: AsyncSession, *, site_id: uuid.UUID, delivery: Delivery) -> bool:
    """Keep the delivery for the worker; False when it was delivered before."""
    return await repository.insert_once(
        session,
        site_id=site_id,
        delivery_id=delivery.delivery_id,
        content_sha256=delivery.content_sha256,
        topic=delivery.topic,
        payload=delivery.payload,
    )


async def forget_cached(
    *, site_id: uuid.UUID, topic: str, payload: dict[str, Any], stores: StoreRegistry
) -> None:
    """The effects outside the database (idempotent): run before ``process``, outside its
    transaction, so a slow cache never holds the database (SQLite has one writer)."""
    if topic in PRODUCT_TOPICS:
        # A variation's delivery names its parent, whose cached price and stock it changes
        # (WooCommerce may send the parent's own delivery in the same second, or not).
        for product_id in {mapping.integer(payload.get(k)) for k in ("id", "parent_id")}:
            if product_id > 0:
                await stores.cache(site_id).invalidate_product(product_id)


async def process(session: AsyncSession, event: OrderEvent, *, lock: bool) -> Published:
    """Do what one delivery asks in the database; returns the messages to publish after
    commit. Other topics than orders are kept for the record and otherwise ignored."""
    if event.topic in ORDER_TOPICS:
        return await _order_changed(session, event, lock=lock)
    return []


async def _order_changed(session: AsyncSession, event: OrderEvent, *, lock: bool) -> Published:
    order = mapping.order(event.payload)
    if not order.id or not order.customer_id or order.status in HIDDEN_ORDER_STATUSES:
        return []  # guests have no verified contact to tell; a draft is no order yet
    contact = await repository.contact_for_customer(
        session, site_id=event.site_id, customer_id=str(order.customer_id), lock=lock
    )
    if contact is None:
        return []  # the customer never chatted: their identity brings the orders later
    seen = _remember(contact, order, modified=_modified(event.payload))
    if seen is None or not _worth_telling(seen, order, first_hand=_is_new(event.payload)):
        return []
    site = await session.get(Site, event.site_id)
    if site is None or not notify_about(site, order.status):
        return []
    return await _tell(session, site, contact, order)


def _worth_telling(seen: _Seen, order: Order, *, first_hand: bool) -> bool:
    """A notice is owed when the status differs from what the customer knew and was told.

    Decided from the order's state, not from the topic: WooCommerce sends one pending
    delivery per webhook and order, ``order.updated`` may arrive before ``order.created``
    and both carry the final state, so a checkout is often first seen as an update.
    """
    if seen.told == order.status:
        return False
    if seen.known is not None:
        return seen.known != order.status
    return first_hand  # never seen: tell about a new order, not an old one edited


def _is_new(payload: dict[str, Any]) -> bool:
    """An order first seen within a day of being placed is news to its customer."""
    created = mapping.timestamp(payload, "date_created")
    modified = mapping.timestamp(payload, "date_modified")
    return created is not None and modified is not None and modified - created <= NEW_ORDER


@dataclass(frozen=True, slots=True)
class _Seen:
    known: str | None  # the status the customer knew before this delivery
    told: str | None  # the status the last notice told them


def _remember(contact: Contact, order: Order, *, modified: str | None) -> _Seen | None:
    """Update the contact's orders; what was known before, or None for a stale delivery."""
    context = dict(contact.context or {})
    seen = dict(context.get("order_status_seen") or {})
    last = seen.get(str(order.id)) if isinstance(seen.get(str(order.id)), dict) else None
    if last and modified and last.get("modified") and modified < str(last["modified"]):
        return None  # an older delivery arriving late must not undo a newer one
    known = last.get("status") if last else _status_in(context.get("recent_orders"), order.id)
    told = last.get("told") if last else None
    seen.pop(str(order.id), None)
    seen[str(order.id)] = {"status": order.status, "modified": modified, "told": told}
    context["order_status_seen"] = dict(list(seen.items())[-MAX_SEEN_ORDERS:])
    context["recent_orders"] = _merged(context.get("recent_orders"), order)
    contact.context = context
    return _Seen(known=known, told=told)


def _told(contact: Contact, order: Order) -> None:
    context = dict(contact.context or {})
    seen = dict(context.get("order_status_seen") or {})
    seen[str(order.id)] = {**seen[str(order.id)], "told": order.status}
    contact.context = {**context, "order_status_seen": seen}


def _status_in(recent: Any, order_id: int) -> str | None:
    for entry in recent if isinstance(recent, list) else []:
        if isinstance(entry, dict) and mapping.integer(entry.get("id")) == order_id:
            return str(entry.get("status") or "") or None
    return None


def _merged(recent: Any, order: Order) -> list[dict[str, Any]]:
    others = [
        e
        for e in (recent if isinstance(recent, list) else [])
        if isinstance(e, dict) and mapping.integer(e.get("id")) != order.id
    ]
    entry = {
        "id": order.id,
        "number": order.number,
        "status": order.status,
        "total": str(order.total) if order.total is not None else None,
        "date_created": order.date_created.isoformat() if order.date_created else None,
    }
    merged = sorted([entry, *others], key=lambda e: str(e.get("date_created") or ""), reverse=True)
    return merged[:MAX_RECENT_ORDERS]


def _modified(payload: dict[str, Any]) -> str | None:
    when = mapping.timestamp(payload, "date_modified")
    return when.isoformat() if when else None


def notify_about(site: Site, status: str) -> bool:
    """Whether the site tells customers about this status (``settings.order_notifications``)."""
    config = site.settings.get("order_notifications")
    config = config if isinstance(config, dict) else {}
    statuses = config.get("statuses", DEFAULT_NOTIFY_STATUSES)
    return (
        bool(config.get("enabled", True))
        and isinstance(statuses, list | tuple)
        and (status in statuses)
    )


async def _tell(session: AsyncSession, site: Site, contact: Contact, order: Order) -> Published:
    conversation = await conversations.latest_open_conversation_for_contact(
        session, site_id=site.id, contact_id=contact.id
    )
    if conversation is None:
        return []
    language = conversation.language or str(site.settings.get("default_language") or "en")
    message, created = await insert_message(
        session,
        conversation=conversation,
        role="assistant",
        text=notices.order_status_notice(order, language=language),
        # One notice per order and status in a conversation, however often it is redelivered.
        client_id=f"order-status:{order.id}:{order.status}"[:64],
        meta={"proactive": "order_status", "order_id": order.id, "status": order.status},
    )
    _told(contact, order)  # also when this conversation had the notice already
    if not created:
        return []
    conversation.updated_at = utcnow()
    return [(conversation, message)]
