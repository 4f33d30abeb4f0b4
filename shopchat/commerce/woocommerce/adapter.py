"""WooCommerceStore: the Store interface over a WooCommerce REST v3 API."""

from __future__ import annotations

import asyncio
import logging
import re
from datetime import UTC, datetime
from typing import Any

from shopchat.commerce.store import StoreAuthError
from shopchat.commerce.types import (
    HIDDEN_ORDER_STATUSES,
    Customer,
    Order,
    OrderNote,
    PaymentGateway,
    Product,
    Refund,
    ShippingZone,
)
from shopchat.commerce.woocommerce import mapping
from shopchat.commerce.woocommerce.client import MAX_PAGE_SIZE, WooCommerceClient

logger = logging.getLogger(__name__)

_ORDER_NUMBER = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_\-/.]{0,39}$")
_HIDDEN_VISIBILITIES = frozenset({"hidden"})
RECENT_ORDER_PAGES = 5  # whatever a caller asks for, recent_orders reads at most 5 pages


class WooCommerceStore:
    """Reads one WooCommerce shop; the client carries its URL and keys."""

    def __init__(
        self,
        *,
        client: WooCommerceClient,
        currency: str | None = None,
        page_size: int = MAX_PAGE_SIZE,
    ) -> None:
        self._client = client
        self._currency = currency
        self._currency_lock = asyncio.Lock()
        self._page_size = page_size

    async def aclose(self) -> None:
        """Close the underlying HTTP client."""
        await self._client.aclose()

    async def get_product(self, product_id: int) -> Product | None:
        """One product by id, or None (also for drafts and trashed ones)."""
        if product_id <= 0:
            return None
        response = await self._client.get(f"products/{product_id}")
        record = mapping.mapping(response.data) if response else {}
        if not record or record.get("status", "publish") != "publish":
            return None
        return mapping.product(record, currency=await self.currency())

    async def search_products(self, query: str, *, limit: int = 10) -> list[Product]:
        """Published products matching free text (WooCommerce's own search)."""
        if not query.strip():
            return []
        params = {"search": query.strip()[:200], "status": "publish"}
        found = await self._products(params, limit=limit)
        return sorted(found, key=lambda p: _name_rank(p, query))  # stable: else newest first

    async def products_by_sku(self, sku: str) -> list[Product]:
        """Published products with exactly this SKU (the REST ``sku`` filter; ``search``
        does not look at SKUs). A comma would make it a list of SKUs, so none is sent."""
        wanted = sku.strip()
        if not wanted or "," in wanted or len(wanted) > 100:
            return []
        return await self._products({"sku": wanted, "status": "publish"}, limit=5)

    async def list_products(
        self, *, category_id: int | None = None, limit: int = 20
    ) -> list[Product]:
        """Published products in id order, optionally of one category."""
        params: dict[str, Any] = {"status": "publish", "orderby": "id", "order": "asc"}
        if category_id is not None:
            params["category"] = category_id
        return await self._products(params, limit=limit)

    async def _products(self, params: dict[str, Any], *, limit: int) -> list[Product]:
        found = await self._client.get_list(
            "products", params=params, limit=limit, page_size=self._page_size
        )
        currency = await self.currency()
        visible = (r for r in found if r.get("catalog_visibility") not in _HIDDEN_VISIBILITIES)
        return [mapping.product(r, currency=currency) for r in visible]

    async def get_order(self, order_id_or_number: int | str) -> Order | None:
        """The order whose number the customer quotes; else the order with that id."""
        wanted = str(order_id_or_number).strip().lstrip("#")
        if not _ORDER_NUMBER.match(wanted):
            return None
        by_id = await self._order_by_id(int(wanted)) if wanted.isdigit() else None
        if by_id is not None and by_id.number == wanted:
            return by_id
        return await self._order_by_number(wanted) or by_id

    async def _order_by_id(self, order_id: int) -> Order | None:
        if order_id <= 0:
            return None
        response = await self._client.get(f"orders/{order_id}")
        record = mapping.mapping(response.data) if response else {}
        if not record or _hidden(record):
            return None
        return mapping.order(record)

    async def _order_by_number(self, number: str) -> Order | None:
        """Order-number plugins make numbers differ from ids; WooCommerce search finds them."""
        found = await self._client.get_list("orders", params={"search": number}, limit=20)
        orders = (mapping.order(r) for r in found if not _hidden(r))
        return next((o for o in orders if o.number == number), None)

    async def orders_for_customer(self, customer_id: int, *, limit: int = 10) -> list[Order]:
        """A registered customer's orders, newest first; never guest orders."""
        if customer_id <= 0:
            return []
        params = {"customer": customer_id, "orderby": "date", "order": "desc"}
        found = await self._client.get_list(
            "orders", params=params, limit=limit, page_size=self._page_size, keep=_placed
        )
        return [
            mapping.order(r) for r in found if mapping.integer(r.get("customer_id")) == customer_id
        ]

    async def recent_orders(self, *, limit: int = 200) -> list[Order]:
        """The shop's latest orders, newest first, from at most ``RECENT_ORDER_PAGES`` pages."""
        wanted = min(limit, RECENT_ORDER_PAGES * min(self._page_size, MAX_PAGE_SIZE))
        if wanted <= 0:
            return []
        params = {"orderby": "date", "order": "desc"}
        found = await self._client.get_list(
            "orders", params=params, limit=wanted, page_size=self._page_size, keep=_placed
        )
        return [mapping.order(r) for r in found]

    async def order_records_modified_after(
        self, since: datetime, *, limit: int
    ) -> list[dict[str, Any]]:
        """The raw orders (webhook-shaped) changed after ``since``, oldest change first.

        ``modified_after`` is compared strictly (WP_Date_Query "after") with the site-local
        ``post_modified`` unless ``dates_are_gmt``; WordPress converts a value with an offset
        to site-local time, so the value is sent in UTC without one, with ``dates_are_gmt``.
        """
        utc = since.astimezone(UTC) if since.tzinfo else since
        params = {
            "modified_after": utc.replace(tzinfo=None, microsecond=0).isoformat(),
            "dates_are_gmt": True,
            "orderby": "modified",
            "order": "asc",
        }
        return await self._client.get_list(
            "orders", params=params, limit=limit, page_size=self._page_size
        )

    async def refunds(self, order_id: int) -> list[Refund]:
        """Refunds of an order, newest first."""
        if order_id <= 0:
            return []
        found = await self._client.get_list(f"orders/{order_id}/refunds", limit=MAX_PAGE_SIZE)
        return [mapping.refund(r) for r in found]

    async def order_notes(self, order_id: int, *, customer_only: bool = True) -> list[OrderNote]:
        """Notes of an order; private (internal) ones only when asked for."""
        if order_id <= 0:
            return []
        params = {"type": "customer" if customer_only else "any"}
        response = await self._client.get(f"orders/{order_id}/notes", params=params)
        notes = [
            mapping.order_note(r) for r in mapping.records(response.data if response else None)
        ]
        return [n for n in notes if n.customer_note or not customer_only]

    async def shipping_zones(self) -> list[ShippingZone]:
        """Zones with their locations and enabled methods, in the shop's order."""
        response = await self._client.get("shipping/zones")
        zones = list(mapping.records(response.data if response else None))
        mapped = await asyncio.gather(*(self._zone(z) for z in zones))
        return sorted(mapped, key=lambda z: (z.id == 0, z.order, z.id))

    async def _zone(self, record: dict[str, Any]) -> ShippingZone:
        zone_id = mapping.integer(record.get("id"))
        locations, methods = await asyncio.gather(
            self._client.get(f"shipping/zones/{zone_id}/locations"),
            self._client.get(f"shipping/zones/{zone_id}/methods"),
        )
        return mapping.shipping_zone(
            record,
            locations=mapping.records(locations.data if locations else None),
            methods=mapping.records(methods.data if methods else None),
        )

    async def payment_gateways(self) -> list[PaymentGateway]:
        """Gateways enabled at checkout, in the shop's order."""
        response = await self._client.get("payment_gateways")
        enabled = [
            g
            for g in mapping.records(response.data if response else None)
            if mapping.flag(g.get("enabled"))
        ]
        # ``order`` is a string, "" for gateways never sorted: WooCommerce puts them last.
        enabled.sort(key=lambda g: mapping.integer(g.get("order"), default=_UNSORTED))
        return [mapping.payment_gateway(g) for g in enabled]

    async def get_customer(self, customer_id: int) -> Customer | None:
        """A customer, with order count and total spent when one page of orders tells."""
        if customer_id <= 0:
            return None
        response = await self._client.get(f"customers/{customer_id}")
        record = mapping.mapping(response.data) if response else {}
        if not record:
            return None
        params = {"customer": customer_id, "per_page": MAX_PAGE_SIZE, "_fields": "id,status,total"}
        orders = await self._client.get("orders", params=params)
        if orders is None:
            return mapping.customer(record)
        listed = list(mapping.records(orders.data))
        placed = [o for o in listed if not _hidden(o)]
        complete = (orders.total_pages or 1) <= 1
        # Drafts are the newest orders, so the first page holds them all.
        drafts = len(listed) - len(placed)
        return mapping.customer(
            record,
            orders_count=orders.total - drafts if orders.total is not None else len(placed),
            total_spent=mapping.total_spent(placed) if complete else None,
        )

    async def currency(self) -> str:
        """The shop's currency code, read once from its general settings."""
        if self._currency is None:
            async with self._currency_lock:
                if self._currency is None:
                    self._currency = await self._fetch_currency()
        return self._currency

    async def _fetch_currency(self) -> str:
        try:
            response = await self._client.get("settings/general/woocommerce_currency")
        except StoreAuthError:
            logger.info("woocommerce key cannot read settings; currency unknown")
            return ""
        return mapping.plain(mapping.mapping(response.data if response else None).get("value"))


_UNSORTED = 2**31


def _hidden(record: dict[str, Any]) -> bool:
    """A checkout draft or a trashed order: no order to its customer."""
    return mapping.plain(record.get("status")) in HIDDEN_ORDER_STATUSES


def _placed(record: dict[str, Any]) -> bool:
    return not _hidden(record)


def _name_rank(product: Product, query: str) -> int:
    """WooCommerce lists a search newest first: put the query in the name first, then
    all its words in the name, then matches in the descriptions only."""
    name, words = product.name.casefold(), query.casefold().split()
    if " ".join(words) in name:
        return 0
    return 1 if all(w in name for w in words) else 2
