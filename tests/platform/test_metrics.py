"""GET /metrics: per-route request metrics, pool gauges, and the helpers for domains."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from prometheus_client.parser import text_string_to_metric_families

from victim_api.app import create_app
from victim_api.platform import metrics
from victim_api.settings import Settings


def _samples(client: TestClient) -> dict[tuple[str, frozenset[tuple[str, str]]], float]:
    response = client.get("/metrics")
    assert response.status_code == 200
    return {
        (s.name, frozenset(s.labels.items())): s.value
        for family in text_string_to_metric_families(response.text)
        for s in family.samples
    }


def _value(samples: dict, name: str, **labels: str) -> float:
    return samples.get((name, frozenset(labels.items())), 0.0)


def test_metrics_answer_prometheus_text(client: TestClient) -> None:
    response = client.get("/metrics")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/plain; version=")
    assert "# TYPE victim_api_http_requests_total counter" in response.text
    assert "# TYPE victim_api_http_request_duration_seconds histogram" in response.text


def test_requests_are_counted_by_route_template_and_status(client: TestClient) -> None:
    before = _samples(client)
    client.get("/healthz")
    client.get("/healthz")
    client.get("/v1/cases/CRN-12345/anything")  # unmatched: its raw path is never a label
    after = _samples(client)
    ok = {"method": "GET", "route": "/healthz", "status": "200"}
    name = "victim_api_http_requests_total"
    assert _value(after, name, **ok) - _value(before, name, **ok) == 2
    missing = {"method": "GET", "route": "<unmatched>", "status": "404"}
    assert _value(after, name, **missing) - _value(before, name, **missing) == 1
    assert not [
        labels for (_, labels) in after if ("route", "/v1/cases/CRN-12345/anything") in labels
    ]
    count = "victim_api_http_request_duration_seconds_count"
    healthz = {"method": "GET", "route": "/healthz"}
    assert _value(after, count, **healthz) - _value(before, count, **healthz) == 2
    buckets = [k for k in after if k[0] == "victim_api_http_request_duration_seconds_bucket"]
    assert buckets


def test_routes_with_parameters_are_labelled_by_template(client: TestClient) -> None:
    client.get("/docs/static/swagger-init.js")
    samples = _samples(client)
    labels = {"method": "GET", "route": "/docs/static/{name}", "status": "200"}
    assert _value(samples, "victim_api_http_requests_total", **labels) >= 1


def test_unknown_methods_share_one_label(client: TestClient) -> None:
    client.request("BREW", "/healthz")
    samples = _samples(client)
    methods = {dict(labels).get("method") for (name, labels) in samples if "http" in name}
    assert "BREW" not in methods
    assert "OTHER" in methods


def test_pool_gauges_are_read_at_scrape_time(client: TestClient) -> None:
    samples = _samples(client)
    pool = client.app.state.database.engine.pool
    assert _value(samples, "victim_api_db_pool_size") == pool.size()
    assert 0 <= _value(samples, "victim_api_db_pool_checked_out") <= pool.size() + 20


def test_metrics_are_not_in_the_contract(client: TestClient) -> None:
    assert "/metrics" not in client.get("/openapi.json").json()["paths"]


def test_helpers_register_once_and_export(client: TestClient) -> None:
    lockouts = metrics.counter("test_lockouts", "Test-only counter.", ["channel"])
    assert metrics.counter("test_lockouts_total", "Again.", ["channel"]) is lockouts
    lockouts.labels(channel="PHONE").inc(3)
    lag = metrics.histogram("test_delivery_lag_seconds", "Test-only histogram.")
    lag.observe(0.2)
    depth = metrics.gauge("test_queue_depth", "Test-only gauge.")
    depth.set(7)
    samples = _samples(client)
    assert _value(samples, "victim_api_test_lockouts_total", channel="PHONE") == 3
    assert _value(samples, "victim_api_test_delivery_lag_seconds_count") == 1
    assert _value(samples, "victim_api_test_queue_depth") == 7


@pytest.mark.parametrize(
    ("name", "labels"),
    [("test_lockouts", ["other"]), ("victim_api_prefixed", []), ("Bad-Name", [])],
)
def test_helpers_refuse_clashes_and_bad_names(name: str, labels: list[str]) -> None:
    metrics.counter("test_lockouts", "Test-only counter.", ["channel"])
    with pytest.raises(ValueError, match="metric"):
        metrics.counter(name, "Clash.", labels)


@pytest.fixture(scope="module")
def metrics_off_client(settings: Settings) -> Iterator[TestClient]:
    app = create_app(settings.model_copy(update={"metrics_enabled": False}))
    with TestClient(app) as client:
        yield client
    app.state.database.dispose()


def test_metrics_can_be_switched_off(metrics_off_client: TestClient) -> None:
    response = metrics_off_client.get("/metrics")
    assert response.status_code == 404
    assert response.headers["content-type"] == "application/problem+json"


_MULTIPROCESS_PROBE = """
import sys
from fastapi.testclient import TestClient
from victim_api.app import create_app
from victim_api.settings import Settings

app = create_app(Settings(env="test", database_url=sys.argv[1]))
with TestClient(app) as client:
    client.get("/healthz")
    print(client.get("/metrics").text)
app.state.database.dispose()
"""


def test_multiprocess_mode_reads_the_shared_directory(database_url: str, tmp_path: Path) -> None:
    """With PROMETHEUS_MULTIPROC_DIR set (as under gunicorn), samples go through the files."""
    env = {**os.environ, metrics.MULTIPROC_ENV: str(tmp_path)}
    result = subprocess.run(
        [sys.executable, "-c", _MULTIPROCESS_PROBE, database_url],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    assert list(tmp_path.glob("*.db")), "no multiprocess sample files were written"
    assert 'victim_api_http_requests_total{method="GET",route="/healthz",status="200"} 1.0' in (
        result.stdout
    )
    assert "process_cpu_seconds_total" not in result.stdout
