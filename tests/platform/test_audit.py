"""The s62 audit trail: written with the work, hash-chained, verifiable, fail-closed."""

from __future__ import annotations

import json
import threading
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
import sqlalchemy as sa
from fastapi import FastAPI
from fastapi.testclient import TestClient
from prometheus_client import REGISTRY
from typer.testing import CliRunner

from tests.support.auth import bearer, new_client, token_for
from tests.support.database import fresh_database
from victim_api.cli import app as cli
from victim_api.platform import audit
from victim_api.platform.audit import AuditEvent, Operation, record_now, verify_chain
from victim_api.platform.db import Database
from victim_api.platform.principal import Channel, system_caller
from victim_api.settings import get_settings


@pytest.fixture(scope="module")
def staff_token(probe: TestClient) -> str:
    staff = new_client(probe.app, Channel.STAFF, set())
    return token_for(probe, staff, acting_user="pc.0001")


def _events_for(database: Database, subject: str) -> list[AuditEvent]:
    with database.read_session() as session:
        query = sa.select(AuditEvent).where(AuditEvent.resource_type == "probe_thing")
        return [e for e in session.execute(query).scalars() if subject in e.case_ids]


def test_a_write_records_who_what_why_and_request(probe: TestClient, staff_token: str) -> None:
    label = f"case-{uuid.uuid4().hex[:8]}"
    response = probe.post(
        "/v1/_probe/things",
        json={"label": label},
        headers={**bearer(staff_token), "X-Purpose": "VICTIM_CARE", "X-Request-ID": "req-audit-1"},
    )
    assert response.status_code == 201
    [entry] = _events_for(probe.app.state.database, label)
    assert entry.operation == "COLLECTION"
    assert entry.channel == "STAFF"
    assert entry.acting_user == "pc.0001"
    assert entry.purpose == "VICTIM_CARE"
    assert entry.request_id == "req-audit-1"
    assert entry.resource_id == response.json()["id"]
    assert entry.outcome == "SUCCESS"
    assert len(entry.hash) == 64


def test_the_route_default_purpose_applies_without_a_header(probe: TestClient, staff_token) -> None:
    label = f"case-{uuid.uuid4().hex[:8]}"
    probe.post("/v1/_probe/things", json={"label": label}, headers=bearer(staff_token))
    [entry] = _events_for(probe.app.state.database, label)
    assert entry.purpose == "TESTING"


def _audit_write_failures() -> float:
    return REGISTRY.get_sample_value("victim_api_audit_write_failures_total") or 0.0


def test_a_failed_audit_write_fails_the_request_closed(
    probe: TestClient, staff_token: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    def broken(*_args, **_kwargs):
        raise sa.exc.OperationalError("INSERT", {}, Exception("disk full"))

    monkeypatch.setattr(audit, "_append", broken)
    failures_before = _audit_write_failures()
    response = probe.get("/v1/_probe/personal", headers=bearer(staff_token))
    assert response.status_code == 503
    assert _audit_write_failures() == failures_before + 1
    assert "victim_api_audit_write_failures_total" in probe.get("/metrics").text
    assert response.json()["code"] == "audit_unavailable"
    assert response.headers["retry-after"]
    assert "Synthetic-Person-Name" not in response.text
    assert "+447700900999" not in response.text


def test_concurrent_writers_keep_one_unbroken_chain(tmp_path: Path) -> None:
    with fresh_database(tmp_path) as url:
        database = Database(url, pool_size=8)
        caller = system_caller()

        def write(n: int) -> None:
            for i in range(10):
                record_now(
                    database,
                    caller,
                    operation=Operation.CONSULTATION,
                    resource_type="probe",
                    resource_id=f"{n}-{i}",
                )

        threads = [threading.Thread(target=write, args=(n,)) for n in range(6)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        with database.read_session() as session:
            report = verify_chain(session)
        database.dispose()
    assert report.ok, report
    assert report.checked == 60


@pytest.fixture
def tampered(tmp_path: Path) -> Iterator[tuple[str, Database]]:
    with fresh_database(tmp_path) as url:
        database = Database(url)
        for i in range(5):
            record_now(
                database,
                system_caller(),
                operation=Operation.ALTERATION,
                resource_type="probe",
                resource_id=str(i),
                fields=["given_name"],
            )
        yield url, database
        database.dispose()


def _run_verify(url: str, monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setenv("VICTIM_API_DATABASE_URL", url)
    get_settings.cache_clear()
    try:
        return CliRunner().invoke(cli, ["audit", "verify"])
    finally:
        get_settings.cache_clear()


def test_verify_passes_on_an_intact_chain(tampered, monkeypatch) -> None:
    url, _ = tampered
    result = _run_verify(url, monkeypatch)
    assert result.exit_code == 0, result.output
    assert "5 entries" in result.output


@pytest.mark.parametrize(
    ("tamper", "bad_seq"),
    [
        ("UPDATE audit_event SET purpose = 'COVER_UP' WHERE seq = 3", 3),
        ("DELETE FROM audit_event WHERE seq = 2", 2),
        ("DELETE FROM audit_event WHERE seq = 5", 5),
        (
            "UPDATE audit_event SET seq = 1000 WHERE seq = 2; "
            "UPDATE audit_event SET seq = 2 WHERE seq = 3; "
            "UPDATE audit_event SET seq = 3 WHERE seq = 1000",
            2,
        ),
    ],
    ids=["edited", "deleted", "tail-deleted", "reordered"],
)
def test_verify_names_the_first_bad_entry(tampered, monkeypatch, tamper, bad_seq) -> None:
    url, database = tampered
    with database.engine.begin() as connection:
        connection.exec_driver_sql("DELETE FROM audit_subject")
        for statement in tamper.split("; "):
            connection.exec_driver_sql(statement)
    result = _run_verify(url, monkeypatch)
    assert result.exit_code == 1
    assert f"seq {bad_seq}" in result.output


def test_audit_events_api_filters_and_paginates(
    client: TestClient, app: FastAPI, channel_tokens
) -> None:
    subject = str(uuid.uuid4())
    for i in range(5):
        record_now(
            app.state.database,
            system_caller(),
            operation=Operation.DISCLOSURE,
            resource_type="probe",
            resource_id=str(i),
            case_ids=[subject],
            recipient="org-example",
        )
    headers = bearer(channel_tokens["AUDITOR"])
    first = client.get(f"/v1/audit-events?subject_id={subject}&limit=2", headers=headers)
    assert first.status_code == 200
    body = first.json()
    assert [e["resource_id"] for e in body["items"]] == ["0", "1"]
    assert body["items"][0]["recipient"] == "org-example"
    seen = [e["resource_id"] for e in body["items"]]
    while "next" in body:
        body = client.get(body["next"], headers=headers).json()
        seen += [e["resource_id"] for e in body["items"]]
    assert seen == ["0", "1", "2", "3", "4"]
    assert "next_cursor" not in body


def test_a_tampered_or_transplanted_cursor_is_400(client: TestClient, app, channel_tokens) -> None:
    subject = str(uuid.uuid4())
    for i in range(3):
        record_now(
            app.state.database,
            system_caller(),
            operation=Operation.CONSULTATION,
            resource_type="probe",
            resource_id=str(i),
            case_ids=[subject],
        )
    headers = bearer(channel_tokens["AUDITOR"])
    cursor = client.get(f"/v1/audit-events?subject_id={subject}&limit=1", headers=headers).json()[
        "next_cursor"
    ]
    payload, mac = cursor.split(".")
    forged = payload[:-2] + ("AA" if payload[-2:] != "AA" else "BB") + "." + mac
    for bad in (forged, cursor + "x", "abc.def"):
        response = client.get(
            f"/v1/audit-events?subject_id={subject}&cursor={bad}", headers=headers
        )
        assert response.status_code == 400, bad
        assert response.json()["code"] == "invalid_cursor"
    other = client.get(f"/v1/audit-events?subject_id=other&cursor={cursor}", headers=headers)
    assert other.status_code == 400


def test_limit_over_100_is_rejected(client: TestClient, channel_tokens) -> None:
    response = client.get("/v1/audit-events?limit=101", headers=bearer(channel_tokens["AUDITOR"]))
    assert response.status_code == 422
    assert response.json()["errors"][0]["location"] == "/query/limit"


def test_export_writes_json_lines_with_hashes(tampered, monkeypatch, tmp_path: Path) -> None:
    url, _ = tampered
    monkeypatch.setenv("VICTIM_API_DATABASE_URL", url)
    get_settings.cache_clear()
    out = tmp_path / "export.jsonl"
    try:
        result = CliRunner().invoke(
            cli,
            ["audit", "export", "--from", "2000-01-01", "--to", "2100-01-01", "--output", str(out)],
        )
    finally:
        get_settings.cache_clear()
    assert result.exit_code == 0, result.output
    lines = [json.loads(line) for line in out.read_text().splitlines()]
    assert [line["seq"] for line in lines] == [1, 2, 3, 4, 5]
    assert all(len(line["hash"]) == 64 for line in lines)
    assert lines[1]["prev_hash"] == lines[0]["hash"]


def test_audit_event_times_carry_an_offset(
    client: TestClient, app: FastAPI, channel_tokens
) -> None:
    # SQLite returns naive datetimes; the contract's date-time needs an offset.
    record_now(
        app.state.database,
        system_caller(),
        operation=Operation.CONSULTATION,
        resource_type="probe",
        case_ids=[],
    )
    response = client.get("/v1/audit-events?limit=1", headers=bearer(channel_tokens["AUDITOR"]))
    recorded_at = response.json()["items"][0]["recorded_at"]
    assert recorded_at.endswith(("Z", "+00:00")), recorded_at


def test_grouped_writes_from_concurrent_readers_keep_every_entry_in_one_chain(
    tmp_path: Path,
) -> None:
    with fresh_database(tmp_path) as url:
        database = Database(url, pool_size=8)
        caller = system_caller()

        def read(n: int) -> None:
            for i in range(10):
                entry = audit.PendingEntry(
                    operation=Operation.CONSULTATION,
                    caller=caller,
                    resource_type="probe-read",
                    resource_id=f"{n}-{i}",
                    case_ids=[],
                    victim_ids=[],
                    fields=[],
                    recipient=None,
                    outcome=audit.Outcome.SUCCESS,
                )
                audit.write_entries(database, [entry])

        threads = [threading.Thread(target=read, args=(n,)) for n in range(8)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        with database.read_session() as session:
            assert verify_chain(session).ok
            written = session.execute(
                sa.select(AuditEvent.resource_id).where(AuditEvent.resource_type == "probe-read")
            ).scalars()
            assert sorted(written) == sorted(f"{n}-{i}" for n in range(8) for i in range(10))
        database.dispose()
