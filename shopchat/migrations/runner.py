"""Run Alembic migrations on the configured database, from code or from ``shopchat migrate``."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

from alembic import command
from alembic.config import Config
from sqlalchemy import Connection
from sqlalchemy.ext.asyncio import AsyncSession

from shopchat.db import Database, create_engine
from shopchat.settings import Settings

_HERE = Path(__file__).parent


def alembic_config() -> Config:
    config = Config()
    config.set_main_option("script_location", str(_HERE))
    return config


async def upgrade(settings: Settings, revision: str = "head") -> None:
    await _run(settings, lambda conn: command.upgrade(_bound(conn), revision))


async def downgrade(settings: Settings, revision: str = "base") -> None:
    await _run(settings, lambda conn: command.downgrade(_bound(conn), revision))


@asynccontextmanager
async def migrated_transaction(settings: Settings) -> AsyncIterator[AsyncSession]:
    """For a command-line task: bring the schema up to date, then one transaction."""
    await upgrade(settings)
    db = Database(settings)
    try:
        async with db.transaction() as session:
            yield session
    finally:
        await db.dispose()


def _bound(connection: Connection) -> Config:
    config = alembic_config()
    config.attributes["connection"] = connection
    return config


async def _run(settings: Settings, step: object) -> None:
    engine = create_engine(settings)
    try:
        async with engine.begin() as connection:
            await connection.run_sync(step)  # type: ignore[arg-type]
    finally:
        await engine.dispose()
