"""Victim session tokens reach only victim routes, and client tokens never reach them."""

from __future__ import annotations

from fastapi.testclient import TestClient

from tests.support.auth import bearer, new_client, token_for
from victim_api.platform.clients import ApiClient
from victim_api.platform.principal import Channel


def _victim_session(probe: TestClient, channel_token: str) -> str:
    response = probe.post("/v1/_probe/victim-session", headers=bearer(channel_token))
    assert response.status_code == 200, response.text
    return str(response.json()["token"])


def test_a_victim_session_carries_its_victim_and_case(probe: TestClient) -> None:
    phone = new_client(probe.app, Channel.PHONE)
    session_token = _victim_session(probe, token_for(probe, phone))
    response = probe.get("/v1/_probe/me", headers=bearer(session_token))
    assert response.status_code == 200
    assert response.json() == {"victim_id": "victim-probe", "case_id": "case-probe"}


def test_a_client_access_token_on_a_victim_route_is_403(probe: TestClient) -> None:
    phone = new_client(probe.app, Channel.PHONE)
    response = probe.get("/v1/_probe/me", headers=bearer(token_for(probe, phone)))
    assert response.status_code == 403
    assert response.json()["code"] == "victim_session_required"


def test_a_victim_session_on_a_client_route_is_401(probe: TestClient) -> None:
    phone = new_client(probe.app, Channel.PHONE)
    session_token = _victim_session(probe, token_for(probe, phone))
    response = probe.post("/v1/_probe/victim-session", headers=bearer(session_token))
    assert response.status_code == 401
    assert response.json()["code"] == "invalid_token"


def test_no_token_or_garbage_is_401(probe: TestClient) -> None:
    assert probe.get("/v1/_probe/me").status_code == 401
    response = probe.get("/v1/_probe/me", headers=bearer("not.a.token"))
    assert response.status_code == 401
    assert response.json()["code"] == "invalid_token"


def test_disabling_the_client_ends_its_victim_sessions(probe: TestClient) -> None:
    phone = new_client(probe.app, Channel.PHONE)
    session_token = _victim_session(probe, token_for(probe, phone))
    with probe.app.state.database.transaction() as session:
        session.get(ApiClient, phone.client_id).active = False
    probe.app.state.client_cache.clear()
    assert probe.get("/v1/_probe/me", headers=bearer(session_token)).status_code == 401


def test_a_domain_check_can_end_a_session_early(probe: TestClient) -> None:
    phone = new_client(probe.app, Channel.PHONE)
    session_token = _victim_session(probe, token_for(probe, phone))
    probe.app.state.victim_session_check = lambda database, principal: False
    try:
        assert probe.get("/v1/_probe/me", headers=bearer(session_token)).status_code == 401
    finally:
        del probe.app.state.victim_session_check
