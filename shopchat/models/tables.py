"""The domain model of ARCHITECTURE.md. Every tenant row carries its site (and so its account)."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import (
    BigInteger,
    Boolean,
    ForeignKey,
    Index,
    Integer,
    Numeric,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

from shopchat.models.base import Base, CreatedMixin, IdMixin, utcnow


class Account(IdMixin, CreatedMixin, Base):
    """A tenant: a merchant, or an agency reselling a white-label."""

    __tablename__ = "accounts"

    name: Mapped[str] = mapped_column(String(200))


class Site(IdMixin, CreatedMixin, Base):
    """One shop. Secrets are stored encrypted (AES-256-GCM, shopchat.kit.crypto)."""

    __tablename__ = "sites"

    account_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("accounts.id", ondelete="CASCADE"))
    name: Mapped[str] = mapped_column(String(200))
    site_key: Mapped[str] = mapped_column(String(64), unique=True)
    identity_secret_enc: Mapped[str] = mapped_column(Text)
    webhook_secret_enc: Mapped[str] = mapped_column(Text)
    allowed_origins: Mapped[list[Any]] = mapped_column(default=list)
    enforce_identity: Mapped[bool] = mapped_column(Boolean, default=False)
    settings: Mapped[dict[str, Any]] = mapped_column(default=dict)
    store_url: Mapped[str | None] = mapped_column(String(500))
    store_credentials_enc: Mapped[str | None] = mapped_column(Text)
    retention_days: Mapped[int | None] = mapped_column(Integer)

    __table_args__ = (Index("ix_sites_account", "account_id"),)


class Contact(IdMixin, CreatedMixin, Base):
    """A customer of a site: a verified shop customer, or a guest known by session only."""

    __tablename__ = "contacts"

    site_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("sites.id", ondelete="CASCADE"))
    external_id: Mapped[str | None] = mapped_column(String(191))
    email: Mapped[str | None] = mapped_column(String(255))
    name: Mapped[str | None] = mapped_column(String(255))
    segment: Mapped[str] = mapped_column(String(16), default="guest")
    context: Mapped[dict[str, Any]] = mapped_column(default=dict)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)

    __table_args__ = (
        UniqueConstraint("site_id", "external_id", name="uq_contacts_site_external"),
        Index("ix_contacts_site_email", "site_id", "email"),
    )


class Agent(IdMixin, CreatedMixin, Base):
    """A person of an account who answers customers."""

    __tablename__ = "agents"

    account_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("accounts.id", ondelete="CASCADE"))
    email: Mapped[str] = mapped_column(String(255), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    role: Mapped[str] = mapped_column(String(16), default="agent")
    password_hash: Mapped[str] = mapped_column(String(255))
    availability: Mapped[str] = mapped_column(String(16), default="offline")
    capacity: Mapped[int] = mapped_column(Integer, default=5)
    deactivated_at: Mapped[datetime | None]  # set: cannot sign in, is never assigned

    __table_args__ = (Index("ix_agents_account", "account_id"),)


class Conversation(IdMixin, CreatedMixin, Base):
    """A conversation of one contact with one site; ``last_seq`` hands out message numbers."""

    __tablename__ = "conversations"

    site_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("sites.id", ondelete="CASCADE"))
    contact_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("contacts.id", ondelete="CASCADE"))
    session_id: Mapped[uuid.UUID]
    status: Mapped[str] = mapped_column(String(16), default="bot")
    assignee_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("agents.id", ondelete="SET NULL")
    )
    language: Mapped[str | None] = mapped_column(String(8))
    intent: Mapped[str | None] = mapped_column(String(64))
    sentiment: Mapped[float | None]
    csat_score: Mapped[int | None] = mapped_column(Integer)
    csat_comment: Mapped[str | None] = mapped_column(Text)
    last_seq: Mapped[int] = mapped_column(BigInteger, default=0)
    low_confidence_turns: Mapped[int] = mapped_column(Integer, default=0)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)
    resolved_at: Mapped[datetime | None]

    __table_args__ = (
        Index("ix_conversations_site_status_updated", "site_id", "status", "updated_at"),
        Index("ix_conversations_status_updated", "status", "updated_at"),  # reply recovery
        Index("ix_conversations_site_session", "site_id", "session_id"),
        Index("ix_conversations_contact", "contact_id"),
        Index("ix_conversations_assignee", "assignee_id"),
    )


class Message(IdMixin, CreatedMixin, Base):
    """One message; (conversation_id, seq) orders it, (conversation_id, client_id) dedupes it."""

    __tablename__ = "messages"

    conversation_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("conversations.id", ondelete="CASCADE")
    )
    site_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("sites.id", ondelete="CASCADE"))
    seq: Mapped[int] = mapped_column(BigInteger)
    role: Mapped[str] = mapped_column(String(16))
    text: Mapped[str] = mapped_column(Text)
    client_id: Mapped[str | None] = mapped_column(String(64))
    agent_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("agents.id", ondelete="SET NULL"))
    attachments: Mapped[list[Any]] = mapped_column(default=list)
    meta: Mapped[dict[str, Any]] = mapped_column(default=dict)

    __table_args__ = (
        UniqueConstraint("conversation_id", "seq", name="uq_messages_conversation_seq"),
        UniqueConstraint("conversation_id", "client_id", name="uq_messages_conversation_client"),
        Index("ix_messages_site_created", "site_id", "created_at"),
    )


class Note(IdMixin, CreatedMixin, Base):
    """An internal note (or a supervisor's whisper) that the customer never sees."""

    __tablename__ = "notes"

    conversation_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("conversations.id", ondelete="CASCADE")
    )
    agent_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("agents.id", ondelete="SET NULL"))
    text: Mapped[str] = mapped_column(Text)

    __table_args__ = (Index("ix_notes_conversation", "conversation_id"),)


class KnowledgeEntry(IdMixin, CreatedMixin, Base):
    """An FAQ entry or a policy of a site; only ``approved`` entries answer customers."""

    __tablename__ = "knowledge_entries"

    site_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("sites.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(String(16), default="faq")
    title: Mapped[str] = mapped_column(String(500))
    body: Mapped[str] = mapped_column(Text)
    language: Mapped[str] = mapped_column(String(8), default="en")
    source: Mapped[str] = mapped_column(String(16), default="written")
    status: Mapped[str] = mapped_column(String(16), default="approved")
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)

    __table_args__ = (Index("ix_knowledge_site_status", "site_id", "status"),)


class Attachment(IdMixin, CreatedMixin, Base):
    """A file a customer or agent sent; the bytes live outside the web root."""

    __tablename__ = "attachments"

    site_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("sites.id", ondelete="CASCADE"))
    conversation_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("conversations.id", ondelete="CASCADE")
    )
    filename: Mapped[str] = mapped_column(String(255))
    content_type: Mapped[str] = mapped_column(String(100))
    size: Mapped[int] = mapped_column(Integer)
    storage_key: Mapped[str] = mapped_column(String(255))

    __table_args__ = (Index("ix_attachments_conversation", "conversation_id"),)


class Event(IdMixin, CreatedMixin, Base):
    """The audit log: who did what to which conversation or setting."""

    __tablename__ = "events"

    account_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("accounts.id", ondelete="CASCADE"))
    site_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("sites.id", ondelete="CASCADE"))
    conversation_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("conversations.id", ondelete="CASCADE")
    )
    actor: Mapped[str] = mapped_column(String(100))
    kind: Mapped[str] = mapped_column(String(64))
    data: Mapped[dict[str, Any]] = mapped_column(default=dict)

    __table_args__ = (Index("ix_events_account_created", "account_id", "created_at"),)


class OutboxItem(IdMixin, CreatedMixin, Base):
    """A notification or webhook to send; written in the same transaction as its cause."""

    __tablename__ = "outbox"

    site_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("sites.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(String(64))
    dedupe_key: Mapped[str] = mapped_column(String(200), unique=True)
    payload: Mapped[dict[str, Any]] = mapped_column(default=dict)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[datetime] = mapped_column(default=utcnow)
    sent_at: Mapped[datetime | None]
    last_error: Mapped[str | None] = mapped_column(Text)

    __table_args__ = (Index("ix_outbox_due", "sent_at", "next_attempt_at"),)


class OrderEvent(IdMixin, Base):
    """A WooCommerce webhook delivery, kept to answer fast and process durably after."""

    __tablename__ = "order_events"

    site_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("sites.id", ondelete="CASCADE"))
    delivery_id: Mapped[str] = mapped_column(String(100))
    # WooCommerce's delivery id is per webhook and second, not per event: a burst shares
    # it, so a delivery is told apart by this digest of its topic and raw body too.
    content_sha256: Mapped[str] = mapped_column(String(64), default="")
    topic: Mapped[str] = mapped_column(String(64))
    payload: Mapped[dict[str, Any]] = mapped_column(default=dict)
    received_at: Mapped[datetime] = mapped_column(default=utcnow)
    processed_at: Mapped[datetime | None]

    __table_args__ = (
        UniqueConstraint(
            "site_id", "delivery_id", "content_sha256", name="uq_order_events_site_delivery"
        ),
        # The worker's "not processed yet" and housekeeping's "processed long ago".
        Index("ix_order_events_processed", "processed_at"),
    )


# --- human agents (issue 6): sessions, second factor, teams, routing, canned replies ---------


class AgentSession(IdMixin, CreatedMixin, Base):
    """A console login; the cookie holds the token, the table only its SHA-256."""

    __tablename__ = "agent_sessions"

    agent_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("agents.id", ondelete="CASCADE"))
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    expires_at: Mapped[datetime]
    last_seen_at: Mapped[datetime] = mapped_column(default=utcnow)
    revoked_at: Mapped[datetime | None]
    ip: Mapped[str | None] = mapped_column(String(64))
    user_agent: Mapped[str | None] = mapped_column(String(300))

    __table_args__ = (Index("ix_agent_sessions_agent", "agent_id"),)


class AgentTotp(CreatedMixin, Base):
    """An agent's TOTP secret (encrypted); ``enabled_at`` is set once a code confirmed it."""

    __tablename__ = "agent_totp"

    agent_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("agents.id", ondelete="CASCADE"), primary_key=True
    )
    secret_enc: Mapped[str] = mapped_column(Text)
    enabled_at: Mapped[datetime | None]
    last_step: Mapped[int] = mapped_column(BigInteger, default=0)


class Team(IdMixin, CreatedMixin, Base):
    """A group of agents of one account that conversations can be routed to."""

    __tablename__ = "teams"

    account_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("accounts.id", ondelete="CASCADE"))
    name: Mapped[str] = mapped_column(String(100))

    __table_args__ = (UniqueConstraint("account_id", "name", name="uq_teams_account_name"),)


class TeamMember(Base):
    __tablename__ = "team_members"

    team_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("teams.id", ondelete="CASCADE"), primary_key=True
    )
    agent_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("agents.id", ondelete="CASCADE"), primary_key=True
    )


class ConversationRouting(Base):
    """The team a conversation was transferred to (one row at most per conversation)."""

    __tablename__ = "conversation_routing"

    conversation_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("conversations.id", ondelete="CASCADE"), primary_key=True
    )
    team_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("teams.id", ondelete="SET NULL"))
    waiting_since: Mapped[datetime] = mapped_column(default=utcnow)


class CannedResponse(IdMixin, CreatedMixin, Base):
    """A saved reply an agent inserts by its shortcut; ``{first_name}`` etc. are filled in."""

    __tablename__ = "canned_responses"

    account_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("accounts.id", ondelete="CASCADE"))
    shortcut: Mapped[str] = mapped_column(String(40))
    text: Mapped[str] = mapped_column(Text)

    __table_args__ = (
        UniqueConstraint("account_id", "shortcut", name="uq_canned_responses_account_shortcut"),
    )


class PendingReply(IdMixin, CreatedMixin, Base):
    """A trainee's reply held until a supervisor approves (or edits, or rejects) it."""

    __tablename__ = "pending_replies"

    site_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("sites.id", ondelete="CASCADE"))
    conversation_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("conversations.id", ondelete="CASCADE")
    )
    agent_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("agents.id", ondelete="SET NULL"))
    text: Mapped[str] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(16), default="pending")
    reviewer_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("agents.id", ondelete="SET NULL")
    )
    reviewed_at: Mapped[datetime | None]
    message_id: Mapped[uuid.UUID | None]

    __table_args__ = (Index("ix_pending_replies_conversation", "conversation_id", "status"),)


class NoteKind(Base):
    """Marks a note as a supervisor's whisper (the notes table predates whispers)."""

    __tablename__ = "note_kinds"

    note_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("notes.id", ondelete="CASCADE"), primary_key=True
    )
    kind: Mapped[str] = mapped_column(String(16), default="whisper")


# --- LLM providers (issue 4): token and cost accounting per site and month ---------------


class LlmUsage(Base):
    """Tokens and cost an LLM provider spent for one site in one month (``YYYY-MM``, UTC)."""

    __tablename__ = "llm_usage"

    site_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("sites.id", ondelete="CASCADE"), primary_key=True
    )
    month: Mapped[str] = mapped_column(String(7), primary_key=True)
    tokens_in: Mapped[int] = mapped_column(BigInteger, default=0)
    tokens_out: Mapped[int] = mapped_column(BigInteger, default=0)
    cost: Mapped[float] = mapped_column(Numeric(14, 6, asdecimal=False), default=0.0)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)


# --- Console presence (issue 6): which agents have a console open, in any process ---------


class ConsoleSocket(IdMixin, Base):
    """One open console WebSocket; live while ``expires_at`` is ahead (heartbeats move it)."""

    __tablename__ = "console_sockets"

    agent_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("agents.id", ondelete="CASCADE"))
    expires_at: Mapped[datetime]

    __table_args__ = (Index("ix_console_sockets_agent", "agent_id", "expires_at"),)


class AgentPresence(Base):
    """The availability to restore when an agent set offline for closing every console returns."""

    __tablename__ = "agent_presence"

    agent_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("agents.id", ondelete="CASCADE"), primary_key=True
    )
    restore_to: Mapped[str | None] = mapped_column(String(16))
