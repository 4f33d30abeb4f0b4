"""Attachment bytes on disk, under the data dir and outside any web root."""

from __future__ import annotations

import os
import uuid
from pathlib import Path


def attachments_root(data_dir: Path) -> Path:
    return data_dir / "attachments"


def storage_key(site_id: uuid.UUID, attachment_id: uuid.UUID) -> str:
    return f"{site_id.hex}/{attachment_id.hex}"


def path_of(data_dir: Path, key: str) -> Path:
    site, _, name = key.partition("/")
    if not (_is_hex(site) and _is_hex(name)):
        raise ValueError(f"bad storage key {key!r}")
    return attachments_root(data_dir) / site / name


def write(data_dir: Path, key: str, data: bytes) -> None:
    """Write atomically: a reader never sees half a file."""
    target = path_of(data_dir, key)
    target.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    partial = target.with_suffix(".part")
    with open(partial, "wb") as handle:
        handle.write(data)
        handle.flush()
        os.fsync(handle.fileno())
    os.replace(partial, target)


def remove(data_dir: Path, key: str) -> None:
    path_of(data_dir, key).unlink(missing_ok=True)


def _is_hex(value: str) -> bool:
    return len(value) == 32 and all(c in "0123456789abcdef" for c in value)
