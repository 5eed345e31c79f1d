"""Verification: one answer to every refusal, counted failures, delays, lockout, unlock."""

from __future__ import annotations

import pytest
import sqlalchemy as sa
from fastapi import FastAPI
from fastapi.testclient import TestClient
from pydantic import ValidationError

from tests.helpline.conftest import make_person, session_headers, verify
from victim_api.helpline.models import VerificationCounter
from victim_api.platform.audit import AuditEvent
from victim_api.platform.db import table_of
from victim_api.settings import Settings

WRONG_PIN = "000000"


def _refusal(response) -> tuple[int, dict, dict]:
    body = dict(response.json())
    body.pop("request_id")
    headers = {
        k: v
        for k, v in response.headers.items()
        if k.lower() not in ("x-request-id", "content-length", "date")
    }
    return response.status_code, body, headers


def test_success_returns_a_short_lived_session_not_stored(client: TestClient, police, ivr) -> None:
    person = make_person(client, police)
    response = verify(client, ivr, person.body())
    assert response.status_code == 201, response.text
    body = response.json()
    assert body["token_type"] == "Bearer"
    assert body["expires_in"] == 900
    assert body["expires_at"].endswith("Z")
    assert response.headers["Cache-Control"] == "no-store"
    me = client.get("/v1/me/case", headers={"Authorization": f"Bearer {body['session_token']}"})
    assert me.status_code == 200
    assert me.json()["case_id"] == person.case_id


def test_the_keypad_form_of_the_reference_works(client: TestClient, police, ivr) -> None:
    person = make_person(client, police)
    keypad = person.crime_reference.replace("/", "")
    assert verify(client, ivr, person.body(crime_reference=keypad)).status_code == 201


def test_every_kind_of_refusal_is_the_same_answer(client: TestClient, police, ivr) -> None:
    person = make_person(client, police, case={"crime_type": "DOMESTIC_ABUSE"})
    other = make_person(client, police)
    unknown = person.body(crime_reference="9999999/99")
    refusals = [
        verify(client, ivr, unknown),
        verify(client, ivr, person.body(date_of_birth="1970-01-01")),
        verify(client, ivr, person.body(pin=WRONG_PIN)),
        # Domestic abuse: the PIN is required.
        verify(client, ivr, person.body(pin=None)),
        verify(client, ivr, other.body(pin=WRONG_PIN)),
    ]
    answers = [_refusal(r) for r in refusals]
    assert answers[0][0] == 401
    assert answers[0][1]["code"] == "verification_failed"
    assert "helpline" in answers[0][1]["detail"]
    assert all(a == answers[0] for a in answers), answers


def test_eleven_wrong_pins_lock_and_the_right_pin_is_then_refused_alike(
    app: FastAPI, client: TestClient, police, ivr
) -> None:
    person = make_person(client, police)
    wrong = [verify(client, ivr, person.body(pin=WRONG_PIN)) for _ in range(11)]
    assert {r.status_code for r in wrong} == {401}
    locked = verify(client, ivr, person.body())
    assert _refusal(locked) == _refusal(wrong[0])
    with app.state.database.read_session() as session:
        row = session.execute(
            sa.select(table_of(VerificationCounter)).where(
                table_of(VerificationCounter).c.subject == f"victim:{person.victim_id}"
            )
        ).one()
    assert row.failures == 12  # the refused right PIN counts too: it was refused
    assert row.locked_until is not None
    metrics = client.get("/metrics").text
    assert "victim_api_verification_lockouts_total" in metrics


def test_a_delay_refuses_even_the_right_answer_from_the_third_failure(
    client: TestClient, police, ivr
) -> None:
    person = make_person(client, police)
    for _ in range(2):
        verify(client, ivr, person.body(pin=WRONG_PIN))
    # Two failures: no delay yet, the right answer works and resets the count.
    assert verify(client, ivr, person.body()).status_code == 201
    for _ in range(3):
        verify(client, ivr, person.body(pin=WRONG_PIN))
    assert verify(client, ivr, person.body()).status_code == 401


def test_staff_unlock_lets_the_victim_in_again(client: TestClient, police, staff, ivr) -> None:
    person = make_person(client, police)
    for _ in range(10):
        verify(client, ivr, person.body(pin=WRONG_PIN))
    assert verify(client, ivr, person.body()).status_code == 401
    url = f"/v1/victims/{person.victim_id}/verification-unlock"
    response = client.post(url, json={"reason": "Victim called; lock confirmed"}, headers=staff)
    assert response.status_code == 200, response.text
    assert response.json()["locked"] is False
    assert response.json()["consecutive_failures"] == 0
    assert verify(client, ivr, person.body()).status_code == 201
    with client.app.state.database.read_session() as session:
        row = session.execute(
            sa.select(table_of(VerificationCounter)).where(
                table_of(VerificationCounter).c.subject == f"victim:{person.victim_id}"
            )
        ).one()
    assert row.clear_reason == "Victim called; lock confirmed"
    assert row.cleared_by == "staff.tester"


def test_recovery_issues_a_new_pin_ends_sessions_and_then_needs_the_pin(
    client: TestClient, police, staff, ivr
) -> None:
    person = make_person(client, police, with_pin=False)
    old_session = session_headers(client, ivr, person)
    for _ in range(10):
        verify(client, ivr, person.body(date_of_birth="1970-01-01"))
    url = f"/v1/victims/{person.victim_id}/verification-recovery"
    response = client.post(
        url, json={"identity_check": "CALLED_BACK_ON_NUMBER_HELD"}, headers=staff
    )
    assert response.status_code == 200, response.text
    assert response.headers["Cache-Control"] == "no-store"
    new_pin = response.json()["pin"]
    assert response.json()["verification"]["locked"] is False
    assert client.get("/v1/me/case", headers=old_session).status_code == 401
    # Whoever knew the date of birth alone is now shut out.
    assert verify(client, ivr, person.body()).status_code == 401
    assert verify(client, ivr, person.body(pin=new_pin)).status_code == 201


def test_sideways_guessing_one_birth_date_across_references_is_stopped(
    client: TestClient, police, ivr
) -> None:
    people = [make_person(client, police, with_pin=False) for _ in range(6)]
    guess = "1999-09-09"
    for person in people[:5]:
        assert verify(client, ivr, person.body(date_of_birth=guess)).status_code == 401
    target = make_person(client, police, with_pin=False, date_of_birth=guess)
    # Right answer for this reference, but the guessed factor is spent for this client.
    assert verify(client, ivr, target.body()).status_code == 401


def test_every_attempt_is_audited_without_the_factors(
    app: FastAPI, client: TestClient, police, ivr
) -> None:
    person = make_person(client, police)
    verify(client, ivr, person.body(pin=WRONG_PIN))
    verify(client, ivr, person.body())
    with app.state.database.read_session() as session:
        rows = session.execute(
            sa.select(table_of(AuditEvent))
            .where(table_of(AuditEvent).c.resource_type == "victim_verification")
            .where(table_of(AuditEvent).c.resource_id == person.victim_id)
        ).all()
    assert sorted(r.outcome for r in rows) == ["FAILED", "SUCCESS"]
    dumped = repr([tuple(r) for r in rows])
    assert person.date_of_birth not in dumped
    assert str(person.pin) not in dumped


def test_sign_out_ends_the_session(client: TestClient, police, ivr) -> None:
    person = make_person(client, police)
    headers = session_headers(client, ivr, person)
    assert client.delete("/v1/victim-sessions/current", headers=headers).status_code == 204
    assert client.get("/v1/me/case", headers=headers).status_code == 401


def test_channels_and_tokens(client: TestClient, police, phone, channel_tokens, ivr) -> None:
    person = make_person(client, police)
    web = {"Authorization": f"Bearer {channel_tokens['WEB']}"}
    assert verify(client, web, person.body()).status_code == 201
    staff = {"Authorization": f"Bearer {channel_tokens['STAFF']}"}
    assert verify(client, staff, person.body()).status_code == 403
    # A PHONE client token on staff routes is 403.
    url = f"/v1/victims/{person.victim_id}/verification-unlock"
    assert client.post(url, json={"reason": "x"}, headers=phone).status_code == 403
    assert client.get(f"/v1/cases/{person.case_id}", headers=phone).status_code == 403
    # A victim session on a client route is 401; a client token on a victim route 403.
    headers = session_headers(client, ivr, person)
    assert client.get(f"/v1/victims/{person.victim_id}", headers=headers).status_code == 401
    assert client.get("/v1/me/case", headers=phone).status_code == 403


def test_a_client_with_too_many_failures_is_rate_limited(
    client: TestClient, police, ivr, monkeypatch
) -> None:
    settings = client.app.state.settings
    strict = settings.model_copy(update={"verification_client_failures_per_window": 3})
    monkeypatch.setattr(client.app.state, "settings", strict)
    person = make_person(client, police)
    for _ in range(3):
        assert verify(client, ivr, person.body(pin=WRONG_PIN)).status_code == 401
    limited = verify(client, ivr, person.body())
    assert limited.status_code == 429
    assert limited.json()["code"] == "rate_limited"
    assert int(limited.headers["Retry-After"]) > 0


def test_the_limits_can_never_exceed_nists_100() -> None:
    for name in ("verification_lockout_failures", "verification_delay_from_failure"):
        with pytest.raises(ValidationError):
            Settings(**{name: 101})
    with pytest.raises(ValidationError):
        Settings(verification_delay_from_failure=12, verification_lockout_failures=10)
    assert Settings(verification_lockout_failures=100).verification_lockout_failures == 100


def test_one_sources_failures_do_not_shut_out_other_callers_of_the_same_client(
    client: TestClient, police, ivr, monkeypatch
) -> None:
    # Every visitor of the web page is the same WEB client: the client-wide limits
    # count per source address, so an abuser at one address cannot lock the rest out.
    settings = client.app.state.settings
    strict = settings.model_copy(
        update={"verification_client_failures_per_window": 3, "verification_sideways_failures": 2}
    )
    monkeypatch.setattr(client.app.state, "settings", strict)
    abuser = TestClient(client.app, client=("192.0.2.10", 40000))
    victim = TestClient(client.app, client=("198.51.100.7", 40001))
    guess = "1999-08-08"
    targets = [make_person(client, police, with_pin=False) for _ in range(3)]
    for person in targets:
        assert verify(abuser, ivr, person.body(date_of_birth=guess)).status_code == 401
    assert verify(abuser, ivr, targets[0].body()).status_code == 429
    # Another caller, same client, same birth date as the abuser's guess: let in.
    other = make_person(client, police, with_pin=False, date_of_birth=guess)
    assert verify(victim, ivr, other.body()).status_code == 201
