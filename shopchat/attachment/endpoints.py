"""Upload an attachment with the widget's session token; download it with the same token."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Header, Request, Response

from shopchat.attachment import service
from shopchat.attachment.responses import file_response
from shopchat.attachment.upload import read_upload
from shopchat.conversation.widget_endpoints import bearer_claims
from shopchat.kit.errors import RateLimited
from shopchat.services import ServicesDep

router = APIRouter(tags=["attachments"])

UPLOADS_PER_CONVERSATION_PER_HOUR = 30


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
    async with services.db.transaction() as session:
        await service.own_conversation(session, claims)  # before the body is read
    upload = await read_upload(request)
    attachment = await service.save(
        services.db,
        data_dir=services.settings.data_dir,
        site_id=claims.site_id,
        conversation_id=claims.conversation_id,
        filename=upload.filename,
        data=upload.data,
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
    return file_response(services.settings.data_dir, attachment, _cors(request))


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
