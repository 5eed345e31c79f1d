"""`make bench`: the service's hot paths against a raw ASGI baseline, in one run.

    python -m bench.run [--cases N] [--seconds S] [--connections C] [--smoke]

1. Builds (or reuses) a benchmark database under var/bench/ with the migrations,
   the demo data and, where `victim-api seed-synthetic` exists, N synthetic cases.
2. Serves the raw ASGI baseline (bench/raw_asgi.py) and then the service, each
   with uvicorn, one worker, the same settings, pinned to core 0 where `taskset`
   exists, on a free loopback port.
3. Drives each endpoint with wrk if installed (else bench/loadgen.py), pinned to
   the other core, at C connections for S seconds after a warm-up.
4. Prints a table (endpoint, req/s, p50, p99, ratio to raw ASGI) and writes it
   as JSON to var/bench/.

Benchmarks are measurements, not tests: nothing here passes or fails on speed,
except that --smoke fails if an endpoint errors, proving the harness works.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from pathlib import Path

import httpx

from bench import loadgen

ROOT = Path(__file__).resolve().parent.parent
OUT_DIR = ROOT / "var" / "bench"
HOST = "127.0.0.1"


@dataclass
class Endpoint:
    name: str
    category: str  # raw, public, revalidate, authenticated, qr, ingest
    method: str
    path: str
    headers: dict[str, str] = field(default_factory=dict)
    body: bytes = b""
    expect: int = 200


@dataclass
class Row:
    endpoint: str
    category: str
    generator: str
    requests_per_second: float
    p50_ms: float
    p99_ms: float
    ratio_to_raw: float
    errors: int


TARGETS = {"public": 0.25, "revalidate": 0.35, "authenticated": 0.10, "qr": 0.08}


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind((HOST, 0))
        return int(sock.getsockname()[1])


def pinned(core: int, argv: list[str]) -> list[str]:
    taskset = shutil.which("taskset")
    if taskset and (os.cpu_count() or 1) > 1:
        return [taskset, "-c", str(core), *argv]
    return argv


@contextmanager
def serve(app: str, env: dict[str, str], *, factory: bool) -> Iterator[int]:
    port = free_port()
    argv = [
        sys.executable,
        "-m",
        "uvicorn",
        app,
        "--host",
        HOST,
        "--port",
        str(port),
        "--workers",
        "1",
        "--no-access-log",
        "--log-level",
        "warning",
    ]
    if factory:
        argv.append("--factory")
    process = subprocess.Popen(  # noqa: S603 - our interpreter, our modules
        pinned(0, argv),
        env={**os.environ, **env},
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    try:
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            if process.poll() is not None:
                raise RuntimeError(f"{app} exited: {process.stderr.read().decode()[-2000:]}")
            try:
                httpx.get(f"http://{HOST}:{port}/healthz", timeout=1)
                break
            except httpx.HTTPError:
                time.sleep(0.1)
        yield port
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()


def _lua_string(text: str) -> str:
    """A Lua string literal: ETags and JSON bodies carry quotes."""
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def _wrk_script(endpoint: Endpoint) -> str:
    lines = [f"wrk.method = {_lua_string(endpoint.method)}"]
    for name, value in endpoint.headers.items():
        lines.append(f"wrk.headers[{_lua_string(name)}] = {_lua_string(value)}")
    if endpoint.body:
        lines.append(f"wrk.body = {_lua_string(endpoint.body.decode())}")
    lines.append(f"wrk.path = {_lua_string(endpoint.path)}")
    return "\n".join(lines) + "\n"


_UNITS = {"us": 0.001, "ms": 1.0, "s": 1000.0}


def _parse_latency(text: str, label: str) -> float:
    match = re.search(rf"^\s*{label}%\s+([\d.]+)(us|ms|s)\s*$", text, re.MULTILINE)
    return float(match.group(1)) * _UNITS[match.group(2)] if match else 0.0


def measure(
    endpoint: Endpoint, port: int, seconds: float, connections: int
) -> tuple[str, float, float, float, int]:
    wrk = shutil.which("wrk")
    if wrk:
        with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as script:
            script.write(_wrk_script(endpoint))
        subprocess.run(  # warm-up  # noqa: S603
            pinned(
                1,
                [
                    wrk,
                    "-t1",
                    f"-c{connections}",
                    "-d2s",
                    "-s",
                    script.name,
                    f"http://{HOST}:{port}",
                ],
            ),
            capture_output=True,
            check=True,
        )
        output = subprocess.run(  # noqa: S603
            pinned(
                1,
                [
                    wrk,
                    "-t1",
                    f"-c{connections}",
                    f"-d{max(1, round(seconds))}s",
                    "--latency",
                    "-s",
                    script.name,
                    f"http://{HOST}:{port}",
                ],
            ),
            capture_output=True,
            check=True,
            text=True,
        ).stdout
        os.unlink(script.name)
        rate = float(re.search(r"Requests/sec:\s+([\d.]+)", output).group(1))  # type: ignore[union-attr]
        errors = re.search(r"Non-2xx or 3xx responses:\s+(\d+)", output)
        return (
            "wrk",
            rate,
            _parse_latency(output, "50"),
            _parse_latency(output, "99"),
            int(errors.group(1)) if errors else 0,
        )
    request = loadgen.Request(endpoint.method, endpoint.path, endpoint.headers, endpoint.body)
    result = loadgen.run(HOST, port, request, connections=connections, seconds=seconds, warmup=2.0)
    errors = sum(n for status, n in result.statuses.items() if status >= 400)
    return "python", result.rate, result.percentile(50), result.percentile(99), errors


def prepare_database(url: str, cases: int, env: dict[str, str]) -> int:
    run = lambda *args: subprocess.run(  # noqa: E731,S603
        [sys.executable, "-m", "victim_api", *args],
        env={**os.environ, **env},
        cwd=ROOT,
        check=True,
        capture_output=True,
    )
    run("migrate")
    run("seed-demo")
    try:
        import victim_api.synthetic  # noqa: F401
    except ImportError:
        return 0
    run("seed-synthetic", "--cases", str(cases), "--seed", "1")
    return cases


def token(port: int, client: str) -> str:
    response = httpx.post(
        f"http://{HOST}:{port}/v1/oauth/token",
        data={"grant_type": "client_credentials"},
        auth=(client, f"{client}-secret"),
    )
    response.raise_for_status()
    return str(response.json()["access_token"])


def endpoints(port: int) -> list[Endpoint]:
    """Every endpoint the benchmark drives. Domains add theirs as they land."""
    auditor = {"Authorization": f"Bearer {token(port, 'demo-auditor')}"}
    staff = {"Authorization": f"Bearer {token(port, 'demo-staff')}"}
    qr = httpx.post(
        f"http://{HOST}:{port}/v1/qr-tokens",
        json={"leaflet_slug": "victim-information"},
        headers=staff,
    ).json()["token"]
    json_headers = {"Content-Type": "application/json"}
    found = [
        Endpoint("health (FastAPI, no database)", "framework", "GET", "/healthz"),
        Endpoint(
            "reference boroughs (public, cacheable)", "public", "GET", "/v1/reference/boroughs"
        ),
        Endpoint(
            "QR resolve (signature verified)",
            "qr",
            "POST",
            "/v1/qr-tokens/resolve",
            json_headers,
            json.dumps({"token": qr}).encode(),
        ),
        Endpoint(
            "audit events page (authenticated, database)",
            "authenticated",
            "GET",
            "/v1/audit-events?limit=20",
            auditor,
        ),
    ]
    contract = httpx.get(f"http://{HOST}:{port}/openapi.json").json()["paths"]
    leaflet = "/v1/leaflets/{slug}"
    if leaflet in contract:
        page = httpx.get(f"http://{HOST}:{port}/v1/leaflets/victim-information")
        found.append(Endpoint("leaflet fetch", "public", "GET", "/v1/leaflets/victim-information"))
        if "etag" in page.headers:
            found.append(
                Endpoint(
                    "leaflet 304 revalidation",
                    "revalidate",
                    "GET",
                    "/v1/leaflets/victim-information",
                    {"If-None-Match": page.headers["etag"]},
                    expect=304,
                )
            )
    if "/openreferral/services" in contract:
        found.append(
            Endpoint(
                "Open Referral /services page",
                "public",
                "GET",
                "/openreferral/services?per_page=20",
            )
        )
    if "/v1/directory/services" in contract:
        found.append(
            Endpoint(
                "staff directory search",
                "authenticated",
                "GET",
                "/v1/directory/services?crime_type=BURGLARY_RESIDENTIAL&borough=CAMDEN",
                staff,
            )
        )
    return found


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--cases", type=int, default=int(os.environ.get("BENCH_CASES", "100000")))
    parser.add_argument("--seconds", type=float, default=10.0)
    parser.add_argument("--connections", type=int, default=64)
    parser.add_argument(
        "--smoke", action="store_true", help="Seconds-long run proving the harness."
    )
    args = parser.parse_args()
    if args.smoke:
        args.cases, args.seconds, args.connections = 100, 1.0, 8
    OUT_DIR.mkdir(parents=True, exist_ok=True)
    database = OUT_DIR / ("smoke.db" if args.smoke else f"bench-{args.cases}.db")
    if args.smoke and database.exists():
        database.unlink()
    env = {
        "VICTIM_API_DATABASE_URL": os.environ.get("BENCH_DATABASE_URL", f"sqlite:///{database}"),
        "VICTIM_API_KEYS_DIR": str(OUT_DIR / "keys"),
        "VICTIM_API_LOG_LEVEL": "WARNING",
        "VICTIM_API_LOG_FORMAT": "json",
        "VICTIM_API_TOKEN_RATE_LIMIT_PER_MINUTE": "100000",
        "VICTIM_API_QR_RESOLVE_RATE_LIMIT_PER_MINUTE": "10000000",
        # The public feed's per-address limit (600 a minute) turns the run into 429s.
        "VICTIM_API_OPENREFERRAL_RATE_LIMIT_PER_MINUTE": "10000000",
    }
    seeded = prepare_database(env["VICTIM_API_DATABASE_URL"], args.cases, env)
    rows: list[Row] = []
    with serve("bench.raw_asgi:app", env, factory=False) as raw_port:
        raw = Endpoint("raw ASGI baseline", "raw", "GET", "/healthz")
        generator, raw_rate, p50, p99, errors = measure(
            raw, raw_port, args.seconds, args.connections
        )
        rows.append(Row(raw.name, raw.category, generator, raw_rate, p50, p99, 1.0, errors))
    with serve("victim_api.app:create_app_from_environment", env, factory=True) as port:
        for endpoint in endpoints(port):
            generator, rate, p50, p99, errors = measure(
                endpoint, port, args.seconds, args.connections
            )
            rows.append(
                Row(
                    endpoint.name,
                    endpoint.category,
                    generator,
                    rate,
                    p50,
                    p99,
                    rate / raw_rate,
                    errors,
                )
            )
    report = {
        "measured_at": datetime.now(UTC).isoformat(),
        "cases_seeded": seeded,
        "database": env["VICTIM_API_DATABASE_URL"].split(":")[0],
        "connections": args.connections,
        "seconds": args.seconds,
        "cpu_count": os.cpu_count(),
        "targets": TARGETS,
        "rows": [asdict(r) for r in rows],
    }
    name = "smoke.json" if args.smoke else f"bench-{datetime.now(UTC):%Y%m%dT%H%M%SZ}.json"
    (OUT_DIR / name).write_text(json.dumps(report, indent=2))
    print_table(rows, seeded, env["VICTIM_API_DATABASE_URL"])
    if args.smoke and any(r.errors for r in rows):
        sys.exit("smoke: an endpoint answered with errors")


def print_table(rows: list[Row], seeded: int, url: str) -> None:
    header = f"{'endpoint':<48} {'req/s':>9} {'p50 ms':>8} {'p99 ms':>8} {'ratio':>7}"
    print(f"\n{header} {'target':>7}  gen   errors")
    for r in rows:
        target = TARGETS.get(r.category)
        wanted = f"{target:.0%}" if target else "-"
        print(
            f"{r.endpoint:<48} {r.requests_per_second:>9.0f} {r.p50_ms:>8.2f} {r.p99_ms:>8.2f} "
            f"{r.ratio_to_raw:>7.1%} {wanted:>7}  {r.generator:<6}{r.errors}"
        )
    print(f"\n{seeded} synthetic cases; database {url.split(':')[0]}; results in {OUT_DIR}")


if __name__ == "__main__":
    main()
