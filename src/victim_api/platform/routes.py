"""Walking the app's routes (FastAPI nests included routers lazily)."""

from __future__ import annotations

from typing import Any


def api_routes(app: Any) -> list[Any]:
    """Every API route of the app, flattened through included routers."""
    from fastapi.routing import APIRoute, iter_route_contexts

    return [rc for rc in iter_route_contexts(app.routes) if isinstance(rc.original_route, APIRoute)]


def allowed_methods(app: Any, path: str) -> list[str]:
    """The methods served at ``path``, for a 405's ``Allow`` header.

    A literal path (``/qr-tokens/batch``) outranks a template that also matches
    it (``/qr-tokens/{jti}``), as it does in routing.
    """
    matching = [r for r in api_routes(app) if r.path_regex.match(path)]
    if not matching:
        return []
    fewest = min(r.path_format.count("{") for r in matching)
    methods: set[str] = set()
    for route in matching:
        if route.path_format.count("{") == fewest:
            methods |= set(route.methods or ())
    return sorted(methods)
