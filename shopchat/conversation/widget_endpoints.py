"""The widget's HTTP API: open a session, and the long-poll fallback of the WebSocket."""

from __future__ import annotations

import uuid
from typing import Annotated, Any

from fastapi import APIRouter, Header, Query, Request, Response
from pydantic import BaseModel, Field

from shopchat.conversation.frames import FrameError, message_frame, validate_message
from shopchat.conversation.service import language_from_locale
from shopchat.conversation.tokens import SessionClaims, issue_session_token, read_session_token
from shopchat.conversation.widget_config import widget_config
from shopchat.kit.errors import BadInput, Forbidden, NotFound, RateLimited, Unauthorized
from shopchat.kit.identity import IdentityError, verify_identity
from shopchat.kit.untrusted import MAX_INT64
from shopchat.observability import metrics
from shopchat.services import ServicesDep, client_ip
from shopchat.site import repository as sites
from shopchat.site.service import identity_secret, origin_allowed

router = APIRouter(prefix="/api/v1/widget", tags=["widget"])


class PageContext(BaseModel):
    url: str = Field(default="", max_length=2048)
    title: str = Field(default="", max_length=500)


class SessionContext(BaseModel):
    page: PageContext | None = None
    locale: str | None = Field(default=None, max_length=35)


class SessionCreate(BaseModel):
    site_key: str = Field(min_length=1, max_length=64)
    identity: str | None = Field(default=None, max_length=16384)
    session_id: str | None = Field(default=None, max_length=64)
    context: SessionContext | None = None


class SessionRead(BaseModel):
    session_token: str
    session_id: str
    conversation_id: str
    status: str
    config: dict[str, Any]
    messages: list[dict[str, Any]]


class MessageCreate(BaseModel):
    client_id: Any = None
    text: Any = ""
    attachments: Any = None


@router.post("/session", response_model=SessionRead)
async def open_session(body: SessionCreate, request: Request, services: ServicesDep) -> SessionRead:
    """Open (or continue) the visitor's conversation and hand out a session token."""
    settings = services.settings
    retry_after = await services.limiter.hit(
        f"session:{client_ip(request)}",
        limit=settings.sessions_per_ip_per_minute,
        window_seconds=60,
    )
    if retry_after:
        raise RateLimited("too many sessions from this address", retry_after=retry_after)
    session_id = _session_id(body.session_id)
    context = body.context or SessionContext()
    async with services.db.transaction() as session:
        site = await sites.get_site_by_key(session, body.site_key)
        if site is None:
            raise NotFound("unknown site key", code="site_not_found")
        if not origin_allowed(site, request.headers.get("origin")):
            raise Forbidden(
                "this page's origin is not allowed for the site", code="origin_not_allowed"
            )
        identity = None
        if body.identity:
            secret = identity_secret(site, settings.decryption_keys)
            try:
                identity = verify_identity(body.identity, site_key=site.site_key, secret=secret)
            except IdentityError as exc:
                raise Unauthorized(str(exc), code="identity_invalid") from None
        elif site.enforce_identity:
            raise Unauthorized(
                "this site accepts signed-in customers only", code="identity_required"
            )
        language = language_from_locale(context.locale)
        opened = await services.chat.open_conversation(
            session,
            site=site,
            identity=identity,
            session_id=session_id,
            language=language,
            page=context.page.model_dump() if context.page else None,
        )
        config = widget_config(site, opened.contact, language or opened.conversation.language)
    metrics.sessions_opened.labels(verified=str(identity is not None).lower()).inc()
    claims = SessionClaims(
        site_id=site.id,
        conversation_id=opened.conversation.id,
        contact_id=opened.contact.id,
        session_id=session_id,
        verified=identity is not None,
    )
    return SessionRead(
        session_token=issue_session_token(
            claims, key=settings.signing_key, ttl_seconds=settings.session_token_ttl_seconds
        ),
        session_id=str(session_id),
        conversation_id=str(opened.conversation.id),
        status=opened.conversation.status,
        config=config,
        messages=[message_frame(m) for m in opened.messages],
    )


def bearer_claims(services: ServicesDep, authorization: str | None) -> SessionClaims:
    scheme, _, token = (authorization or "").partition(" ")
    if scheme.lower() != "bearer":
        raise Unauthorized(
            "send the session token as 'Authorization: Bearer …'", code="session_invalid"
        )
    return read_session_token(token.strip(), key=services.settings.signing_key)


@router.post("/messages", status_code=201)
async def post_message(
    body: MessageCreate,
    request: Request,
    response: Response,
    services: ServicesDep,
    authorization: Annotated[str | None, Header()] = None,
) -> dict[str, Any]:
    """Send a message without a WebSocket; the same client_id twice stores it once."""
    claims = bearer_claims(services, authorization)
    if wait := await services.chat.take_frame(claims):
        raise RateLimited(f"too many messages; retry in {wait:.1f}s", retry_after=wait)
    try:
        message = validate_message(body.model_dump(), services.settings.max_message_chars)
    except FrameError as exc:
        raise BadInput(exc.message, code=exc.code) from None
    stored, created = await services.chat.post_customer_message(
        claims, message, client_address=client_ip(request)
    )
    if not created:
        response.status_code = 200
    return {
        "ack": {"type": "ack", "client_id": message.client_id, "seq": stored.seq},
        "message": message_frame(stored),
    }


@router.get("/messages")
async def poll_messages(
    services: ServicesDep,
    authorization: Annotated[str | None, Header()] = None,
    after_seq: Annotated[int, Query(ge=0, le=MAX_INT64)] = 0,
    wait: Annotated[float, Query(ge=0, le=120)] = 0,
) -> dict[str, Any]:
    """Messages after ``after_seq``; with ``wait``, hold the request until one arrives."""
    claims = bearer_claims(services, authorization)
    wait = min(wait, services.settings.long_poll_max_seconds)
    polled = services.chat.wait_for_messages(claims, after_seq=after_seq, wait=wait)
    if not wait:
        return {"messages": [message_frame(m) for m in await polled]}
    with metrics.long_polls.track_inprogress():
        # A stopping process answers at once, empty: the client polls again, elsewhere.
        messages = await services.shutdown.unless_stopping(polled, default=[])
    return {"messages": [message_frame(m) for m in messages]}


def _session_id(raw: str | None) -> uuid.UUID:
    if not raw:
        return uuid.uuid4()
    try:
        return uuid.UUID(raw)
    except ValueError:
        raise BadInput("session_id must be a UUID", code="bad_session_id") from None
