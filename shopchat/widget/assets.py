"""The widget's files, read once: compacted, fingerprinted and gzipped in memory."""

from __future__ import annotations

import gzip
import hashlib
import re
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import shopchat

PANEL_PLACEHOLDER = "__SHOPCHAT_PANEL__"
LOADER = "widget.js"
LAZY = ("panel.js",)
_COMMENT_LINE = re.compile(r"^\s*//.*$\n?", re.MULTILINE)
_INDENT = re.compile(r"^[ \t]+", re.MULTILINE)


@dataclass(frozen=True, slots=True)
class Asset:
    body: bytes
    gzipped: bytes
    etag: str
    version: str


def widget_dir() -> Path:
    """``widget/`` in a checkout, ``shopchat/_widget`` in an installed wheel."""
    package = Path(shopchat.__file__).parent
    checkout = package.parent / "widget"
    return checkout if (checkout / LOADER).is_file() else package / "_widget"


def compact(source: str) -> str:
    """Drop indentation and whole-line comments; gzip does the rest."""
    return _INDENT.sub("", _COMMENT_LINE.sub("", source))


def _asset(text: str) -> Asset:
    body = text.encode()
    digest = hashlib.sha256(body).hexdigest()[:16]
    return Asset(body, gzip.compress(body, 9, mtime=0), f'"{digest}"', digest)


@cache
def load_assets() -> dict[str, Asset]:
    """Every asset by name; the loader learns each lazy asset's fingerprinted URL."""
    folder = widget_dir()
    assets = {name: _asset(compact((folder / name).read_text("utf-8"))) for name in LAZY}
    loader = compact((folder / LOADER).read_text("utf-8"))
    loader = loader.replace(PANEL_PLACEHOLDER, f"widget/panel.js?v={assets['panel.js'].version}")
    assets[LOADER] = _asset(loader)
    return assets
