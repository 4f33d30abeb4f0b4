from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from shopchat.migrations.runner import upgrade
from shopchat.settings import Settings
from tests.conftest import make_settings
from tests.console.helpers import run_async
from tests.notify.receivers import HttpReceiver, SmtpServer

CONSOLE_URL = "http://console.test"


@pytest.fixture
def console_settings(tmp_path: Path) -> Settings:
    """The console's settings, allowing the loopback receivers of these tests (and a site's
    own SMTP host) as an operator of a self-hosted install may."""
    settings = make_settings(
        tmp_path,
        public_url=CONSOLE_URL,
        outbound_allowed_hosts="127.0.0.1",
        tenant_smtp_allowed=True,
    )
    run_async(upgrade(settings))
    return settings


@pytest.fixture
def strict_settings(console_settings: Settings) -> Settings:
    """The same database and keys with the default rules: public https only, no site SMTP."""
    return make_settings(console_settings.data_dir, public_url=CONSOLE_URL)


@pytest.fixture
def receiver() -> Iterator[HttpReceiver]:
    running = HttpReceiver().start()
    yield running
    running.stop()


@pytest.fixture
def smtp() -> Iterator[SmtpServer]:
    running = SmtpServer().start()
    yield running
    running.stop()


from tests.console.conftest import console_server, world  # noqa: E402, F401
