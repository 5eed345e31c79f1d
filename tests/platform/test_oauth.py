"""POST /v1/oauth/token: RFC 6749 §4.4 client credentials, §5.2 errors."""

from __future__ import annotations

import base64

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from jwt import decode as pyjwt_decode
from jwt import get_unverified_header

from tests.support.auth import new_client
from victim_api.platform.clients import disable_client
from victim_api.platform.principal import Channel
from victim_api.platform.scopes import AUDIT_READ

FORM = {"grant_type": "client_credentials"}


@pytest.fixture(scope="module")
def auditor(app: FastAPI):
    return new_client(app, Channel.AUDITOR, {AUDIT_READ})


def test_basic_auth_issues_a_signed_jwt_with_every_claim(
    client: TestClient, auditor, app: FastAPI
) -> None:
    response = client.post(
        "/v1/oauth/token", data=FORM, auth=(auditor.client_id, auditor.client_secret)
    )
    assert response.status_code == 200
    assert response.headers["cache-control"] == "no-store"
    body = response.json()
    assert body["token_type"] == "Bearer"
    assert body["expires_in"] == app.state.settings.access_token_ttl_seconds
    assert body["scope"] == AUDIT_READ
    header = get_unverified_header(body["access_token"])
    assert header["alg"] == "ES256"
    assert header["typ"] == "at+jwt"
    claims = pyjwt_decode(body["access_token"], options={"verify_signature": False})
    assert {"iss", "aud", "sub", "iat", "exp", "jti", "scope", "channel", "org"} <= claims.keys()
    assert claims["sub"] == auditor.client_id
    assert claims["channel"] == "AUDITOR"
    assert claims["exp"] - claims["iat"] == body["expires_in"]


def test_form_credentials_work_too(client: TestClient, auditor) -> None:
    response = client.post(
        "/v1/oauth/token",
        data={**FORM, "client_id": auditor.client_id, "client_secret": auditor.client_secret},
    )
    assert response.status_code == 200


def test_acting_user_is_carried_for_staff(client: TestClient, app: FastAPI) -> None:
    staff = new_client(app, Channel.STAFF, set())
    response = client.post(
        "/v1/oauth/token",
        data={**FORM, "acting_user": "pc.4821"},
        auth=(staff.client_id, staff.client_secret),
    )
    token = response.json()["access_token"]
    assert pyjwt_decode(token, options={"verify_signature": False})["acting_user"] == "pc.4821"


@pytest.mark.parametrize(
    ("form", "auth", "status", "error"),
    [
        ({}, "good", 400, "invalid_request"),
        ({"grant_type": "password"}, "good", 400, "unsupported_grant_type"),
        (FORM, "wrong", 401, "invalid_client"),
        (FORM, "unknown", 401, "invalid_client"),
        (FORM, None, 401, "invalid_client"),
        ({**FORM, "scope": "audit:read cases:write-everything"}, "good", 400, "invalid_scope"),
        ({**FORM, "acting_user": "bad user!"}, "good", 400, "invalid_request"),
        ({**FORM, "acting_user": "someone"}, "good", 400, "invalid_request"),
    ],
)
def test_errors_are_rfc6749_json(client: TestClient, auditor, form, auth, status, error) -> None:
    credentials = {
        "good": (auditor.client_id, auditor.client_secret),
        "wrong": (auditor.client_id, "not-the-secret"),
        "unknown": ("vc_doesnotexist", "whatever"),
        None: None,
    }[auth]
    response = client.post("/v1/oauth/token", data=form, auth=credentials)
    assert response.status_code == status
    assert response.headers["content-type"].startswith("application/json")
    assert response.json()["error"] == error
    if status == 401 and auth is not None:
        assert response.headers["www-authenticate"].startswith("Basic")


def test_both_authentication_methods_at_once_is_invalid_request(
    client: TestClient, auditor
) -> None:
    response = client.post(
        "/v1/oauth/token",
        data={**FORM, "client_id": auditor.client_id, "client_secret": auditor.client_secret},
        auth=(auditor.client_id, auditor.client_secret),
    )
    assert response.json()["error"] == "invalid_request"


def test_json_body_is_invalid_request(client: TestClient, auditor) -> None:
    response = client.post(
        "/v1/oauth/token", json=FORM, auth=(auditor.client_id, auditor.client_secret)
    )
    assert response.status_code == 400
    assert response.json()["error"] == "invalid_request"


def test_malformed_basic_header_is_invalid_client(client: TestClient) -> None:
    response = client.post(
        "/v1/oauth/token", data=FORM, headers={"Authorization": "Basic !!!not-base64"}
    )
    assert response.status_code == 401
    assert response.json()["error"] == "invalid_client"


def test_disabled_client_gets_no_token_and_its_tokens_stop_working(
    client: TestClient, app: FastAPI
) -> None:
    auditor = new_client(app, Channel.AUDITOR, {AUDIT_READ})
    token = client.post(
        "/v1/oauth/token", data=FORM, auth=(auditor.client_id, auditor.client_secret)
    ).json()["access_token"]
    assert (
        client.get("/v1/audit-events", headers={"Authorization": f"Bearer {token}"}).status_code
        == 200
    )
    with app.state.database.transaction() as session:
        disable_client(session, auditor.client_id)
    refused = client.get("/v1/audit-events", headers={"Authorization": f"Bearer {token}"})
    assert refused.status_code == 401
    assert refused.headers["www-authenticate"] == 'Bearer error="invalid_token"'
    again = client.post(
        "/v1/oauth/token", data=FORM, auth=(auditor.client_id, auditor.client_secret)
    )
    assert again.status_code == 401


def test_basic_credentials_are_form_decoded(client: TestClient, auditor) -> None:
    raw = f"{auditor.client_id}:{auditor.client_secret}".replace("-", "%2D")
    header = "Basic " + base64.b64encode(raw.encode()).decode()
    response = client.post("/v1/oauth/token", data=FORM, headers={"Authorization": header})
    assert response.status_code == 200
