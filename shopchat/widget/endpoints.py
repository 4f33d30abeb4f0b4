"""``GET /widget.js`` and the lazily loaded ``GET /widget/{name}``."""

from __future__ import annotations

from fastapi import APIRouter, Request, Response

from shopchat.kit.errors import NotFound
from shopchat.widget.assets import LAZY, LOADER, Asset, load_assets

router = APIRouter(tags=["widget"])

# The loader's URL is fixed in every shop's page, so it is cached briefly and revalidated;
# lazy assets carry their fingerprint in the URL and are cached for a year.
LOADER_CACHE = "public, max-age=300, stale-while-revalidate=86400"
FINGERPRINTED_CACHE = "public, max-age=31536000, immutable"
UNVERSIONED_CACHE = "public, max-age=300"


@router.api_route("/widget.js", methods=["GET", "HEAD"], include_in_schema=False)
async def loader(request: Request) -> Response:
    return _serve(request, load_assets()[LOADER], LOADER_CACHE)


@router.api_route("/widget/{name}", methods=["GET", "HEAD"], include_in_schema=False)
async def lazy_asset(name: str, request: Request) -> Response:
    if name not in LAZY:
        raise NotFound("no such widget file")
    asset = load_assets()[name]
    versioned = request.query_params.get("v") == asset.version
    return _serve(request, asset, FINGERPRINTED_CACHE if versioned else UNVERSIONED_CACHE)


def _serve(request: Request, asset: Asset, cache_control: str) -> Response:
    headers = {
        "Cache-Control": cache_control,
        "ETag": asset.etag,
        "Vary": "Accept-Encoding",
        "X-Content-Type-Options": "nosniff",
        # The panel is an ES module imported from the shop's origin: CORS is required.
        "Access-Control-Allow-Origin": "*",
        "Cross-Origin-Resource-Policy": "cross-origin",
    }
    if asset.etag in request.headers.get("if-none-match", ""):
        return Response(status_code=304, headers=headers)
    body = asset.body
    if "gzip" in request.headers.get("accept-encoding", ""):
        body = asset.gzipped
        headers["Content-Encoding"] = "gzip"
    return Response(body, media_type="text/javascript; charset=utf-8", headers=headers)
