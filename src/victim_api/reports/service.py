"""The compliance report: aggregates over other domains' facts (read through their
services). Nothing personal comes out: counts, percentages, medians."""

from __future__ import annotations

import statistics
from collections import defaultdict
from collections.abc import Callable, Iterable
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from sqlalchemy.orm import Session

from victim_api.callbacks import service as callbacks
from victim_api.cases import service as cases
from victim_api.cases.workdays import LONDON
from victim_api.platform.audit import Operation, record
from victim_api.platform.principal import Caller
from victim_api.referrals import service as referrals
from victim_api.reports.schemas import GroupBy
from victim_api.victims import service as victims

NO_TEAM = "(no team)"
GROUP_KEYS: dict[GroupBy, Callable[[cases.DutyFact], str]] = {
    GroupBy.DUTY_TYPE: lambda d: d.event_type,
    GroupBy.BOROUGH: lambda d: d.borough,
    GroupBy.TEAM: lambda d: d.team or NO_TEAM,
    GroupBy.MONTH: lambda d: d.due_on.strftime("%Y-%m"),
}


def london_midnight(day: date) -> datetime:
    # In UTC: SQLite stores datetimes without their offset, so bind UTC only.
    return datetime.combine(day, time(0), LONDON).astimezone(UTC)


def _outcome(duty: cases.DutyFact, now: datetime) -> str:
    if duty.waived:
        return "waived"
    if duty.met_at is not None:
        return "met_on_time" if duty.met_at < duty.due_at else "met_late"
    return "overdue" if now >= duty.due_at else "pending"


def _percent(part: int, whole: int, places: int = 1) -> float | None:
    return round(100 * part / whole, places) if whole else None


def figures(duties: Iterable[cases.DutyFact], now: datetime) -> dict[str, Any]:
    counts = dict.fromkeys(("met_on_time", "met_late", "overdue", "waived", "pending"), 0)
    for duty in duties:
        counts[_outcome(duty, now)] += 1
    judged = counts["met_on_time"] + counts["met_late"] + counts["overdue"]
    return {
        "duties_due": sum(counts.values()),
        **counts,
        "on_time_percent": _percent(counts["met_on_time"], judged),
    }


def duty_groups(
    duties: list[cases.DutyFact], group_by: GroupBy, now: datetime
) -> list[dict[str, Any]]:
    grouped: dict[str, list[cases.DutyFact]] = defaultdict(list)
    for duty in duties:
        grouped[GROUP_KEYS[group_by](duty)].append(duty)
    return [{"group": key, **figures(grouped[key], now)} for key in sorted(grouped)]


def _median(values: list[float], places: int) -> float | None:
    return round(float(statistics.median(values)), places) if values else None


def _referral_figures(
    session: Session,
    policy: cases.DeadlinePolicy,
    start: datetime,
    end: datetime,
    borough: str | None,
) -> dict[str, Any]:
    reported = cases.cases_reported_between(session, start=start, end=end, borough=borough)
    people = victims.victims_on_cases(session, list(reported))
    first = referrals.first_referral_at(session, list(people))
    days = [
        float(policy.working_days(reported[people[victim_id]], at))
        for victim_id, at in first.items()
    ]
    return {
        "victims": len(people),
        "offered_referral": len(first),
        "offered_percent": _percent(len(first), len(people)),
        "median_working_days_to_referral": _median(days, 1),
    }


def record_statistics(
    session: Session, caller: Caller, group_by: GroupBy, borough: str | None
) -> None:
    """The audit entry of a report: who ran which, with no subject ids."""
    record(
        session,
        caller,
        operation=Operation.CONSULTATION,
        resource_type="compliance_report",
        fields=[f"group_by:{group_by.value}", *([f"borough:{borough}"] if borough else [])],
    )


def compliance(
    session: Session,
    caller: Caller,
    *,
    first_day: date,
    last_day: date,
    borough: str | None,
    group_by: GroupBy,
    policy: cases.DeadlinePolicy,
    now: datetime,
) -> dict[str, Any]:
    """The report for the London dates [first_day, last_day]. Audited as a statistics
    query: who ran which report, with no subject ids (nothing personal is returned)."""
    start, end = london_midnight(first_day), london_midnight(last_day + timedelta(days=1))
    duties = cases.duty_facts(session, due_from=first_day, due_to=last_day, borough=borough)
    in_borough = cases.case_ids_where(borough=borough)
    hours = callbacks.callback_hours(session, start=start, end=end, case_ids=in_borough)
    ratings = callbacks.ratings(session, start=start, end=end, case_ids=in_borough)
    record_statistics(session, caller, group_by, borough)
    return {
        "from": first_day,
        "to": last_day,
        "borough": borough,
        "group_by": group_by,
        "generated_at": now,
        "duties": {
            "groups": duty_groups(duties, group_by, now),
            "total": figures(duties, now),
        },
        "referrals": _referral_figures(session, policy, start, end, borough),
        "callbacks": {"completed": len(hours), "median_hours_to_callback": _median(hours, 1)},
        "feedback": {
            "count": len(ratings),
            "average_rating": round(statistics.fmean(ratings), 2) if ratings else None,
        },
    }


def on_time_by_borough(
    session: Session, *, first_day: date, last_day: date, borough: str | None, now: datetime
) -> list[dict[str, Any]]:
    """The chart's series: on-time % per borough (whatever the report's grouping)."""
    duties = cases.duty_facts(session, due_from=first_day, due_to=last_day, borough=borough)
    return duty_groups(duties, GroupBy.BOROUGH, now)
