"""A private, throwaway PostgreSQL cluster, for tests that stop and start the server.

Never the shared PostgreSQL on 5432: the cluster lives in a temporary directory,
listens only on a Unix socket there (and a free port number, used for the socket
name), and is stopped with `pg_ctl` at the end. PostgreSQL refuses to run as
root, so as root the binaries run as the `postgres` user.
"""

from __future__ import annotations

import os
import pwd
import shutil
import subprocess
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from tests.support.server import free_port

DATABASE = "victim_api_faults"


def _bin_dir() -> Path | None:
    found = sorted(Path("/usr/lib/postgresql").glob("*/bin/pg_ctl"))
    if found:
        return found[-1].parent
    pg_ctl = shutil.which("pg_ctl")
    return Path(pg_ctl).parent if pg_ctl else None


def available() -> bool:
    return _bin_dir() is not None


@dataclass
class PrivateCluster:
    directory: Path
    port: int
    bin_dir: Path

    @property
    def data(self) -> Path:
        return self.directory / "data"

    @property
    def url(self) -> str:
        return f"postgresql+psycopg://postgres@/{DATABASE}?host={self.directory}&port={self.port}"

    def _run(self, tool: str, *args: str) -> None:
        command = [str(self.bin_dir / tool), *args]
        if os.geteuid() == 0:
            command = ["runuser", "-u", "postgres", "--", *command]
        subprocess.run(command, check=True, capture_output=True, timeout=60)

    def start(self) -> None:
        options = f"-p {self.port} -k {self.directory} -c listen_addresses='' -c fsync=off"
        self._run(
            "pg_ctl",
            "-D",
            str(self.data),
            "-l",
            str(self.directory / "log"),
            "-o",
            options,
            "-w",
            "-t",
            "30",
            "start",
        )

    def stop(self) -> None:
        self._run("pg_ctl", "-D", str(self.data), "-m", "fast", "-w", "-t", "30", "stop")

    def running(self) -> bool:
        return (self.data / "postmaster.pid").exists()


@contextmanager
def private_cluster() -> Iterator[PrivateCluster]:
    bin_dir = _bin_dir()
    assert bin_dir is not None, "PostgreSQL's binaries are needed (postgresql package)"
    directory = Path(tempfile.mkdtemp(prefix="victim-api-pg-"))
    if os.geteuid() == 0:
        account = pwd.getpwnam("postgres")
        os.chown(directory, account.pw_uid, account.pw_gid)
    cluster = PrivateCluster(directory, free_port(), bin_dir)
    try:
        cluster._run(
            "initdb",
            "-D",
            str(cluster.data),
            "-U",
            "postgres",
            "-A",
            "trust",
            "--no-sync",
            "-E",
            "UTF8",
        )
        cluster.start()
        cluster._run(
            "createdb", "-h", str(directory), "-p", str(cluster.port), "-U", "postgres", DATABASE
        )
        yield cluster
    finally:
        if cluster.running():
            cluster.stop()
        shutil.rmtree(directory, ignore_errors=True)
