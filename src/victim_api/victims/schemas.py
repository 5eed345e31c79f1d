"""Request and response models of the victims domain.

Bodies are ``extra="forbid"``: read-only fields (``version``, ``under_18_at_offence``,
``opted_out_on``...) sent in a create or a patch are 422. Every rule is in the
contract, so what the contract calls valid is accepted.
"""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum
from typing import Annotated, Any

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, StrictBool

from victim_api.platform.pagination import Page

# Shared field types of the cases domain (pure types, no rules).
from victim_api.platform.types import (
    TEXT_PATTERN,
    UUID_PATTERN,
    BoundedDate,
    BoundedDateTime,
)
from victim_api.victims.contact_details import (
    EMAIL_PATTERN,
    PHONE_PATTERN,
    normalise_email,
    normalise_phone,
)
from victim_api.victims.safety import ContactMethod, ContactView, SafetyFlag


class VictimRole(StrEnum):
    VICTIM = "VICTIM"
    PARENT_OR_GUARDIAN = "PARENT_OR_GUARDIAN"
    BEREAVED_RELATIVE = "BEREAVED_RELATIVE"
    FAMILY_SPOKESPERSON = "FAMILY_SPOKESPERSON"
    BUSINESS_CONTACT = "BUSINESS_CONTACT"


class UpdateFrequency(StrEnum):
    MILESTONES_ONLY = "MILESTONES_ONLY"
    EVERY_14_DAYS = "EVERY_14_DAYS"
    EVERY_28_DAYS = "EVERY_28_DAYS"


class AccessibilityNeed(StrEnum):
    BSL = "BSL"
    EASY_READ = "EASY_READ"
    LARGE_PRINT = "LARGE_PRINT"
    TEXT_RELAY = "TEXT_RELAY"
    BRAILLE = "BRAILLE"


class ConsentPurpose(StrEnum):
    REFERRAL_TO_SUPPORT = "REFERRAL_TO_SUPPORT"
    SHARE_WITH_WITNESS_CARE = "SHARE_WITH_WITNESS_CARE"
    VICTIM_CONTACT_SCHEME = "VICTIM_CONTACT_SCHEME"


class ConsentDecision(StrEnum):
    GIVEN = "GIVEN"
    WITHDRAWN = "WITHDRAWN"


class LegalBasis(StrEnum):
    """Why the processing is lawful (DPA 2018 s35 for law enforcement, UK GDPR art 6)."""

    CONSENT = "CONSENT"
    STRICTLY_NECESSARY_LAW_ENFORCEMENT = "STRICTLY_NECESSARY_LAW_ENFORCEMENT"
    LEGAL_OBLIGATION = "LEGAL_OBLIGATION"
    PUBLIC_TASK = "PUBLIC_TASK"
    VITAL_INTERESTS = "VITAL_INTERESTS"


class Direction(StrEnum):
    OUTBOUND = "OUTBOUND"
    INBOUND = "INBOUND"


class ContactOutcome(StrEnum):
    ANSWERED = "ANSWERED"
    NO_ANSWER = "NO_ANSWER"
    VOICEMAIL_LEFT = "VOICEMAIL_LEFT"
    SMS_SENT = "SMS_SENT"
    LETTER_SENT = "LETTER_SENT"
    EMAIL_SENT = "EMAIL_SENT"
    VISIT = "VISIT"


def _no_lone_surrogates(value: str) -> str:
    if any(0xD800 <= ord(c) <= 0xDFFF for c in value):
        raise ValueError("must be valid Unicode text")
    return value


def _text(max_length: int, description: str, example: str | None = None) -> Any:
    return Field(
        min_length=1,
        max_length=max_length,
        pattern=TEXT_PATTERN,
        description=description,
        examples=[example] if example else None,
    )


_TEXT_OK = AfterValidator(_no_lone_surrogates)


Name = Annotated[str, _text(100, "A name.", "Sam"), _TEXT_OK]
AddressLine = Annotated[str, _text(100, "One line of the address.", "1 Example Street"), _TEXT_OK]
SafeTimes = Annotated[
    str, _text(300, "When it is safe to make contact.", "Weekdays 10:00-14:00"), _TEXT_OK
]
Summary = Annotated[str, _text(2000, "What was said or sent."), _TEXT_OK]
OverrideReason = Annotated[
    str, _text(500, "Why an unsafe method must be used (staff only; audited)."), _TEXT_OK
]


Phone = Annotated[
    str,
    Field(
        max_length=16,
        pattern=PHONE_PATTERN,
        description="A UK (+44) fixed-line or mobile number in E.164 form, checked with "
        "`phonenumbers`.",
        examples=["+442079460123"],
    ),
    AfterValidator(normalise_phone),
]
Email = Annotated[
    str,
    Field(
        max_length=254,
        pattern=EMAIL_PATTERN,
        description="An email address, checked with `email-validator` (no DNS lookup).",
        examples=["sam.example@example.org"],
    ),
    AfterValidator(normalise_email),
]
Language = Annotated[
    str,
    Field(
        max_length=35,
        pattern=r"^[a-z]{2,3}(?:-[A-Z][a-z]{3})?(?:-(?:[A-Z]{2}|[0-9]{3}))?$",
        description="Preferred language, a BCP 47 tag (language, optional script and region).",
        examples=["en-GB", "pl", "pa-Guru-IN"],
    ),
]


def _drop_default(schema: dict[str, Any]) -> None:
    schema.pop("default", None)


def _optional(description: str, **kwargs: Any) -> Any:
    """A patch field that may be left out but not sent as null."""
    return Field(default=None, description=description, json_schema_extra=_drop_default, **kwargs)


class _Input(BaseModel):
    model_config = ConfigDict(extra="forbid")


class PostalAddress(_Input):
    lines: list[AddressLine] = Field(
        min_length=1, max_length=5, description="Address lines, first to last (not the postcode)."
    )
    postcode: str = Field(
        pattern=r"^[A-Z]{1,2}[0-9][A-Z0-9]? [0-9][A-Z]{2}$",
        max_length=8,
        description="A UK postcode in capitals with its space.",
        examples=["NW1 0AA"],
    )


_FLAGS_DOC = (
    "Contact methods that are unsafe for this person: staff see them flagged, no other "
    "channel is offered them."
)


class VictimCreate(_Input):
    """A person on a case, as reported."""

    role: VictimRole
    given_name: Name
    family_name: Name
    date_of_birth: BoundedDate | None = Field(
        default=None, description="Date of birth: a verification factor, stored hashed too."
    )
    phone: Phone | None = None
    email: Email | None = None
    postal_address: PostalAddress | None = None
    preferred_channel: ContactMethod | None = Field(
        default=None, description="How the person prefers to be contacted."
    )
    update_frequency: UpdateFrequency = Field(
        default=UpdateFrequency.MILESTONES_ONLY, description="The agreed update frequency."
    )
    language: Language = "en-GB"
    interpreter_needed: StrictBool = False
    accessibility_needs: list[AccessibilityNeed] = Field(default_factory=list, max_length=5)
    safe_contact_times: SafeTimes | None = None
    safety_flags: list[SafetyFlag] = Field(
        default_factory=list, max_length=6, description=_FLAGS_DOC
    )
    opted_out: StrictBool = Field(default=False, description="Opted out of updates.")


class VictimUpdate(_Input):
    """The fields to change; absent fields are kept. Nullable fields clear with null."""

    role: VictimRole = _optional("Role on the case.")
    given_name: Name = _optional("Given name.")
    family_name: Name = _optional("Family name.")
    date_of_birth: BoundedDate | None = None
    phone: Phone | None = None
    email: Email | None = None
    postal_address: PostalAddress | None = None
    preferred_channel: ContactMethod | None = None
    update_frequency: UpdateFrequency = _optional("The agreed update frequency.")
    language: Language = _optional("Preferred language (BCP 47).")
    interpreter_needed: StrictBool = _optional("Whether an interpreter is needed.")
    accessibility_needs: list[AccessibilityNeed] = _optional("Accessibility needs.", max_length=5)
    safe_contact_times: SafeTimes | None = None
    safety_flags: list[SafetyFlag] = _optional(_FLAGS_DOC, max_length=6)
    opted_out: StrictBool = _optional(
        "Opted out of updates. Opting out waives the case's open duties once every "
        "person on the case has opted out."
    )


class ContactMethodPublic(BaseModel):
    method: ContactMethod
    unsafe: bool = Field(description="True when a safety flag makes this method unsafe.")
    reasons: list[SafetyFlag] | None = Field(
        default=None, description="The flags that make it unsafe (unsafe methods only)."
    )
    value: str | None = Field(default=None, description="The phone number or email address.")
    address: PostalAddress | None = Field(default=None, description="For letters and visits.")


class VictimPublic(BaseModel):
    """A person on a case, as the caller's channel and scopes may see them."""

    id: str
    case_id: str
    role: VictimRole
    given_name: str | None
    family_name: str | None
    date_of_birth: date | None = Field(
        description="Shown with the full contact-details view (staff) only."
    )
    under_18_at_offence: bool | None = Field(
        description="Derived from the date of birth and the case's offence date; null if unknown."
    )
    contact_view: ContactView = Field(
        description="FULL (every method, unsafe ones flagged), SAFE_ONLY or NONE."
    )
    contact_methods: list[ContactMethodPublic]
    preferred_channel: ContactMethod | None
    update_frequency: UpdateFrequency
    language: str
    interpreter_needed: bool
    accessibility_needs: list[AccessibilityNeed]
    safe_contact_times: str | None
    safety_flags: list[SafetyFlag]
    opted_out: bool
    opted_out_on: date | None
    pin_issued: bool
    erased: bool
    version: int
    created_at: datetime
    updated_at: datetime


class VictimPage(Page[VictimPublic]):
    pass


class ConsentCreate(_Input):
    purpose: ConsentPurpose
    decision: ConsentDecision
    legal_basis: LegalBasis


class ConsentPublic(BaseModel):
    id: str
    victim_id: str
    purpose: ConsentPurpose
    decision: ConsentDecision
    legal_basis: LegalBasis
    recorded_at: datetime
    recorded_by: str


class ConsentHistory(BaseModel):
    """Every decision, oldest first, and the one in force per purpose."""

    items: list[ConsentPublic]
    current: dict[str, ConsentDecision] = Field(
        description="The decision in force per purpose; a purpose never decided is absent."
    )


class PinIssued(BaseModel):
    pin: str = Field(description="The new PIN. Shown this once; only its hash is kept.")
    issued_at: datetime


class SafetyOverride(_Input):
    reason: OverrideReason


class ContactCreate(_Input):
    method: ContactMethod
    direction: Direction
    outcome: ContactOutcome
    summary: Summary | None = None
    contacted_at: BoundedDateTime | None = Field(default=None, description="Default: now.")
    duty_ids: list[Annotated[str, Field(pattern=UUID_PATTERN)]] = Field(
        default_factory=list,
        max_length=20,
        description="The case's open Victims' Code duties this contact meets.",
    )
    safety_override: SafetyOverride | None = Field(
        default=None,
        description="Staff only: use a method flagged unsafe, with a reason. Audited.",
    )


class ContactPublic(BaseModel):
    id: str
    victim_id: str
    case_id: str
    method: ContactMethod
    direction: Direction
    outcome: ContactOutcome
    summary: str | None
    contacted_at: datetime
    recorded_at: datetime
    made_by: str
    duty_ids: list[str]
    override_reason: str | None


class ContactPage(Page[ContactPublic]):
    pass


class VictimExport(BaseModel):
    """Everything held about the person (subject access)."""

    victim: VictimPublic
    consents: list[ConsentPublic]
    contacts: list[ContactPublic]
    verification: dict[str, bool] = Field(
        description="Which verification secrets are set (their hashes are never disclosed)."
    )
    exported_at: datetime
