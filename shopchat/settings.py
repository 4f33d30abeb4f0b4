"""Settings from ``SHOPCHAT_*`` environment variables (and ``.env``), validated at start-up."""

from __future__ import annotations

import base64
import hashlib
import os
import secrets
from functools import cached_property
from pathlib import Path
from typing import Annotated, Literal

from pydantic import Field, SecretStr, ValidationError, field_validator, model_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

from shopchat.kit.outbound import Policy

_PLACEHOLDERS = {"", "changeme", "change-me", "secret", "placeholder", "xxx", "todo"}
MIN_KEY_CHARS = 32


class SettingsError(RuntimeError):
    """A setting has a bad value; the message says which and why."""


def _default_data_dir() -> Path:
    base = os.environ.get("XDG_DATA_HOME") or Path.home() / ".local" / "share"
    return Path(base) / "shopchat"


class Settings(BaseSettings):
    model_config = SettingsConfigDict(
        env_prefix="SHOPCHAT_", env_file=".env", extra="ignore", frozen=True
    )

    env: Literal["development", "production", "test"] = "development"
    data_dir: Path = Field(default_factory=_default_data_dir)
    database_url: str = ""
    redis_url: str | None = None
    secret_key: str | None = None
    encryption_key: str | None = None
    # Keys from before a rotation, still tried when decrypting (comma-separated in the env).
    previous_encryption_keys: Annotated[tuple[SecretStr, ...], NoDecode] = ()
    public_url: str | None = None
    log_level: Literal["debug", "info", "warning", "error"] = "info"
    # /docs, /redoc and /openapi.json; unset: served except in production.
    api_docs: bool | None = None
    # Bearer token /metrics asks for; unset: open, except in production, where it is off.
    metrics_token: SecretStr | None = None

    max_message_chars: int = Field(default=4000, ge=1, le=100_000)
    max_frame_bytes: int = Field(default=32 * 1024, ge=1024, le=1024 * 1024)
    frames_per_second: float = Field(default=5.0, gt=0)
    frame_burst: int = Field(default=20, ge=1)
    sessions_per_ip_per_minute: int = Field(default=60, ge=1)
    # Customer messages the assistant answers per site and minute; more: "assistant_busy".
    assistant_turns_per_site_per_minute: int = Field(default=600, ge=1)
    session_token_ttl_seconds: int = Field(default=12 * 3600, ge=60)
    ws_heartbeat_seconds: float = Field(default=25.0, gt=0)
    ws_max_lifetime_seconds: float = Field(default=6 * 3600, gt=0)
    long_poll_max_seconds: float = Field(default=25.0, gt=0, le=120)
    body_read_timeout_seconds: float = Field(default=30.0, gt=0, le=600)  # per chunk
    # Reading back orders the WooCommerce webhooks missed; 0 turns the catch-up off.
    order_catch_up_seconds: float = Field(default=300.0, ge=0)

    # LLM provider (optional; shopchat.assistant.llm). Unset base URL and model: built-in only.
    llm_base_url: str | None = None
    llm_api_key: SecretStr | None = None
    llm_model: str | None = None
    llm_timeout_seconds: float = Field(default=15.0, gt=0)  # per request (read)
    llm_connect_timeout_seconds: float = Field(default=3.0, gt=0)
    llm_deadline_seconds: float = Field(default=25.0, gt=0)  # the whole answer, all rounds
    llm_max_retries: int = Field(default=1, ge=0, le=5)
    llm_max_tool_rounds: int = Field(default=4, ge=1, le=10)
    llm_stream: bool = True
    # Per site and month; None: no cap. 5M tokens is USD 50 at USD 10 per million tokens.
    llm_monthly_token_budget: int | None = Field(default=5_000_000, ge=0)
    llm_monthly_cost_budget: float | None = Field(default=50.0, ge=0)  # in the prices' currency
    llm_price_in_per_1k: float = Field(default=0.0, ge=0)
    llm_price_out_per_1k: float = Field(default=0.0, ge=0)
    llm_cache_ttl_seconds: int = Field(default=3600, ge=0)  # 0 turns the answer cache off

    # Outbound requests to tenant-chosen URLs (shopchat.kit.outbound): public https only,
    # except these hosts (names as written in URLs, IP addresses or networks; comma-separated).
    outbound_allowed_hosts: Annotated[tuple[str, ...], NoDecode] = ()
    # The mail relay of notification emails; sites choose their own only when allowed.
    smtp_host: str = "localhost"
    smtp_port: int = Field(default=25, ge=1, le=65535)
    smtp_starttls: bool = False
    smtp_username: str | None = None
    smtp_password: SecretStr | None = None
    smtp_from: str | None = None  # when set, the From of every email (the site's is Reply-To)
    tenant_smtp_allowed: bool = False
    email_max_recipients: int = Field(default=5, ge=1, le=100)

    @field_validator("database_url")
    @classmethod
    def _known_database(cls, value: str) -> str:
        if value and not value.startswith(("sqlite", "postgresql", "postgres")):
            raise ValueError("must start with sqlite:/// or postgresql://")
        return value

    @field_validator("redis_url")
    @classmethod
    def _known_redis(cls, value: str | None) -> str | None:
        if value and not value.startswith(("redis://", "rediss://", "unix://")):
            raise ValueError("must start with redis://, rediss:// or unix://")
        return value or None

    @field_validator("previous_encryption_keys", "outbound_allowed_hosts", mode="before")
    @classmethod
    def _split_comma_list(cls, value: object) -> object:
        return (
            [part.strip() for part in value.split(",") if part.strip()]
            if isinstance(value, str)
            else value
        )

    @field_validator("previous_encryption_keys")
    @classmethod
    def _previous_keys_long_enough(cls, value: tuple[SecretStr, ...]) -> tuple[SecretStr, ...]:
        for number, key in enumerate(value, 1):
            if len(key.get_secret_value()) < MIN_KEY_CHARS:
                raise ValueError(
                    f"key {number} of {len(value)} is shorter than {MIN_KEY_CHARS} characters; "
                    "each previous key is a whole former SHOPCHAT_ENCRYPTION_KEY"
                )
        return value

    @field_validator("outbound_allowed_hosts")
    @classmethod
    def _hosts_or_networks(cls, value: tuple[str, ...]) -> tuple[str, ...]:
        Policy.allowing(value)  # a bad entry fails start-up, not the first send
        return value

    @model_validator(mode="after")
    def _no_placeholder_secrets_in_production(self) -> Settings:
        if self.env != "production":
            return self
        for name in ("secret_key", "encryption_key"):
            value = getattr(self, name)
            if (
                value is None
                or value.strip().lower() in _PLACEHOLDERS
                or len(value) < MIN_KEY_CHARS
            ):
                raise ValueError(
                    f"SHOPCHAT_{name.upper()} must be set to a random value of at least "
                    f"{MIN_KEY_CHARS} characters in production"
                )
        if not self.database_url.startswith(("postgresql", "postgres")):
            raise ValueError("SHOPCHAT_DATABASE_URL must point at PostgreSQL in production")
        return self

    @property
    def async_database_url(self) -> str:
        """The database URL with the async driver SQLAlchemy needs."""
        url = self.database_url or f"sqlite:///{self.data_dir / 'shopchat.db'}"
        for prefix, driver in (
            ("sqlite:", "sqlite+aiosqlite:"),
            ("postgresql:", "postgresql+asyncpg:"),
            ("postgres:", "postgresql+asyncpg:"),
        ):
            if url.startswith(prefix):
                return driver + url[len(prefix) :]
        return url

    @property
    def api_docs_enabled(self) -> bool:
        return self.api_docs if self.api_docs is not None else self.env != "production"

    @property
    def is_production(self) -> bool:
        return self.env == "production"

    @property
    def is_sqlite(self) -> bool:
        return self.async_database_url.startswith("sqlite")

    @cached_property
    def signing_key(self) -> str:
        """Key for session tokens: the setting, else one generated once in the data dir."""
        return self.secret_key or _stored_secret(self.data_dir / "secret_key", 48)

    @cached_property
    def encryption_key_bytes(self) -> bytes:
        """AES-256 key for secrets at rest: the setting, else one kept in the data dir."""
        raw = self.encryption_key or _stored_secret(self.data_dir / "encryption_key", 32)
        return derive_encryption_key(raw)

    @cached_property
    def outbound_policy(self) -> Policy:
        """Where requests to tenant-chosen URLs may go besides public https hosts."""
        return Policy.allowing(self.outbound_allowed_hosts)

    @cached_property
    def decryption_keys(self) -> tuple[bytes, ...]:
        """Keys to try on a secret at rest, in order: the current key, then the previous ones."""
        previous = (
            derive_encryption_key(k.get_secret_value()) for k in self.previous_encryption_keys
        )
        return (self.encryption_key_bytes, *previous)


def derive_encryption_key(raw: str) -> bytes:
    """The AES-256 key for a configured key's text."""
    return hashlib.sha256(raw.encode()).digest()


def _stored_secret(path: Path, size: int) -> str:
    if path.exists():
        return path.read_text().strip()
    path.parent.mkdir(parents=True, exist_ok=True)
    value = base64.urlsafe_b64encode(secrets.token_bytes(size)).decode().rstrip("=")
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:  # another process made it first
        return path.read_text().strip()
    with os.fdopen(fd, "w") as handle:
        handle.write(value)
    return value


def load_settings(**overrides: object) -> Settings:
    """Read and validate settings; a bad value raises SettingsError naming the variable."""
    try:
        settings = Settings(**overrides)  # type: ignore[arg-type]
    except ValidationError as exc:
        raise SettingsError(_describe(exc)) from None
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    return settings


def _describe(exc: ValidationError) -> str:
    lines = ["invalid settings:"]
    for error in exc.errors():
        field = ".".join(str(part) for part in error["loc"])
        name = f"SHOPCHAT_{field.upper()}" if field else "settings"
        lines.append(f"  {name}: {error['msg']}")
    return "\n".join(lines)
