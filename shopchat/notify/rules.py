"""Where an integration may send: checked when it is saved and again before every send.

Slack and Discord URLs must be on their own hosts; the generic webhook on any public
https host; email goes through the operator's relay unless sites may choose their own.
Hosts the operator listed (``SHOPCHAT_OUTBOUND_ALLOWED_HOSTS``) skip the host rules, so a
self-hosted Mattermost (Slack-compatible) or an internal receiver can be used.
"""

from __future__ import annotations

import contextlib
import re
from typing import Any, NamedTuple

from shopchat.kit import outbound
from shopchat.kit.outbound import Refused
from shopchat.settings import Settings

SLACK_HOSTS = ("hooks.slack.com",)
DISCORD_HOSTS = ("discord.com", "discordapp.com", "ptb.discord.com", "canary.discord.com")
_DISCORD_PATH = re.compile(r"^/api/(v\d+/)?webhooks/")
_EMAIL = re.compile(r"^[^@\s<>,;:\"()\[\]\\]+@[^@\s<>,;:\"()\[\]\\]+\.[a-z0-9-]+$", re.I)
_URL_FIELDS = {"slack": "webhook_url", "discord": "webhook_url", "webhook": "url"}


class Destination(NamedTuple):
    """A host and port that a site chose, and the settings field that named it."""

    field: str
    host: str
    port: int


def check(channel: str, config: dict[str, Any], *, settings: Settings) -> Destination | None:
    """Refused (naming the field) when this channel's settings point where we do not send;
    else the host the site chose (None: the operator's mail relay)."""
    if channel in _URL_FIELDS:
        return _check_url(channel, config.get(_URL_FIELDS[channel]), settings=settings)
    if channel == "email":
        return _check_email(config, settings=settings)
    return None


async def check_saved(integrations: dict[str, Any], *, settings: Settings) -> None:
    """:func:`check` for every channel, and each chosen host resolved now for a clear answer.

    A name that does not resolve (yet) is accepted: the check at connect time decides.
    """
    for channel, config in integrations.items():
        if not isinstance(config, dict):
            continue
        if (chosen := check(channel, config, settings=settings)) is None:
            continue
        with contextlib.suppress(OSError, UnicodeError):
            await outbound.resolve(
                chosen.host, chosen.port, policy=settings.outbound_policy, field=chosen.field
            )


def _check_url(channel: str, url: object, *, settings: Settings) -> Destination:
    field = f"integrations.{channel}.{_URL_FIELDS[channel]}"
    if not isinstance(url, str) or not url:
        raise Refused(f"{field}: a URL is required", code="bad_url")
    policy = settings.outbound_policy
    hosts = {"slack": SLACK_HOSTS, "discord": DISCORD_HOSTS}.get(channel, ())
    parsed = outbound.check_url(url, policy=policy, field=field, hosts=hosts)
    listed = policy.lists_host(parsed.host)
    if channel == "discord" and not listed and not _DISCORD_PATH.match(parsed.path):
        raise Refused(f"{field}: a Discord webhook URL is https://discord.com/api/webhooks/…")
    port = parsed.port or (443 if parsed.scheme == "https" else 80)
    return Destination(field, parsed.host, port)


def _check_email(config: dict[str, Any], *, settings: Settings) -> Destination | None:
    to = config.get("to")
    recipients = to if isinstance(to, list) else [to]
    if not recipients or not all(isinstance(r, str) and _EMAIL.match(r) for r in recipients):
        raise Refused("integrations.email.to: one email address or a list of them")
    if len(recipients) > settings.email_max_recipients:
        raise Refused(
            f"integrations.email.to: at most {settings.email_max_recipients} recipients",
            code="too_many_recipients",
        )
    sender = config.get("from")
    if sender is not None and not (isinstance(sender, str) and _EMAIL.match(sender)):
        raise Refused("integrations.email.from: one email address")
    smtp = config.get("smtp")
    if smtp is None:
        return None
    if not settings.tenant_smtp_allowed:
        raise Refused(
            "integrations.email.smtp: this server sends email through its own relay; "
            "remove “smtp” (a site chooses its SMTP host only where the operator allows it)",
            code="smtp_not_allowed",
        )
    host = smtp.get("host") if isinstance(smtp, dict) else None
    port = smtp.get("port", 25) if isinstance(smtp, dict) else None
    field = "integrations.email.smtp.host"
    if not isinstance(host, str) or "/" in host or "@" in host:
        raise Refused(f"{field}: a host name is required")
    if not isinstance(port, int) or isinstance(port, bool) or not 1 <= port <= 65535:
        raise Refused("integrations.email.smtp.port: a port number from 1 to 65535")
    outbound.check_host(host, policy=settings.outbound_policy, field=field)
    return Destination(field, host, port)
