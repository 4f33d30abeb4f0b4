"""Saving integrations: a destination the outbox would refuse is refused when saved, naming
the field, and nothing of the stored settings changes."""

from __future__ import annotations

import json
import uuid
from collections.abc import Callable
from typing import Any

import pytest
from markupsafe import escape

from shopchat.models import Site
from shopchat.settings import Settings
from tests.console.helpers import ConsoleClient, World, run_db
from tests.notify.receivers import scripted_dns

GOOD = {
    "slack": {"webhook_url": "https://hooks.slack.com/services/T0/B0/abc"},
    "discord": {"webhook_url": "https://discord.com/api/webhooks/1/abc"},
    "webhook": {"url": "https://hooks.shop-a.example/shopchat", "secret": "s3cret"},
    "email": {"to": ["team@shop-a.example"], "from": "chat@shop-a.example"},
}

REFUSED: list[tuple[dict[str, Any], str]] = [
    (
        {"slack": {"webhook_url": "https://hooks.slack.com@evil.example/services/x"}},
        "integrations.slack.webhook_url",
    ),
    ({"webhook": {"url": "http://hooks.shop-a.example/x"}}, "integrations.webhook.url"),
    ({"webhook": {"url": "https://127.1/x"}}, "integrations.webhook.url"),
    ({"webhook": {"url": "https://2130706433/x"}}, "integrations.webhook.url"),
    ({"webhook": {"url": "https://0x7f000001/x"}}, "integrations.webhook.url"),
    ({"webhook": {"url": "https://[::1]/x"}}, "integrations.webhook.url"),
    ({"webhook": {"url": "https://[::ffff:127.0.0.1]/x"}}, "integrations.webhook.url"),
    ({"webhook": {"url": "https://169.254.169.254/latest/meta-data"}}, "integrations.webhook.url"),
    ({"webhook": {"url": "https://10.0.0.5/x"}}, "integrations.webhook.url"),
    ({"webhook": {"url": "https://localhost:8000/x"}}, "integrations.webhook.url"),
    ({"webhook": {"url": "file:///etc/passwd"}}, "integrations.webhook.url"),
    ({"webhook": {"url": "gopher://127.0.0.1:25/x"}}, "integrations.webhook.url"),
    ({"webhook": {"url": 42}}, "integrations.webhook.url"),
    (
        {"slack": {"webhook_url": "https://hooks.shop-a.example/x"}},
        "integrations.slack.webhook_url",
    ),
    ({"discord": {"webhook_url": "https://discord.com/login"}}, "integrations.discord.webhook_url"),
    (
        {"email": {"to": ["a@shop-a.example"], "smtp": {"host": "smtp.shop-a.example"}}},
        "integrations.email.smtp",
    ),
    ({"email": {"to": [f"p{n}@shop-a.example" for n in range(6)]}}, "integrations.email.to"),
    ({"email": {"to": "a@b.example\r\nBcc: x@y.example"}}, "integrations.email.to"),
    (
        {"email": {"to": "a@shop-a.example", "from": "x@y.example, z@w.example"}},
        "integrations.email.from",
    ),
]


def _stored(settings: Settings, world: World) -> dict[str, Any]:
    async def read(session):  # type: ignore[no-untyped-def]
        site = await session.get(Site, uuid.UUID(world.a.site_id))
        return dict(site.settings.get("integrations") or {})

    return run_db(settings, read)  # type: ignore[no-any-return]


def test_valid_integrations_are_saved(
    console_settings: Settings, world: World, client: Callable[..., ConsoleClient]
) -> None:
    owner = client(world.a.email("owner"))
    saved = owner.post(
        f"/console/integrations/{world.a.site_id}", {"integrations": json.dumps(GOOD)}
    )
    assert saved.status_code == 200, saved.text
    stored = _stored(console_settings, world)
    assert set(stored) == set(GOOD) and "secret_enc" in stored["webhook"]


def test_a_refused_destination_is_422_naming_the_field_and_nothing_is_saved(
    console_settings: Settings, world: World, client: Callable[..., ConsoleClient]
) -> None:
    owner = client(world.a.email("owner"))
    path = f"/console/integrations/{world.a.site_id}"
    assert owner.post(path, {"integrations": json.dumps(GOOD)}).status_code == 200
    before = _stored(console_settings, world)
    for integrations, field in REFUSED:
        response = owner.post(path, {"integrations": json.dumps({**GOOD, **integrations})})
        assert response.status_code == 422, (integrations, response.text)
        error = response.json()["error"]
        assert error["message"].startswith(f"{field}"), (integrations, error)
    assert _stored(console_settings, world) == before


def test_the_form_shows_the_error_and_keeps_what_was_typed(
    console_settings: Settings, world: World, client: Callable[..., ConsoleClient]
) -> None:
    owner = client(world.a.email("owner"))
    typed = json.dumps({"webhook": {"url": "https://127.1/hook"}})
    page = owner.post(
        f"/console/integrations/{world.a.site_id}", {"integrations": typed}, fetch=False
    )
    assert page.status_code == 422 and "text/html" in page.headers["content-type"]
    assert 'role="alert"' in page.text and "integrations.webhook.url: 127.1 resolves" in page.text
    assert str(escape(typed)) in page.text  # in the textarea, to correct and send again
    assert _stored(console_settings, world) == {}


def test_a_name_that_resolves_to_a_private_address_is_refused_when_saved(
    console_settings: Settings,
    world: World,
    client: Callable[..., ConsoleClient],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    owner = client(world.a.email("owner"))
    dns = scripted_dns(monkeypatch)
    dns["hooks.slack.com"] = [["127.0.0.1"]]
    dns["hooks.shop-a.example"] = [["93.184.216.34", "192.168.0.10"]]
    path = f"/console/integrations/{world.a.site_id}"
    slack = owner.post(path, {"integrations": json.dumps({"slack": GOOD["slack"]})})
    assert slack.status_code == 422
    message = "integrations.slack.webhook_url: hooks.slack.com resolves to an address that is not"
    assert message in slack.text and "127.0.0.1" not in slack.text
    hook = owner.post(path, {"integrations": json.dumps({"webhook": GOOD["webhook"]})})
    assert hook.status_code == 422 and "hooks.shop-a.example resolves to" in hook.text
    assert "192.168" not in hook.text  # a private network's names are not mapped for anyone
    assert _stored(console_settings, world) == {}
