"""Synthetic demo cases: every name, number and reference is invented.

Cases across statuses and crime types, with their timelines and duties, dated
relative to the first run so some duties are due, some met, some met late,
some waived and some overdue. Idempotent: case ids are fixed (UUID 5), and a
case that exists is left alone. Demo crime references begin ``99``.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

import sqlalchemy as sa
from sqlmodel import Session

from victim_api.cases import service
from victim_api.cases.schemas import CaseUpsert, SimpleEventCreate, StaffAssessments
from victim_api.platform.clock import utcnow
from victim_api.platform.principal import system_caller
from victim_api.settings import get_settings

NAMESPACE = uuid.UUID("6f1c2a4e-1d4b-5c3e-9a57-2c0de0cafe01")
OFFICERS = [
    ("DC Sam Placeholder", "Detective Constable", "Camden CID", "020 7946 0101"),
    ("PC Alex Example", "Police Constable", "Westminster Response", "020 7946 0102"),
    ("DS Jordan Sample", "Detective Sergeant", "Public Protection Unit", "020 7946 0103"),
    ("DI Robin Fictional", "Detective Inspector", "Major Investigation Team", "020 7946 0104"),
]


@dataclass(frozen=True)
class DemoCase:
    key: str
    crime_type: str
    borough: str
    # (status, days before now) in order; the first is when it was reported.
    path: list[tuple[str, float]]
    officer: int = 0
    staff: dict[str, str] = field(default_factory=dict)
    events: list[tuple[str, float]] = field(default_factory=list)
    # What happens to the duties: "met", "late", "waive" (all of them) or "" (none).
    duties: str = ""
    details: dict[str, dict[str, Any]] = field(default_factory=dict)


CASES = [
    DemoCase("burglary-new", "BURGLARY_RESIDENTIAL", "CAMDEN", [("REPORTED", 0.5)]),
    DemoCase(
        "theft-not-pursued",
        "THEFT",
        "WESTMINSTER",
        [("REPORTED", 12), ("INVESTIGATION_NOT_PURSUED", 9), ("CLOSED", 2)],
        officer=1,
        duties="late",
    ),
    DemoCase(
        "assault-bailed",
        "ASSAULT",
        "HACKNEY",
        [
            ("REPORTED", 21),
            ("SUSPECT_IDENTIFIED", 18),
            ("SUSPECT_ARRESTED", 14),
            ("SUSPECT_BAILED", 13),
        ],
    ),
    DemoCase(
        "domestic-abuse-rui",
        "DOMESTIC_ABUSE",
        "CROYDON",
        [("REPORTED", 7), ("SUSPECT_ARRESTED", 6), ("RELEASED_UNDER_INVESTIGATION", 5)],
        officer=2,
    ),
    DemoCase(
        "robbery-hearing",
        "ROBBERY",
        "LAMBETH",
        [
            ("REPORTED", 40),
            ("SUSPECT_ARRESTED", 35),
            ("CHARGED", 34),
            ("COURT_HEARING_SCHEDULED", 1),
        ],
        duties="met",
        details={
            "COURT_HEARING_SCHEDULED": {
                "hearing": {
                    "court_name": "Inner London Crown Court",
                    "starts_at": "+30",
                    "address": "Sessions House, Newington Causeway, London",
                    "kind": "TRIAL",
                }
            }
        },
    ),
    DemoCase(
        "sexual-offence-trial",
        "SEXUAL_OFFENCE",
        "NEWHAM",
        [("REPORTED", 60), ("SUSPECT_ARRESTED", 50), ("CHARGED", 45), ("AWAITING_TRIAL", 44)],
        officer=2,
        staff={"intimidated": "Afraid of giving evidence with the defendant in court."},
        duties="met",
    ),
    DemoCase(
        "hate-crime-review",
        "HATE_CRIME",
        "TOWER_HAMLETS",
        [("REPORTED", 30), ("SUSPECT_IDENTIFIED", 25), ("NO_CHARGE_DECISION", 8)],
        events=[("REVIEW_REQUESTED", 3)],
    ),
    DemoCase(
        "vehicle-crime-opted-out",
        "VEHICLE_CRIME",
        "BROMLEY",
        [("REPORTED", 15), ("SUSPECT_ARRESTED", 10), ("RELEASED_NO_FURTHER_ACTION", 9)],
        officer=1,
        duties="waive",
    ),
    DemoCase(
        "fraud-caution",
        "FRAUD",
        "CITY_OF_LONDON",
        [
            ("REPORTED", 50),
            ("SUSPECT_IDENTIFIED", 40),
            ("OUT_OF_COURT_DISPOSAL", 20),
            ("CLOSED", 19),
        ],
        duties="met",
    ),
    DemoCase(
        "gbh-sentenced",
        "WOUNDING_GBH_WITH_INTENT",
        "SOUTHWARK",
        [
            ("REPORTED", 200),
            ("SUSPECT_ARRESTED", 199),
            ("CHARGED", 198),
            ("COURT_HEARING_SCHEDULED", 120),
            ("OUTCOME_RECORDED", 2),
        ],
        officer=3,
        details={
            "COURT_HEARING_SCHEDULED": {
                "hearing": {
                    "court_name": "Southwark Crown Court",
                    "starts_at": "-3",
                    "address": "1 English Grounds, London",
                    "kind": "TRIAL",
                }
            },
            "OUTCOME_RECORDED": {
                "outcome": {"outcome": "Guilty of wounding with intent", "sentence": "6 years"}
            },
        },
    ),
    DemoCase(
        "stalking-bail-change",
        "STALKING_HARASSMENT",
        "BARNET",
        [("REPORTED", 9), ("SUSPECT_ARRESTED", 4), ("SUSPECT_BAILED", 3)],
        staff={"persistently_targeted": "Contacted repeatedly by the suspect since the spring."},
        events=[("BAIL_CONDITIONS_CHANGED", 1)],
    ),
    DemoCase(
        "criminal-damage-complaint",
        "CRIMINAL_DAMAGE",
        "ISLINGTON",
        [("REPORTED", 25), ("UNDER_INVESTIGATION", 24)],
        events=[("COMPLAINT_RECEIVED", 16)],
    ),
    DemoCase(
        "homicide-charged",
        "HOMICIDE",
        "ENFIELD",
        [("REPORTED", 90), ("SUSPECT_ARRESTED", 88), ("CHARGED", 87)],
        officer=3,
        staff={"bereaved": "Close relative of the person who died."},
        duties="met",
    ),
]


def _iso(moment: datetime) -> str:
    return moment.isoformat().replace("+00:00", "Z")


def _body(demo: DemoCase, index: int, status: str, at: datetime, now: datetime) -> CaseUpsert:
    name, rank, team, phone = OFFICERS[demo.officer]
    reported = now - timedelta(days=demo.path[0][1])
    change: dict[str, Any] = {"occurred_at": _iso(at)}
    for key, value in demo.details.get(status, {}).items():
        value = dict(value)
        if "starts_at" in value:
            value["starts_at"] = _iso(
                (now + timedelta(days=int(value["starts_at"]))).replace(
                    hour=10, minute=0, second=0, microsecond=0
                )
            )
        change[key] = value
    return CaseUpsert.model_validate(
        {
            "crime_reference": f"99{index:05d}/26",
            "borough": demo.borough,
            "crime_type": demo.crime_type,
            "reported_at": _iso(reported),
            "offence_date": (reported - timedelta(days=1)).date().isoformat(),
            "officer": {
                "name": name,
                "rank": rank,
                "team": team,
                "work_phone": phone,
                "work_email": name.split(" ", 1)[1].lower().replace(" ", ".")
                + "@example.police.uk",
            },
            "status": status,
            "status_change": change,
        }
    )


def _settle_duties(session: Session, case_id: str, how: str, now: datetime) -> None:
    caller = system_caller("DEMO_DATA")
    for duty in service.open_duties(session, case_id, now):
        triggered, due = duty["triggered_at"], duty["due_at"]
        if how == "waive":
            service.waive_duty(session, caller, duty["id"], "The victim opted out of updates.")
        elif how == "met":
            met = min(triggered + timedelta(hours=3), now)
            service.meet_duty(session, caller, duty["id"], f"demo-contact-{duty['id'][:8]}", met)
        elif how == "late" and due + timedelta(hours=6) < now:
            met = due + timedelta(hours=6)
            service.meet_duty(session, caller, duty["id"], f"demo-contact-{duty['id'][:8]}", met)


def seed(session: Session) -> list[str]:
    """Create the demo cases that do not exist yet."""
    caller = system_caller("DEMO_DATA")
    policy = service.DeadlinePolicy.from_settings(get_settings())
    now = utcnow()
    made = 0
    for index, demo in enumerate(CASES, start=1):
        case_id = str(uuid.uuid5(NAMESPACE, demo.key))
        if service.case_exists(session, case_id):
            continue
        first_status, first_days = demo.path[0]
        view = service.create_case(
            session,
            caller,
            case_id,
            _body(demo, index, first_status, now - timedelta(days=first_days), now),
            policy=policy,
            now=now,
        )
        for status, days in demo.path[1:]:
            view, _ = service.update_case(
                session,
                caller,
                case_id,
                _body(demo, index, status, now - timedelta(days=days), now),
                expected_version=view["version"],
                policy=policy,
                now=now,
            )
        for event_type, days in demo.events:
            service.add_event(
                session,
                caller,
                case_id,
                SimpleEventCreate.model_validate(
                    {"type": event_type, "occurred_at": _iso(now - timedelta(days=days))}
                ),
                policy=policy,
                now=now,
            )
        if demo.staff:
            service.set_staff_entitlements(
                session,
                caller,
                case_id,
                StaffAssessments.model_validate({k: {"reason": v} for k, v in demo.staff.items()}),
                expected_version=service.require_case(session, case_id).version,
                policy=policy,
                now=now,
            )
        if demo.duties:
            _settle_duties(session, case_id, demo.duties, now)
        made += 1
    duties = service.DUTIES
    overdue = session.execute(
        sa.select(sa.func.count())
        .select_from(duties)
        .where(duties.c.met_at.is_(None), duties.c.waived_at.is_(None), duties.c.due_at <= now)
    ).scalar()
    return [
        f"{made} demo cases created, {len(CASES) - made} already there",
        f"{overdue} Victims' Code duties overdue",
    ]
