"""Tolerance of the WooCommerce mapping: unknown fields, odd values, hostile meta_data."""

from __future__ import annotations

import json
from decimal import Decimal

import pytest

from shopchat.commerce.woocommerce import WooCommerceStore, mapping
from tests.commerce.helpers import make_client
from tests.support.woocommerce_store import FIXTURES, WooCommerceTestStore, running_store


def fixture(name: str) -> dict:
    return json.loads((FIXTURES / f"{name}.json").read_text())


def test_documented_product_example_maps() -> None:
    product = mapping.product(fixture("products__retrieve-a-product"), currency="USD")
    assert (product.id, product.price, product.sale_price) == (794, Decimal("21.99"), None)
    assert product.short_description.startswith("Pellentesque habitant")
    assert [c.slug for c in product.categories] == ["clothing", "t-shirts"]


def test_documented_order_example_maps() -> None:
    order = mapping.order(fixture("orders__retrieve-an-order"))
    assert (order.number, order.total, order.customer_id) == ("727", Decimal("29.35"), 0)
    assert order.line_items[1].name == "Ship Your Idea – Color: Black, Size: M Test"
    assert order.shipping_lines[0].method_title == "Flat Rate"
    assert order.tracking == ()
    assert order.is_guest


def test_empty_and_garbage_records_do_not_raise() -> None:
    for junk in ({}, {"id": "x", "price": "abc", "categories": "nope", "meta_data": {}}):
        assert mapping.product(junk).price is None
        assert mapping.order(junk).line_items == ()
        assert mapping.customer(junk).email == ""


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("12.50", Decimal("12.50")),
        (7, Decimal(7)),
        (1.1, Decimal("1.1")),
        ("", None),
        (None, None),
        ("NaN", None),
        ("Infinity", None),
        (True, None),
        ([], None),
    ],
)
def test_money(raw: object, expected: Decimal | None) -> None:
    assert mapping.money(raw) == expected


def test_html_is_stripped_to_text() -> None:
    html = "<p>Warm &amp; dry.</p><script>alert(1)</script><style>p{}</style><ul><li>Hood</li></ul>"
    assert mapping.text(html) == "Warm & dry. Hood"


def test_tracking_from_every_known_plugin_key_deduplicated() -> None:
    order_meta = {
        "_wc_shipment_tracking_items": json.dumps(
            [
                {
                    "tracking_provider": "",
                    "custom_tracking_provider": "GLS",
                    "tracking_number": "G1",
                    "custom_tracking_link": "javascript:alert(1)",
                }
            ]
        ),
        "_tracking_number": "G1",
        "_aftership_tracking_number": "A1",
        "_aftership_tracking_provider_name": "UPS",
        "ywot_tracking_code": "Y1",
    }
    found = mapping.tracking_numbers(order_meta)
    assert [(t.number, t.provider, t.url) for t in found] == [
        ("G1", "GLS", ""),
        ("A1", "UPS", ""),
        ("Y1", "", ""),
    ]


def test_meta_keeps_last_value_and_skips_malformed_entries() -> None:
    record = {
        "meta_data": [1, None, {"key": 5}, {"key": "a", "value": 1}, {"key": "a", "value": 2}]
    }
    assert mapping.meta(record) == {"a": 2}


async def test_unknown_fields_and_hostile_meta_over_http() -> None:
    with running_store(hostile_meta=True) as server:
        store = WooCommerceStore(client=make_client(server))
        order = await store.get_order(1001)
        product = await store.get_product(201)
        customer = await store.get_customer(103)
        await store.aclose()
        raw = server.api_requests("orders/1001")
    assert raw, "the order came over HTTP"
    assert order is not None and product is not None and customer is not None
    assert [t.number for t in order.tracking] == ["JJD000390007821456"]
    assert product.name == "Fjord Rain Jacket"


async def test_plugin_fields_are_served_and_ignored(wc_server: WooCommerceTestStore) -> None:
    async with make_client(wc_server) as client:
        response = await client.get("products/201")
    assert response is not None and "x_acme_loyalty" in response.data
    assert mapping.product(response.data).id == 201
