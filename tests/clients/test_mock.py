"""``make mock``: Prism serves the committed contract on loopback.

Runs ``make mock PORT=<free port>`` itself (the pinned Prism in tools/clients, with
the Makefile's flags) and checks what front-end teams rely on: every GET that
needs no input answers 200 with a body valid against the contract's schema
(formats and patterns included), a protected operation without a token answers
401 problem+json, and the token endpoint hands out a TokenResponse. Bounded in
time; make and Prism are stopped through the process group started for them.
"""

from __future__ import annotations

import os
import signal
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from jsonschema import Draft202012Validator

from tests.support.clients import generator
from tests.support.server import free_port
from victim_api.platform.openapi import load_contract

pytestmark = pytest.mark.clients
STARTUP_SECONDS = 30
METHODS = {"get", "put", "post", "patch", "delete", "head", "options"}


@pytest.fixture(scope="module")
def contract(repo_root: Path) -> dict[str, Any]:
    return load_contract(repo_root / "openapi" / "openapi.yaml")


@pytest.fixture(scope="module")
def mock(repo_root: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    generator().node_tool("prism")  # a clear error if `make clients-tools` has not run
    port = free_port()
    work = tmp_path_factory.mktemp("prism")
    log_path = work / "prism.log"
    command = [
        "make",
        "--no-print-directory",
        "mock",
        f"PORT={port}",
        f"MOCK_CONTRACT={work / 'openapi.json'}",
    ]
    with log_path.open("wb") as log:
        process = subprocess.Popen(
            command,
            cwd=repo_root,
            env={k: v for k, v in os.environ.items() if not k.startswith("MAKE")},
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        try:
            base_url = f"http://127.0.0.1:{port}"
            _wait_until_listening(base_url, process, log_path)
            yield base_url
        finally:
            _stop(process)


def _wait_until_listening(base: str, process: subprocess.Popen[bytes], log_path: Path) -> None:
    deadline = time.monotonic() + STARTUP_SECONDS
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"prism exited early:\n{log_path.read_text()[-3000:]}")
        try:
            httpx.get(f"{base}/healthz", timeout=1)
            return
        except httpx.HTTPError:
            time.sleep(0.2)
    raise RuntimeError(
        f"prism did not listen in {STARTUP_SECONDS}s:\n{log_path.read_text()[-3000:]}"
    )


def _stop(process: subprocess.Popen[bytes]) -> None:
    """SIGTERM to the process group we started (its leader is our child), then SIGKILL."""
    for sig in (signal.SIGTERM, signal.SIGKILL):
        if process.poll() is not None:
            return
        os.killpg(process.pid, sig)
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            continue


def _response_schema(contract: dict[str, Any], operation: dict[str, Any], status: str) -> Any:
    content = operation["responses"][status]["content"]
    media = "application/json" if "application/json" in content else next(iter(content))
    schema = content[media]["schema"]
    # $refs are "#/components/...": make the components part of the schema's root.
    return Draft202012Validator(
        {**schema, "components": contract["components"]},
        format_checker=Draft202012Validator.FORMAT_CHECKER,
    )


def _no_input_gets(contract: dict[str, Any]) -> list[tuple[str, dict[str, Any]]]:
    found = []
    for path, item in contract["paths"].items():
        operation = item.get("get")
        if operation is None or "{" in path:
            continue
        if any(p.get("required") for p in operation.get("parameters", [])):
            continue
        if "application/json" in operation["responses"].get("200", {}).get("content", {}):
            found.append((path, operation))
    return found


def test_every_get_without_input_answers_a_contract_shaped_body(
    mock: str, contract: dict[str, Any]
) -> None:
    operations = _no_input_gets(contract)
    assert len(operations) >= 3, "the contract should have public GETs (health, reference, jwks)"
    for path, operation in operations:
        headers = {"Authorization": "Bearer mock"} if operation.get("security") else {}
        response = httpx.get(f"{mock}{path}", headers=headers, timeout=5)
        assert response.status_code == 200, (path, response.text)
        validator = _response_schema(contract, operation, "200")
        errors = [error.message for error in validator.iter_errors(response.json())]
        assert not errors, (path, errors)


def test_a_protected_operation_without_a_token_is_a_401_problem(
    mock: str, contract: dict[str, Any]
) -> None:
    protected = [(p, op) for p, op in _no_input_gets(contract) if op.get("security")]
    assert protected, "expected at least one protected GET without required input"
    path, operation = protected[0]
    response = httpx.get(f"{mock}{path}", timeout=5)
    assert response.status_code == 401
    assert response.headers["content-type"].startswith("application/problem+json")
    assert not list(_response_schema(contract, operation, "401").iter_errors(response.json()))


def test_the_token_endpoint_answers_a_token_response(mock: str, contract: dict[str, Any]) -> None:
    operation = contract["paths"]["/v1/oauth/token"]["post"]
    response = httpx.post(
        f"{mock}/v1/oauth/token",
        data={"grant_type": "client_credentials"},
        auth=("demo-web", "demo-web-secret"),
        timeout=5,
    )
    assert response.status_code == 200, response.text
    assert not list(_response_schema(contract, operation, "200").iter_errors(response.json()))
