"""The outbound address policy: what is refused, in every spelling, before any connection."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from shopchat.kit import outbound
from shopchat.kit.outbound import Policy, Refused
from shopchat.settings import SettingsError
from tests.conftest import make_settings
from tests.notify.receivers import (
    HttpReceiver,
    Listener,
    scripted_dns,
    self_signed_server_context,
)

# Each reaches this machine, its private network or a cloud's metadata service.
REFUSED_HOSTS = [
    "127.0.0.1",
    "127.1",
    "2130706433",
    "0x7f000001",
    "017700000001",
    "[::1]",
    "[::ffff:127.0.0.1]",
    "[::ffff:7f00:1]",
    "[64:ff9b::7f00:1]",
    "[2002:7f00:1::]",
    "0.0.0.0",  # noqa: S104 (a destination, not a binding)
    "0",
    "[::]",
    "localhost",
    "LocalHost.",
    "shop.localhost",
    "10.0.0.1",
    "172.16.0.1",
    "172.31.255.254",
    "192.168.1.1",
    "169.254.169.254",
    "[fe80::1]",
    "[fd00:ec2::254]",
    "100.64.0.1",
    "224.0.0.1",
    "239.255.255.250",
    "[ff02::1]",
    "198.18.0.1",
    "240.0.0.1",
    "255.255.255.255",
]


@pytest.fixture
def listener() -> Iterator[Listener]:
    running = Listener().start()
    yield running
    running.stop()


@pytest.fixture
def fake_dns(monkeypatch: pytest.MonkeyPatch) -> dict[str, list[list[str]]]:
    return scripted_dns(monkeypatch)


@pytest.mark.parametrize("host", REFUSED_HOSTS)
async def test_a_private_address_is_refused_in_every_spelling(
    host: str, listener: Listener
) -> None:
    url = f"https://{host}:{listener.port}/hook"
    async with outbound.guarded_client(policy=outbound.STRICT, timeout=5) as client:
        with pytest.raises(Refused, match=r"not (a )?public|is this server"):
            await client.post(url, json={"x": 1})
    assert listener.connections == []


@pytest.mark.parametrize(
    "url",
    [
        "file:///etc/passwd",
        "gopher://127.0.0.1:{port}/_HELO",
        "http://127.0.0.1:{port}/",
        "http://hooks.slack.com/services/x",
        "ftp://127.0.0.1:{port}/",
        "dict://127.0.0.1:{port}/",
    ],
)
async def test_only_https_is_sent(url: str, listener: Listener) -> None:
    async with outbound.guarded_client(policy=outbound.STRICT, timeout=5) as client:
        with pytest.raises(Refused, match="must be an https:// URL"):
            await client.post(url.format(port=listener.port), json={})
    assert listener.connections == []


def test_check_url_refuses_before_resolving() -> None:
    policy = outbound.STRICT
    assert outbound.check_url("https://hooks.slack.com/services/T/B/x", policy=policy)
    for url in ("https:///path", "https://", "not a url", "https://[::1/"):
        with pytest.raises(Refused, match="field"):
            outbound.check_url(url, policy=policy, field="field")
    with pytest.raises(Refused, match=r"hooks\.slack\.com"):
        outbound.check_url("https://evil.example/x", policy=policy, hosts=["hooks.slack.com"])


async def test_a_name_resolving_to_any_private_address_is_refused(
    listener: Listener, fake_dns: dict[str, list[list[str]]]
) -> None:
    fake_dns["inside.example"] = [["127.0.0.1"]]
    fake_dns["mixed.example"] = [["93.184.216.34", "127.0.0.1"]]
    fake_dns["metadata.example"] = [["169.254.169.254"]]
    async with outbound.guarded_client(policy=outbound.STRICT, timeout=5) as client:
        for name in ("inside.example", "mixed.example", "metadata.example"):
            with pytest.raises(Refused, match=f"{name} resolves to"):
                await client.post(f"https://{name}:{listener.port}/", json={})
    assert listener.connections == []


async def test_a_name_is_resolved_once_and_the_checked_address_is_the_one_connected(
    tmp_path: Path, fake_dns: dict[str, list[list[str]]]
) -> None:
    """DNS rebinding: the first answer is allowed, every later one points elsewhere. The
    connection goes to the checked address, with the name kept for TLS (SNI)."""
    listener = Listener(("127.0.0.2", "127.0.0.3")).start(
        tls=self_signed_server_context(tmp_path, "rebind.example")
    )
    fake_dns["rebind.example"] = [["127.0.0.2"], ["127.0.0.3"]]
    policy = Policy.allowing(["127.0.0.2"])
    try:
        async with outbound.guarded_client(policy=policy, timeout=5) as client:
            # The certificate is self-signed, so TLS fails; the connection was still made.
            with pytest.raises(httpx.ConnectError, match="CERTIFICATE_VERIFY_FAILED"):
                await client.post(f"https://rebind.example:{listener.port}/", json={})
            assert fake_dns["lookups:rebind.example"] == [[]]
            assert listener.connections == ["127.0.0.2"]
            assert listener.server_names == ["rebind.example"]
            # The next connection resolves again, gets the rebound address, and is refused.
            with pytest.raises(Refused, match=r"rebind\.example resolves to an"):
                await client.post(f"https://rebind.example:{listener.port}/", json={})
        assert listener.connections == ["127.0.0.2"]
    finally:
        listener.stop()


async def test_redirects_are_not_followed() -> None:
    target, redirector = HttpReceiver().start(), HttpReceiver(statuses=[302]).start()
    redirector.location = target.url("/inside")
    try:
        policy = Policy.allowing(["127.0.0.1"])
        async with outbound.guarded_client(policy=policy, timeout=5) as client:
            response = await client.post(redirector.url(), json={})
        assert response.status_code == 302 and len(redirector.requests) == 1
        assert target.requests == []
    finally:
        target.stop()
        redirector.stop()


async def test_proxies_from_the_environment_are_not_used(
    monkeypatch: pytest.MonkeyPatch, listener: Listener
) -> None:
    receiver = HttpReceiver().start()
    proxy = f"http://127.0.0.1:{listener.port}"
    for name in ("HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY", "http_proxy", "https_proxy"):
        monkeypatch.setenv(name, proxy)
    monkeypatch.delenv("NO_PROXY", raising=False)
    monkeypatch.delenv("no_proxy", raising=False)
    try:
        policy = Policy.allowing(["127.0.0.1"])
        async with outbound.guarded_client(policy=policy, timeout=5) as client:
            assert (await client.post(receiver.url(), json={})).status_code == 200
        assert len(receiver.requests) == 1 and listener.connections == []
    finally:
        receiver.stop()


async def test_listed_hosts_are_allowed_and_nothing_else(listener: Listener) -> None:
    policy = Policy.allowing(["127.0.0.1", "Receiver.Internal."])
    assert policy.lists_host("127.0.0.1") and policy.lists_host("receiver.internal")
    assert not policy.lists_host("127.1") and not policy.lists_host("localhost")
    # Plain http only to a host listed as written; https to an address in a listed network.
    outbound.check_url(f"http://127.0.0.1:{listener.port}/", policy=policy)
    with pytest.raises(Refused, match="https"):
        outbound.check_url(f"http://localhost:{listener.port}/", policy=policy)
    assert await outbound.resolve("127.1", 443, policy=policy) == ["127.0.0.1"]
    with pytest.raises(Refused):
        await outbound.resolve("127.0.0.2", 443, policy=policy)
    networks = Policy.allowing(["10.0.0.0/8", "fd00::/8"])
    assert networks.allows_address(outbound.ipaddress.ip_address("10.1.2.3"))
    assert not networks.allows_address(outbound.ipaddress.ip_address("192.168.1.1"))


def test_public_addresses_are_allowed() -> None:
    for address in ("93.184.216.34", "1.1.1.1", "2606:4700:4700::1111", "::ffff:1.1.1.1"):
        assert outbound.is_public(outbound.ipaddress.ip_address(address)), address


def test_a_bad_allowed_host_stops_start_up(tmp_path: Path) -> None:
    with pytest.raises(SettingsError, match="SHOPCHAT_OUTBOUND_ALLOWED_HOSTS"):
        make_settings(tmp_path, outbound_allowed_hosts="ok.internal, bad host!")
    settings = make_settings(tmp_path, outbound_allowed_hosts="ok.internal, 10.0.0.0/8")
    assert settings.outbound_policy.lists_host("ok.internal")
    assert settings.outbound_policy.lists_host("10.9.9.9")
    assert make_settings(tmp_path).outbound_policy == outbound.STRICT
