from __future__ import annotations

import uuid

from sqlalchemy.ext.asyncio import AsyncSession

from shopchat.kit.errors import BadInput
from shopchat.models import KnowledgeEntry

KINDS = ("faq", "policy")


async def add_entry(
    session: AsyncSession,
    *,
    site_id: uuid.UUID,
    title: str,
    body: str,
    kind: str = "faq",
    language: str = "en",
    source: str = "written",
    status: str = "approved",
) -> KnowledgeEntry:
    """Add an FAQ entry or a policy to a site's knowledge."""
    if kind not in KINDS:
        raise BadInput(f"kind must be one of {', '.join(KINDS)}")
    if not title.strip() or not body.strip():
        raise BadInput("knowledge entries need a title and a body")
    entry = KnowledgeEntry(
        site_id=site_id,
        kind=kind,
        title=title.strip()[:500],
        body=body.strip(),
        language=language,
        source=source,
        status=status,
    )
    session.add(entry)
    await session.flush()
    return entry
