"""Prometheus metrics: ``GET /metrics``, per-route request metrics, database pool gauges,
and a small registry API for the domain packages.

Request metrics are recorded by the request middleware (``platform.middleware``)
in the same ``finally`` block that writes the access line, so no second
middleware sits on the hot path. Labels are bounded: the route *template*
(never the raw path), the method (unknown methods become ``OTHER``) and the
status code. Unmatched paths share the route label ``<unmatched>``.

Domain packages add their own metrics with the helpers, at import time::

    from victim_api.platform import metrics

    AUDIT_WRITE_FAILURES = metrics.counter(
        "audit_write_failures", "Audit records that could not be written.", ["reason"]
    )
    AUDIT_WRITE_FAILURES.labels(reason="database").inc()

Names get the ``victim_api_`` prefix; counters get ``_total`` when exported.
Calling a helper twice with the same name returns the same metric (so a module
imported twice, as in tests, does not fail); a different kind or label set is
an error. Labels must never carry personal data or ids: they are kept for as
long as the Prometheus server keeps them.

Several worker processes (gunicorn): set ``PROMETHEUS_MULTIPROC_DIR`` to an
empty, writable directory before the workers start (``deploy/gunicorn.conf.py``
does, and clears it at start). Each worker then writes its samples there and a
scrape of any worker reports the sum over all of them. In that mode the
process and GC collectors are not exported, and the pool gauges add up each
live worker's pool as that worker last saw it when it served a scrape.
"""

from __future__ import annotations

import os
import re
import threading
from collections.abc import Sequence
from typing import Any, TypeVar

from fastapi import APIRouter, Request
from fastapi.responses import Response
from prometheus_client import (
    CONTENT_TYPE_LATEST,
    REGISTRY,
    CollectorRegistry,
    Counter,
    Gauge,
    Histogram,
    generate_latest,
)
from prometheus_client.metrics import MetricWrapperBase

from victim_api.platform.policy import PUBLIC

NAMESPACE = "victim_api"
MULTIPROC_ENV = "PROMETHEUS_MULTIPROC_DIR"
# Seconds; from a fast cached read to a slow write under lock contention.
LATENCY_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0)
_KNOWN_METHODS = frozenset({"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"})
_NAME = re.compile(r"^[a-z][a-z0-9_]*$")

M = TypeVar("M", bound=MetricWrapperBase)
_lock = threading.Lock()
_metrics: dict[str, tuple[type[MetricWrapperBase], tuple[str, ...], MetricWrapperBase]] = {}


def _register(kind: type[M], name: str, documentation: str, labels: Sequence[str], **kw: Any) -> M:
    if not _NAME.match(name) or name.startswith(f"{NAMESPACE}_"):
        raise ValueError(f"metric name {name!r}: snake_case, without the {NAMESPACE}_ prefix")
    labelnames = tuple(labels)
    with _lock:
        existing = _metrics.get(name)
        if existing is not None:
            if existing[0] is not kind or existing[1] != labelnames:
                raise ValueError(f"metric {name!r} already exists with another kind or labels")
            return existing[2]  # type: ignore[return-value]
        metric = kind(name, documentation, labelnames, namespace=NAMESPACE, **kw)
        _metrics[name] = (kind, labelnames, metric)
        return metric


def counter(name: str, documentation: str, labels: Sequence[str] = ()) -> Counter:
    """A counter (exported as ``victim_api_<name>_total``)."""
    return _register(Counter, name.removesuffix("_total"), documentation, labels)


def histogram(
    name: str,
    documentation: str,
    labels: Sequence[str] = (),
    buckets: Sequence[float] = LATENCY_BUCKETS,
) -> Histogram:
    """A histogram; the default buckets suit request-scale durations in seconds."""
    return _register(Histogram, name, documentation, labels, buckets=tuple(buckets))


def gauge(
    name: str, documentation: str, labels: Sequence[str] = (), multiprocess_mode: str = "livesum"
) -> Gauge:
    """A gauge. ``multiprocess_mode`` says how worker values combine under gunicorn."""
    return _register(Gauge, name, documentation, labels, multiprocess_mode=multiprocess_mode)


HTTP_REQUESTS = counter(
    "http_requests", "HTTP requests answered, by route template.", ["method", "route", "status"]
)
HTTP_DURATION = histogram(
    "http_request_duration_seconds",
    "Time from the request arriving to the response being sent, by route template.",
    ["method", "route"],
)
DB_POOL_CHECKED_OUT = gauge(
    "db_pool_checked_out", "Database connections in use, read from the pool at scrape time."
)
DB_POOL_SIZE = gauge(
    "db_pool_size", "Database connections the pool keeps (before overflow), at scrape time."
)


def observe_request(method: str, route: str, status: int, seconds: float) -> None:
    """Record one answered request. Called by the request middleware for every request."""
    method = method if method in _KNOWN_METHODS else "OTHER"
    HTTP_REQUESTS.labels(method, route, str(status)).inc()
    HTTP_DURATION.labels(method, route).observe(seconds)


def _read_pool(database: Any) -> None:
    pool = getattr(getattr(database, "engine", None), "pool", None)
    for method, metric in (("checkedout", DB_POOL_CHECKED_OUT), ("size", DB_POOL_SIZE)):
        reader = getattr(pool, method, None)
        if callable(reader):
            metric.set(reader())


def render() -> tuple[bytes, str]:
    """The exposition text of this process, or of every worker in multiprocess mode."""
    if os.environ.get(MULTIPROC_ENV):
        from prometheus_client import multiprocess

        registry = CollectorRegistry()
        multiprocess.MultiProcessCollector(registry)  # type: ignore[no-untyped-call]
        return generate_latest(registry), CONTENT_TYPE_LATEST
    return generate_latest(REGISTRY), CONTENT_TYPE_LATEST


# Public in the policy sense: no token, nothing personal (labels never hold ids).
# Keep it off the public edge all the same: it shows traffic by route.
router = APIRouter(include_in_schema=False, dependencies=[PUBLIC])


@router.get("/metrics")
def get_metrics(request: Request) -> Response:
    """Prometheus text exposition. Not part of the contract; keep it off the public edge."""
    _read_pool(request.app.state.database)
    body, media_type = render()
    return Response(body, media_type=media_type)
