"""schemathesis over every operation of the committed contract, in-process.

All default checks run, with a valid token for a channel the operation allows,
so generated cases reach past 401 into the real handlers. The run is
derandomised (a fixed seed) with a bounded number of examples per operation,
so CI is repeatable; `make fuzz` raises VICTIM_API_FUZZ_EXAMPLES.
"""

from __future__ import annotations

import os
import re
import uuid
from pathlib import Path
from typing import Any

import pytest
import schemathesis
from fastapi import FastAPI
from hypothesis import HealthCheck, settings

MAX_EXAMPLES = int(os.environ.get("VICTIM_API_FUZZ_EXAMPLES", "15"))
# Conditional requests: whether If-Match or If-None-Match holds depends on the
# server's state, which no schema can express, so 412 and 428 are acceptable
# answers to schema-valid data (RFC 9110 §13, RFC 6585 §3).
PRECONDITION_STATUSES = ["412", "428"]
VALID_IDEMPOTENCY_KEY = re.compile(r"^[A-Za-z0-9_.:-]{8,128}$")


@pytest.fixture(scope="module")
def api_schema(app: FastAPI, repo_root: Path) -> Any:
    loaded = schemathesis.openapi.from_path(repo_root / "openapi" / "openapi.yaml")
    loaded.app = app
    positive = loaded.config.checks.positive_data_acceptance
    positive.expected_statuses = [*positive.expected_statuses, *PRECONDITION_STATUSES]
    return loaded


schema = schemathesis.pytest.from_fixture("api_schema")


def _token_for(case: schemathesis.Case, channel_tokens: dict[str, str]) -> str | None:
    allowed = case.operation.definition.raw.get("x-allowed-channels", [])
    for channel in allowed:
        if channel in channel_tokens:
            return channel_tokens[channel]
    return None


@schema.parametrize()
@settings(
    max_examples=MAX_EXAMPLES,
    derandomize=True,
    deadline=None,
    suppress_health_check=list(HealthCheck),
)
def test_every_operation_honours_the_contract(
    case: schemathesis.Case, channel_tokens: dict[str, str]
) -> None:
    # A cursor is opaque and signed: any generated one is rightly a 400. Cursor
    # handling has its own tests (tests/platform/test_audit.py).
    if case.query:
        case.query.pop("cursor", None)
    # An Idempotency-Key names one create: generated cases reuse the same few
    # keys with other bodies, which is rightly 422. A valid key is made unique;
    # an invalid one is kept, to be rejected. Replays have their own tests.
    if case.headers and VALID_IDEMPOTENCY_KEY.match(str(case.headers.get("Idempotency-Key", ""))):
        case.headers["Idempotency-Key"] = uuid.uuid4().hex
    token = _token_for(case, channel_tokens)
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    case.call_and_validate(headers=headers)
