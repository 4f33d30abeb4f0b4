"""WooCommerceStore against the WooCommerce test store, over real HTTP."""

from __future__ import annotations

from datetime import datetime, timedelta
from decimal import Decimal

import pytest

from shopchat.commerce.demo import DemoStore
from shopchat.commerce.store import Store
from shopchat.commerce.woocommerce import WooCommerceStore
from tests.commerce.helpers import make_client
from tests.support.woocommerce_store import WooCommerceTestStore

SAME_ANSWER_CALLS = [
    ("get_product", (202,), {}),
    ("get_product", (999,), {}),
    ("search_products", ("jacket",), {"limit": 10}),
    ("search_products", ("merino socks",), {}),
    ("list_products", (), {"limit": 50}),
    ("list_products", (), {"category_id": 17}),
    ("get_order", ("1001",), {}),
    ("get_order", (1012,), {}),
    ("get_order", ("#1003",), {}),
    ("get_order", ("424242",), {}),
    ("orders_for_customer", (103,), {"limit": 20}),
    ("orders_for_customer", (102,), {"limit": 2}),
    ("refunds", (1012,), {}),
    ("order_notes", (1001,), {}),
    ("order_notes", (1012,), {"customer_only": False}),
    ("shipping_zones", (), {}),
    ("payment_gateways", (), {}),
    ("get_customer", (101,), {}),
    ("get_customer", (102,), {}),
    ("get_customer", (103,), {}),
    ("get_customer", (555,), {}),
    ("recent_orders", (), {}),
    ("recent_orders", (), {"limit": 4}),
]


def test_both_stores_implement_the_protocol(woo: WooCommerceStore) -> None:
    assert isinstance(woo, Store)
    assert isinstance(DemoStore(), Store)


@pytest.mark.parametrize(("method", "args", "kwargs"), SAME_ANSWER_CALLS)
async def test_woocommerce_answers_what_the_demo_answers(
    woo: WooCommerceStore, method: str, args: tuple, kwargs: dict
) -> None:
    over_http = await getattr(woo, method)(*args, **kwargs)
    in_memory = await getattr(DemoStore(), method)(*args, **kwargs)
    assert over_http == in_memory


async def test_get_product_maps_prices_stock_and_text(woo: WooCommerceStore) -> None:
    product = await woo.get_product(202)
    assert product is not None
    assert (product.name, product.sku, product.currency) == (
        "Alpine Down Jacket",
        "NW-JKT-ALPINE",
        "EUR",
    )
    assert (product.price, product.regular_price, product.sale_price) == (
        Decimal("189.00"),
        Decimal("229.00"),
        Decimal("189.00"),
    )
    assert product.on_sale and product.in_stock and product.stock_quantity == 9
    assert "<p>" not in product.short_description
    assert product.categories[0].name == "Jackets"
    assert 201 in product.related_ids


async def test_missing_things_are_none_or_empty(woo: WooCommerceStore) -> None:
    assert await woo.get_product(98765) is None
    assert await woo.get_order(98765) is None
    assert await woo.get_customer(98765) is None
    assert await woo.refunds(98765) == []
    assert await woo.order_notes(98765) == []


async def test_out_of_stock_product(woo: WooCommerceStore) -> None:
    product = await woo.get_product(203)
    assert product is not None and product.stock_status == "outofstock"
    assert not product.in_stock


async def test_search_puts_name_matches_first(woo: WooCommerceStore) -> None:
    found = await woo.search_products("boots")
    assert [p.id for p in found][:2] == [206, 210]


async def test_list_products_filters_by_category(
    woo: WooCommerceStore, wc_server: WooCommerceTestStore
) -> None:
    found = await woo.list_products(category_id=18)
    assert {p.id for p in found} == {216, 217, 218, 219, 220}
    assert wc_server.api_requests("products")[-1].params["category"] == "18"


async def test_order_with_tracking_from_shipment_tracking_plugin(woo: WooCommerceStore) -> None:
    order = await woo.get_order("1001")
    assert order is not None
    assert (order.status, order.currency, order.total) == ("completed", "EUR", Decimal("188.00"))
    assert order.billing_email == "ravi.sharma@example.com"
    assert order.billing_name == "Ravi Sharma"
    assert order.shipping_summary == "Lindenstraße 4, 20095 Hamburg, DE"
    assert [(t.provider, t.number) for t in order.tracking] == [("DHL", "JJD000390007821456")]
    assert [i.name for i in order.line_items] == [
        "Ridge Hiking Boots",
        "Merino Hiking Socks (3-pack)",
    ]
    assert order.payment_method_title == "PayPal"
    assert order.date_created is not None and order.date_created.tzinfo is not None


async def test_tracking_from_aftership_and_generic_meta(woo: WooCommerceStore) -> None:
    aftership = await woo.get_order(1014)
    generic = await woo.get_order(1004)
    assert aftership is not None and generic is not None
    assert [(t.provider, t.number) for t in aftership.tracking] == [("UPS", "1Z999AA10123456784")]
    assert generic.tracking[0].provider == "DHL" and generic.tracking[0].number


async def test_order_found_by_plugin_number_that_differs_from_its_id(
    woo: WooCommerceStore, wc_server: WooCommerceTestStore
) -> None:
    plugin_numbered = {**wc_server.data["orders"][1], "id": 7001, "number": "NW-2026-0042"}
    wc_server.data["orders"].append(plugin_numbered)
    order = await woo.get_order("NW-2026-0042")
    assert order is not None and order.id == 7001
    assert wc_server.api_requests("orders")[-1].params["search"] == "NW-2026-0042"


async def test_order_number_wins_over_an_order_id(
    woo: WooCommerceStore, wc_server: WooCommerceTestStore
) -> None:
    wc_server.data["orders"].append({**wc_server.data["orders"][2], "id": 7002, "number": "1002"})
    wc_server.data["orders"][1]["number"] = "NW-1002"
    order = await woo.get_order("1002")
    assert order is not None and order.id == 7002


async def test_guest_and_other_customers_orders_are_never_listed(
    woo: WooCommerceStore, wc_server: WooCommerceTestStore
) -> None:
    assert await woo.orders_for_customer(0) == []
    assert wc_server.api_requests("orders") == []
    orders = await woo.orders_for_customer(102)
    assert [o.number for o in orders] == ["1003", "1002", "1001"]
    assert {o.customer_id for o in orders} == {102}


async def test_refunded_order_has_its_refund(woo: WooCommerceStore) -> None:
    order = await woo.get_order(1012)
    refunds = await woo.refunds(1012)
    assert order is not None and order.status == "refunded"
    assert [r.amount for r in refunds] == [order.total]
    assert "too small" in refunds[0].reason


async def test_order_notes_hide_private_notes_by_default(
    woo: WooCommerceStore, wc_server: WooCommerceTestStore
) -> None:
    public = await woo.order_notes(1012)
    everything = await woo.order_notes(1012, customer_only=False)
    assert [n.customer_note for n in public] == [True]
    assert len(everything) == 2 and "VIP" not in public[0].note
    assert wc_server.api_requests("orders/1012/notes")[0].params["type"] == "customer"


async def test_private_notes_stay_hidden_when_the_store_ignores_type(
    woo: WooCommerceStore, wc_server: WooCommerceTestStore
) -> None:
    """Older WooCommerce versions ignore ?type=customer; the adapter filters again."""
    wc_server.data["order_notes"]["1012"][0]["customer_note"] = False
    original_notes = wc_server._notes
    wc_server._notes = lambda params, order_id: original_notes({}, order_id)  # type: ignore[method-assign]
    assert await woo.order_notes(1012) == []


async def test_shipping_zones_with_locations_and_enabled_methods(woo: WooCommerceStore) -> None:
    zones = await woo.shipping_zones()
    assert [z.name for z in zones] == ["Germany", "European Union", "Worldwide"]
    germany = zones[0]
    assert [loc.code for loc in germany.locations] == ["DE"]
    assert all("Express" not in m.title for m in germany.methods)
    assert germany.methods[0].cost == Decimal("4.95")
    assert germany.methods[1].min_amount == Decimal("50")
    assert any(loc.code == "NL" for loc in zones[1].locations)
    assert "5–10 business days" in zones[2].methods[0].title


async def test_payment_gateways_enabled_only(woo: WooCommerceStore) -> None:
    gateways = await woo.payment_gateways()
    assert [g.id for g in gateways] == ["stripe", "paypal", "bacs"]


async def test_customer_order_statistics(woo: WooCommerceStore) -> None:
    new, regular, vip = [await woo.get_customer(i) for i in (101, 102, 103)]
    assert new is not None and regular is not None and vip is not None
    assert (new.orders_count, new.total_spent) == (0, Decimal(0))
    assert regular.orders_count == 3 and regular.name == "Ravi Sharma"
    assert vip.orders_count == 12 and vip.total_spent is not None
    assert vip.total_spent > Decimal(1500)


async def test_customer_spend_unknown_when_orders_span_pages(
    wc_server: WooCommerceTestStore,
) -> None:
    extra = [
        {**wc_server.data["orders"][5], "id": 8000 + i, "number": str(8000 + i)} for i in range(100)
    ]
    wc_server.data["orders"].extend(extra)
    store = WooCommerceStore(client=make_client(wc_server))
    customer = await store.get_customer(103)
    await store.aclose()
    assert customer is not None
    assert (customer.orders_count, customer.total_spent) == (112, None)


async def test_currency_configured_skips_the_settings_request(
    wc_server: WooCommerceTestStore,
) -> None:
    store = WooCommerceStore(client=make_client(wc_server), currency="CHF")
    product = await store.get_product(201)
    await store.aclose()
    assert product is not None and product.currency == "CHF"
    assert wc_server.api_requests("settings/general/woocommerce_currency") == []


START = datetime(2027, 1, 1)


def _more_orders(server: WooCommerceTestStore, count: int) -> None:
    """``count`` extra orders, each a day newer than the last, all newer than the demo's."""
    template = server.data["orders"][0]
    server.data["orders"].extend(
        {
            **template,
            "id": 9000 + i,
            "number": str(9000 + i),
            "date_created_gmt": (START + timedelta(minutes=i)).isoformat(),
        }
        for i in range(count)
    )


async def test_recent_orders_follow_the_pages_newest_first(
    wc_server: WooCommerceTestStore,
) -> None:
    _more_orders(wc_server, 250)
    store = WooCommerceStore(client=make_client(wc_server))
    orders = await store.recent_orders(limit=200)
    await store.aclose()
    assert [o.number for o in orders[:2]] == ["9249", "9248"]
    assert len(orders) == 200 and len({o.id for o in orders}) == 200
    pages = wc_server.api_requests("orders")
    assert [(r.params["page"], r.params["per_page"]) for r in pages] == [("1", "100"), ("2", "100")]
    assert {r.params["orderby"] for r in pages} == {"date"}


async def test_recent_orders_read_a_bounded_number_of_pages(
    wc_server: WooCommerceTestStore,
) -> None:
    _more_orders(wc_server, 30)
    store = WooCommerceStore(client=make_client(wc_server), page_size=4)
    orders = await store.recent_orders(limit=10_000)
    await store.aclose()
    assert len(orders) == 20  # 5 pages of 4
    assert len(wc_server.api_requests("orders")) == 5


async def test_recent_orders_skip_trashed_ones(
    wc_server: WooCommerceTestStore, woo: WooCommerceStore
) -> None:
    next(o for o in wc_server.data["orders"] if o["number"] == "1003")["status"] = "trash"
    numbers = [o.number for o in await woo.recent_orders()]
    assert numbers[:3] == ["1014", "1002", "1016"]
    assert len(numbers) == 15
