"""Enhanced entitlements: derived with reasons, staff-assessed, and their effect on duties."""

from __future__ import annotations

import uuid
from datetime import date

from fastapi.testclient import TestClient

from victim_api.cases import entitlements, service
from victim_api.platform.principal import system_caller

ARRESTED_CHRISTMAS_EVE = {"occurred_at": "2026-12-24T10:00:00Z"}


def _put(client, headers, case_id, body, version):
    extra = {"If-Match": f'"v{version}"'} if version else {}
    return client.put(f"/v1/cases/{case_id}/entitlements", json=body, headers={**headers, **extra})


def _duty(client, headers, case_id, event_type):
    duties = client.get(f"/v1/cases/{case_id}/duties", headers=headers).json()["items"]
    return next(d for d in duties if d["event_type"] == event_type)


def test_age_on_the_offence_date() -> None:
    assert entitlements.age_on(date(2010, 6, 1), date(2028, 5, 31)) == 17
    assert entitlements.age_on(date(2010, 6, 1), date(2028, 6, 1)) == 18
    assert entitlements.age_on(date(2008, 2, 29), date(2026, 2, 28)) == 17
    assert entitlements.age_on(date(2008, 2, 29), date(2026, 3, 1)) == 18


def test_staff_assessments_make_a_case_enhanced_and_retime_open_duties(
    client: TestClient, police, staff, create_case
) -> None:
    case_id, case = create_case(status="SUSPECT_ARRESTED", status_change=ARRESTED_CHRISTMAS_EVE)
    assert _duty(client, staff, case_id, "SUSPECT_ARRESTED")["due_on"] == "2027-01-05"
    response = _put(
        client,
        staff,
        case_id,
        {"intimidated": {"reason": "Afraid of giving evidence."}, "bereaved": None},
        case["version"],
    )
    assert response.status_code == 200, response.text
    assert response.headers["etag"] == '"v2"'
    body = response.json()
    assert body["enhanced"] is True
    [assessed] = body["entitlements"]
    assert (assessed["group"], assessed["basis"], assessed["reason"]) == (
        "INTIMIDATED",
        "STAFF_ASSESSMENT",
        "Afraid of giving evidence.",
    )
    arrested = _duty(client, staff, case_id, "SUSPECT_ARRESTED")
    assert (arrested["timescale"], arrested["due_on"]) == ("ENHANCED", "2026-12-29")
    # The case shows them too, and police systems holding the old ETag must re-read.
    shown = client.get(f"/v1/cases/{case_id}", headers=police).json()
    assert shown["enhanced"] is True
    assert shown["entitlements"] == body["entitlements"]
    events = client.get(f"/v1/cases/{case_id}/events", headers=staff).json()["items"]
    [changed] = [e for e in events if e["type"] == "ENTITLEMENTS_CHANGED"]
    assert changed["visibility"] == "INTERNAL"
    assert changed["internal_note"] == (
        "Entitlements changed: INTIMIDATED. Enhanced rights now apply."
    )
    # Clearing them moves the open duty back.
    cleared = _put(client, staff, case_id, {}, 2).json()
    assert cleared["enhanced"] is False
    assert _duty(client, staff, case_id, "SUSPECT_ARRESTED")["due_on"] == "2027-01-05"


def test_new_duties_on_an_enhanced_case_use_the_enhanced_timescale(
    client: TestClient, police, create_case
) -> None:
    case_id, _ = create_case(
        crime_type="DOMESTIC_ABUSE", status="SUSPECT_ARRESTED", status_change=ARRESTED_CHRISTMAS_EVE
    )
    arrested = _duty(client, police, case_id, "SUSPECT_ARRESTED")
    assert (arrested["timescale"], arrested["working_days"]) == ("ENHANCED", 1)
    assert arrested["due_on"] == "2026-12-29"


def test_entitlements_need_the_cases_etag(client: TestClient, staff, create_case) -> None:
    case_id, _ = create_case()
    body = {"vulnerable": {"reason": "Evidence likely to suffer through a disability."}}
    assert _put(client, staff, case_id, body, None).status_code == 428
    assert _put(client, staff, case_id, body, 7).status_code == 412
    assert _put(client, staff, str(uuid.uuid4()), body, 1).status_code == 404
    assert (
        _put(client, staff, case_id, {"most_serious_crime": {"reason": "x"}}, 1).status_code == 422
    )


def test_only_staff_assess_entitlements(client: TestClient, police, create_case) -> None:
    case_id, _ = create_case()
    response = _put(client, police, case_id, {}, 1)
    assert response.status_code == 403


def test_a_victim_under_18_on_the_offence_date_gets_enhanced_rights(
    client: TestClient, police, create_case, app
) -> None:
    case_id, _ = create_case(offence_date="2026-11-30", status="SUSPECT_ARRESTED")
    database = app.state.database
    with database.transaction() as session:
        adult = service.recompute_entitlements(
            session, system_caller(), case_id, [date(2008, 11, 30)]
        )
    assert adult["enhanced"] is False
    with database.transaction() as session:
        child = service.recompute_entitlements(
            session, system_caller(), case_id, [date(1980, 1, 1), date(2008, 12, 1)]
        )
    assert child["enhanced"] is True
    [entitlement] = child["entitlements"]
    assert (entitlement["group"], entitlement["basis"]) == ("VULNERABLE", "VICTIM_UNDER_18")
    assert entitlement["reason"] == "A victim was under 18 on the offence date."
    assert "2008" not in entitlement["reason"]
    assert _duty(client, police, case_id, "SUSPECT_ARRESTED")["timescale"] == "ENHANCED"
    # Without birth dates the derivation stands; a crime-type change keeps it too.
    with database.transaction() as session:
        kept = service.recompute_entitlements(session, system_caller(), case_id)
    assert kept["enhanced"] is True
    assert client.get(f"/v1/cases/{case_id}", headers=police).json()["version"] == 2


def test_derived_and_assessed_entitlements_are_kept_apart(
    client: TestClient, staff, create_case
) -> None:
    case_id, _case = create_case(crime_type="HATE_CRIME")
    body = _put(
        client, staff, case_id, {"persistently_targeted": {"reason": "Targeted for months."}}, 1
    ).json()
    assert [(e["group"], e["basis"]) for e in body["entitlements"]] == [
        ("MOST_SERIOUS_CRIME", "CRIME_TYPE"),
        ("PERSISTENTLY_TARGETED", "STAFF_ASSESSMENT"),
    ]
    cleared = _put(client, staff, case_id, {}, 2).json()
    assert cleared["enhanced"] is True
    assert [e["group"] for e in cleared["entitlements"]] == ["MOST_SERIOUS_CRIME"]
