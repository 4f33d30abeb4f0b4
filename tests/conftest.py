"""Fixtures shared by the suite: real databases (SQLite and PostgreSQL), Redis, servers."""

from __future__ import annotations

import asyncio
import os
import uuid
from collections.abc import Iterator
from pathlib import Path

import asyncpg
import pytest

from shopchat.app import create_app
from shopchat.migrations.runner import upgrade
from shopchat.settings import Settings, load_settings
from tests.support.server import ServerThread
from tests.support.sites import SiteFactory

POSTGRES_ADMIN_URL = os.environ.get(
    "SHOPCHAT_TEST_POSTGRES", "postgresql://postgres@127.0.0.1:5432"
)
REDIS_URL = os.environ.get("SHOPCHAT_TEST_REDIS", "redis://127.0.0.1:6379/0")


def create_postgres_database() -> str:
    """A fresh, empty database on the local server; returns its URL."""
    name = f"shopchat_test_{uuid.uuid4().hex[:12]}"

    async def run() -> None:
        connection = await asyncpg.connect(f"{POSTGRES_ADMIN_URL}/postgres")
        try:
            await connection.execute(f'CREATE DATABASE "{name}"')
        finally:
            await connection.close()

    asyncio.run(run())
    return f"{POSTGRES_ADMIN_URL}/{name}"


def drop_postgres_database(url: str) -> None:
    name = url.rsplit("/", 1)[1]

    async def run() -> None:
        connection = await asyncpg.connect(f"{POSTGRES_ADMIN_URL}/postgres")
        try:
            await connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        finally:
            await connection.close()

    asyncio.run(run())


@pytest.fixture(scope="session")
def postgres_url() -> Iterator[str]:
    url = create_postgres_database()
    yield url
    drop_postgres_database(url)


def make_settings(data_dir: object, database_url: str = "", **overrides: object) -> Settings:
    # Every test opens sessions from 127.0.0.1; tests/conversation/test_widget_limits.py
    # proves the limit per address with a low one.
    overrides.setdefault("sessions_per_ip_per_minute", 1_000_000)
    return load_settings(data_dir=data_dir, database_url=database_url, env="test", **overrides)


@pytest.fixture(
    scope="session", params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)]
)
def backend_settings(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Settings:
    """Migrated settings for each store of record: the suite runs on both."""
    data_dir = tmp_path_factory.mktemp(f"data-{request.param}")
    url = request.getfixturevalue("postgres_url") if request.param == "postgres" else ""
    settings = make_settings(data_dir, url)
    asyncio.run(upgrade(settings))
    return settings


@pytest.fixture(scope="session")
def server(backend_settings: Settings) -> Iterator[ServerThread]:
    """The app on a real port, over the backend of the current parameter."""
    running = ServerThread(create_app(backend_settings)).start()
    yield running
    running.stop()


@pytest.fixture
def sites(backend_settings: Settings) -> SiteFactory:
    return SiteFactory(backend_settings)


@pytest.fixture
def fresh_settings(backend_settings: Settings, tmp_path: Path) -> Iterator[Settings]:
    """A fresh, migrated database of the current backend's kind, for a test that must not
    share its rows with the session's server (or whose server must not see others')."""
    url = "" if backend_settings.is_sqlite else create_postgres_database()
    settings = make_settings(tmp_path, url)
    asyncio.run(upgrade(settings))
    yield settings
    if url:
        drop_postgres_database(url)
