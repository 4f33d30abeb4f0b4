"""The Northwind demo storefront: a shop page with the widget, as a guest or a demo customer.

The page signs a real identity token server-side for the chosen demo customer, exactly as
the WordPress plugin does for a signed-in WooCommerce customer, and it is served under a
strict Content-Security-Policy so the demo proves the widget needs no inline code.
"""

from __future__ import annotations

import html
import re
import time
from decimal import Decimal
from pathlib import Path
from typing import Any

from fastapi import APIRouter, Request, Response
from fastapi.responses import HTMLResponse
from jinja2 import Environment, FileSystemLoader, select_autoescape

from shopchat.commerce.demo import (
    DEMO_CURRENCY,
    DEMO_CUSTOMERS,
    DemoCustomer,
    demo_store,
    load_demo_data,
)
from shopchat.kit.errors import NotFound
from shopchat.kit.identity import sign_identity
from shopchat.services import ServicesDep
from shopchat.site import repository as sites
from shopchat.site.service import identity_secret

router = APIRouter(include_in_schema=False)

TEMPLATES = Path(__file__).with_name("templates")
IDENTITY_TTL_SECONDS = 3600
PERSONAS = ("guest", "new", "regular", "vip")
PAGE_LANGUAGES = ("en", "de")
WIDGET_LANGUAGES = ("en", "de", "fr", "es", "nl", "it", "pt", "pl", "ar", "he")
_TAGS = re.compile(r"<[^>]+>")
# What each demo customer has in the cart right now (product id, quantity).
DEMO_CARTS: dict[str, tuple[tuple[int, int], ...]] = {
    "new": ((204, 1),),
    "regular": ((211, 1), (209, 2)),
    "vip": ((202, 1), (212, 1)),
}

_env = Environment(loader=FileSystemLoader(TEMPLATES), autoescape=select_autoescape(), cache_size=8)

STRINGS: dict[str, dict[str, str]] = {
    "en": {
        "tagline": "Outdoor clothing and gear, made to last",
        "hero_title": "Ready for every trail",
        "hero_text": "Free shipping in Germany above €50 · 30-day returns · Questions? Ask our "
        "assistant, bottom corner.",
        "viewing_as": "Demo: view the shop as",
        "guest": "Guest",
        "new": "New customer",
        "regular": "Regular customer",
        "vip": "VIP customer",
        "signed_in": "Signed in as",
        "cart": "Cart",
        "products": "Our favourites",
        "sale": "Sale",
        "instock": "In stock",
        "outofstock": "Out of stock",
        "onbackorder": "On backorder",
        "add": "Add to cart",
        "hint": "The chat knows who you are only through the identity this page signs "
        "server-side. Try: “How long does shipping take?”",
        "footer": "Northwind Outfitters is a demo shop of shopchat. Nothing here is for sale.",
        "other_language": "Deutsch",
    },
    "de": {
        "tagline": "Outdoor-Bekleidung und Ausrüstung, gemacht für lange Touren",
        "hero_title": "Bereit für jeden Weg",
        "hero_text": "Kostenloser Versand in Deutschland ab 50 € · 30 Tage Rückgabe · Fragen? "
        "Frag unseren Assistenten unten in der Ecke.",
        "viewing_as": "Demo: den Shop ansehen als",
        "guest": "Gast",
        "new": "Neukunde",
        "regular": "Stammkunde",
        "vip": "VIP-Kunde",
        "signed_in": "Angemeldet als",
        "cart": "Warenkorb",
        "products": "Unsere Favoriten",
        "sale": "Angebot",
        "instock": "Auf Lager",
        "outofstock": "Ausverkauft",
        "onbackorder": "Lieferbar auf Nachbestellung",
        "add": "In den Warenkorb",
        "hint": "Der Chat kennt dich nur über die Identität, die diese Seite auf dem Server "
        "signiert. Probier: „Wie lange dauert der Versand?“",
        "footer": "Northwind Outfitters ist ein Demo-Shop von shopchat. Hier wird nichts verkauft.",
        "other_language": "English",
    },
}


@router.get("/demo", response_class=HTMLResponse)
async def storefront(request: Request, services: ServicesDep) -> Response:
    return await _render(request, services, request.query_params.get("lang", "en"))


@router.get("/de/demo", response_class=HTMLResponse)
async def storefront_de(request: Request, services: ServicesDep) -> Response:
    return await _render(request, services, "de")


@router.get("/demo/store.css")
async def stylesheet() -> Response:
    css = (TEMPLATES / "store.css").read_bytes()
    return Response(css, media_type="text/css", headers={"Cache-Control": "public, max-age=300"})


async def _render(request: Request, services: ServicesDep, lang: str) -> Response:
    demo = request.app.state.demo
    if demo is None:
        raise NotFound("the demo shop is not running")
    lang = lang if lang in WIDGET_LANGUAGES else "en"
    persona = request.query_params.get("as", "guest")
    persona = persona if persona in PERSONAS else "guest"
    customer = next((c for c in DEMO_CUSTOMERS if c["segment"] == persona), None)
    identity = await _identity(services, demo.site_key, customer) if customer else None
    strings = STRINGS.get(lang, STRINGS["en"])
    page = _env.get_template("storefront.html").render(
        lang=lang,
        t=strings,
        site_key=demo.site_key,
        identity=identity,
        persona=persona,
        personas=PERSONAS,
        customer=customer,
        cart=_cart(persona),
        products=_products(),
        base_path="/de/demo" if lang == "de" and request.url.path == "/de/demo" else "/demo",
        lang_query="" if lang == "en" else f"&lang={lang}",
        other_language_href="/demo" if lang == "de" else "/de/demo",
    )
    return HTMLResponse(page, headers=_security_headers(request))


def _security_headers(request: Request) -> dict[str, str]:
    host = request.headers.get("host", "localhost")
    csp = (
        "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data: blob:; "
        f"connect-src 'self' ws://{host} wss://{host}; base-uri 'none'; form-action 'self'; "
        "frame-ancestors 'none'"
    )
    return {"Content-Security-Policy": csp, "Cache-Control": "no-store"}


async def _identity(services: ServicesDep, site_key: str, customer: DemoCustomer) -> str:
    """Sign the claims the WordPress plugin would sign for this customer."""
    async with services.db.transaction() as session:
        site = await sites.get_site_by_key(session, site_key)
        if site is None:
            raise NotFound("the demo site is missing")
        secret = identity_secret(site, services.settings.decryption_keys)
    store = demo_store()
    record = await store.get_customer(customer["id"])
    orders = await store.orders_for_customer(customer["id"], limit=5)
    now = int(time.time())
    claims: dict[str, Any] = {
        "iss": site_key,
        "sub": str(customer["id"]),
        "iat": now,
        "exp": now + IDENTITY_TTL_SECONDS,
        "email": customer["email"],
        "name": f"{customer['first_name']} {customer['last_name']}",
        "customer": {
            "status": customer["segment"],
            "order_count": record.orders_count if record else 0,
            "total_spent": _money(record.total_spent if record else Decimal(0)),
        },
        "cart": _cart(customer["segment"]),
        "recent_orders": [
            {
                "id": o.id,
                "number": o.number,
                "status": o.status,
                "total": _money(o.total),
                "date_created": o.date_created.isoformat() if o.date_created else None,
            }
            for o in orders
        ],
    }
    return sign_identity(claims, secret=secret)


def _cart(persona: str) -> dict[str, Any] | None:
    lines = DEMO_CARTS.get(persona)
    if not lines:
        return None
    by_id = {p["id"]: p for p in load_demo_data()["products"]}
    items = [
        {
            "product_id": pid,
            "name": by_id[pid]["name"],
            "quantity": qty,
            "total": _money(Decimal(by_id[pid]["price"]) * qty),
        }
        for pid, qty in lines
    ]
    total = sum((Decimal(i["total"]) for i in items), Decimal(0))
    return {"items": items, "total": _money(total), "currency": DEMO_CURRENCY}


def _products() -> list[dict[str, Any]]:
    listed = [p for p in load_demo_data()["products"] if p.get("status") == "publish"]
    return [
        {
            "name": p["name"],
            "price": p["price"],
            "regular_price": p["regular_price"],
            "on_sale": bool(p.get("sale_price")),
            "stock": p["stock_status"],
            "category": p["categories"][0]["name"] if p["categories"] else "",
            "blurb": html.unescape(_TAGS.sub("", p.get("short_description", ""))).strip(),
        }
        for p in listed
    ][:12]


def _money(value: Decimal | None) -> str:
    return f"{(value or Decimal(0)):.2f}"
