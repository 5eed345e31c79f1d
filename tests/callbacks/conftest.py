"""Fixtures for the callbacks tests: a PHONE client for victim sessions, staff users,
and synthetic cases and victims."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from tests.referrals.conftest import new_case, new_victim
from tests.support.auth import bearer, new_client, token_for, victim_session_for
from victim_api.platform.clock import utcnow
from victim_api.platform.principal import Channel

__all__ = ["new_case", "new_victim"]


@dataclass(frozen=True)
class Person:
    case_id: str
    victim_id: str
    headers: dict[str, str]  # a victim session for this person


@pytest.fixture(scope="session")
def phone_client_id(app: FastAPI) -> str:
    return new_client(app, Channel.PHONE, name="ivr (synthetic)").client_id


@pytest.fixture(scope="session")
def police(channel_tokens: dict[str, str]) -> dict[str, str]:
    return bearer(channel_tokens["POLICE_SYSTEM"])


@pytest.fixture(scope="session")
def staff_users(app: FastAPI) -> tuple[dict[str, str], dict[str, str]]:
    """Two staff users of one STAFF client (claims are per acting user)."""
    credentials = new_client(app, Channel.STAFF, name="victim care (synthetic)")
    with TestClient(app) as client:
        return (
            bearer(token_for(client, credentials, acting_user="carer.one")),
            bearer(token_for(client, credentials, acting_user="carer.two")),
        )


@pytest.fixture
def person(
    app: FastAPI, client: TestClient, police: dict[str, str], phone_client_id: str
) -> Person:
    team = f"Team {uuid.uuid4().hex[:8]}"
    case_id = new_case(
        client,
        police,
        officer={"name": "DC Sam Placeholder", "rank": "Detective Constable", "team": team},
    )
    victim_id = new_victim(client, police, case_id)
    headers = victim_session_for(app, phone_client_id, Channel.PHONE, victim_id, case_id)
    return Person(case_id, victim_id, headers)


def windows(count: int = 1, *, start_hours: float = 2) -> list[dict[str, str]]:
    now = utcnow()
    return [
        {
            "from": (now + timedelta(hours=start_hours + 24 * i)).isoformat(),
            "to": (now + timedelta(hours=start_hours + 24 * i + 2)).isoformat(),
        }
        for i in range(count)
    ]


def ask(client: TestClient, person: Person, **overrides: Any) -> Any:
    body: dict[str, Any] = {"preferred_times": windows(), "reason": "CASE_UPDATE"}
    body.update(overrides)
    return client.post("/v1/me/callback-requests", json=body, headers=person.headers)
