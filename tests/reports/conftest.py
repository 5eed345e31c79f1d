"""A synthetic month with known answers: May 2026, which has two England and Wales
bank holidays (Monday 4 May, early May; Monday 25 May, spring).

Three cases (two in Camden for team "Month North", one in Sutton for "Month
South"), one person each, and what happened to them, dated in May through the API
where it takes dates (reports, events, contacts) and by setting the stored times
where it cannot (when a referral was made, when a callback was asked for and
completed, when feedback was given), since those are always "now" in the API.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest
import sqlalchemy as sa
from fastapi import FastAPI
from fastapi.testclient import TestClient

from tests.callbacks.conftest import phone_client_id, windows
from tests.referrals.conftest import Partner, new_victim, partners, refer
from tests.support.auth import bearer, victim_session_for
from tests.support.cases import case_body
from victim_api.callbacks import service as callbacks
from victim_api.platform.principal import Channel
from victim_api.referrals import service as referrals

__all__ = ["partners", "phone_client_id"]


@dataclass
class Month:
    due_on: dict[str, str]  # duty label -> due date, as the API worked it out


def _case(
    client: TestClient, police: dict[str, str], borough: str, crime: str, team: str, reported: str
) -> str:
    case_id = str(uuid.uuid4())
    body = case_body(
        borough=borough,
        crime_type=crime,
        reported_at=reported,
        offence_date=reported[:10],
        officer={"name": "DC Sam Placeholder", "rank": "Detective Constable", "team": team},
    )
    response = client.put(
        f"/v1/cases/{case_id}", json=body, headers={**police, "If-None-Match": "*"}
    )
    assert response.status_code == 201, response.text
    return case_id


def _interviewed(client: TestClient, police: dict[str, str], case_id: str, at: str) -> None:
    response = client.post(
        f"/v1/cases/{case_id}/events",
        json={"type": "SUSPECT_INTERVIEWED", "occurred_at": at},
        headers=police,
    )
    assert response.status_code == 201, response.text


def _duties(client: TestClient, staff: dict[str, str], case_id: str) -> dict[str, dict[str, Any]]:
    response = client.get(f"/v1/cases/{case_id}/duties", headers=staff)
    assert response.status_code == 200, response.text
    return {d["event_type"]: d for d in response.json()["items"]}


def _meet(client: TestClient, staff: dict[str, str], victim_id: str, duty_id: str, at: str) -> None:
    response = client.post(
        f"/v1/victims/{victim_id}/contacts",
        json={
            "method": "PHONE_CALL",
            "direction": "OUTBOUND",
            "outcome": "ANSWERED",
            "contacted_at": at,
            "duty_ids": [duty_id],
        },
        headers=staff,
    )
    assert response.status_code == 201, response.text


def _set(app: FastAPI, table: sa.Table, row_id: str, **values: Any) -> None:
    from datetime import datetime

    stored = {k: datetime.fromisoformat(v) for k, v in values.items()}
    with app.state.database.transaction() as session:
        session.execute(sa.update(table).where(table.c.id == row_id).values(**stored))


@pytest.fixture(scope="module")
def month(
    app: FastAPI,
    channel_tokens: dict[str, str],
    partners: list[Partner],
    phone_client_id: str,
) -> Iterator[Month]:
    staff, police = bearer(channel_tokens["STAFF"]), bearer(channel_tokens["POLICE_SYSTEM"])
    with TestClient(app) as client:
        # Friday 1 May 10:00 BST: counts from Friday; 2 WD skips Monday 4 May -> Wednesday 6.
        c1 = _case(client, police, "CAMDEN", "ASSAULT", "Month North", "2026-05-01T09:00:00Z")
        # Wednesday 20 May: 5 WD skips Monday 25 May -> Thursday 28.
        _interviewed(client, police, c1, "2026-05-20T10:00:00Z")
        # Thursday 21 May 17:30 BST, after the cut-off: counts from Friday 22; 2 WD -> 27.
        c2 = _case(client, police, "CAMDEN", "ASSAULT", "Month North", "2026-05-21T16:30:00Z")
        # Monday 11 May: 2 WD -> Wednesday 13.
        c3 = _case(
            client, police, "SUTTON", "BURGLARY_RESIDENTIAL", "Month South", "2026-05-11T08:00:00Z"
        )
        # Thursday 28 May: 5 WD -> Thursday 4 June, outside the month.
        _interviewed(client, police, c3, "2026-05-28T10:00:00Z")
        v1, v2, v3 = (new_victim(client, police, c) for c in (c1, c2, c3))
        d1, d2, d3 = (_duties(client, staff, c) for c in (c1, c2, c3))
        _meet(client, staff, v1, d1["CASE_REPORTED"]["id"], "2026-05-06T12:00:00Z")  # on time
        _meet(client, staff, v2, d2["CASE_REPORTED"]["id"], "2026-05-28T10:00:00Z")  # late
        waived = client.post(
            f"/v1/cases/{c3}/duties/{d3['CASE_REPORTED']['id']}/waiver",
            json={"reason": "Victim asked not to be referred."},
            headers=staff,
        )
        assert waived.status_code == 200, waived.text
        # C1's interview duty stays open: overdue.
        _refer_all(
            app,
            client,
            staff,
            partners[0],
            [(c1, v1, "2026-05-05T10:00:00Z"), (c2, v2, "2026-05-28T09:00:00Z")],
        )
        asked = [
            (v1, c1, "2026-05-06T09:00:00Z", "2026-05-06T13:00:00Z"),  # 4 hours
            (v2, c2, "2026-05-26T10:00:00Z", "2026-05-27T12:00:00Z"),  # 26 hours
            (v3, c3, "2026-05-29T10:00:00Z", None),  # not completed: not counted
        ]
        for victim_id, case_id, requested, completed in asked:
            _callback(app, client, staff, phone_client_id, victim_id, case_id, requested, completed)
        given = [
            (v1, c1, 5, "2026-05-10T12:00:00Z"),
            (v2, c2, 2, "2026-05-30T12:00:00Z"),
            (v3, c3, 3, "2026-04-30T23:30:00Z"),  # 00:30 on 1 May in London: in
            (v3, c3, 1, "2026-05-31T23:30:00Z"),  # 00:30 on 1 June in London: out
        ]
        for victim_id, case_id, rating, at in given:
            session = victim_session_for(app, phone_client_id, Channel.PHONE, victim_id, case_id)
            response = client.post("/v1/me/feedback", json={"rating": rating}, headers=session)
            assert response.status_code == 201, response.text
            _set(app, callbacks.FEEDBACK, response.json()["id"], submitted_at=at)
        yield Month(
            {
                "c1 reported": d1["CASE_REPORTED"]["due_on"],
                "c1 interviewed": d1["SUSPECT_INTERVIEWED"]["due_on"],
                "c2 reported": d2["CASE_REPORTED"]["due_on"],
                "c3 reported": d3["CASE_REPORTED"]["due_on"],
                "c3 interviewed": d3["SUSPECT_INTERVIEWED"]["due_on"],
            }
        )


def _refer_all(
    app: FastAPI,
    client: TestClient,
    staff: dict[str, str],
    partner: Partner,
    people: list[tuple[str, str, str]],
) -> None:
    for case_id, victim_id, at in people:
        made = refer(client, staff, case_id, victim_id, partner.service_id)
        assert made.status_code == 201, made.text
        _set(app, referrals.REFERRALS, made.json()["id"], created_at=at)


def _callback(
    app: FastAPI,
    client: TestClient,
    staff: dict[str, str],
    phone_client_id: str,
    victim_id: str,
    case_id: str,
    requested: str,
    completed: str | None,
) -> None:
    session = victim_session_for(app, phone_client_id, Channel.PHONE, victim_id, case_id)
    response = client.post(
        "/v1/me/callback-requests",
        json={"preferred_times": windows(), "reason": "CASE_UPDATE"},
        headers=session,
    )
    assert response.status_code == 201, response.text
    callback_id = response.json()["id"]
    if completed is not None:
        done = client.post(
            f"/v1/callback-requests/{callback_id}/completion",
            json={"outcome": "UNSAFE_TO_CALL"},
            headers=staff,
        )
        assert done.status_code == 200, done.text
        _set(app, callbacks.CALLBACKS, callback_id, requested_at=requested, completed_at=completed)
    else:
        _set(app, callbacks.CALLBACKS, callback_id, requested_at=requested)
