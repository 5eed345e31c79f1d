"""The rules of the callbacks domain: plain functions over a session; no HTTP.

A victim (through a victim session) asks for a callback or leaves feedback, and
may touch only their own victim and case. Staff list, claim and complete
callbacks; completing one logs a contact through the victims domain, so the call
counts as a contact (and may meet duties). No phone number is stored here.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session

from victim_api.callbacks.models import CallbackRequest, VictimFeedback
from victim_api.callbacks.schemas import (
    CallbackCompletion,
    CallbackCreate,
    CallbackOutcome,
    CallbackStatus,
    FeedbackCreate,
)
from victim_api.cases import service as cases
from victim_api.platform.audit import Operation, record
from victim_api.platform.clock import as_utc, utcnow
from victim_api.platform.db import table_of
from victim_api.platform.errors import ConflictError, NotFoundError
from victim_api.platform.pagination import KeysetBound, keyset_after
from victim_api.platform.principal import Caller
from victim_api.victims import service as victims
from victim_api.victims.safety import ContactMethod
from victim_api.victims.schemas import ContactCreate, ContactOutcome, Direction

CALLBACKS = table_of(CallbackRequest)
FEEDBACK = table_of(VictimFeedback)
OPEN = (CallbackStatus.REQUESTED.value, CallbackStatus.CLAIMED.value)
# What a completion writes to the contact log (None: no call was made).
CONTACT_OUTCOME: dict[CallbackOutcome, ContactOutcome | None] = {
    CallbackOutcome.SPOKE_TO_VICTIM: ContactOutcome.ANSWERED,
    CallbackOutcome.VOICEMAIL_LEFT: ContactOutcome.VOICEMAIL_LEFT,
    CallbackOutcome.NO_ANSWER: ContactOutcome.NO_ANSWER,
    CallbackOutcome.UNSAFE_TO_CALL: None,
}


class CallbackNotFoundError(NotFoundError):
    def __init__(self) -> None:
        super().__init__("There is no such callback request.")


class CallbackClaimedError(ConflictError):
    def __init__(self) -> None:
        super().__init__("callback_claimed", "Someone else has claimed this callback request.")


class CallbackCompletedError(ConflictError):
    def __init__(self) -> None:
        super().__init__("callback_completed", "This callback request is already completed.")


def _new_id() -> str:
    return str(uuid.uuid4())


def _actor(caller: Caller) -> str:
    return (caller.principal.acting_user or caller.principal.client_id)[:128]


def _times(stored: Sequence[Mapping[str, Any]]) -> list[dict[str, datetime]]:
    return [
        {"from": datetime.fromisoformat(t["from"]), "to": datetime.fromisoformat(t["to"])}
        for t in stored
    ]


def victim_view(row: Any) -> dict[str, Any]:
    return {
        "id": row.id,
        "status": row.status,
        "reason": row.reason,
        "preferred_times": _times(row.preferred_times),
        "requested_at": as_utc(row.requested_at),
        "due_by": as_utc(row.due_by),
        "completed_at": as_utc(row.completed_at) if row.completed_at else None,
    }


def staff_view(row: Any, now: datetime) -> dict[str, Any]:
    due_by = as_utc(row.due_by)
    return {
        **victim_view(row),
        "case_id": row.case_id,
        "victim_id": row.victim_id,
        "note": row.note,
        "channel": row.channel,
        "overdue": row.status != CallbackStatus.COMPLETED.value and now >= due_by,
        "claimed_by": row.claimed_by,
        "claimed_at": as_utc(row.claimed_at) if row.claimed_at else None,
        "completed_by": row.completed_by,
        "outcome": row.outcome,
        "summary": row.summary,
        "contact_id": row.contact_id,
        "version": row.version,
    }


def _victim_in_session(session: Session, caller: Caller) -> Any:
    """The session's own victim, alive and on the session's case; else 404."""
    principal = caller.principal
    try:
        row = victims.require_victim(session, str(principal.victim_id))
    except NotFoundError as exc:
        raise NotFoundError() from exc
    if row.case_id != principal.case_id or row.erased_at is not None:
        raise NotFoundError()
    return row


# ---------------------------------------------------------------------------
# The victim's side


def request_callback(
    session: Session,
    caller: Caller,
    data: CallbackCreate,
    *,
    policy: cases.DeadlinePolicy,
    due_working_days: int,
) -> dict[str, Any]:
    """Record a callback request, due ``due_working_days`` working days from now."""
    victim = _victim_in_session(session, caller)
    now = utcnow()
    _, due_by = policy.due(now, due_working_days)
    callback_id = _new_id()
    session.execute(
        sa.insert(CALLBACKS).values(
            id=callback_id,
            case_id=victim.case_id,
            victim_id=victim.id,
            reason=data.reason.value,
            note=data.note,
            preferred_times=[
                {"from": t.from_.isoformat(), "to": t.to.isoformat()} for t in data.preferred_times
            ],
            channel=caller.channel.value,
            status=CallbackStatus.REQUESTED.value,
            requested_at=now,
            due_by=due_by,
            version=1,
        )
    )
    record(
        session,
        caller,
        operation=Operation.COLLECTION,
        resource_type="callback_request",
        resource_id=callback_id,
        case_ids=[victim.case_id],
        victim_ids=[victim.id],
        fields=sorted(data.model_fields_set),
    )
    return victim_view(_row(session, callback_id))


def list_own(
    session: Session, caller: Caller, *, limit: int, after: Sequence[Any] | None
) -> list[dict[str, Any]]:
    """Up to ``limit + 1`` of the victim's own requests, newest first."""
    victim = _victim_in_session(session, caller)
    query = (
        sa.select(CALLBACKS)
        .where(CALLBACKS.c.victim_id == victim.id)
        .order_by(CALLBACKS.c.requested_at.desc(), CALLBACKS.c.id.desc())
        .limit(limit + 1)
    )
    if after is not None:
        stamp, last_id = as_utc(after[0]), str(after[1])
        query = query.where(
            sa.or_(
                CALLBACKS.c.requested_at < stamp,
                sa.and_(CALLBACKS.c.requested_at == stamp, CALLBACKS.c.id < last_id),
            )
        )
    rows = list(session.execute(query))
    record(
        session,
        caller,
        operation=Operation.CONSULTATION,
        resource_type="callback_request",
        case_ids=[victim.case_id],
        victim_ids=[victim.id],
    )
    return [victim_view(r) for r in rows]


def own_sort_key(view: Mapping[str, Any]) -> list[Any]:
    return [view["requested_at"], view["id"]]


def give_feedback(session: Session, caller: Caller, data: FeedbackCreate) -> dict[str, Any]:
    """Store a rating and optional comment. The comment is never logged; the audit
    entry names the fields only."""
    victim = _victim_in_session(session, caller)
    feedback_id, now = _new_id(), utcnow()
    session.execute(
        sa.insert(FEEDBACK).values(
            id=feedback_id,
            case_id=victim.case_id,
            victim_id=victim.id,
            rating=data.rating,
            comment=data.comment,
            channel=caller.channel.value,
            submitted_at=now,
        )
    )
    record(
        session,
        caller,
        operation=Operation.COLLECTION,
        resource_type="victim_feedback",
        resource_id=feedback_id,
        case_ids=[victim.case_id],
        victim_ids=[victim.id],
        fields=sorted(data.model_fields_set),
    )
    return {"id": feedback_id, "rating": data.rating, "submitted_at": now}


# ---------------------------------------------------------------------------
# Staff


def _row(session: Session, callback_id: str) -> Any:
    row = session.execute(sa.select(CALLBACKS).where(CALLBACKS.c.id == callback_id)).first()
    if row is None:
        raise CallbackNotFoundError()
    return row


def _audit(session: Session, caller: Caller, row: Any, operation: Operation, **kw: Any) -> None:
    record(
        session,
        caller,
        operation=operation,
        resource_type="callback_request",
        resource_id=row.id,
        case_ids=[row.case_id],
        victim_ids=[row.victim_id],
        **kw,
    )


def list_callbacks(
    session: Session,
    caller: Caller,
    *,
    status: CallbackStatus | None,
    team: str | None,
    limit: int,
    after: Sequence[Any] | None,
) -> list[dict[str, Any]]:
    """Up to ``limit + 1`` callback requests, soonest due first."""
    now = utcnow()
    query = sa.select(CALLBACKS).order_by(CALLBACKS.c.due_by, CALLBACKS.c.id).limit(limit + 1)
    if status is not None:
        query = query.where(CALLBACKS.c.status == status.value)
    case_ids = cases.case_ids_where(team=team)
    if case_ids is not None:
        query = query.where(CALLBACKS.c.case_id.in_(case_ids))
    if after is not None:
        bound = KeysetBound(as_utc(after[0]), str(after[1]))
        query = query.where(keyset_after(CALLBACKS.c.due_by, CALLBACKS.c.id, bound))
    rows = list(session.execute(query))
    record(
        session,
        caller,
        operation=Operation.CONSULTATION,
        resource_type="callback_request",
        case_ids=[r.case_id for r in rows[:limit]],
        victim_ids=[r.victim_id for r in rows[:limit]],
    )
    return [staff_view(r, now) for r in rows]


def staff_sort_key(view: Mapping[str, Any]) -> list[Any]:
    return [view["due_by"], view["id"]]


def get_callback(session: Session, caller: Caller, callback_id: str) -> dict[str, Any]:
    row = _row(session, callback_id)
    _audit(session, caller, row, Operation.CONSULTATION)
    return staff_view(row, utcnow())


def _swap(session: Session, row: Any, values: dict[str, Any]) -> None:
    """Update only if nobody changed the row since we read it (two claims race)."""
    result = session.execute(
        sa.update(CALLBACKS)
        .where(CALLBACKS.c.id == row.id, CALLBACKS.c.version == row.version)
        .values(version=row.version + 1, **values)
    )
    if getattr(result, "rowcount", 0) != 1:
        raise CallbackClaimedError()


def claim(session: Session, caller: Caller, callback_id: str) -> dict[str, Any]:
    """Claim a request for the caller's user. Claiming one's own claim again is a
    no-op; another's claim is 409 ``callback_claimed``; a completed one 409."""
    row = _row(session, callback_id)
    me = _actor(caller)
    if row.status == CallbackStatus.COMPLETED.value:
        raise CallbackCompletedError()
    if row.status == CallbackStatus.CLAIMED.value:
        if row.claimed_by != me:
            raise CallbackClaimedError()
        return staff_view(row, utcnow())
    _swap(
        session,
        row,
        {"status": CallbackStatus.CLAIMED.value, "claimed_by": me, "claimed_at": utcnow()},
    )
    _audit(session, caller, row, Operation.ALTERATION, fields=["claimed_by", "status"])
    return staff_view(_row(session, callback_id), utcnow())


def complete(
    session: Session, caller: Caller, callback_id: str, data: CallbackCompletion
) -> dict[str, Any]:
    """Complete a request (claiming it if unclaimed) and log the call as a contact."""
    row = _row(session, callback_id)
    me = _actor(caller)
    if row.status == CallbackStatus.COMPLETED.value:
        raise CallbackCompletedError()
    if row.status == CallbackStatus.CLAIMED.value and row.claimed_by != me:
        raise CallbackClaimedError()
    contact_id = _log_contact(session, caller, row, data)
    now = utcnow()
    _swap(
        session,
        row,
        {
            "status": CallbackStatus.COMPLETED.value,
            "claimed_by": row.claimed_by or me,
            "claimed_at": row.claimed_at or now,
            "completed_by": me,
            "completed_at": now,
            "outcome": data.outcome.value,
            "summary": data.summary,
            "contact_id": contact_id,
        },
    )
    _audit(session, caller, row, Operation.ALTERATION, fields=["completed_at", "outcome", "status"])
    return staff_view(_row(session, callback_id), now)


def _log_contact(
    session: Session, caller: Caller, row: Any, data: CallbackCompletion
) -> str | None:
    outcome = CONTACT_OUTCOME[data.outcome]
    if outcome is None:
        if data.duty_ids:
            raise ConflictError("contact_not_made", "A call that was not made meets no duty.")
        return None
    contact = victims.record_contact(
        session,
        caller,
        row.victim_id,
        ContactCreate(
            method=ContactMethod.PHONE_CALL,
            direction=Direction.OUTBOUND,
            outcome=outcome,
            summary=data.summary,
            duty_ids=data.duty_ids,
        ),
    )
    return str(contact["id"])


# ---------------------------------------------------------------------------
# For the worklist and the compliance report


def worklist_query(
    *, case_ids: Any, due_before: datetime, after: KeysetBound | None, limit: int
) -> Any:
    """Open (REQUESTED or CLAIMED) requests due before ``due_before``, in (due_by,
    id) order: one range scan of ``ix_callback_request_status_due_by_id`` per status."""
    query = (
        sa.select(
            CALLBACKS.c.id,
            CALLBACKS.c.case_id,
            CALLBACKS.c.victim_id,
            CALLBACKS.c.reason,
            CALLBACKS.c.status,
            CALLBACKS.c.due_by,
        )
        .where(CALLBACKS.c.status.in_(OPEN), CALLBACKS.c.due_by < due_before)
        .order_by(CALLBACKS.c.due_by, CALLBACKS.c.id)
        .limit(limit)
    )
    if case_ids is not None:
        query = query.where(CALLBACKS.c.case_id.in_(case_ids))
    if after is not None:
        query = query.where(keyset_after(CALLBACKS.c.due_by, CALLBACKS.c.id, after))
    return query


def callback_hours(
    session: Session, *, start: datetime, end: datetime, case_ids: Any
) -> list[float]:
    """Hours from request to completion of each completed request made in [start, end)."""
    query = sa.select(CALLBACKS.c.requested_at, CALLBACKS.c.completed_at).where(
        CALLBACKS.c.requested_at >= start,
        CALLBACKS.c.requested_at < end,
        CALLBACKS.c.completed_at.is_not(None),
    )
    if case_ids is not None:
        query = query.where(CALLBACKS.c.case_id.in_(case_ids))
    return [
        (as_utc(r.completed_at) - as_utc(r.requested_at)).total_seconds() / 3600
        for r in session.execute(query)
    ]


def ratings(session: Session, *, start: datetime, end: datetime, case_ids: Any) -> list[int]:
    """The ratings given in [start, end) (no comments: aggregates only)."""
    query = sa.select(FEEDBACK.c.rating).where(
        FEEDBACK.c.submitted_at >= start, FEEDBACK.c.submitted_at < end
    )
    if case_ids is not None:
        query = query.where(FEEDBACK.c.case_id.in_(case_ids))
    return [int(r.rating) for r in session.execute(query)]
