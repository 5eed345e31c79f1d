"""The rules of the cases domain: plain functions taking a session and values.

Other domains use these (and only these): ``victim_view`` and
``victim_timeline`` for the victim channels, ``recompute_entitlements`` when
victims' birth dates are known, ``meet_duty`` when a contact-log entry tells
the victim what a duty required.

Hot paths use SQLAlchemy Core and build response dicts directly.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time
from typing import Any

import sqlalchemy as sa
from pydantic import ValidationError
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from victim_api.cases import entitlements as ent
from victim_api.cases.events import (
    DEFAULT_TEXT,
    INTERNAL_ONLY,
    STATUS_EVENTS,
    STATUS_SENTENCE,
    EventType,
    Visibility,
)
from victim_api.cases.models import (
    CaseEntitlement,
    CaseEvent,
    CaseRecord,
    NotificationDuty,
    NotificationRule,
)
from victim_api.cases.schemas import (
    MAX_BATCH,
    Assessment,
    BatchResult,
    CaseBatchItem,
    CaseUpsert,
    DutyState,
    EventCreate,
    Hearing,
    InternalNoteCreate,
    Outcome,
    RuleUpdate,
    StaffAssessments,
    StatusChange,
    Timescale,
)
from victim_api.cases.transitions import CaseStatus, allowed_next, is_allowed
from victim_api.cases.workdays import (
    DEFAULT_CUTOFF,
    LONDON,
    add_working_days,
    deadline,
    working_days_between,
)
from victim_api.platform.audit import Operation, record
from victim_api.platform.clock import as_utc, utcnow
from victim_api.platform.db import table_of
from victim_api.platform.errors import ConflictError, FieldError, NotFoundError, ProblemError
from victim_api.platform.etag import PreconditionFailedError, compare_and_swap, etag
from victim_api.platform.pagination import InvalidCursorError, KeysetBound, keyset_after
from victim_api.platform.principal import Caller
from victim_api.reference.data import CRIME_TYPES_BY_CODE

CASES = table_of(CaseRecord)
EVENTS = table_of(CaseEvent)
ENTITLEMENTS = table_of(CaseEntitlement)
DUTIES = table_of(NotificationDuty)
RULES = table_of(NotificationRule)

OFFICER_FIELDS = ("name", "rank", "team", "work_phone", "work_email")
# Fields compared to decide whether an upsert changes anything.
CASE_FIELDS = (
    "crime_reference",
    "borough",
    "crime_type",
    "reported_at",
    "offence_date",
    *(f"officer_{f}" for f in OFFICER_FIELDS),
    "status",
    "status_sentence",
)


# ---------------------------------------------------------------------------
# Problems


class CaseNotFoundError(NotFoundError):
    def __init__(self) -> None:
        super().__init__("There is no case with this id.")


class IllegalTransitionError(ConflictError):
    def __init__(self, current: str, requested: str) -> None:
        allowed = [str(s) for s in allowed_next(current)]
        super().__init__(
            "illegal_transition",
            f"A case that is {current} cannot move to {requested}. "
            f"Allowed next statuses: {', '.join(allowed) or 'none'}.",
            extra={
                "current_status": current,
                "requested_status": requested,
                "allowed_next": allowed,
            },
        )


class CrimeReferenceTakenError(ConflictError):
    def __init__(self) -> None:
        super().__init__("crime_reference_taken", "Another case already has this crime reference.")


class CaseExistsError(ProblemError):
    def __init__(self, version: int | None) -> None:
        super().__init__(
            412,
            "case_exists",
            "A case with this id already exists. Read it and update it with If-Match.",
            headers={"ETag": etag(version)} if version is not None else None,
        )


class DutyClosedError(ConflictError):
    def __init__(self, state: str) -> None:
        super().__init__(
            "duty_closed", f"The duty is already {state}; it cannot be met or waived again."
        )


# ---------------------------------------------------------------------------
# Deadlines


@dataclass(frozen=True)
class DeadlinePolicy:
    """How working-day deadlines are worked out (from the settings)."""

    cutoff: time = DEFAULT_CUTOFF
    extra_holidays: frozenset[date] = frozenset()

    @classmethod
    def from_settings(cls, settings: Any) -> DeadlinePolicy:
        return cls(settings.working_day_cutoff, frozenset(settings.extra_bank_holidays))

    def due(self, start: datetime, working_days: int) -> tuple[date, datetime]:
        due_on = add_working_days(start, working_days, self.cutoff, self.extra_holidays)
        return due_on, deadline(due_on)

    def working_days(self, start: datetime, end: datetime) -> int:
        """Working days from an event at ``start`` to ``end`` (see ``workdays``)."""
        return working_days_between(start, end, self.cutoff, self.extra_holidays)


def _new_id() -> str:
    return str(uuid.uuid4())


def _actor(caller: Caller) -> str:
    return (caller.principal.acting_user or caller.principal.client_id)[:128]


# ---------------------------------------------------------------------------
# Views


def _officer(row: Any) -> dict[str, Any] | None:
    if row.officer_name is None:
        return None
    return {f: getattr(row, f"officer_{f}") for f in OFFICER_FIELDS}


def _entitlement_view(row: Any) -> dict[str, Any]:
    return {
        "group": row.group_code,
        "basis": row.basis,
        "reason": row.reason,
        "recorded_at": as_utc(row.recorded_at),
    }


def case_view(row: Any, entitlement_rows: Iterable[Any]) -> dict[str, Any]:
    """The staff and police-system view of a case."""
    return {
        "id": row.id,
        "crime_reference": row.crime_reference,
        "borough": row.borough,
        "crime_type": row.crime_type,
        "reported_at": as_utc(row.reported_at),
        "offence_date": row.offence_date,
        "officer": _officer(row),
        "status": row.status,
        "status_sentence": row.status_sentence,
        "allowed_next_statuses": [str(s) for s in allowed_next(row.status)],
        "enhanced": bool(row.enhanced),
        "entitlements": [
            _entitlement_view(e)
            for e in sorted(entitlement_rows, key=lambda e: (e.group_code, e.basis))
        ],
        "version": row.version,
        "created_at": as_utc(row.created_at),
        "updated_at": as_utc(row.updated_at),
    }


def event_view(row: Any) -> dict[str, Any]:
    """The staff and police-system view of a timeline event."""
    hearing = None
    if row.hearing_court_name is not None:
        hearing = {
            "court_name": row.hearing_court_name,
            "starts_at": as_utc(row.hearing_starts_at),
            "address": row.hearing_address,
            "kind": row.hearing_kind,
        }
    outcome = None
    if row.outcome is not None:
        outcome = {"outcome": row.outcome, "sentence": row.sentence}
    return {
        "id": row.id,
        "case_id": row.case_id,
        "type": row.type,
        "occurred_at": as_utc(row.occurred_at),
        "recorded_at": as_utc(row.recorded_at),
        "visibility": row.visibility,
        "victim_text": row.victim_text,
        "internal_note": row.internal_note,
        "from_status": row.from_status,
        "to_status": row.to_status,
        "hearing": hearing,
        "outcome": outcome,
    }


def duty_state(row: Any, now: datetime) -> DutyState:
    if row.waived_at is not None:
        return DutyState.WAIVED
    due_at = as_utc(row.due_at)
    if row.met_at is not None:
        return DutyState.MET if as_utc(row.met_at) < due_at else DutyState.MET_LATE
    return DutyState.OVERDUE if now >= due_at else DutyState.DUE


def duty_view(row: Any, now: datetime) -> dict[str, Any]:
    return {
        "id": row.id,
        "case_id": row.case_id,
        "event_id": row.event_id,
        "event_type": row.event_type,
        "obligation": row.obligation,
        "responsible": row.responsible,
        "timescale": Timescale.ENHANCED if row.enhanced else Timescale.STANDARD,
        "working_days": row.enhanced_working_days if row.enhanced else row.standard_working_days,
        "triggered_at": as_utc(row.triggered_at),
        "due_on": row.due_on,
        "due_at": as_utc(row.due_at),
        "state": duty_state(row, now),
        "met_at": as_utc(row.met_at) if row.met_at is not None else None,
        "contact_id": row.contact_id,
        "waived_at": as_utc(row.waived_at) if row.waived_at is not None else None,
        "waiver_reason": row.waiver_reason,
    }


def rule_view(row: Any) -> dict[str, Any]:
    return {
        "event_type": row.event_type,
        "obligation": row.obligation,
        "standard_working_days": row.standard_working_days,
        "enhanced_working_days": row.enhanced_working_days,
        "responsible": row.responsible,
        "code_right": row.code_right,
        "active": bool(row.active),
        "version": row.version,
        "updated_at": as_utc(row.updated_at) if row.updated_at is not None else None,
    }


# ---------------------------------------------------------------------------
# Reads


def _case_row(session: Session, case_id: str) -> Any:
    return session.execute(sa.select(CASES).where(CASES.c.id == case_id)).first()


def _entitlement_rows(session: Session, case_ids: Sequence[str]) -> dict[str, list[Any]]:
    found: dict[str, list[Any]] = {c: [] for c in case_ids}
    if case_ids:
        query = sa.select(ENTITLEMENTS).where(ENTITLEMENTS.c.case_id.in_(case_ids))
        for row in session.execute(query):
            found[row.case_id].append(row)
    return found


def require_case(session: Session, case_id: str) -> Any:
    row = _case_row(session, case_id)
    if row is None:
        raise CaseNotFoundError()
    return row


def _view_of(session: Session, row: Any) -> dict[str, Any]:
    return case_view(row, _entitlement_rows(session, [row.id])[row.id])


def get_case(session: Session, caller: Caller, case_id: str) -> dict[str, Any]:
    row = require_case(session, case_id)
    record(
        session,
        caller,
        operation=Operation.CONSULTATION,
        resource_type="case",
        resource_id=row.id,
        case_ids=[row.id],
    )
    return _view_of(session, row)


def find_case_id(session: Session, crime_reference: str) -> str | None:
    """The id of the case with this (canonical) crime reference, if any."""
    found = session.execute(
        sa.select(CASES.c.id).where(CASES.c.crime_reference == crime_reference)
    ).scalar()
    return str(found) if found is not None else None


def case_exists(session: Session, case_id: str) -> bool:
    """Whether a case with this id exists."""
    return session.execute(sa.select(CASES.c.id).where(CASES.c.id == case_id)).first() is not None


def lookup_case(session: Session, caller: Caller, crime_reference: str) -> dict[str, Any]:
    row = session.execute(
        sa.select(CASES).where(CASES.c.crime_reference == crime_reference)
    ).first()
    if row is None:
        raise NotFoundError("There is no case with this crime reference.")
    record(
        session,
        caller,
        operation=Operation.CONSULTATION,
        resource_type="case",
        resource_id=row.id,
        case_ids=[row.id],
    )
    return _view_of(session, row)


@dataclass(frozen=True)
class CaseFilters:
    borough: str | None = None
    status: str | None = None
    crime_type: str | None = None
    updated_since: datetime | None = None


def list_cases(
    session: Session,
    caller: Caller,
    filters: CaseFilters,
    *,
    limit: int,
    after: Sequence[Any] | None,
) -> list[dict[str, Any]]:
    """Up to ``limit + 1`` cases in (updated_at, id) order, after the keyset ``after``."""
    query = sa.select(CASES).order_by(CASES.c.updated_at, CASES.c.id).limit(limit + 1)
    if filters.borough:
        query = query.where(CASES.c.borough == filters.borough)
    if filters.status:
        query = query.where(CASES.c.status == filters.status)
    if filters.crime_type:
        query = query.where(CASES.c.crime_type == filters.crime_type)
    if filters.updated_since:
        query = query.where(CASES.c.updated_at >= filters.updated_since)
    if after is not None:
        last_updated, last_id = _keyset(after)
        query = query.where(
            sa.or_(
                CASES.c.updated_at > last_updated,
                sa.and_(CASES.c.updated_at == last_updated, CASES.c.id > last_id),
            )
        )
    rows = list(session.execute(query))
    shown = [r.id for r in rows[:limit]]
    entitlements = _entitlement_rows(session, [r.id for r in rows])
    record(
        session,
        caller,
        operation=Operation.CONSULTATION,
        resource_type="case",
        case_ids=shown,
    )
    return [case_view(r, entitlements[r.id]) for r in rows]


def _keyset(values: Sequence[Any]) -> tuple[datetime, str]:
    try:
        stamp, last_id = values
        return as_utc(datetime.fromisoformat(str(stamp))), str(last_id)
    except (TypeError, ValueError) as exc:
        raise InvalidCursorError() from exc


def case_sort_key(view: Mapping[str, Any]) -> list[Any]:
    return [view["updated_at"].isoformat(), view["id"]]


# ---------------------------------------------------------------------------
# Writing: a plan per case, then applying plans (one, or a batch of them)


def _rules(session: Session) -> dict[str, Any]:
    query = sa.select(RULES).where(RULES.c.active.is_(True))
    return {row.event_type: row for row in session.execute(query)}


@dataclass
class _Plan:
    case_id: str
    result: BatchResult
    version: int
    insert: dict[str, Any] | None = None
    update: dict[str, Any] | None = None
    expected_version: int | None = None
    changed: list[str] = field(default_factory=list)
    events: list[dict[str, Any]] = field(default_factory=list)
    duties: list[dict[str, Any]] = field(default_factory=list)
    entitlements: list[dict[str, Any]] = field(default_factory=list)
    replace_bases: list[str] = field(default_factory=list)
    retime_to: bool | None = None


@dataclass(frozen=True)
class _Context:
    caller: Caller
    now: datetime
    rules: dict[str, Any]
    policy: DeadlinePolicy


def _london(moment: datetime) -> str:
    local = moment.astimezone(LONDON)
    return f"{local:%A} {local.day} {local:%B %Y} at {local:%H:%M}"


def _default_text(
    event_type: EventType, hearing: Hearing | None, outcome: Outcome | None
) -> str | None:
    if event_type == EventType.HEARING_SCHEDULED and hearing is not None:
        where = f" ({hearing.address})" if hearing.address else ""
        return (
            f"A court hearing has been arranged at {hearing.court_name}{where} "
            f"on {_london(hearing.starts_at)}."
        )
    if event_type == EventType.OUTCOME_RECORDED and outcome is not None:
        text = f"The court's decision: {outcome.outcome}."
        if outcome.sentence:
            text += f" Sentence: {outcome.sentence}."
        return text[:1000]
    return DEFAULT_TEXT.get(event_type)


def _event_row(
    ctx: _Context,
    case_id: str,
    event_type: EventType,
    *,
    occurred_at: datetime | None = None,
    visibility: Visibility = Visibility.VICTIM,
    victim_text: str | None = None,
    internal_note: str | None = None,
    from_status: str | None = None,
    to_status: str | None = None,
    hearing: Hearing | None = None,
    outcome: Outcome | None = None,
) -> dict[str, Any]:
    if event_type in INTERNAL_ONLY:
        visibility = Visibility.INTERNAL
    if victim_text is None and visibility == Visibility.VICTIM:
        victim_text = _default_text(event_type, hearing, outcome)
    return {
        "id": _new_id(),
        "case_id": case_id,
        "type": event_type.value,
        "occurred_at": occurred_at or ctx.now,
        "recorded_at": ctx.now,
        "visibility": visibility.value,
        "victim_text": victim_text,
        "internal_note": internal_note,
        "from_status": from_status,
        "to_status": to_status,
        "hearing_court_name": hearing.court_name if hearing else None,
        "hearing_starts_at": hearing.starts_at if hearing else None,
        "hearing_address": hearing.address if hearing else None,
        "hearing_kind": hearing.kind.value if hearing and hearing.kind else None,
        "outcome": outcome.outcome if outcome else None,
        "sentence": outcome.sentence if outcome else None,
        "recorded_by": ctx.caller.principal.client_id,
    }


def _duty_row(ctx: _Context, event: Mapping[str, Any], enhanced: bool) -> dict[str, Any] | None:
    rule = ctx.rules.get(event["type"])
    if rule is None:
        return None
    working_days = rule.enhanced_working_days if enhanced else rule.standard_working_days
    due_on, due_at = ctx.policy.due(event["occurred_at"], working_days)
    return {
        "id": _new_id(),
        "case_id": event["case_id"],
        "event_id": event["id"],
        "event_type": event["type"],
        "obligation": rule.obligation,
        "responsible": rule.responsible,
        "standard_working_days": rule.standard_working_days,
        "enhanced_working_days": rule.enhanced_working_days,
        "enhanced": enhanced,
        "triggered_at": event["occurred_at"],
        "due_on": due_on,
        "due_at": due_at,
        "created_at": ctx.now,
    }


def _add_events(plan: _Plan, ctx: _Context, events: list[dict[str, Any]], enhanced: bool) -> None:
    for event in events:
        plan.events.append(event)
        duty = _duty_row(ctx, event, enhanced)
        if duty is not None:
            plan.duties.append(duty)


def _case_values(data: CaseUpsert) -> dict[str, Any]:
    officer = data.officer
    return {
        "crime_reference": data.crime_reference,
        "borough": data.borough,
        "crime_type": data.crime_type,
        "reported_at": data.reported_at,
        "offence_date": data.offence_date,
        **{
            f"officer_{f}": getattr(officer, f) if officer is not None else None
            for f in OFFICER_FIELDS
        },
        "status": data.status.value,
        "status_sentence": data.status_sentence or STATUS_SENTENCE[data.status],
    }


def _entitlement_row(ctx: _Context, case_id: str, item: ent.Entitlement, by: str) -> dict[str, Any]:
    return {
        "case_id": case_id,
        "group_code": item.group.value,
        "basis": item.basis.value,
        "reason": item.reason,
        "recorded_at": ctx.now,
        "recorded_by": by,
    }


def _status_event(
    ctx: _Context,
    case_id: str,
    status: CaseStatus,
    change: StatusChange | None,
    from_status: str | None,
) -> dict[str, Any]:
    change = change or StatusChange()
    return _event_row(
        ctx,
        case_id,
        STATUS_EVENTS[status],
        occurred_at=change.occurred_at,
        visibility=change.visibility,
        victim_text=change.victim_text,
        internal_note=change.internal_note,
        from_status=from_status,
        to_status=status.value,
        hearing=change.hearing,
        outcome=change.outcome,
    )


def _plan_create(ctx: _Context, case_id: str, data: CaseUpsert) -> _Plan:
    values = _case_values(data)
    derived = ent.from_crime_type(data.crime_type)
    enhanced = bool(derived)
    plan = _Plan(case_id=case_id, result=BatchResult.CREATED, version=1)
    plan.insert = {
        "id": case_id,
        **values,
        "enhanced": enhanced,
        "version": 1,
        "created_at": ctx.now,
        "updated_at": ctx.now,
        "created_by": ctx.caller.principal.client_id,
        "updated_by": ctx.caller.principal.client_id,
    }
    plan.changed = sorted(data.model_fields_set - {"status_change"})
    plan.entitlements = [_entitlement_row(ctx, case_id, e, "system") for e in derived]
    events = [
        _event_row(
            ctx,
            case_id,
            EventType.CASE_REPORTED,
            occurred_at=data.reported_at,
            to_status=CaseStatus.REPORTED.value,
        )
    ]
    if data.status != CaseStatus.REPORTED:
        events.append(_status_event(ctx, case_id, data.status, data.status_change, None))
    _add_events(plan, ctx, events, enhanced)
    return plan


def _same(stored: Any, new: Any) -> bool:
    if isinstance(stored, datetime) and isinstance(new, datetime):
        return as_utc(stored) == as_utc(new)
    return bool(stored == new)


def _plan_update(
    ctx: _Context, row: Any, data: CaseUpsert, entitlement_rows: Sequence[Any]
) -> _Plan:
    values = _case_values(data)
    changed = [name for name in CASE_FIELDS if not _same(getattr(row, name), values[name])]
    plan = _Plan(case_id=row.id, result=BatchResult.UNCHANGED, version=row.version)
    if not changed:
        return plan
    current, new_status = CaseStatus(row.status), data.status
    if not is_allowed(current, new_status):
        raise IllegalTransitionError(current, new_status)
    enhanced = bool(row.enhanced)
    if "crime_type" in changed:
        derived = ent.from_crime_type(data.crime_type)
        others = [e for e in entitlement_rows if e.basis != ent.EntitlementBasis.CRIME_TYPE]
        plan.replace_bases = [ent.EntitlementBasis.CRIME_TYPE.value]
        plan.entitlements = [_entitlement_row(ctx, row.id, e, "system") for e in derived]
        new_enhanced = bool(others) or bool(derived)
        if new_enhanced != enhanced:
            plan.retime_to = enhanced = new_enhanced
    events: list[dict[str, Any]] = []
    if new_status != current:
        events.append(_status_event(ctx, row.id, new_status, data.status_change, current.value))
    officer_event = "officer_name" in changed and data.officer is not None
    if officer_event:
        events.append(_event_row(ctx, row.id, EventType.OFFICER_CHANGED))
    # Every other change is named (never its value) on an internal event.
    covered = {"status", "status_sentence"} if new_status != current else {"status"}
    details = [
        name
        for name in changed
        if name not in covered and not (officer_event and name.startswith("officer_"))
    ]
    if details:
        note = "Changed: " + ", ".join(details) + "."
        if plan.retime_to is not None:
            note += " Enhanced rights now " + ("apply." if enhanced else "no longer apply.")
        events.append(_event_row(ctx, row.id, EventType.CASE_DETAILS_UPDATED, internal_note=note))
    _add_events(plan, ctx, events, enhanced)
    plan.result = BatchResult.UPDATED
    plan.changed = changed
    plan.expected_version = row.version
    plan.version = row.version + 1
    plan.update = {
        **values,
        "enhanced": enhanced,
        "updated_at": ctx.now,
        "updated_by": ctx.caller.principal.client_id,
    }
    return plan


def _insert_rows(session: Session, plans: Sequence[_Plan]) -> None:
    """Insert the new rows of ``plans`` in foreign-key order, one statement per table."""
    cases = [p.insert for p in plans if p.insert is not None]
    if cases:
        session.execute(sa.insert(CASES), cases)
    for table, rows in (
        (EVENTS, [e for p in plans for e in p.events]),
        (DUTIES, [d for p in plans for d in p.duties]),
        (ENTITLEMENTS, [e for p in plans for e in p.entitlements]),
    ):
        if rows:
            session.execute(sa.insert(table), rows)


_UPDATED_COLUMNS = (*CASE_FIELDS, "enhanced", "updated_at", "updated_by")
# The compare-and-swap of ``platform.etag.compare_and_swap``, built once with bound
# parameters so a batch of 500 updates compiles it once.
_CASE_SWAP = (
    sa.update(CASES)
    .where(CASES.c.id == sa.bindparam("swap_id"), CASES.c.version == sa.bindparam("swap_expected"))
    .values({name: sa.bindparam(name) for name in (*_UPDATED_COLUMNS, "version")})
)


def _swap_case(session: Session, case_id: str, expected: int, values: Mapping[str, Any]) -> None:
    """Apply ``values`` only if the case is still at ``expected`` (else 412)."""
    params = {name: values[name] for name in _UPDATED_COLUMNS}
    params.update(swap_id=case_id, swap_expected=expected, version=expected + 1)
    if getattr(session.execute(_CASE_SWAP, params), "rowcount", 0) != 1:
        raise PreconditionFailedError()


def _apply_update(session: Session, ctx: _Context, plan: _Plan, *, batch: bool = False) -> None:
    """Compare-and-swap the case (412 if another writer got there first), then its
    entitlements and open duties. A batch uses the same swap prepared once."""
    assert plan.update is not None
    assert plan.expected_version is not None
    if batch:
        _swap_case(session, plan.case_id, plan.expected_version, plan.update)
    else:
        compare_and_swap(session, CASES, {"id": plan.case_id}, plan.expected_version, plan.update)
    if plan.replace_bases:
        session.execute(
            sa.delete(ENTITLEMENTS).where(
                ENTITLEMENTS.c.case_id == plan.case_id,
                ENTITLEMENTS.c.basis.in_(plan.replace_bases),
            )
        )
    if plan.retime_to is not None:
        _retime_open_duties(session, ctx.policy, plan.case_id, plan.retime_to)


def _retime_open_duties(
    session: Session, policy: DeadlinePolicy, case_id: str, enhanced: bool
) -> None:
    """Move open duties onto the timescale that now applies."""
    query = sa.select(DUTIES).where(
        DUTIES.c.case_id == case_id, DUTIES.c.met_at.is_(None), DUTIES.c.waived_at.is_(None)
    )
    for duty in session.execute(query).all():
        working_days = duty.enhanced_working_days if enhanced else duty.standard_working_days
        due_on, due_at = policy.due(as_utc(duty.triggered_at), working_days)
        session.execute(
            sa.update(DUTIES)
            .where(DUTIES.c.id == duty.id)
            .values(enhanced=enhanced, due_on=due_on, due_at=due_at)
        )


def _audit_plan(session: Session, caller: Caller, plan: _Plan) -> None:
    if plan.result == BatchResult.CREATED:
        operation = Operation.COLLECTION
    elif plan.result == BatchResult.UPDATED:
        operation = Operation.ALTERATION
    else:
        operation = Operation.CONSULTATION
    record(
        session,
        caller,
        operation=operation,
        resource_type="case",
        resource_id=plan.case_id,
        case_ids=[plan.case_id],
        fields=plan.changed,
    )


def _context(
    session: Session, caller: Caller, policy: DeadlinePolicy, now: datetime | None
) -> _Context:
    return _Context(caller=caller, now=now or utcnow(), rules=_rules(session), policy=policy)


def create_case(
    session: Session,
    caller: Caller,
    case_id: str,
    data: CaseUpsert,
    *,
    policy: DeadlinePolicy,
    now: datetime | None = None,
) -> dict[str, Any]:
    """Create a case with this id: 412 if the id exists, 409 if the crime reference does."""
    existing = session.execute(sa.select(CASES.c.version).where(CASES.c.id == case_id)).scalar()
    if existing is not None:
        raise CaseExistsError(int(existing))
    if find_case_id(session, data.crime_reference) is not None:
        raise CrimeReferenceTakenError()
    ctx = _context(session, caller, policy, now)
    plan = _plan_create(ctx, case_id, data)
    try:
        with session.begin_nested():
            _insert_rows(session, [plan])
    except IntegrityError:
        # Another writer created it between our check and our insert.
        version = session.execute(sa.select(CASES.c.version).where(CASES.c.id == case_id)).scalar()
        if version is not None:
            raise CaseExistsError(int(version)) from None
        raise CrimeReferenceTakenError() from None
    _audit_plan(session, caller, plan)
    return _view_of(session, require_case(session, case_id))


def update_case(
    session: Session,
    caller: Caller,
    case_id: str,
    data: CaseUpsert,
    *,
    expected_version: int,
    policy: DeadlinePolicy,
    now: datetime | None = None,
) -> tuple[dict[str, Any], bool]:
    """Replace a case's fields if it is still at ``expected_version`` (else 412).

    Returns the new view and whether anything changed.
    """
    row = require_case(session, case_id)
    if row.version != expected_version:
        raise PreconditionFailedError(etag(row.version))
    if row.crime_reference != data.crime_reference:
        other = find_case_id(session, data.crime_reference)
        if other is not None and other != case_id:
            raise CrimeReferenceTakenError()
    ctx = _context(session, caller, policy, now)
    plan = _plan_update(ctx, row, data, _entitlement_rows(session, [case_id])[case_id])
    if plan.result == BatchResult.UPDATED:
        try:
            with session.begin_nested():
                _apply_update(session, ctx, plan)
                _insert_rows(session, [plan])
        except IntegrityError:
            raise CrimeReferenceTakenError() from None
    _audit_plan(session, caller, plan)
    return _view_of(session, require_case(session, case_id)), plan.result == BatchResult.UPDATED


# ---------------------------------------------------------------------------
# Batch upsert


def _item_problem(error: ProblemError) -> dict[str, Any]:
    problem: dict[str, Any] = {
        "status": error.status,
        "code": error.code,
        "title": error.title,
        "detail": error.detail,
        "errors": [e.model_dump() for e in error.errors],
    }
    problem.update({k: v for k, v in error.extra.items() if k not in problem})
    return problem


def _validation_problem(index: int, exc: ValidationError) -> dict[str, Any]:
    errors = []
    for err in exc.errors(include_input=False, include_url=False):
        loc = ["body", "items", str(index), *(str(p) for p in err.get("loc", ()))]
        pointer = "/" + "/".join(p.replace("~", "~0").replace("/", "~1") for p in loc)
        errors.append(
            FieldError(location=pointer, message=str(err.get("msg")), code=str(err.get("type")))
        )
    return _item_problem(
        ProblemError(422, "validation_failed", "The item has invalid fields.", errors=errors)
    )


def _error(index: int, problem: dict[str, Any]) -> dict[str, Any]:
    return {
        "index": index,
        "result": BatchResult.ERROR,
        "case_id": None,
        "version": None,
        "problem": problem,
    }


def batch_upsert(
    session: Session,
    caller: Caller,
    items: Sequence[Mapping[str, Any]],
    *,
    policy: DeadlinePolicy,
    now: datetime | None = None,
) -> dict[str, Any]:
    """Create or update up to 500 cases keyed by crime reference; per-item results.

    Items are validated first, existing cases are loaded in two queries, new
    cases are inserted in one statement per table (falling back to one item at
    a time only if a concurrent writer got there first), and updates are
    compare-and-swap per case, retried once against a fresh read.
    """
    if len(items) > MAX_BATCH:
        raise ProblemError(422, "batch_too_large", f"A batch holds at most {MAX_BATCH} items.")
    ctx = _context(session, caller, policy, now)
    results: list[dict[str, Any] | None] = [None] * len(items)
    valid: list[tuple[int, CaseBatchItem]] = []
    seen_refs: set[str] = set()
    seen_ids: set[str] = set()
    for index, raw in enumerate(items):
        try:
            item = CaseBatchItem.model_validate(raw)
        except ValidationError as exc:
            results[index] = _error(index, _validation_problem(index, exc))
            continue
        case_id = item.case_id.lower() if item.case_id else None
        if item.crime_reference in seen_refs or (case_id and case_id in seen_ids):
            results[index] = _error(
                index,
                _item_problem(
                    ConflictError(
                        "duplicate_in_batch",
                        "An earlier item in this batch has the same crime reference or case id.",
                    )
                ),
            )
            continue
        seen_refs.add(item.crime_reference)
        if case_id:
            seen_ids.add(case_id)
            item = item.model_copy(update={"case_id": case_id})
        valid.append((index, item))

    by_ref, by_id = _load_existing(session, [i for _, i in valid])
    entitlements = _entitlement_rows(session, [row.id for row in by_ref.values()])
    creates: list[tuple[int, CaseBatchItem, _Plan]] = []
    updated: list[_Plan] = []
    for index, item in valid:
        try:
            plan = _plan_batch_item(session, ctx, item, by_ref, by_id, entitlements)
        except ProblemError as error:
            results[index] = _error(index, _item_problem(error))
            continue
        if plan.result == BatchResult.CREATED:
            creates.append((index, item, plan))
        else:
            results[index] = _apply_batch_update(session, ctx, index, item, plan, updated)
    # The updates' new events, duties and entitlements, one statement per table.
    _insert_rows(session, updated)
    _apply_batch_creates(session, ctx, creates, results)
    done = [r for r in results if r is not None]
    _audit_batch(session, caller, done)
    counts = {kind: sum(1 for r in done if r["result"] == kind) for kind in BatchResult}
    return {
        "results": done,
        "created": counts[BatchResult.CREATED],
        "updated": counts[BatchResult.UPDATED],
        "unchanged": counts[BatchResult.UNCHANGED],
        "failed": counts[BatchResult.ERROR],
    }


def _load_existing(
    session: Session, items: Sequence[CaseBatchItem]
) -> tuple[dict[str, Any], dict[str, Any]]:
    refs = [i.crime_reference for i in items]
    ids = [i.case_id for i in items if i.case_id]
    by_ref: dict[str, Any] = {}
    by_id: dict[str, Any] = {}
    if refs:
        for row in session.execute(sa.select(CASES).where(CASES.c.crime_reference.in_(refs))):
            by_ref[row.crime_reference] = row
            by_id[row.id] = row
    missing_ids = [i for i in ids if i not in by_id]
    if missing_ids:
        for row in session.execute(sa.select(CASES).where(CASES.c.id.in_(missing_ids))):
            by_id[row.id] = row
    return by_ref, by_id


def _plan_batch_item(
    session: Session,
    ctx: _Context,
    item: CaseBatchItem,
    by_ref: Mapping[str, Any],
    by_id: Mapping[str, Any],
    entitlements: Mapping[str, list[Any]] | None = None,
) -> _Plan:
    existing = by_ref.get(item.crime_reference)
    if existing is not None:
        if item.case_id and item.case_id != existing.id:
            raise ConflictError(
                "case_id_mismatch", "This crime reference belongs to a case with another id."
            )
        if entitlements is None or existing.id not in entitlements:
            entitlements = _entitlement_rows(session, [existing.id])
        return _plan_update(ctx, existing, item, entitlements[existing.id])
    if item.case_id and item.case_id in by_id:
        raise ConflictError(
            "case_id_taken",
            "This case id belongs to a case with another crime reference; "
            "change a crime reference with PUT /v1/cases/{case_id}.",
        )
    return _plan_create(ctx, item.case_id or _new_id(), item)


def _result(index: int, plan: _Plan) -> dict[str, Any]:
    return {
        "index": index,
        "result": plan.result,
        "case_id": plan.case_id,
        "version": plan.version,
        "problem": None,
        "_changed": plan.changed,
    }


def _apply_batch_update(
    session: Session,
    ctx: _Context,
    index: int,
    item: CaseBatchItem,
    plan: _Plan,
    updated: list[_Plan],
) -> dict[str, Any]:
    """Compare-and-swap one case; its new rows join ``updated`` for a bulk insert.

    No savepoint: a lost compare-and-swap changes nothing, and an update keyed
    by crime reference cannot break a constraint.
    """
    if plan.result == BatchResult.UNCHANGED:
        return _result(index, plan)
    for attempt in (1, 2):
        try:
            _apply_update(session, ctx, plan, batch=True)
            updated.append(plan)
            return _result(index, plan)
        except PreconditionFailedError:
            if attempt == 2:
                break
            # Another writer changed it since we read it: plan again from a fresh read.
            fresh = _case_row(session, plan.case_id)
            if fresh is None:
                break
            try:
                plan = _plan_update(
                    ctx, fresh, item, _entitlement_rows(session, [fresh.id])[fresh.id]
                )
            except ProblemError as error:
                return _error(index, _item_problem(error))
            if plan.result == BatchResult.UNCHANGED:
                return _result(index, plan)
    return _error(
        index,
        _item_problem(
            ConflictError("concurrent_update", "The case changed while it was updated. Retry.")
        ),
    )


def _apply_batch_creates(
    session: Session,
    ctx: _Context,
    creates: Sequence[tuple[int, CaseBatchItem, _Plan]],
    results: list[dict[str, Any] | None],
) -> None:
    if not creates:
        return
    try:
        with session.begin_nested():
            _insert_rows(session, [plan for _, _, plan in creates])
    except IntegrityError:
        pass
    else:
        for index, _, plan in creates:
            results[index] = _result(index, plan)
        return
    # A concurrent writer created some of these cases: one item at a time, and
    # an item that now exists becomes an update.
    for index, item, plan in creates:
        try:
            with session.begin_nested():
                _insert_rows(session, [plan])
            results[index] = _result(index, plan)
            continue
        except IntegrityError:
            pass
        by_ref, by_id = _load_existing(session, [item])
        try:
            replanned = _plan_batch_item(session, ctx, item, by_ref, by_id)
        except ProblemError as error:
            results[index] = _error(index, _item_problem(error))
            continue
        if replanned.result == BatchResult.CREATED:
            results[index] = _error(
                index,
                _item_problem(
                    ConflictError("concurrent_update", "The case changed while it was created.")
                ),
            )
        else:
            done: list[_Plan] = []
            results[index] = _apply_batch_update(session, ctx, index, item, replanned, done)
            _insert_rows(session, done)


def _audit_batch(session: Session, caller: Caller, results: list[dict[str, Any]]) -> None:
    """One entry per kind of change, naming every case it touched."""
    for kind, operation in (
        (BatchResult.CREATED, Operation.COLLECTION),
        (BatchResult.UPDATED, Operation.ALTERATION),
    ):
        touched = [r for r in results if r["result"] == kind]
        if touched:
            record(
                session,
                caller,
                operation=operation,
                resource_type="case",
                case_ids=[r["case_id"] for r in touched],
                fields={f for r in touched for f in r["_changed"]},
            )
    for r in results:
        r.pop("_changed", None)


# ---------------------------------------------------------------------------
# Timeline events


def add_event(
    session: Session,
    caller: Caller,
    case_id: str,
    data: EventCreate,
    *,
    policy: DeadlinePolicy,
    now: datetime | None = None,
) -> dict[str, Any]:
    """Add a posted event to a case's timeline, with the duty the Code requires."""
    row = require_case(session, case_id)
    ctx = _context(session, caller, policy, now)
    event_type = EventType(data.type)
    if isinstance(data, InternalNoteCreate):
        event = _event_row(
            ctx,
            case_id,
            event_type,
            occurred_at=data.occurred_at,
            visibility=Visibility.INTERNAL,
            internal_note=data.internal_note,
        )
    else:
        event = _event_row(
            ctx,
            case_id,
            event_type,
            occurred_at=data.occurred_at,
            visibility=data.visibility,
            victim_text=data.victim_text,
            internal_note=data.internal_note,
            hearing=getattr(data, "hearing", None),
            outcome=getattr(data, "outcome", None),
        )
    plan = _Plan(case_id=case_id, result=BatchResult.UPDATED, version=row.version)
    _add_events(plan, ctx, [event], bool(row.enhanced))
    _insert_rows(session, [plan])
    record(
        session,
        caller,
        operation=Operation.COLLECTION,
        resource_type="case_event",
        resource_id=event["id"],
        case_ids=[case_id],
        fields=sorted(data.model_fields_set | {"type"}),
    )
    return event_view(_event(session, case_id, event["id"]))


def _event(session: Session, case_id: str, event_id: str) -> Any:
    return session.execute(
        sa.select(EVENTS).where(EVENTS.c.case_id == case_id, EVENTS.c.id == event_id)
    ).first()


def get_event(session: Session, caller: Caller, case_id: str, event_id: str) -> dict[str, Any]:
    row = _event(session, case_id, event_id)
    if row is None:
        raise NotFoundError("There is no such event on this case.")
    record(
        session,
        caller,
        operation=Operation.CONSULTATION,
        resource_type="case_event",
        resource_id=event_id,
        case_ids=[case_id],
    )
    return event_view(row)


def _timeline_query(
    case_id: str, *, victim_only: bool, limit: int | None, after: Sequence[Any] | None
) -> Any:
    query = (
        sa.select(EVENTS)
        .where(EVENTS.c.case_id == case_id)
        .order_by(EVENTS.c.occurred_at, EVENTS.c.id)
    )
    if victim_only:
        query = query.where(EVENTS.c.visibility == Visibility.VICTIM.value)
    if after is not None:
        stamp, last_id = _keyset(after)
        query = query.where(
            sa.or_(
                EVENTS.c.occurred_at > stamp,
                sa.and_(EVENTS.c.occurred_at == stamp, EVENTS.c.id > last_id),
            )
        )
    if limit is not None:
        query = query.limit(limit + 1)
    return query


def list_events(
    session: Session, caller: Caller, case_id: str, *, limit: int, after: Sequence[Any] | None
) -> list[dict[str, Any]]:
    """Up to ``limit + 1`` events of a case, oldest first."""
    require_case(session, case_id)
    rows = session.execute(_timeline_query(case_id, victim_only=False, limit=limit, after=after))
    events = [event_view(r) for r in rows]
    record(
        session,
        caller,
        operation=Operation.CONSULTATION,
        resource_type="case_event",
        case_ids=[case_id],
    )
    return events


def timeline_sort_key(view: Mapping[str, Any]) -> list[Any]:
    return [view["occurred_at"].isoformat(), view["id"]]


# ---------------------------------------------------------------------------
# Entitlements


def _apply_entitlements(
    session: Session,
    ctx: _Context,
    row: Any,
    bases: Sequence[str],
    new_rows: list[dict[str, Any]],
    *,
    expected_version: int | None,
) -> tuple[int, list[str]]:
    """Replace the entitlements of ``bases`` with ``new_rows``; bump the case version.

    Returns the new version and the groups whose presence changed.
    """
    current = _entitlement_rows(session, [row.id])[row.id]
    kept = [e for e in current if e.basis not in bases]
    before = {(e.group_code, e.basis, e.reason) for e in current if e.basis in bases}
    after = {(e["group_code"], e["basis"], e["reason"]) for e in new_rows}
    if before == after:
        return int(row.version), []
    enhanced = bool(kept) or bool(new_rows)
    values = {
        "enhanced": enhanced,
        "updated_at": ctx.now,
        "updated_by": ctx.caller.principal.client_id,
    }
    if expected_version is None:
        statement = (
            sa.update(CASES)
            .where(CASES.c.id == row.id)
            .values(**values, version=CASES.c.version + 1)
            .returning(CASES.c.version)
        )
        version = int(session.execute(statement).scalar_one())
    else:
        version = compare_and_swap(session, CASES, {"id": row.id}, expected_version, values)
    session.execute(
        sa.delete(ENTITLEMENTS).where(
            ENTITLEMENTS.c.case_id == row.id, ENTITLEMENTS.c.basis.in_(bases)
        )
    )
    if new_rows:
        session.execute(sa.insert(ENTITLEMENTS), new_rows)
    if enhanced != bool(row.enhanced):
        _retime_open_duties(session, ctx.policy, row.id, enhanced)
    groups = sorted({g for g, _, _ in before ^ after})
    note = "Entitlements changed: " + ", ".join(groups) + "."
    if enhanced != bool(row.enhanced):
        note += " Enhanced rights now " + ("apply." if enhanced else "no longer apply.")
    event = _event_row(ctx, row.id, EventType.ENTITLEMENTS_CHANGED, internal_note=note)
    session.execute(sa.insert(EVENTS), [event])
    return version, groups


def entitlements_view(session: Session, case_id: str) -> dict[str, Any]:
    row = require_case(session, case_id)
    rows = _entitlement_rows(session, [case_id])[case_id]
    return {
        "case_id": case_id,
        "enhanced": bool(row.enhanced),
        "entitlements": [
            _entitlement_view(e) for e in sorted(rows, key=lambda e: (e.group_code, e.basis))
        ],
        "version": row.version,
    }


def set_staff_entitlements(
    session: Session,
    caller: Caller,
    case_id: str,
    data: StaffAssessments,
    *,
    expected_version: int,
    policy: DeadlinePolicy,
    now: datetime | None = None,
) -> dict[str, Any]:
    """Replace the staff-assessed entitlements (If-Match: the case's ETag)."""
    row = require_case(session, case_id)
    if row.version != expected_version:
        raise PreconditionFailedError(etag(row.version))
    ctx = _context(session, caller, policy, now)
    chosen: dict[ent.EntitlementGroup, Assessment | None] = {
        ent.EntitlementGroup.PERSISTENTLY_TARGETED: data.persistently_targeted,
        ent.EntitlementGroup.VULNERABLE: data.vulnerable,
        ent.EntitlementGroup.INTIMIDATED: data.intimidated,
        ent.EntitlementGroup.BEREAVED: data.bereaved,
    }
    new_rows = [
        _entitlement_row(
            ctx,
            case_id,
            ent.Entitlement(group, ent.EntitlementBasis.STAFF_ASSESSMENT, assessment.reason),
            _actor(caller),
        )
        for group, assessment in chosen.items()
        if assessment is not None
    ]
    _, groups = _apply_entitlements(
        session,
        ctx,
        row,
        [ent.EntitlementBasis.STAFF_ASSESSMENT.value],
        new_rows,
        expected_version=expected_version,
    )
    record(
        session,
        caller,
        operation=Operation.ALTERATION if groups else Operation.CONSULTATION,
        resource_type="case_entitlement",
        resource_id=case_id,
        case_ids=[case_id],
        fields=groups,
    )
    return entitlements_view(session, case_id)


def recompute_entitlements(
    session: Session,
    caller: Caller,
    case_id: str,
    victim_birth_dates: Sequence[date] | None = None,
    *,
    policy: DeadlinePolicy | None = None,
    now: datetime | None = None,
) -> dict[str, Any]:
    """Re-derive a case's automatic entitlements.

    The crime-type entitlement is always re-derived. Pass every victim's birth
    date (the victims domain does, whenever they change) to re-derive
    "under 18 on the offence date"; ``None`` leaves that one as it is. Open
    duties move to the timescale that now applies.
    """
    row = require_case(session, case_id)
    ctx = _context(session, caller, policy or DeadlinePolicy(), now)
    derived = ent.from_crime_type(row.crime_type)
    bases = [ent.EntitlementBasis.CRIME_TYPE.value]
    if victim_birth_dates is not None:
        derived += ent.from_victims(row.offence_date, victim_birth_dates)
        bases.append(ent.EntitlementBasis.VICTIM_UNDER_18.value)
    new_rows = [_entitlement_row(ctx, case_id, e, "system") for e in derived]
    _, groups = _apply_entitlements(session, ctx, row, bases, new_rows, expected_version=None)
    if groups:
        record(
            session,
            caller,
            operation=Operation.ALTERATION,
            resource_type="case_entitlement",
            resource_id=case_id,
            case_ids=[case_id],
            fields=groups,
        )
    return entitlements_view(session, case_id)


# ---------------------------------------------------------------------------
# Duties


def _open() -> Any:
    return sa.and_(DUTIES.c.met_at.is_(None), DUTIES.c.waived_at.is_(None))


def _state_filter(state: DutyState, now: datetime) -> Any:
    if state == DutyState.WAIVED:
        return DUTIES.c.waived_at.is_not(None)
    if state == DutyState.MET:
        return sa.and_(DUTIES.c.waived_at.is_(None), DUTIES.c.met_at < DUTIES.c.due_at)
    if state == DutyState.MET_LATE:
        return sa.and_(DUTIES.c.waived_at.is_(None), DUTIES.c.met_at >= DUTIES.c.due_at)
    if state == DutyState.OVERDUE:
        return sa.and_(_open(), DUTIES.c.due_at <= now)
    return sa.and_(_open(), DUTIES.c.due_at > now)


def list_duties(
    session: Session,
    caller: Caller,
    case_id: str,
    *,
    state: DutyState | None,
    limit: int,
    after: Sequence[Any] | None,
    now: datetime | None = None,
) -> list[dict[str, Any]]:
    """Up to ``limit + 1`` duties of a case, soonest due first, with their states."""
    require_case(session, case_id)
    now = now or utcnow()
    query = (
        sa.select(DUTIES)
        .where(DUTIES.c.case_id == case_id)
        .order_by(DUTIES.c.due_at, DUTIES.c.id)
        .limit(limit + 1)
    )
    if state is not None:
        query = query.where(_state_filter(state, now))
    if after is not None:
        stamp, last_id = _keyset(after)
        query = query.where(
            sa.or_(
                DUTIES.c.due_at > stamp, sa.and_(DUTIES.c.due_at == stamp, DUTIES.c.id > last_id)
            )
        )
    duties = [duty_view(r, now) for r in session.execute(query)]
    record(
        session,
        caller,
        operation=Operation.CONSULTATION,
        resource_type="notification_duty",
        case_ids=[case_id],
    )
    return duties


def duty_sort_key(view: Mapping[str, Any]) -> list[Any]:
    return [view["due_at"].isoformat(), view["id"]]


def _open_duty(session: Session, duty_id: str, case_id: str | None, now: datetime) -> Any:
    query = sa.select(DUTIES).where(DUTIES.c.id == duty_id)
    if case_id is not None:
        query = query.where(DUTIES.c.case_id == case_id)
    row = session.execute(query).first()
    if row is None:
        raise NotFoundError("There is no such duty.")
    if row.met_at is not None or row.waived_at is not None:
        raise DutyClosedError(duty_state(row, now).value)
    return row


def _close_duty(session: Session, duty_id: str, values: dict[str, Any]) -> None:
    result = session.execute(
        sa.update(DUTIES)
        .where(DUTIES.c.id == duty_id, DUTIES.c.met_at.is_(None), DUTIES.c.waived_at.is_(None))
        .values(**values)
    )
    if getattr(result, "rowcount", 0) != 1:
        raise DutyClosedError("closed")


def meet_duty(
    session: Session,
    caller: Caller,
    duty_id: str,
    contact_id: str,
    met_at: datetime,
    *,
    now: datetime | None = None,
) -> dict[str, Any]:
    """Mark a duty met by a contact-log entry (the victims domain calls this)."""
    now = now or utcnow()
    row = _open_duty(session, duty_id, None, now)
    _close_duty(session, duty_id, {"met_at": as_utc(met_at), "contact_id": contact_id[:64]})
    record(
        session,
        caller,
        operation=Operation.ALTERATION,
        resource_type="notification_duty",
        resource_id=duty_id,
        case_ids=[row.case_id],
        fields=["met_at", "contact_id"],
    )
    return duty_view(_duty(session, duty_id), now)


def waive_duty(
    session: Session,
    caller: Caller,
    duty_id: str,
    reason: str,
    *,
    case_id: str | None = None,
    now: datetime | None = None,
) -> dict[str, Any]:
    """Waive a duty with a reason (for example, the victim opted out of updates)."""
    now = now or utcnow()
    if case_id is not None:
        require_case(session, case_id)
    row = _open_duty(session, duty_id, case_id, now)
    _close_duty(
        session, duty_id, {"waived_at": now, "waiver_reason": reason, "waived_by": _actor(caller)}
    )
    record(
        session,
        caller,
        operation=Operation.ALTERATION,
        resource_type="notification_duty",
        resource_id=duty_id,
        case_ids=[row.case_id],
        fields=["waived_at", "waiver_reason"],
    )
    return duty_view(_duty(session, duty_id), now)


def _duty(session: Session, duty_id: str) -> Any:
    return session.execute(sa.select(DUTIES).where(DUTIES.c.id == duty_id)).one()


def open_duties(
    session: Session, case_id: str, now: datetime | None = None
) -> list[dict[str, Any]]:
    """A case's open duties (DUE or OVERDUE), soonest first; for other domains."""
    now = now or utcnow()
    query = (
        sa.select(DUTIES)
        .where(DUTIES.c.case_id == case_id, _open())
        .order_by(DUTIES.c.due_at, DUTIES.c.id)
    )
    return [duty_view(r, now) for r in session.execute(query)]


# ---------------------------------------------------------------------------
# Notification rules


def require_rule(session: Session, event_type: str) -> Any:
    row = session.execute(sa.select(RULES).where(RULES.c.event_type == event_type)).first()
    if row is None:
        raise NotFoundError("There is no notification rule for this event type.")
    return row


def list_rules(session: Session, caller: Caller) -> list[dict[str, Any]]:
    rows = session.execute(sa.select(RULES).order_by(RULES.c.event_type))
    record(session, caller, operation=Operation.CONSULTATION, resource_type="notification_rule")
    return [rule_view(r) for r in rows]


def update_rule(
    session: Session,
    caller: Caller,
    event_type: str,
    data: RuleUpdate,
    *,
    expected_version: int,
    now: datetime | None = None,
) -> dict[str, Any]:
    """Change a rule (If-Match: its ETag). Duties already created keep their dates."""
    row = require_rule(session, event_type)
    if row.version != expected_version:
        raise PreconditionFailedError(etag(row.version))
    compare_and_swap(
        session,
        RULES,
        {"event_type": event_type},
        expected_version,
        {
            **data.model_dump(mode="json"),
            "updated_at": now or utcnow(),
            "updated_by": _actor(caller),
        },
    )
    record(
        session,
        caller,
        operation=Operation.ALTERATION,
        resource_type="notification_rule",
        resource_id=event_type,
        fields=sorted(data.model_fields_set),
    )
    return rule_view(
        session.execute(sa.select(RULES).where(RULES.c.event_type == event_type)).one()
    )


# ---------------------------------------------------------------------------
# Victim-facing views (for the helpline and web issues)


def victim_view(session: Session, caller: Caller, case_id: str) -> dict[str, Any]:
    """What a verified victim may be told about their case: victim-facing fields only.

    No internal notes, no entitlement reasons, no audit of who changed what.
    """
    row = require_case(session, case_id)
    groups = sorted({e.group_code for e in _entitlement_rows(session, [case_id])[case_id]})
    crime_type = CRIME_TYPES_BY_CODE.get(row.crime_type)
    record(
        session,
        caller,
        operation=Operation.CONSULTATION,
        resource_type="case",
        resource_id=case_id,
        case_ids=[case_id],
    )
    return {
        "id": row.id,
        "crime_reference": row.crime_reference,
        "crime_type": row.crime_type,
        "crime_type_label": crime_type.label if crime_type else row.crime_type,
        "reported_at": as_utc(row.reported_at),
        "offence_date": row.offence_date,
        "status": row.status,
        "status_sentence": row.status_sentence,
        "officer": _officer(row),
        "enhanced": bool(row.enhanced),
        "entitlement_groups": groups,
    }


def victim_timeline(
    session: Session, caller: Caller, case_id: str, *, victim_ids: Sequence[str] = ()
) -> list[dict[str, Any]]:
    """The VICTIM-visible events of a case, oldest first, without internal notes. The
    audit names ``victim_ids`` too: the victims it was read for (DPA 2018 s62)."""
    require_case(session, case_id)
    rows = session.execute(_timeline_query(case_id, victim_only=True, limit=None, after=None))
    events = []
    for row in rows:
        view = event_view(row)
        events.append(
            {
                "id": view["id"],
                "type": view["type"],
                "occurred_at": view["occurred_at"],
                "text": view["victim_text"] or DEFAULT_TEXT.get(EventType(row.type), ""),
                "hearing": view["hearing"],
                "outcome": view["outcome"],
            }
        )
    record(
        session,
        caller,
        operation=Operation.CONSULTATION,
        resource_type="case_event",
        case_ids=[case_id],
        victim_ids=list(victim_ids),
    )
    return events


# ---------------------------------------------------------------------------
# For the worklist and the compliance report


def case_ids_where(*, team: str | None = None, borough: str | None = None) -> Any:
    """A subquery of the ids of cases in ``team`` (the officer's) and ``borough``, or
    None when neither is given: other domains filter their rows by it."""
    if team is None and borough is None:
        return None
    query = sa.select(CASES.c.id)
    if team is not None:
        query = query.where(CASES.c.officer_team == team)
    if borough is not None:
        query = query.where(CASES.c.borough == borough)
    return query


def worklist_duties_query(
    *, case_ids: Any, due_before: datetime, after: KeysetBound | None, limit: int
) -> Any:
    """Open duties due before ``due_before``, in (due_at, id) order (index
    ``ix_notification_duty_due_at_id``): the worklist's duty source."""
    query = (
        sa.select(
            DUTIES.c.id,
            DUTIES.c.case_id,
            DUTIES.c.event_type,
            DUTIES.c.obligation,
            DUTIES.c.due_at,
            DUTIES.c.enhanced,
        )
        .where(_open(), DUTIES.c.due_at < due_before)
        .order_by(DUTIES.c.due_at, DUTIES.c.id)
        .limit(limit)
    )
    if case_ids is not None:
        query = query.where(DUTIES.c.case_id.in_(case_ids))
    if after is not None:
        query = query.where(keyset_after(DUTIES.c.due_at, DUTIES.c.id, after))
    return query


@dataclass(frozen=True)
class DutyFact:
    """One duty for the compliance report: no personal data."""

    event_type: str
    borough: str
    team: str | None
    due_on: date
    due_at: datetime
    met_at: datetime | None
    waived: bool


def duty_facts(
    session: Session, *, due_from: date, due_to: date, borough: str | None
) -> list[DutyFact]:
    """Every duty whose due date is in [due_from, due_to], with its case's borough and
    team, for aggregate figures."""
    query = (
        sa.select(
            DUTIES.c.event_type,
            DUTIES.c.due_on,
            DUTIES.c.due_at,
            DUTIES.c.met_at,
            DUTIES.c.waived_at,
            CASES.c.borough,
            CASES.c.officer_team,
        )
        .join(CASES, CASES.c.id == DUTIES.c.case_id)
        .where(DUTIES.c.due_on >= due_from, DUTIES.c.due_on <= due_to)
    )
    if borough is not None:
        query = query.where(CASES.c.borough == borough)
    return [
        DutyFact(
            event_type=r.event_type,
            borough=r.borough,
            team=r.officer_team,
            due_on=r.due_on,
            due_at=as_utc(r.due_at),
            met_at=as_utc(r.met_at) if r.met_at is not None else None,
            waived=r.waived_at is not None,
        )
        for r in session.execute(query)
    ]


def cases_reported_between(
    session: Session, *, start: datetime, end: datetime, borough: str | None
) -> dict[str, datetime]:
    """{case id: reported_at} of cases reported in [start, end)."""
    query = sa.select(CASES.c.id, CASES.c.reported_at).where(
        CASES.c.reported_at >= start, CASES.c.reported_at < end
    )
    if borough is not None:
        query = query.where(CASES.c.borough == borough)
    return {r.id: as_utc(r.reported_at) for r in session.execute(query)}
