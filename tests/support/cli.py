"""The ``shopchat`` command run as a subprocess, with only the given settings."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Mapping
from pathlib import Path


def shopchat(
    *args: str, data_dir: Path, stdin: str = "", **env: str
) -> subprocess.CompletedProcess[str]:
    return run_command(args, data_dir=data_dir, stdin=stdin, env=env)


def run_command(
    args: tuple[str, ...],
    *,
    data_dir: Path,
    stdin: str = "",
    env: Mapping[str, str] | None = None,
    timeout: float = 60,
) -> subprocess.CompletedProcess[str]:
    """``shopchat ARGS`` with no SHOPCHAT_* setting of this process's, only ``env``'s."""
    environment = {k: v for k, v in os.environ.items() if not k.startswith("SHOPCHAT_")} | {
        "SHOPCHAT_DATA_DIR": str(data_dir),
        **(env or {}),
    }
    return subprocess.run(
        [sys.executable, "-m", "shopchat", *args],
        input=stdin,
        capture_output=True,
        text=True,
        env=environment,
        timeout=timeout,
        check=False,
    )
