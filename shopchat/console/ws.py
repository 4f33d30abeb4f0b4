"""The console's WebSocket: every live event of the agent's sites, and the agent's typing.

Authenticated by the session cookie; the Origin must be this server's own (a page on
another site cannot ride the agent's cookie into this socket). The session is re-checked
every minute, and at once when a revocation or a deactivation says so on the bus, so a
revoked agent is disconnected. A slow reader gets ``resync`` and
re-fetches its pages instead of an unbounded queue.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import uuid
from typing import Any
from urllib.parse import urlsplit

from fastapi import APIRouter, WebSocket
from starlette.websockets import WebSocketDisconnect, WebSocketState

from shopchat.bus import Subscription
from shopchat.console import auth, presence, repository
from shopchat.console.live import Outcome, publish
from shopchat.conversation.service import site_channel
from shopchat.conversation.ws import CLOSE_RECONNECT, CLOSE_UNAUTHORIZED
from shopchat.kit import untrusted
from shopchat.kit.ratelimit import TokenBucket
from shopchat.services import Services, get_services

log = logging.getLogger(__name__)
router = APIRouter()

RECHECK_SECONDS = 60.0
MAX_FRAME_BYTES = 4096


@router.websocket("/console/ws")
async def console_socket(websocket: WebSocket) -> None:
    services = get_services(websocket)
    if not _same_origin(websocket):
        await websocket.close(code=CLOSE_UNAUTHORIZED)
        return
    token = websocket.cookies.get(auth.SESSION_COOKIE)
    async with services.db.transaction() as session:
        signed = await auth.signed_in(session, token)
        sites = await repository.account_sites(session, signed.agent.account_id) if signed else []
    if signed is None:
        await websocket.accept()
        await websocket.send_json({"type": "error", "code": "signed_out", "message": "sign in"})
        await websocket.close(code=CLOSE_UNAUTHORIZED)
        return
    await ConsoleConnection(websocket, services, signed, [s.id for s in sites]).run(token or "")


def _same_origin(websocket: WebSocket) -> bool:
    origin = websocket.headers.get("origin")
    host = websocket.headers.get("host")
    if origin is None:
        return True  # not a browser: no ambient cookie is being ridden
    return bool(host) and urlsplit(origin).netloc == host


class ConsoleConnection:
    def __init__(
        self,
        websocket: WebSocket,
        services: Services,
        signed: auth.SignedIn,
        site_ids: list[uuid.UUID],
    ) -> None:
        self.ws = websocket
        self.services = services
        self.agent = signed.agent
        self.site_ids = site_ids
        self.bucket = TokenBucket(rate=5, burst=20)

    async def run(self, token: str) -> None:
        await self.ws.accept()
        with self.services.shutdown.hold():
            await self._serve(token)

    async def _serve(self, token: str) -> None:
        channels = [site_channel(site_id) for site_id in self.site_ids]
        async with await self.services.bus.subscribe(*channels) as subscription:
            socket_id = await presence.socket_opened(
                self.services, self.agent.id, self.agent.account_id
            )
            tasks = [
                asyncio.create_task(self._receive()),
                asyncio.create_task(self._forward(subscription)),
                asyncio.create_task(self._recheck(token)),
                asyncio.create_task(self._heartbeat(socket_id)),
                asyncio.create_task(asyncio.sleep(self.services.settings.ws_max_lifetime_seconds)),
                asyncio.create_task(self.services.shutdown.stopping.wait()),  # reconnect elsewhere
            ]
            try:
                await asyncio.wait(tasks, return_when=asyncio.FIRST_COMPLETED)
            finally:
                for task in tasks:
                    task.cancel()
                for task in tasks:
                    with contextlib.suppress(asyncio.CancelledError, Exception):
                        await task
                if self.ws.client_state == WebSocketState.CONNECTED:
                    with contextlib.suppress(Exception):
                        await self.ws.close(code=CLOSE_RECONNECT)
                await self._closed(socket_id)

    async def _send(self, frame: dict[str, Any]) -> None:
        await self.ws.send_text(json.dumps(frame, separators=(",", ":"), default=str))

    async def _forward(self, subscription: Subscription) -> None:
        await self._send({"type": "hello", "agent_id": str(self.agent.id)})
        while True:
            event = await subscription.get()
            if subscription.lagged:
                while not subscription.queue.empty():
                    subscription.queue.get_nowait()
                subscription.lagged = False
                event = {"type": "resync"}
            if event.get("type") == "delta":
                continue  # the assistant's streaming; the console shows the stored reply
            if event.get("type") == "agent_signed_out":
                if event.get("agent_id") == str(self.agent.id):
                    await self._signed_out()
                    return
                continue
            await self._send(event)

    async def _receive(self) -> None:
        while True:
            try:
                raw = await self.ws.receive_text()
            except (WebSocketDisconnect, RuntimeError):
                return
            if len(raw) > MAX_FRAME_BYTES or self.bucket.take():
                continue
            try:
                frame = untrusted.loads(raw)
            except untrusted.UntrustedInput:
                continue
            if isinstance(frame, dict):
                await self._handle(frame)

    async def _handle(self, frame: dict[str, Any]) -> None:
        if frame.get("type") == "ping":
            await self._send({"type": "pong"})
        elif frame.get("type") == "typing" and isinstance(frame.get("on"), bool):
            await self._typing(str(frame.get("conversation_id")), frame["on"])

    async def _typing(self, raw_id: str, on: bool) -> None:
        try:
            conversation_id = uuid.UUID(raw_id)
        except ValueError:
            return
        async with self.services.db.transaction() as session:
            conversation = await repository.conversation_for(
                session, account_id=self.agent.account_id, conversation_id=conversation_id
            )
        if conversation is None:
            return
        public = {"type": "typing", "role": "agent", "on": on}
        if self.agent.role == "trainee":
            public = {}  # a trainee's words are not the customer's to see yet
        outcome = Outcome(
            conversation.site_id,
            conversation.id,
            public=[public] if public else [],
            private=[
                {
                    "type": "agent_typing",
                    "agent_id": str(self.agent.id),
                    "name": self.agent.name,
                    "on": on,
                }
            ],
        )
        await publish(self.services.bus, outcome)

    async def _heartbeat(self, socket_id: uuid.UUID) -> None:
        """Keep this socket counted, and sweep the account's consoles that went away."""
        while True:
            await asyncio.sleep(presence.HEARTBEAT_SECONDS)
            async with self.services.db.transaction() as session:
                await presence.heartbeat(session, socket_id=socket_id)
            await presence.sweep_and_publish(self.services, self.agent.account_id)

    async def _closed(self, socket_id: uuid.UUID) -> None:
        try:
            async with self.services.db.transaction() as session:
                await presence.closed(session, socket_id=socket_id)
        except Exception:
            log.exception("could not mark a console socket closed; its lease runs out instead")
        presence.sweep_after_grace(self.services, self.agent.account_id)

    async def _recheck(self, token: str) -> None:
        while True:
            await asyncio.sleep(RECHECK_SECONDS)
            async with self.services.db.transaction() as session:
                if await auth.signed_in(session, token) is None:
                    await self._signed_out()
                    return

    async def _signed_out(self) -> None:
        with contextlib.suppress(Exception):
            await self._send({"type": "error", "code": "signed_out"})
            await self.ws.close(code=CLOSE_UNAUTHORIZED)
