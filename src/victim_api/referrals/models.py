"""The tables of the referrals domain (migration 0009_referrals)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

_TZ = sa.DateTime(timezone=True)


def _json_list() -> Any:
    return Field(default_factory=list, sa_column=sa.Column(sa.JSON, nullable=False))


class ReferralConsentRule(SQLModel, table=True):
    """Per crime type: whether a referral needs the victim's explicit consent, and the
    legal basis recorded when it does not. Seeded by the migration; configurable."""

    __tablename__ = "referral_consent_rule"

    crime_type: str = Field(primary_key=True, max_length=40, foreign_key="crime_type.code")
    consent_required: bool
    legal_basis: str = Field(max_length=40)
    note: str = Field(max_length=300)
    version: int = Field(default=1)
    updated_at: datetime = Field(sa_type=_TZ)
    updated_by: str = Field(max_length=128)


class Referral(SQLModel, table=True):
    """One referral of one person on a case to one directory service.

    ``open_key`` is ``"<victim_id>:<service_id>"`` while the referral is open and
    NULL once it is declined, closed or cancelled: its unique constraint is the
    race-safe deduplication. ``pending`` is true while the recipient organisation
    has something to acknowledge (the referral, or its cancellation); the partner
    pull returns every pending referral, so one committed late is never skipped.
    """

    __tablename__ = "referral"
    __table_args__ = (
        sa.UniqueConstraint("open_key", name="uq_referral_open_key"),
        sa.Index(
            "ix_referral_organisation_id_pending_pending_since_id",
            "organisation_id",
            "pending",
            "pending_since",
            "id",
        ),
        sa.Index("ix_referral_victim_id_created_at_id", "victim_id", "created_at", "id"),
        # The worklist: referrals waiting to be delivered, or to be acknowledged.
        sa.Index("ix_referral_status_created_at_id", "status", "created_at", "id"),
        sa.Index("ix_referral_status_sent_at_id", "status", "sent_at", "id"),
    )

    id: str = Field(primary_key=True, max_length=36)
    case_id: str = Field(max_length=36, foreign_key="case_record.id")
    victim_id: str = Field(max_length=36, foreign_key="victim.id")
    service_id: str = Field(max_length=36, foreign_key="directory_service.id")
    # The directory organisation running the service: the partner it is delivered to.
    organisation_id: str = Field(max_length=64)
    open_key: str | None = Field(default=None, max_length=80)
    crime_type: str = Field(max_length=40)
    needs: list[str] = _json_list()
    consent_required: bool
    consent_id: str | None = Field(default=None, max_length=36)
    legal_basis: str = Field(max_length=40)
    # Copied from the victim's preferences when the referral is made: method names
    # (safe ones only), the preferred one if safe, and the safe times.
    contact_methods: list[str] = _json_list()
    preferred_method: str | None = Field(default=None, max_length=16)
    safe_contact_times: str | None = Field(default=None, max_length=300)
    status: str = Field(max_length=16)
    decline_reason: str | None = Field(default=None, max_length=20)
    cancel_reason: str | None = Field(default=None, max_length=40)
    pending: bool = Field(default=True)
    pending_since: datetime | None = Field(default=None, sa_type=_TZ)
    delivery_count: int = Field(default=0)
    first_delivered_at: datetime | None = Field(default=None, sa_type=_TZ)
    last_delivered_at: datetime | None = Field(default=None, sa_type=_TZ)
    acknowledged_at: datetime | None = Field(default=None, sa_type=_TZ)
    sent_at: datetime | None = Field(default=None, sa_type=_TZ)
    status_changed_at: datetime = Field(sa_type=_TZ)
    duty_id: str | None = Field(default=None, max_length=36)
    version: int = Field(default=1)
    created_at: datetime = Field(sa_type=_TZ)
    updated_at: datetime = Field(sa_type=_TZ)
    created_by: str = Field(max_length=128)
    updated_by: str = Field(max_length=128)
