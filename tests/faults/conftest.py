"""Helpers for fault tests: real server processes over their own databases."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import httpx

from tests.support.auth import scopes_for
from victim_api.platform.clients import create_client
from victim_api.platform.db import Database
from victim_api.platform.principal import Channel
from victim_api.settings import Settings


def server_env(database_url: str, settings: Settings, **extra: str) -> dict[str, str]:
    return {
        "VICTIM_API_ENV": "test",
        "VICTIM_API_DATABASE_URL": database_url,
        "VICTIM_API_KEYS_DIR": str(settings.keys_dir),
        "VICTIM_API_LOG_FORMAT": "json",
        "VICTIM_API_TOKEN_RATE_LIMIT_PER_MINUTE": "1000",
        **extra,
    }


def issue_headers(
    database_url: str,
    settings: Settings,
    base_url: str,
    channel: Channel,
    *,
    organisation_id: str | None = None,
    acting_user: str | None = None,
) -> dict[str, str]:
    """A new API client of ``channel`` with every scope it may hold, and a bearer header."""
    database = Database(database_url, pool_size=1, max_overflow=0)
    try:
        with database.transaction() as session:
            issued = create_client(
                session,
                name=f"faults {channel}",
                channel=channel,
                scopes=scopes_for(channel),
                organisation_id=organisation_id,
                pepper=settings.secret_pepper,
            )
    finally:
        database.dispose()
    form = {"grant_type": "client_credentials"}
    if acting_user:
        form["acting_user"] = acting_user
    response = httpx.post(
        f"{base_url}/v1/oauth/token",
        data=form,
        auth=(issued.client_id, issued.client_secret),
        timeout=10,
    )
    assert response.status_code == 200, response.text
    return {"Authorization": f"Bearer {response.json()['access_token']}"}


def log_tail(path: Path) -> str:
    return path.read_text(errors="replace")[-3000:]


# Figures the fault tests measured, printed at the end of the run (docs/security.md quotes them).
FIGURES: list[str] = []


def pytest_terminal_summary(terminalreporter: Any) -> None:
    if FIGURES:
        terminalreporter.section("fault injection figures")
        for line in FIGURES:
            terminalreporter.write_line(line)


from tests.referrals.conftest import partners  # noqa: E402, F401 - the directory's partner services
