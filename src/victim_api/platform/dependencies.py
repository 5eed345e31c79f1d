"""FastAPI dependencies shared by every router: the database session and app services.

``DbSession`` is one transaction per request. It commits when the route
function returns, *before* the response is sent (``scope="function"``), so a
failed commit (say, the audit write) becomes an error response and no data
that was not durably recorded ever leaves the service. ``AuditedReadSession``
keeps that promise for routes that only read, with the audit append in its own
short transaction so readers do not queue on the write lock.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Annotated, Any, cast

from fastapi import Depends, Request
from sqlmodel import Session

from victim_api.platform.audit import take_pending, write_entries
from victim_api.platform.db import Database
from victim_api.platform.idempotency import release
from victim_api.platform.keys import KeyStore
from victim_api.platform.pagination import CursorCodec
from victim_api.settings import Settings

_RELEASE_ON_ROLLBACK = "victim_api.after_rollback_release"


def get_database(request: Request) -> Database:
    return cast(Database, request.app.state.database)


def get_settings_dep(request: Request) -> Settings:
    return cast(Settings, request.app.state.settings)


def get_keys(request: Request) -> KeyStore:
    return cast(KeyStore, request.app.state.keys)


def get_cursor_codec(request: Request) -> CursorCodec:
    return cast(CursorCodec, request.app.state.cursor_codec)


def get_session(request: Request) -> Iterator[Session]:
    """A write transaction for the request: commit on success, roll back on error."""
    database: Database = request.app.state.database
    with database.session() as session:
        try:
            yield session
            session.commit()
        except BaseException:
            session.rollback()
            for client_id, key in session.info.pop(_RELEASE_ON_ROLLBACK, []):
                release(database, client_id, key)
            raise


def get_audited_read_session(request: Request) -> Iterator[Session]:
    """A read-only transaction whose audit entries are written after it, before the response.

    For routes that only read (and audit what they disclose). The reads take no
    write lock, so concurrent readers are not queued behind one another; the
    entries are appended to the chain in a short write transaction of their own
    once the route returns. If that write fails the route answers 503 and no
    data leaves the service, as with ``DbSession``. A route that writes must
    use ``DbSession``.
    """
    database: Database = request.app.state.database
    with database.read_session() as session:
        yield session
        entries = take_pending(session)
        session.rollback()  # nothing to keep; ends the read snapshot
    if entries:
        write_entries(database, entries)


def read_database(state: Any) -> Database:
    """The replica for non-personal reads if one is configured, else the primary."""
    return cast(Database, getattr(state, "read_database", None) or state.database)


def get_read_session(request: Request) -> Iterator[Session]:
    """A read-only transaction, for routes that touch no personal data.

    Served by the read replica when ``VICTIM_API_READ_REPLICA_URL`` is set.
    """
    with read_database(request.app.state).read_session() as session:
        yield session


DbSession = Annotated[Session, Depends(get_session, scope="function")]
ReadSession = Annotated[Session, Depends(get_read_session, scope="function")]
AuditedReadSession = Annotated[Session, Depends(get_audited_read_session, scope="function")]
DatabaseDep = Annotated[Database, Depends(get_database)]
SettingsDep = Annotated[Settings, Depends(get_settings_dep)]
KeysDep = Annotated[KeyStore, Depends(get_keys)]
CursorCodecDep = Annotated[CursorCodec, Depends(get_cursor_codec)]
