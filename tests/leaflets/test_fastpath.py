"""The fast path answers cached leaflet reads exactly as the route would, or not at all."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient
from httpx import Response
from prometheus_client import REGISTRY

from tests.leaflets.conftest import app_for
from victim_api.settings import Settings

FAST_ANSWERS = "victim_api_fast_path_responses_total"
ROUTE = {"route": "/v1/leaflets/{slug}"}


def fast_answers() -> float:
    return REGISTRY.get_sample_value(FAST_ANSWERS, ROUTE) or 0.0


def comparable(response: Response) -> tuple[int, bytes, list[tuple[str, str]]]:
    headers = sorted((k, v) for k, v in response.headers.items() if k != "x-request-id")
    return response.status_code, response.content, headers


@pytest.fixture
def client(settings: Settings, database_url_with_leaflets: str) -> Iterator[TestClient]:
    with TestClient(app_for(settings, database_url_with_leaflets, ttl=300)) as client:
        yield client


@pytest.mark.parametrize(
    "headers",
    [
        {},
        {"Accept": "text/html"},
        {"Accept": "application/json;q=0.5, text/html;q=0.9"},
        {"Accept-Language": "cy-GB, en;q=0.5"},
        {"Accept-Language": "fr"},  # not published in French: English, as the route says
        {"Origin": "https://evil.example"},
    ],
    ids=["plain", "html", "q-values", "welsh", "fallback", "stranger-origin"],
)
def test_a_cached_read_is_answered_before_routing_with_the_routes_own_bytes(
    client: TestClient, headers: dict[str, str]
) -> None:
    by_route = client.get("/v1/leaflets/victim-information", headers=headers)  # fills the cache
    before = fast_answers()
    fast = client.get("/v1/leaflets/victim-information", headers=headers)
    assert fast_answers() == before + 1
    assert comparable(fast) == comparable(by_route)
    assert fast.headers["x-request-id"]
    assert fast.headers["x-content-type-options"] == "nosniff"

    held = {**headers, "If-None-Match": fast.headers["etag"]}
    revalidated = client.get("/v1/leaflets/victim-information", headers=held)
    assert revalidated.status_code == 304
    assert revalidated.content == b""
    assert revalidated.headers["etag"] == fast.headers["etag"]
    assert fast_answers() == before + 2


@pytest.mark.parametrize(
    ("path", "headers", "status"),
    [
        ("/v1/leaflets/victim-information?lang=cy", {}, 200),  # queries are the route's
        ("/v1/leaflets/victim-information", {"Accept": "image/png"}, 406),
        ("/v1/leaflets/victim-information", {"Accept-Language": "en" + ",en" * 3000}, 422),
        ("/v1/leaflets/victim-information", {"If-None-Match": '"' + "a" * 1100 + '"'}, 422),
        ("/v1/leaflets/no-such-leaflet", {}, 404),
        ("/v1/leaflets/Not_A_Slug", {}, 422),
    ],
    ids=["query", "not-acceptable", "long-language", "long-etag", "unknown", "bad-slug"],
)
def test_anything_the_cache_cannot_answer_exactly_goes_to_the_route(
    client: TestClient, path: str, headers: dict[str, str], status: int
) -> None:
    client.get(path, headers=headers)
    client.get("/v1/leaflets/victim-information")  # the leaflet itself is cached
    before = fast_answers()
    response = client.get(path, headers=headers)
    assert response.status_code == status
    assert fast_answers() == before
    if status >= 400:
        assert response.headers["content-type"] == "application/problem+json"
