"""The ``shopchat`` command line."""

from __future__ import annotations

import argparse
import asyncio
import dataclasses
import json
import os
import sys
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from shopchat.settings import Settings, SettingsError, load_settings

if TYPE_CHECKING:
    from shopchat.demo.seed import DemoSite


def main(argv: Sequence[str] | None = None) -> int:
    parser = _parser()
    args = parser.parse_args(argv)
    if not hasattr(args, "run"):
        parser.print_help()
        return 2
    try:
        settings = load_settings()
    except SettingsError as exc:
        print(f"shopchat: {exc}", file=sys.stderr)
        return 2
    try:
        return int(args.run(settings, args) or 0)
    except CommandError as exc:
        print(f"shopchat: {exc}", file=sys.stderr)
        return 2


_STDIN = "-"


class CommandError(Exception):
    """A command failed for a reason the user can fix; printed without a traceback."""


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="shopchat", description=__doc__)
    commands = parser.add_subparsers(title="commands")

    serve = commands.add_parser("serve", help="run the chat server")
    serve.add_argument("--host", default="127.0.0.1")
    serve.add_argument("--port", type=int, default=8000)
    serve.add_argument("--demo", action="store_true", help="seed and serve a demo shop")
    serve.add_argument(
        "--workers",
        type=int,
        default=1,
        help="server processes sharing the port (needs PostgreSQL and Redis past 1)",
    )
    serve.set_defaults(run=_serve)

    migrate = commands.add_parser("migrate", help="bring the database schema up to date")
    migrate.add_argument("--revision", default="head")
    migrate.set_defaults(run=_migrate)

    site = commands.add_parser("site", help="manage sites").add_subparsers(title="site commands")
    create = site.add_parser("create", help="create a site and print its keys")
    create.add_argument("--name", required=True)
    create.add_argument("--origin", action="append", required=True, help="repeatable")
    create.add_argument("--enforce-identity", action="store_true")
    create.add_argument("--json", action="store_true")
    create.set_defaults(run=_site_create)

    connect = site.add_parser("connect-store", help="connect a site to its WooCommerce store")
    connect.add_argument("--site-key", required=True)
    connect.add_argument("--url", required=True, help="the shop's home URL")
    connect.add_argument("--consumer-key", required=True)
    connect.add_argument(
        "--consumer-secret", required=True, help="'-' reads it from stdin (not in shell history)"
    )
    connect.add_argument("--check", action="store_true", help="read the store with the keys first")
    connect.set_defaults(run=_site_connect_store)

    keys = commands.add_parser("keys", help="encryption keys").add_subparsers(title="key commands")
    rotate = keys.add_parser("rotate", help="re-encrypt every secret at rest with a new key")
    rotate.add_argument("--new-key-file", required=True, help="file holding the new key")
    rotate.add_argument(
        "--generate", action="store_true", help="write a new random key to --new-key-file first"
    )
    rotate.set_defaults(run=_keys_rotate)
    reencrypt = keys.add_parser(
        "reencrypt",
        help="re-encrypt with the current key every secret that only a previous key opens",
    )
    reencrypt.set_defaults(run=_keys_reencrypt)

    plugin = commands.add_parser("plugin", help="the WordPress plugin").add_subparsers(
        title="plugin commands"
    )
    build = plugin.add_parser("build", help="build the installable plugin zip")
    build.add_argument("--output", default=".", help="a folder, or a path ending in .zip")
    build.set_defaults(run=_plugin_build)

    agent = commands.add_parser("agent", help="manage agents").add_subparsers(
        title="agent commands"
    )
    agent_create = agent.add_parser("create", help="create an agent of a site's account")
    agent_create.add_argument("--site-key", required=True)
    agent_create.add_argument("--email", required=True)
    agent_create.add_argument("--name", required=True)
    agent_create.add_argument(
        "--role", default="agent", choices=["owner", "admin", "supervisor", "agent", "trainee"]
    )
    agent_create.add_argument(
        "--password-stdin",
        action="store_true",
        help="read the password from stdin (else: asked on a terminal, or generated and printed)",
    )
    agent_create.add_argument("--json", action="store_true")
    agent_create.set_defaults(run=_agent_create)
    for name, verb in (
        ("deactivate", "end the agent's sessions and sign-ins, queue their conversations"),
        ("reactivate", "let a deactivated agent sign in again"),
    ):
        switch = agent.add_parser(name, help=verb)
        switch.add_argument("--site-key", required=True)
        switch.add_argument("--email", required=True)
        switch.set_defaults(run=_agent_switch, action=name)

    assistant = commands.add_parser("assistant", help="the built-in assistant").add_subparsers(
        title="assistant commands"
    )
    classify = assistant.add_parser("classify", help="stdin utterances → intent<TAB>confidence")
    classify.set_defaults(run=_assistant_classify)
    evaluate = assistant.add_parser("eval", help="accuracy on a labelled TSV file")
    evaluate.add_argument("file")
    evaluate.set_defaults(run=_assistant_eval)

    knowledge = commands.add_parser("knowledge", help="a site's FAQ and policies").add_subparsers(
        title="knowledge commands"
    )
    suggest = knowledge.add_parser("suggest", help="suggest FAQ entries from resolved chats")
    suggest.add_argument("--site-key", required=True)
    suggest.add_argument("--min-conversations", type=int, default=2)
    suggest.add_argument("--json", action="store_true")
    suggest.set_defaults(run=_knowledge_suggest)
    for name, verb in (("approve", "approve a suggestion"), ("reject", "reject a suggestion")):
        review = knowledge.add_parser(name, help=verb)
        review.add_argument("entry_id")
        review.add_argument("--site-key", required=True)
        review.set_defaults(run=_knowledge_review, approve=name == "approve")
    return parser


def _serve(settings: Settings, args: argparse.Namespace) -> int:
    import uvicorn

    from shopchat.app import DEMO_SITE_ENV, create_app
    from shopchat.observability.logs import log_config

    _check_workers(settings, args.workers)
    demo = asyncio.run(_prepare(settings, demo=args.demo, port=args.port))  # once, before forking
    if demo is not None:
        base = f"http://localhost:{args.port}"
        print(f"demo shop:     {base}/demo", flush=True)
        print(f"agent console: {base}/console  ({demo.agent_email} / {demo.agent_password})")
    options: dict[str, Any] = {
        "host": args.host,
        "port": args.port,
        "log_level": settings.log_level,
        "log_config": log_config(settings.log_level),
        "ws_max_size": 1024 * 1024,
        "ws_ping_interval": settings.ws_heartbeat_seconds,
        "ws_ping_timeout": 20,
        "proxy_headers": True,
        # After the app ended its long-polls and sockets (shopchat.kit.shutdown), a request
        # still running this long is cut, so a rolling restart cannot hang on one.
        "timeout_graceful_shutdown": 15,
    }
    if args.workers == 1:
        uvicorn.run(create_app(settings, demo=demo), **options)
        return 0
    # Each worker builds its own app (database pool, bus connection) from the environment.
    if demo is not None:
        os.environ[DEMO_SITE_ENV] = json.dumps(dataclasses.asdict(demo))
    uvicorn.run("shopchat.app:factory", factory=True, workers=args.workers, **options)
    return 0


def _check_workers(settings: Settings, workers: int) -> None:
    if workers < 1:
        raise CommandError("--workers must be 1 or more")
    if workers > 1 and (settings.is_sqlite or not settings.redis_url):
        raise CommandError(
            f"--workers {workers} needs PostgreSQL (SHOPCHAT_DATABASE_URL=postgresql://…) and "
            "Redis (SHOPCHAT_REDIS_URL=redis://…): with the embedded default (SQLite, "
            "in-process bus) a message written by one worker never reaches a socket held by "
            "another. Set both, or run one worker."
        )


async def _prepare(settings: Settings, *, demo: bool, port: int) -> DemoSite | None:
    from shopchat.demo.seed import seed_demo
    from shopchat.migrations.runner import upgrade

    await upgrade(settings)
    return await seed_demo(settings, port=port) if demo else None


def _migrate(settings: Settings, args: argparse.Namespace) -> int:
    from shopchat.migrations.runner import upgrade

    asyncio.run(upgrade(settings, args.revision))
    print(f"database at {args.revision}")
    return 0


def _site_create(settings: Settings, args: argparse.Namespace) -> int:
    from dataclasses import asdict

    from shopchat.kit.errors import BadInput
    from shopchat.site.service import create_site

    async def run() -> dict[str, object]:
        from shopchat.migrations.runner import migrated_transaction

        async with migrated_transaction(settings) as session:
            _, credentials = await create_site(
                session,
                encryption_key=settings.encryption_key_bytes,
                name=args.name,
                origins=args.origin,
                enforce_identity=args.enforce_identity,
            )
        return asdict(credentials)

    try:
        created = asyncio.run(run())
    except BadInput as exc:
        raise CommandError(exc.message) from None
    if args.json:
        print(json.dumps(created))
    else:
        for key, value in created.items():
            print(f"{key}: {', '.join(value) if isinstance(value, list) else value}")
        print("Keep the identity and webhook secrets private: they are shown only now.")
    return 0


def _agent_create(settings: Settings, args: argparse.Namespace) -> int:
    from shopchat.agent.service import create_agent_for_site
    from shopchat.kit.errors import ShopchatError

    password, generated = _agent_password(args.password_stdin)

    async def run() -> dict[str, str]:
        from shopchat.migrations.runner import migrated_transaction

        async with migrated_transaction(settings) as session:
            agent = await create_agent_for_site(
                session,
                site_key=args.site_key,
                email=args.email,
                name=args.name,
                role=args.role,
                password=password,
            )
            return {"agent_id": str(agent.id), "email": agent.email, "role": agent.role}

    try:
        created = asyncio.run(run())
    except ShopchatError as exc:
        raise CommandError(exc.message) from None
    if generated:
        created["password"] = password
    print(json.dumps(created) if args.json else f"created {created['role']} {created['email']}")
    if generated and not args.json:
        print(f"password: {password}")
        print("Keep the password private: it is shown only now.")
    return 0


def _agent_password(from_stdin: bool) -> tuple[str, bool]:
    """The password given on stdin or a terminal; with neither, a generated one (True)."""
    import getpass
    import secrets

    if from_stdin:
        password = sys.stdin.readline().rstrip("\n")
        if not password:
            raise CommandError("--password-stdin: no password on stdin")
        return password, False
    if not sys.stdin.isatty():
        return secrets.token_urlsafe(18), True
    try:
        return getpass.getpass("password: "), False
    except (EOFError, KeyboardInterrupt):
        raise CommandError("no password given") from None


def _agent_switch(settings: Settings, args: argparse.Namespace) -> int:
    """``agent deactivate`` and ``agent reactivate``: the console's own service functions."""
    from shopchat.agent import service as agents
    from shopchat.console.live import Outcome, publish
    from shopchat.kit.errors import ShopchatError

    async def run() -> str:
        from shopchat.migrations.runner import migrated_transaction

        outcomes: list[Outcome] = []
        async with migrated_transaction(settings) as session:
            target = await agents.agent_of_site(session, site_key=args.site_key, email=args.email)
            if args.action == "deactivate":
                outcomes = await agents.deactivate_agent(session, actor=None, target=target)
            else:
                await agents.reactivate_agent(session, actor=None, target=target)
            email = target.email
        if settings.redis_url:  # consoles of the servers close now, not at their next check
            from shopchat.bus import create_bus

            bus = create_bus(settings.redis_url)
            await bus.start()
            try:
                for outcome in outcomes:
                    await publish(bus, outcome)
            finally:
                await bus.stop()
        return email

    try:
        email = asyncio.run(run())
    except ShopchatError as exc:
        raise CommandError(exc.message) from None
    print(f"{args.action}d {email}")
    return 0


def _knowledge_suggest(settings: Settings, args: argparse.Namespace) -> int:
    from shopchat.knowledge import suggestions

    async def run(session: Any, site_id: Any) -> list[dict[str, str]]:
        entries = await suggestions.suggest(
            session, site_id=site_id, min_conversations=args.min_conversations
        )
        return [{"id": str(e.id), "title": e.title, "body": e.body} for e in entries]

    added = _on_site(settings, args.site_key, run)
    if args.json:
        print(json.dumps(added))
    for entry in [] if args.json else added:
        print(f"{entry['id']}  {entry['title']}\n    → {entry['body']}")
    if not args.json:
        print(f"{len(added)} suggestion(s); approve with: shopchat knowledge approve ID --site-key")
    return 0


def _knowledge_review(settings: Settings, args: argparse.Namespace) -> int:
    import uuid

    from shopchat.knowledge import suggestions

    try:
        entry_id = uuid.UUID(args.entry_id)
    except ValueError:
        raise CommandError("entry id must be a UUID") from None

    async def run(session: Any, site_id: Any) -> str:
        entry = await suggestions.review(
            session, site_id=site_id, entry_id=entry_id, approve=args.approve
        )
        return entry.status

    print(f"{args.entry_id} {_on_site(settings, args.site_key, run)}")
    return 0


def _on_site(settings: Settings, site_key: str, work: Any) -> Any:
    """Run ``work(session, site_id)`` in one transaction on the site with this key."""
    from shopchat.kit.errors import ShopchatError

    async def run() -> Any:
        from shopchat.migrations.runner import migrated_transaction
        from shopchat.site.repository import get_site_by_key

        async with migrated_transaction(settings) as session:
            site = await get_site_by_key(session, site_key)
            if site is None:
                raise CommandError("no site with that key")
            return await work(session, site.id)

    try:
        return asyncio.run(run())
    except ShopchatError as exc:
        raise CommandError(exc.message) from None


def _assistant_classify(_settings: Settings, _args: argparse.Namespace) -> int:
    from shopchat.assistant.nlu.commands import run_classify

    return run_classify(sys.stdin, sys.stdout)


def _assistant_eval(_settings: Settings, args: argparse.Namespace) -> int:
    from pathlib import Path

    from shopchat.assistant.nlu.commands import run_eval

    return run_eval(Path(args.file), sys.stdout)


def _site_connect_store(settings: Settings, args: argparse.Namespace) -> int:
    from_stdin = args.consumer_secret == _STDIN
    secret = sys.stdin.readline().strip() if from_stdin else args.consumer_secret
    url = _store_url(args.url)
    asyncio.run(_connect_store(settings, args, url, args.consumer_key.strip(), secret))
    checked = " (checked: the store answered with these keys)" if args.check else ""
    print(f"connected {args.site_key} to {url}{checked}")
    return 0


def _store_url(raw: str) -> str:
    from urllib.parse import urlsplit

    parts = urlsplit(raw.strip())
    if parts.scheme not in {"http", "https"} or not parts.hostname or parts.query:
        raise CommandError(f"--url must look like https://shop.example, got {raw!r}")
    return raw.strip().rstrip("/")


async def _connect_store(
    settings: Settings, args: argparse.Namespace, url: str, key: str, secret: str
) -> None:
    from shopchat.commerce.registry import encrypt_store_credentials
    from shopchat.commerce.woocommerce import WooCommerceCredentials
    from shopchat.migrations.runner import migrated_transaction
    from shopchat.site.repository import get_site_by_key
    from shopchat.site.store_check import StoreCheckFailed, StoreConnection, check_store

    if not key.startswith("ck_") or not secret.startswith("cs_"):
        raise CommandError("WooCommerce keys start with ck_ (key) and cs_ (secret)")
    if args.check:
        try:
            await check_store(StoreConnection(url, WooCommerceCredentials(key, secret)))
        except StoreCheckFailed as exc:
            raise CommandError(str(exc)) from None

    async with migrated_transaction(settings) as session:
        site = await get_site_by_key(session, args.site_key)
        if site is None:
            raise CommandError(f"no site with key {args.site_key!r}")
        site.store_url = url
        site.store_credentials_enc = encrypt_store_credentials(
            consumer_key=key, consumer_secret=secret, key=settings.encryption_key_bytes
        )


def _keys_rotate(settings: Settings, args: argparse.Namespace) -> int:
    from pathlib import Path

    from shopchat.site.keys import RotationError, rotate_keys

    try:
        message = asyncio.run(rotate_keys(settings, Path(args.new_key_file), args.generate))
    except RotationError as exc:
        raise CommandError(str(exc)) from None
    print(message)
    return 0


def _keys_reencrypt(settings: Settings, _args: argparse.Namespace) -> int:
    from shopchat.site.keys import RotationError, reencrypt_keys

    try:
        message = asyncio.run(reencrypt_keys(settings))
    except RotationError as exc:
        raise CommandError(f"{exc}; nothing was changed") from None
    print(message)
    return 0


def _plugin_build(_settings: Settings, args: argparse.Namespace) -> int:
    from pathlib import Path

    from shopchat.wordpress.build import PluginSourceNotFound, build_plugin_zip

    try:
        target = build_plugin_zip(Path(args.output))
    except PluginSourceNotFound as exc:
        raise CommandError(str(exc)) from None
    print(target)
    return 0
