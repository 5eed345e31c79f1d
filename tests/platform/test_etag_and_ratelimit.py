"""Compare-and-swap updates and the shared rate limiter."""

from __future__ import annotations

import threading
from collections import Counter

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from tests.support.auth import new_client
from victim_api.platform.clients import ApiClient
from victim_api.platform.db import table_of
from victim_api.platform.etag import (
    PreconditionFailedError,
    PreconditionRequiredError,
    compare_and_swap,
    etag,
    expected_version,
)
from victim_api.platform.principal import Channel
from victim_api.platform.ratelimit import RateLimitedError, bucket_key, hit


def test_if_match_rules() -> None:
    assert expected_version(etag(7)) == 7
    assert expected_version('W/"v7"') == 7
    with pytest.raises(PreconditionRequiredError):
        expected_version(None)
    with pytest.raises(PreconditionFailedError):
        expected_version('"something-else"')


def test_concurrent_updates_with_the_same_etag_exactly_one_wins(app: FastAPI) -> None:
    target = new_client(app, Channel.STAFF, set(), name="cas target")
    database = app.state.database
    table = table_of(ApiClient)
    barrier = threading.Barrier(8)
    outcomes: Counter[str] = Counter()
    lock = threading.Lock()

    def update(n: int) -> None:
        barrier.wait()
        try:
            with database.transaction() as session:
                compare_and_swap(
                    session, table, {"client_id": target.client_id}, 1, {"name": f"w{n}"}
                )
            result = "won"
        except PreconditionFailedError:
            result = "lost"
        with lock:
            outcomes[result] += 1

    threads = [threading.Thread(target=update, args=(n,)) for n in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert outcomes == {"won": 1, "lost": 7}
    with database.read_session() as session:
        assert session.get(ApiClient, target.client_id).version == 2


def test_the_limiter_counts_and_answers_429_with_retry_after(app: FastAPI) -> None:
    bucket = bucket_key("test-limit", "client-a")
    for expected in range(1, 4):
        assert hit(app.state.database, bucket, limit=3, window_seconds=60) == expected
    with pytest.raises(RateLimitedError) as raised:
        hit(app.state.database, bucket, limit=3, window_seconds=60)
    assert raised.value.status == 429
    assert 1 <= int(raised.value.headers["Retry-After"]) <= 60


def test_concurrent_hits_are_counted_exactly(app: FastAPI) -> None:
    bucket = bucket_key("test-concurrent", "x")
    threads = [
        threading.Thread(
            target=hit,
            args=(app.state.database, bucket),
            kwargs={"limit": 1000, "window_seconds": 60},
        )
        for _ in range(20)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert hit(app.state.database, bucket, limit=1000, window_seconds=60) == 21


def test_the_token_endpoint_is_rate_limited(settings, client: TestClient) -> None:
    from victim_api.app import create_app

    limited = create_app(settings.model_copy(update={"token_rate_limit_per_minute": 2}))
    with TestClient(limited) as test_client:
        credentials = new_client(limited, Channel.STAFF, set())
        form = {"grant_type": "client_credentials"}
        auth = (credentials.client_id, credentials.client_secret)
        statuses = [
            test_client.post("/v1/oauth/token", data=form, auth=auth).status_code for _ in range(3)
        ]
        last = test_client.post("/v1/oauth/token", data=form, auth=auth)
    limited.state.database.dispose()
    assert statuses[:2] == [200, 200]
    assert last.status_code == 429
    assert last.headers["content-type"] == "application/problem+json"
    assert int(last.headers["retry-after"]) >= 1
