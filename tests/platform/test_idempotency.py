"""Idempotency-Key: a retried create replays, never creates twice."""

from __future__ import annotations

import uuid

import pytest
import sqlalchemy as sa
from fastapi.testclient import TestClient

from tests.support.auth import bearer, new_client, token_for
from victim_api.platform.audit import AuditEvent
from victim_api.platform.db import table_of
from victim_api.platform.idempotency import claim, fingerprint
from victim_api.platform.principal import Channel


@pytest.fixture(scope="module")
def staff(probe: TestClient):
    credentials = new_client(probe.app, Channel.STAFF, set())
    return credentials, bearer(token_for(probe, credentials))


def _created(probe: TestClient, label: str) -> int:
    events = table_of(AuditEvent)
    with probe.app.state.database.read_session() as session:
        rows = session.execute(
            sa.select(events.c.case_ids).where(events.c.resource_type == "probe_thing")
        )
        return sum(1 for (case_ids,) in rows if label in case_ids)


def test_same_key_and_body_replays_the_first_answer(probe: TestClient, staff) -> None:
    _, headers = staff
    key = str(uuid.uuid4())
    label = f"l-{uuid.uuid4().hex[:8]}"
    first = probe.post(
        "/v1/_probe/things", json={"label": label}, headers={**headers, "Idempotency-Key": key}
    )
    again = probe.post(
        "/v1/_probe/things", json={"label": label}, headers={**headers, "Idempotency-Key": key}
    )
    assert first.status_code == again.status_code == 201
    assert again.json() == first.json()
    assert again.headers["location"] == first.headers["location"]
    assert again.headers["idempotent-replayed"] == "true"
    assert _created(probe, label) == 1


def test_same_key_with_another_body_is_422(probe: TestClient, staff) -> None:
    _, headers = staff
    key = str(uuid.uuid4())
    probe.post(
        "/v1/_probe/things", json={"label": "one"}, headers={**headers, "Idempotency-Key": key}
    )
    other = probe.post(
        "/v1/_probe/things", json={"label": "two"}, headers={**headers, "Idempotency-Key": key}
    )
    assert other.status_code == 422
    assert other.json()["code"] == "idempotency_key_reused"


def test_a_request_still_in_flight_is_409(probe: TestClient, staff) -> None:
    credentials, headers = staff
    key = str(uuid.uuid4())
    body = {"label": "inflight"}
    claim(
        probe.app.state.database,
        credentials.client_id,
        key,
        fingerprint("POST", "/v1/_probe/things", body),
    )
    response = probe.post(
        "/v1/_probe/things", json=body, headers={**headers, "Idempotency-Key": key}
    )
    assert response.status_code == 409
    assert response.json()["code"] == "idempotency_request_in_flight"


def test_keys_are_per_client(probe: TestClient, staff) -> None:
    _, headers = staff
    other = bearer(token_for(probe, new_client(probe.app, Channel.STAFF, set())))
    key = str(uuid.uuid4())
    label = f"l-{uuid.uuid4().hex[:8]}"
    a = probe.post(
        "/v1/_probe/things", json={"label": label}, headers={**headers, "Idempotency-Key": key}
    )
    b = probe.post(
        "/v1/_probe/things", json={"label": label}, headers={**other, "Idempotency-Key": key}
    )
    assert a.json()["id"] != b.json()["id"]
    assert _created(probe, label) == 2


def test_a_failed_request_releases_the_key(probe: TestClient, staff, monkeypatch) -> None:
    from victim_api.platform import audit

    _, headers = staff
    key = str(uuid.uuid4())
    label = f"l-{uuid.uuid4().hex[:8]}"

    def broken(*_a, **_k):
        raise sa.exc.OperationalError("INSERT", {}, Exception("disk full"))

    with monkeypatch.context() as patch:
        patch.setattr(audit, "_append", broken)
        failed = probe.post(
            "/v1/_probe/things", json={"label": label}, headers={**headers, "Idempotency-Key": key}
        )
    assert failed.status_code == 503
    retried = probe.post(
        "/v1/_probe/things", json={"label": label}, headers={**headers, "Idempotency-Key": key}
    )
    assert retried.status_code == 201
    assert "idempotent-replayed" not in retried.headers
    assert _created(probe, label) == 1


def test_malformed_keys_are_422(probe: TestClient, staff) -> None:
    _, headers = staff
    response = probe.post(
        "/v1/_probe/things", json={"label": "x"}, headers={**headers, "Idempotency-Key": "bad key!"}
    )
    assert response.status_code == 422
