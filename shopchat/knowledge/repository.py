"""Knowledge queries; full-text search is FTS5 on SQLite and tsvector on PostgreSQL."""

from __future__ import annotations

import re
import uuid
from collections.abc import Sequence

from sqlalchemy import select, text
from sqlalchemy.ext.asyncio import AsyncSession

from shopchat.models import KnowledgeEntry

_WORD = re.compile(r"\w{2,}", re.UNICODE)
# Words too common to search for, in the languages the built-in answers speak.
STOPWORDS = frozenset(
    """a an and are as at be but by can could do does for from have how i if in is it me my
    of on or our please so that the their there this to was we what when where which who why
    will with would you your hi hello hey thanks thank
    der die das und ist ich mein meine wie wo was ein eine zu mit für den dem des nicht
    le la les et est je mon ma mes comment où quoi un une de du des pour avec
    el los las y es yo mi mis cómo donde qué una del para con
    het een en ik mijn hoe waar wat voor met""".split()
)


def search_terms(query: str, *, stopwords: frozenset[str] = STOPWORDS) -> list[str]:
    """Lower-cased content words of a query, without duplicates, at most 12."""
    seen: dict[str, None] = {}
    for word in _WORD.findall(query.lower()):
        if word not in stopwords and not word.isdigit():
            seen.setdefault(word, None)
    return list(seen)[:12]


async def search(
    session: AsyncSession, *, site_id: uuid.UUID, terms: Sequence[str], limit: int = 3
) -> list[KnowledgeEntry]:
    """Approved entries of one site that match any term, best first."""
    if not terms:
        return []
    if session.bind.dialect.name == "sqlite":
        ids = await _sqlite_match(session, site_id=site_id, terms=terms, limit=limit)
    else:
        ids = await _postgres_match(session, site_id=site_id, terms=terms, limit=limit)
    if not ids:
        return []
    rows = await session.scalars(select(KnowledgeEntry).where(KnowledgeEntry.id.in_(ids)))
    by_id = {row.id: row for row in rows}
    return [by_id[i] for i in ids if i in by_id]


async def _sqlite_match(
    session: AsyncSession, *, site_id: uuid.UUID, terms: Sequence[str], limit: int
) -> list[uuid.UUID]:
    # Each term is quoted, so FTS5 query syntax in customer text is inert.
    match = " OR ".join('"' + term.replace('"', "") + '"*' for term in terms)
    result = await session.execute(
        text(
            "SELECT k.id FROM knowledge_fts"
            " JOIN knowledge_entries k ON k.rowid = knowledge_fts.rowid"
            " WHERE knowledge_fts MATCH :match AND k.site_id = :site AND k.status = 'approved'"
            " ORDER BY bm25(knowledge_fts, 3.0, 1.0) LIMIT :limit"
        ),
        {"match": match, "site": site_id.hex, "limit": limit},
    )
    return [uuid.UUID(str(row[0])) for row in result]


async def _postgres_match(
    session: AsyncSession, *, site_id: uuid.UUID, terms: Sequence[str], limit: int
) -> list[uuid.UUID]:
    query = " | ".join(re.sub(r"[^\w]", "", term) + ":*" for term in terms if term)
    result = await session.execute(
        text(
            "SELECT id FROM knowledge_entries, to_tsquery('simple', :query) q"
            " WHERE site_id = :site AND status = 'approved'"
            " AND to_tsvector('simple', title || ' ' || body) @@ q"
            " ORDER BY ts_rank(setweight(to_tsvector('simple', title), 'A')"
            " || to_tsvector('simple', body), q) DESC LIMIT :limit"
        ),
        {"query": query, "site": site_id, "limit": limit},
    )
    return [row[0] for row in result]
