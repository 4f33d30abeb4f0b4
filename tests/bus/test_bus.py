"""Both fan-out buses deliver to every local subscriber and flag a slow one as lagged."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator

import pytest

from shopchat.bus import Bus, MemoryBus
from shopchat.bus.base import QUEUE_SIZE
from shopchat.bus.redis import RedisBus
from tests.conftest import REDIS_URL


@pytest.fixture(params=["memory", pytest.param("redis", marks=pytest.mark.redis)])
async def bus(request: pytest.FixtureRequest) -> AsyncIterator[Bus]:
    instance: Bus = MemoryBus() if request.param == "memory" else RedisBus(REDIS_URL)
    await instance.start()
    yield instance
    await instance.stop()


async def test_every_subscriber_of_a_channel_gets_the_event(bus: Bus) -> None:
    channel = f"test:{uuid.uuid4()}"
    first, second = await bus.subscribe(channel), await bus.subscribe(channel)
    other = await bus.subscribe(f"test:{uuid.uuid4()}")
    await bus.publish(channel, {"n": 1})
    assert await asyncio.wait_for(first.get(), 2) == {"n": 1}
    assert await asyncio.wait_for(second.get(), 2) == {"n": 1}
    await asyncio.sleep(0.1)
    assert other.queue.empty()
    for subscription in (first, second, other):
        await subscription.close()
    assert bus.local_channels == 0


async def test_a_subscriber_that_does_not_read_is_marked_lagged(bus: Bus) -> None:
    channel = f"test:{uuid.uuid4()}"
    async with await bus.subscribe(channel) as subscription:
        for n in range(QUEUE_SIZE + 5):
            await bus.publish(channel, {"n": n})
        for _ in range(100):
            if subscription.lagged:
                break
            await asyncio.sleep(0.02)
        assert subscription.lagged
        assert subscription.queue.qsize() == QUEUE_SIZE


@pytest.mark.redis
async def test_redis_bus_delivers_between_two_processes_worth_of_buses() -> None:
    sender, receiver = RedisBus(REDIS_URL), RedisBus(REDIS_URL)
    await sender.start()
    await receiver.start()
    try:
        channel = f"test:{uuid.uuid4()}"
        async with await receiver.subscribe(channel) as subscription:
            await asyncio.sleep(0.05)
            await sender.publish(channel, {"hello": "world"})
            assert await asyncio.wait_for(subscription.get(), 2) == {"hello": "world"}
    finally:
        await sender.stop()
        await receiver.stop()
