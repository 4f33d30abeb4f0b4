"""FAQ suggestions from resolved conversations: clustering, duplicates, review, CLI."""

from __future__ import annotations

import json
import uuid
from typing import Any

import pytest
from sqlalchemy import select

from shopchat.cli import main
from shopchat.kit.errors import Conflict, NotFound
from shopchat.knowledge import repository, suggestions
from shopchat.knowledge.service import add_entry
from shopchat.models import KnowledgeEntry, Message, Site
from shopchat.settings import Settings
from tests.support.conversations import guest_conversation
from tests.support.sites import SiteFactory

RETURNS = "You can return anything within 30 days; print the label from your account page."
CHATS = [
    ("resolved", [("customer", "How do I return a jacket that doesn't fit?"), ("agent", RETURNS)]),
    (
        "resolved",
        [
            ("customer", "hi"),
            ("customer", "can I return these boots please"),
            ("agent", "Sure! Returns are free within 30 days: print the label in your account."),
        ],
    ),
    ("archived", [("customer", "What is your return policy for shoes?"), ("agent", RETURNS)]),
    (
        "resolved",
        [("customer", "Do you ship gift wrapping?"), ("agent", "Yes, gift wrapping costs 3 EUR.")],
    ),
    (
        "resolved",
        [("customer", "Can I pay with PayPal?"), ("agent", "Yes, PayPal and cards are accepted.")],
    ),
    (
        "archived",
        [("customer", "do you accept paypal"), ("agent", "Yes, PayPal works at checkout.")],
    ),
    ("agent", [("customer", "how do I return my order"), ("agent", "Still open: not a source.")]),
    (
        "resolved",
        [("customer", "Where is my parcel with the return label"), ("assistant", "Bot answered.")],
    ),
]


def _site(sites: SiteFactory, **options: Any) -> tuple[uuid.UUID, str]:
    key = sites.create(**options).site_key
    site_id = sites.run(lambda s: s.scalar(select(Site.id).where(Site.site_key == key)))
    return site_id, key


async def _add_chats(session: Any, site_id: uuid.UUID, chats: list[Any] = CHATS) -> None:
    for status, lines in chats:
        conversation = await guest_conversation(session, site_id, status=status)
        for seq, (role, text) in enumerate(lines, start=1):
            session.add(
                Message(
                    conversation_id=conversation.id, site_id=site_id, seq=seq, role=role, text=text
                )
            )
    await session.flush()


def test_clusters_return_questions_into_one_suggestion(sites: SiteFactory) -> None:
    site_id, _ = _site(sites)

    async def run(session: Any) -> list[KnowledgeEntry]:
        await _add_chats(session, site_id)
        return await suggestions.suggest(session, site_id=site_id)

    entries = sites.run(run)
    assert len(entries) == 2
    [entry] = [e for e in entries if "return" in e.title.lower()]
    assert (entry.status, entry.source) == ("suggested", "suggested")
    assert "return" in entry.title.lower()
    assert entry.body == RETURNS  # the answer the agents gave most alike
    assert "gift" not in entry.title.lower()  # asked once: no cluster


def test_no_duplicates_of_existing_entries_or_earlier_suggestions(sites: SiteFactory) -> None:
    site_id, _ = _site(sites)

    async def run(session: Any) -> tuple[int, int]:
        await _add_chats(session, site_id)
        first = await suggestions.suggest(session, site_id=site_id)
        again = await suggestions.suggest(session, site_id=site_id)
        return len(first), len(again)

    assert sites.run(run) == (2, 0)

    other_id, _ = _site(sites)

    async def with_policy(session: Any) -> list[str]:
        await add_entry(session, site_id=other_id, title="Return policy", body=RETURNS)
        await _add_chats(session, other_id)
        return [e.title for e in await suggestions.suggest(session, site_id=other_id)]

    assert sites.run(with_policy) == ["Can I pay with PayPal?"]


def test_only_approved_suggestions_answer_customers(sites: SiteFactory) -> None:
    site_id, _ = _site(sites)
    terms = ["return", "policy"]

    async def suggested(session: Any) -> tuple[uuid.UUID, list[KnowledgeEntry]]:
        await _add_chats(session, site_id)
        entry = (await suggestions.suggest(session, site_id=site_id))[0]
        return entry.id, await repository.search(session, site_id=site_id, terms=terms)

    entry_id, found = sites.run(suggested)
    assert found == []

    async def approve(session: Any) -> list[KnowledgeEntry]:
        await suggestions.review(
            session,
            site_id=site_id,
            entry_id=entry_id,
            approve=True,
            title="What is your return policy?",
        )
        return await repository.search(session, site_id=site_id, terms=terms)

    [approved] = sites.run(approve)
    assert approved.id == entry_id and approved.title == "What is your return policy?"


def test_review_is_scoped_to_the_site_and_happens_once(sites: SiteFactory) -> None:
    site_id, _ = _site(sites)
    other_id, _ = _site(sites)

    async def run(session: Any) -> uuid.UUID:
        await _add_chats(session, site_id)
        return (await suggestions.suggest(session, site_id=site_id))[0].id

    entry_id = sites.run(run)
    with pytest.raises(NotFound):
        sites.run(
            lambda s: suggestions.review(s, site_id=other_id, entry_id=entry_id, approve=True)
        )
    rejected = sites.run(
        lambda s: suggestions.review(s, site_id=site_id, entry_id=entry_id, approve=False)
    )
    assert rejected.status == "rejected"
    with pytest.raises(Conflict):
        sites.run(lambda s: suggestions.review(s, site_id=site_id, entry_id=entry_id, approve=True))
    pending = sites.run(lambda s: suggestions.list_suggested(s, site_id=site_id))
    assert entry_id not in [e.id for e in pending] and len(pending) == 1


def test_cli_suggest_and_approve(
    backend_settings: Settings,
    sites: SiteFactory,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    site_id, key = _site(sites)
    sites.run(lambda s: _add_chats(s, site_id))
    monkeypatch.setenv("SHOPCHAT_DATA_DIR", str(backend_settings.data_dir))
    monkeypatch.setenv("SHOPCHAT_DATABASE_URL", backend_settings.database_url)
    monkeypatch.setenv("SHOPCHAT_ENV", "test")
    assert main(["knowledge", "suggest", "--site-key", key, "--json"]) == 0
    added, _ = json.loads(capsys.readouterr().out)
    assert main(["knowledge", "approve", added["id"], "--site-key", key]) == 0
    assert capsys.readouterr().out.strip() == f"{added['id']} approved"
    assert main(["knowledge", "reject", added["id"], "--site-key", key]) == 2
    assert "already approved" in capsys.readouterr().err
    assert main(["knowledge", "suggest", "--site-key", "nope"]) == 2
