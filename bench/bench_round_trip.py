"""Server CPU per chat round trip, in process: no HTTP, no WebSocket, no other process.

A round trip is what the server does for one customer message while the built-in
assistant has the conversation: the message stored, the answer computed and stored,
the frames published (to an in-memory bus). The figure to watch is CPU milliseconds
per round trip; the machine's other load moves wall time more than CPU time.

    .venv/bin/python bench/bench_round_trip.py 300
    .venv/bin/python bench/bench_round_trip.py 300 --profile
    .venv/bin/python bench/bench_round_trip.py 300 --statements

Run by hand; never part of the test suite.
"""

from __future__ import annotations

import argparse
import asyncio
import cProfile
import pstats
import tempfile
import time
import uuid
from typing import Any

from sqlalchemy import event

from shopchat.app import default_responder
from shopchat.assistant.responder import ResponderDeps
from shopchat.bus import MemoryBus
from shopchat.commerce.registry import StoreRegistry
from shopchat.conversation.frames import SendMessage
from shopchat.conversation.service import Chat
from shopchat.conversation.tokens import SessionClaims
from shopchat.db import Database
from shopchat.kit.ratelimit import create_rate_limiter
from shopchat.knowledge.service import add_entry
from shopchat.migrations.runner import upgrade
from shopchat.settings import Settings, load_settings
from shopchat.site.service import create_site

KNOWLEDGE = (
    ("How long does shipping take?", "Delivery takes 2 to 4 days in Germany."),
    ("Which payment methods do you accept?", "Cards and PayPal."),
)
QUESTIONS = tuple(title for title, _ in KNOWLEDGE)
WARM_UP = 30  # round trips before measuring: warm caches and a history of 20+ messages


async def open_chat(settings: Settings, db: Database) -> tuple[Chat, SessionClaims]:
    """A site with two FAQ entries and one guest conversation on it."""
    chat = Chat(db=db, bus=MemoryBus(), responder=default_responder(_deps(settings, db)))
    async with db.transaction() as session:
        site, _ = await create_site(
            session,
            encryption_key=settings.encryption_key_bytes,
            name="Bench shop",
            origins=["https://shop.example"],
        )
        for title, body in KNOWLEDGE:
            await add_entry(session, site_id=site.id, title=title, body=body)
        opened = await chat.open_conversation(
            session, site=site, identity=None, session_id=uuid.uuid4(), language=None, page=None
        )
    claims = SessionClaims(
        site_id=site.id,
        conversation_id=opened.conversation.id,
        contact_id=opened.contact.id,
        session_id=uuid.uuid4(),
        verified=False,
    )
    return chat, claims


def _deps(settings: Settings, db: Database) -> ResponderDeps:
    return ResponderDeps(settings, db, create_rate_limiter(None), StoreRegistry(settings))


async def round_trips(chat: Chat, claims: SessionClaims, count: int, *, first: int) -> None:
    """Send ``count`` questions one after another, each answered before the next."""
    for i in range(first, first + count):
        message = SendMessage(client_id=f"c{i}", text=QUESTIONS[i % len(QUESTIONS)])
        await chat.post_customer_message(claims, message)
        await asyncio.gather(*chat._reply_tasks)


def count_statements(db: Database) -> list[str]:
    """Every SQL statement the engine runs from now on, as executed."""
    seen: list[str] = []

    @event.listens_for(db.engine.sync_engine, "before_cursor_execute")
    def _record(_conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        seen.append(statement)

    return seen


async def run(args: argparse.Namespace) -> None:
    settings = load_settings(
        data_dir=tempfile.mkdtemp(prefix="shopchat-bench-"),
        database_url=args.database_url,
        env="test",
    )
    await upgrade(settings)
    db = Database(settings)
    try:
        chat, claims = await open_chat(settings, db)
        await round_trips(chat, claims, WARM_UP, first=0)
        statements = count_statements(db) if args.statements else None
        profile = cProfile.Profile() if args.profile else None
        cpu, wall = time.process_time(), time.perf_counter()
        if profile:
            profile.enable()
        await round_trips(chat, claims, args.count, first=WARM_UP)
        if profile:
            profile.disable()
        cpu, wall = time.process_time() - cpu, time.perf_counter() - wall
    finally:
        await db.dispose()
    per = 1000 / args.count
    print(f"{args.count} round trips: {cpu * per:.2f} ms CPU each, {wall * per:.2f} ms wall")
    if statements is not None:
        print(f"{len(statements) / args.count:.1f} SQL statements per round trip; the last one's:")
        for statement in statements[-round(len(statements) / args.count) :]:
            print("  " + " ".join(statement.split())[:160])
    if profile:
        stats = pstats.Stats(profile)
        stats.sort_stats("tottime").print_stats(args.top)
        stats.sort_stats("cumtime").print_stats("shopchat", args.top)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("count", nargs="?", type=int, default=300, help="round trips to time")
    parser.add_argument("--profile", action="store_true", help="print cProfile's top functions")
    parser.add_argument("--top", type=int, default=30, help="functions to print with --profile")
    parser.add_argument("--statements", action="store_true", help="count and list SQL statements")
    parser.add_argument(
        "--database-url", default="", help="a PostgreSQL URL (default: SQLite in a temp dir)"
    )
    asyncio.run(run(parser.parse_args()))


if __name__ == "__main__":
    main()
