"""Who gets enhanced rights under the Victims' Code, with the reasons. Pure.

Derived automatically (and re-derived whenever the data changes):

* ``MOST_SERIOUS_CRIME`` because the crime type is on the Code's list of most
  serious crime (``most_serious`` in the reference taxonomy);
* ``VULNERABLE`` because a victim was under 18 on the offence date (the victims
  domain passes the birth dates through ``service.recompute_entitlements``).

Staff may also record ``PERSISTENTLY_TARGETED``, ``VULNERABLE``, ``INTIMIDATED``
or ``BEREAVED`` with a reason. Any entitlement makes the case enhanced, and its
duties follow the enhanced timescale. Reasons never hold personal data.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from enum import StrEnum

from victim_api.reference.data import CRIME_TYPES_BY_CODE


class EntitlementGroup(StrEnum):
    """Why a victim has enhanced rights. Extensible."""

    MOST_SERIOUS_CRIME = "MOST_SERIOUS_CRIME"
    PERSISTENTLY_TARGETED = "PERSISTENTLY_TARGETED"
    VULNERABLE = "VULNERABLE"
    INTIMIDATED = "INTIMIDATED"
    BEREAVED = "BEREAVED"


class EntitlementBasis(StrEnum):
    """How an entitlement was established."""

    CRIME_TYPE = "CRIME_TYPE"
    VICTIM_UNDER_18 = "VICTIM_UNDER_18"
    STAFF_ASSESSMENT = "STAFF_ASSESSMENT"


STAFF_GROUPS: tuple[EntitlementGroup, ...] = (
    EntitlementGroup.PERSISTENTLY_TARGETED,
    EntitlementGroup.VULNERABLE,
    EntitlementGroup.INTIMIDATED,
    EntitlementGroup.BEREAVED,
)
DERIVED_BASES = frozenset({EntitlementBasis.CRIME_TYPE, EntitlementBasis.VICTIM_UNDER_18})
UNDER_18_REASON = "A victim was under 18 on the offence date."


@dataclass(frozen=True)
class Entitlement:
    group: EntitlementGroup
    basis: EntitlementBasis
    reason: str


def age_on(birth_date: date, day: date) -> int:
    """Whole years of age on ``day`` (a 29 February birthday falls on 1 March)."""
    years = day.year - birth_date.year
    if (day.month, day.day) < (birth_date.month, birth_date.day):
        years -= 1
    return years


def from_crime_type(crime_type: str) -> list[Entitlement]:
    entry = CRIME_TYPES_BY_CODE.get(crime_type)
    if entry is None or not entry.most_serious:
        return []
    reason = f"{entry.label} is on the Victims' Code list of most serious crime."
    return [Entitlement(EntitlementGroup.MOST_SERIOUS_CRIME, EntitlementBasis.CRIME_TYPE, reason)]


def from_victims(offence_date: date, birth_dates: Iterable[date]) -> list[Entitlement]:
    if any(age_on(born, offence_date) < 18 for born in birth_dates):
        return [
            Entitlement(
                EntitlementGroup.VULNERABLE, EntitlementBasis.VICTIM_UNDER_18, UNDER_18_REASON
            )
        ]
    return []
