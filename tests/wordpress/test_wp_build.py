"""The installable zip: scripts/build-plugin and build_plugin_zip()."""

import subprocess
import zipfile
from pathlib import Path

from shopchat.wordpress.build import build_plugin_zip

REPO = Path(__file__).resolve().parents[2]


def test_zip_holds_the_plugin_folder(tmp_path: Path) -> None:
    target = build_plugin_zip(tmp_path)
    assert target == tmp_path / "shopchat-wordpress.zip"
    names = zipfile.ZipFile(target).namelist()
    assert all(name.startswith("shopchat/") for name in names)
    for required in (
        "shopchat/shopchat.php",
        "shopchat/uninstall.php",
        "shopchat/includes/class-shopchat-jwt.php",
        "shopchat/assets/identity.js",
        "shopchat/languages/shopchat.pot",
        "shopchat/languages/shopchat-de_DE.po",
        "shopchat/languages/shopchat-de_DE.mo",
    ):
        assert required in names
    source_files = {
        p.relative_to(REPO / "wordpress-plugin").as_posix()
        for p in (REPO / "wordpress-plugin").rglob("*")
        if p.is_file()
    }
    assert {name.removeprefix("shopchat/") for name in names} == source_files


def test_zip_content_matches_the_sources(tmp_path: Path) -> None:
    archive = zipfile.ZipFile(build_plugin_zip(tmp_path / "plugin.zip"))
    assert (
        archive.read("shopchat/shopchat.php")
        == (REPO / "wordpress-plugin" / "shopchat.php").read_bytes()
    )


def test_build_is_repeatable(tmp_path: Path) -> None:
    first = build_plugin_zip(tmp_path / "a.zip").read_bytes()
    second = build_plugin_zip(tmp_path / "b.zip").read_bytes()
    assert first == second


def test_build_script_writes_the_zip(tmp_path: Path) -> None:
    run = subprocess.run(
        [str(REPO / "scripts" / "build-plugin"), str(tmp_path)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert run.returncode == 0, run.stderr
    assert run.stdout.strip() == str(tmp_path / "shopchat-wordpress.zip")
    assert (
        "shopchat/shopchat.php" in zipfile.ZipFile(tmp_path / "shopchat-wordpress.zip").namelist()
    )
