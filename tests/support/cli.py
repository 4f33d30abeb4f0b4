"""The ``shopchat`` command run as a subprocess, with only the given settings."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path


def shopchat(
    *args: str, data_dir: Path, stdin: str = "", **env: str
) -> subprocess.CompletedProcess[str]:
    environment = {k: v for k, v in os.environ.items() if not k.startswith("SHOPCHAT_")} | {
        "SHOPCHAT_DATA_DIR": str(data_dir),
        **env,
    }
    return subprocess.run(
        [sys.executable, "-m", "shopchat", *args],
        input=stdin,
        capture_output=True,
        text=True,
        env=environment,
        timeout=60,
        check=False,
    )
