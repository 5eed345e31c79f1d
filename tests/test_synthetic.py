"""`victim-api seed-synthetic`: bulk synthetic data the API reads like its own.

Each test builds fresh databases (SQLite or, with VICTIM_API_TEST_DATABASE_URL,
PostgreSQL), loads the demo data and a few hundred synthetic cases.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest
import sqlalchemy as sa
from fastapi.testclient import TestClient

from tests.support.auth import bearer, new_client, token_for
from tests.support.database import fresh_database
from victim_api.app import create_app
from victim_api.demo import seed_demo
from victim_api.platform.audit import verify_chain
from victim_api.platform.db import Database
from victim_api.platform.demo_clients import DEMO_PARTNER_ORGANISATION
from victim_api.platform.principal import Channel
from victim_api.settings import Environment, Settings
from victim_api.synthetic import ACTOR, AlreadySeededError, Summary, seed_synthetic
from victim_api.victims import service as victims

CASES = 200
AS_OF = date(2026, 11, 30)
TABLES = (
    "case_record",
    "case_event",
    "notification_duty",
    "case_entitlement",
    "victim",
    "victim_consent",
    "victim_contact",
    "referral",
    "qr_token",
)


def _settings(url: str, tmp_path: Path) -> Settings:
    return Settings(
        env=Environment.TEST, database_url=url, keys_dir=tmp_path / "keys", log_format="json"
    )


@pytest.fixture
def seeded(tmp_path: Path) -> Iterator[tuple[Settings, Summary]]:
    with fresh_database(tmp_path) as url:
        settings = _settings(url, tmp_path)
        database = Database(url)
        try:
            seed_demo(database, settings)
            summary = seed_synthetic(
                database, settings, cases_wanted=CASES, seed=7, as_of=AS_OF, verifiable=2
            )
        finally:
            database.dispose()
        yield settings, summary


def _snapshot(url: str) -> dict[str, list[tuple[str, ...]]]:
    """Every synthetic row but the QR tokens (ECDSA signatures are randomised)."""
    synthetic = f"case_id IN (SELECT id FROM case_record WHERE created_by = '{ACTOR}')"
    engine = sa.create_engine(url)
    try:
        with engine.connect() as connection:
            return {
                table: sorted(
                    tuple(str(v) for v in row)
                    for row in connection.execute(
                        sa.text(
                            f"SELECT * FROM {table} WHERE "
                            + (f"created_by = '{ACTOR}'" if table == "case_record" else synthetic)
                        )
                    )
                )
                for table in TABLES
                if table != "qr_token"
            }
    finally:
        engine.dispose()


def test_counts_follow_the_shape_of_a_london_year(seeded: tuple[Settings, Summary]) -> None:
    settings, summary = seeded
    assert summary.cases == CASES
    rows = summary.rows
    assert rows["case_record"] == CASES
    assert 1.2 <= rows["victim"] / CASES <= 1.4
    assert 3.3 <= rows["case_event"] / CASES <= 4.7
    assert rows["notification_duty"] > CASES  # every case has at least its report's duty
    assert 0 < rows["referral"] < CASES / 2
    assert 0 < rows["qr_token"] < CASES / 5
    engine = sa.create_engine(settings.database_url)
    with engine.connect() as connection:
        theft, terrorism = (
            connection.execute(
                sa.text(
                    "SELECT count(*) FROM case_record WHERE crime_type = :t AND created_by = :a"
                ),
                {"t": crime, "a": ACTOR},
            ).scalar_one()
            for crime in ("THEFT", "TERRORISM")
        )
        assert theft > 5 * max(terrorism, 1)  # theft is common, terrorism rare
        # Most serious crime carries enhanced rights, as create_case derives them.
        mismatched = connection.execute(
            sa.text(
                "SELECT count(*) FROM case_record c WHERE c.created_by = :a AND c.enhanced != "
                "EXISTS (SELECT 1 FROM case_entitlement e WHERE e.case_id = c.id)"
            ),
            {"a": ACTOR},
        ).scalar_one()
        assert mismatched == 0
    engine.dispose()


def test_the_same_seed_gives_the_same_data(tmp_path: Path) -> None:
    snapshots = []
    for run in ("a", "b"):
        with fresh_database(tmp_path) as url:
            settings = _settings(url, tmp_path / run)
            database = Database(url)
            try:
                seed_demo(database, settings)
                seed_synthetic(
                    database, settings, cases_wanted=40, seed=3, as_of=AS_OF, verifiable=0
                )
            finally:
                database.dispose()
            snapshots.append(_snapshot(url))
    assert snapshots[0] == snapshots[1]
    assert snapshots[0]["case_record"]


def test_a_second_load_into_the_same_database_is_refused(
    seeded: tuple[Settings, Summary],
) -> None:
    settings, _ = seeded
    database = Database(settings.database_url)
    try:
        with pytest.raises(AlreadySeededError):
            seed_synthetic(database, settings, cases_wanted=5, seed=7, as_of=AS_OF)
    finally:
        database.dispose()


def test_the_api_reads_the_generated_cases(seeded: tuple[Settings, Summary]) -> None:
    settings, summary = seeded
    app = create_app(settings)
    try:
        with TestClient(app) as client:
            staff = bearer(token_for(client, new_client(app, Channel.STAFF), acting_user="s.t"))
            page = client.get("/v1/cases?limit=50", headers=staff)
            assert page.status_code == 200, page.text
            case_id = summary.verifiable[0]["case_id"]
            for path in ("", "/events", "/duties", "/victims"):
                response = client.get(f"/v1/cases/{case_id}{path}", headers=staff)
                assert response.status_code == 200, (path, response.text)
            assert len(page.json()["items"]) == 50
            duties = client.get(f"/v1/cases/{case_id}/duties", headers=staff).json()["items"]
            assert {d["state"] for d in duties} <= {"DUE", "OVERDUE", "MET", "MET_LATE", "WAIVED"}
            partner = new_client(app, Channel.PARTNER, organisation_id=DEMO_PARTNER_ORGANISATION)
            pending = client.get(
                "/v1/partner/referrals?limit=20", headers=bearer(token_for(client, partner))
            )
            assert pending.status_code == 200, pending.text
        with app.state.database.read_session() as session:
            person = summary.verifiable[0]
            assert victims.verify_factors(
                session,
                person["victim_id"],
                pepper=settings.secret_pepper,
                dob=date.fromisoformat(person["date_of_birth"]),
                pin=person["pin"],
            )
            assert verify_chain(session).ok
    finally:
        app.state.database.dispose()
