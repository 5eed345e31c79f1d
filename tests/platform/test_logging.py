"""Logs are JSON lines with the request id, and never carry personal data."""

from __future__ import annotations

import io
import json
import logging
from collections.abc import Iterator

import pytest
import structlog
from fastapi.testclient import TestClient

from victim_api.platform.logging import configure_logging

# Synthetic personal data, as a careless caller might send it.
NAME = "Zebedee Quillfeather"
DOB = "1987-03-14"
PHONE = "+447700900123"
EMAIL = "zebedee.quill@example.org"
PIN = "482913"
POSTCODE = "SW1A 1AA"
TOKEN = "eyJhbGciOiJFUzI1NiJ9.eyJzdWIiOiJ4In0.c2lnbmF0dXJl"
SECRETS = [NAME, "Zebedee", "Quillfeather", DOB, PHONE, "7700900123", EMAIL, PIN, POSTCODE, TOKEN]


@pytest.fixture
def captured_logs() -> Iterator[io.StringIO]:
    stream = io.StringIO()
    configure_logging(level="DEBUG", fmt="json", stream=stream)
    yield stream
    configure_logging(level="INFO", fmt="json")


def test_access_line_has_route_template_status_duration_and_request_id(
    client: TestClient, captured_logs: io.StringIO
) -> None:
    response = client.get("/healthz", headers={"x-request-id": "req-access-1"})
    lines = [json.loads(line) for line in captured_logs.getvalue().splitlines()]
    access = [entry for entry in lines if entry.get("logger") == "victim_api.access"]
    assert access, lines
    entry = access[-1]
    assert entry["request_id"] == "req-access-1" == response.headers["x-request-id"]
    assert entry["method"] == "GET"
    assert entry["route"] == "/healthz"
    assert entry["status"] == 200
    assert isinstance(entry["duration_ms"], float)


def test_unmatched_paths_are_logged_without_the_raw_path(
    client: TestClient, captured_logs: io.StringIO
) -> None:
    client.get(f"/v1/victims/{EMAIL}/{PHONE}")
    output = captured_logs.getvalue()
    assert "<unmatched>" in output
    assert EMAIL not in output
    assert PHONE not in output


def test_personal_data_never_reaches_the_logs(
    client: TestClient, captured_logs: io.StringIO
) -> None:
    payload = {
        "given_name": NAME,
        "date_of_birth": DOB,
        "phone": PHONE,
        "email": EMAIL,
        "pin": PIN,
        "address": {"postcode": POSTCODE},
    }
    client.post("/v1/victims", json=payload, headers={"authorization": f"Bearer {TOKEN}"})
    client.get(f"/v1/nothing?name={NAME}&dob={DOB}&pin={PIN}")
    client.post("/healthz", json=payload)
    # Code that logs carelessly is still redacted, by key and by pattern.
    log = structlog.get_logger("victim_api.test")
    log.info("careless", given_name=NAME, victim_phone=PHONE, note=f"{EMAIL} {DOB} pin {PIN}")
    log.info(f"free text with {TOKEN} and {PHONE} and {POSTCODE}")
    logging.getLogger("uvicorn.error").warning("library line about %s on %s", EMAIL, DOB)
    try:
        raise ValueError(f"failed for {EMAIL} born {DOB}")
    except ValueError:
        log.exception("with traceback")

    output = captured_logs.getvalue()
    assert output.count("\n") >= 6
    for secret in SECRETS:
        assert secret not in output, f"{secret!r} leaked into the logs"
    assert "[REDACTED]" in output
    for line in output.splitlines():
        json.loads(line)
