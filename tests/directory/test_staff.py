"""/v1/directory: staff search, ranking, cursor pages, CRUD with If-Match, and
recommend_services (which the cases package will call)."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from typing import Any

import pytest
import sqlalchemy as sa
from fastapi import FastAPI
from fastapi.testclient import TestClient

from tests.directory.conftest import assert_hsds
from tests.support.auth import bearer
from victim_api.directory import service as directory_service
from victim_api.directory.vocabulary import ALL_BOROUGH_CODES, stable_id

pytestmark = pytest.mark.usefixtures("sample_directory")
LANTERNWICK = stable_id("sample", "organization", "lanternwick")


def _search(client: TestClient, headers: dict[str, str], **params: Any) -> list[dict[str, Any]]:
    params.setdefault("limit", 100)
    response = client.get("/v1/directory/services", params=params, headers=headers)
    assert response.status_code == 200, response.text
    assert "next_cursor" not in response.json()
    return list(response.json()["items"])


def _key(item: dict[str, Any]) -> tuple[int, int, str]:
    return (len(item["crime_types"]), len(item["boroughs"]), item["name"].casefold())


def test_search_needs_a_staff_or_phone_token_with_directory_read(
    client: TestClient, channel_tokens: dict[str, str]
) -> None:
    assert client.get("/v1/directory/services").status_code == 401
    partner = client.get("/v1/directory/services", headers=bearer(channel_tokens["PARTNER"]))
    assert partner.status_code == 403
    phone = client.get("/v1/directory/services", headers=bearer(channel_tokens["PHONE"]))
    assert phone.status_code == 200


def test_eligibility_filters_then_specialists_first(
    client: TestClient, staff_headers: dict[str, str]
) -> None:
    items = _search(client, staff_headers, crime_type="DOMESTIC_ABUSE", borough="HACKNEY")
    assert len(items) >= 5
    assert all("DOMESTIC_ABUSE" in i["crime_types"] and "HACKNEY" in i["boroughs"] for i in items)
    assert all(i["status"] == "ACTIVE" for i in items)
    assert [_key(i) for i in items] == sorted(_key(i) for i in items)
    assert len(items[0]["crime_types"]) < len(items[-1]["crime_types"])
    names = {i["name"] for i in items}
    assert "Victim Care Hub: Hackney, Tower Hamlets and Waltham Forest" in names
    assert "Croydon Domestic Abuse Drop-in" not in names


def test_more_needs_met_ranks_first(client: TestClient, staff_headers: dict[str, str]) -> None:
    items = _search(client, staff_headers, need=["IDVA", "SAFETY_PLANNING", "HOUSING"])
    met = [len(i["matched_needs"]) for i in items]
    assert met == sorted(met, reverse=True)
    assert met[0] >= 2
    assert min(met) >= 1
    for item in items:
        assert set(item["matched_needs"]) == set(item["needs"]) & {
            "IDVA",
            "SAFETY_PLANNING",
            "HOUSING",
        }


def test_age_language_and_text_filters(client: TestClient, staff_headers: dict[str, str]) -> None:
    children = _search(client, staff_headers, age=10)
    assert children
    assert all((i["minimum_age"] or 0) <= 10 <= (i["maximum_age"] or 150) for i in children)
    assert "Harebell ISVA Service" not in {i["name"] for i in children}
    bengali = _search(client, staff_headers, language="BN")
    assert bengali
    assert all("bn" in {lang["code"] for lang in i["languages"]} for i in bengali)
    refuge = _search(client, staff_headers, q="REFUGE")
    assert "Kestrel Refuge Network" in {i["name"] for i in refuge}
    assert _search(client, staff_headers, q="100%_") == []


def test_open_now_follows_london_time(
    client: TestClient, staff_headers: dict[str, str], monkeypatch: pytest.MonkeyPatch
) -> None:
    # Saturday 5 July 2025, 11:00 BST is 10:00 UTC.
    monkeypatch.setattr(directory_service, "utcnow", lambda: datetime(2025, 7, 5, 10, tzinfo=UTC))
    saturday = _search(client, staff_headers, open_now="true")
    assert saturday
    assert all(any("SA" in s["days"] for s in i["schedules"]) for i in saturday)
    # Tuesday 3am GMT: only the 24-hour and night services.
    monkeypatch.setattr(directory_service, "utcnow", lambda: datetime(2025, 1, 7, 3, tzinfo=UTC))
    night = {i["name"] for i in _search(client, staff_headers, open_now="true")}
    assert "Lanternwick Night Line" in night
    assert "London Domestic Abuse Line" in night
    assert not any(name.startswith("Victim Care Hub") for name in night)


def test_cursor_pages_walk_the_same_ranking(
    client: TestClient, staff_headers: dict[str, str]
) -> None:
    everything = [
        i["id"] for i in _search(client, staff_headers, need=["EMOTIONAL_SUPPORT", "COUNSELLING"])
    ]
    seen: list[str] = []
    url = "/v1/directory/services"
    params: dict[str, Any] | None = {"need": ["EMOTIONAL_SUPPORT", "COUNSELLING"], "limit": 7}
    while url:
        body = client.get(url, params=params, headers=staff_headers).json()
        seen += [i["id"] for i in body["items"]]
        url, params = body.get("next"), None
    assert seen == everything
    assert len(seen) > 7
    tampered = client.get(
        "/v1/directory/services", params={"limit": 7, "cursor": "abc.def"}, headers=staff_headers
    )
    assert tampered.status_code == 400


def _new_service(**overrides: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "organization_id": LANTERNWICK,
        "name": f"Test Drop-in {uuid.uuid4().hex[:6]}",
        "description": "A synthetic test service.",
        "crime_types": ["FRAUD", "THEFT"],
        "boroughs": ["SUTTON"],
        "minimum_age": 18,
        "needs": ["FINANCIAL"],
        "languages": [{"code": "cy", "name": "Welsh"}],
        "phones": [{"number": "020 7946 0999"}],
        "schedules": [{"days": ["MO", "WE"], "opens_at": "22:00", "closes_at": "02:00"}],
        "allows_self_referral": True,
    }
    body.update(overrides)
    return body


def test_create_read_change_and_withdraw(client: TestClient, staff_headers: dict[str, str]) -> None:
    key = {"Idempotency-Key": str(uuid.uuid4())}
    body = _new_service()
    created = client.post("/v1/directory/services", json=body, headers={**staff_headers, **key})
    assert created.status_code == 201, created.text
    replay = client.post("/v1/directory/services", json=body, headers={**staff_headers, **key})
    assert replay.headers["idempotent-replayed"] == "true"
    assert replay.json() == created.json()
    view = created.json()
    assert created.headers["location"].endswith(view["id"])
    assert created.headers["etag"] == '"v1"'
    assert view["crime_types"] == ["FRAUD", "THEFT"]
    assert view["boroughs"] == ["SUTTON"]
    assert view["accepts_police_referrals"]
    assert view["allows_self_referral"]
    assert view["schedules"] == [
        {"days": ["MO", "WE"], "opens_at": "22:00", "closes_at": "02:00", "description": None}
    ]
    path = f"/v1/directory/services/{view['id']}"
    assert client.get(path, headers=staff_headers).json() == view

    public = client.get(f"/openreferral/services/{view['id']}").json()
    assert_hsds("service.json", public)
    assert public["service_areas"][0]["uri"].endswith("E09000029")
    found = _search(
        client, staff_headers, crime_type="FRAUD", borough="SUTTON", language="cy", q=body["name"]
    )
    assert [i["id"] for i in found] == [view["id"]]
    # Overnight: Monday 22:00 to Tuesday 02:00 (01:00 UTC on a Tuesday in January).
    tuesday_1am = datetime(2025, 1, 7, 1, tzinfo=UTC)
    with client.app.state.database.read_session() as session:  # type: ignore[attr-defined]
        night = directory_service.search_services(
            session,
            directory_service.SearchFilters(open_now=True, q=body["name"]),
            limit=5,
            now=tuesday_1am,
        )
    assert [r.view["id"] for r in night] == [view["id"]]

    change = {"name": "Renamed Test Drop-in", "boroughs": list(ALL_BOROUGH_CODES)}
    assert client.patch(path, json=change, headers=staff_headers).status_code == 428
    stale = client.patch(path, json=change, headers={**staff_headers, "If-Match": '"v7"'})
    assert stale.status_code == 412
    assert stale.headers["etag"] == '"v1"'
    changed = client.patch(path, json=change, headers={**staff_headers, "If-Match": '"v1"'})
    assert changed.status_code == 200
    assert changed.headers["etag"] == '"v2"'
    assert changed.json()["name"] == "Renamed Test Drop-in"
    assert len(changed.json()["boroughs"]) == 33
    assert changed.json()["crime_types"] == ["FRAUD", "THEFT"]
    areas = client.get(f"/openreferral/services/{view['id']}").json()["service_areas"]
    assert [a["name"] for a in areas] == ["London"]
    cleared = client.patch(
        path, json={"description": None}, headers={**staff_headers, "If-Match": '"v2"'}
    )
    assert cleared.json()["description"] is None
    refused = client.patch(path, json={"name": None}, headers={**staff_headers, "If-Match": '"v3"'})
    assert refused.status_code == 422

    gone = client.delete(path, headers={**staff_headers, "If-Match": '"v3"'})
    assert gone.status_code == 204
    assert client.get(path, headers=staff_headers).json()["status"] == "INACTIVE"
    assert client.get(f"/openreferral/services/{view['id']}").json()["status"] == "inactive"
    assert _search(client, staff_headers, q="Renamed Test Drop-in") == []


def test_references_and_rules_are_checked(
    client: TestClient, staff_headers: dict[str, str]
) -> None:
    unknown = _new_service(organization_id=str(uuid.uuid4()))
    response = client.post("/v1/directory/services", json=unknown, headers=staff_headers)
    assert response.status_code == 409
    assert response.json()["code"] == "unknown_reference"
    nowhere = _new_service(location_ids=[str(uuid.uuid4())])
    assert (
        client.post("/v1/directory/services", json=nowhere, headers=staff_headers).status_code
        == 409
    )
    ages = _new_service(minimum_age=30, maximum_age=20)
    response = client.post("/v1/directory/services", json=ages, headers=staff_headers)
    assert response.status_code == 422
    wrong_code = _new_service(crime_types=["SHOPLIFTING"])
    assert (
        client.post("/v1/directory/services", json=wrong_code, headers=staff_headers).status_code
        == 422
    )
    missing = f"/v1/directory/services/{uuid.uuid4()}"
    assert client.get(missing, headers=staff_headers).status_code == 404
    assert (
        client.patch(missing, json={}, headers={**staff_headers, "If-Match": '"v1"'}).status_code
        == 404
    )


def test_a_failed_create_releases_its_idempotency_key(
    client: TestClient, staff_headers: dict[str, str]
) -> None:
    key = {"Idempotency-Key": str(uuid.uuid4())}
    headers = {**staff_headers, **key}
    refused = _new_service(organization_id=str(uuid.uuid4()))
    assert client.post("/v1/directory/services", json=refused, headers=headers).status_code == 409
    retried = client.post("/v1/directory/services", json=_new_service(), headers=headers)
    assert retried.status_code == 201
    assert "idempotent-replayed" not in retried.headers


def test_phone_agents_may_search_but_not_write(
    client: TestClient, channel_tokens: dict[str, str]
) -> None:
    response = client.post(
        "/v1/directory/services", json=_new_service(), headers=bearer(channel_tokens["PHONE"])
    )
    assert response.status_code == 403


def test_recommendations_for_the_cases_package(app: FastAPI) -> None:
    with app.state.database.read_session() as session:
        enhanced = directory_service.recommend_services(
            session,
            crime_type="DOMESTIC_ABUSE",
            borough="TOWER_HAMLETS",
            age=34,
            language="bn",
            needs=["IDVA", "SAFETY_PLANNING"],
            enhanced=True,
            limit=5,
        )
        standard = directory_service.recommend_services(
            session,
            crime_type="BURGLARY_RESIDENTIAL",
            borough="CROYDON",
            age=70,
            language=None,
            needs=[],
            enhanced=False,
            limit=10,
        )
        croydon_da = directory_service.recommend_services(
            session,
            crime_type="DOMESTIC_ABUSE",
            borough="CROYDON",
            age=None,
            language=None,
            needs=[],
            enhanced=False,
            limit=50,
        )
    assert enhanced[0]["matched_needs"] == ["IDVA", "SAFETY_PLANNING"]
    assert all(r["accepts_police_referrals"] for r in enhanced + standard + croydon_da)
    assert all(
        "TOWER_HAMLETS" in r["boroughs"] and "DOMESTIC_ABUSE" in r["crime_types"] for r in enhanced
    )
    bengali = [r for r in enhanced if r["offers_language"]]
    assert bengali
    assert enhanced.index(bengali[0]) <= 1
    assert all(r["offers_language"] is None for r in standard)
    assert "Evergreen Older Victims Service" in {r["name"] for r in standard}
    borough_counts = [len(r["boroughs"]) for r in standard]
    assert borough_counts == sorted(borough_counts)  # standard rights: local first
    assert "Croydon Domestic Abuse Drop-in" not in {r["name"] for r in croydon_da}


def test_the_eligibility_filters_use_indexes(app: FastAPI, is_postgres: bool) -> None:
    query = sa.select(directory_service.services.c.id).where(
        *directory_service._eligibility(crime_type="FRAUD", borough="SUTTON", age=None)
    )
    sql = str(query.compile(app.state.database.engine, compile_kwargs={"literal_binds": True}))
    if is_postgres:
        # With sequential scans priced out, the planner still scans a table only
        # when no index can answer: so any "Seq Scan" means a missing index.
        with app.state.database.read_session() as session:
            session.execute(sa.text("SET LOCAL enable_seqscan = off"))
            plan = "\n".join(r[0] for r in session.execute(sa.text("EXPLAIN " + sql)))
        assert "Seq Scan" not in plan, plan
        assert "directory_service_crime_type" in plan, plan
        assert "directory_service_borough" in plan, plan
        return
    with app.state.database.read_session() as session:
        steps = [str(row[-1]) for row in session.execute(sa.text("EXPLAIN QUERY PLAN " + sql))]
    searches = [s for s in steps if s.startswith(("SEARCH", "SCAN"))]
    assert all(s.startswith("SEARCH") and "INDEX" in s for s in searches), steps
    assert {"directory_service_crime_type", "directory_service_borough"} <= {
        s.split()[1] for s in searches
    }
