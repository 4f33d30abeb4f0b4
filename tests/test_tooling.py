"""Lint, format and type checks as tests.

STYLE.md's tooling is ruff (lint and format) and mypy, and CI runs only the test
suite (`.ci/run` → `scripts/test`), so these tests are how both stay part of CI.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).parents[1]


def run(*command: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", *command], cwd=ROOT, capture_output=True, text=True, check=False
    )


def test_ruff_lint_is_clean() -> None:
    result = run("ruff", "check", ".")
    assert result.returncode == 0, result.stdout + result.stderr


def test_ruff_format_is_clean() -> None:
    result = run("ruff", "format", "--check", ".")
    assert result.returncode == 0, result.stdout + result.stderr


def test_mypy_is_clean() -> None:
    # Plain `mypy`: the files and options come from pyproject.toml.
    result = run("mypy")
    assert result.returncode == 0, result.stdout + result.stderr
