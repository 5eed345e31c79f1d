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

import pytest
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.asymmetric.utils import decode_dss_signature
from fastapi import FastAPI
from fastapi.testclient import TestClient

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


@pytest.fixture(scope="module")
def setup(app: FastAPI):
    auditor = new_client(app, Channel.AUDITOR, {AUDIT_READ})
    keys = app.state.keys
    active = keys.active_key(KeyPurpose.ACCESS)
    private = serialization.load_pem_private_key(active.private_pem.encode(), password=None)
    public_pem = keys.verification_key(KeyPurpose.ACCESS, active.kid).public_pem
    settings = app.state.settings
    now = int(time.time())
    claims = {
        "iss": settings.token_issuer,
        "aud": settings.access_token_audience,
        "sub": auditor.client_id,
        "iat": now,
        "exp": now + 300,
        "jti": "test-jti-0001",
        "scope": AUDIT_READ,
        "channel": "AUDITOR",
        "org": None,
    }
    header = {"alg": "ES256", "typ": "at+jwt", "kid": active.kid}
    return {"private": private, "public_pem": public_pem, "claims": claims, "header": header}


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


def test_alg_none_is_refused(client: TestClient, setup) -> None:
    assert_invalid(client, build(setup, {"alg": "none"}, signer=lambda _: ""))


@pytest.mark.parametrize("encoding", ["pem", "der"])
def test_hs256_forged_with_the_public_key_is_refused(client: TestClient, setup, encoding) -> None:
    public = serialization.load_pem_public_key(setup["public_pem"].encode())
    secret = (
        setup["public_pem"].encode()
        if encoding == "pem"
        else public.public_bytes(
            serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo
        )
    )
    token = build(
        setup,
        {"alg": "HS256"},
        signer=lambda data: b64(hmac.new(secret, data, hashlib.sha256).digest()),
    )
    assert_invalid(client, token)


def test_key_b_claiming_key_a_kid_is_refused(client: TestClient, setup) -> None:
    other = ec.generate_private_key(ec.SECP256R1())
    assert_invalid(client, build(setup, signer=lambda data: es256(other, data)))


def test_unknown_kid_is_refused(client: TestClient, setup) -> None:
    assert_invalid(client, build(setup, {"kid": "no-such-key"}))


@pytest.mark.parametrize("claim", ["iss", "aud", "exp", "iat", "jti", "sub", "channel"])
def test_each_required_claim_missing_is_refused(client: TestClient, setup, claim) -> None:
    assert_invalid(client, build(setup, drop=(claim,)))


@pytest.mark.parametrize(
    ("header", "claims"),
    [
        ({"typ": "JWT"}, None),
        ({"typ": "vq+jwt"}, None),
        (None, {"aud": "someone-else"}),
        (None, {"iss": "https://attacker.example"}),
        (None, {"exp": int(time.time()) - 120}),
        ({"jku": "https://attacker.example/jwks.json"}, None),
        ({"x5u": "https://attacker.example/cert.pem"}, None),
        ({"jwk": {"kty": "EC", "crv": "P-256", "x": "AA", "y": "AA"}}, None),
    ],
    ids=["typ-jwt", "typ-qr", "aud", "iss", "expired", "jku", "x5u", "embedded-jwk"],
)
def test_wrong_typ_aud_iss_expired_and_key_source_headers_are_refused(
    client: TestClient, setup, header, claims
) -> None:
    assert_invalid(client, build(setup, header, claims))


def test_expiry_leeway_is_at_most_sixty_seconds(client: TestClient, setup) -> None:
    assert_invalid(client, build(setup, claim_changes={"exp": int(time.time()) - 61}))


@pytest.mark.parametrize("garbage", ["x", "a.b", "a.b.c", "eyJ.eyJ.", "%%%.%%%.%%%", "." * 3])
def test_garbage_is_refused(client: TestClient, garbage) -> None:
    assert_invalid(client, garbage)


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
