"""The WooCommerce-dependent code, against the WooCommerce stand-in plugin
(tests/wordpress/fixtures/woocommerce-standin: WooCommerce's documented
function and method signatures; WooCommerce itself cannot be installed here)."""

from __future__ import annotations

import html as html_lib
import json
from collections.abc import Iterator
from typing import Any
from urllib.parse import urlsplit

import httpx
import jwt
import pytest

from shopchat.kit.identity import verify_identity
from tests.wordpress.test_wp_settings_page import (
    VALID,
    ChatServerStub,
    post_settings,
    run_connection_test,
    settings_page,
)
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


def test_checkout_drafts_and_trash_are_not_orders(shop: WordPress) -> None:
    """The Checkout block keeps a "checkout-draft" order per visit to the checkout page, and
    WooCommerce's order count includes it: a customer with only a draft has ordered nothing."""
    draft = {**ORDERS[0], "id": 301, "number": "301", "status": "checkout-draft"}
    trashed = {**ORDERS[0], "id": 300, "number": "300", "status": "trash"}
    set_customer_data(shop, total_spent="0", orders=[draft, trashed], cart=[])
    with shop.customer() as client:
        claims = page_identity(shop, client)
    assert claims["customer"] == {"status": "new", "order_count": 0, "total_spent": "0.00"}
    assert claims["recent_orders"] == []
    set_customer_data(shop, total_spent="25.5", orders=[draft, ORDERS[0], trashed], cart=[])
    with shop.customer() as client:
        claims = page_identity(shop, client)
    assert claims["customer"]["order_count"] == 1
    assert claims["customer"]["status"] == "regular"
    assert [order["number"] for order in claims["recent_orders"]] == [ORDERS[0]["number"]]


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


# What the plugin subscribes to; earlier versions had only the three OLD_TOPICS.
TOPICS = [
    "order.created",
    "order.updated",
    "product.created",
    "product.deleted",
    "product.restored",
    "product.updated",
]
OLD_TOPICS = ["order.created", "order.updated", "product.updated"]
DELIVERY_URL = "https://chat.example.com/api/v1/webhooks/woocommerce/site_1"


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
    assert (
        "WooCommerce webhooks (order created, order updated, product created, product updated,"
        f" product deleted, product restored) deliver to {DELIVERY_URL}." in html
    )
    registered = webhooks(shop)
    # The stand-in's set_topic() blanks a topic WooCommerce does not know, as WooCommerce does.
    assert sorted(hook["topic"] for hook in registered) == TOPICS
    for hook in registered:
        assert hook["delivery_url"] == DELIVERY_URL
        assert hook["secret"] == WEBHOOK_SECRET
        assert hook["status"] == "active"
        assert hook["api_version"] == "wp_api_v3"
        assert hook["user_id"] == 1


def test_resaving_makes_no_duplicates_and_revives_disabled_webhooks(
    shop: WordPress, admin: httpx.Client
) -> None:
    post_settings(admin, {**VALID, "webhook_secret": WEBHOOK_SECRET})
    # WooCommerce 9.9 counts 6 failed deliveries in a row and disables the webhook on the
    # 7th; another is deleted by hand.
    shop.php(
        "$all = get_option( 'wc_standin_webhooks' ); $ids = array_keys( $all );"
        "$all[ $ids[0] ]['status'] = 'disabled'; $all[ $ids[0] ]['failure_count'] = 6;"
        "unset( $all[ $ids[1] ] );"
        "update_option( 'wc_standin_webhooks', $all );"
    )
    post_settings(admin, {**VALID, "site_id": "site_2", "webhook_secret": ""})
    registered = webhooks(shop)
    assert sorted(hook["topic"] for hook in registered) == TOPICS
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
    assert len(webhooks(shop)) == len(TOPICS)
    left = shop.php_json(
        "( function () {"
        " deactivate_plugins( 'shopchat/shopchat.php' );"
        " uninstall_plugin( 'shopchat/shopchat.php' );"
        " $left = array();"
        " foreach ( array( 'shopchat_settings', 'shopchat_identity_secret',"
        "  'shopchat_webhook_secret', 'shopchat_webhook_ids', 'shopchat_webhook_topics' ) as $o ) {"
        "  if ( false !== get_option( $o ) ) { $left[] = $o; } }"
        " activate_plugin( 'shopchat/shopchat.php' ); return $left; } )()"
    )
    assert left == []
    assert webhooks(shop) == []


def install_from_before_the_product_topics(
    shop: WordPress, url: str = DELIVERY_URL
) -> dict[str, int]:
    """What an earlier version left: OLD_TOPICS' webhooks (of the admin, user 1), their
    ids, and no record of which topics were registered; returns the ids."""
    shop.set_settings({"site_id": "site_1"}, webhook_secret=WEBHOOK_SECRET)
    ids: dict[str, int] = shop.php_json(
        "( function () { $ids = array(); delete_option( 'wc_standin_webhooks' );"
        " foreach ( array( 'order.created', 'order.updated', 'product.updated' ) as $t ) {"
        "  $w = new WC_Webhook(); $w->set_user_id( 1 ); $w->set_name( 'shopchat: ' . $t );"
        f"  $w->set_topic( $t ); $w->set_delivery_url( '{url}' );"
        f"  $w->set_secret( '{WEBHOOK_SECRET}' ); $w->set_api_version( 'wp_api_v3' );"
        "  $w->set_status( 'active' ); $ids[ $t ] = $w->save(); }"
        " update_option( 'shopchat_webhook_ids', $ids, false );"
        " delete_option( 'shopchat_webhook_topics' ); return $ids; } )()"
    )
    assert sorted(hook["topic"] for hook in webhooks(shop)) == OLD_TOPICS
    return ids


def assert_one_webhook_per_topic(shop: WordPress, old: dict[str, int], url: str) -> None:
    """Every topic once, the old webhooks kept (same ids), the new ones like them."""
    registered = webhooks(shop)
    assert sorted(hook["topic"] for hook in registered) == TOPICS
    assert {hook["topic"]: hook["id"] for hook in registered if hook["topic"] in old} == old
    assert shop.php_json("get_option( 'shopchat_webhook_ids' )") == {
        hook["topic"]: hook["id"] for hook in registered
    }
    for hook in registered:
        assert (hook["delivery_url"], hook["secret"]) == (url, WEBHOOK_SECRET)
        assert (hook["status"], hook["api_version"], hook["user_id"]) == ("active", "wp_api_v3", 1)


def test_an_update_adds_the_new_topics_once(shop: WordPress, admin: httpx.Client) -> None:
    old = install_from_before_the_product_topics(shop)
    with shop.customer() as customer:
        assert customer.get("/wp-admin/profile.php").status_code == 200
    assert len(webhooks(shop)) == len(OLD_TOPICS)  # only an administrator's visit updates
    settings_page(admin)  # the first admin page after the update
    assert_one_webhook_per_topic(shop, old, DELIVERY_URL)
    settings_page(admin)
    admin.get("/wp-admin/")
    post_settings(admin, {**VALID, "server_url": "https://chat.example.com"})
    assert_one_webhook_per_topic(shop, old, DELIVERY_URL)


def test_of_two_admin_requests_at_once_only_one_adds_them(shop: WordPress) -> None:
    install_from_before_the_product_topics(shop)
    created = shop.php_json(
        "( function () { global $wpdb; wp_set_current_user( 1 );"
        # This request has read the options (no marker yet) ...
        " get_option( 'shopchat_webhook_topics' );"
        # ... when another one, having read them too, writes the marker and its webhooks.
        " $wpdb->insert( $wpdb->options, array( 'option_name' => 'shopchat_webhook_topics',"
        "  'option_value' => maybe_serialize( SHOPCHAT_WEBHOOK_TOPICS ), 'autoload' => 'yes' ) );"
        " $before = count( get_option( 'wc_standin_webhooks' ) );"
        " shopchat_upgrade_webhooks();"
        " return count( get_option( 'wc_standin_webhooks' ) ) - $before; } )()"
    )
    assert created == 0
    assert len(webhooks(shop)) == len(OLD_TOPICS)


def test_saving_adds_the_new_topics_to_an_earlier_install(
    shop: WordPress, admin: httpx.Client
) -> None:
    old = install_from_before_the_product_topics(shop)
    # As if the update's pass had run already (or failed): saving adds them by itself.
    shop.php("update_option( 'shopchat_webhook_topics', SHOPCHAT_WEBHOOK_TOPICS );")
    post_settings(admin, {**VALID, "server_url": "https://chat.example.com"})
    assert_one_webhook_per_topic(shop, old, DELIVERY_URL)


# -- delivery: the way WooCommerce delivers (wp_safe_remote_request) ------------------
# The chat server of these tests listens on a loopback high port, which WordPress refuses
# for safe requests: that is the "refused" case. The pass case lets the port through with
# WordPress's own http_allowed_safe_ports filter (the test mu-plugin reads its ports from
# the option shopchat_test_safe_ports).

PING_PATH = "/api/v1/webhooks/woocommerce/site_1"


@pytest.fixture
def server(shop: WordPress) -> Iterator[ChatServerStub]:
    with ChatServerStub(site_key=VALID["site_key"], origin=shop.url) as stub:
        yield stub
    shop.php("delete_option( 'shopchat_test_safe_ports' );")


def allow_port(shop: WordPress, server: ChatServerStub) -> None:
    port = urlsplit(server.url).port
    shop.php(f"update_option( 'shopchat_test_safe_ports', array( {port} ) );")


def save(admin: httpx.Client, server: ChatServerStub) -> str:
    values = {**VALID, "server_url": server.url, "webhook_secret": WEBHOOK_SECRET}
    response = post_settings(admin, values)
    return html_lib.unescape(admin.get(response.headers["location"]).text)


def pings(server: ChatServerStub) -> list[dict[str, object]]:
    return [r for r in server.requests if r["path"] == PING_PATH]


def test_saving_a_server_on_a_refused_port_says_webhooks_cannot_arrive(
    shop: WordPress, admin: httpx.Client, server: ChatServerStub
) -> None:
    page = save(admin, server)
    port = urlsplit(server.url).port
    assert f"WordPress refuses port {port} for webhooks" in page
    assert "only ports 80, 443, 8080" in page and "port 443" in page
    assert "no order or product update would ever arrive" in page
    assert pings(server) == []  # WordPress would not send it, so neither do we


def test_test_connection_is_not_green_when_webhooks_cannot_arrive(
    shop: WordPress, admin: httpx.Client, server: ChatServerStub
) -> None:
    save(admin, server)
    reply = run_connection_test(admin)
    checks = reply["data"]["checks"]
    assert [check["ok"] for check in checks] == [True, True, False]
    assert reply["success"] is False
    assert "WordPress refuses port" in checks[2]["message"]


def test_an_allowed_address_is_pinged_as_woocommerce_delivers(
    shop: WordPress, admin: httpx.Client, server: ChatServerStub
) -> None:
    allow_port(shop, server)
    page = save(admin, server)
    assert "WordPress refuses" not in page
    assert pings(server), server.requests
    reply = run_connection_test(admin)
    assert reply["success"] is True
    assert reply["data"]["checks"][2] == {
        "ok": True,
        "message": f"WooCommerce webhooks reach {server.url}{PING_PATH}.",
    }
    first_id = min(int(hook["id"]) for hook in webhooks(shop))
    assert pings(server)[-1]["body"] == f"webhook_id={first_id}"


def test_the_page_shows_disabled_webhooks_and_a_passing_test_turns_them_on(
    shop: WordPress, admin: httpx.Client, server: ChatServerStub
) -> None:
    save(admin, server)
    # WooCommerce 9.9 disables a webhook on the 7th failed delivery in a row, with the
    # failure count left at 6 (answers 200-302 count as success and reset it).
    shop.php(
        "$all = get_option( 'wc_standin_webhooks' ); $ids = array_keys( $all );"
        "$all[ $ids[0] ]['status'] = 'disabled'; $all[ $ids[0] ]['failure_count'] = 6;"
        "update_option( 'wc_standin_webhooks', $all );"
    )
    page = html_lib.unescape(settings_page(admin))
    assert "Disabled by WooCommerce after failed deliveries</td><td>6</td>" in page
    assert page.count("<td>Active</td><td>0</td>") == len(TOPICS) - 1
    refused = run_connection_test(admin)
    assert refused["success"] is False
    assert sorted(hook["status"] for hook in webhooks(shop)) == ["active"] * 5 + ["disabled"]
    allow_port(shop, server)  # the fix
    fixed = run_connection_test(admin)
    assert "Disabled webhooks turned on again: 1." in fixed["data"]["checks"][2]["message"]
    assert {(hook["status"], hook["failure_count"]) for hook in webhooks(shop)} == {("active", 0)}
    assert "Disabled by WooCommerce" not in html_lib.unescape(settings_page(admin))


def test_a_passing_test_connection_adds_the_new_topics(
    shop: WordPress, admin: httpx.Client, server: ChatServerStub
) -> None:
    shop.set_settings({"server_url": server.url})
    old = install_from_before_the_product_topics(shop, url=f"{server.url}{PING_PATH}")
    shop.php("update_option( 'shopchat_webhook_topics', SHOPCHAT_WEBHOOK_TOPICS );")
    refused = run_connection_test(admin)
    assert refused["success"] is False
    assert len(webhooks(shop)) == len(OLD_TOPICS)  # not while deliveries cannot arrive
    allow_port(shop, server)
    passed = run_connection_test(admin)
    assert "Missing webhooks added: 3." in passed["data"]["checks"][2]["message"]
    assert_one_webhook_per_topic(shop, old, f"{server.url}{PING_PATH}")
    again = run_connection_test(admin)
    assert "Missing webhooks added" not in again["data"]["checks"][2]["message"]
    assert_one_webhook_per_topic(shop, old, f"{server.url}{PING_PATH}")
