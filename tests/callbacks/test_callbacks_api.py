"""Callback requests: the victim's side (victim session), staff claim and completion."""

from __future__ import annotations

from datetime import datetime

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from tests.callbacks.conftest import Person, ask, windows
from tests.support.auth import bearer, victim_session_for
from victim_api.cases.service import DeadlinePolicy
from victim_api.platform.principal import Channel


def test_a_victim_asks_for_a_callback_and_sees_it(
    app: FastAPI, client: TestClient, person: Person
) -> None:
    response = ask(client, person, preferred_times=windows(2), note="After school run")
    assert response.status_code == 201, response.text
    body = response.json()
    assert response.headers["Location"] == f"/v1/me/callback-requests/{body['id']}"
    assert body["status"] == "REQUESTED"
    assert body["reason"] == "CASE_UPDATE"
    assert len(body["preferred_times"]) == 2
    assert set(body["preferred_times"][0]) == {"from", "to"}
    requested = datetime.fromisoformat(body["requested_at"])
    _, expected_due = DeadlinePolicy.from_settings(app.state.settings).due(requested, 1)
    assert datetime.fromisoformat(body["due_by"]) == expected_due
    assert "phone" not in response.text
    listed = client.get("/v1/me/callback-requests", headers=person.headers)
    assert listed.status_code == 200
    assert [c["id"] for c in listed.json()["items"]] == [body["id"]]


@pytest.mark.parametrize(
    "change",
    [
        {"preferred_times": []},
        {"preferred_times": windows(6)},
        {"preferred_times": windows(1, start_hours=-5)},
        {"preferred_times": [{"from": "2030-01-02T10:00:00Z", "to": "2030-01-02T09:00:00Z"}]},
        {"preferred_times": [{"from": "2030-01-02T10:00:00", "to": "2030-01-02T11:00:00"}]},
        {"reason": "GOSSIP"},
        {"note": "x" * 301},
        {"phone": "+442079460999"},
    ],
)
def test_bad_requests_are_422_and_store_nothing(
    client: TestClient, person: Person, change: dict[str, object]
) -> None:
    response = ask(client, person, **change)
    assert response.status_code == 422, response.text
    assert response.headers["content-type"].startswith("application/problem+json")
    assert client.get("/v1/me/callback-requests", headers=person.headers).json()["items"] == []


def test_a_retry_with_the_same_key_replays_and_keys_are_per_victim(
    app: FastAPI, client: TestClient, person: Person, police: dict[str, str], phone_client_id: str
) -> None:
    from tests.callbacks.conftest import new_victim

    body = {"preferred_times": windows(), "reason": "SUPPORT"}
    key = {"Idempotency-Key": "callback-retry-0001"}
    first = client.post("/v1/me/callback-requests", json=body, headers={**person.headers, **key})
    again = client.post("/v1/me/callback-requests", json=body, headers={**person.headers, **key})
    assert first.status_code == again.status_code == 201
    assert again.json()["id"] == first.json()["id"]
    assert again.headers["Idempotent-Replayed"] == "true"
    other_id = new_victim(client, police, person.case_id, given_name="Robin")
    other = victim_session_for(app, phone_client_id, Channel.PHONE, other_id, person.case_id)
    theirs = client.post("/v1/me/callback-requests", json=body, headers={**other, **key})
    assert theirs.status_code == 201
    assert theirs.json()["id"] != first.json()["id"]
    assert len(client.get("/v1/me/callback-requests", headers=person.headers).json()["items"]) == 1


def test_a_session_for_another_case_is_404_and_a_client_token_403(
    app: FastAPI,
    client: TestClient,
    person: Person,
    phone_client_id: str,
    channel_tokens: dict[str, str],
) -> None:
    from tests.callbacks.conftest import new_case

    other_case = new_case(client, bearer(channel_tokens["POLICE_SYSTEM"]))
    forged = victim_session_for(app, phone_client_id, Channel.PHONE, person.victim_id, other_case)
    body = {"preferred_times": windows(), "reason": "SUPPORT"}
    wrong = client.post("/v1/me/callback-requests", json=body, headers=forged)
    assert wrong.status_code == 404
    missing = victim_session_for(
        app, phone_client_id, Channel.PHONE, "00000000-0000-4000-8000-000000000000", other_case
    )
    unknown = client.post("/v1/me/callback-requests", json=body, headers=missing)
    assert unknown.status_code == 404
    # A victim who is not on the session's case answers exactly like one who does not exist.
    assert {k: v for k, v in unknown.json().items() if k != "request_id"} == {
        k: v for k, v in wrong.json().items() if k != "request_id"
    }
    staff = bearer(channel_tokens["STAFF"])
    assert client.post("/v1/me/callback-requests", json=body, headers=staff).status_code == 403
    assert client.get("/v1/callback-requests", headers=person.headers).status_code == 401


def test_staff_claim_and_complete_a_callback_which_logs_a_contact(
    client: TestClient,
    person: Person,
    staff_users: tuple[dict[str, str], dict[str, str]],
    channel_tokens: dict[str, str],
) -> None:
    one, two = staff_users
    callback_id = ask(client, person).json()["id"]
    team = client.get(f"/v1/cases/{person.case_id}", headers=one).json()["officer"]["team"]
    listed = client.get("/v1/callback-requests", params={"team": team}, headers=one)
    assert listed.status_code == 200, listed.text
    assert [c["id"] for c in listed.json()["items"]] == [callback_id]
    assert listed.json()["items"][0]["victim_id"] == person.victim_id
    assert listed.json()["items"][0]["overdue"] is False
    claimed = client.post(f"/v1/callback-requests/{callback_id}/claim", headers=one)
    assert claimed.status_code == 200, claimed.text
    assert claimed.json()["status"] == "CLAIMED"
    assert claimed.json()["claimed_by"] == "carer.one"
    assert client.post(f"/v1/callback-requests/{callback_id}/claim", headers=one).status_code == 200
    stolen = client.post(f"/v1/callback-requests/{callback_id}/claim", headers=two)
    assert stolen.status_code == 409
    assert stolen.json()["code"] == "callback_claimed"
    by_other = client.post(
        f"/v1/callback-requests/{callback_id}/completion",
        json={"outcome": "SPOKE_TO_VICTIM"},
        headers=two,
    )
    assert by_other.status_code == 409
    duty = client.get(f"/v1/cases/{person.case_id}/duties", headers=one).json()["items"][0]
    done = client.post(
        f"/v1/callback-requests/{callback_id}/completion",
        json={
            "outcome": "SPOKE_TO_VICTIM",
            "summary": "Explained next steps.",
            "duty_ids": [duty["id"]],
        },
        headers=one,
    )
    assert done.status_code == 200, done.text
    assert done.json()["status"] == "COMPLETED"
    contact_id = done.json()["contact_id"]
    contacts = client.get(f"/v1/victims/{person.victim_id}/contacts", headers=one).json()["items"]
    assert [(c["id"], c["method"], c["outcome"]) for c in contacts] == [
        (contact_id, "PHONE_CALL", "ANSWERED")
    ]
    met = client.get(f"/v1/cases/{person.case_id}/duties", headers=one).json()["items"][0]
    assert met["contact_id"] == contact_id
    again = client.post(
        f"/v1/callback-requests/{callback_id}/completion",
        json={"outcome": "SPOKE_TO_VICTIM"},
        headers=one,
    )
    assert again.status_code == 409
    assert again.json()["code"] == "callback_completed"
    completed = client.get(
        "/v1/callback-requests", params={"team": team, "status": "COMPLETED"}, headers=one
    )
    assert [c["id"] for c in completed.json()["items"]] == [callback_id]


def test_unsafe_to_call_logs_no_contact(
    client: TestClient, person: Person, staff_users: tuple[dict[str, str], dict[str, str]]
) -> None:
    one, _ = staff_users
    callback_id = ask(client, person).json()["id"]
    done = client.post(
        f"/v1/callback-requests/{callback_id}/completion",
        json={"outcome": "UNSAFE_TO_CALL"},
        headers=one,
    )
    assert done.status_code == 200, done.text
    assert done.json()["contact_id"] is None
    assert done.json()["claimed_by"] == "carer.one"
    contacts = client.get(f"/v1/victims/{person.victim_id}/contacts", headers=one)
    assert contacts.json()["items"] == []


def test_feedback_is_stored_and_bad_ratings_refused(client: TestClient, person: Person) -> None:
    good = client.post(
        "/v1/me/feedback", json={"rating": 4, "comment": "Helpful."}, headers=person.headers
    )
    assert good.status_code == 201, good.text
    assert good.json()["rating"] == 4
    for rating in (0, 6, "5", 4.5):
        bad = client.post("/v1/me/feedback", json={"rating": rating}, headers=person.headers)
        assert bad.status_code == 422, rating


def test_racing_claims_by_several_users_one_wins(
    app: FastAPI, client: TestClient, person: Person
) -> None:
    import threading
    from collections import Counter

    from tests.support.auth import new_client, token_for

    credentials = new_client(app, Channel.STAFF, name="racing carers (synthetic)")
    users = [bearer(token_for(client, credentials, acting_user=f"carer.{n}")) for n in range(4)]
    callback_id = ask(client, person).json()["id"]
    barrier = threading.Barrier(len(users))
    codes: list[int] = [0] * len(users)

    def claim(n: int) -> None:
        barrier.wait()
        codes[n] = client.post(
            f"/v1/callback-requests/{callback_id}/claim", headers=users[n]
        ).status_code

    threads = [threading.Thread(target=claim, args=(n,)) for n in range(len(users))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert Counter(codes) == {200: 1, 409: len(users) - 1}
