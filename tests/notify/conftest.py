from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.notify.receivers import HttpReceiver, SmtpServer


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


from tests.console.conftest import console_server, console_settings, world  # noqa: E402, F401
