"""The console's pages and form actions. Thin: authorise, call a service, render or redirect."""

from __future__ import annotations

import secrets
import uuid
from typing import Annotated, Any

from fastapi import APIRouter, Query, Request
from fastapi.responses import FileResponse, Response
from sqlalchemy.ext.asyncio import AsyncSession

from shopchat.console import (
    admin,
    attachments,
    auth,
    live,
    orders,
    repository,
    routing,
    service,
    suggestions,
)
from shopchat.console.web import (
    HERE,
    acting,
    action_agent,
    chrome,
    done,
    is_https,
    page_agent,
    render,
    see_other,
    set_session_cookie,
)
from shopchat.kit.errors import BadInput, NotFound, RateLimited, Unauthorized
from shopchat.models import Contact, Site
from shopchat.services import Services, ServicesDep, client_ip

router = APIRouter(prefix="/console", tags=["console"])

LOGIN_PER_IP = (20, 300)  # attempts, seconds
# Per email from unknown browsers; a browser that signed in as that email before has its
# own budget, so guessing from elsewhere cannot lock the agent out (docs/console.md).
LOGIN_PER_EMAIL = (8, 300)
TOTP_DISABLE = (5, 300)
REFRESH_HEADER = "x-console-refresh"
STATIC = {  # the only files served from the console's static folder
    "console.js": "text/javascript",
    "console.css": "text/css",
}


async def _form(request: Request) -> dict[str, Any]:
    form = await request.form()
    return {k: v for k, v in form.items() if isinstance(v, str)}


def _uuid(raw: str | None, what: str) -> uuid.UUID:
    try:
        return uuid.UUID(str(raw))
    except ValueError:
        raise NotFound(f"{what} not found", code=f"{what}_not_found") from None


# --- sign-in ----------------------------------------------------------------------------


@router.get("/static/{name}")
async def static(name: str) -> FileResponse:
    if name not in STATIC:
        raise NotFound("no such file")
    return FileResponse(HERE / "static" / name, media_type=STATIC[name])


@router.get("/login")
async def login_page(request: Request) -> Response:
    token = secrets.token_urlsafe(24)
    response = render("login.html", csrf=token, error=None, email="")
    response.set_cookie(
        auth.LOGIN_CSRF_COOKIE,
        token,
        path="/console",
        secure=is_https(request),
        httponly=True,
        samesite="lax",
        max_age=3600,
    )
    return response


@router.post("/login")
async def login(request: Request, services: ServicesDep) -> Response:
    form = await _form(request)
    cookie = request.cookies.get(auth.LOGIN_CSRF_COOKIE)
    if not cookie or not auth.csrf_ok(cookie, form.get("csrf_token")):
        return render(
            "login.html",
            403,
            csrf=cookie or "",
            email="",
            error="Your sign-in form expired. Please try again.",
        )
    email = form.get("email", "").strip().lower()[:255]
    try:
        await _limit_logins(services, request, email)
    except RateLimited as exc:
        page = render("login.html", 429, csrf=cookie, email=email, error=exc.message)
        page.headers["retry-after"] = str(max(1, round(exc.retry_after)))
        return page
    failure: Unauthorized | None = None
    async with services.db.transaction() as session:
        try:
            agent = await auth.check_credentials(
                session,
                email=email,
                password=form.get("password", ""),
                code=form.get("code"),
                decryption_keys=services.settings.decryption_keys,
            )
        except Unauthorized as exc:
            await admin.failed_login(session, email=email, ip=client_ip(request), code=exc.code)
            failure = exc
        else:
            token = await auth.start_session(
                session,
                agent=agent,
                ip=client_ip(request),
                user_agent=request.headers.get("user-agent"),
            )
    if failure is not None:
        return render(
            "login.html",
            401,
            csrf=cookie,
            email=email,
            error=failure.message,
        )
    response = see_other("/console")
    set_session_cookie(response, request, token)
    response.delete_cookie(auth.LOGIN_CSRF_COOKIE, path="/console")
    response.set_cookie(
        auth.DEVICE_COOKIE,
        auth.device_token(email, services.settings.signing_key),
        max_age=auth.DEVICE_DAYS * 86400,
        path="/console/login",
        secure=is_https(request),
        httponly=True,
        samesite="lax",
    )
    return response


async def _limit_logins(services: Services, request: Request, email: str) -> None:
    device = auth.trusted_device(
        request.cookies.get(auth.DEVICE_COOKIE), email, services.settings.signing_key
    )
    for key, (limit, window) in (
        (f"console-login:ip:{client_ip(request)}", LOGIN_PER_IP),
        (
            f"console-login:device:{device}" if device else f"console-login:email:{email}",
            LOGIN_PER_EMAIL,
        ),
    ):
        retry = await services.limiter.hit(key, limit=limit, window_seconds=window)
        if retry:
            raise RateLimited("too many sign-in attempts; wait a few minutes", retry_after=retry)


@router.post("/logout")
async def logout(request: Request, services: ServicesDep) -> Response:
    form = await _form(request)
    async with services.db.transaction() as session:
        signed = await action_agent(session, request, form, key=services.settings.signing_key)
        await auth.end_session(session, signed)
    response = see_other("/console/login")
    response.delete_cookie(auth.SESSION_COOKIE, path="/console")
    return response


# --- the queue and conversations -------------------------------------------------------


@router.get("")
async def home(
    request: Request,
    services: ServicesDep,
    view: Annotated[str, Query(max_length=16)] = "queue",
    q: Annotated[str, Query(max_length=200)] = "",
) -> Response:
    async with services.db.transaction() as session:
        signed = await page_agent(session, request)
        context = await _list_context(session, signed, services, view, q, None)
    return render("list.html", **context)


@router.get("/list")
async def list_fragment(
    request: Request,
    services: ServicesDep,
    view: Annotated[str, Query(max_length=16)] = "queue",
    q: Annotated[str, Query(max_length=200)] = "",
    current: Annotated[str, Query(max_length=64)] = "",
) -> Response:
    """The conversation list alone, re-fetched by the console's script on live events."""
    async with services.db.transaction() as session:
        signed = await page_agent(session, request)
        context = await _list_context(session, signed, services, view, q, current or None)
    return render("_list.html", **context)


async def _list_context(
    session: AsyncSession,
    signed: auth.SignedIn,
    services: Services,
    view: str,
    q: str,
    current: str | None,
) -> dict[str, Any]:
    view = view if view in repository.VIEWS else "queue"
    if q.strip():
        view = "all"
    rows = await repository.list_conversations(
        session,
        account_id=signed.agent.account_id,
        agent_id=signed.agent.id,
        view=view,
        query=q.strip() or None,
    )
    return {
        **await chrome(session, signed, services),
        "view": view,
        "q": q,
        "rows": rows,
        "current": current,
    }


@router.get("/c/{conversation_id}")
async def conversation_page(
    conversation_id: str,
    request: Request,
    services: ServicesDep,
    view: Annotated[str, Query(max_length=16)] = "queue",
) -> Response:
    async with services.db.transaction() as session:
        signed = await page_agent(session, request)
        agent = signed.agent
        conversation = await service.load(session, agent, _uuid(conversation_id, "conversation"))
        site = await session.get(Site, conversation.site_id)
        contact = await session.get(Contact, conversation.contact_id)
        context = await _list_context(session, signed, services, view, "", str(conversation.id))
        assignee = (
            await session.get(repository.Agent, conversation.assignee_id)
            if conversation.assignee_id
            else None
        )
        canned = [
            (
                c,
                await service.fill_variables(
                    session, agent=agent, conversation=conversation, text=c.text
                ),
            )
            for c in await repository.canned_responses(session, agent.account_id)
        ]
        context.update(
            conversation=conversation,
            site=site,
            contact=contact,
            assignee=assignee,
            messages=await repository.messages(session, conversation.id),
            notes=await repository.notes(session, conversation.id),
            pending=await repository.pending_replies(session, conversation_id=conversation.id),
            past=await repository.past_conversations(session, conversation=conversation),
            agents=await repository.agents(session, agent.account_id),
            teams=await repository.teams(session, agent.account_id),
            canned=canned,
        )
    context["orders"] = await _panel_orders(request, services, site, contact)
    return render("conversation.html", **context)


async def _panel_orders(
    request: Request, services: Services, site: Site | None, contact: Contact | None
) -> orders.RecentOrders | None:
    # The script's partial refreshes never swap the panel: they need not wait for the shop.
    if site is None or contact is None or request.headers.get(REFRESH_HEADER):
        return None
    return await orders.recent_orders(services.stores, site=site, contact=contact)


async def _act(request: Request, services: Services, conversation_id: str, action: str) -> Response:
    form = await _form(request)
    cid = _uuid(conversation_id, "conversation")
    async with services.db.transaction() as session:
        agent = await acting(session, request, form, services)
        match action:
            case "claim":
                outcome = await service.claim(session, agent=agent, conversation_id=cid)
            case "reply":
                outcome = await service.reply(
                    session,
                    agent=agent,
                    conversation_id=cid,
                    text=form.get("text", ""),
                    attachment_ids=[i for i in form.get("attachments", "").split(",") if i],
                )
            case "note":
                outcome = await service.add_note(
                    session,
                    agent=agent,
                    conversation_id=cid,
                    text=form.get("text", ""),
                    whisper=form.get("whisper") in ("1", "on", "true"),
                )
            case "status":
                outcome = await service.set_status(
                    session, agent=agent, conversation_id=cid, action=form.get("action", "")
                )
            case "transfer":
                target = form.get("target", "")
                kind, _, raw = target.partition(":")
                if kind not in ("agent", "team") or not raw:
                    raise BadInput("choose an agent or a team", code="bad_target")
                outcome = await service.transfer(
                    session,
                    agent=agent,
                    conversation_id=cid,
                    to_agent_id=_uuid(raw, "agent") if kind == "agent" else None,
                    to_team_id=_uuid(raw, "team") if kind == "team" else None,
                    note=form.get("note"),
                )
    await live.publish(services.bus, outcome)
    held = any(e.get("type") == "pending_reply" for e in outcome.private)
    back = f"/console/c/{cid}" + ("?view=mine" if action in ("claim", "transfer") else "")
    return done(request, back, held=held)


@router.post("/c/{conversation_id}/claim")
async def claim(conversation_id: str, request: Request, services: ServicesDep) -> Response:
    return await _act(request, services, conversation_id, "claim")


@router.post("/c/{conversation_id}/reply")
async def reply(conversation_id: str, request: Request, services: ServicesDep) -> Response:
    return await _act(request, services, conversation_id, "reply")


@router.post("/c/{conversation_id}/notes")
async def note(conversation_id: str, request: Request, services: ServicesDep) -> Response:
    return await _act(request, services, conversation_id, "note")


@router.post("/c/{conversation_id}/status")
async def status(conversation_id: str, request: Request, services: ServicesDep) -> Response:
    return await _act(request, services, conversation_id, "status")


@router.post("/c/{conversation_id}/transfer")
async def transfer(conversation_id: str, request: Request, services: ServicesDep) -> Response:
    return await _act(request, services, conversation_id, "transfer")


@router.post("/pending/{pending_id}/review")
async def review(pending_id: str, request: Request, services: ServicesDep) -> Response:
    form = await _form(request)
    async with services.db.transaction() as session:
        agent = await acting(session, request, form, services)
        outcome = await service.review(
            session,
            agent=agent,
            pending_id=_uuid(pending_id, "pending"),
            approve=form.get("decision") == "approve",
            text=form.get("text"),
        )
    await live.publish(services.bus, outcome)
    return done(request, f"/console/c/{outcome.conversation_id}")


@router.post("/availability")
async def availability(request: Request, services: ServicesDep) -> Response:
    form = await _form(request)
    async with services.db.transaction() as session:
        agent = await acting(session, request, form, services)
        outcomes = await service.set_availability(
            session, agent=agent, availability=form.get("availability", "")
        )
    for outcome in outcomes:
        await live.publish(services.bus, outcome)
    if agent.availability == "online":
        await routing.offer_waiting(services.db, services.bus, agent.account_id)
    return done(request, request.headers.get("referer") or "/console")


@router.get("/security")
async def security_page(request: Request, services: ServicesDep) -> Response:
    async with services.db.transaction() as session:
        signed = await page_agent(session, request)
        context = await chrome(session, signed, services)
        context["totp_on"] = await auth.totp_enabled(session, signed.agent)
    return render("security.html", secret=None, uri=None, **context)


@router.post("/security/totp")
async def security_totp(request: Request, services: ServicesDep) -> Response:
    form = await _form(request)
    key = services.settings.encryption_key_bytes
    async with services.db.transaction() as session:
        signed = await action_agent(session, request, form, key=services.settings.signing_key)
        agent = signed.agent
        step = form.get("step")
        if step == "start":
            secret = await auth.begin_totp(session, agent=agent, encryption_key=key)
            context = await chrome(session, signed, services)
            uri = auth.totp.provisioning_uri(secret, account=agent.email)
            return render("security.html", secret=secret, uri=uri, totp_on=False, **context)
        if step == "confirm":
            await auth.confirm_totp(
                session,
                agent=agent,
                code=form.get("code", ""),
                decryption_keys=services.settings.decryption_keys,
            )
        elif step == "disable":
            limit, window = TOTP_DISABLE  # the form would otherwise test passwords for a thief
            bucket = f"totp-disable:{agent.id}"
            if retry := await services.limiter.hit(bucket, limit=limit, window_seconds=window):
                raise RateLimited("too many attempts; wait a few minutes", retry_after=retry)
            await auth.disable_totp(
                session,
                agent=agent,
                password=form.get("password", ""),
                code=form.get("code", ""),
                decryption_keys=services.settings.decryption_keys,
            )
        else:
            raise BadInput("unknown step", code="bad_step")
    return done(request, "/console/security")


router.include_router(admin.router)
router.include_router(suggestions.router)
router.include_router(attachments.router)
