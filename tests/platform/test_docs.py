"""The offline API docs: /docs (Swagger UI) and /redoc load nothing from outside."""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient

from victim_api.app import create_app
from victim_api.platform.docs import ASSETS, STATIC_PREFIX
from victim_api.settings import Settings

PAGES = ["/docs", "/redoc"]
# Any absolute or protocol-relative URL in an attribute or in CSS.
_EXTERNAL = re.compile(r"""(?:https?:)?//[^\s"'<>]""", re.IGNORECASE)


def _csp(response) -> dict[str, str]:
    header = response.headers["content-security-policy"]
    directives = (d.strip().split(" ", 1) for d in header.split(";") if d.strip())
    return {name: (rest[0] if rest else "") for name, *rest in directives}


@pytest.mark.parametrize("path", PAGES)
def test_each_page_answers_html_and_references_nothing_outside(
    client: TestClient, path: str
) -> None:
    response = client.get(path)
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/html")
    html = response.text
    assert _EXTERNAL.search(html) is None, _EXTERNAL.search(html)
    assert 'data-openapi-url="/openapi.json"' in html
    sources = re.findall(r'(?:src|href)="([^"]+)"', html)
    assert sources
    for source in sources:
        assert source.startswith("/") or source == "data:,", source
        if source.startswith(STATIC_PREFIX):
            assert client.get(source).status_code == 200, source
    assert "<script>" not in html, "inline script would need 'unsafe-inline' in script-src"


@pytest.mark.parametrize("path", PAGES)
def test_each_page_has_a_strict_content_security_policy(client: TestClient, path: str) -> None:
    csp = _csp(client.get(path))
    assert csp["default-src"] == "'none'"
    assert csp["script-src"] == "'self'"
    assert csp["connect-src"] == "'self'"
    assert csp["frame-ancestors"] == "'none'"
    assert csp["style-src"].startswith("'self'")
    assert "unsafe-eval" not in " ".join(csp.values())
    assert "http" not in " ".join(csp.values())


@pytest.mark.parametrize("name", sorted(ASSETS))
def test_each_asset_answers(client: TestClient, name: str) -> None:
    response = client.get(f"{STATIC_PREFIX}/{name}")
    assert response.status_code == 200
    assert response.headers["content-type"] == ASSETS[name]
    assert response.headers["cache-control"].startswith("public")
    assert response.headers["x-content-type-options"] == "nosniff"


def test_the_assets_are_the_real_bundles(client: TestClient) -> None:
    swagger = client.get(f"{STATIC_PREFIX}/swagger-ui-bundle.js").text
    assert "SwaggerUIBundle" in swagger
    assert len(swagger) > 500_000
    redoc = client.get(f"{STATIC_PREFIX}/redoc.standalone.js").text
    assert "Redoc" in redoc
    assert len(redoc) > 500_000
    css = client.get(f"{STATIC_PREFIX}/swagger-ui.css").text
    assert ".swagger-ui" in css


def test_viewers_call_no_outside_validator_or_fonts(client: TestClient) -> None:
    swagger_init = client.get(f"{STATIC_PREFIX}/swagger-init.js").text
    assert "validatorUrl: null" in swagger_init
    redoc_init = client.get(f"{STATIC_PREFIX}/redoc-init.js").text
    assert "fontFamily" in redoc_init
    assert _EXTERNAL.search(swagger_init + redoc_init) is None


@pytest.mark.parametrize("name", ["nope.js", "..%2F..%2Fdocs.py", "README.md", "redoc.LICENSE.txt"])
def test_only_the_listed_assets_are_served(client: TestClient, name: str) -> None:
    response = client.get(f"{STATIC_PREFIX}/{name}")
    assert response.status_code == 404
    assert response.headers["content-type"] == "application/problem+json"


def test_docs_routes_are_not_in_the_contract(client: TestClient) -> None:
    paths = client.get("/openapi.json").json()["paths"]
    assert not [p for p in paths if p.startswith(("/docs", "/redoc"))]


@pytest.fixture(scope="module")
def docs_off_client(settings: Settings) -> Iterator[TestClient]:
    app = create_app(settings.model_copy(update={"docs_enabled": False}))
    with TestClient(app) as client:
        yield client
    app.state.database.dispose()


@pytest.mark.parametrize("path", [*PAGES, f"{STATIC_PREFIX}/swagger-ui-bundle.js"])
def test_with_docs_disabled_the_pages_and_the_contract_are_404_problems(
    docs_off_client: TestClient, path: str
) -> None:
    response = docs_off_client.get(path)
    assert response.status_code == 404
    assert response.headers["content-type"] == "application/problem+json"
    assert response.json()["code"] == "not_found"
    assert docs_off_client.get("/openapi.json").status_code == 404


def test_docs_are_off_in_production_unless_enabled() -> None:
    pepper = "x" * 40
    assert Settings(env="production", secret_pepper=pepper).show_docs is False
    enabled = Settings(env="production", secret_pepper=pepper, docs_enabled=True)
    assert enabled.show_docs is True
    assert Settings(env="development").show_docs is True
