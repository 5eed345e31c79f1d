"""Request and response models of the callbacks domain."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field, StrictInt, model_validator

from victim_api.platform.clock import utcnow
from victim_api.platform.pagination import Page
from victim_api.platform.types import TEXT_PATTERN, UUID_PATTERN, UtcDateTime

MAX_PREFERRED_TIMES = 5


class CallbackReason(StrEnum):
    """Why the victim wants a call. Extensible: clients should accept new values."""

    CASE_UPDATE = "CASE_UPDATE"
    SUPPORT = "SUPPORT"
    SAFETY_CONCERN = "SAFETY_CONCERN"
    COMPLAINT = "COMPLAINT"
    OTHER = "OTHER"


class CallbackStatus(StrEnum):
    REQUESTED = "REQUESTED"
    CLAIMED = "CLAIMED"
    COMPLETED = "COMPLETED"


class CallbackOutcome(StrEnum):
    """How the callback ended. SPOKE_TO_VICTIM, VOICEMAIL_LEFT and NO_ANSWER log a
    phone-call contact; UNSAFE_TO_CALL logs none (no call was made)."""

    SPOKE_TO_VICTIM = "SPOKE_TO_VICTIM"
    VOICEMAIL_LEFT = "VOICEMAIL_LEFT"
    NO_ANSWER = "NO_ANSWER"
    UNSAFE_TO_CALL = "UNSAFE_TO_CALL"


def _text(max_length: int, description: str) -> Any:
    return Field(min_length=1, max_length=max_length, pattern=TEXT_PATTERN, description=description)


class _Input(BaseModel):
    model_config = ConfigDict(extra="forbid", populate_by_name=True)


class TimeWindow(_Input):
    """A window in which the victim can safely take a call."""

    from_: UtcDateTime = Field(alias="from", description="Start (RFC 3339), in the future.")
    to: UtcDateTime = Field(description="End (RFC 3339), after `from`.")

    @model_validator(mode="after")
    def _ordered_and_future(self) -> TimeWindow:
        if self.to <= self.from_:
            raise ValueError("`to` must be after `from`")
        if self.to <= utcnow():
            raise ValueError("a preferred time must be in the future")
        return self


class CallbackCreate(_Input):
    preferred_times: list[TimeWindow] = Field(
        min_length=1,
        max_length=MAX_PREFERRED_TIMES,
        description=f"1 to {MAX_PREFERRED_TIMES} windows when a call is safe and convenient.",
    )
    reason: CallbackReason
    note: Annotated[str, _text(300, "A short note for the caller (optional).")] | None = None


class TimeWindowPublic(BaseModel):
    model_config = ConfigDict(populate_by_name=True)

    from_: datetime = Field(alias="from", serialization_alias="from")
    to: datetime


class CallbackVictimPublic(BaseModel):
    """What the victim sees of their own request."""

    id: str
    status: CallbackStatus
    reason: CallbackReason
    preferred_times: list[TimeWindowPublic]
    requested_at: datetime
    due_by: datetime = Field(description="When staff aim to have called back by.")
    completed_at: datetime | None = None


class CallbackVictimPage(Page[CallbackVictimPublic]):
    pass


class CallbackPublic(BaseModel):
    """The staff view: ids, what was asked and when, and who is handling it. No phone
    number: call the victim's safe contact methods (`GET /v1/victims/{victim_id}`)."""

    id: str
    case_id: str
    victim_id: str
    status: CallbackStatus
    reason: CallbackReason
    note: str | None
    preferred_times: list[TimeWindowPublic]
    channel: str = Field(description="PHONE or WEB: where the victim asked.")
    requested_at: datetime
    due_by: datetime
    overdue: bool = Field(description="Not completed, and `due_by` has passed.")
    claimed_by: str | None
    claimed_at: datetime | None
    completed_by: str | None
    completed_at: datetime | None
    outcome: CallbackOutcome | None
    summary: str | None
    contact_id: str | None = Field(description="The contact-log entry the completion wrote.")
    version: int


class CallbackPage(Page[CallbackPublic]):
    pass


class CallbackCompletion(_Input):
    outcome: CallbackOutcome
    summary: Annotated[str, _text(1000, "What was said (kept in the contact log).")] | None = None
    duty_ids: list[Annotated[str, Field(pattern=UUID_PATTERN)]] = Field(
        default_factory=list,
        max_length=20,
        description="Open Victims' Code duties of the case this call discharged "
        "(SPOKE_TO_VICTIM only).",
    )


class FeedbackCreate(_Input):
    rating: Annotated[StrictInt, Field(ge=1, le=5, description="1 (poor) to 5 (very good).")]
    comment: Annotated[str, _text(2000, "Free text (optional). Never logged.")] | None = None


class FeedbackPublic(BaseModel):
    id: str
    rating: int
    submitted_at: datetime
