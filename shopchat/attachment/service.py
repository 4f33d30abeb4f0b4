"""Store an upload for a conversation; find one for its customer or its site's agents."""

from __future__ import annotations

import asyncio
import re
import unicodedata
import uuid
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from shopchat.attachment import files, sandbox, storage
from shopchat.conversation import repository as conversations
from shopchat.conversation.tokens import SessionClaims
from shopchat.db import Database
from shopchat.kit.errors import BadInput, NotFound
from shopchat.models import Attachment, Site

_UNSAFE = re.compile(r"[^\w.\- ()]+")


def safe_filename(name: str | None, extension: str) -> str:
    """The sender's name, tamed, ending in the extension of the type it really is."""
    base = Path((name or "").replace("\\", "/")).name
    base = unicodedata.normalize("NFC", base).rsplit(".", 1)[0] if "." in base else base
    base = _UNSAFE.sub("_", base).strip(" ._")[:120] or "attachment"
    return f"{base}.{extension}"


async def save(
    db: Database,
    *,
    data_dir: Path,
    site_id: uuid.UUID,
    conversation_id: uuid.UUID,
    filename: str | None,
    data: bytes,
) -> Attachment:
    """Check the real type, strip metadata, write the bytes, then record the attachment.

    Call it outside any transaction: cleaning an image may take seconds, and a transaction
    held meanwhile (SQLite's pool has one connection) would stall every other request.
    The caller has checked that the sender may write to this conversation.
    """
    if not data:
        raise BadInput("the file is empty", code="empty_file")
    kind = files.sniff(data)
    cleaned = await sandbox.clean(data, kind)
    attachment = Attachment(
        id=uuid.uuid4(),
        site_id=site_id,
        conversation_id=conversation_id,
        filename=safe_filename(filename, kind.extension),
        content_type=kind.content_type,
        size=len(cleaned),
    )
    attachment.storage_key = storage.storage_key(site_id, attachment.id)
    await asyncio.to_thread(storage.write, data_dir, attachment.storage_key, cleaned)
    try:
        await _record(db, attachment)
    except BaseException:
        storage.remove(data_dir, attachment.storage_key)  # no row, no file
        raise
    return attachment


async def _record(db: Database, attachment: Attachment) -> None:
    try:
        async with db.transaction() as session:
            session.add(attachment)
    except IntegrityError:  # the conversation was deleted while its file was cleaned
        raise NotFound("conversation not found", code="conversation_not_found") from None


async def attachment_for(
    session: AsyncSession, *, claims: SessionClaims, attachment_id: str
) -> Attachment:
    """An attachment of the token's own conversation; anything else is simply not found."""
    await own_conversation(session, claims)
    wanted = _attachment_uuid(attachment_id)
    attachment = await session.scalar(
        select(Attachment).where(
            Attachment.id == wanted,
            Attachment.site_id == claims.site_id,
            Attachment.conversation_id == claims.conversation_id,
        )
    )
    if attachment is None:
        raise NotFound("attachment not found", code="attachment_not_found")
    return attachment


async def attachment_for_account(
    session: AsyncSession, *, account_id: uuid.UUID, attachment_id: str
) -> Attachment:
    """An attachment of any conversation of the account's sites, for its signed-in agents."""
    attachment = await session.scalar(
        select(Attachment)
        .join(Site, Site.id == Attachment.site_id)
        .where(Attachment.id == _attachment_uuid(attachment_id), Site.account_id == account_id)
    )
    if attachment is None:
        raise NotFound("attachment not found", code="attachment_not_found")
    return attachment


async def for_message(
    session: AsyncSession, *, conversation_id: uuid.UUID, ids: Sequence[str]
) -> list[dict[str, Any]]:
    """What a message stores of its attachments; each must belong to the conversation."""
    if not ids:
        return []
    try:
        wanted = [uuid.UUID(i) for i in ids]
    except ValueError:
        raise BadInput("attachment id is not valid", code="bad_attachments") from None
    rows = (
        await session.scalars(
            select(Attachment).where(
                Attachment.id.in_(wanted), Attachment.conversation_id == conversation_id
            )
        )
    ).all()
    if len(rows) != len(set(wanted)):
        raise BadInput("attachment not found in this conversation", code="bad_attachments")
    by_id = {a.id: a for a in rows}
    return [read_public(by_id[i]) for i in dict.fromkeys(wanted)]


def _attachment_uuid(raw: str) -> uuid.UUID:
    try:
        return uuid.UUID(raw)
    except ValueError:
        raise NotFound("attachment not found", code="attachment_not_found") from None


async def own_conversation(session: AsyncSession, claims: SessionClaims) -> None:
    """The token's conversation exists and is still its contact's; else not found."""
    conversation = await conversations.get_conversation(
        session, site_id=claims.site_id, conversation_id=claims.conversation_id
    )
    if conversation is None or conversation.contact_id != claims.contact_id:
        raise NotFound("conversation not found", code="conversation_not_found")


def read_public(attachment: Attachment) -> dict[str, object]:
    return {
        "id": str(attachment.id),
        "name": attachment.filename,
        "content_type": attachment.content_type,
        "size": attachment.size,
    }
