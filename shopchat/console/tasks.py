"""Background work of the console, started in the app's lifespan: the outbox worker."""

from __future__ import annotations

import uuid

from shopchat.console import live, routing
from shopchat.notify.worker import Claimed, OutboxWorker
from shopchat.services import Services


def start_background(services: Services, *, poll_seconds: float = 1.0) -> OutboxWorker:
    async def auto_assign(item: Claimed) -> None:
        conversation_id = uuid.UUID(str(item.payload["conversation_id"]))
        async with services.db.transaction() as session:
            outcome = await routing.auto_assign(session, conversation_id=conversation_id)
        await live.publish(services.bus, outcome)

    worker = OutboxWorker(
        services.db,
        services.settings,
        handlers={"console.auto_assign": auto_assign},
        poll_seconds=poll_seconds,
    )
    worker.start()
    return worker
