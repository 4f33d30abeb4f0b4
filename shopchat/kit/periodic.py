"""A job a process runs when it starts and then every so often, until it stops."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Awaitable, Callable

log = logging.getLogger(__name__)


async def cancel(task: asyncio.Task[None] | None) -> None:
    """Stop a background task and wait until it has (nothing to do for None)."""
    if task is not None:
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task


class Periodic:
    """Runs ``job`` now and every ``every_seconds``; a failed run is logged, not fatal."""

    def __init__(self, name: str, job: Callable[[], Awaitable[object]], *, every_seconds: float):
        self.name = name
        self.job = job
        self.every_seconds = every_seconds
        self._task: asyncio.Task[None] | None = None

    def start(self) -> Periodic:
        self._task = asyncio.create_task(self._run(), name=self.name)
        return self

    async def stop(self) -> None:
        await cancel(self._task)

    async def _run(self) -> None:
        while True:
            try:
                await self.job()
            except Exception:
                log.exception("%s failed; trying again in %s s", self.name, self.every_seconds)
            await asyncio.sleep(self.every_seconds)
