"""VICTIM_API_READ_REPLICA_URL: public, non-personal reads come from the replica."""

from __future__ import annotations

from pathlib import Path

from fastapi.testclient import TestClient

from tests.support.auth import bearer, new_client, token_for
from tests.support.cases import put_new_case
from tests.support.database import fresh_database
from victim_api.app import create_app
from victim_api.platform.principal import Channel
from victim_api.settings import Settings


def test_public_leaflets_come_from_the_replica_and_cases_from_the_primary(
    settings: Settings, published_leaflets: list[str], tmp_path: Path
) -> None:
    # An empty (migrated) replica that has not caught up: no leaflets yet.
    with fresh_database(tmp_path) as replica_url:
        app = create_app(settings.model_copy(update={"read_replica_url": replica_url}))
        try:
            with TestClient(app) as client:
                assert client.get("/v1/leaflets/victim-information").status_code == 404
                police = new_client(app, Channel.POLICE_SYSTEM)
                case_id = put_new_case(client, bearer(token_for(client, police)))
                staff = bearer(token_for(client, new_client(app, Channel.STAFF), acting_user="s"))
                assert client.get(f"/v1/cases/{case_id}", headers=staff).status_code == 200
        finally:
            app.state.read_database.dispose()
            app.state.database.dispose()
    primary_only = create_app(settings)
    try:
        with TestClient(primary_only) as client:
            assert client.get("/v1/leaflets/victim-information").status_code == 200
    finally:
        primary_only.state.database.dispose()
