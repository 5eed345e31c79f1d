"""The worklist: every kind of item, soonest first, filtered, paged by cursor."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from fastapi.testclient import TestClient

from tests.worklist.conftest import Team
from victim_api.platform.clock import utcnow

MONTH_AHEAD = {"due_before": (utcnow() + timedelta(days=30)).isoformat()}


def _items(client: TestClient, headers: dict[str, str], **params: Any) -> list[dict[str, Any]]:
    response = client.get("/v1/worklist", params=params, headers=headers)
    assert response.status_code == 200, response.text
    return list(response.json()["items"])


def test_a_team_sees_an_item_of_every_kind_soonest_first(
    client: TestClient, team: Team, staff_users: tuple[dict[str, str], dict[str, str]]
) -> None:
    staff, _ = staff_users
    items = _items(client, staff, team=team.name, limit=100, **MONTH_AHEAD)
    found = {(i["kind"], i["id"]) for i in items}
    assert found == {
        ("NOTIFICATION_DUTY", items[0]["id"]),
        ("REFERRAL_NOT_SENT", team.unsent_referral_id),
        ("REFERRAL_NOT_ACKNOWLEDGED", team.unacknowledged_referral_id),
        ("CALLBACK", team.callback_id),
        ("CONTACT_UPDATE", team.victim_id),
        ("CONTACT_UPDATE", team.other_victim_id),
    }
    dues = [datetime.fromisoformat(i["due_at"]) for i in items]
    assert dues == sorted(dues)
    by_kind = {i["kind"]: i for i in items}
    duty = by_kind["NOTIFICATION_DUTY"]
    assert duty["state"] == "OVERDUE"
    assert duty["to"] == {"case_id": team.case_id, "victim_id": None}
    assert duty["links"]["self"] == f"/v1/cases/{team.case_id}/duties"
    assert by_kind["CALLBACK"]["state"] == "PENDING"
    assert by_kind["CALLBACK"]["links"]["self"] == f"/v1/callback-requests/{team.callback_id}"
    assert by_kind["CONTACT_UPDATE"]["state"] == "DUE_SOON"
    assert by_kind["REFERRAL_NOT_SENT"]["to"]["victim_id"] == team.victim_id
    # Ids and due times only: no names, numbers or notes of the synthetic people.
    text = str(items)
    for personal in ("Alex", "Robin", "Synthetic", "+44", "example.org"):
        assert personal not in text


def test_the_default_window_leaves_out_what_is_not_due_soon(
    client: TestClient, team: Team, staff_users: tuple[dict[str, str], dict[str, str]]
) -> None:
    staff, _ = staff_users
    kinds = {i["kind"] for i in _items(client, staff, team=team.name)}
    # The agreed 14-day updates fall due in 14 days: outside the 72-hour window.
    assert "CONTACT_UPDATE" not in kinds
    assert {"NOTIFICATION_DUTY", "CALLBACK", "REFERRAL_NOT_SENT"} <= kinds


def test_cursor_pages_of_one_walk_the_same_list(
    client: TestClient, team: Team, staff_users: tuple[dict[str, str], dict[str, str]]
) -> None:
    staff, _ = staff_users
    whole = _items(client, staff, team=team.name, limit=100, **MONTH_AHEAD)
    walked: list[dict[str, Any]] = []
    response = client.get(
        "/v1/worklist", params={"team": team.name, "limit": 1, **MONTH_AHEAD}, headers=staff
    )
    while True:
        assert response.status_code == 200, response.text
        walked.extend(response.json()["items"])
        link = response.json().get("next")
        if link is None:
            break
        response = client.get(link, headers=staff)
    assert [(i["kind"], i["id"]) for i in walked] == [(i["kind"], i["id"]) for i in whole]


def test_items_leave_the_list_when_done(
    client: TestClient, team: Team, staff_users: tuple[dict[str, str], dict[str, str]]
) -> None:
    staff, _ = staff_users
    fortnight = {"due_before": (utcnow() + timedelta(days=14)).isoformat()}
    before = [(i["kind"], i["id"]) for i in _items(client, staff, team=team.name, **fortnight)]
    assert ("CONTACT_UPDATE", team.victim_id) in before
    done = client.post(
        f"/v1/callback-requests/{team.callback_id}/completion",
        json={"outcome": "SPOKE_TO_VICTIM"},
        headers=staff,
    )
    assert done.status_code == 200, done.text
    items = _items(client, staff, team=team.name, limit=100, **fortnight)
    kinds = [(i["kind"], i["id"]) for i in items]
    assert ("CALLBACK", team.callback_id) not in kinds
    # The call reached the person: their next agreed update is now 14 days after it.
    assert ("CONTACT_UPDATE", team.victim_id) not in kinds
    assert ("CONTACT_UPDATE", team.other_victim_id) in kinds


def test_filters_keep_teams_apart_and_bad_filters_are_problems(
    client: TestClient, team: Team, staff_users: tuple[dict[str, str], dict[str, str]]
) -> None:
    staff, _ = staff_users
    assert _items(client, staff, team="Team nobody", **MONTH_AHEAD) == []
    camden = _items(client, staff, team=team.name, borough="CAMDEN", limit=100)
    assert camden
    assert _items(client, staff, team=team.name, borough="HACKNEY") == []
    assert client.get("/v1/worklist?borough=ATLANTIS", headers=staff).status_code == 422
    assert client.get("/v1/worklist?due_before=tomorrow", headers=staff).status_code == 422
    first = client.get("/v1/worklist", params={"team": team.name, "limit": 1}, headers=staff).json()
    moved = client.get(
        "/v1/worklist", params={"team": "Other", "cursor": first["next_cursor"]}, headers=staff
    )
    assert moved.status_code == 400
    assert moved.json()["code"] == "invalid_cursor"


def test_the_worklist_is_staff_only(client: TestClient, channel_tokens: dict[str, str]) -> None:
    for channel in ("PHONE", "PARTNER", "WEB"):
        headers = {"Authorization": f"Bearer {channel_tokens[channel]}"}
        assert client.get("/v1/worklist", headers=headers).status_code == 403
