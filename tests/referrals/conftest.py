"""Referral fixtures: the sample directory, two partner organisations, and helpers
for synthetic cases, victims and consents."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from tests.cases.conftest import case_body
from tests.support.auth import bearer, new_client, token_for
from victim_api.directory import service as directory
from victim_api.directory.seed import seed_directory
from victim_api.platform.principal import Channel

PHONE = "+442079460456"
EMAIL = "alex.synthetic@example.org"


@dataclass(frozen=True)
class Partner:
    organisation_id: str
    service_id: str
    headers: dict[str, str]


def _services_for(app: FastAPI, crime_type: str) -> list[dict[str, Any]]:
    with app.state.database.transaction() as session:
        return directory.recommend_services(
            session,
            crime_type=crime_type,
            borough="CAMDEN",
            age=None,
            language=None,
            needs=[],
            enhanced=False,
            limit=50,
        )


@pytest.fixture(scope="session")
def partners(app: FastAPI) -> list[Partner]:
    return make_partners(app)


def make_partners(app: FastAPI) -> list[Partner]:
    """Two support services of two different organisations, each taking police
    referrals for domestic abuse and assault in Camden, and a PARTNER client per
    organisation (the security suites use them too)."""
    with app.state.database.transaction() as session:
        seed_directory(session)
    both = {s["id"]: s for s in _services_for(app, "DOMESTIC_ABUSE")}
    eligible = [s for s in _services_for(app, "ASSAULT") if s["id"] in both]
    chosen: dict[str, dict[str, Any]] = {}
    for service in eligible:
        chosen.setdefault(service["organization"]["id"], service)
    assert len(chosen) >= 2, "the sample directory needs two organisations for this"
    found = []
    with TestClient(app) as client:
        for organisation_id, service in list(chosen.items())[:2]:
            credentials = new_client(
                app, Channel.PARTNER, organisation_id=organisation_id, name="partner (synthetic)"
            )
            headers = bearer(token_for(client, credentials))
            found.append(Partner(organisation_id, service["id"], headers))
    return found


@pytest.fixture(scope="session")
def staff(channel_tokens: dict[str, str]) -> dict[str, str]:
    return bearer(channel_tokens["STAFF"])


@pytest.fixture(scope="session")
def police(channel_tokens: dict[str, str]) -> dict[str, str]:
    return bearer(channel_tokens["POLICE_SYSTEM"])


def new_case(client: TestClient, police: dict[str, str], **overrides: Any) -> str:
    case_id = str(uuid.uuid4())
    response = client.put(
        f"/v1/cases/{case_id}",
        json=case_body(**overrides),
        headers={**police, "If-None-Match": "*"},
    )
    assert response.status_code == 201, response.text
    return case_id


def new_victim(client: TestClient, police: dict[str, str], case_id: str, **overrides: Any) -> str:
    body: dict[str, Any] = {
        "role": "VICTIM",
        "given_name": "Alex",
        "family_name": "Synthetic",
        "date_of_birth": "1988-02-03",
        "phone": PHONE,
        "email": EMAIL,
        "postal_address": {"lines": ["2 Example Street", "London"], "postcode": "NW1 0AB"},
        "preferred_channel": "SMS",
        "language": "en",
        "interpreter_needed": False,
        "safe_contact_times": "Weekdays 09:00-12:00",
        "safety_flags": [],
    }
    body.update(overrides)
    response = client.post(f"/v1/cases/{case_id}/victims", json=body, headers=police)
    assert response.status_code == 201, response.text
    return str(response.json()["id"])


def consent(
    client: TestClient, staff: dict[str, str], victim_id: str, decision: str = "GIVEN"
) -> str:
    response = client.post(
        f"/v1/victims/{victim_id}/consents",
        json={"purpose": "REFERRAL_TO_SUPPORT", "decision": decision, "legal_basis": "CONSENT"},
        headers=staff,
    )
    assert response.status_code == 201, response.text
    return str(response.json()["id"])


def refer(
    client: TestClient,
    staff: dict[str, str],
    case_id: str,
    victim_id: str,
    service_id: str,
    **extra: Any,
) -> Any:
    body = {
        "case_id": case_id,
        "victim_id": victim_id,
        "service_id": service_id,
        "needs": ["EMOTIONAL_SUPPORT"],
        **extra,
    }
    return client.post("/v1/referrals", json=body, headers=staff)


def pending_ids(client: TestClient, partner: Partner) -> list[str]:
    response = client.get("/v1/partner/referrals?status=PENDING&limit=100", headers=partner.headers)
    assert response.status_code == 200, response.text
    return [item["id"] for item in response.json()["items"]]


def ack_all(client: TestClient, partner: Partner) -> None:
    for referral_id in pending_ids(client, partner):
        response = client.post(
            f"/v1/partner/referrals/{referral_id}/acknowledge", headers=partner.headers
        )
        assert response.status_code == 200, response.text
