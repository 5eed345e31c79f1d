"""Real server processes on loopback, for multi-process tests.

Each binds 127.0.0.1 on a free port, is waited for with a deadline, and is
stopped by its PID (terminate, then kill).
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx

# Generous: a loaded 2-core machine (CI, or developers sharing one) can take this long.
STARTUP_SECONDS = 90


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@contextmanager
def running_server(env: dict[str, str], log_path: Path, port: int | None = None) -> Iterator[str]:
    """Serve on ``port`` (a free one by default: pass one when the env must name it)."""
    port = port or free_port()
    base_url = f"http://127.0.0.1:{port}"
    with log_path.open("wb") as log:
        process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "victim_api",
                "serve",
                "--host",
                "127.0.0.1",
                "--port",
                str(port),
            ],
            env={**os.environ, **env},
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        try:
            _wait_until_healthy(base_url, process, log_path)
            yield base_url
        finally:
            process.terminate()
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait(timeout=10)


def _wait_until_healthy(base_url: str, process: subprocess.Popen[bytes], log_path: Path) -> None:
    deadline = time.monotonic() + STARTUP_SECONDS
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"server exited early:\n{log_path.read_text()[-3000:]}")
        try:
            if httpx.get(f"{base_url}/healthz", timeout=1).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.1)
    raise RuntimeError(f"server did not become healthy in {STARTUP_SECONDS}s")


def run_cli(args: list[str], env: dict[str, str], timeout: float = 120) -> None:
    """Run ``victim-api ARGS`` with ``env`` added to this environment; fail on non-zero."""
    completed = subprocess.run(
        [sys.executable, "-m", "victim_api", *args],
        env={**os.environ, **env},
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )
    assert completed.returncode == 0, (
        f"victim-api {' '.join(args)}:\n{completed.stdout}{completed.stderr}"
    )
