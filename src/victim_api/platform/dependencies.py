"""FastAPI dependencies shared by every router: the database session and app services.

``DbSession`` is one transaction per request. It commits when the route
function returns, *before* the response is sent (``scope="function"``), so a
failed commit (say, the audit write) becomes an error response and no data
that was not durably recorded ever leaves the service. ``AuditedReadSession``
keeps that promise for routes that only read, with the audit append in its own
short transaction so readers do not queue on the write lock.
"""

from __future__ import annotations

import asyncio
import weakref
from collections.abc import AsyncIterator
from typing import Annotated, Any, cast

from anyio import CapacityLimiter, to_thread
from fastapi import Depends, Request
from sqlalchemy import event
from sqlmodel import Session
from starlette.concurrency import run_in_threadpool

from victim_api.platform.audit import take_pending, write_entries
from victim_api.platform.db import Database
from victim_api.platform.idempotency import release
from victim_api.platform.keys import KeyStore
from victim_api.platform.pagination import CursorCodec
from victim_api.settings import Settings

_RELEASE_ON_ROLLBACK = "victim_api.after_rollback_release"


# The dependencies are async: FastAPI runs a sync dependency in the threadpool,
# and a sync generator there twice (enter and exit), and each round trip costs
# more than most routes' own work (docs/performance.md).
#
# Where a transaction ends matters: a session holding a pooled connection (and
# on SQLite the one write lock) must be able to commit while every worker
# thread waits, for that connection or that lock. Had its commit to queue for a
# worker thread, nothing would move until a timeout (seen under 64
# connections, on both databases). So:
# - a SQLite session holding the lock commits on the event loop: its flush and
#   commit wait for nothing but the disk;
# - any other commit (PostgreSQL, whose flush may wait for another
#   transaction's row lock, which must never happen on the event loop) runs in
#   a worker thread of its own, under a limiter that route work never takes;
# - rollbacks wait for no lock and run in place; releasing idempotency keys (a
#   write of its own, holding nothing) and the audit append use the threadpool.
COMMIT_THREADS = 16
_commit_limiters: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, CapacityLimiter] = (
    weakref.WeakKeyDictionary()
)


def _commit_limiter() -> CapacityLimiter:
    """This event loop's limiter for commits (a limiter belongs to one loop)."""
    loop = asyncio.get_running_loop()
    limiter = _commit_limiters.get(loop)
    if limiter is None:
        limiter = _commit_limiters[loop] = CapacityLimiter(COMMIT_THREADS)
    return limiter


_CONNECTED = "victim_api.connected"


@event.listens_for(Session, "after_begin")
def _mark_connected(session: Session, _transaction: Any, _connection: Any) -> None:
    session.info[_CONNECTED] = True


@event.listens_for(Session, "after_transaction_end")
def _mark_released(session: Session, transaction: Any) -> None:
    if transaction.parent is None:  # the outermost transaction ended: connection returned
        session.info.pop(_CONNECTED, None)


async def get_database(request: Request) -> Database:
    return cast(Database, request.app.state.database)


async def get_settings_dep(request: Request) -> Settings:
    return cast(Settings, request.app.state.settings)


async def get_keys(request: Request) -> KeyStore:
    return cast(KeyStore, request.app.state.keys)


async def get_cursor_codec(request: Request) -> CursorCodec:
    return cast(CursorCodec, request.app.state.cursor_codec)


async def get_session(request: Request) -> AsyncIterator[Session]:
    """A write transaction for the request: commit on success, roll back on error."""
    database: Database = request.app.state.database
    session = database.session()  # no connection until the route's first statement
    try:
        yield session
        if database.is_sqlite and session.info.get(_CONNECTED):
            session.commit()
        else:
            await to_thread.run_sync(session.commit, limiter=_commit_limiter())
    except BaseException:
        session.rollback()
        session.close()
        for client_id, key in session.info.pop(_RELEASE_ON_ROLLBACK, []):
            await run_in_threadpool(release, database, client_id, key)
        raise
    session.close()


async def get_audited_read_session(request: Request) -> AsyncIterator[Session]:
    """A read-only transaction whose audit entries are written after it, before the response.

    For routes that only read (and audit what they disclose). The reads take no
    write lock, so concurrent readers are not queued behind one another; the
    entries are appended to the chain in a short write transaction of their own
    once the route returns. If that write fails the route answers 503 and no
    data leaves the service, as with ``DbSession``. A route that writes must
    use ``DbSession``.
    """
    database: Database = request.app.state.database
    session = database.read_session()
    try:
        yield session
        entries = take_pending(session)
    finally:
        session.close()  # ends the read snapshot; nothing to keep
    if entries:
        await run_in_threadpool(write_entries, database, entries)


def read_database(state: Any) -> Database:
    """The replica for non-personal reads if one is configured, else the primary."""
    return cast(Database, getattr(state, "read_database", None) or state.database)


async def get_read_session(request: Request) -> AsyncIterator[Session]:
    """A read-only transaction, for routes that touch no personal data.

    Served by the read replica when ``VICTIM_API_READ_REPLICA_URL`` is set.
    """
    session = read_database(request.app.state).read_session()
    try:
        yield session
    finally:
        session.close()


DbSession = Annotated[Session, Depends(get_session, scope="function")]
ReadSession = Annotated[Session, Depends(get_read_session, scope="function")]
AuditedReadSession = Annotated[Session, Depends(get_audited_read_session, scope="function")]
DatabaseDep = Annotated[Database, Depends(get_database)]
SettingsDep = Annotated[Settings, Depends(get_settings_dep)]
KeysDep = Annotated[KeyStore, Depends(get_keys)]
CursorCodecDep = Annotated[CursorCodec, Depends(get_cursor_codec)]
