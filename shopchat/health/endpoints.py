from __future__ import annotations

import logging

from fastapi import APIRouter, Response
from fastapi.responses import JSONResponse
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest

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
async def prometheus_metrics() -> Response:
    return Response(generate_latest(), media_type=CONTENT_TYPE_LATEST)
