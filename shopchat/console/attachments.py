"""Files in the console: agents attach them to replies and open what customers sent.

The checks are the customers' (``shopchat.attachment``): real type by magic bytes, the
size limit, metadata stripped, stored under the data dir. An agent reaches only the
conversations of its own account's sites; anything else is not found.
"""

from __future__ import annotations

import uuid
from typing import Annotated, Any

from fastapi import APIRouter, Query, Request
from fastapi.responses import JSONResponse, Response

from shopchat.attachment import service as attachments
from shopchat.attachment.responses import file_response
from shopchat.attachment.upload import read_upload
from shopchat.console import auth, service
from shopchat.console.web import SECURITY_HEADERS, action_agent
from shopchat.kit.errors import Forbidden, NotFound, RateLimited, Unauthorized
from shopchat.services import Services, ServicesDep

router = APIRouter()
UPLOADS_PER_AGENT_PER_HOUR = 60


@router.post("/attachments", status_code=201)
async def upload(
    request: Request,
    services: ServicesDep,
    conversation_id: Annotated[str, Query(max_length=64)],
) -> Response:
    """Multipart ``file``, with the X-CSRF-Token header, for a reply."""
    cid = _conversation_uuid(conversation_id)
    # Who may upload where is settled before a byte of the body is read.
    async with services.db.transaction() as session:
        signed = await action_agent(session, request, None, key=services.settings.signing_key)
        conversation = await service.load(session, signed.agent, cid)
        if signed.agent.role == "trainee":
            raise Forbidden("held replies cannot carry files yet", code="role_required")
        await _limit(services, signed.agent.id)
    sent = await read_upload(request)
    attachment = await attachments.save(
        services.db,
        data_dir=services.settings.data_dir,
        site_id=conversation.site_id,
        conversation_id=conversation.id,
        filename=sent.filename,
        data=sent.data,
    )
    body: dict[str, Any] = attachments.read_public(attachment)
    return JSONResponse(body, status_code=201, headers=SECURITY_HEADERS)


@router.get("/attachments/{attachment_id}")
async def download(attachment_id: str, request: Request, services: ServicesDep) -> Response:
    """A file of any conversation of the agent's account, customer's or agent's."""
    async with services.db.transaction() as session:
        signed = await auth.signed_in(session, request.cookies.get(auth.SESSION_COOKIE))
        if signed is None:
            raise Unauthorized("sign in first", code="signed_out")
        attachment = await attachments.attachment_for_account(
            session, account_id=signed.agent.account_id, attachment_id=attachment_id
        )
    return file_response(services.settings.data_dir, attachment)


async def _limit(services: Services, agent_id: uuid.UUID) -> None:
    retry = await services.limiter.hit(
        f"console-upload:{agent_id}", limit=UPLOADS_PER_AGENT_PER_HOUR, window_seconds=3600
    )
    if retry:
        raise RateLimited("too many uploads; try again later", retry_after=retry)


def _conversation_uuid(raw: str) -> uuid.UUID:
    try:
        return uuid.UUID(raw)
    except ValueError:
        raise NotFound("conversation not found", code="conversation_not_found") from None
