"""The chat service: persists first, publishes after commit, lets the assistant answer.

Delivery guarantees (ARCHITECTURE.md): a message is acknowledged only once committed;
``client_id`` makes resending harmless; live pushes are notifications whose content
can always be re-read from the store, so a push lost between commit and publish is
recovered by ``resume``.

A reply is owed for each customer message the assistant holds. The process that stored
the message answers it at once; if that process dies first, reply recovery
(:meth:`Chat.answer_owed_replies`, run by every process) answers it a minute later. A
reply's id is derived from the message it answers, so however many processes try, at
most one reply is stored.

Limits: every frame of a conversation's sessions (WebSocket frames and HTTP messages
alike) draws on one token bucket; a site's assistant answers at most so many messages a
minute, and a message over that is refused before it is stored (``assistant_busy``), so
the client keeps it and sends it again: nothing is lost and nothing is left unanswered.
"""

from __future__ import annotations

import asyncio
import logging
import re
import uuid
import weakref
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from shopchat.assistant.responder import HistoryItem, Reply, Responder, Turn
from shopchat.attachment import service as attachment_service
from shopchat.bus import Bus
from shopchat.console.handoff import on_handoff, on_unattended_message
from shopchat.conversation import repository
from shopchat.conversation.frames import Rating, SendMessage, message_frame
from shopchat.conversation.tokens import SessionClaims
from shopchat.db import Database
from shopchat.kit.errors import Conflict, NotFound, RateLimited
from shopchat.kit.identity import Identity
from shopchat.kit.periodic import Periodic
from shopchat.kit.ratelimit import MemoryRateLimiter, RateLimiter
from shopchat.models import Contact, Conversation, Message, Site
from shopchat.models.base import utcnow
from shopchat.observability import metrics
from shopchat.settings import Settings

log = logging.getLogger(__name__)

REPLAY_PAGE = 500
HISTORY_FOR_RESPONDER = 20
# Reply recovery: a reply not stored this long after the customer's message was lost with
# its process (the LLM's whole-answer deadline is 25 s); older than the horizon, the
# customer has gone and an answer would only surprise them.
RECOVERY_GRACE = timedelta(seconds=60)
RECOVERY_HORIZON = timedelta(hours=1)
RECOVERY_EVERY_SECONDS = 30.0
RECOVERY_BATCH = 200
_LOCALE = re.compile(r"^[A-Za-z]{2,3}([-_][A-Za-z0-9]{2,8})?$")
_ASSISTANT_BUSY = (
    "Our assistant is answering a lot of customers right now. Please wait a moment and "
    "send your message again."
)
_FALLBACK_REPLY = (
    "Sorry, I ran into a problem answering that. I've asked a member of our team to help you here."
)


def conversation_channel(conversation_id: uuid.UUID) -> str:
    return f"conv:{conversation_id}"


def site_channel(site_id: uuid.UUID) -> str:
    return f"site:{site_id}"


@dataclass(frozen=True, slots=True)
class ChatLimits:
    """How much one conversation and one site may ask of the chat (from the settings)."""

    frames_per_second: float = 5.0
    frame_burst: int = 20
    assistant_turns_per_site_per_minute: int = 600

    @classmethod
    def of(cls, settings: Settings) -> ChatLimits:
        return cls(
            frames_per_second=settings.frames_per_second,
            frame_burst=settings.frame_burst,
            assistant_turns_per_site_per_minute=settings.assistant_turns_per_site_per_minute,
        )


@dataclass(frozen=True, slots=True)
class OpenedConversation:
    site: Site
    contact: Contact
    conversation: Conversation
    messages: list[Message]


def language_from_locale(locale: object) -> str | None:
    if isinstance(locale, str) and _LOCALE.match(locale):
        return locale[:2].lower()
    return None


class Chat:
    """Conversations seen from the connections: write, publish, reply."""

    def __init__(
        self,
        *,
        db: Database,
        bus: Bus,
        responder: Responder,
        limiter: RateLimiter | None = None,
        limits: ChatLimits = ChatLimits(),
    ) -> None:
        self.db = db
        self.bus = bus
        self.responder = responder
        self.limiter = limiter or MemoryRateLimiter()
        self.limits = limits
        self._reply_tasks: set[asyncio.Task[None]] = set()
        self._reply_locks: weakref.WeakValueDictionary[uuid.UUID, asyncio.Lock] = (
            weakref.WeakValueDictionary()
        )
        self._recovery: Periodic | None = None
        self._recovered: set[tuple[uuid.UUID, int]] = set()

    # --- sessions -------------------------------------------------------------------

    async def open_conversation(
        self,
        session: AsyncSession,
        *,
        site: Site,
        identity: Identity | None,
        session_id: uuid.UUID,
        language: str | None,
        page: dict[str, str] | None,
    ) -> OpenedConversation:
        """Find the conversation this browser (or verified customer) continues, or start one."""
        contact = await _verified_contact(session, site, identity) if identity else None
        conversation = await _resumable(session, site, session_id, identity, contact)
        if conversation is None:
            contact = contact or await _guest_contact(session, site)
            conversation = Conversation(
                site_id=site.id, contact_id=contact.id, session_id=session_id, language=language
            )
            session.add(conversation)
            await session.flush()
        elif contact is None:
            contact = await repository.get_contact(
                session, site_id=site.id, contact_id=conversation.contact_id
            )
            assert contact is not None
        if page:
            contact.context = {**contact.context, "last_page": page}
        messages = await repository.last_messages(
            session, conversation_id=conversation.id, limit=50
        )
        return OpenedConversation(site, contact, conversation, messages)

    # --- messages -------------------------------------------------------------------

    async def take_frame(self, claims: SessionClaims) -> float:
        """Count one frame of the session's conversation; 0, else the seconds to wait.

        Every tab and transport of a conversation shares the bucket: switching from the
        WebSocket to the HTTP fallback does not double the allowance.
        """
        return await self.limiter.take(
            f"frames:{claims.conversation_id}",
            rate=self.limits.frames_per_second,
            burst=self.limits.frame_burst,
        )

    async def post_customer_message(
        self, claims: SessionClaims, message: SendMessage, *, client_address: str | None = None
    ) -> tuple[Message, bool]:
        """Store a customer's message once (by client_id); publish it; let the bot answer.

        ``client_address`` (the sender's IP) only reaches the assistant's tools, which
        limit order-number guesses per address; it is never stored.
        """
        async with self.db.transaction() as session:
            conversation = await self._conversation(session, claims)
            attachments = await attachment_service.for_message(
                session, conversation_id=conversation.id, ids=message.attachments
            )
            stored, created = await insert_message(
                session,
                conversation=conversation,
                role="customer",
                text=message.text,
                client_id=message.client_id,
                attachments=attachments,
            )
            if created:
                if _assistant_answers(conversation):
                    await self._admit_turn(conversation.site_id)  # refused: rolled back
                await on_unattended_message(session, conversation, stored)
            reopened = created and conversation.status == "resolved"
            if reopened:
                conversation.status = "bot" if conversation.assignee_id is None else "agent"
                conversation.resolved_at = None
            status = conversation.status
        if not created:
            return stored, False
        metrics.messages.labels(role="customer").inc()
        await self.publish_message(conversation, stored)
        if reopened:
            await self.publish_status(conversation.site_id, conversation.id, status)
        if status == "bot":
            self._schedule_reply(
                conversation.site_id, conversation.id, stored.seq, client_address=client_address
            )
        return stored, True

    async def _admit_turn(self, site_id: uuid.UUID) -> None:
        """Take one of the site's assistant turns of this minute, or refuse the message."""
        wait = await self.limiter.hit(
            f"assistant-turns:{site_id}",
            limit=self.limits.assistant_turns_per_site_per_minute,
            window_seconds=60,
        )
        if wait:
            metrics.assistant_busy.inc()
            raise RateLimited(_ASSISTANT_BUSY, retry_after=wait, code="assistant_busy")

    async def replay(self, claims: SessionClaims, *, after_seq: int) -> list[Message]:
        """Every message after ``after_seq``, in order."""
        messages: list[Message] = []
        async with self.db.transaction() as session:
            await self._conversation(session, claims)
            while True:
                page = await repository.messages_after(
                    session,
                    conversation_id=claims.conversation_id,
                    after_seq=after_seq,
                    limit=REPLAY_PAGE,
                )
                messages.extend(page)
                if len(page) < REPLAY_PAGE:
                    return messages
                after_seq = page[-1].seq

    async def last_seq(self, claims: SessionClaims) -> int:
        """The ``seq`` of the conversation's latest message (0 for none)."""
        async with self.db.transaction() as session:
            return (await self._conversation(session, claims)).last_seq

    async def wait_for_messages(
        self, claims: SessionClaims, *, after_seq: int, wait: float
    ) -> list[Message]:
        """Long-poll: the messages after ``after_seq``, waiting up to ``wait`` seconds for one."""
        async with await self.bus.subscribe(conversation_channel(claims.conversation_id)) as sub:
            messages = await self.replay(claims, after_seq=after_seq)
            if messages or wait <= 0:
                return messages
            loop = asyncio.get_running_loop()
            deadline = loop.time() + wait
            while (remaining := deadline - loop.time()) > 0:
                try:
                    event = await asyncio.wait_for(sub.get(), remaining)
                except TimeoutError:
                    break
                if event.get("type") == "message" and event.get("seq", 0) > after_seq:
                    break
            return await self.replay(claims, after_seq=after_seq)

    async def typing(self, claims: SessionClaims, *, on: bool) -> None:
        event = {"type": "typing", "role": "customer", "on": on}
        await self._publish(claims.site_id, claims.conversation_id, event)

    async def rate(self, claims: SessionClaims, rating: Rating) -> None:
        """Record the customer's satisfaction rating of a resolved conversation."""
        async with self.db.transaction() as session:
            conversation = await self._conversation(session, claims)
            if conversation.status not in {"resolved", "archived"}:
                raise Conflict(
                    "a conversation can be rated once it is resolved", code="not_resolved"
                )
            conversation.csat_score = rating.score
            conversation.csat_comment = rating.comment
        await self._publish(
            claims.site_id, claims.conversation_id, {"type": "rating", "score": rating.score}
        )

    # --- publishing -----------------------------------------------------------------

    async def publish_message(self, conversation: Conversation, message: Message) -> None:
        await self._publish(conversation.site_id, conversation.id, message_frame(message))

    async def publish_status(
        self, site_id: uuid.UUID, conversation_id: uuid.UUID, status: str
    ) -> None:
        await self._publish(site_id, conversation_id, {"type": "status", "status": status})

    async def _publish(
        self, site_id: uuid.UUID, conversation_id: uuid.UUID, event: dict[str, Any]
    ) -> None:
        # After commit; a failure here loses only the push, which resume re-reads.
        try:
            await self.bus.publish(conversation_channel(conversation_id), event)
            await self.bus.publish(
                site_channel(site_id), {**event, "conversation_id": str(conversation_id)}
            )
        except Exception:
            log.exception("publish failed; subscribers will recover on resume")

    # --- the assistant --------------------------------------------------------------

    def _schedule_reply(
        self,
        site_id: uuid.UUID,
        conversation_id: uuid.UUID,
        seq: int,
        *,
        client_address: str | None = None,
    ) -> None:
        task = asyncio.create_task(self._reply(site_id, conversation_id, seq, client_address))
        self._reply_tasks.add(task)
        task.add_done_callback(self._reply_tasks.discard)

    async def _reply(
        self, site_id: uuid.UUID, conversation_id: uuid.UUID, seq: int, client_address: str | None
    ) -> None:
        lock = self._reply_locks.setdefault(conversation_id, asyncio.Lock())
        async with lock:
            turn = await self._turn(site_id, conversation_id, seq, client_address)
            if turn is None:
                return
            reply_id = reply_id_for(conversation_id, seq)
            await self._publish(site_id, conversation_id, _typing("assistant", True))
            try:
                reply = await self._ask_responder(turn, reply_id)
            finally:
                await self._publish(site_id, conversation_id, _typing("assistant", False))
            if reply is not None:
                await self._store_reply(site_id, conversation_id, reply_id, reply)

    async def _ask_responder(self, turn: Turn, reply_id: uuid.UUID) -> Reply | None:
        async def stream(text_so_far: str) -> None:
            event = {"type": "delta", "id": str(reply_id), "text": text_so_far}
            await self._publish(turn.site_id, turn.conversation_id, event)

        try:
            with metrics.reply_seconds.time():
                return await self.responder.respond(turn, stream=stream)
        except Exception:
            log.exception("responder failed; handing the conversation to a person")
            return Reply(text=_FALLBACK_REPLY, handoff=True, meta={"error": "responder_failed"})

    async def _turn(
        self,
        site_id: uuid.UUID,
        conversation_id: uuid.UUID,
        seq: int,
        client_address: str | None = None,
    ) -> Turn | None:
        async with self.db.transaction() as session:
            loaded = await repository.conversation_with_site_and_contact(
                session, site_id=site_id, conversation_id=conversation_id
            )
            if loaded is None or loaded[0].status != "bot":
                return None
            conversation, site, contact = loaded
            recent = await repository.recent_history(
                session,
                site_id=site_id,
                conversation_id=conversation_id,
                limit=HISTORY_FOR_RESPONDER,
            )
        latest_customer = max((m.seq for m in recent if m.role == "customer"), default=seq)
        if latest_customer > seq:
            return None  # a newer message is queued; its reply answers both
        if any(m.role == "assistant" and m.seq > seq for m in recent):
            return None  # answered already (recovery raced the live reply)
        current = next(m for m in reversed(recent) if m.seq == seq)
        return Turn(
            site_id=site.id,
            site_name=site.name,
            site_settings=dict(site.settings),
            conversation_id=conversation.id,
            text=current.text,
            language=conversation.language,
            customer=identity_of(contact) if contact else None,
            history=tuple(HistoryItem(m.role, m.text) for m in recent if m.seq < seq),
            low_confidence_turns=conversation.low_confidence_turns,
            site=site,
            client_address=client_address,
        )

    async def _store_reply(
        self, site_id: uuid.UUID, conversation_id: uuid.UUID, reply_id: uuid.UUID, reply: Reply
    ) -> None:
        meta = dict(reply.meta)
        if reply.quick_replies:
            meta["quick_replies"] = list(reply.quick_replies)
        try:
            async with self.db.transaction() as session:
                conversation = await repository.get_conversation(
                    session, site_id=site_id, conversation_id=conversation_id
                )
                if conversation is None or conversation.status != "bot":
                    return  # an agent took over while the assistant was thinking
                stored, _ = await insert_message(
                    session,
                    conversation=conversation,
                    role="assistant",
                    text=reply.text,
                    meta=meta,
                    message_id=reply_id,
                )
                _note_understanding(conversation, reply)
                notices: list[Message] = []
                if reply.handoff:
                    conversation.status = "waiting"
                    notices = await on_handoff(session, conversation)
        except IntegrityError:
            # The id is the answered message's: another process may have stored this reply
            # first. Anything else that broke a constraint is a real error.
            if not await self._stored(site_id, reply_id):
                raise
            log.info("reply %s to conversation %s was stored elsewhere", reply_id, conversation_id)
            return
        metrics.messages.labels(role="assistant").inc()
        await self.publish_message(conversation, stored)
        if reply.handoff:
            await self.publish_status(site_id, conversation_id, "waiting")
        for notice in notices:
            await self.publish_message(conversation, notice)

    async def _stored(self, site_id: uuid.UUID, message_id: uuid.UUID) -> bool:
        async with self.db.transaction() as session:
            return await repository.message_exists(session, site_id=site_id, message_id=message_id)

    def start_recovery(self, *, every_seconds: float = RECOVERY_EVERY_SECONDS) -> None:
        """Answer owed replies now and then every ``every_seconds`` until :meth:`drain`."""
        self._recovery = Periodic(
            "reply recovery", self.answer_owed_replies, every_seconds=every_seconds
        ).start()

    async def answer_owed_replies(
        self, *, grace: timedelta = RECOVERY_GRACE, horizon: timedelta = RECOVERY_HORIZON
    ) -> int:
        """Answer customer messages whose reply was lost with the process that stored them.

        Each owed message is tried once per process: a responder may choose silence, and
        asking it again every pass would not change its mind. Returns how many were tried.
        """
        now = utcnow()
        async with self.db.transaction() as session:
            owed = await repository.owed_replies(
                session, since=now - horizon, until=now - grace, limit=RECOVERY_BATCH
            )
        # Forget what is no longer owed (answered, or past the horizon): the set stays small.
        self._recovered &= {(conversation_id, seq) for _, conversation_id, seq in owed}
        tried = 0
        for site_id, conversation_id, seq in owed:
            if (conversation_id, seq) in self._recovered or conversation_id in self._reply_locks:
                continue  # tried already, or this process is answering it right now
            self._recovered.add((conversation_id, seq))
            metrics.replies_recovered.inc()
            log.warning("answering message %s of conversation %s late", seq, conversation_id)
            self._schedule_reply(site_id, conversation_id, seq)
            tried += 1
        return tried

    async def drain(self) -> None:
        """Stop reply recovery; let replies under way finish (at shutdown)."""
        if self._recovery is not None:
            await self._recovery.stop()
        if self._reply_tasks:
            await asyncio.wait(set(self._reply_tasks), timeout=10)

    async def _conversation(self, session: AsyncSession, claims: SessionClaims) -> Conversation:
        conversation = await repository.get_conversation(
            session, site_id=claims.site_id, conversation_id=claims.conversation_id
        )
        if conversation is None or conversation.contact_id != claims.contact_id:
            raise NotFound("conversation not found", code="conversation_not_found")
        return conversation


async def insert_message(
    session: AsyncSession,
    *,
    conversation: Conversation,
    role: str,
    text: str,
    client_id: str | None = None,
    attachments: Sequence[dict[str, Any]] = (),
    meta: dict[str, Any] | None = None,
    agent_id: uuid.UUID | None = None,
    message_id: uuid.UUID | None = None,
) -> tuple[Message, bool]:
    """Give the message the conversation's next ``seq`` and store it; dedupe on client_id."""

    async def store() -> Message:
        seq = await repository.allocate_seq(session, conversation_id=conversation.id)
        message = Message(
            id=message_id or uuid.uuid4(),
            conversation_id=conversation.id,
            site_id=conversation.site_id,
            seq=seq,
            role=role,
            text=text,
            client_id=client_id,
            attachments=list(attachments),
            meta=meta or {},
            agent_id=agent_id,
        )
        session.add(message)
        await session.flush()
        return message

    if client_id is None:
        return await store(), True
    try:
        # The unique (conversation_id, client_id) decides; the savepoint keeps the
        # transaction usable when a resend loses the race (PostgreSQL aborts otherwise).
        async with session.begin_nested():
            message = await store()
    except IntegrityError:
        # This client_id is stored already (a resend, or a concurrent request won the
        # race). The savepoint's rollback expired the conversation: reload it here
        # rather than lazily (async).
        await session.refresh(conversation)
        existing = await repository.message_by_client_id(
            session, conversation_id=conversation.id, client_id=client_id
        )
        if existing is None:
            raise
        return existing, False
    return message, True


def reply_id_for(conversation_id: uuid.UUID, seq: int) -> uuid.UUID:
    """The id of the assistant's answer to message ``seq``: the same in every process."""
    return uuid.uuid5(conversation_id, f"reply-to:{seq}")


def identity_of(contact: Contact) -> Identity | None:
    """The verified identity kept on a contact; None for a guest."""
    if contact.external_id is None:
        return None
    context = contact.context
    return Identity(
        customer_id=contact.external_id,
        email=contact.email,
        name=contact.name,
        segment=contact.segment,
        order_count=int(context.get("order_count", 0)),
        total_spent=str(context.get("total_spent", "0")),
        cart=context.get("cart"),
        recent_orders=list(context.get("recent_orders", [])),
    )


def _assistant_answers(conversation: Conversation) -> bool:
    """Whether the assistant will answer a new customer message (a resolved one reopens)."""
    status = conversation.status
    return status == "bot" or (status == "resolved" and conversation.assignee_id is None)


def _typing(role: str, on: bool) -> dict[str, Any]:
    return {"type": "typing", "role": role, "on": on}


def _note_understanding(conversation: Conversation, reply: Reply) -> None:
    if intent := reply.meta.get("intent"):
        conversation.intent = str(intent)[:64]
    if reply.language:
        conversation.language = reply.language
    if isinstance(sentiment := reply.meta.get("sentiment"), int | float):
        conversation.sentiment = float(sentiment)
    confidence = reply.meta.get("confidence")
    low = isinstance(confidence, int | float) and confidence < 0.5
    conversation.low_confidence_turns = conversation.low_confidence_turns + 1 if low else 0


async def _verified_contact(session: AsyncSession, site: Site, identity: Identity) -> Contact:
    contact = await repository.contact_by_external_id(
        session, site_id=site.id, external_id=identity.customer_id
    )
    if contact is None:
        contact = Contact(site_id=site.id, external_id=identity.customer_id, context={})
        session.add(contact)
    contact.email = identity.email
    contact.name = identity.name
    contact.segment = identity.segment
    contact.context = {
        **(contact.context or {}),
        "order_count": identity.order_count,
        "total_spent": identity.total_spent,
        "cart": identity.cart,
        "recent_orders": identity.recent_orders,
    }
    await session.flush()
    return contact


async def _guest_contact(session: AsyncSession, site: Site) -> Contact:
    contact = Contact(site_id=site.id, segment="guest", context={})
    session.add(contact)
    await session.flush()
    return contact


async def _resumable(
    session: AsyncSession,
    site: Site,
    session_id: uuid.UUID,
    identity: Identity | None,
    contact: Contact | None,
) -> Conversation | None:
    """The conversation to continue; a verified customer's is never handed to anyone else."""
    conversation = await repository.latest_conversation_for_session(
        session, site_id=site.id, session_id=session_id
    )
    if conversation is not None:
        owner = await repository.get_contact(
            session, site_id=site.id, contact_id=conversation.contact_id
        )
        if owner is not None and owner.external_id is not None:
            if identity is None or owner.external_id != identity.customer_id:
                conversation = None
        elif contact is not None:
            conversation.contact_id = contact.id  # the guest signed in: same conversation
    if conversation is None and contact is not None:
        conversation = await repository.latest_open_conversation_for_contact(
            session, site_id=site.id, contact_id=contact.id
        )
    return conversation
