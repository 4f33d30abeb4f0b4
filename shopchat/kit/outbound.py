"""Outbound connections to addresses that tenants choose, without reaching the server's own.

A tenant's URL may name loopback, the private network or a cloud's metadata service in
many spellings (``127.1``, ``2130706433``, ``[::ffff:127.0.0.1]``, a name resolving there).
So the rules are applied to addresses, at connect time: a host is resolved once, every
address it has is checked, and the connection goes to a checked address; a name that
resolves elsewhere a moment later (DNS rebinding) is never looked up again for it. The
URL itself keeps its host, so the Host header, TLS SNI and certificate checks are unchanged.

The operator may list hosts that are allowed anyway (self-hosted receivers): names, as
written in URLs, and IP addresses or networks, matched against the resolved addresses.
"""

from __future__ import annotations

import asyncio
import ipaddress
import re
import socket
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

import httpcore
import httpx

from shopchat.kit.errors import BadInput

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address
IPNetwork = ipaddress.IPv4Network | ipaddress.IPv6Network
_NAT64 = ipaddress.IPv6Network("64:ff9b::/96")
_LABEL = r"[a-z0-9_]([a-z0-9_-]*[a-z0-9_])?"
_HOST_NAME = re.compile(rf"^{_LABEL}(\.{_LABEL})*\.?$")


class Refused(BadInput):
    """An outbound address or URL this server will not connect to."""

    status = 422
    code = "address_refused"


@dataclass(frozen=True, slots=True)
class Policy:
    """Which destinations are allowed beyond public HTTPS: the operator's list."""

    names: frozenset[str] = frozenset()
    networks: tuple[IPNetwork, ...] = ()

    @classmethod
    def allowing(cls, hosts: Iterable[str]) -> Policy:
        """A policy from host names, IP addresses and networks; ValueError on a bad entry."""
        names, networks = set(), []
        for entry in (h.strip().lower().strip("[]") for h in hosts):
            if not entry:
                continue
            try:
                networks.append(ipaddress.ip_network(entry, strict=False))
            except ValueError:
                if not _HOST_NAME.match(entry):
                    raise ValueError(f"{entry!r} is neither a host name nor an address") from None
                names.add(entry.rstrip("."))
        return cls(frozenset(names), tuple(networks))

    def lists_host(self, host: str) -> bool:
        """Whether the operator listed this URL host, by name or as an address in a network."""
        host = host.lower().strip("[]").rstrip(".")
        if host in self.names:
            return True
        literal = _literal(host)
        return literal is not None and self._in_networks(literal)

    def allows_address(self, address: IPAddress) -> bool:
        return is_public(address) or self._in_networks(address)

    def _in_networks(self, address: IPAddress) -> bool:
        return any(address.version == n.version and address in n for n in self.networks)


STRICT = Policy()


def is_public(address: IPAddress) -> bool:
    """A globally routable unicast address: not loopback, private, link-local, reserved…"""
    if isinstance(address, ipaddress.IPv6Address):
        embedded = address.ipv4_mapped or address.sixtofour
        if embedded is None and address in _NAT64:
            embedded = ipaddress.IPv4Address(int(address) & 0xFFFFFFFF)
        if embedded is not None:
            return is_public(embedded)
    return address.is_global and not (
        address.is_multicast
        or address.is_reserved
        or address.is_loopback
        or address.is_link_local
        or address.is_unspecified
        or address.is_private
    )


def check_url(
    url: str, *, policy: Policy, field: str = "url", hosts: Iterable[str] = ()
) -> httpx.URL:
    """The parsed URL if its shape is allowed: https (plain http only to a listed host),
    a host, and one of ``hosts`` when given. Addresses are checked when connecting."""
    try:
        parsed = httpx.URL(url)
    except (httpx.InvalidURL, TypeError):
        raise Refused(f"{field}: not a valid URL", code="bad_url") from None
    listed = bool(parsed.host) and policy.lists_host(parsed.host)
    if parsed.scheme != "https" and not (parsed.scheme == "http" and listed):
        raise Refused(f"{field}: must be an https:// URL")
    check_host(parsed.host, policy=policy, field=field, hosts=hosts)
    return parsed


def check_host(
    host: str, *, policy: Policy, field: str = "host", hosts: Iterable[str] = ()
) -> None:
    """Refused when ``host`` is plainly not allowed (before resolving it): empty, this
    server, a literal address that is not public, or not one of ``hosts`` when given."""
    if not host:
        raise Refused(f"{field}: a host is required")
    if policy.lists_host(host):
        return
    name = host.lower().rstrip(".")
    if name == "localhost" or name.endswith(".localhost"):
        raise Refused(f"{field}: {host} is this server")
    if (literal := _literal(host)) is not None and not policy.allows_address(literal):
        raise Refused(f"{field}: {host} is not a public address")
    allowed = tuple(hosts)
    if allowed and name not in allowed:
        raise Refused(f"{field}: the host must be {' or '.join(allowed)}")


async def resolve(host: str, port: int, *, policy: Policy, field: str = "host") -> list[str]:
    """Every address of ``host``, each checked; Refused when any of them is not allowed.

    OSError (``socket.gaierror``) when the name does not resolve.
    """
    # socket.getaddrinfo in a thread, as asyncio's loop does (uvloop would use libuv's own).
    return await asyncio.to_thread(resolve_blocking, host, port, policy=policy, field=field)


def resolve_blocking(host: str, port: int, *, policy: Policy, field: str = "host") -> list[str]:
    """:func:`resolve` for code that runs in a thread (smtplib)."""
    infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    return _checked(host, infos, policy=policy, field=field)


def _checked(host: str, infos: list[Any], *, policy: Policy, field: str) -> list[str]:
    if policy.lists_host(host):
        return _unique(str(info[4][0]) for info in infos)
    addresses = _unique(str(info[4][0]).split("%")[0] for info in infos)
    where = f"{field}: " if field else ""
    for address in addresses:
        if not policy.allows_address(ipaddress.ip_address(address)):
            # Which address stays unsaid: the answer would map a private network's names.
            raise Refused(f"{where}{host} resolves to an address that is not public")
    if not addresses:
        raise Refused(f"{where}{host} has no address")
    return addresses


def _unique(values: Iterable[str]) -> list[str]:
    return list(dict.fromkeys(values))


def _literal(host: str) -> IPAddress | None:
    try:
        return ipaddress.ip_address(host.strip("[]"))
    except ValueError:
        return None


class _GuardedBackend(httpcore.AsyncNetworkBackend):
    """Resolves and checks at connect time, then connects to a checked address."""

    def __init__(self, policy: Policy) -> None:
        self.policy = policy
        self.inner = httpcore.AnyIOBackend()

    async def connect_tcp(
        self,
        host: str,
        port: int,
        timeout: float | None = None,  # noqa: ASYNC109 (httpcore's interface)
        local_address: str | None = None,
        socket_options: Iterable[Any] | None = None,
    ) -> httpcore.AsyncNetworkStream:
        try:
            addresses = await resolve(host, port, policy=self.policy, field="")
        except OSError as exc:
            raise httpcore.ConnectError(f"{host}: {exc}") from exc
        error: Exception | None = None
        for address in addresses:
            try:
                return await self.inner.connect_tcp(
                    address, port, timeout, local_address, socket_options
                )
            except (httpcore.ConnectError, httpcore.ConnectTimeout) as exc:
                error = exc
        assert error is not None
        raise error

    async def connect_unix_socket(self, *args: Any, **kwargs: Any) -> httpcore.AsyncNetworkStream:
        raise Refused("unix sockets are not an outbound destination")

    async def sleep(self, seconds: float) -> None:
        await self.inner.sleep(seconds)


class GuardedTransport(httpx.AsyncHTTPTransport):
    """An httpx transport that refuses URLs and addresses outside ``policy``; no proxies."""

    def __init__(self, policy: Policy, **kwargs: Any) -> None:
        super().__init__(trust_env=False, **kwargs)
        self.policy = policy
        # httpx has no public hook for the network backend: the pool is built again with ours.
        self._pool = httpcore.AsyncConnectionPool(
            ssl_context=httpx.create_ssl_context(trust_env=False),
            network_backend=_GuardedBackend(policy),
        )

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        check_url(str(request.url), policy=self.policy)
        return await super().handle_async_request(request)


def guarded_client(*, policy: Policy, timeout: float) -> httpx.AsyncClient:
    """An httpx client for tenant-chosen URLs: checked addresses, no redirects, no proxies."""
    return httpx.AsyncClient(
        transport=GuardedTransport(policy),
        timeout=timeout,
        follow_redirects=False,
        trust_env=False,
    )
