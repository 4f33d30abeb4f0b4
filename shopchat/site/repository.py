from __future__ import annotations

import uuid

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from shopchat.models import Account, Site


async def get_site(session: AsyncSession, site_id: uuid.UUID) -> Site | None:
    return await session.get(Site, site_id)


async def get_site_by_key(session: AsyncSession, site_key: str) -> Site | None:
    return await session.scalar(select(Site).where(Site.site_key == site_key))


async def get_account_by_name(session: AsyncSession, name: str) -> Account | None:
    return await session.scalar(select(Account).where(Account.name == name))
