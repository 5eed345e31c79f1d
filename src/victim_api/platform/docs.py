"""API docs pages, served offline: Swagger UI at ``/docs`` and Redoc at ``/redoc``.

Both viewers are vendored under ``platform/static/docs`` (see the README there
and ``make vendor-docs``), so the pages load nothing from outside this service:
no CDN, no web fonts, no validator badge. The pages' Content-Security-Policy
allows scripts only from this origin; styles may also be inline because both
viewers set ``style`` attributes and inject ``<style>`` elements at run time.

None of these routes is part of the contract (``include_in_schema=False``); all
are explicitly public (``PUBLIC`` policy).
``create_app`` includes the router only when ``settings.show_docs`` is true
(by default everywhere but production; ``VICTIM_API_DOCS_ENABLED`` decides).
"""

from __future__ import annotations

from html import escape
from pathlib import Path

from fastapi import APIRouter, Request
from fastapi.responses import FileResponse, HTMLResponse

from victim_api.platform.assets import asset_response
from victim_api.platform.policy import PUBLIC

STATIC_DIR = Path(__file__).resolve().parent / "static" / "docs"
STATIC_PREFIX = "/docs/static"

# Only these files are served: a fixed map, so no path ever reaches the disk.
ASSETS: dict[str, str] = {
    "swagger-ui.css": "text/css; charset=utf-8",
    "swagger-ui-bundle.js": "text/javascript; charset=utf-8",
    "swagger-init.js": "text/javascript; charset=utf-8",
    "redoc.standalone.js": "text/javascript; charset=utf-8",
    "redoc-init.js": "text/javascript; charset=utf-8",
}
ASSET_CACHE_CONTROL = "public, max-age=3600"

_COMMON_CSP = (
    "default-src 'none'",
    "script-src 'self'",
    "img-src 'self' data:",
    "connect-src 'self'",
    "base-uri 'none'",
    "form-action 'none'",
    "frame-ancestors 'none'",
)
# Swagger UI sets style="" attributes but adds no <style> elements.
SWAGGER_CSP = "; ".join((*_COMMON_CSP, "style-src 'self'", "style-src-attr 'unsafe-inline'"))
# Redoc's styled-components inject <style> elements; its search index runs in a
# Web Worker built from a blob: URL.
REDOC_CSP = "; ".join((*_COMMON_CSP, "style-src 'self' 'unsafe-inline'", "worker-src blob:"))

_PAGE = """\
<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{title}</title>
<link rel="icon" href="data:,">
{head}
</head>
<body>
<noscript>This page needs JavaScript. The contract is at <a href="{spec}">{spec}</a>.</noscript>
{body}
</body>
</html>
"""

# Public: the pages and assets hold nothing personal (the contract is public too).
router = APIRouter(include_in_schema=False, dependencies=[PUBLIC])


def _page(title: str, head: str, body: str, spec: str, csp: str) -> HTMLResponse:
    html = _PAGE.format(title=escape(title), head=head, body=body, spec=escape(spec))
    return HTMLResponse(html, headers={"Content-Security-Policy": csp})


def _urls(request: Request) -> tuple[str, str]:
    """The static prefix and the contract's URL, under any ASGI ``root_path``."""
    root = request.scope.get("root_path", "").rstrip("/")
    spec = root + (request.app.openapi_url or "/openapi.json")
    return root + STATIC_PREFIX, spec


@router.get("/docs")
def get_swagger_ui(request: Request) -> HTMLResponse:
    static, spec = _urls(request)
    head = f'<link rel="stylesheet" href="{static}/swagger-ui.css">'
    body = (
        f'<div id="swagger-ui" data-openapi-url="{escape(spec)}"></div>\n'
        f'<script src="{static}/swagger-ui-bundle.js"></script>\n'
        f'<script src="{static}/swagger-init.js"></script>'
    )
    return _page(f"{request.app.title}: API docs", head, body, spec, SWAGGER_CSP)


@router.get("/redoc")
def get_redoc(request: Request) -> HTMLResponse:
    static, spec = _urls(request)
    head = "<style>body { margin: 0; padding: 0; }</style>"
    body = (
        f'<div id="redoc" data-openapi-url="{escape(spec)}"></div>\n'
        f'<script src="{static}/redoc.standalone.js"></script>\n'
        f'<script src="{static}/redoc-init.js"></script>'
    )
    return _page(f"{request.app.title}: API reference", head, body, spec, REDOC_CSP)


@router.get(STATIC_PREFIX + "/{name}")
def get_docs_asset(name: str) -> FileResponse:
    return asset_response(STATIC_DIR, name, ASSETS, ASSET_CACHE_CONTROL)
