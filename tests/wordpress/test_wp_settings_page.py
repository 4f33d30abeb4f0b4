"""Settings > shopchat on a real WordPress: saving, nonces, secrets, validation, test connection."""

from __future__ import annotations

import json
import re
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import httpx
import pytest

from tests.wordpress.wp_harness import WordPress, form_fields, free_port

PAGE = "/wp-admin/options-general.php?page=shopchat"
SECRET = "first-identity-secret-0123456789-ABCD"
VALID = {
    "enabled": "1",
    "server_url": "https://chat.example.com/",
    "site_key": "sk_settings_test",
    "site_id": "site_1",
    "position": "left",
    "color": "#AA3300",
    "display_mode": "list",
    "display_rules": "12, /shop/*",
    "status_basis": "total_spent",
    "regular_threshold": "100",
    "vip_threshold": "2500.50",
    "identity_secret": SECRET,
    "webhook_secret": "",
}


def settings_page(client: httpx.Client) -> str:
    response = client.get(PAGE)
    assert response.status_code == 200, response.text[:500]
    return response.text


def post_settings(
    client: httpx.Client, values: dict[str, str], *, nonce: str | None = None
) -> httpx.Response:
    """Submits the settings form as a browser would (hidden fields from the page)."""
    fields = form_fields(settings_page(client))
    if nonce is not None:
        fields["_wpnonce"] = nonce
    data = {**fields, **{f"shopchat_settings[{key}]": value for key, value in values.items()}}
    return client.post("/wp-admin/options.php", data=data)


def stored(wp: WordPress) -> dict[str, Any]:
    return wp.php_json("get_option( 'shopchat_settings' )")  # type: ignore[no-any-return]


@pytest.fixture
def admin(wp: WordPress) -> Iterator[httpx.Client]:
    wp.php(
        "update_option( 'shopchat_settings', shopchat_default_settings() );"
        "update_option( 'shopchat_identity_secret', '' );"
        "update_option( 'shopchat_webhook_secret', '' );"
    )
    with wp.admin() as client:
        yield client


def test_admin_saves_settings(wp: WordPress, admin: httpx.Client) -> None:
    response = post_settings(admin, VALID)
    assert response.status_code == 302
    assert "settings-updated=true" in response.headers["location"]
    assert stored(wp) == {
        "enabled": True,
        "server_url": "https://chat.example.com",
        "site_key": "sk_settings_test",
        "site_id": "site_1",
        "position": "left",
        "color": "#aa3300",
        "display_mode": "list",
        "display_rules": "12\n/shop/*",
        "status_basis": "total_spent",
        "regular_threshold": "100",
        "vip_threshold": "2500.50",
    }
    assert wp.php_json("get_option( 'shopchat_identity_secret' )") == SECRET
    html = admin.get(response.headers["location"]).text
    assert "Settings saved." in html


def test_secrets_are_not_autoloaded(wp: WordPress, admin: httpx.Client) -> None:
    post_settings(admin, {**VALID, "webhook_secret": "webhook-secret-0123456789-0123456789"})
    autoload = wp.php_json(
        "$GLOBALS['wpdb']->get_col( \"SELECT autoload FROM {$GLOBALS['wpdb']->options} "
        "WHERE option_name IN ( 'shopchat_identity_secret', 'shopchat_webhook_secret' )\" )"
    )
    assert autoload == ["no", "no"]


def test_secret_is_never_printed_back_in_full(wp: WordPress, admin: httpx.Client) -> None:
    post_settings(admin, VALID)
    html = settings_page(admin)
    assert SECRET not in html
    assert SECRET[:-4] not in html
    assert "ends in &quot;ABCD&quot;" in html or 'ends in "ABCD"' in html
    secret_input = re.search(
        r"<input[^>]*name=\"shopchat_settings\[identity_secret\]\"[^>]*>", html
    )
    assert (
        secret_input
        and 'value=""' in secret_input.group(0)
        and 'type="password"' in secret_input.group(0)
    )


def test_blank_secret_keeps_the_stored_one(wp: WordPress, admin: httpx.Client) -> None:
    post_settings(admin, VALID)
    post_settings(admin, {**VALID, "identity_secret": "", "site_key": "sk_other"})
    assert wp.php_json("get_option( 'shopchat_identity_secret' )") == SECRET
    assert stored(wp)["site_key"] == "sk_other"


def test_bad_nonce_is_rejected(wp: WordPress, admin: httpx.Client) -> None:
    post_settings(admin, VALID)
    response = post_settings(admin, {**VALID, "site_key": "sk_forged"}, nonce="0123456789")
    assert response.status_code == 403
    assert "link you followed has expired" in response.text
    assert stored(wp)["site_key"] == "sk_settings_test"


def test_subscriber_cannot_see_or_save_settings(wp: WordPress, admin: httpx.Client) -> None:
    nonce = form_fields(settings_page(admin))["_wpnonce"]
    with wp.customer() as customer:
        assert customer.get(PAGE).status_code == 403
        response = customer.post(
            "/wp-admin/options.php",
            data={
                "option_page": "shopchat",
                "action": "update",
                "_wpnonce": nonce,
                "shopchat_settings[site_key]": "sk_x",
            },
        )
    assert response.status_code == 403
    assert stored(wp)["site_key"] == ""


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("color", "red;}<script>", "The colour must be a hex colour"),
        ("server_url", "javascript:alert(1)", "The chat server URL must start with https://"),
        ("server_url", "http://chat.example.com", "The chat server URL must start with https://"),
        (
            "server_url",
            "https://user:pw@chat.example.com",
            "The chat server URL must start with https://",
        ),
        (
            "server_url",
            "https://chat.example.com/" + "a" * 300,
            "Chat server URL is too long (at most 200 characters)",
        ),
        ("site_key", "k" * 10_000, "Site key is too long (at most 100 characters)"),
        ("site_key", 'sk bad"key', "The site key may contain only"),
        ("site_id", "../../etc", "The site id may contain only"),
        ("position", "top", "The position must be left or right"),
        ("display_mode", "some", "Choose all pages"),
        ("display_rules", "<script>alert(1)</script>", "is neither a page id nor a path"),
        ("display_rules", "/x\n" * 1000, "Page list is too long"),
        ("status_basis", "reviews", "The customer status is decided by"),
        ("vip_threshold", "1", "The thresholds must be numbers"),
        ("regular_threshold", "-5", "The thresholds must be numbers"),
    ],
)
def test_bad_input_is_rejected_and_the_old_value_kept(
    wp: WordPress, admin: httpx.Client, field: str, value: str, message: str
) -> None:
    post_settings(admin, VALID)
    before = stored(wp)
    response = post_settings(admin, {**VALID, field: value, "identity_secret": ""})
    html = admin.get(response.headers["location"]).text
    assert message in html
    assert "notice-error" in html
    assert "<script>alert(1)" not in html
    assert stored(wp) == before


@pytest.mark.parametrize(
    "secret",
    [
        "31-characters-is-one-too-short!",
        "with spaces in the secret which is long enough",
        "s" * 300,
    ],
)
def test_bad_secret_is_rejected_and_the_old_one_kept(
    wp: WordPress, admin: httpx.Client, secret: str
) -> None:
    post_settings(admin, VALID)
    response = post_settings(admin, {**VALID, "identity_secret": secret})
    assert "Identity secret" in admin.get(response.headers["location"]).text
    assert wp.php_json("get_option( 'shopchat_identity_secret' )") == SECRET


def test_localhost_may_use_plain_http(wp: WordPress, admin: httpx.Client) -> None:
    post_settings(admin, {**VALID, "server_url": "http://localhost:8000"})
    assert stored(wp)["server_url"] == "http://localhost:8000"


def test_unchecked_box_disables_the_widget(wp: WordPress, admin: httpx.Client) -> None:
    post_settings(admin, VALID)
    values = {key: value for key, value in VALID.items() if key != "enabled"}
    post_settings(admin, values)
    assert stored(wp)["enabled"] is False


def test_page_is_translated_for_a_german_admin(wp: WordPress, admin: httpx.Client) -> None:
    wp.php("update_user_meta( 1, 'locale', 'de_DE' );")
    try:
        html = settings_page(admin)
    finally:
        wp.php("delete_user_meta( 1, 'locale' );")
    assert "URL des Chat-Servers" in html
    assert "Verbindung testen" in html


class ChatServerStub:
    """Answers /healthz and /api/v1/widget/session like the chat server (one key, one origin)."""

    def __init__(self, *, site_key: str, origin: str) -> None:
        self.requests: list[dict[str, object]] = []
        stub = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                stub.requests.append({"path": self.path})
                self._reply(200 if self.path == "/healthz" else 404, {"status": "ok"})

            def do_POST(self) -> None:
                raw = self.rfile.read(int(self.headers["Content-Length"]))
                if self.path.startswith("/api/v1/webhooks/woocommerce/"):
                    stub.requests.append({"path": self.path, "body": raw.decode()})
                    self._reply(200, {"ping": True, "duplicate": False})
                    return
                body = json.loads(raw)
                stub.requests.append(
                    {"path": self.path, "origin": self.headers["Origin"], "body": body}
                )
                if body.get("site_key") == site_key and self.headers["Origin"] == origin:
                    self._reply(
                        200,
                        {
                            "session_token": "t",
                            "conversation_id": "c",
                            "config": {},
                            "messages": [],
                        },
                    )
                else:
                    self._reply(403, {"detail": "origin not allowed for this site"})

            def _reply(self, status: int, payload: dict[str, object]) -> None:
                data = json.dumps(payload).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def log_message(self, *args: object) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def __enter__(self) -> ChatServerStub:
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.server.shutdown()
        self.server.server_close()
        self.thread.join()


def run_connection_test(admin: httpx.Client) -> dict[str, Any]:
    """Runs the "Test connection" button's request; returns the reply."""
    nonce = re.search(r'shopchatAdmin = \{[^}]*"nonce":"([0-9a-f]+)"', settings_page(admin))
    assert nonce, "no test-connection nonce on the page"
    response = admin.post(
        "/wp-admin/admin-ajax.php",
        data={"action": "shopchat_test_connection", "nonce": nonce.group(1)},
    )
    assert response.status_code == 200
    return response.json()  # type: ignore[no-any-return]


def test_connection_succeeds_against_the_server(wp: WordPress, admin: httpx.Client) -> None:
    with ChatServerStub(site_key="sk_settings_test", origin=wp.url) as server:
        post_settings(admin, {**VALID, "server_url": server.url})
        reply = run_connection_test(admin)
    assert reply["success"] is True
    assert [check["ok"] for check in reply["data"]["checks"]] == [True, True]
    assert f"accepts this site key from {wp.url}" in reply["data"]["checks"][1]["message"]
    assert server.requests[0] == {"path": "/healthz"}
    assert server.requests[1] == {
        "path": "/api/v1/widget/session",
        "origin": wp.url,
        "body": {"site_key": "sk_settings_test"},
    }


def test_connection_reports_a_refused_site_key(wp: WordPress, admin: httpx.Client) -> None:
    with ChatServerStub(site_key="sk_someone_else", origin=wp.url) as server:
        post_settings(admin, {**VALID, "server_url": server.url})
        reply = run_connection_test(admin)
    assert reply["success"] is False
    message = reply["data"]["checks"][1]["message"]
    assert "HTTP 403: origin not allowed for this site" in message
    assert "allowed origins" in message


def test_connection_reports_an_unreachable_server(wp: WordPress, admin: httpx.Client) -> None:
    post_settings(admin, {**VALID, "server_url": f"http://127.0.0.1:{free_port()}"})
    reply = run_connection_test(admin)
    assert reply["success"] is False
    assert "cannot be reached" in reply["data"]["checks"][0]["message"]
    assert len(reply["data"]["checks"]) == 1


def test_connection_needs_a_valid_nonce(wp: WordPress, admin: httpx.Client) -> None:
    response = admin.post(
        "/wp-admin/admin-ajax.php", data={"action": "shopchat_test_connection", "nonce": "bad"}
    )
    assert response.status_code == 403
    with wp.customer() as customer:
        response = customer.post(
            "/wp-admin/admin-ajax.php", data={"action": "shopchat_test_connection"}
        )
    assert response.status_code in {400, 403}
