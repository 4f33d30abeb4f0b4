"""The seam where the assistant plugs into live chat.

The chat service calls ``Responder.respond`` for each customer message while a
conversation is with the bot. A responder may stream partial text through the sink
before returning its final ``Reply``; only the final reply is stored and replayed.
"""

from __future__ import annotations

import uuid
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Protocol

from shopchat.kit.identity import Identity

if TYPE_CHECKING:
    from shopchat.commerce.registry import StoreRegistry
    from shopchat.db import Database
    from shopchat.kit.ratelimit import RateLimiter
    from shopchat.models import Site
    from shopchat.settings import Settings

StreamSink = Callable[[str], Awaitable[None]]


@dataclass(frozen=True, slots=True)
class HistoryItem:
    role: str
    text: str


@dataclass(frozen=True, slots=True)
class Turn:
    """Everything a responder may use to answer one customer message."""

    site_id: uuid.UUID
    site_name: str
    site_settings: dict[str, Any]
    conversation_id: uuid.UUID
    text: str
    language: str | None
    customer: Identity | None  # None for a guest: nothing the browser said is trusted
    history: tuple[HistoryItem, ...] = ()
    low_confidence_turns: int = 0
    site: Site | None = None  # the site as loaded for this turn (read it, never change it)
    client_address: str | None = None  # the sender's IP, for guess limits; never stored


@dataclass(frozen=True, slots=True)
class Reply:
    text: str
    quick_replies: tuple[str, ...] = ()
    handoff: bool = False
    language: str | None = None
    meta: dict[str, Any] = field(default_factory=dict)  # intent, confidence, tools, sources


@dataclass(frozen=True, slots=True)
class ResponderDeps:
    """What a responder may be built from, in the app's lifespan."""

    settings: Settings
    db: Database
    limiter: RateLimiter
    stores: StoreRegistry


class Responder(Protocol):
    async def respond(self, turn: Turn, *, stream: StreamSink) -> Reply | None:
        """Answer one turn, or return None to stay silent."""
        ...
