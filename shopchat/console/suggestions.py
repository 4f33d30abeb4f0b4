"""The console's FAQ suggestions page: supervisors review what the agents keep answering.

Thin over ``shopchat.knowledge.suggestions``: list a site's ``suggested`` entries, approve
(optionally edited) or reject one, or cluster the resolved conversations for new ones.
Every action is in the audit log; every entry is looked up within the agent's account.
"""

from __future__ import annotations

import uuid

from fastapi import APIRouter, Request
from fastapi.responses import Response

from shopchat.console import audit, repository, service
from shopchat.console.web import acting, chrome, done, page_agent, render
from shopchat.kit.errors import BadInput, NotFound
from shopchat.knowledge import suggestions
from shopchat.services import ServicesDep

router = APIRouter()
MAX_TITLE = 500
MAX_BODY = 8000


def _uuid(raw: str | None) -> uuid.UUID:
    try:
        return uuid.UUID(str(raw))
    except ValueError:
        raise NotFound("suggestion not found", code="suggestion_not_found") from None


async def _form(request: Request) -> dict[str, str]:
    return {k: v for k, v in (await request.form()).items() if isinstance(v, str)}


@router.get("/suggestions")
async def suggestions_page(request: Request, services: ServicesDep) -> Response:
    async with services.db.transaction() as session:
        signed = await page_agent(session, request)
        service.require_supervisor(signed.agent)
        context = await chrome(session, signed, services)
        sites = await repository.account_sites(session, signed.agent.account_id)
        pending = [(s, await suggestions.list_suggested(session, site_id=s.id)) for s in sites]
    return render("suggestions.html", pending=pending, **context)


@router.post("/suggestions/generate")
async def generate(request: Request, services: ServicesDep) -> Response:
    """Cluster the resolved conversations of one site (or all the account's) into suggestions."""
    form = await _form(request)
    async with services.db.transaction() as session:
        actor = await acting(session, request, form, services)
        service.require_supervisor(actor)
        sites = await repository.account_sites(session, actor.account_id)
        if wanted := form.get("site_id"):
            sites = [s for s in sites if str(s.id) == wanted]
            if not sites:
                raise NotFound("site not found", code="site_not_found")
        added = 0
        for site in sites:
            count = len(await suggestions.suggest(session, site_id=site.id))
            added += count
            await audit.record(
                session,
                agent=actor,
                kind="knowledge.suggestions_generated",
                site_id=site.id,
                data={"site": site.name, "added": count},
            )
    return done(request, "/console/suggestions", added=added)


@router.post("/suggestions/{entry_id}")
async def decide(entry_id: str, request: Request, services: ServicesDep) -> Response:
    """Approve (with the form's title and body, if edited) or reject one suggestion."""
    form = await _form(request)
    decision = form.get("decision")
    if decision not in ("approve", "reject"):
        raise BadInput("approve or reject", code="bad_decision")
    title, body = form.get("title", "").strip(), form.get("body", "").strip()
    if len(title) > MAX_TITLE or len(body) > MAX_BODY:
        raise BadInput(f"a title of at most {MAX_TITLE} and a text of {MAX_BODY} characters")
    async with services.db.transaction() as session:
        actor = await acting(session, request, form, services)
        service.require_supervisor(actor)
        found = await repository.suggestion_in_account(
            session, account_id=actor.account_id, entry_id=_uuid(entry_id)
        )
        if found is None:
            raise NotFound("suggestion not found", code="suggestion_not_found")
        before = (found.title, found.body)
        entry = await suggestions.review(
            session,
            site_id=found.site_id,
            entry_id=found.id,
            approve=decision == "approve",
            title=title or None,
            body=body or None,
        )
        await audit.record(
            session,
            agent=actor,
            kind=f"knowledge.suggestion_{entry.status}",
            site_id=entry.site_id,
            data={
                "entry": str(entry.id),
                "title": entry.title[:200],
                "edited": (entry.title, entry.body) != before,
            },
        )
    return done(request, "/console/suggestions", status=entry.status)
