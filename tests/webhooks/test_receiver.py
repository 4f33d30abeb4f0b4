"""The receiver: signatures, ping, dedupe, hostile input; on SQLite and PostgreSQL."""

from __future__ import annotations

import json
import time
import uuid

import httpx
import pytest

from tests.support.server import ServerThread
from tests.support.sites import SiteFactory
from tests.webhooks.helpers import (
    deliver,
    delivery_headers,
    events,
    order_payload,
    wait_processed,
    webhook_url,
)


def test_a_signed_delivery_is_accepted_stored_and_processed(
    server: ServerThread, sites: SiteFactory
) -> None:
    site = sites.create()
    response = deliver(server.url, site, order_payload(), delivery_id="d-1")
    assert response.status_code == 200, response.text
    assert response.json() == {"ok": True, "ping": False, "duplicate": False}
    (event,) = wait_processed(sites, site, count=1)
    assert (event.delivery_id, event.topic) == ("d-1", "order.updated")
    assert event.payload["id"] == 727


@pytest.mark.parametrize(
    "signature",
    [None, "", "AAAA", "not base64 at all", "c2lnbmF0dXJl" * 4],
    ids=["missing", "empty", "short", "garbage", "forged"],
)
def test_a_missing_or_forged_signature_is_refused(
    server: ServerThread, sites: SiteFactory, signature: str | None
) -> None:
    site = sites.create()
    body = json.dumps(order_payload()).encode()
    headers = delivery_headers(body, site.webhook_secret)
    if signature is None:
        del headers["X-WC-Webhook-Signature"]
    else:
        headers["X-WC-Webhook-Signature"] = signature
    response = httpx.post(webhook_url(server.url, site), content=body, headers=headers)
    assert response.status_code == 401
    assert response.json()["error"]["code"] == "bad_signature"
    assert events(sites, site) == []


def test_a_signature_over_another_body_is_refused(server: ServerThread, sites: SiteFactory) -> None:
    site = sites.create()
    signed = json.dumps(order_payload(status="processing")).encode()
    sent = json.dumps(order_payload(status="refunded")).encode()
    headers = delivery_headers(signed, site.webhook_secret)
    response = httpx.post(webhook_url(server.url, site), content=sent, headers=headers)
    assert response.status_code == 401
    assert events(sites, site) == []


def test_another_sites_secret_is_refused(server: ServerThread, sites: SiteFactory) -> None:
    mine, theirs = sites.create(), sites.create()
    response = deliver(server.url, mine, order_payload(), secret=theirs.webhook_secret)
    assert response.status_code == 401
    assert events(sites, mine) == [] and events(sites, theirs) == []


def test_unknown_site_is_404(server: ServerThread, sites: SiteFactory) -> None:
    site = sites.create()
    body = json.dumps(order_payload()).encode()
    headers = delivery_headers(body, site.webhook_secret)
    for site_id in (str(uuid.uuid4()), "not-a-uuid", "..%2f..%2fadmin"):
        response = httpx.post(
            f"{server.url}/api/v1/webhooks/woocommerce/{site_id}", content=body, headers=headers
        )
        assert response.status_code == 404, site_id


@pytest.mark.parametrize("signed", [False, True])
def test_the_creation_ping_is_answered(
    server: ServerThread, sites: SiteFactory, signed: bool
) -> None:
    site = sites.create()
    body = b"webhook_id=12"
    headers = {"Content-Type": "application/x-www-form-urlencoded"}
    if signed:
        headers = {**delivery_headers(body, site.webhook_secret), **headers}
    response = httpx.post(webhook_url(server.url, site), content=body, headers=headers)
    assert response.status_code == 200
    assert response.json()["ping"] is True
    assert events(sites, site) == []


def test_a_ping_for_an_unknown_site_is_404(server: ServerThread) -> None:
    response = httpx.post(
        f"{server.url}/api/v1/webhooks/woocommerce/{uuid.uuid4()}",
        content=b"webhook_id=12",
        headers={"Content-Type": "application/x-www-form-urlencoded"},
    )
    assert response.status_code == 404


def test_a_redelivery_is_stored_and_processed_once(
    server: ServerThread, sites: SiteFactory
) -> None:
    site = sites.create()
    payload = order_payload()
    first = deliver(server.url, site, payload, delivery_id="same-delivery")
    again = [deliver(server.url, site, payload, delivery_id="same-delivery") for _ in range(3)]
    assert first.json()["duplicate"] is False
    assert [r.status_code for r in again] == [200] * 3
    assert all(r.json()["duplicate"] is True for r in again)
    (event,) = wait_processed(sites, site, count=1)
    processed_at = event.processed_at
    deliver(server.url, site, payload, delivery_id="same-delivery")
    time.sleep(0.5)
    (still,) = events(sites, site)
    assert still.processed_at == processed_at


def test_the_same_delivery_id_on_two_sites_is_two_deliveries(
    server: ServerThread, sites: SiteFactory
) -> None:
    one, two = sites.create(), sites.create()
    assert deliver(server.url, one, order_payload(), delivery_id="d").json()["duplicate"] is False
    assert deliver(server.url, two, order_payload(), delivery_id="d").json()["duplicate"] is False


def test_an_unknown_topic_is_kept_and_ignored(server: ServerThread, sites: SiteFactory) -> None:
    site = sites.create()
    response = deliver(server.url, site, {"id": 5, "code": "SPRING"}, topic="coupon.created")
    assert response.status_code == 200
    (event,) = wait_processed(sites, site, count=1)
    assert event.topic == "coupon.created"


# --- hostile input -------------------------------------------------------------------


def _post_signed(
    server: ServerThread, site: object, body: bytes, **header_changes: str
) -> httpx.Response:
    headers = delivery_headers(body, site.webhook_secret)  # type: ignore[attr-defined]
    headers.update(header_changes)
    return httpx.post(webhook_url(server.url, site), content=body, headers=headers)  # type: ignore[arg-type]


def test_a_large_order_is_accepted_and_a_huge_body_refused(
    server: ServerThread, sites: SiteFactory
) -> None:
    site = sites.create()
    large = order_payload()
    large["meta_data"] = [{"id": i, "key": f"_plugin_{i}", "value": "x" * 100} for i in range(2000)]
    body = json.dumps(large).encode()
    assert 64 * 1024 < len(body) < 1024 * 1024
    assert _post_signed(server, site, body).status_code == 200
    huge = b'{"id": 1, "x": "' + b"x" * (2 * 1024 * 1024) + b'"}'
    assert _post_signed(server, site, huge).status_code == 413

    def chunks() -> object:
        for _ in range(40):
            yield b"x" * 65536

    streamed = httpx.post(
        webhook_url(server.url, site),
        content=chunks(),  # type: ignore[arg-type]
        headers={"Content-Type": "application/json", "X-WC-Webhook-Signature": "x"},
    )
    assert streamed.status_code == 413


@pytest.mark.parametrize(
    "body",
    [
        b"not json",
        b"[1, 2, 3]",
        b'"a string"',
        b"",
        b'{"id": NaN}',
        b'{"id": 1, "name": "\\ud800"}',
        b"[" * 100_000 + b"]" * 100_000,
        b'{"id": 1' + b"9" * 5000 + b"}",
        b"\xff\xfe{}",
    ],
    ids=["text", "array", "string", "empty", "nan", "surrogate", "deep", "bigint", "binary"],
)
def test_a_signed_body_that_is_not_a_json_object_is_400(
    server: ServerThread, sites: SiteFactory, body: bytes
) -> None:
    site = sites.create()
    response = _post_signed(server, site, body)
    assert response.status_code == 400, response.text
    assert response.json()["error"]["code"] == "bad_json"
    assert events(sites, site) == []


@pytest.mark.parametrize("content_type", ["text/plain", "application/xml", "multipart/form-data"])
def test_a_wrong_content_type_is_415(
    server: ServerThread, sites: SiteFactory, content_type: str
) -> None:
    site = sites.create()
    response = _post_signed(server, site, b'{"id": 1}', **{"Content-Type": content_type})
    assert response.status_code == 415
    assert events(sites, site) == []


@pytest.mark.parametrize(
    "header, value",
    [
        ("X-WC-Webhook-Topic", "order.updated'; DROP TABLE order_events; --"),
        ("X-WC-Webhook-Topic", "order.updated X-Injected: 1"),
        ("X-WC-Webhook-Topic", "a" * 500),
        ("X-WC-Webhook-Delivery-ID", "../../etc/passwd"),
        ("X-WC-Webhook-Delivery-ID", "x" * 101),
        ("X-WC-Webhook-Delivery-ID", "<script>alert(1)</script>"),
    ],
)
def test_odd_headers_are_refused(
    server: ServerThread, sites: SiteFactory, header: str, value: str
) -> None:
    site = sites.create()
    response = _post_signed(server, site, json.dumps(order_payload()).encode(), **{header: value})
    assert response.status_code == 400
    assert events(sites, site) == []


def test_a_header_with_a_line_break_never_reaches_the_app(server: ServerThread) -> None:
    with pytest.raises((httpx.LocalProtocolError, ValueError)):
        httpx.post(
            f"{server.url}/api/v1/webhooks/woocommerce/{uuid.uuid4()}",
            content=b"{}",
            headers={"X-WC-Webhook-Topic": "order.updated\r\nX-Injected: 1"},
        )


def test_a_delivery_without_an_id_is_deduplicated_by_its_body(
    server: ServerThread, sites: SiteFactory
) -> None:
    site = sites.create()
    body = json.dumps(order_payload()).encode()
    headers = delivery_headers(body, site.webhook_secret)
    del headers["X-WC-Webhook-Delivery-ID"]
    url = webhook_url(server.url, site)
    assert httpx.post(url, content=body, headers=headers).json()["duplicate"] is False
    assert httpx.post(url, content=body, headers=headers).json()["duplicate"] is True
    assert len(events(sites, site)) == 1


# --- WooCommerce's delivery id: wp_hash(webhook id . the second), shared by a burst --------


def test_a_bulk_change_in_one_second_keeps_every_order(
    server: ServerThread, sites: SiteFactory
) -> None:
    """A bulk status change sends two orders with one delivery id (the same second)."""
    site = sites.create()
    one = deliver(server.url, site, order_payload(order_id=801), delivery_id="5f2b9a0c")
    two = deliver(server.url, site, order_payload(order_id=802), delivery_id="5f2b9a0c")
    assert [one.json()["duplicate"], two.json()["duplicate"]] == [False, False]
    stored = wait_processed(sites, site, count=2)
    assert sorted(e.payload["id"] for e in stored) == [801, 802]


def test_a_variation_edit_keeps_the_parent_and_every_variation(
    server: ServerThread, sites: SiteFactory
) -> None:
    site = sites.create()
    bodies = [{"id": 30, "type": "variable"}] + [
        {"id": 31 + n, "type": "variation", "parent_id": 30} for n in range(3)
    ]
    answers = [
        deliver(server.url, site, body, topic="product.updated", delivery_id="a1b2c3").json()
        for body in bodies
    ]
    assert [a["duplicate"] for a in answers] == [False] * 4
    assert len(wait_processed(sites, site, count=4)) == 4


def test_the_same_delivery_id_and_body_on_another_topic_is_kept(
    server: ServerThread, sites: SiteFactory
) -> None:
    site = sites.create()
    payload = order_payload()
    deliver(server.url, site, payload, topic="order.updated", delivery_id="same")
    second = deliver(server.url, site, payload, topic="order.created", delivery_id="same")
    assert second.json()["duplicate"] is False
