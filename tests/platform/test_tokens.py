"""The token corpus: every forgery and malformation is 401 invalid_token.

Tokens here are hand-built (base64 + signature) so the tests do not depend on
the library under test to produce the attack.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import time
from collections.abc import Callable
from typing import Any

import pytest
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.asymmetric.utils import decode_dss_signature
from fastapi import FastAPI
from fastapi.testclient import TestClient

from tests.support import auth
from tests.support.auth import new_client
from victim_api.platform.keys import KeyPurpose
from victim_api.platform.principal import Channel
from victim_api.platform.scopes import AUDIT_READ

PROTECTED = "/v1/audit-events"


def b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def segment(obj: dict) -> str:
    return b64(json.dumps(obj, separators=(",", ":")).encode())


def es256(private_key: ec.EllipticCurvePrivateKey, signing_input: bytes) -> str:
    r, s = decode_dss_signature(private_key.sign(signing_input, ec.ECDSA(hashes.SHA256())))
    return b64(r.to_bytes(32, "big") + s.to_bytes(32, "big"))


def token_setup(app: FastAPI, credentials: auth.TestClientCredentials) -> dict[str, Any]:
    """What the corpus needs to forge tokens for ``credentials``' client on ``app``."""
    keys = app.state.keys
    active = keys.active_key(KeyPurpose.ACCESS)
    private = serialization.load_pem_private_key(active.private_pem.encode(), password=None)
    public_pem = keys.verification_key(KeyPurpose.ACCESS, active.kid).public_pem
    settings = app.state.settings
    now = int(time.time())
    claims = {
        "iss": settings.token_issuer,
        "aud": settings.access_token_audience,
        "sub": credentials.client_id,
        "iat": now,
        "exp": now + 300,
        "jti": f"test-jti-{now}",
        "scope": " ".join(sorted(credentials.scopes)),
        "channel": credentials.channel.value,
        "org": credentials.organisation_id,
    }
    header = {"alg": "ES256", "typ": "at+jwt", "kid": active.kid}
    return {"private": private, "public_pem": public_pem, "claims": claims, "header": header}


@pytest.fixture(scope="module")
def setup(app: FastAPI) -> dict[str, Any]:
    return token_setup(app, new_client(app, Channel.AUDITOR, {AUDIT_READ}))


def build(setup, header_changes=None, claim_changes=None, drop=(), signer=None) -> str:
    header = {**setup["header"], **(header_changes or {})}
    claims = {
        k: v for k, v in {**setup["claims"], **(claim_changes or {})}.items() if k not in drop
    }
    signing_input = f"{segment(header)}.{segment(claims)}".encode()
    sign: Callable[[bytes], str] = signer or (lambda data: es256(setup["private"], data))
    return f"{signing_input.decode()}.{sign(signing_input)}"


def assert_invalid(client: TestClient, token: str) -> None:
    response = client.get(PROTECTED, headers={"Authorization": f"Bearer {token}"})
    assert response.status_code == 401, response.text
    assert response.headers["www-authenticate"] == 'Bearer error="invalid_token"'
    assert response.headers["content-type"] == "application/problem+json"
    assert response.json()["code"] == "invalid_token"


def test_the_well_formed_token_is_accepted(client: TestClient, setup) -> None:
    response = client.get(PROTECTED, headers={"Authorization": f"Bearer {build(setup)}"})
    assert response.status_code == 200


def _hs256_with_the_public_key(encoding: str) -> Callable[[dict[str, Any]], str]:
    def forge(setup: dict[str, Any]) -> str:
        public = serialization.load_pem_public_key(setup["public_pem"].encode())
        secret = (
            setup["public_pem"].encode()
            if encoding == "pem"
            else public.public_bytes(
                serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo
            )
        )
        return build(
            setup,
            {"alg": "HS256"},
            signer=lambda data: b64(hmac.new(secret, data, hashlib.sha256).digest()),
        )

    return forge


def _signed_by_another_key(setup: dict[str, Any]) -> str:
    other = ec.generate_private_key(ec.SECP256R1())
    return build(setup, signer=lambda data: es256(other, data))


def _changed(header: dict[str, Any] | None = None, claims: dict[str, Any] | None = None):
    return lambda setup: build(setup, header, claims)


def _garbage(text: str) -> Callable[[dict[str, Any]], str]:
    return lambda _setup: text


# The corpus: each entry forges a token for the client in `setup`; every one must be
# 401 invalid_token. tests/security/test_tokens.py sends the whole corpus to every route.
CORPUS = [
    pytest.param(lambda setup: build(setup, {"alg": "none"}, signer=lambda _: ""), id="alg-none"),
    pytest.param(_hs256_with_the_public_key("pem"), id="hs256-public-key-pem"),
    pytest.param(_hs256_with_the_public_key("der"), id="hs256-public-key-der"),
    pytest.param(_signed_by_another_key, id="key-b-claiming-key-a-kid"),
    pytest.param(_changed({"kid": "no-such-key"}), id="unknown-kid"),
    *[
        pytest.param(lambda setup, claim=claim: build(setup, drop=(claim,)), id=f"no-{claim}")
        for claim in ["iss", "aud", "exp", "iat", "jti", "sub", "channel"]
    ],
    pytest.param(_changed({"typ": "JWT"}), id="typ-jwt"),
    pytest.param(_changed({"typ": "vq+jwt"}), id="typ-qr"),
    pytest.param(_changed(claims={"aud": "someone-else"}), id="aud"),
    pytest.param(_changed(claims={"iss": "https://attacker.example"}), id="iss"),
    pytest.param(_changed(claims={"exp": int(time.time()) - 120}), id="expired"),
    # The expiry leeway is at most sixty seconds.
    pytest.param(_changed(claims={"exp": int(time.time()) - 61}), id="expired-61s"),
    pytest.param(_changed({"jku": "https://attacker.example/jwks.json"}), id="jku"),
    pytest.param(_changed({"x5u": "https://attacker.example/cert.pem"}), id="x5u"),
    pytest.param(
        _changed({"jwk": {"kty": "EC", "crv": "P-256", "x": "AA", "y": "AA"}}), id="embedded-jwk"
    ),
    *[
        pytest.param(_garbage(text), id=f"garbage-{i}")
        for i, text in enumerate(["x", "a.b", "a.b.c", "eyJ.eyJ.", "%%%.%%%.%%%", "." * 3])
    ],
]


@pytest.mark.parametrize("forge", CORPUS)
def test_the_corpus_is_refused(client: TestClient, setup, forge) -> None:
    assert_invalid(client, forge(setup))


def test_no_token_is_401_with_a_bare_bearer_challenge(client: TestClient) -> None:
    response = client.get(PROTECTED)
    assert response.status_code == 401
    assert response.headers["www-authenticate"] == "Bearer"
    assert response.json()["code"] == "unauthorized"


def test_only_tokens_module_imports_jose(repo_root) -> None:
    offenders = [
        str(path.relative_to(repo_root))
        for path in (repo_root / "src").rglob("*.py")
        if path.name != "tokens.py"
        and ("from jose" in path.read_text() or "import jose" in path.read_text())
    ]
    assert offenders == []
