"""Reading one uploaded file from a multipart request, bounded by the size limit."""

from __future__ import annotations

from dataclasses import dataclass

from fastapi import Request
from starlette.datastructures import UploadFile
from starlette.types import Message

from shopchat.attachment import files
from shopchat.kit.errors import BadInput, PayloadTooLarge

_MULTIPART_OVERHEAD = 16 * 1024


@dataclass(frozen=True, slots=True)
class Upload:
    filename: str | None
    data: bytes


async def read_upload(request: Request) -> Upload:
    """The ``file`` part, refusing more than the size limit before it is all read."""
    body = await _bounded_body(request, files.MAX_BYTES + _MULTIPART_OVERHEAD)
    replayed = False

    async def replay() -> Message:
        nonlocal replayed
        if replayed:
            return {"type": "http.disconnect"}
        replayed = True
        return {"type": "http.request", "body": body, "more_body": False}

    try:
        form = await Request(request.scope, replay).form(max_files=1, max_fields=4)
    except Exception:
        raise BadInput("send the file as multipart/form-data", code="bad_upload") from None
    try:
        part = form.get("file")
        if not isinstance(part, UploadFile):
            raise BadInput("send the file in a form field named 'file'", code="bad_upload")
        data = await part.read()
    finally:
        await form.close()
    if len(data) > files.MAX_BYTES:
        raise too_large()
    return Upload(part.filename, data)


async def _bounded_body(request: Request, limit: int) -> bytes:
    declared = request.headers.get("content-length")
    if declared is not None and (not declared.isdigit() or int(declared) > limit):
        raise too_large()
    body = bytearray()
    async for chunk in request.stream():
        body.extend(chunk)
        if len(body) > limit:
            raise too_large()
    return bytes(body)


def too_large() -> PayloadTooLarge:
    megabytes = files.MAX_BYTES // (1024 * 1024)
    return PayloadTooLarge(f"files can be at most {megabytes} MB", code="file_too_large")
