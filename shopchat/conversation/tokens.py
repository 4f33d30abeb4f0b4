"""Session tokens: bind a browser to one site, one contact and one conversation."""

from __future__ import annotations

import time
import uuid
from dataclasses import dataclass

import jwt

from shopchat.kit.errors import Unauthorized

_TYPE = "widget"


@dataclass(frozen=True, slots=True)
class SessionClaims:
    site_id: uuid.UUID
    conversation_id: uuid.UUID
    contact_id: uuid.UUID
    session_id: uuid.UUID
    verified: bool


def issue_session_token(claims: SessionClaims, *, key: str, ttl_seconds: int) -> str:
    now = int(time.time())
    payload = {
        "typ": _TYPE,
        "site": str(claims.site_id),
        "conv": str(claims.conversation_id),
        "contact": str(claims.contact_id),
        "sid": str(claims.session_id),
        "ver": claims.verified,
        "iat": now,
        "exp": now + ttl_seconds,
    }
    return jwt.encode(payload, key, algorithm="HS256")


def read_session_token(token: str | None, *, key: str) -> SessionClaims:
    """Verify a session token; any flaw is Unauthorized with the reason."""
    if not token or len(token) > 4096:
        raise Unauthorized("session token missing", code="session_invalid")
    try:
        payload = jwt.decode(
            token, key, algorithms=["HS256"], options={"require": ["exp", "site", "conv"]}
        )
        if payload.get("typ") != _TYPE:
            raise jwt.InvalidTokenError("not a widget session token")
        return SessionClaims(
            site_id=uuid.UUID(payload["site"]),
            conversation_id=uuid.UUID(payload["conv"]),
            contact_id=uuid.UUID(payload["contact"]),
            session_id=uuid.UUID(payload["sid"]),
            verified=bool(payload.get("ver")),
        )
    except jwt.ExpiredSignatureError as exc:
        raise Unauthorized("session token expired", code="session_expired") from exc
    except (jwt.PyJWTError, KeyError, ValueError, TypeError) as exc:
        raise Unauthorized("session token invalid", code="session_invalid") from exc
