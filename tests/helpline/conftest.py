"""Fixtures for the helpline tests: synthetic cases, people, PINs and sessions."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Any

import pytest
from fastapi.testclient import TestClient

from tests.support.auth import bearer, new_client, token_for
from tests.support.cases import case_body
from victim_api.helpline.scopes import VICTIM_SESSIONS_CREATE
from victim_api.platform.principal import Channel

DOB = "1988-03-14"


@dataclass(frozen=True)
class Person:
    case_id: str
    victim_id: str
    crime_reference: str
    date_of_birth: str
    pin: str | None

    def body(self, **overrides: Any) -> dict[str, Any]:
        body: dict[str, Any] = {
            "crime_reference": self.crime_reference,
            "date_of_birth": self.date_of_birth,
        }
        if self.pin is not None:
            body["pin"] = self.pin
        body.update(overrides)
        return {k: v for k, v in body.items() if v is not None}


@pytest.fixture(scope="module")
def staff(channel_tokens: dict[str, str]) -> dict[str, str]:
    return bearer(channel_tokens["STAFF"])


@pytest.fixture(scope="module")
def police(channel_tokens: dict[str, str]) -> dict[str, str]:
    return bearer(channel_tokens["POLICE_SYSTEM"])


@pytest.fixture(scope="module")
def phone(channel_tokens: dict[str, str]) -> dict[str, str]:
    return bearer(channel_tokens["PHONE"])


@pytest.fixture
def ivr(client: TestClient) -> dict[str, str]:
    """A fresh IVR client for each test, so client-wide failure counts never carry over."""
    credentials = new_client(client.app, Channel.PHONE, {VICTIM_SESSIONS_CREATE}, name="ivr")
    return bearer(token_for(client, credentials))


def make_person(
    client: TestClient,
    police: dict[str, str],
    *,
    with_pin: bool = True,
    case: dict[str, Any] | None = None,
    **victim: Any,
) -> Person:
    body = case_body(**(case or {}))
    case_id = str(uuid.uuid4())
    response = client.put(
        f"/v1/cases/{case_id}", json=body, headers={**police, "If-None-Match": "*"}
    )
    assert response.status_code == 201, response.text
    record = {
        "role": "VICTIM",
        "given_name": "Sam",
        "family_name": "Synthetic",
        "date_of_birth": DOB,
        "phone": "+442079460111",
        "preferred_channel": "PHONE_CALL",
        "language": "en",
        "safe_contact_times": "Weekdays 10:00-14:00",
        **victim,
    }
    response = client.post(f"/v1/cases/{case_id}/victims", json=record, headers=police)
    assert response.status_code == 201, response.text
    victim_id = response.json()["id"]
    pin = None
    if with_pin:
        issued = client.post(f"/v1/victims/{victim_id}/pin", headers=police)
        assert issued.status_code == 201, issued.text
        pin = issued.json()["pin"]
    return Person(case_id, victim_id, body["crime_reference"], record["date_of_birth"], pin)


def verify(client: TestClient, ivr: dict[str, str], body: dict[str, Any]) -> Any:
    return client.post("/v1/victim-sessions", json=body, headers=ivr)


def session_headers(client: TestClient, ivr: dict[str, str], person: Person) -> dict[str, str]:
    response = verify(client, ivr, person.body())
    assert response.status_code == 201, response.text
    return bearer(response.json()["session_token"])
