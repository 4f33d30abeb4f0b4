"""What agents do in a conversation, seen from the console and from the customer's socket."""

from __future__ import annotations

import re
from collections.abc import Callable

from sqlalchemy import select

from shopchat.models import Conversation, Event
from shopchat.settings import Settings
from tests.console.helpers import ConsoleClient, World, run_db
from tests.console.test_handoff_flow import _handed_off
from tests.support.chat import WidgetSocket, is_type, open_session
from tests.support.server import ServerThread
from tests.support.sites import identity_token

XSS = '<script>window.__xss=1</script><img src=x onerror="window.__xss=2">&amp;'


def _pending_id(page: str) -> str:
    return re.search(r"/console/pending/([0-9a-f-]+)/review", page).group(1)  # type: ignore[union-attr]


def test_trainee_reply_waits_for_approval(
    console_server: ServerThread, world: World, client: Callable[..., ConsoleClient]
) -> None:
    socket, conversation_id = _handed_off(console_server, world)
    trainee = client(world.a.email("trainee"))
    supervisor = client(world.a.email("supervisor"))
    with socket:
        assert trainee.post(f"/console/c/{conversation_id}/claim").is_success
        socket.recv_until(is_type("status", status="agent"))
        held = trainee.post(f"/console/c/{conversation_id}/reply", {"text": "Refund is done"})
        assert held.json()["held"] is True
        # A trainee cannot approve; the customer has seen nothing yet.
        page = supervisor.get(f"/console/c/{conversation_id}")
        pending = _pending_id(page.text)
        assert (
            trainee.post(f"/console/pending/{pending}/review", {"decision": "approve"}).status_code
            == 403
        )
        socket.send({"type": "ping"})
        socket.recv_until(is_type("pong"))
        assert not [f for f in socket.messages() if f["role"] == "agent"]

        edited = supervisor.post(
            f"/console/pending/{pending}/review",
            {"decision": "approve", "text": "Your refund is on its way."},
        )
        assert edited.is_success
        reply = socket.recv_until(lambda f: f.get("role") == "agent")
        assert reply["text"] == "Your refund is on its way."
        assert reply["author"] == {"name": "Trainee of Shop A"}
        again = supervisor.post(f"/console/pending/{pending}/review", {"decision": "approve"})
        assert again.status_code == 409

        trainee.post(f"/console/c/{conversation_id}/reply", {"text": "wrong answer"})
        second = _pending_id(supervisor.get(f"/console/c/{conversation_id}").text)
        assert supervisor.post(
            f"/console/pending/{second}/review", {"decision": "reject"}
        ).is_success
        socket.send({"type": "ping"})
        socket.recv_until(is_type("pong"))
        assert "wrong answer" not in [f["text"] for f in socket.messages()]


def test_notes_and_whispers_never_reach_the_customer(
    console_server: ServerThread, world: World, client: Callable[..., ConsoleClient]
) -> None:
    socket, conversation_id = _handed_off(console_server, world)
    agent = client(world.a.email("agent"))
    supervisor = client(world.a.email("supervisor"))
    with socket:
        agent.post(f"/console/c/{conversation_id}/claim")
        assert agent.post(f"/console/c/{conversation_id}/notes", {"text": "NOTE-123"}).is_success
        assert (
            agent.post(
                f"/console/c/{conversation_id}/notes", {"text": "x", "whisper": "1"}
            ).status_code
            == 403
        )  # whispering is for supervisors
        assert supervisor.post(
            f"/console/c/{conversation_id}/notes", {"text": "WHISPER-456", "whisper": "1"}
        ).is_success
        agent.post(f"/console/c/{conversation_id}/reply", {"text": "visible"})
        socket.recv_until(lambda f: f.get("text") == "visible")
        socket.send({"type": "resume", "after_seq": 0})
        socket.send({"type": "ping"})
        socket.recv_until(is_type("pong"))
    everything = repr(socket.frames)
    assert "NOTE-123" not in everything and "WHISPER-456" not in everything
    session = open_session(console_server.url, world.a.credentials, session_id=None)
    assert "NOTE-123" not in repr(session)
    page = agent.get(f"/console/c/{conversation_id}").text
    assert "NOTE-123" in page and "Whisper from Supervisor of Shop A" in page


def test_transfer_to_agent_and_to_team(
    console_server: ServerThread,
    world: World,
    client: Callable[..., ConsoleClient],
    console_settings: Settings,
) -> None:
    socket, conversation_id = _handed_off(console_server, world)
    socket.close()
    agent = client(world.a.email("agent"))
    other = client(world.a.email("agent2"))
    owner = client(world.a.email("owner"))
    agent.post(f"/console/c/{conversation_id}/claim")
    # Someone else's conversation cannot be transferred by a plain agent.
    denied = other.post(
        f"/console/c/{conversation_id}/transfer", {"target": f"agent:{world.a.agents['agent2']}"}
    )
    assert denied.status_code == 403
    moved = agent.post(
        f"/console/c/{conversation_id}/transfer",
        {"target": f"agent:{world.a.agents['agent2']}", "note": "VIP, wants a refund"},
    )
    assert moved.is_success
    assert conversation_id in other.get("/console?view=mine").text
    page = other.get(f"/console/c/{conversation_id}").text
    assert "Transferred to Agent2 of Shop A: VIP, wants a refund" in page

    team = owner.post("/console/teams", {"name": "Billing"}).json()["team_id"]
    assert owner.post(
        f"/console/teams/{team}/members", {"agent_id": str(world.a.agents["agent"])}
    ).is_success
    to_team = other.post(f"/console/c/{conversation_id}/transfer", {"target": f"team:{team}"})
    assert to_team.is_success
    queue = owner.get("/console?view=queue").text
    assert conversation_id in queue and "team Billing" in queue

    async def state(session):  # type: ignore[no-untyped-def]
        conversation = await session.get(Conversation, __import__("uuid").UUID(conversation_id))
        kinds = (await session.scalars(select(Event.kind))).all()
        return conversation.status, conversation.assignee_id, kinds

    status, assignee, kinds = run_db(console_settings, state)
    assert (status, assignee) == ("waiting", None)
    assert kinds.count("conversation.transferred") == 2 and "team.created" in kinds


def test_canned_response_with_first_name(
    console_server: ServerThread, world: World, client: Callable[..., ConsoleClient]
) -> None:
    identity = identity_token(world.a.credentials, name="Anna Schmidt")
    session = open_session(console_server.url, world.a.credentials, identity=identity)
    owner = client(world.a.email("owner"))
    assert owner.post(
        "/console/canned", {"shortcut": "hello", "text": "Hi {first_name}, {agent_name} here."}
    ).is_success
    with WidgetSocket(console_server.url, session["session_token"]) as socket:
        socket.send({"type": "resume", "after_seq": 0})
        conversation = session["conversation_id"]
        assert owner.post(f"/console/c/{conversation}/reply", {"text": "/hello"}).is_success
        reply = socket.recv_until(lambda f: f.get("role") == "agent")
    assert reply["text"] == "Hi Anna, Owner of Shop A here."
    page = owner.get(f"/console/c/{conversation}").text
    assert 'data-text="Hi Anna, Owner of Shop A here."' in page
    assert "✔ verified" in page and "vip" in page


def test_customer_html_is_shown_inert(
    console_server: ServerThread, world: World, client: Callable[..., ConsoleClient]
) -> None:
    identity = identity_token(world.a.credentials, name=XSS, sub="x1")
    session = open_session(console_server.url, world.a.credentials, identity=identity)
    with WidgetSocket(console_server.url, session["session_token"]) as socket:
        socket.send({"type": "resume", "after_seq": 0})
        socket.send({"type": "message", "client_id": "x", "text": XSS + " I want a human"})
        socket.recv_until(is_type("status", status="waiting"))
    agent = client(world.a.email("agent"))
    for path in (
        "/console?view=queue",
        f"/console/c/{session['conversation_id']}",
        "/console/list?view=queue",
        "/console?q=script",
    ):
        page = agent.get(path).text
        assert "<script>window" not in page and "<img src=x" not in page, path
        assert "&lt;script&gt;window.__xss=1&lt;/script&gt;" in page, path
    assert "default-src 'self'" in agent.get("/console").headers["content-security-policy"]


def test_search_finds_messages_and_customers(
    console_server: ServerThread, world: World, client: Callable[..., ConsoleClient]
) -> None:
    socket, conversation_id = _handed_off(console_server, world)
    socket.close()
    agent = client(world.a.email("agent"))
    assert conversation_id in agent.get("/console?q=HUMAN").text
    assert conversation_id not in agent.get("/console?q=nothing-like-this").text
    assert conversation_id not in agent.get("/console?q=%25").text  # "%" is no wildcard
    assert conversation_id not in agent.get("/console?q=_").text


def test_auto_assignment_respects_availability_and_capacity(
    console_settings: Settings, world: World
) -> None:
    from shopchat.app import create_app
    from shopchat.models import Site
    from shopchat.models.tables import Agent
    from tests.console.helpers import ScriptedResponder

    async def configure(session):  # type: ignore[no-untyped-def]
        site = await session.get(Site, __import__("uuid").UUID(world.a.site_id))
        site.settings = {**site.settings, "routing": {"auto_assign": True}}
        for agent in (await session.scalars(select(Agent))).all():
            agent.availability = "offline"
            if agent.id == world.a.agents["agent2"]:
                agent.availability, agent.capacity = "online", 1

    from tests.console.test_presence import auto_assign_tried, console, wait_until

    run_db(console_settings, configure)
    server = ServerThread(create_app(console_settings, responder_factory=ScriptedResponder)).start()
    agent2 = ConsoleClient(server.url)
    try:
        agent2.login(world.a.email("agent2"))
        agent2_console = console(server, agent2)  # routing picks only agents with a console open
        first, first_id = _handed_off(server, world)
        with first:
            joined = first.recv_until(lambda f: f.get("role") == "system" and "joined" in f["text"])
        assert "Agent2 of Shop A" in joined["text"]
        second, second_id = _handed_off(server, world)
        second.close()
        # The worker has tried the second hand-off: agent2 is full, nobody else is online.
        wait_until(lambda: auto_assign_tried(console_settings, second_id), "auto-assign tried")

        async def assignees(session):  # type: ignore[no-untyped-def]
            rows = await session.execute(
                select(Conversation.id, Conversation.assignee_id, Conversation.status)
            )
            return {str(i): (a, s) for i, a, s in rows.all()}

        found = run_db(console_settings, assignees)
        assert found[first_id] == (world.a.agents["agent2"], "agent")
        assert found[second_id] == (None, "waiting")
        # The supervisor comes online: the waiting conversation goes to them.
        supervisor = ConsoleClient(server.url)
        supervisor.login(world.a.email("supervisor"))
        supervisor.refresh_csrf()
        supervisor_console = console(server, supervisor)
        assert supervisor.post("/console/availability", {"availability": "online"}).is_success
        found = run_db(console_settings, assignees)
        assert found[second_id] == (world.a.agents["supervisor"], "agent")
        supervisor_console.close()
        agent2_console.close()
        supervisor.close()
    finally:
        agent2.close()
        server.stop()
