"""Sending one notification: Slack, Discord, SMTP email, or a signed generic webhook.

One place checks responses: a 2xx is success; 408, 429 and 5xx are worth retrying;
any other status will not get better by retrying (``Permanent``).
"""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import json
import smtplib
import socket
import ssl
import time
from collections.abc import Sequence
from dataclasses import dataclass
from email.message import EmailMessage
from typing import Any

import httpx

from shopchat.kit import crypto, outbound

TIMEOUT_SECONDS = 10.0
_RETRYABLE = {408, 425, 429}


class DeliveryError(Exception):
    """The send failed; the outbox retries it with backoff."""


class Permanent(DeliveryError):
    """The receiver refused for good (for example 404: the webhook was deleted)."""


def check(response: httpx.Response) -> None:
    if response.is_success:
        return
    message = f"HTTP {response.status_code}: {response.text[:200]}"
    if response.status_code >= 500 or response.status_code in _RETRYABLE:
        raise DeliveryError(message)
    raise Permanent(message)


def secret(config: dict[str, Any], name: str, keys: Sequence[bytes]) -> str | None:
    """A secret from the integration settings: ``name_enc`` (AES-GCM) or plain ``name``."""
    if config.get(f"{name}_enc"):
        return crypto.decrypt(str(config[f"{name}_enc"]), keys)
    value = config.get(name)
    return str(value) if value else None


def headline(payload: dict[str, Any]) -> str:
    customer = payload.get("customer") or {}
    who = customer.get("name") or customer.get("email") or "A visitor"
    if payload.get("event") == "conversation.message":
        return f"{who} wrote again while waiting on {payload.get('site_name')}"
    return f"{who} is waiting for a person on {payload.get('site_name')}"


def _slack_escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


async def send_slack(
    http: httpx.AsyncClient, config: dict[str, Any], payload: dict[str, Any], link: str
) -> None:
    excerpt = _slack_escape(str(payload.get("excerpt") or ""))
    text = f"{_slack_escape(headline(payload))}\n> {excerpt}\n<{link}|Open the conversation>"
    check(await http.post(str(config["webhook_url"]), json={"text": text}))


async def send_discord(
    http: httpx.AsyncClient, config: dict[str, Any], payload: dict[str, Any], link: str
) -> None:
    body = {
        "content": f"**{headline(payload)}**\n> {payload.get('excerpt') or ''}\n{link}",
        "allowed_mentions": {"parse": []},  # a customer's "@everyone" pings nobody
    }
    check(await http.post(str(config["webhook_url"]), json=body))


def webhook_signature(body: bytes, *, secret: str, timestamp: str) -> str:
    """``x-shopchat-signature``: ``sha256=`` and the hex HMAC-SHA256 of ``timestamp.body``."""
    digest = hmac.new(secret.encode(), timestamp.encode() + b"." + body, hashlib.sha256)
    return "sha256=" + digest.hexdigest()


async def send_webhook(
    http: httpx.AsyncClient,
    config: dict[str, Any],
    payload: dict[str, Any],
    link: str,
    *,
    delivery_id: str,
    keys: Sequence[bytes],
) -> None:
    body = json.dumps(
        {"id": delivery_id, "event": payload.get("event"), "data": {**payload, "url": link}},
        separators=(",", ":"),
    ).encode()
    timestamp = str(int(time.time()))
    headers = {
        "content-type": "application/json",
        "x-shopchat-event": str(payload.get("event")),
        "x-shopchat-delivery": delivery_id,
        "x-shopchat-timestamp": timestamp,
    }
    if signing_secret := secret(config, "secret", keys):
        headers["x-shopchat-signature"] = webhook_signature(
            body, secret=signing_secret, timestamp=timestamp
        )
    check(await http.post(str(config["url"]), content=body, headers=headers))


@dataclass(frozen=True, slots=True)
class Relay:
    """The SMTP server an email goes through; ``policy`` is set for a site's own host."""

    host: str
    port: int
    starttls: bool = False
    username: str | None = None
    password: str | None = None
    policy: outbound.Policy | None = None


async def send_email(
    config: dict[str, Any],
    payload: dict[str, Any],
    link: str,
    *,
    relay: Relay,
    sender: str | None = None,
) -> None:
    """Send through ``relay``; ``sender`` (the operator's) makes the site's ``from`` Reply-To."""
    message = EmailMessage()
    message["Subject"] = f"[{payload.get('site_name')}] {headline(payload)}"
    own = str(config.get("from") or "shopchat@localhost")
    message["From"] = sender or own
    if sender and config.get("from"):
        message["Reply-To"] = own
    recipients = config["to"] if isinstance(config["to"], list) else [config["to"]]
    message["To"] = ", ".join(str(r) for r in recipients)
    message.set_content(
        f"{headline(payload)}\n\n"
        f"“{payload.get('excerpt') or ''}”\n\n"
        f"Open the conversation: {link}\n"
    )
    await asyncio.to_thread(_smtp_send, relay, message)


class _CheckedSMTP(smtplib.SMTP):
    """smtplib connecting only to checked addresses of the host (its name stays for TLS)."""

    def __init__(self, host: str, port: int, *, policy: outbound.Policy) -> None:
        self.policy = policy
        super().__init__(host, port, timeout=TIMEOUT_SECONDS)

    def _get_socket(self, host: str, port: int, timeout: float) -> socket.socket:
        addresses = outbound.resolve_blocking(
            host, port, policy=self.policy, field="integrations.email.smtp.host"
        )
        error: OSError | None = None
        for address in addresses:
            try:
                return socket.create_connection((address, port), timeout)
            except OSError as exc:
                error = exc
        assert error is not None
        raise error


def _smtp_send(relay: Relay, message: EmailMessage) -> None:
    try:
        with _connect(relay) as client:
            if relay.starttls:
                client.starttls(context=ssl.create_default_context())
            if relay.username and relay.password:
                client.login(relay.username, relay.password)
            client.send_message(message)
    except smtplib.SMTPResponseException as exc:
        error = DeliveryError if exc.smtp_code >= 400 and exc.smtp_code < 500 else Permanent
        raise error(f"SMTP {exc.smtp_code}: {exc.smtp_error!r}") from exc
    except (OSError, smtplib.SMTPException) as exc:
        raise DeliveryError(f"SMTP: {exc}") from exc


def _connect(relay: Relay) -> smtplib.SMTP:
    if relay.policy is None:  # the operator's relay, where the operator said
        return smtplib.SMTP(relay.host, relay.port, timeout=TIMEOUT_SECONDS)
    return _CheckedSMTP(relay.host, relay.port, policy=relay.policy)
