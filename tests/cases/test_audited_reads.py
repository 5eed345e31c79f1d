"""Case reads take no write lock, yet are audited before the answer, and fail closed."""

from __future__ import annotations

import pytest
import sqlalchemy as sa
from fastapi.testclient import TestClient

from tests.cases.conftest import CreateCase
from victim_api.platform import audit
from victim_api.platform.audit import AuditEvent


def test_a_case_read_is_in_the_audit_trail_when_the_answer_arrives(
    client: TestClient, staff: dict[str, str], create_case: CreateCase
) -> None:
    case_id, _ = create_case()
    response = client.get(f"/v1/cases/{case_id}", headers=staff)
    assert response.status_code == 200
    with client.app.state.database.read_session() as session:  # type: ignore[attr-defined]
        reads = session.execute(
            sa.select(AuditEvent).where(
                AuditEvent.resource_type == "case",
                AuditEvent.operation == "CONSULTATION",
                AuditEvent.request_id == response.headers["x-request-id"],
            )
        ).scalars()
        assert [case_id] in [e.case_ids for e in reads]


def test_a_failed_audit_write_withholds_the_case(
    client: TestClient,
    staff: dict[str, str],
    create_case: CreateCase,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    case_id, body = create_case()

    def broken(*_args: object, **_kwargs: object) -> None:
        raise sa.exc.OperationalError("INSERT", {}, Exception("disk full"))

    monkeypatch.setattr(audit, "_append", broken)
    for path in ("", "/events", "/duties"):
        response = client.get(f"/v1/cases/{case_id}{path}", headers=staff)
        assert response.status_code == 503, path
        assert response.json()["code"] == "audit_unavailable"
        assert body["crime_reference"] not in response.text
        assert "Placeholder" not in response.text  # the officer's name
    listing = client.get("/v1/cases?limit=5", headers=staff)
    assert listing.status_code == 503
    assert case_id not in listing.text
