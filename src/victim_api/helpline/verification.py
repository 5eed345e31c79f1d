"""Caller verification for the helpline and the web: plain functions, no HTTP.

One attempt is one write transaction that always does the same work, whatever
the outcome: find the case and the person whose date of birth was given, lock
the failure counters involved, verify every factor given with argon2 (a dummy
verification when there is no one to verify against), then either start a
session or count the failure, and audit the attempt (never the factors).

Every refusal (unknown reference, wrong factor, PIN missing where required,
delayed, locked, sideways limit) is :class:`VerificationFailedError`: one status,
one body, one set of headers. Only the client-wide failure limit is a different
answer (429): it says nothing about any victim.

Counters are rows in the database, locked for the attempt (``SELECT ... FOR
UPDATE`` on PostgreSQL; SQLite's write lock serialises writers anyway) and
changed with ``UPDATE ... SET failures = failures + 1``, so concurrent failures
from any number of processes are counted exactly.
"""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from victim_api.cases import service as cases
from victim_api.helpline.models import VerificationCounter, VictimSession
from victim_api.platform import metrics
from victim_api.platform.audit import Operation, Outcome, record
from victim_api.platform.clock import as_utc, utcnow
from victim_api.platform.db import Database, table_of
from victim_api.platform.errors import ProblemError
from victim_api.platform.principal import Caller
from victim_api.platform.ratelimit import RateLimitedError, bucket_key, count_in, current_hits
from victim_api.platform.tokens import SignedToken
from victim_api.settings import Settings
from victim_api.victims import service as victims

COUNTERS = table_of(VerificationCounter)
SESSIONS = table_of(VictimSession)
FAILED_DETAIL = (
    "We could not check your details. Check the crime reference, date of birth and PIN, "
    "and try again, or speak to the helpline team."
)

LOCKOUTS = metrics.counter(
    "verification_lockouts",
    "Victim accounts locked after too many consecutive failed verifications.",
    ["channel"],
)
ATTEMPTS = metrics.counter(
    "verification_attempts",
    "Verification attempts, by channel and outcome.",
    ["channel", "outcome"],
)


class VerificationFailedError(ProblemError):
    """The one answer to every refused verification."""

    def __init__(self) -> None:
        super().__init__(401, "verification_failed", FAILED_DETAIL)


@dataclass(frozen=True)
class VerificationRules:
    pepper: str
    delay_from_failure: int
    lockout_failures: int
    lockout: timedelta
    delay_base_seconds: float
    delay_max_seconds: int
    client_failures_per_window: int
    client_window_seconds: int
    sideways_failures: int
    sideways_window_seconds: int
    pin_crime_types: frozenset[str]
    pin_when_enhanced: bool

    @classmethod
    def from_settings(cls, settings: Settings) -> VerificationRules:
        return cls(
            pepper=settings.secret_pepper,
            delay_from_failure=settings.verification_delay_from_failure,
            lockout_failures=settings.verification_lockout_failures,
            lockout=timedelta(seconds=settings.verification_lockout_seconds),
            delay_base_seconds=settings.verification_delay_base_seconds,
            delay_max_seconds=settings.verification_delay_max_seconds,
            client_failures_per_window=settings.verification_client_failures_per_window,
            client_window_seconds=settings.verification_client_window_seconds,
            sideways_failures=settings.verification_sideways_failures,
            sideways_window_seconds=settings.verification_sideways_window_seconds,
            pin_crime_types=frozenset(settings.verification_pin_crime_types),
            pin_when_enhanced=settings.verification_pin_when_enhanced,
        )

    def delay_after(self, failures: int) -> timedelta | None:
        """How long attempts are refused after the ``failures``-th consecutive failure."""
        if failures < self.delay_from_failure:
            return None
        seconds = self.delay_base_seconds * 2 ** min(failures - self.delay_from_failure, 20)
        return timedelta(seconds=min(seconds, self.delay_max_seconds))


@dataclass(frozen=True)
class Attempt:
    crime_reference: str
    date_of_birth: date
    pin: str | None
    # Where the attempt came from (the network address the router saw). One client
    # serves many callers (every visitor of the web page is the same WEB client), so
    # the client-wide limits count per client *and* source: one abuser's failures
    # must not lock every other victim out. Never stored: only in bucket hashes.
    source: str = "-"


@dataclass(frozen=True)
class Started:
    victim_id: str
    case_id: str
    token: SignedToken


# Signs a session for (victim_id, case_id): the router passes one bound to the request.
Signer = Callable[[str, str], SignedToken]


def _keyed(pepper: str, *parts: str) -> str:
    # Peppered, so a counter key cannot be turned back into a reference or a birth date.
    message = "\x1f".join(parts).encode()
    return hmac.new(pepper.encode(), message, hashlib.sha256).hexdigest()[:40]


def _victim_subject(victim_id: str) -> str:
    return f"victim:{victim_id}"


def _insert(session: Session) -> Any:
    return sqlite.insert if session.get_bind().dialect.name == "sqlite" else postgresql.insert


def _lock_counters(session: Session, subjects: Sequence[str], now: datetime) -> dict[str, Any]:
    """Make sure each subject has a counter row, then lock them all for this attempt."""
    ordered = sorted(set(subjects))
    session.execute(
        _insert(session)(COUNTERS)
        .values(
            [
                {"subject": s, "failures": 0, "pin_required": False, "updated_at": now}
                for s in ordered
            ]
        )
        .on_conflict_do_nothing(index_elements=["subject"])
    )
    rows = session.execute(
        sa.select(COUNTERS)
        .where(COUNTERS.c.subject.in_(ordered))
        .order_by(COUNTERS.c.subject)
        .with_for_update()
    )
    return {row.subject: row for row in rows}


def _refused_now(row: Any, now: datetime) -> bool:
    """Locked, or inside the delay after a failure."""
    return any(
        moment is not None and as_utc(moment) > now
        for moment in (row.locked_until, row.next_attempt_at)
    )


def _pin_required(case: Any, rules: VerificationRules) -> bool:
    return case.crime_type in rules.pin_crime_types or (
        rules.pin_when_enhanced and bool(case.enhanced)
    )


@dataclass
class _Plan:
    """What one attempt found before deciding."""

    case_id: str | None
    candidate: str | None
    subjects: list[str]
    pin_required: bool


def _plan(session: Session, attempt: Attempt, rules: VerificationRules) -> _Plan:
    # The same lookups run whether or not the reference is known (with an id that
    # matches nothing when it is not), so a miss costs the same round trips as a hit.
    case_id = cases.find_case_id(session, attempt.crime_reference)
    case = cases.require_case(session, case_id) if case_id else cases.case_exists(session, "")
    candidate = victims.verification_candidate(session, case_id or "", attempt.date_of_birth)
    people = victims.victim_ids_for_crime_reference(session, attempt.crime_reference)
    if case_id is None:
        ref = f"ref:{_keyed(rules.pepper, 'reference', attempt.crime_reference)}"
        return _Plan(None, None, [ref], False)
    if candidate is not None:
        subjects = [_victim_subject(candidate)]
    else:
        # No one on the case has this birth date: every person on it is being guessed at.
        subjects = [_victim_subject(v) for v in people] or [f"case:{case_id}"]
    return _Plan(case_id, candidate, subjects, _pin_required(case, rules))


def _sideways_buckets(
    caller: Caller, attempt: Attempt, rules: VerificationRules
) -> list[tuple[str, str]]:
    """Per factor given: (this factor with this reference, this factor with any reference).

    The second counts each *distinct* reference a factor failed against, so a victim
    retrying their own reference is never mistaken for someone trying one date of
    birth or PIN across many references.
    """
    factors = [("dob", attempt.date_of_birth.isoformat())]
    if attempt.pin is not None:
        factors.append(("pin", attempt.pin))
    client = _client_source(caller, attempt, rules)
    reference = _keyed(rules.pepper, "reference", attempt.crime_reference)
    return [
        (
            bucket_key("verify-seen", client, _keyed(rules.pepper, k, v, reference)),
            bucket_key("verify-sideways", client, _keyed(rules.pepper, k, v)),
        )
        for k, v in factors
    ]


def _client_source(caller: Caller, attempt: Attempt, rules: VerificationRules) -> str:
    """The client and the attempt's source, as one key (the address itself is hashed)."""
    return f"{caller.principal.client_id}:{_keyed(rules.pepper, 'source', attempt.source)}"


def _client_bucket(caller: Caller, attempt: Attempt, rules: VerificationRules) -> str:
    return bucket_key("verify-client", _client_source(caller, attempt, rules))


def verify_and_start(
    database: Database,
    caller: Caller,
    attempt: Attempt,
    rules: VerificationRules,
    sign: Signer,
) -> Started:
    """Verify the caller; on success start a session (``sign``), else raise 401 (or 429)."""
    with database.transaction() as session:
        result = _attempt(session, caller, attempt, rules, sign, utcnow())
    if isinstance(result, Started):
        ATTEMPTS.labels(caller.channel.value, "SUCCESS").inc()
        return result
    ATTEMPTS.labels(caller.channel.value, result).inc()
    if result == "LOCKED_NOW":
        LOCKOUTS.labels(caller.channel.value).inc()
    if result == "CLIENT_LIMIT":
        raise RateLimitedError(rules.client_window_seconds)
    raise VerificationFailedError()


def _attempt(
    session: Session,
    caller: Caller,
    attempt: Attempt,
    rules: VerificationRules,
    sign: Signer,
    now: datetime,
) -> Started | str:
    client_bucket = _client_bucket(caller, attempt, rules)
    if (
        current_hits(session, client_bucket, window_seconds=rules.client_window_seconds)
        >= rules.client_failures_per_window
    ):
        _audit(session, caller, None, None, Outcome.DENIED)
        return "CLIENT_LIMIT"
    plan = _plan(session, attempt, rules)
    counters = _lock_counters(session, plan.subjects, now)
    # Always verify every factor given, against the candidate or a dummy hash.
    factors_match = victims.verify_factors(
        session,
        plan.candidate or "",
        pepper=rules.pepper,
        dob=attempt.date_of_birth,
        pin=attempt.pin,
    )
    sideways = _sideways_buckets(caller, attempt, rules)
    sideways_blocked = any(
        current_hits(session, spread, window_seconds=rules.sideways_window_seconds)
        >= rules.sideways_failures
        for _, spread in sideways
    )
    refused = any(_refused_now(row, now) for row in counters.values())
    pin_required = plan.pin_required or any(bool(r.pin_required) for r in counters.values())
    ok = (
        factors_match
        and plan.candidate is not None
        and (attempt.pin is not None or not pin_required)
        and not refused
        and not sideways_blocked
    )
    if ok and plan.candidate is not None and plan.case_id is not None:
        return _succeed(session, caller, plan.candidate, plan.case_id, sign, now)
    return _fail(session, caller, plan, rules, client_bucket, sideways, now)


def _succeed(
    session: Session, caller: Caller, victim_id: str, case_id: str, sign: Signer, now: datetime
) -> Started:
    session.execute(
        sa.update(COUNTERS)
        .where(COUNTERS.c.subject == _victim_subject(victim_id))
        .values(failures=0, next_attempt_at=None, locked_until=None, updated_at=now)
    )
    token = sign(victim_id, case_id)
    _store_session(session, caller, victim_id, case_id, token)
    _audit(session, caller, case_id, victim_id, Outcome.SUCCESS)
    return Started(victim_id, case_id, token)


def _store_session(
    session: Session, caller: Caller, victim_id: str, case_id: str, token: SignedToken
) -> None:
    session.execute(
        sa.insert(SESSIONS).values(
            jti=token.jti,
            victim_id=victim_id,
            case_id=case_id,
            client_id=caller.principal.client_id,
            channel=caller.channel.value,
            verified_at=token.issued_at,
            expires_at=token.expires_at,
        )
    )


def _fail(
    session: Session,
    caller: Caller,
    plan: _Plan,
    rules: VerificationRules,
    client_bucket: str,
    sideways: Sequence[tuple[str, str]],
    now: datetime,
) -> str:
    counted = session.execute(
        sa.update(COUNTERS)
        .where(COUNTERS.c.subject.in_(plan.subjects))
        .values(failures=COUNTERS.c.failures + 1, last_failure_at=now, updated_at=now)
        .returning(COUNTERS.c.subject, COUNTERS.c.failures)
    ).all()
    locked_now = False
    for subject, failures in counted:
        values: dict[str, Any] = {}
        delay = rules.delay_after(failures)
        if delay is not None:
            values["next_attempt_at"] = now + delay
        locked = failures >= rules.lockout_failures
        if locked:
            values["locked_until"] = now + rules.lockout
            locked_now = locked_now or failures == rules.lockout_failures
        # Every failure makes these two writes, locked or not, known or not (an id that
        # matches no session), so a lockout costs no more time than any other refusal.
        is_victim = locked and subject.startswith("victim:")
        end_sessions(session, subject.removeprefix("victim:") if is_victim else "", "LOCKOUT", now)
        session.execute(
            sa.update(COUNTERS)
            .where(COUNTERS.c.subject == subject)
            .values(**values, updated_at=now)
        )
    count_in(session, client_bucket, window_seconds=rules.client_window_seconds)
    window = rules.sideways_window_seconds
    for seen, spread in sideways:
        # Always both writes, so every failure costs the same; the spread counts only
        # the first failure of this factor with this reference in the window.
        first = count_in(session, seen, window_seconds=window) == 1
        count_in(session, spread, window_seconds=window, by=1 if first else 0)
    _audit(session, caller, plan.case_id, plan.candidate, Outcome.FAILED)
    return "LOCKED_NOW" if locked_now else "FAILED"


def _audit(
    session: Session,
    caller: Caller,
    case_id: str | None,
    victim_id: str | None,
    outcome: Outcome,
) -> None:
    record(
        session,
        caller,
        operation=Operation.CONSULTATION,
        resource_type="victim_verification",
        resource_id=victim_id,
        case_ids=[case_id] if case_id else [],
        victim_ids=[victim_id] if victim_id else [],
        outcome=outcome,
    )


# ---------------------------------------------------------------------------
# Sessions


def end_sessions(session: Session, victim_id: str, reason: str, now: datetime | None = None) -> int:
    """End every live session of a person (lockout, staff recovery); how many ended."""
    result = session.execute(
        sa.update(SESSIONS)
        .where(SESSIONS.c.victim_id == victim_id, SESSIONS.c.ended_at.is_(None))
        .values(ended_at=now or utcnow(), end_reason=reason)
    )
    return int(result.rowcount or 0)  # type: ignore[attr-defined]


def sign_out(session: Session, caller: Caller) -> None:
    """End the caller's own session (its token stops working at once)."""
    session.execute(
        sa.update(SESSIONS)
        .where(SESSIONS.c.jti == caller.principal.token_id, SESSIONS.c.ended_at.is_(None))
        .values(ended_at=utcnow(), end_reason="SIGNED_OUT")
    )
    record(
        session,
        caller,
        operation=Operation.ALTERATION,
        resource_type="victim_session",
        case_ids=[caller.principal.case_id or ""],
        victim_ids=[caller.principal.victim_id or ""],
        fields=["ended_at"],
    )


def session_is_live(database: Database, principal: Any) -> bool:
    """The platform's victim-session hook: false once a session was ended early."""
    with database.read_session() as session:
        row = session.execute(
            sa.select(SESSIONS.c.ended_at).where(SESSIONS.c.jti == principal.token_id)
        ).first()
    return row is not None and row.ended_at is None


# ---------------------------------------------------------------------------
# Status for staff and agents; unlock and recovery


def counter_view(row: Any | None, now: datetime) -> dict[str, Any]:
    locked_until = as_utc(row.locked_until) if row is not None and row.locked_until else None
    return {
        "consecutive_failures": int(row.failures) if row is not None else 0,
        "last_failure_at": as_utc(row.last_failure_at)
        if row is not None and row.last_failure_at
        else None,
        "locked": locked_until is not None and locked_until > now,
        "locked_until": locked_until if locked_until is not None and locked_until > now else None,
    }


def verification_status(session: Session, victim_id: str) -> dict[str, Any]:
    row = session.execute(
        sa.select(COUNTERS).where(COUNTERS.c.subject == _victim_subject(victim_id))
    ).first()
    return counter_view(row, utcnow())


def live_sessions(session: Session, case_id: str, client_id: str | None = None) -> list[Any]:
    """Sessions for a case that have not ended or expired, newest first."""
    query = (
        sa.select(SESSIONS)
        .where(
            SESSIONS.c.case_id == case_id,
            SESSIONS.c.ended_at.is_(None),
            SESSIONS.c.expires_at > utcnow(),
        )
        .order_by(SESSIONS.c.verified_at.desc())
    )
    if client_id is not None:
        query = query.where(SESSIONS.c.client_id == client_id)
    return list(session.execute(query))


def unlock(session: Session, caller: Caller, victim_id: str, reason: str) -> dict[str, Any]:
    """Clear a person's failure count, delay and lock (staff, after checking why)."""
    row = victims.require_live_victim(session, victim_id)
    _lock_counters(session, [_victim_subject(victim_id)], utcnow())
    _clear(session, caller, victim_id, reason)
    record(
        session,
        caller,
        operation=Operation.ALTERATION,
        resource_type="victim_verification",
        resource_id=victim_id,
        case_ids=[row.case_id],
        victim_ids=[victim_id],
        fields=["consecutive_failures", "locked_until"],
    )
    return verification_status(session, victim_id)


def _clear(session: Session, caller: Caller, victim_id: str, reason: str) -> None:
    now = utcnow()
    session.execute(
        sa.update(COUNTERS)
        .where(COUNTERS.c.subject == _victim_subject(victim_id))
        .values(
            failures=0,
            next_attempt_at=None,
            locked_until=None,
            updated_at=now,
            cleared_at=now,
            cleared_by=(caller.principal.acting_user or caller.principal.client_id)[:128],
            clear_reason=reason[:500],
        )
    )


def recover(
    session: Session,
    caller: Caller,
    victim_id: str,
    *,
    identity_check: str,
    pepper: str,
    pin_length: int,
) -> dict[str, Any]:
    """For a person locked out by someone else, once staff confirmed who they are some
    other way: a new PIN (the guesser may know the old one, or the birth date), every
    live session ended, and the lock cleared. The PIN is returned this once."""
    row = victims.require_live_victim(session, victim_id)
    ended = end_sessions(session, victim_id, "STAFF_RECOVERY")
    issued = victims.issue_pin(session, caller, victim_id, pepper=pepper, length=pin_length)
    _lock_counters(session, [_victim_subject(victim_id)], utcnow())
    _clear(session, caller, victim_id, f"Recovery after identity check {identity_check}")
    session.execute(
        sa.update(COUNTERS)
        .where(COUNTERS.c.subject == _victim_subject(victim_id))
        .values(pin_required=True)
    )
    record(
        session,
        caller,
        operation=Operation.ALTERATION,
        resource_type="victim_verification_recovery",
        resource_id=victim_id,
        case_ids=[row.case_id],
        victim_ids=[victim_id],
        fields=["pin_hash", "consecutive_failures", "locked_until", "victim_sessions"],
    )
    return {
        "victim_id": victim_id,
        "pin": issued["pin"],
        "sessions_ended": ended,
        "verification": verification_status(session, victim_id),
    }
