"""Fixtures for the cases tests: tokens, synthetic case bodies, and helpers."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from tests.support.auth import bearer
from tests.support.cases import case_body, new_crime_reference

__all__ = ["case_body", "new_crime_reference"]


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
