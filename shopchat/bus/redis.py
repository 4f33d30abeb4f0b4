from __future__ import annotations

import asyncio
import contextlib
import json
import logging
from typing import Any

import redis.asyncio as aioredis

from shopchat.bus.base import Bus, encode
from shopchat.kit.redis import redis_client

log = logging.getLogger(__name__)
_RECONNECT_SECONDS = 1.0


class RedisBus(Bus):
    """Fan-out across processes over Redis pub/sub.

    One pub/sub connection per process carries every channel that local connections
    watch, so a thousand WebSockets cost one Redis connection, not a thousand.
    """

    def __init__(self, url: str) -> None:
        super().__init__()
        self._redis = redis_client(url, decode_responses=True)
        self._pubsub = self._redis.pubsub(ignore_subscribe_messages=True)
        self._reader: asyncio.Task[None] | None = None
        self._wake = asyncio.Event()

    async def start(self) -> None:
        await self._redis.ping()
        self._reader = asyncio.create_task(self._read_forever(), name="redis-bus-reader")

    async def stop(self) -> None:
        if self._reader is not None:
            self._reader.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._reader
        await self._pubsub.aclose()
        await self._redis.aclose()

    async def ping(self) -> None:
        await self._redis.ping()

    async def publish(self, channel: str, event: dict[str, Any]) -> None:
        await self._redis.publish(channel, encode(event))

    async def _listen(self, channel: str) -> None:
        await self._pubsub.subscribe(channel)
        self._wake.set()

    async def _unlisten(self, channel: str) -> None:
        await self._pubsub.unsubscribe(channel)

    async def _read_forever(self) -> None:
        while True:
            if not self._pubsub.subscribed:
                self._wake.clear()
                await self._wake.wait()
            try:
                message = await self._pubsub.get_message(timeout=1.0)
            except (aioredis.ConnectionError, aioredis.TimeoutError, OSError):
                log.warning("redis bus connection lost; reconnecting")
                await asyncio.sleep(_RECONNECT_SECONDS)
                continue
            if message is not None and message["type"] == "message":
                self._deliver(message["channel"], json.loads(message["data"]))
