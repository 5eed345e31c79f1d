"""Request and response models of the cases domain.

Input types are strict where pydantic would otherwise coerce (a number is not a
date, a string is not a boolean), and every field's rule is in the contract, so
what the contract calls valid is accepted and nothing else is.
"""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum
from typing import Annotated, Any, Literal

from pydantic import AfterValidator, BaseModel, BeforeValidator, ConfigDict, Field

from victim_api.cases.crime_reference import CrimeReference
from victim_api.cases.entitlements import EntitlementBasis, EntitlementGroup
from victim_api.cases.events import EventType, Visibility
from victim_api.cases.rules import Responsible
from victim_api.cases.transitions import CaseStatus
from victim_api.platform.errors import FieldError
from victim_api.platform.pagination import Page
from victim_api.platform.types import (
    TEXT_OK,
    TEXT_PATTERN,
    UUID_PATTERN,
    BoundedDate,
    BoundedDateTime,
)
from victim_api.reference.data import BOROUGH_CODES, CRIME_TYPE_CODES

# Shared field types live in the platform; these names are the cases domain's.
CaseDate = BoundedDate
CaseDateTime = BoundedDateTime


def _one_of(codes: frozenset[str], what: str) -> Any:
    def check(value: str) -> str:
        if value not in codes:
            raise ValueError(f"is not a known {what} code")
        return value

    return AfterValidator(check)


BoroughCode = Annotated[
    str,
    Field(
        max_length=40,
        description="A borough code from `GET /v1/reference/boroughs`.",
        json_schema_extra={"enum": sorted(BOROUGH_CODES)},
    ),
    _one_of(BOROUGH_CODES, "borough"),
]
CrimeTypeCode = Annotated[
    str,
    Field(
        max_length=40,
        description="A crime-type code from `GET /v1/reference/crime-types`.",
        json_schema_extra={"enum": sorted(CRIME_TYPE_CODES)},
    ),
    _one_of(CRIME_TYPE_CODES, "crime type"),
]
CaseId = Annotated[str, Field(pattern=UUID_PATTERN, description="The case's UUID.")]


def _text(max_length: int, description: str, example: str | None = None) -> Any:
    return Field(
        min_length=1,
        max_length=max_length,
        pattern=TEXT_PATTERN,
        description=description,
        examples=[example] if example else None,
    )


class _Input(BaseModel):
    model_config = ConfigDict(extra="forbid")


# ---------------------------------------------------------------------------
# Cases


class Officer(_Input):
    """The officer in charge: work contact details only, never personal ones."""

    name: Annotated[str, _text(120, "Name as the victim knows it.", "DC Sam Placeholder"), TEXT_OK]
    rank: Annotated[str, _text(60, "Rank.", "Detective Constable"), TEXT_OK] | None = None
    team: Annotated[str, _text(120, "Team or unit.", "Camden CID"), TEXT_OK] | None = None
    work_phone: (
        Annotated[
            str,
            Field(
                pattern=r"^\+?[0-9][0-9 ]{5,20}[0-9]$",
                max_length=24,
                description="Work phone number.",
                examples=["020 7946 0123"],
            ),
        ]
        | None
    ) = None
    work_email: (
        Annotated[
            str,
            Field(
                pattern=r"^[A-Za-z0-9._%+-]{1,64}@[A-Za-z0-9-]{1,63}(?:\.[A-Za-z0-9-]{1,63}){1,4}$",
                max_length=254,
                description="Work email address.",
                examples=["sam.placeholder@example.police.uk"],
            ),
        ]
        | None
    ) = None


class HearingKind(StrEnum):
    """The kind of court hearing. Extensible."""

    FIRST_HEARING = "FIRST_HEARING"
    PLEA = "PLEA"
    TRIAL = "TRIAL"
    SENTENCING = "SENTENCING"
    BAIL = "BAIL"
    APPEAL = "APPEAL"
    OTHER = "OTHER"


class Hearing(_Input):
    court_name: Annotated[str, _text(200, "The court.", "Southwark Crown Court"), TEXT_OK]
    starts_at: CaseDateTime = Field(description="Date and time the hearing starts.")
    address: (
        Annotated[str, _text(500, "Where the court is.", "1 English Grounds, London"), TEXT_OK]
        | None
    ) = None
    kind: HearingKind | None = None


class Outcome(_Input):
    outcome: Annotated[str, _text(500, "What the court decided.", "Guilty of burglary"), TEXT_OK]
    sentence: (
        Annotated[str, _text(500, "The sentence, if any.", "18 months in prison"), TEXT_OK] | None
    ) = None


class StatusChange(_Input):
    """Details of the event a status change records. Ignored when the status does
    not change."""

    occurred_at: CaseDateTime | None = Field(
        default=None, description="When it happened. Default: when it is recorded."
    )
    visibility: Visibility = Field(
        default=Visibility.VICTIM, description="Whether victim channels show the event."
    )
    victim_text: Annotated[str, _text(1000, "Plain English for the victim."), TEXT_OK] | None = (
        Field(
            default=None, description="Plain English for the victim. Default: a standard sentence."
        )
    )
    internal_note: (
        Annotated[str, _text(2000, "Never shown on a victim channel."), TEXT_OK] | None
    ) = None
    hearing: Hearing | None = Field(
        default=None, description="For `COURT_HEARING_SCHEDULED`: the court, date and time."
    )
    outcome: Outcome | None = Field(
        default=None, description="For `OUTCOME_RECORDED`: the outcome and any sentence."
    )


class CaseUpsert(_Input):
    """A case as the police record system holds it (the whole representation)."""

    crime_reference: CrimeReference
    borough: BoroughCode
    crime_type: CrimeTypeCode
    reported_at: CaseDateTime = Field(description="When the crime was reported.")
    offence_date: CaseDate = Field(description="The date of the offence (its first day).")
    officer: Officer | None = Field(default=None, description="The officer in charge, if any.")
    status: CaseStatus = Field(
        default=CaseStatus.REPORTED,
        description="A change must follow the transition table (docs/cases.md); "
        "otherwise 409 naming the allowed next statuses.",
    )
    status_sentence: (
        Annotated[str, _text(300, "Victim-facing status sentence."), TEXT_OK] | None
    ) = Field(
        default=None,
        description="One plain-English sentence for the victim. Default: the standard "
        "sentence for the status.",
    )
    status_change: StatusChange | None = Field(
        default=None, description="Details for the timeline event a status change records."
    )

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {
                    "crime_reference": "1234567/26",
                    "borough": "CAMDEN",
                    "crime_type": "BURGLARY_RESIDENTIAL",
                    "reported_at": "2026-11-30T21:15:00Z",
                    "offence_date": "2026-11-30",
                    "officer": {
                        "name": "DC Sam Placeholder",
                        "rank": "Detective Constable",
                        "team": "Camden CID",
                        "work_phone": "020 7946 0123",
                        "work_email": "sam.placeholder@example.police.uk",
                    },
                    "status": "SUSPECT_ARRESTED",
                    "status_change": {"occurred_at": "2026-12-01T09:30:00Z"},
                }
            ]
        },
    )


class CaseBatchItem(CaseUpsert):
    """One item of a batch upsert: a case keyed by its crime reference."""

    case_id: CaseId | None = Field(
        default=None,
        description="The id to create the case with (default: a new UUID). If the crime "
        "reference already belongs to a case, this must be its id.",
    )


class CaseLookup(_Input):
    crime_reference: CrimeReference


class OfficerPublic(BaseModel):
    name: str
    rank: str | None
    team: str | None
    work_phone: str | None
    work_email: str | None


class EntitlementPublic(BaseModel):
    group: EntitlementGroup
    basis: EntitlementBasis = Field(
        description="`CRIME_TYPE` and `VICTIM_UNDER_18` are derived automatically; "
        "`STAFF_ASSESSMENT` was recorded by staff."
    )
    reason: str
    recorded_at: datetime


class CasePublic(BaseModel):
    """A case, as staff and police systems see it."""

    id: str = Field(description="The case's UUID.")
    crime_reference: str
    borough: str
    crime_type: str
    reported_at: datetime
    offence_date: date
    officer: OfficerPublic | None
    status: CaseStatus
    status_sentence: str = Field(description="One plain-English sentence for the victim.")
    allowed_next_statuses: list[CaseStatus]
    enhanced: bool = Field(description="Whether the victims have enhanced rights.")
    entitlements: list[EntitlementPublic] = Field(description="Each with its reason.")
    version: int = Field(description='Bumped by every change; the ETag is `"v<version>"`.')
    created_at: datetime
    updated_at: datetime


class CasePage(Page[CasePublic]):
    pass


# ---------------------------------------------------------------------------
# Batch upsert

MAX_BATCH = 500


class BatchUpsertRequest(_Input):
    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {
                    "items": [
                        {
                            "crime_reference": "1234567/26",
                            "borough": "CAMDEN",
                            "crime_type": "BURGLARY_RESIDENTIAL",
                            "reported_at": "2026-11-30T21:15:00Z",
                            "offence_date": "2026-11-30",
                            "status": "UNDER_INVESTIGATION",
                        },
                        {
                            "case_id": "3f2b8a40-6c1d-4e2a-9b7e-5d4c3b2a1f00",
                            "crime_reference": "7654321/26",
                            "borough": "HACKNEY",
                            "crime_type": "ASSAULT",
                            "reported_at": "2026-11-29T14:02:00Z",
                            "offence_date": "2026-11-29",
                            "status": "SUSPECT_ARRESTED",
                            "status_change": {"occurred_at": "2026-11-30T08:15:00Z"},
                        },
                    ]
                }
            ]
        },
    )

    items: list[dict[str, Any]] = Field(
        min_length=1,
        max_length=MAX_BATCH,
        description=f"Up to {MAX_BATCH} cases, each a `CaseBatchItem`. Each item is "
        "validated on its own: any object is accepted here, a bad one gets its own error "
        "in the results and the others still land.",
        json_schema_extra={
            "items": {
                "anyOf": [
                    {"$ref": "#/components/schemas/CaseBatchItem"},
                    {"type": "object", "additionalProperties": True},
                ]
            }
        },
    )


class BatchResult(StrEnum):
    CREATED = "CREATED"
    UPDATED = "UPDATED"
    UNCHANGED = "UNCHANGED"
    ERROR = "ERROR"


class ItemProblem(BaseModel):
    """A problem with one item, shaped like a problem document."""

    model_config = ConfigDict(extra="allow")

    status: int
    code: str
    title: str
    detail: str
    errors: list[FieldError] = Field(default_factory=list)


class BatchItemResult(BaseModel):
    index: int = Field(description="The item's position in `items`, from 0.")
    result: BatchResult
    case_id: str | None = None
    version: int | None = None
    problem: ItemProblem | None = None


class BatchUpsertResponse(BaseModel):
    results: list[BatchItemResult]
    created: int
    updated: int
    unchanged: int
    failed: int


# ---------------------------------------------------------------------------
# Timeline events


class _EventInput(_Input):
    occurred_at: CaseDateTime | None = Field(
        default=None, description="When it happened. Default: when it is recorded."
    )
    internal_note: (
        Annotated[str, _text(2000, "Never shown on a victim channel."), TEXT_OK] | None
    ) = None


class _VictimFacing(_EventInput):
    visibility: Visibility = Visibility.VICTIM
    victim_text: Annotated[str, _text(1000, "Plain English for the victim."), TEXT_OK] | None = (
        Field(
            default=None, description="Plain English for the victim. Default: a standard sentence."
        )
    )


class SimpleEventCreate(_VictimFacing):
    type: Literal[
        "SUSPECT_INTERVIEWED",
        "BAIL_CONDITIONS_CHANGED",
        "BAIL_CANCELLED",
        "BAIL_HEARING_OUTCOME",
        "WARRANT_ISSUED",
        "REARREST_OUTCOME",
        "COMPLAINT_RECEIVED",
        "REVIEW_REQUESTED",
        "GENERAL_UPDATE",
    ]


class HearingEventCreate(_VictimFacing):
    type: Literal["HEARING_SCHEDULED"]
    hearing: Hearing


class OutcomeEventCreate(_VictimFacing):
    type: Literal["OUTCOME_RECORDED"]
    outcome: Outcome


class InternalNoteCreate(_Input):
    type: Literal["INTERNAL_NOTE"]
    occurred_at: CaseDateTime | None = None
    internal_note: Annotated[str, _text(2000, "The note."), TEXT_OK]


EventCreate = Annotated[
    SimpleEventCreate | HearingEventCreate | OutcomeEventCreate | InternalNoteCreate,
    Field(discriminator="type"),
]


class HearingPublic(BaseModel):
    court_name: str
    starts_at: datetime
    address: str | None
    kind: HearingKind | None


class OutcomePublic(BaseModel):
    outcome: str
    sentence: str | None


class EventPublic(BaseModel):
    """A timeline event, as staff and police systems see it."""

    id: str
    case_id: str
    type: EventType
    occurred_at: datetime
    recorded_at: datetime
    visibility: Visibility
    victim_text: str | None
    internal_note: str | None = Field(description="Never shown on a victim channel.")
    from_status: CaseStatus | None
    to_status: CaseStatus | None
    hearing: HearingPublic | None
    outcome: OutcomePublic | None


class EventPage(Page[EventPublic]):
    pass


# ---------------------------------------------------------------------------
# Entitlements


class Assessment(_Input):
    reason: Annotated[
        str,
        _text(500, "Why, in words fit for the case file.", "Harassed repeatedly since May."),
        TEXT_OK,
    ]


class StaffAssessments(_Input):
    """Staff-assessed entitlements; the whole set (absent or null is not set)."""

    persistently_targeted: Assessment | None = None
    vulnerable: Assessment | None = None
    intimidated: Assessment | None = None
    bereaved: Assessment | None = None


class CaseEntitlements(BaseModel):
    case_id: str
    enhanced: bool
    entitlements: list[EntitlementPublic]
    version: int


# ---------------------------------------------------------------------------
# Duties


class DutyState(StrEnum):
    """Computed against now: open duties are DUE or OVERDUE; closed ones MET,
    MET_LATE or WAIVED."""

    DUE = "DUE"
    OVERDUE = "OVERDUE"
    MET = "MET"
    MET_LATE = "MET_LATE"
    WAIVED = "WAIVED"


class Timescale(StrEnum):
    STANDARD = "STANDARD"
    ENHANCED = "ENHANCED"


class DutyPublic(BaseModel):
    id: str
    case_id: str
    event_id: str = Field(description="The timeline event that created the duty.")
    event_type: EventType
    obligation: str = Field(description="What the victim is owed.")
    responsible: Responsible
    timescale: Timescale
    working_days: int
    triggered_at: datetime
    due_on: date = Field(description="Due by the end of this day (Europe/London).")
    due_at: datetime = Field(description="The first instant after `due_on` ends.")
    state: DutyState
    met_at: datetime | None
    contact_id: str | None = Field(description="The contact-log entry that met the duty.")
    waived_at: datetime | None
    waiver_reason: str | None


class DutyPage(Page[DutyPublic]):
    pass


class Waiver(_Input):
    reason: Annotated[str, _text(500, "Why the duty is waived.", "The victim opted out."), TEXT_OK]


# ---------------------------------------------------------------------------
# Notification rules


class RulePublic(BaseModel):
    event_type: EventType
    obligation: str
    standard_working_days: int
    enhanced_working_days: int
    responsible: Responsible
    code_right: int = Field(description="The Victims' Code right (1 to 12) it serves.")
    active: bool
    version: int
    updated_at: datetime | None


class RuleList(BaseModel):
    items: list[RulePublic]


def _json_integer(value: Any) -> int:
    """A JSON Schema integer: a number with no fraction (so 5.0 is 5), never a string."""
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise ValueError("must be an integer")
    if isinstance(value, float) and not value.is_integer():
        raise ValueError("must be an integer")
    return int(value)


WorkingDays = Annotated[int, Field(ge=0, le=60), BeforeValidator(_json_integer)]


class RuleUpdate(_Input):
    obligation: Annotated[str, _text(300, "What the victim is owed."), TEXT_OK]
    standard_working_days: WorkingDays
    enhanced_working_days: WorkingDays
    responsible: Responsible
    active: bool = Field(strict=True, description="An inactive rule creates no duties.")


# ---------------------------------------------------------------------------
# Victim-facing views (the helpline and web issues serve these)


class VictimEvent(BaseModel):
    """A timeline event as a victim channel may show it: no internal note."""

    id: str
    type: EventType
    occurred_at: datetime
    text: str
    hearing: HearingPublic | None
    outcome: OutcomePublic | None


class VictimCaseView(BaseModel):
    """What a verified victim may hear about their case."""

    id: str
    crime_reference: str
    crime_type: str
    crime_type_label: str
    reported_at: datetime
    offence_date: date
    status: CaseStatus
    status_sentence: str
    officer: OfficerPublic | None
    enhanced: bool
    entitlement_groups: list[EntitlementGroup]
