"""Every worklist source query is served by an index, on both databases.

PostgreSQL: the test database is tiny, so the planner would rightly pick a
sequential scan whatever the indexes; the test runs ``EXPLAIN`` with
``SET LOCAL enable_seqscan = off``, which proves an index *can* serve each query
(with no usable index, PostgreSQL still falls back to a Seq Scan, which fails the
test). It does not prove the planner's choice at production volumes. SQLite:
``EXPLAIN QUERY PLAN`` names the index it uses; a full ``SCAN`` of a table fails.
"""

from __future__ import annotations

import re
from datetime import datetime, timedelta
from typing import Any

import pytest
from fastapi import FastAPI
from sqlalchemy.orm import Session

from victim_api.cases import service as cases
from victim_api.platform.clock import utcnow
from victim_api.worklist import service
from victim_api.worklist.schemas import ItemKind

FULL_SCAN = re.compile(r"^SCAN \w+$")


def _driver_value(value: Any, dialect: str) -> Any:
    # exec_driver_sql skips SQLAlchemy's type processing: SQLite keeps datetimes as text.
    if dialect == "sqlite" and isinstance(value, datetime):
        return value.isoformat(sep=" ")
    return value


def explain(session: Session, query: Any) -> list[str]:
    dialect = session.get_bind().dialect
    compiled = query.compile(dialect=dialect, compile_kwargs={"render_postcompile": True})
    connection = session.connection()
    if dialect.name == "postgresql":
        connection.exec_driver_sql("SET LOCAL enable_seqscan = off")
        rows = connection.exec_driver_sql("EXPLAIN " + str(compiled), dict(compiled.params))
        return [str(r[0]) for r in rows]
    params = tuple(_driver_value(compiled.params[k], "sqlite") for k in compiled.positiontup or [])
    rows = connection.exec_driver_sql("EXPLAIN QUERY PLAN " + str(compiled), params)
    return [str(r[3]) for r in rows]


def _scopes() -> list[service.Scope]:
    horizon = utcnow() + timedelta(days=3)
    common = {"delivery_allowed": timedelta(hours=24), "acknowledgement_allowed": timedelta(2)}
    return [
        service.Scope(due_before=horizon, case_ids=None, **common),
        service.Scope(
            due_before=horizon, case_ids=cases.case_ids_where(team="Camden CID"), **common
        ),
    ]


CURSORS = [None, [utcnow(), ItemKind.CONTACT_UPDATE.value, "00000000-0000-4000-8000-000000000000"]]


@pytest.mark.parametrize("cursor", CURSORS, ids=["first page", "after a cursor"])
@pytest.mark.parametrize("scope", _scopes(), ids=["everyone", "one team"])
def test_each_source_uses_an_index(app: FastAPI, scope: service.Scope, cursor: Any) -> None:
    for kind, query in service.source_queries(scope, cursor, 20).items():
        # One transaction per query: SET LOCAL lasts until its end.
        with app.state.database.read_session() as session:
            plan = explain(session, query)
            postgres = session.get_bind().dialect.name == "postgresql"
        text = "\n".join(plan)
        if postgres:
            assert "Seq Scan" not in text, (kind, text)
            assert "Index" in text, (kind, text)
        else:
            assert not [line for line in plan if FULL_SCAN.match(line)], (kind, text)
            assert "INDEX" in text, (kind, text)
