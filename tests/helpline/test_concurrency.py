"""Failures counted exactly under concurrency, and shared by two server processes."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

import httpx
import pytest
import sqlalchemy as sa
from fastapi import FastAPI
from fastapi.testclient import TestClient

from tests.helpline.conftest import make_person, verify
from tests.support.auth import bearer, new_client, token_for
from tests.support.server import running_server
from victim_api.helpline.models import VerificationCounter
from victim_api.helpline.scopes import VICTIM_SESSIONS_CREATE
from victim_api.platform.db import table_of
from victim_api.platform.principal import Channel
from victim_api.settings import Settings

COUNTERS = table_of(VerificationCounter)


def _failures(app: FastAPI, victim_id: str) -> int:
    with app.state.database.read_session() as session:
        return int(
            session.execute(
                sa.select(COUNTERS.c.failures).where(COUNTERS.c.subject == f"victim:{victim_id}")
            ).scalar_one()
        )


def test_concurrent_failures_are_counted_exactly(
    app: FastAPI, client: TestClient, police, ivr
) -> None:
    person = make_person(client, police)
    wrong = person.body(pin="000000")
    with ThreadPoolExecutor(max_workers=6) as pool:
        statuses = list(pool.map(lambda _: verify(client, ivr, wrong).status_code, range(12)))
    assert statuses == [401] * 12
    assert _failures(app, person.victim_id) == 12


@pytest.mark.slow
def test_two_processes_share_one_lockout_count(
    app: FastAPI,
    client: TestClient,
    police,
    settings: Settings,
    tmp_path_factory: pytest.TempPathFactory,
) -> None:
    person = make_person(client, police)
    credentials = new_client(app, Channel.PHONE, {VICTIM_SESSIONS_CREATE}, name="ivr-pair")
    headers = bearer(token_for(client, credentials))
    logs = tmp_path_factory.mktemp("helpline-servers")
    env = {
        "VICTIM_API_ENV": "test",
        "VICTIM_API_DATABASE_URL": settings.database_url,
        "VICTIM_API_KEYS_DIR": str(settings.keys_dir),
        "VICTIM_API_LOG_FORMAT": "json",
    }
    wrong = person.body(pin="000000")
    with running_server(env, logs / "a.log") as a, running_server(env, logs / "b.log") as b:
        for i in range(10):
            base = (a, b)[i % 2]
            response = httpx.post(
                f"{base}/v1/victim-sessions", json=wrong, headers=headers, timeout=30
            )
            assert response.status_code == 401
        # Ten failures across both processes: locked in each of them.
        for base in (a, b):
            right = httpx.post(
                f"{base}/v1/victim-sessions", json=person.body(), headers=headers, timeout=30
            )
            assert right.status_code == 401
            assert right.json()["code"] == "verification_failed"
    assert _failures(app, person.victim_id) == 12
