"""Seed the demo account, site, knowledge and agent; safe to run on every start."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from shopchat.agent.service import hash_password
from shopchat.db import Database
from shopchat.knowledge.service import add_entry
from shopchat.models import Account, Agent, KnowledgeEntry, Site
from shopchat.settings import Settings
from shopchat.site.service import create_site

DEMO_ACCOUNT = "Northwind Outfitters (demo)"
DEMO_SITE = "Northwind Outfitters"
DEMO_AGENT_EMAIL = "agent@northwind.example"
DEMO_AGENT_PASSWORD = "demo-password-123"  # noqa: S105 - printed for the newcomer, demo only

KNOWLEDGE: tuple[tuple[str, str, str, str], ...] = (
    (
        "policy",
        "en",
        "Returns and refunds policy",
        "You can return any unworn item within 30 days of delivery for a full refund. "
        "Start a return from My account → Orders; the refund reaches your original payment "
        "method within 5 business days after we receive the parcel.",
    ),
    (
        "faq",
        "en",
        "How long does shipping take?",
        "Orders ship within 1 business day. Delivery takes 1–2 days in Germany, 3–5 days "
        "in the EU and 5–10 days worldwide. Shipping is free in Germany above €50.",
    ),
    (
        "faq",
        "en",
        "Which payment methods do you accept?",
        "We accept credit and debit cards, PayPal, bank transfer and Klarna pay later.",
    ),
    (
        "faq",
        "en",
        "Can I cancel or change my order?",
        "You can cancel or change an order until it ships, usually within a few hours. "
        "Message us here with your order number and we'll take care of it.",
    ),
    (
        "faq",
        "en",
        "How do your sizes fit?",
        "Our jackets and hoodies fit true to size; if you are between sizes, take the larger "
        "one. Each product page has a size chart in centimetres.",
    ),
    (
        "faq",
        "en",
        "When is the support team available?",
        "Our team answers Monday to Friday, 9:00–18:00 (Berlin time). The assistant is here "
        "around the clock.",
    ),
    (
        "policy",
        "de",
        "Rückgabe und Erstattung",
        "Ungetragene Artikel kannst du innerhalb von 30 Tagen nach Lieferung zurückgeben. Die "
        "Erstattung erfolgt innerhalb von 5 Werktagen nach Eingang der Rücksendung.",
    ),
    (
        "faq",
        "de",
        "Wie lange dauert der Versand?",
        "Wir versenden innerhalb eines Werktags. Die Lieferung dauert in Deutschland 1–2 Tage, "
        "in der EU 3–5 Tage.",
    ),
)


@dataclass(frozen=True, slots=True)
class DemoSite:
    site_key: str
    agent_email: str
    agent_password: str


async def seed_demo(settings: Settings, *, port: int) -> DemoSite:
    """Create the demo shop once; later starts only add this port's origins."""
    db = Database(settings)
    try:
        async with db.transaction() as session:
            site = await _demo_site(session, settings)
            origins = {f"http://localhost:{port}", f"http://127.0.0.1:{port}"}
            site.allowed_origins = sorted(set(site.allowed_origins) | origins)
            await _demo_knowledge(session, site)
            await _demo_agent(session, site)
            return DemoSite(site.site_key, DEMO_AGENT_EMAIL, DEMO_AGENT_PASSWORD)
    finally:
        await db.dispose()


async def _demo_site(session: AsyncSession, settings: Settings) -> Site:
    account = await session.scalar(select(Account).where(Account.name == DEMO_ACCOUNT))
    if account is not None:
        site = await session.scalar(select(Site).where(Site.account_id == account.id))
        if site is not None:
            return site
    else:
        account = Account(name=DEMO_ACCOUNT)
        session.add(account)
        await session.flush()
    site, _ = await create_site(
        session,
        encryption_key=settings.encryption_key_bytes,
        name=DEMO_SITE,
        origins=["http://localhost:8000"],
        account=account,
        settings={
            "branding": {
                "color": "#0f766e",
                "title": DEMO_SITE,
                "avatar_url": None,
                "position": "right",
            },
            "business_hours": {
                "timezone": "Europe/Berlin",
                "days": [0, 1, 2, 3, 4],
                "open": "09:00",
                "close": "18:00",
            },
            "store": "demo",
        },
    )
    return site


async def _demo_knowledge(session: AsyncSession, site: Site) -> None:
    if await session.scalar(select(KnowledgeEntry.id).where(KnowledgeEntry.site_id == site.id)):
        return
    for kind, language, title, body in KNOWLEDGE:
        await add_entry(
            session, site_id=site.id, kind=kind, language=language, title=title, body=body
        )


async def _demo_agent(session: AsyncSession, site: Site) -> None:
    if await session.scalar(select(Agent.id).where(Agent.email == DEMO_AGENT_EMAIL)):
        return
    session.add(
        Agent(
            account_id=site.account_id,
            email=DEMO_AGENT_EMAIL,
            name="Alex from Northwind",
            role="owner",
            password_hash=hash_password(DEMO_AGENT_PASSWORD),
        )
    )
