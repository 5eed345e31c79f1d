"""``/l`` and ``POST /l/session-token``: the page's headers and its narrow WEB token."""

from __future__ import annotations

import itertools
import time
from collections.abc import Iterator

import jwt as pyjwt
import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from tests.support.auth import new_client
from victim_api.platform.principal import Channel
from victim_api.web.router import session_start_scopes

OWN_ORIGIN = "http://testserver"
# Documentation addresses (RFC 5737): labels for the rate limiter, never contacted.
_addresses = (f"203.0.113.{n}" for n in itertools.count(1))


@pytest.fixture
def page_client_id(app: FastAPI) -> str:
    return new_client(app, Channel.WEB, name="victim page").client_id


def _configured(
    app: FastAPI, monkeypatch: pytest.MonkeyPatch, client_id: str | None, limit: int = 100
) -> None:
    settings = app.state.settings.model_copy(
        update={"web_page_client_id": client_id, "web_page_token_rate_limit_per_minute": limit}
    )
    monkeypatch.setattr(app.state, "settings", settings)


@pytest.fixture
def browser(app: FastAPI) -> Iterator[TestClient]:
    """A client from an address of its own, so rate-limit counts start at zero."""
    with TestClient(app, raise_server_exceptions=False, client=(next(_addresses), 50000)) as tc:
        yield tc


def test_the_page_forbids_inline_script_framing_and_other_origins(client: TestClient) -> None:
    response = client.get("/l")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/html")
    csp = {
        part.split()[0]: part.split()[1:]
        for part in response.headers["content-security-policy"].split("; ")
    }
    assert csp["default-src"] == ["'self'"]
    assert csp["script-src"] == ["'self'"]
    assert csp["style-src"] == ["'self'"]
    assert csp["frame-ancestors"] == ["'none'"]
    assert csp["require-trusted-types-for"] == ["'script'"]
    assert "<script>" not in response.text
    assert "style=" not in response.text
    assert '<html lang="en">' in response.text


def test_only_the_page_assets_are_served(client: TestClient) -> None:
    script = client.get("/l/static/victim-page.js")
    assert script.status_code == 200
    assert script.headers["content-type"].startswith("text/javascript")
    assert client.get("/l/static/victim-page.css").status_code == 200
    for path in ("/l/static/index.html", "/l/static/..%2Frouter.py", "/l/static/x.js"):
        assert client.get(path).status_code == 404, path


def test_a_token_is_refused_without_the_pages_origin(
    app: FastAPI, browser: TestClient, monkeypatch: pytest.MonkeyPatch, page_client_id: str
) -> None:
    _configured(app, monkeypatch, page_client_id)
    for headers in ({}, {"Origin": "https://elsewhere.example"}):
        response = browser.post("/l/session-token", headers=headers)
        assert response.status_code == 403, headers
        assert response.json()["code"] == "origin_not_allowed"


def test_without_a_configured_web_client_case_updates_are_unavailable(
    app: FastAPI, browser: TestClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    _configured(app, monkeypatch, None)
    response = browser.post("/l/session-token", headers={"Origin": OWN_ORIGIN})
    assert response.status_code == 503
    assert response.json()["code"] == "case_updates_unavailable"


def test_a_client_of_another_channel_is_never_used(
    app: FastAPI, browser: TestClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    staff = new_client(app, Channel.STAFF, name="not a web client")
    _configured(app, monkeypatch, staff.client_id)
    response = browser.post("/l/session-token", headers={"Origin": OWN_ORIGIN})
    assert response.status_code == 503


def test_the_token_holds_only_what_starting_a_session_needs(
    app: FastAPI, browser: TestClient, monkeypatch: pytest.MonkeyPatch, page_client_id: str
) -> None:
    _configured(app, monkeypatch, page_client_id)
    response = browser.post("/l/session-token", headers={"Origin": OWN_ORIGIN})
    assert response.status_code == 200, response.text
    assert response.headers["cache-control"] == "no-store"
    body = response.json()
    assert body["expires_in"] == app.state.settings.web_page_token_ttl_seconds
    claims = pyjwt.decode(body["access_token"], options={"verify_signature": False})
    needed = session_start_scopes(app)
    assert needed, "POST /v1/victim-sessions should require a scope"
    assert set(claims["scope"].split()) == needed
    assert claims["channel"] == "WEB"
    assert claims["sub"] == page_client_id
    assert claims["exp"] - claims["iat"] == body["expires_in"]


def test_a_configured_web_origin_may_ask_too(
    app: FastAPI, browser: TestClient, monkeypatch: pytest.MonkeyPatch, page_client_id: str
) -> None:
    _configured(app, monkeypatch, page_client_id)
    origin = "https://victims.example.police.uk"
    settings = app.state.settings.model_copy(update={"cors_origins": [origin]})
    monkeypatch.setattr(app.state, "settings", settings)
    response = browser.post("/l/session-token", headers={"Origin": origin})
    assert response.status_code == 200, response.text


def test_the_token_endpoint_is_rate_limited_per_address(
    app: FastAPI, browser: TestClient, monkeypatch: pytest.MonkeyPatch, page_client_id: str
) -> None:
    _configured(app, monkeypatch, page_client_id, limit=2)
    if time.time() % 60 > 55:  # the three calls must fall in one minute's window
        time.sleep(61 - time.time() % 60)
    statuses = [
        browser.post("/l/session-token", headers={"Origin": OWN_ORIGIN}).status_code
        for _ in range(3)
    ]
    assert statuses == [200, 200, 429]
