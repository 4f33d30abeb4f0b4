"""What an upload may cost the server: pixels, frames, decoding time and memory, uploads.

The server runs in this process (a thread), so its memory is this process's: the peak RSS
is reset before an upload and read after it. Decoding happens in a child process whose
memory is not ours, which is the point.
"""

from __future__ import annotations

import asyncio
import io
import os
import struct
import threading
import time
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from functools import cache
from pathlib import Path

import httpx
from PIL import Image

from shopchat.attachment import endpoints, files, sandbox
from tests.support.chat import bearer, open_session

MIB = 1024 * 1024


def _upload(
    server, token: str, name: str, data: bytes, *, http: httpx.Client | None = None
) -> httpx.Response:
    return (http or httpx).post(
        f"{server.url}/api/v1/widget/attachments",
        files={"file": (name, data, "application/octet-stream")},
        headers=bearer(token),
        timeout=60,
    )


def _png(size: tuple[int, int], mode: str = "1") -> bytes:
    out = io.BytesIO()
    Image.new(mode, size).save(out, "PNG")
    return out.getvalue()


@cache
def _costly_png() -> bytes:
    """A legal image, small to send (500 KB), that takes seconds and 108 MB to decode."""
    out = io.BytesIO()
    Image.new("RGB", (6000, 6000), (10, 120, 200)).save(out, "PNG", compress_level=1)
    return out.getvalue()


def _frame_bomb(frames: int, side: int) -> bytes:
    """An animated GIF of tiny frames on a side × side canvas: each frame decodes to the
    whole canvas. Pillow writes the frames; the logical screen size is then raised."""
    tiles = [Image.new("P", (2, 2), i % 2) for i in range(frames)]
    for tile in tiles:
        tile.putpalette([0, 0, 0, 255, 255, 255])
    out = io.BytesIO()
    tiles[0].save(out, "GIF", save_all=True, append_images=tiles[1:], duration=50, loop=0)
    data = bytearray(out.getvalue())
    data[6:10] = struct.pack("<HH", side, side)
    return bytes(data)


def _status(field: str) -> int:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith(f"{field}:"):
            return int(line.split()[1]) * 1024
    raise AssertionError(field)


@contextmanager
def _peak_growth() -> Iterator[Callable[[], int]]:
    """How far this process's peak RSS rose above its RSS at the start of the block."""
    Path("/proc/self/clear_refs").write_text("5")  # resets VmHWM to the current RSS
    before = _status("VmRSS")
    yield lambda: _status("VmHWM") - before


def _timed(upload: Callable[[], httpx.Response]) -> tuple[httpx.Response, float]:
    started = time.monotonic()
    return upload(), time.monotonic() - started


def _while_handled(
    server, credentials, upload: Callable[[], httpx.Response]
) -> tuple[httpx.Response, float, list[float]]:
    """The upload's answer and duration, and how long another visitor waited meanwhile."""
    waits: list[float] = []
    with ThreadPoolExecutor(1) as pool:
        pending = pool.submit(_timed, upload)
        while not waits or not pending.done():
            started = time.monotonic()
            open_session(server.url, credentials)
            waits.append(time.monotonic() - started)
        answer, took = pending.result()
    return answer, took, waits


def _children() -> list[int]:
    """This process's child processes, zombies included."""
    found = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:  # the process ended meanwhile
            continue
        if int(fields[1]) == os.getpid():
            found.append(int(stat.parent.name))
    return found


def test_a_frame_bomb_is_refused_without_stalling_the_server(server, sites):
    credentials = sites.create()
    token = open_session(server.url, credentials)["session_token"]
    bomb = _frame_bomb(24, 2000)  # 96 M pixels in all: 2.4 times a still image's limit
    assert len(bomb) < 2000
    with _peak_growth() as growth:
        answer, _, waits = _while_handled(
            server, sites.create(), lambda: _upload(server, token, "bomb.gif", bomb)
        )
    assert answer.status_code == 400, answer.text
    assert answer.json()["error"]["code"] == "image_too_large"
    assert growth() < 100 * MIB
    assert max(waits) < 1.0, waits


def test_the_frame_bomb_of_the_report_is_refused_at_once(server, sites):
    token = open_session(server.url, sites.create())["session_token"]
    answer, took = _timed(lambda: _upload(server, token, "bomb.gif", _frame_bomb(64, 6000)))
    assert (answer.status_code, answer.json()["error"]["code"]) == (400, "image_too_large")
    assert took < 5


def test_too_many_frames_are_refused_however_small(server, sites):
    token = open_session(server.url, sites.create())["session_token"]
    frames = [Image.new("RGB", (4, 4), (i % 2 * 255, 0, 0)) for i in range(files.MAX_FRAMES + 1)]
    for pillow_format in ("GIF", "PNG", "WEBP"):
        out = io.BytesIO()
        frames[0].save(out, pillow_format, save_all=True, append_images=frames[1:], duration=20)
        answer = _upload(server, token, f"many.{pillow_format.lower()}", out.getvalue())
        assert answer.status_code == 400, (pillow_format, answer.text)
        assert answer.json()["error"]["code"] == "image_too_large"
    out = io.BytesIO()
    fewer = frames[: files.MAX_FRAMES]
    fewer[0].save(out, "GIF", save_all=True, append_images=fewer[1:], duration=20)
    assert _upload(server, token, "enough.gif", out.getvalue()).status_code == 201


def test_the_pixel_limit_of_a_still_image(server, sites):
    token = open_session(server.url, sites.create())["session_token"]
    width = 8000
    assert files.MAX_PIXELS % width == 0
    at_limit = _upload(server, token, "wide.png", _png((width, files.MAX_PIXELS // width)))
    assert at_limit.status_code == 201, at_limit.text
    over = _upload(server, token, "wider.png", _png((width, files.MAX_PIXELS // width + 1)))
    assert over.status_code == 400, over.text
    assert over.json()["error"]["code"] == "image_too_large"


def test_decoding_longer_than_the_time_ceiling_is_stopped(server, sites, monkeypatch):
    monkeypatch.setattr(sandbox, "DECODE_SECONDS", 0.5)
    token = open_session(server.url, sites.create())["session_token"]
    costly = _costly_png()
    children = set(_children())
    answer, took, waits = _while_handled(
        server, sites.create(), lambda: _upload(server, token, "slow.png", costly)
    )
    assert (answer.status_code, answer.json()["error"]["code"]) == (400, "image_too_large")
    assert took < 2.5
    assert max(waits) < 1.0, waits
    assert set(_children()) <= children  # the cleaner was killed and reaped


def test_decoding_over_the_memory_ceiling_is_refused(server, sites, monkeypatch):
    monkeypatch.setattr(sandbox, "DECODE_MEMORY_BYTES", 160 * MIB)
    token = open_session(server.url, sites.create())["session_token"]
    costly = _costly_png()  # decoded once, and copied once to drop its metadata
    with _peak_growth() as growth:
        answer = _upload(server, token, "big.png", costly)
    assert (answer.status_code, answer.json()["error"]["code"]) == (400, "image_too_large")
    assert growth() < 100 * MIB
    assert _upload(server, token, "small.png", _png((64, 64), "RGB")).status_code == 201


def test_cleaning_a_file_holds_no_database_connection(server, sites, monkeypatch):
    started, release = threading.Event(), threading.Event()

    async def held_clean(data: bytes, _kind: object) -> bytes:
        started.set()
        await asyncio.to_thread(release.wait, 10)
        return data

    monkeypatch.setattr(sandbox, "clean", held_clean)
    token = open_session(server.url, sites.create())["session_token"]
    with ThreadPoolExecutor(1) as pool:
        pending = pool.submit(_upload, server, token, "a.png", _png((8, 8), "RGB"))
        assert started.wait(timeout=10)
        try:  # SQLite has one connection: a transaction held now would stall this
            _, waited = _timed(lambda: open_session(server.url, sites.create()))
        finally:
            release.set()
        assert pending.result().status_code == 201
    assert waited < 1.0


def test_an_upload_waits_for_a_free_cleaner_and_no_longer(server, sites, monkeypatch):
    token = open_session(server.url, sites.create())["session_token"]
    small = _png((8, 8), "RGB")
    assert _upload(server, token, "a.png", small).status_code == 201
    loop = server.server.servers[0].get_loop()
    slots = sandbox._slots[loop]
    for _ in range(sandbox.DECODERS):  # every cleaner busy
        asyncio.run_coroutine_threadsafe(slots.acquire(), loop).result(timeout=5)
    monkeypatch.setattr(sandbox, "DECODE_SECONDS", 0.3)
    try:
        busy = _upload(server, token, "b.png", small)
    finally:
        for _ in range(sandbox.DECODERS):
            loop.call_soon_threadsafe(slots.release)
    assert (busy.status_code, busy.json()["error"]["code"]) == (429, "uploads_busy")
    assert int(busy.headers["retry-after"]) > 0
    assert _upload(server, token, "c.png", small).status_code == 201


def test_uploads_per_conversation_are_limited(server, sites):
    credentials = sites.create()
    token = open_session(server.url, credentials)["session_token"]
    pdf = b"%PDF-1.4\n%%EOF\n"
    with httpx.Client() as http:
        for _ in range(endpoints.UPLOADS_PER_CONVERSATION_PER_HOUR):
            assert _upload(server, token, "a.pdf", pdf, http=http).status_code == 201
        refused = _upload(server, token, "a.pdf", pdf, http=http)
    assert refused.status_code == 429
    assert refused.json()["error"]["code"] == "rate_limited"
    assert int(refused.headers["retry-after"]) > 0
    other = open_session(server.url, credentials)["session_token"]
    assert _upload(server, other, "a.pdf", pdf).status_code == 201
