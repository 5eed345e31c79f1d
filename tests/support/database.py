"""Fresh, isolated test databases on PostgreSQL."""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from victim_api.platform.migrations import upgrade

TEST_DATABASE_URL_ENV = "VICTIM_API_TEST_DATABASE_URL"


def fresh_postgres_database(admin_url: str) -> tuple[str, str]:
    """Create an empty database beside the one named in ``admin_url``."""
    name = f"victim_api_test_{uuid.uuid4().hex[:12]}"
    engine = create_engine(admin_url, isolation_level="AUTOCOMMIT")
    with engine.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    engine.dispose()
    return make_url(admin_url).set(database=name).render_as_string(hide_password=False), name


def drop_postgres_database(admin_url: str, name: str) -> None:
    engine = create_engine(admin_url, isolation_level="AUTOCOMMIT")
    with engine.connect() as connection:
        connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    engine.dispose()


@contextmanager
def fresh_database(tmp_dir: Path) -> Iterator[str]:
    """A new, migrated database of the kind the suite runs on, dropped afterwards."""
    admin_url = os.environ.get(TEST_DATABASE_URL_ENV, "")
    name = ""
    if admin_url.startswith("postgresql"):
        url, name = fresh_postgres_database(admin_url)
    else:
        url = f"sqlite:///{tmp_dir / f'fresh-{uuid.uuid4().hex[:8]}.db'}"
    try:
        upgrade(url)
        yield url
    finally:
        if name:
            drop_postgres_database(admin_url, name)
