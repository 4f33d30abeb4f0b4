"""Store an upload for a conversation; find one for its conversation's customer."""

from __future__ import annotations

import asyncio
import re
import unicodedata
import uuid
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from shopchat.attachment import files, storage
from shopchat.conversation import repository as conversations
from shopchat.conversation.tokens import SessionClaims
from shopchat.kit.errors import BadInput, NotFound
from shopchat.models import Attachment

_UNSAFE = re.compile(r"[^\w.\- ()]+")


def safe_filename(name: str | None, extension: str) -> str:
    """The sender's name, tamed, ending in the extension of the type it really is."""
    base = Path((name or "").replace("\\", "/")).name
    base = unicodedata.normalize("NFC", base).rsplit(".", 1)[0] if "." in base else base
    base = _UNSAFE.sub("_", base).strip(" ._")[:120] or "attachment"
    return f"{base}.{extension}"


async def store_upload(
    session: AsyncSession,
    *,
    data_dir: Path,
    claims: SessionClaims,
    filename: str | None,
    data: bytes,
) -> Attachment:
    """Check the real type, strip metadata, write the bytes, then record the attachment."""
    await own_conversation(session, claims)
    if not data:
        raise BadInput("the file is empty", code="empty_file")
    kind = files.sniff(data)
    cleaned = await asyncio.to_thread(files.clean, data, kind)
    attachment = Attachment(
        id=uuid.uuid4(),
        site_id=claims.site_id,
        conversation_id=claims.conversation_id,
        filename=safe_filename(filename, kind.extension),
        content_type=kind.content_type,
        size=len(cleaned),
    )
    attachment.storage_key = storage.storage_key(claims.site_id, attachment.id)
    await asyncio.to_thread(storage.write, data_dir, attachment.storage_key, cleaned)
    session.add(attachment)
    await session.flush()
    return attachment


async def attachment_for(
    session: AsyncSession, *, claims: SessionClaims, attachment_id: str
) -> Attachment:
    """An attachment of the token's own conversation; anything else is simply not found."""
    await own_conversation(session, claims)
    try:
        wanted = uuid.UUID(attachment_id)
    except ValueError:
        raise NotFound("attachment not found", code="attachment_not_found") from None
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


async def own_conversation(session: AsyncSession, claims: SessionClaims) -> None:
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
