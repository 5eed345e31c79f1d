"""FastAPI dependencies shared by every router: the database session and app services.

``DbSession`` is one transaction per request. It commits when the route
function returns, *before* the response is sent (``scope="function"``), so a
failed commit (say, the audit write) becomes an error response and no data
that was not durably recorded ever leaves the service. ``AuditedReadSession``
keeps that promise for routes that only read, with the audit append in its own
short transaction so readers do not queue on the write lock.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Annotated, Any, cast

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
# Where the transaction ends matters. On SQLite a write session holds the
# database's write lock from its first statement to its commit. Were that
# commit queued for a worker thread, and every worker thread taken by requests
# waiting for that lock, nothing would move until the busy timeout. So a
# session that holds a connection commits or rolls back on the event loop
# (neither waits for a lock, only for the disk); only work that may wait for the
# lock (a first flush, the audit append, releasing idempotency keys) goes to
# the threadpool.

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
        if session.info.get(_CONNECTED):
            session.commit()
        else:  # nothing ran yet: the flush may wait for the write lock
            await run_in_threadpool(session.commit)
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
