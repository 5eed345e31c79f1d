"""`make bench`: the service's hot paths against a raw ASGI baseline, in one run.

    python -m bench.run [--cases N] [--seconds S] [--connections C] [--smoke]

1. Builds (or reuses) a benchmark database under var/bench/ with the migrations,
   the demo data and N synthetic cases (`victim-api seed-synthetic`).
2. Serves the raw ASGI baseline (bench/raw_asgi.py) and then the service, each
   with uvicorn, one worker, the same settings, pinned to core 0 where `taskset`
   exists, on a free loopback port.
3. Drives each endpoint with wrk if installed (else bench/loadgen.py), pinned to
   the other core, at C connections for S seconds after a warm-up. Writes that
   must differ each time (event ingestion) always use bench/loadgen.py; batch
   upsert is timed as items per second over a few batches of 500 new cases.
   Endpoints that other work adds (the helpline's, the worklist) are measured
   when the contract has them and reported "not present" otherwise.
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
import uuid
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
    vary: loadgen.Variant | None = None  # a fresh request each time (Python generator)


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
    note: str = ""


TARGETS = {"public": 0.25, "revalidate": 0.35, "authenticated": 0.10, "qr": 0.08}
INGEST_TARGET = 2000.0  # items per second through batch upsert


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind((HOST, 0))
        return int(sock.getsockname()[1])


def pinned(core: int, argv: list[str]) -> list[str]:
    taskset = shutil.which("taskset")
    if taskset and (os.cpu_count() or 1) > 1:
        return [taskset, "-c", str(core), *argv]
    return argv


def rss_mb(pid: int) -> float:
    """Resident memory of a process (Linux /proc), 0 where unknown."""
    try:
        status = Path(f"/proc/{pid}/status").read_text()
    except OSError:
        return 0.0
    match = re.search(r"^VmRSS:\s+(\d+) kB", status, re.MULTILINE)
    return int(match.group(1)) / 1024 if match else 0.0


@dataclass
class Server:
    port: int
    pid: int


@contextmanager
def serve(app: str, env: dict[str, str], *, factory: bool) -> Iterator[Server]:
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
        # Generous: on a loaded 2-core machine the service takes a while to import.
        deadline = time.monotonic() + 180
        while True:
            if process.poll() is not None:
                raise RuntimeError(f"{app} exited: {process.stderr.read().decode()[-2000:]}")
            try:
                httpx.get(f"http://{HOST}:{port}/healthz", timeout=5)
                break
            except httpx.HTTPError:
                if time.monotonic() > deadline:
                    raise RuntimeError(f"{app} did not answer /healthz in 180 s") from None
                time.sleep(0.2)
        yield Server(port, process.pid)
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
    if wrk and endpoint.vary is None:
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
    result = loadgen.run(
        HOST,
        port,
        request,
        connections=connections,
        seconds=seconds,
        warmup=2.0,
        vary=endpoint.vary,
    )
    errors = sum(n for status, n in result.statuses.items() if status >= 400)
    return "python", result.rate, result.percentile(50), result.percentile(99), errors


@dataclass
class Seeded:
    cases: int
    seconds: float | None  # None when an existing database was reused
    manifest: dict[str, object]


def prepare_database(url: str, cases: int, env: dict[str, str], manifest: Path) -> Seeded:
    """Migrate, then load the demo data and N synthetic cases unless that was done before.

    A reused database is still migrated, so it has the indexes the code expects.
    """
    run = lambda *args: subprocess.run(  # noqa: E731,S603
        [sys.executable, "-m", "victim_api", *args],
        env={**os.environ, **env},
        cwd=ROOT,
        check=True,
        capture_output=True,
    )
    run("migrate")
    if manifest.exists():
        saved = json.loads(manifest.read_text())
        if saved.get("cases") == cases:
            return Seeded(cases, None, saved)
        raise SystemExit(f"{manifest} is for another case count: remove it and its database")
    run("seed-demo")
    started = time.monotonic()
    run("seed-synthetic", "--cases", str(cases), "--seed", "1", "--manifest", str(manifest))
    return Seeded(cases, time.monotonic() - started, json.loads(manifest.read_text()))


def synthetic_samples(url: str) -> dict[str, str]:
    """A synthetic case (with a victim) and a case-bound QR token to drive reads with."""
    import sqlalchemy as sa

    engine = sa.create_engine(url)
    try:
        with engine.connect() as connection:
            case_id = connection.execute(
                sa.text(
                    "SELECT id FROM case_record WHERE created_by = 'synthetic-seed' "
                    "ORDER BY crime_reference LIMIT 1 OFFSET "
                    "(SELECT count(*) / 2 FROM case_record WHERE created_by = 'synthetic-seed')"
                )
            ).scalar_one()
            qr_token = connection.execute(
                sa.text("SELECT token FROM qr_token WHERE case_id IS NOT NULL LIMIT 1")
            ).scalar()
    finally:
        engine.dispose()
    return {"case_id": str(case_id), "qr_token": str(qr_token or "")}


def token(port: int, client: str, acting_user: str | None = None) -> str:
    form = {"grant_type": "client_credentials"}
    if acting_user:
        form["acting_user"] = acting_user  # the agent view needs a named person
    response = httpx.post(
        f"http://{HOST}:{port}/v1/oauth/token",
        data=form,
        auth=(client, f"{client}-secret"),
    )
    response.raise_for_status()
    return str(response.json()["access_token"])


def _event_variant(case_id: str, headers: dict[str, str]) -> loadgen.Variant:
    body = json.dumps({"type": "GENERAL_UPDATE", "victim_text": "An update on your case."})

    def make(n: int) -> loadgen.Request:
        return loadgen.Request(
            "POST",
            f"/v1/cases/{case_id}/events",
            {**headers, "Content-Type": "application/json", "Idempotency-Key": f"bench-{n}-{RUN}"},
            body.encode(),
        )

    return make


RUN = uuid.uuid4().hex[:8]  # keeps Idempotency-Keys fresh across runs on one database


def _victim_session(
    port: int, contract: dict[str, object], helpline: dict[str, str], manifest: dict[str, object]
) -> tuple[dict[str, str] | None, str]:
    """A victim session from the helpline's verification, when the contract has one."""
    if "/v1/victim-sessions" not in contract:
        return None, "not present (no POST /v1/victim-sessions)"
    people = manifest.get("verifiable") or []
    if not isinstance(people, list) or not people:
        return None, "no verifiable synthetic victim"
    person = people[0]
    response = httpx.post(
        f"http://{HOST}:{port}/v1/victim-sessions",
        json={k: person[k] for k in ("crime_reference", "date_of_birth", "pin")},
        headers=helpline,
    )
    if response.status_code not in (200, 201):
        return None, f"present, but no session ({response.status_code})"
    return {"Authorization": f"Bearer {response.json()['session_token']}"}, ""


def endpoints(
    port: int, samples: dict[str, str], manifest: dict[str, object]
) -> tuple[list[Endpoint], list[tuple[str, str]]]:
    """Every endpoint the benchmark drives, and those it cannot (with the reason)."""
    auditor = {"Authorization": f"Bearer {token(port, 'demo-auditor')}"}
    staff = {"Authorization": f"Bearer {token(port, 'demo-staff')}"}
    police = {"Authorization": f"Bearer {token(port, 'demo-police')}"}
    partner = {"Authorization": f"Bearer {token(port, 'demo-partner')}"}
    helpline = {
        "Authorization": f"Bearer {token(port, 'demo-helpline', acting_user='bench.agent')}"
    }
    case_id = samples["case_id"]
    qr = (
        samples["qr_token"]
        or (
            httpx.post(
                f"http://{HOST}:{port}/v1/qr-tokens",
                json={"leaflet_slug": "victim-information"},
                headers=staff,
            ).json()["token"]
        )
    )
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
        Endpoint("case by id (staff)", "authenticated", "GET", f"/v1/cases/{case_id}", staff),
        Endpoint("case list page (staff)", "list", "GET", "/v1/cases?limit=20", staff),
        Endpoint(
            "case list, one borough (staff)",
            "list",
            "GET",
            "/v1/cases?limit=20&borough=CAMDEN",
            staff,
        ),
        Endpoint(
            "case timeline (staff)", "authenticated", "GET", f"/v1/cases/{case_id}/events", staff
        ),
        Endpoint(
            "partner pending-referrals page",
            "authenticated",
            "GET",
            "/v1/partner/referrals?limit=20",
            partner,
        ),
        Endpoint(
            "audit events page (authenticated, database)",
            "authenticated",
            "GET",
            "/v1/audit-events?limit=20",
            auditor,
        ),
        Endpoint(
            "event ingestion (POST, Idempotency-Key)",
            "ingest",
            "POST",
            f"/v1/cases/{case_id}/events",
            expect=201,
            vary=_event_variant(case_id, police),
        ),
    ]
    missing: list[tuple[str, str]] = []
    contract = httpx.get(f"http://{HOST}:{port}/openapi.json", timeout=60).json()["paths"]
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
    if "/v1/worklist" in contract:
        found.append(Endpoint("worklist page", "authenticated", "GET", "/v1/worklist", staff))
    else:
        missing.append(("worklist page", "not present (no GET /v1/worklist)"))
    session, why = _victim_session(port, contract, helpline, manifest)
    if "/v1/me/case" in contract and session is not None:
        found.append(
            Endpoint(
                "GET /v1/me/case (victim session)", "authenticated", "GET", "/v1/me/case", session
            )
        )
    else:
        missing.append(("GET /v1/me/case", why if "/v1/me/case" in contract else "not present"))
    agent_view = "/v1/helpline/cases/{case_id}/agent-view"
    if agent_view in contract:
        people = manifest.get("verifiable") or []
        agent_case = people[0]["case_id"] if isinstance(people, list) and people else case_id
        found.append(
            Endpoint(
                "helpline agent view",
                "authenticated",
                "GET",
                f"/v1/helpline/cases/{agent_case}/agent-view",
                helpline,
            )
        )
    else:
        missing.append(("helpline agent view", "not present"))
    return found, missing


def batch_ingest(port: int, batches: int, size: int = 500) -> tuple[float, int]:
    """Items per second through POST /v1/cases/batch-upsert: new cases, 2 connections."""
    from concurrent.futures import ThreadPoolExecutor

    headers = {"Authorization": f"Bearer {token(port, 'demo-police')}"}

    def body(b: int) -> dict[str, object]:
        base = 9_000_000 + (int(RUN, 16) % 800) * 1000 + b  # clear of synthetic and demo
        return {
            "items": [
                {
                    "case_id": str(uuid.uuid4()),
                    "crime_reference": f"{(base * size + i) % 10**7:07d}/26",
                    "borough": "CAMDEN",
                    "crime_type": "THEFT",
                    "reported_at": "2026-11-30T21:15:00Z",
                    "offence_date": "2026-11-30",
                }
                for i in range(size)
            ]
        }

    bodies = [body(b) for b in range(batches)]
    failed = 0
    with httpx.Client(base_url=f"http://{HOST}:{port}", headers=headers, timeout=120) as client:

        def send(payload: dict[str, object]) -> int:
            response = client.post("/v1/cases/batch-upsert", json=payload)
            return 0 if response.status_code == 200 else len(payload["items"])  # type: ignore[arg-type]

        started = time.perf_counter()
        with ThreadPoolExecutor(max_workers=2) as pool:
            failed = sum(pool.map(send, bodies))
        elapsed = time.perf_counter() - started
    return batches * size / elapsed, failed


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
    postgres = os.environ.get("BENCH_DATABASE_URL", "")
    stem = "smoke" if args.smoke else f"{'pg-' if postgres else ''}bench-{args.cases}"
    database = OUT_DIR / f"{stem}.db"
    manifest = OUT_DIR / f"{stem}.manifest.json"
    if args.smoke:
        for path in (database, manifest):
            path.unlink(missing_ok=True)
    env = {
        "VICTIM_API_DATABASE_URL": postgres or f"sqlite:///{database}",
        "VICTIM_API_KEYS_DIR": str(OUT_DIR / "keys"),
        "VICTIM_API_LOG_LEVEL": "WARNING",
        "VICTIM_API_LOG_FORMAT": "json",
        "VICTIM_API_TOKEN_RATE_LIMIT_PER_MINUTE": "100000",
        # The production setting docs/performance.md recommends: a disabled client is
        # refused within 5 s instead of at once, for one database read less per request.
        "VICTIM_API_CLIENT_CACHE_SECONDS": "5",
        "VICTIM_API_QR_RESOLVE_RATE_LIMIT_PER_MINUTE": "10000000",
        # The public feed's per-address limit (600 a minute) turns the run into 429s.
        "VICTIM_API_OPENREFERRAL_RATE_LIMIT_PER_MINUTE": "10000000",
    }
    url = env["VICTIM_API_DATABASE_URL"]
    seeded = prepare_database(url, args.cases, env, manifest)
    samples = synthetic_samples(url)
    rows: list[Row] = []
    with serve("bench.raw_asgi:app", env, factory=False) as raw_server:
        raw = Endpoint("raw ASGI baseline", "raw", "GET", "/healthz")
        generator, raw_rate, p50, p99, errors = measure(
            raw, raw_server.port, args.seconds, args.connections
        )
        rows.append(Row(raw.name, raw.category, generator, raw_rate, p50, p99, 1.0, errors))
    with serve("victim_api.app:create_app_from_environment", env, factory=True) as server:
        found, missing = endpoints(server.port, samples, seeded.manifest)
        for endpoint in found:
            generator, rate, p50, p99, errors = measure(
                endpoint, server.port, args.seconds, args.connections
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
        items_per_second, failed = batch_ingest(server.port, 2 if args.smoke else 10)
        rows.append(
            Row(
                "batch upsert (items/s, 500 new cases a batch)",
                "batch",
                "httpx",
                items_per_second,
                0.0,
                0.0,
                0.0,
                failed,
            )
        )
        rss = rss_mb(server.pid)
    for name, reason in missing:
        rows.append(Row(name, "absent", "-", 0.0, 0.0, 0.0, 0.0, 0, reason))
    report = {
        "measured_at": datetime.now(UTC).isoformat(),
        "cases_seeded": seeded.cases,
        "seed_seconds": seeded.seconds,
        "database": url.split(":")[0],
        "connections": args.connections,
        "seconds": args.seconds,
        "cpu_count": os.cpu_count(),
        "load_average": os.getloadavg(),
        "worker_rss_mb": rss,
        "targets": {**TARGETS, "batch_items_per_second": INGEST_TARGET},
        "rows": [asdict(r) for r in rows],
    }
    name = "smoke.json" if args.smoke else f"{stem}-{datetime.now(UTC):%Y%m%dT%H%M%SZ}.json"
    (OUT_DIR / name).write_text(json.dumps(report, indent=2))
    print_table(rows, report)
    if args.smoke and any(r.errors for r in rows):
        sys.exit("smoke: an endpoint answered with errors")


def print_table(rows: list[Row], report: dict[str, object]) -> None:
    header = f"{'endpoint':<48} {'req/s':>9} {'p50 ms':>8} {'p99 ms':>8} {'ratio':>7}"
    print(f"\n{header} {'target':>7}  gen   errors")
    for r in rows:
        if r.category == "absent":
            print(f"{r.endpoint:<48} {r.note}")
            continue
        target = TARGETS.get(r.category)
        wanted = f"{target:.0%}" if target else "-"
        if r.category == "batch":
            wanted = f"{INGEST_TARGET:.0f}/s"
        print(
            f"{r.endpoint:<48} {r.requests_per_second:>9.0f} {r.p50_ms:>8.2f} {r.p99_ms:>8.2f} "
            f"{r.ratio_to_raw:>7.1%} {wanted:>7}  {r.generator:<6}{r.errors}"
        )
    seeded = report["seed_seconds"]
    how = "reused" if seeded is None else f"seeded in {float(seeded):.0f} s"  # type: ignore[arg-type]
    print(
        f"\n{report['cases_seeded']} synthetic cases ({how}); database {report['database']}; "
        f"worker RSS {float(report['worker_rss_mb']):.0f} MB; "  # type: ignore[arg-type]
        f"load average {report['load_average']}; results in {OUT_DIR}"
    )


if __name__ == "__main__":
    main()
