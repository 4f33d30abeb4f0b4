"""A cache of knowledge answers: same site, same normalised question → same answer.

Only answers that used no customer-specific tool are stored (see ``responder``).
In-process by default; Redis when ``SHOPCHAT_REDIS_URL`` is set, so every process shares it.
"""

from __future__ import annotations

import hashlib
import json
import re
import time
import unicodedata
import uuid
from collections import OrderedDict
from typing import Any, Protocol

from shopchat.kit.redis import redis_client

_MAX_MEMORY_ENTRIES = 5000


def normalise(question: str) -> str:
    """Case, accents' composition, punctuation and spacing do not make a new question."""
    text = unicodedata.normalize("NFKC", question).casefold()
    return " ".join(re.findall(r"\w+", text))


def cache_key(*, site_id: uuid.UUID, model: str, language: str | None, question: str) -> str:
    digest = hashlib.sha256(
        f"{model}\x00{language or ''}\x00{normalise(question)}".encode()
    ).hexdigest()
    return f"shopchat:llm-answer:{site_id}:{digest}"


class AnswerCache(Protocol):
    async def get(self, key: str) -> dict[str, Any] | None: ...

    async def put(self, key: str, value: dict[str, Any], *, ttl: int) -> None: ...

    async def aclose(self) -> None: ...


class MemoryAnswerCache:
    """Per process, bounded, oldest out first."""

    def __init__(self, *, max_entries: int = _MAX_MEMORY_ENTRIES) -> None:
        self._entries: OrderedDict[str, tuple[float, dict[str, Any]]] = OrderedDict()
        self._max = max_entries

    async def get(self, key: str) -> dict[str, Any] | None:
        found = self._entries.get(key)
        if found is None or found[0] < time.monotonic():
            self._entries.pop(key, None)
            return None
        return found[1]

    async def put(self, key: str, value: dict[str, Any], *, ttl: int) -> None:
        self._entries[key] = (time.monotonic() + ttl, value)
        self._entries.move_to_end(key)
        while len(self._entries) > self._max:
            self._entries.popitem(last=False)

    async def aclose(self) -> None:
        self._entries.clear()


class RedisAnswerCache:
    """Shared by every process; Redis expires the entries."""

    def __init__(self, url: str) -> None:
        self._redis = redis_client(url)

    async def get(self, key: str) -> dict[str, Any] | None:
        raw = await self._redis.get(key)
        return json.loads(raw) if raw else None

    async def put(self, key: str, value: dict[str, Any], *, ttl: int) -> None:
        await self._redis.set(key, json.dumps(value), ex=ttl)

    async def aclose(self) -> None:
        await self._redis.aclose()


def create_answer_cache(redis_url: str | None) -> AnswerCache:
    return RedisAnswerCache(redis_url) if redis_url else MemoryAnswerCache()
