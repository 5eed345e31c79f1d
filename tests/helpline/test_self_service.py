"""What a verified victim sees and changes, and that they can see nothing else."""

from __future__ import annotations

from fastapi.testclient import TestClient

from tests.helpline.conftest import make_person, session_headers


def _hearing_event(client: TestClient, police, case_id: str) -> None:
    response = client.post(
        f"/v1/cases/{case_id}/events",
        json={
            "type": "HEARING_SCHEDULED",
            "hearing": {
                "court_name": "Southwark Crown Court",
                "starts_at": "2099-03-02T10:00:00Z",
                "kind": "TRIAL",
            },
        },
        headers=police,
    )
    assert response.status_code == 201, response.text


def test_my_case_is_plain_english(client: TestClient, police, ivr) -> None:
    person = make_person(client, police)
    _hearing_event(client, police, person.case_id)
    me = session_headers(client, ivr, person)
    response = client.get("/v1/me/case", headers=me)
    assert response.status_code == 200, response.text
    assert response.headers["Cache-Control"] == "no-store"
    case = response.json()
    assert case["crime_reference"] == person.crime_reference
    assert case["status"] == "REPORTED"
    assert case["status_text"].endswith(".")
    assert case["next_steps"]
    assert all(s.endswith(".") for s in case["next_steps"])
    assert case["officer"]["work_phone"] == "020 7946 0123"
    assert case["next_update_due"] is not None  # the referral duty is open
    assert case["upcoming_hearing"]["court_name"] == "Southwark Crown Court"
    assert case["enhanced_rights"]["enhanced"] is False
    assert case["referrals"] == []
    assert case["language"] == "en"


def test_my_timeline_has_victim_visible_events_only_in_pages(
    client: TestClient, police, ivr
) -> None:
    person = make_person(client, police)
    note = {"type": "INTERNAL_NOTE", "internal_note": "Officer-only note"}
    assert (
        client.post(f"/v1/cases/{person.case_id}/events", json=note, headers=police).status_code
        == 201
    )
    for _ in range(2):
        _hearing_event(client, police, person.case_id)
    me = session_headers(client, ivr, person)
    first = client.get("/v1/me/timeline?limit=2", headers=me).json()
    assert len(first["items"]) == 2
    assert "next_cursor" in first
    second = client.get(first["next"], headers=me).json()
    items = first["items"] + second["items"]
    assert "next_cursor" not in second
    assert [e["type"] for e in items] == ["CASE_REPORTED", "HEARING_SCHEDULED", "HEARING_SCHEDULED"]
    assert "Officer-only" not in str(items)


def test_preferences_need_if_match_and_opting_out_waives_duties(
    client: TestClient, police, staff, ivr
) -> None:
    person = make_person(client, police)
    me = session_headers(client, ivr, person)
    read = client.get("/v1/me/preferences", headers=me)
    assert read.status_code == 200
    assert read.json()["safe_contact_times"] == "Weekdays 10:00-14:00"
    tag = read.headers["ETag"]
    change = {"opted_out": True, "language": "cy", "preferred_channel": None}
    assert client.patch("/v1/me/preferences", json=change, headers=me).status_code == 428
    stale = client.patch("/v1/me/preferences", json=change, headers={**me, "If-Match": '"v99"'})
    assert stale.status_code == 412
    done = client.patch("/v1/me/preferences", json=change, headers={**me, "If-Match": tag})
    assert done.status_code == 200, done.text
    assert done.json()["opted_out"] is True
    assert done.json()["language"] == "cy"
    assert done.json()["preferred_channel"] is None
    assert done.headers["ETag"] != tag
    duties = client.get(f"/v1/cases/{person.case_id}/duties", headers=staff).json()["items"]
    assert {d["state"] for d in duties} == {"WAIVED"}
    bad = client.patch("/v1/me/preferences", json={"version": 1}, headers={**me, "If-Match": tag})
    assert bad.status_code == 422


def test_a_victim_token_reaches_nothing_but_its_own_record(
    client: TestClient, police, staff, ivr
) -> None:
    mine = make_person(client, police)
    theirs = make_person(client, police)
    me = session_headers(client, ivr, mine)
    # Every route with an id is a client route: a victim token is refused there.
    for url in (
        f"/v1/cases/{theirs.case_id}",
        f"/v1/victims/{theirs.victim_id}",
        f"/v1/cases/{theirs.case_id}/events",
        f"/v1/helpline/cases/{theirs.case_id}/agent-view",
    ):
        assert client.get(url, headers=me).status_code == 401, url
    assert client.get("/v1/me/case", headers=me).json()["case_id"] == mine.case_id


def test_an_erased_victims_token_answers_404_like_a_missing_one(
    client: TestClient, police, staff, ivr
) -> None:
    person = make_person(client, police)
    me = session_headers(client, ivr, person)
    erased = client.post(f"/v1/victims/{person.victim_id}/erasure", headers=staff)
    assert erased.status_code == 200, erased.text
    for url in ("/v1/me/case", "/v1/me/preferences", "/v1/me/timeline", "/v1/me/case/speech"):
        response = client.get(url, headers=me)
        assert response.status_code == 404, url
        assert response.json()["code"] == "not_found"
