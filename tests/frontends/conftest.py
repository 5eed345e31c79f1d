"""The reference front ends against a real server on loopback, with the demo data.

The server is what `make run` serves (``migrate`` then ``seed-demo``, on a
temporary SQLite file with keys in a temporary directory), with the QR URL
template pointing at its own ``/l`` page and the page's WEB client configured,
so a QR URL opens the page exactly as a scanned leaflet would.

Chromium: only Debian's ``/usr/bin/chromium`` (``.ci/run`` installs it), never a
downloaded browser. Where it is missing the browser test is skipped with the
reason, except under CI (``CI`` set), where a missing browser fails the run.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.support.server import free_port, run_cli, running_server
from victim_api.cases import demo as demo_cases

CHROMIUM = Path("/usr/bin/chromium")
SETUP_SECONDS = 180

# The seeded burglary victim (victims/seed.py): all invented.
DEMO_VICTIM = {"crime_reference": "9900001/26", "date_of_birth": "1990-04-12", "pin": "482913"}
DEMO_CASE_ID = str(uuid.uuid5(demo_cases.NAMESPACE, "burglary-new"))


@dataclass(frozen=True)
class DemoServer:
    base_url: str
    env: dict[str, str]
    log_path: Path

    def staff_headers(self) -> dict[str, str]:
        response = httpx.post(
            f"{self.base_url}/v1/oauth/token",
            data={"grant_type": "client_credentials"},
            auth=("demo-staff", "demo-staff-secret"),
            timeout=10,
        )
        response.raise_for_status()
        return {"Authorization": f"Bearer {response.json()['access_token']}"}

    def issue_qr(self, **body: Any) -> dict[str, Any]:
        """A QR token as staff issue one for a print run (or for one case)."""
        response = httpx.post(
            f"{self.base_url}/v1/qr-tokens",
            json={"leaflet_slug": "victim-information", **body},
            headers=self.staff_headers(),
            timeout=10,
        )
        assert response.status_code == 201, response.text
        return dict(response.json())

    def log_tail(self, characters: int = 3000) -> str:
        return self.log_path.read_text(errors="replace")[-characters:]


@pytest.fixture(scope="session")
def demo_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[DemoServer]:
    work = tmp_path_factory.mktemp("frontends-server")
    port = free_port()
    env = {
        "VICTIM_API_ENV": "development",
        "VICTIM_API_DATABASE_URL": f"sqlite:///{work / 'victim-api.db'}",
        "VICTIM_API_KEYS_DIR": str(work / "keys"),
        "VICTIM_API_LOG_FORMAT": "json",
        "VICTIM_API_QR_URL_TEMPLATE": f"http://127.0.0.1:{port}/l#t={{token}}",
        "VICTIM_API_WEB_PAGE_CLIENT_ID": "demo-web",
    }
    run_cli(["migrate"], env, SETUP_SECONDS)
    run_cli(["seed-demo"], env, SETUP_SECONDS)
    with running_server(env, work / "server.log", port=port) as base_url:
        yield DemoServer(base_url, env, work / "server.log")


@pytest.fixture(scope="session")
def chromium() -> Path:
    """Debian's Chromium; skipped with the reason only outside CI."""
    if CHROMIUM.is_file() and os.access(CHROMIUM, os.X_OK):
        return CHROMIUM
    reason = f"{CHROMIUM} is missing (apt-get install chromium; .ci/run installs it)"
    if os.environ.get("CI"):
        pytest.fail(f"CI must run the browser test: {reason}", pytrace=False)
    pytest.skip(reason)
