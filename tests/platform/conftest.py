from __future__ import annotations

from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient

from tests.support.probe import probe_app
from victim_api.settings import Settings


@pytest.fixture(scope="module")
def probe(settings: Settings) -> Iterator[TestClient]:
    """The real app plus the test-only probe routes (tests/support/probe.py)."""
    app = probe_app(settings)
    with TestClient(app, raise_server_exceptions=False) as client:
        yield client
    app.state.database.dispose()
