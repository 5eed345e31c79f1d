"""The status machine: the table as data, every legal and illegal transition."""

from __future__ import annotations

import itertools
import re
import uuid
from collections import deque
from pathlib import Path

import sqlalchemy as sa
from fastapi.testclient import TestClient

from tests.cases.conftest import case_body, put_update
from victim_api.cases.events import STATUS_EVENTS
from victim_api.cases.models import CaseEvent
from victim_api.cases.transitions import (
    TRANSITIONS,
    CaseStatus,
    allowed_next,
    is_allowed,
    markdown_table,
)

PAIRS = list(itertools.product(CaseStatus, CaseStatus))


def test_every_status_has_a_row_and_none_moves_to_itself() -> None:
    assert set(TRANSITIONS) == set(CaseStatus)
    for status, targets in TRANSITIONS.items():
        assert status not in targets
        assert targets, f"{status} is a dead end"


def test_every_status_is_reachable_and_every_case_can_close() -> None:
    def reachable(start: CaseStatus) -> set[CaseStatus]:
        seen, queue = {start}, deque([start])
        while queue:
            for nxt in TRANSITIONS[queue.popleft()]:
                if nxt not in seen:
                    seen.add(nxt)
                    queue.append(nxt)
        return seen

    assert reachable(CaseStatus.REPORTED) == set(CaseStatus)
    for status in CaseStatus:
        assert CaseStatus.CLOSED in reachable(status) or status == CaseStatus.CLOSED


def test_every_status_change_records_a_timeline_event_type() -> None:
    assert set(STATUS_EVENTS) == set(CaseStatus)


def test_docs_carry_the_transition_table(repo_root: Path) -> None:
    text = (repo_root / "docs" / "cases.md").read_text(encoding="utf-8")
    found = re.search(
        r"<!-- transitions:start -->\n(.*?)\n<!-- transitions:end -->", text, re.DOTALL
    )
    assert found, "docs/cases.md has no transitions block"
    assert found.group(1).strip() == markdown_table(), "regenerate the table in docs/cases.md"


def test_every_pair_through_batch_upsert(client: TestClient, police: dict[str, str]) -> None:
    """225 cases, one per (from, to): created at `from`, then upserted to `to`."""
    refs = {pair: case_body()["crime_reference"] for pair in PAIRS}
    created = client.post(
        "/v1/cases/batch-upsert",
        json={"items": [case_body(crime_reference=refs[p], status=p[0]) for p in PAIRS]},
        headers=police,
    )
    assert created.status_code == 200, created.text
    assert created.json()["created"] == len(PAIRS)

    moved = client.post(
        "/v1/cases/batch-upsert",
        json={"items": [case_body(crime_reference=refs[p], status=p[1]) for p in PAIRS]},
        headers=police,
    )
    assert moved.status_code == 200
    for (current, new), result in zip(PAIRS, moved.json()["results"], strict=True):
        where = f"{current} -> {new}"
        if current == new:
            assert result["result"] == "UNCHANGED", where
        elif is_allowed(current, new):
            assert result["result"] == "UPDATED", where
            assert result["version"] == 2, where
        else:
            assert result["result"] == "ERROR", where
            problem = result["problem"]
            assert problem["status"] == 409, where
            assert problem["code"] == "illegal_transition", where
            assert problem["allowed_next"] == [str(s) for s in allowed_next(current)], where
            assert problem["current_status"] == current


def test_every_pair_through_put(client: TestClient, police: dict[str, str], app) -> None:
    """Each from-status once, then every to-status against it: legal ones on a
    fresh copy (so the case stays put), illegal ones are 409 with the allowed list."""
    refs = {}
    for current in CaseStatus:
        items = [case_body(status=current) for _ in CaseStatus]
        response = client.post("/v1/cases/batch-upsert", json={"items": items}, headers=police)
        refs[current] = [r["case_id"] for r in response.json()["results"]]
    for current, new in PAIRS:
        case_id = refs[current][list(CaseStatus).index(new)]
        case = client.get(f"/v1/cases/{case_id}", headers=police).json()
        response = put_update(client, police, case, status=new)
        where = f"{current} -> {new}"
        if current == new or is_allowed(current, new):
            assert response.status_code == 200, where
            assert response.json()["status"] == new
        else:
            assert response.status_code == 409, where
            body = response.json()
            assert body["code"] == "illegal_transition"
            assert body["allowed_next"] == [str(s) for s in allowed_next(current)]
            for status in allowed_next(current):
                assert status in body["detail"]
    # Each legal change recorded exactly one status event of the mapped type.
    events = app.state.database
    with events.read_session() as session:
        table = CaseEvent.__table__
        for current, new in PAIRS:
            if current == new or not is_allowed(current, new):
                continue
            case_id = refs[current][list(CaseStatus).index(new)]
            rows = session.execute(
                sa.select(table.c.type, table.c.from_status).where(
                    table.c.case_id == case_id, table.c.to_status == new
                )
            ).all()
            assert [(r.type, r.from_status) for r in rows] == [(STATUS_EVENTS[new], current)]


def test_an_illegal_transition_changes_nothing(client: TestClient, police, create_case) -> None:
    case_id, case = create_case()
    response = put_update(client, police, case, status="CLOSED")
    assert response.status_code == 409
    again = client.get(f"/v1/cases/{case_id}", headers=police).json()
    assert again["status"] == "REPORTED"
    assert again["version"] == 1
    assert uuid.UUID(case_id)
