"""The widget's WebSocket: one connection, one conversation, exactly-once ordered delivery.

The client's first frame is ``{"type":"auth","token":…}`` (ADR 0006): a token in the URL
ends up in access logs. The old ``?token=`` form still works for one release.
Live delivery starts when the client sends ``resume`` (or shortly after connecting
if it never does, then from the ``seq`` the conversation had at connect), so replayed and
live messages never interleave out of order.
The connection keeps a cursor, the last ``seq`` it sent: a live message at or below
it is dropped, one beyond ``cursor + 1`` is a gap, filled from the store first.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
from typing import Any

from fastapi import APIRouter, WebSocket
from starlette.websockets import WebSocketDisconnect, WebSocketState

from shopchat.bus import Subscription
from shopchat.conversation.frames import (
    Auth,
    FrameError,
    Ping,
    Rating,
    Resume,
    SendMessage,
    Typing,
    auth_token,
    error_frame,
    message_frame,
    parse_client_frame,
)
from shopchat.conversation.service import conversation_channel
from shopchat.conversation.tokens import SessionClaims, read_session_token
from shopchat.kit.errors import NotFound, ShopchatError, Unauthorized
from shopchat.observability import metrics
from shopchat.services import Services, client_ip, get_services

log = logging.getLogger(__name__)
router = APIRouter()

OUTBOX_FRAMES = 1000
START_WITHOUT_RESUME_SECONDS = 2.0
AUTH_SECONDS = 10.0
AUTH_FIRST = 'the first frame must be {"type":"auth","token":SESSION_TOKEN}'
CLOSE_UNAUTHORIZED = 4401
CLOSE_RECONNECT = 4000
CLOSE_TOO_SLOW = 4008


@router.websocket("/api/v1/widget/ws")
async def widget_socket(websocket: WebSocket) -> None:
    services = get_services(websocket)
    await websocket.accept()
    try:
        claims = await _authenticate(websocket, services)
        connected_seq = await services.chat.last_seq(claims)
    except WebSocketDisconnect:
        return
    except (Unauthorized, NotFound) as exc:
        # A conversation gone (erased) is a token gone: the widget opens a new session.
        with contextlib.suppress(WebSocketDisconnect, RuntimeError):  # the client left
            await websocket.send_json({"type": "error", **exc.to_dict()})
            await websocket.close(code=CLOSE_UNAUTHORIZED)
        return
    log.debug(
        "widget socket opened on conversation %s at seq %s", claims.conversation_id, connected_seq
    )
    await WidgetConnection(websocket, services, claims).run(connected_seq)


async def _authenticate(websocket: WebSocket, services: Services) -> SessionClaims:
    """The claims of the token in the first frame (or, deprecated, in the URL)."""
    key = services.settings.signing_key
    if (in_url := websocket.query_params.get("token")) is not None:
        metrics.ws_token_in_url.inc()
        return read_session_token(in_url, key=key)
    try:
        event = await asyncio.wait_for(websocket.receive(), AUTH_SECONDS)
    except TimeoutError:
        raise Unauthorized(AUTH_FIRST, code="auth_required") from None
    if event["type"] == "websocket.disconnect":
        raise WebSocketDisconnect(event.get("code", 1000))
    token = auth_token(event.get("text") if event.get("text") is not None else event.get("bytes"))
    if token is None:
        raise Unauthorized(AUTH_FIRST, code="auth_required")
    return read_session_token(token, key=key)


class WidgetConnection:
    def __init__(self, websocket: WebSocket, services: Services, claims: SessionClaims) -> None:
        self.ws = websocket
        self.services = services
        self.chat = services.chat
        self.claims = claims
        self.client_address = client_ip(websocket)
        self.outbox: asyncio.Queue[dict[str, Any] | None] = asyncio.Queue(OUTBOX_FRAMES)
        self.cursor = 0
        self.live = asyncio.Event()
        self.delivery = asyncio.Lock()

    async def run(self, connected_seq: int) -> None:
        metrics.ws_connections.inc()
        channel = conversation_channel(self.claims.conversation_id)
        try:
            with self.services.shutdown.hold():
                async with await self.chat.bus.subscribe(channel) as subscription:
                    await self._serve(subscription, connected_seq)
        finally:
            metrics.ws_connections.dec()

    async def _serve(self, subscription: Subscription, connected_seq: int) -> None:
        tasks = [
            asyncio.create_task(self._receive()),
            asyncio.create_task(self._forward(subscription)),
            asyncio.create_task(self._send()),
            asyncio.create_task(self._start_without_resume(connected_seq)),
            asyncio.create_task(asyncio.sleep(self.services.settings.ws_max_lifetime_seconds)),
            asyncio.create_task(self.services.shutdown.stopping.wait()),  # reconnect elsewhere
        ]
        try:
            await asyncio.wait(tasks[:3] + tasks[4:], return_when=asyncio.FIRST_COMPLETED)
        finally:
            for task in tasks:
                task.cancel()
            for task in tasks:
                with contextlib.suppress(asyncio.CancelledError, Exception):
                    await task
            await self._close(CLOSE_RECONNECT)

    async def _close(self, code: int) -> None:
        if self.ws.client_state == WebSocketState.CONNECTED:
            with contextlib.suppress(Exception):
                await self.ws.close(code=code)

    # --- client → server ------------------------------------------------------------

    async def _receive(self) -> None:
        settings = self.services.settings
        while True:
            event = await self.ws.receive()
            if event["type"] == "websocket.disconnect":
                return
            raw = event.get("text") if event.get("text") is not None else event.get("bytes")
            if raw is None:
                continue
            frame = None
            try:
                if wait := await self.chat.take_frame(self.claims):
                    raise FrameError("rate_limited", f"too many frames; retry in {wait:.1f}s")
                frame = parse_client_frame(
                    raw, max_bytes=settings.max_frame_bytes, max_chars=settings.max_message_chars
                )
                await self._handle(frame)
            except FrameError as exc:
                metrics.frames_rejected.labels(code=exc.code).inc()
                self._push(exc.frame())
            except ShopchatError as exc:
                metrics.frames_rejected.labels(code=exc.code).inc()
                self._push(error_frame(exc.code, exc.message, client_id=_client_id(frame)))
            except Exception:
                # Nothing was acknowledged, so nothing is lost: the client may resend.
                log.exception("widget frame failed")
                self._push(error_frame("internal", "please try again", client_id=_client_id(frame)))

    async def _handle(self, frame: object) -> None:
        match frame:
            case SendMessage():
                stored, _ = await self.chat.post_customer_message(
                    self.claims, frame, client_address=self.client_address
                )
                self._push({"type": "ack", "client_id": frame.client_id, "seq": stored.seq})
            case Resume(after_seq=after):
                await self._resume(after)
            case Typing(on=on):
                await self.chat.typing(self.claims, on=on)
            case Rating():
                await self.chat.rate(self.claims, frame)
                self._push({"type": "rating_saved", "score": frame.score})
            case Ping():
                self._push({"type": "pong"})
            case Auth():
                pass  # authenticated already; repeating it harms nothing, so no error

    async def _resume(self, after_seq: int) -> None:
        async with self.delivery:
            self.cursor = after_seq
            await self._catch_up()
            self.live.set()

    async def _start_without_resume(self, connected_seq: int) -> None:
        """A client that never resumes has what it saw at connect (the session's messages);
        it gets everything after that, its own message and the answer too."""
        await asyncio.sleep(START_WITHOUT_RESUME_SECONDS)
        async with self.delivery:
            if not self.live.is_set():
                self.cursor = connected_seq
                await self._catch_up()
                self.live.set()
        await asyncio.Event().wait()  # keep the slot; cancelled when the connection ends

    # --- server → client ------------------------------------------------------------

    async def _forward(self, subscription: Subscription) -> None:
        await self.live.wait()
        while True:
            event = await subscription.get()
            if subscription.lagged:
                await self._recover(subscription)
                continue
            if event.get("type") == "message":
                async with self.delivery:
                    await self._deliver_live(event)
            elif not (event.get("type") == "typing" and event.get("role") == "customer"):
                self._push(event)

    async def _deliver_live(self, frame: dict[str, Any]) -> None:
        seq = int(frame["seq"])
        if seq <= self.cursor:
            return
        if seq > self.cursor + 1:
            await self._catch_up()  # a gap: another process's push went missing
            return
        self._push(frame)
        self.cursor = seq

    async def _recover(self, subscription: Subscription) -> None:
        while not subscription.queue.empty():
            subscription.queue.get_nowait()
        subscription.lagged = False
        async with self.delivery:
            await self._catch_up()

    async def _catch_up(self) -> None:
        for message in await self.chat.replay(self.claims, after_seq=self.cursor):
            self._push(message_frame(message))
            self.cursor = message.seq

    def _push(self, frame: dict[str, Any]) -> None:
        try:
            self.outbox.put_nowait(frame)
        except asyncio.QueueFull:
            # The client is not reading: close; it reconnects and resumes from the store.
            log.info("closing a widget connection that does not read its frames")
            self.outbox = asyncio.Queue(1)
            self.outbox.put_nowait(None)

    async def _send(self) -> None:
        while True:
            frame = await self.outbox.get()
            if frame is None:
                await self._close(CLOSE_TOO_SLOW)
                return
            try:
                await self.ws.send_text(json.dumps(frame, separators=(",", ":")))
            except (WebSocketDisconnect, RuntimeError):
                return


def _client_id(frame: object) -> str | None:
    return frame.client_id if isinstance(frame, SendMessage) else None
