"""Signing keys, the JWKS document, rotation, and production refusals."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec
from fastapi.testclient import TestClient
from pydantic import ValidationError

from tests.support.auth import bearer, new_client, token_for
from tests.support.database import fresh_database
from victim_api.app import create_app
from victim_api.platform.db import Database
from victim_api.platform.keys import KeyPurpose, KeyStore, KeyUnavailableError
from victim_api.platform.principal import Channel
from victim_api.platform.scopes import AUDIT_READ
from victim_api.settings import Environment, Settings

REAL_PEPPER = "a-real-production-pepper-of-forty-two-chars!"


def test_jwks_lists_public_keys_only(client: TestClient, app) -> None:
    app.state.keys.active_key(KeyPurpose.ACCESS)
    response = client.get("/.well-known/jwks.json")
    assert response.status_code == 200
    assert response.headers["cache-control"] == "public, max-age=300"
    keys = response.json()["keys"]
    assert keys
    for key in keys:
        assert key["kty"] == "EC"
        assert key["crv"] == "P-256"
        assert key["alg"] == "ES256"
        assert "d" not in key


def test_rotation_keeps_old_tokens_verifying_and_signs_with_the_new_key(
    settings: Settings, tmp_path: Path
) -> None:
    with fresh_database(tmp_path) as url:
        app = create_app(
            settings.model_copy(update={"database_url": url, "keys_dir": tmp_path / "k"})
        )
        with TestClient(app) as client:
            auditor = new_client(app, Channel.AUDITOR, {AUDIT_READ})
            old_token = token_for(client, auditor)
            old_kid = app.state.keys.active_key(KeyPurpose.ACCESS).kid
            new_kid = app.state.keys.rotate(KeyPurpose.ACCESS, timedelta(minutes=16))
            assert new_kid != old_kid
            new_token = token_for(client, auditor)
            kids = {k["kid"] for k in client.get("/.well-known/jwks.json").json()["keys"]}
            assert {old_kid, new_kid} <= kids
            for token in (old_token, new_token):
                assert client.get("/v1/audit-events", headers=bearer(token)).status_code == 200
            app.state.keys.rotate(KeyPurpose.ACCESS, timedelta(seconds=-1))
            app.state.keys._refresh(force=True)
            # The first key's verification window has passed: its token is refused.
            assert client.get("/v1/audit-events", headers=bearer(new_token)).status_code == 401
        app.state.database.dispose()


def test_production_refuses_placeholder_secrets() -> None:
    with pytest.raises(ValidationError, match="PEPPER"):
        Settings(env=Environment.PRODUCTION)
    with pytest.raises(ValidationError, match="PEPPER"):
        Settings(env=Environment.PRODUCTION, secret_pepper="changeme")
    assert Settings(env=Environment.PRODUCTION, secret_pepper=REAL_PEPPER).is_production


def test_production_refuses_to_generate_or_use_development_keys(tmp_path: Path) -> None:
    with fresh_database(tmp_path) as url:
        database = Database(url)
        dev = KeyStore(database, tmp_path / "keys", allow_generate=True, environ={})
        dev.ensure_active_key(KeyPurpose.ACCESS)
        production = KeyStore(database, tmp_path / "keys", allow_generate=False, environ={})
        with pytest.raises(KeyUnavailableError, match="development"):
            production.ensure_active_key(KeyPurpose.ACCESS)
        with pytest.raises(KeyUnavailableError, match="no QR"):
            production.ensure_active_key(KeyPurpose.QR)
        database.dispose()


def test_production_starts_with_a_provided_key_and_refuses_without(tmp_path: Path) -> None:
    pem, qr_pem = (
        ec.generate_private_key(ec.SECP256R1()).private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
        for _ in range(2)
    )
    with fresh_database(tmp_path) as url:
        production = Settings(
            env=Environment.PRODUCTION,
            database_url=url,
            secret_pepper=REAL_PEPPER,
            keys_dir=tmp_path,
        )
        app = create_app(production)
        with pytest.raises(KeyUnavailableError), TestClient(app):
            pass
        database = Database(url)
        store = KeyStore(
            database,
            tmp_path,
            allow_generate=False,
            environ={
                "VICTIM_API_ACCESS_SIGNING_KEY": pem.decode(),
                "VICTIM_API_QR_SIGNING_KEY": qr_pem.decode(),
            },
        )
        kid = store.ensure_active_key(KeyPurpose.ACCESS)
        assert store.active_key(KeyPurpose.ACCESS).kid == kid
        assert store.active_key(KeyPurpose.QR).kid != kid
        reused = KeyStore(
            database,
            tmp_path,
            allow_generate=False,
            environ={"VICTIM_API_QR_SIGNING_KEY": pem.decode()},
        )
        with pytest.raises(KeyUnavailableError, match="one purpose"):
            reused.ensure_active_key(KeyPurpose.QR)
        database.dispose()
        app.state.database.dispose()


def test_docs_are_off_in_production(tmp_path: Path) -> None:
    assert not Settings(env=Environment.PRODUCTION, secret_pepper=REAL_PEPPER).show_docs
    assert Settings(
        env=Environment.PRODUCTION, secret_pepper=REAL_PEPPER, docs_enabled=True
    ).show_docs
