"""The widget protocol's JSON frames: parsing what clients send, shaping what they receive."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from shopchat.kit import untrusted
from shopchat.models import Message

_CLIENT_ID = re.compile(r"^[A-Za-z0-9_.:\-]{1,64}$")
MAX_COMMENT_CHARS = 1000
MAX_AUTH_FRAME_BYTES = 8192


class FrameError(ValueError):
    """A frame the server cannot accept; answered with an error frame, never a close."""

    def __init__(self, code: str, message: str, *, client_id: str | None = None) -> None:
        super().__init__(message)
        self.code = code
        self.message = message
        self.client_id = client_id

    def frame(self) -> dict[str, Any]:
        return error_frame(self.code, self.message, client_id=self.client_id)


def error_frame(code: str, message: str, *, client_id: str | None = None) -> dict[str, Any]:
    """An error frame; one answering a ``message`` frame names its client_id, so the
    client knows which queued message was refused."""
    frame = {"type": "error", "code": code, "message": message}
    if client_id is not None:
        frame["client_id"] = client_id
    return frame


@dataclass(frozen=True, slots=True)
class SendMessage:
    client_id: str
    text: str
    attachments: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class Resume:
    after_seq: int


@dataclass(frozen=True, slots=True)
class Typing:
    on: bool


@dataclass(frozen=True, slots=True)
class Rating:
    score: int
    comment: str | None


@dataclass(frozen=True, slots=True)
class Ping:
    pass


@dataclass(frozen=True, slots=True)
class Auth:
    """A second ``auth`` frame: the connection is authenticated already; ignored."""


ClientFrame = SendMessage | Resume | Typing | Rating | Ping | Auth


def parse_client_frame(raw: str | bytes, *, max_bytes: int, max_chars: int) -> ClientFrame:
    """Decode and validate one client frame; raise FrameError saying what is wrong."""
    if len(raw) > max_bytes:
        raise FrameError("too_large", f"frame is larger than {max_bytes} bytes")
    try:
        data = untrusted.loads(raw)
    except untrusted.UntrustedInput as exc:
        raise FrameError("bad_json", f"frame: {exc}") from None
    if not isinstance(data, dict):
        raise FrameError("bad_frame", "frame must be a JSON object")
    parse = _PARSERS.get(data.get("type"))  # type: ignore[arg-type]
    if parse is None:
        raise FrameError("unknown_type", f"unknown frame type {str(data.get('type'))[:32]!r}")
    return parse(data, max_chars)


def auth_token(raw: str | bytes | None) -> str | None:
    """The session token of an ``auth`` frame, the first a client sends; else None."""
    if raw is None or len(raw) > MAX_AUTH_FRAME_BYTES:
        return None
    try:
        data = untrusted.loads(raw)
    except untrusted.UntrustedInput:
        return None
    if not isinstance(data, dict) or data.get("type") != "auth":
        return None
    token = data.get("token")
    return token if isinstance(token, str) else None


def validate_message(data: dict[str, Any], max_chars: int) -> SendMessage:
    """Shared by the WebSocket frame and the HTTP fallback's POST body."""
    client_id = data.get("client_id")
    if not isinstance(client_id, str) or not _CLIENT_ID.match(client_id):
        raise FrameError("bad_client_id", "client_id must be 1-64 letters, digits or _.:-")
    text = data.get("text", "")
    if not isinstance(text, str):
        raise FrameError("bad_text", "text must be a string", client_id=client_id)
    text = text.strip()
    if not untrusted.is_text(text):
        raise FrameError("bad_text", untrusted.UNSTORABLE, client_id=client_id)
    if len(text) > max_chars:
        raise FrameError(
            "too_long", f"message is longer than {max_chars} characters", client_id=client_id
        )
    attachments = data.get("attachments") or []
    if (
        not isinstance(attachments, list)
        or len(attachments) > 5
        or not all(isinstance(a, str) and len(a) <= 64 for a in attachments)
    ):
        raise FrameError(
            "bad_attachments", "attachments must be a list of at most 5 ids", client_id=client_id
        )
    if not text and not attachments:
        raise FrameError("empty", "message is empty", client_id=client_id)
    return SendMessage(client_id=client_id, text=text, attachments=tuple(attachments))


def _resume(data: dict[str, Any], _max_chars: int) -> Resume:
    after = data.get("after_seq", 0)
    if isinstance(after, bool) or not isinstance(after, int):
        raise FrameError("bad_resume", "after_seq must be a non-negative 64-bit integer")
    if not 0 <= after <= untrusted.MAX_INT64:
        raise FrameError("bad_resume", "after_seq must be a non-negative 64-bit integer")
    return Resume(after_seq=after)


def _typing(data: dict[str, Any], _max_chars: int) -> Typing:
    on = data.get("on")
    if not isinstance(on, bool):
        raise FrameError("bad_typing", "on must be true or false")
    return Typing(on=on)


def _rating(data: dict[str, Any], _max_chars: int) -> Rating:
    score = data.get("score")
    if not isinstance(score, int) or isinstance(score, bool) or not 1 <= score <= 5:
        raise FrameError("bad_rating", "score must be an integer from 1 to 5")
    comment = data.get("comment")
    if comment is not None and (
        not isinstance(comment, str)
        or len(comment) > MAX_COMMENT_CHARS
        or not untrusted.is_text(comment)
    ):
        raise FrameError("bad_rating", f"comment must be text of at most {MAX_COMMENT_CHARS}")
    return Rating(score=score, comment=(comment or "").strip() or None)


_PARSERS: dict[str, Callable[[dict[str, Any], int], ClientFrame]] = {
    "message": validate_message,
    "resume": _resume,
    "typing": _typing,
    "rating": _rating,
    "ping": lambda _data, _max: Ping(),
    "auth": lambda _data, _max: Auth(),
}


def message_frame(message: Message) -> dict[str, Any]:
    """The server's ``message`` frame; the same for live pushes, replays and long-polls."""
    frame: dict[str, Any] = {
        "type": "message",
        "seq": message.seq,
        "id": str(message.id),
        "role": message.role,
        "text": message.text,
        "created_at": message.created_at.isoformat(),
    }
    if message.client_id:
        frame["client_id"] = message.client_id
    if quick_replies := message.meta.get("quick_replies"):
        frame["quick_replies"] = quick_replies
    if message.attachments:
        frame["attachments"] = message.attachments
    if author := message.meta.get("author"):
        frame["author"] = author
    return frame
