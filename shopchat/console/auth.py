"""Console sign-in: argon2 passwords, optional TOTP, server-side sessions, CSRF tokens.

The cookie carries a random token; the database keeps only its SHA-256, so a leaked
table cannot be replayed as a cookie. The CSRF token is bound to the session (an HMAC
of the session's hash under the server key), so it needs no storage and dies with it.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import timedelta

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from shopchat.console import audit, totp
from shopchat.kit import crypto
from shopchat.kit.errors import BadInput, Unauthorized
from shopchat.models.base import utcnow
from shopchat.models.tables import Agent, AgentSession, AgentTotp

SESSION_COOKIE = "sc_console"
LOGIN_CSRF_COOKIE = "sc_login_csrf"
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


class TotpRequired(Unauthorized):
    code = "totp_required"


async def check_credentials(
    session: AsyncSession,
    *,
    email: str,
    password: str,
    code: str | None,
    decryption_keys: Sequence[bytes],
) -> Agent:
    """The agent these credentials belong to; Unauthorized (one message for every flaw)."""
    agent = await session.scalar(select(Agent).where(Agent.email == email.strip().lower()))
    if not _password_ok(agent.password_hash if agent else _DUMMY_HASH, password) or not agent:
        raise Unauthorized("email or password is wrong", code="bad_credentials")
    second = await session.get(AgentTotp, agent.id)
    if second is not None and second.enabled_at is not None:
        if not code:
            raise TotpRequired("enter the code from your authenticator app")
        secret = crypto.decrypt(second.secret_enc, decryption_keys)
        step = totp.verify(secret, code, after_step=second.last_step)
        if step is None:
            raise TotpRequired("that authenticator code is wrong or was used already")
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


async def revoke_sessions(session: AsyncSession, *, actor: Agent, target_id: uuid.UUID) -> int:
    """End every session of an agent of the actor's account; returns how many."""
    target = await session.scalar(
        select(Agent).where(Agent.id == target_id, Agent.account_id == actor.account_id)
    )
    if target is None:
        raise BadInput("no such agent in your account", code="agent_not_found")
    result = await session.execute(
        update(AgentSession)
        .where(AgentSession.agent_id == target.id, AgentSession.revoked_at.is_(None))
        .values(revoked_at=utcnow())
    )
    count = int(getattr(result, "rowcount", 0) or 0)
    await audit.record(
        session,
        agent=actor,
        kind="agent.sessions_revoked",
        data={"target": str(target.id), "email": target.email, "count": count},
    )
    return count


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


async def disable_totp(session: AsyncSession, *, agent: Agent) -> None:
    row = await session.get(AgentTotp, agent.id)
    if row is not None:
        await session.delete(row)
        await audit.record(session, agent=agent, kind="agent.totp_disabled")
