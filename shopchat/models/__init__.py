"""Every table of shopchat; relationships cross domains, so the models live together."""

from shopchat.models.base import Base
from shopchat.models.tables import (
    Account,
    Agent,
    Attachment,
    Contact,
    Conversation,
    Event,
    KnowledgeEntry,
    Message,
    Note,
    OrderEvent,
    OutboxItem,
    Site,
)

__all__ = [
    "Account",
    "Agent",
    "Attachment",
    "Base",
    "Contact",
    "Conversation",
    "Event",
    "KnowledgeEntry",
    "Message",
    "Note",
    "OrderEvent",
    "OutboxItem",
    "Site",
]
