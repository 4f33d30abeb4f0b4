"""Migrations run up and down on both databases, and the schema matches the models."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import inspect

from shopchat.db import create_engine
from shopchat.migrations.runner import downgrade, upgrade
from shopchat.models import Base
from shopchat.settings import Settings
from tests.conftest import create_postgres_database, drop_postgres_database, make_settings


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def fresh_settings(request: pytest.FixtureRequest, tmp_path: Path):  # type: ignore[no-untyped-def]
    if request.param == "sqlite":
        yield make_settings(tmp_path)
        return
    url = create_postgres_database()
    yield make_settings(tmp_path, url)
    drop_postgres_database(url)


async def _tables(settings: Settings) -> set[str]:
    engine = create_engine(settings)
    try:
        async with engine.connect() as connection:
            return set(await connection.run_sync(lambda c: inspect(c).get_table_names()))
    finally:
        await engine.dispose()


async def _schema_drift(settings: Settings) -> list[object]:
    engine = create_engine(settings)
    try:
        async with engine.connect() as connection:
            return await connection.run_sync(
                lambda c: compare_metadata(MigrationContext.configure(c), Base.metadata)
            )
    finally:
        await engine.dispose()


def test_upgrade_downgrade_upgrade(fresh_settings: Settings) -> None:
    asyncio.run(upgrade(fresh_settings))
    tables = asyncio.run(_tables(fresh_settings))
    assert set(Base.metadata.tables) <= tables
    asyncio.run(downgrade(fresh_settings, "base"))
    assert asyncio.run(_tables(fresh_settings)) <= {"alembic_version"}
    asyncio.run(upgrade(fresh_settings))
    assert set(Base.metadata.tables) <= asyncio.run(_tables(fresh_settings))


def test_migrated_schema_matches_the_models(fresh_settings: Settings) -> None:
    asyncio.run(upgrade(fresh_settings))
    drift = [d for d in asyncio.run(_schema_drift(fresh_settings)) if not _is_full_text_search(d)]
    assert drift == []


def _is_full_text_search(difference: object) -> bool:
    """The FTS objects are made by raw SQL in the migration; the models don't declare them."""
    return "knowledge_fts" in str(difference) or "ix_knowledge_fulltext" in str(difference)
