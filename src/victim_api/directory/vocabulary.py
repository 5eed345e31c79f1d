"""The directory's fixed vocabulary: built-in taxonomies, their terms, and area codes.

Three taxonomies are built in (migration 0005_directory writes the same rows;
a test keeps the two in step):

- ``crime-types`` mirrors ``victim_api.reference.data.CRIME_TYPES``: a service
  linked to a term accepts victims of that crime type.
- ``victim-needs``: what a service helps with (ISVA, IDVA, housing, ...).
- ``referral-routes``: whether a service takes police referrals and whether a
  victim may refer themselves.

Every built-in id is a UUIDv5 under :data:`NAMESPACE`, so the ids are the same
in every database and in every export.
"""

from __future__ import annotations

import re
import uuid
from dataclasses import dataclass

from victim_api.reference.data import BOROUGHS, CRIME_TYPES

NAMESPACE = uuid.UUID("bc147c94-4282-4154-a150-3e0c035809a9")

HSDS_VERSION = "3.0"
UK_PROFILE_URL = "https://github.com/OpenReferralUK/uk-profile/blob/main/docs/index.md"
TAXONOMY_BASE_URI = "https://victim-api.example.police.uk/taxonomies/"


def stable_id(*parts: str) -> str:
    """A UUIDv5 from ``parts``: the same input always names the same record."""
    return str(uuid.uuid5(NAMESPACE, "/".join(parts)))


@dataclass(frozen=True)
class Term:
    code: str
    name: str
    description: str


@dataclass(frozen=True)
class BuiltInTaxonomy:
    slug: str
    name: str
    description: str
    terms: tuple[Term, ...]

    @property
    def id(self) -> str:
        return stable_id("taxonomy", self.slug)

    @property
    def uri(self) -> str:
        return TAXONOMY_BASE_URI + self.slug

    def term_id(self, code: str) -> str:
        return stable_id("taxonomy", self.slug, "term", code)


CRIME_TYPES_TAXONOMY = BuiltInTaxonomy(
    slug="crime-types",
    name="Crime types",
    description="The crime types a service accepts victims of. Codes are the API's "
    "crime-type codes (GET /v1/reference/crime-types).",
    terms=tuple(Term(c.code, c.label, f"Victims of {c.label.lower()}.") for c in CRIME_TYPES),
)

VICTIM_NEEDS_TAXONOMY = BuiltInTaxonomy(
    slug="victim-needs",
    name="Victim needs",
    description="What a support service helps victims of crime with.",
    terms=(
        Term("EMOTIONAL_SUPPORT", "Emotional support", "Someone to talk to after a crime."),
        Term(
            "PRACTICAL_HELP",
            "Practical help",
            "Help with forms, repairs, lock changes and other practical matters.",
        ),
        Term(
            "ISVA",
            "Independent Sexual Violence Adviser",
            "An ISVA for victims of rape and sexual abuse.",
        ),
        Term(
            "IDVA",
            "Independent Domestic Violence Adviser",
            "An IDVA for victims of domestic abuse at high risk.",
        ),
        Term("HOUSING", "Housing and refuge", "Emergency accommodation, refuge and rehousing."),
        Term("LEGAL_ADVICE", "Legal advice", "Advice on protective orders and legal rights."),
        Term(
            "COURT_SUPPORT",
            "Court and witness support",
            "Support before, during and after giving evidence.",
        ),
        Term("COUNSELLING", "Counselling", "Counselling and therapy for the effects of crime."),
        Term("TRANSLATION", "Interpreting", "Support in languages other than English."),
        Term(
            "YOUTH_SUPPORT",
            "Children and young people",
            "Support designed for victims under 18 and their families.",
        ),
        Term(
            "FINANCIAL",
            "Financial help",
            "Help with compensation claims, debt and recovering money lost to crime.",
        ),
        Term("BEREAVEMENT", "Bereavement support", "Support for families bereaved by crime."),
        Term(
            "ADVOCACY",
            "Advocacy",
            "Someone to speak up for the victim with agencies (hate crime, trafficking).",
        ),
        Term(
            "SAFETY_PLANNING",
            "Safety planning",
            "Planning to stay safe, including home security.",
        ),
        Term(
            "RESTORATIVE_JUSTICE",
            "Restorative justice",
            "Safe, facilitated communication with the offender, if the victim wants it.",
        ),
    ),
)

POLICE_REFERRAL = "POLICE_REFERRAL"
SELF_REFERRAL = "SELF_REFERRAL"

REFERRAL_ROUTES_TAXONOMY = BuiltInTaxonomy(
    slug="referral-routes",
    name="Referral routes",
    description="How victims can reach a service.",
    terms=(
        Term(POLICE_REFERRAL, "Accepts police referrals", "The police may refer victims."),
        Term(SELF_REFERRAL, "Self-referral", "Victims may contact the service themselves."),
    ),
)

BUILT_IN_TAXONOMIES = (CRIME_TYPES_TAXONOMY, VICTIM_NEEDS_TAXONOMY, REFERRAL_ROUTES_TAXONOMY)
BUILT_IN_TAXONOMY_IDS = frozenset(t.id for t in BUILT_IN_TAXONOMIES)
NEED_CODES = tuple(t.code for t in VICTIM_NEEDS_TAXONOMY.terms)

# term id -> (taxonomy slug, code), for every built-in term.
BUILT_IN_TERMS: dict[str, tuple[str, str]] = {
    taxonomy.term_id(term.code): (taxonomy.slug, term.code)
    for taxonomy in BUILT_IN_TAXONOMIES
    for term in taxonomy.terms
}

# Service areas. A service area names a borough by its ONS GSS code at the end of
# its `uri` (or by the borough's name); the London region covers all 33.
GSS_URI_BASE = "http://statistics.data.gov.uk/id/statistical-geography/"
LONDON_GSS_CODE = "E12000007"
LONDON_AREA_NAMES = frozenset({"london", "greater london"})
_GSS_AT_END = re.compile(r"(E\d{8})/?$")
_BOROUGH_BY_GSS = {b.ons_code: b.code for b in BOROUGHS}
_BOROUGH_BY_NAME = {b.name.casefold(): b.code for b in BOROUGHS}
ALL_BOROUGH_CODES = tuple(b.code for b in BOROUGHS)


def boroughs_of_area(name: str | None, uri: str | None) -> tuple[str, ...]:
    """The borough codes a service area covers: its GSS code first, else its name."""
    if uri:
        match = _GSS_AT_END.search(uri.strip())
        if match:
            code = match.group(1)
            if code == LONDON_GSS_CODE:
                return ALL_BOROUGH_CODES
            if code in _BOROUGH_BY_GSS:
                return (_BOROUGH_BY_GSS[code],)
    key = (name or "").strip().casefold()
    if key in LONDON_AREA_NAMES:
        return ALL_BOROUGH_CODES
    if key in _BOROUGH_BY_NAME:
        return (_BOROUGH_BY_NAME[key],)
    return ()


# Service status: HSDS words in the database and on /openreferral; UPPER_SNAKE on /v1.


def status_to_api(hsds_status: str) -> str:
    return hsds_status.upper().replace(" ", "_")


def status_to_hsds(api_status: str) -> str:
    return api_status.lower().replace("_", " ")


WEEKDAYS = ("MO", "TU", "WE", "TH", "FR", "SA", "SU")
