"""Opening a widget session: origins, signed identities, guests, and tenant isolation."""

from __future__ import annotations

import dataclasses
import uuid
from typing import Any

import httpx
import jwt
import pytest

from shopchat.conversation.tokens import SessionClaims, issue_session_token
from tests.support.chat import bearer, open_session
from tests.support.server import ServerThread
from tests.support.sites import SiteFactory, identity_token


def test_guest_gets_a_session_conversation_and_config(
    server: ServerThread, sites: SiteFactory
) -> None:
    site = sites.create(name="Bike shop")
    session = open_session(server.url, site)
    uuid.UUID(session["conversation_id"])
    uuid.UUID(session["session_id"])
    assert session["status"] == "bot"
    assert session["messages"] == []
    assert session["config"]["site_name"] == "Bike shop"
    assert session["config"]["customer"] == {
        "verified": False,
        "segment": "guest",
        "first_name": None,
        "cart_total": None,
    }


def test_verified_customer_is_recognised(server: ServerThread, sites: SiteFactory) -> None:
    site = sites.create()
    token = identity_token(site, name="Anna Schmidt", status="vip", cart={"total": "129.90"})
    session = open_session(server.url, site, identity=token)
    assert session["config"]["customer"] == {
        "verified": True,
        "segment": "vip",
        "first_name": "Anna",
        "cart_total": "129.90",
    }


@pytest.mark.parametrize(
    ("tamper", "reason"),
    [
        ({"secret": "not-the-secret-but-long-enough-for-hs256"}, "invalid"),
        ({"lifetime": -600}, "expired"),
        ({"lifetime": 7200}, "longer than one hour"),
        ({"issuer": "sc_someone_else"}, "another site"),
    ],
)
def test_bad_identities_are_refused(
    server: ServerThread, sites: SiteFactory, tamper: dict[str, Any], reason: str
) -> None:
    site = sites.create()
    body = open_session(server.url, site, identity=identity_token(site, **tamper), expect=401)
    assert body["error"]["code"] == "identity_invalid"
    assert reason in body["error"]["message"]


def test_identity_of_another_site_is_refused(server: ServerThread, sites: SiteFactory) -> None:
    site_a, site_b = sites.create(), sites.create()
    body = open_session(server.url, site_a, identity=identity_token(site_b), expect=401)
    assert body["error"]["code"] == "identity_invalid"


def test_clock_skew_of_a_few_seconds_is_tolerated(server: ServerThread, sites: SiteFactory) -> None:
    site = sites.create()
    open_session(server.url, site, identity=identity_token(site, lifetime=-20))


def test_unsigned_identity_is_refused(server: ServerThread, sites: SiteFactory) -> None:
    site = sites.create()
    forged = jwt.encode({"iss": site.site_key, "sub": "1", "exp": 2**31}, key="", algorithm="none")
    body = open_session(server.url, site, identity=forged, expect=401)
    assert body["error"]["code"] == "identity_invalid"


def test_enforce_identity_refuses_guests(server: ServerThread, sites: SiteFactory) -> None:
    site = sites.create(enforce_identity=True)
    body = open_session(server.url, site, expect=401)
    assert body["error"]["code"] == "identity_required"
    open_session(server.url, site, identity=identity_token(site))


@pytest.mark.parametrize("origin", ["https://evil.example", "http://shop.example", None])
def test_origin_must_be_allowed(server: ServerThread, sites: SiteFactory, origin: str) -> None:
    site = sites.create(origins=("https://shop.example",))
    body = open_session(server.url, site, origin=origin, expect=403)
    assert body["error"]["code"] == "origin_not_allowed"


def test_unknown_site_key_is_404(server: ServerThread, sites: SiteFactory) -> None:
    site = dataclasses.replace(sites.create(), site_key="sc_does_not_exist")
    assert open_session(server.url, site, expect=404)["error"]["code"] == "site_not_found"


def test_session_id_continues_the_conversation(server: ServerThread, sites: SiteFactory) -> None:
    site = sites.create()
    first = open_session(server.url, site)
    httpx.post(
        f"{server.url}/api/v1/widget/messages",
        json={"client_id": "m1", "text": "hello"},
        headers=bearer(first["session_token"]),
    )
    again = open_session(server.url, site, session_id=first["session_id"])
    assert again["conversation_id"] == first["conversation_id"]
    assert again["messages"][0]["text"] == "hello"


def test_guest_who_signs_in_keeps_the_conversation(
    server: ServerThread, sites: SiteFactory
) -> None:
    site = sites.create()
    guest = open_session(server.url, site)
    signed_in = open_session(
        server.url, site, session_id=guest["session_id"], identity=identity_token(site)
    )
    assert signed_in["conversation_id"] == guest["conversation_id"]


def test_verified_conversation_is_not_handed_to_a_guest(
    server: ServerThread, sites: SiteFactory
) -> None:
    site = sites.create()
    customer = open_session(server.url, site, identity=identity_token(site, sub="7"))
    httpx.post(
        f"{server.url}/api/v1/widget/messages",
        json={"client_id": "m1", "text": "my address is Hauptstr. 1"},
        headers=bearer(customer["session_token"]),
    )
    guest = open_session(server.url, site, session_id=customer["session_id"])
    other = open_session(
        server.url, site, session_id=customer["session_id"], identity=identity_token(site, sub="8")
    )
    for session in (guest, other):
        assert session["conversation_id"] != customer["conversation_id"]
        assert session["messages"] == []


def test_session_token_of_one_site_cannot_reach_another(
    server: ServerThread, sites: SiteFactory, backend_settings: object
) -> None:
    site_a, site_b = sites.create(), sites.create()
    session_a = open_session(server.url, site_a)
    session_b = open_session(server.url, site_b)
    httpx.post(
        f"{server.url}/api/v1/widget/messages",
        json={"client_id": "b1", "text": "site B private"},
        headers=bearer(session_b["session_token"]),
    )
    # Even a correctly signed token naming site A with B's conversation finds nothing.
    mixed = issue_session_token(
        SessionClaims(
            site_id=uuid.UUID(site_a.site_id),
            conversation_id=uuid.UUID(session_b["conversation_id"]),
            contact_id=uuid.uuid4(),
            session_id=uuid.uuid4(),
            verified=False,
        ),
        key=backend_settings.signing_key,  # type: ignore[attr-defined]
        ttl_seconds=60,
    )
    read = httpx.get(f"{server.url}/api/v1/widget/messages", headers=bearer(mixed))
    write = httpx.post(
        f"{server.url}/api/v1/widget/messages",
        json={"client_id": "a1", "text": "hi"},
        headers=bearer(mixed),
    )
    assert (read.status_code, write.status_code) == (404, 404)
    own = httpx.get(
        f"{server.url}/api/v1/widget/messages", headers=bearer(session_a["session_token"])
    )
    assert own.json() == {"messages": []}


def test_tampered_session_token_is_refused(server: ServerThread, sites: SiteFactory) -> None:
    site = sites.create()
    token = open_session(server.url, site)["session_token"]
    header, payload, signature = token.split(".")
    tampered = f"{header}.{payload[:-2]}AA.{signature}"
    response = httpx.get(f"{server.url}/api/v1/widget/messages", headers=bearer(tampered))
    assert response.status_code == 401
    assert response.json()["error"]["code"] == "session_invalid"


@pytest.mark.parametrize(
    ("color", "sent"),
    [("#e33", "#ee3333"), ("#E3A1B2", "#e3a1b2"), ("#ee33", None), ("red", None), (7, None)],
)
def test_the_brand_colour_is_sent_as_rrggbb(
    server: ServerThread, sites: SiteFactory, color: object, sent: str | None
) -> None:
    """The plugin accepts #rgb; the widget gets #rrggbb, or no colour for a bad one."""
    site = sites.create(settings={"branding": {"color": color, "position": "left"}})
    branding = open_session(server.url, site)["config"]["branding"]
    assert (branding["color"], branding["position"]) == (sent, "left")
