"""Real server processes on loopback, for multi-process tests.

Each binds 127.0.0.1 on a free port, is waited for with a deadline, and is
stopped by its PID (terminate, then kill).
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import httpx

# Generous: a loaded 2-core machine takes a while to import the app.
STARTUP_SECONDS = 90


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@dataclass
class ServerProcess:
    """One `victim-api serve` process, stopped by its PID."""

    process: subprocess.Popen[bytes]
    base_url: str
    log_path: Path

    def kill(self) -> None:
        """SIGKILL: the process gets no chance to finish anything."""
        self.process.send_signal(signal.SIGKILL)
        self.process.wait(timeout=10)

    def stop(self) -> None:
        if self.process.poll() is not None:
            return
        self.process.terminate()
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait(timeout=10)


def start_server(env: dict[str, str], log_path: Path, port: int | None = None) -> ServerProcess:
    """Start a server on loopback and wait until /healthz answers: on ``port``, or a
    free one by default (pass one when the env must name it)."""
    port = port or free_port()
    with log_path.open("ab") as log:
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
    server = ServerProcess(process, f"http://127.0.0.1:{port}", log_path)
    try:
        _wait_until_healthy(server.base_url, process, log_path)
    except BaseException:
        server.stop()
        raise
    return server


@contextmanager
def running_server(env: dict[str, str], log_path: Path, port: int | None = None) -> Iterator[str]:
    server = start_server(env, log_path, port)
    try:
        yield server.base_url
    finally:
        server.stop()


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
