"""A prompt, clean stop for a process that holds long-lived connections.

uvicorn, on SIGTERM, stops accepting and then waits for every open connection before it
runs the app's lifespan shutdown, so a long-poll holds the stop for its whole wait and a
WebSocket is cut with 1012. ``Shutdown`` runs first: the signal sets ``stopping``, which
the long-polls and sockets watch (a poll answers at once, a socket closes with its
reconnect code), and only when they have ended, or after ``grace_seconds``, is the signal
handed on to uvicorn's own handler.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import signal
import threading
from collections.abc import Awaitable, Callable, Iterator
from types import FrameType
from typing import Any, TypeVar

log = logging.getLogger(__name__)

T = TypeVar("T")
SIGNALS = (signal.SIGTERM, signal.SIGINT)
GRACE_SECONDS = 5.0

Handler = Callable[[int, FrameType | None], Any] | int | None


class Shutdown:
    """Set when the process starts stopping; long-lived connections watch it and end."""

    def __init__(self, *, grace_seconds: float = GRACE_SECONDS) -> None:
        self.stopping = asyncio.Event()
        self.grace_seconds = grace_seconds
        self._held = 0
        self._idle = asyncio.Event()
        self._idle.set()
        self._signalled = False
        self._handing_on: asyncio.Task[None] | None = None

    @contextlib.contextmanager
    def hold(self) -> Iterator[None]:
        """Count a long-lived connection while it is open: stopping waits for it to end."""
        self._held += 1
        self._idle.clear()
        try:
            yield
        finally:
            self._held -= 1
            if not self._held:
                self._idle.set()

    async def unless_stopping(self, work: Awaitable[T], *, default: T) -> T:
        """``work``'s result, or ``default`` at once when the process starts stopping."""
        with self.hold():
            task = asyncio.ensure_future(work)
            stop = asyncio.ensure_future(self.stopping.wait())
            try:
                await asyncio.wait({task, stop}, return_when=asyncio.FIRST_COMPLETED)
            finally:
                stop.cancel()
                if not task.done():
                    task.cancel()
                    with contextlib.suppress(asyncio.CancelledError):
                        await task
            return default if task.cancelled() else task.result()

    async def drain(self) -> None:
        """Tell every held connection to end, and wait (at most the grace) until they have."""
        self.stopping.set()
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self._idle.wait(), self.grace_seconds)

    def install_signal_handlers(self) -> Callable[[], None]:
        """Drain on the first SIGTERM or SIGINT before the handlers in place (uvicorn's) see it;
        a second signal goes straight through. Returns the function that puts them back."""
        if threading.current_thread() is not threading.main_thread():
            return lambda: None  # signals reach the main thread only (an app served in a thread)
        loop = asyncio.get_running_loop()
        previous: dict[int, Handler] = {sig: signal.getsignal(sig) for sig in SIGNALS}

        def on_signal(sig: int, frame: FrameType | None) -> None:
            if self._signalled:
                _call(previous[sig], sig, frame)
                return
            self._signalled = True
            loop.call_soon_threadsafe(self._start_handing_on, previous[sig], sig)

        for sig in SIGNALS:
            signal.signal(sig, on_signal)

        def restore() -> None:
            for sig, handler in previous.items():
                signal.signal(sig, handler)  # type: ignore[arg-type]

        return restore

    def _start_handing_on(self, handler: Handler, sig: int) -> None:
        self._handing_on = asyncio.create_task(self._hand_on(handler, sig))

    async def _hand_on(self, handler: Handler, sig: int) -> None:
        log.info("stopping: ending %d long-lived connection(s)", self._held)
        await self.drain()
        _call(handler, sig, None)


def _call(handler: Handler, sig: int, frame: FrameType | None) -> None:
    if callable(handler):
        handler(sig, frame)
    elif handler == signal.SIG_DFL:
        signal.signal(sig, signal.SIG_DFL)
        signal.raise_signal(sig)
