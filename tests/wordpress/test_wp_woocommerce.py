"""The WooCommerce-dependent code, against the WooCommerce stand-in plugin
(tests/wordpress/fixtures/woocommerce-standin: WooCommerce's documented
function and method signatures; WooCommerce itself cannot be installed here)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import httpx
import jwt
import pytest

from shopchat.kit.identity import verify_identity
from tests.wordpress.test_wp_settings_page import VALID, post_settings
from tests.wordpress.wp_harness import WordPress, loader_tag, widget_settings

SITE_KEY = "sk_woo_test"
SECRET = "woo-identity-secret-0123456789-0123456789"
WEBHOOK_SECRET = "woo-webhook-secret-0123456789-0123456789"
ORDERS = [
    {
        "id": 200 - n,
        "number": f"WC-{200 - n}",
        "status": "completed",
        "total": "25.5",
        "date_created": f"2026-0{9 - n}-01T10:00:00+00:00",
    }
    for n in range(7)
]
CART = [
    {"product_id": 31, "name": "Espresso beans 1 kg", "quantity": 2, "line_total": 39.8},
    {"product_id": 7, "name": "Grinder", "quantity": 1, "line_total": "120"},
]


def set_customer_data(wp: WordPress, **data: object) -> None:
    payload = json.dumps({str(wp.ids["customer"]): data}).replace("\\", "\\\\").replace("'", "\\'")
    wp.php(f"update_option( 'wc_standin_data', json_decode( '{payload}', true ) );")


@pytest.fixture(scope="module")
def woocommerce(wordpress: WordPress) -> Iterator[WordPress]:
    wordpress.php(
        "$r = activate_plugin( 'woocommerce-standin/woocommerce-standin.php' );"
        "if ( is_wp_error( $r ) ) { exit( 1 ); }"
    )
    yield wordpress
    wordpress.php(
        "deactivate_plugins( 'woocommerce-standin/woocommerce-standin.php' );"
        "delete_option( 'wc_standin_webhooks' ); delete_option( 'wc_standin_data' );"
        "delete_option( 'shopchat_webhook_ids' );"
    )


@pytest.fixture
def shop(woocommerce: WordPress, wp: WordPress) -> WordPress:
    wp.php("update_option( 'shopchat_settings', shopchat_default_settings() );")
    wp.set_settings(
        {"enabled": True, "server_url": "https://chat.example.com", "site_key": SITE_KEY},
        identity_secret=SECRET,
    )
    set_customer_data(wp, order_count=12, total_spent="1500.5", orders=ORDERS, cart=CART)
    return wp


def page_identity(shop: WordPress, client: httpx.Client, path: str = "/") -> dict[str, Any]:
    settings = widget_settings(client.get(path).text)
    return jwt.decode(str(settings["identity"]), SECRET, algorithms=["HS256"], issuer=SITE_KEY)


def test_identity_carries_customer_cart_and_orders(shop: WordPress) -> None:
    with shop.customer() as client:
        settings = widget_settings(client.get("/shop/").text)
    token = str(settings["identity"])
    identity = verify_identity(token, site_key=SITE_KEY, secret=SECRET)
    assert identity.segment == "vip"
    assert identity.order_count == 12
    assert identity.total_spent == "1500.50"
    claims = jwt.decode(token, SECRET, algorithms=["HS256"], issuer=SITE_KEY)
    assert claims["customer"] == {"status": "vip", "order_count": 12, "total_spent": "1500.50"}
    assert claims["cart"] == {
        "items": [
            {"product_id": 31, "name": "Espresso beans 1 kg", "quantity": 2, "total": "39.80"},
            {"product_id": 7, "name": "Grinder", "quantity": 1, "total": "120.00"},
        ],
        "total": "159.80",
        "currency": "EUR",
    }
    assert claims["recent_orders"] == [
        {
            "id": 200 - n,
            "number": f"WC-{200 - n}",
            "status": "completed",
            "total": "25.50",
            "date_created": f"2026-0{9 - n}-01T10:00:00+00:00",
        }
        for n in range(5)
    ]


@pytest.mark.parametrize(
    ("rule", "order_count", "total_spent", "status"),
    [
        (
            {"status_basis": "order_count", "regular_threshold": "2", "vip_threshold": "10"},
            0,
            "0",
            "new",
        ),
        (
            {"status_basis": "order_count", "regular_threshold": "2", "vip_threshold": "10"},
            3,
            "5000",
            "regular",
        ),
        (
            {"status_basis": "total_spent", "regular_threshold": "100", "vip_threshold": "2000"},
            30,
            "99.99",
            "new",
        ),
        (
            {"status_basis": "total_spent", "regular_threshold": "100", "vip_threshold": "2000"},
            1,
            "2000",
            "vip",
        ),
    ],
)
def test_customer_status_follows_the_configured_rule(
    shop: WordPress, rule: dict[str, str], order_count: int, total_spent: str, status: str
) -> None:
    shop.set_settings(rule)
    set_customer_data(shop, order_count=order_count, total_spent=total_spent, orders=[], cart=[])
    with shop.customer() as client:
        assert page_identity(shop, client)["customer"]["status"] == status


def test_identity_refresh_after_a_cart_change(shop: WordPress) -> None:
    with shop.customer() as client:
        refresh = widget_settings(client.get("/").text)["identityRefresh"]
        set_customer_data(shop, order_count=12, total_spent="1500.5", orders=ORDERS, cart=CART[:1])
        reply = client.post(
            str(refresh["url"]),
            data={
                "action": refresh["action"],
                "nonce": refresh["nonce"],
                "url": f"{shop.url}/shop/",
                "title": "Shop",
            },
        ).json()
    claims = jwt.decode(reply["data"]["identity"], SECRET, algorithms=["HS256"], issuer=SITE_KEY)
    assert claims["cart"]["total"] == "39.80"
    assert [item["product_id"] for item in claims["cart"]["items"]] == [31]


def test_refresh_script_listens_to_woocommerce_cart_events(shop: WordPress) -> None:
    with shop.customer() as client:
        html = client.get("/").text
        script = client.get("/wp-content/plugins/shopchat/assets/identity.js")
    assert "/wp-content/plugins/shopchat/assets/identity.js" in html
    assert script.status_code == 200
    assert "added_to_cart removed_from_cart" in script.text


def test_woocommerce_only_mode(shop: WordPress) -> None:
    shop.set_settings({"display_mode": "woocommerce"})
    with shop.client() as client:
        assert loader_tag(client.get("/shop/").text) is not None
        assert loader_tag(client.get("/about/").text) is None


def webhooks(wp: WordPress) -> list[dict[str, Any]]:
    stored = wp.php_json("(object) get_option( 'wc_standin_webhooks', array() )")
    return list(stored.values())


@pytest.fixture
def admin(shop: WordPress) -> Iterator[httpx.Client]:
    shop.php("delete_option( 'wc_standin_webhooks' ); delete_option( 'shopchat_webhook_ids' );")
    with shop.admin() as client:
        yield client


def test_saving_settings_registers_the_webhooks(shop: WordPress, admin: httpx.Client) -> None:
    response = post_settings(admin, {**VALID, "webhook_secret": WEBHOOK_SECRET})
    html = admin.get(response.headers["location"]).text
    url = "https://chat.example.com/api/v1/webhooks/woocommerce/site_1"
    assert f"deliver to {url}" in html
    registered = webhooks(shop)
    assert sorted(hook["topic"] for hook in registered) == [
        "order.created",
        "order.updated",
        "product.updated",
    ]
    for hook in registered:
        assert hook["delivery_url"] == url
        assert hook["secret"] == WEBHOOK_SECRET
        assert hook["status"] == "active"
        assert hook["api_version"] == "wp_api_v3"
        assert hook["user_id"] == 1


def test_resaving_makes_no_duplicates_and_revives_disabled_webhooks(
    shop: WordPress, admin: httpx.Client
) -> None:
    post_settings(admin, {**VALID, "webhook_secret": WEBHOOK_SECRET})
    # WooCommerce disables a webhook after 5 failed deliveries; another is deleted by hand.
    shop.php(
        "$all = get_option( 'wc_standin_webhooks' ); $ids = array_keys( $all );"
        "$all[ $ids[0] ]['status'] = 'disabled'; $all[ $ids[0] ]['failure_count'] = 5;"
        "unset( $all[ $ids[1] ] );"
        "update_option( 'wc_standin_webhooks', $all );"
    )
    post_settings(admin, {**VALID, "site_id": "site_2", "webhook_secret": ""})
    registered = webhooks(shop)
    assert len(registered) == 3
    assert sorted(hook["topic"] for hook in registered) == [
        "order.created",
        "order.updated",
        "product.updated",
    ]
    for hook in registered:
        assert hook["delivery_url"] == "https://chat.example.com/api/v1/webhooks/woocommerce/site_2"
        assert hook["secret"] == WEBHOOK_SECRET
        assert (hook["status"], hook["failure_count"]) == ("active", 0)


def test_webhooks_need_site_id_and_secret(shop: WordPress, admin: httpx.Client) -> None:
    shop.php("update_option( 'shopchat_webhook_secret', '' );")
    response = post_settings(admin, {**VALID, "webhook_secret": ""})
    assert "webhooks were not registered" in admin.get(response.headers["location"]).text
    assert webhooks(shop) == []


def test_uninstall_removes_options_and_webhooks(shop: WordPress, admin: httpx.Client) -> None:
    post_settings(admin, {**VALID, "webhook_secret": WEBHOOK_SECRET})
    assert len(webhooks(shop)) == 3
    left = shop.php_json(
        "( function () {"
        " deactivate_plugins( 'shopchat/shopchat.php' );"
        " uninstall_plugin( 'shopchat/shopchat.php' );"
        " $left = array();"
        " foreach ( array( 'shopchat_settings', 'shopchat_identity_secret',"
        "  'shopchat_webhook_secret', 'shopchat_webhook_ids' ) as $o ) {"
        "  if ( false !== get_option( $o ) ) { $left[] = $o; } }"
        " activate_plugin( 'shopchat/shopchat.php' ); return $left; } )()"
    )
    assert left == []
    assert webhooks(shop) == []
