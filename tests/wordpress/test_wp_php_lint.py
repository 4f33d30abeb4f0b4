"""php -l on every PHP file of the plugin and of these tests."""

import subprocess
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
PHP_FILES = sorted(
    [*(REPO / "wordpress-plugin").rglob("*.php"), *Path(__file__).parent.rglob("*.php")]
)


def test_the_plugin_has_php_files() -> None:
    assert REPO / "wordpress-plugin" / "shopchat.php" in PHP_FILES


@pytest.mark.parametrize("path", PHP_FILES, ids=lambda p: str(p.relative_to(REPO)))
def test_php_lint(path: Path) -> None:
    run = subprocess.run(["php", "-l", str(path)], capture_output=True, text=True, check=False)
    assert run.returncode == 0, run.stdout + run.stderr


@pytest.mark.parametrize(
    "path", sorted((REPO / "wordpress-plugin").rglob("*.php")), ids=lambda p: p.name
)
def test_plugin_files_refuse_direct_access(path: Path) -> None:
    """Every file stops unless WordPress loaded it (no output, no side effects)."""
    text = path.read_text()
    assert "defined( 'ABSPATH' ) ||" in text or "defined( 'WP_UNINSTALL_PLUGIN' ) ||" in text
