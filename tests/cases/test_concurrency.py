"""Two police systems writing the same case at once: exactly one wins.

On SQLite writers queue (BEGIN IMMEDIATE); on PostgreSQL they really race, and
the compare-and-swap and unique constraints decide.
"""

from __future__ import annotations

import uuid
from collections import Counter
from collections.abc import Callable
from typing import Any

import pytest
import sqlalchemy as sa
from fastapi import FastAPI
from fastapi.testclient import TestClient

from tests.cases.conftest import case_body, put_update
from tests.support.auth import bearer, new_client, token_for
from tests.support.concurrency import race
from victim_api.cases.models import CaseEvent, CaseRecord
from victim_api.platform.principal import Channel

WRITERS = 6


@pytest.fixture(scope="module")
def police_systems(app: FastAPI) -> list[dict[str, str]]:
    """Two police record systems, each its own API client."""
    headers = []
    with TestClient(app) as client:
        for name in ("CRIS", "Athena"):
            credentials = new_client(app, Channel.POLICE_SYSTEM, name=f"{name} (synthetic)")
            headers.append(bearer(token_for(client, credentials)))
    return headers


def _race(work: Callable[[int], Any], count: int = WRITERS) -> list[Any]:
    return race(work, count)


def test_concurrent_updates_with_one_etag_one_wins(
    client: TestClient, police_systems, create_case, database
) -> None:
    case_id, case = create_case()
    targets = ["UNDER_INVESTIGATION", "SUSPECT_ARRESTED", "SUSPECT_IDENTIFIED"]

    def update(n: int) -> int:
        headers = police_systems[n % 2]
        return put_update(client, headers, case, status=targets[n % 3]).status_code

    statuses = Counter(_race(update))
    assert statuses == {200: 1, 412: WRITERS - 1}
    final = client.get(f"/v1/cases/{case_id}", headers=police_systems[0]).json()
    assert final["version"] == 2
    with database.read_session() as session:
        events = session.execute(
            sa.select(CaseEvent.type).where(CaseEvent.case_id == case_id)
        ).all()
    assert len(events) == 2  # CASE_REPORTED and the one winning status change


def test_concurrent_creates_of_one_id_one_wins(client: TestClient, police_systems) -> None:
    case_id = str(uuid.uuid4())
    body = case_body()

    def create(n: int) -> int:
        headers = {**police_systems[n % 2], "If-None-Match": "*"}
        return client.put(f"/v1/cases/{case_id}", json=body, headers=headers).status_code

    assert Counter(_race(create)) == {201: 1, 412: WRITERS - 1}


def test_concurrent_creates_of_one_crime_reference_one_wins(
    client: TestClient, police_systems
) -> None:
    body = case_body()

    def create(n: int) -> int:
        headers = {**police_systems[n % 2], "If-None-Match": "*"}
        return client.put(f"/v1/cases/{uuid.uuid4()}", json=body, headers=headers).status_code

    assert Counter(_race(create)) == {201: 1, 409: WRITERS - 1}


def test_two_nightly_syncs_of_the_same_cases_create_each_once(
    client: TestClient, police_systems, database
) -> None:
    items = [case_body(status="SUSPECT_ARRESTED") for _ in range(40)]

    def sync(n: int) -> dict[str, Any]:
        response = client.post(
            "/v1/cases/batch-upsert", json={"items": items}, headers=police_systems[n]
        )
        assert response.status_code == 200, response.text
        return response.json()

    first, second = _race(sync, count=2)
    for position in range(len(items)):
        outcomes = sorted(r["results"][position]["result"] for r in (first, second))
        assert outcomes == ["CREATED", "UNCHANGED"], outcomes
        ids = {r["results"][position]["case_id"] for r in (first, second)}
        assert len(ids) == 1
    refs = [i["crime_reference"] for i in items]
    with database.read_session() as session:
        count = session.execute(
            sa.select(sa.func.count())
            .select_from(CaseRecord)
            .where(CaseRecord.crime_reference.in_(refs))
        ).scalar()
        events = session.execute(
            sa.select(sa.func.count())
            .select_from(CaseEvent)
            .join(CaseRecord, CaseRecord.id == CaseEvent.case_id)
            .where(CaseRecord.crime_reference.in_(refs))
        ).scalar()
    assert count == len(items)
    assert events == 2 * len(items)


def test_a_batch_whose_cases_appear_meanwhile_falls_back_item_by_item(
    client: TestClient, police_systems, create_case, monkeypatch: pytest.MonkeyPatch
) -> None:
    """As if another writer created cases between our read and our insert."""
    from victim_api.cases import service

    _, existing = create_case()
    fresh = case_body()
    moved = {**case_body(crime_reference=existing["crime_reference"]), "status": "CLOSED"}
    same = case_body(crime_reference=existing["crime_reference"])
    real = service._load_existing
    calls = []

    def blind_first(session, items):
        calls.append(len(items))
        return ({}, {}) if len(calls) == 1 else real(session, items)

    monkeypatch.setattr(service, "_load_existing", blind_first)
    response = client.post(
        "/v1/cases/batch-upsert", json={"items": [fresh, same]}, headers=police_systems[0]
    )
    results = response.json()["results"]
    assert [r["result"] for r in results] == ["CREATED", "UNCHANGED"]
    assert results[1]["case_id"] == existing["id"]
    calls.clear()
    response = client.post(
        "/v1/cases/batch-upsert", json={"items": [moved]}, headers=police_systems[0]
    )
    [result] = response.json()["results"]
    assert result["problem"]["code"] == "illegal_transition"


def test_overlapping_batches_changing_the_same_cases_lose_no_update(
    client: TestClient, police_systems, database
) -> None:
    """Three syncs at once: each changes the same existing cases to its own status,
    and creates cases of its own plus cases all three share. Every change that a
    batch reports as UPDATED is one version and one timeline event; no case is
    created twice; no item or batch fails with a 500."""
    existing = [case_body() for _ in range(15)]
    seeded = client.post(
        "/v1/cases/batch-upsert", json={"items": existing}, headers=police_systems[0]
    )
    assert seeded.status_code == 200, seeded.text
    shared_new = [case_body() for _ in range(10)]
    targets = ["UNDER_INVESTIGATION", "SUSPECT_IDENTIFIED", "SUSPECT_ARRESTED"]
    batches = [
        [{**item, "status": target} for item in existing]
        + shared_new
        + [case_body() for _ in range(10)]
        for target in targets
    ]

    def sync(n: int) -> dict[str, Any]:
        response = client.post(
            "/v1/cases/batch-upsert", json={"items": batches[n]}, headers=police_systems[n % 2]
        )
        assert response.status_code == 200, response.text
        return response.json()

    answers = _race(sync, count=len(batches))
    updates: Counter[str] = Counter()
    for answer in answers:
        for result in answer["results"]:
            if result["result"] == "ERROR":
                # A status the case can no longer move to is the police system's to fix.
                assert result["problem"]["code"] == "illegal_transition", result
            if result["result"] == "UPDATED":
                updates[result["case_id"]] += 1
    refs = [item["crime_reference"] for item in existing]
    with database.read_session() as session:
        versions = dict(
            session.execute(
                sa.select(CaseRecord.id, CaseRecord.version).where(
                    CaseRecord.crime_reference.in_(refs)
                )
            ).all()
        )
        events = Counter(
            case_id
            for (case_id,) in session.execute(
                sa.select(CaseEvent.case_id).where(CaseEvent.case_id.in_(list(versions)))
            )
        )
    assert len(versions) == len(existing)
    assert sum(updates.values()) >= len(existing)  # the first change of each case lands
    for case_id, version in versions.items():
        assert version == 1 + updates[case_id], case_id
        assert events[case_id] == 1 + updates[case_id], case_id
    for position in range(len(existing), len(existing) + len(shared_new)):
        outcomes = sorted(answer["results"][position]["result"] for answer in answers)
        assert outcomes == ["CREATED", "UNCHANGED", "UNCHANGED"], outcomes
        assert len({answer["results"][position]["case_id"] for answer in answers}) == 1
    with database.read_session() as session:
        made = session.execute(
            sa.select(sa.func.count())
            .select_from(CaseRecord)
            .where(CaseRecord.crime_reference.in_([i["crime_reference"] for i in shared_new]))
        ).scalar()
    assert made == len(shared_new)
