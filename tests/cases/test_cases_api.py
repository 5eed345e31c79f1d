"""Cases through the API: create and update with preconditions, lookup, lists, audit."""

from __future__ import annotations

import uuid

import pytest
import sqlalchemy as sa
from fastapi.testclient import TestClient

from tests.cases.conftest import case_body, new_crime_reference, put_update
from victim_api.platform.audit import AuditEvent


def _audit(database, case_id: str) -> list[AuditEvent]:
    with database.read_session() as session:
        rows = session.execute(sa.select(AuditEvent).order_by(AuditEvent.seq)).scalars()
        return [row for row in rows if case_id in row.case_ids]


def test_create_answers_201_with_location_etag_and_the_case(
    client: TestClient, police, database
) -> None:
    case_id = str(uuid.uuid4())
    body = case_body(crime_type="THEFT", status="SUSPECT_ARRESTED")
    response = client.put(
        f"/v1/cases/{case_id}", json=body, headers={**police, "If-None-Match": "*"}
    )
    assert response.status_code == 201, response.text
    assert response.headers["location"] == f"/v1/cases/{case_id}"
    assert response.headers["etag"] == '"v1"'
    assert response.headers["cache-control"] == "no-store"
    case = response.json()
    assert case["id"] == case_id
    assert case["crime_reference"] == body["crime_reference"]
    assert case["status"] == "SUSPECT_ARRESTED"
    assert case["status_sentence"] == "A suspect has been arrested."
    assert case["allowed_next_statuses"][0] == "SUSPECT_BAILED"
    assert case["officer"]["work_email"] == "sam.placeholder@example.police.uk"
    assert case["enhanced"] is False
    assert case["entitlements"] == []
    assert case["version"] == 1
    [entry] = _audit(database, case_id)
    assert entry.operation == "COLLECTION"
    assert entry.channel == "POLICE_SYSTEM"
    assert "crime_reference" in entry.fields


def test_create_records_reporting_the_status_event_and_their_duties(
    client: TestClient, police, create_case
) -> None:
    case_id, _ = create_case(status="SUSPECT_ARRESTED")
    events = client.get(f"/v1/cases/{case_id}/events", headers=police).json()["items"]
    assert [e["type"] for e in events] == ["CASE_REPORTED", "SUSPECT_ARRESTED"]
    assert events[0]["occurred_at"] == "2026-11-30T21:15:00Z"
    duties = client.get(f"/v1/cases/{case_id}/duties", headers=police).json()["items"]
    assert sorted(d["event_type"] for d in duties) == ["CASE_REPORTED", "SUSPECT_ARRESTED"]
    referral = next(d for d in duties if d["event_type"] == "CASE_REPORTED")
    # Reported Monday 30 November 2026 at 21:15 (after the cut-off): counts from
    # Tuesday, so 2 working days is Thursday 3 December.
    assert referral["due_on"] == "2026-12-03"
    assert referral["responsible"] == "POLICE"


def test_creating_an_existing_id_is_412_with_its_etag(client: TestClient, police, create_case):
    case_id, _ = create_case()
    response = client.put(
        f"/v1/cases/{case_id}", json=case_body(), headers={**police, "If-None-Match": "*"}
    )
    assert response.status_code == 412
    assert response.json()["code"] == "case_exists"
    assert response.headers["etag"] == '"v1"'


def test_a_taken_crime_reference_is_409_and_never_echoed(
    client: TestClient, police, create_case
) -> None:
    _, case = create_case()
    response = client.put(
        f"/v1/cases/{uuid.uuid4()}",
        json=case_body(crime_reference=case["crime_reference"]),
        headers={**police, "If-None-Match": "*"},
    )
    assert response.status_code == 409
    assert response.json()["code"] == "crime_reference_taken"
    assert case["crime_reference"] not in response.text


def test_put_without_a_precondition_is_428(client: TestClient, police, create_case) -> None:
    case_id, _ = create_case()
    for target in (case_id, str(uuid.uuid4())):
        response = client.put(f"/v1/cases/{target}", json=case_body(), headers=police)
        assert response.status_code == 428
        assert response.json()["code"] == "if_match_required"


def test_update_with_if_match_then_stale_is_412(client: TestClient, police, create_case, database):
    case_id, case = create_case()
    response = put_update(client, police, case, status="UNDER_INVESTIGATION", borough="BRENT")
    assert response.status_code == 200, response.text
    assert response.headers["etag"] == '"v2"'
    assert response.json()["borough"] == "BRENT"
    stale = put_update(client, police, case, status="UNDER_INVESTIGATION")
    assert stale.status_code == 412
    assert stale.json()["code"] == "etag_mismatch"
    assert stale.headers["etag"] == '"v2"'
    entries = _audit(database, case_id)
    assert [e.operation for e in entries] == ["COLLECTION", "ALTERATION"]
    assert entries[1].fields == ["borough", "status", "status_sentence"]


def test_if_match_on_a_missing_case_is_404(client: TestClient, police) -> None:
    response = client.put(
        f"/v1/cases/{uuid.uuid4()}", json=case_body(), headers={**police, "If-Match": '"v1"'}
    )
    assert response.status_code == 404


def test_an_unchanged_put_keeps_the_version_and_adds_no_event(
    client: TestClient, police, create_case
) -> None:
    case_id, case = create_case()
    response = put_update(client, police, case)
    assert response.status_code == 200
    assert response.headers["etag"] == '"v1"'
    events = client.get(f"/v1/cases/{case_id}/events", headers=police).json()["items"]
    assert len(events) == 1


def test_changes_other_than_status_make_their_own_events(
    client: TestClient, police, create_case
) -> None:
    case_id, case = create_case()
    officer = {**case["officer"], "name": "DS Alex Example"}
    response = put_update(client, police, case, officer=officer, borough="HACKNEY")
    assert response.status_code == 200
    events = client.get(f"/v1/cases/{case_id}/events", headers=police).json()["items"]
    by_type = {e["type"]: e for e in events}
    assert by_type["OFFICER_CHANGED"]["visibility"] == "VICTIM"
    assert by_type["OFFICER_CHANGED"]["victim_text"]
    details = by_type["CASE_DETAILS_UPDATED"]
    assert details["visibility"] == "INTERNAL"
    assert details["internal_note"] == "Changed: borough."
    assert details["victim_text"] is None


def test_the_status_change_block_describes_the_event(
    client: TestClient, police, create_case
) -> None:
    case_id, case = create_case(status="CHARGED")
    response = put_update(
        client,
        police,
        case,
        status="COURT_HEARING_SCHEDULED",
        status_sentence="Your case will be heard at Southwark Crown Court.",
        status_change={
            "occurred_at": "2026-12-02T10:00:00Z",
            "internal_note": "Listed by the court office.",
            "hearing": {
                "court_name": "Southwark Crown Court",
                "starts_at": "2027-01-12T10:00:00Z",
                "address": "1 English Grounds, London",
                "kind": "TRIAL",
            },
        },
    )
    assert response.status_code == 200, response.text
    assert response.json()["status_sentence"].startswith("Your case will be heard")
    events = client.get(f"/v1/cases/{case_id}/events", headers=police).json()["items"]
    hearing = events[-1]
    assert hearing["type"] == "HEARING_SCHEDULED"
    assert hearing["from_status"] == "CHARGED"
    assert hearing["hearing"]["court_name"] == "Southwark Crown Court"
    assert hearing["victim_text"] == (
        "A court hearing has been arranged at Southwark Crown Court "
        "(1 English Grounds, London) on Tuesday 12 January 2027 at 10:00."
    )
    assert hearing["internal_note"] == "Listed by the court office."


def test_keypad_crime_references_are_normalised(client: TestClient, police, create_case) -> None:
    reference = new_crime_reference()
    _, case = create_case(crime_reference=reference.replace("/", ""))
    assert case["crime_reference"] == reference
    for form in (reference, reference.replace("/", "")):
        found = client.post("/v1/cases/lookup", json={"crime_reference": form}, headers=police)
        assert found.status_code == 200
        assert found.json()["id"] == case["id"]
        assert found.headers["etag"] == '"v1"'


@pytest.mark.parametrize(
    "bad", ["1234567-26", " 1234567/26", "12345/26", "ABCDEFG/26", "١٢٣٤٥٦٧/٢٦"]
)
def test_a_malformed_crime_reference_is_422_and_not_echoed(client: TestClient, police, bad):
    response = client.post("/v1/cases/lookup", json={"crime_reference": bad}, headers=police)
    assert response.status_code == 422
    assert response.json()["errors"][0]["location"] == "/body/crime_reference"
    assert bad not in response.text


def test_a_missed_lookup_is_404_and_audited(client: TestClient, police, database) -> None:
    with database.read_session() as session:
        before = session.execute(sa.select(sa.func.count()).select_from(AuditEvent)).scalar()
    response = client.post(
        "/v1/cases/lookup", json={"crime_reference": new_crime_reference()}, headers=police
    )
    assert response.status_code == 404
    with database.read_session() as session:
        last = session.execute(sa.select(AuditEvent).order_by(AuditEvent.seq.desc())).scalar()
        after = session.execute(sa.select(sa.func.count()).select_from(AuditEvent)).scalar()
    assert after == before + 1
    assert (last.operation, last.outcome, last.resource_type) == ("CONSULTATION", "FAILED", "case")


def test_crime_references_stay_out_of_logs_and_urls(
    client: TestClient, police, create_case, capsys: pytest.CaptureFixture[str]
) -> None:
    capsys.readouterr()
    case_id, case = create_case()
    reference = case["crime_reference"]
    client.post("/v1/cases/lookup", json={"crime_reference": reference}, headers=police)
    client.post(
        "/v1/cases/lookup", json={"crime_reference": reference.replace("/", "")}, headers=police
    )
    put_update(client, police, case, status="CLOSED")  # 409
    captured = capsys.readouterr()
    assert reference not in captured.out + captured.err
    assert reference.replace("/", "") not in captured.out + captured.err
    assert case_id in client.get(f"/v1/cases/{case_id}", headers=police).url.path


def test_get_sends_the_etag_and_audits_the_consultation(
    client: TestClient, police, create_case, database
) -> None:
    case_id, _ = create_case()
    response = client.get(f"/v1/cases/{case_id}", headers=police)
    assert response.status_code == 200
    assert response.headers["etag"] == '"v1"'
    assert _audit(database, case_id)[-1].operation == "CONSULTATION"
    assert client.get(f"/v1/cases/{uuid.uuid4()}", headers=police).status_code == 404
    assert client.get(f"/v1/cases/{case_id.upper()}", headers=police).json()["id"] == case_id


def test_the_list_filters_and_pages_in_update_order(
    client: TestClient, police, create_case, database
) -> None:
    borough = "KINGSTON_UPON_THAMES"
    made = [create_case(borough=borough, crime_type="FRAUD")[0] for _ in range(5)]
    create_case(borough=borough, crime_type="THEFT")
    headers = police
    first = client.get(
        f"/v1/cases?borough={borough}&crime_type=FRAUD&limit=2", headers=headers
    ).json()
    seen = [c["id"] for c in first["items"]]
    body = first
    while "next" in body:
        body = client.get(body["next"], headers=headers).json()
        seen += [c["id"] for c in body["items"]]
    assert set(made) <= set(seen)
    assert all(c["borough"] == borough for c in first["items"])
    # Update one: it moves to the end, and updated_since finds it.
    moved = client.get(f"/v1/cases/{made[0]}", headers=headers).json()
    stamp = put_update(client, headers, moved, status="UNDER_INVESTIGATION").json()["updated_at"]
    since = client.get(
        "/v1/cases", params={"updated_since": stamp, "borough": borough}, headers=headers
    ).json()
    assert [c["id"] for c in since["items"]] == [made[0]]
    by_status = client.get(
        "/v1/cases", params={"status": "UNDER_INVESTIGATION", "borough": borough}, headers=headers
    ).json()
    assert [c["id"] for c in by_status["items"]] == [made[0]]
    [entry] = [e for e in _audit(database, made[1]) if e.resource_id is None][:1]
    assert entry.operation == "CONSULTATION"


def test_a_cursor_from_other_filters_is_400(client: TestClient, police, create_case) -> None:
    for _ in range(3):
        create_case(borough="SUTTON")
    cursor = client.get("/v1/cases?borough=SUTTON&limit=1", headers=police).json()["next_cursor"]
    response = client.get(f"/v1/cases?borough=MERTON&cursor={cursor}", headers=police)
    assert response.status_code == 400
    assert response.json()["code"] == "invalid_cursor"


@pytest.mark.parametrize(
    "query", ["borough=ATLANTIS", "status=LOST", "crime_type=JAYWALKING", "updated_since=yesterday"]
)
def test_unknown_filter_values_are_422(client: TestClient, police, query: str) -> None:
    assert client.get(f"/v1/cases?{query}", headers=police).status_code == 422


def test_most_serious_crime_types_make_a_case_enhanced(
    client: TestClient, police, create_case
) -> None:
    _case_id, case = create_case(crime_type="DOMESTIC_ABUSE")
    assert case["enhanced"] is True
    [entitlement] = case["entitlements"]
    assert entitlement["group"] == "MOST_SERIOUS_CRIME"
    assert entitlement["basis"] == "CRIME_TYPE"
    assert entitlement["reason"] == (
        "Domestic abuse is on the Victims' Code list of most serious crime."
    )
    response = put_update(client, police, case, crime_type="THEFT")
    assert response.json()["enhanced"] is False
    assert response.json()["entitlements"] == []


def test_wrong_methods_are_405_naming_every_allowed_method(client: TestClient, police) -> None:
    response = client.get("/v1/cases/lookup", headers=police)
    assert response.status_code == 405
    assert response.headers["allow"] == "POST"
    response = client.delete(f"/v1/cases/{uuid.uuid4()}", headers=police)
    assert response.status_code == 405
    assert response.headers["allow"] == "GET, PUT"


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("offence_date", 0),
        ("offence_date", "1899-12-31"),
        ("reported_at", "2026-11-30T21:15:00"),
        ("reported_at", 1764537300),
        ("borough", "GOTHAM"),
        ("status", "ON_HOLD"),
        ("unknown_field", "x"),
    ],
)
def test_invalid_cases_are_422(client: TestClient, police, field: str, value) -> None:
    response = client.put(
        f"/v1/cases/{uuid.uuid4()}",
        json=case_body(**{field: value}),
        headers={**police, "If-None-Match": "*"},
    )
    assert response.status_code == 422
    assert response.json()["errors"][0]["location"] == f"/body/{field}"


def test_personal_contact_fields_for_the_officer_are_refused(client: TestClient, police) -> None:
    body = case_body()
    body["officer"]["home_phone"] = "07700 900123"
    response = client.put(
        f"/v1/cases/{uuid.uuid4()}", json=body, headers={**police, "If-None-Match": "*"}
    )
    assert response.status_code == 422
    assert "07700 900123" not in response.text


def test_every_change_is_on_the_timeline_by_field_name(
    client: TestClient, police, create_case
) -> None:
    case_id, case = create_case()
    officer = {**case["officer"], "work_phone": "020 7946 0999"}
    response = put_update(
        client, police, case, officer=officer, status_sentence="An officer will call you."
    )
    assert response.status_code == 200
    events = client.get(f"/v1/cases/{case_id}/events", headers=police).json()["items"]
    [details] = [e for e in events if e["type"] == "CASE_DETAILS_UPDATED"]
    assert details["internal_note"] == "Changed: officer_work_phone, status_sentence."
    assert "020 7946 0999" not in repr(events)


def test_only_the_batch_path_takes_large_bodies(client: TestClient, police) -> None:
    big = case_body(status_sentence="x" * 300)
    big["padding"] = "y" * 70_000
    response = client.put(
        f"/v1/cases/{uuid.uuid4()}", json=big, headers={**police, "If-None-Match": "*"}
    )
    assert response.status_code == 413
    batch = client.post(
        "/v1/cases/batch-upsert", json={"items": [big, case_body()]}, headers=police
    )
    assert batch.status_code == 200
    assert [r["result"] for r in batch.json()["results"]] == ["ERROR", "CREATED"]


@pytest.mark.parametrize("text", ["nul\x00byte", "bell\x07", "escape\x1b[0m"])
def test_control_characters_in_text_are_422(client: TestClient, police, text: str) -> None:
    body = case_body(status_sentence=text)
    response = client.put(
        f"/v1/cases/{uuid.uuid4()}", json=body, headers={**police, "If-None-Match": "*"}
    )
    assert response.status_code == 422
    batch = client.post("/v1/cases/batch-upsert", json={"items": [body]}, headers=police)
    assert batch.json()["results"][0]["problem"]["code"] == "validation_failed"
