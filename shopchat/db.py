"""The database engine and sessions, for SQLite (embedded) and PostgreSQL (scale-out)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from sqlalchemy import event, make_url
from sqlalchemy.ext.asyncio import (
    AsyncEngine,
    AsyncSession,
    async_sessionmaker,
    create_async_engine,
)

from shopchat.settings import Settings
from shopchat.sqlite_inline import inline_connector


def create_engine(settings: Settings, **options: Any) -> AsyncEngine:
    """An engine for the configured database; SQLite gets WAL and write-ahead locking."""
    if settings.is_sqlite:
        # One connection: SQLite has one writer at a time anyway, and queueing on the
        # pool (an asyncio wait) is far cheaper than SQLite's sleeping busy handler.
        options.setdefault("pool_size", 1)
        options.setdefault("max_overflow", 0)
        engine = create_async_engine(
            settings.async_database_url,
            async_creator=inline_connector(_sqlite_path(settings.async_database_url)),
            **options,
        )
        _tune_sqlite(engine)
        return engine
    options.setdefault("pool_size", 20)
    options.setdefault("max_overflow", 20)
    options.setdefault("pool_pre_ping", True)
    return create_async_engine(settings.async_database_url, **options)


def _sqlite_path(url: str) -> str:
    database = make_url(url).database
    return database if database else ":memory:"


def _tune_sqlite(engine: AsyncEngine) -> None:
    # Every transaction takes the write lock up front (BEGIN IMMEDIATE): a deferred
    # transaction that upgrades to a write fails at once with SQLITE_BUSY when another
    # writer holds the lock, whereas an immediate one waits for busy_timeout.
    @event.listens_for(engine.sync_engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        for pragma in (
            "journal_mode=WAL",
            "synchronous=NORMAL",
            "foreign_keys=ON",
            "busy_timeout=30000",
        ):
            cursor.execute(f"PRAGMA {pragma}")
        cursor.close()

    @event.listens_for(engine.sync_engine, "begin")
    def _on_begin(connection: Any) -> None:
        connection.exec_driver_sql("BEGIN IMMEDIATE")


class Database:
    """An engine and its session factory; one per process, built in the app's lifespan."""

    def __init__(self, settings: Settings, **engine_options: Any) -> None:
        self.engine = create_engine(settings, **engine_options)
        self.sessions = async_sessionmaker(self.engine, expire_on_commit=False)

    @asynccontextmanager
    async def transaction(self) -> AsyncIterator[AsyncSession]:
        """One unit of work, committed when the block ends without error."""
        async with self.sessions() as session, session.begin():
            yield session

    async def ping(self) -> None:
        async with self.engine.connect() as connection:
            await connection.exec_driver_sql("SELECT 1")

    async def dispose(self) -> None:
        await self.engine.dispose()
