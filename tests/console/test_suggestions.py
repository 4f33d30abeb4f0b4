"""The console's FAQ suggestions page: supervisors of the account only, CSRF on every POST,
inert customer words, and every decision in the audit log."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from typing import Any

from sqlalchemy import select

from shopchat.knowledge.service import add_entry
from shopchat.models import Event, KnowledgeEntry
from shopchat.settings import Settings
from tests.console.helpers import ConsoleClient, World, run_db
from tests.knowledge.test_suggestions import CHATS, _add_chats

SCRIPT_TITLE = '<script>document.title="pwned"</script> How long is shipping?'
IMG_BODY = "<img src=x onerror=alert(1)> Three to five days."


def _suggest(settings: Settings, site_id: str, title: str, body: str) -> str:
    async def add(session: Any) -> str:
        entry = await add_entry(
            session,
            site_id=uuid.UUID(site_id),
            title=title,
            body=body,
            source="suggested",
            status="suggested",
        )
        return str(entry.id)

    return run_db(settings, add)  # type: ignore[no-any-return]


def _entry(settings: Settings, entry_id: str) -> KnowledgeEntry:
    return run_db(settings, lambda s: s.get(KnowledgeEntry, uuid.UUID(entry_id)))  # type: ignore[no-any-return]


def _audit(settings: Settings) -> list[tuple[str, dict[str, Any]]]:
    async def read(session: Any) -> list[tuple[str, dict[str, Any]]]:
        rows = await session.execute(
            select(Event.kind, Event.data).where(Event.kind.like("knowledge.%"))
        )
        return [(k, d) for k, d in rows.all()]

    return run_db(settings, read)  # type: ignore[no-any-return]


def test_review_escaped_and_audited(
    console_settings: Settings, world: World, client: Callable[..., ConsoleClient]
) -> None:
    shipping = _suggest(console_settings, world.a.site_id, SCRIPT_TITLE, IMG_BODY)
    spam = _suggest(console_settings, world.a.site_id, "Buy cheap watches?", "No.")
    owner = client(world.a.email("owner"))

    page = owner.get("/console/suggestions")
    assert page.status_code == 200
    assert "<script>document" not in page.text and "<img src=x" not in page.text
    assert "&lt;script&gt;document.title=&#34;pwned&#34;&lt;/script&gt;" in page.text
    assert "&lt;img src=x onerror=alert(1)&gt;" in page.text
    assert "/console/suggestions" in owner.get("/console").text  # in the menu

    edited = {"decision": "approve", "title": "How long is shipping?", "body": "3-5 days."}
    response = owner.post(f"/console/suggestions/{shipping}", edited)
    assert response.json() == {"ok": True, "status": "approved"}
    entry = _entry(console_settings, shipping)
    assert (entry.status, entry.title, entry.body) == ("approved", *list(edited.values())[1:])
    assert owner.post(f"/console/suggestions/{shipping}", {"decision": "reject"}).status_code == 409
    assert owner.post(f"/console/suggestions/{spam}", {"decision": "reject"}).is_success
    assert _entry(console_settings, spam).status == "rejected"
    assert owner.post(f"/console/suggestions/{spam}", {"decision": "maybe"}).status_code == 400

    remaining = owner.get("/console/suggestions").text
    assert shipping not in remaining and spam not in remaining
    kinds = [(k, d["entry"], d["edited"]) for k, d in _audit(console_settings)]
    assert kinds == [
        ("knowledge.suggestion_approved", shipping, True),
        ("knowledge.suggestion_rejected", spam, False),
    ]
    assert "knowledge.suggestion_approved" in owner.get("/console/audit").text


def test_generate_calls_suggest_for_the_accounts_sites(
    console_settings: Settings, world: World, client: Callable[..., ConsoleClient]
) -> None:
    run_db(console_settings, lambda s: _add_chats(s, uuid.UUID(world.a.site_id), CHATS))
    supervisor = client(world.a.email("supervisor"))
    response = supervisor.post("/console/suggestions/generate")
    assert response.json()["added"] >= 2
    page = supervisor.get("/console/suggestions").text
    assert "return anything within 30 days" in page and "PayPal" in page
    assert supervisor.post("/console/suggestions/generate").json()["added"] == 0  # no duplicates
    generated = [d for k, d in _audit(console_settings) if k == "knowledge.suggestions_generated"]
    assert [d["site"] for d in generated] == ["Shop A", "Shop A"]


def test_another_account_sees_and_approves_nothing(
    console_settings: Settings, world: World, client: Callable[..., ConsoleClient]
) -> None:
    entry = _suggest(console_settings, world.a.site_id, "Secret question of A?", "Answer of A.")
    run_db(console_settings, lambda s: _add_chats(s, uuid.UUID(world.a.site_id), CHATS))
    owner_b = client(world.b.email("owner"))
    page = owner_b.get("/console/suggestions")
    assert page.status_code == 200
    for secret in (entry, "Secret question of A", "Shop A", world.a.site_id):
        assert secret not in page.text
    for decision in ("approve", "reject"):
        response = owner_b.post(f"/console/suggestions/{entry}", {"decision": decision})
        assert response.status_code == 404
    generate_a = owner_b.post("/console/suggestions/generate", {"site_id": world.a.site_id})
    assert generate_a.status_code == 404
    assert owner_b.post("/console/suggestions/generate").json()["added"] == 0  # B's own: none
    assert _entry(console_settings, entry).status == "suggested"
    assert not [k for k, _ in _audit(console_settings) if k != "knowledge.suggestions_generated"]


def test_agents_and_trainees_are_refused(
    console_settings: Settings, world: World, client: Callable[..., ConsoleClient]
) -> None:
    entry = _suggest(console_settings, world.a.site_id, "Do you ship to Norway?", "Yes.")
    for role in ("agent", "trainee"):
        agent = client(world.a.email(role))
        assert agent.get("/console/suggestions").status_code == 403
        assert "/console/suggestions" not in agent.get("/console").text
        assert (
            agent.post(f"/console/suggestions/{entry}", {"decision": "approve"}).status_code == 403
        )
        assert agent.post("/console/suggestions/generate").status_code == 403
    assert client(world.a.email("supervisor")).get("/console/suggestions").status_code == 200
    assert _entry(console_settings, entry).status == "suggested"


def test_posts_need_the_csrf_token(
    console_settings: Settings, world: World, client: Callable[..., ConsoleClient]
) -> None:
    entry = _suggest(console_settings, world.a.site_id, "Do you ship to Norway?", "Yes.")
    owner = client(world.a.email("owner"))
    for fetch in (True, False):
        response = owner.post(
            f"/console/suggestions/{entry}", {"decision": "approve"}, csrf=False, fetch=fetch
        )
        assert response.status_code == 403
        assert (
            owner.post("/console/suggestions/generate", csrf=False, fetch=fetch).status_code == 403
        )
    owner.csrf = "0" * 64
    assert owner.post(f"/console/suggestions/{entry}", {"decision": "approve"}).status_code == 403
    assert _entry(console_settings, entry).status == "suggested"
    assert _audit(console_settings) == []
    signed_out = client()
    assert signed_out.get("/console/suggestions").status_code == 303
