"""Which LLM a site uses: its own (``site.settings["llm"]``) or the deployment's, or none.

A site's block is ``{"base_url", "model", "api_key_enc", "monthly_token_budget",
"monthly_cost_budget", "price_in_per_1k", "price_out_per_1k"}`` (every key optional; what
it leaves out comes from the ``SHOPCHAT_LLM_*`` settings; a budget of ``null``: no cap);
``{"enabled": false}`` keeps a site on the built-in engine. The API key is stored
encrypted with the deployment's key (``shopchat.kit.crypto``).
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from typing import Any

from shopchat.assistant.llm.openai_compatible import ProviderConfig
from shopchat.kit import crypto
from shopchat.settings import Settings


@dataclass(frozen=True, slots=True)
class SiteLLM:
    """The resolved LLM configuration of one site."""

    provider: ProviderConfig
    monthly_token_budget: int | None
    monthly_cost_budget: float | None
    price_in_per_1k: float
    price_out_per_1k: float
    fingerprint: str = field(default="")  # tells provider clients apart, without the key


def seal_api_key(api_key: str, *, settings: Settings) -> str:
    """The value kept in ``site.settings["llm"]["api_key_enc"]``."""
    return crypto.encrypt(api_key, settings.encryption_key_bytes)


def is_configured(settings: Settings, site_settings: dict[str, Any]) -> bool:
    """Whether this site answers through an LLM (cheap: no decryption)."""
    own = _own(site_settings)
    if own.get("enabled") is False:
        return False
    return bool((own.get("base_url") or settings.llm_base_url) and _model(settings, own))


def resolve(settings: Settings, site_settings: dict[str, Any]) -> SiteLLM | None:
    """The site's LLM, or None when it has none (or its key cannot be decrypted)."""
    if not is_configured(settings, site_settings):
        return None
    own = _own(site_settings)
    base_url = str(own.get("base_url") or settings.llm_base_url)
    api_key = _api_key(settings, own)
    if api_key is None:
        return None
    provider = ProviderConfig(
        base_url=base_url,
        model=_model(settings, own),
        api_key=api_key,
        timeout_seconds=settings.llm_timeout_seconds,
        connect_timeout_seconds=settings.llm_connect_timeout_seconds,
        max_retries=settings.llm_max_retries,
        stream=settings.llm_stream,
    )
    key_digest = hashlib.sha256(api_key.encode()).hexdigest()[:16]
    return SiteLLM(
        provider=provider,
        monthly_token_budget=_token_budget(settings, own),
        monthly_cost_budget=_cost_budget(settings, own),
        price_in_per_1k=float(own.get("price_in_per_1k", settings.llm_price_in_per_1k)),
        price_out_per_1k=float(own.get("price_out_per_1k", settings.llm_price_out_per_1k)),
        fingerprint=f"{base_url}|{provider.model}|{key_digest}",
    )


def _own(site_settings: dict[str, Any]) -> dict[str, Any]:
    own = site_settings.get("llm")
    return own if isinstance(own, dict) else {}


def _model(settings: Settings, own: dict[str, Any]) -> str:
    return str(own.get("model") or settings.llm_model or "")


def _api_key(settings: Settings, own: dict[str, Any]) -> str | None:
    sealed = own.get("api_key_enc")
    if sealed:
        try:
            return crypto.decrypt(str(sealed), settings.decryption_keys)
        except crypto.DecryptionError:
            return None
    if own.get("base_url") and own.get("base_url") != settings.llm_base_url:
        return ""  # the site's own endpoint without a key (Ollama): never send ours there
    return settings.llm_api_key.get_secret_value() if settings.llm_api_key else ""


def _token_budget(settings: Settings, own: dict[str, Any]) -> int | None:
    value = own.get("monthly_token_budget", settings.llm_monthly_token_budget)
    return None if value is None else max(0, int(value))


def _cost_budget(settings: Settings, own: dict[str, Any]) -> float | None:
    value = own.get("monthly_cost_budget", settings.llm_monthly_cost_budget)
    return None if value is None else max(0.0, float(value))
