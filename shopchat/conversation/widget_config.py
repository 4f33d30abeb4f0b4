"""The widget's configuration for one visitor: branding, language, who they are."""

from __future__ import annotations

import re
from typing import Any

from shopchat.models import Contact, Site

_HEX_COLOUR = re.compile(r"#([0-9a-f]{3}|[0-9a-f]{6})", re.IGNORECASE)


def widget_config(site: Site, contact: Contact, language: str | None) -> dict[str, Any]:
    settings = site.settings
    languages = settings.get("languages") or ["en"]
    chosen = language if language in languages else settings.get("default_language", "en")
    verified = contact.external_id is not None
    first_name = contact.name.split()[0] if verified and contact.name else None
    return {
        "site_name": site.name,
        "branding": _branding(site.name, settings.get("branding", {})),
        "language": chosen,
        "languages": languages,
        "greeting": settings.get("greeting"),
        "business_hours": settings.get("business_hours"),
        "triggers": settings.get("triggers", []),
        "customer": {
            "verified": verified,
            "segment": contact.segment if verified else "guest",
            "first_name": first_name,
            "cart_total": _cart_total(contact) if verified else None,
        },
    }


def _branding(title: str, branding: dict[str, Any]) -> dict[str, Any]:
    return {"title": title, **branding, "color": hex_colour(branding.get("color"))}


def hex_colour(value: object) -> str | None:
    """``#rgb`` (the WordPress plugin accepts it) or ``#rrggbb`` as ``#rrggbb``; else None."""
    match = _HEX_COLOUR.fullmatch(value) if isinstance(value, str) else None
    if match is None:
        return None
    digits = match.group(1).lower()
    return "#" + (digits if len(digits) == 6 else "".join(d * 2 for d in digits))


def _cart_total(contact: Contact) -> str | None:
    cart = contact.context.get("cart")
    return str(cart.get("total")) if isinstance(cart, dict) and "total" in cart else None
