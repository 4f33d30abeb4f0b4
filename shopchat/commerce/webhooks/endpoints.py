"""``POST /api/v1/webhooks/woocommerce/{site_id}``: verify, store once, answer at once."""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import APIRouter, Header, Request
from pydantic import BaseModel

from shopchat.commerce.webhooks import service, signature
from shopchat.kit.errors import NotFound, Unauthorized
from shopchat.models import Site
from shopchat.services import ServicesDep
from shopchat.site.service import webhook_secret

router = APIRouter(prefix="/api/v1/webhooks", tags=["webhooks"])


class DeliveryRead(BaseModel):
    ok: bool = True
    ping: bool = False
    duplicate: bool = False


@router.post("/woocommerce/{site_id}", response_model=DeliveryRead)
async def woocommerce_delivery(
    site_id: str,
    request: Request,
    services: ServicesDep,
    x_wc_webhook_signature: Annotated[str | None, Header()] = None,
    x_wc_webhook_topic: Annotated[str | None, Header()] = None,
    x_wc_webhook_delivery_id: Annotated[str | None, Header()] = None,
    content_type: Annotated[str | None, Header()] = None,
) -> DeliveryRead:
    """Answer fast: the work happens after, in the webhook worker (WooCommerce disables
    a webhook on its 7th failed delivery in a row)."""
    body = await request.body()
    async with services.db.transaction() as session:
        site = await session.get(Site, _uuid(site_id))
        if site is None:
            raise NotFound("no such site", code="site_not_found")
        if signature.is_ping(body):
            return DeliveryRead(ping=True)  # stores nothing, so no signature is needed
        secret = webhook_secret(site, services.settings.decryption_keys)
        if not signature.valid(body, secret, x_wc_webhook_signature):
            raise Unauthorized("signature missing or wrong", code="bad_signature")
        delivery = service.parse_delivery(
            body,
            content_type=content_type,
            topic=x_wc_webhook_topic,
            delivery_id=x_wc_webhook_delivery_id,
        )
        new = await service.receive(session, site_id=site.id, delivery=delivery)
    worker = getattr(request.app.state, "webhooks", None)
    if new and worker is not None:
        worker.wake()
    return DeliveryRead(duplicate=not new)


def _uuid(value: str) -> uuid.UUID:
    try:
        return uuid.UUID(value)
    except ValueError:
        raise NotFound("no such site", code="site_not_found") from None
