"""The shared limits: a sliding window and a token bucket, in-process and on real Redis."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator, Callable

import pytest

from shopchat.kit.ratelimit import MemoryRateLimiter, RateLimiter, RedisRateLimiter
from tests.conftest import REDIS_URL

# A moment where every epoch-aligned window (1 s, 60 s, 15 min, an hour) begins.
BOUNDARY = 1_800_000_000 - 1_800_000_000 % 3600.0


class Clock:
    def __init__(self, now: float) -> None:
        self.now = now

    def __call__(self) -> float:
        return self.now


Make = Callable[..., RateLimiter]


@pytest.fixture(params=["memory", pytest.param("redis", marks=pytest.mark.redis)])
async def make(request: pytest.FixtureRequest) -> AsyncIterator[Make]:
    """Builds limiters of one kind; on Redis they share a prefix of their own (two processes)."""
    prefix = f"test:{uuid.uuid4()}:"
    made: list[RateLimiter] = []

    def build(clock: Callable[[], float] | None = None) -> RateLimiter:
        kwargs = {"clock": clock} if clock else {}
        limiter: RateLimiter = (
            RedisRateLimiter(REDIS_URL, prefix=prefix, **kwargs)  # type: ignore[arg-type]
            if request.param == "redis"
            else MemoryRateLimiter(**kwargs)  # type: ignore[arg-type]
        )
        made.append(limiter)
        return limiter

    yield build
    for limiter in made:
        await limiter.close()


async def test_a_burst_straddling_an_epoch_aligned_boundary_is_still_limited(make: Make) -> None:
    clock = Clock(BOUNDARY - 0.5)
    limiter = make(clock)
    assert [await limiter.hit("k", limit=5, window_seconds=60) for _ in range(5)] == [0.0] * 5
    clock.now = BOUNDARY + 0.5  # a fixed window would open a fresh one here
    assert await limiter.hit("k", limit=5, window_seconds=60) == pytest.approx(59.0)
    clock.now = BOUNDARY + 59.5  # the first five are a whole window old
    assert [await limiter.hit("k", limit=5, window_seconds=60) for _ in range(5)] == [0.0] * 5
    assert await limiter.hit("k", limit=5, window_seconds=60) == pytest.approx(60.0)


async def test_a_token_burst_straddling_a_second_boundary_is_still_limited(make: Make) -> None:
    clock = Clock(BOUNDARY - 0.01)
    limiter = make(clock)
    assert [await limiter.take("s", rate=5, burst=10) for _ in range(10)] == [0.0] * 10
    clock.now = BOUNDARY + 0.01
    assert await limiter.take("s", rate=5, burst=10) == pytest.approx(0.18, abs=0.001)
    clock.now = BOUNDARY + 0.19  # one token back (0.2 s at 5 a second), not ten
    assert await limiter.take("s", rate=5, burst=10) == 0.0
    assert await limiter.take("s", rate=5, burst=10) > 0


async def test_refused_hits_are_not_counted(make: Make) -> None:
    clock = Clock(BOUNDARY)
    limiter = make(clock)
    assert await limiter.hit("k", limit=2, window_seconds=10) == 0.0
    clock.now += 5
    assert await limiter.hit("k", limit=2, window_seconds=10) == 0.0
    for _ in range(50):  # a flood while refused
        assert await limiter.hit("k", limit=2, window_seconds=10) == pytest.approx(5.0)
    clock.now += 5  # the first hit has aged out: room for exactly one
    assert await limiter.hit("k", limit=2, window_seconds=10) == 0.0
    assert await limiter.hit("k", limit=2, window_seconds=10) == pytest.approx(5.0)


async def test_keys_are_limited_separately(make: Make) -> None:
    limiter = make(Clock(BOUNDARY))
    assert await limiter.hit("a", limit=1, window_seconds=60) == 0.0
    assert await limiter.hit("a", limit=1, window_seconds=60) > 0
    assert await limiter.hit("b", limit=1, window_seconds=60) == 0.0
    assert await limiter.take("a", rate=1, burst=1) == 0.0  # buckets are not windows


@pytest.mark.redis
async def test_redis_limiter_refuses_across_processes_on_the_real_clock() -> None:
    prefix = f"test:{uuid.uuid4()}:"
    first, second = (
        RedisRateLimiter(REDIS_URL, prefix=prefix),
        RedisRateLimiter(REDIS_URL, prefix=prefix),
    )
    try:
        assert [await first.hit("ip", limit=3, window_seconds=60) for _ in range(3)] == [0.0] * 3
        refused = await second.hit("ip", limit=3, window_seconds=60)
        assert 59 < refused <= 60
        assert [await first.take("conv", rate=1, burst=2) for _ in range(2)] == [0.0, 0.0]
        assert 0 < await second.take("conv", rate=1, burst=2) <= 1
    finally:
        await first.close()
        await second.close()
