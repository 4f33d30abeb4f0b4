"""The interface every shop platform implements, and the errors it raises.

A platform (WooCommerce today; Shopify or BigCommerce later) is one module that
implements ``Store``. Something that does not exist is ``None`` (or an empty list),
never an exception; exceptions mean the store could not be asked.
"""

from __future__ import annotations

from typing import Protocol, runtime_checkable

from shopchat.commerce.types import (
    Customer,
    Order,
    OrderNote,
    PaymentGateway,
    Product,
    Refund,
    ShippingZone,
)


class StoreError(Exception):
    """The store answered in a way we cannot use (bad configuration, bad request)."""

    def __init__(self, message: str, *, status: int | None = None) -> None:
        super().__init__(message)
        self.status = status


class StoreAuthError(StoreError):
    """The store refused our API keys (wrong, revoked, or without read access)."""


class StoreUnavailable(StoreError):
    """The store could not be reached or kept failing (timeouts, 429, 5xx) after retries."""


@runtime_checkable
class Store(Protocol):
    """Read access to one shop's catalogue, orders, customers and settings."""

    async def get_product(self, product_id: int) -> Product | None:
        """One product by id, or None."""
        ...

    async def search_products(self, query: str, *, limit: int = 10) -> list[Product]:
        """Published products matching free text, best first."""
        ...

    async def products_by_sku(self, sku: str) -> list[Product]:
        """Published products whose SKU is exactly ``sku`` (free-text search skips SKUs)."""
        ...

    async def list_products(
        self, *, category_id: int | None = None, limit: int = 20
    ) -> list[Product]:
        """Published products, optionally of one category."""
        ...

    async def get_order(self, order_id_or_number: int | str) -> Order | None:
        """One order by the number the customer sees (or its id), or None."""
        ...

    async def orders_for_customer(self, customer_id: int, *, limit: int = 10) -> list[Order]:
        """A registered customer's orders, newest first; [] for guests (id 0)."""
        ...

    async def recent_orders(self, *, limit: int = 200) -> list[Order]:
        """The shop's latest orders of every customer and guest, newest first (not trashed).

        For shop-wide figures such as "bought together"; never shown to a customer.
        """
        ...

    async def refunds(self, order_id: int) -> list[Refund]:
        """Refunds of an order, newest first."""
        ...

    async def order_notes(self, order_id: int, *, customer_only: bool = True) -> list[OrderNote]:
        """Notes of an order, newest first; only those sent to the customer by default."""
        ...

    async def shipping_zones(self) -> list[ShippingZone]:
        """Shipping zones with their locations and enabled methods."""
        ...

    async def payment_gateways(self) -> list[PaymentGateway]:
        """Payment methods enabled at checkout."""
        ...

    async def get_customer(self, customer_id: int) -> Customer | None:
        """One registered customer, or None."""
        ...
