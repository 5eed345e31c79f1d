"""Response models of the compliance report."""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum

from pydantic import BaseModel, Field


class GroupBy(StrEnum):
    DUTY_TYPE = "duty_type"
    BOROUGH = "borough"
    TEAM = "team"
    MONTH = "month"


class DutyFigures(BaseModel):
    duties_due: int = Field(description="Duties whose due date is in the period.")
    met_on_time: int
    met_late: int
    overdue: int = Field(description="Still open, and past their due time.")
    waived: int
    pending: int = Field(description="Still open and not yet due (a period ending in the future).")
    on_time_percent: float | None = Field(
        description="met_on_time / (met_on_time + met_late + overdue) * 100, to one decimal "
        "place; null when none of those. Waived and pending duties are left out."
    )


class DutyGroup(DutyFigures):
    group: str = Field(
        description="The event type, borough code, team (`(no team)` when the case has "
        "none) or month (`YYYY-MM`, London)."
    )


class DutyReport(BaseModel):
    groups: list[DutyGroup]
    total: DutyFigures


class ReferralFigures(BaseModel):
    victims: int = Field(description="People on cases reported in the period.")
    offered_referral: int = Field(description="Of those, people referred to a support service.")
    offered_percent: float | None
    median_working_days_to_referral: float | None = Field(
        description="From the report to the first referral, in working days (England and "
        "Wales bank holidays excluded; the same counting as duty deadlines)."
    )


class CallbackFigures(BaseModel):
    completed: int = Field(description="Callbacks requested in the period and completed.")
    median_hours_to_callback: float | None


class FeedbackFigures(BaseModel):
    count: int
    average_rating: float | None = Field(description="1 to 5, to two decimal places.")


class ComplianceReport(BaseModel):
    from_: date = Field(alias="from", serialization_alias="from")
    to: date
    borough: str | None
    group_by: GroupBy
    generated_at: datetime
    duties: DutyReport
    referrals: ReferralFigures
    callbacks: CallbackFigures
    feedback: FeedbackFigures
