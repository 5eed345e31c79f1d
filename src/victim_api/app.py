"""The application factory: settings in, a configured FastAPI app out."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import structlog
from fastapi import APIRouter, FastAPI

from victim_api import __version__
from victim_api.callbacks import router as callbacks
from victim_api.cases import crime_reference
from victim_api.cases import router as cases
from victim_api.directory import openreferral, recommend_router
from victim_api.directory import router as directory
from victim_api.helpline import router as helpline
from victim_api.helpline.verification import session_is_live
from victim_api.leaflets import router as leaflets
from victim_api.leaflets.cache import PublishedCache
from victim_api.platform import audit_routes, docs, health, metrics, oauth
from victim_api.platform.db import Database
from victim_api.platform.errors import install_problem_handlers
from victim_api.platform.fastpath import FastPathMiddleware, FastRoute
from victim_api.platform.jsonutil import JSONResponse
from victim_api.platform.keys import KeyStore
from victim_api.platform.logging import configure_logging
from victim_api.platform.middleware import (
    AllowedOriginsCorsMiddleware,
    PublicCorsMiddleware,
    RequestContextMiddleware,
)
from victim_api.platform.migrations import head_revisions
from victim_api.platform.openapi import build_openapi, operation_id
from victim_api.platform.pagination import CursorCodec
from victim_api.qr import router as qr
from victim_api.reference import router as reference
from victim_api.referrals import partner_router as partner_referrals
from victim_api.referrals import router as referrals
from victim_api.reports import router as reports
from victim_api.settings import Settings, get_settings
from victim_api.victims import router as victims
from victim_api.web import router as web
from victim_api.worklist import router as worklist

DESCRIPTION = """\
The API behind a police force's victim-care service.

Front ends (the phone helpline, the web leaflet and victim self-service, partner
support agencies, police record systems and staff tools) are API clients of this
service. All errors are RFC 9457 `application/problem+json` with a stable `code`.
Every response carries `X-Request-ID`; quote it when reporting a problem.

All synthetic data in examples and the demo database is invented.
"""

# Who answers questions about the contract. TODO: the service owner's real
# contact point (a team mailbox or an integration-support URL) before release.
CONTACT: dict[str, str] = {"name": "victim-api maintainers"}

# Relative: the contract describes whichever host serves it, and Swagger UI's
# "Try it out" stays on that origin (inside the docs page's CSP). Partners and
# the web reach the API from outside the force's network: not internal.
SERVERS: list[dict[str, Any]] = [
    {
        "url": "/",
        "description": "This environment (local, test, staging or production); "
        "each serves its own copy of this document.",
        "x-internal": False,
    }
]

TAGS: list[dict[str, Any]] = [
    {"name": "health", "description": "Liveness and readiness probes."},
    {"name": "access", "description": "OAuth2 client credentials and the public signing keys."},
    {"name": "audit", "description": "The DPA 2018 s62 audit trail, for auditors."},
    {"name": "reference", "description": "Crime-type and borough codes used across the API."},
    {
        "name": "qr-tokens",
        "description": "Signed QR tokens printed on leaflets: issue, draw, revoke and resolve.",
    },
    {
        "name": "cases",
        "description": "Case records pushed by police systems, their timelines, enhanced "
        "entitlements and Victims' Code notification duties. Staff and police systems only.",
    },
    {
        "name": "victims",
        "description": "The people on a case: contact safety, consent, verification secrets, "
        "the contact log and subject rights. Staff, the helpline and police systems only.",
    },
    {
        "name": "referrals",
        "description": "Referrals of victims to support services: consent rules per crime "
        "type, deduplication and delivery. Staff only.",
    },
    {
        "name": "partner-referrals",
        "description": "Support services pull their organisation's referrals, acknowledge "
        "them and record outcomes (PARTNER clients, bound to one organisation).",
    },
    {
        "name": "callbacks",
        "description": "A verified victim asks for a callback or rates the service "
        "(`/v1/me/...`, victim session token); staff list, claim and complete callbacks.",
    },
    {
        "name": "worklist",
        "description": "The victim-care worklist: what is owed to whom (by id) and by when, "
        "across duties, referrals, callbacks and agreed updates. Staff only.",
    },
    {
        "name": "reports",
        "description": "Victims' Code compliance figures for managers: JSON, CSV or an SVG "
        "chart. Aggregates only. Staff only.",
    },
    {
        "name": "directory",
        "description": "Staff search and maintenance of the support-service directory.",
    },
    {
        "name": "openreferral",
        "description": "The public support-service directory, as Open Referral HSDS 3.0 "
        "(UK profile): no key, any web origin, throttled per address.",
    },
    {
        "name": "victim-sessions",
        "description": "Helpline and web verification of a victim (crime reference, date of "
        "birth, PIN) and their short-lived session. PHONE and WEB clients.",
    },
    {
        "name": "me",
        "description": "What a verified victim can see and change: their case in plain "
        "English, its timeline, the spoken summary and their contact preferences. A victim "
        "session token only.",
    },
    {
        "name": "helpline",
        "description": "The helpline agent's screen, and staff unlock and recovery of a "
        "victim's verification. Named users only.",
    },
    {
        "name": "leaflets",
        "description": "Victim information leaflets: public reads in each language (JSON, "
        "HTML page, SSML), and the editorial workflow for staff.",
    },
]


# Public GETs the platform may answer from memory before routing (platform/fastpath.py).
FAST_ROUTES = [
    FastRoute(
        path="/v1/leaflets/{slug}",
        prefix=leaflets.LEAFLET_PREFIX,
        answer=leaflets.answer_from_cache,
    ),
]

# Open to every web origin (the Open Referral UK profile requires it).
PUBLIC_CORS_PREFIXES = ("/openreferral",)


def _routers() -> list[APIRouter]:
    """Every router. Each domain package contributes its router here."""
    return [
        health.router,
        oauth.router,
        audit_routes.router,
        reference.router,
        cases.router,
        victims.router,
        referrals.router,
        partner_referrals.router,
        callbacks.router,
        worklist.router,
        reports.router,
        qr.router,
        directory.router,
        recommend_router.router,
        openreferral.router,
        leaflets.router,
        helpline.router,
        web.router,
    ]


@asynccontextmanager
async def _lifespan(app: FastAPI) -> AsyncIterator[None]:
    if app.state.settings.is_production:
        # Refuse to serve with development keys: fail at start, not at first use.
        app.state.keys.ensure_all()
    else:
        try:
            app.state.keys.ensure_all()
        except Exception as exc:  # an unmigrated database: /readyz will say so
            structlog.get_logger(__name__).warning(
                "signing_keys_not_ready", error=type(exc).__name__
            )
    yield
    if app.state.read_database is not app.state.database:
        app.state.read_database.dispose()


def create_app(settings: Settings | None = None) -> FastAPI:
    settings = settings or get_settings()
    crime_reference.configure(settings.crime_reference_pattern)
    app = FastAPI(
        title="victim-api",
        version=__version__,
        description=DESCRIPTION,
        openapi_tags=TAGS,
        servers=SERVERS,
        contact=CONTACT,
        license_info={"name": "MIT", "identifier": "MIT"},
        default_response_class=JSONResponse,
        generate_unique_id_function=operation_id,
        docs_url=None,
        redoc_url=None,
        # The contract is served with the docs, so production hides both unless
        # VICTIM_API_DOCS_ENABLED says otherwise (the committed file is public anyway).
        openapi_url="/openapi.json" if settings.show_docs else None,
        lifespan=_lifespan,
    )
    database = Database(
        settings.database_url,
        pool_size=settings.database_pool_size,
        max_overflow=settings.database_max_overflow,
        sqlite_busy_timeout=settings.sqlite_busy_timeout_seconds,
    )
    app.state.settings = settings
    app.state.database = database
    # Public, non-personal reads may go to a replica (docs/performance.md).
    app.state.read_database = (
        Database(
            settings.read_replica_url,
            pool_size=settings.database_pool_size,
            max_overflow=settings.database_max_overflow,
        )
        if settings.read_replica_url
        else database
    )
    app.state.problem_base_url = settings.problem_base_url
    app.state.migration_heads = head_revisions(settings.database_url)
    app.state.keys = KeyStore.for_settings(database, settings)
    app.state.cursor_codec = CursorCodec(settings.secret_pepper)
    app.state.client_cache = {}
    app.state.leaflet_cache = PublishedCache(settings.leaflet_cache_seconds)
    # Victim sessions end early on sign-out, lockout or staff recovery (helpline).
    app.state.victim_session_check = session_is_live

    install_problem_handlers(app)
    # Innermost: public GETs answered from memory still pass the request middleware.
    app.add_middleware(FastPathMiddleware, routes=FAST_ROUTES)
    app.add_middleware(
        RequestContextMiddleware,
        max_body_bytes=settings.max_body_bytes,
        problem_base_url=settings.problem_base_url,
        body_limits={cases.BATCH_UPSERT_PATH: settings.max_batch_body_bytes},
    )
    # Outermost, so every /openreferral answer (errors and 500s too) is open to any origin.
    app.add_middleware(
        AllowedOriginsCorsMiddleware,
        origins=settings.cors_origins,
        public_prefixes=PUBLIC_CORS_PREFIXES,
    )
    app.add_middleware(PublicCorsMiddleware, prefixes=PUBLIC_CORS_PREFIXES)
    for router in _routers():
        app.include_router(router)
    if settings.show_docs:
        app.include_router(docs.router)
    if settings.metrics_enabled:
        app.include_router(metrics.router)

    def custom_openapi() -> dict[str, Any]:
        if app.openapi_schema is None:
            app.openapi_schema = build_openapi(
                app,
                extra_components={
                    "schemas": {
                        "OAuthError": oauth.OAuthError.model_json_schema(),
                        **cases.contract_schemas(),
                    }
                },
            )
        return app.openapi_schema

    app.openapi = custom_openapi  # type: ignore[method-assign]
    return app


def create_app_from_environment() -> FastAPI:
    """The uvicorn factory: settings from the environment, logging configured."""
    settings = get_settings()
    configure_logging(level=settings.log_level, fmt=settings.log_format)
    return create_app(settings)
