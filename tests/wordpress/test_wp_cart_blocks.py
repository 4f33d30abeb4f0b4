"""In Chromium: the Cart block changes the cart without any DOM event, and the signed
identity follows (identity.js watches the wc/store/cart data store), against the
WooCommerce stand-in's Cart block (its data store and Store API routes)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import jwt
import pytest
from playwright.sync_api import Page, sync_playwright

from tests.wordpress.test_wp_woocommerce import (  # noqa: F401
    CART,
    SECRET,
    SITE_KEY,
    set_customer_data,
    woocommerce,
)
from tests.wordpress.wp_harness import WordPress

pytestmark = [pytest.mark.browser, pytest.mark.usefixtures("woocommerce")]

RECORD_IDENTITIES = """
window.__identities = [];
document.addEventListener('shopchat:identity', (e) => window.__identities.push(e.detail.identity));
"""


@pytest.fixture
def cart_page(wp: WordPress) -> Iterator[Page]:
    wp.php(
        "if ( ! get_page_by_path( 'cart' ) ) { wp_insert_post( array( 'post_type' => 'page',"
        " 'post_status' => 'publish', 'post_name' => 'cart', 'post_title' => 'Cart' ) ); }"
        "update_option( 'shopchat_settings', shopchat_default_settings() );"
    )
    wp.set_settings(
        {"enabled": True, "server_url": "https://chat.example.com", "site_key": SITE_KEY},
        identity_secret=SECRET,
    )
    set_customer_data(wp, order_count=2, total_spent="80", orders=[], cart=CART)
    with wp.customer() as client:
        cookies = [
            {"name": c.name, "value": c.value or "", "url": wp.url} for c in client.cookies.jar
        ]
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path="/usr/bin/chromium")
        try:
            context = browser.new_context()
            context.add_cookies(cookies)  # type: ignore[arg-type]
            context.route("https://chat.example.com/**", lambda route: route.abort())
            page = context.new_page()
            page.goto(f"{wp.url}/cart/")
            page.locator("#wc-standin-cart li").first.wait_for(timeout=15_000)
            page.evaluate(RECORD_IDENTITIES)
            yield page
        finally:
            browser.close()


def next_identity(page: Page, count: int) -> dict[str, Any]:
    page.wait_for_function(f"window.__identities.length >= {count}", timeout=10_000)
    token = page.evaluate(f"window.__identities[{count - 1}]")
    return jwt.decode(token, SECRET, algorithms=["HS256"], issuer=SITE_KEY)  # type: ignore[no-any-return]


def test_removing_an_item_in_the_cart_block_refreshes_the_identity(cart_page: Page) -> None:
    cart_page.get_by_role("button", name="Remove Grinder from cart").click()
    claims = next_identity(cart_page, 1)
    assert [item["name"] for item in claims["cart"]["items"]] == ["Espresso beans 1 kg"]
    assert claims["cart"]["total"] == "39.80"


def test_changing_a_quantity_in_the_cart_block_refreshes_the_identity(cart_page: Page) -> None:
    cart_page.get_by_role("button", name="Increase quantity of Espresso beans 1 kg").click()
    claims = next_identity(cart_page, 1)
    quantities = {item["name"]: item["quantity"] for item in claims["cart"]["items"]}
    assert quantities == {"Espresso beans 1 kg": 3, "Grinder": 1}
    assert claims["cart"]["total"] == "179.70"
