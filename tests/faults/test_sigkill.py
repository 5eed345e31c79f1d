"""SIGKILL of the server during concurrent creates: nothing acknowledged is lost,
retries create nothing twice, and the audit chain still verifies.

Several threads create cases (PUT with `If-None-Match: *`), then a victim on
each (POST with an `Idempotency-Key`), the victim's consent, and a referral
(POST with an `Idempotency-Key`), against a real server process over the
suite's database, while the server is killed with SIGKILL mid-flight and
restarted on the same database (`VICTIM_API_FAULT_KILLS` rounds, 1 in
`make test`). Then:

- every create that was answered 2xx is there;
- every create is retried with its key and body: answered ones replay the same
  id, unanswered ones are created at most once (a second retry replays it);
- no case holds two victims and no victim two referrals from one key;
- `victim-api audit verify` exits 0.

A claim left in flight by the killed process is taken over after 60 seconds
(`platform/idempotency.py`); the test moves those claims' start back by two
minutes, as if the clients had waited that long before retrying.
"""

from __future__ import annotations

import os
import subprocess
import sys
import threading
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest
import sqlalchemy as sa

from tests.faults.conftest import FIGURES, issue_headers, server_env
from tests.referrals.conftest import PHONE, Partner
from tests.support.cases import case_body
from tests.support.server import start_server
from victim_api.platform.clock import utcnow
from victim_api.platform.db import Database
from victim_api.platform.principal import Channel
from victim_api.settings import Settings

pytestmark = pytest.mark.slow
WORKERS = 6
KILLS = int(os.environ.get("VICTIM_API_FAULT_KILLS", "1"))
# The kill comes once this many creates have been answered and another is in
# flight, or at the deadline.
KILL_AFTER_ACKNOWLEDGED = int(os.environ.get("VICTIM_API_FAULT_KILL_AFTER", "12"))
KILL_DEADLINE_SECONDS = 20


@dataclass
class Create:
    kind: str  # case, victim or referral
    method: str
    path: str
    body: dict[str, Any]
    headers: dict[str, str]
    status: int | None = None  # None: the connection broke, no answer
    resource_id: str | None = None
    parents: dict[str, str] = field(default_factory=dict)


def _send(base: str, create: Create) -> httpx.Response:
    return httpx.request(
        create.method, base + create.path, json=create.body, headers=create.headers, timeout=30
    )


def _attempt(base: str, create: Create, log: list[Create]) -> bool:
    log.append(create)
    try:
        response = _send(base, create)
    except httpx.HTTPError:
        return False
    create.status = response.status_code
    if response.status_code // 100 == 2:
        create.resource_id = str(response.json()["id"])
        return True
    return False


def _victim_body() -> dict[str, Any]:
    return {
        "role": "VICTIM",
        "given_name": "Sam",
        "family_name": "Synthetic",
        "date_of_birth": "1990-04-05",
        "phone": PHONE,
        "preferred_channel": "SMS",
        "language": "en",
        "interpreter_needed": False,
        "safety_flags": [],
    }


def _chain(base: str, api: dict[str, Any], log: list[Create]) -> bool:
    """Case, victim, consent, referral; stops at the first create without a 2xx."""
    case_id = str(uuid.uuid4())
    police, staff = api["police"], api["staff"]
    case = Create(
        "case",
        "PUT",
        f"/v1/cases/{case_id}",
        case_body(crime_type="ASSAULT"),
        {**police, "If-None-Match": "*"},
    )
    if not _attempt(base, case, log):
        return False
    victim = Create(
        "victim",
        "POST",
        f"/v1/cases/{case_id}/victims",
        _victim_body(),
        {**police, "Idempotency-Key": uuid.uuid4().hex},
        parents={"case_id": case_id},
    )
    if not _attempt(base, victim, log):
        return False
    consent = {"purpose": "REFERRAL_TO_SUPPORT", "decision": "GIVEN", "legal_basis": "CONSENT"}
    try:
        given = httpx.post(
            f"{base}/v1/victims/{victim.resource_id}/consents",
            json=consent,
            headers=staff,
            timeout=30,
        )
    except httpx.HTTPError:
        return False
    if given.status_code != 201:
        return False
    body = {
        "case_id": case_id,
        "victim_id": victim.resource_id,
        "service_id": api["service_id"],
        "needs": ["EMOTIONAL_SUPPORT"],
    }
    referral = Create(
        "referral",
        "POST",
        "/v1/referrals",
        body,
        {**staff, "Idempotency-Key": uuid.uuid4().hex},
        parents={"victim_id": str(victim.resource_id)},
    )
    return _attempt(base, referral, log)


def _warm_up(base: str, api: dict[str, Any]) -> None:
    """One authenticated request first: a new process's first request is slow here."""
    missing = httpx.get(f"{base}/v1/cases/{uuid.uuid4()}", headers=api["police"], timeout=30)
    assert missing.status_code == 404


def _answered(logs: list[list[Create]]) -> int:
    return sum(1 for log in logs for create in log if create.status is not None)


def _in_flight(logs: list[list[Create]]) -> bool:
    """A create was sent and has no answer yet (each worker's last entry)."""
    return any(log and log[-1].status is None for log in logs)


def _fire_and_kill(base: str, api: dict[str, Any], kill: Callable[[], None]) -> list[Create]:
    _warm_up(base, api)
    logs: list[list[Create]] = [[] for _ in range(WORKERS)]
    killed = threading.Event()

    def work(n: int) -> None:
        while not killed.is_set() and _chain(base, api, logs[n]):
            pass

    threads = [threading.Thread(target=work, args=(n,)) for n in range(WORKERS)]
    for thread in threads:
        thread.start()
    deadline = time.monotonic() + KILL_DEADLINE_SECONDS
    while time.monotonic() < deadline and not (
        _answered(logs) >= KILL_AFTER_ACKNOWLEDGED and _in_flight(logs)
    ):
        time.sleep(0.005)
    kill()
    killed.set()
    for thread in threads:
        thread.join(timeout=60)
    return [create for log in logs for create in log]


def _read(base: str, api: dict[str, Any], create: Create) -> httpx.Response:
    if create.kind == "case":
        return httpx.get(base + create.path, headers=api["police"], timeout=30)
    path = f"/v1/{create.kind}s/{create.resource_id}"
    return httpx.get(base + path, headers=api["staff"], timeout=30)


def _take_over_abandoned_claims(database_url: str) -> None:
    database = Database(database_url, pool_size=1, max_overflow=0)
    try:
        with database.transaction() as session:
            session.execute(
                sa.text(
                    "UPDATE idempotency_record SET created_at = :then WHERE state = 'IN_FLIGHT'"
                ),
                {"then": utcnow() - timedelta(minutes=2)},
            )
    finally:
        database.dispose()


def _retry(base: str, create: Create) -> None:
    """Retry with the same key and body; the answer must be the same create."""
    response = _send(base, create)
    if create.kind == "case":
        # A PUT create names its id: the retry is 412 (it exists) or 201 (it did not).
        assert response.status_code in {201, 412}, response.text
        if create.status == 201:
            assert response.status_code == 412
        return
    assert response.status_code == 201, response.text
    again_id = str(response.json()["id"])
    if create.resource_id is not None:
        assert again_id == create.resource_id
        assert response.headers.get("idempotent-replayed") == "true"
    else:
        create.resource_id = again_id
        replay = _send(base, create)
        assert replay.status_code == 201
        assert str(replay.json()["id"]) == again_id


def _counts(database_url: str, creates: list[Create]) -> tuple[dict[str, int], dict[str, int]]:
    case_ids = [c.parents["case_id"] for c in creates if c.kind == "victim"]
    victim_ids = [c.parents["victim_id"] for c in creates if c.kind == "referral"]
    database = Database(database_url, pool_size=1, max_overflow=0)
    try:
        with database.read_session() as session:
            victims = session.execute(
                sa.text(
                    "SELECT case_id, COUNT(*) FROM victim WHERE case_id IN :ids GROUP BY case_id"
                ).bindparams(sa.bindparam("ids", expanding=True)),
                {"ids": case_ids or ["-"]},
            ).all()
            referrals = session.execute(
                sa.text(
                    "SELECT victim_id, COUNT(*) FROM referral WHERE victim_id IN :ids "
                    "GROUP BY victim_id"
                ).bindparams(sa.bindparam("ids", expanding=True)),
                {"ids": victim_ids or ["-"]},
            ).all()
    finally:
        database.dispose()
    return {str(k): int(v) for k, v in victims}, {str(k): int(v) for k, v in referrals}


def _audit_verify(database_url: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "VICTIM_API_DATABASE_URL": database_url, "VICTIM_API_ENV": "test"}
    return subprocess.run(
        [sys.executable, "-m", "victim_api", "audit", "verify"],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def test_sigkill_during_concurrent_creates_loses_nothing(
    database_url: str,
    settings: Settings,
    partners: list[Partner],
    tmp_path: Path,
) -> None:
    env = server_env(database_url, settings)
    log = tmp_path / "server.log"
    server = start_server(env, log)
    api: dict[str, Any] = {
        "police": issue_headers(database_url, settings, server.base_url, Channel.POLICE_SYSTEM),
        "staff": issue_headers(
            database_url, settings, server.base_url, Channel.STAFF, acting_user="pc.faults"
        ),
        "service_id": partners[0].service_id,
    }
    creates: list[Create] = []
    try:
        for _ in range(KILLS):
            creates += _fire_and_kill(server.base_url, api, server.kill)
            server = start_server(env, log)
        acknowledged = [c for c in creates if c.status is not None and c.status // 100 == 2]
        unanswered = [c for c in creates if c.status is None]
        assert {c.status for c in creates} <= {200, 201, None}, "a create failed before the kill"
        assert unanswered, "the kill came after every create had finished"

        base = server.base_url
        for create in acknowledged:
            read = (
                create.path if create.kind == "case" else f"/v1/{create.kind}s/{create.resource_id}"
            )
            headers = api["police"] if create.kind == "case" else api["staff"]
            assert httpx.get(base + read, headers=headers, timeout=30).status_code == 200, create

        _take_over_abandoned_claims(database_url)
        for create in creates:
            _retry(base, create)
        victims_per_case, referrals_per_victim = _counts(database_url, creates)
    finally:
        server.stop()
    tried_victims = [c for c in creates if c.kind == "victim"]
    tried_referrals = [c for c in creates if c.kind == "referral"]
    assert victims_per_case == {c.parents["case_id"]: 1 for c in tried_victims}
    assert referrals_per_victim == {c.parents["victim_id"]: 1 for c in tried_referrals}
    verified = _audit_verify(database_url)
    assert verified.returncode == 0, verified.stdout + verified.stderr
    FIGURES.append(
        f"SIGKILL ({'PostgreSQL' if database_url.startswith('postgresql') else 'SQLite'}): "
        f"{len(creates)} creates tried, {len(acknowledged)} acknowledged, "
        f"{len(unanswered)} cut off, {KILLS} kills; 0 lost, 0 duplicated, audit chain verified"
    )
