"""Verify the identity JWT that a shop's server signs for its signed-in customer."""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import Any

import jwt

from shopchat.kit.untrusted import UntrustedInput, scrub_json

CLOCK_SKEW_SECONDS = 60
MAX_LIFETIME_SECONDS = 3600
_MAX_TOKEN_BYTES = 16 * 1024


class IdentityError(ValueError):
    """The identity token is forged, expired, for another site or malformed."""


@dataclass(frozen=True, slots=True)
class Identity:
    """A customer the shop vouches for; every field comes from the signed claims."""

    customer_id: str
    email: str | None = None
    name: str | None = None
    segment: str = "new"
    order_count: int = 0
    total_spent: str = "0"
    cart: dict[str, Any] | None = None
    recent_orders: list[dict[str, Any]] = field(default_factory=list)

    @property
    def first_name(self) -> str | None:
        return self.name.split()[0] if self.name else None


def verify_identity(
    token: str, *, site_key: str, secret: str, now: float | None = None
) -> Identity:
    """Check signature, issuer, expiry (with clock skew) and lifetime; return the identity."""
    if not isinstance(token, str) or len(token) > _MAX_TOKEN_BYTES:
        raise IdentityError("identity token is missing or too large")
    now = time.time() if now is None else now
    try:
        claims = jwt.decode(
            token,
            secret,
            algorithms=["HS256"],
            issuer=site_key,
            leeway=CLOCK_SKEW_SECONDS,
            options={"require": ["exp", "iss", "sub"], "verify_iat": False},
        )
    except jwt.ExpiredSignatureError as exc:
        raise IdentityError("identity token has expired") from exc
    except jwt.InvalidIssuerError as exc:
        raise IdentityError("identity token was issued for another site") from exc
    except jwt.PyJWTError as exc:
        raise IdentityError(f"identity token is invalid: {exc}") from exc
    except RecursionError:
        raise IdentityError("identity token is invalid: claims nested too deeply") from None
    exp = claims["exp"]
    # PyJWT takes a numeric string ("exp": "1700000000") for a date; the standard does not.
    if not isinstance(exp, int | float) or isinstance(exp, bool):
        raise IdentityError("identity token is invalid: exp must be a number")
    if exp - now > MAX_LIFETIME_SECONDS + CLOCK_SKEW_SECONDS:
        raise IdentityError("identity token lives longer than one hour")
    try:  # the shop signed it, but its text may still hold what no database stores
        return _identity_from_claims(scrub_json(claims))
    except UntrustedInput as exc:
        raise IdentityError(f"identity token is invalid: {exc}") from None


def _identity_from_claims(claims: dict[str, Any]) -> Identity:
    given = claims.get("customer")
    customer: dict[str, Any] = given if isinstance(given, dict) else {}
    segment = str(customer.get("status", "new")).lower()
    orders = claims.get("recent_orders")
    return Identity(
        customer_id=str(claims["sub"])[:191],
        email=_short_str(claims.get("email")),
        name=_short_str(claims.get("name")),
        segment=segment if segment in {"new", "regular", "vip"} else "new",
        order_count=_int(customer.get("order_count")),
        total_spent=str(customer.get("total_spent", "0"))[:32],
        cart=claims["cart"] if isinstance(claims.get("cart"), dict) else None,
        recent_orders=[o for o in orders if isinstance(o, dict)][:20]
        if isinstance(orders, list)
        else [],
    )


def _short_str(value: object) -> str | None:
    return str(value)[:255] if isinstance(value, str) and value else None


def _int(value: object) -> int:
    try:
        return max(0, int(value))  # type: ignore[call-overload]
    except (TypeError, ValueError):
        return 0


def sign_identity(claims: dict[str, Any], *, secret: str) -> str:
    """Sign identity claims as a shop's server would (the demo shop and tests use it)."""
    return jwt.encode(claims, secret, algorithm="HS256")
