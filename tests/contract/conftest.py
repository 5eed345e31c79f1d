"""The contract loaded for schemathesis, against the in-process app."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import schemathesis
from fastapi import FastAPI

# Conditional requests: whether If-Match or If-None-Match holds depends on the
# server's state, which no schema can express, so 412 and 428 are acceptable
# answers to schema-valid data (RFC 9110 §13, RFC 6585 §3).
PRECONDITION_STATUSES = ["412", "428"]


@pytest.fixture(scope="module")
def api_schema(app: FastAPI, repo_root: Path, published_leaflets: list[str]) -> Any:
    config = schemathesis.config.SchemathesisConfig.from_path(repo_root / "schemathesis.toml")
    loaded = schemathesis.openapi.from_path(repo_root / "openapi" / "openapi.yaml", config=config)
    loaded.app = app
    positive = loaded.config.checks.positive_data_acceptance
    positive.expected_statuses = [*positive.expected_statuses, *PRECONDITION_STATUSES]
    return loaded


from tests.referrals.conftest import partners  # noqa: E402, F401 - the directory's partner services
