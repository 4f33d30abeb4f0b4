"""Rate limits: a shared fixed-window counter (in-process or Redis) and a local token bucket."""

from __future__ import annotations

import math
import time
from abc import ABC, abstractmethod

from shopchat.kit.redis import redis_client


class RateLimiter(ABC):
    """Counts hits per key in fixed windows; ``hit`` says whether this one is allowed."""

    @abstractmethod
    async def hit(self, key: str, *, limit: int, window_seconds: int) -> float:
        """Record a hit; return 0 when allowed, else the seconds until the window reopens."""

    async def close(self) -> None:
        """Release connections."""


class MemoryRateLimiter(RateLimiter):
    """Per-process counters: right for one process, the embedded default."""

    _SWEEP_EVERY = 10_000

    def __init__(self) -> None:
        self._counts: dict[tuple[str, int], int] = {}
        self._hits = 0

    async def hit(self, key: str, *, limit: int, window_seconds: int) -> float:
        now = time.time()
        window = int(now // window_seconds)
        count = self._counts.get((key, window), 0) + 1
        self._counts[(key, window)] = count
        self._sweep(now, window_seconds)
        return 0.0 if count <= limit else (window + 1) * window_seconds - now

    def _sweep(self, now: float, window_seconds: int) -> None:
        self._hits += 1
        if self._hits % self._SWEEP_EVERY:
            return
        oldest = int(now // window_seconds) - 1
        self._counts = {k: v for k, v in self._counts.items() if k[1] >= oldest}


class RedisRateLimiter(RateLimiter):
    """Counters shared by every process: INCR on a key that expires with its window."""

    def __init__(self, url: str, *, prefix: str = "shopchat:rl:") -> None:
        self._redis = redis_client(url)
        self._prefix = prefix

    async def hit(self, key: str, *, limit: int, window_seconds: int) -> float:
        now = time.time()
        window = int(now // window_seconds)
        name = f"{self._prefix}{key}:{window}"
        async with self._redis.pipeline(transaction=True) as pipe:
            pipe.incr(name)
            pipe.expire(name, window_seconds + 1)
            count, _ = await pipe.execute()
        return 0.0 if count <= limit else (window + 1) * window_seconds - now

    async def close(self) -> None:
        await self._redis.aclose()


def create_rate_limiter(redis_url: str | None) -> RateLimiter:
    return RedisRateLimiter(redis_url) if redis_url else MemoryRateLimiter()


class TokenBucket:
    """A per-connection limit on frames: ``rate`` a second, bursts up to ``burst``."""

    def __init__(self, *, rate: float, burst: int) -> None:
        self.rate = rate
        self.burst = burst
        self._tokens = float(burst)
        self._stamp = time.monotonic()

    def take(self) -> float:
        """Take a token; return 0 when allowed, else seconds until one is available."""
        now = time.monotonic()
        self._tokens = min(self.burst, self._tokens + (now - self._stamp) * self.rate)
        self._stamp = now
        if self._tokens >= 1:
            self._tokens -= 1
            return 0.0
        return math.ceil((1 - self._tokens) / self.rate * 1000) / 1000
