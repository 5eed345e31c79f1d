"""A rate limiter whose counters live in the database, shared by every process.

Fixed windows: each (bucket, window start) row counts hits with one upsert
(``INSERT ... ON CONFLICT DO UPDATE ... RETURNING``), in its own short
transaction so the count survives a failed request. Over the limit is 429
problem with ``Retry-After``.

:func:`hit` writes on every call. :class:`BatchedLimiter` is for hot public
routes: it counts in the process and adds to the same shared counters a batch
at a time, so most requests never write.
"""

from __future__ import annotations

import hashlib
import math
import random
import threading
import time
from typing import Any

import sqlalchemy as sa
from fastapi.concurrency import run_in_threadpool
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session
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


class BatchedLimiter:
    """A shared limit that touches the database once per ``batch`` hits of a bucket.

    Each process counts hits in memory and adds them to the shared counter
    ``batch`` at a time, reading back the total every process has added. A
    bucket is refused (429) as soon as that total plus the hits not yet added
    passes ``limit``, so the shared count lags by under ``batch`` hits per
    process. Past ``max_buckets`` buckets in one window, new buckets are counted
    in the database hit by hit, so memory stays bounded.
    """

    def __init__(
        self,
        database: Database,
        *,
        limit: int,
        window_seconds: int = 60,
        batch: int = 10,
        max_buckets: int = 10_000,
    ) -> None:
        self.database = database
        self.limit = limit
        self.window_seconds = window_seconds
        self.batch = max(1, batch)
        self.max_buckets = max_buckets
        self._lock = threading.Lock()
        self._window = 0
        # bucket -> [shared total last read, hits not yet added]
        self._counts: dict[str, list[int]] = {}

    def hit(self, bucket: str) -> None:
        """Count one hit; raise 429 when over the limit. May write (every ``batch`` hits)."""
        flush = self.count(bucket)
        if flush is not None:
            self.add(*flush)

    async def hit_async(self, bucket: str) -> None:
        """:meth:`hit` for ``async`` code: only the occasional write goes to a thread."""
        flush = self.count(bucket)
        if flush is not None:
            await run_in_threadpool(self.add, *flush)

    def count(self, bucket: str) -> tuple[str, int, int, int, int] | None:
        """Count in memory; raise 429 if over. Returns what :meth:`add` must write, if anything."""
        now = time.time()
        window_start = int(now // self.window_seconds * self.window_seconds)
        window_end = window_start + self.window_seconds
        retry_after = max(1, math.ceil(window_end - now))
        with self._lock:
            if window_start != self._window:
                self._window, self._counts = window_start, {}
            counts = self._counts.get(bucket)
            if counts is None and len(self._counts) < self.max_buckets:
                counts = self._counts[bucket] = [0, 0]
            if counts is not None:
                counts[1] += 1
                estimate = counts[0] + counts[1]
                to_add = counts[1] if counts[1] >= self.batch else 0
                counts[1] -= to_add
        if counts is None:
            return bucket, window_start, window_end, 1, retry_after
        if estimate > self.limit:
            raise RateLimitedError(retry_after)
        return (bucket, window_start, window_end, to_add, retry_after) if to_add else None

    def add(
        self, bucket: str, window_start: int, window_end: int, hits: int, retry_after: int
    ) -> None:
        """Add ``hits`` to the shared counter; raise 429 if every process's total is over."""
        total = _increment(self.database, bucket, window_start, window_end, by=hits)
        with self._lock:
            counts = self._counts.get(bucket) if window_start == self._window else None
            if counts is not None:
                counts[0] = max(counts[0], total)
        if random.random() < 0.01:  # noqa: S311 - housekeeping, not security
            _purge_expired(self.database, int(time.time()))
        if total > self.limit:
            raise RateLimitedError(retry_after)


_limiters_lock = threading.Lock()


def shared_limiter(state: Any, name: str, *, limit: int, batch: int = 10) -> BatchedLimiter:
    """The app's one :class:`BatchedLimiter` called ``name`` (per minute), made on first use."""
    limiters: dict[str, BatchedLimiter] | None = getattr(state, "rate_limiters", None)
    limiter = limiters.get(name) if limiters is not None else None
    if limiter is None:
        with _limiters_lock:
            limiters = getattr(state, "rate_limiters", None)
            if limiters is None:
                limiters = state.rate_limiters = {}
            limiter = limiters.get(name)
            if limiter is None:
                limiter = limiters[name] = BatchedLimiter(
                    state.database, limit=limit, window_seconds=60, batch=batch
                )
    return limiter


def window_of(window_seconds: int, now: float | None = None) -> tuple[int, int]:
    """The fixed window (start, end) that ``now`` falls in."""
    start = int((time.time() if now is None else now) // window_seconds * window_seconds)
    return start, start + window_seconds


def count_in(session: Session, bucket: str, *, window_seconds: int, by: int = 1) -> int:
    """Add ``by`` to a bucket's current window inside the caller's transaction; the new total.

    For counts that must commit (or roll back) with other work, such as failed
    verifications counted with their audit entry. Never raises 429 itself.
    """
    start, end = window_of(window_seconds)
    return int(session.execute(_upsert(session, bucket, start, end, by)).scalar_one())


def current_hits(session: Session, bucket: str, *, window_seconds: int) -> int:
    """The bucket's count in the current window (0 when none), without counting."""
    table = table_of(RateLimitCounter)
    start, _ = window_of(window_seconds)
    found = session.execute(
        sa.select(table.c.hits).where(table.c.bucket == bucket, table.c.window_start == start)
    ).scalar()
    return int(found or 0)


def _upsert(session: Session, bucket: str, window_start: int, window_end: int, by: int) -> Any:
    sqlite_dialect = session.get_bind().dialect.name == "sqlite"
    insert = sqlite.insert if sqlite_dialect else postgresql.insert
    table = table_of(RateLimitCounter)
    return (
        insert(table)
        .values(bucket=bucket, window_start=window_start, window_end=window_end, hits=by)
        .on_conflict_do_update(
            index_elements=["bucket", "window_start"], set_={"hits": table.c.hits + by}
        )
        .returning(table.c.hits)
    )


def _increment(
    database: Database, bucket: str, window_start: int, window_end: int, by: int = 1
) -> int:
    with database.transaction() as session:
        return int(
            session.execute(_upsert(session, bucket, window_start, window_end, by)).scalar_one()
        )


def _purge_expired(database: Database, now: int) -> None:
    table = table_of(RateLimitCounter)
    with database.transaction() as session:
        session.execute(sa.delete(table).where(table.c.window_end < now))
