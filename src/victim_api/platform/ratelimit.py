"""A rate limiter whose counters live in the database, shared by every process.

Fixed windows: each (bucket, window start) row counts hits with one upsert
(``INSERT ... ON CONFLICT DO UPDATE ... RETURNING``), in its own short
transaction so the count survives a failed request. Over the limit is 429
problem with ``Retry-After``.
"""

from __future__ import annotations

import hashlib
import math
import random
import time

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite
from sqlmodel import Field, SQLModel

from victim_api.platform.db import Database, table_of
from victim_api.platform.errors import ProblemError


class RateLimitCounter(SQLModel, table=True):
    __tablename__ = "rate_limit_counter"

    bucket: str = Field(primary_key=True, max_length=64)
    window_start: int = Field(primary_key=True, sa_column_kwargs={"autoincrement": False})
    window_end: int
    hits: int = Field(default=0)


class RateLimitedError(ProblemError):
    def __init__(self, retry_after: int) -> None:
        super().__init__(
            429,
            "rate_limited",
            "Too many requests. Wait before trying again.",
            headers={"Retry-After": str(retry_after)},
        )


def bucket_key(name: str, *parts: str) -> str:
    """A fixed-length key; hashing keeps client addresses and ids out of the table."""
    digest = hashlib.sha256("\x1f".join((name, *parts)).encode()).hexdigest()[:40]
    return f"{name[:20]}:{digest}"


def hit(database: Database, bucket: str, *, limit: int, window_seconds: int) -> int:
    """Count one hit; raise 429 if the window's count is now over ``limit``."""
    now = time.time()
    window_start = int(now // window_seconds * window_seconds)
    hits = _increment(database, bucket, window_start, window_start + window_seconds)
    if random.random() < 0.01:  # noqa: S311 - housekeeping, not security
        _purge_expired(database, int(now))
    if hits > limit:
        raise RateLimitedError(max(1, math.ceil(window_start + window_seconds - now)))
    return hits


def _increment(database: Database, bucket: str, window_start: int, window_end: int) -> int:
    insert = postgresql.insert if not database.is_sqlite else sqlite.insert
    table = table_of(RateLimitCounter)
    statement = (
        insert(table)
        .values(bucket=bucket, window_start=window_start, window_end=window_end, hits=1)
        .on_conflict_do_update(
            index_elements=["bucket", "window_start"], set_={"hits": table.c.hits + 1}
        )
        .returning(table.c.hits)
    )
    with database.transaction() as session:
        return int(session.execute(statement).scalar_one())


def _purge_expired(database: Database, now: int) -> None:
    table = table_of(RateLimitCounter)
    with database.transaction() as session:
        session.execute(sa.delete(table).where(table.c.window_end < now))
