"""``victim-api seed-demo``: synthetic demo data for every domain.

All names, numbers and addresses are invented. Each domain contributes an
idempotent seeder; running the command twice changes nothing the second time.
"""

from __future__ import annotations

from collections.abc import Callable

from sqlmodel import Session

from victim_api.leaflets.demo import seed_leaflets
from victim_api.platform.db import Database
from victim_api.platform.demo_clients import seed_demo_clients

Seeder = Callable[[Session], list[str]]

# (name, seeder) in dependency order; a seeder returns lines to print.
SEEDERS: list[tuple[str, Seeder]] = [
    ("clients", seed_demo_clients),
    ("leaflets", seed_leaflets),
]


def seed_demo(database: Database) -> list[str]:
    import victim_api.app  # noqa: F401  (registers every domain's scopes)

    report: list[str] = []
    for name, seeder in SEEDERS:
        with database.transaction() as session:
            lines = seeder(session)
        report.extend(f"[{name}] {line}" for line in lines)
    return report
