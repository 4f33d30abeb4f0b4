from __future__ import annotations

from typing import Any

from shopchat.bus.base import Bus


class MemoryBus(Bus):
    """Fan-out inside one process: the embedded default."""

    async def publish(self, channel: str, event: dict[str, Any]) -> None:
        self._deliver(channel, event)
