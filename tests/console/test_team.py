"""Managing agents from the console: roles act only downward, creating never reveals another
account's agents, and a deactivated agent is out (sign-in, sessions, sockets, routing)."""

from __future__ import annotations

import json
import uuid
from collections.abc import Callable
from typing import Any

import pytest
from sqlalchemy import select
from websockets.exceptions import ConnectionClosed

from shopchat.agent.service import hash_password
from shopchat.conversation.ws import CLOSE_UNAUTHORIZED
from shopchat.models import Conversation, Event
from shopchat.models.tables import Agent, AgentSession
from shopchat.settings import Settings
from tests.console.helpers import PASSWORD, ConsoleClient, World, run_db
from tests.console.test_handoff_flow import _handed_off
from tests.console.test_presence import console
from tests.support.server import ServerThread


@pytest.fixture
def staff(console_settings: Settings, world: World) -> dict[str, uuid.UUID]:
    """Shop A's agents plus an admin, a second admin, a second owner and a second supervisor."""

    async def add(session: Any) -> dict[str, uuid.UUID]:
        added = {}
        for key in ("admin", "admin2", "owner2", "supervisor2"):
            agent = Agent(
                account_id=uuid.UUID(world.a.credentials.account_id),
                email=world.a.email(key),
                name=f"{key.title()} of Shop A",
                role=key.rstrip("2"),
                password_hash=hash_password(PASSWORD),
                availability="online",
            )
            session.add(agent)
            await session.flush()
            added[key] = agent.id
        return added

    world.a.agents.update(run_db(console_settings, add))
    return world.a.agents


def _agent(settings: Settings, agent_id: uuid.UUID) -> Agent:
    async def read(session: Any) -> Agent:
        agent = await session.get(Agent, agent_id)
        session.expunge(agent)
        return agent  # type: ignore[no-any-return]

    return run_db(settings, read)  # type: ignore[no-any-return]


def _live_sessions(settings: Settings, agent_id: uuid.UUID) -> int:
    async def count(session: Any) -> int:
        rows = await session.scalars(
            select(AgentSession.id).where(
                AgentSession.agent_id == agent_id, AgentSession.revoked_at.is_(None)
            )
        )
        return len(rows.all())

    return run_db(settings, count)  # type: ignore[no-any-return]


def _deactivate_directly(settings: Settings, agent_id: uuid.UUID) -> None:
    from shopchat.models.base import utcnow

    async def work(session: Any) -> None:
        (await session.get(Agent, agent_id)).deactivated_at = utcnow()

    run_db(settings, work)


# (action path, form, what is unchanged when refused)
ACTIONS: dict[str, tuple[str, dict[str, str]]] = {
    "revoke": ("revoke", {}),
    "change role": ("role", {"role": "trainee"}),
    "edit": ("edit", {"name": "Renamed", "capacity": "2"}),
    "deactivate": ("deactivate", {}),
    "reactivate": ("reactivate", {}),
}


def _state(settings: Settings, agent_id: uuid.UUID) -> tuple[Any, ...]:
    agent = _agent(settings, agent_id)
    return (
        agent.role,
        agent.name,
        agent.capacity,
        agent.deactivated_at is None,
        _live_sessions(settings, agent_id),
    )


@pytest.mark.parametrize("action", list(ACTIONS))
def test_every_agent_action_acts_only_downward(
    action: str,
    client: Callable[..., ConsoleClient],
    world: World,
    staff: dict[str, uuid.UUID],
    console_settings: Settings,
) -> None:
    path, form = ACTIONS[action]
    for target in ("owner", "owner2", "admin2", "supervisor", "agent"):
        client(world.a.email(target))  # a live session, so revoking has something to end
        if action == "reactivate" and target != "owner":  # the owner acts below
            _deactivate_directly(console_settings, staff[target])
    actors = {role: client(world.a.email(role)) for role in ("owner", "admin", "supervisor2")}
    refused = [
        # the audit's case: an admin revoking the owner's sessions
        ("admin", "owner2" if action == "reactivate" else "owner"),
        ("admin", "admin2"),  # an equal
        ("owner", "owner2"),  # equals, even at the top
        ("supervisor2", "agent"),  # supervisors do not manage the team
    ]
    for actor, target in refused:
        before = _state(console_settings, staff[target])
        response = actors[actor].post(f"/console/agents/{staff[target]}/{path}", form)
        assert response.status_code == 403, (action, actor, target)
        assert _state(console_settings, staff[target]) == before, (action, actor, target)
    other_account = client(world.b.email("owner"))
    before = _state(console_settings, staff["agent"])
    response = other_account.post(f"/console/agents/{staff['agent']}/{path}", form)
    assert response.status_code == 404
    assert _state(console_settings, staff["agent"]) == before
    for actor, target in (("admin", "supervisor"), ("owner", "admin2")):
        before = _state(console_settings, staff[target])
        response = actors[actor].post(f"/console/agents/{staff[target]}/{path}", form)
        assert response.status_code == 200, (action, actor, target, response.text)
        assert _state(console_settings, staff[target]) != before, (action, actor, target)


def test_a_role_given_is_below_the_givers_own(
    client: Callable[..., ConsoleClient],
    world: World,
    staff: dict[str, uuid.UUID],
    console_settings: Settings,
) -> None:
    admin = client(world.a.email("admin"))
    owner = client(world.a.email("owner"))
    target = staff["supervisor"]
    for role in ("admin", "owner"):
        assert admin.post(f"/console/agents/{target}/role", {"role": role}).status_code == 403
        new = {"email": f"new-{role}@a.example", "name": "N", "role": role, "password": "p" * 12}
        assert admin.post("/console/agents", new).status_code == 403
    assert _agent(console_settings, target).role == "supervisor"
    assert admin.post(f"/console/agents/{target}/role", {"role": "agent"}).is_success
    assert owner.post(f"/console/agents/{target}/role", {"role": "admin"}).is_success
    assert owner.post(f"/console/agents/{target}/role", {"role": "boss"}).status_code == 400
    assert _agent(console_settings, target).role == "admin"
    # Nobody changes their own role or deactivates themselves.
    me = staff["owner"]
    assert owner.post(f"/console/agents/{me}/role", {"role": "agent"}).status_code == 403
    assert owner.post(f"/console/agents/{me}/deactivate").status_code == 403
    assert owner.post(f"/console/agents/{me}/edit", {"name": "Me, renamed"}).is_success


def test_adding_an_agent_never_reveals_another_accounts_agent(
    client: Callable[..., ConsoleClient], world: World, console_settings: Settings
) -> None:
    owner = client(world.a.email("owner"))
    taken_elsewhere = world.b.email("owner")
    taken_here = world.a.email("agent")
    answers = []
    for email in (taken_elsewhere, taken_here):
        form = {"email": email.upper(), "name": "N", "role": "agent", "password": "p" * 12}
        answers.append(owner.post("/console/agents", form))
    for answer in answers:
        assert answer.status_code == 409
        assert taken_elsewhere not in answer.text.lower() and "account" not in answer.text
    assert answers[0].json() == answers[1].json()  # the same answer as for one's own agent

    async def count(session: Any) -> int:
        rows = await session.scalars(select(Agent.id).where(Agent.email == taken_elsewhere))
        return len(rows.all())

    assert run_db(console_settings, count) == 1
    fresh = {"email": "fresh@a.example", "name": "N", "role": "agent", "password": "p" * 12}
    assert owner.post("/console/agents", fresh).is_success


def test_a_deactivated_agent_is_out_and_a_reactivated_one_back(
    console_server: ServerThread,
    client: Callable[..., ConsoleClient],
    world: World,
    console_settings: Settings,
) -> None:
    email = world.a.email("agent")
    agent = client(email)
    socket = console(console_server, agent)
    owner = client(world.a.email("owner"))
    assert owner.post(f"/console/agents/{world.a.agents['agent']}/deactivate").is_success
    frames = []
    with pytest.raises(ConnectionClosed):  # at once, not at the socket's minutely re-check
        while True:
            frames.append(json.loads(socket.recv(timeout=5)))
    assert {"type": "error", "code": "signed_out"} in [
        {k: f.get(k) for k in ("type", "code")} for f in frames
    ]
    assert socket.close_code == CLOSE_UNAUTHORIZED
    assert agent.get("/console").status_code == 303
    assert client().login(email).status_code == 401  # the password works no more
    assert "deactivated" in owner.get("/console/team").text
    assert owner.post(f"/console/agents/{world.a.agents['agent']}/reactivate").is_success
    assert client().login(email).status_code == 303

    async def kinds(session: Any) -> list[str]:
        return list((await session.scalars(select(Event.kind))).all())

    events = run_db(console_settings, kinds)
    assert "agent.deactivated" in events and "agent.reactivated" in events


def test_a_deactivated_agents_conversations_go_back_to_the_queue_and_it_is_not_assigned(
    console_server: ServerThread,
    client: Callable[..., ConsoleClient],
    world: World,
    console_settings: Settings,
) -> None:
    from shopchat.models import Site

    async def auto_assign(session: Any) -> None:
        site = await session.get(Site, uuid.UUID(world.a.site_id))
        site.settings = {**site.settings, "routing": {"auto_assign": True}}
        for other in (await session.scalars(select(Agent))).all():
            if other.id != world.a.agents["agent"]:
                other.availability = "offline"

    async def still_online_elsewhere(session: Any) -> None:
        from datetime import timedelta

        from shopchat.models.base import utcnow
        from shopchat.models.tables import ConsoleSocket

        (await session.get(Agent, world.a.agents["agent"])).availability = "online"
        expires = utcnow() + timedelta(seconds=60)
        session.add(ConsoleSocket(agent_id=world.a.agents["agent"], expires_at=expires))

    agent = client(world.a.email("agent"))
    owner = client(world.a.email("owner"))
    widget, conversation_id = _handed_off(console_server, world)
    assert agent.post(f"/console/c/{conversation_id}/claim").is_success
    run_db(console_settings, auto_assign)
    agent_console = console(console_server, agent)  # online with a console: assignable
    assert owner.post(f"/console/agents/{world.a.agents['agent']}/deactivate").is_success
    with widget:
        widget.recv_until(lambda f: f.get("type") == "status" and f["status"] == "waiting")

    def state(cid: str) -> tuple[str, Any]:
        async def read(session: Any) -> tuple[str, Any]:
            conversation = await session.get(Conversation, uuid.UUID(cid))
            return conversation.status, conversation.assignee_id

        return run_db(console_settings, read)  # type: ignore[no-any-return]

    assert state(conversation_id) == ("waiting", None)
    assert conversation_id in owner.get("/console?view=queue").text
    # A new hand-off is not given to the deactivated agent, even while a console of another
    # process that missed the news still counts them as online.
    run_db(console_settings, still_online_elsewhere)
    second, second_id = _handed_off(console_server, world)
    second.close()
    _await_auto_assign_jobs(console_settings, count=2)  # the released one, the new one
    assert state(conversation_id) == ("waiting", None)
    assert state(second_id) == ("waiting", None)
    agent_console.close()
    transfer = owner.post(
        f"/console/c/{conversation_id}/transfer", {"target": f"agent:{world.a.agents['agent']}"}
    )
    assert transfer.status_code == 404


def _await_auto_assign_jobs(settings: Settings, *, count: int, timeout: float = 15) -> None:
    """Wait until the outbox worker has run ``count`` auto-assignments."""
    import time

    from shopchat.models.tables import OutboxItem

    async def done(session: Any) -> int:
        rows = await session.scalars(
            select(OutboxItem.id).where(
                OutboxItem.kind == "console.auto_assign", OutboxItem.sent_at.is_not(None)
            )
        )
        return len(rows.all())

    deadline = time.monotonic() + timeout
    while run_db(settings, done) < count:
        assert time.monotonic() < deadline, "the outbox worker did not run the assignments"
        time.sleep(0.1)
