"""Deliveries the way WooCommerce sends them, and waiting for the worker."""

from __future__ import annotations

import copy
import json
import time
import uuid
from pathlib import Path
from typing import Any

import httpx
from sqlalchemy import select

from shopchat.commerce.webhooks.signature import sign
from shopchat.models import OrderEvent
from shopchat.site.service import SiteCredentials
from tests.support.sites import SiteFactory

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures" / "woocommerce"
ORDER = json.loads((FIXTURES / "orders__retrieve-an-order.json").read_text())


def order_payload(
    *,
    order_id: int = 727,
    status: str = "processing",
    customer_id: int = 42,
    modified: str = "2024-05-01T10:00:00",
    created: str | None = None,
    tracking: str | None = None,
) -> dict[str, Any]:
    """The documented order resource with these fields changed (placed in 2017 unless
    ``created`` says when)."""
    order = copy.deepcopy(ORDER)
    if created:
        order.update(date_created=created, date_created_gmt=created)
    order.update(
        id=order_id,
        number=str(order_id),
        status=status,
        customer_id=customer_id,
        date_modified=modified,
        date_modified_gmt=modified,
    )
    if tracking:
        order["meta_data"] = [
            *order["meta_data"],
            {
                "id": 9001,
                "key": "_wc_shipment_tracking_items",
                "value": [{"tracking_provider": "DHL", "tracking_number": tracking}],
            },
        ]
    return order


def webhook_url(base_url: str, credentials: SiteCredentials) -> str:
    return f"{base_url}/api/v1/webhooks/woocommerce/{credentials.site_id}"


def delivery_headers(
    body: bytes,
    secret: str,
    *,
    topic: str = "order.updated",
    delivery_id: str | None = None,
) -> dict[str, str]:
    resource, _, event = topic.partition(".")
    return {
        "Content-Type": "application/json",
        "User-Agent": "WooCommerce/8.9.0 Hookshot (WordPress/6.5)",
        "X-WC-Webhook-Source": "https://shop.example/",
        "X-WC-Webhook-Topic": topic,
        "X-WC-Webhook-Resource": resource,
        "X-WC-Webhook-Event": event,
        "X-WC-Webhook-Signature": sign(body, secret),
        "X-WC-Webhook-ID": "12",
        "X-WC-Webhook-Delivery-ID": delivery_id or uuid.uuid4().hex,
    }


def deliver(
    base_url: str,
    credentials: SiteCredentials,
    payload: dict[str, Any],
    *,
    topic: str = "order.updated",
    delivery_id: str | None = None,
    secret: str | None = None,
) -> httpx.Response:
    body = json.dumps(payload).encode()
    headers = delivery_headers(
        body, secret or credentials.webhook_secret, topic=topic, delivery_id=delivery_id
    )
    return httpx.post(webhook_url(base_url, credentials), content=body, headers=headers)


def events(sites: SiteFactory, credentials: SiteCredentials) -> list[OrderEvent]:
    site_id = uuid.UUID(credentials.site_id)

    async def load(session: Any) -> list[OrderEvent]:
        stmt = select(OrderEvent).where(OrderEvent.site_id == site_id)
        return list((await session.scalars(stmt.order_by(OrderEvent.received_at))).all())

    return sites.run(load)  # type: ignore[no-any-return]


def wait_processed(
    sites: SiteFactory, credentials: SiteCredentials, *, count: int, timeout: float = 15
) -> list[OrderEvent]:
    """The site's deliveries once ``count`` of them are processed."""
    deadline = time.monotonic() + timeout
    while True:
        stored = events(sites, credentials)
        if sum(e.processed_at is not None for e in stored) >= count:
            return stored
        if time.monotonic() > deadline:
            raise AssertionError(f"not processed: {[(e.topic, e.processed_at) for e in stored]}")
        time.sleep(0.1)
