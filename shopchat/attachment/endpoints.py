"""Upload an attachment with the widget's session token; download it with the same token."""

from __future__ import annotations

from typing import Annotated, Any
from urllib.parse import quote

from fastapi import APIRouter, Header, Request, Response
from fastapi.responses import FileResponse
from starlette.datastructures import UploadFile
from starlette.types import Message

from shopchat.attachment import files, service, storage
from shopchat.conversation.widget_endpoints import bearer_claims
from shopchat.kit.errors import BadInput, NotFound, PayloadTooLarge, RateLimited
from shopchat.services import ServicesDep

router = APIRouter(tags=["attachments"])

UPLOADS_PER_CONVERSATION_PER_HOUR = 30
_MULTIPART_OVERHEAD = 16 * 1024


@router.post("/api/v1/widget/attachments", status_code=201)
async def upload(
    request: Request,
    services: ServicesDep,
    authorization: Annotated[str | None, Header()] = None,
) -> dict[str, Any]:
    """Multipart ``file``: PNG, JPEG, WebP, GIF or PDF, at most 10 MB."""
    claims = bearer_claims(services, authorization)
    retry_after = await services.limiter.hit(
        f"upload:{claims.conversation_id}",
        limit=UPLOADS_PER_CONVERSATION_PER_HOUR,
        window_seconds=3600,
    )
    if retry_after:
        raise RateLimited("too many uploads; try again later", retry_after=retry_after)
    name, data = await _read_file(request)
    async with services.db.transaction() as session:
        attachment = await service.store_upload(
            session,
            data_dir=services.settings.data_dir,
            claims=claims,
            filename=name,
            data=data,
        )
        return service.read_public(attachment)


@router.get("/api/v1/attachments/{attachment_id}")
async def download(
    attachment_id: str,
    request: Request,
    services: ServicesDep,
    authorization: Annotated[str | None, Header()] = None,
) -> Response:
    """The file, to the session token of the conversation it was sent in."""
    claims = bearer_claims(services, authorization)
    async with services.db.transaction() as session:
        attachment = await service.attachment_for(
            session, claims=claims, attachment_id=attachment_id
        )
    path = storage.path_of(services.settings.data_dir, attachment.storage_key)
    if not path.is_file():
        raise NotFound("attachment not found", code="attachment_not_found")
    disposition = "inline" if attachment.content_type.startswith("image/") else "attachment"
    return FileResponse(
        path,
        media_type=attachment.content_type,
        headers={
            "Content-Disposition": f"{disposition}; filename*=UTF-8''{quote(attachment.filename)}",
            "Cache-Control": "private, max-age=3600",
            "X-Content-Type-Options": "nosniff",
            "Content-Security-Policy": "default-src 'none'; sandbox",
            **_cors(request),
        },
    )


@router.options("/api/v1/attachments/{attachment_id}", include_in_schema=False)
async def download_preflight(attachment_id: str, request: Request) -> Response:
    headers = {
        **_cors(request),
        "Access-Control-Allow-Methods": "GET, OPTIONS",
        "Access-Control-Allow-Headers": "authorization",
        "Access-Control-Max-Age": "600",
    }
    return Response(status_code=204, headers=headers)


def _cors(request: Request) -> dict[str, str]:
    # The bearer token, never a cookie, authorises the download: echoing Origin is safe.
    origin = request.headers.get("origin")
    return {"Access-Control-Allow-Origin": origin, "Vary": "Origin"} if origin else {}


async def _read_file(request: Request) -> tuple[str | None, bytes]:
    """The ``file`` part, refusing more than the size limit before it is all read."""
    limit = files.MAX_BYTES + _MULTIPART_OVERHEAD
    declared = request.headers.get("content-length")
    if declared is not None and (not declared.isdigit() or int(declared) > limit):
        raise _too_large()
    body = bytearray()
    async for chunk in request.stream():
        body.extend(chunk)
        if len(body) > limit:
            raise _too_large()
    replayed = False

    async def replay() -> Message:
        nonlocal replayed
        if replayed:
            return {"type": "http.disconnect"}
        replayed = True
        return {"type": "http.request", "body": bytes(body), "more_body": False}

    try:
        form = await Request(request.scope, replay).form(max_files=1, max_fields=4)
    except Exception:
        raise BadInput("send the file as multipart/form-data", code="bad_upload") from None
    part = form.get("file")
    if not isinstance(part, UploadFile):
        raise BadInput("send the file in a form field named 'file'", code="bad_upload")
    data = await part.read()
    await form.close()
    if len(data) > files.MAX_BYTES:
        raise _too_large()
    return part.filename, data


def _too_large() -> PayloadTooLarge:
    megabytes = files.MAX_BYTES // (1024 * 1024)
    return PayloadTooLarge(f"files can be at most {megabytes} MB", code="file_too_large")
