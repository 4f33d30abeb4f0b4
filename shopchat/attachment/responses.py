"""The download response of a stored attachment, the same for customers and agents."""

from __future__ import annotations

from pathlib import Path
from urllib.parse import quote

from fastapi.responses import FileResponse

from shopchat.attachment import storage
from shopchat.kit.errors import NotFound
from shopchat.models import Attachment


def file_response(
    data_dir: Path, attachment: Attachment, headers: dict[str, str] | None = None
) -> FileResponse:
    """Images inline, anything else as a download; never sniffed, never run as a page."""
    path = storage.path_of(data_dir, attachment.storage_key)
    if not path.is_file():
        raise NotFound("attachment not found", code="attachment_not_found")
    disposition = "inline" if attachment.content_type.startswith("image/") else "attachment"
    return FileResponse(
        path,
        media_type=attachment.content_type,
        headers={
            "Content-Disposition": f"{disposition}; filename*=UTF-8''{quote(attachment.filename)}",
            "Cache-Control": "private, max-age=3600",
            "X-Content-Type-Options": "nosniff",
            "Content-Security-Policy": "default-src 'none'; sandbox",
            **(headers or {}),
        },
    )
