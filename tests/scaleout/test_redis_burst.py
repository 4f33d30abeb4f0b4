"""A burst of requests needing Redis at once queues for connections and never fails.

redis-py's default pool raises MaxConnectionsError past 100 busy connections; the load
benchmark hit it when 200 visitors opened sessions at once (every one past 100 got a 500).
"""

from __future__ import annotations

import asyncio
import uuid

import pytest

from shopchat.bus.redis import RedisBus
from shopchat.kit.ratelimit import RedisRateLimiter
from tests.conftest import REDIS_URL

pytestmark = pytest.mark.redis
BURST = 400


async def test_rate_limiter_answers_a_burst_larger_than_any_pool() -> None:
    limiter = RedisRateLimiter(REDIS_URL, prefix=f"test:{uuid.uuid4()}:")
    try:
        waits = await asyncio.gather(
            *(limiter.hit(f"ip{n}", limit=5, window_seconds=60) for n in range(BURST))
        )
    finally:
        await limiter.close()
    assert waits == [0.0] * BURST


async def test_bus_publishes_a_burst_larger_than_any_pool() -> None:
    bus = RedisBus(REDIS_URL)
    await bus.start()
    channel = f"test:{uuid.uuid4()}"
    try:
        async with await bus.subscribe(channel) as subscription:
            await asyncio.sleep(0.05)
            await asyncio.gather(*(bus.publish(channel, {"n": n}) for n in range(200)))
            received = [await asyncio.wait_for(subscription.get(), 5) for _ in range(200)]
    finally:
        await bus.stop()
    assert sorted(event["n"] for event in received) == list(range(200))
