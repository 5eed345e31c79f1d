"""CORS: configured origins on the browser-facing API, `*` only on /openreferral."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient

from victim_api.app import create_app
from victim_api.settings import Settings

OURS = "https://victims.example.police.uk"
THEIRS = "https://attacker.example"


@pytest.fixture(scope="module")
def web(settings: Settings) -> Iterator[TestClient]:
    app = create_app(settings.model_copy(update={"cors_origins": [OURS]}))
    with TestClient(app) as client:
        yield client
    app.state.database.dispose()


def _preflight(client: TestClient, path: str, origin: str):
    return client.options(
        path,
        headers={
            "Origin": origin,
            "Access-Control-Request-Method": "POST",
            "Access-Control-Request-Headers": "content-type",
        },
    )


def test_a_configured_origin_may_call_the_web_routes(web: TestClient) -> None:
    preflight = _preflight(web, "/v1/qr-tokens/resolve", OURS)
    assert preflight.status_code == 200
    assert preflight.headers["access-control-allow-origin"] == OURS
    response = web.get("/v1/reference/boroughs", headers={"Origin": OURS})
    assert response.headers["access-control-allow-origin"] == OURS
    assert "x-request-id" in response.headers["access-control-expose-headers"].lower()


def test_any_other_origin_is_never_allowed(web: TestClient) -> None:
    preflight = _preflight(web, "/v1/qr-tokens/resolve", THEIRS)
    assert "access-control-allow-origin" not in preflight.headers
    response = web.get("/v1/reference/boroughs", headers={"Origin": THEIRS})
    assert "access-control-allow-origin" not in response.headers


def test_no_v1_route_ever_answers_star(web: TestClient, client: TestClient) -> None:
    for test_client in (web, client):
        for path in ("/v1/reference/boroughs", "/v1/does-not-exist", "/healthz"):
            response = test_client.get(path, headers={"Origin": THEIRS})
            assert response.headers.get("access-control-allow-origin") != "*", path


def test_open_referral_is_open_to_every_origin_once(web: TestClient) -> None:
    response = web.get("/openreferral/", headers={"Origin": OURS})
    assert response.headers.get_list("access-control-allow-origin") == ["*"]
    preflight = _preflight(web, "/openreferral/services", THEIRS)
    assert preflight.headers["access-control-allow-origin"] == "*"


def test_without_configured_origins_no_web_route_allows_cross_origin(client: TestClient) -> None:
    response = client.get("/v1/reference/boroughs", headers={"Origin": OURS})
    assert "access-control-allow-origin" not in response.headers
