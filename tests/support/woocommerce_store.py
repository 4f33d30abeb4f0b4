"""A WooCommerce-compatible test store: a real HTTP(S) server on 127.0.0.1.

It serves ``/wp-json/wc/v3/...`` in the shapes of ``tests/fixtures/woocommerce/``
(the WooCommerce REST v3 documentation's examples), filled with the Northwind demo
data, and authenticates like WooCommerce's ``WC_REST_Authentication``: HTTP Basic
over HTTPS, OAuth 1.0a one-legged (HMAC-SHA1/SHA256, nonce and timestamp checks)
over plain HTTP. Tests can inject failures (n x 503, slow responses), plugin fields
and hostile ``meta_data``.

Where the documentation's examples and a real WooCommerce 9.9 store differ, it serves
what the real store does: a signed-in customer's ``checkout-draft`` order in
``orders?customer=`` (status any), ``payment_gateways[].order`` as a string (``""``
when never sorted), list-valued ``meta_data``, ``X-WP-TotalPages: 0`` on an empty list,
a ``Link`` header that repeats the request's (OAuth) query, ``modified_after`` on orders,
and WordPress's own search (a LIKE on title, excerpt and content; never the SKU), written
here from WordPress's rules rather than with shopchat's code.
"""

from __future__ import annotations

import base64
import copy
import datetime as dt
import hashlib
import hmac
import ipaddress
import json
import re
import ssl
import threading
import time
from collections import deque
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, quote, urlsplit
from zoneinfo import ZoneInfo

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

from shopchat.commerce.demo import load_demo_data

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures" / "woocommerce"
API_PREFIX = "/wp-json/wc/v3/"
CONSUMER_KEY = "ck_4f1d2c3b4a5968778695a4b3c2d1e0f9a8b7c6d5"
CONSUMER_SECRET = "cs_9e8d7c6b5a4938271605f4e3d2c1b0a9f8e7d6c5"
WRITE_ONLY_KEY = "ck_writeonly00000000000000000000000000000"
WRITE_ONLY_SECRET = "cs_writeonly00000000000000000000000000000"
CUSTOMER_ROLE_KEY = "ck_customerrole000000000000000000000000000"
CUSTOMER_ROLE_SECRET = "cs_customerrole000000000000000000000000000"
OAUTH_TIMESTAMP_WINDOW = 15 * 60
SHOP_TIMEZONE = ZoneInfo("Europe/Berlin")  # the demo data's local dates are Berlin time

PLUGIN_FIELDS: dict[str, Any] = {
    "yoast_head_json": {"title": "Northwind Outfitters", "robots": {"index": "index"}},
    "jetpack_sharing_enabled": True,
    "x_acme_loyalty": {"tier": ["gold"], "points": 1200, "nested": {"deep": [None, 1.5]}},
}
PLUGIN_META: list[dict[str, Any]] = [
    {"id": 90001, "key": "_yoast_wpseo_focuskw", "value": "outdoor gear"},
    # A serialised PHP array in postmeta comes out of the REST API as a JSON list.
    {"id": 90004, "key": "_wc_gla_brand_ids", "value": ["northwind", 7, None]},
    {"id": 90002, "key": "_wc_gla_sync_status", "value": {"status": "synced", "errors": []}},
    {"id": 90003, "key": "_wpml_language", "value": "en"},
]
HOSTILE_META: list[Any] = [
    42,
    "meta",
    None,
    [],
    {"id": 1},
    {"key": None, "value": "x"},
    {"key": ["not", "a", "string"], "value": 1},
    {"key": "_wc_shipment_tracking_items", "value": 'a:1:{i:0;s:3:"php";}'},
    {"key": "_wc_shipment_tracking_items", "value": [None, 7, {"tracking_number": ["x"]}]},
    {"key": "_tracking_number", "value": {"nested": True}},
    {"key": "_huge", "value": "x" * 200_000},
    {"key": "_deep", "value": {"a": {"b": {"c": {"d": [1, [2, [3, [4]]]]}}}}},
    {"key": "_script", "value": "<script>alert(1)</script>"},
]


@dataclass(frozen=True)
class ApiKey:
    """A WooCommerce REST key: its secret, permissions and whether its user may read."""

    secret: str
    permissions: str = "read"
    user_can_view: bool = True


@dataclass(frozen=True)
class RecordedRequest:
    """What the store saw (without the Authorization header)."""

    method: str
    path: str
    params: dict[str, str]
    scheme: str


@dataclass
class _Failure:
    status: int | None
    delay: float
    retry_after: str | None


@dataclass
class WooCommerceTestStore:
    """Start with ``with WooCommerceTestStore() as store:``; ``store.url`` is the shop URL."""

    data: dict[str, Any] = field(default_factory=load_demo_data)
    keys: dict[str, ApiKey] = field(default_factory=lambda: dict(_DEFAULT_KEYS))
    tls: tuple[Path, Path] | None = None
    hostile_meta: bool = False
    requests: list[RecordedRequest] = field(default_factory=list)
    # The Checkout block's draft: made as soon as this signed-in customer opened the checkout.
    checkout_draft_for: int | None = 103

    def __post_init__(self) -> None:
        for order in self.data["orders"]:
            _stamp_modified(order)
        if self.checkout_draft_for is not None:
            self.data["orders"].append(_checkout_draft(self.data, self.checkout_draft_for))
        self._failures: deque[_Failure] = deque()
        self._lock = threading.Lock()
        self._stopping = threading.Event()
        self._used_nonces: set[tuple[str, str]] = set()
        self._templates = {p.stem: json.loads(p.read_text()) for p in FIXTURES.glob("*.json")}
        self._server: ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None

    @property
    def url(self) -> str:
        """The shop's home URL, e.g. ``http://127.0.0.1:54321``."""
        assert self._server is not None, "store not started"
        scheme = "https" if self.tls else "http"
        return f"{scheme}://127.0.0.1:{self._server.server_address[1]}"

    def __enter__(self) -> WooCommerceTestStore:
        self.start()
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.stop()

    def start(self) -> None:
        """Listen on a free port and serve in a background thread."""
        server = _Server(("127.0.0.1", 0), _Handler)
        server.store = self
        if self.tls:
            context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
            context.load_cert_chain(certfile=self.tls[0], keyfile=self.tls[1])
            server.socket = context.wrap_socket(server.socket, server_side=True)
        self._server = server
        self._thread = threading.Thread(
            target=server.serve_forever, kwargs={"poll_interval": 0.02}, daemon=True
        )
        self._thread.start()

    def stop(self) -> None:
        """Stop serving and close the listening socket."""
        self._stopping.set()
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
        if self._thread is not None:
            self._thread.join(timeout=5)

    def fail_next(self, count: int, *, status: int = 503, retry_after: str | None = None) -> None:
        """Answer the next ``count`` requests with ``status`` (before authenticating)."""
        with self._lock:
            self._failures.extend(_Failure(status, 0.0, retry_after) for _ in range(count))

    def slow_next(self, count: int, *, seconds: float) -> None:
        """Delay the next ``count`` responses by ``seconds``."""
        with self._lock:
            self._failures.extend(_Failure(None, seconds, None) for _ in range(count))

    def update_order(self, order_id: int, **changes: Any) -> dict[str, Any]:
        """Change an order the way the shop does: its modification date moves to now."""
        order = _by_id(self.data["orders"], str(order_id))
        assert order is not None, f"no order {order_id}"
        order.update(changes)
        _stamp_modified(order, at=dt.datetime.now(dt.UTC).replace(microsecond=0))
        return order

    def trash_product(self, product_id: int) -> None:
        """What the Trash link does: the product stays readable by id, with status trash."""
        product = _by_id(self.data["products"], str(product_id))
        assert product is not None, f"no product {product_id}"
        product["status"] = "trash"

    def api_requests(self, path: str) -> list[RecordedRequest]:
        """The recorded requests for one API path (e.g. ``products``)."""
        return [r for r in self.requests if r.path == path]

    def _next_failure(self) -> _Failure | None:
        with self._lock:
            return self._failures.popleft() if self._failures else None

    # -- authentication (after WC_REST_Authentication) -------------------------------

    def authenticate(self, request: _Request) -> tuple[int, dict[str, Any]] | None:
        """None when the request may read; else WooCommerce's error status and body."""
        key_id = None
        if self.tls:
            key_id, error = self._basic(request)
            if error:
                return error
        if key_id is None and any(k.startswith("oauth_") for k in request.params):
            key_id, error = self._oauth(request)
            if error:
                return error
        if key_id is None:
            return _error(401, "woocommerce_rest_cannot_view", "Sorry, you cannot list resources.")
        key = self.keys[key_id]
        if key.permissions not in {"read", "read_write"}:
            return _auth_error("The API key provided does not have read permissions.")
        if not key.user_can_view:
            return _error(403, "woocommerce_rest_cannot_view", "Sorry, you cannot list resources.")
        return None

    def _basic(self, request: _Request) -> tuple[str | None, tuple[int, dict[str, Any]] | None]:
        header = request.headers.get("Authorization", "")
        if header.startswith("Basic "):
            decoded = base64.b64decode(header[6:]).decode(errors="replace")
            key_id, _, secret = decoded.partition(":")
        elif "consumer_key" in request.params:
            key_id, secret = (
                request.params["consumer_key"],
                request.params.get("consumer_secret", ""),
            )
        else:
            return None, None
        key = self.keys.get(key_id)
        if key is None:
            return None, _auth_error("Consumer key is invalid.")
        if not hmac.compare_digest(key.secret, secret):
            return None, _auth_error("Consumer secret is invalid.")
        return key_id, None

    def _oauth(self, request: _Request) -> tuple[str | None, tuple[int, dict[str, Any]] | None]:
        params = dict(request.params)
        for name in ("oauth_consumer_key", "oauth_timestamp", "oauth_nonce", "oauth_signature"):
            if not params.get(name):
                return None, _auth_error(f"{name} parameter is missing.")
        if params.get("oauth_signature_method") not in {"HMAC-SHA1", "HMAC-SHA256"}:
            return None, _auth_error("Invalid signature - signature method is invalid.")
        key_id = params["oauth_consumer_key"]
        key = self.keys.get(key_id)
        if key is None:
            return None, _auth_error("Consumer key is invalid.")
        provided = params.pop("oauth_signature").replace(" ", "+")
        base_uri = f"http://{request.headers.get('Host', '')}{request.path}"
        expected = woocommerce_oauth_signature(
            method=request.method, base_uri=base_uri, params=params, secret=key.secret
        )
        if not hmac.compare_digest(expected, provided):
            return None, _auth_error("Invalid signature - provided signature does not match.")
        if abs(time.time() - int(params["oauth_timestamp"])) > OAUTH_TIMESTAMP_WINDOW:
            return None, _auth_error("Invalid timestamp.")
        with self._lock:
            if (key_id, params["oauth_nonce"]) in self._used_nonces:
                return None, _auth_error("Invalid nonce - nonce has already been used.")
            self._used_nonces.add((key_id, params["oauth_nonce"]))
        return key_id, None

    # -- resources --------------------------------------------------------------------

    def route(self, path: str, params: dict[str, str]) -> tuple[int, Any, dict[str, str]]:
        """Status, JSON body and extra headers for an API path."""
        for pattern, handler in self._routes():
            match = re.fullmatch(pattern, path)
            if match:
                return handler(params, *match.groups())
        status, body = _error(404, "rest_no_route", _NO_ROUTE)
        return status, body, {}

    def _routes(self) -> list[tuple[str, Callable[..., tuple[int, Any, dict[str, str]]]]]:
        return [
            (r"products", self._products),
            (r"products/(\d+)", self._product),
            (r"orders", self._orders),
            (r"orders/(\d+)", self._order),
            (r"orders/(\d+)/refunds", self._refunds),
            (r"orders/(\d+)/notes", self._notes),
            (r"customers/(\d+)", self._customer),
            (r"shipping/zones", self._zones),
            (r"shipping/zones/(\d+)/locations", self._zone_locations),
            (r"shipping/zones/(\d+)/methods", self._zone_methods),
            (r"payment_gateways", self._gateways),
            (r"settings/general/([a-z_]+)", self._general_setting),
        ]

    def _products(self, params: dict[str, str]) -> tuple[int, Any, dict[str, str]]:
        found = [p for p in self.data["products"] if _status_matches(p, params)]
        if "category" in params:
            wanted = int(params["category"])
            found = [p for p in found if any(c["id"] == wanted for c in p["categories"])]
        if params.get("search"):
            found = [p for p in found if wordpress_search_matches(p, params["search"])]
        if params.get("sku"):  # exact SKUs, comma-separated, as WooCommerce's ``sku`` filter
            skus = {s.strip().casefold() for s in params["sku"].split(",")}
            found = [p for p in found if str(p.get("sku", "")).casefold() in skus]
        found = _ordered(found, params, default="date")  # the REST API's default, also here
        return self._page([self._full_product(p) for p in found], params)

    def _product(self, params: dict[str, str], product_id: str) -> tuple[int, Any, dict[str, str]]:
        record = _by_id(self.data["products"], product_id)
        if record is None:
            return (*_error(404, "woocommerce_rest_product_invalid_id", "Invalid ID."), {})
        return 200, _fields(self._full_product(record), params), {}

    def _orders(self, params: dict[str, str]) -> tuple[int, Any, dict[str, str]]:
        found = [o for o in self.data["orders"] if _order_status_matches(o, params)]
        if "customer" in params:
            found = [o for o in found if o.get("customer_id") == int(params["customer"])]
        if params.get("search"):
            found = [o for o in found if _order_matches(o, params["search"])]
        if "modified_after" in params:
            after = _rest_date(params["modified_after"])
            if after is None:
                status, body = _error(
                    400, "rest_invalid_param", "Invalid parameter(s): modified_after"
                )
                return status, body, {}
            # WP_Date_Query: strictly after, on the local column unless dates_are_gmt.
            column = (
                "date_modified_gmt" if _rest_bool(params.get("dates_are_gmt")) else "date_modified"
            )
            found = [o for o in found if dt.datetime.fromisoformat(o[column]) > after]
        found = _ordered(found, params, default="date")
        return self._page([self._full_order(o) for o in found], params)

    def _order(self, params: dict[str, str], order_id: str) -> tuple[int, Any, dict[str, str]]:
        record = _by_id(self.data["orders"], order_id)
        if record is None:
            return (*_error(404, "woocommerce_rest_shop_order_invalid_id", "Invalid ID."), {})
        return 200, _fields(self._full_order(record), params), {}

    def _refunds(self, params: dict[str, str], order_id: str) -> tuple[int, Any, dict[str, str]]:
        if _by_id(self.data["orders"], order_id) is None:
            return (*_error(404, "woocommerce_rest_order_invalid_id", "Invalid order ID."), {})
        template = self._templates["order-refunds__list-all-refunds"][0]
        refunds = self.data["refunds"].get(order_id, [])
        return self._page([_merged(template, r) for r in refunds], params)

    def _notes(self, params: dict[str, str], order_id: str) -> tuple[int, Any, dict[str, str]]:
        if _by_id(self.data["orders"], order_id) is None:
            return (*_error(404, "woocommerce_rest_order_invalid_id", "Invalid order ID."), {})
        template = self._templates["order-notes__list-all-order-notes"][0]
        notes = self.data["order_notes"].get(order_id, [])
        kind = params.get("type", "any")
        if kind != "any":
            notes = [n for n in notes if n["customer_note"] == (kind == "customer")]
        return 200, [_merged(template, n) for n in notes], {}

    def _customer(
        self, params: dict[str, str], customer_id: str
    ) -> tuple[int, Any, dict[str, str]]:
        record = _by_id(self.data["customers"], customer_id)
        if record is None:
            return (*_error(404, "woocommerce_rest_invalid_id", "Invalid resource ID."), {})
        template = self._templates["customers__retrieve-a-customer"]
        return 200, self._with_plugins(_merged(template, record)), {}

    def _zones(self, params: dict[str, str]) -> tuple[int, Any, dict[str, str]]:
        zones = [
            {"id": z["id"], "name": z["name"], "order": z["order"], "_links": {}}
            for z in self.data["shipping_zones"]
        ]
        return 200, zones, {}

    def _zone_locations(
        self, params: dict[str, str], zone_id: str
    ) -> tuple[int, Any, dict[str, str]]:
        zone = _by_id(self.data["shipping_zones"], zone_id)
        if zone is None:
            return (
                *_error(404, "woocommerce_rest_shipping_zone_invalid", "Invalid resource ID."),
                {},
            )
        return 200, [{**loc, "_links": {}} for loc in zone["locations"]], {}

    def _zone_methods(
        self, params: dict[str, str], zone_id: str
    ) -> tuple[int, Any, dict[str, str]]:
        zone = _by_id(self.data["shipping_zones"], zone_id)
        if zone is None:
            return (
                *_error(404, "woocommerce_rest_shipping_zone_invalid", "Invalid resource ID."),
                {},
            )
        template = self._templates[
            "shipping-zone-methods__list-all-shipping-methods-from-a-shipping-zone"
        ][0]
        return 200, [_full_setting_record(template, m) for m in zone["methods"]], {}

    def _gateways(self, params: dict[str, str]) -> tuple[int, Any, dict[str, str]]:
        template = self._templates["payment-gateways__list-all-payment-gateways"][0]
        # WC_Payment_Gateways lists them in checkout order, the never-sorted ones last.
        listed = sorted(self.data["payment_gateways"], key=lambda g: g["order"] in ("", None))
        served = [
            {**g, "order": "" if g["order"] in ("", None) else str(g["order"])} for g in listed
        ]
        return 200, [_merged(template, g) for g in served], {}

    def _general_setting(
        self, params: dict[str, str], name: str
    ) -> tuple[int, Any, dict[str, str]]:
        if name != "woocommerce_currency":
            return (*_error(404, "rest_setting_setting_invalid", "Invalid setting."), {})
        return 200, {**_CURRENCY_SETTING, "value": self.data["store"]["currency"]}, {}

    def _page(self, items: list[Any], params: dict[str, str]) -> tuple[int, Any, dict[str, str]]:
        per_page, page = int(params.get("per_page", "10")), int(params.get("page", "1"))
        if not 1 <= per_page <= 100:
            status, body = _error(400, "rest_invalid_param", "Invalid parameter(s): per_page")
            return status, body, {}
        total_pages = max(1, -(-len(items) // per_page)) if items else 0
        chunk = items[(page - 1) * per_page : page * per_page]
        headers = {"X-WP-Total": str(len(items)), "X-WP-TotalPages": str(total_pages)}
        links = _page_links(params, page=page, total_pages=total_pages)
        if links:
            headers["Link"] = links
        return 200, [_fields(i, params) for i in chunk], headers

    def _full_product(self, record: dict[str, Any]) -> dict[str, Any]:
        return self._with_plugins(_merged(self._templates["products__retrieve-a-product"], record))

    def _full_order(self, record: dict[str, Any]) -> dict[str, Any]:
        template = self._templates["orders__retrieve-an-order"]
        full = _merged(template, record)
        full["line_items"] = [_merged(template["line_items"][0], i) for i in record["line_items"]]
        full["billing"] = {**template["billing"], **record["billing"]}
        full["shipping"] = {**template["shipping"], **record["shipping"]}
        return self._with_plugins(full)

    def _with_plugins(self, record: dict[str, Any]) -> dict[str, Any]:
        """Add fields and meta_data the way installed plugins do."""
        hostile = HOSTILE_META if self.hostile_meta else []
        return {
            **record,
            **PLUGIN_FIELDS,
            "meta_data": [*hostile, *PLUGIN_META, *record.get("meta_data", [])],
        }


_DEFAULT_KEYS: dict[str, ApiKey] = {
    CONSUMER_KEY: ApiKey(CONSUMER_SECRET),
    WRITE_ONLY_KEY: ApiKey(WRITE_ONLY_SECRET, permissions="write"),
    CUSTOMER_ROLE_KEY: ApiKey(CUSTOMER_ROLE_SECRET, user_can_view=False),
}
_NO_ROUTE = "No route was found matching the URL and request method."
_CURRENCY_SETTING = {
    "id": "woocommerce_currency",
    "label": "Currency",
    "description": "This controls what currency prices are listed at in the catalog.",
    "type": "select",
    "default": "GBP",
    "tip": "This controls what currency prices are listed at in the catalog.",
    "group_id": "general",
    "options": {"EUR": "Euro (&euro;)", "GBP": "Pound sterling (&pound;)", "USD": "US dollar"},
}


def woocommerce_oauth_signature(
    *, method: str, base_uri: str, params: dict[str, str], secret: str
) -> str:
    """The signature WooCommerce computes (check_oauth_signature), for HMAC-SHA1 or -SHA256."""
    encoded = {
        _rawurlencode(k): _rawurlencode(v)
        for k, v in sorted(params.items(), key=lambda kv: kv[0].encode())
    }
    query = "%26".join(_rawurlencode(f"{k}={v}") for k, v in encoded.items())
    to_sign = f"{method}&{_rawurlencode(base_uri)}&{query}"
    algorithm = hashlib.sha1 if params["oauth_signature_method"] == "HMAC-SHA1" else hashlib.sha256
    digest = hmac.new(f"{secret}&".encode(), to_sign.encode(), algorithm).digest()
    return base64.b64encode(digest).decode()


def _rawurlencode(value: str) -> str:
    return quote(value, safe="-_.~")


def _error(status: int, code: str, message: str) -> tuple[int, dict[str, Any]]:
    return status, {"code": code, "message": message, "data": {"status": status}}


def _auth_error(message: str) -> tuple[int, dict[str, Any]]:
    return _error(401, "woocommerce_rest_authentication_error", message)


def _by_id(collection: list[dict[str, Any]], record_id: str) -> dict[str, Any] | None:
    return next((r for r in collection if str(r.get("id")) == str(int(record_id))), None)


def _merged(template: dict[str, Any], record: dict[str, Any]) -> dict[str, Any]:
    return {**copy.deepcopy(template), **copy.deepcopy(record), "_links": {}}


def _full_setting_record(template: dict[str, Any], method: dict[str, Any]) -> dict[str, Any]:
    setting_template = {
        "label": "",
        "description": "",
        "type": "text",
        "default": "",
        "tip": "",
        "placeholder": "",
    }
    settings = {k: {**setting_template, **v} for k, v in method.get("settings", {}).items()}
    return {**_merged(template, method), "settings": settings}


def _status_matches(product: dict[str, Any], params: dict[str, str]) -> bool:
    wanted = params.get("status", "any")
    if wanted == "any":  # WP_Query's "any" leaves out trash (and auto-drafts)
        return product.get("status") not in {"trash", "auto-draft"}
    return product.get("status") == wanted


def _order_status_matches(order: dict[str, Any], params: dict[str, str]) -> bool:
    wanted = params.get("status", "any")
    if wanted == "any":  # every status wc_get_order_statuses() knows, checkout-draft too
        return order.get("status") != "trash"
    return order.get("status") in wanted.split(",")


# WordPress's get_search_stopwords() (en_US).
_STOPWORDS = frozenset(
    "about an are as at be by com for from how in is it of on or that the this to was what "
    "when where who will with www".split()
)
_SEARCH_TERM = re.compile(r'".*?("|$)|((?<=[\t ",+])|^)[^\t ",+]+')


def wordpress_search_terms(search: str) -> list[str]:
    """WP_Query::parse_search_terms: quoted phrases kept, one letters and stopwords dropped."""
    raw = [m.group(0) for m in _SEARCH_TERM.finditer(search.strip())]
    if len(raw) > 9:
        return [search.strip()]
    terms = []
    for term in raw:
        term = term.strip("\"'") if re.fullmatch(r'".+"', term) else term.strip("\"' ")
        if not term or (len(term) == 1 and re.fullmatch(r"[a-z\-]", term, re.I)):
            continue
        if term.lower() not in _STOPWORDS:
            terms.append(term)
    return terms or [search.strip()]


def wordpress_search_matches(product: dict[str, Any], search: str) -> bool:
    """WP_Query's search: each term LIKE %term% in title, excerpt or content (not the SKU);
    a term starting with "-" excludes. MySQL's default collation ignores case."""
    fields = [
        str(product.get(f) or "").casefold() for f in ("name", "short_description", "description")
    ]
    for term in wordpress_search_terms(search):
        exclude = term.startswith("-") and len(term) > 1
        needle = (term[1:] if exclude else term).casefold()
        if any(needle in f for f in fields) == exclude:
            return False
    return True


def _stamp_modified(order: dict[str, Any], *, at: dt.datetime | None = None) -> None:
    """date_modified(_gmt) as WooCommerce keeps them: the last change, local and GMT."""
    gmt_keys = ("date_completed_gmt", "date_paid_gmt", "date_created_gmt")
    if at is None and order.get("date_modified_gmt"):
        return
    latest = at or max(dt.datetime.fromisoformat(order[k]) for k in gmt_keys if order.get(k))
    gmt = latest.replace(tzinfo=dt.UTC) if latest.tzinfo is None else latest.astimezone(dt.UTC)
    order["date_modified_gmt"] = gmt.replace(tzinfo=None).isoformat()
    order["date_modified"] = _local(gmt).isoformat()


def _local(moment: dt.datetime) -> dt.datetime:
    """Wall-clock time in the shop's timezone (WordPress's timezone_string)."""
    return moment.astimezone(SHOP_TIMEZONE).replace(tzinfo=None)


def _checkout_draft(data: dict[str, Any], customer_id: int) -> dict[str, Any]:
    """The order the Checkout block made when the customer opened the checkout."""
    mine = [o for o in data["orders"] if o.get("customer_id") == customer_id]
    latest = max(mine, key=lambda o: o["date_created_gmt"])
    opened = dt.datetime.fromisoformat(latest["date_created_gmt"]) + dt.timedelta(days=1)
    draft = copy.deepcopy(latest)
    draft.update(
        id=max(o["id"] for o in data["orders"]) + 1,
        status="checkout-draft",
        date_created_gmt=opened.isoformat(),
        date_created=_local(opened.replace(tzinfo=dt.UTC)).isoformat(),
        date_paid=None,
        date_paid_gmt=None,
        date_completed=None,
        date_completed_gmt=None,
        payment_method="",
        payment_method_title="",
        meta_data=[],
    )
    draft["number"] = str(draft["id"])
    draft["date_modified_gmt"], draft["date_modified"] = None, None
    _stamp_modified(draft)
    return draft


def _rest_date(value: str) -> dt.datetime | None:
    """rest_parse_date's RFC 3339 check, then WP_Date_Query's reading: a value without an
    offset is taken as is; one with an offset is converted to the shop's local time (and
    then compared with whichever column dates_are_gmt chose)."""
    if not re.fullmatch(
        r"\d{4}-\d{2}-\d{2}[Tt ]\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}(:?\d{2})?)?", value
    ):
        return None
    try:
        parsed = dt.datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None
    return _local(parsed) if parsed.tzinfo else parsed


def _rest_bool(value: str | None) -> bool:
    return (value or "").lower() in {"1", "true", "yes"}


def _page_links(params: dict[str, str], *, page: int, total_pages: int) -> str:
    """WordPress's Link header: the request's own query (oauth_* included) with ``page``."""

    def link(number: int, rel: str) -> str:
        query = "&".join(
            f"{quote(k, safe='')}={quote(v, safe='')}"
            for k, v in {**params, "page": str(number)}.items()
        )
        return f'<{_LINK_BASE}?{query}>; rel="{rel}"'

    links = []
    if page > 1:
        links.append(link(page - 1, "prev"))
    if page < total_pages:
        links.append(link(page + 1, "next"))
    return ", ".join(links)


_LINK_BASE = "http://shop.example/wp-json/wc/v3/RESOURCE"


def _order_matches(order: dict[str, Any], search: str) -> bool:
    billing = order.get("billing", {})
    fields = (
        order.get("number"),
        order.get("id"),
        billing.get("email"),
        billing.get("first_name"),
        billing.get("last_name"),
    )
    return any(search.casefold() in str(f).casefold() for f in fields if f)


def _ordered(
    records: list[dict[str, Any]], params: dict[str, str], *, default: str
) -> list[dict[str, Any]]:
    orderby = params.get("orderby", default)
    descending = params.get("order", "desc") == "desc"
    sort_key: dict[str, Callable[[dict[str, Any]], Any]] = {
        "id": lambda r: r["id"],
        "date": lambda r: (r.get("date_created_gmt") or "", r["id"]),
        "modified": lambda r: (r.get("date_modified_gmt") or "", r["id"]),
        "title": lambda r: (r.get("name", ""), r["id"]),
    }
    return sorted(records, key=sort_key[orderby], reverse=descending)


def _fields(record: Any, params: dict[str, str]) -> Any:
    """WordPress's ``_fields``: keep only the named top-level fields."""
    if "_fields" not in params or not isinstance(record, dict):
        return record
    wanted = set(params["_fields"].split(","))
    return {k: v for k, v in record.items() if k in wanted}


@dataclass(frozen=True)
class _Request:
    method: str
    path: str
    params: dict[str, str]
    headers: dict[str, str]


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    store: WooCommerceTestStore

    def handle_error(self, request: Any, client_address: Any) -> None:
        """Clients that gave up (timeouts, TLS rejections) are expected here; stay quiet."""


class _Handler(BaseHTTPRequestHandler):
    server: _Server

    def do_GET(self) -> None:
        store = self.server.store
        url = urlsplit(self.path)
        params = dict(parse_qsl(url.query, keep_blank_values=True))
        request = _Request("GET", url.path, params, dict(self.headers.items()))
        api_path = url.path.removeprefix(API_PREFIX).rstrip("/")
        store.requests.append(
            RecordedRequest("GET", api_path, params, "https" if store.tls else "http")
        )
        failure = store._next_failure()
        if failure and failure.delay and store._stopping.wait(failure.delay):
            return
        if failure and failure.status:
            headers = {"Retry-After": failure.retry_after} if failure.retry_after else {}
            self._send(
                failure.status,
                "<html><body>Service Unavailable</body></html>",
                headers,
                "text/html",
            )
            return
        if not url.path.startswith(API_PREFIX):
            self._send(404, "<html>Not found</html>", {}, "text/html")
            return
        error = store.authenticate(request)
        if error is not None:
            self._send_json(*error, {})
            return
        status, body, headers = store.route(api_path, params)
        if "Link" in headers:
            here = f"{'https' if store.tls else 'http'}://{self.headers.get('Host', '')}{url.path}"
            headers = {**headers, "Link": headers["Link"].replace(_LINK_BASE, here)}
        self._send_json(status, body, headers)

    def _send_json(self, status: int, body: Any, headers: dict[str, str]) -> None:
        self._send(status, json.dumps(body), headers, "application/json; charset=UTF-8")

    def _send(self, status: int, body: str, headers: dict[str, str], content_type: str) -> None:
        payload = body.encode()
        try:
            self.send_response(status)
            self.send_header("Content-Type", content_type)
            self.send_header("Content-Length", str(len(payload)))
            for name, value in headers.items():
                self.send_header(name, value)
            self.end_headers()
            self.wfile.write(payload)
        except (BrokenPipeError, ConnectionResetError):
            pass

    def log_message(self, format: str, *args: Any) -> None:
        """Silent: tests read ``store.requests`` instead."""


def self_signed_certificate(directory: Path) -> tuple[Path, Path]:
    """A certificate for 127.0.0.1 and its key, written as PEM files in ``directory``."""
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "127.0.0.1")])
    now = dt.datetime.now(dt.UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(minutes=5))
        .not_valid_after(now + dt.timedelta(days=1))
        .add_extension(
            x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]),
            critical=False,
        )
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .sign(key, hashes.SHA256())
    )
    cert_path, key_path = directory / "store-cert.pem", directory / "store-key.pem"
    cert_path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_path.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    return cert_path, key_path


@contextmanager
def running_store(**options: Any) -> Iterator[WooCommerceTestStore]:
    """A started WooCommerceTestStore, stopped afterwards."""
    store = WooCommerceTestStore(**options)
    store.start()
    try:
        yield store
    finally:
        store.stop()
