"""Working-day arithmetic for Victims' Code deadlines (England and Wales)."""

from __future__ import annotations

from datetime import UTC, date, datetime, time

import holidays
import pytest

from victim_api.cases.workdays import (
    LONDON,
    add_working_days,
    bank_holidays,
    counts_from,
    deadline,
    is_working_day,
)

CUTOFF = time(17, 0)


def london(*parts: int) -> datetime:
    return datetime(*parts, tzinfo=LONDON)  # type: ignore[misc]


def test_england_and_wales_share_their_bank_holidays() -> None:
    for year in range(2000, 2041):
        england = holidays.country_holidays("GB", subdiv="ENG", years=year)
        wales = holidays.country_holidays("GB", subdiv="WLS", years=year)
        assert set(england) == set(wales), year


def test_bank_holidays_include_substitute_days() -> None:
    assert date(2026, 12, 28) in bank_holidays(2026)  # Boxing Day (substitute)
    assert date(2027, 12, 27) in bank_holidays(2027)  # Christmas Day (substitute)
    assert date(2022, 9, 19) in bank_holidays(2022)  # a one-off: a state funeral
    assert not is_working_day(date(2026, 4, 3))  # Good Friday
    assert is_working_day(date(2026, 4, 7))


@pytest.mark.parametrize(
    ("start", "days", "due"),
    [
        # A plain week: Monday morning + 1 is Tuesday; + 5 is next Monday.
        (london(2026, 11, 30, 10, 0), 1, date(2026, 12, 1)),
        (london(2026, 11, 30, 10, 0), 5, date(2026, 12, 7)),
        # Weekends: Friday + 1 is Monday; Saturday and Sunday count from Monday.
        (london(2026, 12, 4, 10, 0), 1, date(2026, 12, 7)),
        (london(2026, 12, 5, 10, 0), 1, date(2026, 12, 8)),
        (london(2026, 12, 6, 23, 0), 5, date(2026, 12, 14)),
        # The cut-off: at or after 17:00 counts from the next working day.
        (london(2026, 12, 4, 16, 59), 1, date(2026, 12, 7)),
        (london(2026, 12, 4, 17, 0), 1, date(2026, 12, 8)),
        (london(2026, 12, 4, 18, 30), 5, date(2026, 12, 14)),
        # Easter 2026: Good Friday 3 April, Easter Monday 6 April.
        (london(2026, 4, 2, 10, 0), 1, date(2026, 4, 7)),
        (london(2026, 4, 2, 10, 0), 5, date(2026, 4, 13)),
        (london(2026, 4, 3, 10, 0), 1, date(2026, 4, 8)),
        (london(2026, 4, 2, 17, 30), 1, date(2026, 4, 8)),
        # Christmas 2026: Friday 25, Saturday 26, Monday 28 (substitute).
        (london(2026, 12, 24, 10, 0), 1, date(2026, 12, 29)),
        (london(2026, 12, 24, 10, 0), 2, date(2026, 12, 30)),
        # ... and New Year: Friday 1 January 2027.
        (london(2026, 12, 24, 10, 0), 5, date(2027, 1, 5)),
        (london(2026, 12, 31, 17, 30), 1, date(2027, 1, 5)),
        (london(2026, 12, 31, 10, 0), 1, date(2027, 1, 4)),
        (london(2027, 1, 1, 9, 0), 2, date(2027, 1, 6)),
        # Christmas 2027 falls at a weekend: Monday 27 and Tuesday 28 are holidays.
        (london(2027, 12, 24, 12, 0), 1, date(2027, 12, 29)),
        # Ten working days over Christmas and New Year (complaints, reviews).
        (london(2026, 12, 21, 9, 0), 10, date(2027, 1, 7)),
        # Zero days: the day the event counts from.
        (london(2026, 12, 5, 9, 0), 0, date(2026, 12, 7)),
    ],
)
def test_due_dates(start: datetime, days: int, due: date) -> None:
    assert add_working_days(start, days, CUTOFF) == due


def test_standard_and_enhanced_timescales_over_christmas() -> None:
    arrested = london(2026, 12, 24, 11, 0)
    assert add_working_days(arrested, 5, CUTOFF) == date(2027, 1, 5)  # standard
    assert add_working_days(arrested, 1, CUTOFF) == date(2026, 12, 29)  # enhanced


def test_the_cut_off_is_london_time_in_summer() -> None:
    # 16:30 UTC on a June weekday is 17:30 in London (BST): after the cut-off.
    after = datetime(2026, 6, 3, 16, 30, tzinfo=UTC)
    before = datetime(2026, 6, 3, 15, 30, tzinfo=UTC)
    assert counts_from(after, CUTOFF) == date(2026, 6, 4)
    assert counts_from(before, CUTOFF) == date(2026, 6, 3)


def test_the_cut_off_is_configurable() -> None:
    start = london(2026, 12, 1, 16, 0)
    assert add_working_days(start, 1, time(17, 0)) == date(2026, 12, 2)
    assert add_working_days(start, 1, time(15, 30)) == date(2026, 12, 3)


def test_extra_non_working_days_are_skipped() -> None:
    start = london(2026, 12, 1, 10, 0)
    assert add_working_days(start, 1, CUTOFF, {date(2026, 12, 2)}) == date(2026, 12, 3)


def test_a_deadline_is_the_end_of_the_due_day_in_london() -> None:
    assert deadline(date(2026, 12, 1)) == datetime(2026, 12, 2, 0, 0, tzinfo=UTC)
    assert deadline(date(2026, 6, 3)) == datetime(2026, 6, 3, 23, 0, tzinfo=UTC)  # BST


def test_naive_times_and_negative_days_are_refused() -> None:
    with pytest.raises(ValueError, match="timezone"):
        add_working_days(datetime(2026, 12, 1, 10, 0), 1, CUTOFF)
    with pytest.raises(ValueError, match="negative"):
        add_working_days(london(2026, 12, 1, 10, 0), -1, CUTOFF)
