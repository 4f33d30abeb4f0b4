"""A minimal responder: answers from the site's knowledge entries, honestly when it can't."""

from __future__ import annotations

import re

from shopchat.assistant.responder import Reply, StreamSink, Turn
from shopchat.db import Database
from shopchat.knowledge import repository

_HUMAN = re.compile(
    r"\b(human|person|agent|someone real|mensch|mitarbeiter|humain|conseiller|humano|persona"
    r"|medewerker)\b",
    re.IGNORECASE,
)
STOPWORDS = frozenset(
    """a an and are as at be but by can could do does for from have how i if in is it me my
    of on or our please so that the their there this to was we what when where which who why
    will with would you your hi hello hey thanks thank
    der die das und ist ich mein meine wie wo was ein eine zu mit für den dem des nicht
    le la les et est je mon ma mes comment où quoi un une de du des pour avec
    el los las y es yo mi mis cómo donde qué una del para con
    het een en ik mijn hoe waar wat voor met""".split()
)
_MIN_COVERAGE = 0.34

_NOT_FOUND = (
    "I'm not sure about that one, and I'd rather not guess. "
    "Would you like me to connect you with someone from the team?"
)
_HANDOFF = "Of course — I'm passing you to a member of our team. They'll reply here shortly."


class KnowledgeResponder:
    """Full-text search over approved FAQ and policy entries; no network, no model."""

    def __init__(self, db: Database) -> None:
        self._db = db

    async def respond(self, turn: Turn, *, stream: StreamSink) -> Reply | None:
        if _HUMAN.search(turn.text):
            return Reply(text=_HANDOFF, handoff=True, meta={"intent": "contact_human_agent"})
        terms = repository.search_terms(turn.text, stopwords=STOPWORDS)
        async with self._db.transaction() as session:
            entries = await repository.search(session, site_id=turn.site_id, terms=terms)
        best = next((e for e in entries if _coverage(terms, e.title + " " + e.body)), None)
        if best is None:
            return Reply(
                text=_NOT_FOUND,
                quick_replies=("Talk to a person",),
                meta={"intent": "unknown", "confidence": 0.0, "sources": []},
            )
        return Reply(
            text=best.body,
            meta={"intent": "faq", "confidence": 0.7, "sources": [str(best.id)]},
        )


def _coverage(terms: list[str], document: str) -> bool:
    words = set(re.findall(r"\w+", document.lower()))
    hits = sum(1 for term in terms if any(word.startswith(term) for word in words))
    return hits >= 1 and hits / len(terms) >= _MIN_COVERAGE
