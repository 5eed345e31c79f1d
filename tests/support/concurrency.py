"""Real threads released together, for tests of concurrent requests."""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any


def race(work: Callable[[int], Any], count: int) -> list[Any]:
    """Run ``work(0..count-1)`` in ``count`` threads released by one barrier."""
    barrier = threading.Barrier(count)
    results: list[Any] = [None] * count

    def run(n: int) -> None:
        barrier.wait()
        results[n] = work(n)

    threads = [threading.Thread(target=run, args=(n,)) for n in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return results
