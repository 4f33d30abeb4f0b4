"""The per-process resources built in the app's lifespan, and their FastAPI dependencies."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Annotated

from fastapi import Depends, Request
from starlette.requests import HTTPConnection

from shopchat.bus import Bus
from shopchat.commerce.registry import StoreRegistry
from shopchat.conversation.service import Chat
from shopchat.db import Database
from shopchat.kit.ratelimit import RateLimiter
from shopchat.kit.shutdown import Shutdown
from shopchat.settings import Settings


@dataclass(slots=True)
class Services:
    settings: Settings
    db: Database
    bus: Bus
    limiter: RateLimiter
    chat: Chat
    stores: StoreRegistry
    shutdown: Shutdown = field(default_factory=Shutdown)


def get_services(connection: HTTPConnection) -> Services:
    return connection.app.state.services  # type: ignore[no-any-return]


ServicesDep = Annotated[Services, Depends(get_services)]


def client_ip(request: Request | HTTPConnection) -> str:
    """The peer address; behind a proxy, uvicorn's --forwarded-allow-ips sets it."""
    return request.client.host if request.client else "unknown"
