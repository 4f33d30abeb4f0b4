"""The outbox worker's guarantees: retries with backoff, no double sends, nothing lost."""

from __future__ import annotations

import asyncio
import uuid
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import select, update

from shopchat.db import Database
from shopchat.migrations.runner import upgrade
from shopchat.models import OutboxItem, Site
from shopchat.models.base import utcnow
from shopchat.notify.outbox import enqueue, enqueue_notifications
from shopchat.notify.worker import OutboxWorker, backoff
from shopchat.settings import Settings
from tests.conftest import create_postgres_database, drop_postgres_database, make_settings
from tests.console.helpers import World
from tests.notify.receivers import HttpReceiver

PAYLOAD = {
    "event": "conversation.handoff",
    "site_name": "Shop A",
    "conversation_id": str(uuid.uuid4()),
    "customer": {"name": "Anna"},
    "excerpt": "help",
}


async def _setup(settings: Settings, world: World, receiver: HttpReceiver) -> Database:
    db = Database(settings)
    async with db.transaction() as session:
        site = await session.get(Site, uuid.UUID(world.a.site_id))
        assert site is not None
        site.settings = {**site.settings, "integrations": {"webhook": {"url": receiver.url()}}}
        await enqueue_notifications(session, site=site, event_key="handoff:x:1", payload=PAYLOAD)
        # The same event again (a retry of the cause): not a second item.
        await enqueue_notifications(session, site=site, event_key="handoff:x:1", payload=PAYLOAD)
    return db


async def _item(db: Database) -> OutboxItem:
    async with db.transaction() as session:
        return (await session.scalars(select(OutboxItem))).one()


async def test_retries_with_backoff_until_it_succeeds(
    console_settings: Settings, world: World, receiver: HttpReceiver
) -> None:
    receiver.statuses = [503, 500]
    db = await _setup(console_settings, world, receiver)
    worker = OutboxWorker(db, console_settings, base_backoff=0.05)
    try:
        assert await worker.run_once() == 1
        failed = await _item(db)
        assert failed.last_error is not None
        assert failed.sent_at is None and failed.attempts == 1 and "503" in failed.last_error
        assert failed.next_attempt_at > utcnow()  # backing off
        assert await worker.run_once() == 0  # not due yet
        for _ in range(40):
            await asyncio.sleep(0.05)
            await worker.run_once()
            if (await _item(db)).sent_at is not None:
                break
        done = await _item(db)
        assert done.sent_at is not None and done.attempts == 3 and done.last_error is None
        assert len(receiver.requests) == 3
        await worker.run_once()
        assert len(receiver.requests) == 3
    finally:
        await worker.stop()
        await db.dispose()


async def test_a_refusal_is_not_retried(
    console_settings: Settings, world: World, receiver: HttpReceiver
) -> None:
    receiver.statuses = [404]
    db = await _setup(console_settings, world, receiver)
    worker = OutboxWorker(db, console_settings, base_backoff=0.01, max_attempts=5)
    try:
        await worker.run_once()
        await asyncio.sleep(0.05)
        await worker.run_once()
        item = await _item(db)
        assert item.last_error is not None
        assert item.sent_at is None and item.attempts == 5 and "404" in item.last_error
        assert len(receiver.requests) == 1
    finally:
        await worker.stop()
        await db.dispose()


async def test_an_item_claimed_by_a_dead_process_is_sent_after_its_lease(
    console_settings: Settings, world: World, receiver: HttpReceiver
) -> None:
    db = await _setup(console_settings, world, receiver)
    dead = OutboxWorker(db, console_settings)
    claimed = await dead._claim()  # the process dies before it sends: nothing sent, nothing lost
    await dead.stop()
    assert len(claimed) == 1 and not receiver.requests
    survivor = OutboxWorker(db, console_settings)
    try:
        assert await survivor.run_once() == 0  # leased to the dead process for now
        async with db.transaction() as session:  # ... until the lease runs out
            await session.execute(
                update(OutboxItem).values(next_attempt_at=utcnow() - timedelta(seconds=1))
            )
        assert await survivor.run_once() == 1
        assert len(receiver.requests) == 1 and (await _item(db)).sent_at is not None
    finally:
        await survivor.stop()
        await db.dispose()


async def test_a_sent_item_is_not_sent_again_when_its_lease_has_run_out(
    console_settings: Settings, world: World, receiver: HttpReceiver
) -> None:
    db = await _setup(console_settings, world, receiver)
    worker = OutboxWorker(db, console_settings)
    try:
        assert await worker.run_once() == 1 and len(receiver.requests) == 1
        async with db.transaction() as session:  # long after: the lease is over
            await session.execute(
                update(OutboxItem).values(next_attempt_at=utcnow() - timedelta(hours=1))
            )
        assert await worker.run_once() == 0
        assert len(receiver.requests) == 1 and (await _item(db)).attempts == 1
    finally:
        await worker.stop()
        await db.dispose()


async def test_dedupe_key_is_unique(console_settings: Settings, world: World) -> None:
    db = Database(console_settings)
    try:
        async with db.transaction() as session:
            assert await enqueue(session, kind="notify.slack", dedupe_key="k", payload={})
            assert not await enqueue(session, kind="notify.slack", dedupe_key="k", payload={})
    finally:
        await db.dispose()


def test_backoff_grows_and_is_capped() -> None:
    delays = [backoff(n, base=1) for n in range(1, 15)]
    assert 0.8 <= delays[0] <= 1.2 and 6.4 <= delays[3] <= 9.6
    assert max(delays) <= 3600 * 1.2


@pytest.mark.postgres
async def test_workers_share_items_on_postgres(
    tmp_path: Path, world: World, receiver: HttpReceiver
) -> None:
    """Two workers claim at once: SKIP LOCKED gives each item to exactly one of them."""
    url = await asyncio.to_thread(create_postgres_database)
    try:
        settings = make_settings(tmp_path / "pg", url, outbound_allowed_hosts="127.0.0.1")
        await upgrade(settings)
        db = Database(settings)
        async with db.transaction() as session:
            for n in range(30):
                await enqueue(session, kind="notify.webhook", dedupe_key=f"k{n}", payload=PAYLOAD)
        first, second = OutboxWorker(db, settings), OutboxWorker(db, settings)
        first._config = second._config = _webhook_config(receiver)  # type: ignore[method-assign]
        try:
            while sum(await asyncio.gather(first.run_once(), second.run_once())):
                pass
        finally:
            await first.stop()
            await second.stop()
        async with db.transaction() as session:
            items = (await session.scalars(select(OutboxItem))).all()
        await db.dispose()
        assert len(receiver.requests) == 30
        assert all(i.sent_at is not None and i.attempts == 1 for i in items)
    finally:
        await asyncio.to_thread(drop_postgres_database, url)


def _webhook_config(receiver: HttpReceiver):  # type: ignore[no-untyped-def]
    async def config(_site_id: object, _channel: str) -> dict[str, str]:
        return {"url": receiver.url()}

    return config
