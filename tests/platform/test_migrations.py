"""Alembic owns the schema: no drift, and a clean round trip to base and back."""

from __future__ import annotations

import os
from pathlib import Path

from alembic import command

from tests.support.database import (
    TEST_DATABASE_URL_ENV,
    drop_postgres_database,
    fresh_postgres_database,
)
from victim_api.platform.migrations import alembic_config, downgrade, upgrade


def test_models_and_migrations_agree(database_url: str) -> None:
    """`alembic check` raises if autogenerate would produce any operation."""
    command.check(alembic_config(database_url))


def test_downgrade_to_base_and_upgrade_again(tmp_path: Path) -> None:
    admin_url = os.environ.get(TEST_DATABASE_URL_ENV, "")
    if admin_url.startswith("postgresql"):
        url, name = fresh_postgres_database(admin_url)
    else:
        url, name = f"sqlite:///{tmp_path / 'roundtrip.db'}", ""
    try:
        upgrade(url)
        downgrade(url, "base")
        upgrade(url)
        command.check(alembic_config(url))
    finally:
        if name:
            drop_postgres_database(admin_url, name)
