"""Request and response models of the referrals domain.

The partner models are deliberately small: what a support service needs to make
safe contact, and nothing else (no case id, crime reference, timeline or notes).
"""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field

from victim_api.directory.schemas import NeedCode
from victim_api.platform.pagination import Page
from victim_api.platform.types import UUID_PATTERN
from victim_api.victims.safety import ContactMethod
from victim_api.victims.schemas import AccessibilityNeed, ContactMethodPublic, LegalBasis


class ReferralStatus(StrEnum):
    CREATED = "CREATED"
    SENT = "SENT"
    ACKNOWLEDGED = "ACKNOWLEDGED"
    ACCEPTED = "ACCEPTED"
    DECLINED = "DECLINED"
    CONTACT_MADE = "CONTACT_MADE"
    CLOSED = "CLOSED"
    CANCELLED = "CANCELLED"


class DeclineReason(StrEnum):
    OUT_OF_AREA = "OUT_OF_AREA"
    NOT_ELIGIBLE = "NOT_ELIGIBLE"
    NO_SAFE_CONTACT = "NO_SAFE_CONTACT"
    CAPACITY = "CAPACITY"
    VICTIM_DECLINED = "VICTIM_DECLINED"
    DUPLICATE = "DUPLICATE"


class OutcomeStatus(StrEnum):
    """The statuses a partner records."""

    ACCEPTED = "ACCEPTED"
    DECLINED = "DECLINED"
    CONTACT_MADE = "CONTACT_MADE"
    CLOSED = "CLOSED"


class PendingFilter(StrEnum):
    PENDING = "PENDING"


Uuid = Annotated[str, Field(pattern=UUID_PATTERN, description="A UUID.")]


class _Input(BaseModel):
    model_config = ConfigDict(extra="forbid")


class ReferralCreate(_Input):
    """Refer one person on a case to one directory service."""

    case_id: Uuid
    victim_id: Uuid
    service_id: Uuid = Field(description="A directory service that accepts police referrals.")
    needs: list[NeedCode] = Field(
        default_factory=list, max_length=15, description="The needs the referral is for."
    )
    consent_id: Uuid | None = Field(
        default=None,
        description="The victim's current REFERRAL_TO_SUPPORT consent. Optional: the "
        "current one is found; if given it must be that one.",
    )
    legal_basis: LegalBasis | None = Field(
        default=None,
        description="Where consent is not required for the crime type: the basis to "
        "record (defaults to the rule's). Ignored when consent is required.",
    )


class ReferralPublic(BaseModel):
    """A referral, as staff see it."""

    id: str
    case_id: str
    victim_id: str
    service_id: str
    organisation_id: str
    crime_type: str
    needs: list[str]
    consent_required: bool
    consent_id: str | None
    legal_basis: LegalBasis
    contact_methods: list[ContactMethod] = Field(
        description="Safe methods copied from the victim's preferences (names only)."
    )
    preferred_method: ContactMethod | None
    safe_contact_times: str | None
    status: ReferralStatus
    decline_reason: DeclineReason | None
    cancel_reason: str | None
    pending: bool = Field(description="The partner has something to acknowledge.")
    delivery_count: int
    first_delivered_at: datetime | None
    last_delivered_at: datetime | None
    acknowledged_at: datetime | None
    sent_at: datetime | None
    status_changed_at: datetime
    duty_id: str | None = Field(description="The case's referral duty this referral meets.")
    version: int
    created_at: datetime
    updated_at: datetime


class PartnerVictim(BaseModel):
    """The person, minimised: how to reach them safely and how to talk to them."""

    given_name: str | None
    family_name: str | None
    contact_methods: list[ContactMethodPublic] = Field(
        description="Safe methods only, with the detail each uses. An unsafe method is absent."
    )
    preferred_method: ContactMethod | None
    safe_contact_times: str | None
    language: str
    interpreter_needed: bool
    accessibility_needs: list[AccessibilityNeed]


class PartnerReferral(BaseModel):
    """A referral as the receiving support service sees it. `victim` is null once the
    referral is cancelled (consent withdrawn): the contact data is no longer served."""

    id: str
    service_id: str
    status: ReferralStatus
    decline_reason: DeclineReason | None
    cancel_reason: str | None
    crime_category: str = Field(description="The crime type's category, e.g. `DOMESTIC`.")
    needs: list[str]
    entitlements: list[str] = Field(description="The Victims' Code enhanced-rights groups.")
    enhanced: bool
    victim: PartnerVictim | None
    referred_at: datetime
    status_changed_at: datetime
    acknowledged_at: datetime | None
    pending: bool


class PartnerReferralBatch(BaseModel):
    """Every referral waiting for acknowledgement, oldest first, up to `limit`.
    Acknowledge each to stop it coming back; anything not acknowledged is redelivered."""

    items: list[PartnerReferral]
    more: bool = Field(description="More are waiting beyond this batch.")


class PartnerReferralState(BaseModel):
    """The state after an acknowledgement or an outcome (no personal data)."""

    id: str
    status: ReferralStatus
    decline_reason: DeclineReason | None
    acknowledged_at: datetime | None
    status_changed_at: datetime
    pending: bool


class OutcomeCreate(_Input):
    status: OutcomeStatus
    reason: DeclineReason | None = Field(
        default=None, description="Required with DECLINED; not allowed otherwise."
    )


class ConsentRulePublic(BaseModel):
    crime_type: str
    consent_required: bool
    legal_basis: LegalBasis
    note: str
    version: int


class ConsentRuleList(BaseModel):
    items: list[ConsentRulePublic]


class ReferralPage(Page[ReferralPublic]):
    """A page of referrals."""
