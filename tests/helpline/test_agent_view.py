"""The helpline agent's screen, and recording the call through the contact log."""

from __future__ import annotations

from fastapi.testclient import TestClient

from tests.helpline.conftest import make_person, session_headers, verify
from tests.support.auth import bearer, new_client, token_for
from victim_api.helpline.scopes import HELPLINE_AGENT, VICTIM_SESSIONS_CREATE
from victim_api.platform.principal import Channel
from victim_api.victims.scopes import CONTACTS_WRITE, VICTIMS_CONTACT_DETAILS, VICTIMS_READ


def _agent(client: TestClient, acting_user: str | None = "agent.synthetic") -> dict[str, str]:
    scopes = {HELPLINE_AGENT, VICTIM_SESSIONS_CREATE, VICTIMS_READ, VICTIMS_CONTACT_DETAILS}
    credentials = new_client(client.app, Channel.PHONE, scopes | {CONTACTS_WRITE}, name="agent")
    return bearer(token_for(client, credentials, acting_user=acting_user))


def test_the_agent_sees_the_call_the_case_and_safe_contacts_only(
    client: TestClient, police
) -> None:
    agent = _agent(client)
    person = make_person(
        client,
        police,
        email="sam.synthetic@example.org",
        safety_flags=["EMAIL_UNSAFE", "VOICEMAIL_UNSAFE"],
        interpreter_needed=True,
        language="pl",
    )
    url = f"/v1/helpline/cases/{person.case_id}/agent-view"
    before = client.get(url, headers=agent).json()
    assert before["verification"]["verified_on_this_call"] is False
    verify(client, agent, person.body(pin="000000"))
    session_headers(client, agent, person)
    response = client.get(url, headers=agent)
    assert response.status_code == 200, response.text
    view = response.json()
    assert view["verification"]["verified_on_this_call"] is True
    assert view["verification"]["verified_victim_id"] == person.victim_id
    assert view["verification"]["people"][person.victim_id]["consecutive_failures"] == 0
    assert view["case"]["officer"]["name"] == "DC Sam Placeholder"
    [who] = view["people"]
    assert who["unsafe_methods"] == ["VOICEMAIL", "EMAIL"]
    assert who["interpreter_needed"] is True
    assert who["language"] == "pl"
    shown = {m["method"] for m in who["victim"]["contact_methods"]}
    assert "EMAIL" not in shown
    assert "VOICEMAIL" not in shown
    assert "PHONE_CALL" in shown
    assert view["overdue_duties"] == [] or all(
        d["state"] == "OVERDUE" for d in view["overdue_duties"]
    )


def test_the_agent_records_the_call_and_meets_a_duty(client: TestClient, police, staff) -> None:
    agent = _agent(client)
    person = make_person(client, police)
    [duty] = client.get(f"/v1/cases/{person.case_id}/duties", headers=staff).json()["items"]
    contact = {
        "method": "PHONE_CALL",
        "direction": "INBOUND",
        "outcome": "ANSWERED",
        "summary": "Caller verified on the helpline; told about support services.",
        "contacted_at": "2026-12-01T10:00:00Z",
        "duty_ids": [duty["id"]],
    }
    response = client.post(f"/v1/victims/{person.victim_id}/contacts", json=contact, headers=agent)
    assert response.status_code == 201, response.text
    view = client.get(f"/v1/helpline/cases/{person.case_id}/agent-view", headers=agent).json()
    assert [c["id"] for c in view["people"][0]["recent_contacts"]] == [response.json()["id"]]


def test_the_agent_view_needs_a_named_user_and_the_scope(client: TestClient, police, phone) -> None:
    person = make_person(client, police)
    url = f"/v1/helpline/cases/{person.case_id}/agent-view"
    anonymous = client.get(url, headers=_agent(client, acting_user=None))
    assert anonymous.status_code == 403
    assert anonymous.json()["code"] == "acting_user_required"
    ivr_only = new_client(client.app, Channel.PHONE, {VICTIM_SESSIONS_CREATE})
    assert client.get(url, headers=bearer(token_for(client, ivr_only))).status_code == 403
    missing = "/v1/helpline/cases/00000000-0000-4000-8000-000000000000/agent-view"
    assert client.get(missing, headers=_agent(client)).status_code == 404
