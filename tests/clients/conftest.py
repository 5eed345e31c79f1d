"""A real server on loopback for the generated clients, over the suite's database.

It shares the database of the in-process ``app`` fixture (SQLite file, or
PostgreSQL in CI), so credentials made with ``tests.support.auth.new_client``
work against it. Started once per session, stopped by PID.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.support.server import running_server
from victim_api.settings import Settings


@dataclass(frozen=True)
class LiveServer:
    base_url: str
    log_path: Path

    def log_tail(self, characters: int = 3000) -> str:
        return self.log_path.read_text(errors="replace")[-characters:]


@pytest.fixture(scope="session")
def live_server(
    settings: Settings, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[LiveServer]:
    log_path = tmp_path_factory.mktemp("clients-server") / "server.log"
    env = {
        "VICTIM_API_ENV": "test",
        "VICTIM_API_DATABASE_URL": settings.database_url,
        "VICTIM_API_KEYS_DIR": str(settings.keys_dir),
        "VICTIM_API_LOG_FORMAT": "json",
    }
    with running_server(env, log_path) as base_url:
        yield LiveServer(base_url, log_path)
