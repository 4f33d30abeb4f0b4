"""Monthly token and cost accounting is atomic, on SQLite and PostgreSQL."""

from __future__ import annotations

import asyncio
import uuid

import pytest

from shopchat.assistant.llm import usage
from shopchat.db import Database
from shopchat.settings import Settings
from tests.support.sites import SiteFactory


def _site_id(sites: SiteFactory) -> uuid.UUID:
    from sqlalchemy import select

    from shopchat.models import Site

    key = sites.create().site_key
    return sites.run(lambda s: s.scalar(select(Site.id).where(Site.site_key == key)))  # type: ignore[no-any-return]


def test_concurrent_messages_add_up(backend_settings: Settings, sites: SiteFactory) -> None:
    site_id = _site_id(sites)

    async def run() -> usage.Spend:
        db = Database(backend_settings)
        try:

            async def one() -> None:
                async with db.transaction() as session:
                    spend = usage.Spend(tokens_in=100, tokens_out=10, cost=0.25)
                    await usage.record(session, site_id=site_id, month="2026-11", spend=spend)

            await asyncio.gather(*(one() for _ in range(20)))
            async with db.transaction() as session:
                other = await usage.spent(session, site_id=site_id, month="2026-12")
                assert other == usage.Spend()
                return await usage.spent(session, site_id=site_id, month="2026-11")
        finally:
            await db.dispose()

    spent = asyncio.run(run())
    assert (spent.tokens_in, spent.tokens_out) == (2000, 200)
    assert spent.cost == pytest.approx(5.0)


def test_cost_of_uses_the_prices_per_thousand_tokens() -> None:
    cost = usage.cost_of(tokens_in=1500, tokens_out=500, price_in_per_1k=0.2, price_out_per_1k=0.6)
    assert cost == pytest.approx(0.6)
