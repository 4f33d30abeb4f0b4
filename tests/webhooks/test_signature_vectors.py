"""Known-answer vectors for every signature shopchat checks or makes.

The other webhook tests sign "valid" deliveries with the project's own ``sign()``, so a
wrong algorithm (SHA-1 for SHA-256, hex for base64) would pass them all. These answers
were computed once outside the project and are hard-coded: WooCommerce's with PHP running
WooCommerce's own code (``base64_encode(hash_hmac('sha256', $body, $secret, true))`` from
WC_Webhook::generate_signature; WC_REST_Authentication::check_oauth_signature), OAuth's
base string from the published example of RFC 5849 signing (X/Twitter's developer docs),
the outgoing webhook's with ``php -r 'echo hash_hmac("sha256", "$ts.$body", $secret);'``.
"""

from __future__ import annotations

import base64
import hashlib
import hmac

from shopchat.commerce.webhooks.signature import sign, valid
from shopchat.commerce.woocommerce.auth import oauth1_signature, signature_base_string
from shopchat.notify.client import webhook_signature
from tests.support.woocommerce_store import woocommerce_oauth_signature

WC_BODY = (
    b'{"id":727,"status":"processing","total":"29.35",'
    b'"billing":{"email":"ravi.sharma@example.com"}}'
)
WC_SECRET = "wh_5uP3r-s3cr3t/with+odd=chars"
WC_SIGNATURE = "IiUn0BB/0AoJOJivaEHEG6rqX14RVp4ZFpBtSQY9ybQ="


def test_woocommerce_webhook_signature_known_answer() -> None:
    assert sign(WC_BODY, WC_SECRET) == WC_SIGNATURE
    assert valid(WC_BODY, WC_SECRET, WC_SIGNATURE)
    sha1 = base64.b64encode(hmac.new(WC_SECRET.encode(), WC_BODY, hashlib.sha1).digest())
    assert not valid(WC_BODY, WC_SECRET, sha1.decode())
    assert not valid(
        WC_BODY, WC_SECRET, hmac.new(WC_SECRET.encode(), WC_BODY, "sha256").hexdigest()
    )


# The published example (POST statuses/update, HMAC-SHA1 with a token secret).
PUBLISHED_PARAMS = {
    "status": "Hello Ladies + Gentlemen, a signed OAuth request!",
    "include_entities": "true",
    "oauth_consumer_key": "xvz1evFS4wEEPTGEFPHBog",
    "oauth_nonce": "kYjzVBB8Y0ZFabxSWbWovY3uYSQ2pTgmZeNu2VS4cg",
    "oauth_signature_method": "HMAC-SHA1",
    "oauth_timestamp": "1318622958",
    "oauth_token": "370773112-GmHxMAgYyLbNEtIKZeRNFsMKPR9EyMZeS9weJAEb",
    "oauth_version": "1.0",
}
PUBLISHED_BASE = (
    "POST&https%3A%2F%2Fapi.twitter.com%2F1.1%2Fstatuses%2Fupdate.json&include_entities%3Dtrue"
    "%26oauth_consumer_key%3Dxvz1evFS4wEEPTGEFPHBog%26oauth_nonce%3DkYjzVBB8Y0ZFabxSWbWovY3uYSQ2"
    "pTgmZeNu2VS4cg%26oauth_signature_method%3DHMAC-SHA1%26oauth_timestamp%3D1318622958%26oauth"
    "_token%3D370773112-GmHxMAgYyLbNEtIKZeRNFsMKPR9EyMZeS9weJAEb%26oauth_version%3D1.0%26status"
    "%3DHello%2520Ladies%2520%252B%2520Gentlemen%252C%2520a%2520signed%2520OAuth%2520request%2521"
)
PUBLISHED_KEY = (
    b"kAcSOqF21Fu85e7zjz7ZN2U4ZRhfV3WpwPAoE3Z7kBw&LswwdoUaIvS8ltyTt5jkRh4J50vUPVVHtR2YPi5kE"
)
PUBLISHED_SIGNATURE = "hCtSmYh+iHYCEqBWrE7C7hYmtUk="


def test_oauth_base_string_matches_the_published_example() -> None:
    base = signature_base_string(
        "post", "https://api.twitter.com/1.1/statuses/update.json", PUBLISHED_PARAMS
    )
    assert base == PUBLISHED_BASE
    digest = hmac.new(PUBLISHED_KEY, base.encode(), hashlib.sha1).digest()
    assert base64.b64encode(digest).decode() == PUBLISHED_SIGNATURE


# WooCommerce's check_oauth_signature run in PHP: one-legged, key "consumer_secret&", SHA-256.
WC_OAUTH_URL = "http://shop.example/wp-json/wc/v3/products"
WC_OAUTH_PARAMS = {
    "per_page": "100",
    "search": "down jacket & more+",
    "status": "publish",
    "page": "2",
    "oauth_consumer_key": "ck_4f1d2c3b4a5968778695a4b3c2d1e0f9a8b7c6d5",
    "oauth_nonce": "0f3c2a9e8d7b6a5f4e3d2c1b0a9f8e7d",
    "oauth_signature_method": "HMAC-SHA256",
    "oauth_timestamp": "1764583200",
}
WC_OAUTH_SECRET = "cs_9e8d7c6b5a4938271605f4e3d2c1b0a9f8e7d6c5"
WC_OAUTH_BASE = (
    "GET&http%3A%2F%2Fshop.example%2Fwp-json%2Fwc%2Fv3%2Fproducts&oauth_consumer_key%3Dck_4f1d2c"
    "3b4a5968778695a4b3c2d1e0f9a8b7c6d5%26oauth_nonce%3D0f3c2a9e8d7b6a5f4e3d2c1b0a9f8e7d%26oauth"
    "_signature_method%3DHMAC-SHA256%26oauth_timestamp%3D1764583200%26page%3D2%26per_page%3D100"
    "%26search%3Ddown%2520jacket%2520%2526%2520more%252B%26status%3Dpublish"
)
WC_OAUTH_SIGNATURE = "3VFu6DvTTFJvQdGMFviFnBBKfaMeR9SDbR+SRfNIEyE="


def test_oauth_signature_matches_woocommerces_php() -> None:
    assert signature_base_string("GET", WC_OAUTH_URL, WC_OAUTH_PARAMS) == WC_OAUTH_BASE
    signature = oauth1_signature(
        method="GET", base_url=WC_OAUTH_URL, params=WC_OAUTH_PARAMS, consumer_secret=WC_OAUTH_SECRET
    )
    assert signature == WC_OAUTH_SIGNATURE


def test_the_test_store_checks_oauth_like_woocommerces_php() -> None:
    """The stand-in's check is code too: it must agree with PHP, not only with the client."""
    expected = woocommerce_oauth_signature(
        method="GET", base_uri=WC_OAUTH_URL, params=WC_OAUTH_PARAMS, secret=WC_OAUTH_SECRET
    )
    assert expected == WC_OAUTH_SIGNATURE


def test_outgoing_webhook_signature_known_answer() -> None:
    body = (
        b'{"id":"notify-3f2a","event":"conversation.handoff","data":'
        b'{"site_name":"Northwind","url":"https://chat.example/console/c/1"}}'
    )
    signature = webhook_signature(body, secret="whsec_outgoing-7f3e", timestamp="1764583200")
    assert signature == "sha256=20c7e04f55322ccba234cb74c961e7469ae2d348a221239631d7a0f559b3e479"
