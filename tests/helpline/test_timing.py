"""An unknown reference, a wrong factor and a locked account take the same time.

Over 200 tries of each (interleaved, so load on the machine falls on all three
alike), through the in-process app with the production argon2 parameters, the
medians are within 10% of each other.
"""

from __future__ import annotations

import statistics
import time

import pytest
from fastapi.testclient import TestClient

from tests.helpline.conftest import make_person, verify
from tests.support.auth import bearer, new_client, token_for
from victim_api.helpline.scopes import VICTIM_SESSIONS_CREATE
from victim_api.platform.principal import Channel

pytestmark = pytest.mark.slow
TRIES = 200


def test_refusals_take_the_same_time(
    client: TestClient, police, monkeypatch: pytest.MonkeyPatch
) -> None:
    # One client makes all 600 failures: lift its client-wide limit (tested elsewhere).
    settings = client.app.state.settings
    lifted = settings.model_copy(update={"verification_client_failures_per_window": 100_000})
    monkeypatch.setattr(client.app.state, "settings", lifted)
    credentials = new_client(client.app, Channel.PHONE, {VICTIM_SESSIONS_CREATE}, name="timing")
    ivr = bearer(token_for(client, credentials))
    wrong = make_person(client, police, with_pin=False)
    locked = make_person(client, police, with_pin=False)
    for _ in range(10):
        verify(client, ivr, locked.body(date_of_birth="1970-01-01"))
    # Every try gives a date of birth only: one argon2 verification each.
    kinds = {
        "unknown": wrong.body(crime_reference="9999998/99"),
        "wrong": wrong.body(date_of_birth="1970-01-02"),
        "locked": locked.body(),
    }
    timings: dict[str, list[float]] = {kind: [] for kind in kinds}
    for kind in kinds:  # warm every path once
        verify(client, ivr, kinds[kind])
    for _ in range(TRIES):
        for kind, body in kinds.items():
            started = time.perf_counter()
            response = verify(client, ivr, body)
            timings[kind].append(time.perf_counter() - started)
            assert response.status_code == 401
    medians = {kind: statistics.median(values) for kind, values in timings.items()}
    fastest, slowest = min(medians.values()), max(medians.values())
    assert slowest <= fastest * 1.10, medians
