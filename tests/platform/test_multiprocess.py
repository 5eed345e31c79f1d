"""Two server processes over one database behave as one service."""

from __future__ import annotations

import time

import httpx
import pytest
from fastapi import FastAPI

from tests.support.auth import new_client
from tests.support.server import running_server
from victim_api.platform.clients import disable_client
from victim_api.platform.principal import Channel
from victim_api.platform.scopes import AUDIT_READ
from victim_api.settings import Settings

pytestmark = pytest.mark.slow
FORM = {"grant_type": "client_credentials"}


@pytest.fixture(scope="module")
def two_servers(settings: Settings, tmp_path_factory: pytest.TempPathFactory):
    logs = tmp_path_factory.mktemp("servers")
    env = {
        "VICTIM_API_ENV": "test",
        "VICTIM_API_DATABASE_URL": settings.database_url,
        "VICTIM_API_KEYS_DIR": str(settings.keys_dir),
        "VICTIM_API_LOG_FORMAT": "json",
        "VICTIM_API_TOKEN_RATE_LIMIT_PER_MINUTE": "4",
    }
    with running_server(env, logs / "a.log") as a, running_server(env, logs / "b.log") as b:
        yield a, b


def _token(base: str, client_id: str, secret: str) -> httpx.Response:
    return httpx.post(f"{base}/v1/oauth/token", data=FORM, auth=(client_id, secret), timeout=10)


def test_a_token_from_one_process_is_accepted_by_the_other(two_servers, app: FastAPI) -> None:
    a, b = two_servers
    auditor = new_client(app, Channel.AUDITOR, {AUDIT_READ})
    token = _token(a, auditor.client_id, auditor.client_secret).json()["access_token"]
    headers = {"Authorization": f"Bearer {token}"}
    assert httpx.get(f"{b}/v1/audit-events", headers=headers, timeout=10).status_code == 200
    assert httpx.get(f"{a}/v1/audit-events", headers=headers, timeout=10).status_code == 200


def test_a_disabled_client_is_refused_by_both(two_servers, app: FastAPI) -> None:
    a, b = two_servers
    auditor = new_client(app, Channel.AUDITOR, {AUDIT_READ})
    token = _token(a, auditor.client_id, auditor.client_secret).json()["access_token"]
    headers = {"Authorization": f"Bearer {token}"}
    with app.state.database.transaction() as session:
        disable_client(session, auditor.client_id)
    for base in (a, b):
        assert httpx.get(f"{base}/v1/audit-events", headers=headers, timeout=10).status_code == 401
        assert _token(base, auditor.client_id, auditor.client_secret).status_code == 401


def test_the_rate_limit_counter_is_shared(two_servers, app: FastAPI) -> None:
    a, b = two_servers
    staff = new_client(app, Channel.STAFF, set())
    # Fixed one-minute windows: keep the five calls inside one window.
    if time.time() % 60 > 50:
        time.sleep(61 - time.time() % 60)
    statuses = [
        _token(base, staff.client_id, staff.client_secret).status_code for base in (a, b, a, b, a)
    ]
    # The limit is 4 a minute per client and address, counted across both processes.
    assert statuses == [200, 200, 200, 200, 429]
