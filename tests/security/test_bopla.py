"""OWASP API3 (broken object property-level authorisation), for every route.

- Mass assignment: every POST/PUT/PATCH with a JSON body refuses an unknown field
  and every read-only field (a property of the operation's response schema that
  its request schema does not have: `id`, `version`, `status`, `organisation_id`,
  `created_at`...) with 422 `extra_forbidden` naming it, and changes nothing.
- Data minimisation: the keys each caller sees in each GET's answer are
  committed in tests/security/snapshots/<caller>.json. A new key fails the suite
  until the snapshot is updated on purpose:

      VICTIM_API_UPDATE_SNAPSHOTS=1 .venv/bin/pytest tests/security/test_bopla.py

  then review the diff of tests/security/snapshots/ like any other change.
"""

from __future__ import annotations

import json
import os
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlalchemy import text
from sqlmodel import SQLModel

import victim_api.models  # noqa: F401 - every table registered
from tests.security.routes import ROUTES, TABLE, RouteCase, headers_for, send
from tests.security.world import BODIES, World

SNAPSHOTS = Path(__file__).parent / "snapshots"
UPDATE = os.environ.get("VICTIM_API_UPDATE_SNAPSHOTS") == "1"
UNKNOWN_FIELD = "unexpected_field"
UUID_KEY = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")
# Set by the server, whatever the resource: never accepted in a request.
SERVER_SET = {"id", "version", "created_at", "updated_at", "organisation_id"}

BODY_ROUTES = [case for case in ROUTES if TABLE.json_body_schema(case) is not None]
GET_TARGETS = [
    (case, caller) for case in ROUTES if case.method == "GET" for caller in TABLE.allowed(case)
]


def _properties(schema: dict[str, Any]) -> set[str]:
    schema = TABLE.resolve(schema)
    found = set(schema.get("properties", {}))
    for key in ("oneOf", "anyOf", "allOf"):
        for branch in schema.get(key, []):
            found |= _properties(branch)
    return found


def read_only_fields(case: RouteCase) -> set[str]:
    """Properties the answer has and the request may not set."""
    request = _properties(TABLE.json_body_schema(case) or {})
    answered: set[str] = set()
    for status, response in (TABLE.operation(case) or {}).get("responses", {}).items():
        schema = response.get("content", {}).get("application/json", {}).get("schema")
        if status.startswith("2") and schema:
            answered |= _properties(schema)
    return answered - request


def _starting_body(world: World, case: RouteCase) -> dict[str, Any]:
    """A valid body where world.BODIES has one (so only the added field is wrong)."""
    schema = TABLE.json_body_schema(case) or {}
    name = TABLE.schema_name(schema)
    if name == "Body":
        name = str((TABLE.operation(case) or {}).get("operationId"))
    return dict(BODIES[name](world)) if name in BODIES else {}


def _fingerprint(world: World) -> list[int]:
    """Row counts of every table: a write of any kind changes one."""
    tables = sorted(SQLModel.metadata.tables)
    counts = " UNION ALL ".join(f'SELECT {i}, COUNT(*) FROM "{t}"' for i, t in enumerate(tables))
    with world.app.state.database.read_session() as session:
        return [row[1] for row in sorted(session.execute(text(counts)).all())]


def _assert_refused(response: httpx.Response, field: str, case: RouteCase) -> None:
    assert response.status_code == 422, f"{case} accepted `{field}`: {response.text}"
    refused = [
        e
        for e in response.json()["errors"]
        if e["code"] == "extra_forbidden" and e["location"].endswith(f"/{field}")
    ]
    assert refused, f"{case}: `{field}` not named as forbidden: {response.json()['errors']}"


@pytest.mark.parametrize("case", BODY_ROUTES, ids=str)
def test_unknown_and_read_only_fields_are_refused_and_change_nothing(
    world: World, case: RouteCase
) -> None:
    caller = TABLE.allowed(case)[0]
    before = _fingerprint(world)
    for field in [UNKNOWN_FIELD, *sorted(read_only_fields(case))]:
        body = {**_starting_body(world, case), field: "set-by-the-caller"}
        response = send(world, case, headers_for(world, caller), choice="own", body=body)
        _assert_refused(response, field, case)
    assert _fingerprint(world) == before


def test_read_only_fields_are_found_from_the_contract() -> None:
    found = {str(case): read_only_fields(case) for case in BODY_ROUTES}
    assert {"id", "version", "created_at"} <= found["PATCH /v1/victims/{victim_id}"]
    assert {"status", "organisation_id", "version"} <= found["POST /v1/referrals"]


@pytest.mark.parametrize("case", BODY_ROUTES, ids=str)
def test_no_request_schema_accepts_a_server_set_field(case: RouteCase) -> None:
    accepted = _properties(TABLE.json_body_schema(case) or {}) & SERVER_SET
    assert accepted == set(), f"{case} lets the caller set {accepted}"


# ---------------------------------------------------------------------------
# Data minimisation


def response_keys(response: httpx.Response) -> list[str]:
    """Every key path in a JSON answer (`items[].id`), or the media type of another."""
    media_type = response.headers.get("content-type", "").split(";")[0]
    if not media_type.endswith("json"):
        return [f"<{media_type}>"]
    found: set[str] = set()

    def walk(value: Any, prefix: str) -> None:
        if isinstance(value, dict):
            for key, item in value.items():
                # A map keyed by ids (verification status per person): one key shape.
                key = "{id}" if UUID_KEY.fullmatch(key) else key
                found.add(prefix + key)
                walk(item, f"{prefix}{key}.")
        elif isinstance(value, list):
            for item in value:
                walk(item, prefix[:-1] + "[]." if prefix else "[].")

    walk(response.json(), "")
    return sorted(found)


def _load(caller: str) -> dict[str, list[str]]:
    path = SNAPSHOTS / f"{caller}.json"
    return json.loads(path.read_text()) if path.exists() else {}


OBSERVED: dict[str, dict[str, list[str]]] = {}


@pytest.fixture(scope="module", autouse=True)
def _write_snapshots_when_updating() -> Iterator[None]:
    yield
    if not UPDATE:
        return
    current = {str(case) for case, _ in GET_TARGETS}
    for caller, seen in OBSERVED.items():
        kept = {k: v for k, v in _load(caller).items() if k in current}
        merged = dict(sorted({**kept, **seen}.items()))
        SNAPSHOTS.mkdir(exist_ok=True)
        (SNAPSHOTS / f"{caller}.json").write_text(json.dumps(merged, indent=2) + "\n")


@pytest.mark.parametrize(("case", "caller"), GET_TARGETS, ids=str)
def test_each_caller_sees_only_the_snapshotted_keys(
    world: World, case: RouteCase, caller: str
) -> None:
    response = send(world, case, headers_for(world, caller), choice="own")
    assert response.status_code == 200, f"{case} as {caller}: {response.text}"
    keys = response_keys(response)
    if UPDATE:
        OBSERVED.setdefault(caller, {})[str(case)] = keys
        return
    expected = _load(caller).get(str(case))
    assert expected is not None, (
        f"{case} as {caller} has no snapshot: review what it answers, then run "
        "VICTIM_API_UPDATE_SNAPSHOTS=1 .venv/bin/pytest tests/security/test_bopla.py"
    )
    added, removed = sorted(set(keys) - set(expected)), sorted(set(expected) - set(keys))
    assert (added, removed) == ([], []), (
        f"{case} as {caller}: new keys {added}, gone {removed}. If intended, update the "
        "snapshot with VICTIM_API_UPDATE_SNAPSHOTS=1 and review the diff"
    )


def test_no_snapshot_names_a_route_or_caller_that_is_gone() -> None:
    current = {(str(case), caller) for case, caller in GET_TARGETS}
    stale = [
        (route, path.stem)
        for path in SNAPSHOTS.glob("*.json")
        for route in json.loads(path.read_text())
        if (route, path.stem) not in current
    ]
    assert stale == [], f"stale snapshot entries {stale}: update with VICTIM_API_UPDATE_SNAPSHOTS=1"
