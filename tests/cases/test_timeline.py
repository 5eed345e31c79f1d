"""Timeline events: posting, idempotency, visibility, and the victim-facing views."""

from __future__ import annotations

import uuid

import pytest
import sqlalchemy as sa
from fastapi.testclient import TestClient

from victim_api.cases import service
from victim_api.platform.audit import AuditEvent
from victim_api.platform.principal import system_caller


def _post(client, headers, case_id, body, key=None):
    extra = {"Idempotency-Key": key} if key else {}
    return client.post(f"/v1/cases/{case_id}/events", json=body, headers={**headers, **extra})


def test_a_posted_event_gets_default_text_a_location_and_a_duty(
    client: TestClient, police, create_case
) -> None:
    case_id, _ = create_case()
    response = _post(
        client,
        police,
        case_id,
        {"type": "SUSPECT_INTERVIEWED", "occurred_at": "2026-12-03T11:00:00Z"},
    )
    assert response.status_code == 201, response.text
    event = response.json()
    assert response.headers["location"] == f"/v1/cases/{case_id}/events/{event['id']}"
    assert event["visibility"] == "VICTIM"
    assert event["victim_text"] == "A suspect has been interviewed by officers."
    assert event["internal_note"] is None
    fetched = client.get(response.headers["location"], headers=police).json()
    assert fetched == event
    duties = client.get(f"/v1/cases/{case_id}/duties", headers=police).json()["items"]
    interview = next(d for d in duties if d["event_type"] == "SUSPECT_INTERVIEWED")
    assert interview["event_id"] == event["id"]
    assert interview["due_on"] == "2026-12-10"  # Thursday + 5 working days
    assert interview["timescale"] == "STANDARD"


def test_an_idempotency_key_replays_and_refuses_another_body(
    client: TestClient, police, create_case
) -> None:
    case_id, _ = create_case()
    key = uuid.uuid4().hex
    body = {"type": "GENERAL_UPDATE", "victim_text": "Officers have visited the scene."}
    first = _post(client, police, case_id, body, key)
    again = _post(client, police, case_id, body, key)
    assert first.status_code == again.status_code == 201
    assert again.headers["idempotent-replayed"] == "true"
    assert again.json()["id"] == first.json()["id"]
    other = _post(client, police, case_id, {**body, "victim_text": "Something else."}, key)
    assert other.status_code == 422
    assert other.json()["code"] == "idempotency_key_reused"
    events = client.get(f"/v1/cases/{case_id}/events", headers=police).json()["items"]
    assert [e["type"] for e in events].count("GENERAL_UPDATE") == 1


def test_a_failed_post_releases_its_idempotency_key(client: TestClient, police) -> None:
    key = uuid.uuid4().hex
    body = {"type": "GENERAL_UPDATE"}
    missing = _post(client, police, str(uuid.uuid4()), body, key)
    assert missing.status_code == 404
    assert _post(client, police, str(uuid.uuid4()), body, key).status_code == 404


def test_hearings_and_outcomes_carry_their_details(client: TestClient, police, create_case):
    case_id, _ = create_case(status="CHARGED")
    hearing = _post(
        client,
        police,
        case_id,
        {
            "type": "HEARING_SCHEDULED",
            "hearing": {
                "court_name": "Highbury Corner Magistrates' Court",
                "starts_at": "2027-06-15T08:30:00Z",
            },
        },
    ).json()
    assert hearing["hearing"]["court_name"] == "Highbury Corner Magistrates' Court"
    assert hearing["victim_text"].endswith("on Tuesday 15 June 2027 at 09:30.")  # BST
    outcome = _post(
        client,
        police,
        case_id,
        {
            "type": "OUTCOME_RECORDED",
            "outcome": {"outcome": "Guilty of burglary", "sentence": "18 months in prison"},
        },
    ).json()
    assert outcome["outcome"] == {
        "outcome": "Guilty of burglary",
        "sentence": "18 months in prison",
    }
    assert outcome["victim_text"] == (
        "The court's decision: Guilty of burglary. Sentence: 18 months in prison."
    )
    duties = client.get(f"/v1/cases/{case_id}/duties", headers=police).json()["items"]
    by_type = {d["event_type"]: d for d in duties}
    assert by_type["HEARING_SCHEDULED"]["responsible"] == "WITNESS_CARE_UNIT"
    assert by_type["HEARING_SCHEDULED"]["working_days"] == 1
    assert by_type["OUTCOME_RECORDED"]["working_days"] == 1


@pytest.mark.parametrize(
    "body",
    [
        {"type": "HEARING_SCHEDULED"},  # no hearing
        {"type": "OUTCOME_RECORDED", "outcome": {"sentence": "x"}},  # no outcome
        {"type": "INTERNAL_NOTE"},  # no note
        {"type": "INTERNAL_NOTE", "internal_note": "n", "visibility": "VICTIM"},
        {"type": "SUSPECT_ARRESTED"},  # a status change: PUT the case instead
        {"type": "GENERAL_UPDATE", "victim_text": ""},
        {"type": "GENERAL_UPDATE", "occurred_at": 1764580000},
    ],
)
def test_invalid_events_are_422(client: TestClient, police, create_case, body) -> None:
    case_id, _ = create_case()
    assert _post(client, police, case_id, body).status_code == 422


def test_internal_notes_never_reach_a_victim_view(
    client: TestClient, police, staff, create_case, app
) -> None:
    case_id, _ = create_case(status="SUSPECT_ARRESTED")
    _post(
        client,
        police,
        case_id,
        {"type": "INTERNAL_NOTE", "internal_note": "Suspect is a neighbour."},
    )
    _post(
        client,
        staff,
        case_id,
        {
            "type": "BAIL_CONDITIONS_CHANGED",
            "victim_text": "The suspect must not contact you.",
            "internal_note": "Condition added at the request of the officer.",
        },
    )
    _post(
        client,
        police,
        case_id,
        {"type": "WARRANT_ISSUED", "visibility": "INTERNAL", "internal_note": "Not yet executed."},
    )
    # Staff see everything, internal notes included.
    everything = client.get(f"/v1/cases/{case_id}/events", headers=staff).json()["items"]
    assert {e["visibility"] for e in everything} == {"VICTIM", "INTERNAL"}
    assert any(e["internal_note"] == "Suspect is a neighbour." for e in everything)
    with app.state.database.transaction() as session:
        timeline = service.victim_timeline(session, system_caller(), case_id)
        view = service.victim_view(session, system_caller(), case_id)
    assert [e["type"] for e in timeline] == [
        "CASE_REPORTED",
        "SUSPECT_ARRESTED",
        "BAIL_CONDITIONS_CHANGED",
    ]
    assert all("internal_note" not in e for e in timeline)
    assert timeline[2]["text"] == "The suspect must not contact you."
    text = repr(timeline) + repr(view)
    for secret in ("neighbour", "request of the officer", "Not yet executed"):
        assert secret not in text
    assert view["status_sentence"] == "A suspect has been arrested."
    assert view["officer"]["work_phone"] == "020 7946 0123"
    assert view["crime_type_label"] == "Burglary of a home"
    assert set(view) == {
        "id",
        "crime_reference",
        "crime_type",
        "crime_type_label",
        "reported_at",
        "offence_date",
        "status",
        "status_sentence",
        "officer",
        "enhanced",
        "entitlement_groups",
    }
    with app.state.database.read_session() as session:
        consulted = [
            e.resource_type
            for e in session.execute(sa.select(AuditEvent)).scalars()
            if case_id in e.case_ids and e.operation == "CONSULTATION" and e.client_id == "system"
        ]
    assert consulted == ["case_event", "case"]


def test_the_timeline_pages_oldest_first(client: TestClient, police, create_case) -> None:
    case_id, _ = create_case()
    for day in (5, 3, 4):
        _post(
            client,
            police,
            case_id,
            {"type": "GENERAL_UPDATE", "occurred_at": f"2026-12-0{day}T12:00:00Z"},
        )
    page = client.get(f"/v1/cases/{case_id}/events?limit=2", headers=police).json()
    seen = [e["occurred_at"] for e in page["items"]]
    while "next" in page:
        page = client.get(page["next"], headers=police).json()
        seen += [e["occurred_at"] for e in page["items"]]
    assert seen == sorted(seen)
    assert len(seen) == 4


def test_an_event_of_another_case_is_404(client: TestClient, police, create_case) -> None:
    first, _ = create_case()
    second, _ = create_case()
    event = _post(client, police, first, {"type": "GENERAL_UPDATE"}).json()
    assert client.get(f"/v1/cases/{second}/events/{event['id']}", headers=police).status_code == 404


def test_the_event_schemas_cover_exactly_the_postable_types() -> None:
    from typing import get_args

    from victim_api.cases.events import POSTABLE, SIMPLE_POSTABLE
    from victim_api.cases.schemas import (
        HearingEventCreate,
        InternalNoteCreate,
        OutcomeEventCreate,
        SimpleEventCreate,
    )

    simple = set(get_args(SimpleEventCreate.model_fields["type"].annotation))
    assert simple == {t.value for t in SIMPLE_POSTABLE}
    every = set(simple)
    for model in (HearingEventCreate, OutcomeEventCreate, InternalNoteCreate):
        every |= set(get_args(model.model_fields["type"].annotation))
    assert every == {t.value for t in POSTABLE}
