"""The ASGI application: routes, middleware, and the resources built in its lifespan."""

from __future__ import annotations

import json
import logging
import os
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager

from fastapi import Depends, FastAPI

from shopchat import __version__
from shopchat.assistant.llm.responder import LLMResponder
from shopchat.assistant.responder import Responder, ResponderDeps
from shopchat.attachment import endpoints as attachments
from shopchat.bus import create_bus
from shopchat.commerce.registry import StoreRegistry
from shopchat.commerce.webhooks import endpoints as webhooks
from shopchat.commerce.webhooks.catchup import start_order_catch_up
from shopchat.commerce.webhooks.worker import start_webhook_worker
from shopchat.console import pages as console_pages
from shopchat.console import ws as console_ws
from shopchat.console.tasks import start_background
from shopchat.conversation import widget_endpoints, ws
from shopchat.conversation.service import Chat, ChatLimits
from shopchat.db import Database
from shopchat.demo import storefront
from shopchat.demo.seed import DemoSite
from shopchat.health import endpoints as health
from shopchat.housekeeping import start_housekeeping
from shopchat.http import (
    BodyLimit,
    SecurityHeaders,
    WidgetCors,
    install_error_handlers,
    refuse_unstorable_input,
)
from shopchat.kit.ratelimit import create_rate_limiter
from shopchat.kit.shutdown import Shutdown
from shopchat.observability.logs import install_filters
from shopchat.services import Services
from shopchat.settings import Settings, load_settings
from shopchat.widget import endpoints as widget_assets

log = logging.getLogger(__name__)

ResponderFactory = Callable[[ResponderDeps], Responder]

# How `shopchat serve --workers N` hands the demo shop it seeded to its worker processes.
DEMO_SITE_ENV = "_SHOPCHAT_SERVE_DEMO_SITE"


def default_responder(deps: ResponderDeps) -> Responder:
    """Per turn: the site's LLM when it (or the deployment) has one, else the built-in engine."""
    return LLMResponder(deps)  # its fallback, and the answer without an LLM: the built-in engine


def create_app(
    settings: Settings | None = None,
    *,
    responder_factory: ResponderFactory = default_responder,
    demo: DemoSite | None = None,
) -> FastAPI:
    """Build the app; nothing connects until the lifespan starts."""
    settings = settings or load_settings()
    install_filters()

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        shutdown = Shutdown()
        restore_signals = shutdown.install_signal_handlers()
        db = Database(settings)
        bus = create_bus(settings.redis_url)
        await bus.start()
        limiter = create_rate_limiter(settings.redis_url)
        stores = StoreRegistry(settings)
        responder = responder_factory(ResponderDeps(settings, db, limiter, stores))
        chat = Chat(
            db=db, bus=bus, responder=responder, limiter=limiter, limits=ChatLimits.of(settings)
        )
        chat.start_recovery()
        app.state.services = Services(
            settings=settings,
            db=db,
            bus=bus,
            limiter=limiter,
            chat=chat,
            stores=stores,
            shutdown=shutdown,
        )
        outbox = start_background(app.state.services)
        app.state.webhooks = start_webhook_worker(app.state.services)
        housekeeping = start_housekeeping(db)
        catch_up = start_order_catch_up(
            db,
            stores,
            wake=app.state.webhooks.wake,
            every_seconds=settings.order_catch_up_seconds,
        )
        try:
            yield
        finally:
            restore_signals()
            shutdown.stopping.set()
            if catch_up is not None:
                await catch_up.stop()
            await housekeeping.stop()
            await app.state.webhooks.stop()
            await outbox.stop()
            await chat.drain()
            if (close := getattr(responder, "aclose", None)) is not None:
                await close()
            await limiter.close()
            await stores.aclose()
            await bus.stop()
            await db.dispose()

    # The schema maps every route and field for an attacker: off in production by default.
    app = FastAPI(
        title="shopchat",
        version=__version__,
        lifespan=lifespan,
        dependencies=[Depends(refuse_unstorable_input)],
        docs_url="/docs" if settings.api_docs_enabled else None,
        redoc_url="/redoc" if settings.api_docs_enabled else None,
        openapi_url="/openapi.json" if settings.api_docs_enabled else None,
    )
    app.state.demo = demo
    install_error_handlers(app)
    app.add_middleware(WidgetCors)
    app.add_middleware(BodyLimit, chunk_timeout=settings.body_read_timeout_seconds)
    app.add_middleware(SecurityHeaders, hsts=settings.is_production)
    for router in (
        health.router,
        widget_endpoints.router,
        ws.router,
        console_pages.router,
        console_ws.router,
        webhooks.router,
    ):
        app.include_router(router)
    for router in (widget_assets.router, attachments.router, *([storefront.router] * bool(demo))):
        app.include_router(router)
    return app


def factory() -> FastAPI:
    """The app of one of ``shopchat serve --workers N``'s processes: settings from the env."""
    demo = os.environ.get(DEMO_SITE_ENV)
    return create_app(load_settings(), demo=DemoSite(**json.loads(demo)) if demo else None)
