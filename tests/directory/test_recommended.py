"""GET /v1/cases/{case_id}/recommended-services: suggestions for one victim's referral."""

from __future__ import annotations

import uuid

from fastapi import FastAPI
from fastapi.testclient import TestClient

from tests.support.auth import bearer
from tests.support.cases import case_body
from victim_api.directory.seed import seed_directory


def _case(client: TestClient, police: dict, **overrides) -> str:
    case_id = str(uuid.uuid4())
    response = client.put(
        f"/v1/cases/{case_id}",
        json=case_body(**overrides),
        headers={**police, "If-None-Match": "*"},
    )
    assert response.status_code == 201, response.text
    return case_id


def test_suggestions_fit_the_case_and_take_police_referrals(
    client: TestClient, app: FastAPI, channel_tokens
) -> None:
    with app.state.database.transaction() as session:
        seed_directory(session)
    staff, police = bearer(channel_tokens["STAFF"]), bearer(channel_tokens["POLICE_SYSTEM"])
    case_id = _case(client, police, crime_type="DOMESTIC_ABUSE", borough="TOWER_HAMLETS")
    response = client.get(f"/v1/cases/{case_id}/recommended-services?limit=5", headers=staff)
    assert response.status_code == 200, response.text
    items = response.json()["items"]
    assert 1 <= len(items) <= 5
    for item in items:
        assert item["accepts_police_referrals"] is True
        assert "DOMESTIC_ABUSE" in item["crime_types"]
        assert "TOWER_HAMLETS" in item["boroughs"]


def test_an_unknown_case_or_a_victim_from_another_case_is_404(
    client: TestClient, channel_tokens
) -> None:
    staff = bearer(channel_tokens["STAFF"])
    missing = client.get(f"/v1/cases/{uuid.uuid4()}/recommended-services", headers=staff)
    assert missing.status_code == 404


def test_partners_and_victim_channels_cannot_ask(client: TestClient, channel_tokens) -> None:
    for channel in ("PARTNER", "WEB", "AUDITOR"):
        response = client.get(
            f"/v1/cases/{uuid.uuid4()}/recommended-services",
            headers=bearer(channel_tokens[channel]),
        )
        assert response.status_code == 403, channel
