"""Load generator: N concurrent widget chats against a real shopchat server.

Each chat opens a session, connects its WebSocket, then repeatedly sends a question
and waits for the assistant's answer. The same N connections then run against a bare
echo WebSocket on the same server stack, for the ratio.

    .venv/bin/python bench/bench_chat.py --chats 1000 --seconds 30
    .venv/bin/python bench/bench_chat.py --chats 1000 --postgres --redis
    .venv/bin/python bench/bench_chat.py --chats 200 --postgres --redis --workers 2

Prints connections held, messages a second, reply latency percentiles and the server's
resident memory. Run by hand; never part of the test suite.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Coroutine
from dataclasses import dataclass, field
from pathlib import Path

import asyncpg
import httpx
from websockets.asyncio.client import connect

QUESTIONS = ("How long does shipping take?", "Which payment methods do you accept?")
ROOT = Path(__file__).resolve().parent.parent


@dataclass
class Stats:
    latencies: list[float] = field(default_factory=list)
    connected: int = 0
    errors: int = 0


async def chat(
    base: str,
    site_key: str,
    stats: Stats,
    stop_at: list[float],
    ready: asyncio.Event,
    think: float,
) -> None:
    origin = base.replace("127.0.0.1", "localhost")
    async with httpx.AsyncClient(timeout=60) as client:
        response = await client.post(
            f"{base}/api/v1/widget/session", json={"site_key": site_key}, headers={"Origin": origin}
        )
    token = response.json()["session_token"]
    url = base.replace("http://", "ws://") + "/api/v1/widget/ws"
    async with connect(url, open_timeout=60, ping_interval=None) as ws:
        stats.connected += 1
        await ws.send(json.dumps({"type": "auth", "token": token}))
        await ws.send(json.dumps({"type": "resume", "after_seq": 0}))
        await ready.wait()
        if think:
            await asyncio.sleep(random.uniform(0, think))  # visitors do not arrive in step
        n = 0
        while time.monotonic() < stop_at[0]:
            n += 1
            started = time.perf_counter()
            text = QUESTIONS[n % 2]
            await ws.send(json.dumps({"type": "message", "client_id": f"m{n}", "text": text}))
            while True:
                frame = json.loads(await ws.recv())
                if frame.get("type") == "message" and frame.get("role") == "assistant":
                    break
                if frame.get("type") == "error":
                    stats.errors += 1
                    await asyncio.sleep(0.5)
                    break
            stats.latencies.append(time.perf_counter() - started)
            if think:
                await asyncio.sleep(random.uniform(0.5 * think, 1.5 * think))


async def echo(base: str, stats: Stats, stop_at: list[float], ready: asyncio.Event) -> None:
    async with connect(base.replace("http://", "ws://") + "/bench/echo", open_timeout=60) as ws:
        stats.connected += 1
        await ready.wait()
        while time.monotonic() < stop_at[0]:
            started = time.perf_counter()
            await ws.send(
                '{"type":"message","client_id":"x","text":"How long does shipping take?"}'
            )
            await ws.recv()
            stats.latencies.append(time.perf_counter() - started)


async def run_load(
    kind: str, base: str, site_key: str, chats: int, seconds: float, pid: int, think: float = 0
) -> dict:
    stats = Stats()
    ready = asyncio.Event()
    far = time.monotonic() + 3600
    stop = [far]

    def worker() -> Coroutine[None, None, None]:
        if kind == "chat":
            return chat(base, site_key, stats, stop, ready, think)
        return echo(base, stats, stop, ready)

    tasks = []
    for _ in range(chats):  # ramp up in small steps, as real visitors arrive
        tasks.append(asyncio.create_task(worker()))
        if len(tasks) % 50 == 0:
            await asyncio.sleep(0.05)
    deadline = time.monotonic() + 120
    while stats.connected < chats and time.monotonic() < deadline:  # noqa: ASYNC110
        await asyncio.sleep(0.1)
    held = stats.connected
    stop[0] = time.monotonic() + seconds
    started = time.monotonic()
    ready.set()
    await asyncio.sleep(seconds)
    memory = _rss_mib(pid)
    results = await asyncio.gather(*tasks, return_exceptions=True)
    elapsed = time.monotonic() - started
    failures = [r for r in results if isinstance(r, BaseException)]
    lat = sorted(stats.latencies)
    return {
        "kind": kind,
        "connections_held": held,
        "round_trips": len(lat),
        "round_trips_per_second": round(len(lat) / elapsed, 1),
        "messages_per_second": round(len(lat) * 2 / elapsed, 1),
        "p50_ms": _ms(lat, 0.50),
        "p95_ms": _ms(lat, 0.95),
        "p99_ms": _ms(lat, 0.99),
        "mean_ms": round(statistics.fmean(lat) * 1000, 1) if lat else None,
        "server_rss_mib": memory,
        "failed_chats": len(failures),
        "first_failure": repr(failures[0])[:200] if failures else None,
        "error_frames": stats.errors,
    }


def _ms(values: list[float], q: float) -> float | None:
    return round(values[min(len(values) - 1, int(q * len(values)))] * 1000, 1) if values else None


def _rss_mib(pid: int) -> float:
    """Resident memory of the server, its worker processes included."""
    total = 0
    for process in (pid, *_children(pid)):
        for line in Path(f"/proc/{process}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                total += int(line.split()[1])
    return round(total / 1024, 1)


def _children(pid: int) -> list[int]:
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                stat = (entry / "stat").read_text()
            except OSError:
                continue
            if int(stat.rsplit(")", 1)[1].split()[1]) == pid:
                found.append(int(entry.name))
    return found


def start_server(
    env: dict[str, str], port: int, workers: int = 1
) -> tuple[subprocess.Popen[str], str]:
    process = subprocess.Popen(
        [sys.executable, str(ROOT / "bench" / "bench_server.py"), str(port), str(workers)],
        env=env,
        stdout=subprocess.PIPE,
        text=True,
    )
    assert process.stdout is not None
    site_key = process.stdout.readline().strip().split("=", 1)[1]
    for _ in range(200):
        try:
            if httpx.get(f"http://127.0.0.1:{port}/readyz").status_code == 200:
                return process, site_key
        except httpx.HTTPError:
            time.sleep(0.1)
    raise RuntimeError("server did not start")


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


async def _create_database() -> str:
    name = f"shopchat_bench_{uuid.uuid4().hex[:8]}"
    connection = await asyncpg.connect("postgresql://postgres@127.0.0.1/postgres")
    await connection.execute(f'CREATE DATABASE "{name}"')
    await connection.close()
    return f"postgresql://postgres@127.0.0.1/{name}"


async def _drop_database(url: str) -> None:
    connection = await asyncpg.connect("postgresql://postgres@127.0.0.1/postgres")
    await connection.execute(f'DROP DATABASE IF EXISTS "{url.rsplit("/", 1)[1]}"')
    await connection.close()


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawTextHelpFormatter
    )
    parser.add_argument("--chats", type=int, default=1000)
    parser.add_argument("--seconds", type=float, default=30)
    parser.add_argument("--port", type=int, default=0, help="default: a free port")
    parser.add_argument(
        "--think", type=float, default=0, help="mean seconds a customer pauses between messages"
    )
    parser.add_argument("--postgres", action="store_true", help="store of record: PostgreSQL")
    parser.add_argument("--redis", action="store_true", help="bus and rate limits on Redis")
    parser.add_argument(
        "--workers", type=int, default=1, help="server processes (needs --postgres --redis)"
    )
    args = parser.parse_args()
    env = {
        **os.environ,
        "SHOPCHAT_DATA_DIR": tempfile.mkdtemp(prefix="shopchat-bench-"),
        "SHOPCHAT_SESSIONS_PER_IP_PER_MINUTE": "1000000",
        # Each simulated chat answers at once, faster than a person types.
        "SHOPCHAT_FRAMES_PER_SECOND": "1000",
        "SHOPCHAT_FRAME_BURST": "1000",
        "SHOPCHAT_ASSISTANT_TURNS_PER_SITE_PER_MINUTE": "1000000",  # capacity, not the ceiling
        "SHOPCHAT_LOG_LEVEL": "warning",
    }
    if args.postgres:
        env["SHOPCHAT_DATABASE_URL"] = asyncio.run(_create_database())
    if args.redis:
        env["SHOPCHAT_REDIS_URL"] = "redis://127.0.0.1:6379/0"
    port = args.port or _free_port()
    server, site_key = start_server(env, port, args.workers)
    base = f"http://127.0.0.1:{port}"
    try:
        for kind in ("chat", "echo"):
            result = asyncio.run(
                run_load(kind, base, site_key, args.chats, args.seconds, server.pid, args.think)
            )
            print(json.dumps(result), flush=True)
    finally:
        server.terminate()
        server.wait()
        if args.postgres:
            asyncio.run(_drop_database(env["SHOPCHAT_DATABASE_URL"]))


if __name__ == "__main__":
    main()
