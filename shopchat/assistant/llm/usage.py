"""Token and cost accounting per site and month, and the monthly budget check."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.ext.asyncio import AsyncSession

from shopchat.models.base import utcnow
from shopchat.models.tables import LlmUsage


@dataclass(frozen=True, slots=True)
class Spend:
    tokens_in: int = 0
    tokens_out: int = 0
    cost: float = 0.0

    @property
    def tokens(self) -> int:
        return self.tokens_in + self.tokens_out


def month_of(moment: datetime | None = None) -> str:
    return (moment or utcnow()).strftime("%Y-%m")


def cost_of(
    *, tokens_in: int, tokens_out: int, price_in_per_1k: float, price_out_per_1k: float
) -> float:
    return round(tokens_in / 1000 * price_in_per_1k + tokens_out / 1000 * price_out_per_1k, 6)


async def spent(session: AsyncSession, *, site_id: uuid.UUID, month: str) -> Spend:
    """What a site's LLM used in a month."""
    row = await session.scalar(
        select(LlmUsage).where(LlmUsage.site_id == site_id, LlmUsage.month == month)
    )
    return Spend(row.tokens_in, row.tokens_out, float(row.cost)) if row else Spend()


async def record(session: AsyncSession, *, site_id: uuid.UUID, month: str, spend: Spend) -> None:
    """Add one message's tokens and cost in one statement (an upsert), safe under concurrency."""
    dialect = (await session.connection()).dialect.name
    insert = pg_insert if dialect == "postgresql" else sqlite_insert
    statement = insert(LlmUsage).values(
        site_id=site_id,
        month=month,
        tokens_in=spend.tokens_in,
        tokens_out=spend.tokens_out,
        cost=spend.cost,
        updated_at=utcnow(),
    )
    excluded = statement.excluded
    await session.execute(
        statement.on_conflict_do_update(
            index_elements=[LlmUsage.site_id, LlmUsage.month],
            set_={
                "tokens_in": LlmUsage.tokens_in + excluded.tokens_in,
                "tokens_out": LlmUsage.tokens_out + excluded.tokens_out,
                "cost": LlmUsage.cost + excluded.cost,
                "updated_at": excluded.updated_at,
            },
        )
    )
