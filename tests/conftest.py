"""Test fixtures shared by every test package.

The database is built with the migrations (``alembic upgrade head``), never with
``create_all``. Set ``VICTIM_API_TEST_DATABASE_URL`` to a PostgreSQL URL to run
the suite there: a fresh database is created for the run and dropped after it,
so concurrent runs never collide. All data is synthetic.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from hypothesis import HealthCheck
from hypothesis import settings as hypothesis_settings

from tests.support.database import (
    TEST_DATABASE_URL_ENV,
    drop_postgres_database,
    fresh_postgres_database,
)
from victim_api.app import create_app
from victim_api.platform.migrations import upgrade
from victim_api.settings import Environment, Settings

# Hypothesis: `ci` (the default) is derandomised, so a run is repeatable; `fuzz`
# (`make fuzz`, VICTIM_API_HYPOTHESIS_PROFILE=fuzz) draws many more, random examples.
# Tests that set max_examples themselves keep their own bound.
HYPOTHESIS_PROFILE_ENV = "VICTIM_API_HYPOTHESIS_PROFILE"
hypothesis_settings.register_profile(
    "ci", derandomize=True, deadline=None, suppress_health_check=[HealthCheck.too_slow]
)
hypothesis_settings.register_profile(
    "fuzz",
    max_examples=int(os.environ.get("VICTIM_API_HYPOTHESIS_FUZZ_EXAMPLES", "2000")),
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
)
hypothesis_settings.load_profile(os.environ.get(HYPOTHESIS_PROFILE_ENV, "ci"))


@pytest.fixture(scope="session")
def database_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    admin_url = os.environ.get(TEST_DATABASE_URL_ENV, "")
    if admin_url.startswith("postgresql"):
        url, name = fresh_postgres_database(admin_url)
        upgrade(url)
        yield url
        drop_postgres_database(admin_url, name)
        return
    path = tmp_path_factory.mktemp("db") / "victim-api-test.db"
    url = f"sqlite:///{path}"
    upgrade(url)
    yield url


@pytest.fixture(scope="session")
def is_postgres(database_url: str) -> bool:
    return database_url.startswith("postgresql")


@pytest.fixture(scope="session")
def settings(database_url: str, tmp_path_factory: pytest.TempPathFactory) -> Settings:
    return Settings(
        env=Environment.TEST,
        database_url=database_url,
        keys_dir=tmp_path_factory.mktemp("keys"),
        log_format="json",
        # The whole suite calls /openreferral from one address; its limit has its own tests.
        openreferral_rate_limit_per_minute=1_000_000,
        # Tokens minted once per session (channel_tokens) must outlive a slow run of the
        # whole suite on a loaded 2-core machine: the default 15 minutes did not.
        access_token_ttl_seconds=3600,
    )


@pytest.fixture(scope="session")
def app(settings: Settings) -> Iterator[FastAPI]:
    application = create_app(settings)
    yield application
    application.state.database.dispose()


@pytest.fixture
def client(app: FastAPI) -> Iterator[TestClient]:
    with TestClient(app, raise_server_exceptions=False) as test_client:
        yield test_client


@pytest.fixture(scope="session")
def repo_root() -> Path:
    return Path(__file__).resolve().parent.parent


@pytest.fixture(scope="session")
def channel_tokens(app: FastAPI) -> dict[str, str]:
    """One token per channel holding every scope that channel may hold."""
    from tests.support.auth import fresh_channel_tokens

    return fresh_channel_tokens(app)


@pytest.fixture(scope="session")
def published_leaflets(app: FastAPI, repo_root: Path) -> list[str]:
    """The repository's leaflets, imported and published as `make run` serves them."""
    from victim_api.leaflets.service import import_directory
    from victim_api.platform.principal import system_caller

    with app.state.database.transaction() as session:
        return import_directory(
            session, system_caller("TESTING"), repo_root / "content" / "leaflets"
        )
