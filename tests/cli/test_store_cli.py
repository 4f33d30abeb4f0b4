"""``shopchat site connect-store`` against the WooCommerce test store, and ``plugin build``;
the database is the backend's of the current parameter (SQLite and PostgreSQL)."""

from __future__ import annotations

import json
import ssl
import subprocess
import threading
import uuid
import zipfile
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import httpx
import pytest

from shopchat.commerce.registry import decrypt_store_credentials
from shopchat.models import Site
from shopchat.settings import Settings
from tests.support.cli import run_command
from tests.support.server import free_port
from tests.support.sites import SiteFactory
from tests.support.woocommerce_store import (
    CONSUMER_KEY,
    CONSUMER_SECRET,
    CUSTOMER_ROLE_KEY,
    CUSTOMER_ROLE_SECRET,
    WooCommerceTestStore,
    running_store,
    self_signed_certificate,
)


def shopchat(
    settings: Settings, *args: str, stdin: str = "", extra_env: dict[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    """The command on the test's database (the store checks may retry: a longer timeout)."""
    env = {"SHOPCHAT_DATABASE_URL": settings.database_url, **(extra_env or {})}
    return run_command(args, data_dir=settings.data_dir, stdin=stdin, env=env, timeout=90)


@pytest.fixture
def woo() -> Iterator[WooCommerceTestStore]:
    with WooCommerceTestStore() as store:
        yield store


def stored(sites: SiteFactory, site_id: str) -> Site:
    async def load(session: Any) -> Site:
        return await session.get(Site, uuid.UUID(site_id))  # type: ignore[no-any-return]

    return sites.run(load)  # type: ignore[no-any-return]


def connect(settings: Settings, site_key: str, url: str, key: str, secret: str, *extra: str) -> Any:
    return shopchat(
        settings,
        "site",
        "connect-store",
        "--site-key",
        site_key,
        "--url",
        url,
        "--consumer-key",
        key,
        "--consumer-secret",
        secret,
        *extra,
    )


def test_connect_store_checks_and_keeps_the_keys_encrypted(
    backend_settings: Settings, sites: SiteFactory, woo: WooCommerceTestStore
) -> None:
    site = sites.create()
    result = connect(
        backend_settings, site.site_key, woo.url + "/", CONSUMER_KEY, CONSUMER_SECRET, "--check"
    )
    assert result.returncode == 0, result.stderr
    assert "checked" in result.stdout
    assert woo.api_requests("products") and woo.api_requests("orders")
    row = stored(sites, site.site_id)
    assert row.store_url == woo.url
    assert CONSUMER_SECRET not in (row.store_credentials_enc or "")
    credentials = decrypt_store_credentials(
        row.store_credentials_enc or "", backend_settings.decryption_keys
    )
    assert (credentials.consumer_key, credentials.consumer_secret) == (
        CONSUMER_KEY,
        CONSUMER_SECRET,
    )


def test_the_secret_can_come_from_stdin(
    backend_settings: Settings, sites: SiteFactory, woo: WooCommerceTestStore
) -> None:
    site = sites.create()
    args = ("site", "connect-store", "--site-key", site.site_key, "--url", woo.url)
    result = shopchat(
        backend_settings,
        *args,
        "--consumer-key",
        CONSUMER_KEY,
        "--consumer-secret",
        "-",
        "--check",
        stdin=CONSUMER_SECRET + "\n",
    )
    assert result.returncode == 0, result.stderr


@pytest.mark.parametrize(
    "key, secret",
    [
        (CONSUMER_KEY, "cs_" + "0" * 40),
        ("ck_" + "0" * 40, CONSUMER_SECRET),
        (CUSTOMER_ROLE_KEY, CUSTOMER_ROLE_SECRET),
    ],
    ids=["wrong-secret", "unknown-key", "user-cannot-read"],
)
def test_connect_store_with_wrong_keys_says_so_and_keeps_nothing(
    backend_settings: Settings,
    sites: SiteFactory,
    woo: WooCommerceTestStore,
    key: str,
    secret: str,
) -> None:
    site = sites.create()
    result = connect(backend_settings, site.site_key, woo.url, key, secret, "--check")
    assert result.returncode == 2
    assert "the store refused these keys" in result.stderr
    assert "REST API" in result.stderr and "Traceback" not in result.stderr
    assert secret not in result.stderr
    row = stored(sites, site.site_id)
    assert row.store_url is None and row.store_credentials_enc is None


def test_connect_store_to_an_unreachable_store_says_so(
    backend_settings: Settings, sites: SiteFactory
) -> None:
    site = sites.create()
    url = f"http://127.0.0.1:{free_port()}"
    result = connect(backend_settings, site.site_key, url, CONSUMER_KEY, CONSUMER_SECRET, "--check")
    assert result.returncode == 2
    assert f"could not read the store at {url}" in result.stderr
    assert "Traceback" not in result.stderr
    assert stored(sites, site.site_id).store_url is None


@pytest.mark.parametrize(
    "url, key, secret, message",
    [
        ("shop.example", CONSUMER_KEY, CONSUMER_SECRET, "--url must look like"),
        ("ftp://shop.example", CONSUMER_KEY, CONSUMER_SECRET, "--url must look like"),
        ("https://shop.example", "key", CONSUMER_SECRET, "start with ck_"),
        ("https://shop.example", CONSUMER_KEY, "secret", "start with ck_"),
    ],
)
def test_connect_store_refuses_nonsense(
    backend_settings: Settings, sites: SiteFactory, url: str, key: str, secret: str, message: str
) -> None:
    site = sites.create()
    result = connect(backend_settings, site.site_key, url, key, secret)
    assert result.returncode == 2 and message in result.stderr


def test_connect_store_to_an_unknown_site(backend_settings: Settings) -> None:
    result = connect(
        backend_settings, "sc_nope", "https://shop.example", CONSUMER_KEY, CONSUMER_SECRET
    )
    assert result.returncode == 2 and "no site with key 'sc_nope'" in result.stderr


def test_plugin_build_writes_the_installable_zip(
    backend_settings: Settings, tmp_path: Path
) -> None:
    result = shopchat(backend_settings, "plugin", "build", "--output", str(tmp_path / "dist"))
    assert result.returncode == 0, result.stderr
    target = Path(result.stdout.strip())
    assert target == tmp_path / "dist" / "shopchat-wordpress.zip"
    with zipfile.ZipFile(target) as archive:
        names = archive.namelist()
        assert "shopchat/shopchat.php" in names
        assert "Plugin Name:" in archive.read("shopchat/shopchat.php").decode()
    assert all(name.startswith("shopchat/") for name in names)
    assert json.dumps(names)  # plain names, nothing odd


class _Redirector(BaseHTTPRequestHandler):
    """A shop that sends the REST API elsewhere, query string and all (as WordPress's
    canonical redirect does from http:// to https://)."""

    def do_GET(self) -> None:
        self.send_response(301)
        self.send_header("Location", "https://shop.example" + self.path)
        self.send_header("Content-Length", "0")
        self.end_headers()

    def log_message(self, *args: object) -> None:
        pass


@contextmanager
def serving(handler: type[BaseHTTPRequestHandler], *, tls: ssl.SSLContext | None = None) -> Any:
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    if tls is not None:
        server.socket = tls.wrap_socket(server.socket, server_side=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        scheme = "https" if tls else "http"
        yield f"{scheme}://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()
        thread.join()


def test_a_redirecting_store_url_never_prints_the_credentials(
    backend_settings: Settings, sites: SiteFactory
) -> None:
    site = sites.create()
    with serving(_Redirector) as url:
        result = connect(
            backend_settings, site.site_key, url, CONSUMER_KEY, CONSUMER_SECRET, "--check"
        )
    assert result.returncode == 2
    assert "redirects to https://shop.example/wp-json/wc/v3/products" in result.stderr
    output = result.stdout + result.stderr
    assert CONSUMER_KEY not in output and CONSUMER_SECRET not in output
    assert "oauth_signature" not in output and "oauth_consumer_key" not in output
    assert stored(sites, site.site_id).store_url is None


def tls_proxy_to(upstream: str) -> type[BaseHTTPRequestHandler]:
    """TLS ends here; WordPress behind it gets plain HTTP and no X-Forwarded-Proto."""

    class Proxy(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            headers = {k: v for k, v in self.headers.items() if k.lower() in {"authorization"}}
            headers["Host"] = self.headers["Host"]
            answer = httpx.get(upstream + self.path, headers=headers, timeout=10)
            self.send_response(answer.status_code)
            for name in ("Content-Type", "X-WP-Total", "X-WP-TotalPages"):
                if name in answer.headers:
                    self.send_header(name, answer.headers[name])
            self.send_header("Content-Length", str(len(answer.content)))
            self.end_headers()
            self.wfile.write(answer.content)

        def log_message(self, *args: object) -> None:
            pass

    return Proxy


def test_https_ending_at_a_proxy_is_named_not_blamed_on_the_keys(
    backend_settings: Settings, sites: SiteFactory, woo: WooCommerceTestStore, tmp_path: Path
) -> None:
    cert, key = self_signed_certificate(tmp_path)
    tls = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    tls.load_cert_chain(cert, key)
    site = sites.create()
    with serving(tls_proxy_to(woo.url), tls=tls) as url:
        result = shopchat(
            backend_settings,
            *("site", "connect-store", "--site-key", site.site_key, "--url", url),
            *("--consumer-key", CONSUMER_KEY, "--consumer-secret", CONSUMER_SECRET, "--check"),
            extra_env={"SSL_CERT_FILE": str(cert)},
        )
    assert result.returncode == 2, result.stdout
    assert "WordPress does not know it" in result.stderr
    assert "X-Forwarded-Proto" in result.stderr and "the keys themselves are fine" in result.stderr
    assert "refused these keys" not in result.stderr and CONSUMER_SECRET not in result.stderr
    # Basic first, then OAuth signed as WooCommerce signs behind such a proxy (http://)
    oauth = [r for r in woo.api_requests("products") if "oauth_signature" in r.params]
    assert oauth, woo.requests
    assert stored(sites, site.site_id).store_url is None


def test_wrong_keys_over_https_are_still_the_keys(
    backend_settings: Settings, sites: SiteFactory, tmp_path: Path
) -> None:
    cert, key = self_signed_certificate(tmp_path)
    with running_store(tls=(cert, key)) as woo:
        site = sites.create()
        result = shopchat(
            backend_settings,
            *("site", "connect-store", "--site-key", site.site_key, "--url", woo.url),
            *("--consumer-key", CONSUMER_KEY, "--consumer-secret", "cs_" + "0" * 40, "--check"),
            extra_env={"SSL_CERT_FILE": str(cert)},
        )
    assert result.returncode == 2
    assert "the store refused these keys" in result.stderr
    assert "X-Forwarded-Proto" not in result.stderr
