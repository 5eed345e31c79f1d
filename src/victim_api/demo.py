"""``victim-api seed-demo``: synthetic demo data for every domain.

All names, numbers and addresses are invented. Each domain contributes an
idempotent seeder; running the command twice changes nothing the second time.
"""

from __future__ import annotations

from collections.abc import Callable

from sqlmodel import Session

from victim_api.directory.seed import seed_directory
from victim_api.platform.db import Database

Seeder = Callable[[Session], list[str]]

# (name, seeder) in dependency order; a seeder returns lines to print.
SEEDERS: list[tuple[str, Seeder]] = [("directory", seed_directory)]


def seed_demo(database: Database) -> list[str]:
    report: list[str] = []
    for name, seeder in SEEDERS:
        with database.transaction() as session:
            lines = seeder(session)
        report.extend(f"[{name}] {line}" for line in lines)
    return report
