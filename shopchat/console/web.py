"""Plumbing of the console's pages: templates, security headers, sign-in and CSRF checks."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import Any

from fastapi import HTTPException, Request
from fastapi.responses import HTMLResponse, JSONResponse, RedirectResponse, Response
from jinja2 import Environment, FileSystemLoader, select_autoescape
from sqlalchemy.ext.asyncio import AsyncSession

from shopchat.console import auth, repository, service
from shopchat.kit.errors import Forbidden, Unauthorized
from shopchat.models.base import utcnow
from shopchat.models.tables import Agent
from shopchat.services import Services

HERE = Path(__file__).parent
CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    # CSP 3: 'self' covers ws: and wss: to this host, and nothing else.
    "connect-src 'self'; frame-ancestors 'none'; form-action 'self'; base-uri 'none'"
)
SECURITY_HEADERS = {
    "content-security-policy": CSP,
    "x-frame-options": "DENY",
    "x-content-type-options": "nosniff",
    "referrer-policy": "same-origin",
    "cache-control": "no-store",
}

templates = Environment(
    loader=FileSystemLoader(HERE / "templates"),
    autoescape=select_autoescape(["html"], default_for_string=True, default=True),
    trim_blocks=True,
    lstrip_blocks=True,
)


def ago(moment: datetime | None) -> str:
    if moment is None:
        return ""
    seconds = max(0, int((utcnow() - moment).total_seconds()))
    if seconds < 60:
        return f"{seconds}s"
    if seconds < 3600:
        return f"{seconds // 60} min"
    if seconds < 86400:
        return f"{seconds // 3600} h {seconds % 3600 // 60} min"
    return f"{seconds // 86400} d"


templates.filters["ago"] = ago


def render(name: str, status_code: int = 200, **context: Any) -> HTMLResponse:
    html = templates.get_template(name).render(**context)
    return HTMLResponse(html, status_code=status_code, headers=SECURITY_HEADERS)


def is_https(request: Request) -> bool:
    return request.url.scheme == "https"


def set_session_cookie(response: Response, request: Request, token: str) -> None:
    response.set_cookie(
        auth.SESSION_COOKIE,
        token,
        max_age=auth.SESSION_HOURS * 3600,
        path="/console",
        secure=is_https(request),
        httponly=True,
        samesite="lax",
    )


def see_other(url: str) -> RedirectResponse:
    return RedirectResponse(url, status_code=303, headers=SECURITY_HEADERS)


async def page_agent(session: AsyncSession, request: Request) -> auth.SignedIn:
    """For pages: the signed-in agent, or a redirect to the sign-in page."""
    signed = await auth.signed_in(session, request.cookies.get(auth.SESSION_COOKIE))
    if signed is None:
        raise HTTPException(status_code=303, headers={"Location": "/console/login"})
    return signed


async def action_agent(
    session: AsyncSession, request: Request, form: dict[str, Any] | None, *, key: str
) -> auth.SignedIn:
    """For POSTs: the signed-in agent, after checking the request's CSRF token."""
    signed = await auth.signed_in(session, request.cookies.get(auth.SESSION_COOKIE))
    if signed is None:
        raise Unauthorized("sign in first", code="signed_out")
    given = request.headers.get("x-csrf-token") or (form or {}).get("csrf_token")
    expected = auth.csrf_token_for(signed.session.token_hash, key)
    if not auth.csrf_ok(expected, given):
        raise Forbidden("the form's security token is missing or stale; reload", code="csrf")
    return signed


def wants_json(request: Request) -> bool:
    return request.headers.get("x-requested-with") == "fetch"


def done(request: Request, back: str, **data: Any) -> Response:
    if wants_json(request):
        return JSONResponse({"ok": True, **data}, headers=SECURITY_HEADERS)
    return see_other(back)


async def chrome(session: AsyncSession, signed: auth.SignedIn, services: Services) -> dict:
    """What every page's frame shows: who is signed in, the CSRF token, the queue size."""
    agent = signed.agent
    queue = await repository.list_conversations(
        session, account_id=agent.account_id, agent_id=agent.id, view="queue"
    )
    return {
        "me": agent,
        "csrf": auth.csrf_token_for(signed.session.token_hash, services.settings.signing_key),
        "queue_count": len(queue),
        "is_supervisor": service.is_supervisor(agent),
        "is_admin": agent.role in service.ADMINS,
    }


async def acting(
    session: AsyncSession, request: Request, form: dict[str, Any], services: Services
) -> Agent:
    """The agent behind a form POST, after the sign-in and CSRF checks."""
    return (await action_agent(session, request, form, key=services.settings.signing_key)).agent
