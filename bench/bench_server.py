"""The shopchat app plus a bare WebSocket echo route, for the load benchmark only.

The echo route runs on the same stack (uvicorn, Starlette, the same middleware), so the
ratio of the two measures what shopchat's own work costs per message.
"""

from __future__ import annotations

import asyncio
import sys
from typing import Any

import uvicorn
from fastapi import FastAPI, WebSocket, WebSocketDisconnect

from shopchat.app import create_app
from shopchat.demo.seed import seed_demo
from shopchat.migrations.runner import upgrade
from shopchat.settings import load_settings


def factory() -> FastAPI:
    """The app with the echo route; with ``workers`` above 1, each worker process builds one."""
    app = create_app(load_settings())

    @app.websocket("/bench/echo")
    async def echo(websocket: WebSocket) -> None:
        await websocket.accept()
        try:
            while True:
                await websocket.send_text(await websocket.receive_text())
        except WebSocketDisconnect:
            return

    return app


def main(port: int, workers: int) -> None:
    settings = load_settings()
    asyncio.run(upgrade(settings))
    demo = asyncio.run(seed_demo(settings, port=port))
    print(f"SITE_KEY={demo.site_key}", flush=True)
    options: dict[str, Any] = {
        "host": "127.0.0.1",
        "port": port,
        "log_level": "warning",
        "backlog": 4096,
    }
    if workers == 1:
        uvicorn.run(factory(), **options)
    else:  # as `shopchat serve --workers N` does it
        uvicorn.run("bench_server:factory", factory=True, workers=workers, **options)


if __name__ == "__main__":
    main(int(sys.argv[1]), int(sys.argv[2]) if len(sys.argv) > 2 else 1)
