"""Signed tokens: the only module that imports ``jose``.

Rules, each covered by tests/platform/test_tokens.py:

- One algorithm per key (ES256), always pinned: the header's ``alg`` must equal
  the key's, and decode is given that single algorithm.
- ``kid`` is looked up in our own key table and exactly one key is passed to
  decode (python-jose accepts a mismatched kid when handed a key set).
- ``typ`` is checked here: python-jose does not check it.
- ``exp``, ``aud``, ``iss``, ``jti`` and ``iat`` are required; leeway is at most 60 s.
- ``jku``, ``x5u``, ``x5c``, embedded ``jwk`` and ``crit`` headers are refused, so a
  token can never tell us where to fetch its own verification key.
"""

from __future__ import annotations

import functools
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from jose import jwk, jwt
from jose.backends.base import Key
from jose.exceptions import ExpiredSignatureError, JOSEError

from victim_api.platform.clock import utcnow
from victim_api.platform.keys import KeyPurpose, KeyStore

MAX_LEEWAY_SECONDS = 60
_FORBIDDEN_HEADERS = frozenset({"jku", "x5u", "x5c", "jwk", "crit"})
_REQUIRED_CLAIMS = ("iss", "aud", "exp", "iat", "jti")


class TokenError(Exception):
    """A token that must be refused. ``reason`` is for logs and tests, not callers."""

    def __init__(self, reason: str, *, expired: bool = False) -> None:
        super().__init__(reason)
        self.reason = reason
        self.expired = expired


@dataclass(frozen=True)
class TokenKind:
    """What a family of tokens looks like: its key purpose, ``typ`` and audience."""

    purpose: KeyPurpose
    typ: str
    audience: str


@dataclass(frozen=True)
class SignedToken:
    token: str
    jti: str
    kid: str
    issued_at: datetime
    expires_at: datetime


def new_token_id(random_bytes: int = 16) -> str:
    return secrets.token_urlsafe(random_bytes)


def sign(
    keys: KeyStore,
    kind: TokenKind,
    *,
    issuer: str,
    subject: str,
    lifetime: timedelta,
    claims: dict[str, Any] | None = None,
    jti: str | None = None,
) -> SignedToken:
    key = keys.active_key(kind.purpose)
    issued_at = utcnow().replace(microsecond=0)
    expires_at = issued_at + lifetime
    jti = jti or new_token_id()
    payload = {
        **(claims or {}),
        "iss": issuer,
        "aud": kind.audience,
        "sub": subject,
        "iat": int(issued_at.timestamp()),
        "exp": int(expires_at.timestamp()),
        "jti": jti,
    }
    token = jwt.encode(
        payload,
        key.private_pem,
        algorithm=key.algorithm,
        headers={"kid": key.kid, "typ": kind.typ},
    )
    return SignedToken(
        token=token, jti=jti, kid=key.kid, issued_at=issued_at, expires_at=expires_at
    )


def verify(
    keys: KeyStore, kind: TokenKind, token: str, *, issuer: str, leeway_seconds: int = 30
) -> dict[str, Any]:
    """The verified claims of ``token``, or :class:`TokenError`."""
    leeway = min(max(leeway_seconds, 0), MAX_LEEWAY_SECONDS)
    header = _header(token)
    if _FORBIDDEN_HEADERS & header.keys():
        raise TokenError("header names a key source or critical extension")
    if header.get("typ") != kind.typ:
        raise TokenError("wrong typ")
    kid = header.get("kid")
    if not isinstance(kid, str) or not kid:
        raise TokenError("no kid")
    key = keys.verification_key(kind.purpose, kid)
    if key is None:
        raise TokenError("unknown kid")
    if header.get("alg") != key.algorithm:
        raise TokenError("alg does not match the key")
    try:
        claims = jwt.decode(
            token,
            _verifier(key.public_pem, key.algorithm),
            algorithms=[key.algorithm],
            audience=kind.audience,
            issuer=issuer,
            options={
                **{f"require_{claim}": True for claim in _REQUIRED_CLAIMS},
                "leeway": leeway,
            },
        )
    except ExpiredSignatureError as exc:
        raise TokenError("expired", expired=True) from exc
    except JOSEError as exc:
        raise TokenError(f"invalid: {type(exc).__name__}") from exc
    if not isinstance(claims.get("jti"), str) or not claims["jti"]:
        raise TokenError("no jti")
    return dict(claims)


@functools.lru_cache(maxsize=64)
def _verifier(public_pem: str, algorithm: str) -> Key:
    """The parsed public key: parsing the PEM on every verification costs as much as the check."""
    return jwk.construct(public_pem, algorithm)


def unverified_header(token: str) -> dict[str, Any]:
    """The header, for diagnostics only. Never trust it."""
    return _header(token)


def _header(token: str) -> dict[str, Any]:
    if not isinstance(token, str) or token.count(".") != 2 or len(token) > 8192:
        raise TokenError("not a compact JWS")
    try:
        header = jwt.get_unverified_header(token)
    except JOSEError as exc:
        raise TokenError("unreadable header") from exc
    if not isinstance(header, dict):
        raise TokenError("unreadable header")
    return header
