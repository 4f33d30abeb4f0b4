"""The LLM answer cache on Redis: shared by every process, expired by Redis."""

from __future__ import annotations

import asyncio
import os
import uuid
from collections.abc import AsyncIterator

import pytest
from redis.asyncio import Redis

from shopchat.assistant.llm.cache import RedisAnswerCache, cache_key, create_answer_cache

REDIS_URL = os.environ.get("SHOPCHAT_TEST_REDIS", "redis://127.0.0.1:6379/0")
pytestmark = pytest.mark.redis


@pytest.fixture(name="site_id")
async def site_id_fixture() -> AsyncIterator[uuid.UUID]:
    """A random site, so every key of the test lies under its own prefix; deleted after."""
    site_id = uuid.uuid4()
    yield site_id
    redis = Redis.from_url(REDIS_URL)
    try:
        keys = [k async for k in redis.scan_iter(match=f"shopchat:llm-answer:{site_id}:*")]
        if keys:
            await redis.delete(*keys)
    finally:
        await redis.aclose()


def _key(site_id: uuid.UUID, question: str, *, language: str = "en") -> str:
    return cache_key(site_id=site_id, model="m1", language=language, question=question)


async def test_an_answer_stored_by_one_process_is_read_by_another(site_id: uuid.UUID) -> None:
    writer, reader = create_answer_cache(REDIS_URL), RedisAnswerCache(REDIS_URL)
    assert isinstance(writer, RedisAnswerCache)
    answer = {"text": "Delivery takes 2 to 4 working days.", "tools": ["search_knowledge"]}
    try:
        await writer.put(_key(site_id, "How long does delivery take?"), answer, ttl=60)
        assert await reader.get(_key(site_id, "how long does DELIVERY take")) == answer
        assert await reader.get(_key(site_id, "how long does delivery take", language="de")) is None
        assert await reader.get(_key(uuid.uuid4(), "How long does delivery take?")) is None
    finally:
        await writer.aclose()
        await reader.aclose()


async def test_redis_expires_the_answers(site_id: uuid.UUID) -> None:
    cache = RedisAnswerCache(REDIS_URL)
    redis = Redis.from_url(REDIS_URL)
    key = _key(site_id, "Do you ship to Austria?")
    try:
        await cache.put(key, {"text": "Yes."}, ttl=30)
        assert 0 < await redis.ttl(key) <= 30
        assert await cache.get(key) == {"text": "Yes."}
        await redis.pexpire(key, 1)  # as if the 30 seconds had passed
        await asyncio.sleep(0.02)
        assert await cache.get(key) is None
    finally:
        await cache.aclose()
        await redis.aclose()
