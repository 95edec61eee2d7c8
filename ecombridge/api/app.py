"""The ASGI application: routers of every domain, wire tolerance, HubSpot's error shape."""

from __future__ import annotations

import importlib

from fastapi import APIRouter, FastAPI

from ecombridge import __version__
from ecombridge.api.docs import install_docs
from ecombridge.api.errors import install_error_handlers
from ecombridge.api.middleware import WireToleranceMiddleware
from ecombridge.api.openapi import install_openapi
from ecombridge.config import Config, get_config
from ecombridge.db.engine import Database
from ecombridge.queue.inprocess import worker_lifespan
from ecombridge.ratelimit.middleware import RateLimitMiddleware
from ecombridge.ratelimit.service import RateLimiter
from ecombridge.web.security_headers import SecurityHeadersMiddleware

# Each module exposes ``router``. Order matters only where paths overlap.
ROUTER_MODULES = [
    "ecombridge.api.health",
    "ecombridge.imports.endpoints",
    "ecombridge.sync.endpoints",
    "ecombridge.sync_settings.endpoints",
    "ecombridge.crm_schema.legacy_endpoints",
    "ecombridge.crm_schema.legacy_deal_properties",
    "ecombridge.crm_schema.endpoints",
    "ecombridge.crm_schema.pipeline_endpoints",
    "ecombridge.stores.endpoints",
    "ecombridge.installs.endpoints",
    "ecombridge.oauth.endpoints",
    "ecombridge.account.endpoints",
    "ecombridge.observability.endpoints",
    "ecombridge.sync_status.endpoints",
    "ecombridge.crm.endpoints",
    "ecombridge.crm.write_endpoints",
    "ecombridge.crm.association_endpoints",
    "ecombridge.crm_legacy.endpoints",
    "ecombridge.workflows.endpoints",
    "ecombridge.relay.endpoints",
    "ecombridge.web.endpoints",
]


def create_app(config: Config | None = None, database: Database | None = None) -> FastAPI:
    config = config or get_config()
    database = database or Database(
        config.database_url, sqlite_synchronous=config.sqlite_synchronous
    )
    app = FastAPI(
        title="ecombridge",
        version=__version__,
        description="A self-hosted, wire-compatible Ecommerce Bridge (v1 and v2) with a CRM "
        "view of the synced data.",
        # Served by ecombridge.api.docs from local assets (no CDN).
        docs_url=None,
        redoc_url=None,
        # Trailing slashes are dropped before routing (WireToleranceMiddleware), so redirecting
        # to the slashed path could only loop: an unmatched path is a plain 404.
        redirect_slashes=False,
        # Starts app.state.worker_count in-process workers (none unless set, as in tests).
        lifespan=worker_lifespan,
    )
    app.state.config = config
    app.state.database = database
    install_error_handlers(app)
    install_openapi(app)
    install_docs(app)
    for module_name in ROUTER_MODULES:
        router: APIRouter = importlib.import_module(module_name).router
        app.include_router(router)
    # Innermost first: limits are counted on the tolerated (normalised) request.
    app.state.rate_limiter = RateLimiter.from_config(config, database)
    app.add_middleware(RateLimitMiddleware, limiter=app.state.rate_limiter)
    app.add_middleware(SecurityHeadersMiddleware)
    app.add_middleware(
        WireToleranceMiddleware,
        max_body_bytes=config.max_body_bytes,
        read_timeout_s=config.request_read_timeout_seconds,
    )
    return app
