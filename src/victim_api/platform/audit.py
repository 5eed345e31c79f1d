"""The audit trail (Data Protection Act 2018 s62), hash-chained.

Every collection, alteration, consultation, disclosure, combination or erasure
of personal data is recorded with :func:`record` inside the transaction that
does it. Entries wait in the session and are written by a ``before_commit``
hook, last, so the chain head is locked only for the instant of the commit.
If the audit write fails, the commit fails, the work is rolled back and the
request answers 503 with no personal data.

Each entry's ``hash`` is SHA-256 over the previous entry's hash and the
canonical JSON of the entry (``seq`` included), so editing, deleting or
reordering rows breaks the chain; ``victim-api audit verify`` finds the first
bad entry. Entries hold ids only, never contact details or names.
"""

from __future__ import annotations

import hashlib
import threading
import uuid
import weakref
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from typing import Any

import sqlalchemy as sa
import structlog
from sqlalchemy import event, select, update
from sqlalchemy.orm import Session as OrmSession
from sqlmodel import Field, Session, SQLModel, col

from victim_api.platform.clock import as_utc, utcnow
from victim_api.platform.db import Database, table_of
from victim_api.platform.errors import ServiceUnavailableError
from victim_api.platform.jsonutil import dumps
from victim_api.platform.metrics import counter
from victim_api.platform.principal import Caller

GENESIS_HASH = "0" * 64
_PENDING = "victim_api.audit_pending"
log = structlog.get_logger(__name__)


class Operation(StrEnum):
    COLLECTION = "COLLECTION"
    ALTERATION = "ALTERATION"
    CONSULTATION = "CONSULTATION"
    DISCLOSURE = "DISCLOSURE"
    COMBINATION = "COMBINATION"
    ERASURE = "ERASURE"


class Outcome(StrEnum):
    SUCCESS = "SUCCESS"
    DENIED = "DENIED"
    FAILED = "FAILED"


class SubjectKind(StrEnum):
    CASE = "CASE"
    VICTIM = "VICTIM"


class AuditEvent(SQLModel, table=True):
    __tablename__ = "audit_event"

    seq: int = Field(primary_key=True, sa_column_kwargs={"autoincrement": False})
    event_id: str = Field(max_length=36, unique=True)
    recorded_at: datetime = Field(sa_type=sa.DateTime(timezone=True), index=True)
    operation: str = Field(max_length=16)
    client_id: str = Field(max_length=64, index=True)
    acting_user: str | None = Field(default=None, max_length=128, index=True)
    channel: str = Field(max_length=32)
    organisation_id: str | None = Field(default=None, max_length=64)
    purpose: str = Field(max_length=64)
    recipient: str | None = Field(default=None, max_length=128)
    case_ids: list[str] = Field(default_factory=list, sa_column=sa.Column(sa.JSON, nullable=False))
    victim_ids: list[str] = Field(
        default_factory=list, sa_column=sa.Column(sa.JSON, nullable=False)
    )
    resource_type: str = Field(max_length=64)
    resource_id: str | None = Field(default=None, max_length=64)
    fields: list[str] = Field(default_factory=list, sa_column=sa.Column(sa.JSON, nullable=False))
    request_id: str = Field(max_length=128)
    outcome: str = Field(max_length=16)
    prev_hash: str = Field(max_length=64)
    hash: str = Field(max_length=64)


class AuditSubject(SQLModel, table=True):
    """Index of subjects per entry, so "everything about this case" is index-backed."""

    __tablename__ = "audit_subject"
    __table_args__ = (sa.Index("ix_audit_subject_subject_id_seq", "subject_id", "seq"),)

    seq: int = Field(foreign_key="audit_event.seq", primary_key=True)
    kind: str = Field(max_length=16, primary_key=True)
    subject_id: str = Field(max_length=64, primary_key=True)


class AuditChainHead(SQLModel, table=True):
    """One row: the last sequence number and hash. Locked to append."""

    __tablename__ = "audit_chain_head"

    id: int = Field(primary_key=True, sa_column_kwargs={"autoincrement": False})
    last_seq: int
    last_hash: str = Field(max_length=64)


@dataclass
class PendingEntry:
    operation: Operation
    caller: Caller
    resource_type: str
    resource_id: str | None
    case_ids: list[str]
    victim_ids: list[str]
    fields: list[str]
    recipient: str | None
    outcome: Outcome
    recorded_at: datetime = field(default_factory=utcnow)
    event_id: str = field(default_factory=lambda: str(uuid.uuid4()))


class AuditUnavailableError(ServiceUnavailableError):
    def __init__(self) -> None:
        super().__init__(
            "audit_unavailable",
            "The audit trail could not be written, so nothing was done. Try again shortly.",
        )


def record(
    session: OrmSession,
    caller: Caller,
    *,
    operation: Operation,
    resource_type: str,
    resource_id: str | None = None,
    case_ids: Iterable[str] = (),
    victim_ids: Iterable[str] = (),
    fields: Iterable[str] = (),
    recipient: str | None = None,
    outcome: Outcome = Outcome.SUCCESS,
) -> None:
    """Queue an audit entry; it is written when ``session`` commits, or not at all."""
    session.info.setdefault(_PENDING, []).append(
        PendingEntry(
            operation=operation,
            caller=caller,
            resource_type=resource_type,
            resource_id=resource_id,
            case_ids=sorted({str(c) for c in case_ids}),
            victim_ids=sorted({str(v) for v in victim_ids}),
            fields=sorted(set(fields)),
            recipient=recipient,
            outcome=outcome,
        )
    )


def take_pending(session: OrmSession) -> list[PendingEntry]:
    """Remove and return the entries ``session`` would write when it commits."""
    entries: list[PendingEntry] = session.info.pop(_PENDING, [])
    return entries


def _append_now(database: Database, entries: list[PendingEntry]) -> None:
    with database.transaction() as session:
        session.info.setdefault(_PENDING, []).extend(entries)


@dataclass
class _Ticket:
    entries: list[PendingEntry]
    done: bool = False
    error: BaseException | None = None


class GroupWriter:
    """Appends entries from concurrent requests to the chain in shared transactions.

    Each commit costs a chain-head lock and a durable sync (fsync on SQLite), so
    one at a time they cap audited reads at a few hundred a second. Here one
    caller at a time writes every entry queued so far, in one transaction, and
    the others wait for the commit that holds theirs: each caller still returns
    only once its entries are durable, and gets the error if that commit fails.
    """

    def __init__(self, database: Database) -> None:
        self.database = database
        self._cond = threading.Condition()
        self._queue: list[_Ticket] = []
        self._writing = False

    def write(self, entries: list[PendingEntry]) -> None:
        ticket = _Ticket(entries)
        with self._cond:
            self._queue.append(ticket)
            while self._writing and not ticket.done:
                self._cond.wait()
            if not ticket.done:  # no commit in flight: this caller writes the queue
                self._writing = True
                batch, self._queue = self._queue, []
        if not ticket.done:
            error: BaseException | None = None
            try:
                _append_now(self.database, [e for t in batch for e in t.entries])
            except BaseException as exc:  # every caller in the batch fails closed
                error = exc
            with self._cond:
                for waiting in batch:
                    waiting.done, waiting.error = True, error
                self._writing = False
                self._cond.notify_all()
        if ticket.error is not None:
            # A fresh exception per caller: the waiting threads share the cause.
            raise AuditUnavailableError() from ticket.error


_writers: weakref.WeakKeyDictionary[Database, GroupWriter] = weakref.WeakKeyDictionary()
_writers_lock = threading.Lock()


def write_entries(database: Database, entries: list[PendingEntry]) -> None:
    """Write entries taken from a read-only session, grouped with concurrent ones.

    The chain-head lock (and SQLite's write lock) is held for the append alone,
    not for the reads that produced the entries. Raises like any audit write:
    the caller must not answer with the data if this fails.
    """
    with _writers_lock:
        writer = _writers.get(database)
        if writer is None:
            writer = _writers[database] = GroupWriter(database)
    writer.write(entries)


def record_now(database: Database, caller: Caller, **kwargs: Any) -> None:
    """Write one entry in its own transaction: for attempts whose work is rolled back."""
    with database.transaction() as session:
        record(session, caller, **kwargs)


def canonical_entry(row: AuditEvent) -> dict[str, Any]:
    """The exact content that is hashed. Changing it invalidates every chain."""
    return {
        "seq": row.seq,
        "event_id": row.event_id,
        "recorded_at": as_utc(row.recorded_at).isoformat(timespec="microseconds"),
        "operation": row.operation,
        "client_id": row.client_id,
        "acting_user": row.acting_user,
        "channel": row.channel,
        "organisation_id": row.organisation_id,
        "purpose": row.purpose,
        "recipient": row.recipient,
        "case_ids": list(row.case_ids),
        "victim_ids": list(row.victim_ids),
        "resource_type": row.resource_type,
        "resource_id": row.resource_id,
        "fields": list(row.fields),
        "request_id": row.request_id,
        "outcome": row.outcome,
    }


def chain_hash(prev_hash: str, row: AuditEvent) -> str:
    canonical = dumps(canonical_entry(row))
    return hashlib.sha256(prev_hash.encode() + canonical).hexdigest()


def _row_for(entry: PendingEntry, seq: int) -> AuditEvent:
    principal = entry.caller.principal
    return AuditEvent(
        seq=seq,
        event_id=entry.event_id,
        recorded_at=entry.recorded_at,
        operation=entry.operation.value,
        client_id=principal.client_id,
        acting_user=principal.acting_user,
        channel=principal.channel.value,
        organisation_id=principal.organisation_id,
        purpose=entry.caller.purpose,
        recipient=entry.recipient,
        case_ids=entry.case_ids,
        victim_ids=entry.victim_ids,
        resource_type=entry.resource_type,
        resource_id=entry.resource_id,
        fields=entry.fields,
        request_id=entry.caller.request_id,
        outcome=entry.outcome.value,
        prev_hash="",
        hash="",
    )


def _append(session: OrmSession, entries: list[PendingEntry]) -> None:
    head_table = table_of(AuditChainHead)
    head = session.execute(
        select(head_table.c.last_seq, head_table.c.last_hash)
        .where(head_table.c.id == 1)
        .with_for_update()
    ).one()
    seq, prev_hash = head.last_seq, head.last_hash
    rows, subjects = [], []
    for entry in entries:
        seq += 1
        row = _row_for(entry, seq)
        row.prev_hash = prev_hash
        row.hash = prev_hash = chain_hash(prev_hash, row)
        rows.append(row.model_dump())
        subjects += [
            {"seq": seq, "kind": SubjectKind.CASE.value, "subject_id": c} for c in entry.case_ids
        ]
        subjects += [
            {"seq": seq, "kind": SubjectKind.VICTIM.value, "subject_id": v}
            for v in entry.victim_ids
        ]
    session.execute(sa.insert(AuditEvent), rows)
    if subjects:
        session.execute(sa.insert(table_of(AuditSubject)), subjects)
    session.execute(
        update(head_table).where(head_table.c.id == 1).values(last_seq=seq, last_hash=prev_hash)
    )


# Alerts on this: every failure is a request that failed closed (503).
AUDIT_WRITE_FAILURES = counter(
    "audit_write_failures",
    "Audit entries that could not be written; each failed its request closed (503).",
    [],
)


@event.listens_for(OrmSession, "before_commit")
def _write_pending_entries(session: OrmSession) -> None:
    entries: list[PendingEntry] = session.info.pop(_PENDING, [])
    if not entries:
        return
    try:
        _append(session, entries)
        session.flush()
    except Exception as exc:
        log.error("audit_write_failed", error=type(exc).__name__)
        AUDIT_WRITE_FAILURES.inc(len(entries))
        raise AuditUnavailableError() from exc


@event.listens_for(OrmSession, "after_rollback")
def _discard_pending_entries(session: OrmSession) -> None:
    session.info.pop(_PENDING, None)


# ---------------------------------------------------------------------------
# Verification and export


@dataclass(frozen=True)
class ChainReport:
    ok: bool
    checked: int
    first_bad_seq: int | None = None
    first_bad_event_id: str | None = None
    reason: str | None = None


def verify_chain(session: Session, batch: int = 5000) -> ChainReport:
    """Walk the whole chain; report the first entry that was edited, deleted or moved."""
    expected_prev, expected_seq, checked = GENESIS_HASH, 1, 0
    for row in _iter_events(session, batch):
        if row.seq != expected_seq:
            return ChainReport(False, checked, expected_seq, None, "entry missing (deleted?)")
        if row.prev_hash != expected_prev:
            return ChainReport(False, checked, row.seq, row.event_id, "prev_hash does not link")
        if chain_hash(row.prev_hash, row) != row.hash:
            return ChainReport(False, checked, row.seq, row.event_id, "content does not match hash")
        expected_prev, expected_seq, checked = row.hash, row.seq + 1, checked + 1
    head = session.get(AuditChainHead, 1)
    if head is None or head.last_seq != checked or head.last_hash != expected_prev:
        return ChainReport(
            False, checked, checked + 1, None, "chain head disagrees (tail deleted?)"
        )
    return ChainReport(True, checked)


def _iter_events(session: Session, batch: int) -> Iterator[AuditEvent]:
    last = 0
    while True:
        query = select(AuditEvent).where(col(AuditEvent.seq) > last)
        rows = list(session.execute(query.order_by(col(AuditEvent.seq)).limit(batch)).scalars())
        if not rows:
            return
        yield from rows
        last = rows[-1].seq


def export_lines(session: Session, start: datetime, end: datetime) -> Iterator[bytes]:
    """JSON lines of every entry recorded in [start, end), with their hashes."""
    recorded_at = col(AuditEvent.recorded_at)
    query = (
        select(AuditEvent)
        .where(recorded_at >= start, recorded_at < end)
        .order_by(col(AuditEvent.seq))
        .execution_options(yield_per=1000)
    )
    for row in session.execute(query).scalars():
        yield dumps({**canonical_entry(row), "prev_hash": row.prev_hash, "hash": row.hash}) + b"\n"
