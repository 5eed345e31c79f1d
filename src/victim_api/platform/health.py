"""Liveness and readiness probes, for load balancers and Kubernetes."""

from __future__ import annotations

from typing import Literal

import structlog
from fastapi import APIRouter, Request
from pydantic import BaseModel
from sqlalchemy import text

from victim_api.platform.errors import ServiceUnavailableError, problem_responses
from victim_api.platform.migrations import current_revisions
from victim_api.platform.policy import PUBLIC

router = APIRouter(tags=["health"], dependencies=[PUBLIC])
log = structlog.get_logger(__name__)


class Health(BaseModel):
    status: Literal["ok"]


class Readiness(BaseModel):
    status: Literal["ready"]
    database: Literal["ok"]
    migrations: Literal["at_head"]


@router.get("/healthz", summary="Liveness", response_model=Health)
async def get_healthz() -> Health:
    """The process is alive and serving. Touches nothing else."""
    return Health(status="ok")


@router.get(
    "/readyz",
    summary="Readiness",
    response_model=Readiness,
    responses=problem_responses(503),
)
def get_readyz(request: Request) -> Readiness:
    """The database is reachable and its schema is at the migration head.

    Answers 503 problem (`database_unavailable` or `migrations_pending`) otherwise,
    so a load balancer stops sending traffic until the instance can serve it.
    """
    database = request.app.state.database
    try:
        with database.read_session() as session:
            session.execute(text("SELECT 1"))
        revisions = current_revisions(database.engine)
    except Exception as exc:
        log.warning("readiness_database_unreachable", error=type(exc).__name__)
        raise ServiceUnavailableError(
            "database_unavailable", "The database is unreachable."
        ) from exc
    if revisions != request.app.state.migration_heads:
        raise ServiceUnavailableError(
            "migrations_pending", "The database schema is not at the migration head."
        )
    return Readiness(status="ready", database="ok", migrations="at_head")
