"""Working days in England and Wales, for Victims' Code deadlines. Pure functions.

* A working day is Monday to Friday, except the England and Wales bank holidays
  (``holidays.country_holidays("GB", subdiv="ENG")``, which works offline; England
  and Wales share the same bank holidays, and a test checks the package agrees)
  and any extra non-working days configured.
* Times are read in Europe/London. An event at or after the cut-off time of day,
  or on a day that is not a working day, counts from the next working day.
* ``n`` working days after an event is the date reached by stepping over ``n``
  working days from the day it counts from: an event on Monday morning with a
  1-working-day timescale is due by the end of Tuesday.
* A duty is due by the end of its due date in London; :func:`deadline` is the
  first instant after that (midnight London, as UTC).
"""

from __future__ import annotations

from collections.abc import Collection
from datetime import UTC, date, datetime, time, timedelta
from functools import lru_cache
from zoneinfo import ZoneInfo

import holidays

LONDON = ZoneInfo("Europe/London")
DEFAULT_CUTOFF = time(17, 0)
_NONE: frozenset[date] = frozenset()


@lru_cache(maxsize=256)
def bank_holidays(year: int) -> frozenset[date]:
    """England and Wales bank holidays in ``year`` (substitute days included)."""
    return frozenset(holidays.country_holidays("GB", subdiv="ENG", years=year).keys())


def is_working_day(day: date, extra_holidays: Collection[date] = _NONE) -> bool:
    return day.weekday() < 5 and day not in bank_holidays(day.year) and day not in extra_holidays


def next_working_day(day: date, extra_holidays: Collection[date] = _NONE) -> date:
    """The first working day strictly after ``day``."""
    day += timedelta(days=1)
    while not is_working_day(day, extra_holidays):
        day += timedelta(days=1)
    return day


def counts_from(
    start: datetime, cutoff: time = DEFAULT_CUTOFF, extra_holidays: Collection[date] = _NONE
) -> date:
    """The working day an event at ``start`` counts from (London time, cut-off applied)."""
    if start.tzinfo is None:
        raise ValueError("start must be timezone-aware")
    local = start.astimezone(LONDON)
    day = local.date()
    if is_working_day(day, extra_holidays) and local.time() < cutoff:
        return day
    return next_working_day(day, extra_holidays)


def add_working_days(
    start: datetime,
    n: int,
    cutoff: time = DEFAULT_CUTOFF,
    extra_holidays: Collection[date] = _NONE,
) -> date:
    """The due date ``n`` working days after an event at ``start``."""
    if n < 0:
        raise ValueError("n must not be negative")
    day = counts_from(start, cutoff, extra_holidays)
    for _ in range(n):
        day = next_working_day(day, extra_holidays)
    return day


def deadline(due_on: date) -> datetime:
    """The first instant (UTC) after the end of ``due_on`` in London."""
    return datetime.combine(due_on + timedelta(days=1), time(0), LONDON).astimezone(UTC)


def working_days_between(
    start: datetime,
    end: datetime,
    cutoff: time = DEFAULT_CUTOFF,
    extra_holidays: Collection[date] = _NONE,
) -> int:
    """How many working days after an event at ``start`` the moment ``end`` falls: the
    smallest ``n`` whose due date (:func:`add_working_days`) is on or after ``end``'s
    London date. So something done by its due date is within its timescale."""
    if end.tzinfo is None:
        raise ValueError("end must be timezone-aware")
    day = counts_from(start, cutoff, extra_holidays)
    end_day = end.astimezone(LONDON).date()
    steps = 0
    while day < end_day:
        day = next_working_day(day, extra_holidays)
        steps += 1
    return steps
