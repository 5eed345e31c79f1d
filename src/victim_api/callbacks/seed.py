"""Demo callbacks and feedback (synthetic): one callback overdue, one pending, one
completed 16 days ago (a call that reached the person, logged as a contact), and
a few ratings, so `make run` has a worklist item of every kind and a report with
figures. The completed call's person agrees updates every 14 days, so their next
update is overdue. Idempotent: fixed ids (UUID 5); what exists is left alone.
"""

from __future__ import annotations

import uuid
from datetime import datetime, timedelta

import sqlalchemy as sa
from sqlmodel import Session

from victim_api.callbacks import service
from victim_api.cases import service as cases
from victim_api.platform.clock import utcnow
from victim_api.platform.principal import Caller, system_caller
from victim_api.victims import service as victims
from victim_api.victims.safety import ContactMethod
from victim_api.victims.schemas import ContactCreate, ContactOutcome, Direction, VictimUpdate

CASE_NAMESPACE = uuid.UUID("6f1c2a4e-1d4b-5c3e-9a57-2c0de0cafe01")  # cases/demo.py
VICTIM_NAMESPACE = uuid.UUID("3b0e4c8a-7a55-5d0c-8f61-5e0a1c7d1c02")  # victims/seed.py
NAMESPACE = uuid.UUID("8d5e2f40-3c1b-5a8e-b7f2-9c4d1e0ca11b")

# (key, case key, victim key, reason, hours ago requested, hours to complete or None)
DEMO_CALLBACKS = [
    ("overdue", "domestic-abuse-rui", "domestic-abuse-victim", "SAFETY_CONCERN", 72, None),
    ("pending", "burglary-new", "burglary-victim", "CASE_UPDATE", 1, None),
    ("completed", "assault-bailed", "assault-parent", "SUPPORT", 16 * 24, 3),
]
# (key, case key, victim key, rating, days ago)
DEMO_FEEDBACK = [
    ("one", "assault-bailed", "assault-parent", 4, 15),
    ("two", "burglary-new", "burglary-victim", 5, 0),
    ("three", "domestic-abuse-rui", "domestic-abuse-victim", 2, 3),
]


def _ids(case_key: str, victim_key: str) -> tuple[str, str]:
    return str(uuid.uuid5(CASE_NAMESPACE, case_key)), str(uuid.uuid5(VICTIM_NAMESPACE, victim_key))


def _exists(session: Session, table: sa.Table, row_id: str) -> bool:
    return session.execute(sa.select(table.c.id).where(table.c.id == row_id)).first() is not None


def seed(session: Session) -> list[str]:
    from victim_api.demo import seed_context

    settings = seed_context().settings
    policy = cases.DeadlinePolicy.from_settings(settings)
    caller = system_caller("DEMO_DATA")
    now, made = utcnow(), 0
    for key, case_key, victim_key, reason, ago, took in DEMO_CALLBACKS:
        case_id, victim_id = _ids(case_key, victim_key)
        callback_id = str(uuid.uuid5(NAMESPACE, f"callback:{key}"))
        if not victims.victim_exists(session, victim_id) or _exists(
            session, service.CALLBACKS, callback_id
        ):
            continue
        requested = now - timedelta(hours=ago)
        values = {
            "id": callback_id,
            "case_id": case_id,
            "victim_id": victim_id,
            "reason": reason,
            "preferred_times": [
                {
                    "from": (requested + timedelta(hours=2)).isoformat(),
                    "to": (requested + timedelta(hours=4)).isoformat(),
                }
            ],
            "channel": "PHONE",
            "status": "REQUESTED",
            "requested_at": requested,
            "due_by": policy.due(requested, settings.callback_due_working_days)[1],
            "version": 1,
        }
        if took is not None:
            values |= _completed(
                session,
                caller,
                victim_id,
                requested + timedelta(hours=took),
                settings.secret_pepper,
            )
        session.execute(sa.insert(service.CALLBACKS).values(**values))
        made += 1
    given = 0
    for key, case_key, victim_key, rating, days in DEMO_FEEDBACK:
        case_id, victim_id = _ids(case_key, victim_key)
        feedback_id = str(uuid.uuid5(NAMESPACE, f"feedback:{key}"))
        if not victims.victim_exists(session, victim_id) or _exists(
            session, service.FEEDBACK, feedback_id
        ):
            continue
        session.execute(
            sa.insert(service.FEEDBACK).values(
                id=feedback_id,
                case_id=case_id,
                victim_id=victim_id,
                rating=rating,
                comment=None,
                channel="WEB",
                submitted_at=now - timedelta(days=days),
            )
        )
        given += 1
    return [f"{made} demo callback requests and {given} feedback answers created"]


def _completed(
    session: Session, caller: Caller, victim_id: str, at: datetime, pepper: str
) -> dict[str, object]:
    """The person agrees fortnightly updates; the call reached them at ``at``."""
    row = victims.require_victim(session, victim_id)
    if row.update_frequency != "EVERY_14_DAYS":
        victims.update_victim(
            session,
            caller,
            victim_id,
            VictimUpdate(update_frequency="EVERY_14_DAYS"),
            expected_version=row.version,
            pepper=pepper,
        )
    contact = victims.record_contact(
        session,
        caller,
        victim_id,
        ContactCreate(
            method=ContactMethod.PHONE_CALL,
            direction=Direction.OUTBOUND,
            outcome=ContactOutcome.ANSWERED,
            summary="Talked through the support available (demo).",
            contacted_at=at,
        ),
    )
    return {
        "status": "COMPLETED",
        "claimed_by": "demo.carer",
        "claimed_at": at,
        "completed_by": "demo.carer",
        "completed_at": at,
        "outcome": "SPOKE_TO_VICTIM",
        "summary": "Talked through the support available (demo).",
        "contact_id": contact["id"],
    }
