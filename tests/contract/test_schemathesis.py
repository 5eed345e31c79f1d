"""schemathesis over every operation of the committed contract, in-process.

All default checks run. The run is derandomised (a fixed seed) with a bounded
number of examples per operation, so CI is repeatable; `make fuzz` runs longer.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest
import schemathesis
from fastapi import FastAPI
from hypothesis import HealthCheck, settings

MAX_EXAMPLES = int(os.environ.get("VICTIM_API_FUZZ_EXAMPLES", "15"))


@pytest.fixture(scope="module")
def api_schema(app: FastAPI, repo_root: Path) -> schemathesis.schemas.BaseSchema:
    loaded = schemathesis.openapi.from_path(repo_root / "openapi" / "openapi.yaml")
    loaded.app = app
    return loaded


schema = schemathesis.pytest.from_fixture("api_schema")


@schema.parametrize()
@settings(
    max_examples=MAX_EXAMPLES,
    derandomize=True,
    deadline=None,
    suppress_health_check=list(HealthCheck),
)
def test_every_operation_honours_the_contract(case: schemathesis.Case) -> None:
    case.call_and_validate()
