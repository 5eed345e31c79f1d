"""The tables of the victims domain (migration 0008_victims)."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

_TZ = sa.DateTime(timezone=True)


def _json_list() -> Any:
    return Field(default_factory=list, sa_column=sa.Column(sa.JSON, nullable=False))


class Victim(SQLModel, table=True):
    """A person on a case. Personal fields are nullable: erasure nulls them."""

    __tablename__ = "victim"
    __table_args__ = (
        sa.Index("ix_victim_case_id_created_at_id", "case_id", "created_at", "id"),
        sa.Index("ix_victim_update_due_at_id", "update_due_at", "id"),
    )

    id: str = Field(primary_key=True, max_length=36)
    case_id: str = Field(max_length=36, foreign_key="case_record.id")
    role: str = Field(max_length=32)
    given_name: str | None = Field(default=None, max_length=100)
    family_name: str | None = Field(default=None, max_length=100)
    date_of_birth: date | None = None
    # argon2id hashes with the server-side pepper (platform.secrets).
    dob_hash: str | None = Field(default=None, max_length=200)
    pin_hash: str | None = Field(default=None, max_length=200)
    pin_issued_at: datetime | None = Field(default=None, sa_type=_TZ)
    phone: str | None = Field(default=None, max_length=16)
    email: str | None = Field(default=None, max_length=254)
    postal_address: dict[str, Any] | None = Field(default=None, sa_column=sa.Column(sa.JSON))
    preferred_channel: str | None = Field(default=None, max_length=16)
    update_frequency: str = Field(max_length=32)
    language: str = Field(max_length=35)
    interpreter_needed: bool = Field(default=False)
    accessibility_needs: list[str] = _json_list()
    safe_contact_times: str | None = Field(default=None, max_length=300)
    safety_flags: list[str] = _json_list()
    opted_out: bool = Field(default=False)
    opted_out_on: date | None = None
    erased_at: datetime | None = Field(default=None, sa_type=_TZ)
    # When the agreed regular update falls due (the last contact that reached the
    # person, or the record's creation, plus the interval); NULL for milestone-only
    # updates, opted-out and erased people. Kept by the service, indexed for the worklist.
    update_due_at: datetime | None = Field(default=None, sa_type=_TZ)
    version: int = Field(default=1)
    created_at: datetime = Field(sa_type=_TZ)
    updated_at: datetime = Field(sa_type=_TZ)
    created_by: str = Field(max_length=128)
    updated_by: str = Field(max_length=128)


class VictimConsent(SQLModel, table=True):
    """One consent decision. Append-only: the latest per purpose is the one in force."""

    __tablename__ = "victim_consent"
    __table_args__ = (
        sa.Index("ix_victim_consent_victim_id_recorded_at_id", "victim_id", "recorded_at", "id"),
    )

    id: str = Field(primary_key=True, max_length=36)
    victim_id: str = Field(max_length=36, foreign_key="victim.id")
    case_id: str = Field(max_length=36)
    purpose: str = Field(max_length=40)
    decision: str = Field(max_length=16)
    legal_basis: str = Field(max_length=40)
    recorded_at: datetime = Field(sa_type=_TZ)
    recorded_by: str = Field(max_length=128)


class VictimContact(SQLModel, table=True):
    """One entry of the contact log."""

    __tablename__ = "victim_contact"
    __table_args__ = (
        sa.Index("ix_victim_contact_victim_id_contacted_at_id", "victim_id", "contacted_at", "id"),
    )

    id: str = Field(primary_key=True, max_length=36)
    victim_id: str = Field(max_length=36, foreign_key="victim.id")
    case_id: str = Field(max_length=36)
    method: str = Field(max_length=16)
    direction: str = Field(max_length=16)
    outcome: str = Field(max_length=20)
    summary: str | None = Field(default=None, max_length=2000)
    contacted_at: datetime = Field(sa_type=_TZ)
    recorded_at: datetime = Field(sa_type=_TZ)
    made_by: str = Field(max_length=128)
    duty_ids: list[str] = _json_list()
    override_reason: str | None = Field(default=None, max_length=500)
