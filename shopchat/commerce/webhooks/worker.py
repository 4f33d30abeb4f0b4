"""Processes stored deliveries after they were answered, in this or any later process.

A delivery is done when its ``processed_at`` is set, in the same transaction as the
database work it asked for, so a process that dies mid-way leaves it for the next pass
(of this or another process). Effects outside the database (forgetting cached products)
are idempotent and run first, outside any transaction. On PostgreSQL each delivery is
locked ``FOR UPDATE SKIP LOCKED`` while it is processed, so N processes share the work;
SQLite's single writer does the same.
A delivery that keeps failing is retried with backoff, then given up and logged.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
import uuid

from shopchat.commerce.webhooks import repository, service
from shopchat.kit.periodic import cancel
from shopchat.models.base import utcnow
from shopchat.services import Services

log = logging.getLogger(__name__)

BATCH = 50
MAX_ATTEMPTS = 6
BASE_BACKOFF_SECONDS = 2.0
EFFECT_TIMEOUT_SECONDS = 10.0
PROCESS_TIMEOUT_SECONDS = 10.0


class WebhookWorker:
    def __init__(
        self,
        services: Services,
        *,
        poll_seconds: float = 2.0,
        max_attempts: int = MAX_ATTEMPTS,
        base_backoff: float = BASE_BACKOFF_SECONDS,
    ) -> None:
        self.services = services
        self.poll_seconds = poll_seconds
        self.max_attempts = max_attempts
        self.base_backoff = base_backoff
        self._wake = asyncio.Event()
        self._task: asyncio.Task[None] | None = None
        self._attempts: dict[uuid.UUID, int] = {}
        self._retry_at: dict[uuid.UUID, float] = {}

    def start(self) -> None:
        self._task = asyncio.create_task(self._run(), name="webhook-worker")

    def wake(self) -> None:
        """A delivery was stored: look now rather than at the next poll."""
        self._wake.set()

    async def stop(self) -> None:
        await cancel(self._task)

    async def _run(self) -> None:
        while True:
            try:
                done = await self.run_once()
            except Exception:
                log.exception("webhook pass failed; trying again")
                done = 0
            if not done:
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(self._wake.wait(), timeout=self.poll_seconds)
                self._wake.clear()

    async def run_once(self) -> int:
        """Process one batch of due deliveries; returns how many were tried."""
        async with self.services.db.transaction() as session:
            ids = await repository.due_ids(session, limit=BATCH + len(self._retry_at))
        now = time.monotonic()
        due = [i for i in ids if self._retry_at.get(i, 0.0) <= now][:BATCH]
        tried = 0
        for event_id in due:
            tried += await self._process(event_id)
        return tried

    async def _process(self, event_id: uuid.UUID) -> int:
        services = self.services
        shared = not services.settings.is_sqlite
        try:
            async with services.db.transaction() as session:
                event = await repository.lock_unprocessed(session, event_id, skip_locked=shared)
                if event is None:
                    return 0  # done meanwhile, or another process has it
                site_id, topic, payload = event.site_id, event.topic, event.payload
            await asyncio.wait_for(
                service.forget_cached(
                    site_id=site_id, topic=topic, payload=payload, stores=services.stores
                ),
                timeout=EFFECT_TIMEOUT_SECONDS,
            )
            # Bounded: on SQLite this transaction holds the one connection the receiver needs.
            published = await asyncio.wait_for(
                self._apply(event_id, lock=shared), timeout=PROCESS_TIMEOUT_SECONDS
            )
            if published is None:
                return 0
        except Exception:
            await self._failed(event_id)
            return 1
        self._attempts.pop(event_id, None)
        self._retry_at.pop(event_id, None)
        for conversation, message in published:
            await services.chat.publish_message(conversation, message)
        return 1

    async def _apply(self, event_id: uuid.UUID, *, lock: bool) -> service.Published | None:
        async with self.services.db.transaction() as session:
            event = await repository.lock_unprocessed(session, event_id, skip_locked=lock)
            if event is None:
                return None
            published = await service.process(session, event, lock=lock)
            await repository.mark_processed(session, event_id, at=utcnow())
        return published

    async def _failed(self, event_id: uuid.UUID) -> None:
        attempts = self._attempts[event_id] = self._attempts.get(event_id, 0) + 1
        log.exception("webhook delivery %s failed (attempt %d)", event_id, attempts)
        if attempts < self.max_attempts:
            delay = self.base_backoff * 2 ** (attempts - 1)
            self._retry_at[event_id] = time.monotonic() + delay
            return
        log.error("webhook delivery %s given up after %d attempts", event_id, attempts)
        async with self.services.db.transaction() as session:
            await repository.mark_processed(session, event_id, at=utcnow())
        self._attempts.pop(event_id, None)
        self._retry_at.pop(event_id, None)


def start_webhook_worker(services: Services, *, poll_seconds: float = 2.0) -> WebhookWorker:
    worker = WebhookWorker(services, poll_seconds=poll_seconds)
    worker.start()
    return worker
