"""OWASP API8 (security misconfiguration): CORS and the security headers, on every route.

CORS: the suite's app is configured with one web origin (world.OUR_ORIGIN). On
the web's routes (public ones, and any a WEB client may call) that origin, and
only it, is told it may read the answer; `*` is answered only under
/openreferral; a preflight from any other origin gets no allow headers.

Headers: every answer carries `X-Content-Type-Options: nosniff`,
`Referrer-Policy: no-referrer` and a CSP with `frame-ancestors 'none'`; and
`Cache-Control: no-store` unless the route is public (nothing personal) and
listed in PUBLIC_CACHEABLE with the caching it may allow.
"""

from __future__ import annotations

import httpx
import pytest

from tests.security.routes import ROUTES, TABLE, RouteCase, headers_for, send, url_for
from tests.security.world import OUR_ORIGIN, STRANGE_ORIGIN, World, victim_caller

OPEN_TO_ALL = "/openreferral"
# Public routes allowed to be cached, by the Cache-Control they send. A personal
# route can never be here (test_only_public_routes_may_be_cached).
# `*` ends a prefix: every public route under it.
PUBLIC_CACHEABLE = {
    "GET /.well-known/jwks.json": "public, max-age=300",
    "GET /v1/reference/crime-types": "public, max-age=3600",
    "GET /v1/reference/boroughs": "public, max-age=3600",
    "GET /v1/leaflets": "public, max-age=300",
    "GET /v1/leaflets/{slug}": "public, max-age=300",
    "GET /docs/static/{name}": "public, max-age=3600",
    "GET /openreferral/*": "public, max-age=60",
    # The victim's page (revalidated each time) and its assets: never personal.
    "GET /l": "no-cache",
    "GET /l/static/{name}": "public, max-age=300",
}


def cacheable_as(case: RouteCase) -> str | None:
    """The Cache-Control a public route may send instead of no-store, if any."""
    for key, value in PUBLIC_CACHEABLE.items():
        if key == str(case) or (key.endswith("*") and str(case).startswith(key[:-1])):
            return value
    return None


def _answer(world: World, case: RouteCase, extra: dict[str, str]) -> httpx.Response:
    """The route's answer to an allowed caller: the real object for a read, a missing
    one for a write (so nothing changes)."""
    caller = TABLE.allowed(case)[0]
    choice = "own" if case.method == "GET" else "missing"
    return send(world, case, {**headers_for(world, caller), **extra}, choice=choice)


def _is_web_route(case: RouteCase) -> bool:
    allowed = TABLE.allowed(case)
    return TABLE.is_public(case) or "WEB" in allowed or victim_caller("WEB") in allowed


def _open_to_all(case: RouteCase) -> bool:
    return case.path == OPEN_TO_ALL or case.path.startswith(OPEN_TO_ALL + "/")


@pytest.mark.parametrize("case", ROUTES, ids=str)
def test_only_the_configured_origin_may_read_a_web_route(world: World, case: RouteCase) -> None:
    ours = _answer(world, case, {"Origin": OUR_ORIGIN}).headers.get_list(
        "access-control-allow-origin"
    )
    theirs = _answer(world, case, {"Origin": STRANGE_ORIGIN}).headers.get_list(
        "access-control-allow-origin"
    )
    if _open_to_all(case):
        assert ours == theirs == ["*"]
        return
    assert theirs == [], f"{case} lets {STRANGE_ORIGIN} read it"
    assert "*" not in ours
    if _is_web_route(case):
        assert ours == [OUR_ORIGIN], f"{case}: the web origin may not read it"


@pytest.mark.parametrize("case", ROUTES, ids=str)
def test_a_preflight_from_another_origin_gets_no_allow_headers(
    world: World, case: RouteCase
) -> None:
    response = world.client.options(
        url_for(world, case, choice="missing"),
        headers={
            "Origin": STRANGE_ORIGIN,
            "Access-Control-Request-Method": case.method,
            "Access-Control-Request-Headers": "authorization, content-type",
        },
    )
    allow = sorted(k for k in response.headers if k.startswith("access-control-allow-"))
    if _open_to_all(case):
        assert response.headers["access-control-allow-origin"] == "*"
    else:
        assert allow == [], f"{case}: {allow}"


@pytest.mark.parametrize("case", ROUTES, ids=str)
def test_every_answer_carries_the_security_headers(world: World, case: RouteCase) -> None:
    response = _answer(world, case, {})
    assert response.headers["x-content-type-options"] == "nosniff"
    assert response.headers["referrer-policy"] == "no-referrer"
    assert "frame-ancestors 'none'" in response.headers["content-security-policy"]
    cache_control = response.headers["cache-control"]
    allowed = cacheable_as(case)
    if allowed and TABLE.is_public(case) and response.status_code == 200:
        assert cache_control == allowed
    else:
        assert "no-store" in cache_control.split(", "), f"{case}: {cache_control}"


def test_only_public_routes_may_be_cached() -> None:
    cacheable = [case for case in ROUTES if cacheable_as(case)]
    assert len(cacheable) >= len(PUBLIC_CACHEABLE)
    assert [str(case) for case in cacheable if not TABLE.is_public(case)] == []
