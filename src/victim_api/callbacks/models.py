"""The tables of the callbacks domain (migration 0011_callbacks_worklist)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

_TZ = sa.DateTime(timezone=True)


class CallbackRequest(SQLModel, table=True):
    """A victim's request to be called back. No phone number: staff call the
    victim's safe contact methods (victims domain). ``status`` is REQUESTED,
    CLAIMED or COMPLETED; ``due_by`` is a working-day deadline."""

    __tablename__ = "callback_request"
    __table_args__ = (
        # The staff list and the worklist: open ones by status, soonest due first.
        sa.Index("ix_callback_request_status_due_by_id", "status", "due_by", "id"),
        sa.Index(
            "ix_callback_request_victim_id_requested_at_id", "victim_id", "requested_at", "id"
        ),
        # The compliance report: callbacks requested in a period.
        sa.Index("ix_callback_request_requested_at", "requested_at"),
    )

    id: str = Field(primary_key=True, max_length=36)
    case_id: str = Field(max_length=36, foreign_key="case_record.id")
    victim_id: str = Field(max_length=36, foreign_key="victim.id")
    reason: str = Field(max_length=32)
    note: str | None = Field(default=None, max_length=300)
    preferred_times: list[dict[str, Any]] = Field(
        default_factory=list, sa_column=sa.Column(sa.JSON, nullable=False)
    )
    channel: str = Field(max_length=16)
    status: str = Field(max_length=16)
    requested_at: datetime = Field(sa_type=_TZ)
    due_by: datetime = Field(sa_type=_TZ)
    claimed_by: str | None = Field(default=None, max_length=128)
    claimed_at: datetime | None = Field(default=None, sa_type=_TZ)
    completed_by: str | None = Field(default=None, max_length=128)
    completed_at: datetime | None = Field(default=None, sa_type=_TZ)
    outcome: str | None = Field(default=None, max_length=32)
    summary: str | None = Field(default=None, max_length=1000)
    contact_id: str | None = Field(default=None, max_length=36)
    version: int = Field(default=1)


class VictimFeedback(SQLModel, table=True):
    """One service-satisfaction answer: a rating from 1 to 5 and optional text."""

    __tablename__ = "victim_feedback"
    __table_args__ = (sa.Index("ix_victim_feedback_submitted_at", "submitted_at"),)

    id: str = Field(primary_key=True, max_length=36)
    case_id: str = Field(max_length=36, foreign_key="case_record.id")
    victim_id: str = Field(max_length=36, foreign_key="victim.id")
    rating: int
    comment: str | None = Field(default=None, max_length=2000)
    channel: str = Field(max_length=16)
    submitted_at: datetime = Field(sa_type=_TZ)
