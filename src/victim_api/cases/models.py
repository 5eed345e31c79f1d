"""The tables of the cases domain (migration 0004_cases)."""

from __future__ import annotations

from datetime import date, datetime

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

_TZ = sa.DateTime(timezone=True)


class CaseRecord(SQLModel, table=True):
    """A case as the police record system holds it. No victim personal data."""

    __tablename__ = "case_record"
    # Each list filter, with the keyset order (updated_at, id), has its own index.
    __table_args__ = (
        sa.Index("ix_case_record_updated_at_id", "updated_at", "id"),
        sa.Index("ix_case_record_borough_updated_at_id", "borough", "updated_at", "id"),
        sa.Index("ix_case_record_status_updated_at_id", "status", "updated_at", "id"),
        sa.Index("ix_case_record_crime_type_updated_at_id", "crime_type", "updated_at", "id"),
        # The worklist's and callbacks' team filter; the report's period.
        sa.Index("ix_case_record_officer_team", "officer_team"),
        sa.Index("ix_case_record_reported_at", "reported_at"),
    )

    id: str = Field(primary_key=True, max_length=36)
    crime_reference: str = Field(max_length=32, unique=True)
    borough: str = Field(max_length=40, foreign_key="borough.code")
    crime_type: str = Field(max_length=40, foreign_key="crime_type.code")
    reported_at: datetime = Field(sa_type=_TZ)
    offence_date: date
    officer_name: str | None = Field(default=None, max_length=120)
    officer_rank: str | None = Field(default=None, max_length=60)
    officer_team: str | None = Field(default=None, max_length=120)
    officer_work_phone: str | None = Field(default=None, max_length=24)
    officer_work_email: str | None = Field(default=None, max_length=254)
    status: str = Field(max_length=40)
    status_sentence: str = Field(max_length=300)
    enhanced: bool = Field(default=False)
    version: int = Field(default=1)
    created_at: datetime = Field(sa_type=_TZ)
    updated_at: datetime = Field(sa_type=_TZ)
    created_by: str = Field(max_length=64)
    updated_by: str = Field(max_length=64)


class CaseEvent(SQLModel, table=True):
    """One entry on a case's timeline."""

    __tablename__ = "case_event"
    __table_args__ = (
        sa.Index("ix_case_event_case_id_occurred_at_id", "case_id", "occurred_at", "id"),
    )

    id: str = Field(primary_key=True, max_length=36)
    case_id: str = Field(max_length=36, foreign_key="case_record.id")
    type: str = Field(max_length=40)
    occurred_at: datetime = Field(sa_type=_TZ)
    recorded_at: datetime = Field(sa_type=_TZ)
    visibility: str = Field(max_length=16)
    victim_text: str | None = Field(default=None, max_length=1000)
    internal_note: str | None = Field(default=None, max_length=2000)
    from_status: str | None = Field(default=None, max_length=40)
    to_status: str | None = Field(default=None, max_length=40)
    hearing_court_name: str | None = Field(default=None, max_length=200)
    hearing_starts_at: datetime | None = Field(default=None, sa_type=_TZ)
    hearing_address: str | None = Field(default=None, max_length=500)
    hearing_kind: str | None = Field(default=None, max_length=40)
    outcome: str | None = Field(default=None, max_length=500)
    sentence: str | None = Field(default=None, max_length=500)
    recorded_by: str = Field(max_length=64)


class CaseEntitlement(SQLModel, table=True):
    """One reason a case's victims have enhanced rights."""

    __tablename__ = "case_entitlement"

    case_id: str = Field(primary_key=True, max_length=36, foreign_key="case_record.id")
    group_code: str = Field(primary_key=True, max_length=32)
    basis: str = Field(primary_key=True, max_length=32)
    reason: str = Field(max_length=500)
    recorded_at: datetime = Field(sa_type=_TZ)
    recorded_by: str = Field(max_length=128)


class NotificationRule(SQLModel, table=True):
    """A Victims' Code timescale: seeded, and configurable by staff."""

    __tablename__ = "notification_rule"

    event_type: str = Field(primary_key=True, max_length=40)
    obligation: str = Field(max_length=300)
    standard_working_days: int
    enhanced_working_days: int
    responsible: str = Field(max_length=32)
    code_right: int
    active: bool = Field(default=True)
    version: int = Field(default=1)
    updated_at: datetime | None = Field(default=None, sa_type=_TZ)
    updated_by: str | None = Field(default=None, max_length=128)


_OPEN_DUTY = "met_at IS NULL AND waived_at IS NULL"


class NotificationDuty(SQLModel, table=True):
    """An update the victim is owed, by a date, because of one timeline event.

    Met by a contact-log entry (``contact_id``), or waived with a reason. The
    rule's two timescales are copied in, so a later rule change never moves an
    existing duty, but a change of entitlement re-times the open ones.
    """

    __tablename__ = "notification_duty"
    __table_args__ = (
        sa.Index("ix_notification_duty_case_id_due_at_id", "case_id", "due_at", "id"),
        sa.Index("ix_notification_duty_due_at", "due_at"),
        # The worklist's keyset (due_at, id) and the report's period (due_on).
        sa.Index("ix_notification_duty_due_at_id", "due_at", "id"),
        sa.Index("ix_notification_duty_due_on", "due_on"),
        # The worklist's open duties alone (migration 0012): most duties are met or waived.
        sa.Index(
            "ix_notification_duty_open_due_at_id",
            "due_at",
            "id",
            postgresql_where=sa.text(_OPEN_DUTY),
            sqlite_where=sa.text(_OPEN_DUTY),
        ),
    )

    id: str = Field(primary_key=True, max_length=36)
    case_id: str = Field(max_length=36, foreign_key="case_record.id")
    event_id: str = Field(max_length=36, foreign_key="case_event.id")
    event_type: str = Field(max_length=40)
    obligation: str = Field(max_length=300)
    responsible: str = Field(max_length=32)
    standard_working_days: int
    enhanced_working_days: int
    enhanced: bool
    triggered_at: datetime = Field(sa_type=_TZ)
    due_on: date
    due_at: datetime = Field(sa_type=_TZ)
    created_at: datetime = Field(sa_type=_TZ)
    met_at: datetime | None = Field(default=None, sa_type=_TZ)
    contact_id: str | None = Field(default=None, max_length=64)
    waived_at: datetime | None = Field(default=None, sa_type=_TZ)
    waiver_reason: str | None = Field(default=None, max_length=500)
    waived_by: str | None = Field(default=None, max_length=128)
