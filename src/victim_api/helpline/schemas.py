"""Request and response models of the helpline domain."""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum
from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field, StrictBool

from victim_api.cases.crime_reference import CrimeReference
from victim_api.cases.entitlements import EntitlementGroup
from victim_api.cases.schemas import (
    CasePublic,
    DutyPublic,
    HearingKind,
    OfficerPublic,
    VictimEvent,
)
from victim_api.cases.transitions import CaseStatus
from victim_api.platform.pagination import Page
from victim_api.platform.types import TEXT_PATTERN, BoundedDate
from victim_api.referrals.schemas import ReferralStatus
from victim_api.victims.safety import ContactMethod, SafetyFlag
from victim_api.victims.schemas import (
    ContactPublic,
    Language,
    SafeTimes,
    UpdateFrequency,
    VictimPublic,
)


class _Input(BaseModel):
    model_config = ConfigDict(extra="forbid")


Pin = Annotated[
    str,
    Field(
        pattern=r"^[0-9]{6,12}$",
        description="The numeric PIN the victim was given, if any (keypad digits).",
        examples=["123456"],
    ),
]


class VictimSessionCreate(_Input):
    crime_reference: CrimeReference
    date_of_birth: BoundedDate = Field(description="The caller's date of birth.")
    pin: Pin | None = Field(
        default=None,
        description="Needed for domestic abuse cases and every case with enhanced rights "
        "(configurable). Send it whenever the victim has one.",
    )


class VictimSessionPublic(BaseModel):
    session_token: str = Field(description="Send as `Authorization: Bearer` to `/v1/me/...`.")
    token_type: str = Field(examples=["Bearer"])
    expires_in: int = Field(description="Seconds until the session ends.", examples=[900])
    expires_at: datetime


class VerificationStatus(BaseModel):
    consecutive_failures: int
    last_failure_at: datetime | None
    locked: bool
    locked_until: datetime | None = Field(description="Present while locked.")


class UnlockRequest(_Input):
    reason: Annotated[
        str,
        Field(
            min_length=1,
            max_length=500,
            pattern=TEXT_PATTERN,
            description="Why the lock is cleared (kept with the audit trail's request id).",
        ),
    ]


class IdentityCheck(StrEnum):
    """How staff confirmed who the caller is without the helpline factors. Extensible."""

    CALLED_BACK_ON_NUMBER_HELD = "CALLED_BACK_ON_NUMBER_HELD"
    OFFICER_IN_CASE_CONFIRMED = "OFFICER_IN_CASE_CONFIRMED"
    IN_PERSON_WITH_ID = "IN_PERSON_WITH_ID"


class RecoveryRequest(_Input):
    identity_check: IdentityCheck


class RecoveryPublic(BaseModel):
    victim_id: str
    pin: str = Field(description="The new PIN. Shown this once; only its hash is kept.")
    sessions_ended: int = Field(description="Live victim sessions that were ended.")
    verification: VerificationStatus


# ---------------------------------------------------------------------------
# The victim's own views


class HearingSummary(BaseModel):
    starts_at: datetime
    court_name: str
    kind: HearingKind | None


class EnhancedRights(BaseModel):
    enhanced: bool
    note: str = Field(description="One or two plain sentences for the victim.")


class ReferralSummary(BaseModel):
    service_name: str
    status: ReferralStatus
    status_text: str


class MyCase(BaseModel):
    """A verified victim's case, in plain English."""

    case_id: str
    crime_reference: str
    status: CaseStatus
    status_text: str = Field(description="What the status means, in one plain sentence.")
    next_steps: list[str] = Field(description="What happens next, in plain sentences.")
    officer: OfficerPublic | None = Field(description="Work contact details only.")
    next_update_due: date | None = Field(
        description="The date by which the victim is next owed an update, if one is owed."
    )
    upcoming_hearing: HearingSummary | None
    enhanced_rights: EnhancedRights
    referrals: list[ReferralSummary]
    language: str = Field(description="The victim's language (BCP 47).")


class MyEventPage(Page[VictimEvent]):
    """Victim-visible events only (`cases.service.victim_timeline`)."""


class MyPreferences(BaseModel):
    language: str
    preferred_channel: ContactMethod | None
    update_frequency: UpdateFrequency
    safe_contact_times: str | None
    opted_out: bool
    version: int


class MyPreferencesUpdate(_Input):
    """The fields to change; absent fields are kept."""

    language: Language | None = None
    preferred_channel: ContactMethod | None = None
    update_frequency: UpdateFrequency | None = None
    safe_contact_times: SafeTimes | None = None
    opted_out: StrictBool | None = Field(
        default=None,
        description="Stop updates. The police then stop owing this case updates once "
        "everyone on it has opted out.",
    )

    def changes(self) -> dict[str, Any]:
        """Sent fields; a null clears only the fields that may be empty."""
        clearable = {"preferred_channel", "safe_contact_times"}
        sent = self.model_dump(include=self.model_fields_set)
        return {k: v for k, v in sent.items() if v is not None or k in clearable}


class CaseSpeech(BaseModel):
    language: str = Field(description="The language the text is in (BCP 47).")
    ssml: str = Field(description="SSML 1.1 for a speech engine.")
    text: str = Field(description="The same words as plain text.")


# ---------------------------------------------------------------------------
# The agent's screen


class CallVerification(BaseModel):
    verified_on_this_call: bool = Field(
        description="Whether a victim on this case holds a live session from the agent's "
        "own client (the IVR or web session of the caller now being helped)."
    )
    verified_victim_id: str | None
    verified_at: datetime | None
    people: dict[str, VerificationStatus] = Field(
        description="Failure counts and locks, per person on the case (by victim id)."
    )


class AgentPerson(BaseModel):
    victim: VictimPublic
    unsafe_methods: list[ContactMethod] = Field(
        description="Contact methods a safety flag makes unsafe: never use them."
    )
    safety_flags: list[SafetyFlag]
    interpreter_needed: bool
    language: str
    referrals: list[ReferralSummary]
    recent_contacts: list[ContactPublic]


class AgentView(BaseModel):
    case: CasePublic
    entitlement_groups: list[EntitlementGroup]
    verification: CallVerification
    people: list[AgentPerson]
    overdue_duties: list[DutyPublic]
