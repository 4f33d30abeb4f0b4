"""The command line: settings validation, site and agent creation, clear errors."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.support.cli import shopchat


def test_site_create_json_on_a_fresh_data_dir(tmp_path: Path) -> None:
    data_dir = tmp_path / "new"
    result = shopchat(
        "site",
        "create",
        "--name",
        "Shop",
        "--origin",
        "https://Shop.Example:443/x",
        "--json",
        data_dir=data_dir,
    )
    assert result.returncode == 0, result.stderr
    created = json.loads(result.stdout)
    assert created["site_key"].startswith("sc_")
    assert len(created["identity_secret"]) >= 40
    assert created["allowed_origins"] == ["https://shop.example"]
    assert (data_dir / "shopchat.db").exists()
    assert (data_dir / "encryption_key").stat().st_mode & 0o777 == 0o600


def test_site_create_rejects_a_bad_origin(tmp_path: Path) -> None:
    result = shopchat(
        "site", "create", "--name", "S", "--origin", "javascript:x", data_dir=tmp_path
    )
    assert result.returncode == 2
    assert "origin must look like https://shop.example" in result.stderr
    assert "Traceback" not in result.stderr


def test_agent_create_and_its_errors(tmp_path: Path) -> None:
    site = _site(tmp_path)
    ok = shopchat(
        "agent",
        "create",
        "--site-key",
        site["site_key"],
        "--email",
        "Ann@Shop.example",
        "--name",
        "Ann",
        "--password-stdin",
        "--json",
        data_dir=tmp_path,
        stdin="a-long-password\n",
    )
    assert ok.returncode == 0, ok.stderr
    assert json.loads(ok.stdout)["email"] == "ann@shop.example"
    for args, stdin, message in [
        (["--email", "ann@shop.example"], "a-long-password\n", "cannot be used"),
        (["--email", "not-an-email"], "a-long-password\n", "not an email"),
        (["--email", "bo@shop.example"], "short\n", "at least 10"),
    ]:
        failed = shopchat(
            "agent",
            "create",
            "--site-key",
            site["site_key"],
            "--name",
            "X",
            "--password-stdin",
            *args,
            data_dir=tmp_path,
            stdin=stdin,
        )
        assert failed.returncode == 2
        assert message in failed.stderr


def _site(data_dir: Path) -> dict[str, str]:
    created = shopchat(
        "site",
        "create",
        "--name",
        "S",
        "--origin",
        "https://s.example",
        "--json",
        data_dir=data_dir,
    )
    return json.loads(created.stdout)  # type: ignore[no-any-return]


def test_agent_create_without_a_terminal_generates_and_prints_a_password(tmp_path: Path) -> None:
    site = _site(tmp_path)
    made = shopchat(
        "agent",
        "create",
        "--site-key",
        site["site_key"],
        "--email",
        "a@s.example",
        "--name",
        "A",
        "--json",
        data_dir=tmp_path,
    )  # stdin is a pipe, not a terminal, and there is no --password-stdin
    assert made.returncode == 0, made.stderr
    assert "Traceback" not in made.stderr
    password = json.loads(made.stdout)["password"]
    assert len(password) >= 16
    plain = shopchat(
        "agent",
        "create",
        "--site-key",
        site["site_key"],
        "--email",
        "b@s.example",
        "--name",
        "B",
        data_dir=tmp_path,
    )
    assert plain.returncode == 0, plain.stderr
    assert "password: " in plain.stdout and "shown only now" in plain.stdout
    empty = shopchat(
        "agent",
        "create",
        "--site-key",
        site["site_key"],
        "--email",
        "c@s.example",
        "--name",
        "C",
        "--password-stdin",
        data_dir=tmp_path,
    )
    assert empty.returncode == 2 and "password" in empty.stderr
    assert "Traceback" not in empty.stderr


def test_agent_deactivate_and_reactivate(tmp_path: Path) -> None:
    from shopchat.console.auth import check_credentials
    from shopchat.kit.errors import Unauthorized
    from tests.conftest import make_settings
    from tests.console.helpers import run_db

    site = _site(tmp_path)
    key = ["--site-key", site["site_key"], "--email", "A@s.example"]
    made = shopchat(
        "agent",
        "create",
        *key,
        "--name",
        "A",
        "--password-stdin",
        data_dir=tmp_path,
        stdin="a-long-password\n",
    )
    assert made.returncode == 0, made.stderr
    settings = make_settings(tmp_path)

    def signs_in() -> bool:
        async def check(session):  # type: ignore[no-untyped-def]
            try:
                await check_credentials(
                    session,
                    email="a@s.example",
                    password="a-long-password",
                    code=None,
                    decryption_keys=settings.decryption_keys,
                )
            except Unauthorized:
                return False
            return True

        return run_db(settings, check)  # type: ignore[no-any-return]

    off = shopchat("agent", "deactivate", *key, data_dir=tmp_path)
    assert off.returncode == 0, off.stderr
    assert "deactivated a@s.example" in off.stdout
    assert not signs_in()
    on = shopchat("agent", "reactivate", *key, data_dir=tmp_path)
    assert on.returncode == 0, on.stderr
    assert signs_in()
    unknown = shopchat(
        "agent",
        "deactivate",
        "--site-key",
        site["site_key"],
        "--email",
        "x@s.example",
        data_dir=tmp_path,
    )
    assert unknown.returncode == 2 and "no such agent" in unknown.stderr


@pytest.mark.parametrize(
    ("env", "message"),
    [
        ({"SHOPCHAT_DATABASE_URL": "mysql://x"}, "SHOPCHAT_DATABASE_URL"),
        ({"SHOPCHAT_REDIS_URL": "http://x"}, "SHOPCHAT_REDIS_URL"),
        ({"SHOPCHAT_FRAMES_PER_SECOND": "lots"}, "SHOPCHAT_FRAMES_PER_SECOND"),
        ({"SHOPCHAT_ENV": "production", "SHOPCHAT_SECRET_KEY": "changeme"}, "SECRET_KEY"),
    ],
)
def test_bad_settings_are_refused_with_the_variable_named(
    tmp_path: Path, env: dict[str, str], message: str
) -> None:
    result = shopchat("migrate", data_dir=tmp_path, **env)
    assert result.returncode == 2
    assert message in result.stderr
    assert "Traceback" not in result.stderr


def test_secrets_are_never_printed_in_settings_errors(tmp_path: Path) -> None:
    result = shopchat(
        "migrate",
        data_dir=tmp_path,
        SHOPCHAT_ENV="production",
        SHOPCHAT_SECRET_KEY="s3cr3t-value-that-is-long-enough-000000",
        SHOPCHAT_ENCRYPTION_KEY="short",
    )
    assert result.returncode == 2
    assert "s3cr3t" not in result.stderr


def test_no_command_prints_help(tmp_path: Path) -> None:
    result = shopchat(data_dir=tmp_path)
    assert result.returncode == 2
    assert "serve" in result.stdout
