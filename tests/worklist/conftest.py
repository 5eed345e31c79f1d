"""Fixtures for the worklist tests: a team with an item of every kind."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import timedelta

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from tests.callbacks.conftest import phone_client_id, police, staff_users, windows
from tests.referrals.conftest import Partner, new_case, new_victim, partners, refer
from tests.support.auth import victim_session_for
from victim_api.platform.clock import utcnow
from victim_api.platform.principal import Channel

__all__ = ["partners", "phone_client_id", "police", "staff_users"]


@dataclass(frozen=True)
class Team:
    name: str
    case_id: str
    victim_id: str
    other_victim_id: str
    callback_id: str
    unsent_referral_id: str
    unacknowledged_referral_id: str


def pull(client: TestClient, partner: Partner) -> None:
    response = client.get("/v1/partner/referrals?status=PENDING&limit=100", headers=partner.headers)
    assert response.status_code == 200, response.text


@pytest.fixture
def team(
    app: FastAPI,
    client: TestClient,
    police: dict[str, str],
    staff_users: tuple[dict[str, str], dict[str, str]],
    partners: list[Partner],
    phone_client_id: str,
) -> Team:
    """A case of a team of its own, reported 14 days ago, with: an open overdue duty
    (SUSPECT_INTERVIEWED), two people agreeing updates every 14 days, a referral not
    yet delivered, one delivered but not acknowledged, and a callback request."""
    staff, _ = staff_users
    name = f"Team {uuid.uuid4().hex[:8]}"
    reported = utcnow() - timedelta(days=14)
    case_id = new_case(
        client,
        police,
        crime_type="ASSAULT",
        reported_at=reported.isoformat(),
        offence_date=reported.date().isoformat(),
        officer={"name": "DC Sam Placeholder", "rank": "Detective Constable", "team": name},
    )
    event = client.post(
        f"/v1/cases/{case_id}/events",
        json={"type": "SUSPECT_INTERVIEWED", "occurred_at": reported.isoformat()},
        headers=police,
    )
    assert event.status_code == 201, event.text
    victim_id = new_victim(client, police, case_id, update_frequency="EVERY_14_DAYS")
    other_id = new_victim(
        client, police, case_id, given_name="Robin", update_frequency="EVERY_14_DAYS"
    )
    unsent = refer(client, staff, case_id, victim_id, partners[0].service_id)
    assert unsent.status_code == 201, unsent.text
    sent = refer(client, staff, case_id, victim_id, partners[1].service_id)
    assert sent.status_code == 201, sent.text
    pull(client, partners[1])
    session = victim_session_for(app, phone_client_id, Channel.PHONE, victim_id, case_id)
    callback = client.post(
        "/v1/me/callback-requests",
        json={"preferred_times": windows(), "reason": "CASE_UPDATE"},
        headers=session,
    )
    assert callback.status_code == 201, callback.text
    return Team(
        name,
        case_id,
        victim_id,
        other_id,
        callback.json()["id"],
        unsent.json()["id"],
        sent.json()["id"],
    )
