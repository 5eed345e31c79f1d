"""``/l``: the reference victim page behind the printed QR code, and its token endpoint.

The page (``static/``: one HTML file, one script, one stylesheet) is a client of
the public API like any force's own web front end: it resolves the QR token and,
for "see updates on my case", starts a victim session. A public page cannot keep
a client secret, so this service plays the page's backend-for-frontend for just
one thing: ``POST /l/session-token`` mints a short-lived access token for the
configured WEB client (``VICTIM_API_WEB_PAGE_CLIENT_ID``) that holds only the
scopes ``POST /v1/victim-sessions`` needs. That endpoint's own rate limits and
lockout still apply to every verification; this one adds a per-address limit and
answers only the page's own origin or a configured web origin.

Nothing here is part of the contract (``include_in_schema=False``): the page is a
working example, documented in docs/integration/web.md. Every route is PUBLIC.
"""

from __future__ import annotations

from pathlib import Path

from fastapi import APIRouter, FastAPI, Request
from fastapi.responses import FileResponse
from starlette.responses import Response

from victim_api.platform.assets import asset_response
from victim_api.platform.clients import ApiClient
from victim_api.platform.dependencies import SettingsDep
from victim_api.platform.errors import ProblemError
from victim_api.platform.jsonutil import JSONResponse
from victim_api.platform.oauth import sign_access_token
from victim_api.platform.policy import PUBLIC, Policy, route_policies
from victim_api.platform.principal import Channel
from victim_api.platform.ratelimit import bucket_key, hit
from victim_api.platform.routes import api_routes

STATIC_DIR = Path(__file__).resolve().parent / "static"
PAGE_PATH = "/l"
STATIC_PREFIX = "/l/static"
SESSION_START_PATH = "/v1/victim-sessions"

ASSETS: dict[str, str] = {
    "victim-page.js": "text/javascript; charset=utf-8",
    "victim-page.css": "text/css; charset=utf-8",
}
ASSET_CACHE_CONTROL = "public, max-age=300"

# No inline script or style anywhere; the leaflet HTML the page inserts goes
# through one Trusted Types policy ("leaflet-html") and an allow-list in the script.
PAGE_CSP = "; ".join(
    (
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self' data:",
        "connect-src 'self'",
        "object-src 'none'",
        "base-uri 'none'",
        "form-action 'none'",
        "frame-ancestors 'none'",
        "require-trusted-types-for 'script'",
        "trusted-types leaflet-html",
    )
)
PAGE_HEADERS = {
    "Content-Security-Policy": PAGE_CSP,
    # The QR token is in the fragment, which no Referer carries; say so anyway.
    "Referrer-Policy": "no-referrer",
    "X-Frame-Options": "DENY",
    "Cache-Control": "no-cache",
}
_NO_STORE = {"Cache-Control": "no-store", "Pragma": "no-cache"}

router = APIRouter(include_in_schema=False, dependencies=[PUBLIC])


@router.get(PAGE_PATH)
def get_victim_page() -> FileResponse:
    return FileResponse(
        STATIC_DIR / "index.html", media_type="text/html; charset=utf-8", headers=PAGE_HEADERS
    )


@router.get(STATIC_PREFIX + "/{name}")
def get_victim_page_asset(name: str) -> FileResponse:
    return asset_response(STATIC_DIR, name, ASSETS, ASSET_CACHE_CONTROL)


@router.post(PAGE_PATH + "/session-token")
def create_page_session_token(request: Request, settings: SettingsDep) -> Response:
    """A WEB client token good only for starting a victim session, for the page."""
    _require_page_origin(request, settings.cors_origins)
    address = request.client.host if request.client else "-"
    hit(
        request.app.state.database,
        bucket_key("web-page-token", address),
        limit=settings.web_page_token_rate_limit_per_minute,
        window_seconds=60,
    )
    client = _page_client(request, settings.web_page_client_id)
    needed = session_start_scopes(request.app)
    if needed is None:
        raise _unavailable()
    scopes = needed & set(client.scopes)
    signed = sign_access_token(
        request, client, scopes, lifetime_seconds=settings.web_page_token_ttl_seconds
    )
    return JSONResponse(
        {
            "access_token": signed.token,
            "token_type": "Bearer",
            "expires_in": settings.web_page_token_ttl_seconds,
        },
        headers=_NO_STORE,
    )


def _require_page_origin(request: Request, allowed: list[str]) -> None:
    """Browsers send ``Origin`` on every POST from a script: accept only the page's own
    origin and the configured web origins, so no other site can use the endpoint from
    its visitors' browsers (a script outside a browser is held by the rate limits)."""
    origin = request.headers.get("origin")
    own = f"{request.url.scheme}://{request.url.netloc}"
    if origin is None or (origin != own and origin not in allowed):
        raise ProblemError(
            403, "origin_not_allowed", "This endpoint answers the victim page's own origin only."
        )


def _unavailable() -> ProblemError:
    return ProblemError(
        503,
        "case_updates_unavailable",
        "Case updates are not available on this page. Call the helpline instead.",
    )


def _page_client(request: Request, client_id: str | None) -> ApiClient:
    if client_id is None:
        raise _unavailable()
    with request.app.state.database.read_session() as session:
        client: ApiClient | None = session.get(ApiClient, client_id)
        if client is None or not client.active or client.channel != Channel.WEB.value:
            raise _unavailable()
        session.expunge(client)
    return client


def session_start_scopes(app: FastAPI) -> set[str] | None:
    """The scopes ``POST /v1/victim-sessions`` requires: all the page's token may hold
    (None while the service has no such route)."""
    for route in api_routes(app):
        if route.path_format == SESSION_START_PATH and "POST" in (route.methods or set()):
            return {
                scope
                for policy in route_policies(route)
                if isinstance(policy, Policy)
                for scope in policy.scopes
            }
    return None
