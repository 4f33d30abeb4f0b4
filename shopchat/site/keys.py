"""Re-encrypting every secret at rest from one encryption key to another, in one transaction.

What is encrypted (``kit/crypto``): each site's identity and webhook secrets and store
credentials, the ``*_enc`` values in site settings (integration secrets, SMTP passwords),
and agents' two-factor secrets.
"""

from __future__ import annotations

import base64
import hashlib
import os
import secrets
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from shopchat.db import Database
from shopchat.kit import crypto
from shopchat.migrations.runner import upgrade
from shopchat.models.tables import AgentTotp, Site
from shopchat.settings import Settings


class RotationError(Exception):
    """A value does not decrypt with the current key: nothing was changed."""


@dataclass(slots=True)
class Rotation:
    sites: int = 0
    agents: int = 0
    values: int = 0


async def rotate_encryption_key(
    session: AsyncSession, *, old_key: bytes, new_key: bytes, lock: bool
) -> Rotation:
    """Re-encrypt every secret from ``old_key`` to ``new_key``; the caller commits."""
    done = Rotation()
    rekey = _Rekey(old_key, new_key, done)
    sites = select(Site).order_by(Site.id)
    for site in (await session.scalars(sites.with_for_update() if lock else sites)).all():
        where = f"site {site.site_key}"
        site.identity_secret_enc = rekey(site.identity_secret_enc, f"{where} identity secret")
        site.webhook_secret_enc = rekey(site.webhook_secret_enc, f"{where} webhook secret")
        if site.store_credentials_enc:
            site.store_credentials_enc = rekey(
                site.store_credentials_enc, f"{where} store credentials"
            )
        site.settings = rekey.within(site.settings, f"{where} settings")
        done.sites += 1
    totps = select(AgentTotp).order_by(AgentTotp.agent_id)
    for row in (await session.scalars(totps.with_for_update() if lock else totps)).all():
        if row.secret_enc:
            row.secret_enc = rekey(row.secret_enc, f"agent {row.agent_id} two-factor secret")
            done.agents += 1
    await session.flush()
    return done


class _Rekey:
    def __init__(self, old_key: bytes, new_key: bytes, done: Rotation) -> None:
        self.old_key, self.new_key, self.done = old_key, new_key, done

    def __call__(self, token: str, where: str) -> str:
        try:
            plain = crypto.decrypt(token, self.old_key)
        except crypto.DecryptionError:
            raise RotationError(f"{where} does not decrypt with the current key") from None
        self.done.values += 1
        return crypto.encrypt(plain, self.new_key)

    def within(self, value: Any, where: str) -> Any:
        """A copy of a JSON value with every ``*_enc`` string in it re-encrypted."""
        if isinstance(value, list):
            return [self.within(item, where) for item in value]
        if not isinstance(value, dict):
            return value
        return {
            key: self(item, f"{where} {key}")
            if key.endswith("_enc") and isinstance(item, str) and item
            else self.within(item, where)
            for key, item in value.items()
        }


MIN_KEY_CHARS = 32


async def rotate_keys(settings: Settings, key_file: Path, generate: bool) -> str:
    """The ``shopchat keys rotate`` command: rotate, then say what the operator sets next."""
    new_raw = _new_key(key_file, generate)
    new_key = hashlib.sha256(new_raw.encode()).digest()  # as Settings derives it
    old_key = settings.encryption_key_bytes
    if new_key == old_key:
        raise RotationError("the new key is the key in use")
    await upgrade(settings)
    db = Database(settings)
    try:
        async with db.transaction() as session:
            done = await rotate_encryption_key(
                session, old_key=old_key, new_key=new_key, lock=not settings.is_sqlite
            )
    finally:
        await db.dispose()
    summary = (
        f"re-encrypted {done.values} secrets ({done.sites} sites, {done.agents} agents' "
        "two-factor secrets) with the new key."
    )
    if settings.encryption_key is None:
        _replace_key_file(settings.data_dir / "encryption_key", new_raw)
        return (
            f"{summary}\nThe data dir's key file ({settings.data_dir / 'encryption_key'}) now "
            "holds the new key. Restart shopchat; delete the old key's copies and backups."
        )
    return (
        f"{summary}\nNext: set SHOPCHAT_ENCRYPTION_KEY to the contents of {key_file} for "
        "every shopchat process and restart them all; until then they cannot read the "
        "secrets. Then delete the old key wherever it was kept."
    )


def _new_key(key_file: Path, generate: bool) -> str:
    if generate:
        if key_file.exists():
            raise RotationError(f"{key_file} exists already; --generate writes a new file")
        raw = base64.urlsafe_b64encode(secrets.token_bytes(32)).decode().rstrip("=")
        fd = os.open(key_file, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w") as handle:
            handle.write(raw + "\n")
        return raw
    try:
        raw = key_file.read_text().strip()
    except OSError as exc:
        raise RotationError(f"cannot read the new key: {exc}") from None
    if len(raw) < MIN_KEY_CHARS:
        raise RotationError(f"the new key must be at least {MIN_KEY_CHARS} characters")
    return raw


def _replace_key_file(path: Path, raw: str) -> None:
    partial = path.with_name(path.name + ".new")
    fd = os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w") as handle:
        handle.write(raw)
    partial.replace(path)
