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
    site = json.loads(
        shopchat(
            "site",
            "create",
            "--name",
            "S",
            "--origin",
            "https://s.example",
            "--json",
            data_dir=tmp_path,
        ).stdout
    )
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
        (["--email", "ann@shop.example"], "a-long-password\n", "exists already"),
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
