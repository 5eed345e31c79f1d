"""The seeded reference tables match the code's lists, and are served publicly."""

from __future__ import annotations

import sqlalchemy as sa
from fastapi import FastAPI
from fastapi.testclient import TestClient

from victim_api.reference.data import BOROUGHS, CRIME_TYPES


def test_seeded_tables_match_the_reference_lists(app: FastAPI) -> None:
    with app.state.database.read_session() as session:
        crime_rows = session.execute(
            sa.text("SELECT code, label, category, most_serious, weight FROM crime_type")
        ).all()
        borough_rows = session.execute(sa.text("SELECT code, name, ons_code FROM borough")).all()
    assert {tuple(r) for r in crime_rows} == {
        (c.code, c.label, c.category, c.most_serious, c.weight) for c in CRIME_TYPES
    }
    assert {tuple(r) for r in borough_rows} == {(b.code, b.name, b.ons_code) for b in BOROUGHS}


def test_london_has_32_boroughs_and_the_city(client: TestClient) -> None:
    response = client.get("/v1/reference/boroughs")
    assert response.status_code == 200
    items = response.json()["items"]
    assert len(items) == 33
    assert {"code": "CITY_OF_LONDON", "name": "City of London", "ons_code": "E09000001"} in items
    assert response.headers["cache-control"] == "public, max-age=3600"


def test_crime_types_flag_the_most_serious(client: TestClient) -> None:
    items = {c["code"]: c for c in client.get("/v1/reference/crime-types").json()["items"]}
    assert len(items) >= 18
    assert items["DOMESTIC_ABUSE"]["most_serious"] is True
    assert items["THEFT"]["most_serious"] is False
