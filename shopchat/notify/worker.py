"""The outbox worker: claims due items, sends them, records the result.

Claiming moves an item's ``next_attempt_at`` past a lease, in its own short transaction
(``FOR UPDATE SKIP LOCKED`` on PostgreSQL, so N processes share the work; SQLite's write
lock does the same for one file). ``sent_at`` is set only after the send succeeded, so
a process that dies mid-send leaves the item to be picked up again once the lease ends.
"""

from __future__ import annotations

import asyncio
import logging
import random
import uuid
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from sqlalchemy import select, update

from shopchat.db import Database
from shopchat.kit import outbound
from shopchat.kit.periodic import cancel
from shopchat.models import OutboxItem, Site
from shopchat.models.base import utcnow
from shopchat.notify import client, rules
from shopchat.settings import Settings

log = logging.getLogger(__name__)

BATCH = 20
CONCURRENT_SENDS = 4  # per process: be gentle with one shop's Slack or mail server
LEASE_SECONDS = 120
MAX_ATTEMPTS = 8
BASE_BACKOFF_SECONDS = 5.0
MAX_BACKOFF_SECONDS = 3600.0


@dataclass(frozen=True, slots=True)
class Claimed:
    id: uuid.UUID
    kind: str
    dedupe_key: str
    site_id: uuid.UUID | None
    payload: dict[str, Any]
    attempts: int


Handler = Callable[[Claimed], Awaitable[None]]


def backoff(attempts: int, *, base: float = BASE_BACKOFF_SECONDS) -> float:
    """Exponential, capped, with jitter so retries of many items spread out."""
    delay = min(MAX_BACKOFF_SECONDS, base * 2 ** max(0, attempts - 1))
    return delay * (0.8 + 0.4 * random.random())


class OutboxWorker:
    def __init__(
        self,
        db: Database,
        settings: Settings,
        *,
        handlers: dict[str, Handler] | None = None,
        poll_seconds: float = 1.0,
        base_backoff: float = BASE_BACKOFF_SECONDS,
        max_attempts: int = MAX_ATTEMPTS,
    ) -> None:
        self.db = db
        self.settings = settings
        self.poll_seconds = poll_seconds
        self.base_backoff = base_backoff
        self.max_attempts = max_attempts
        self.http = outbound.guarded_client(
            policy=settings.outbound_policy, timeout=client.TIMEOUT_SECONDS
        )
        self.handlers: dict[str, Handler] = {
            "notify.slack": self._integration("slack"),
            "notify.discord": self._integration("discord"),
            "notify.email": self._integration("email"),
            "notify.webhook": self._integration("webhook"),
            **(handlers or {}),
        }
        self._task: asyncio.Task[None] | None = None
        self._sends = asyncio.Semaphore(CONCURRENT_SENDS)

    def start(self) -> None:
        self._task = asyncio.create_task(self._run(), name="outbox-worker")

    async def stop(self) -> None:
        await cancel(self._task)
        await self.http.aclose()

    async def _run(self) -> None:
        while True:
            try:
                done = await self.run_once()
            except Exception:
                log.exception("outbox pass failed; trying again")
                done = 0
            if not done:
                await asyncio.sleep(self.poll_seconds)

    async def run_once(self) -> int:
        """Claim and deliver one batch; returns how many items were tried."""
        claimed = await self._claim()
        await asyncio.gather(*(self._deliver(item) for item in claimed))
        return len(claimed)

    async def _claim(self) -> list[Claimed]:
        now = utcnow()
        stmt = (
            select(OutboxItem)
            .where(
                OutboxItem.sent_at.is_(None),
                OutboxItem.next_attempt_at <= now,
                OutboxItem.attempts < self.max_attempts,
            )
            .order_by(OutboxItem.next_attempt_at)
            .limit(BATCH)
        )
        if not self.settings.is_sqlite:
            stmt = stmt.with_for_update(skip_locked=True)
        async with self.db.transaction() as session:
            items = list((await session.scalars(stmt)).all())
            for item in items:
                item.attempts += 1
                item.next_attempt_at = now + timedelta(seconds=LEASE_SECONDS)
            return [
                Claimed(i.id, i.kind, i.dedupe_key, i.site_id, dict(i.payload), i.attempts)
                for i in items
            ]

    async def _deliver(self, item: Claimed) -> None:
        async with self._sends:
            await self._send(item)

    async def _send(self, item: Claimed) -> None:
        handler = self.handlers.get(item.kind)
        try:
            if handler is None:
                raise client.Permanent(f"no handler for {item.kind!r}")
            await asyncio.wait_for(handler(item), timeout=client.TIMEOUT_SECONDS * 3)
        except Exception as exc:
            await self._failed(item, exc)
        else:
            await self._finish(item.id, sent_at=utcnow(), last_error=None)

    async def _failed(self, item: Claimed, exc: Exception) -> None:
        permanent = (
            isinstance(exc, client.Permanent | outbound.Refused)
            or item.attempts >= self.max_attempts
        )
        error = f"{type(exc).__name__}: {exc}"[:1000]
        log.warning(
            "outbox %s %s failed (attempt %d): %s", item.kind, item.id, item.attempts, error
        )
        values: dict[str, Any] = {"last_error": error}
        if permanent:
            values["attempts"] = self.max_attempts  # given up; kept for the operator to see
        else:
            values["next_attempt_at"] = utcnow() + timedelta(
                seconds=backoff(item.attempts, base=self.base_backoff)
            )
        async with self.db.transaction() as session:
            await session.execute(
                update(OutboxItem).where(OutboxItem.id == item.id).values(**values)
            )

    async def _finish(self, item_id: uuid.UUID, **values: Any) -> None:
        async with self.db.transaction() as session:
            await session.execute(
                update(OutboxItem).where(OutboxItem.id == item_id).values(**values)
            )

    def _integration(self, channel: str) -> Handler:
        async def send(item: Claimed) -> None:
            config = await self._config(item.site_id, channel)
            if config is None:
                return  # switched off since: nothing to send, and nothing to retry
            # Checked again: settings saved before these rules, or by other means, are not trusted.
            chosen = rules.check(channel, config, settings=self.settings)
            link = self.conversation_link(str(item.payload.get("conversation_id")))
            keys = self.settings.decryption_keys
            match channel:
                case "slack":
                    await client.send_slack(self.http, config, item.payload, link)
                case "discord":
                    await client.send_discord(self.http, config, item.payload, link)
                case "email":
                    relay = self._relay(config, chosen, keys=keys)
                    sender = self.settings.smtp_from
                    await client.send_email(config, item.payload, link, relay=relay, sender=sender)
                case "webhook":
                    await client.send_webhook(
                        self.http,
                        config,
                        item.payload,
                        link,
                        delivery_id=item.dedupe_key,
                        keys=keys,
                    )

        return send

    def _relay(
        self, config: dict[str, Any], chosen: rules.Destination | None, *, keys: Sequence[bytes]
    ) -> client.Relay:
        if chosen is None:
            password = self.settings.smtp_password
            return client.Relay(
                self.settings.smtp_host,
                self.settings.smtp_port,
                starttls=self.settings.smtp_starttls,
                username=self.settings.smtp_username,
                password=password.get_secret_value() if password else None,
            )
        smtp = config["smtp"]
        return client.Relay(
            chosen.host,
            chosen.port,
            starttls=bool(smtp.get("starttls")),
            username=str(smtp["username"]) if smtp.get("username") else None,
            password=client.secret(smtp, "password", keys),
            policy=self.settings.outbound_policy,
        )

    async def _config(self, site_id: uuid.UUID | None, channel: str) -> dict[str, Any] | None:
        async with self.db.transaction() as session:
            site = await session.get(Site, site_id) if site_id else None
            integrations = (site.settings.get("integrations") or {}) if site else {}
        config = integrations.get(channel)
        if not isinstance(config, dict) or not config.get("enabled", True):
            return None
        return config

    def conversation_link(self, conversation_id: str) -> str:
        base = (self.settings.public_url or "http://localhost:8000").rstrip("/")
        return f"{base}/console/c/{conversation_id}"
