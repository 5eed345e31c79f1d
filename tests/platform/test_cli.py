"""The `victim-api clients` and `keys` commands, as an operator would use them."""

from __future__ import annotations

import json
from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient
from typer.testing import CliRunner

from tests.support.auth import bearer
from victim_api.cli import app as cli
from victim_api.settings import Settings, get_settings


@pytest.fixture
def run(settings: Settings, monkeypatch: pytest.MonkeyPatch) -> Iterator:
    monkeypatch.setenv("VICTIM_API_DATABASE_URL", settings.database_url)
    monkeypatch.setenv("VICTIM_API_KEYS_DIR", str(settings.keys_dir))
    get_settings.cache_clear()
    runner = CliRunner()
    yield lambda *args: runner.invoke(cli, list(args))
    get_settings.cache_clear()


def test_create_prints_the_secret_once_and_it_works(run, client: TestClient) -> None:
    result = run(
        "clients",
        "create",
        "--name",
        "Audit office",
        "--channel",
        "AUDITOR",
        "--scopes",
        "audit:read",
        "--json",
    )
    assert result.exit_code == 0, result.output
    created = json.loads(result.output)
    token = client.post(
        "/v1/oauth/token",
        data={"grant_type": "client_credentials"},
        auth=(created["client_id"], created["client_secret"]),
    ).json()["access_token"]
    assert client.get("/v1/audit-events", headers=bearer(token)).status_code == 200
    listing = run("clients", "list", "--json")
    assert created["client_secret"] not in listing.output
    [row] = [r for r in json.loads(listing.output) if r["client_id"] == created["client_id"]]
    assert row["channel"] == "AUDITOR"
    assert row["active"] is True


def test_create_refuses_a_scope_the_channel_may_not_hold(run) -> None:
    result = run(
        "clients", "create", "--name", "Helpline", "--channel", "PHONE", "--scopes", "audit:read"
    )
    assert result.exit_code == 2
    assert "may not hold" in result.output


def test_partner_clients_need_an_organisation(run) -> None:
    result = run("clients", "create", "--name", "Agency", "--channel", "PARTNER")
    assert result.exit_code == 2
    assert "organisation" in result.output
    ok = run(
        "clients", "create", "--name", "Agency", "--channel", "PARTNER", "--organisation", "org-1"
    )
    assert ok.exit_code == 0, ok.output


def test_rotate_secret_replaces_the_old_one_and_disable_stops_the_client(run, client) -> None:
    created = json.loads(
        run("clients", "create", "--name", "x", "--channel", "STAFF", "--json").output
    )
    form = {"grant_type": "client_credentials"}
    rotated = json.loads(run("clients", "rotate-secret", created["client_id"], "--json").output)
    old = client.post(
        "/v1/oauth/token", data=form, auth=(created["client_id"], created["client_secret"])
    )
    new = client.post(
        "/v1/oauth/token", data=form, auth=(created["client_id"], rotated["client_secret"])
    )
    assert old.status_code == 401
    assert new.status_code == 200
    assert run("clients", "disable", created["client_id"]).exit_code == 0
    after = client.post(
        "/v1/oauth/token", data=form, auth=(created["client_id"], rotated["client_secret"])
    )
    assert after.status_code == 401


def test_keys_rotate_and_list(run) -> None:
    first = run("keys", "rotate", "--purpose", "qr")
    assert first.exit_code == 0, first.output
    kid = first.output.split()[-1]
    listing = run("keys", "list")
    assert kid in listing.output
    assert "PRIVATE" not in listing.output
