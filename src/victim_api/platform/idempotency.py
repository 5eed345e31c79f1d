"""``Idempotency-Key`` on creating POSTs: a retried create never creates twice.

Keys are unique per client, kept 24 hours, and stored in the database so every
process sees them.

1. Before the work, the key is claimed in its own committed transaction
   (state IN_FLIGHT, with a fingerprint of the request).
2. The work runs in the request's transaction, and the response is stored in
   that same transaction: the write and its recorded answer commit together.
3. A repeat with the same key and body replays the stored status, headers and
   body; with another body it is 422; while the first is still running it is
   409. A failed request releases the key so the client can retry.

A claim left IN_FLIGHT by a process that died is taken over after
``STALE_AFTER`` so a crash never blocks a key for 24 hours.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Annotated, Any

import sqlalchemy as sa
from fastapi import Header
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session
from sqlmodel import Field, SQLModel
from starlette.responses import Response

from victim_api.platform.clock import as_utc, utcnow
from victim_api.platform.db import Database, table_of
from victim_api.platform.errors import ProblemError
from victim_api.platform.jsonutil import dumps

RETENTION = timedelta(hours=24)
STALE_AFTER = timedelta(seconds=60)
_REPLAYED_HEADERS = ("location", "etag", "content-type")

IdempotencyKeyHeader = Annotated[
    str | None,
    Header(
        alias="Idempotency-Key",
        min_length=8,
        max_length=128,
        pattern=r"^[A-Za-z0-9_.:-]+$",
        description="A unique key per create (a UUID is ideal). Retrying with the same key "
        "and body replays the first answer; another body is 422; in flight is 409.",
    ),
]


class IdempotencyRecord(SQLModel, table=True):
    __tablename__ = "idempotency_record"

    client_id: str = Field(primary_key=True, max_length=64)
    key: str = Field(primary_key=True, max_length=128)
    fingerprint: str = Field(max_length=64)
    state: str = Field(max_length=16)  # IN_FLIGHT or COMPLETED
    status_code: int | None = None
    headers: dict[str, str] = Field(
        default_factory=dict, sa_column=sa.Column(sa.JSON, nullable=False)
    )
    body: bytes | None = Field(default=None, sa_type=sa.LargeBinary)
    created_at: datetime = Field(sa_type=sa.DateTime(timezone=True))
    expires_at: datetime = Field(sa_type=sa.DateTime(timezone=True), index=True)


class IdempotencyConflictError(ProblemError):
    def __init__(self) -> None:
        super().__init__(
            409,
            "idempotency_request_in_flight",
            "A request with this Idempotency-Key is still being processed. Retry shortly.",
            headers={"Retry-After": "1"},
        )


class IdempotencyMismatchError(ProblemError):
    def __init__(self) -> None:
        super().__init__(
            422,
            "idempotency_key_reused",
            "This Idempotency-Key was used with a different request body.",
        )


def fingerprint(method: str, path: str, body: Any) -> str:
    payload = dumps({"method": method, "path": path, "body": body})
    return hashlib.sha256(payload).hexdigest()


def _table() -> sa.Table:
    return table_of(IdempotencyRecord)


def _replay(row: Any) -> Response:
    headers = dict(row.headers or {})
    headers["Idempotent-Replayed"] = "true"
    media_type = headers.pop("content-type", "application/json")
    return Response(
        row.body or b"", status_code=row.status_code, headers=headers, media_type=media_type
    )


def claim(database: Database, client_id: str, key: str, print_: str) -> Response | None:
    """Claim ``key`` for this request, or return the replay of the finished original."""
    table = _table()
    now = utcnow()
    with database.transaction() as session:
        row = session.execute(
            sa.select(table).where(table.c.client_id == client_id, table.c.key == key)
        ).first()
        if row is not None:
            expired = as_utc(row.expires_at) <= now
            abandoned = row.state == "IN_FLIGHT" and as_utc(row.created_at) + STALE_AFTER <= now
            if not (expired or abandoned):
                if row.fingerprint != print_:
                    raise IdempotencyMismatchError()
                if row.state == "IN_FLIGHT":
                    raise IdempotencyConflictError()
                return _replay(row)
            session.execute(
                sa.delete(table).where(table.c.client_id == client_id, table.c.key == key)
            )
    try:
        with database.transaction() as session:
            session.execute(
                sa.insert(table).values(
                    client_id=client_id,
                    key=key,
                    fingerprint=print_,
                    state="IN_FLIGHT",
                    headers={},
                    created_at=now,
                    expires_at=now + RETENTION,
                )
            )
    except IntegrityError as exc:
        # Another request claimed it between our read and insert.
        raise IdempotencyConflictError() from exc
    return None


def complete(session: Session, client_id: str, key: str, response: Response) -> None:
    """Store the answer in the request's own transaction, beside the write."""
    table = _table()
    headers = {k: v for k, v in response.headers.items() if k.lower() in _REPLAYED_HEADERS}
    session.execute(
        sa.update(table)
        .where(table.c.client_id == client_id, table.c.key == key)
        .values(
            state="COMPLETED", status_code=response.status_code, headers=headers, body=response.body
        )
    )


def release(database: Database, client_id: str, key: str) -> None:
    table = _table()
    with database.transaction() as session:
        session.execute(
            sa.delete(table).where(
                table.c.client_id == client_id, table.c.key == key, table.c.state == "IN_FLIGHT"
            )
        )


def run_idempotent(
    database: Database,
    session: Session,
    *,
    client_id: str,
    key: str | None,
    request_fingerprint: str,
    produce: Callable[[], Response],
) -> Response:
    """Run ``produce`` at most once per (client, key); without a key, just run it.

    ``produce`` does the work in ``session`` and returns the response; the
    caller's session commit makes the write and the stored answer durable together.
    """
    if key is None:
        return produce()
    replay = claim(database, client_id, key, request_fingerprint)
    if replay is not None:
        return replay
    try:
        response = produce()
        complete(session, client_id, key, response)
    except BaseException:
        # End the request's transaction before releasing in another: on SQLite it
        # holds the write lock the release needs, and would wait out the busy timeout.
        session.rollback()
        release(database, client_id, key)
        raise
    session.info.setdefault("victim_api.after_rollback_release", []).append((client_id, key))
    return response


def purge_expired(database: Database) -> int:
    table = _table()
    with database.transaction() as session:
        result = session.execute(sa.delete(table).where(table.c.expires_at < utcnow()))
        return int(getattr(result, "rowcount", 0))
