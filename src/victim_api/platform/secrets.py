"""Hashing secrets with argon2id: client secrets, dates of birth, PINs.

Parameters are the OWASP minimum for argon2id (m=19 MiB, t=2, p=1), which
verifies in about 70 ms on the reference 2-core machine: slow enough to make
offline guessing of a stolen hash expensive, fast enough for a helpline call.
Every hash mixes in a server-side pepper (``VICTIM_API_SECRET_PEPPER``), so a
copy of the database alone is not enough to start guessing. When the
parameters change, :func:`needs_rehash` says so and callers re-hash on the next
successful verification.
"""

from __future__ import annotations

import hashlib
import hmac

from argon2 import PasswordHasher, Type
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError

ARGON2_MEMORY_KIB = 19 * 1024
ARGON2_TIME_COST = 2
ARGON2_PARALLELISM = 1

_hasher = PasswordHasher(
    time_cost=ARGON2_TIME_COST,
    memory_cost=ARGON2_MEMORY_KIB,
    parallelism=ARGON2_PARALLELISM,
    hash_len=32,
    salt_len=16,
    type=Type.ID,
)
# A real hash of a random value: verifying against it costs the same as a real
# check, so a miss (unknown client, unknown victim) takes as long as a wrong secret.
_DUMMY_HASH = _hasher.hash("victim-api dummy secret for constant-time misses")


def _peppered(secret: str, pepper: str) -> bytes:
    # HMAC first so the pepper never meets argon2's input-length limits.
    return hmac.new(pepper.encode(), secret.encode(), hashlib.sha256).digest()


def hash_secret(secret: str, pepper: str) -> str:
    return _hasher.hash(_peppered(secret, pepper))


def verify_secret(stored_hash: str | None, secret: str, pepper: str) -> bool:
    """True when ``secret`` matches. A missing hash costs a dummy verification."""
    try:
        return _hasher.verify(stored_hash or _DUMMY_HASH, _peppered(secret, pepper)) and bool(
            stored_hash
        )
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        return False


def dummy_verify() -> None:
    """Spend the time of one verification, for code paths that have no hash."""
    verify_secret(None, "x", "x")


def needs_rehash(stored_hash: str) -> bool:
    return _hasher.check_needs_rehash(stored_hash)
