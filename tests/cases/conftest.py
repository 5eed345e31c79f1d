"""Fixtures for the cases tests: tokens, synthetic case bodies, and helpers."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from tests.support.auth import bearer


def new_crime_reference() -> str:
    digits = f"{uuid.uuid4().int % 10**9:09d}"
    return f"{digits[:7]}/{digits[7:]}"


def case_body(**overrides: Any) -> dict[str, Any]:
    """A synthetic case, as a police system would send it."""
    body: dict[str, Any] = {
        "crime_reference": new_crime_reference(),
        "borough": "CAMDEN",
        "crime_type": "BURGLARY_RESIDENTIAL",
        "reported_at": "2026-11-30T21:15:00Z",
        "offence_date": "2026-11-30",
        "officer": {
            "name": "DC Sam Placeholder",
            "rank": "Detective Constable",
            "team": "Camden CID",
            "work_phone": "020 7946 0123",
            "work_email": "sam.placeholder@example.police.uk",
        },
        "status": "REPORTED",
    }
    body.update(overrides)
    return body


@pytest.fixture(scope="session")
def police(channel_tokens: dict[str, str]) -> dict[str, str]:
    return bearer(channel_tokens["POLICE_SYSTEM"])


@pytest.fixture(scope="session")
def staff(channel_tokens: dict[str, str]) -> dict[str, str]:
    return bearer(channel_tokens["STAFF"])


CreateCase = Callable[..., tuple[str, dict[str, Any]]]


@pytest.fixture
def create_case(client: TestClient, police: dict[str, str]) -> CreateCase:
    """PUT a new case; returns (case_id, the response body)."""

    def create(**overrides: Any) -> tuple[str, dict[str, Any]]:
        case_id = str(uuid.uuid4())
        response = client.put(
            f"/v1/cases/{case_id}",
            json=case_body(**overrides),
            headers={**police, "If-None-Match": "*"},
        )
        assert response.status_code == 201, response.text
        return case_id, response.json()

    return create


def put_update(
    client: TestClient, headers: dict[str, str], case: dict[str, Any], **changes: Any
) -> Any:
    """PUT the case back with ``changes``, using its ETag."""
    body = {
        k: case[k]
        for k in ("crime_reference", "borough", "crime_type", "reported_at", "offence_date")
    }
    body["officer"] = case["officer"]
    body["status"] = case["status"]
    body.update(changes)
    return client.put(
        f"/v1/cases/{case['id']}",
        json=body,
        headers={**headers, "If-Match": f'"v{case["version"]}"'},
    )


@pytest.fixture
def database(app: FastAPI) -> Any:
    return app.state.database
