"""A small closed-loop HTTP/1.1 load generator, used when wrk is not installed.

Each of N connections sends a request, reads the whole response, records the
latency and sends the next, for a fixed duration. Keep-alive, no pipelining:
the same model as wrk's default. It is not as fast as wrk, so the harness pins
it to its own core and reports which generator produced each figure.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from itertools import count


@dataclass
class Request:
    method: str
    path: str
    headers: dict[str, str] = field(default_factory=dict)
    body: bytes = b""

    def encode(self, host: str) -> bytes:
        lines = [f"{self.method} {self.path} HTTP/1.1", f"Host: {host}"]
        headers = {"Connection": "keep-alive", **self.headers}
        if self.body:
            headers["Content-Length"] = str(len(self.body))
        lines += [f"{k}: {v}" for k, v in headers.items()]
        return ("\r\n".join(lines) + "\r\n\r\n").encode() + self.body


@dataclass
class Result:
    requests: int
    seconds: float
    latencies_ms: list[float]
    statuses: dict[int, int]

    @property
    def rate(self) -> float:
        return self.requests / self.seconds if self.seconds else 0.0

    def percentile(self, p: float) -> float:
        if not self.latencies_ms:
            return 0.0
        ordered = sorted(self.latencies_ms)
        return ordered[min(len(ordered) - 1, int(len(ordered) * p / 100))]


async def _read_response(reader: asyncio.StreamReader) -> int:
    head = await reader.readuntil(b"\r\n\r\n")
    status = int(head[9:12])
    length = 0
    for line in head.split(b"\r\n")[1:]:
        name, _, value = line.partition(b":")
        if name.lower() == b"content-length":
            length = int(value)
    if length:
        await reader.readexactly(length)
    return status


# A request that must differ each time (an Idempotency-Key, a new id): n -> request.
Variant = Callable[[int], Request]


async def _connection(
    host: str,
    port: int,
    payload: bytes,
    deadline: float,
    warm_until: float,
    result: Result,
    variant: tuple[Variant, count[int]] | None = None,
) -> None:
    reader, writer = await asyncio.open_connection(host, port)
    try:
        while True:
            started = time.perf_counter()
            if started >= deadline:
                return
            if variant is not None:
                make, numbers = variant
                payload = make(next(numbers)).encode(f"{host}:{port}")
            writer.write(payload)
            status = await _read_response(reader)
            finished = time.perf_counter()
            if started >= warm_until:
                result.requests += 1
                result.latencies_ms.append((finished - started) * 1000)
                result.statuses[status] = result.statuses.get(status, 0) + 1
    finally:
        writer.close()


async def _run(
    host: str,
    port: int,
    request: Request,
    connections: int,
    seconds: float,
    warmup: float,
    vary: Variant | None,
) -> Result:
    payload = request.encode(f"{host}:{port}")
    now = time.perf_counter()
    warm_until, deadline = now + warmup, now + warmup + seconds
    result = Result(0, seconds, [], {})
    variant = (vary, count()) if vary is not None else None
    await asyncio.gather(
        *(
            _connection(host, port, payload, deadline, warm_until, result, variant)
            for _ in range(connections)
        )
    )
    return result


def run(
    host: str,
    port: int,
    request: Request,
    *,
    connections: int = 64,
    seconds: float = 10.0,
    warmup: float = 2.0,
    vary: Variant | None = None,
) -> Result:
    """Drive ``request`` (or, with ``vary``, a fresh request each time) for ``seconds``."""
    work = _run(host, port, request, connections, seconds, warmup, vary)
    try:
        import uvloop

        return uvloop.run(work)
    except ImportError:  # pragma: no cover - uvloop comes with uvicorn[standard]
        return asyncio.run(work)
