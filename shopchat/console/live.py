"""Publishing console actions after commit: what the customer may see, and what only agents see.

Customer-visible events go to ``conv:{id}`` (the widget) and ``site:{id}`` (the console);
agent-only events (notes, whispers, held replies, assignment) go to ``site:{id}`` alone,
which no customer connection ever subscribes to.
"""

from __future__ import annotations

import logging
import uuid
from dataclasses import dataclass, field
from typing import Any

from shopchat.bus import Bus
from shopchat.conversation.service import conversation_channel, site_channel

log = logging.getLogger(__name__)


@dataclass(slots=True)
class Outcome:
    site_id: uuid.UUID
    conversation_id: uuid.UUID
    public: list[dict[str, Any]] = field(default_factory=list)
    private: list[dict[str, Any]] = field(default_factory=list)


async def publish(bus: Bus, outcome: Outcome | None) -> None:
    if outcome is None:
        return
    site = site_channel(outcome.site_id)
    conversation_id = str(outcome.conversation_id)
    try:
        for event in outcome.public:
            await bus.publish(conversation_channel(outcome.conversation_id), event)
            await bus.publish(site, {**event, "conversation_id": conversation_id})
        for event in outcome.private:
            await bus.publish(site, {**event, "conversation_id": conversation_id})
    except Exception:
        log.exception("console publish failed; consoles and widgets recover from the store")
