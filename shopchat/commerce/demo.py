"""Northwind Outfitters: an in-memory demo shop behind the Store interface.

The data (``demo_data.json``) is kept in WooCommerce REST v3 shapes and read with the
WooCommerce mapping, so the demo answers exactly what a WooCommerce store with the
same data answers (the WooCommerce test store in ``tests/support`` serves this file).
"""

from __future__ import annotations

import copy
import json
from functools import cache
from pathlib import Path
from typing import Any, TypedDict

from shopchat.commerce.types import (
    Customer,
    Order,
    OrderNote,
    PaymentGateway,
    Product,
    Refund,
    ShippingZone,
)
from shopchat.commerce.woocommerce import mapping

DEMO_DATA_PATH = Path(__file__).with_name("demo_data.json")


class DemoCustomer(TypedDict):
    """A demo shopper to sign in as: id, email, names and segment (new, regular, vip)."""

    id: int
    email: str
    first_name: str
    last_name: str
    segment: str


@cache
def _demo_data() -> dict[str, Any]:
    return json.loads(DEMO_DATA_PATH.read_text(encoding="utf-8"))


def load_demo_data() -> dict[str, Any]:
    """A fresh deep copy of the demo shop's WooCommerce-shaped data."""
    return copy.deepcopy(_demo_data())


DEMO_CUSTOMERS: tuple[DemoCustomer, ...] = tuple(_demo_data()["demo_customers"])
DEMO_CURRENCY: str = _demo_data()["store"]["currency"]


def matches_search(record: dict[str, Any], query: str) -> bool:
    """WordPress-style search: every word appears in the name, SKU or descriptions."""
    haystack = " ".join(
        str(record.get(f, "")) for f in ("name", "sku", "short_description", "description")
    ).casefold()
    return all(word in haystack for word in query.casefold().split())


def search_rank(record: dict[str, Any], query: str) -> tuple[int, int]:
    """WordPress's relevance order, simplified: whole query in the name, all words, others."""
    name, words = str(record.get("name", "")).casefold(), query.casefold().split()
    if " ".join(words) in name:
        return 0, mapping.integer(record.get("id"))
    return (1 if all(w in name for w in words) else 2), mapping.integer(record.get("id"))


def is_listed(record: dict[str, Any]) -> bool:
    """Published and not hidden from the catalogue."""
    return record.get("status") == "publish" and record.get("catalog_visibility") != "hidden"


def in_category(record: dict[str, Any], category_id: int) -> bool:
    """Whether a product belongs to a category."""
    return any(c.get("id") == category_id for c in mapping.records(record.get("categories")))


class DemoStore:
    """A Store over in-memory WooCommerce-shaped data."""

    def __init__(self, data: dict[str, Any] | None = None) -> None:
        self._data = data if data is not None else load_demo_data()
        self._currency = self._data["store"]["currency"]

    async def aclose(self) -> None:
        """Nothing to close; here for parity with network stores."""

    async def get_product(self, product_id: int) -> Product | None:
        """One published product by id, or None."""
        record = self._find("products", product_id)
        if record is None or record.get("status") != "publish":
            return None
        return mapping.product(record, currency=self._currency)

    async def search_products(self, query: str, *, limit: int = 10) -> list[Product]:
        """Listed products whose text contains every word of the query."""
        if not query.strip():
            return []
        found = [p for p in self._listed_products() if matches_search(p, query)]
        found.sort(key=lambda p: search_rank(p, query))
        return [mapping.product(p, currency=self._currency) for p in found][:limit]

    async def products_by_sku(self, sku: str) -> list[Product]:
        """Listed products with exactly this SKU (case aside, as MySQL compares)."""
        wanted = sku.strip().casefold()
        found = [p for p in self._listed_products() if str(p.get("sku", "")).casefold() == wanted]
        return [mapping.product(p, currency=self._currency) for p in found] if wanted else []

    async def list_products(
        self, *, category_id: int | None = None, limit: int = 20
    ) -> list[Product]:
        """Listed products in id order, optionally of one category."""
        found = (
            p for p in self._listed_products() if category_id is None or in_category(p, category_id)
        )
        return [mapping.product(p, currency=self._currency) for p in found][:limit]

    async def get_order(self, order_id_or_number: int | str) -> Order | None:
        """The order with that number, else with that id."""
        wanted = str(order_id_or_number).strip().lstrip("#")
        orders = self._data["orders"]
        by_number = next((o for o in orders if str(o.get("number")) == wanted), None)
        by_id = next((o for o in orders if str(o.get("id")) == wanted), None)
        record = by_number or by_id
        return mapping.order(record) if record and record.get("status") != "trash" else None

    async def orders_for_customer(self, customer_id: int, *, limit: int = 10) -> list[Order]:
        """A registered customer's orders, newest first."""
        if customer_id <= 0:
            return []
        return [mapping.order(o) for o in self._customer_orders(customer_id)][:limit]

    async def recent_orders(self, *, limit: int = 200) -> list[Order]:
        """The shop's latest orders, newest first."""
        kept = [o for o in self._data["orders"] if o.get("status") != "trash"]
        kept.sort(key=lambda o: (o.get("date_created_gmt") or "", o.get("id", 0)), reverse=True)
        return [mapping.order(o) for o in kept[: max(0, limit)]]

    async def refunds(self, order_id: int) -> list[Refund]:
        """Refunds of an order, newest first."""
        found = self._data["refunds"].get(str(order_id), [])
        return [mapping.refund(r) for r in found]

    async def order_notes(self, order_id: int, *, customer_only: bool = True) -> list[OrderNote]:
        """Notes of an order, newest first."""
        notes = [mapping.order_note(n) for n in self._data["order_notes"].get(str(order_id), [])]
        return [n for n in notes if n.customer_note or not customer_only]

    async def shipping_zones(self) -> list[ShippingZone]:
        """Zones with their locations and enabled methods; 'everywhere else' last."""
        zones = [
            mapping.shipping_zone(z, locations=z["locations"], methods=z["methods"])
            for z in self._data["shipping_zones"]
        ]
        return sorted(zones, key=lambda z: (z.id == 0, z.order, z.id))

    async def payment_gateways(self) -> list[PaymentGateway]:
        """Enabled gateways in checkout order."""
        enabled = [g for g in self._data["payment_gateways"] if g.get("enabled")]
        enabled.sort(key=lambda g: mapping.integer(g.get("order")))
        return [mapping.payment_gateway(g) for g in enabled]

    async def get_customer(self, customer_id: int) -> Customer | None:
        """A customer with order count and total spent."""
        record = self._find("customers", customer_id)
        if record is None:
            return None
        orders = self._customer_orders(customer_id)
        return mapping.customer(
            record, orders_count=len(orders), total_spent=mapping.total_spent(orders)
        )

    def _find(self, collection: str, record_id: int) -> dict[str, Any] | None:
        return next((r for r in self._data[collection] if r.get("id") == record_id), None)

    def _listed_products(self) -> list[dict[str, Any]]:
        return sorted((p for p in self._data["products"] if is_listed(p)), key=lambda p: p["id"])

    def _customer_orders(self, customer_id: int) -> list[dict[str, Any]]:
        mine = [
            o
            for o in self._data["orders"]
            if o.get("customer_id") == customer_id and o.get("status") != "trash"
        ]
        return sorted(mine, key=lambda o: o.get("date_created_gmt") or "", reverse=True)


def demo_store() -> DemoStore:
    """The Northwind Outfitters demo shop as a Store."""
    return DemoStore()
