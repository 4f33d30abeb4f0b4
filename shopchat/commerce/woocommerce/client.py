"""HTTP client for the WooCommerce REST API v3 (``/wp-json/wc/v3/``).

Timeouts, bounded retries with exponential backoff (429, 5xx, connection errors,
timeouts), pagination by ``X-WP-TotalPages``, and one place (``_checked``) that turns
responses into data or typed errors. Logs name the method, path and status only:
never query strings, headers or credentials.
"""

from __future__ import annotations

import asyncio
import json
import logging
import random
import ssl
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import httpx

from shopchat.commerce.store import StoreAuthError, StoreError, StoreUnavailable
from shopchat.commerce.woocommerce.auth import (
    AuthScheme,
    WooCommerceCredentials,
    oauth1_params,
    resolve_scheme,
)
from shopchat.commerce.woocommerce.mapping import records, text

logger = logging.getLogger(__name__)

API_PREFIX = "/wp-json/wc/v3/"
MAX_PAGE_SIZE = 100
_RETRYABLE_STATUSES = frozenset({408, 425, 429, 500, 502, 503, 504, 520, 521, 522, 523, 524})
_NOT_FOUND_MEANS_NO_API = frozenset({"rest_no_route"})


@dataclass(frozen=True, slots=True)
class RetryPolicy:
    """How often and how patiently to retry a failing request."""

    max_retries: int = 3
    backoff_base: float = 0.25
    backoff_max: float = 4.0
    deadline: float = 30.0

    def delay(self, attempt: int, retry_after: float | None) -> float:
        """Seconds to wait before retry number ``attempt + 1`` (jittered exponential)."""
        if retry_after is not None:
            return min(retry_after, self.backoff_max)
        ceiling = min(self.backoff_base * 2**attempt, self.backoff_max)
        return ceiling / 2 + random.uniform(0, ceiling / 2)


@dataclass(frozen=True, slots=True)
class ApiResponse:
    """A successful response: its JSON and WordPress's pagination totals."""

    data: Any
    total: int | None = None
    total_pages: int | None = None


class WooCommerceClient:
    """An authenticated, retrying reader of one store's REST API."""

    def __init__(
        self,
        *,
        store_url: str,
        credentials: WooCommerceCredentials,
        auth: AuthScheme = "auto",
        timeout: float = 10.0,
        retry: RetryPolicy | None = None,
        verify: bool | str | ssl.SSLContext = True,
        transport: httpx.AsyncBaseTransport | None = None,
    ) -> None:
        self.api_url = store_url.rstrip("/") + API_PREFIX
        self._credentials = credentials
        self._scheme = resolve_scheme(auth, https=self.api_url.startswith("https://"))
        self._retry = retry or RetryPolicy()
        self._timeout = timeout
        self._http = httpx.AsyncClient(
            timeout=httpx.Timeout(timeout, connect=min(timeout, 5.0)),
            verify=_ssl_context(verify),
            transport=transport,
            follow_redirects=False,
            headers={"Accept": "application/json", "User-Agent": "shopchat/0.1"},
        )

    async def __aenter__(self) -> WooCommerceClient:
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        await self.aclose()

    async def aclose(self) -> None:
        """Close the connection pool."""
        await self._http.aclose()

    async def get(self, path: str, *, params: dict[str, Any] | None = None) -> ApiResponse | None:
        """GET one resource or page; None when WooCommerce says it does not exist."""
        url = self.api_url + path.lstrip("/")
        query = {k: _param(v) for k, v in (params or {}).items() if v is not None}
        started = time.monotonic()
        attempt = 0
        while True:
            failure, retry_after = await self._attempt(url, query)
            if isinstance(failure, _Done):
                return failure.response
            delay = self._retry.delay(attempt, retry_after)
            if not self._may_retry(attempt, started, delay):
                raise StoreUnavailable(
                    f"WooCommerce store at {self.api_url} unavailable after "
                    f"{attempt + 1} attempts: {failure}",
                    status=_status_of(failure),
                )
            logger.warning("woocommerce GET %s failed (%s); retry in %.2fs", path, failure, delay)
            await asyncio.sleep(delay)
            attempt += 1

    async def get_list(
        self,
        path: str,
        *,
        params: dict[str, Any] | None = None,
        limit: int,
        page_size: int = MAX_PAGE_SIZE,
        keep: Callable[[dict[str, Any]], bool] | None = None,
    ) -> list[dict[str, Any]]:
        """Up to ``limit`` objects of a paginated list (those ``keep`` accepts), following
        ``X-WP-TotalPages`` (never the ``Link`` header: it repeats the OAuth query)."""
        per_page = max(1, min(page_size, MAX_PAGE_SIZE, limit))
        items: list[dict[str, Any]] = []
        page = 1
        while len(items) < limit:
            response = await self.get(
                path, params={**(params or {}), "page": page, "per_page": per_page}
            )
            batch = list(records(response.data)) if response else []
            items.extend(r for r in batch if keep is None or keep(r))
            if not batch or response is None or page >= (response.total_pages or 1):
                break
            page += 1
        return items[:limit]

    def _may_retry(self, attempt: int, started: float, delay: float) -> bool:
        within_deadline = time.monotonic() - started + delay < self._retry.deadline
        return attempt < self._retry.max_retries and within_deadline

    async def _attempt(self, url: str, query: dict[str, str]) -> tuple[Any, float | None]:
        """One request: (_Done, None) on a final answer, else (why it failed, Retry-After)."""
        started = time.monotonic()
        try:
            response = await self._send(url, query)
        except httpx.TimeoutException:
            return f"timed out after {self._timeout:g}s", None
        except httpx.TransportError as exc:
            return _transport_failure(exc, self.api_url), None
        path = url.removeprefix(self.api_url)
        elapsed = time.monotonic() - started
        logger.debug("woocommerce GET %s -> %s in %.3fs", path, response.status_code, elapsed)
        if response.status_code in _RETRYABLE_STATUSES:
            return _HttpFailure(response.status_code), _retry_after(response)
        return _Done(self._checked(response)), None

    async def _send(self, url: str, query: dict[str, str]) -> httpx.Response:
        if self._scheme == "basic":
            creds = self._credentials
            auth = httpx.BasicAuth(creds.consumer_key, creds.consumer_secret)
            return await self._http.get(url, params=query, auth=auth)
        signed = oauth1_params(
            credentials=self._credentials, method="GET", base_url=url, params=query
        )
        return await self._http.get(url, params=signed)

    def _checked(self, response: httpx.Response) -> ApiResponse | None:
        """The one place a response becomes data, None (not found) or a typed error."""
        status = response.status_code
        body = _json_body(response.text)
        if 200 <= status < 300:
            if body is _NOT_JSON:
                raise StoreError(f"{self.api_url} did not answer JSON; is it a WooCommerce store?")
            return ApiResponse(
                data=body,
                total=_int_header(response, "X-WP-Total"),
                total_pages=_int_header(response, "X-WP-TotalPages"),
            )
        code, message = _wp_error(body)
        if status in {401, 403}:
            raise StoreAuthError(
                f"WooCommerce refused the API key {self._credentials.consumer_key[:7]}… "
                f"({status} {code}: {message}); check the consumer key and secret and that "
                "the key has read permission",
                status=status,
            )
        if 300 <= status < 400:
            location = response.headers.get("Location", "?")
            raise StoreError(
                f"{self.api_url} redirects to {location}; configure the store URL it redirects to",
                status=status,
            )
        if status == 404 and (body is _NOT_JSON or code in _NOT_FOUND_MEANS_NO_API):
            raise StoreError(f"no WooCommerce REST API at {self.api_url} ({code})", status=404)
        if status in {404, 410}:
            return None
        raise StoreError(f"WooCommerce answered {status} {code}: {message}", status=status)


@dataclass(frozen=True, slots=True)
class _Done:
    response: ApiResponse | None


@dataclass(frozen=True, slots=True)
class _HttpFailure:
    status: int

    def __str__(self) -> str:
        return f"HTTP {self.status}"


_NOT_JSON = object()


def _json_body(raw: str) -> Any:
    """The JSON of a body, skipping PHP notices some hosts print before it."""
    try:
        return json.loads(raw)
    except ValueError:
        pass
    starts = [i for i in (raw.find("{"), raw.find("[")) if i > 0]
    if starts:
        try:
            return json.loads(raw[min(starts) :])
        except ValueError:
            pass
    return _NOT_JSON


def _wp_error(body: Any) -> tuple[str, str]:
    """The code and message of a WordPress REST error body."""
    if not isinstance(body, dict):
        return "unknown", "no JSON error body"
    return text(body.get("code"), limit=80) or "unknown", text(body.get("message"), limit=300)


def _status_of(failure: object) -> int | None:
    return failure.status if isinstance(failure, _HttpFailure) else None


def _transport_failure(exc: httpx.TransportError, api_url: str) -> str:
    """Why a request did not get an answer; TLS and URL mistakes are not retried."""
    cause: BaseException | None = exc
    while cause is not None:
        if isinstance(cause, ssl.SSLCertVerificationError):
            raise StoreError(f"TLS certificate of {api_url} is not trusted: {cause.verify_message}")
        cause = cause.__cause__ or cause.__context__
    if isinstance(exc, httpx.UnsupportedProtocol):
        raise StoreError(f"unsupported store URL {api_url}")
    return f"{type(exc).__name__}: {exc}" if str(exc) else type(exc).__name__


def _retry_after(response: httpx.Response) -> float | None:
    try:
        return max(0.0, float(response.headers.get("Retry-After", "")))
    except ValueError:
        return None


def _int_header(response: httpx.Response, name: str) -> int | None:
    try:
        return int(response.headers.get(name, ""))
    except ValueError:
        return None


def _param(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, list | tuple):
        return ",".join(str(v) for v in value)
    return str(value)


def _ssl_context(verify: bool | str | ssl.SSLContext) -> bool | ssl.SSLContext:
    """httpx wants an SSLContext for a CA bundle path (a path alone is deprecated)."""
    if isinstance(verify, str):
        return ssl.create_default_context(cafile=verify)
    return verify
