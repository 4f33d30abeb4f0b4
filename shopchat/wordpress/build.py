"""Builds the installable WordPress plugin zip (`shopchat/` inside)."""

from __future__ import annotations

import zipfile
from pathlib import Path

ZIP_NAME = "shopchat-wordpress.zip"
PLUGIN_FOLDER = "shopchat"
# The same instant for every entry, so that a build is byte-for-byte repeatable.
_TIMESTAMP = (2024, 1, 1, 0, 0, 0)
_SKIPPED_NAMES = {".DS_Store", "Thumbs.db", ".gitignore", ".gitkeep"}
_SKIPPED_SUFFIXES = (".orig", ".rej", ".swp", "~")


class PluginSourceNotFound(FileNotFoundError):
    """Neither a packaged nor a checked-out copy of wordpress-plugin/ exists."""


def plugin_source_dir() -> Path:
    """The plugin's source folder: packaged in the wheel, else the repository's."""
    package_dir = Path(__file__).resolve().parent.parent
    for candidate in (package_dir / "_wordpress_plugin", package_dir.parent / "wordpress-plugin"):
        if (candidate / "shopchat.php").is_file():
            return candidate
    raise PluginSourceNotFound(f"wordpress-plugin/shopchat.php not found next to {package_dir}")


def build_plugin_zip(output: Path) -> Path:
    """Writes the plugin zip to `output`: a .zip path, or a folder for shopchat-wordpress.zip."""
    target = output if output.suffix == ".zip" else output / ZIP_NAME
    target.parent.mkdir(parents=True, exist_ok=True)
    source = plugin_source_dir()
    partial = target.with_name(target.name + ".partial")
    with zipfile.ZipFile(partial, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for path in _plugin_files(source):
            _add(archive, path, f"{PLUGIN_FOLDER}/{path.relative_to(source).as_posix()}")
    partial.replace(target)
    return target


def _plugin_files(source: Path) -> list[Path]:
    """Files that ship, sorted, without editor and OS litter."""
    return sorted(
        path
        for path in source.rglob("*")
        if path.is_file()
        and path.name not in _SKIPPED_NAMES
        and not path.name.endswith(_SKIPPED_SUFFIXES)
    )


def _add(archive: zipfile.ZipFile, path: Path, name: str) -> None:
    """Adds one file with a fixed timestamp and ordinary permissions."""
    info = zipfile.ZipInfo(name, date_time=_TIMESTAMP)
    info.external_attr = 0o644 << 16
    info.compress_type = zipfile.ZIP_DEFLATED
    archive.writestr(info, path.read_bytes())
