"""HTTP plumbing shared by every route: error bodies, body-size limit, widget CORS."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Iterable
from typing import Any

from fastapi import FastAPI, HTTPException, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.requests import HTTPConnection
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from shopchat.kit import untrusted
from shopchat.kit.errors import RateLimited, ShopchatError

MAX_BODY_BYTES = 64 * 1024
# Uploads are read (and capped at their own limit) by their endpoints.
_UPLOAD_PATHS = ("/api/v1/widget/attachments", "/console/attachments")
# WooCommerce sends whole orders (line items, meta_data of every plugin) to webhooks.
_LARGER_BODY_PATHS = (("/api/v1/webhooks/", 1024 * 1024),)
_RAW_BODY_PATHS = (*_UPLOAD_PATHS, "/api/v1/webhooks/")
_WIDGET_API = "/api/v1/widget/"
# Two years, the preload list's minimum; sent in production only, where TLS is required.
HSTS = b"max-age=63072000; includeSubDomains"


def install_error_handlers(app: FastAPI) -> None:
    @app.exception_handler(ShopchatError)
    async def _typed(_request: Request, exc: ShopchatError) -> JSONResponse:
        headers = {}
        if isinstance(exc, RateLimited):
            headers["Retry-After"] = str(max(1, round(exc.retry_after)))
        return JSONResponse({"error": exc.to_dict()}, status_code=exc.status, headers=headers)

    @app.exception_handler(RequestValidationError)
    async def _invalid(_request: Request, exc: RequestValidationError) -> JSONResponse:
        return JSONResponse(
            {"error": {"code": "invalid_request", "message": _summary(exc.errors())}},
            status_code=422,
        )


async def refuse_unstorable_input(connection: HTTPConnection) -> None:
    """An app-wide dependency: a query, form or JSON body holding NUL or a lone surrogate
    is refused with 422.

    Pydantic passes such strings through, and PostgreSQL refuses them deep inside a query
    or a write; one check here covers every route, present and future. Uploads and
    webhooks read their own bodies, after checking the sender.
    """
    _refuse_unless_text("query", connection.query_params.multi_items())
    if not isinstance(connection, Request) or connection.method not in _BODY_METHODS:
        return
    if connection.url.path.startswith(_RAW_BODY_PATHS):
        return  # read by the endpoint itself, after it checked the sender
    content_type = connection.headers.get("content-type", "")
    if content_type.startswith("application/x-www-form-urlencoded"):
        await connection.body()  # kept, so an endpoint may still read the raw body
        form = await connection.form()  # kept too, for an endpoint that reads the form
        _refuse_unless_text("form", ((k, v) for k, v in form.multi_items() if isinstance(v, str)))
    elif "json" in content_type:
        await _refuse_unstorable_json(connection)


def _refuse_unless_text(where: str, items: Iterable[tuple[str, str]]) -> None:
    for name, value in items:
        if not (untrusted.is_text(name) and untrusted.is_text(value)):
            raise RequestValidationError(
                [{"loc": (where, untrusted.scrub(name)), "msg": untrusted.UNSTORABLE}]
            )


async def _refuse_unstorable_json(request: Request) -> None:
    body = await request.body()
    if not untrusted.may_be_unstorable(body):
        return
    try:
        parsed = await request.json()
    except (ValueError, RecursionError):
        return  # not JSON: the route's own parsing answers that
    if not untrusted.is_storable(parsed):
        raise RequestValidationError([{"loc": ("body",), "msg": untrusted.UNSTORABLE}])


_BODY_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})


def _summary(errors: Any) -> str:
    parts = []
    for error in list(errors)[:3]:
        where = ".".join(str(p) for p in error.get("loc", ()) if p != "body")
        parts.append(f"{where}: {error.get('msg')}" if where else str(error.get("msg")))
    return "; ".join(parts) or "invalid request"


class BodyLimit:
    """Refuse request bodies over a limit with 413 before they are read into memory, and
    bodies that trickle in slower than ``chunk_timeout`` seconds a chunk with 408.

    uvicorn has no timeout of its own for a slow body; a reverse proxy must bound slow
    headers (docs/operations.md, "Behind a reverse proxy").
    """

    def __init__(
        self, app: ASGIApp, *, limit: int = MAX_BODY_BYTES, chunk_timeout: float = 30.0
    ) -> None:
        self.app = app
        self.limit = limit
        self.chunk_timeout = chunk_timeout

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        is_upload = scope["path"].startswith(_UPLOAD_PATHS)  # capped by their endpoints
        limit = next(
            (size for prefix, size in _LARGER_BODY_PATHS if scope["path"].startswith(prefix)),
            self.limit,
        )
        declared = dict(scope["headers"]).get(b"content-length")
        if (
            not is_upload
            and declared is not None
            and (not declared.isdigit() or int(declared) > limit)
        ):
            await _error(send, 413, "too_large", f"request body is larger than {limit} bytes")
            return
        received = 0
        complete = False

        async def limited() -> Message:
            nonlocal received, complete
            if complete:  # what follows the body is the disconnect, which may take any time
                return await receive()
            try:
                message = await asyncio.wait_for(receive(), self.chunk_timeout)
            except TimeoutError:
                raise _BodyTooSlow("the request body arrived too slowly") from None
            complete = not message.get("more_body", False)
            received += len(message.get("body", b""))
            if received > limit and not is_upload:
                raise _BodyTooLarge(f"request body is larger than {limit} bytes")
            return message

        try:
            await self.app(scope, limited, send)
        except _BodyReadError as exc:  # read outside a route's own handling
            await _error(send, exc.status, exc.code, exc.message)


class _BodyReadError(ShopchatError, HTTPException):
    """Raised while a route reads its body. FastAPI turns any other exception there into a
    bare 400; an HTTPException it passes on, and its first base picks our handler."""

    def __init__(self, message: str) -> None:
        ShopchatError.__init__(self, message)
        HTTPException.__init__(self, status_code=self.status, detail=message)


class _BodyTooLarge(_BodyReadError):
    status = 413
    code = "too_large"


class _BodyTooSlow(_BodyReadError):
    status = 408
    code = "too_slow"


async def _error(send: Send, status: int, code: str, message: str) -> None:
    body = json.dumps({"error": {"code": code, "message": message}}).encode()
    await send(
        {
            "type": "http.response.start",
            "status": status,
            "headers": [(b"content-type", b"application/json"), (b"connection", b"close")],
        }
    )
    await send({"type": "http.response.body", "body": body})


class SecurityHeaders:
    """Headers every response carries: ``nosniff`` always, and HSTS in production."""

    def __init__(self, app: ASGIApp, *, hsts: bool) -> None:
        self.app = app
        self.extra = [(b"x-content-type-options", b"nosniff")]
        if hsts:
            self.extra.append((b"strict-transport-security", HSTS))

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                present = {name.lower() for name, _ in message.get("headers", [])}
                message["headers"] = [
                    *message.get("headers", []),
                    *(header for header in self.extra if header[0] not in present),
                ]
            await send(message)

        await self.app(scope, receive, with_headers)


class WidgetCors:
    """CORS for the widget API: any origin may ask; each endpoint decides (site origins).

    The widget authenticates with a bearer session token, never a cookie, so echoing the
    Origin exposes nothing ambient; the session endpoint checks the site's allowed origins.
    """

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or not scope["path"].startswith(_WIDGET_API):
            await self.app(scope, receive, send)
            return
        origin = dict(scope["headers"]).get(b"origin")
        if origin is None:
            await self.app(scope, receive, send)
            return
        cors = [
            (b"access-control-allow-origin", origin),
            (b"vary", b"Origin"),
        ]
        if scope["method"] == "OPTIONS":
            await send(
                {
                    "type": "http.response.start",
                    "status": 204,
                    "headers": [
                        *cors,
                        (b"access-control-allow-methods", b"GET, POST, OPTIONS"),
                        (b"access-control-allow-headers", b"authorization, content-type"),
                        (b"access-control-max-age", b"600"),
                    ],
                }
            )
            await send({"type": "http.response.body", "body": b""})
            return

        async def with_cors(message: Message) -> None:
            if message["type"] == "http.response.start":
                message["headers"] = [*message.get("headers", []), *cors]
            await send(message)

        await self.app(scope, receive, with_cors)
