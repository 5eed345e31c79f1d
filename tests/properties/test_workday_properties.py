"""Working-day arithmetic (cases/workdays.py): adding then counting round-trips,
and a due date never falls on a weekend or an England and Wales bank holiday."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta

from hypothesis import given
from hypothesis import strategies as st

from victim_api.cases.workdays import (
    LONDON,
    add_working_days,
    bank_holidays,
    counts_from,
    is_working_day,
)

STARTS = st.datetimes(
    min_value=datetime(2020, 1, 1), max_value=datetime(2035, 12, 31), timezones=st.just(UTC)
)
DAYS = st.integers(min_value=0, max_value=120)
CUTOFFS = st.sampled_from([time(17, 0), time(12, 0), time(23, 59)])
EXTRA = st.sets(st.dates(min_value=date(2020, 1, 1), max_value=date(2036, 6, 30)), max_size=5)


def _working_days_after(first: date, last: date, extra: set[date]) -> int:
    """Working days in (first, last], counted one day at a time."""
    count, day = 0, first
    while day < last:
        day += timedelta(days=1)
        count += is_working_day(day, extra)
    return count


@given(STARTS, DAYS, CUTOFFS, EXTRA)
def test_adding_then_counting_round_trips(start, n, cutoff, extra) -> None:
    origin = counts_from(start, cutoff, extra)
    due = add_working_days(start, n, cutoff, extra)
    assert _working_days_after(origin, due, extra) == n


@given(STARTS, DAYS, CUTOFFS, EXTRA)
def test_a_due_date_is_a_working_day(start, n, cutoff, extra) -> None:
    due = add_working_days(start, n, cutoff, extra)
    assert due.weekday() < 5
    assert due not in bank_holidays(due.year)
    assert due not in extra


@given(STARTS, DAYS, CUTOFFS)
def test_one_more_day_is_always_later(start, n, cutoff) -> None:
    assert add_working_days(start, n + 1, cutoff) > add_working_days(start, n, cutoff)


@given(STARTS, CUTOFFS)
def test_the_count_starts_on_or_after_the_london_day(start, cutoff) -> None:
    origin = counts_from(start, cutoff)
    local = start.astimezone(LONDON)
    assert origin >= local.date()
    if is_working_day(local.date()) and local.time() < cutoff:
        assert origin == local.date()
    else:
        assert origin > local.date()
        assert is_working_day(origin)
