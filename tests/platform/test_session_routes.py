"""Routes that hold a database session answer with a response, not a model to validate.

FastAPI validates a sync route's returned model in a second threadpool call,
with the request's session (and its pooled connection) still open. Under load
every worker thread could then wait for a connection while the connections
wait for those threads: on PostgreSQL, `GET /v1/audit-events` made no request
in 5 s at 64 connections until it returned a response (docs/performance.md).
"""

from __future__ import annotations

import inspect
import typing

from fastapi import FastAPI
from starlette.responses import Response

from victim_api.platform.dependencies import AuditedReadSession, DbSession, ReadSession
from victim_api.platform.routes import api_routes

SESSIONS = (DbSession, AuditedReadSession, ReadSession)


def test_every_sync_route_with_a_session_returns_a_response(app: FastAPI) -> None:
    offenders = []
    for route in api_routes(app):
        endpoint = route.endpoint
        if inspect.iscoroutinefunction(endpoint):
            continue
        hints = typing.get_type_hints(endpoint, include_extras=True)
        returned = hints.pop("return", None)
        if not any(hint == session for hint in hints.values() for session in SESSIONS):
            continue
        if not (inspect.isclass(returned) and issubclass(returned, Response)):
            offenders.append(f"{route.path} ({endpoint.__qualname__} -> {returned})")
    assert not offenders, (
        "return platform.jsonutil.model_response(model) instead of the model: "
        + ", ".join(offenders)
    )
