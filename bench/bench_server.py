"""The shopchat app plus a bare WebSocket echo route, for the load benchmark only.

The echo route runs on the same stack (uvicorn, Starlette, the same middleware), so the
ratio of the two measures what shopchat's own work costs per message.
"""

from __future__ import annotations

import asyncio
import sys

import uvicorn
from fastapi import WebSocket, WebSocketDisconnect

from shopchat.app import create_app
from shopchat.demo.seed import seed_demo
from shopchat.migrations.runner import upgrade
from shopchat.settings import load_settings


def main(port: int) -> None:
    settings = load_settings()
    asyncio.run(upgrade(settings))
    demo = asyncio.run(seed_demo(settings, port=port))
    app = create_app(settings)

    @app.websocket("/bench/echo")
    async def echo(websocket: WebSocket) -> None:
        await websocket.accept()
        try:
            while True:
                await websocket.send_text(await websocket.receive_text())
        except WebSocketDisconnect:
            return

    print(f"SITE_KEY={demo.site_key}", flush=True)
    uvicorn.run(app, host="127.0.0.1", port=port, log_level="warning", backlog=4096)


if __name__ == "__main__":
    main(int(sys.argv[1]))
