"""Referrals through the API: consent rules, deduplication, the partner pull,
acknowledgement, outcomes, cancellation on withdrawal, safety and audit.
All data is synthetic."""

from __future__ import annotations

import uuid
from typing import Any

import sqlalchemy as sa
from fastapi import FastAPI
from fastapi.testclient import TestClient

from tests.referrals.conftest import (
    EMAIL,
    PHONE,
    Partner,
    ack_all,
    consent,
    new_case,
    new_victim,
    pending_ids,
    refer,
)
from victim_api.cases.models import NotificationDuty
from victim_api.platform.audit import AuditEvent


def _setup(
    client: TestClient, police, crime_type: str = "ASSAULT", **victim: Any
) -> tuple[str, str]:
    case_id = new_case(client, police, crime_type=crime_type)
    return case_id, new_victim(client, police, case_id, **victim)


def _item(client: TestClient, partner: Partner, referral_id: str) -> dict[str, Any]:
    response = client.get("/v1/partner/referrals?limit=100", headers=partner.headers)
    [item] = [i for i in response.json()["items"] if i["id"] == referral_id]
    return dict(item)


def test_opt_out_crime_needs_no_consent_and_records_the_legal_basis(
    client: TestClient, police, staff, partners
) -> None:
    case_id, victim_id = _setup(client, police)
    key = f"ref-{uuid.uuid4()}"
    headers = {**staff, "Idempotency-Key": key}
    body = {
        "case_id": case_id,
        "victim_id": victim_id,
        "service_id": partners[0].service_id,
        "needs": ["EMOTIONAL_SUPPORT"],
    }
    first = client.post("/v1/referrals", json=body, headers=headers)
    assert first.status_code == 201, first.text
    view = first.json()
    assert first.headers["Location"] == f"/v1/referrals/{view['id']}"
    assert view["status"] == "CREATED"
    assert view["consent_required"] is False
    assert view["legal_basis"] == "PUBLIC_TASK"
    assert view["organisation_id"] == partners[0].organisation_id
    assert view["preferred_method"] == "SMS"
    assert view["safe_contact_times"] == "Weekdays 09:00-12:00"
    again = client.post("/v1/referrals", json=body, headers=headers)
    assert again.status_code == 201
    assert again.json()["id"] == view["id"]
    assert client.get(f"/v1/referrals/{view['id']}", headers=staff).json()["id"] == view["id"]
    listed = client.get(f"/v1/victims/{victim_id}/referrals", headers=staff).json()
    assert [r["id"] for r in listed["items"]] == [view["id"]]


def test_consent_required_crime_without_consent_is_409(
    client: TestClient, police, staff, partners
) -> None:
    case_id, victim_id = _setup(client, police, crime_type="DOMESTIC_ABUSE")
    refused = refer(client, staff, case_id, victim_id, partners[0].service_id)
    assert refused.status_code == 409, refused.text
    assert refused.json()["code"] == "consent_required"
    consent_id = consent(client, staff, victim_id)
    made = refer(client, staff, case_id, victim_id, partners[0].service_id)
    assert made.status_code == 201, made.text
    assert made.json()["consent_required"] is True
    assert made.json()["consent_id"] == consent_id
    assert made.json()["legal_basis"] == "CONSENT"


def test_a_wrong_consent_id_and_a_withdrawn_consent_are_409(
    client: TestClient, police, staff, partners
) -> None:
    case_id, victim_id = _setup(client, police)
    wrong = refer(
        client, staff, case_id, victim_id, partners[0].service_id, consent_id=str(uuid.uuid4())
    )
    assert wrong.status_code == 409
    assert wrong.json()["code"] == "consent_not_current"
    consent(client, staff, victim_id, "WITHDRAWN")
    opted_out = refer(client, staff, case_id, victim_id, partners[0].service_id)
    assert opted_out.status_code == 409
    assert opted_out.json()["code"] == "consent_withdrawn"


def test_unknown_references_and_a_victim_of_another_case_are_409(
    client: TestClient, police, staff, partners
) -> None:
    case_id, victim_id = _setup(client, police)
    other_case = new_case(client, police, crime_type="ASSAULT")
    service_id = partners[0].service_id
    for body_case, body_victim, body_service, code in [
        (str(uuid.uuid4()), victim_id, service_id, "unknown_reference"),
        (case_id, str(uuid.uuid4()), service_id, "unknown_reference"),
        (case_id, victim_id, str(uuid.uuid4()), "unknown_reference"),
        (other_case, victim_id, service_id, "victim_not_on_case"),
    ]:
        response = refer(client, staff, body_case, body_victim, body_service)
        assert response.status_code == 409, response.text
        assert response.json()["code"] == code


def test_the_same_victim_and_service_while_open_is_409_with_the_existing_id(
    client: TestClient, police, staff, partners
) -> None:
    case_id, victim_id = _setup(client, police)
    first = refer(client, staff, case_id, victim_id, partners[0].service_id).json()
    duplicate = refer(client, staff, case_id, victim_id, partners[0].service_id)
    assert duplicate.status_code == 409
    assert duplicate.json()["code"] == "duplicate_referral"
    assert duplicate.json()["existing_id"] == first["id"]
    # Another service is another referral.
    assert refer(client, staff, case_id, victim_id, partners[1].service_id).status_code == 201
    # Once the first is finished (declined), the same service may be tried again.
    partner = partners[0]
    assert first["id"] in pending_ids(client, partner)
    client.post(f"/v1/partner/referrals/{first['id']}/acknowledge", headers=partner.headers)
    declined = client.post(
        f"/v1/partner/referrals/{first['id']}/outcome",
        json={"status": "DECLINED", "reason": "CAPACITY"},
        headers=partner.headers,
    )
    assert declined.status_code == 200, declined.text
    assert refer(client, staff, case_id, victim_id, partners[0].service_id).status_code == 201


def test_the_full_loop_pull_acknowledge_outcome_and_the_referral_duty(
    client: TestClient, police, staff, partners, app: FastAPI
) -> None:
    partner = partners[0]
    ack_all(client, partner)
    case_id, victim_id = _setup(client, police)
    made = refer(client, staff, case_id, victim_id, partner.service_id).json()
    assert made["duty_id"] is not None
    # Redelivered until acknowledged.
    assert made["id"] in pending_ids(client, partner)
    item = _item(client, partner, made["id"])
    assert item["status"] == "SENT"
    assert item["victim"]["given_name"] == "Alex"
    assert item["crime_category"] == "VIOLENCE"
    assert set(item) == {
        "id",
        "service_id",
        "status",
        "decline_reason",
        "cancel_reason",
        "crime_category",
        "needs",
        "entitlements",
        "enhanced",
        "victim",
        "referred_at",
        "status_changed_at",
        "acknowledged_at",
        "pending",
    }
    staff_view = client.get(f"/v1/referrals/{made['id']}", headers=staff).json()
    assert staff_view["delivery_count"] == 2
    assert staff_view["status"] == "SENT"
    with app.state.database.read_session() as session:
        duty = session.get(NotificationDuty, made["duty_id"])
        assert duty is not None
        assert duty.met_at is not None
        assert duty.contact_id == made["id"]
    path = f"/v1/partner/referrals/{made['id']}"
    first = client.post(f"{path}/acknowledge", headers=partner.headers)
    second = client.post(f"{path}/acknowledge", headers=partner.headers)
    assert first.status_code == second.status_code == 200
    assert first.json() == second.json()
    assert first.json()["status"] == "ACKNOWLEDGED"
    assert made["id"] not in pending_ids(client, partner)
    early = client.post(f"{path}/outcome", json={"status": "CLOSED"}, headers=partner.headers)
    assert early.status_code == 409
    assert early.json()["allowed_next"] == ["ACCEPTED", "DECLINED"]
    no_reason = client.post(f"{path}/outcome", json={"status": "DECLINED"}, headers=partner.headers)
    assert no_reason.status_code == 422
    assert no_reason.json()["code"] == "decline_reason"
    for status in ("ACCEPTED", "ACCEPTED", "CONTACT_MADE", "CLOSED"):
        response = client.post(f"{path}/outcome", json={"status": status}, headers=partner.headers)
        assert response.status_code == 200, response.text
        assert response.json()["status"] == status
    assert client.get(f"/v1/referrals/{made['id']}", headers=staff).json()["status"] == "CLOSED"
    # Every delivery is a DISCLOSURE naming the organisation.
    with app.state.database.read_session() as session:
        rows = session.execute(
            sa.select(AuditEvent).where(
                AuditEvent.resource_id == made["id"], AuditEvent.operation == "DISCLOSURE"
            )
        ).scalars()
        disclosures = list(rows)
    assert len(disclosures) >= 2
    assert {d.recipient for d in disclosures} == {partner.organisation_id}
    assert all(victim_id in d.victim_ids for d in disclosures)


def test_an_unsafe_method_never_reaches_a_partner(
    client: TestClient, police, staff, partners
) -> None:
    partner = partners[0]
    case_id, victim_id = _setup(
        client,
        police,
        preferred_channel="LETTER",
        safety_flags=["SMS_UNSAFE", "VOICEMAIL_UNSAFE", "SUSPECT_SHARES_ADDRESS", "EMAIL_UNSAFE"],
    )
    made = refer(client, staff, case_id, victim_id, partner.service_id).json()
    assert made["contact_methods"] == ["PHONE_CALL"]
    assert made["preferred_method"] is None  # letters are unsafe
    item = _item(client, partner, made["id"])
    assert [m["method"] for m in item["victim"]["contact_methods"]] == ["PHONE_CALL"]
    text = str(item)
    assert EMAIL not in text
    assert "Example Street" not in text
    single = client.get(f"/v1/partner/referrals/{made['id']}", headers=partner.headers).json()
    assert EMAIL not in str(single)
    assert "Example Street" not in str(single)
    assert PHONE in str(single)


def test_a_flag_added_after_the_referral_removes_the_method_for_partners(
    client: TestClient, police, staff, partners
) -> None:
    partner = partners[1]
    case_id, victim_id = _setup(client, police)
    made = refer(client, staff, case_id, victim_id, partner.service_id).json()
    assert "EMAIL" in made["contact_methods"]
    victim = client.get(f"/v1/victims/{victim_id}", headers=staff)
    patched = client.patch(
        f"/v1/victims/{victim_id}",
        json={"safety_flags": ["EMAIL_UNSAFE"]},
        headers={**staff, "If-Match": victim.headers["ETag"]},
    )
    assert patched.status_code == 200, patched.text
    item = client.get(f"/v1/partner/referrals/{made['id']}", headers=partner.headers).json()
    assert "EMAIL" not in [m["method"] for m in item["victim"]["contact_methods"]]
    assert EMAIL not in str(item)


def test_withdrawing_consent_mid_flight_cancels_and_stops_contact_data(
    client: TestClient, police, staff, partners
) -> None:
    partner = partners[0]
    ack_all(client, partner)
    case_id, victim_id = _setup(client, police, crime_type="DOMESTIC_ABUSE")
    consent(client, staff, victim_id)
    delivered = refer(client, staff, case_id, victim_id, partner.service_id).json()
    client.post(f"/v1/partner/referrals/{delivered['id']}/acknowledge", headers=partner.headers)
    # A second, never delivered referral to another organisation.
    unseen = refer(client, staff, case_id, victim_id, partners[1].service_id).json()
    consent(client, staff, victim_id, "WITHDRAWN")
    for referral_id in (delivered["id"], unseen["id"]):
        view = client.get(f"/v1/referrals/{referral_id}", headers=staff).json()
        assert view["status"] == "CANCELLED"
        assert view["cancel_reason"] == "CONSENT_WITHDRAWN"
    # The partner who saw it gets the cancellation, with no contact data.
    item = _item(client, partner, delivered["id"])
    assert item["status"] == "CANCELLED"
    assert item["victim"] is None
    assert PHONE not in str(item)
    assert "Alex" not in str(item)
    single = client.get(f"/v1/partner/referrals/{delivered['id']}", headers=partner.headers)
    assert single.json()["victim"] is None
    ack = client.post(
        f"/v1/partner/referrals/{delivered['id']}/acknowledge", headers=partner.headers
    )
    assert ack.json()["status"] == "CANCELLED"
    assert delivered["id"] not in pending_ids(client, partner)
    # The one never delivered is never delivered.
    assert unseen["id"] not in pending_ids(client, partners[1])
    # Nothing more can be recorded on a cancelled referral.
    late = client.post(
        f"/v1/partner/referrals/{delivered['id']}/outcome",
        json={"status": "ACCEPTED"},
        headers=partner.headers,
    )
    assert late.status_code == 409


def _comparable(body: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in body.items() if k not in ("request_id", "instance")}


def test_bola_another_organisations_referral_is_indistinguishable_from_missing(
    client: TestClient, police, staff, partners
) -> None:
    case_id, victim_id = _setup(client, police)
    owned = {
        p.organisation_id: refer(client, staff, case_id, victim_id, p.service_id).json()["id"]
        for p in partners
    }
    routes = [
        ("GET", "/v1/partner/referrals/{id}", None),
        ("POST", "/v1/partner/referrals/{id}/acknowledge", None),
        ("POST", "/v1/partner/referrals/{id}/outcome", {"status": "ACCEPTED"}),
    ]
    for me, other in ((partners[0], partners[1]), (partners[1], partners[0])):
        theirs = owned[other.organisation_id]
        assert theirs not in pending_ids(client, me)
        for method, template, body in routes:
            foreign = client.request(
                method, template.format(id=theirs), json=body, headers=me.headers
            )
            missing = client.request(
                method, template.format(id=str(uuid.uuid4())), json=body, headers=me.headers
            )
            assert foreign.status_code == missing.status_code == 404, (method, template)
            assert _comparable(foreign.json()) == _comparable(missing.json())
            assert foreign.headers.get("content-type") == missing.headers.get("content-type")
    # The other organisation's referral was untouched by all that.
    for partner in partners:
        view = client.get(f"/v1/referrals/{owned[partner.organisation_id]}", headers=staff).json()
        assert view["acknowledged_at"] is None


def test_partners_are_closed_out_of_staff_routes_and_staff_out_of_partner_routes(
    client: TestClient, staff, partners
) -> None:
    assert client.get("/v1/referral-consent-rules", headers=partners[0].headers).status_code == 403
    assert client.get("/v1/partner/referrals", headers=staff).status_code == 403
    rules = client.get("/v1/referral-consent-rules", headers=staff).json()["items"]
    required = {r["crime_type"] for r in rules if r["consent_required"]}
    assert required == {"SEXUAL_OFFENCE", "DOMESTIC_ABUSE", "HOMICIDE"}
