"""``shopchat keys rotate``: every secret at rest re-encrypted, in one transaction, on a
database of its own (SQLite or PostgreSQL, after the backend parameter)."""

from __future__ import annotations

import asyncio
import hashlib
import os
import subprocess
import sys
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from shopchat.commerce.registry import decrypt_store_credentials, encrypt_store_credentials
from shopchat.kit import crypto
from shopchat.migrations.runner import upgrade
from shopchat.models import Account, Site
from shopchat.models.tables import Agent, AgentTotp
from shopchat.settings import Settings
from shopchat.site.service import identity_secret, webhook_secret
from tests.conftest import create_postgres_database, drop_postgres_database, make_settings
from tests.support.sites import SiteFactory

OLD_KEY = "old-key-" + "o" * 40
SECRETS = {"integration": "hooks-secret-1", "smtp": "smtp-password-2", "totp": "JBSWY3DPEHPK3PXP"}


def key_bytes(raw: str) -> bytes:
    return hashlib.sha256(raw.encode()).digest()


@pytest.fixture(params=["env", "data-dir"])
def own_settings(
    request: pytest.FixtureRequest, backend_settings: Settings, tmp_path: Path
) -> Iterator[Settings]:
    """A fresh database; its key from SHOPCHAT_ENCRYPTION_KEY or from the data dir's file."""
    url = "" if backend_settings.is_sqlite else create_postgres_database()
    explicit = {"encryption_key": OLD_KEY} if request.param == "env" else {}
    settings = make_settings(tmp_path / "data", url, **explicit)
    asyncio.run(upgrade(settings))
    yield settings
    if url:
        drop_postgres_database(url)


def shopchat(settings: Settings, *args: str) -> subprocess.CompletedProcess[str]:
    environment = {k: v for k, v in os.environ.items() if not k.startswith("SHOPCHAT_")} | {
        "SHOPCHAT_DATA_DIR": str(settings.data_dir),
        "SHOPCHAT_DATABASE_URL": settings.database_url,
    }
    if settings.encryption_key:
        environment["SHOPCHAT_ENCRYPTION_KEY"] = settings.encryption_key
    return subprocess.run(
        [sys.executable, "-m", "shopchat", *args],
        capture_output=True,
        text=True,
        env=environment,
        timeout=90,
        check=False,
    )


def every_secret(settings: Settings) -> list[str]:
    """Two sites with store keys and integration secrets, and an agent with two-factor."""
    sites = SiteFactory(settings)
    made = [sites.create(name="A"), sites.create(name="B")]
    key = settings.encryption_key_bytes

    async def fill(session: Any) -> None:
        for credentials in made:
            site = await session.get(Site, uuid.UUID(credentials.site_id))
            site.store_url = "https://shop.example"
            site.store_credentials_enc = encrypt_store_credentials(
                consumer_key="ck_a", consumer_secret="cs_" + credentials.site_key, key=key
            )
            site.settings = {
                **site.settings,
                "integrations": {
                    "webhook": {
                        "url": "https://x.example",
                        "secret_enc": _seal("integration", key),
                    },
                    "email": {"smtp": {"host": "mail", "password_enc": _seal("smtp", key)}},
                },
            }
        account = await session.get(Account, uuid.UUID(made[0].account_id))
        agent = Agent(account_id=account.id, email="a@x.example", name="A", password_hash="x")
        session.add(agent)
        await session.flush()
        session.add(AgentTotp(agent_id=agent.id, secret_enc=_seal("totp", key), last_step=0))

    sites.run(fill)
    return [c.site_id for c in made]


def _seal(name: str, key: bytes) -> str:
    return crypto.encrypt(SECRETS[name], key)


def read_all(settings: Settings, site_ids: list[str], key: bytes) -> list[str]:
    """Every secret decrypted with ``key``; raises DecryptionError if one does not."""

    async def load(session: Any) -> list[str]:
        found = []
        for site_id in site_ids:
            site = await session.get(Site, uuid.UUID(site_id))
            found += [identity_secret(site, key), webhook_secret(site, key)]
            found.append(decrypt_store_credentials(site.store_credentials_enc, key).consumer_secret)
            integrations = site.settings["integrations"]
            found.append(crypto.decrypt(integrations["webhook"]["secret_enc"], key))
            found.append(crypto.decrypt(integrations["email"]["smtp"]["password_enc"], key))
        for row in (await session.scalars(select(AgentTotp))).all():
            found.append(crypto.decrypt(row.secret_enc, key))
        return found

    return SiteFactory(settings).run(load)  # type: ignore[no-any-return]


def test_rotation_re_encrypts_everything_with_the_new_key(
    own_settings: Settings, tmp_path: Path
) -> None:
    site_ids = every_secret(own_settings)
    old_key = own_settings.encryption_key_bytes
    before = read_all(own_settings, site_ids, old_key)
    new_key_file = tmp_path / "new.key"

    result = shopchat(
        own_settings, "keys", "rotate", "--new-key-file", str(new_key_file), "--generate"
    )

    assert result.returncode == 0, result.stderr
    assert new_key_file.stat().st_mode & 0o777 == 0o600
    new_raw = new_key_file.read_text().strip()
    assert "re-encrypted 11 secrets (2 sites, 1 agents' two-factor secrets)" in result.stdout
    assert read_all(own_settings, site_ids, key_bytes(new_raw)) == before
    with pytest.raises(crypto.DecryptionError):
        read_all(own_settings, site_ids, old_key)
    if own_settings.encryption_key:
        assert "set SHOPCHAT_ENCRYPTION_KEY to the contents of" in result.stdout
    else:
        assert (own_settings.data_dir / "encryption_key").read_text().strip() == new_raw
        assert "now holds the new key" in result.stdout


def test_rotation_stops_at_a_value_it_cannot_read_and_changes_nothing(
    own_settings: Settings, tmp_path: Path
) -> None:
    site_ids = every_secret(own_settings)
    old_key = own_settings.encryption_key_bytes
    before = read_all(own_settings, site_ids, old_key)

    async def corrupt(session: Any) -> None:
        site = await session.get(Site, uuid.UUID(site_ids[1]))
        site.webhook_secret_enc = crypto.encrypt("x", b"\0" * 32)

    SiteFactory(own_settings).run(corrupt)
    key_file = tmp_path / "new.key"
    key_file.write_text("n" * 48)
    result = shopchat(own_settings, "keys", "rotate", "--new-key-file", str(key_file))
    assert result.returncode == 2
    assert "webhook secret does not decrypt with the current key" in result.stderr
    assert "Traceback" not in result.stderr

    async def first_site(session: Any) -> str:
        site = await session.get(Site, uuid.UUID(site_ids[0]))
        return identity_secret(site, old_key)

    assert SiteFactory(own_settings).run(first_site) == before[0]  # still the old key's


@pytest.mark.parametrize("content", ["short", ""])
def test_rotation_refuses_a_weak_or_missing_key(
    own_settings: Settings, tmp_path: Path, content: str
) -> None:
    key_file = tmp_path / "new.key"
    if content:
        key_file.write_text(content)
    result = shopchat(own_settings, "keys", "rotate", "--new-key-file", str(key_file))
    assert result.returncode == 2
    assert ("at least 32 characters" if content else "cannot read the new key") in result.stderr


def test_generate_never_overwrites_a_key_file(own_settings: Settings, tmp_path: Path) -> None:
    key_file = tmp_path / "new.key"
    key_file.write_text("keep me " * 8)
    result = shopchat(own_settings, "keys", "rotate", "--new-key-file", str(key_file), "--generate")
    assert result.returncode == 2 and "exists already" in result.stderr
    assert key_file.read_text() == "keep me " * 8
