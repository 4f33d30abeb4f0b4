"""WooCommerce REST v3 JSON → shopchat commerce types.

Real stores add plugin fields and ``meta_data`` of any shape, so every reader here
accepts anything and falls back to an empty value instead of raising.
"""

from __future__ import annotations

import html
import json
import re
from collections.abc import Iterable, Iterator
from datetime import UTC, datetime
from decimal import Decimal, InvalidOperation
from html.parser import HTMLParser
from typing import Any

from shopchat.commerce.types import (
    PAID_ORDER_STATUSES,
    CategoryRef,
    Customer,
    LineItem,
    Order,
    OrderNote,
    PaymentGateway,
    Product,
    Refund,
    ShippingLine,
    ShippingMethod,
    ShippingZone,
    Tracking,
    ZoneLocation,
)

_MAX_TEXT = 2000
_WHITESPACE = re.compile(r"\s+")


class _TextCollector(HTMLParser):
    """Keeps the text of an HTML fragment, dropping tags, scripts and styles."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self._skip = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in {"script", "style"}:
            self._skip += 1
        elif tag in {"br", "p", "li", "div"}:
            self.parts.append(" ")

    def handle_endtag(self, tag: str) -> None:
        if tag in {"script", "style"} and self._skip:
            self._skip -= 1

    def handle_data(self, data: str) -> None:
        if not self._skip:
            self.parts.append(data)


def text(value: Any, *, limit: int = _MAX_TEXT) -> str:
    """Plain text from an HTML fragment (tags stripped, entities decoded, spaces collapsed)."""
    if not isinstance(value, str) or not value:
        return ""
    collector = _TextCollector()
    collector.feed(value)
    collector.close()
    return _WHITESPACE.sub(" ", "".join(collector.parts)).strip()[:limit]


def plain(value: Any) -> str:
    """A short string field with HTML entities decoded (names often carry ``&ndash;``)."""
    if isinstance(value, str):
        return html.unescape(value).strip()
    if isinstance(value, int | float) and not isinstance(value, bool):
        return str(value)
    return ""


def money(value: Any) -> Decimal | None:
    """A decimal amount from WooCommerce's string (or number) money fields."""
    if isinstance(value, bool) or value is None:
        return None
    if isinstance(value, float):
        value = repr(value)
    try:
        amount = Decimal(str(value).strip())
    except (InvalidOperation, ValueError):
        return None
    return amount if amount.is_finite() else None


def integer(value: Any, default: int = 0) -> int:
    """An int from an int or numeric string."""
    if isinstance(value, bool):
        return default
    if isinstance(value, int):
        return value
    try:
        return int(str(value).strip())
    except (TypeError, ValueError):
        return default


def optional_integer(value: Any) -> int | None:
    """An int, or None where the store sent null or junk."""
    sentinel = -(2**63)
    number = integer(value, sentinel)
    return None if number == sentinel else number


def flag(value: Any) -> bool:
    """A boolean from WooCommerce's true/false, 'yes'/'no' or 1/0."""
    if isinstance(value, str):
        return value.strip().lower() in {"1", "yes", "true", "on"}
    return bool(value) if isinstance(value, bool | int) else False


def timestamp(record: dict[str, Any], field: str) -> datetime | None:
    """A date field, in UTC from its ``_gmt`` twin when present, else shop-local."""
    gmt = _parse_datetime(record.get(f"{field}_gmt"))
    if gmt is not None:
        return gmt.replace(tzinfo=UTC) if gmt.tzinfo is None else gmt
    return _parse_datetime(record.get(field))


def _parse_datetime(value: Any) -> datetime | None:
    if not isinstance(value, str) or not value:
        return None
    try:
        return datetime.fromisoformat(value)
    except ValueError:
        return None


def mapping(value: Any) -> dict[str, Any]:
    """The value if it is a JSON object, else an empty one."""
    return value if isinstance(value, dict) else {}


def records(value: Any) -> Iterator[dict[str, Any]]:
    """The JSON objects of a list, skipping anything else."""
    if isinstance(value, list):
        yield from (item for item in value if isinstance(item, dict))


def int_ids(value: Any) -> tuple[int, ...]:
    """The positive integer ids of a list."""
    if not isinstance(value, list):
        return ()
    return tuple(i for i in (integer(v, 0) for v in value) if i > 0)


def meta(record: dict[str, Any]) -> dict[str, Any]:
    """``meta_data`` as key → value (last wins), ignoring malformed entries."""
    return {
        entry["key"]: entry.get("value")
        for entry in records(record.get("meta_data"))
        if isinstance(entry.get("key"), str)
    }


def product(record: dict[str, Any], *, currency: str = "") -> Product:
    """A Product from a WooCommerce product."""
    return Product(
        id=integer(record.get("id")),
        name=plain(record.get("name")),
        slug=plain(record.get("slug")),
        sku=plain(record.get("sku")),
        permalink=plain(record.get("permalink")),
        price=money(record.get("price")),
        regular_price=money(record.get("regular_price")),
        sale_price=money(record.get("sale_price")),
        currency=currency,
        stock_status=plain(record.get("stock_status")) or "instock",
        stock_quantity=optional_integer(record.get("stock_quantity")),
        categories=tuple(_category(c) for c in records(record.get("categories"))),
        short_description=text(record.get("short_description")),
        related_ids=int_ids(record.get("related_ids")),
        upsell_ids=int_ids(record.get("upsell_ids")),
    )


def _category(record: dict[str, Any]) -> CategoryRef:
    return CategoryRef(
        id=integer(record.get("id")),
        name=plain(record.get("name")),
        slug=plain(record.get("slug")),
    )


def order(record: dict[str, Any]) -> Order:
    """An Order from a WooCommerce order."""
    billing = mapping(record.get("billing"))
    return Order(
        id=integer(record.get("id")),
        number=plain(record.get("number")) or str(integer(record.get("id"))),
        status=plain(record.get("status")),
        currency=plain(record.get("currency")),
        total=money(record.get("total")),
        date_created=timestamp(record, "date_created"),
        date_paid=timestamp(record, "date_paid"),
        date_completed=timestamp(record, "date_completed"),
        customer_id=integer(record.get("customer_id")),
        billing_email=plain(billing.get("email")),
        billing_first_name=plain(billing.get("first_name")),
        billing_last_name=plain(billing.get("last_name")),
        shipping_summary=address_summary(mapping(record.get("shipping"))),
        line_items=tuple(_line_item(i) for i in records(record.get("line_items"))),
        shipping_lines=tuple(_shipping_line(s) for s in records(record.get("shipping_lines"))),
        payment_method_title=plain(record.get("payment_method_title")),
        tracking=tracking_numbers(meta(record)),
    )


def address_summary(address: dict[str, Any]) -> str:
    """One line such as 'Lindenstraße 4, 20095 Hamburg, DE'."""
    street = " ".join(plain(address.get(k)) for k in ("address_1", "address_2")).strip()
    town = " ".join(plain(address.get(k)) for k in ("postcode", "city")).strip()
    parts = (street, town, plain(address.get("state")), plain(address.get("country")))
    return ", ".join(p for p in parts if p)


def _line_item(record: dict[str, Any]) -> LineItem:
    return LineItem(
        product_id=integer(record.get("product_id")),
        variation_id=integer(record.get("variation_id")),
        name=plain(record.get("name")),
        quantity=integer(record.get("quantity")),
        total=money(record.get("total")),
        sku=plain(record.get("sku")),
    )


def _shipping_line(record: dict[str, Any]) -> ShippingLine:
    return ShippingLine(
        method_id=plain(record.get("method_id")),
        method_title=plain(record.get("method_title")),
        total=money(record.get("total")),
    )


def tracking_numbers(order_meta: dict[str, Any]) -> tuple[Tracking, ...]:
    """Tracking numbers from the meta keys common shipment-tracking plugins write."""
    found = [
        *_shipment_tracking_items(order_meta.get("_wc_shipment_tracking_items")),
        *_single_tracking(order_meta, "_tracking_number", "_tracking_provider"),
        *_single_tracking(
            order_meta, "_aftership_tracking_number", "_aftership_tracking_provider_name"
        ),
        *_single_tracking(order_meta, "ywot_tracking_code", "ywot_carrier_name"),
    ]
    return tuple(_unique_by_number(found))


def _shipment_tracking_items(value: Any) -> Iterator[Tracking]:
    """WooCommerce Shipment Tracking / Advanced Shipment Tracking: a list of dicts."""
    if isinstance(value, str):
        value = _json_or_none(value)
    if isinstance(value, dict):
        value = list(value.values())
    for item in records(value):
        number = plain(item.get("tracking_number"))
        if number:
            provider = plain(item.get("tracking_provider")) or plain(
                item.get("custom_tracking_provider")
            )
            yield Tracking(number=number, provider=provider, url=_url(item))


def _url(item: dict[str, Any]) -> str:
    link = plain(item.get("custom_tracking_link")) or plain(item.get("tracking_link"))
    return link if link.startswith(("https://", "http://")) else ""


def _single_tracking(
    order_meta: dict[str, Any], number_key: str, provider_key: str
) -> list[Tracking]:
    number = _meta_text(order_meta.get(number_key))
    if not number:
        return []
    return [Tracking(number=number, provider=_meta_text(order_meta.get(provider_key)))]


def _meta_text(value: Any) -> str:
    """A meta value as text; a serialised PHP array arrives as a list: its first text."""
    if isinstance(value, list):
        return next((plain(v) for v in value if plain(v)), "")
    return plain(value)


def _json_or_none(value: str) -> Any:
    try:
        return json.loads(value)
    except ValueError:
        return None


def _unique_by_number(items: Iterable[Tracking]) -> Iterator[Tracking]:
    seen: set[str] = set()
    for item in items:
        if item.number not in seen:
            seen.add(item.number)
            yield item


def refund(record: dict[str, Any]) -> Refund:
    """A Refund from a WooCommerce order refund."""
    return Refund(
        id=integer(record.get("id")),
        amount=money(record.get("amount")),
        reason=plain(record.get("reason")),
        date_created=timestamp(record, "date_created"),
    )


def order_note(record: dict[str, Any]) -> OrderNote:
    """An OrderNote from a WooCommerce order note."""
    return OrderNote(
        id=integer(record.get("id")),
        note=text(record.get("note")),
        customer_note=flag(record.get("customer_note")),
        date_created=timestamp(record, "date_created"),
        author=plain(record.get("author")),
    )


def zone_location(record: dict[str, Any]) -> ZoneLocation:
    """A ZoneLocation from a WooCommerce shipping zone location."""
    return ZoneLocation(code=plain(record.get("code")), type=plain(record.get("type")))


def shipping_method(record: dict[str, Any]) -> ShippingMethod:
    """A ShippingMethod from a WooCommerce shipping zone method."""
    settings = mapping(record.get("settings"))
    return ShippingMethod(
        instance_id=integer(record.get("instance_id")),
        method_id=plain(record.get("method_id")),
        title=plain(record.get("title")) or plain(record.get("method_title")),
        enabled=flag(record.get("enabled")),
        description=_setting_text(settings, "description"),
        cost=money(mapping(settings.get("cost")).get("value")),
        min_amount=money(mapping(settings.get("min_amount")).get("value")),
    )


def _setting_text(settings: dict[str, Any], name: str) -> str:
    return text(mapping(settings.get(name)).get("value"))


def shipping_zone(
    record: dict[str, Any],
    *,
    locations: Iterable[dict[str, Any]] = (),
    methods: Iterable[dict[str, Any]] = (),
) -> ShippingZone:
    """A ShippingZone from a WooCommerce zone, its locations and its methods (enabled only)."""
    mapped_methods = (shipping_method(m) for m in methods if isinstance(m, dict))
    return ShippingZone(
        id=integer(record.get("id")),
        name=plain(record.get("name")),
        order=integer(record.get("order")),
        locations=tuple(zone_location(x) for x in locations if isinstance(x, dict)),
        methods=tuple(m for m in mapped_methods if m.enabled),
    )


def payment_gateway(record: dict[str, Any]) -> PaymentGateway:
    """A PaymentGateway from a WooCommerce payment gateway."""
    return PaymentGateway(
        id=plain(record.get("id")),
        title=plain(record.get("title")) or plain(record.get("method_title")),
        description=text(record.get("description")),
        method_title=plain(record.get("method_title")),
    )


def customer(
    record: dict[str, Any], *, orders_count: int | None = None, total_spent: Decimal | None = None
) -> Customer:
    """A Customer from a WooCommerce customer, with order statistics if known."""
    return Customer(
        id=integer(record.get("id")),
        email=plain(record.get("email")),
        first_name=plain(record.get("first_name")),
        last_name=plain(record.get("last_name")),
        username=plain(record.get("username")),
        date_created=timestamp(record, "date_created"),
        orders_count=orders_count,
        total_spent=total_spent,
    )


def total_spent(orders: Iterable[dict[str, Any]]) -> Decimal:
    """What a customer paid: the totals of their processing and completed orders."""
    paid = (o for o in orders if plain(o.get("status")) in PAID_ORDER_STATUSES)
    return sum((money(o.get("total")) or Decimal(0) for o in paid), Decimal(0))
