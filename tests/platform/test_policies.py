"""Every route declares a policy; callers outside it get 403."""

from __future__ import annotations

from fastapi import FastAPI
from fastapi.routing import APIRoute, iter_route_contexts
from fastapi.testclient import TestClient

from tests.support.auth import bearer, new_client, token_for
from victim_api.platform.policy import api_routes, route_policies
from victim_api.platform.principal import Channel
from victim_api.platform.scopes import AUDIT_READ, all_scopes

# Framework routes outside FastAPI's APIRoute, all public by design.
FRAMEWORK_ROUTES = {"/openapi.json", "/docs", "/redoc", "/docs/oauth2-redirect"}


def test_every_route_declares_a_policy(app: FastAPI) -> None:
    routes = api_routes(app)
    assert len(routes) >= 5
    missing = [f"{sorted(r.methods)} {r.path_format}" for r in routes if not route_policies(r)]
    assert missing == [], f"routes without a policy: {missing}"


def test_no_route_escapes_the_policy_walk(app: FastAPI) -> None:
    others = {
        rc.path_format
        for rc in iter_route_contexts(app.routes)
        if not isinstance(rc.original_route, APIRoute)
    }
    assert others <= FRAMEWORK_ROUTES | {p for p in others if p.startswith("/static/")}


def test_every_non_public_operation_names_its_channels_in_the_contract(app: FastAPI) -> None:
    for path, item in app.openapi()["paths"].items():
        for method, operation in item.items():
            assert operation.get("x-allowed-channels"), f"{method} {path}"


def test_every_scope_is_in_the_security_scheme_with_its_channels(app: FastAPI) -> None:
    scheme = app.openapi()["components"]["securitySchemes"]["OAuth2"]
    documented = scheme["flows"]["clientCredentials"]["scopes"]
    assert set(documented) == set(all_scopes())
    for name, scope in all_scopes().items():
        assert documented[name]
        assert scheme["x-scope-channels"][name] == sorted(scope.channels)


def test_a_caller_on_another_channel_gets_403(client: TestClient, channel_tokens) -> None:
    response = client.get("/v1/audit-events", headers=bearer(channel_tokens["STAFF"]))
    assert response.status_code == 403
    assert response.json()["code"] == "channel_not_allowed"


def test_a_caller_without_the_scope_gets_403(client: TestClient, app: FastAPI) -> None:
    auditor = new_client(app, Channel.AUDITOR, set())
    token = token_for(client, auditor)
    response = client.get("/v1/audit-events", headers=bearer(token))
    assert response.status_code == 403
    assert response.json()["code"] == "insufficient_scope"
    assert AUDIT_READ in response.headers["www-authenticate"]


def test_a_scope_withdrawn_after_issue_stops_working(client: TestClient, app: FastAPI) -> None:
    from victim_api.platform.clients import ApiClient

    auditor = new_client(app, Channel.AUDITOR, {AUDIT_READ})
    token = token_for(client, auditor)
    assert client.get("/v1/audit-events", headers=bearer(token)).status_code == 200
    with app.state.database.transaction() as session:
        session.get(ApiClient, auditor.client_id).scopes = []
    assert client.get("/v1/audit-events", headers=bearer(token)).status_code == 403


def test_an_invalid_purpose_header_is_422(client: TestClient, channel_tokens) -> None:
    response = client.get(
        "/v1/audit-events",
        headers={**bearer(channel_tokens["AUDITOR"]), "X-Purpose": "because i said so"},
    )
    assert response.status_code == 422
    assert response.json()["errors"][0]["location"] == "/header/x-purpose"
