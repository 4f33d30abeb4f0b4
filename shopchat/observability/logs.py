"""Logging for ``shopchat serve``: uvicorn's format, and no secret or message text in a line.

Two leaks are closed here. A URL can carry a secret in its query (the widget's
deprecated ``?token=``, a store's ``consumer_secret``): its value is redacted in every
record, arguments and tracebacks included. And the protocol libraries log, at debug,
every handshake header (console cookies) and every frame (customer text): those records
are dropped, and those libraries' own loggers stay at WARNING whatever the level.
"""

from __future__ import annotations

import copy
import functools
import importlib.util
import logging
import os
import re
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import uvicorn.config

_SECRET_QUERY = re.compile(
    r"(?<=[?&;])([^=&;#\s\"']*(?:token|ticket|secret|key|passw|sig|auth|session|identity)"
    r"[^=&;#\s\"']*=)[^&;#\s\"']*",
    re.IGNORECASE,
)
REDACTED = "[redacted]"

# Loggers of libraries whose debug records carry headers, bodies and frames: at WARNING.
PROTOCOL_LOGGERS = (
    "websockets",
    "uvicorn.protocols",
    "httpcore",
    "httpx",
    "hpack",
    "h2",
    "h11",
    "openai",
    "aiosqlite",
    "asyncpg",
    "redis",
    "multipart",
    "python_multipart",
)
# Libraries whose debug records are headers and frames, to whichever logger they write.
_PROTOCOL_PACKAGES = ("websockets", "h11", "httptools", "wsproto", "httpcore", "hpack", "h2")


def scrub_url_secrets(text: str) -> str:
    """``text`` with the value of every secret-looking query parameter redacted."""
    return _SECRET_QUERY.sub(rf"\1{REDACTED}", text)


def _scrub(value: object) -> object:
    return scrub_url_secrets(value) if isinstance(value, str) else value


class UrlSecretsFilter(logging.Filter):
    """Redact secrets in URLs in a record's message, arguments and traceback."""

    def filter(self, record: logging.LogRecord) -> bool:
        record.msg = _scrub(record.msg)
        if isinstance(record.args, tuple):
            record.args = tuple(_scrub(arg) for arg in record.args)
        elif isinstance(record.args, Mapping):
            record.args = {key: _scrub(arg) for key, arg in record.args.items()}
        if record.exc_info and not record.exc_text:
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = scrub_url_secrets(record.exc_text)
        return True


class ProtocolDebugFilter(logging.Filter):
    """Drop debug records written by protocol libraries, whatever logger they were given
    (uvicorn hands ``uvicorn.error`` to websockets, which logs each frame's text)."""

    def filter(self, record: logging.LogRecord) -> bool:
        return record.levelno > logging.DEBUG or not record.pathname.startswith(_package_dirs())


@functools.cache
def _package_dirs() -> tuple[str, ...]:
    specs = (importlib.util.find_spec(name) for name in _PROTOCOL_PACKAGES)
    return tuple(f"{Path(s.origin).parent}{os.sep}" for s in specs if s and s.origin)


def install_filters() -> None:
    """The filters on uvicorn's loggers and ours, however the app is served (a runner of
    the operator's own, not ``shopchat serve``)."""
    for name in ("uvicorn.error", "uvicorn.access", "shopchat"):
        logger = logging.getLogger(name)
        for kind in (ProtocolDebugFilter, UrlSecretsFilter):
            if not any(isinstance(f, kind) for f in logger.filters):
                logger.addFilter(kind())


def log_config(level: str) -> dict[str, Any]:
    """uvicorn's logging configuration with the filters on its handlers and loggers, our
    own loggers at ``level`` too, the protocol libraries' and everything else at WARNING."""
    config = copy.deepcopy(uvicorn.config.LOGGING_CONFIG)
    config["filters"] = {
        "secrets": {"()": UrlSecretsFilter},
        "protocol_debug": {"()": ProtocolDebugFilter},
    }
    for handler in config["handlers"].values():
        handler["filters"] = ["protocol_debug", "secrets"]
    loggers = config["loggers"]
    for name in ("uvicorn.error", "uvicorn.access"):
        loggers.setdefault(name, {})["filters"] = ["protocol_debug", "secrets"]
    loggers["shopchat"] = {"handlers": ["default"], "level": level.upper(), "propagate": False}
    for name in PROTOCOL_LOGGERS:
        loggers[name] = {"level": "WARNING"}
    config["root"] = {"handlers": ["default"], "level": "WARNING"}
    return config
