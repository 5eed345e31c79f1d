"""The database goes away under a running server, then comes back.

PostgreSQL: a private throwaway cluster (tests/support/pgcluster.py, never the
shared server on 5432) is stopped and started again under a real server process.
Requests that need it answer 503 problem+json with `Retry-After`, /readyz is 503,
/healthz stays 200, and once it is back the same process serves again (the pool's
pre-ping replaces the dead connections).

SQLite has no server to stop. The equivalent outage an embedded database has is
its file being write-locked by another process for longer than the busy
timeout (a stuck backup or a hung writer; the test sets the timeout to 1 s):
every write, and every audited read (its audit entry is a write), answers 503
with `Retry-After` once the timeout passes, nothing is changed, and /readyz is
503 (its schema check cannot get the lock either). When the lock goes, the same
process serves again.
"""

from __future__ import annotations

import sqlite3
import time
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path

import httpx
import pytest

from tests.faults.conftest import issue_headers, server_env
from tests.support.cases import case_body
from tests.support.pgcluster import private_cluster
from tests.support.server import ServerProcess, start_server
from victim_api.platform.migrations import upgrade
from victim_api.platform.principal import Channel
from victim_api.settings import Settings

pytestmark = pytest.mark.slow


@pytest.fixture
def server_over(settings: Settings, tmp_path: Path) -> Iterator[Callable[..., ServerProcess]]:
    started: list[ServerProcess] = []

    def start(url: str, **extra: str) -> ServerProcess:
        server = start_server(server_env(url, settings, **extra), tmp_path / "server.log")
        started.append(server)
        return server

    yield start
    for server in started:
        server.stop()


def _put_case(base: str, headers: dict[str, str]) -> tuple[str, httpx.Response]:
    case_id = str(uuid.uuid4())
    response = httpx.put(
        f"{base}/v1/cases/{case_id}",
        json=case_body(),
        headers={**headers, "If-None-Match": "*"},
        timeout=30,
    )
    return case_id, response


def _assert_unavailable(response: httpx.Response) -> None:
    assert response.status_code == 503, response.text
    assert response.headers["content-type"].startswith("application/problem+json")
    assert int(response.headers["retry-after"]) > 0
    assert response.json()["code"] in {"database_unavailable", "audit_unavailable"}
    assert "Traceback" not in response.text


def _assert_serving(base: str, headers: dict[str, str]) -> str:
    case_id, created = _put_case(base, headers)
    assert created.status_code == 201, created.text
    read = httpx.get(f"{base}/v1/cases/{case_id}", headers=headers, timeout=30)
    assert read.status_code == 200, read.text
    assert httpx.get(f"{base}/readyz", timeout=30).status_code == 200
    return case_id


def test_postgresql_restarted_mid_run(is_postgres: bool, settings: Settings, server_over) -> None:
    if not is_postgres:
        pytest.skip("the PostgreSQL run of the suite restarts a private PostgreSQL")
    with private_cluster() as cluster:
        upgrade(cluster.url)
        server = server_over(cluster.url)
        base = server.base_url
        police = issue_headers(cluster.url, settings, base, Channel.POLICE_SYSTEM)
        before = _assert_serving(base, police)

        cluster.stop()
        _, write = _put_case(base, police)
        _assert_unavailable(write)
        _assert_unavailable(httpx.get(f"{base}/v1/cases/{before}", headers=police, timeout=30))
        ready = httpx.get(f"{base}/readyz", timeout=30)
        _assert_unavailable(ready)
        assert httpx.get(f"{base}/healthz", timeout=30).status_code == 200

        cluster.start()
        _assert_serving(base, police)
        assert server.process.poll() is None  # the same process, never restarted
        read = httpx.get(f"{base}/v1/cases/{before}", headers=police, timeout=30)
        assert read.status_code == 200


def test_sqlite_locked_beyond_the_busy_timeout(
    is_postgres: bool, settings: Settings, server_over, tmp_path: Path
) -> None:
    if is_postgres:
        pytest.skip("the SQLite run of the suite locks a private SQLite file")
    path = tmp_path / "locked.db"
    url = f"sqlite:///{path}"
    upgrade(url)
    server = server_over(url, VICTIM_API_SQLITE_BUSY_TIMEOUT_SECONDS="1")
    base = server.base_url
    police = issue_headers(url, settings, base, Channel.POLICE_SYSTEM)
    before = _assert_serving(base, police)

    holder = sqlite3.connect(path, isolation_level=None)
    holder.execute("BEGIN IMMEDIATE")  # another process holds the write lock
    try:
        started = time.monotonic()
        lost_id, write = _put_case(base, police)
        _assert_unavailable(write)
        assert time.monotonic() - started < 10
        _assert_unavailable(httpx.get(f"{base}/v1/cases/{before}", headers=police, timeout=30))
        assert httpx.get(f"{base}/healthz", timeout=30).status_code == 200
        _assert_unavailable(httpx.get(f"{base}/readyz", timeout=30))
        assert httpx.get(f"{base}/healthz", timeout=30).status_code == 200
    finally:
        holder.execute("ROLLBACK")
        holder.close()

    _assert_serving(base, police)
    assert server.process.poll() is None
    # The refused write changed nothing: the case does not exist.
    missing = httpx.get(f"{base}/v1/cases/{lost_id}", headers=police, timeout=30)
    assert missing.status_code == 404
