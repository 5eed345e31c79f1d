"""Production mode: a 500 says nothing about its cause, and the docs and the
contract are not served unless enabled (VICTIM_API_DOCS_ENABLED)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from tests.security.world import World
from victim_api.app import create_app
from victim_api.platform.policy import PUBLIC
from victim_api.settings import Environment

PEPPER = "a-production-pepper-of-at-least-32-characters"
SECRET_TEXT = "Quillonette lives at 2 Example Street"
DOCS = ["/docs", "/redoc", "/openapi.json"]


def _production_app(world: World, **changes: object) -> FastAPI:
    settings = world.app.state.settings.model_copy(
        update={"env": Environment.PRODUCTION, "secret_pepper": PEPPER, **changes}
    )
    app = create_app(settings)

    def explode() -> None:
        raise RuntimeError(SECRET_TEXT)

    app.add_api_route("/v1/_explode", explode, dependencies=[PUBLIC], include_in_schema=False)
    return app


@pytest.fixture(scope="module")
def production(world: World) -> Iterator[TestClient]:
    # No lifespan (no `with`): production would insist on provided signing keys,
    # which nothing here needs.
    app = _production_app(world)
    yield TestClient(app, raise_server_exceptions=False)
    app.state.database.dispose()


def test_a_500_shows_no_stack_trace_or_exception_text(production: TestClient) -> None:
    response = production.get("/v1/_explode")
    assert response.status_code == 500
    assert response.headers["content-type"] == "application/problem+json"
    assert response.json()["code"] == "internal_error"
    for telltale in (SECRET_TEXT, "RuntimeError", "Traceback", 'File "', ".py"):
        assert telltale not in response.text
    assert response.headers["cache-control"] == "no-store"


@pytest.mark.parametrize("path", DOCS)
def test_the_docs_and_the_contract_are_off(production: TestClient, path: str) -> None:
    response = production.get(path)
    assert response.status_code == 404
    assert response.headers["content-type"] == "application/problem+json"


def test_enabled_docs_are_served_in_production(world: World) -> None:
    app = _production_app(world, docs_enabled=True)
    client = TestClient(app, raise_server_exceptions=False)
    try:
        assert [client.get(path).status_code for path in DOCS] == [200, 200, 200]
    finally:
        app.state.database.dispose()
