"""Working days between a report and a referral (the report's median)."""

from __future__ import annotations

from datetime import datetime

import pytest

from victim_api.cases.workdays import add_working_days, working_days_between


def _at(text: str) -> datetime:
    return datetime.fromisoformat(text)


@pytest.mark.parametrize(
    ("start", "end", "days"),
    [
        ("2026-05-01T09:00:00Z", "2026-05-01T15:00:00Z", 0),  # same working day
        ("2026-05-01T09:00:00Z", "2026-05-05T10:00:00Z", 1),  # over the bank holiday
        ("2026-05-01T17:30:00Z", "2026-05-05T10:00:00Z", 0),  # after the cut-off: counts Tue
        ("2026-05-22T09:00:00Z", "2026-05-28T09:00:00Z", 3),  # over Monday 25 May
        ("2026-05-01T09:00:00Z", "2026-05-02T10:00:00Z", 1),  # a Saturday: the next WD
    ],
)
def test_working_days_between(start: str, end: str, days: int) -> None:
    assert working_days_between(_at(start), _at(end)) == days


def test_a_referral_on_its_due_date_is_within_its_timescale() -> None:
    start = _at("2026-08-27T11:00:00Z")  # Thursday before the summer bank holiday
    due_on = add_working_days(start, 2)
    assert due_on.isoformat() == "2026-09-01"
    on_due_day = datetime.fromisoformat(f"{due_on.isoformat()}T12:00:00+01:00")
    assert working_days_between(start, on_due_day) == 2
