"""Knowledge queries; full-text search is FTS5 on SQLite and tsvector on PostgreSQL."""

from __future__ import annotations

import re
import uuid
from collections.abc import Sequence
from typing import Any

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


# Built once (a statement's construction costs more than SQLite takes to run it).
_SQLITE_SEARCH = select(KnowledgeEntry).from_statement(
    text(
        "SELECT k.* FROM knowledge_fts"
        " JOIN knowledge_entries k ON k.rowid = knowledge_fts.rowid"
        " WHERE knowledge_fts MATCH :match AND k.site_id = :site AND k.status = 'approved'"
        " ORDER BY bm25(knowledge_fts, 3.0, 1.0) LIMIT :limit"
    )
)
_POSTGRES_SEARCH = select(KnowledgeEntry).from_statement(
    text(
        "SELECT k.* FROM knowledge_entries k, to_tsquery('simple', :query) q"
        " WHERE k.site_id = :site AND k.status = 'approved'"
        " AND to_tsvector('simple', k.title || ' ' || k.body) @@ q"
        " ORDER BY ts_rank(setweight(to_tsvector('simple', k.title), 'A')"
        " || to_tsvector('simple', k.body), q) DESC LIMIT :limit"
    )
)


async def search(
    session: AsyncSession, *, site_id: uuid.UUID, terms: Sequence[str], limit: int = 3
) -> list[KnowledgeEntry]:
    """Approved entries of one site that match any term, best first (one query)."""
    if not terms:
        return []
    if session.get_bind().dialect.name == "sqlite":
        statement, params = _SQLITE_SEARCH, _sqlite_params(site_id, terms)
    else:
        statement, params = _POSTGRES_SEARCH, _postgres_params(site_id, terms)
    rows = await session.scalars(statement, {**params, "limit": limit})
    return list(rows)


def _sqlite_params(site_id: uuid.UUID, terms: Sequence[str]) -> dict[str, Any]:
    # Each term is quoted, so FTS5 query syntax in customer text is inert.
    match = " OR ".join('"' + term.replace('"', "") + '"*' for term in terms)
    return {"match": match, "site": site_id.hex}


def _postgres_params(site_id: uuid.UUID, terms: Sequence[str]) -> dict[str, Any]:
    query = " | ".join(re.sub(r"[^\w]", "", term) + ":*" for term in terms if term)
    return {"query": query, "site": site_id}
