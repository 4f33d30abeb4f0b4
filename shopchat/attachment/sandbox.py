"""Images cleaned in a child process, under a ceiling of time and of memory.

A crafted image can cost far more to decode than it weighs. In a child process that cost
cannot hold the server's memory or its event loop, and a child over a ceiling is stopped:
its address space and CPU time are capped by rlimits, its wall-clock time by the parent,
which kills it. Run as ``python -m shopchat.attachment.sandbox FORMAT MEMORY SECONDS``
it is that child: the file on stdin, the cleaned file on stdout.
"""

from __future__ import annotations

import asyncio
import json
import logging
import math
import os
import resource
import sys
import weakref
from asyncio.subprocess import DEVNULL, PIPE

from shopchat.attachment import files
from shopchat.kit.errors import BadInput, RateLimited

DECODE_SECONDS = 20.0
DECODE_MEMORY_BYTES = 1024 * 1024 * 1024  # the child's whole address space
DECODERS = 2  # children at once per server process; other uploads wait for one
MAX_OUTPUT_BYTES = 2 * files.MAX_BYTES  # a re-encoded image may come out a little larger
_REFUSED = 3  # the child's exit status for an image it refused; stdout holds the error

logger = logging.getLogger(__name__)
# One semaphore per event loop: a process may run several (the tests' servers do).
_slots: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, asyncio.Semaphore] = (
    weakref.WeakKeyDictionary()
)


async def clean(data: bytes, kind: files.FileType) -> bytes:
    """``files.clean`` in a child process; an image that needs too much is refused."""
    if kind.pillow_format is None:
        return data
    slot = _slots.setdefault(asyncio.get_running_loop(), asyncio.Semaphore(DECODERS))
    try:
        await asyncio.wait_for(slot.acquire(), DECODE_SECONDS)
    except TimeoutError:
        raise RateLimited(
            "the server is busy with other files; try again shortly",
            retry_after=5,
            code="uploads_busy",
        ) from None
    try:
        return await _in_child(data, kind.pillow_format)
    finally:
        slot.release()


async def _in_child(data: bytes, pillow_format: str) -> bytes:
    # The CPU limit is a backstop, for a child whose server died before it could kill it.
    limits = (str(DECODE_MEMORY_BYTES), str(math.ceil(DECODE_SECONDS) + 5))
    child = await asyncio.create_subprocess_exec(
        *(sys.executable, "-m", "shopchat.attachment.sandbox", pillow_format, *limits),
        stdin=PIPE,
        stdout=PIPE,
        stderr=DEVNULL,
    )
    try:
        async with asyncio.timeout(DECODE_SECONDS):
            out, _ = await child.communicate(data)
    except TimeoutError:
        raise _too_costly() from None
    finally:
        if child.returncode is None:
            child.kill()
            await child.wait()
    if child.returncode == 0:
        return out
    if child.returncode == _REFUSED:
        error = json.loads(out)
        raise BadInput(error["message"], code=error["code"])
    logger.warning("image cleaner stopped with status %s", child.returncode)
    raise _too_costly()


def _too_costly() -> BadInput:
    return BadInput("the image is too large or complex to process", code="image_too_large")


def _child(pillow_format: str, memory: int, seconds: int) -> int:
    resource.setrlimit(resource.RLIMIT_AS, (memory, memory))
    resource.setrlimit(resource.RLIMIT_CPU, (seconds, seconds + 1))
    os.nice(10)  # the server's own requests come first
    data = sys.stdin.buffer.read()
    try:
        cleaned = files.clean(data, files.IMAGES[pillow_format])
        if len(cleaned) > MAX_OUTPUT_BYTES:
            raise _too_costly()
    except BadInput as error:
        sys.stdout.write(json.dumps(error.to_dict()))
        return _REFUSED
    sys.stdout.buffer.write(cleaned)
    return 0


if __name__ == "__main__":
    sys.exit(_child(sys.argv[1], int(sys.argv[2]), int(sys.argv[3])))
