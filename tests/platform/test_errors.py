"""Every 4xx and 5xx is RFC 9457 problem+json, with X-Request-ID, and leaks nothing."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from fastapi import APIRouter, FastAPI
from fastapi.testclient import TestClient
from pydantic import BaseModel, Field

from victim_api.app import create_app
from victim_api.settings import Settings

PROBLEM_KEYS = {"type", "title", "status", "detail", "instance", "code", "errors"}


class Echo(BaseModel):
    name: str = Field(max_length=20)
    count: int


@pytest.fixture(scope="module")
def probe_client(settings: Settings) -> Iterator[TestClient]:
    """The real app plus test-only routes that exercise each error path."""
    app: FastAPI = create_app(settings.model_copy(update={"max_body_bytes": 2048}))
    router = APIRouter(prefix="/v1/_probe")

    @router.post("/echo")
    def echo(body: Echo) -> Echo:
        return body

    @router.get("/boom")
    def boom() -> None:
        raise RuntimeError("secret detail: given_name=Alice, 07700 900123")

    app.include_router(router)
    with TestClient(app, raise_server_exceptions=False) as client:
        yield client
    app.state.database.dispose()


def assert_problem(response, status: int, code: str) -> dict:
    assert response.status_code == status
    assert response.headers["content-type"] == "application/problem+json"
    assert response.headers["x-request-id"]
    body = response.json()
    assert body.keys() >= PROBLEM_KEYS
    assert body["status"] == status
    assert body["code"] == code
    assert body["type"].endswith(code)
    return body


def test_unknown_path_is_a_404_problem(client: TestClient) -> None:
    response = client.get("/v1/does-not-exist")
    body = assert_problem(response, 404, "not_found")
    assert body["instance"] == "/v1/does-not-exist"
    assert body["request_id"] == response.headers["x-request-id"]


def test_wrong_method_is_a_405_problem_with_allow(client: TestClient) -> None:
    response = client.post("/healthz")
    assert_problem(response, 405, "method_not_allowed")
    assert "GET" in response.headers["allow"]


def test_malformed_json_is_a_400_problem(probe_client: TestClient) -> None:
    response = probe_client.post(
        "/v1/_probe/echo", content=b'{"name": "x",', headers={"content-type": "application/json"}
    )
    body = assert_problem(response, 400, "malformed_json")
    assert body["errors"][0]["location"] == "/body"


def test_validation_errors_name_each_field(probe_client: TestClient) -> None:
    response = probe_client.post("/v1/_probe/echo", json={"name": "x" * 21, "count": "many"})
    body = assert_problem(response, 422, "validation_failed")
    locations = {e["location"] for e in body["errors"]}
    assert locations == {"/body/name", "/body/count"}
    # The rejected values are never echoed back.
    assert "xxxxxxxxxxxxxxxxxxxxx" not in response.text
    assert "many" not in response.text


def test_body_over_the_cap_with_content_length_is_413(probe_client: TestClient) -> None:
    response = probe_client.post(
        "/v1/_probe/echo",
        content=b'{"name": "' + b"x" * 4096 + b'", "count": 1}',
        headers={"content-type": "application/json"},
    )
    assert_problem(response, 413, "content_too_large")


def test_chunked_body_over_the_cap_without_content_length_is_413(
    probe_client: TestClient,
) -> None:
    def chunks() -> Iterator[bytes]:
        yield b'{"name": "'
        for _ in range(10):
            yield b"x" * 512
        yield b'", "count": 1}'

    response = probe_client.post(
        "/v1/_probe/echo", content=chunks(), headers={"content-type": "application/json"}
    )
    assert "content-length" not in response.request.headers
    assert_problem(response, 413, "content_too_large")


def test_unexpected_error_is_a_500_problem_without_traceback(probe_client: TestClient) -> None:
    response = probe_client.get("/v1/_probe/boom")
    body = assert_problem(response, 500, "internal_error")
    assert "Traceback" not in response.text
    assert "RuntimeError" not in response.text
    assert "Alice" not in response.text
    assert body["errors"] == []


def test_request_id_is_echoed_when_valid_and_minted_when_not(client: TestClient) -> None:
    kept = client.get("/healthz", headers={"x-request-id": "abc-123.DEF:9"})
    assert kept.headers["x-request-id"] == "abc-123.DEF:9"
    replaced = client.get("/healthz", headers={"x-request-id": "bad id\twith spaces"})
    assert replaced.headers["x-request-id"] != "bad id\twith spaces"
    assert len(replaced.headers["x-request-id"]) == 32


def test_security_headers_on_every_response(client: TestClient) -> None:
    for response in (client.get("/healthz"), client.get("/v1/nope")):
        assert response.headers["x-content-type-options"] == "nosniff"
        assert response.headers["referrer-policy"] == "no-referrer"
        assert "frame-ancestors 'none'" in response.headers["content-security-policy"]
        assert response.headers["cache-control"] == "no-store"
