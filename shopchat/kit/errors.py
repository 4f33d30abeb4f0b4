"""Typed errors that carry their HTTP status and a stable machine-readable code."""

from __future__ import annotations


class ShopchatError(Exception):
    """Base of every error a client may see; never a 500."""

    status = 400
    code = "bad_request"

    def __init__(self, message: str, *, code: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        if code is not None:
            self.code = code

    def to_dict(self) -> dict[str, str]:
        return {"code": self.code, "message": self.message}


class BadInput(ShopchatError):
    status = 400
    code = "bad_input"


class Unauthorized(ShopchatError):
    status = 401
    code = "unauthorized"


class Forbidden(ShopchatError):
    status = 403
    code = "forbidden"


class NotFound(ShopchatError):
    status = 404
    code = "not_found"


class Conflict(ShopchatError):
    status = 409
    code = "conflict"


class PayloadTooLarge(ShopchatError):
    status = 413
    code = "too_large"


class RateLimited(ShopchatError):
    status = 429
    code = "rate_limited"

    def __init__(self, message: str, *, retry_after: float = 1.0, code: str | None = None) -> None:
        super().__init__(message, code=code)
        self.retry_after = retry_after
