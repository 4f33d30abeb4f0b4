"""The loader tag on the shop's pages (Debian's WordPress 6.1, WooCommerce absent)."""

from __future__ import annotations

import re
import uuid

import httpx
import jwt
import pytest

from shopchat.kit.identity import verify_identity
from tests.wordpress.wp_harness import WordPress, loader_tag, widget_settings

SITE_KEY = "sk_loader_test"
SECRET = "loader-identity-secret-0123456789"
SERVER = "http://127.0.0.1:9"
CHROME = (
    "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko)"
    " Chrome/120.0 Safari/537.36"
)


@pytest.fixture
def site(wp: WordPress) -> WordPress:
    wp.set_settings(
        {
            "enabled": True,
            "server_url": SERVER,
            "site_key": SITE_KEY,
            "display_mode": "all",
            "display_rules": "",
        },
        identity_secret=SECRET,
    )
    return wp


def get(
    site: WordPress, path: str = "/", *, agent: str = CHROME, client: httpx.Client | None = None
) -> httpx.Response:
    if client is not None:
        return client.get(path, headers={"User-Agent": agent})
    with site.client() as fresh:
        return fresh.get(path, headers={"User-Agent": agent})


def test_home_page_carries_the_loader_in_the_footer(site: WordPress) -> None:
    html = get(site).text
    tag = loader_tag(html)
    assert tag is not None
    assert f'src="{SERVER}/widget.js"' in tag.replace("'", '"')
    assert f'data-site-key="{SITE_KEY}"' in tag
    assert re.search(r"\sasync[\s>]", tag)
    assert "?ver=" not in tag
    assert html.index(tag) > html.index('id="colophon"')  # after the theme's footer: wp_footer()
    assert html.index("window.shopchatSettings") < html.index(tag)


def test_guest_gets_settings_without_identity(site: WordPress) -> None:
    settings = widget_settings(get(site).text)
    assert settings["siteKey"] == SITE_KEY
    assert settings["serverUrl"] == SERVER
    assert settings["identity"] is None
    assert "identityRefresh" not in settings
    assert settings["position"] == "right"
    assert settings["page"] == {"url": f"{site.url}/", "title": "shopchat test shop – A test shop"}


def test_session_cookie_is_a_uuid4_that_sticks(site: WordPress) -> None:
    with site.client() as client:
        first = get(site, client=client)
        cookie = first.headers["set-cookie"]
        assert "HttpOnly" in cookie and "SameSite=Lax" in cookie
        session_id = client.cookies["shopchat_session"]
        assert uuid.UUID(session_id).version == 4
        assert widget_settings(first.text)["sessionId"] == session_id
        second = get(site, client=client)
        assert "set-cookie" not in second.headers
        assert widget_settings(second.text)["sessionId"] == session_id


def test_forged_session_cookie_is_replaced(site: WordPress) -> None:
    with site.client(cookies={"shopchat_session": "<script>"}) as client:
        settings = widget_settings(get(site, client=client).text)
    assert uuid.UUID(str(settings["sessionId"])).version == 4


def test_nothing_is_loaded_when_disabled(site: WordPress) -> None:
    site.set_settings({"enabled": False})
    html = get(site).text
    assert loader_tag(html) is None
    assert "shopchatSettings" not in html


def test_nothing_is_loaded_when_not_configured(site: WordPress) -> None:
    site.set_settings({"site_key": ""})
    assert loader_tag(get(site).text) is None


@pytest.mark.parametrize(
    "agent",
    [
        "Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)",
        "Mozilla/5.0 (compatible; bingbot/2.0; +http://www.bing.com/bingbot.htm)",
        "facebookexternalhit/1.1 (+http://www.facebook.com/externalhit_uatext.php)",
        "Mozilla/5.0 (compatible; AhrefsBot/7.0; +http://ahrefs.com/robot/)",
        "curl/8.4.0",
        "",
    ],
)
def test_nothing_is_loaded_for_bots(site: WordPress, agent: str) -> None:
    assert loader_tag(get(site, agent=agent).text) is None


def test_headless_browsers_are_not_bots(site: WordPress) -> None:
    agent = CHROME.replace("Chrome/", "HeadlessChrome/")
    assert loader_tag(get(site, agent=agent).text) is not None


def test_page_list_by_id_and_path_pattern(site: WordPress) -> None:
    site.set_settings({"display_mode": "list", "display_rules": f"{site.ids['about']}\n/cont*"})
    assert loader_tag(get(site, "/about/").text) is not None
    assert loader_tag(get(site, "/contact/").text) is not None
    assert loader_tag(get(site).text) is None
    assert loader_tag(get(site, "/shop/").text) is None


def test_woocommerce_only_mode_shows_nothing_without_woocommerce(site: WordPress) -> None:
    site.set_settings({"display_mode": "woocommerce"})
    assert loader_tag(get(site, "/shop/").text) is None


def test_inline_settings_cannot_break_out_of_the_script(site: WordPress) -> None:
    site.php("update_option( 'blogname', 'Shop </script><script>alert(1)</script>' );")
    try:
        html = get(site).text
        assert "</script><script>alert(1)" not in html
        assert widget_settings(html)["page"]["title"].startswith(
            "Shop </script><script>alert(1)</script>"
        )
    finally:
        site.php("update_option( 'blogname', 'shopchat test shop' );")


def test_logged_in_customer_gets_a_signed_identity(site: WordPress) -> None:
    with site.customer() as client:
        settings = widget_settings(get(site, "/about/", client=client).text)
    token = str(settings["identity"])
    identity = verify_identity(token, site_key=SITE_KEY, secret=SECRET)
    assert identity.customer_id == str(site.ids["customer"])
    assert identity.email == "carla@example.com"
    assert identity.name == "Carla Kunde"
    claims = jwt.decode(token, SECRET, algorithms=["HS256"], issuer=SITE_KEY)
    assert jwt.get_unverified_header(token) == {"alg": "HS256", "typ": "JWT"}
    assert claims["exp"] - claims["iat"] == 900
    assert claims["page"] == {"url": f"{site.url}/about/", "title": "About us – shopchat test shop"}
    # Without WooCommerce there is no customer, cart or order context to vouch for.
    assert not {"customer", "cart", "recent_orders"} & claims.keys()
    assert settings["identityRefresh"]["action"] == "shopchat_identity"


def test_no_identity_without_a_secret(site: WordPress) -> None:
    site.php("update_option( 'shopchat_identity_secret', '' );")
    with site.customer() as client:
        assert widget_settings(get(site, client=client).text)["identity"] is None


def test_identity_refresh_for_guests_returns_nothing(site: WordPress) -> None:
    with site.client() as client:
        reply = client.post("/wp-admin/admin-ajax.php", data={"action": "shopchat_identity"})
    assert reply.status_code == 200
    assert reply.json() == {"success": True, "data": {"identity": None, "expires_in": None}}


def test_identity_refresh_for_a_customer(site: WordPress) -> None:
    with site.customer() as client:
        nonce = widget_settings(get(site, client=client).text)["identityRefresh"]["nonce"]
        reply = client.post(
            "/wp-admin/admin-ajax.php",
            data={
                "action": "shopchat_identity",
                "nonce": nonce,
                "url": f"{site.url}/contact/",
                "title": "Contact",
            },
        ).json()
        forged = client.post(
            "/wp-admin/admin-ajax.php",
            data={
                "action": "shopchat_identity",
                "nonce": nonce,
                "url": "https://evil.example/",
                "title": "x",
            },
        ).json()
        bad_nonce = client.post(
            "/wp-admin/admin-ajax.php", data={"action": "shopchat_identity", "nonce": "nope"}
        )
    claims = jwt.decode(reply["data"]["identity"], SECRET, algorithms=["HS256"], issuer=SITE_KEY)
    assert claims["page"] == {"url": f"{site.url}/contact/", "title": "Contact"}
    assert reply["data"]["expires_in"] == 900
    forged_claims = jwt.decode(
        forged["data"]["identity"], SECRET, algorithms=["HS256"], issuer=SITE_KEY
    )
    assert forged_claims["page"]["url"] == f"{site.url}/"
    assert bad_nonce.status_code == 403
