"""Answers chosen public GETs from memory, before FastAPI's routing runs.

A published leaflet, say, is already held as ready-made bytes, headers and a
strong ETag (``leaflets.cache``); what a request for it costs is FastAPI's
routing, parameter validation and dependency solving, several times the work
of the answer itself (docs/performance.md). A domain may register a
:class:`FastRoute`: a path prefix, the route's template (for the access log and
the metrics) and a function that either answers the request from memory or
returns None. None means "not sure": a cache miss, a query string, a header
that needs validating, an error to report. The request then goes through
FastAPI as usual, so every answer the fast path does not give is exactly the
route's own, and the fast path needs no validation or error handling of its own.

It sits inside the request middleware and the CORS middlewares, so its answers
carry the request id, the security headers and the CORS headers, and are
logged and counted like any other. Only GET, and never anything that needs a
caller: a fast route must be a public route.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

from starlette.responses import Response
from starlette.types import ASGIApp, Receive, Scope, Send

from victim_api.platform.metrics import counter

FAST_PATH_RESPONSES = counter(
    "fast_path_responses_total",
    "Public GETs answered from memory before routing, by route template.",
    ["route"],
)


@dataclass(frozen=True)
class FastRoute:
    """A public GET route that can sometimes be answered from memory."""

    path: str  # the route's template, as the contract names it (``/v1/leaflets/{slug}``)
    prefix: str  # the requests to offer to ``answer``
    answer: Callable[[Scope], Response | None]


class FastPathMiddleware:
    def __init__(self, app: ASGIApp, *, routes: Sequence[FastRoute]) -> None:
        self.app = app
        self.routes = tuple(routes)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and scope["method"] == "GET":
            path = scope["path"]
            for route in self.routes:
                if path.startswith(route.prefix):
                    response = route.answer(scope)
                    if response is not None:
                        scope["route"] = route  # read by the access log (``.path``)
                        FAST_PATH_RESPONSES.labels(route.path).inc()
                        await response(scope, receive, send)
                        return
                    break
        await self.app(scope, receive, send)


def first_header(scope: Scope, name: bytes) -> str | None:
    """The first value of a request header, as Starlette's ``Headers.get`` gives it."""
    for key, value in scope["headers"]:
        if key == name:
            return str(value.decode("latin-1"))
    return None
