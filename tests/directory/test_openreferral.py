"""/openreferral: the public HSDS 3.0 feed. Every response shape is checked against the
official HSDS JSON schemas (and their UK-profile versions)."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from jsonschema import Draft202012Validator

from tests.directory.conftest import (
    SAL_LIST_ITEM,
    SERVICE_LIST_ITEM,
    assert_hsds,
    assert_hsds_page,
)
from victim_api.app import create_app
from victim_api.directory import hsds_schemas
from victim_api.directory.service import bump_revision
from victim_api.directory.vocabulary import CRIME_TYPES_TAXONOMY, VICTIM_NEEDS_TAXONOMY
from victim_api.platform.ratelimit import BatchedLimiter, RateLimitedError, bucket_key
from victim_api.settings import Settings

pytestmark = pytest.mark.usefixtures("sample_directory")
HATE_CRIME_TERM = CRIME_TYPES_TAXONOMY.term_id("HATE_CRIME")


def _all_pages(client: TestClient, path: str, per_page: int, **params: str) -> list[dict]:
    pages, number = [], 1
    while True:
        response = client.get(path, params={**params, "page": number, "per_page": per_page})
        assert response.status_code == 200, response.text
        pages.append(response.json())
        if response.json()["last_page"]:
            return pages
        number += 1


def test_root_names_version_profile_and_contract(client: TestClient) -> None:
    response = client.get("/openreferral/")
    assert response.status_code == 200
    body = response.json()
    openapi = json.loads((hsds_schemas.HSDS_DIR / "schema" / "openapi.json").read_text())
    root_schema = openapi["paths"]["/"]["get"]["responses"]["200"]["content"]["application/json"]
    Draft202012Validator(root_schema["schema"]).validate(body)
    assert body["version"] == "3.0"
    assert "uk-profile" in body["profile"]
    assert client.get(body["openapi_url"]).status_code == 200
    assert response.headers["access-control-allow-origin"] == "*"
    assert response.headers["cache-control"] == "public, max-age=60"


def test_service_pages_are_hsds_and_cover_every_service_once(client: TestClient) -> None:
    pages = _all_pages(client, "/openreferral/services", per_page=7)
    total = pages[0]["total_items"]
    assert total >= 60
    assert all(p["total_pages"] == -(-total // 7) for p in pages)
    assert len(pages) == pages[0]["total_pages"]
    ids = [s["id"] for page in pages for s in page["contents"]]
    assert len(ids) == len(set(ids)) == total
    for page in pages:
        assert_hsds_page(page, SERVICE_LIST_ITEM)
        assert_hsds_page(page, "service.json")
    assert pages[0]["first_page"]
    assert not pages[0]["last_page"]
    assert pages[-1]["last_page"]
    names = [s["name"].casefold() for page in pages for s in page["contents"]]
    assert names == sorted(names)


def test_past_the_last_page_is_an_empty_page(client: TestClient) -> None:
    page = client.get("/openreferral/services", params={"page": 999, "per_page": 100}).json()
    assert_hsds_page(page, SERVICE_LIST_ITEM)
    assert page["empty"]
    assert page["last_page"]
    assert page["contents"] == []


def test_minimal_and_full_lists(client: TestClient) -> None:
    minimal = client.get("/openreferral/services", params={"minimal": "true", "per_page": 100})
    assert_hsds_page(minimal.json(), SERVICE_LIST_ITEM)
    assert {frozenset(s) for s in minimal.json()["contents"]} == {
        frozenset({"id", "name", "status", "last_modified"})
    }
    full = client.get("/openreferral/services", params={"full": "true", "per_page": 5}).json()
    assert_hsds_page(full, "service.json")
    assert all("service_at_locations" in s and "attributes" in s for s in full["contents"])


def test_every_sample_service_is_fully_nested_and_valid(client: TestClient) -> None:
    ids = [s["id"] for s in client.get("/openreferral/services?per_page=100").json()["contents"]]
    for service_id in ids:
        response = client.get(f"/openreferral/services/{service_id}")
        assert response.status_code == 200
        service = response.json()
        assert_hsds("service.json", service)
        assert service["organization"]["name"]
        for name in ("phones", "schedules", "service_areas", "languages", "attributes"):
            assert name in service
        if service["name"].startswith("Victim Care Hub"):
            location = service["service_at_locations"][0]["location"]
            assert location["addresses"][0]["country"] == "GB"
            assert location["accessibility"]
            assert "SAMPLE DATA" in service["organization"]["description"]
            assert service["phones"][0]["number"].startswith("020 7946 0")
            codes = {a["taxonomy_term"]["code"] for a in service["attributes"]}
            assert {"DOMESTIC_ABUSE", "EMOTIONAL_SUPPORT", "POLICE_REFERRAL"} <= codes


def test_an_unknown_service_is_a_404_problem_open_to_any_origin(client: TestClient) -> None:
    response = client.get("/openreferral/services/7d0f5b1e-0000-4000-8000-000000000000")
    assert response.status_code == 404
    assert response.headers["content-type"] == "application/problem+json"
    assert response.headers["access-control-allow-origin"] == "*"
    assert response.headers["cache-control"] == "no-store"


@pytest.mark.parametrize(
    "params", [{"page": "0"}, {"per_page": "101"}, {"page": "x"}, {"day": "Monday"}]
)
def test_invalid_paging_and_filters_are_422_problems(client: TestClient, params: dict) -> None:
    response = client.get("/openreferral/services", params=params)
    assert response.status_code == 422
    assert response.json()["code"] == "validation_failed"
    assert response.headers["access-control-allow-origin"] == "*"


def test_filters_combine_with_and(client: TestClient) -> None:
    def ids(**params: str) -> set[str]:
        params.setdefault("per_page", "100")
        page = client.get("/openreferral/services", params=params).json()
        assert_hsds_page(page, SERVICE_LIST_ITEM)
        return {s["id"] for s in page["contents"]}

    hate = ids(taxonomy_term_id=HATE_CRIME_TERM)
    assert hate
    for service_id in hate:
        service = client.get(f"/openreferral/services/{service_id}").json()
        assert HATE_CRIME_TERM in {a["taxonomy_term_id"] for a in service["attributes"]}
    assert hate <= ids(taxonomy_id=CRIME_TYPES_TAXONOMY.id)
    assert len(ids(taxonomy_id=VICTIM_NEEDS_TAXONOMY.id)) >= 60
    searched = ids(search="HATE")
    assert searched
    assert searched <= ids(search="hate crime") | searched
    assert ids(taxonomy_term_id=HATE_CRIME_TERM, search="hate") == hate & searched
    first = client.get("/openreferral/services/" + sorted(hate)[0]).json()
    assert ids(organization_id=first["organization_id"]) >= {first["id"]}
    adults = ids(minimum_age="18")
    assert adults
    assert ids(minimum_age="18", maximum_age="17") == set()
    youth = ids(maximum_age="17")
    assert youth
    assert not youth & adults
    saturday = ids(day="SA")
    assert saturday
    assert saturday >= ids(day="SA", start_time="10:00", end_time="14:00")
    assert ids(day="SA", start_time="23:00", end_time="23:30") == set()
    later = (datetime.now(UTC) + timedelta(days=1)).isoformat().replace("+00:00", "Z")
    assert ids(modified_after=later) == set()
    assert len(ids(modified_after="2020-01-01T00:00:00Z")) >= 60


def test_ndjson_streams_every_match_one_service_per_line(client: TestClient) -> None:
    total = client.get("/openreferral/services", params={"search": "london"}).json()
    response = client.get("/openreferral/services", params={"search": "london", "format": "ndjson"})
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("application/x-ndjson")
    assert response.headers["access-control-allow-origin"] == "*"
    lines = response.text.splitlines()
    assert len(lines) == total["total_items"] > 0
    for line in lines:
        errors = [e.message for e in SERVICE_LIST_ITEM.iter_errors(json.loads(line))]
        assert errors == []
    full = client.get("/openreferral/services", params={"format": "ndjson", "full": "true"})
    for line in full.text.splitlines()[:5]:
        assert_hsds("service.json", json.loads(line))


def test_etag_answers_304_until_the_directory_changes(client: TestClient, app: FastAPI) -> None:
    first = client.get("/openreferral/services")
    tag = first.headers["etag"]
    again = client.get("/openreferral/services", headers={"If-None-Match": tag})
    assert again.status_code == 304
    assert again.content == b""
    assert again.headers["etag"] == tag
    assert again.headers["access-control-allow-origin"] == "*"
    other_query = client.get("/openreferral/services?per_page=3", headers={"If-None-Match": tag})
    assert other_query.status_code == 200
    with app.state.database.transaction() as session:
        bump_revision(session, datetime.now(UTC))
    changed = client.get("/openreferral/services", headers={"If-None-Match": tag})
    assert changed.status_code == 200
    assert changed.headers["etag"] != tag


def test_taxonomies_and_terms_are_hsds(client: TestClient) -> None:
    page = client.get("/openreferral/taxonomies").json()
    assert_hsds_page(page, "taxonomy.json")
    assert {t["name"] for t in page["contents"]} >= {"Crime types", "Victim needs"}
    crime_types = client.get(f"/openreferral/taxonomies/{CRIME_TYPES_TAXONOMY.id}").json()
    assert_hsds("taxonomy.json", crime_types)
    assert len(crime_types["taxonomy_terms"]) == 18
    terms = _all_pages(
        client, "/openreferral/taxonomy_terms", per_page=10, taxonomy_id=VICTIM_NEEDS_TAXONOMY.id
    )
    for term_page in terms:
        assert_hsds_page(term_page, "taxonomy_term.json")
    codes = {t["code"] for p in terms for t in p["contents"]}
    assert {"IDVA", "ISVA", "HOUSING", "COURT_SUPPORT"} <= codes
    one = client.get(f"/openreferral/taxonomy_terms/{HATE_CRIME_TERM}").json()
    assert_hsds("taxonomy_term.json", one)
    assert one["code"] == "HATE_CRIME"
    assert one["term"] == one["name"]
    top = client.get("/openreferral/taxonomy_terms", params={"top_only": "true"}).json()
    assert top["total_items"] >= 35
    assert client.get(f"/openreferral/taxonomies/{HATE_CRIME_TERM}").status_code == 404


def test_services_at_locations_are_hsds(client: TestClient) -> None:
    page = client.get("/openreferral/service_at_locations", params={"per_page": 20}).json()
    assert_hsds_page(page, SAL_LIST_ITEM)
    assert_hsds_page(page, "service_at_location.json")
    hackney = client.get("/openreferral/service_at_locations", params={"postcode": "e8"}).json()
    assert hackney["total_items"] >= 1
    assert all(s["service"]["name"] for s in hackney["contents"])
    sal = client.get(f"/openreferral/service_at_locations/{hackney['contents'][0]['id']}")
    assert sal.status_code == 200
    body = sal.json()
    assert_hsds("service_at_location.json", body)
    assert_hsds("service.json", body["service"])
    assert body["location"]["addresses"][0]["postal_code"].startswith("E8")


def test_preflight_is_answered_for_openreferral_only(client: TestClient) -> None:
    headers = {"Origin": "https://reader.example.org", "Access-Control-Request-Method": "GET"}
    preflight = client.options("/openreferral/services", headers=headers)
    assert preflight.status_code == 204
    assert preflight.headers["access-control-allow-origin"] == "*"
    assert "GET" in preflight.headers["access-control-allow-methods"]
    staff = client.options("/v1/directory/services", headers=headers)
    assert "access-control-allow-origin" not in staff.headers
    assert "access-control-allow-origin" not in client.get("/v1/reference/boroughs").headers
    assert "access-control-allow-origin" not in client.get("/openreferralx").headers


def test_the_feed_is_throttled_per_address_with_a_problem(settings: Settings) -> None:
    limited = create_app(settings.model_copy(update={"openreferral_rate_limit_per_minute": 3}))
    with TestClient(limited, raise_server_exceptions=False) as client:
        statuses = [client.get("/openreferral/").status_code for _ in range(4)]
        response = client.get("/openreferral/taxonomies")
    limited.state.database.dispose()
    assert statuses == [200, 200, 200, 429]
    assert response.status_code == 429
    assert response.json()["code"] == "rate_limited"
    assert 1 <= int(response.headers["retry-after"]) <= 60
    assert response.headers["access-control-allow-origin"] == "*"


def test_batched_limiters_share_one_count(app: FastAPI) -> None:
    """Two processes' limiters: each writes every 2 hits, and the shared total decides."""
    bucket = bucket_key("test-batched", datetime.now(UTC).isoformat())
    first, second = (
        BatchedLimiter(app.state.database, limit=5, window_seconds=3600, batch=2) for _ in range(2)
    )
    for limiter in (first, first, second, second, first):
        limiter.hit(bucket)
    with pytest.raises(RateLimitedError):
        first.hit(bucket)  # its second batch takes the shared total to 6
    second.hit(bucket)  # it last saw 4: with its 1 unwritten hit that is 5, not over
    with pytest.raises(RateLimitedError):
        second.hit(bucket)  # its batch is written: the shared total is now 8
