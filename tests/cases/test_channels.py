"""Views per channel: staff and police systems only; victims and partners have no route."""

from __future__ import annotations

import uuid

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from tests.support.auth import bearer

CASE_ID = str(uuid.uuid4())


def _case_operations(app: FastAPI) -> list[tuple[str, str]]:
    operations = []
    for path, item in app.openapi()["paths"].items():
        for method, operation in item.items():
            if "cases" in operation.get("tags", []):
                concrete = (
                    path.replace("{case_id}", CASE_ID)
                    .replace("{event_id}", str(uuid.uuid4()))
                    .replace("{duty_id}", str(uuid.uuid4()))
                    .replace("{event_type}", "SUSPECT_ARRESTED")
                )
                operations.append((method.upper(), concrete))
    return operations


def test_there_are_case_operations(app: FastAPI) -> None:
    assert len(_case_operations(app)) == 13


@pytest.mark.parametrize("channel", ["PARTNER", "PHONE", "WEB", "AUDITOR"])
def test_other_channels_get_403_everywhere(
    client: TestClient, app: FastAPI, channel_tokens, channel: str
) -> None:
    for method, path in _case_operations(app):
        response = client.request(method, path, json={}, headers=bearer(channel_tokens[channel]))
        assert response.status_code == 403, f"{channel} {method} {path}"
        assert response.json()["code"] == "channel_not_allowed"


def test_no_token_is_401(client: TestClient, app: FastAPI) -> None:
    for method, path in _case_operations(app):
        assert client.request(method, path, json={}).status_code == 401, f"{method} {path}"


def test_the_contract_names_the_channels(app: FastAPI) -> None:
    paths = app.openapi()["paths"]
    assert paths["/v1/cases/{case_id}"]["put"]["x-allowed-channels"] == ["POLICE_SYSTEM", "STAFF"]
    assert paths["/v1/cases/batch-upsert"]["post"]["x-allowed-channels"] == ["POLICE_SYSTEM"]
    assert paths["/v1/cases/{case_id}/entitlements"]["put"]["x-allowed-channels"] == ["STAFF"]
    for item in paths.values():
        for operation in item.values():
            if "cases" in operation.get("tags", []):
                assert "PARTNER" not in operation["x-allowed-channels"]
                assert "PHONE" not in operation["x-allowed-channels"]
                assert "WEB" not in operation["x-allowed-channels"]
