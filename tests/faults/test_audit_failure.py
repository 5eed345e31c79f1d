"""The audit write fails: the request fails closed.

The fault is injected at the last step of the commit: the real audit append
runs (it locks the chain head and inserts the entry), then the database fails
(as a full disk would). The request answers 503 `audit_unavailable` with
`Retry-After` and no personal data, the business change is rolled back with the
half-written entry, and the chain still verifies.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, contextmanager
from typing import Any

import httpx
import pytest
import sqlalchemy as sa
from fastapi import FastAPI
from fastapi.testclient import TestClient

from tests.referrals.conftest import EMAIL, PHONE, new_case, new_victim
from tests.support.auth import bearer, fresh_channel_tokens
from tests.support.cases import case_body
from victim_api.platform import audit
from victim_api.platform.audit import verify_chain

DOB = "1988-02-03"  # new_victim's synthetic date of birth
PERSONAL = ("Alex", "Synthetic", PHONE, EMAIL, DOB, "NW1 0AB", "Placeholder")
AuditFails = Callable[[], AbstractContextManager[None]]


@pytest.fixture(scope="module")
def tokens(app: FastAPI) -> dict[str, str]:
    return fresh_channel_tokens(app)


@pytest.fixture(scope="module")
def police(tokens: dict[str, str]) -> dict[str, str]:
    return bearer(tokens["POLICE_SYSTEM"])


@pytest.fixture(scope="module")
def staff(tokens: dict[str, str]) -> dict[str, str]:
    return bearer(tokens["STAFF"])


@pytest.fixture
def audit_fails(monkeypatch: pytest.MonkeyPatch) -> AuditFails:
    real = audit._append

    def append_then_fail(session: Any, entries: Any) -> None:
        real(session, entries)
        raise sa.exc.OperationalError("INSERT INTO audit_event", {}, Exception("disk full"))

    @contextmanager
    def failing() -> Iterator[None]:
        with monkeypatch.context() as patch:
            patch.setattr(audit, "_append", append_then_fail)
            yield

    return failing


def _assert_failed_closed(response: httpx.Response) -> None:
    assert response.status_code == 503, response.text
    assert response.headers["content-type"].startswith("application/problem+json")
    assert response.json()["code"] == "audit_unavailable"
    assert int(response.headers["retry-after"]) > 0
    for value in PERSONAL:
        assert value not in response.text


def _assert_chain_ok(client: TestClient) -> None:
    with client.app.state.database.read_session() as session:
        report = verify_chain(session)
    assert report.ok, report


def test_a_case_whose_audit_fails_is_not_created(
    client: TestClient, police: dict[str, str], audit_fails: AuditFails
) -> None:
    url, body = f"/v1/cases/{uuid.uuid4()}", case_body()
    create = {**police, "If-None-Match": "*"}
    with audit_fails():
        _assert_failed_closed(client.put(url, json=body, headers=create))
    assert client.get(url, headers=police).status_code == 404
    assert client.put(url, json=body, headers=create).status_code == 201
    _assert_chain_ok(client)


def test_a_victim_whose_collection_cannot_be_audited_is_not_kept(
    client: TestClient, police: dict[str, str], staff: dict[str, str], audit_fails: AuditFails
) -> None:
    case_id = new_case(client, police)
    body = {
        "role": "VICTIM",
        "given_name": "Alex",
        "family_name": "Synthetic",
        "date_of_birth": DOB,
        "phone": PHONE,
        "email": EMAIL,
        "preferred_channel": "SMS",
        "language": "en",
        "interpreter_needed": False,
        "safety_flags": [],
    }
    headers = {**police, "Idempotency-Key": uuid.uuid4().hex}
    url = f"/v1/cases/{case_id}/victims"
    with audit_fails():
        _assert_failed_closed(client.post(url, json=body, headers=headers))
    assert client.get(url, headers=staff).json()["items"] == []
    # The key was released with the rollback: the retry creates the victim, once.
    retried = client.post(url, json=body, headers=headers)
    assert retried.status_code == 201
    assert "idempotent-replayed" not in retried.headers
    assert len(client.get(url, headers=staff).json()["items"]) == 1
    _assert_chain_ok(client)


def test_an_update_whose_audit_fails_changes_nothing(
    client: TestClient, police: dict[str, str], staff: dict[str, str], audit_fails: AuditFails
) -> None:
    victim_id = new_victim(client, police, new_case(client, police))
    url = f"/v1/victims/{victim_id}"
    before = client.get(url, headers=staff)
    with audit_fails():
        _assert_failed_closed(
            client.patch(
                url,
                json={"given_name": "Changed"},
                headers={**staff, "If-Match": before.headers["etag"]},
            )
        )
    after = client.get(url, headers=staff)
    assert after.json()["given_name"] == "Alex"
    assert after.headers["etag"] == before.headers["etag"]
    _assert_chain_ok(client)


def test_an_audited_read_whose_audit_fails_returns_no_personal_data(
    client: TestClient, police: dict[str, str], staff: dict[str, str], audit_fails: AuditFails
) -> None:
    victim_id = new_victim(client, police, new_case(client, police))
    with audit_fails():
        _assert_failed_closed(client.get(f"/v1/victims/{victim_id}", headers=staff))
        _assert_failed_closed(client.get(f"/v1/victims/{victim_id}/export", headers=staff))
    _assert_chain_ok(client)
