"""Signing keys: one table of public keys shared by every process, private keys on disk.

Each key has one purpose (ACCESS tokens, or QR tokens) and one algorithm, ES256,
always pinned. Public keys live in the ``signing_key`` table so every process
verifies against the same set the moment a key is rotated. Private keys never
enter the database: they are PEM files in ``VICTIM_API_KEYS_DIR`` (a mounted
secret in production) or PEM text in ``VICTIM_API_<PURPOSE>_SIGNING_KEY``.

In development and tests a key is generated on first use into the keys
directory. Production refuses generated keys.
"""

from __future__ import annotations

import base64
import glob
import hashlib
import json
import os
import threading
import time
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum
from pathlib import Path

import sqlalchemy as sa
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec
from sqlmodel import Field, Session, SQLModel, col, select

from victim_api.platform.clock import as_utc, utcnow
from victim_api.platform.db import Database
from victim_api.settings import Settings

ALGORITHM = "ES256"


class KeyPurpose(StrEnum):
    ACCESS = "ACCESS"
    QR = "QR"


class KeyOrigin(StrEnum):
    GENERATED = "GENERATED"  # made by the service in development
    PROVIDED = "PROVIDED"  # supplied by an operator (file or environment)


class SigningKey(SQLModel, table=True):
    __tablename__ = "signing_key"

    kid: str = Field(primary_key=True, max_length=64)
    purpose: str = Field(max_length=16, index=True)
    algorithm: str = Field(max_length=16)
    public_pem: str = Field(sa_type=sa.Text)
    origin: str = Field(max_length=16)
    activated_at: datetime = Field(sa_type=sa.DateTime(timezone=True))
    retired_at: datetime | None = Field(default=None, sa_type=sa.DateTime(timezone=True))
    # Tokens signed by a retired key verify until this instant.
    verify_until: datetime | None = Field(default=None, sa_type=sa.DateTime(timezone=True))


class KeyUnavailableError(RuntimeError):
    """No usable signing key (missing private key, or a development key in production)."""


@dataclass(frozen=True)
class VerificationKey:
    kid: str
    purpose: KeyPurpose
    algorithm: str
    public_pem: str


@dataclass(frozen=True)
class ActiveKey:
    kid: str
    algorithm: str
    private_pem: str


def _private_pem(key: ec.EllipticCurvePrivateKey) -> bytes:
    return key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )


def _public_pem(key: ec.EllipticCurvePublicKey) -> str:
    return key.public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    ).decode()


def _b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def public_jwk(public_pem: str, kid: str, algorithm: str = ALGORITHM) -> dict[str, str]:
    key = serialization.load_pem_public_key(public_pem.encode())
    assert isinstance(key, ec.EllipticCurvePublicKey)
    numbers = key.public_numbers()
    return {
        "kty": "EC",
        "crv": "P-256",
        "x": _b64url(numbers.x.to_bytes(32, "big")),
        "y": _b64url(numbers.y.to_bytes(32, "big")),
        "kid": kid,
        "alg": algorithm,
        "use": "sig",
    }


# QR tokens are printed, so every byte counts: their kid is a short prefix of
# the thumbprint (a handful of keys ever exist; a clash is refused at registration).
KID_LENGTH = {KeyPurpose.ACCESS: 32, KeyPurpose.QR: 4}


def thumbprint_kid(public_pem: str, length: int = 32) -> str:
    """RFC 7638 JWK thumbprint: the same key gets the same kid in every process."""
    jwk = public_jwk(public_pem, kid="")
    canonical = json.dumps({k: jwk[k] for k in ("crv", "kty", "x", "y")}, separators=(",", ":"))
    return _b64url(hashlib.sha256(canonical.encode()).digest())[:length]


class KeyStore:
    """The process's view of the signing keys, cached briefly, refreshed from the table."""

    CACHE_SECONDS = 10.0

    def __init__(
        self, database: Database, keys_dir: Path, *, allow_generate: bool, environ: dict[str, str]
    ) -> None:
        self.database = database
        self.keys_dir = keys_dir
        self.allow_generate = allow_generate
        self.environ = environ
        self._lock = threading.Lock()
        self._verification: dict[str, VerificationKey] = {}
        self._active: dict[KeyPurpose, ActiveKey] = {}
        self._loaded_at = 0.0

    @classmethod
    def for_settings(cls, database: Database, settings: Settings) -> KeyStore:
        """The store a process uses: generation allowed except in production."""
        return cls(
            database,
            settings.keys_dir,
            allow_generate=not settings.is_production,
            environ=dict(os.environ),
        )

    def ensure_all(self) -> None:
        """Make sure every purpose has an active key; run at startup, outside requests,
        so no request ever has to create a key while holding a transaction."""
        for purpose in KeyPurpose:
            self.ensure_active_key(purpose)
        self._refresh(force=True)

    # -- signing ------------------------------------------------------------
    def active_key(self, purpose: KeyPurpose) -> ActiveKey:
        self._refresh_if_stale()
        key = self._active.get(purpose)
        if key is None:
            self.ensure_active_key(purpose)
            self._refresh(force=True)
            key = self._active.get(purpose)
        if key is None:
            raise KeyUnavailableError(f"no active {purpose} signing key")
        return key

    # -- verifying ----------------------------------------------------------
    def verification_key(self, purpose: KeyPurpose, kid: str) -> VerificationKey | None:
        """The key with this kid and purpose, if it may still verify. One key, never a set."""
        self._refresh_if_stale()
        key = self._verification.get(kid)
        if key is None and time.monotonic() - self._loaded_at > 1.0:
            # An unknown kid may be a key another process just rotated in.
            self._refresh(force=True)
            key = self._verification.get(kid)
        if key is None or key.purpose != purpose:
            return None
        return key

    def holds(self, kid: str | None) -> bool:
        """True when ``verification_key(..., kid)`` would answer from memory.

        Otherwise it reads the database (a refresh), which must not happen on the
        event loop: callers there send that verification to the threadpool.
        """
        return (
            kid is not None
            and kid in self._verification
            and time.monotonic() - self._loaded_at <= self.CACHE_SECONDS
        )

    def jwks(self) -> dict[str, list[dict[str, str]]]:
        self._refresh_if_stale()
        keys = sorted(self._verification.values(), key=lambda k: (k.purpose, k.kid))
        return {"keys": [public_jwk(k.public_pem, k.kid, k.algorithm) for k in keys]}

    # -- lifecycle ----------------------------------------------------------
    def ensure_active_key(self, purpose: KeyPurpose) -> str:
        """Register the operator's key, or generate one in development. Returns its kid."""
        provided = self.environ.get(f"VICTIM_API_{purpose}_SIGNING_KEY")
        with self.database.transaction() as session:
            if provided:
                return self._register(session, purpose, provided.encode(), KeyOrigin.PROVIDED)
            current = _current_active(session, purpose)
            if current is not None:
                if current.origin == KeyOrigin.GENERATED and not self.allow_generate:
                    raise KeyUnavailableError(
                        f"the active {purpose} key was generated for development; "
                        "production needs a provided key"
                    )
                return current.kid
            if not self.allow_generate:
                raise KeyUnavailableError(
                    f"no {purpose} signing key: set VICTIM_API_{purpose}_SIGNING_KEY "
                    "or run `victim-api keys rotate` with a provided key file"
                )
            return self._register(session, purpose, self._generate_file(), KeyOrigin.GENERATED)

    def rotate(self, purpose: KeyPurpose, retire_after: timedelta, pem: bytes | None = None) -> str:
        """Add a new active key; the old one verifies for ``retire_after`` more."""
        if pem is None and not self.allow_generate:
            raise KeyUnavailableError("production rotation needs a provided key file (--key-file)")
        with self.database.transaction() as session:
            now = utcnow()
            for old in session.exec(
                select(SigningKey).where(
                    SigningKey.purpose == purpose.value,
                    col(SigningKey.retired_at).is_(None),
                )
            ):
                old.retired_at = now
                old.verify_until = now + retire_after
            origin = KeyOrigin.PROVIDED if pem is not None else KeyOrigin.GENERATED
            material = pem if pem is not None else self._generate_file()
            if pem is not None:
                self._store_private(material)
            kid = self._register(session, purpose, material, origin)
        self._refresh(force=True)
        return kid

    def extend_verification(self, session: Session, kid: str, until: datetime) -> None:
        """Keep a key verifying at least until ``until`` (its last QR token's expiry).

        Runs in the caller's transaction: a second write transaction from the same
        thread would wait on SQLite's lock held by the first.
        """
        key = session.get(SigningKey, kid)
        if key and key.verify_until is not None and as_utc(key.verify_until) < until:
            key.verify_until = until

    def list_keys(self) -> list[SigningKey]:
        with self.database.read_session() as session:
            return list(session.exec(select(SigningKey).order_by(col(SigningKey.activated_at))))

    # -- internals ----------------------------------------------------------
    def _generate_file(self) -> bytes:
        pem = _private_pem(ec.generate_private_key(ec.SECP256R1()))
        self._store_private(pem)
        return pem

    def _store_private(self, pem: bytes) -> None:
        kid = thumbprint_kid(_public_from_private(pem))
        self.keys_dir.mkdir(parents=True, exist_ok=True, mode=0o700)
        path = self.keys_dir / f"{kid}.pem"
        if not path.exists():
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
            with os.fdopen(fd, "wb") as handle:
                handle.write(pem)

    def _register(
        self, session: Session, purpose: KeyPurpose, pem: bytes, origin: KeyOrigin
    ) -> str:
        public = _public_from_private(pem)
        kid = thumbprint_kid(public, KID_LENGTH[purpose])
        for other in session.exec(select(SigningKey).where(SigningKey.public_pem == public)):
            if other.purpose != purpose.value:
                raise KeyUnavailableError("a key may sign for one purpose only (ACCESS or QR)")
        existing = session.get(SigningKey, kid)
        if existing is not None and existing.public_pem != public:
            raise KeyUnavailableError("kid clash with another key; generate a new key")
        if existing is None:
            session.add(
                SigningKey(
                    kid=kid,
                    purpose=purpose.value,
                    algorithm=ALGORITHM,
                    public_pem=public,
                    origin=origin.value,
                    activated_at=utcnow(),
                )
            )
        return kid

    def _private_for(self, kid: str, purpose: KeyPurpose, public_pem: str) -> str | None:
        """The private key whose public half is ``public_pem``, from env or the keys dir."""
        candidates = [self.environ.get(f"VICTIM_API_{purpose}_SIGNING_KEY") or ""]
        # Files are named by the full thumbprint; a kid is a prefix of it.
        candidates += [
            p.read_text() for p in sorted(self.keys_dir.glob(f"{glob.escape(kid)}*.pem"))
        ]
        for pem in candidates:
            if pem and _public_from_private(pem.encode()) == public_pem:
                return pem
        return None

    def _refresh_if_stale(self) -> None:
        if time.monotonic() - self._loaded_at > self.CACHE_SECONDS:
            self._refresh()

    def _refresh(self, *, force: bool = False) -> None:
        with self._lock:
            if not force and time.monotonic() - self._loaded_at <= self.CACHE_SECONDS:
                return
            now = utcnow()
            verification: dict[str, VerificationKey] = {}
            active: dict[KeyPurpose, ActiveKey] = {}
            with self.database.read_session() as session:
                rows = list(session.exec(select(SigningKey).order_by(col(SigningKey.activated_at))))
            for row in rows:
                purpose = KeyPurpose(row.purpose)
                if row.verify_until is None or as_utc(row.verify_until) > now:
                    verification[row.kid] = VerificationKey(
                        row.kid, purpose, row.algorithm, row.public_pem
                    )
                if row.retired_at is None:
                    private = self._private_for(row.kid, purpose, row.public_pem)
                    if private is not None:
                        active[purpose] = ActiveKey(row.kid, row.algorithm, private)
            self._verification = verification
            self._active = active
            self._loaded_at = time.monotonic()


def _public_from_private(pem: bytes) -> str:
    key = serialization.load_pem_private_key(pem, password=None)
    if not isinstance(key, ec.EllipticCurvePrivateKey) or key.curve.name != "secp256r1":
        raise KeyUnavailableError("signing keys must be EC P-256 (ES256)")
    return _public_pem(key.public_key())


def _current_active(session: Session, purpose: KeyPurpose) -> SigningKey | None:
    return session.exec(
        select(SigningKey)
        .where(SigningKey.purpose == purpose.value, col(SigningKey.retired_at).is_(None))
        .order_by(col(SigningKey.activated_at).desc())
    ).first()
