"""API clients and access tokens for tests (synthetic credentials only)."""

from __future__ import annotations

from dataclasses import dataclass

import sqlalchemy as sa
from fastapi import FastAPI
from fastapi.testclient import TestClient

from victim_api.helpline.models import VictimSession
from victim_api.platform.clients import create_client
from victim_api.platform.db import table_of
from victim_api.platform.policy import sign_victim_session_with
from victim_api.platform.principal import Channel
from victim_api.platform.scopes import all_scopes


@dataclass(frozen=True)
class TestClientCredentials:
    client_id: str
    client_secret: str
    channel: Channel
    scopes: frozenset[str]
    organisation_id: str | None


def scopes_for(channel: Channel) -> set[str]:
    return {name for name, scope in all_scopes().items() if channel in scope.channels}


def new_client(
    app: FastAPI,
    channel: Channel,
    scopes: set[str] | None = None,
    organisation_id: str | None = None,
    name: str = "test client",
) -> TestClientCredentials:
    chosen = scopes_for(channel) if scopes is None else scopes
    if channel == Channel.PARTNER and organisation_id is None:
        organisation_id = "org-test-partner"
    with app.state.database.transaction() as session:
        issued = create_client(
            session,
            name=name,
            channel=channel,
            scopes=chosen,
            organisation_id=organisation_id,
            pepper=app.state.settings.secret_pepper,
        )
    return TestClientCredentials(
        issued.client_id, issued.client_secret, channel, frozenset(chosen), organisation_id
    )


def token_for(
    client: TestClient,
    credentials: TestClientCredentials,
    scope: str | None = None,
    acting_user: str | None = None,
) -> str:
    form = {"grant_type": "client_credentials"}
    if scope is not None:
        form["scope"] = scope
    if acting_user is not None:
        form["acting_user"] = acting_user
    response = client.post(
        "/v1/oauth/token", data=form, auth=(credentials.client_id, credentials.client_secret)
    )
    assert response.status_code == 200, response.text
    return str(response.json()["access_token"])


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def victim_session_for(
    app: FastAPI, client_id: str, channel: Channel, victim_id: str, case_id: str
) -> dict[str, str]:
    """Headers carrying a victim session for ``victim_id`` on ``case_id``, signed and
    stored the way verification does, as if ``client_id`` (a PHONE or WEB client) had
    verified them (the helpline ends sessions it has no row for)."""
    signed = sign_victim_session_with(
        app.state.keys,
        app.state.settings,
        client_id=client_id,
        channel=channel,
        victim_id=victim_id,
        case_id=case_id,
    )
    with app.state.database.transaction() as session:
        session.execute(
            sa.insert(table_of(VictimSession)).values(
                jti=signed.jti,
                victim_id=victim_id,
                case_id=case_id,
                client_id=client_id,
                channel=channel.value,
                verified_at=signed.issued_at,
                expires_at=signed.expires_at,
            )
        )
    return bearer(signed.token)


def fresh_channel_tokens(app: FastAPI) -> dict[str, str]:
    """One new token per channel with every scope it may hold. For tests that run
    long after the session's `channel_tokens` were issued (tokens live 15 minutes)."""
    tokens = {}
    with TestClient(app) as client:
        for channel in Channel:
            credentials = new_client(app, channel, name=f"fresh all-scopes {channel}")
            acting = "staff.tester" if channel in (Channel.STAFF, Channel.PHONE) else None
            tokens[channel.value] = token_for(client, credentials, acting_user=acting)
    return tokens
