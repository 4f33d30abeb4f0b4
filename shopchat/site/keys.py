"""Re-encrypting every secret at rest, in one transaction: to a new key (``keys rotate``),
or from the previous keys to the current one (``keys reencrypt``).

What is encrypted (``kit/crypto``): each site's identity and webhook secrets and store
credentials, the ``*_enc`` values in site settings (integration secrets, SMTP passwords),
and agents' two-factor secrets.
"""

from __future__ import annotations

import base64
import os
import secrets
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from shopchat.kit import crypto
from shopchat.migrations.runner import migrated_transaction
from shopchat.models.tables import AgentTotp, Site
from shopchat.settings import MIN_KEY_CHARS, Settings, derive_encryption_key


class RotationError(Exception):
    """A value does not decrypt with the keys it should: nothing was changed."""


@dataclass(slots=True)
class Rotation:
    sites: int = 0
    agents: int = 0
    values: int = 0  # re-encrypted
    current: int = 0  # already under the target key, left as they were


async def rotate_encryption_key(
    session: AsyncSession, *, old_key: bytes, new_key: bytes, lock: bool
) -> Rotation:
    """Re-encrypt every secret from ``old_key`` to ``new_key``; the caller commits."""
    rekey = _Rekey(new_key, read_with=(old_key,), keep_current=False, unreadable="the current key")
    return await _rekey_all(session, rekey, lock=lock)


async def reencrypt_with_current_key(
    session: AsyncSession, *, current_key: bytes, previous_keys: Sequence[bytes], lock: bool
) -> Rotation:
    """Re-encrypt with ``current_key`` every secret that only a previous key opens."""
    rekey = _Rekey(
        current_key,
        read_with=previous_keys,
        keep_current=True,
        unreadable="the current key or any previous key",
    )
    return await _rekey_all(session, rekey, lock=lock)


async def _rekey_all(session: AsyncSession, rekey: _Rekey, *, lock: bool) -> Rotation:
    """Pass every encrypted value through ``rekey``; the caller commits."""
    done = rekey.done
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
    """One value at a time to ``new_key``, read with ``read_with``; with ``keep_current``, a
    value that ``new_key`` opens already is left as it is."""

    def __init__(
        self, new_key: bytes, *, read_with: Sequence[bytes], keep_current: bool, unreadable: str
    ) -> None:
        self.new_key, self.read_with, self.keep_current = new_key, read_with, keep_current
        self.unreadable = unreadable
        self.done = Rotation()

    def __call__(self, token: str, where: str) -> str:
        if self.keep_current and _opens(token, self.new_key):
            self.done.current += 1
            return token
        try:
            plain = crypto.decrypt(token, self.read_with)
        except crypto.DecryptionError:
            raise RotationError(f"{where} does not decrypt with {self.unreadable}") from None
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


def _opens(token: str, key: bytes) -> bool:
    try:
        crypto.decrypt(token, (key,))
    except crypto.DecryptionError:
        return False
    return True


async def rotate_keys(settings: Settings, key_file: Path, generate: bool) -> str:
    """The ``shopchat keys rotate`` command: rotate, then say what the operator sets next."""
    new_raw = _new_key(key_file, generate)
    new_key = derive_encryption_key(new_raw)
    old_key = settings.encryption_key_bytes
    if new_key == old_key:
        raise RotationError("the new key is the key in use")
    async with migrated_transaction(settings) as session:
        done = await rotate_encryption_key(
            session, old_key=old_key, new_key=new_key, lock=not settings.is_sqlite
        )
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


async def reencrypt_keys(settings: Settings) -> str:
    """The ``shopchat keys reencrypt`` command: move what a previous key still opens."""
    async with migrated_transaction(settings) as session:
        done = await reencrypt_with_current_key(
            session,
            current_key=settings.encryption_key_bytes,
            previous_keys=settings.decryption_keys[1:],
            lock=not settings.is_sqlite,
        )
    return (
        f"re-encrypted {done.values} secrets from a previous key with the current key; "
        f"{done.current} were under the current key already."
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
