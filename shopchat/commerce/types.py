"""What the assistant knows about a shop: platform-neutral, immutable records.

Money is ``Decimal`` (never float); a price the store left empty is ``None``.
Dates are timezone-aware UTC where the store said which zone, else naive shop-local.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

PAID_ORDER_STATUSES = frozenset({"processing", "completed"})
# Not orders to a customer: the Checkout block's draft (made when a signed-in customer opens
# the checkout, listed by ``orders?status=any``) and what the shop threw away.
HIDDEN_ORDER_STATUSES = frozenset({"checkout-draft", "draft", "auto-draft", "trash"})


@dataclass(frozen=True, slots=True)
class CategoryRef:
    """A category a product belongs to."""

    id: int
    name: str
    slug: str = ""


@dataclass(frozen=True, slots=True)
class Product:
    """A catalogue item as a customer sees it."""

    id: int
    name: str
    slug: str = ""
    sku: str = ""
    permalink: str = ""
    price: Decimal | None = None
    regular_price: Decimal | None = None
    sale_price: Decimal | None = None
    currency: str = ""
    stock_status: str = "instock"
    stock_quantity: int | None = None
    categories: tuple[CategoryRef, ...] = ()
    short_description: str = ""
    related_ids: tuple[int, ...] = ()
    upsell_ids: tuple[int, ...] = ()

    @property
    def in_stock(self) -> bool:
        """Whether it can be ordered now (in stock or on backorder)."""
        return self.stock_status in {"instock", "onbackorder"}

    @property
    def on_sale(self) -> bool:
        """Whether a sale price below the regular price applies."""
        return (
            self.sale_price is not None
            and self.regular_price is not None
            and self.sale_price < self.regular_price
        )


@dataclass(frozen=True, slots=True)
class LineItem:
    """One product line of an order."""

    product_id: int
    name: str
    quantity: int
    total: Decimal | None = None
    variation_id: int = 0
    sku: str = ""


@dataclass(frozen=True, slots=True)
class ShippingLine:
    """The shipping method an order was sent with."""

    method_id: str
    method_title: str
    total: Decimal | None = None


@dataclass(frozen=True, slots=True)
class Tracking:
    """A parcel tracking number, as written by a shipment-tracking plugin."""

    number: str
    provider: str = ""
    url: str = ""


@dataclass(frozen=True, slots=True)
class Order:
    """An order, with what a customer may ask about it."""

    id: int
    number: str
    status: str
    currency: str = ""
    total: Decimal | None = None
    date_created: datetime | None = None
    date_paid: datetime | None = None
    date_completed: datetime | None = None
    customer_id: int = 0
    billing_email: str = ""
    billing_first_name: str = ""
    billing_last_name: str = ""
    shipping_summary: str = ""
    line_items: tuple[LineItem, ...] = ()
    shipping_lines: tuple[ShippingLine, ...] = ()
    payment_method_title: str = ""
    tracking: tuple[Tracking, ...] = ()

    @property
    def billing_name(self) -> str:
        """First and last billing name, joined."""
        return " ".join(p for p in (self.billing_first_name, self.billing_last_name) if p)

    @property
    def is_guest(self) -> bool:
        """Whether it was placed without a customer account."""
        return self.customer_id == 0


@dataclass(frozen=True, slots=True)
class Refund:
    """Money given back on an order."""

    id: int
    amount: Decimal | None
    reason: str = ""
    date_created: datetime | None = None


@dataclass(frozen=True, slots=True)
class OrderNote:
    """A note on an order; ``customer_note`` ones were sent to the customer."""

    id: int
    note: str
    customer_note: bool
    date_created: datetime | None = None
    author: str = ""


@dataclass(frozen=True, slots=True)
class ShippingMethod:
    """A way to ship within a zone; the title usually says how long it takes."""

    instance_id: int
    method_id: str
    title: str
    enabled: bool = True
    description: str = ""
    cost: Decimal | None = None
    min_amount: Decimal | None = None


@dataclass(frozen=True, slots=True)
class ZoneLocation:
    """A place a shipping zone covers (country, state, postcode or continent code)."""

    code: str
    type: str


@dataclass(frozen=True, slots=True)
class ShippingZone:
    """Where the shop ships and how; zone 0 is 'everywhere else'."""

    id: int
    name: str
    order: int = 0
    locations: tuple[ZoneLocation, ...] = ()
    methods: tuple[ShippingMethod, ...] = ()


@dataclass(frozen=True, slots=True)
class PaymentGateway:
    """A way to pay that the shop offers at checkout."""

    id: str
    title: str
    description: str = ""
    method_title: str = ""


@dataclass(frozen=True, slots=True)
class Customer:
    """A registered customer; counts are ``None`` where the store could not say."""

    id: int
    email: str
    first_name: str = ""
    last_name: str = ""
    username: str = ""
    date_created: datetime | None = None
    orders_count: int | None = None
    total_spent: Decimal | None = None

    @property
    def name(self) -> str:
        """First and last name, joined."""
        return " ".join(p for p in (self.first_name, self.last_name) if p)
