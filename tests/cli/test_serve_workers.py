"""``shopchat serve --workers N`` refuses what cannot work, before touching the database."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.conftest import REDIS_URL
from tests.support.cli import shopchat
from tests.support.server import free_port

_PORT = ("--port", str(free_port()))  # were it to serve: not on a port another test holds


@pytest.mark.parametrize(
    "env",
    [{}, {"SHOPCHAT_REDIS_URL": REDIS_URL}],
    ids=["embedded-default", "sqlite-with-redis"],
)
def test_more_than_one_worker_on_sqlite_is_refused(tmp_path: Path, env: dict[str, str]) -> None:
    result = shopchat("serve", *_PORT, "--workers", "2", data_dir=tmp_path, **env)
    assert result.returncode == 2
    assert "SHOPCHAT_REDIS_URL" in result.stderr
    assert "SHOPCHAT_DATABASE_URL" in result.stderr
    assert not (tmp_path / "shopchat.db").exists()  # refused before migrating


@pytest.mark.postgres
def test_more_than_one_worker_without_redis_is_refused(tmp_path: Path, postgres_url: str) -> None:
    result = shopchat(
        "serve", *_PORT, "--workers", "2", data_dir=tmp_path, SHOPCHAT_DATABASE_URL=postgres_url
    )
    assert result.returncode == 2
    assert "SHOPCHAT_REDIS_URL" in result.stderr


def test_zero_workers_is_refused(tmp_path: Path) -> None:
    result = shopchat("serve", *_PORT, "--workers", "0", data_dir=tmp_path)
    assert result.returncode == 2
    assert "--workers" in result.stderr
