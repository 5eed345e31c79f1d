"""The rules of the victims domain: plain functions over a session; no HTTP.

Contact details leave this module only through :func:`victim_view` with the
view the caller may have (``safety.ContactView``), so an unsafe method is never
offered to a channel other than staff. Dates of birth and PINs are hashed with
argon2id and the server-side pepper; neither is ever logged.
"""

from __future__ import annotations

import secrets
import uuid
from collections.abc import Callable, Mapping, Sequence
from datetime import date, datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session

from victim_api.cases import service as cases
from victim_api.cases.workdays import LONDON
from victim_api.platform.audit import Operation, record
from victim_api.platform.clock import as_utc, utcnow
from victim_api.platform.db import table_of
from victim_api.platform.errors import ConflictError, NotFoundError, ProblemError
from victim_api.platform.etag import PreconditionFailedError, compare_and_swap, etag
from victim_api.platform.principal import Caller, Channel
from victim_api.platform.secrets import dummy_verify, hash_secret, needs_rehash, verify_secret
from victim_api.victims.models import Victim, VictimConsent, VictimContact
from victim_api.victims.safety import ContactMethod, ContactView, contact_methods, unsafe_reasons
from victim_api.victims.schemas import (
    ConsentCreate,
    ConsentDecision,
    ContactCreate,
    ContactOutcome,
    Direction,
    VictimCreate,
    VictimUpdate,
)
from victim_api.victims.scopes import VICTIMS_CONTACT_DETAILS

VICTIMS = table_of(Victim)
CONSENTS = table_of(VictimConsent)
CONTACTS = table_of(VictimContact)
OPT_OUT_REASON = "victim opted out"
# Fields whose reading is a consultation of contact details.
CONTACT_FIELDS = ["phone", "email", "postal_address", "safe_contact_times"]
# Erasure nulls these (and contact summaries); the case and the audit trail stay.
PERSONAL_FIELDS = [
    "given_name",
    "family_name",
    "date_of_birth",
    "dob_hash",
    "pin_hash",
    "pin_issued_at",
    "phone",
    "email",
    "postal_address",
    "preferred_channel",
    "safe_contact_times",
    "accessibility_needs",
    "safety_flags",
    "language",
    "interpreter_needed",
]


class VictimNotFoundError(NotFoundError):
    def __init__(self) -> None:
        super().__init__("There is no victim with this id.")


class VictimErasedError(ConflictError):
    def __init__(self) -> None:
        super().__init__("victim_erased", "This person's personal data has been erased.")


class UnsafeContactError(ConflictError):
    def __init__(self, method: str, reasons: list[str]) -> None:
        super().__init__(
            "contact_method_unsafe",
            f"{method} is flagged unsafe for this person. Staff may override with a reason.",
            extra={"method": method, "reasons": reasons},
        )


class OverrideNotAllowedError(ProblemError):
    def __init__(self) -> None:
        super().__init__(
            403, "override_not_allowed", "Only staff may override a contact safety flag."
        )


# ---------------------------------------------------------------------------
# Helpers


def _new_id() -> str:
    return str(uuid.uuid4())


def _actor(caller: Caller) -> str:
    return (caller.principal.acting_user or caller.principal.client_id)[:128]


def view_for(caller: Caller) -> ContactView:
    """Staff see every method flagged; other holders of the scope see safe ones only."""
    if VICTIMS_CONTACT_DETAILS not in caller.principal.scopes:
        return ContactView.NONE
    return ContactView.FULL if caller.channel == Channel.STAFF else ContactView.SAFE_ONLY


def dob_secret(born: date) -> str:
    """The normalised form a date of birth is hashed in."""
    return born.isoformat()


def under_18_on(born: date | None, on: date) -> bool | None:
    if born is None:
        return None
    age = on.year - born.year - ((on.month, on.day) < (born.month, born.day))
    return age < 18


def _row(session: Session, victim_id: str) -> Any:
    row = session.execute(sa.select(VICTIMS).where(VICTIMS.c.id == victim_id)).first()
    if row is None:
        raise VictimNotFoundError()
    return row


def _live_row(session: Session, victim_id: str) -> Any:
    row = _row(session, victim_id)
    if row.erased_at is not None:
        raise VictimErasedError()
    return row


def victim_view(row: Any, offence_date: date, view: ContactView) -> dict[str, Any]:
    shown = view != ContactView.NONE
    return {
        "id": row.id,
        "case_id": row.case_id,
        "role": row.role,
        "given_name": row.given_name,
        "family_name": row.family_name,
        "date_of_birth": row.date_of_birth if view == ContactView.FULL else None,
        "under_18_at_offence": under_18_on(row.date_of_birth, offence_date),
        "contact_view": view.value,
        "contact_methods": contact_methods(row, view),
        "preferred_channel": row.preferred_channel,
        "update_frequency": row.update_frequency,
        "language": row.language,
        "interpreter_needed": bool(row.interpreter_needed),
        "accessibility_needs": list(row.accessibility_needs or []),
        "safe_contact_times": row.safe_contact_times if shown else None,
        "safety_flags": list(row.safety_flags or []),
        "opted_out": bool(row.opted_out),
        "opted_out_on": row.opted_out_on,
        "pin_issued": row.pin_hash is not None,
        "erased": row.erased_at is not None,
        "version": row.version,
        "created_at": as_utc(row.created_at),
        "updated_at": as_utc(row.updated_at),
    }


def _audit_read(
    session: Session, caller: Caller, row: Any, view: ContactView, resource: str = "victim"
) -> None:
    fields = [*CONTACT_FIELDS, "date_of_birth"] if view == ContactView.FULL else CONTACT_FIELDS
    record(
        session,
        caller,
        operation=Operation.CONSULTATION,
        resource_type=resource,
        resource_id=row.id,
        case_ids=[row.case_id],
        victim_ids=[row.id],
        fields=fields if view != ContactView.NONE else [],
    )


def _normalised(data: Mapping[str, Any]) -> dict[str, Any]:
    values = dict(data)
    for name in ("accessibility_needs", "safety_flags"):
        if name in values and values[name] is not None:
            values[name] = sorted(set(values[name]))
    return values


def _stored_values(data: Mapping[str, Any], pepper: str) -> dict[str, Any]:
    values = _normalised(data)
    if "date_of_birth" in values:
        born = values["date_of_birth"]
        values["dob_hash"] = hash_secret(dob_secret(born), pepper) if born else None
    return values


def _offence_date(session: Session, case_id: str) -> date:
    offence: date = cases.require_case(session, case_id).offence_date
    return offence


def _recompute(
    session: Session, caller: Caller, case_id: str, policy: cases.DeadlinePolicy | None
) -> None:
    births = session.execute(
        sa.select(VICTIMS.c.date_of_birth).where(
            VICTIMS.c.case_id == case_id, VICTIMS.c.date_of_birth.is_not(None)
        )
    ).scalars()
    cases.recompute_entitlements(session, caller, case_id, list(births), policy=policy)


def _waive_if_all_opted_out(session: Session, caller: Caller, case_id: str) -> None:
    """Duties are owed per case: waive them once every person on it has opted out."""
    remaining = session.execute(
        sa.select(sa.func.count())
        .select_from(VICTIMS)
        .where(
            VICTIMS.c.case_id == case_id,
            VICTIMS.c.opted_out.is_(False),
            VICTIMS.c.erased_at.is_(None),
        )
    ).scalar_one()
    if remaining:
        return
    for duty in cases.open_duties(session, case_id):
        cases.waive_duty(session, caller, duty["id"], OPT_OUT_REASON)


def _today() -> date:
    return utcnow().astimezone(LONDON).date()


# ---------------------------------------------------------------------------
# Victims


def create_victim(
    session: Session,
    caller: Caller,
    case_id: str,
    data: VictimCreate,
    *,
    pepper: str,
    policy: cases.DeadlinePolicy | None = None,
    victim_id: str | None = None,
) -> dict[str, Any]:
    """Add a person to a case (``victim_id`` is chosen by the caller only for demo data)."""
    offence = _offence_date(session, case_id)
    now = utcnow()
    victim_id = victim_id or _new_id()
    values = _stored_values(data.model_dump(mode="python"), pepper)
    values["postal_address"] = (
        data.postal_address.model_dump(mode="json") if data.postal_address else None
    )
    values.update(
        id=victim_id,
        case_id=case_id,
        opted_out_on=_today() if data.opted_out else None,
        pin_hash=None,
        version=1,
        created_at=now,
        updated_at=now,
        created_by=_actor(caller),
        updated_by=_actor(caller),
    )
    values.setdefault("dob_hash", None)
    session.execute(sa.insert(VICTIMS).values(**values))
    record(
        session,
        caller,
        operation=Operation.COLLECTION,
        resource_type="victim",
        resource_id=victim_id,
        case_ids=[case_id],
        victim_ids=[victim_id],
        fields=sorted(data.model_fields_set),
    )
    if data.date_of_birth is not None:
        _recompute(session, caller, case_id, policy)
    if data.opted_out:
        _waive_if_all_opted_out(session, caller, case_id)
    return victim_view(_row(session, victim_id), offence, view_for(caller))


def get_victim(session: Session, caller: Caller, victim_id: str) -> dict[str, Any]:
    row = _row(session, victim_id)
    view = view_for(caller)
    _audit_read(session, caller, row, view)
    return victim_view(row, _offence_date(session, row.case_id), view)


def list_victims(
    session: Session, caller: Caller, case_id: str, *, limit: int, after: Sequence[Any] | None
) -> list[dict[str, Any]]:
    """Up to ``limit + 1`` people on a case, in the order they were added."""
    offence = _offence_date(session, case_id)
    query = (
        sa.select(VICTIMS)
        .where(VICTIMS.c.case_id == case_id)
        .order_by(VICTIMS.c.created_at, VICTIMS.c.id)
        .limit(limit + 1)
    )
    if after is not None:
        stamp, last_id = after
        stamp = datetime.fromisoformat(str(stamp))
        query = query.where(
            sa.or_(
                VICTIMS.c.created_at > stamp,
                sa.and_(VICTIMS.c.created_at == stamp, VICTIMS.c.id > str(last_id)),
            )
        )
    view = view_for(caller)
    rows = list(session.execute(query))
    record(
        session,
        caller,
        operation=Operation.CONSULTATION,
        resource_type="victim",
        case_ids=[case_id],
        victim_ids=[r.id for r in rows[:limit]],
        fields=CONTACT_FIELDS if view != ContactView.NONE else [],
    )
    return [victim_view(r, offence, view) for r in rows]


def victim_sort_key(view: Mapping[str, Any]) -> list[Any]:
    return [view["created_at"].isoformat(), view["id"]]


def require_victim(session: Session, victim_id: str) -> Any:
    return _row(session, victim_id)


def update_victim(
    session: Session,
    caller: Caller,
    victim_id: str,
    data: VictimUpdate,
    *,
    expected_version: int,
    pepper: str,
    policy: cases.DeadlinePolicy | None = None,
) -> dict[str, Any]:
    row = _live_row(session, victim_id)
    if row.version != expected_version:
        raise PreconditionFailedError(etag(row.version))
    changes = {name: getattr(data, name) for name in data.model_fields_set}
    if "postal_address" in changes and data.postal_address is not None:
        changes["postal_address"] = data.postal_address.model_dump(mode="json")
    changed = sorted(
        name for name, value in _normalised(changes).items() if getattr(row, name) != value
    )
    if changed:
        values = _stored_values({k: changes[k] for k in changed}, pepper)
        if "opted_out" in values:
            values["opted_out_on"] = _today() if values["opted_out"] else None
        values.update(updated_at=utcnow(), updated_by=_actor(caller))
        compare_and_swap(session, VICTIMS, {"id": victim_id}, expected_version, values)
        record(
            session,
            caller,
            operation=Operation.ALTERATION,
            resource_type="victim",
            resource_id=victim_id,
            case_ids=[row.case_id],
            victim_ids=[victim_id],
            fields=changed,
        )
        if "date_of_birth" in changed:
            _recompute(session, caller, row.case_id, policy)
        if changes.get("opted_out") is True and "opted_out" in changed:
            _waive_if_all_opted_out(session, caller, row.case_id)
    return victim_view(
        _row(session, victim_id), _offence_date(session, row.case_id), view_for(caller)
    )


# ---------------------------------------------------------------------------
# Consent (append-only)

# Called in the transaction that records a withdrawal: (session, caller, victim_id,
# purpose). The referrals domain registers one to cancel open referrals at once.
ConsentWithdrawnListener = Callable[[Session, Caller, str, str], None]
_CONSENT_WITHDRAWN: list[ConsentWithdrawnListener] = []


def on_consent_withdrawn(listener: ConsentWithdrawnListener) -> ConsentWithdrawnListener:
    """Register ``listener`` (once) to run whenever a consent is withdrawn."""
    if listener not in _CONSENT_WITHDRAWN:
        _CONSENT_WITHDRAWN.append(listener)
    return listener


def _consent_view(row: Any) -> dict[str, Any]:
    return {
        "id": row.id,
        "victim_id": row.victim_id,
        "purpose": row.purpose,
        "decision": row.decision,
        "legal_basis": row.legal_basis,
        "recorded_at": as_utc(row.recorded_at),
        "recorded_by": row.recorded_by,
    }


def _consent_rows(session: Session, victim_id: str) -> list[Any]:
    query = (
        sa.select(CONSENTS)
        .where(CONSENTS.c.victim_id == victim_id)
        .order_by(CONSENTS.c.recorded_at, CONSENTS.c.id)
    )
    return list(session.execute(query))


def record_consent(
    session: Session, caller: Caller, victim_id: str, data: ConsentCreate
) -> dict[str, Any]:
    row = _live_row(session, victim_id)
    consent_id = _new_id()
    session.execute(
        sa.insert(CONSENTS).values(
            id=consent_id,
            victim_id=victim_id,
            case_id=row.case_id,
            purpose=data.purpose.value,
            decision=data.decision.value,
            legal_basis=data.legal_basis.value,
            recorded_at=utcnow(),
            recorded_by=_actor(caller),
        )
    )
    record(
        session,
        caller,
        operation=Operation.COLLECTION,
        resource_type="victim_consent",
        resource_id=consent_id,
        case_ids=[row.case_id],
        victim_ids=[victim_id],
        fields=["purpose", "decision", "legal_basis"],
    )
    if data.decision == ConsentDecision.WITHDRAWN:
        for listener in _CONSENT_WITHDRAWN:
            listener(session, caller, victim_id, data.purpose.value)
    return _consent_view(
        session.execute(sa.select(CONSENTS).where(CONSENTS.c.id == consent_id)).one()
    )


def current_consents(session: Session, victim_id: str) -> dict[str, str]:
    """The decision in force per purpose (the latest recorded). For the referrals
    domain: a withdrawal recorded in a transaction is in force when it commits."""
    current: dict[str, str] = {}
    for row in _consent_rows(session, victim_id):
        current[row.purpose] = row.decision
    return current


def has_consent(session: Session, victim_id: str, purpose: str) -> bool:
    return current_consents(session, victim_id).get(purpose) == ConsentDecision.GIVEN.value


def current_consent(session: Session, victim_id: str, purpose: str) -> dict[str, Any] | None:
    """The decision in force for ``purpose`` (id, decision, legal basis...), or None."""
    rows = [r for r in _consent_rows(session, victim_id) if r.purpose == purpose]
    return _consent_view(rows[-1]) if rows else None


def list_consents(session: Session, caller: Caller, victim_id: str) -> dict[str, Any]:
    row = _row(session, victim_id)
    rows = _consent_rows(session, victim_id)
    record(
        session,
        caller,
        operation=Operation.CONSULTATION,
        resource_type="victim_consent",
        resource_id=victim_id,
        case_ids=[row.case_id],
        victim_ids=[victim_id],
    )
    current = {r.purpose: r.decision for r in rows}
    return {"items": [_consent_view(r) for r in rows], "current": current}


# ---------------------------------------------------------------------------
# Verification secrets


def new_pin(length: int = 6) -> str:
    if length < 6:
        raise ValueError("a PIN has at least 6 digits")
    return "".join(str(secrets.randbelow(10)) for _ in range(length))


def issue_pin(
    session: Session,
    caller: Caller,
    victim_id: str,
    *,
    pepper: str,
    length: int = 6,
    pin: str | None = None,
) -> dict[str, Any]:
    """A new random PIN, returned this once; only its hash is kept. (``pin`` is
    given only by the demo seeder, so the README can print synthetic PINs.)"""
    row = _live_row(session, victim_id)
    pin = pin or new_pin(length)
    now = utcnow()
    session.execute(
        sa.update(VICTIMS)
        .where(VICTIMS.c.id == victim_id)
        .values(pin_hash=hash_secret(pin, pepper), pin_issued_at=now, updated_at=now)
    )
    record(
        session,
        caller,
        operation=Operation.ALTERATION,
        resource_type="victim",
        resource_id=victim_id,
        case_ids=[row.case_id],
        victim_ids=[victim_id],
        fields=["pin_hash"],
    )
    return {"pin": pin, "issued_at": now}


def verify_factors(
    session: Session,
    victim_id: str,
    *,
    pepper: str,
    dob: date | None = None,
    pin: str | None = None,
) -> bool:
    """True when every factor given matches (at least one must be given).

    A missing victim or hash costs the same as a real check. On success, a hash
    made with older argon2 parameters is re-computed with the current ones.
    """
    row = session.execute(sa.select(VICTIMS).where(VICTIMS.c.id == victim_id)).first()
    factors = [
        ("dob_hash", dob_secret(dob) if dob else None),
        ("pin_hash", pin),
    ]
    given = [(column, secret) for column, secret in factors if secret is not None]
    if not given:
        dummy_verify()
        return False
    ok = True
    for column, secret in given:
        stored = getattr(row, column) if row is not None and row.erased_at is None else None
        ok = verify_secret(stored, secret, pepper) and ok
    if ok and row is not None:
        rehashed = {
            column: hash_secret(secret, pepper)
            for column, secret in given
            if needs_rehash(getattr(row, column))
        }
        if rehashed:
            session.execute(sa.update(VICTIMS).where(VICTIMS.c.id == victim_id).values(**rehashed))
    return ok


def victim_ids_for_crime_reference(session: Session, crime_reference: str) -> list[str]:
    """The people on the case with this crime reference (for the helpline), or []."""
    case_id = cases.find_case_id(session, crime_reference)
    if case_id is None:
        return []
    query = (
        sa.select(VICTIMS.c.id)
        .where(VICTIMS.c.case_id == case_id, VICTIMS.c.erased_at.is_(None))
        .order_by(VICTIMS.c.created_at, VICTIMS.c.id)
    )
    return list(session.execute(query).scalars())


# ---------------------------------------------------------------------------
# Contact log


def _contact_view(row: Any) -> dict[str, Any]:
    return {
        "id": row.id,
        "victim_id": row.victim_id,
        "case_id": row.case_id,
        "method": row.method,
        "direction": row.direction,
        "outcome": row.outcome,
        "summary": row.summary,
        "contacted_at": as_utc(row.contacted_at),
        "recorded_at": as_utc(row.recorded_at),
        "made_by": row.made_by,
        "duty_ids": list(row.duty_ids or []),
        "override_reason": row.override_reason,
    }


_REACHED = {o for o in ContactOutcome if o != ContactOutcome.NO_ANSWER}


def _methods_used(data: ContactCreate) -> list[ContactMethod]:
    used = [data.method]
    if data.method == ContactMethod.PHONE_CALL and data.outcome == ContactOutcome.VOICEMAIL_LEFT:
        used.append(ContactMethod.VOICEMAIL)
    return used


def record_contact(
    session: Session, caller: Caller, victim_id: str, data: ContactCreate
) -> dict[str, Any]:
    """Log a contact; refuse an outbound one by an unsafe method without a staff override."""
    row = _live_row(session, victim_id)
    reasons = sorted(
        {r for m in _methods_used(data) for r in unsafe_reasons(m, row.safety_flags or [])}
    )
    override = data.safety_override.reason if data.safety_override else None
    if override is not None and caller.channel != Channel.STAFF:
        raise OverrideNotAllowedError()
    if reasons and data.direction == Direction.OUTBOUND and override is None:
        raise UnsafeContactError(data.method.value, reasons)
    duty_ids = sorted({d.lower() for d in data.duty_ids})
    if duty_ids:
        if data.outcome not in _REACHED:
            raise ConflictError(
                "contact_not_made", "A contact that did not reach the person meets no duty."
            )
        open_ids = {d["id"] for d in cases.open_duties(session, row.case_id)}
        if not set(duty_ids) <= open_ids:
            raise ConflictError(
                "duty_not_open", "A duty named is not an open duty of this person's case."
            )
    now = utcnow()
    contact_id = _new_id()
    contacted_at = data.contacted_at or now
    session.execute(
        sa.insert(CONTACTS).values(
            id=contact_id,
            victim_id=victim_id,
            case_id=row.case_id,
            method=data.method.value,
            direction=data.direction.value,
            outcome=data.outcome.value,
            summary=data.summary,
            contacted_at=contacted_at,
            recorded_at=now,
            made_by=_actor(caller),
            duty_ids=duty_ids,
            override_reason=override if reasons else None,
        )
    )
    record(
        session,
        caller,
        operation=Operation.COLLECTION,
        resource_type="victim_contact",
        resource_id=contact_id,
        case_ids=[row.case_id],
        victim_ids=[victim_id],
        fields=sorted(data.model_fields_set),
    )
    if reasons and override is not None:
        record(
            session,
            caller,
            operation=Operation.ALTERATION,
            resource_type="contact_safety_override",
            resource_id=contact_id,
            case_ids=[row.case_id],
            victim_ids=[victim_id],
            fields=["override_reason", *reasons],
        )
    for duty_id in duty_ids:
        cases.meet_duty(session, caller, duty_id, contact_id, contacted_at)
    return _contact_view(
        session.execute(sa.select(CONTACTS).where(CONTACTS.c.id == contact_id)).one()
    )


def list_contacts(
    session: Session, caller: Caller, victim_id: str, *, limit: int, after: Sequence[Any] | None
) -> list[dict[str, Any]]:
    """Up to ``limit + 1`` contacts, most recent first."""
    row = _row(session, victim_id)
    query = (
        sa.select(CONTACTS)
        .where(CONTACTS.c.victim_id == victim_id)
        .order_by(CONTACTS.c.contacted_at.desc(), CONTACTS.c.id.desc())
        .limit(limit + 1)
    )
    if after is not None:
        stamp, last_id = datetime.fromisoformat(str(after[0])), str(after[1])
        query = query.where(
            sa.or_(
                CONTACTS.c.contacted_at < stamp,
                sa.and_(CONTACTS.c.contacted_at == stamp, CONTACTS.c.id < last_id),
            )
        )
    contacts = [_contact_view(r) for r in session.execute(query)]
    record(
        session,
        caller,
        operation=Operation.CONSULTATION,
        resource_type="victim_contact",
        resource_id=victim_id,
        case_ids=[row.case_id],
        victim_ids=[victim_id],
    )
    return contacts


def contact_sort_key(view: Mapping[str, Any]) -> list[Any]:
    return [view["contacted_at"].isoformat(), view["id"]]


# ---------------------------------------------------------------------------
# Subject rights


def export_victim(session: Session, caller: Caller, victim_id: str) -> dict[str, Any]:
    """Everything held about the person (staff, full view), as a disclosure to them."""
    row = _row(session, victim_id)
    contacts = session.execute(
        sa.select(CONTACTS)
        .where(CONTACTS.c.victim_id == victim_id)
        .order_by(CONTACTS.c.contacted_at, CONTACTS.c.id)
    )
    record(
        session,
        caller,
        operation=Operation.DISCLOSURE,
        resource_type="victim_export",
        resource_id=victim_id,
        case_ids=[row.case_id],
        victim_ids=[victim_id],
        fields=[*CONTACT_FIELDS, "date_of_birth", "consents", "contacts"],
        recipient="data subject",
    )
    return {
        "victim": victim_view(row, _offence_date(session, row.case_id), ContactView.FULL),
        "consents": [_consent_view(r) for r in _consent_rows(session, victim_id)],
        "contacts": [_contact_view(r) for r in contacts],
        "verification": {
            "date_of_birth_set": row.dob_hash is not None,
            "pin_set": row.pin_hash is not None,
        },
        "exported_at": utcnow(),
    }


def erase_victim(session: Session, caller: Caller, victim_id: str) -> dict[str, Any]:
    """Null the personal fields and contact summaries; keep the case, the rows that
    prove the Code was honoured (contacts, consents, duties) and the audit trail.
    Erasing again changes nothing."""
    row = _row(session, victim_id)
    if row.erased_at is None:
        now = utcnow()
        session.execute(
            sa.update(VICTIMS)
            .where(VICTIMS.c.id == victim_id)
            .values(
                dict.fromkeys(PERSONAL_FIELDS)
                | {
                    "accessibility_needs": [],
                    "safety_flags": [],
                    "language": "und",
                    "interpreter_needed": False,
                    "erased_at": now,
                    "updated_at": now,
                    "updated_by": _actor(caller),
                    "version": row.version + 1,
                }
            )
        )
        session.execute(
            sa.update(CONTACTS).where(CONTACTS.c.victim_id == victim_id).values(summary=None)
        )
        record(
            session,
            caller,
            operation=Operation.ERASURE,
            resource_type="victim",
            resource_id=victim_id,
            case_ids=[row.case_id],
            victim_ids=[victim_id],
            fields=[*PERSONAL_FIELDS, "victim_contact.summary"],
        )
    return victim_view(
        _row(session, victim_id), _offence_date(session, row.case_id), view_for(caller)
    )


# ---------------------------------------------------------------------------
# For the referrals domain


def safe_contact_for_partner(session: Session, victim_id: str) -> dict[str, Any]:
    """The minimum a support service needs to make contact safely: the name, safe
    methods (and the preferred channel) and safe times, language and interpreter,
    accessibility needs. The caller audits
    the disclosure (with the partner as recipient)."""
    row = _live_row(session, victim_id)
    return {
        "victim_id": row.id,
        "case_id": row.case_id,
        "given_name": row.given_name,
        "family_name": row.family_name,
        "preferred_channel": row.preferred_channel,
        "contact_methods": contact_methods(row, ContactView.SAFE_ONLY),
        "safe_contact_times": row.safe_contact_times,
        "language": row.language,
        "interpreter_needed": bool(row.interpreter_needed),
        "accessibility_needs": list(row.accessibility_needs or []),
    }


def victim_exists(session: Session, victim_id: str) -> bool:
    found = session.execute(sa.select(VICTIMS.c.id).where(VICTIMS.c.id == victim_id)).first()
    return found is not None


# ---------------------------------------------------------------------------
# For the helpline: verification and the victim's own preferences

# What a verified victim sees and may change about how they are contacted.
PREFERENCE_FIELDS = [
    "language",
    "preferred_channel",
    "update_frequency",
    "safe_contact_times",
    "opted_out",
]


def verification_candidate(session: Session, case_id: str, born: date) -> str | None:
    """The person on the case whose date of birth is ``born`` (the first added), or None.

    The caller then verifies the factors against this one person's hashes, so a
    verification costs the same whether the case has one person or five.
    """
    query = (
        sa.select(VICTIMS.c.id)
        .where(
            VICTIMS.c.case_id == case_id,
            VICTIMS.c.date_of_birth == born,
            VICTIMS.c.erased_at.is_(None),
        )
        .order_by(VICTIMS.c.created_at, VICTIMS.c.id)
        .limit(1)
    )
    found = session.execute(query).scalar()
    return str(found) if found is not None else None


def require_live_victim(session: Session, victim_id: str) -> Any:
    """The person's row; 404 when missing *or erased* (a victim channel must not
    learn that a record was erased)."""
    row = session.execute(sa.select(VICTIMS).where(VICTIMS.c.id == victim_id)).first()
    if row is None or row.erased_at is not None:
        raise VictimNotFoundError()
    return row


def own_preferences(session: Session, caller: Caller, victim_id: str) -> dict[str, Any]:
    """A verified victim's own contact preferences, with the version for If-Match."""
    row = require_live_victim(session, victim_id)
    record(
        session,
        caller,
        operation=Operation.CONSULTATION,
        resource_type="victim",
        resource_id=victim_id,
        case_ids=[row.case_id],
        victim_ids=[victim_id],
        fields=PREFERENCE_FIELDS,
    )
    return {name: getattr(row, name) for name in PREFERENCE_FIELDS} | {"version": row.version}
