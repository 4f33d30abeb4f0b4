"""Run Alembic migrations on the configured database, from code or from ``shopchat migrate``."""

from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.config import Config
from sqlalchemy import Connection

from shopchat.db import create_engine
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
