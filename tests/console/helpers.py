"""A console client for tests (httpx with cookies, CSRF read from the pages) and a world of
two accounts, seeded through the real services."""

from __future__ import annotations

import asyncio
import json
import re
import uuid
from concurrent.futures import ThreadPoolExecutor
from contextlib import ExitStack
from dataclasses import dataclass, field
from typing import Any

import httpx
from websockets.sync.client import ClientConnection

from shopchat.agent.service import hash_password
from shopchat.assistant.responder import Reply, StreamSink, Turn
from shopchat.db import Database
from shopchat.models import Account
from shopchat.models.tables import Agent
from shopchat.settings import Settings
from shopchat.site.service import SiteCredentials, create_site
from tests.support.chat import ws_connect
from tests.support.sites import ORIGIN

PASSWORD = "correct-horse-battery"
_CSRF_INPUT = re.compile(r'name="csrf_token" value="([^"]+)"')
_CSRF_BODY = re.compile(r'data-csrf="([^"]+)"')


class ScriptedResponder:
    """The assistant seam with a fixed script: "human" in a message asks for a person;
    a leading "[xx]" sets the conversation's language."""

    def __init__(self, _db: object = None) -> None:
        pass

    async def respond(self, turn: Turn, *, stream: StreamSink) -> Reply | None:
        # "[de] …" says the customer writes German, as the real engine would detect.
        language = turn.text[1:3] if turn.text[:1] == "[" and turn.text[3:4] == "]" else None
        if "human" in turn.text.lower():
            return Reply(text="Let me get a colleague for you.", handoff=True, language=language)
        return Reply(text="I am the assistant.", language=language)


@dataclass
class Tenant:
    credentials: SiteCredentials
    agents: dict[str, uuid.UUID] = field(default_factory=dict)

    @property
    def site_id(self) -> str:
        return self.credentials.site_id

    def email(self, role: str) -> str:
        return f"{role}@{self.credentials.site_key.lower()[-8:]}.example"


@dataclass
class World:
    a: Tenant
    b: Tenant


ROLES_A = ("owner", "supervisor", "agent", "agent2", "trainee")


def run_async(coroutine: Any) -> Any:
    """``asyncio.run`` on a fresh thread: safe even where this thread's loop is taken (by
    Playwright's sync API, for one)."""
    with ThreadPoolExecutor(1) as pool:
        return pool.submit(asyncio.run, coroutine).result()


def seed_world(settings: Settings, *, site_settings: dict[str, Any] | None = None) -> World:
    return run_async(_seed(settings, site_settings or {}))  # type: ignore[no-any-return]


async def _seed(settings: Settings, site_settings: dict[str, Any]) -> World:
    db = Database(settings)
    try:
        async with db.transaction() as session:
            tenants = []
            for name, roles in (("Shop A", ROLES_A), ("Shop B", ("owner",))):
                account = Account(name=name)
                session.add(account)
                await session.flush()
                _, credentials = await create_site(
                    session,
                    encryption_key=settings.encryption_key_bytes,
                    name=name,
                    origins=[ORIGIN],
                    account=account,
                    settings=site_settings,
                )
                tenant = Tenant(credentials)
                for role in roles:
                    agent = Agent(
                        account_id=account.id,
                        email=tenant.email(role),
                        name=f"{role.title()} of {name}",
                        role=role.rstrip("2"),
                        password_hash=hash_password(PASSWORD),
                        availability="online",
                    )
                    session.add(agent)
                    await session.flush()
                    tenant.agents[role] = agent.id
                tenants.append(tenant)
        return World(*tenants)
    finally:
        await db.dispose()


def run_db(settings: Settings, work: Any) -> Any:
    async def run() -> Any:
        db = Database(settings)
        try:
            async with db.transaction() as session:
                return await work(session)
        finally:
            await db.dispose()

    return run_async(run())


class ConsoleClient:
    """An agent's browser, minus the browser: cookies, CSRF tokens, form posts."""

    def __init__(self, base_url: str) -> None:
        self.http = httpx.Client(base_url=base_url, follow_redirects=False, timeout=15)
        self.csrf = ""

    def login(
        self, email: str, password: str = PASSWORD, code: str | None = None
    ) -> httpx.Response:
        page = self.http.get("/console/login")
        token = _CSRF_INPUT.search(page.text)
        assert token, page.text
        form = {"csrf_token": token.group(1), "email": email, "password": password}
        if code is not None:
            form["code"] = code
        response = self.http.post("/console/login", data=form)
        if response.status_code == 303:
            self.refresh_csrf()
        return response

    def refresh_csrf(self) -> None:
        page = self.http.get("/console")
        assert page.status_code == 200, page.text
        self.csrf = _CSRF_BODY.search(page.text).group(1)  # type: ignore[union-attr]

    def get(self, path: str, **kwargs: Any) -> httpx.Response:
        return self.http.get(path, **kwargs)

    def post(
        self,
        path: str,
        data: dict[str, str] | None = None,
        *,
        csrf: bool = True,
        fetch: bool = True,
    ) -> httpx.Response:
        form = dict(data or {})
        if csrf:
            form["csrf_token"] = self.csrf
        headers = {"x-requested-with": "fetch"} if fetch else {}
        return self.http.post(path, data=form, headers=headers)

    def close(self) -> None:
        self.http.close()


def console_socket(stack: ExitStack, base: str, client: ConsoleClient) -> ClientConnection:
    """The agent's console socket, opened with the client's session cookie, past its hello."""
    cookie = f"sc_console={client.http.cookies['sc_console']}"
    url = base.replace("http", "ws") + "/console/ws"
    ws = stack.enter_context(ws_connect(url, additional_headers={"Cookie": cookie}))
    assert json.loads(ws.recv(timeout=5))["type"] == "hello"
    return ws


def until(ws: ClientConnection, wanted: dict[str, Any], timeout: float = 10) -> dict[str, Any]:
    """The next console event with the wanted fields, skipping the others."""
    while True:
        event = json.loads(ws.recv(timeout=timeout))
        if all(event.get(k) == v for k, v in wanted.items()):
            return event
