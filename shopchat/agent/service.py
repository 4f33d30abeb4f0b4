from __future__ import annotations

import re

from argon2 import PasswordHasher
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from shopchat.kit.errors import BadInput, Conflict, NotFound
from shopchat.models import Agent
from shopchat.site import repository as sites

ROLES = ("owner", "admin", "supervisor", "agent", "trainee")
MIN_PASSWORD_CHARS = 10
_EMAIL = re.compile(r"^[^@\s]{1,64}@[^@\s]{1,190}\.[^@\s]{2,}$")
_hasher = PasswordHasher()


def hash_password(password: str) -> str:
    return _hasher.hash(password)


async def create_agent_for_site(
    session: AsyncSession, *, site_key: str, email: str, name: str, role: str, password: str
) -> Agent:
    """Create an agent in the account that owns the site."""
    site = await sites.get_site_by_key(session, site_key)
    if site is None:
        raise NotFound("unknown site key", code="site_not_found")
    email = email.strip().lower()
    if not _EMAIL.match(email):
        raise BadInput(f"not an email address: {email!r}")
    if role not in ROLES:
        raise BadInput(f"role must be one of {', '.join(ROLES)}")
    if len(password) < MIN_PASSWORD_CHARS:
        raise BadInput(f"password must be at least {MIN_PASSWORD_CHARS} characters")
    if await session.scalar(select(Agent.id).where(Agent.email == email)):
        raise Conflict(f"an agent with email {email} exists already")
    agent = Agent(
        account_id=site.account_id,
        email=email,
        name=name.strip()[:200] or email,
        role=role,
        password_hash=hash_password(password),
    )
    session.add(agent)
    await session.flush()
    return agent
