"""The database: engines, sessions and the schema's naming convention.

SQLite is the embedded default and PostgreSQL production. The same code runs on
both; where they differ (transaction start, pragmas, pooling) it is handled here
and nowhere else.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any, cast

from sqlalchemy import Engine, Table, create_engine, event
from sqlalchemy.engine import make_url
from sqlmodel import Session, SQLModel

# Explicit constraint names, so migrations are deterministic and revertible on
# both databases (SQLite batch mode needs named constraints to alter them).
NAMING_CONVENTION = {
    "ix": "ix_%(table_name)s_%(column_0_N_name)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}
SQLModel.metadata.naming_convention = NAMING_CONVENTION
metadata = SQLModel.metadata

# Execution option telling the SQLite "begin" hook to take the write lock at once.
_SQLITE_WRITE = "victim_api_sqlite_write"


def is_sqlite_url(url: str) -> bool:
    return make_url(url).get_backend_name() == "sqlite"


def create_db_engine(
    url: str, *, pool_size: int = 10, max_overflow: int = 10, sqlite_busy_timeout: float = 30.0
) -> Engine:
    """An engine configured for durability on SQLite and resilience on PostgreSQL.

    ``hide_parameters`` keeps bound values (which may be personal data) out of
    SQLAlchemy's log lines and exception messages. ``sqlite_busy_timeout`` is how
    long a SQLite writer waits for the write lock before the request answers 503.
    """
    if is_sqlite_url(url):
        return _create_sqlite_engine(url, sqlite_busy_timeout)
    return create_engine(
        url,
        pool_pre_ping=True,
        pool_size=pool_size,
        max_overflow=max_overflow,
        pool_recycle=1800,
        hide_parameters=True,
    )


def _create_sqlite_engine(url: str, busy_timeout: float) -> Engine:
    database = make_url(url).database
    if database and database != ":memory:":
        Path(database).parent.mkdir(parents=True, exist_ok=True)
    engine = create_engine(
        url,
        connect_args={"check_same_thread": False, "timeout": busy_timeout},
        hide_parameters=True,
        pool_size=20,
        max_overflow=20,
    )

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        # Take over transaction control from pysqlite so BEGIN is ours to emit.
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA synchronous=FULL")
        cursor.execute(f"PRAGMA busy_timeout={int(busy_timeout * 1000)}")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(connection: Any) -> None:
        # A transaction that will write takes the lock up front; a deferred one
        # that later writes can fail with SQLITE_BUSY without waiting.
        immediate = connection.get_execution_options().get(_SQLITE_WRITE, True)
        connection.exec_driver_sql("BEGIN IMMEDIATE" if immediate else "BEGIN")

    return engine


class Database:
    """The process's engine plus session factories for writes and reads."""

    def __init__(
        self,
        url: str,
        *,
        pool_size: int = 10,
        max_overflow: int = 10,
        sqlite_busy_timeout: float = 30.0,
    ) -> None:
        self.url = url
        self.engine = create_db_engine(
            url,
            pool_size=pool_size,
            max_overflow=max_overflow,
            sqlite_busy_timeout=sqlite_busy_timeout,
        )
        self.is_sqlite = is_sqlite_url(url)
        self._read_engine = self.engine.execution_options(**{_SQLITE_WRITE: False})

    def session(self) -> Session:
        """A session for work that may write (takes SQLite's write lock at BEGIN)."""
        return Session(self.engine, expire_on_commit=False)

    def read_session(self) -> Session:
        """A session for read-only work: never blocks writers or other readers."""
        return Session(self._read_engine, expire_on_commit=False)

    @contextmanager
    def transaction(self) -> Iterator[Session]:
        """A write session that commits on success and rolls back on error."""
        with self.session() as session, session.begin():
            yield session

    def dispose(self) -> None:
        self.engine.dispose()


def table_of(model: type[SQLModel]) -> Table:
    """The Core table behind a SQLModel class, typed, for Core queries on hot paths."""
    return cast(Table, model.__table__)  # type: ignore[attr-defined]
