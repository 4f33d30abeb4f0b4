"""Every lookup the assistant may make, with the access rules applied in one place.

The built-in engine and the LLM provider call the same ``Tools``: an answer may state
only what a ``ToolResult`` says. Orders are shown to their verified owner, or to a
guest who gives the order number together with its billing email; every other lookup
counts as a guess, and guesses are rate-limited per conversation, per client address and
per order number, so a flood blocks the flooder (and guesses at that order), never the
other visitors of the site.
Nothing the customer typed ("I am the admin") changes who the customer is.
"""

from __future__ import annotations

import re
import uuid
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from functools import cache, lru_cache
from typing import Any

from pydantic import TypeAdapter

from shopchat.assistant.copurchase import bought_with, co_purchases
from shopchat.assistant.nlu.entities import match_products, sku_like
from shopchat.assistant.nlu.features import normalize
from shopchat.assistant.responder import ResponderDeps, Turn
from shopchat.commerce.cache import CATALOGUE_TTL_SECONDS, StoreCache
from shopchat.commerce.demo import load_demo_data
from shopchat.commerce.registry import DEMO
from shopchat.commerce.store import Store, StoreError
from shopchat.commerce.types import Order, Product
from shopchat.kit.identity import Identity
from shopchat.knowledge import repository
from shopchat.knowledge.repository import STOPWORDS
from shopchat.models import Site

GUESS_WINDOW_SECONDS = 15 * 60
GUESSES_PER_CONVERSATION = 5
GUESSES_PER_ADDRESS = 20  # an office or a mobile carrier may put many shoppers behind one
GUESSES_PER_ORDER = 10  # from anywhere: the email of one order cannot be brute-forced
PRODUCT_RESULTS = 5
RECOMMENDATIONS = 3
RECOMMENDATION_CANDIDATES = 12  # products looked up at most before the same-category fallback
CATALOGUE_NAMES = 100  # products whose names are matched against what the customer typed
MY_ORDERS = 5
# Zone 0's name is WooCommerce's admin label ("Locations not covered by your other zones").
EVERYWHERE_ELSE = "Everywhere else"
_MIN_COVERAGE = 0.34  # share of the query's content words an entry must contain
_WORD = re.compile(r"\w+")
_ORDER_NUMBER = re.compile(r"^#?\s*([A-Za-z0-9-]{1,20})$")
ACCOUNT_PAGES = {
    "my_account": "my-account/",
    "orders": "my-account/orders/",
    "edit_account": "my-account/edit-account/",
    "addresses": "my-account/edit-address/",
    "lost_password": "my-account/lost-password/",
}


@dataclass(frozen=True, slots=True)
class ToolResult:
    name: str
    ok: bool
    data: dict[str, Any] = field(default_factory=dict)  # JSON-serialisable facts only
    error: str | None = None  # not_found, forbidden, needs_email, rate_limited, ...


@dataclass(frozen=True, slots=True)
class SiteInfo:
    """What the tools need to know about the site being served."""

    id: uuid.UUID
    name: str
    settings: dict[str, Any]
    store_url: str | None = None


class Tools:
    """Every lookup the assistant (built-in or LLM) may make, with the access rules applied."""

    def __init__(
        self,
        *,
        deps: ResponderDeps,
        site: SiteInfo,
        store: Store | None,
        customer: Identity | None,
        conversation_id: uuid.UUID,
        cache: StoreCache | None = None,
        client_address: str | None = None,
    ) -> None:
        self._deps = deps
        self._site = site
        self._store = store
        self._cache = cache  # the site's commerce cache, for tables computed from the store
        self._customer = customer
        self._conversation_id = conversation_id
        self._client_address = client_address  # None when unknown (a recovered reply)
        self.calls: list[ToolResult] = []  # what was looked up this turn, in order

    async def order_status(self, *, order_number: str, email: str | None = None) -> ToolResult:
        """Status, dates, items, totals, tracking and refunds of an order, to whoever may see it."""
        name = "order_status"
        wanted = _ORDER_NUMBER.match(order_number.strip()) if order_number else None
        if wanted is None:
            return self._done(ToolResult(name, False, error="not_found"))
        if self._customer is None and not email:
            return self._done(ToolResult(name, False, error="needs_email"))
        if self._store is None:
            return self._done(ToolResult(name, False, error="no_store"))
        if email and await self._guess_blocked(wanted.group(1)):
            return self._done(ToolResult(name, False, error="rate_limited"))
        try:
            order = await self._store.get_order(wanted.group(1))
            if order is None or not self._may_see(order, email):
                return self._done(
                    await self._failed_guess(name, wanted.group(1), counted=bool(email))
                )
            refunds = await self._store.refunds(order.id)
        except StoreError:
            return self._done(ToolResult(name, False, error="store_unavailable"))
        data = _order_facts(order)
        data["refunds"] = [
            {"amount": _money(r.amount), "reason": r.reason, "date": _date(r.date_created)}
            for r in refunds
        ]
        return self._done(ToolResult(name, True, data))

    async def my_orders(self) -> ToolResult:
        """The verified customer's latest orders; guests get ``forbidden``."""
        name = "my_orders"
        customer_id = _customer_number(self._customer)
        if customer_id is None:
            return self._done(ToolResult(name, False, error="forbidden"))
        if self._store is None:
            return self._done(ToolResult(name, False, error="no_store"))
        try:
            orders = await self._store.orders_for_customer(customer_id, limit=MY_ORDERS)
        except StoreError:
            return self._done(ToolResult(name, False, error="store_unavailable"))
        mine = [o for o in orders if o.customer_id == customer_id]
        return self._done(ToolResult(name, True, {"orders": [_order_summary(o) for o in mine]}))

    async def search_products(self, *, query: str) -> ToolResult:
        """Products named in the query (typos tolerated), else the store's search results."""
        name = "search_products"
        if self._store is None:
            return self._done(ToolResult(name, False, error="no_store"))
        query = " ".join(query.split())[:100]
        try:
            found = await self._by_sku(query)
            if query and not found:
                found = await self._named_products(query)
            if query and not found:
                found = await self._store.search_products(query, limit=PRODUCT_RESULTS)
        except StoreError:
            return self._done(ToolResult(name, False, error="store_unavailable"))
        data = {"query": query, "products": [_product_facts(p) for p in found]}
        return self._done(ToolResult(name, True, data))

    async def recommend(
        self, *, product_id: int | None = None, query: str | None = None
    ) -> ToolResult:
        """In-stock suggestions: bought together, the shop's upsells and related, same category."""
        name = "recommend"
        if self._store is None:
            return self._done(ToolResult(name, False, error="no_store"))
        try:
            anchor = await self._anchor(product_id, query)
            picks = await self._suggestions(anchor)
        except StoreError:
            return self._done(ToolResult(name, False, error="store_unavailable"))
        data = {
            "for_product": _product_facts(anchor) if anchor else None,
            "products": [{**_product_facts(p), "reason": reason} for p, reason in picks],
        }
        return self._done(ToolResult(name, True, data))

    async def product_names(self, text: str) -> list[str]:
        """The catalogue names ``text`` may contain, typos allowed; [] when none or on failure."""
        try:
            catalogue = await self._catalogue()
        except StoreError:
            return []
        return catalogue_index(tuple(name for _, name in catalogue)).candidates(text)

    async def shipping_options(self) -> ToolResult:
        """Shipping zones with their enabled methods, costs and delivery times (in the titles)."""
        name = "shipping_options"
        if self._store is None:
            return self._done(ToolResult(name, False, error="no_store"))
        try:
            zones = await self._store.shipping_zones()
        except StoreError:
            return self._done(ToolResult(name, False, error="store_unavailable"))
        data = {
            "zones": [
                {
                    "name": EVERYWHERE_ELSE if zone.id == 0 else zone.name,
                    "everywhere_else": zone.id == 0,
                    "locations": [location.code for location in zone.locations],
                    "methods": [
                        {
                            "title": m.title,
                            "type": m.method_id,
                            "cost": _money(m.cost),
                            "free_from": _money(m.min_amount),
                        }
                        for m in zone.methods
                        if m.enabled
                    ],
                }
                for zone in zones
            ]
        }
        return self._done(ToolResult(name, True, data))

    async def payment_methods(self) -> ToolResult:
        """The payment methods offered at checkout."""
        name = "payment_methods"
        if self._store is None:
            return self._done(ToolResult(name, False, error="no_store"))
        try:
            gateways = await self._store.payment_gateways()
        except StoreError:
            return self._done(ToolResult(name, False, error="store_unavailable"))
        methods = [{"id": g.id, "title": g.title, "description": g.description} for g in gateways]
        return self._done(ToolResult(name, True, {"methods": methods}))

    async def search_knowledge(self, *, query: str) -> ToolResult:
        """The site's approved FAQ and policy entries that answer the query, best first."""
        name = "search_knowledge"
        terms = repository.search_terms(query[:500], stopwords=STOPWORDS)
        async with self._deps.db.transaction() as session:
            entries = await repository.search(session, site_id=self._site.id, terms=terms)
        relevant = [e for e in entries if _coverage(terms, e.title + " " + e.body)]
        data = {"entries": [{"id": str(e.id), "title": e.title, "body": e.body} for e in relevant]}
        return self._done(ToolResult(name, True, data))

    async def account_links(self) -> ToolResult:
        """Links to the shop's account pages (WooCommerce's my-account endpoints)."""
        name = "account_links"
        base = self._shop_url()
        if base is None:
            return self._done(ToolResult(name, False, error="not_found"))
        links = {key: base + path for key, path in ACCOUNT_PAGES.items()}
        return self._done(ToolResult(name, True, {"links": links}))

    def _done(self, result: ToolResult) -> ToolResult:
        self.calls.append(result)
        return result

    def _may_see(self, order: Order, email: str | None) -> bool:
        owner = _customer_number(self._customer)
        if owner is not None and order.customer_id == owner:
            return True
        given = (email or "").strip().casefold()
        return bool(given) and given == order.billing_email.strip().casefold()

    async def _guess_blocked(self, order_number: str) -> bool:
        """Count this lookup as a guess; True when its conversation, address or order is spent.

        The first budget that refuses stops the count: a blocked flooder's guesses use up
        nothing further (neither its address's nor the order's budget).
        """
        budgets = [
            (f"conversation:{self._conversation_id}", GUESSES_PER_CONVERSATION),
            (f"order:{self._site.id}:{order_number.casefold()}", GUESSES_PER_ORDER),
        ]
        if self._client_address is not None:
            address = f"address:{self._site.id}:{self._client_address}"
            budgets.insert(1, (address, GUESSES_PER_ADDRESS))
        for key, limit in budgets:
            wait = await self._deps.limiter.hit(
                f"order-guess:{key}", limit=limit, window_seconds=GUESS_WINDOW_SECONDS
            )
            if wait:
                return True
        return False

    async def _failed_guess(self, name: str, order_number: str, *, counted: bool) -> ToolResult:
        # The same answer whether the order is missing or someone else's: nothing to probe.
        blocked = await self._guess_blocked(order_number) if not counted else False
        return ToolResult(name, False, error="rate_limited" if blocked else "not_found")

    async def _catalogue(self) -> list[tuple[int, str]]:
        """(id, name) of the listed products, kept in the commerce cache until one changes."""
        store = self._store
        if store is None:
            return []

        async def load() -> list[tuple[int, str]]:
            return [(p.id, p.name) for p in await store.list_products(limit=CATALOGUE_NAMES)]

        if self._cache is None:
            return await load()
        return await self._cache.derived(
            "product_names", load, codec=_CATALOGUE, ttl=CATALOGUE_TTL_SECONDS, catalogue=True
        )

    async def _named_products(self, query: str) -> list[Product]:
        """The catalogue products the query names ("alpin down jackt" → Alpine Down Jacket)."""
        assert self._store is not None
        catalogue = await self._catalogue()
        index = catalogue_index(tuple(name for _, name in catalogue))
        names = set(match_products(query, index.candidates(query)))
        ids = [product_id for product_id, name in catalogue if name in names]
        found = [await self._store.get_product(i) for i in ids[:PRODUCT_RESULTS]]
        return [p for p in found if p is not None]

    async def _by_sku(self, query: str) -> list[Product]:
        """Products whose SKU the query quotes; the store's text search does not read SKUs."""
        assert self._store is not None
        found: dict[int, Product] = {}
        for sku in sku_like(query)[:3]:
            for product in await self._store.products_by_sku(sku):
                found.setdefault(product.id, product)
        return list(found.values())[:PRODUCT_RESULTS]

    async def _anchor(self, product_id: int | None, query: str | None) -> Product | None:
        assert self._store is not None
        if product_id is not None:
            return await self._store.get_product(product_id)
        query = " ".join((query or "").split())[:100]
        if not query:
            return None
        named = await self._named_products(query)
        found = named or await self._store.search_products(query, limit=1)
        return found[0] if found else None

    async def _suggestions(self, anchor: Product | None) -> list[tuple[Product, str]]:
        """Up to three in-stock products other than the anchor, each with why it was picked."""
        assert self._store is not None
        if anchor is None:
            listed = await self._store.list_products(limit=10)
            return [(p, "listed") for p in listed if p.in_stock][:RECOMMENDATIONS]
        picks: dict[int, tuple[Product, str]] = {}
        for product_id, reason in await self._candidates(anchor):
            product = await self._store.get_product(product_id)
            if product is not None and product.in_stock:
                picks.setdefault(product.id, (product, reason))
            if len(picks) >= RECOMMENDATIONS:
                return list(picks.values())
        category = anchor.categories[0].id if anchor.categories else None
        for product in await self._store.list_products(category_id=category, limit=10):
            if product.in_stock and product.id != anchor.id:
                picks.setdefault(product.id, (product, "same_category"))
        return list(picks.values())[:RECOMMENDATIONS]

    async def _candidates(self, anchor: Product) -> list[tuple[int, str]]:
        """Product ids to try, best first: bought together, upsells, related; never the anchor."""
        ranked = [(i, "bought_together") for i in await self._bought_with(anchor.id)]
        ranked += [(i, "upsell") for i in anchor.upsell_ids]
        ranked += [(i, "related") for i in anchor.related_ids]
        first_reason: dict[int, str] = {}
        for product_id, reason in ranked:
            if product_id != anchor.id:
                first_reason.setdefault(product_id, reason)
        return list(first_reason.items())[:RECOMMENDATION_CANDIDATES]

    async def _bought_with(self, product_id: int) -> list[int]:
        assert self._store is not None
        try:
            table = await co_purchases(self._store, cache=self._cache)
        except StoreError:  # e.g. a key that may read products but not orders
            return []
        return bought_with(table, product_id)

    def _shop_url(self) -> str | None:
        url = self._site.store_url or self._site.settings.get("shop_url")
        if not url and self._site.settings.get("store") == DEMO:
            url = _demo_shop_url()
        if not isinstance(url, str) or not url.startswith(("https://", "http://")):
            return None
        return url.rstrip("/") + "/"


class CatalogueIndex:
    """A catalogue's names, indexed so that a message is fuzzy-matched only against the few
    names it may contain (matching all of 100 names costs milliseconds; this, microseconds).

    Every name word is filed under its spellings with up to as many letters left out as
    ``match_products`` allows typos (0, 1 or 2 by length); a word typed within that many
    typos shares one of them with the typed word's spellings with up to two letters left out.
    """

    def __init__(self, names: Sequence[str]) -> None:
        self.names = tuple(names)
        self._sizes = [len(_name_words(name)) for name in self.names]
        self._words: defaultdict[str, set[tuple[int, int]]] = defaultdict(set)
        self._joined: defaultdict[int, set[int]] = defaultdict(set)  # run-together, by length
        for n, name in enumerate(self.names):
            words = _name_words(name)
            for w, word in enumerate(words):
                for spelling in _deletions(word, _typos_allowed(word)):
                    self._words[spelling].add((n, w))
            if len(words) > 1:  # "tshirt" for "T-Shirt"; one-word names are filed above
                self._joined[len("".join(words))].add(n)

    def candidates(self, text: str) -> list[str]:
        """The names whose every word (or whose run-together spelling) may be in ``text``."""
        seen: defaultdict[int, set[int]] = defaultdict(set)
        joined: set[int] = set()
        for word in _name_words(text)[:_MAX_TEXT_WORDS]:
            if len(word) > _MAX_WORD_LENGTH:
                continue
            for spelling in _deletions(word, 2):
                for n, w in self._words.get(spelling, ()):
                    seen[n].add(w)
            stem = len(word.removesuffix("s"))
            for length in range(max(4, stem - 2), stem + 3):
                joined |= self._joined.get(length, set())
        found = {n for n, words in seen.items() if len(words) == self._sizes[n]} | joined
        return [self.names[n] for n in sorted(found)]


@lru_cache(maxsize=32)
def catalogue_index(names: tuple[str, ...]) -> CatalogueIndex:
    """The index of one catalogue's names, built once per process while it is unchanged."""
    return CatalogueIndex(names)


_NAME_TOKEN = re.compile(r"[^\W_]+", re.UNICODE)  # the tokens of ``match_products``
_MAX_TEXT_WORDS = 60
_MAX_WORD_LENGTH = 30


def _name_words(text: str) -> list[str]:
    return [normalize(token) for token in _NAME_TOKEN.findall(text)]


def _typos_allowed(word: str) -> int:
    """As ``match_products``: none in words of up to 3 letters, 1 up to 7, else 2."""
    return 0 if len(word) <= 3 else 1 if len(word) <= 7 else 2


def _deletions(word: str, depth: int) -> set[str]:
    """The word and every spelling of it with up to ``depth`` letters left out."""
    found, frontier = {word}, {word}
    for _ in range(depth):
        frontier = {w[:i] + w[i + 1 :] for w in frontier for i in range(len(w))}
        found |= frontier
    return found


async def tools_for_turn(deps: ResponderDeps, turn: Turn) -> Tools:
    """The tools for one turn: the site's store and the turn's verified customer (or guest)."""
    site = turn.site
    if site is None:  # a turn built outside the chat service (tests, tools)
        async with deps.db.transaction() as session:
            site = await session.get(Site, turn.site_id)
    store = deps.stores.for_site(site) if site is not None else None
    info = SiteInfo(
        id=turn.site_id,
        name=turn.site_name,
        settings=dict(site.settings) if site is not None else dict(turn.site_settings),
        store_url=site.store_url if site is not None else None,
    )
    return Tools(
        deps=deps,
        site=info,
        store=store,
        customer=turn.customer,
        conversation_id=turn.conversation_id,
        cache=deps.stores.cache(turn.site_id) if store is not None else None,
        client_address=turn.client_address,
    )


_CATALOGUE: TypeAdapter[list[tuple[int, str]]] = TypeAdapter(list[tuple[int, str]])


@cache
def _demo_shop_url() -> str:
    return str(load_demo_data()["store"]["url"])


def _coverage(terms: list[str], document: str) -> bool:
    words = set(_WORD.findall(document.lower()))
    hits = sum(1 for term in terms if any(word.startswith(term) for word in words))
    return hits >= 1 and hits / len(terms) >= _MIN_COVERAGE


def _customer_number(customer: Identity | None) -> int | None:
    """The WooCommerce customer id of a verified customer; None for guests."""
    if customer is None or not customer.customer_id.isdigit():
        return None
    number = int(customer.customer_id)
    return number if number > 0 else None


def _money(value: Decimal | None) -> str | None:
    return None if value is None else f"{value:.2f}"


def _date(value: datetime | None) -> str | None:
    return None if value is None else value.date().isoformat()


def _order_summary(order: Order) -> dict[str, Any]:
    return {
        "number": order.number,
        "status": order.status,
        "date_created": _date(order.date_created),
        "total": _money(order.total),
        "currency": order.currency,
        "items": [item.name for item in order.line_items],
    }


def _order_facts(order: Order) -> dict[str, Any]:
    return {
        **_order_summary(order),
        "date_paid": _date(order.date_paid),
        "date_completed": _date(order.date_completed),
        "items": [
            {"name": i.name, "quantity": i.quantity, "total": _money(i.total)}
            for i in order.line_items
        ],
        "shipping": [line.method_title for line in order.shipping_lines],
        "payment_method": order.payment_method_title,
        "tracking": [
            {"number": t.number, "provider": t.provider, "url": t.url} for t in order.tracking
        ],
        "billing_first_name": order.billing_first_name,
    }


def _product_facts(product: Product) -> dict[str, Any]:
    return {
        "id": product.id,
        "name": product.name,
        "price": _money(product.price),
        "regular_price": _money(product.regular_price),
        "on_sale": product.on_sale,
        "currency": product.currency,
        "in_stock": product.in_stock,
        "stock_status": product.stock_status,
        "stock_quantity": product.stock_quantity,
        "permalink": product.permalink,
        "categories": [c.name for c in product.categories],
    }


def _spec(
    name: str, description: str, properties: dict[str, Any], required: list[str]
) -> dict[str, Any]:
    return {
        "type": "function",
        "function": {
            "name": name,
            "description": description,
            "parameters": {
                "type": "object",
                "properties": properties,
                "required": required,
                "additionalProperties": False,
            },
        },
    }


_STRING = {"type": "string"}
TOOL_SPECS: list[dict[str, Any]] = [
    _spec(
        "order_status",
        "Status, dates, items, totals, tracking and refunds of one order. Shown only to the "
        "signed-in owner, or to a guest who gives the order's billing email.",
        {
            "order_number": {**_STRING, "description": "The order number, e.g. 1042"},
            "email": {**_STRING, "description": "The billing email the customer gave"},
        },
        ["order_number"],
    ),
    _spec("my_orders", "The signed-in customer's latest orders.", {}, []),
    _spec(
        "search_products",
        "Products matching a search, with price, currency, stock and link.",
        {"query": {**_STRING, "description": "What the customer is looking for"}},
        ["query"],
    ),
    _spec(
        "recommend",
        "Up to three in-stock products to suggest for a product (by id, or by its name or search "
        "words): those the shop's customers bought together with it first, then the shop's "
        "upsells and related products, then the same category; each with its reason.",
        {"product_id": {"type": "integer"}, "query": _STRING},
        [],
    ),
    _spec("shipping_options", "Shipping zones, methods, costs and delivery times.", {}, []),
    _spec("payment_methods", "The payment methods offered at checkout.", {}, []),
    _spec(
        "search_knowledge",
        "The shop's FAQ and policies (cancellation, returns and refunds, invoices, ...).",
        {"query": {**_STRING, "description": "The question, in the customer's words"}},
        ["query"],
    ),
    _spec("account_links", "Links to the shop's account pages (orders, password, ...).", {}, []),
]
_SPECS_BY_NAME = {spec["function"]["name"]: spec["function"]["parameters"] for spec in TOOL_SPECS}
_JSON_TYPES: dict[str, tuple[type, ...]] = {"string": (str,), "integer": (int,)}


async def call_tool(tools: Tools, name: str, arguments: dict[str, Any]) -> ToolResult:
    """Call a tool by name with model-supplied arguments, checked against its schema."""
    schema = _SPECS_BY_NAME.get(name)
    if schema is None:
        return ToolResult(name, False, error="unknown_tool")
    if not _valid_arguments(schema, arguments):
        return ToolResult(name, False, error="bad_arguments")
    clean = {key: value for key, value in arguments.items() if value is not None}
    result: ToolResult = await getattr(tools, name)(**clean)
    return result


def _valid_arguments(schema: dict[str, Any], arguments: object) -> bool:
    if not isinstance(arguments, dict):
        return False
    properties: dict[str, Any] = schema["properties"]
    if any(key not in properties for key in arguments):
        return False
    if any(arguments.get(key) is None for key in schema["required"]):
        return False
    for key, value in arguments.items():
        wanted = _JSON_TYPES[properties[key]["type"]]
        if value is not None and (not isinstance(value, wanted) or isinstance(value, bool)):
            return False
    return True
