"""``shopchat keys rotate`` and ``keys reencrypt``: every secret at rest re-encrypted, in one
transaction, on a database of its own (SQLite or PostgreSQL, after the backend parameter);
servers that read secrets under a previous key during a rolling rotation."""

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
from shopchat.settings import Settings, SettingsError
from shopchat.site.service import SiteCredentials, identity_secret, webhook_secret
from tests.conftest import create_postgres_database, drop_postgres_database, make_settings
from tests.support.chat import open_session
from tests.support.server import ServerProcess
from tests.support.sites import SiteFactory, identity_token

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

    keys = [key]

    async def load(session: Any) -> list[str]:
        found = []
        for site_id in site_ids:
            site = await session.get(Site, uuid.UUID(site_id))
            found += [identity_secret(site, keys), webhook_secret(site, keys)]
            store = decrypt_store_credentials(site.store_credentials_enc, keys)
            found.append(store.consumer_secret)
            integrations = site.settings["integrations"]
            found.append(crypto.decrypt(integrations["webhook"]["secret_enc"], keys))
            found.append(crypto.decrypt(integrations["email"]["smtp"]["password_enc"], keys))
        for row in (await session.scalars(select(AgentTotp))).all():
            found.append(crypto.decrypt(row.secret_enc, keys))
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
        return identity_secret(site, [old_key])

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


NEW_KEY = "new-key-" + "n" * 40
UNKNOWN_KEY = "unknown-" + "u" * 40


def test_decrypt_tries_each_key_in_order() -> None:
    token = crypto.encrypt("plain", key_bytes(OLD_KEY))
    assert crypto.decrypt(token, [key_bytes(NEW_KEY), key_bytes(OLD_KEY)]) == "plain"
    for keys in ([key_bytes(NEW_KEY)], [key_bytes(NEW_KEY), key_bytes(UNKNOWN_KEY)], []):
        with pytest.raises(crypto.DecryptionError):
            crypto.decrypt(token, keys)


def test_settings_try_the_current_key_then_the_previous_ones(tmp_path: Path) -> None:
    settings = make_settings(
        tmp_path,
        encryption_key=NEW_KEY,
        previous_encryption_keys=f"{OLD_KEY}, {UNKNOWN_KEY},",
    )
    assert settings.decryption_keys == tuple(map(key_bytes, (NEW_KEY, OLD_KEY, UNKNOWN_KEY)))
    assert OLD_KEY not in repr(settings) and OLD_KEY not in str(settings)
    assert make_settings(tmp_path, encryption_key=NEW_KEY).decryption_keys == (key_bytes(NEW_KEY),)


@pytest.mark.parametrize("previous", ["s" * 31, f"{OLD_KEY},s{'s' * 30}"])
def test_settings_refuse_a_short_previous_key(tmp_path: Path, previous: str) -> None:
    with pytest.raises(SettingsError) as refused:
        make_settings(tmp_path, encryption_key=NEW_KEY, previous_encryption_keys=previous)
    message = str(refused.value)
    assert "SHOPCHAT_PREVIOUS_ENCRYPTION_KEYS" in message
    assert "shorter than 32 characters" in message
    assert "s" * 31 not in message and OLD_KEY not in message


@pytest.fixture
def old_key_settings(backend_settings: Settings, tmp_path: Path) -> Iterator[Settings]:
    """A fresh database whose secrets are encrypted under OLD_KEY."""
    url = "" if backend_settings.is_sqlite else create_postgres_database()
    settings = make_settings(tmp_path / "data", url, encryption_key=OLD_KEY)
    asyncio.run(upgrade(settings))
    yield settings
    if url:
        drop_postgres_database(url)


def rolled_env(settings: Settings, *previous: str) -> dict[str, str]:
    """A process's settings after the switch: NEW_KEY current, ``previous`` still read."""
    return {k: v for k, v in os.environ.items() if not k.startswith("SHOPCHAT_")} | {
        "SHOPCHAT_ENV": "test",
        "SHOPCHAT_DATA_DIR": str(settings.data_dir),
        "SHOPCHAT_DATABASE_URL": settings.database_url,
        "SHOPCHAT_ENCRYPTION_KEY": NEW_KEY,
        "SHOPCHAT_PREVIOUS_ENCRYPTION_KEYS": ",".join(previous),
    }


def reencrypt(env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "shopchat", "keys", "reencrypt"],
        capture_output=True,
        text=True,
        env=env,
        timeout=90,
        check=False,
    )


def identity_accepted(env: dict[str, str], site: SiteCredentials) -> str:
    """Open a widget session with a signed identity on a real server; returns its log."""
    server = ServerProcess(env).start()
    try:
        session = open_session(server.url, site, identity=identity_token(site))
    finally:
        server.stop()
    assert session["config"]["customer"]["verified"] is True
    return server.log.read_text()


def test_a_server_with_the_new_key_reads_secrets_under_the_previous_one(
    old_key_settings: Settings,
) -> None:
    site = SiteFactory(old_key_settings).create(enforce_identity=True)
    with pytest.raises(crypto.DecryptionError):  # the new key alone cannot read it
        read_identity(old_key_settings, site, [key_bytes(NEW_KEY)])

    log = identity_accepted(rolled_env(old_key_settings, OLD_KEY), site)

    assert OLD_KEY not in log


def test_reencrypt_moves_what_a_previous_key_opens_once(old_key_settings: Settings) -> None:
    site_ids = every_secret(old_key_settings)
    site = SiteFactory(old_key_settings).create(enforce_identity=True)
    before = read_all(old_key_settings, site_ids, key_bytes(OLD_KEY))
    env = rolled_env(old_key_settings, OLD_KEY)

    first, second = reencrypt(env), reencrypt(env)

    assert first.returncode == 0, first.stderr
    assert "re-encrypted 13 secrets from a previous key" in first.stdout
    assert "0 were under the current key already" in first.stdout
    assert second.returncode == 0, second.stderr
    assert "re-encrypted 0 secrets" in second.stdout
    assert "13 were under the current key already" in second.stdout
    assert read_all(old_key_settings, site_ids, key_bytes(NEW_KEY)) == before
    assert read_identity(old_key_settings, site, [key_bytes(NEW_KEY)]) == site.identity_secret
    with pytest.raises(crypto.DecryptionError):
        read_all(old_key_settings, site_ids, key_bytes(OLD_KEY))
    log = identity_accepted(rolled_env(old_key_settings), site)  # no previous key now
    for output in (first.stdout, first.stderr, second.stdout, second.stderr, log):
        assert OLD_KEY not in output


def test_reencrypt_stops_at_a_value_no_key_opens_and_changes_nothing(
    old_key_settings: Settings,
) -> None:
    site_ids = every_secret(old_key_settings)
    before = read_all(old_key_settings, site_ids, key_bytes(OLD_KEY))

    async def swap(session: Any, token: str) -> tuple[str, str]:
        site = await session.get(Site, uuid.UUID(site_ids[1]))
        site.webhook_secret_enc, kept = token, site.webhook_secret_enc
        return str(site.site_key), kept

    site_key, kept = SiteFactory(old_key_settings).run(
        lambda session: swap(session, crypto.encrypt("x", key_bytes(UNKNOWN_KEY)))
    )
    result = reencrypt(rolled_env(old_key_settings, OLD_KEY))

    assert result.returncode == 2
    assert (
        f"site {site_key} webhook secret does not decrypt with the current key or any "
        "previous key; nothing was changed"
    ) in result.stderr
    assert "Traceback" not in result.stderr and OLD_KEY not in result.stderr + result.stdout
    SiteFactory(old_key_settings).run(lambda session: swap(session, kept))
    assert read_all(old_key_settings, site_ids, key_bytes(OLD_KEY)) == before  # all still old


def read_identity(settings: Settings, site: SiteCredentials, keys: list[bytes]) -> str:
    async def load(session: Any) -> str:
        return identity_secret(await session.get(Site, uuid.UUID(site.site_id)), keys)

    return SiteFactory(settings).run(load)  # type: ignore[no-any-return]
