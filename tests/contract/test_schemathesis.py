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
from datetime import date, timedelta

import schemathesis
from hypothesis import HealthCheck, settings

MAX_EXAMPLES = int(os.environ.get("VICTIM_API_FUZZ_EXAMPLES", "15"))
VALID_IDEMPOTENCY_KEY = re.compile(r"^[A-Za-z0-9_.:-]{8,128}$")


schema = schemathesis.pytest.from_fixture("api_schema")


def _token_for(case: schemathesis.Case, channel_tokens: dict[str, str]) -> str | None:
    allowed = case.operation.definition.raw.get("x-allowed-channels", [])
    for channel in allowed:
        if channel in channel_tokens:
            return channel_tokens[channel]
    return None


# Operations whose every example does heavy work (a print run of up to 500 signed
# codes) get fewer examples, so the suite stays fast; `make fuzz` raises both.
HEAVY = "/v1/qr-tokens/batch"
HEAVY_EXAMPLES = max(2, MAX_EXAMPLES // 5)
_SETTINGS = {"derandomize": True, "deadline": None, "suppress_health_check": list(HealthCheck)}


@schema.exclude(path=HEAVY).parametrize()
@settings(max_examples=MAX_EXAMPLES, **_SETTINGS)
def test_every_operation_honours_the_contract(
    case: schemathesis.Case, channel_tokens: dict[str, str]
) -> None:
    _call_and_validate(case, channel_tokens)


@schema.include(path=HEAVY).parametrize()
@settings(max_examples=HEAVY_EXAMPLES, **_SETTINGS)
def test_heavy_operations_honour_the_contract(
    case: schemathesis.Case, channel_tokens: dict[str, str]
) -> None:
    # A print run draws one QR code per item (~40 ms each here); cap generated runs
    # at 20 items, still schema-valid. The 500 limit has its own test (tests/qr).
    # Negative cases (over 500) are left as they are, to be rejected.
    if isinstance(case.body, dict):
        case_ids, count = case.body.get("case_ids"), case.body.get("count")
        if isinstance(case_ids, list) and 20 < len(case_ids) <= 500:
            case.body["case_ids"] = case_ids[:20]
        if type(count) is int and 20 < count <= 500:
            case.body["count"] = 20
    _call_and_validate(case, channel_tokens)


def _call_and_validate(case: schemathesis.Case, channel_tokens: dict[str, str]) -> None:
    # A cursor is opaque and signed: any generated one is rightly a 400. Cursor
    # handling has its own tests (tests/platform/test_audit.py).
    if case.query:
        case.query.pop("cursor", None)
    # An Idempotency-Key names one create: generated cases reuse the same few
    # keys with other bodies, which is rightly 422. A valid key is made unique;
    # an invalid one is kept, to be rejected. Replays have their own tests.
    if case.headers and VALID_IDEMPOTENCY_KEY.match(str(case.headers.get("Idempotency-Key", ""))):
        case.headers["Idempotency-Key"] = uuid.uuid4().hex
    _order_report_period(case)
    token = _token_for(case, channel_tokens)
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    case.call_and_validate(headers=headers)


def _order_report_period(case: schemathesis.Case) -> None:
    # A report's period is `from` <= `to`, at most 366 days: a cross-field rule no
    # schema can express. A generated pair of valid dates is put in order and cut
    # to 366 days; the 422 for a bad period has its own test (tests/reports).
    if case.path != "/v1/reports/compliance" or not case.query:
        return
    try:
        first, last = sorted(
            date.fromisoformat(str(case.query["from"])), date.fromisoformat(str(case.query["to"]))
        )
    except (KeyError, ValueError):
        return
    last = min(last, first + timedelta(days=365))
    case.query["from"], case.query["to"] = first.isoformat(), last.isoformat()
