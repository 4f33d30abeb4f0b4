"""Fan-out of live events (messages, typing, status) to the connections that watch them.

The bus carries notifications only; the store of record is the database. A subscriber
that misses an event (a full queue, a Redis hiccup, another process died) recovers by
reading the store (``resume``), so the bus may drop but never invents.
"""

from shopchat.bus.base import Bus, Subscription
from shopchat.bus.memory import MemoryBus

__all__ = ["Bus", "MemoryBus", "Subscription", "create_bus"]


def create_bus(redis_url: str | None) -> Bus:
    """The Redis bus when Redis is configured, else the in-process one."""
    if redis_url:
        from shopchat.bus.redis import RedisBus

        return RedisBus(redis_url)
    return MemoryBus()
