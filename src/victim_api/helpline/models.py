"""The tables of the helpline domain (migration 0010_helpline)."""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

_TZ = sa.DateTime(timezone=True)


class VerificationCounter(SQLModel, table=True):
    """Consecutive failed verifications of one subject, shared by every process.

    ``subject`` is ``victim:<victim id>``, or ``ref:<HMAC of a crime reference>``
    for references that match no case (so a miss costs the same writes as a wrong
    answer, and guessing at one unknown reference is counted too).
    """

    __tablename__ = "verification_counter"

    subject: str = Field(primary_key=True, max_length=80)
    failures: int = Field(default=0)
    last_failure_at: datetime | None = Field(default=None, sa_type=_TZ)
    # Attempts before this instant are refused (the growing delay), without saying so.
    next_attempt_at: datetime | None = Field(default=None, sa_type=_TZ)
    locked_until: datetime | None = Field(default=None, sa_type=_TZ)
    # Set by staff recovery: from then on this person must give their PIN too.
    pin_required: bool = Field(default=False)
    # The last staff unlock or recovery: when, by whom, and why (the audit trail
    # holds no free text, so the reason is kept here).
    cleared_at: datetime | None = Field(default=None, sa_type=_TZ)
    cleared_by: str | None = Field(default=None, max_length=128)
    clear_reason: str | None = Field(default=None, max_length=500)
    updated_at: datetime = Field(sa_type=_TZ)


class VictimSession(SQLModel, table=True):
    """One victim session token (by its ``jti``), so it can end before it expires."""

    __tablename__ = "victim_session"
    __table_args__ = (
        sa.Index("ix_victim_session_victim_id_ended_at", "victim_id", "ended_at"),
        sa.Index("ix_victim_session_case_id_client_id", "case_id", "client_id"),
    )

    jti: str = Field(primary_key=True, max_length=64)
    victim_id: str = Field(max_length=36)
    case_id: str = Field(max_length=36)
    client_id: str = Field(max_length=64)
    channel: str = Field(max_length=32)
    verified_at: datetime = Field(sa_type=_TZ)
    expires_at: datetime = Field(sa_type=_TZ)
    ended_at: datetime | None = Field(default=None, sa_type=_TZ)
    # SIGNED_OUT, LOCKOUT, STAFF_RECOVERY
    end_reason: str | None = Field(default=None, max_length=32)
