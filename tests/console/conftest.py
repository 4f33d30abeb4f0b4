"""Fixtures of the console tests: a server with a scripted assistant, two tenants, clients."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from shopchat.app import create_app
from shopchat.migrations.runner import upgrade
from shopchat.settings import Settings
from tests.conftest import make_settings
from tests.console.helpers import ConsoleClient, ScriptedResponder, World, run_async, seed_world
from tests.support.server import ServerThread


@pytest.fixture
def console_settings(tmp_path: Path) -> Settings:
    settings = make_settings(tmp_path, public_url="http://console.test")
    run_async(upgrade(settings))
    return settings


@pytest.fixture
def world(console_settings: Settings) -> World:
    return seed_world(console_settings)


@pytest.fixture
def console_server(console_settings: Settings, world: World) -> Iterator[ServerThread]:
    running = ServerThread(
        create_app(console_settings, responder_factory=ScriptedResponder)
    ).start()
    yield running
    running.stop()


@pytest.fixture
def client(console_server: ServerThread) -> Iterator[Callable[..., ConsoleClient]]:
    made: list[ConsoleClient] = []

    def make(email: str | None = None) -> ConsoleClient:
        c = ConsoleClient(console_server.url)
        made.append(c)
        if email:
            response = c.login(email)
            assert response.status_code == 303, response.text
        return c

    yield make
    for c in made:
        c.close()
