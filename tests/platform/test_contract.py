"""The committed contract is the served contract, valid and fully described."""

from __future__ import annotations

import json
from pathlib import Path

from fastapi import FastAPI
from fastapi.testclient import TestClient
from openapi_spec_validator import validate

from victim_api.platform.openapi import camel_case_ok, load_contract

METHODS = {"get", "put", "post", "patch", "delete", "head", "options"}


def _committed(repo_root: Path) -> dict:
    return load_contract(repo_root / "openapi" / "openapi.yaml")


def _operations(document: dict):
    for path, item in document["paths"].items():
        for method, operation in item.items():
            if method in METHODS:
                yield path, method, operation


def test_committed_contract_equals_the_served_one(client: TestClient, repo_root: Path) -> None:
    served = client.get("/openapi.json").json()
    assert _committed(repo_root) == served, "openapi/openapi.yaml is stale: run `make openapi`"


def test_committed_contract_is_valid_openapi(repo_root: Path) -> None:
    validate(_committed(repo_root))


def test_operation_ids_are_unique_camel_case(app: FastAPI) -> None:
    ids = [op["operationId"] for _, _, op in _operations(app.openapi())]
    assert len(ids) == len(set(ids))
    assert all(camel_case_ok(op_id) for op_id in ids), ids


def test_every_operation_is_described_and_documents_its_errors(app: FastAPI) -> None:
    for path, method, operation in _operations(app.openapi()):
        where = f"{method.upper()} {path}"
        assert operation.get("summary"), where
        assert operation.get("description"), where
        assert operation.get("tags"), where
        errors = [s for s in operation["responses"] if s.startswith(("4", "5"))]
        assert "500" in errors, where
        # The OAuth2 token endpoint alone answers 400/401 in RFC 6749 §5.2 JSON.
        oauth_statuses = {"400", "401"} if operation.get("x-error-format") == "oauth2" else set()
        for status in errors:
            content = operation["responses"][status]["content"]
            expected = (
                "application/json" if status in oauth_statuses else "application/problem+json"
            )
            assert list(content) == [expected], where


def test_fastapi_validation_schema_is_gone(app: FastAPI) -> None:
    text = json.dumps(app.openapi())
    assert "HTTPValidationError" not in text
    assert "#/components/schemas/ValidationError" not in text
