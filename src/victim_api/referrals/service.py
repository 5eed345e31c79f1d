"""The rules of the referrals domain: plain functions over a session; no HTTP.

A referral is made by staff, checked against the crime type's consent rule in
the same transaction, and delivered to the support service's organisation by
the partner pull: every referral the organisation has not acknowledged, oldest
first. Delivery is at least once; a referral committed late is in the next pull.

Contact data reaches a partner only through :func:`partner_view`, which reads
the victim's *current* safe methods (``victims.service.safe_contact_for_partner``)
and keeps only those also copied onto the referral, so a flag added later removes
a method too; a cancelled referral carries no personal data at all.
"""

from __future__ import annotations

import contextlib
import uuid
from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import Any

import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from victim_api.cases import service as cases
from victim_api.directory import service as directory
from victim_api.platform.audit import Operation, record
from victim_api.platform.clock import as_utc, utcnow
from victim_api.platform.db import table_of
from victim_api.platform.errors import ConflictError, NotFoundError, ProblemError
from victim_api.platform.metrics import histogram
from victim_api.platform.pagination import KeysetBound, keyset_after
from victim_api.platform.principal import Caller
from victim_api.reference.data import CRIME_TYPES_BY_CODE
from victim_api.referrals.models import Referral, ReferralConsentRule
from victim_api.referrals.schemas import (
    DeclineReason,
    OutcomeCreate,
    OutcomeStatus,
    ReferralCreate,
    ReferralStatus,
)
from victim_api.victims import service as victims

REFERRALS = table_of(Referral)
RULES = table_of(ReferralConsentRule)
PURPOSE = "REFERRAL_TO_SUPPORT"
REFERRAL_DUTY_EVENT = "CASE_REPORTED"
CONSENT_WITHDRAWN = "CONSENT_WITHDRAWN"
S = ReferralStatus
# Declined, closed and cancelled referrals are finished: a new one may be made.
FINISHED = frozenset({S.DECLINED, S.CLOSED, S.CANCELLED})
# What a partner may record next. Recording the current status again changes nothing.
OUTCOMES: dict[ReferralStatus, frozenset[ReferralStatus]] = {
    S.ACKNOWLEDGED: frozenset({S.ACCEPTED, S.DECLINED}),
    S.ACCEPTED: frozenset({S.CONTACT_MADE, S.DECLINED, S.CLOSED}),
    S.CONTACT_MADE: frozenset({S.CLOSED}),
}
MAX_PULL = 100
# The fields of a partner payload, for the DISCLOSURE entry (names only).
DISCLOSED_FIELDS = [
    "given_name",
    "family_name",
    "contact_methods",
    "preferred_method",
    "safe_contact_times",
    "language",
    "interpreter_needed",
    "accessibility_needs",
    "needs",
    "crime_category",
    "entitlements",
]

delivery_lag = histogram(
    "referral_delivery_lag_seconds",
    "Seconds from a referral being made to its first delivery to the support service.",
    buckets=(1, 10, 60, 300, 900, 3600, 4 * 3600, 86400, 2 * 86400, 7 * 86400),
)


# ---------------------------------------------------------------------------
# Errors


class ReferralNotFoundError(NotFoundError):
    """Also what a partner gets for another organisation's referral: the same body."""

    def __init__(self) -> None:
        super().__init__("There is no referral with this id.")


class UnknownReferenceError(ConflictError):
    def __init__(self, detail: str) -> None:
        super().__init__("unknown_reference", detail)


# The consent errors are 409: the request is valid, the victim's consent in force
# (the state of another resource) does not allow it. Record the consent and retry.
class ConsentRequiredError(ConflictError):
    def __init__(self, crime_type: str) -> None:
        super().__init__(
            "consent_required",
            "A referral for this crime type needs the victim's consent "
            "(REFERRAL_TO_SUPPORT), and none is in force. Record it first.",
            extra={"crime_type": crime_type},
        )


class ConsentWithdrawnError(ConflictError):
    def __init__(self) -> None:
        super().__init__(
            "consent_withdrawn",
            "The victim has withdrawn consent to (or opted out of) referral to support.",
        )


class ConsentNotCurrentError(ConflictError):
    def __init__(self) -> None:
        super().__init__(
            "consent_not_current",
            "consent_id is not this victim's REFERRAL_TO_SUPPORT consent in force.",
        )


class DuplicateReferralError(ConflictError):
    def __init__(self, existing_id: str) -> None:
        super().__init__(
            "duplicate_referral",
            "This person already has an open referral to this service.",
            extra={"existing_id": existing_id},
        )


class ServiceNotAcceptingError(ConflictError):
    def __init__(self, detail: str) -> None:
        super().__init__("service_not_accepting", detail)


class IllegalOutcomeError(ConflictError):
    def __init__(self, current: str, requested: str, allowed: Sequence[str]) -> None:
        super().__init__(
            "illegal_transition",
            f"A referral that is {current} cannot become {requested}.",
            extra={
                "current_status": current,
                "requested_status": requested,
                "allowed_next": sorted(allowed),
            },
        )


class ReasonError(ProblemError):
    def __init__(self, detail: str) -> None:
        super().__init__(422, "decline_reason", detail)


# ---------------------------------------------------------------------------
# Helpers


def _new_id() -> str:
    return str(uuid.uuid4())


def _actor(caller: Caller) -> str:
    return (caller.principal.acting_user or caller.principal.client_id)[:128]


def open_key(victim_id: str, service_id: str) -> str:
    return f"{victim_id}:{service_id}"


def _opt(value: datetime | None) -> datetime | None:
    return as_utc(value) if value is not None else None


def staff_view(row: Any) -> dict[str, Any]:
    return {
        "id": row.id,
        "case_id": row.case_id,
        "victim_id": row.victim_id,
        "service_id": row.service_id,
        "organisation_id": row.organisation_id,
        "crime_type": row.crime_type,
        "needs": list(row.needs or []),
        "consent_required": bool(row.consent_required),
        "consent_id": row.consent_id,
        "legal_basis": row.legal_basis,
        "contact_methods": list(row.contact_methods or []),
        "preferred_method": row.preferred_method,
        "safe_contact_times": row.safe_contact_times,
        "status": row.status,
        "decline_reason": row.decline_reason,
        "cancel_reason": row.cancel_reason,
        "pending": bool(row.pending),
        "delivery_count": row.delivery_count,
        "first_delivered_at": _opt(row.first_delivered_at),
        "last_delivered_at": _opt(row.last_delivered_at),
        "acknowledged_at": _opt(row.acknowledged_at),
        "sent_at": _opt(row.sent_at),
        "status_changed_at": as_utc(row.status_changed_at),
        "duty_id": row.duty_id,
        "version": row.version,
        "created_at": as_utc(row.created_at),
        "updated_at": as_utc(row.updated_at),
    }


def state_view(row: Any) -> dict[str, Any]:
    return {
        "id": row.id,
        "status": row.status,
        "decline_reason": row.decline_reason,
        "acknowledged_at": _opt(row.acknowledged_at),
        "status_changed_at": as_utc(row.status_changed_at),
        "pending": bool(row.pending),
    }


def _row(session: Session, referral_id: str) -> Any:
    row = session.execute(sa.select(REFERRALS).where(REFERRALS.c.id == referral_id)).first()
    if row is None:
        raise ReferralNotFoundError()
    return row


def _update(session: Session, row: Any, caller: Caller, **values: Any) -> Any:
    now = values.pop("now", None) or utcnow()
    session.execute(
        sa.update(REFERRALS)
        .where(REFERRALS.c.id == row.id)
        .values(
            **values, version=REFERRALS.c.version + 1, updated_at=now, updated_by=_actor(caller)
        )
    )
    return _row(session, row.id)


# ---------------------------------------------------------------------------
# The consent rules


def consent_rule(session: Session, crime_type: str) -> dict[str, Any]:
    row = session.execute(sa.select(RULES).where(RULES.c.crime_type == crime_type)).first()
    if row is None:
        # A crime type added after the rules were seeded: ask for consent (the safe side).
        return {
            "crime_type": crime_type,
            "consent_required": True,
            "legal_basis": "CONSENT",
            "note": "No rule for this crime type: consent is asked for.",
            "version": 0,
        }
    return rule_view(row)


def rule_view(row: Any) -> dict[str, Any]:
    return {
        "crime_type": row.crime_type,
        "consent_required": bool(row.consent_required),
        "legal_basis": row.legal_basis,
        "note": row.note,
        "version": row.version,
    }


def list_rules(session: Session) -> list[dict[str, Any]]:
    rows = session.execute(sa.select(RULES).order_by(RULES.c.crime_type))
    return [rule_view(r) for r in rows]


def _basis(
    session: Session, victim_id: str, crime_type: str, data: ReferralCreate
) -> dict[str, Any]:
    """Consent (when the rule needs it) or the legal basis; 422 when neither holds."""
    rule = consent_rule(session, crime_type)
    required = rule["consent_required"]
    current = victims.current_consent(session, victim_id, PURPOSE)
    if current is not None and current["decision"] == "WITHDRAWN":
        raise ConsentWithdrawnError()
    if data.consent_id is not None and (
        current is None or current["id"] != data.consent_id.lower()
    ):
        raise ConsentNotCurrentError()
    if required:
        if current is None:
            raise ConsentRequiredError(crime_type)
        return {"consent_required": True, "consent_id": current["id"], "legal_basis": "CONSENT"}
    if current is not None:
        return {"consent_required": False, "consent_id": current["id"], "legal_basis": "CONSENT"}
    basis = data.legal_basis.value if data.legal_basis is not None else rule["legal_basis"]
    return {"consent_required": False, "consent_id": None, "legal_basis": basis}


# ---------------------------------------------------------------------------
# Staff: making and reading referrals


def _service(session: Session, service_id: str, crime_type: str) -> dict[str, Any]:
    try:
        service = directory.get_service(session, service_id)
    except directory.ServiceNotFoundError as exc:
        raise UnknownReferenceError("There is no directory service with this id.") from exc
    if service["status"] != "ACTIVE" or not service["accepts_police_referrals"]:
        raise ServiceNotAcceptingError("This service is not taking police referrals.")
    if crime_type not in service["crime_types"]:
        raise ServiceNotAcceptingError("This service does not support this crime type.")
    return service


def _existing_open(session: Session, key: str) -> str | None:
    found = session.execute(sa.select(REFERRALS.c.id).where(REFERRALS.c.open_key == key)).scalar()
    return str(found) if found is not None else None


def create_referral(session: Session, caller: Caller, data: ReferralCreate) -> dict[str, Any]:
    case_id, victim_id, service_id = (
        data.case_id.lower(),
        data.victim_id.lower(),
        data.service_id.lower(),
    )
    try:
        case = cases.require_case(session, case_id)
    except NotFoundError as exc:
        raise UnknownReferenceError("There is no case with this id.") from exc
    if not victims.victim_exists(session, victim_id):
        raise UnknownReferenceError("There is no victim with this id.")
    contact = victims.safe_contact_for_partner(session, victim_id)  # 409 when erased
    if contact["case_id"] != case_id:
        raise ConflictError("victim_not_on_case", "This person is not on this case.")
    service = _service(session, service_id, case.crime_type)
    key = open_key(victim_id, service_id)
    existing = _existing_open(session, key)
    if existing is not None:
        raise DuplicateReferralError(existing)
    basis = _basis(session, victim_id, case.crime_type, data)
    safe = [m["method"] for m in contact["contact_methods"]]
    preferred = contact["preferred_channel"] if contact["preferred_channel"] in safe else None
    duty = next(
        (d for d in cases.open_duties(session, case_id) if d["event_type"] == REFERRAL_DUTY_EVENT),
        None,
    )
    now = utcnow()
    referral_id = _new_id()
    values = {
        "id": referral_id,
        "case_id": case_id,
        "victim_id": victim_id,
        "service_id": service_id,
        "organisation_id": service["organization"]["id"],
        "open_key": key,
        "crime_type": case.crime_type,
        "needs": list(dict.fromkeys(data.needs)),
        **basis,
        "contact_methods": safe,
        "preferred_method": preferred,
        "safe_contact_times": contact["safe_contact_times"],
        "status": S.CREATED.value,
        "pending": True,
        "pending_since": now,
        "delivery_count": 0,
        "status_changed_at": now,
        "duty_id": duty["id"] if duty else None,
        "version": 1,
        "created_at": now,
        "updated_at": now,
        "created_by": _actor(caller),
        "updated_by": _actor(caller),
    }
    try:
        with session.begin_nested():
            session.execute(sa.insert(REFERRALS).values(**values))
    except IntegrityError as exc:
        # Another request made the same referral between our check and insert.
        raise DuplicateReferralError(_existing_open(session, key) or "") from exc
    record(
        session,
        caller,
        operation=Operation.COLLECTION,
        resource_type="referral",
        resource_id=referral_id,
        case_ids=[case_id],
        victim_ids=[victim_id],
        fields=["service_id", "needs", "legal_basis", "contact_methods", "safe_contact_times"],
    )
    return staff_view(_row(session, referral_id))


def get_referral(session: Session, caller: Caller, referral_id: str) -> dict[str, Any]:
    row = _row(session, referral_id)
    record(
        session,
        caller,
        operation=Operation.CONSULTATION,
        resource_type="referral",
        resource_id=row.id,
        case_ids=[row.case_id],
        victim_ids=[row.victim_id],
    )
    return staff_view(row)


def list_for_victim(
    session: Session, caller: Caller, victim_id: str, *, limit: int, after: Sequence[Any] | None
) -> list[dict[str, Any]]:
    """Up to ``limit + 1`` of a person's referrals, oldest first."""
    if not victims.victim_exists(session, victim_id):
        raise victims.VictimNotFoundError()
    query = (
        sa.select(REFERRALS)
        .where(REFERRALS.c.victim_id == victim_id)
        .order_by(REFERRALS.c.created_at, REFERRALS.c.id)
        .limit(limit + 1)
    )
    if after is not None:
        stamp, last_id = datetime.fromisoformat(str(after[0])), str(after[1])
        query = query.where(
            sa.tuple_(REFERRALS.c.created_at, REFERRALS.c.id) > sa.tuple_(stamp, last_id)
        )
    rows = [staff_view(r) for r in session.execute(query)]
    record(
        session,
        caller,
        operation=Operation.CONSULTATION,
        resource_type="referral",
        resource_id=victim_id,
        victim_ids=[victim_id],
        case_ids=sorted({r["case_id"] for r in rows}),
    )
    return rows


def referral_sort_key(view: dict[str, Any]) -> list[Any]:
    return [view["created_at"].isoformat(), view["id"]]


# ---------------------------------------------------------------------------
# Cancellation when consent is withdrawn (registered with the victims domain)


def cancel_on_withdrawal(session: Session, caller: Caller, victim_id: str, purpose: str) -> None:
    """Cancel the person's open referrals in the withdrawal's own transaction. A partner
    that has seen a referral gets the cancellation in its next pull (no contact data);
    one it never saw is simply never delivered."""
    if purpose != PURPOSE:
        return
    finished = [s.value for s in FINISHED]
    rows = session.execute(
        sa.select(REFERRALS)
        .where(REFERRALS.c.victim_id == victim_id, REFERRALS.c.status.not_in(finished))
        .with_for_update()
    ).all()
    now = utcnow()
    for row in rows:
        seen = row.delivery_count > 0 or row.acknowledged_at is not None
        _update(
            session,
            row,
            caller,
            now=now,
            status=S.CANCELLED.value,
            cancel_reason=CONSENT_WITHDRAWN,
            open_key=None,
            pending=seen,
            pending_since=now if seen else row.pending_since,
            status_changed_at=now,
        )
        record(
            session,
            caller,
            operation=Operation.ALTERATION,
            resource_type="referral",
            resource_id=row.id,
            case_ids=[row.case_id],
            victim_ids=[row.victim_id],
            fields=["status", "cancel_reason"],
        )


victims.on_consent_withdrawn(cancel_on_withdrawal)


# ---------------------------------------------------------------------------
# Partners: the minimised view, the pull, acknowledgement and outcomes


def _partner_row(
    session: Session, caller: Caller, referral_id: str, *, for_update: bool = False
) -> Any:
    """The referral if it belongs to the caller's organisation; otherwise exactly
    what a missing id gets. ``for_update`` locks the row (PostgreSQL; SQLite's
    writers already queue) so concurrent changes see each other's result."""
    organisation = caller.organisation_id
    query = sa.select(REFERRALS).where(
        REFERRALS.c.id == referral_id, REFERRALS.c.organisation_id == (organisation or "")
    )
    row = session.execute(query.with_for_update() if for_update else query).first()
    if row is None or organisation is None:
        raise ReferralNotFoundError()
    return row


def _partner_victim(session: Session, row: Any) -> dict[str, Any] | None:
    try:
        contact = victims.safe_contact_for_partner(session, row.victim_id)
    except victims.VictimErasedError:
        return None
    copied = set(row.contact_methods or [])
    methods = [m for m in contact["contact_methods"] if m["method"] in copied]
    still_safe = {m["method"] for m in methods}
    return {
        "given_name": contact["given_name"],
        "family_name": contact["family_name"],
        "contact_methods": methods,
        "preferred_method": row.preferred_method if row.preferred_method in still_safe else None,
        "safe_contact_times": row.safe_contact_times,
        "language": contact["language"],
        "interpreter_needed": contact["interpreter_needed"],
        "accessibility_needs": contact["accessibility_needs"],
    }


def partner_view(session: Session, row: Any) -> dict[str, Any]:
    cancelled = row.status == S.CANCELLED
    crime = CRIME_TYPES_BY_CODE.get(row.crime_type)
    entitlements = cases.entitlements_view(session, row.case_id)
    return {
        "id": row.id,
        "service_id": row.service_id,
        "status": row.status,
        "decline_reason": row.decline_reason,
        "cancel_reason": row.cancel_reason,
        "crime_category": crime.category if crime else "OTHER",
        "needs": [] if cancelled else list(row.needs or []),
        "entitlements": []
        if cancelled
        else sorted({e["group"] for e in entitlements["entitlements"]}),
        "enhanced": False if cancelled else entitlements["enhanced"],
        "victim": None if cancelled else _partner_victim(session, row),
        "referred_at": as_utc(row.created_at),
        "status_changed_at": as_utc(row.status_changed_at),
        "acknowledged_at": _opt(row.acknowledged_at),
        "pending": bool(row.pending),
    }


def _disclose(session: Session, caller: Caller, row: Any, view: dict[str, Any]) -> None:
    record(
        session,
        caller,
        operation=Operation.DISCLOSURE,
        resource_type="referral",
        resource_id=row.id,
        case_ids=[row.case_id],
        victim_ids=[row.victim_id],
        fields=DISCLOSED_FIELDS if view["victim"] is not None else ["status"],
        recipient=caller.organisation_id,
    )


def _meet_referral_duty(session: Session, caller: Caller, row: Any, at: datetime) -> None:
    """The referral reached the service: the case's referral duty is met (once)."""
    if row.duty_id is None:
        return
    # Already met (by another referral, or a contact) or waived: nothing to do.
    with contextlib.suppress(ConflictError):
        cases.meet_duty(session, caller, row.duty_id, row.id, at)


def _mark_sent(session: Session, caller: Caller, row: Any, now: datetime) -> Any:
    if row.sent_at is not None or row.status != S.CREATED:
        return row
    row = _update(
        session, row, caller, now=now, status=S.SENT.value, sent_at=now, status_changed_at=now
    )
    _meet_referral_duty(session, caller, row, now)
    return row


def pull(session: Session, caller: Caller, *, limit: int) -> dict[str, Any]:
    """Every referral the caller's organisation has not acknowledged, oldest first, each
    delivery counted and audited as a DISCLOSURE to the organisation."""
    organisation = caller.organisation_id
    if organisation is None:
        return {"items": [], "more": False}
    rows = session.execute(
        sa.select(REFERRALS)
        .where(REFERRALS.c.organisation_id == organisation, REFERRALS.c.pending.is_(True))
        .order_by(REFERRALS.c.pending_since, REFERRALS.c.id)
        .limit(limit + 1)
    ).all()
    more = len(rows) > limit
    now = utcnow()
    items = []
    for row in rows[:limit]:
        first = row.first_delivered_at is None
        row = _update(
            session,
            row,
            caller,
            now=now,
            delivery_count=REFERRALS.c.delivery_count + 1,
            first_delivered_at=row.first_delivered_at or now,
            last_delivered_at=now,
        )
        if first:
            delivery_lag.observe(max(0.0, (now - as_utc(row.created_at)).total_seconds()))
        row = _mark_sent(session, caller, row, now)
        view = partner_view(session, row)
        _disclose(session, caller, row, view)
        items.append(view)
    return {"items": items, "more": more}


def partner_get(session: Session, caller: Caller, referral_id: str) -> dict[str, Any]:
    row = _partner_row(session, caller, referral_id)
    view = partner_view(session, row)
    _disclose(session, caller, row, view)
    return view


def acknowledge(session: Session, caller: Caller, referral_id: str) -> dict[str, Any]:
    """Idempotent: acknowledging again changes nothing and answers the same, also
    when several acknowledgements race (the row is locked while it is read)."""
    row = _partner_row(session, caller, referral_id, for_update=True)
    if not row.pending:
        return state_view(row)
    now = utcnow()
    row = _mark_sent(session, caller, row, now)
    values: dict[str, Any] = {"pending": False, "acknowledged_at": row.acknowledged_at or now}
    if row.status == S.SENT:
        values |= {"status": S.ACKNOWLEDGED.value, "status_changed_at": now}
    return state_view(_alter(session, caller, row, now, values))


def _alter(
    session: Session, caller: Caller, row: Any, now: datetime, values: dict[str, Any]
) -> Any:
    """Apply a partner's change and audit it as an ALTERATION naming the changed fields."""
    row = _update(session, row, caller, now=now, **values)
    record(
        session,
        caller,
        operation=Operation.ALTERATION,
        resource_type="referral",
        resource_id=row.id,
        case_ids=[row.case_id],
        victim_ids=[row.victim_id],
        fields=sorted(values),
    )
    return row


def record_outcome(
    session: Session, caller: Caller, referral_id: str, data: OutcomeCreate
) -> dict[str, Any]:
    row = _partner_row(session, caller, referral_id, for_update=True)
    wanted = ReferralStatus(data.status.value)
    if data.status == OutcomeStatus.DECLINED and data.reason is None:
        raise ReasonError("A DECLINED outcome needs a reason.")
    if data.status != OutcomeStatus.DECLINED and data.reason is not None:
        raise ReasonError("Only a DECLINED outcome takes a reason.")
    reason = data.reason.value if isinstance(data.reason, DeclineReason) else None
    if row.status == wanted and row.decline_reason == reason:
        return state_view(row)  # a retry
    allowed = OUTCOMES.get(ReferralStatus(row.status), frozenset())
    if wanted not in allowed:
        raise IllegalOutcomeError(row.status, wanted.value, [s.value for s in allowed])
    now = utcnow()
    values: dict[str, Any] = {
        "status": wanted.value,
        "decline_reason": reason,
        "status_changed_at": now,
    }
    if wanted in FINISHED:
        values["open_key"] = None
    return state_view(_alter(session, caller, row, now, values))


# ---------------------------------------------------------------------------
# For victim channels and the helpline: where a person's referrals stand

# What each status means, in plain English for the victim.
STATUS_TEXT = {
    "CREATED": "We are sending your details to this service.",
    "SENT": "We have sent your details to this service.",
    "ACKNOWLEDGED": "This service has received your details.",
    "ACCEPTED": "This service has agreed to support you and will contact you.",
    "DECLINED": "This service cannot support you. We can suggest another one.",
    "CONTACT_MADE": "This service has been in touch with you.",
    "CLOSED": "This service has finished supporting you.",
    "CANCELLED": "This referral was stopped.",
}


def referral_statuses(session: Session, caller: Caller, victim_id: str) -> list[dict[str, Any]]:
    """Each of a person's referrals as ``{service_name, status, status_text}``, oldest first.

    No partner data, no reasons: what the victim (or an agent on the phone) may hear.
    """
    query = (
        sa.select(REFERRALS.c.id, REFERRALS.c.service_id, REFERRALS.c.status, REFERRALS.c.case_id)
        .where(REFERRALS.c.victim_id == victim_id)
        .order_by(REFERRALS.c.created_at, REFERRALS.c.id)
    )
    rows = list(session.execute(query))
    if not rows:
        return []
    names = {
        view["id"]: view["name"]
        for view in directory.staff_views(session, sorted({r.service_id for r in rows}))
    }
    record(
        session,
        caller,
        operation=Operation.CONSULTATION,
        resource_type="referral",
        resource_id=victim_id,
        victim_ids=[victim_id],
        case_ids=sorted({r.case_id for r in rows}),
        fields=["service_name", "status"],
    )
    return [
        {
            "referral_id": r.id,
            "service_name": names.get(r.service_id, "A support service"),
            "status": r.status,
            "status_text": STATUS_TEXT.get(r.status, "We are dealing with this referral."),
        }
        for r in rows
    ]


# For the worklist and the compliance report

# The worklist's two referral sources: the status a late referral is stuck in and
# the time its lateness counts from (each has a (status, time, id) index).
WAITING_FOR = {
    "REFERRAL_NOT_SENT": (S.CREATED, REFERRALS.c.created_at),
    "REFERRAL_NOT_ACKNOWLEDGED": (S.SENT, REFERRALS.c.sent_at),
}


def worklist_referrals_query(
    kind: str,
    *,
    allowed: timedelta,
    case_ids: Any,
    due_before: datetime,
    after: KeysetBound | None,
    limit: int,
) -> Any:
    """Referrals still CREATED (not delivered) or SENT (not acknowledged), due
    ``allowed`` after they were made or sent, in (due, id) order. The due time is
    a constant offset of the stored time, so the stored time's index orders it."""
    status, since = WAITING_FOR[kind]
    query = (
        sa.select(
            REFERRALS.c.id,
            REFERRALS.c.case_id,
            REFERRALS.c.victim_id,
            REFERRALS.c.organisation_id,
            since.label("since"),
        )
        .where(REFERRALS.c.status == status.value, since < due_before - allowed)
        .order_by(since, REFERRALS.c.id)
        .limit(limit)
    )
    if case_ids is not None:
        query = query.where(REFERRALS.c.case_id.in_(case_ids))
    if after is not None:
        shifted = KeysetBound(after.value - allowed, after.last_id, after.include_equal)
        query = query.where(keyset_after(since, REFERRALS.c.id, shifted))
    return query


def first_referral_at(session: Session, victim_ids: Sequence[str]) -> dict[str, datetime]:
    """{victim id: when they were first referred (offered support)}, for those referred."""
    if not victim_ids:
        return {}
    query = (
        sa.select(REFERRALS.c.victim_id, sa.func.min(REFERRALS.c.created_at).label("first"))
        .where(REFERRALS.c.victim_id.in_(list(victim_ids)))
        .group_by(REFERRALS.c.victim_id)
    )
    return {r.victim_id: as_utc(r.first) for r in session.execute(query)}
