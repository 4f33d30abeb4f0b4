"""WooCommerceStore against the WooCommerce test store, over real HTTP."""

from __future__ import annotations

import logging
from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest

from shopchat.commerce.demo import DemoStore
from shopchat.commerce.store import Store, StoreError
from shopchat.commerce.woocommerce import WooCommerceStore
from shopchat.commerce.woocommerce.auth import oauth1_params
from tests.commerce.helpers import GOOD_KEYS, make_client
from tests.support.woocommerce_store import WooCommerceTestStore, wordpress_search_terms

SAME_ANSWER_CALLS = [
    ("get_product", (202,), {}),
    ("get_product", (999,), {}),
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
    assert {p.id for p in found[:2]} == {206, 210}
    assert all("boots" not in p.name.casefold() for p in found[2:])


async def test_search_is_wordpress_search_never_the_sku(woo: WooCommerceStore) -> None:
    """WooCommerce's ``search`` is WP_Query's: every term LIKE in title, excerpt or
    content; the SKU is not searched (``sku`` is another parameter)."""
    assert await woo.search_products("NW-JKT-ALPINE") == []
    assert {p.id for p in await woo.search_products("the boots")} >= {206, 210}  # stopword
    assert [p.id for p in await woo.search_products("waterproof boots")] == [206]
    assert [p.id for p in await woo.search_products("boots -winter")] == [206]
    jackets = await woo.search_products("JACKET")
    assert {p.id for p in jackets} == {201, 202, 203}


def test_the_test_store_splits_search_terms_like_wordpress() -> None:
    assert wordpress_search_terms('"down jacket" for a hike') == ["down jacket", "hike"]
    assert wordpress_search_terms("the") == ["the"]


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


# --- what a real WooCommerce 9.9 store serves -----------------------------------------


def _draft(server: WooCommerceTestStore) -> dict:
    return next(o for o in server.data["orders"] if o["status"] == "checkout-draft")


async def test_a_checkout_draft_is_listed_by_woocommerce_but_no_order(
    woo: WooCommerceStore, wc_server: WooCommerceTestStore
) -> None:
    """The Checkout block makes a checkout-draft order when a signed-in customer opens the
    checkout; ``orders?customer=`` (status any) lists it, newest of all."""
    draft = _draft(wc_server)
    async with make_client(wc_server) as client:
        listed = await client.get_list("orders", params={"customer": 103}, limit=100)
    assert listed[0]["id"] == draft["id"]  # the stand-in serves it like the real store
    assert draft["id"] not in [o.id for o in await woo.orders_for_customer(103, limit=3)]
    assert len(await woo.orders_for_customer(103, limit=3)) == 3
    assert draft["id"] not in [o.id for o in await woo.recent_orders(limit=5)]
    assert await woo.get_order(draft["id"]) is None
    vip = await woo.get_customer(103)
    assert vip is not None and vip.orders_count == 12  # the draft does not make a VIP


async def test_payment_gateways_keep_checkout_order_with_string_order_fields(
    woo: WooCommerceStore, wc_server: WooCommerceTestStore
) -> None:
    """``order`` is a string; a gateway never sorted has "" and comes last at checkout."""
    wc_server.data["payment_gateways"].insert(
        0, {"id": "klarna", "title": "Klarna", "description": "", "order": "", "enabled": True}
    )
    async with make_client(wc_server) as client:
        raw = (await client.get("payment_gateways")).data  # type: ignore[union-attr]
    assert [g["order"] for g in raw][:4] == ["0", "1", "2", "3"] and raw[-1]["order"] == ""
    assert [g.id for g in await woo.payment_gateways()] == ["stripe", "paypal", "bacs", "klarna"]


async def test_line_item_prices_are_floats_and_list_meta_is_read(
    woo: WooCommerceStore, wc_server: WooCommerceTestStore
) -> None:
    order = next(o for o in wc_server.data["orders"] if o["id"] == 1002)
    order["meta_data"] = [
        {"id": 1, "key": "_tracking_number", "value": ["00340434161094042557"]},
        {"id": 2, "key": "_tracking_provider", "value": ["DPD"]},
    ]
    async with make_client(wc_server) as client:
        raw = (await client.get("orders/1002")).data  # type: ignore[union-attr]
    assert isinstance(raw["line_items"][0]["price"], float)
    assert any(isinstance(m.get("value"), list) for m in raw["meta_data"])
    mapped = await woo.get_order(1002)
    assert mapped is not None
    assert [(t.provider, t.number) for t in mapped.tracking] == [("DPD", "00340434161094042557")]


async def test_an_empty_list_has_zero_total_pages_and_pages_link_with_the_oauth_query(
    woo: WooCommerceStore, wc_server: WooCommerceTestStore, caplog: pytest.LogCaptureFixture
) -> None:
    async with make_client(wc_server) as client:
        empty = await client.get("orders", params={"customer": 101})
        page = await client._http.get(  # the raw headers, as WordPress sends them
            wc_server.url + "/wp-json/wc/v3/products",
            params=oauth1_params(
                credentials=GOOD_KEYS,
                method="GET",
                base_url=wc_server.url + "/wp-json/wc/v3/products",
                params={"per_page": "5", "page": "2"},
            ),
        )
    assert empty is not None and (empty.data, empty.total, empty.total_pages) == ([], 0, 0)
    assert "oauth_signature=" in page.headers["Link"] and 'rel="next"' in page.headers["Link"]
    caplog.set_level(logging.DEBUG)
    assert await woo.orders_for_customer(101) == []
    store = WooCommerceStore(client=make_client(wc_server), page_size=5)
    assert len(await store.list_products(limit=100)) == 20  # by page number, not by Link
    await store.aclose()
    ours = [r.getMessage() for r in caplog.records if r.name.startswith("shopchat")]
    assert not any("oauth_" in m for m in ours)


async def test_modified_after_is_strict_and_on_the_gmt_column_only_when_asked(
    wc_server: WooCommerceTestStore,
) -> None:
    """WP_Date_Query "after": strictly later, on post_modified (shop-local, Berlin here)
    unless dates_are_gmt; a value with an offset is first turned into shop-local time."""
    changed = wc_server.update_order(1002, status="completed")
    gmt, local = changed["date_modified_gmt"], changed["date_modified"]
    assert gmt != local

    async def ids(**params: str) -> list[int]:
        async with make_client(wc_server) as client:
            return [o["id"] for o in await client.get_list("orders", params=params, limit=100)]

    assert await ids(modified_after=gmt, dates_are_gmt="true") == []  # strictly after
    earlier = (datetime.fromisoformat(gmt) - timedelta(seconds=1)).isoformat()
    assert await ids(modified_after=earlier, dates_are_gmt="true") == [1002]
    assert await ids(modified_after=local) == []
    assert await ids(modified_after=earlier + "Z", dates_are_gmt="true") == []  # made local
    with pytest.raises(StoreError, match="400"):
        await ids(modified_after="yesterday")


async def test_the_adapter_reads_orders_modified_after_a_utc_time(
    woo: WooCommerceStore, wc_server: WooCommerceTestStore
) -> None:
    before = datetime.now(UTC) - timedelta(seconds=5)
    wc_server.update_order(1003, status="processing")
    wc_server.update_order(1001, status="refunded")
    found = await woo.order_records_modified_after(before, limit=10)
    assert {(o["id"], o["status"]) for o in found} == {(1003, "processing"), (1001, "refunded")}
    assert wc_server.api_requests("orders")[-1].params["order"] == "asc"
    assert await woo.order_records_modified_after(datetime.now(UTC), limit=10) == []
