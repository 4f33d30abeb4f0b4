from __future__ import annotations

import hmac
import logging
from typing import Annotated

from fastapi import APIRouter, Header, Response
from fastapi.responses import JSONResponse
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest

from shopchat.kit.errors import NotFound, Unauthorized
from shopchat.services import ServicesDep

log = logging.getLogger(__name__)
router = APIRouter(tags=["health"])


@router.get("/healthz")
async def healthz() -> dict[str, str]:
    """The process is alive."""
    return {"status": "ok"}


@router.get("/readyz")
async def readyz(services: ServicesDep) -> JSONResponse:
    """The database (and Redis, when configured) answer; else 503 naming which failed."""
    failed: dict[str, str] = {}
    try:
        await services.db.ping()
    except Exception as exc:
        failed["database"] = type(exc).__name__
    if services.settings.redis_url:
        try:
            await services.bus.ping()
        except Exception as exc:
            failed["redis"] = type(exc).__name__
    if failed:
        log.warning("not ready: %s", failed)
        return JSONResponse({"status": "unavailable", "failed": failed}, status_code=503)
    return JSONResponse({"status": "ready"})


@router.get("/metrics")
async def prometheus_metrics(
    services: ServicesDep, authorization: Annotated[str | None, Header()] = None
) -> Response:
    """Prometheus text; deployment-wide totals, so behind a token (and off in production
    until one is set)."""
    settings = services.settings
    if settings.metrics_token is None:
        if settings.is_production:
            raise NotFound("set SHOPCHAT_METRICS_TOKEN to serve metrics", code="metrics_off")
    elif not _bearer_matches(authorization, settings.metrics_token.get_secret_value()):
        raise Unauthorized("send 'Authorization: Bearer <metrics token>'", code="metrics_token")
    return Response(generate_latest(), media_type=CONTENT_TYPE_LATEST)


def _bearer_matches(authorization: str | None, token: str) -> bool:
    scheme, _, given = (authorization or "").partition(" ")
    matches = hmac.compare_digest(given.strip().encode(), token.encode())
    return scheme.lower() == "bearer" and matches
