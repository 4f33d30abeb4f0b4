"""Admin pages of the console: agents and their sessions, teams, canned replies, integrations,
the audit log. Every change is written to the audit log in its own transaction."""

from __future__ import annotations

import json
import re
import uuid
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import Response
from sqlalchemy import delete, select
from sqlalchemy.ext.asyncio import AsyncSession

from shopchat.agent import service as agents
from shopchat.console import audit, auth, live, repository, service
from shopchat.console.web import (
    acting,
    action_agent,
    chrome,
    done,
    page_agent,
    render,
    wants_json,
)
from shopchat.kit import crypto, untrusted
from shopchat.kit.errors import BadInput, Conflict, NotFound, RateLimited
from shopchat.kit.outbound import Refused
from shopchat.models import Event
from shopchat.models.tables import Agent, CannedResponse, Team, TeamMember
from shopchat.notify import rules
from shopchat.notify.outbox import CHANNELS
from shopchat.services import Services, ServicesDep

router = APIRouter()
AGENT_CREATES = (30, 3600)  # per account: bounds probing which emails are taken
_SHORTCUT = re.compile(r"^[a-z0-9_-]{1,40}$")


async def failed_login(session: AsyncSession, *, email: str, ip: str, code: str) -> None:
    """Audit a failed sign-in when the email belongs to an agent (its account owns the log)."""
    agent = await session.scalar(select(Agent).where(Agent.email == email))
    if agent is not None:
        await audit.record(
            session, agent=agent, kind="agent.login_failed", data={"ip": ip, "reason": code}
        )


def _uuid(raw: str | None) -> uuid.UUID:
    try:
        return uuid.UUID(str(raw))
    except ValueError:
        raise NotFound("not found") from None


@router.get("/team")
async def team_page(request: Request, services: ServicesDep) -> Response:
    async with services.db.transaction() as session:
        signed = await page_agent(session, request)
        service.require_admin(signed.agent)
        account_id = signed.agent.account_id
        teams = await repository.teams(session, account_id)
        members = {t.id: set(await repository.team_members(session, t.id)) for t in teams}
        context = await chrome(session, signed, services)
        context.update(
            agents=await repository.agents(session, account_id),
            sessions=await repository.live_session_counts(session, account_id),
            teams=teams,
            members=members,
            sites=await repository.account_sites(session, account_id),
            roles=agents.ROLES,
            rank=agents.RANK,
        )
    return render("team.html", **context)


@router.post("/agents")
async def create_agent(request: Request, services: ServicesDep) -> Response:
    form = {k: v for k, v in (await request.form()).items() if isinstance(v, str)}
    async with services.db.transaction() as session:
        actor = await acting(session, request, form, services)
        role = form.get("role", "agent")
        agents.require_may_give(actor, role)
        sites = await repository.account_sites(session, actor.account_id)
        if not sites:
            raise BadInput("the account has no site yet", code="no_site")
        limit, window = AGENT_CREATES
        key = f"agent-create:{actor.account_id}"
        if retry := await services.limiter.hit(key, limit=limit, window_seconds=window):
            raise RateLimited("too many new agents at once; wait a while", retry_after=retry)
        created = await agents.create_agent_for_site(
            session,
            site_key=sites[0].site_key,
            email=form.get("email", ""),
            name=form.get("name", ""),
            role=role,
            password=form.get("password", ""),
        )
        await audit.record(
            session,
            agent=actor,
            kind="agent.created",
            data={"target": str(created.id), "email": created.email, "role": role},
        )
    return done(request, "/console/team")


@router.post("/agents/{agent_id}/{action}")
async def manage_agent(
    agent_id: str, action: str, request: Request, services: ServicesDep
) -> Response:
    """Revoke sessions, change the role, edit, deactivate or reactivate: downward only."""
    form = {k: v for k, v in (await request.form()).items() if isinstance(v, str)}
    outcomes: list[live.Outcome] = []
    data: dict[str, Any] = {}
    async with services.db.transaction() as session:
        actor = await acting(session, request, form, services)
        target = await agents.agent_of_account(
            session, account_id=actor.account_id, agent_id=_uuid(agent_id)
        )
        match action:
            case "revoke":
                count, outcomes = await agents.revoke_sessions(session, actor=actor, target=target)
                data["revoked"] = count
            case "role":
                await agents.change_role(
                    session, actor=actor, target=target, role=form.get("role", "")
                )
            case "edit":
                await agents.edit_agent(
                    session,
                    actor=actor,
                    target=target,
                    name=form.get("name"),
                    capacity=_capacity(form.get("capacity")),
                )
            case "deactivate":
                outcomes = await agents.deactivate_agent(session, actor=actor, target=target)
            case "reactivate":
                await agents.reactivate_agent(session, actor=actor, target=target)
            case _:
                raise NotFound("no such action")
    for outcome in outcomes:
        await live.publish(services.bus, outcome)
    return done(request, "/console/team", **data)


def _capacity(raw: str | None) -> int | None:
    if raw is None or not raw.strip():
        return None
    try:
        return int(raw)
    except ValueError:
        raise BadInput("capacity must be a number", code="bad_capacity") from None


@router.post("/teams")
async def create_team(request: Request, services: ServicesDep) -> Response:
    form = {k: v for k, v in (await request.form()).items() if isinstance(v, str)}
    async with services.db.transaction() as session:
        actor = await acting(session, request, form, services)
        service.require_admin(actor)
        name = form.get("name", "").strip()
        if not name or len(name) > 100:
            raise BadInput("team name must be 1 to 100 characters", code="bad_name")
        if await repository.team_named(session, account_id=actor.account_id, name=name):
            raise Conflict(f"there is a team called {name!r} already", code="team_exists")
        team = Team(account_id=actor.account_id, name=name)
        session.add(team)
        await session.flush()
        await audit.record(session, agent=actor, kind="team.created", data={"team": name})
    return done(request, "/console/team", team_id=str(team.id))


@router.post("/teams/{team_id}/members")
async def team_member(team_id: str, request: Request, services: ServicesDep) -> Response:
    form = {k: v for k, v in (await request.form()).items() if isinstance(v, str)}
    async with services.db.transaction() as session:
        actor = await acting(session, request, form, services)
        service.require_admin(actor)
        team = await repository.team_in_account(
            session, account_id=actor.account_id, team_id=_uuid(team_id)
        )
        member = await repository.agent_in_account(
            session, account_id=actor.account_id, agent_id=_uuid(form.get("agent_id"))
        )
        if team is None or member is None:
            raise NotFound("no such team or agent in your account")
        await session.execute(
            delete(TeamMember).where(
                TeamMember.team_id == team.id, TeamMember.agent_id == member.id
            )
        )
        if form.get("remove") != "1":
            session.add(TeamMember(team_id=team.id, agent_id=member.id))
        await audit.record(
            session,
            agent=actor,
            kind="team.member_removed" if form.get("remove") == "1" else "team.member_added",
            data={"team": team.name, "member": member.email},
        )
    return done(request, "/console/team")


@router.get("/canned")
async def canned_page(request: Request, services: ServicesDep) -> Response:
    async with services.db.transaction() as session:
        signed = await page_agent(session, request)
        context = await chrome(session, signed, services)
        context["canned"] = await repository.canned_responses(session, signed.agent.account_id)
    return render("canned.html", variables=service.VARIABLES, **context)


@router.post("/canned")
async def canned_save(request: Request, services: ServicesDep) -> Response:
    form = {k: v for k, v in (await request.form()).items() if isinstance(v, str)}
    async with services.db.transaction() as session:
        actor = await acting(session, request, form, services)
        service.require_admin(actor)
        if delete_id := form.get("delete"):
            await session.execute(
                delete(CannedResponse).where(
                    CannedResponse.id == _uuid(delete_id),
                    CannedResponse.account_id == actor.account_id,
                )
            )
            await audit.record(session, agent=actor, kind="canned.deleted", data={"id": delete_id})
            return done(request, "/console/canned")
        shortcut = form.get("shortcut", "").strip().lstrip("/").lower()
        text = form.get("text", "").strip()
        if not _SHORTCUT.match(shortcut) or not text or len(text) > service.MAX_TEXT:
            raise BadInput("a shortcut of a-z, 0-9, _ or -, and a text", code="bad_canned")
        existing = await session.scalar(
            select(CannedResponse).where(
                CannedResponse.account_id == actor.account_id, CannedResponse.shortcut == shortcut
            )
        )
        if existing is None:
            session.add(CannedResponse(account_id=actor.account_id, shortcut=shortcut, text=text))
        else:
            existing.text = text
        await audit.record(session, agent=actor, kind="canned.saved", data={"shortcut": shortcut})
    return done(request, "/console/canned")


@router.get("/audit")
async def audit_page(request: Request, services: ServicesDep) -> Response:
    async with services.db.transaction() as session:
        signed = await page_agent(session, request)
        service.require_admin(signed.agent)
        context = await chrome(session, signed, services)
        context["events"] = await repository.audit_events(session, signed.agent.account_id)
    return render("audit.html", **context)


@router.get("/integrations")
async def integrations_page(request: Request, services: ServicesDep) -> Response:
    async with services.db.transaction() as session:
        signed = await page_agent(session, request)
        return await _integrations_view(session, signed, services)


async def _integrations_view(
    session: AsyncSession,
    signed: auth.SignedIn,
    services: Services,
    *,
    refused: tuple[str, str, str] | None = None,
) -> Response:
    """The page; ``refused`` (site id, submitted text, error) shows a save that was refused."""
    service.require_admin(signed.agent)
    context = await chrome(session, signed, services)
    sites = await repository.account_sites(session, signed.agent.account_id)
    shown = {str(s.id): _redacted(s.settings.get("integrations") or {}) for s in sites}
    errors = {}
    if refused is not None:
        shown[refused[0]], errors[refused[0]] = refused[1], refused[2]
    return render(
        "integrations.html",
        status_code=422 if refused else 200,
        sites=sites,
        shown=shown,
        errors=errors,
        **context,
    )


def _redacted(integrations: dict[str, Any]) -> str:
    safe = json.loads(json.dumps(integrations))
    for config in safe.values():
        if isinstance(config, dict):
            for key in list(config):
                if key.endswith("_enc") or key in ("secret", "password"):
                    config[key] = "••••"
            smtp = config.get("smtp")
            if isinstance(smtp, dict):
                for key in list(smtp):
                    if key.endswith("_enc") or key == "password":
                        smtp[key] = "••••"
    return json.dumps(safe, indent=2)


@router.post("/integrations/{site_id}")
async def integrations_save(site_id: str, request: Request, services: ServicesDep) -> Response:
    """Replace a site's integrations; secrets given in clear are stored encrypted."""
    form = {k: v for k, v in (await request.form()).items() if isinstance(v, str)}
    async with services.db.transaction() as session:
        signed = await action_agent(session, request, form, key=services.settings.signing_key)
        actor = signed.agent
        service.require_admin(actor)
        site = next(
            (
                s
                for s in await repository.account_sites(session, actor.account_id)
                if str(s.id) == site_id
            ),
            None,
        )
        if site is None:
            raise NotFound("site not found", code="site_not_found")
        try:
            wanted = untrusted.loads(form.get("integrations", "{}"))
        except untrusted.UntrustedInput as exc:
            raise BadInput(f"integrations: {exc}", code="bad_json") from None
        old = site.settings.get("integrations") or {}
        sealed = seal_secrets(wanted, old, services.settings.encryption_key_bytes)
        try:
            await rules.check_saved(sealed, settings=services.settings)
        except Refused as refused:
            if wants_json(request):
                raise
            text = form.get("integrations", "")
            return await _integrations_view(
                session, signed, services, refused=(site_id, text, refused.message)
            )
        site.settings = {**site.settings, "integrations": sealed}
        await audit.record(
            session,
            agent=actor,
            kind="integrations.updated",
            site_id=site.id,
            data={"channels": sorted(k for k in wanted if k in CHANNELS)},
        )
    return done(request, "/console/integrations")


def seal_secrets(wanted: Any, old: dict[str, Any], key: bytes) -> dict[str, Any]:
    """Keep only known channels; encrypt clear secrets; "••••" keeps the stored one."""
    if not isinstance(wanted, dict):
        raise BadInput("integrations must be a JSON object", code="bad_json")
    sealed: dict[str, Any] = {}
    for channel in CHANNELS:
        config = wanted.get(channel)
        if not isinstance(config, dict):
            continue
        config = dict(config)
        previous = old.get(channel) or {}
        _seal(config, previous, "secret", key)
        if isinstance(config.get("smtp"), dict):
            config["smtp"] = dict(config["smtp"])
            _seal(config["smtp"], previous.get("smtp") or {}, "password", key)
        sealed[channel] = config
    return sealed


def _seal(config: dict[str, Any], previous: dict[str, Any], name: str, key: bytes) -> None:
    value = config.pop(name, None)
    config.pop(f"{name}_enc", None)
    if value == "••••":
        if previous.get(f"{name}_enc"):
            config[f"{name}_enc"] = previous[f"{name}_enc"]
    elif value:
        config[f"{name}_enc"] = crypto.encrypt(str(value), key)


__all__ = ["Event", "router"]
