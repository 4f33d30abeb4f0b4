"""Every HTTP route of the OpenAPI schema, tried with hostile values: never a 5xx.

Two passes over a real server on each backend: a sweep that sends every kind of hostile
value to every route once (so no route is missed), then a property-based pass where
hypothesis combines values, fields and routes at random. Requests carry real credentials
(a widget session, a signed-in owner with CSRF, a signed webhook) so that the values reach
the handlers rather than stopping at the sign-in check.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote

import httpx
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from shopchat.app import create_app
from shopchat.settings import Settings
from shopchat.site.service import SiteCredentials
from tests.console.helpers import ConsoleClient, seed_world
from tests.support.chat import open_session
from tests.support.server import ServerProcess

DEEP = "[" * 3000 + "]" * 3000
# Raw JSON texts: what json.dumps cannot write, or writes only as escapes.
HOSTILE_JSON = [
    '"\\ud800"',  # a lone surrogate
    '"a\\udfffb"',
    "18446744073709551616",  # 2**64
    "-9223372036854775809",  # one below the 64-bit minimum
    "1" * 5000,  # past Python's integer-string limit
    "1e400",
    DEEP,
    '{"a":' * 3000 + "1" + "}" * 3000,
    "null",
    "true",
    "[]",
    "{}",
    '"' + "🦊" * 20000 + '"',
    '"\\u0000"',
]
HOSTILE_TEXT = [
    "",
    " ",
    "\x00",
    "%00",
    "\u202e",
    "' OR '1'='1",
    "<script>alert(1)</script>",
    "{{7*7}}",
    "../../etc/passwd",
    "18446744073709551616",
    "-1",
    "NaN",
    "1e400",
    "00000000-0000-0000-0000-000000000000",
    "🦊" * 300,
    "x" * 8000,
]
LONG_FIELD = "x" * 70_000  # past the body limit; only in forms, a URL that long is refused
# Percent-encodings of bytes that are no UTF-8 (a surrogate, a lone continuation byte).
HOSTILE_PATH = [*(quote(t, safe="") for t in HOSTILE_TEXT if t), "%ED%A0%80", "%C0%AF", "%FF"]
FORM_FIELDS = (
    "name email role password code text body title question answer integrations agent_id "
    "team_id to_agent_id to_team_id status availability shortcut delete remove decision "
    "enabled view q current conversation_id"
).split()
SKIPPED = {("POST", "/console/logout")}  # would sign the sweep's owner out


@dataclass
class Target:
    url: str
    site: SiteCredentials
    token: str
    owner: ConsoleClient
    ids: dict[str, str]

    def path(self, template: str, hostile: str | None) -> str:
        def fill(match: re.Match[str]) -> str:
            return hostile if hostile is not None else self.ids.get(match.group(1), "x")

        return re.sub(r"\{(\w+)\}", fill, template)


@pytest.fixture(scope="module")
def operations(backend_settings: Settings) -> list[tuple[str, str, dict[str, Any]]]:
    spec = create_app(backend_settings).openapi()
    found = [
        (method.upper(), path, op)
        for path, ops in spec["paths"].items()
        for method, op in ops.items()
        if (method.upper(), path) not in SKIPPED
    ]
    assert len(found) >= 35, "the sweep sees too few routes: is the schema still complete?"
    return found


@pytest.fixture(scope="module")
def target(backend_settings: Settings) -> Iterator[Target]:
    # A server of its own, trips login limits other tests rely on; and a process of its own,
    # since hypothesis refuses a run whose global `random` moved while it drew a value (as
    # the server's retry jitter in another thread does).
    server = ServerProcess(
        {
            "SHOPCHAT_ENV": "test",
            "SHOPCHAT_DATA_DIR": str(backend_settings.data_dir),
            "SHOPCHAT_DATABASE_URL": backend_settings.database_url,
            "SHOPCHAT_SESSIONS_PER_IP_PER_MINUTE": "1000000",
        }
    ).start()
    world = seed_world(backend_settings)
    owner = ConsoleClient(server.url)
    assert owner.login(world.a.email("owner")).status_code == 303
    opened = open_session(server.url, world.a.credentials)
    ids = {
        "site_id": world.a.site_id,
        "conversation_id": opened["conversation_id"],
        "agent_id": str(world.a.agents["agent"]),
        "name": "console.js",
    }
    yield Target(server.url, world.a.credentials, opened["session_token"], owner, ids)
    owner.close()
    server.stop()


def send(
    target: Target,
    method: str,
    template: str,
    op: dict[str, Any],
    *,
    hostile_path: str | None = None,
    query: str | None = None,
    body: str | None = None,
    form: dict[str, str] | None = None,
) -> httpx.Response:
    """One request as a client with real credentials would send it, but for the values."""
    headers = {"Origin": "https://shop.example", "x-requested-with": "fetch"}
    params = {
        p["name"]: query
        for p in op.get("parameters", [])
        if p["in"] == "query" and query is not None
    }
    if template.startswith("/api/v1/widget/") or template.startswith("/api/v1/attachments"):
        headers["Authorization"] = f"Bearer {target.token}"
    if template.startswith("/console"):
        headers["x-csrf-token"] = target.owner.csrf
    content: bytes | None = None
    if body is not None:
        content = body.encode("utf-8", "surrogatepass")
        headers["content-type"] = "application/json"
    elif form is not None and method == "POST":
        content = "&".join(f"{k}={quote(v, safe='')}" for k, v in form.items()).encode()
        headers["content-type"] = "application/x-www-form-urlencoded"
    if template.startswith("/api/v1/webhooks/"):
        payload = content or b"{}"
        digest = hmac.new(target.site.webhook_secret.encode(), payload, hashlib.sha256)
        headers["x-wc-webhook-signature"] = base64.b64encode(digest.digest()).decode()
        headers["x-wc-webhook-topic"] = "order.updated"
        headers["content-type"] = "application/json"
    return target.owner.http.request(
        method,
        target.url + target.path(template, hostile_path),
        params=params,
        content=content,
        headers=headers,
        timeout=30,
    )


def assert_no_server_error(response: httpx.Response, what: str) -> None:
    assert response.status_code < 500, f"{what}: {response.status_code} {response.text[:300]}"


def test_every_route_takes_every_kind_of_hostile_value(
    target: Target, operations: list[tuple[str, str, dict[str, Any]]]
) -> None:
    sent = 0
    for method, template, op in operations:
        tries: list[dict[str, Any]] = [{"query": t} for t in HOSTILE_TEXT[:8]]
        if "{" in template:
            tries += [{"hostile_path": p} for p in HOSTILE_PATH]
        if method != "GET":
            tries += [{"body": raw} for raw in HOSTILE_JSON]
            tries += [{"body": _object_with(op, raw)} for raw in HOSTILE_JSON[:8]]
            tries += [{"form": dict.fromkeys(FORM_FIELDS, t)} for t in [*HOSTILE_TEXT, LONG_FIELD]]
        for attempt in tries:
            response = send(target, method, template, op, **attempt)
            assert_no_server_error(response, f"{method} {template} {str(attempt)[:120]}")
            sent += 1
    assert sent > 1000
    assert httpx.get(f"{target.url}/healthz").status_code == 200


def _object_with(op: dict[str, Any], raw: str) -> str:
    """A JSON object with each of the route's body fields (or a few guesses) set to ``raw``."""
    schema = op.get("requestBody", {}).get("content", {}).get("application/json", {})
    ref = schema.get("schema", {}).get("$ref", "")
    names = _SCHEMA_FIELDS.get(ref.rsplit("/", 1)[-1], ["text", "client_id", "site_key"])
    return "{" + ",".join(f'"{name}":{raw}' for name in names) + "}"


_SCHEMA_FIELDS = {
    "SessionCreate": ["site_key", "identity", "session_id", "context"],
    "MessageCreate": ["client_id", "text", "attachments"],
}


@st.composite
def hostile_requests(draw: st.DrawFn, operations: list[tuple[str, str, dict[str, Any]]]) -> Any:
    method, template, op = draw(st.sampled_from(operations))
    text = st.sampled_from(HOSTILE_TEXT) | st.text(max_size=40)
    attempt: dict[str, Any] = {"query": draw(st.none() | text)}
    if "{" in template:
        attempt["hostile_path"] = draw(st.none() | st.sampled_from(HOSTILE_PATH))
    if method != "GET":
        raw = st.sampled_from(HOSTILE_JSON) | text.map(json.dumps)
        fields = st.dictionaries(st.sampled_from(FORM_FIELDS), text, max_size=6)
        choice = draw(st.sampled_from(["body", "object", "form"]))
        if choice == "body":
            attempt["body"] = draw(raw)
        elif choice == "object":
            attempt["body"] = _object_with(op, draw(raw))
        else:
            attempt["form"] = draw(fields)
    return method, template, op, attempt


def test_hostile_combinations_never_answer_5xx(
    target: Target, operations: list[tuple[str, str, dict[str, Any]]]
) -> None:
    @settings(
        max_examples=150,
        deadline=None,
        database=None,
        suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
    )
    @given(request=hostile_requests(operations))
    def check(request: Any) -> None:
        method, template, op, attempt = request
        response = send(target, method, template, op, **attempt)
        assert_no_server_error(response, f"{method} {template} {str(attempt)[:120]}")

    check()
