"""Victims through the API: records, safety per channel, consent, PINs, the contact
log, subject rights and audit. All data is synthetic.

A module-scoped fixture sends every log line of this module to a buffer; the last
test proves no date of birth, PIN, phone number or email reached it.
"""

from __future__ import annotations

import io
import uuid
from collections.abc import Iterator
from datetime import date
from typing import Any

import pytest
import sqlalchemy as sa
from fastapi import FastAPI
from fastapi.testclient import TestClient

from tests.cases.conftest import case_body
from tests.support.auth import bearer
from victim_api.platform.audit import AuditEvent
from victim_api.platform.logging import configure_logging
from victim_api.victims import service

PHONE = "+442079460123"
EMAIL = "sam.synthetic@example.org"
DOB = "1990-04-12"
CHILD_DOB = "2015-03-01"
SEEN_PINS: list[str] = []


@pytest.fixture(scope="module", autouse=True)
def captured_logs() -> Iterator[io.StringIO]:
    stream = io.StringIO()
    configure_logging(level="DEBUG", fmt="json", stream=stream)
    yield stream
    configure_logging(level="INFO", fmt="json")


@pytest.fixture(scope="module")
def staff(channel_tokens: dict[str, str]) -> dict[str, str]:
    return bearer(channel_tokens["STAFF"])


@pytest.fixture(scope="module")
def police(channel_tokens: dict[str, str]) -> dict[str, str]:
    return bearer(channel_tokens["POLICE_SYSTEM"])


@pytest.fixture(scope="module")
def phone(channel_tokens: dict[str, str]) -> dict[str, str]:
    return bearer(channel_tokens["PHONE"])


def victim_body(**overrides: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "role": "VICTIM",
        "given_name": "Sam",
        "family_name": "Synthetic",
        "date_of_birth": DOB,
        "phone": PHONE,
        "email": EMAIL,
        "postal_address": {"lines": ["1 Example Street", "London"], "postcode": "NW1 0AA"},
        "preferred_channel": "PHONE_CALL",
        "language": "pl",
        "interpreter_needed": True,
        "accessibility_needs": ["LARGE_PRINT"],
        "safe_contact_times": "Weekdays 10:00-14:00",
        "safety_flags": ["VOICEMAIL_UNSAFE", "SUSPECT_SHARES_ADDRESS"],
    }
    body.update(overrides)
    return body


def new_case(client: TestClient, police: dict[str, str], **overrides: Any) -> str:
    case_id = str(uuid.uuid4())
    response = client.put(
        f"/v1/cases/{case_id}",
        json=case_body(**overrides),
        headers={**police, "If-None-Match": "*"},
    )
    assert response.status_code == 201, response.text
    return case_id


def new_victim(
    client: TestClient, police: dict[str, str], case_id: str | None = None, **overrides: Any
) -> dict[str, Any]:
    case_id = case_id or new_case(client, police)
    response = client.post(
        f"/v1/cases/{case_id}/victims", json=victim_body(**overrides), headers=police
    )
    assert response.status_code == 201, response.text
    return dict(response.json())


def audit(app: FastAPI, victim_id: str) -> list[AuditEvent]:
    with app.state.database.read_session() as session:
        rows = session.execute(sa.select(AuditEvent).order_by(AuditEvent.seq)).scalars()
        return [row for row in rows if victim_id in row.victim_ids]


def methods(body: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {m["method"]: m for m in body["contact_methods"]}


# ---------------------------------------------------------------------------
# Records


def test_create_is_201_with_location_etag_and_is_idempotent(
    client: TestClient, police, app: FastAPI
) -> None:
    case_id = new_case(client, police)
    headers = {**police, "Idempotency-Key": f"victim-{uuid.uuid4()}"}
    first = client.post(f"/v1/cases/{case_id}/victims", json=victim_body(), headers=headers)
    assert first.status_code == 201, first.text
    body = first.json()
    assert first.headers["Location"] == f"/v1/victims/{body['id']}"
    assert first.headers["ETag"] == '"v1"'
    assert body["under_18_at_offence"] is False
    # A police system holds no contact-details scope: no methods, no date of birth.
    assert body["contact_view"] == "NONE"
    assert body["contact_methods"] == []
    assert body["date_of_birth"] is None
    again = client.post(f"/v1/cases/{case_id}/victims", json=victim_body(), headers=headers)
    assert again.json()["id"] == body["id"]
    [entry] = [e for e in audit(app, body["id"]) if e.operation == "COLLECTION"]
    assert entry.case_ids == [case_id]
    assert "phone" in entry.fields


def test_staff_see_every_method_with_unsafe_ones_flagged(client: TestClient, police, staff) -> None:
    victim = new_victim(client, police)
    body = client.get(f"/v1/victims/{victim['id']}", headers=staff).json()
    assert body["contact_view"] == "FULL"
    assert body["date_of_birth"] == DOB
    shown = methods(body)
    assert shown["PHONE_CALL"] == {"method": "PHONE_CALL", "unsafe": False, "value": PHONE}
    assert shown["VOICEMAIL"]["unsafe"] is True
    assert shown["VOICEMAIL"]["reasons"] == ["VOICEMAIL_UNSAFE"]
    assert shown["LETTER"]["reasons"] == ["SUSPECT_SHARES_ADDRESS"]
    assert shown["HOME_VISIT"]["unsafe"] is True
    assert shown["EMAIL"] == {"method": "EMAIL", "unsafe": False, "value": EMAIL}


def test_the_helpline_sees_safe_methods_only(client: TestClient, police, phone) -> None:
    victim = new_victim(client, police)
    body = client.get(f"/v1/victims/{victim['id']}", headers=phone).json()
    assert body["contact_view"] == "SAFE_ONLY"
    assert set(methods(body)) == {"PHONE_CALL", "SMS", "EMAIL"}
    assert all(not m["unsafe"] for m in body["contact_methods"])
    assert "NW1 0AA" not in str(body)
    assert body["date_of_birth"] is None
    assert body["safety_flags"] == ["SUSPECT_SHARES_ADDRESS", "VOICEMAIL_UNSAFE"]


@pytest.mark.parametrize(
    ("channel", "expected"),
    [
        ("STAFF", {"PHONE_CALL", "VOICEMAIL", "SMS", "EMAIL", "LETTER", "HOME_VISIT"}),
        ("PHONE", {"PHONE_CALL", "SMS"}),
        ("POLICE_SYSTEM", set()),
    ],
)
def test_every_flag_for_every_reading_channel(
    client: TestClient, police, channel_tokens, channel: str, expected: set[str]
) -> None:
    every_flag = [
        "VOICEMAIL_UNSAFE",
        "LETTERS_UNSAFE",
        "EMAIL_UNSAFE",
        "HOME_VISIT_UNSAFE",
        "SUSPECT_SHARES_ADDRESS",
    ]
    victim = new_victim(client, police, safety_flags=every_flag)
    body = client.get(f"/v1/victims/{victim['id']}", headers=bearer(channel_tokens[channel]))
    shown = methods(body.json())
    assert set(shown) == expected
    for method in shown.values():
        assert method["unsafe"] is (method["method"] not in {"PHONE_CALL", "SMS"})


@pytest.mark.parametrize("channel", ["WEB", "PARTNER", "AUDITOR"])
def test_web_partner_and_auditor_get_nothing(
    client: TestClient, app: FastAPI, channel_tokens, channel: str
) -> None:
    some_id = str(uuid.uuid4())
    operations = [
        (method.upper(), path.replace("{case_id}", some_id).replace("{victim_id}", some_id))
        for path, item in app.openapi()["paths"].items()
        for method, operation in item.items()
        if "victims" in operation.get("tags", [])
    ]
    assert len(operations) == 11
    for method, path in operations:
        response = client.request(method, path, json={}, headers=bearer(channel_tokens[channel]))
        assert response.status_code == 403, f"{channel} {method} {path}"


def test_under_18_is_derived_and_gives_the_case_enhanced_rights(
    client: TestClient, police, staff
) -> None:
    case_id = new_case(client, police, offence_date="2026-11-30")
    victim = new_victim(client, police, case_id, date_of_birth=CHILD_DOB, role="VICTIM")
    assert victim["under_18_at_offence"] is True
    case = client.get(f"/v1/cases/{case_id}", headers=staff).json()
    assert case["enhanced"] is True
    assert any(e["basis"] == "VICTIM_UNDER_18" for e in case["entitlements"])
    # Correcting the date of birth takes the derived entitlement away again.
    patched = client.patch(
        f"/v1/victims/{victim['id']}",
        json={"date_of_birth": DOB},
        headers={**staff, "If-Match": '"v1"'},
    )
    assert patched.status_code == 200, patched.text
    assert patched.json()["under_18_at_offence"] is False
    case = client.get(f"/v1/cases/{case_id}", headers=staff).json()
    assert not any(e["basis"] == "VICTIM_UNDER_18" for e in case["entitlements"])


def test_patch_needs_if_match_and_rejects_read_only_fields(
    client: TestClient, police, staff, app: FastAPI
) -> None:
    victim = new_victim(client, police)
    url = f"/v1/victims/{victim['id']}"
    assert client.patch(url, json={"language": "en-GB"}, headers=staff).status_code == 428
    stale = client.patch(url, json={"language": "en-GB"}, headers={**staff, "If-Match": '"v9"'})
    assert stale.status_code == 412
    for read_only in (
        {"version": 3},
        {"under_18_at_offence": True},
        {"opted_out_on": "2026-01-01"},
    ):
        response = client.patch(url, json=read_only, headers={**staff, "If-Match": '"v1"'})
        assert response.status_code == 422, read_only
    done = client.patch(
        url, json={"language": "en-GB", "email": None}, headers={**staff, "If-Match": '"v1"'}
    )
    assert done.status_code == 200
    assert done.headers["ETag"] == '"v2"'
    assert "EMAIL" not in methods(done.json())
    [entry] = [e for e in audit(app, victim["id"]) if e.operation == "ALTERATION"]
    assert entry.fields == ["email", "language"]


def test_invalid_contact_details_are_422_without_echoing_them(client: TestClient, police) -> None:
    case_id = new_case(client, police)
    for bad in ({"phone": "+447700900123"}, {"phone": "020 7946 0123"}, {"email": "no-at-sign"}):
        response = client.post(
            f"/v1/cases/{case_id}/victims", json=victim_body(**bad), headers=police
        )
        assert response.status_code == 422, bad
        assert next(iter(bad.values())) not in response.text


def test_list_pages_through_a_case_and_audits_the_consultation(
    client: TestClient, police, staff, app: FastAPI
) -> None:
    case_id = new_case(client, police)
    made = [new_victim(client, police, case_id)["id"] for _ in range(3)]
    first = client.get(f"/v1/cases/{case_id}/victims?limit=2", headers=staff).json()
    second = client.get(first["next"], headers=staff).json()
    assert [v["id"] for v in first["items"] + second["items"]] == made
    assert "next" not in second
    assert any(e.operation == "CONSULTATION" and "phone" in e.fields for e in audit(app, made[0]))


# ---------------------------------------------------------------------------
# Consent


def test_consent_history_is_append_only_and_the_latest_is_in_force(
    client: TestClient, police, staff
) -> None:
    victim = new_victim(client, police)
    url = f"/v1/victims/{victim['id']}/consents"
    for decision in ("GIVEN", "WITHDRAWN"):
        response = client.post(
            url,
            json={
                "purpose": "REFERRAL_TO_SUPPORT",
                "decision": decision,
                "legal_basis": "CONSENT",
            },
            headers=staff,
        )
        assert response.status_code == 201, response.text
    history = client.get(url, headers=staff).json()
    assert [c["decision"] for c in history["items"]] == ["GIVEN", "WITHDRAWN"]
    assert history["current"] == {"REFERRAL_TO_SUPPORT": "WITHDRAWN"}
    assert history["items"][0]["recorded_by"] == "staff.tester"
    with client.app.state.database.read_session() as session:  # type: ignore[attr-defined]
        assert not service.has_consent(session, victim["id"], "REFERRAL_TO_SUPPORT")


# ---------------------------------------------------------------------------
# Verification secrets


def test_a_pin_is_returned_once_and_stored_only_hashed(
    client: TestClient, police, staff, app: FastAPI
) -> None:
    victim = new_victim(client, police)
    response = client.post(f"/v1/victims/{victim['id']}/pin", headers=police)
    assert response.status_code == 201
    assert response.headers["Cache-Control"] == "no-store"
    pin = response.json()["pin"]
    SEEN_PINS.append(pin)
    assert len(pin) == 6
    assert pin.isdigit()
    pepper = app.state.settings.secret_pepper
    with app.state.database.transaction() as session:
        row = service.require_victim(session, victim["id"])
        assert pin not in str(row._mapping)
        assert row.pin_hash.startswith("$argon2id$")
        assert DOB not in (row.dob_hash or "")
        assert service.verify_factors(session, victim["id"], pepper=pepper, pin=pin)
        assert service.verify_factors(
            session, victim["id"], pepper=pepper, dob=date(1990, 4, 12), pin=pin
        )
        assert not service.verify_factors(session, victim["id"], pepper=pepper, pin="000000x")
        assert not service.verify_factors(
            session, victim["id"], pepper=pepper, dob=date(1990, 4, 13)
        )
        assert not service.verify_factors(session, str(uuid.uuid4()), pepper=pepper, pin=pin)
        assert not service.verify_factors(session, victim["id"], pepper=pepper)
    assert client.get(f"/v1/victims/{victim['id']}", headers=staff).json()["pin_issued"] is True


def test_old_hashes_are_recomputed_on_a_successful_verification(
    client: TestClient, police, app: FastAPI, monkeypatch: pytest.MonkeyPatch
) -> None:
    victim = new_victim(client, police)
    pepper = app.state.settings.secret_pepper
    with app.state.database.transaction() as session:
        monkeypatch.setattr(service, "needs_rehash", lambda _hash: True)
        before = service.require_victim(session, victim["id"]).dob_hash
        assert service.verify_factors(session, victim["id"], pepper=pepper, dob=date(1990, 4, 12))
        after = service.require_victim(session, victim["id"]).dob_hash
    assert after != before
    assert after.startswith("$argon2id$")


def test_the_helpline_lookup_finds_the_people_on_a_case(
    client: TestClient, police, app: FastAPI
) -> None:
    body = case_body()
    case_id = str(uuid.uuid4())
    client.put(f"/v1/cases/{case_id}", json=body, headers={**police, "If-None-Match": "*"})
    victim = new_victim(client, police, case_id)
    with app.state.database.read_session() as session:
        assert service.victim_ids_for_crime_reference(session, body["crime_reference"]) == [
            victim["id"]
        ]
        assert service.victim_ids_for_crime_reference(session, "0000000/00") == []


# ---------------------------------------------------------------------------
# Contact log


def _contact(**overrides: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "method": "PHONE_CALL",
        "direction": "OUTBOUND",
        "outcome": "ANSWERED",
        "summary": "Explained the next steps.",
    }
    body.update(overrides)
    return body


def test_a_contact_meets_the_duties_it_names(client: TestClient, police, staff, phone) -> None:
    case_id = new_case(client, police)
    victim = new_victim(client, police, case_id)
    duties = client.get(f"/v1/cases/{case_id}/duties", headers=staff).json()["items"]
    duty_id = duties[0]["id"]
    url = f"/v1/victims/{victim['id']}/contacts"
    response = client.post(url, json=_contact(duty_ids=[duty_id]), headers=phone)
    assert response.status_code == 201, response.text
    assert response.json()["duty_ids"] == [duty_id]
    [duty] = [
        d
        for d in client.get(f"/v1/cases/{case_id}/duties", headers=staff).json()["items"]
        if d["id"] == duty_id
    ]
    assert duty["state"] in ("MET", "MET_LATE")
    assert duty["contact_id"] == response.json()["id"]
    again = client.post(url, json=_contact(duty_ids=[duty_id]), headers=phone)
    assert again.status_code == 409
    assert again.json()["code"] == "duty_not_open"
    missed = client.post(url, json=_contact(outcome="NO_ANSWER", duty_ids=[duty_id]), headers=phone)
    assert missed.json()["code"] == "contact_not_made"
    log = client.get(url, headers=staff).json()["items"]
    assert [c["id"] for c in log] == [response.json()["id"]]


@pytest.mark.parametrize(
    ("flag", "contact"),
    [
        ("VOICEMAIL_UNSAFE", {"method": "PHONE_CALL", "outcome": "VOICEMAIL_LEFT"}),
        ("VOICEMAIL_UNSAFE", {"method": "VOICEMAIL", "outcome": "VOICEMAIL_LEFT"}),
        ("SMS_UNSAFE", {"method": "SMS", "outcome": "SMS_SENT"}),
        ("EMAIL_UNSAFE", {"method": "EMAIL", "outcome": "EMAIL_SENT"}),
        ("LETTERS_UNSAFE", {"method": "LETTER", "outcome": "LETTER_SENT"}),
        ("HOME_VISIT_UNSAFE", {"method": "HOME_VISIT", "outcome": "VISIT"}),
        ("SUSPECT_SHARES_ADDRESS", {"method": "LETTER", "outcome": "LETTER_SENT"}),
    ],
)
def test_an_unsafe_contact_is_refused_unless_staff_override(
    client: TestClient, police, staff, phone, app: FastAPI, flag: str, contact: dict[str, str]
) -> None:
    victim = new_victim(client, police, safety_flags=[flag])
    url = f"/v1/victims/{victim['id']}/contacts"
    for headers in (staff, phone):
        refused = client.post(url, json=_contact(**contact), headers=headers)
        assert refused.status_code == 409, refused.text
        assert refused.json()["code"] == "contact_method_unsafe"
    override = {"safety_override": {"reason": "Agreed with the victim by phone today."}}
    by_phone = client.post(url, json=_contact(**contact, **override), headers=phone)
    assert by_phone.status_code == 403
    assert by_phone.json()["code"] == "override_not_allowed"
    done = client.post(url, json=_contact(**contact, **override), headers=staff)
    assert done.status_code == 201, done.text
    assert done.json()["override_reason"] == override["safety_override"]["reason"]
    [entry] = [e for e in audit(app, victim["id"]) if e.resource_type == "contact_safety_override"]
    assert flag in entry.fields
    assert entry.acting_user == "staff.tester"


def test_opting_out_waives_the_open_duties_once_everyone_has(
    client: TestClient, police, staff
) -> None:
    case_id = new_case(client, police)
    first = new_victim(client, police, case_id)
    second = new_victim(client, police, case_id, opted_out=True)
    assert second["opted_out"] is True
    assert second["opted_out_on"]

    def open_duties() -> list[dict[str, Any]]:
        items = client.get(f"/v1/cases/{case_id}/duties", headers=staff).json()["items"]
        return [d for d in items if d["state"] in ("DUE", "OVERDUE")]

    assert open_duties()
    client.patch(
        f"/v1/victims/{first['id']}",
        json={"opted_out": True},
        headers={**staff, "If-Match": '"v1"'},
    )
    assert open_duties() == []
    items = client.get(f"/v1/cases/{case_id}/duties", headers=staff).json()["items"]
    assert {d["waiver_reason"] for d in items if d["state"] == "WAIVED"} == {"victim opted out"}


# ---------------------------------------------------------------------------
# Subject rights


def test_export_then_erasure(client: TestClient, police, staff, app: FastAPI) -> None:
    victim = new_victim(client, police)
    url = f"/v1/victims/{victim['id']}"
    client.post(f"{url}/contacts", json=_contact(), headers=staff)
    exported = client.get(f"{url}/export", headers=staff)
    assert exported.status_code == 200
    body = exported.json()
    assert body["victim"]["date_of_birth"] == DOB
    assert len(body["contacts"]) == 1
    assert body["verification"]["date_of_birth_set"] is True
    assert "argon2" not in exported.text
    erased = client.post(f"{url}/erasure", headers=staff)
    assert erased.status_code == 200, erased.text
    after = erased.json()
    assert after["erased"] is True
    assert after["given_name"] is None
    assert after["contact_methods"] == []
    assert after["safety_flags"] == []
    with app.state.database.read_session() as session:
        row = service.require_victim(session, victim["id"])
        assert row.dob_hash is None
        assert row.phone is None
        assert row.date_of_birth is None
    log = client.get(f"{url}/contacts", headers=staff).json()["items"]
    assert log[0]["summary"] is None
    assert log[0]["outcome"] == "ANSWERED"
    assert (
        client.patch(url, json={"language": "en"}, headers={**staff, "If-Match": '"v2"'}).json()[
            "code"
        ]
        == "victim_erased"
    )
    operations = [e.operation for e in audit(app, victim["id"])]
    assert "DISCLOSURE" in operations
    assert "ERASURE" in operations
    [disclosure] = [e for e in audit(app, victim["id"]) if e.operation == "DISCLOSURE"]
    assert disclosure.recipient == "data subject"


def test_the_partner_payload_has_safe_methods_only(
    client: TestClient, police, app: FastAPI
) -> None:
    victim = new_victim(client, police)
    with app.state.database.read_session() as session:
        payload = service.safe_contact_for_partner(session, victim["id"])
    assert {m["method"] for m in payload["contact_methods"]} == {"PHONE_CALL", "SMS", "EMAIL"}
    assert "date_of_birth" not in payload
    assert payload["interpreter_needed"] is True


# ---------------------------------------------------------------------------
# Keep last: nothing secret reached the logs during this module.


def test_no_date_of_birth_pin_phone_or_email_reached_the_logs(
    captured_logs: io.StringIO, client: TestClient, staff
) -> None:
    client.get("/healthz")
    text = captured_logs.getvalue()
    assert text, "the module's logs were not captured"
    assert SEEN_PINS
    for secret in [DOB, CHILD_DOB, "1990-04-13", PHONE, EMAIL, "+447700900123", *SEEN_PINS]:
        assert secret not in text
    assert "Synthetic" not in text
