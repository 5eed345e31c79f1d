"""`seed-demo` loads every domain's synthetic data, and is idempotent."""

from __future__ import annotations

from pathlib import Path

from fastapi.testclient import TestClient

from tests.support.database import fresh_database
from victim_api.app import create_app
from victim_api.demo import seed_demo
from victim_api.settings import Settings


def test_seed_demo_runs_twice_and_the_demo_clients_work(settings: Settings, tmp_path: Path) -> None:
    with fresh_database(tmp_path) as url:
        fresh = settings.model_copy(update={"database_url": url})
        app = create_app(fresh)
        first = seed_demo(app.state.database, fresh)
        second = seed_demo(app.state.database, fresh)
        assert any("demo-staff" in line for line in first)
        assert not any("demo-staff" in line for line in second)
        [sample] = [line for line in first if "sample QR URL" in line]
        assert [line for line in second if "sample QR URL" in line] == [sample]
        token = sample.split("#t=")[1]
        with TestClient(app) as client:
            resolved = client.post("/v1/qr-tokens/resolve", json={"token": token})
            assert resolved.status_code == 200, resolved.text
            response = client.post(
                "/v1/oauth/token",
                data={"grant_type": "client_credentials"},
                auth=("demo-auditor", "demo-auditor-secret"),
            )
            assert response.status_code == 200
            token = response.json()["access_token"]
            events = client.get("/v1/audit-events", headers={"Authorization": f"Bearer {token}"})
            assert events.status_code == 200
        app.state.database.dispose()
