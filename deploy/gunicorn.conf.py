"""gunicorn settings for victim-api: uvicorn workers, everything from the environment.

    gunicorn --config deploy/gunicorn.conf.py 'victim_api.app:create_app_from_environment()'

The Dockerfile runs exactly that. The app's own settings stay ``VICTIM_API_*``
(README, "Settings"); the server settings read here are listed in the README,
"Deploying". gunicorn writes no access log: the app writes one JSON access
line per request itself, and gunicorn's few lifecycle lines go through the
same JSON pipeline.
"""

from __future__ import annotations

import logging
import os
from pathlib import Path
from typing import Any

from gunicorn.glogging import Logger
from uvicorn_worker import UvicornWorker


def _int(name: str, default: int) -> int:
    return int(os.environ.get(name, default))


bind = os.environ.get("VICTIM_API_BIND", "0.0.0.0:8000")
workers = _int("VICTIM_API_WORKERS", 2)
# Seconds a worker may go silent before the arbiter replaces it.
timeout = _int("VICTIM_API_WORKER_TIMEOUT", 60)
# Seconds in-flight requests get to finish after SIGTERM. Keep it below the
# pod's terminationGracePeriodSeconds (deploy/k8s/deployment.yaml).
graceful_timeout = _int("VICTIM_API_GRACEFUL_TIMEOUT", 25)
# Idle keep-alive seconds; longer than the load balancer's idle timeout, so the
# balancer, not us, closes idle connections (else it may reuse a closing one).
keepalive = _int("VICTIM_API_KEEPALIVE", 75)
# Recycle workers after this many requests (0: never), with jitter.
max_requests = _int("VICTIM_API_MAX_REQUESTS", 0)
max_requests_jitter = _int("VICTIM_API_MAX_REQUESTS_JITTER", 0)
# Which peers may set X-Forwarded-For/-Proto: the ingress or load balancer.
forwarded_allow_ips = os.environ.get("VICTIM_API_FORWARDED_ALLOW_IPS", "127.0.0.1")
preload_app = False  # each worker builds its own app, engine and pool after fork
accesslog = None
errorlog = "-"
loglevel = os.environ.get("VICTIM_API_LOG_LEVEL", "INFO").lower()
# The heartbeat files live in memory, not on the (read-only) image filesystem.
worker_tmp_dir = "/dev/shm" if Path("/dev/shm").is_dir() else None  # noqa: S108
proc_name = "victim-api"
# No runtime control socket (gunicorn 24+): nothing in a pod uses it, and it
# would need a writable $HOME.
control_socket_disable = True

# Prometheus multiprocess mode: each worker writes its samples here and a
# scrape of any worker adds them all up (src/victim_api/platform/metrics.py).
# Set before any worker imports prometheus_client.
METRICS_DIR = Path(
    os.environ.setdefault("PROMETHEUS_MULTIPROC_DIR", "/tmp/victim-api-metrics")  # noqa: S108
)


class VictimApiWorker(UvicornWorker):
    """uvicorn-worker's worker, without uvicorn's Server header or access log."""

    CONFIG_KWARGS: dict[str, Any] = {
        **UvicornWorker.CONFIG_KWARGS,
        "server_header": False,
        "access_log": False,
        "proxy_headers": True,
    }


class JsonLogger(Logger):
    """gunicorn's lifecycle lines through the app's structlog JSON pipeline."""

    def setup(self, cfg: Any) -> None:
        super().setup(cfg)
        from victim_api.platform.logging import configure_logging

        configure_logging(
            level=os.environ.get("VICTIM_API_LOG_LEVEL", "INFO"),
            fmt=os.environ.get("VICTIM_API_LOG_FORMAT", "json"),
        )
        error_log = logging.getLogger("gunicorn.error")
        error_log.handlers[:] = []
        error_log.propagate = True


worker_class = VictimApiWorker
logger_class = JsonLogger


def on_starting(server: Any) -> None:
    """Start with an empty metrics directory: old workers' files would add up."""
    METRICS_DIR.mkdir(parents=True, exist_ok=True)
    for stale in METRICS_DIR.glob("*.db"):
        stale.unlink()


def child_exit(server: Any, worker: Any) -> None:
    """Drop a dead worker's live gauges from the sums."""
    from prometheus_client import multiprocess

    multiprocess.mark_process_dead(worker.pid)
