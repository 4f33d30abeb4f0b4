"""The stop of a process with long-lived connections: they end first, then uvicorn's handler."""

from __future__ import annotations

import asyncio
import signal
from types import FrameType
from typing import Any

from shopchat.kit.shutdown import Shutdown


async def test_the_first_signal_ends_held_connections_before_the_previous_handler() -> None:
    seen: list[Any] = []
    handed_on = asyncio.Event()

    def uvicorn_handler(sig: int, _frame: FrameType | None) -> None:
        seen.append(sig)
        handed_on.set()

    original = signal.signal(signal.SIGTERM, uvicorn_handler)
    try:
        shutdown = Shutdown()
        restore = shutdown.install_signal_handlers()
        closing, told = asyncio.Event(), asyncio.Event()

        async def connection() -> None:
            with shutdown.hold():
                await shutdown.stopping.wait()
                seen.append("told to stop")
                told.set()
                await closing.wait()  # still sending its close frame

        held = asyncio.create_task(connection())
        await asyncio.sleep(0)
        signal.raise_signal(signal.SIGTERM)
        await asyncio.wait_for(told.wait(), 5)
        await asyncio.sleep(0.1)  # time for a wrong early hand-on to show
        assert seen == ["told to stop"]  # uvicorn would now cut the socket with 1012: not yet
        closing.set()
        await held
        await asyncio.wait_for(handed_on.wait(), 5)

        signal.raise_signal(signal.SIGTERM)  # a second signal goes straight through
        assert seen == ["told to stop", signal.SIGTERM, signal.SIGTERM]
        restore()
        assert signal.getsignal(signal.SIGTERM) is uvicorn_handler
    finally:
        signal.signal(signal.SIGTERM, original)


async def test_a_connection_that_does_not_end_delays_the_stop_by_the_grace_only() -> None:
    shutdown = Shutdown(grace_seconds=0.2)
    with shutdown.hold():
        loop = asyncio.get_running_loop()
        started = loop.time()
        await shutdown.drain()
    assert 0.2 <= loop.time() - started < 2
    assert shutdown.stopping.is_set()


async def test_work_unless_stopping() -> None:
    shutdown = Shutdown()
    assert await shutdown.unless_stopping(asyncio.sleep(0, result=["done"]), default=[]) == ["done"]
    waiting = asyncio.create_task(
        shutdown.unless_stopping(asyncio.sleep(30, result=["late"]), default=[])
    )
    await asyncio.sleep(0.01)
    shutdown.stopping.set()
    assert await asyncio.wait_for(waiting, 1) == []
    assert await shutdown.unless_stopping(asyncio.sleep(30), default="at once") == "at once"
