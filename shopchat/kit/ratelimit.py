"""Rate limits that do not depend on where the epoch falls: a sliding window and a token bucket.

``hit`` admits at most ``limit`` hits in any span of ``window_seconds`` (a log of the
admitted hits' times); ``take`` is a token bucket (GCRA: one timestamp per key). Both
live in-process for one process (the embedded default) or in Redis, shared by every
process, where one Lua script per call makes the check and its write atomic. Fixed
windows aligned to the epoch let twice the limit through across a boundary. Refused
hits are not logged, so a client that waits as told gets in, and a flood costs no memory.
"""

from __future__ import annotations

import math
import time
import uuid
from abc import ABC, abstractmethod
from collections import deque
from collections.abc import Callable

from shopchat.kit.redis import redis_client

Clock = Callable[[], float]
# Times since the epoch have a resolution of about 0.2 µs; sums of them drift a little more.
_SLACK_SECONDS = 0.001

# KEYS[1] a sorted set of admitted hits scored by time; ARGV now, window, limit, member.
_WINDOW_SCRIPT = """
local now, window, limit = tonumber(ARGV[1]), tonumber(ARGV[2]), tonumber(ARGV[3])
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now - window)
local count = redis.call('ZCARD', KEYS[1])
if count < limit then
  redis.call('ZADD', KEYS[1], now, ARGV[4])
  redis.call('PEXPIRE', KEYS[1], math.ceil(window * 1000))
  return '0'
end
local edge = redis.call('ZRANGE', KEYS[1], count - limit, count - limit, 'WITHSCORES')
return tostring(tonumber(edge[2]) + window - now)
"""

# KEYS[1] the bucket's theoretical arrival time; ARGV now, seconds per token, burst, slack.
_BUCKET_SCRIPT = """
local now, interval, burst = tonumber(ARGV[1]), tonumber(ARGV[2]), tonumber(ARGV[3])
local tat = math.max(tonumber(redis.call('GET', KEYS[1]) or ARGV[1]), now)
local allowed_at = tat - (burst - 1) * interval
if allowed_at - now > tonumber(ARGV[4]) then
  return tostring(allowed_at - now)
end
tat = tat + interval
redis.call('SET', KEYS[1], string.format('%.6f', tat), 'PX', math.ceil((tat - now) * 1000) + 1)
return '0'
"""


class RateLimiter(ABC):
    """Limits shared by every connection of the process (or, on Redis, of the deployment)."""

    @abstractmethod
    async def hit(self, key: str, *, limit: int, window_seconds: float) -> float:
        """Record a hit; return 0 when allowed, else the seconds until one more would be."""

    @abstractmethod
    async def take(self, key: str, *, rate: float, burst: int) -> float:
        """Take a token (``rate`` a second, ``burst`` at most); 0, else seconds until one is."""

    async def close(self) -> None:
        """Release connections."""


class MemoryRateLimiter(RateLimiter):
    """Per-process limits: right for one process, the embedded default."""

    _SWEEP_EVERY = 10_000

    def __init__(self, *, clock: Clock = time.time) -> None:
        self._clock = clock
        self._logs: dict[str, tuple[float, deque[float]]] = {}
        self._buckets: dict[str, float] = {}
        self._calls = 0

    async def hit(self, key: str, *, limit: int, window_seconds: float) -> float:
        now = self._clock()
        self._sweep(now)
        _, log = self._logs.setdefault(key, (window_seconds, deque()))
        _forget_before(log, now - window_seconds)
        if len(log) < limit:
            log.append(now)
            return 0.0
        return _sliding_wait(log, limit=limit, window_seconds=window_seconds, now=now)

    async def take(self, key: str, *, rate: float, burst: int) -> float:
        now = self._clock()
        self._sweep(now)
        interval = 1 / rate
        tat = max(self._buckets.get(key, now), now)
        allowed_at = tat - (burst - 1) * interval
        if allowed_at - now > _SLACK_SECONDS:
            return allowed_at - now
        self._buckets[key] = tat + interval
        return 0.0

    def _sweep(self, now: float) -> None:
        self._calls += 1
        if self._calls % self._SWEEP_EVERY:
            return
        for key, (window, log) in list(self._logs.items()):
            _forget_before(log, now - window)
            if not log:
                del self._logs[key]
        self._buckets = {k: tat for k, tat in self._buckets.items() if tat > now}


def _forget_before(log: deque[float], edge: float) -> None:
    while log and log[0] <= edge:
        log.popleft()


def _sliding_wait(log: deque[float], *, limit: int, window_seconds: float, now: float) -> float:
    # The hit whose expiry brings the count below the limit again.
    return log[len(log) - limit] + window_seconds - now if limit > 0 else window_seconds


class RedisRateLimiter(RateLimiter):
    """Limits shared by every process: a sorted set per window key, a timestamp per bucket."""

    def __init__(self, url: str, *, prefix: str = "shopchat:rl:", clock: Clock = time.time) -> None:
        self._redis = redis_client(url)
        self._prefix = prefix
        self._clock = clock
        self._sliding_window = self._redis.register_script(_WINDOW_SCRIPT)
        self._token_bucket = self._redis.register_script(_BUCKET_SCRIPT)

    async def hit(self, key: str, *, limit: int, window_seconds: float) -> float:
        if limit < 1:
            return float(window_seconds)
        now = self._clock()
        member = f"{now!r}:{uuid.uuid4().hex}"
        wait = await self._sliding_window(
            keys=[f"{self._prefix}w:{key}"], args=[repr(now), window_seconds, limit, member]
        )
        return max(0.0, float(wait))

    async def take(self, key: str, *, rate: float, burst: int) -> float:
        now = self._clock()
        wait = await self._token_bucket(
            keys=[f"{self._prefix}b:{key}"], args=[repr(now), repr(1 / rate), burst, _SLACK_SECONDS]
        )
        return max(0.0, float(wait))

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
