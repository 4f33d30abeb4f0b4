"""A widget client for tests: the session endpoint, the WebSocket and the HTTP fallback."""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from typing import Any

import httpx
from websockets.exceptions import ConnectionClosed
from websockets.sync.client import ClientConnection, connect

from shopchat.site.service import SiteCredentials
from tests.support.sites import ORIGIN

Frame = dict[str, Any]


def open_session(
    base_url: str,
    credentials: SiteCredentials,
    *,
    identity: str | None = None,
    session_id: str | None = None,
    origin: str | None = ORIGIN,
    expect: int = 200,
) -> dict[str, Any]:
    body: dict[str, Any] = {"site_key": credentials.site_key}
    if identity is not None:
        body["identity"] = identity
    if session_id is not None:
        body["session_id"] = session_id
    headers = {"Origin": origin} if origin else {}
    response = httpx.post(f"{base_url}/api/v1/widget/session", json=body, headers=headers)
    assert response.status_code == expect, response.text
    return response.json()  # type: ignore[no-any-return]


def ws_connect(url: str, **options: Any) -> ClientConnection:
    """A test WebSocket client (use it with ``with``) that buffers every frame: with the
    library's 16-frame queue it stops reading, and a close with unread frames then waits
    out its 10 s close timeout."""
    return connect(url, max_size=4 * 1024 * 1024, max_queue=None, **options)


class WidgetSocket:
    """A WebSocket client that keeps every frame it received, for assertions.

    It authenticates with the first frame; ``token_in_url`` uses the deprecated form."""

    def __init__(self, base_url: str, token: str, *, token_in_url: bool = False) -> None:
        url = base_url.replace("http://", "ws://") + "/api/v1/widget/ws"
        self._connection = ws_connect(f"{url}?token={token}" if token_in_url else url)
        self.ws: ClientConnection = self._connection.__enter__()
        self.frames: list[Frame] = []
        if not token_in_url:
            self.send({"type": "auth", "token": token})

    def send(self, frame: Frame | str) -> None:
        self.ws.send(frame if isinstance(frame, str) else json.dumps(frame))

    def recv_until(self, predicate: Callable[[Frame], bool], timeout: float = 10) -> Frame:
        deadline = time.monotonic() + timeout
        while True:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise AssertionError(f"no matching frame; got {self.frames[-10:]}")
            frame = json.loads(self.ws.recv(timeout=remaining))
            self.frames.append(frame)
            if predicate(frame):
                return frame

    def messages(self) -> list[Frame]:
        return [f for f in self.frames if f.get("type") == "message"]

    def close(self) -> None:
        self._connection.__exit__(None, None, None)

    def __enter__(self) -> WidgetSocket:
        return self

    def __exit__(self, *_exc: object) -> None:
        self.close()


def is_type(kind: str, **fields: Any) -> Callable[[Frame], bool]:
    return lambda f: f.get("type") == kind and all(f.get(k) == v for k, v in fields.items())


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def close_code(ws: ClientConnection, timeout: float = 5) -> int | None:
    """The code of the close frame the server sent, after the frames before it."""
    try:
        while True:
            ws.recv(timeout=timeout)
    except ConnectionClosed as closed:
        return closed.rcvd.code if closed.rcvd else None
