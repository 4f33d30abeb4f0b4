"""FAQ suggestions from resolved conversations, for an admin to approve into the knowledge.

The customers' questions of a site's resolved conversations are clustered by TF-IDF
cosine similarity (stdlib only); each cluster asked in at least ``min_conversations``
conversations becomes one ``KnowledgeEntry(status="suggested", source="suggested")``:
its most typical question as the title, the agents' most typical answer as the body.
Suggestions never answer customers: knowledge search reads approved entries only.
"""

from __future__ import annotations

import math
import re
import uuid
from collections import Counter
from dataclasses import dataclass, field

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from shopchat.kit.errors import Conflict, NotFound
from shopchat.knowledge.repository import STOPWORDS
from shopchat.knowledge.service import add_entry
from shopchat.models import Conversation, KnowledgeEntry, Message
from shopchat.models.base import utcnow

SIMILARITY = 0.35  # cosine of two question-and-answer TF-IDF vectors to be "the same question"
DUPLICATE = 0.5  # cosine of a suggestion with an existing entry to be left out
MAX_CONVERSATIONS = 2000
_WORD = re.compile(r"\w{2,}", re.UNICODE)

Vector = dict[str, float]


@dataclass(frozen=True, slots=True)
class QA:
    conversation_id: uuid.UUID
    question: str
    answer: str


@dataclass
class _Cluster:
    centroid: Counter[str] = field(default_factory=Counter)
    members: list[tuple[QA, Vector]] = field(default_factory=list)


def tokens(text: str) -> list[str]:
    """Content words, a plural ``s`` dropped (returns → return)."""
    words = (w for w in _WORD.findall(text.lower()) if w not in STOPWORDS and not w.isdigit())
    return [w[:-1] if len(w) > 3 and w.endswith("s") and not w.endswith("ss") else w for w in words]


def cosine(a: Vector, b: Vector) -> float:
    dot = sum(weight * b.get(term, 0.0) for term, weight in a.items())
    norm = math.sqrt(sum(w * w for w in a.values())) * math.sqrt(sum(w * w for w in b.values()))
    return dot / norm if norm else 0.0


def tf_idf(documents: list[list[str]]) -> list[Vector]:
    frequency = Counter(term for doc in documents for term in set(doc))
    count = len(documents)
    return [
        {
            term: n * (1 + math.log((1 + count) / (1 + frequency[term])))
            for term, n in Counter(doc).items()
        }
        for doc in documents
    ]


def cluster(pairs: list[QA], *, threshold: float = SIMILARITY) -> list[list[tuple[QA, Vector]]]:
    """Greedy single pass: each pair joins the most similar cluster centroid, or starts one.

    A pair is compared by its question and its answer together: two customers who got
    the same answer from the agents almost always asked the same thing in other words.
    """
    vectors = tf_idf([tokens(p.question) + tokens(p.answer) for p in pairs])
    clusters: list[_Cluster] = []
    for pair, vector in zip(pairs, vectors, strict=True):
        if not vector:
            continue
        scored = [(cosine(vector, dict(c.centroid)), c) for c in clusters]
        best = max(scored, key=lambda s: s[0], default=(0.0, None))
        chosen = best[1] if best[0] >= threshold and best[1] is not None else _Cluster()
        if chosen not in clusters:
            clusters.append(chosen)
        chosen.members.append((pair, vector))
        chosen.centroid.update(vector)
    return [c.members for c in clusters]


def question_answer_pairs(messages: list[Message]) -> list[QA]:
    """Each customer question (joined with its follow-ups) with the agent's reply to it."""
    pairs: list[QA] = []
    asked: list[str] = []
    for message in messages:
        if message.role == "customer":
            asked.append(message.text)
        elif message.role == "agent" and asked:
            question = " ".join(asked)
            if len(tokens(question)) >= 2 and len(message.text.strip()) >= 10:
                pairs.append(QA(message.conversation_id, question.strip(), message.text.strip()))
            asked = []
        elif message.role == "assistant":
            asked = []  # the bot answered that one
    return pairs


async def suggest(
    session: AsyncSession, *, site_id: uuid.UUID, min_conversations: int = 2
) -> list[KnowledgeEntry]:
    """Add suggested FAQ entries from the site's resolved conversations; return the new ones."""
    pairs = question_answer_pairs(await _resolved_messages(session, site_id=site_id))
    existing = [
        tf_idf([tokens(e.title + " " + e.body)])[0]
        for e in await session.scalars(
            select(KnowledgeEntry).where(KnowledgeEntry.site_id == site_id)
        )
    ]
    added: list[KnowledgeEntry] = []
    for members in cluster(pairs):
        if len({qa.conversation_id for qa, _ in members}) < min_conversations:
            continue
        title, body = _typical(members)
        vector = tf_idf([tokens(title + " " + body)])[0]
        if any(cosine(vector, known) >= DUPLICATE for known in existing):
            continue
        entry = await add_entry(
            session, site_id=site_id, title=title, body=body, source="suggested", status="suggested"
        )
        existing.append(vector)
        added.append(entry)
    return added


def _typical(members: list[tuple[QA, Vector]]) -> tuple[str, str]:
    """The question closest to all others, and the answer the agents gave most alike."""

    def typical(member: tuple[QA, Vector]) -> tuple[float, bool, int]:
        # Ties go to a well-formed question (ends with "?", longer), so the pick is stable.
        score = round(sum(cosine(member[1], other[1]) for other in members), 9)
        return score, member[0].question.endswith("?"), len(member[0].question)

    question = max(members, key=typical)[0].question
    answers = [qa.answer for qa, _ in members]
    answer_vectors = tf_idf([tokens(a) for a in answers])
    best = max(
        range(len(answers)),
        key=lambda i: sum(cosine(answer_vectors[i], other) for other in answer_vectors),
    )
    return question, answers[best]


async def _resolved_messages(session: AsyncSession, *, site_id: uuid.UUID) -> list[Message]:
    recent = (
        select(Conversation.id)
        .where(Conversation.site_id == site_id, Conversation.status.in_(("resolved", "archived")))
        .order_by(Conversation.updated_at.desc())
        .limit(MAX_CONVERSATIONS)
    )
    rows = await session.scalars(
        select(Message)
        .where(Message.site_id == site_id, Message.conversation_id.in_(recent))
        .order_by(Message.conversation_id, Message.seq)
    )
    return list(rows)


async def list_suggested(session: AsyncSession, *, site_id: uuid.UUID) -> list[KnowledgeEntry]:
    """A site's suggestions waiting for review, oldest first."""
    rows = await session.scalars(
        select(KnowledgeEntry)
        .where(KnowledgeEntry.site_id == site_id, KnowledgeEntry.status == "suggested")
        .order_by(KnowledgeEntry.created_at)
    )
    return list(rows)


async def review(
    session: AsyncSession,
    *,
    site_id: uuid.UUID,
    entry_id: uuid.UUID,
    approve: bool,
    title: str | None = None,
    body: str | None = None,
) -> KnowledgeEntry:
    """Approve (optionally edited) or reject a suggestion of this site."""
    entry = await session.scalar(
        select(KnowledgeEntry).where(
            KnowledgeEntry.id == entry_id, KnowledgeEntry.site_id == site_id
        )
    )
    if entry is None:
        raise NotFound("no such knowledge entry on this site")
    if entry.status != "suggested":
        raise Conflict(f"entry is already {entry.status}", code="already_reviewed")
    if approve and title and title.strip():
        entry.title = title.strip()[:500]
    if approve and body and body.strip():
        entry.body = body.strip()
    entry.status = "approved" if approve else "rejected"
    entry.updated_at = utcnow()
    await session.flush()
    return entry
