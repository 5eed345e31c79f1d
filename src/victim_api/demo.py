"""``victim-api seed-demo``: synthetic demo data for every domain.

All names, numbers and addresses are invented. Each domain contributes an
idempotent seeder; running the command twice changes nothing the second time.
"""

from __future__ import annotations

from collections.abc import Callable
from contextvars import ContextVar
from dataclasses import dataclass

from sqlmodel import Session

from victim_api.callbacks import seed as callbacks
from victim_api.cases import demo as cases
from victim_api.directory.seed import seed_directory
from victim_api.leaflets.demo import seed_leaflets
from victim_api.platform.db import Database
from victim_api.platform.demo_clients import seed_demo_clients
from victim_api.qr.seed import seed_demo_qr
from victim_api.referrals import seed as referrals
from victim_api.settings import Settings, get_settings
from victim_api.victims import seed as victims

Seeder = Callable[[Session], list[str]]


@dataclass(frozen=True)
class SeedContext:
    """What a seeder may need beyond its session: the database and the settings."""

    database: Database
    settings: Settings


_context: ContextVar[SeedContext] = ContextVar("victim_api_seed_context")


def seed_context() -> SeedContext:
    """The database and settings of the seed run in progress."""
    return _context.get()


# (name, seeder) in dependency order; a seeder returns lines to print.
SEEDERS: list[tuple[str, Seeder]] = [
    ("clients", seed_demo_clients),
    ("cases", cases.seed),
    ("victims", victims.seed),
    ("directory", seed_directory),
    ("leaflets", seed_leaflets),
    ("qr", seed_demo_qr),
    ("referrals", referrals.seed),
    ("callbacks", callbacks.seed),
]


def seed_demo(database: Database, settings: Settings | None = None) -> list[str]:
    import victim_api.app  # noqa: F401  (registers every domain's scopes)

    _context.set(SeedContext(database, settings or get_settings()))
    report: list[str] = []
    for name, seeder in SEEDERS:
        with database.transaction() as session:
            lines = seeder(session)
        report.extend(f"[{name}] {line}" for line in lines)
    return report
