"""Redis clients that wait for a free connection under bursts instead of failing.

redis-py's default pool raises ``MaxConnectionsError`` once 100 connections are busy, which
a burst of widget sessions reached in the load benchmark (every caller got a 500). A
blocking pool makes callers queue for a connection, up to ``timeout`` seconds.
"""

from __future__ import annotations

import redis.asyncio as aioredis

MAX_CONNECTIONS = 50
WAIT_SECONDS = 10.0


def redis_client(url: str, *, decode_responses: bool = False) -> aioredis.Redis:
    pool = aioredis.BlockingConnectionPool.from_url(
        url,
        max_connections=MAX_CONNECTIONS,
        timeout=WAIT_SECONDS,
        decode_responses=decode_responses,
    )
    return aioredis.Redis.from_pool(pool)  # the client owns the pool: aclose() closes it
