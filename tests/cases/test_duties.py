"""Victims' Code duties: the seeded rules, due dates, states, meeting and waiving."""

from __future__ import annotations

import re
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
import sqlalchemy as sa
from fastapi.testclient import TestClient

from victim_api.cases import rules, service
from victim_api.cases.models import NotificationRule
from victim_api.platform.principal import system_caller

# The DOMAIN.md timescale table, row by row: event types -> (standard, enhanced, who).
CODE_TIMESCALES = {
    "CASE_REPORTED": (2, 2, "POLICE"),  # referral to a support service
    **dict.fromkeys(
        (
            "SUSPECT_ARRESTED",
            "SUSPECT_INTERVIEWED",
            "SUSPECT_RELEASED_NO_FURTHER_ACTION",
            "SUSPECT_BAILED",
            "SUSPECT_RELEASED_UNDER_INVESTIGATION",
            "BAIL_CONDITIONS_CHANGED",
            "BAIL_CANCELLED",
            "INVESTIGATION_NOT_PURSUED",
            "SUSPECT_CHARGED",
            "NO_CHARGE_DECISION",
            "OUT_OF_COURT_DISPOSAL",
        ),
        (5, 1, "POLICE"),
    ),
    "HEARING_SCHEDULED": (1, 1, "WITNESS_CARE_UNIT"),
    **dict.fromkeys(
        ("BAIL_HEARING_OUTCOME", "WARRANT_ISSUED", "REARREST_OUTCOME"), (5, 1, "WITNESS_CARE_UNIT")
    ),
    "OUTCOME_RECORDED": (1, 1, "WITNESS_CARE_UNIT"),
    "COMPLAINT_RECEIVED": (10, 10, "EACH_AGENCY"),
    "REVIEW_REQUESTED": (10, 10, "POLICE"),
}


def test_the_seeded_rules_are_the_code_timescales(app) -> None:
    with app.state.database.read_session() as session:
        rows = session.execute(sa.select(NotificationRule.__table__)).all()
    seeded = {
        r.event_type: (
            r.obligation,
            r.standard_working_days,
            r.enhanced_working_days,
            r.responsible,
            r.code_right,
        )
        for r in rows
    }
    data = {
        r.event_type.value: (
            r.obligation,
            r.standard_working_days,
            r.enhanced_working_days,
            r.responsible.value,
            r.code_right,
        )
        for r in rules.DEFAULT_RULES
    }
    assert data == seeded
    assert {k: (v[1], v[2], v[3]) for k, v in data.items()} == CODE_TIMESCALES


def test_docs_carry_the_rules_table(repo_root: Path) -> None:
    text = (repo_root / "docs" / "cases.md").read_text(encoding="utf-8")
    found = re.search(r"<!-- rules:start -->\n(.*?)\n<!-- rules:end -->", text, re.DOTALL)
    assert found
    assert found.group(1).strip() == rules.markdown_table()


def test_the_rules_are_listed(client: TestClient, staff) -> None:
    items = client.get("/v1/notification-rules", headers=staff).json()["items"]
    assert {i["event_type"] for i in items} == set(CODE_TIMESCALES)


def _duties(client, headers, case_id, state=None):
    query = f"?state={state}" if state else ""
    return client.get(f"/v1/cases/{case_id}/duties{query}", headers=headers).json()["items"]


def test_duty_states_against_now(client: TestClient, police, staff, create_case, app) -> None:
    now = datetime.now(UTC)
    long_ago = (now - timedelta(days=30)).isoformat().replace("+00:00", "Z")
    case_id, _case = create_case(reported_at=long_ago, offence_date="2026-01-01")
    soon = (now + timedelta(days=1)).isoformat().replace("+00:00", "Z")
    for event_type in ("SUSPECT_INTERVIEWED", "WARRANT_ISSUED", "COMPLAINT_RECEIVED"):
        client.post(
            f"/v1/cases/{case_id}/events",
            json={"type": event_type, "occurred_at": long_ago},
            headers=police,
        )
    client.post(
        f"/v1/cases/{case_id}/events",
        json={"type": "BAIL_CANCELLED", "occurred_at": soon},
        headers=police,
    )
    duties = {d["event_type"]: d for d in _duties(client, police, case_id)}
    assert duties["CASE_REPORTED"]["state"] == "OVERDUE"
    assert duties["BAIL_CANCELLED"]["state"] == "DUE"
    with app.state.database.transaction() as session:
        met = service.meet_duty(
            session,
            system_caller(),
            duties["SUSPECT_INTERVIEWED"]["id"],
            "contact-0001",
            datetime.fromisoformat(duties["SUSPECT_INTERVIEWED"]["triggered_at"])
            + timedelta(hours=2),
        )
        late = service.meet_duty(
            session,
            system_caller(),
            duties["WARRANT_ISSUED"]["id"],
            "contact-0002",
            now,
        )
    assert (met["state"], met["contact_id"]) == ("MET", "contact-0001")
    assert late["state"] == "MET_LATE"
    waived = client.post(
        f"/v1/cases/{case_id}/duties/{duties['COMPLAINT_RECEIVED']['id']}/waiver",
        json={"reason": "The victim withdrew the complaint."},
        headers=staff,
    )
    assert waived.status_code == 200, waived.text
    assert waived.json()["state"] == "WAIVED"
    assert waived.json()["waiver_reason"] == "The victim withdrew the complaint."
    states = {
        state: [d["event_type"] for d in _duties(client, staff, case_id, state)]
        for state in ("DUE", "OVERDUE", "MET", "MET_LATE", "WAIVED")
    }
    assert states == {
        "DUE": ["BAIL_CANCELLED"],
        "OVERDUE": ["CASE_REPORTED"],
        "MET": ["SUSPECT_INTERVIEWED"],
        "MET_LATE": ["WARRANT_ISSUED"],
        "WAIVED": ["COMPLAINT_RECEIVED"],
    }
    # Soonest due first, and pages.
    page = client.get(f"/v1/cases/{case_id}/duties?limit=2", headers=staff).json()
    seen = [d["due_at"] for d in page["items"]]
    while "next" in page:
        page = client.get(page["next"], headers=staff).json()
        seen += [d["due_at"] for d in page["items"]]
    assert seen == sorted(seen)
    assert len(seen) == 5
    with app.state.database.transaction() as session:
        assert [d["event_type"] for d in service.open_duties(session, case_id)] == [
            "CASE_REPORTED",
            "BAIL_CANCELLED",
        ]


def test_a_closed_duty_cannot_be_met_or_waived_again(
    client: TestClient, staff, police, create_case, app
) -> None:
    case_id, _ = create_case()
    [duty] = _duties(client, staff, case_id)
    url = f"/v1/cases/{case_id}/duties/{duty['id']}/waiver"
    assert client.post(url, json={"reason": "Opted out."}, headers=police).status_code == 403
    assert client.post(url, json={"reason": "Opted out."}, headers=staff).status_code == 200
    again = client.post(url, json={"reason": "Opted out."}, headers=staff)
    assert again.status_code == 409
    assert again.json()["code"] == "duty_closed"
    with app.state.database.transaction() as session, pytest.raises(service.DutyClosedError):
        service.meet_duty(session, system_caller(), duty["id"], "contact-1", datetime.now(UTC))
    assert client.post(url, json={"reason": ""}, headers=staff).status_code == 422


def test_a_duty_of_another_case_is_404(client: TestClient, staff, create_case) -> None:
    first, _ = create_case()
    second, _ = create_case()
    [duty] = _duties(client, staff, first)
    for case_id, duty_id in ((second, duty["id"]), (first, str(uuid.uuid4()))):
        response = client.post(
            f"/v1/cases/{case_id}/duties/{duty_id}/waiver", json={"reason": "x"}, headers=staff
        )
        assert response.status_code == 404


def test_a_changed_rule_applies_to_new_duties_only(
    client: TestClient, staff, police, create_case
) -> None:
    url = "/v1/notification-rules/SUSPECT_INTERVIEWED"
    rule = next(
        r
        for r in client.get("/v1/notification-rules", headers=staff).json()["items"]
        if r["event_type"] == "SUSPECT_INTERVIEWED"
    )
    original = {
        k: rule[k]
        for k in (
            "obligation",
            "standard_working_days",
            "enhanced_working_days",
            "responsible",
            "active",
        )
    }
    case_id, _ = create_case()
    event = {"type": "SUSPECT_INTERVIEWED", "occurred_at": "2026-12-03T11:00:00Z"}
    client.post(f"/v1/cases/{case_id}/events", json=event, headers=police)
    version = rule["version"]
    try:
        assert (
            client.put(
                url, json={**original, "standard_working_days": 3}, headers=staff
            ).status_code
            == 428
        )
        changed = client.put(
            url,
            json={**original, "standard_working_days": 3},
            headers={**staff, "If-Match": f'"v{version}"'},
        )
        assert changed.status_code == 200, changed.text
        version = changed.json()["version"]
        assert changed.headers["etag"] == f'"v{version}"'
        client.post(f"/v1/cases/{case_id}/events", json=event, headers=police)
        due = sorted(
            d["due_on"]
            for d in _duties(client, police, case_id)
            if d["event_type"] == "SUSPECT_INTERVIEWED"
        )
        assert due == ["2026-12-08", "2026-12-10"]
        off = client.put(
            url, json={**original, "active": False}, headers={**staff, "If-Match": f'"v{version}"'}
        )
        version = off.json()["version"]
        client.post(f"/v1/cases/{case_id}/events", json=event, headers=police)
        assert (
            len(
                [
                    d
                    for d in _duties(client, police, case_id)
                    if d["event_type"] == "SUSPECT_INTERVIEWED"
                ]
            )
            == 2
        )
        stale = client.put(url, json=original, headers={**staff, "If-Match": '"v1"'})
        assert stale.status_code == 412
        assert (
            client.put(url, json=original, headers={**police, "If-Match": '"v1"'}).status_code
            == 403
        )
        missing = client.put(
            "/v1/notification-rules/NO_SUCH_EVENT",
            json=original,
            headers={**staff, "If-Match": '"v1"'},
        )
        assert missing.status_code == 404
    finally:
        restored = client.put(url, json=original, headers={**staff, "If-Match": f'"v{version}"'})
        assert restored.status_code == 200
