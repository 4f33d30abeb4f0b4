"""Console sign-in: argon2 passwords, optional TOTP, server-side sessions, CSRF tokens.

The cookie carries a random token; the database keeps only its SHA-256, so a leaked
table cannot be replayed as a cookie. The CSRF token is bound to the session (an HMAC
of the session's hash under the server key), so it needs no storage and dies with it.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
import time
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import timedelta

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from shopchat.console import audit, totp
from shopchat.kit import crypto
from shopchat.kit.errors import BadInput, Forbidden, Unauthorized
from shopchat.models.base import utcnow
from shopchat.models.tables import Agent, AgentSession, AgentTotp

SESSION_COOKIE = "sc_console"
LOGIN_CSRF_COOKIE = "sc_login_csrf"
DEVICE_COOKIE = "sc_device"
DEVICE_DAYS = 90
REFUSED = "wrong email, password or code"
SESSION_HOURS = 12
TOUCH_SECONDS = 60
_hasher = PasswordHasher()
# Verifying against a fixed hash when the email is unknown keeps timing uniform.
_DUMMY_HASH = _hasher.hash("not-a-real-password-" + secrets.token_hex(8))


@dataclass(frozen=True, slots=True)
class SignedIn:
    agent: Agent
    session: AgentSession


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def csrf_token_for(session_hash: str, key: str) -> str:
    return hmac.new(key.encode(), f"csrf:{session_hash}".encode(), hashlib.sha256).hexdigest()


def csrf_ok(expected: str, given: str | None) -> bool:
    return bool(given) and hmac.compare_digest(expected, given or "")


def device_token(email: str, key: str) -> str:
    """A cookie value saying this browser signed in as ``email`` (the email is not in it)."""
    nonce, issued = secrets.token_urlsafe(12), str(int(time.time()))
    return f"{nonce}.{issued}.{_device_mac(key, email, nonce, issued)}"


def trusted_device(token: str | None, email: str, key: str) -> str | None:
    """The device's id when its cookie is genuine, recent and for this email; else None."""
    nonce, _, rest = (token or "")[:200].partition(".")
    issued, _, mac = rest.partition(".")
    if not (nonce and issued.isdigit() and mac):
        return None
    if time.time() - int(issued) > DEVICE_DAYS * 86400:
        return None
    return nonce if hmac.compare_digest(mac, _device_mac(key, email, nonce, issued)) else None


def _device_mac(key: str, email: str, nonce: str, issued: str) -> str:
    message = f"device:{email}:{nonce}:{issued}".encode()
    return hmac.new(key.encode(), message, hashlib.sha256).hexdigest()


async def check_credentials(
    session: AsyncSession,
    *,
    email: str,
    password: str,
    code: str | None,
    decryption_keys: Sequence[bytes],
) -> Agent:
    """The agent these credentials belong to; else Unauthorized, with one message for every
    flaw, so a refusal never tells that the password was right (the reason goes to the audit)."""
    agent = await session.scalar(select(Agent).where(Agent.email == email.strip().lower()))
    if not _password_ok(agent.password_hash if agent else _DUMMY_HASH, password) or not agent:
        raise Unauthorized(REFUSED, code="bad_credentials")
    if agent.deactivated_at is not None:
        raise Unauthorized(REFUSED, code="deactivated")
    second = await session.get(AgentTotp, agent.id)
    if second is not None and second.enabled_at is not None:
        secret = crypto.decrypt(second.secret_enc, decryption_keys)
        step = totp.verify(secret, code or "", after_step=second.last_step)
        if step is None:
            raise Unauthorized(REFUSED, code="totp_missing" if not code else "totp_wrong")
        second.last_step = step
    if _hasher.check_needs_rehash(agent.password_hash):
        agent.password_hash = _hasher.hash(password)
    return agent


def _password_ok(password_hash: str, password: str) -> bool:
    try:
        return _hasher.verify(password_hash, password)
    except (VerificationError, InvalidHashError):
        return False


async def start_session(
    session: AsyncSession, *, agent: Agent, ip: str, user_agent: str | None
) -> str:
    """Store a new session and return the cookie's token (shown once, never stored)."""
    token = secrets.token_urlsafe(32)
    session.add(
        AgentSession(
            agent_id=agent.id,
            token_hash=hash_token(token),
            expires_at=utcnow() + timedelta(hours=SESSION_HOURS),
            ip=ip[:64],
            user_agent=(user_agent or "")[:300] or None,
        )
    )
    await audit.record(session, agent=agent, kind="agent.login", data={"ip": ip})
    await session.flush()
    return token


async def signed_in(session: AsyncSession, token: str | None) -> SignedIn | None:
    """The live session and agent for a cookie token, or None."""
    if not token or len(token) > 200:
        return None
    row = (
        await session.execute(
            select(AgentSession, Agent)
            .join(Agent, Agent.id == AgentSession.agent_id)
            .where(
                AgentSession.token_hash == hash_token(token),
                AgentSession.revoked_at.is_(None),
                AgentSession.expires_at > utcnow(),
                Agent.deactivated_at.is_(None),
            )
        )
    ).first()
    if row is None:
        return None
    agent_session, agent = row
    now = utcnow()
    if (now - agent_session.last_seen_at).total_seconds() > TOUCH_SECONDS:
        agent_session.last_seen_at = now
    return SignedIn(agent=agent, session=agent_session)


async def end_session(session: AsyncSession, signed: SignedIn) -> None:
    signed.session.revoked_at = utcnow()
    await audit.record(session, agent=signed.agent, kind="agent.logout")


async def begin_totp(session: AsyncSession, *, agent: Agent, encryption_key: bytes) -> str:
    """Make (or remake) an unconfirmed TOTP secret for the agent; returns it in base32."""
    secret = totp.new_secret()
    row = await session.get(AgentTotp, agent.id)
    if row is None:
        row = AgentTotp(agent_id=agent.id, secret_enc="", last_step=0)
        session.add(row)
    elif row.enabled_at is not None:
        raise BadInput("two-factor sign-in is on already; turn it off first", code="totp_on")
    row.secret_enc = crypto.encrypt(secret, encryption_key)
    await session.flush()
    return secret


async def confirm_totp(
    session: AsyncSession, *, agent: Agent, code: str, decryption_keys: Sequence[bytes]
) -> None:
    row = await session.get(AgentTotp, agent.id)
    if row is None:
        raise BadInput("start the two-factor set-up first", code="totp_not_started")
    step = totp.verify(crypto.decrypt(row.secret_enc, decryption_keys), code)
    if step is None:
        raise BadInput("that code is not right; check your device's clock", code="totp_bad_code")
    row.enabled_at = utcnow()
    row.last_step = step
    await audit.record(session, agent=agent, kind="agent.totp_enabled")


async def totp_enabled(session: AsyncSession, agent: Agent) -> bool:
    row = await session.get(AgentTotp, agent.id)
    return row is not None and row.enabled_at is not None


async def disable_totp(
    session: AsyncSession,
    *,
    agent: Agent,
    password: str,
    code: str,
    decryption_keys: Sequence[bytes],
) -> None:
    """Turn the second factor off, given the password and a current code (a stolen session
    alone cannot weaken the account)."""
    row = await session.get(AgentTotp, agent.id)
    if row is None:
        return
    if row.enabled_at is not None:
        secret = crypto.decrypt(row.secret_enc, decryption_keys)
        step = totp.verify(secret, code, after_step=row.last_step)
        if not _password_ok(agent.password_hash, password) or step is None:
            raise Forbidden("the password or the code is wrong", code="totp_refused")
    await session.delete(row)
    await audit.record(session, agent=agent, kind="agent.totp_disabled")
