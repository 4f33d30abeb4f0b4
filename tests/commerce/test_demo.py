"""The Northwind Outfitters demo shop."""

from __future__ import annotations

from collections import Counter

from shopchat.commerce.demo import DEMO_CUSTOMERS, demo_store, load_demo_data


async def test_catalogue_has_four_categories_sales_and_stockouts() -> None:
    products = await demo_store().list_products(limit=100)
    assert len(products) == 20
    assert Counter(p.categories[0].name for p in products) == {
        "Jackets": 5,
        "Footwear": 5,
        "Backpacks": 5,
        "Camping": 5,
    }
    assert {p.currency for p in products} == {"EUR"}
    assert sum(not p.in_stock for p in products) >= 3
    assert sum(p.on_sale for p in products) >= 3


async def test_demo_customers_are_new_regular_and_vip() -> None:
    store = demo_store()
    assert [(c["id"], c["segment"]) for c in DEMO_CUSTOMERS] == [
        (101, "new"),
        (102, "regular"),
        (103, "vip"),
    ]
    counts = [(await store.get_customer(c["id"])).orders_count for c in DEMO_CUSTOMERS]  # type: ignore[union-attr]
    assert counts == [0, 3, 12]


async def test_orders_cover_the_statuses_the_assistant_explains() -> None:
    data = load_demo_data()
    numbers = sorted(int(o["number"]) for o in data["orders"])
    assert numbers[0] == 1001 and numbers == list(range(1001, 1001 + len(numbers)))
    statuses = {o["status"] for o in data["orders"]}
    assert {"processing", "completed", "on-hold", "refunded"} <= statuses
    store = demo_store()
    shipped = await store.get_order(1001)
    assert shipped is not None and shipped.tracking
    refunded = next(o for o in data["orders"] if o["status"] == "refunded")
    assert await store.refunds(refunded["id"])


async def test_shipping_zones_say_delivery_times() -> None:
    zones = await demo_store().shipping_zones()
    assert [z.name for z in zones] == ["Germany", "European Union", "Worldwide"]
    assert all("day" in m.title for z in zones for m in z.methods)


def test_load_demo_data_is_a_private_copy() -> None:
    load_demo_data()["products"].clear()
    assert len(load_demo_data()["products"]) == 20
