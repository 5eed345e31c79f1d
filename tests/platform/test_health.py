from __future__ import annotations

from pathlib import Path

from fastapi.testclient import TestClient

from victim_api.app import create_app
from victim_api.platform.migrations import upgrade
from victim_api.settings import Settings


def test_healthz_answers_ok(client: TestClient) -> None:
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok"}


def test_readyz_answers_ready_at_the_migration_head(client: TestClient) -> None:
    response = client.get("/readyz")
    assert response.status_code == 200
    assert response.json() == {"status": "ready", "database": "ok", "migrations": "at_head"}


def test_readyz_is_503_when_migrations_are_pending(settings: Settings, tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'behind.db'}"
    upgrade(url, "base")
    app = create_app(settings.model_copy(update={"database_url": url}))
    with TestClient(app) as client:
        response = client.get("/readyz")
    app.state.database.dispose()
    assert response.status_code == 503
    assert response.json()["code"] == "migrations_pending"
    assert response.headers["retry-after"]


def test_readyz_is_503_when_the_database_is_unreachable(settings: Settings) -> None:
    url = "postgresql+psycopg://nobody@127.0.0.1:1/none?connect_timeout=1"
    app = create_app(settings.model_copy(update={"database_url": url}))
    with TestClient(app) as client:
        response = client.get("/readyz")
    assert response.status_code == 503
    assert response.json()["code"] == "database_unavailable"
