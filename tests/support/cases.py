"""Synthetic cases for tests of every domain that builds on cases."""

from __future__ import annotations

import uuid
from typing import Any

from fastapi.testclient import TestClient


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


def put_new_case(client: TestClient, headers: dict[str, str], **overrides: Any) -> str:
    """Create a case as a police system would; returns its id."""
    case_id = str(uuid.uuid4())
    response = client.put(
        f"/v1/cases/{case_id}",
        json=case_body(**overrides),
        headers={**headers, "If-None-Match": "*"},
    )
    assert response.status_code == 201, response.text
    return case_id
