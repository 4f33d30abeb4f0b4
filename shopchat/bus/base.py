from __future__ import annotations

import asyncio
import json
from abc import ABC, abstractmethod
from collections import defaultdict
from typing import Any

QUEUE_SIZE = 256


class Subscription:
    """One local listener on some channels; bounded, and marked ``lagged`` when it overflows."""

    def __init__(self, bus: Bus, channels: tuple[str, ...]) -> None:
        self._bus = bus
        self.channels = channels
        self.queue: asyncio.Queue[dict[str, Any]] = asyncio.Queue(QUEUE_SIZE)
        self.lagged = False

    def offer(self, event: dict[str, Any]) -> None:
        try:
            self.queue.put_nowait(event)
        except asyncio.QueueFull:
            # Back-pressure: a slow reader loses live events and must resume from the store.
            self.lagged = True

    async def get(self) -> dict[str, Any]:
        return await self.queue.get()

    async def close(self) -> None:
        await self._bus.unsubscribe(self)

    async def __aenter__(self) -> Subscription:
        return self

    async def __aexit__(self, *_exc: object) -> None:
        await self.close()


class Bus(ABC):
    """Publish JSON events on named channels; deliver them to every local subscription."""

    def __init__(self) -> None:
        self._local: dict[str, set[Subscription]] = defaultdict(set)

    async def start(self) -> None:
        """Open connections; called from the app's lifespan."""

    async def stop(self) -> None:
        """Close connections."""

    async def ping(self) -> None:
        """Raise if the bus cannot deliver across processes."""

    @abstractmethod
    async def publish(self, channel: str, event: dict[str, Any]) -> None: ...

    async def subscribe(self, *channels: str) -> Subscription:
        subscription = Subscription(self, channels)
        for channel in channels:
            first = not self._local[channel]
            self._local[channel].add(subscription)
            if first:
                await self._listen(channel)
        return subscription

    async def unsubscribe(self, subscription: Subscription) -> None:
        for channel in subscription.channels:
            listeners = self._local.get(channel)
            if listeners is None:
                continue
            listeners.discard(subscription)
            if not listeners:
                del self._local[channel]
                await self._unlisten(channel)

    async def _listen(self, channel: str) -> None:
        """Start receiving a channel from other processes (no-op in-process)."""

    async def _unlisten(self, channel: str) -> None:
        """Stop receiving a channel from other processes."""

    def _deliver(self, channel: str, event: dict[str, Any]) -> None:
        for subscription in tuple(self._local.get(channel, ())):
            subscription.offer(event)

    @property
    def local_channels(self) -> int:
        return len(self._local)


def encode(event: dict[str, Any]) -> str:
    return json.dumps(event, separators=(",", ":"), default=str)
