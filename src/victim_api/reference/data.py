"""Reference data: the crime-type taxonomy and London's boroughs.

Codes are stable identifiers used across the API, the directory's eligibility
rules and reports; labels may be reworded. Both lists are extensible: a client
must accept a code it does not know. The seeded tables (migration
0003_reference) hold the same rows; a test keeps the two in step.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class CrimeType:
    code: str
    label: str
    category: str
    # On the Victims' Code list of "most serious crime": enhanced rights follow.
    most_serious: bool
    # Relative frequency in a London-like year (synthetic data and benchmarks).
    weight: int


CRIME_TYPES: tuple[CrimeType, ...] = (
    CrimeType("BURGLARY_RESIDENTIAL", "Burglary of a home", "PROPERTY", False, 60),
    CrimeType("ROBBERY", "Robbery", "VIOLENCE", False, 35),
    CrimeType("THEFT", "Theft", "PROPERTY", False, 300),
    CrimeType("VEHICLE_CRIME", "Vehicle crime", "PROPERTY", False, 110),
    CrimeType("CRIMINAL_DAMAGE", "Criminal damage", "PROPERTY", False, 60),
    CrimeType("ASSAULT", "Assault", "VIOLENCE", False, 150),
    CrimeType("WOUNDING_GBH_WITH_INTENT", "Wounding or GBH with intent", "VIOLENCE", True, 8),
    CrimeType("DOMESTIC_ABUSE", "Domestic abuse", "DOMESTIC", True, 90),
    CrimeType("SEXUAL_OFFENCE", "Sexual offence", "SEXUAL", True, 22),
    CrimeType("STALKING_HARASSMENT", "Stalking or harassment", "HARASSMENT", False, 70),
    CrimeType("HATE_CRIME", "Hate crime", "HATE", True, 20),
    CrimeType("FRAUD", "Fraud", "FRAUD", False, 50),
    CrimeType("ARSON_ENDANGER_LIFE", "Arson with intent to endanger life", "PROPERTY", True, 1),
    CrimeType("ATTEMPTED_MURDER", "Attempted murder", "VIOLENCE", True, 1),
    CrimeType("HOMICIDE", "Homicide", "VIOLENCE", True, 1),
    CrimeType("KIDNAP_FALSE_IMPRISONMENT", "Kidnap or false imprisonment", "VIOLENCE", True, 2),
    CrimeType("HUMAN_TRAFFICKING", "Human trafficking or modern slavery", "EXPLOITATION", True, 2),
    CrimeType("TERRORISM", "Terrorism", "TERRORISM", True, 1),
)


@dataclass(frozen=True)
class Borough:
    code: str
    name: str
    ons_code: str


BOROUGHS: tuple[Borough, ...] = (
    Borough("CITY_OF_LONDON", "City of London", "E09000001"),
    Borough("BARKING_AND_DAGENHAM", "Barking and Dagenham", "E09000002"),
    Borough("BARNET", "Barnet", "E09000003"),
    Borough("BEXLEY", "Bexley", "E09000004"),
    Borough("BRENT", "Brent", "E09000005"),
    Borough("BROMLEY", "Bromley", "E09000006"),
    Borough("CAMDEN", "Camden", "E09000007"),
    Borough("CROYDON", "Croydon", "E09000008"),
    Borough("EALING", "Ealing", "E09000009"),
    Borough("ENFIELD", "Enfield", "E09000010"),
    Borough("GREENWICH", "Greenwich", "E09000011"),
    Borough("HACKNEY", "Hackney", "E09000012"),
    Borough("HAMMERSMITH_AND_FULHAM", "Hammersmith and Fulham", "E09000013"),
    Borough("HARINGEY", "Haringey", "E09000014"),
    Borough("HARROW", "Harrow", "E09000015"),
    Borough("HAVERING", "Havering", "E09000016"),
    Borough("HILLINGDON", "Hillingdon", "E09000017"),
    Borough("HOUNSLOW", "Hounslow", "E09000018"),
    Borough("ISLINGTON", "Islington", "E09000019"),
    Borough("KENSINGTON_AND_CHELSEA", "Kensington and Chelsea", "E09000020"),
    Borough("KINGSTON_UPON_THAMES", "Kingston upon Thames", "E09000021"),
    Borough("LAMBETH", "Lambeth", "E09000022"),
    Borough("LEWISHAM", "Lewisham", "E09000023"),
    Borough("MERTON", "Merton", "E09000024"),
    Borough("NEWHAM", "Newham", "E09000025"),
    Borough("REDBRIDGE", "Redbridge", "E09000026"),
    Borough("RICHMOND_UPON_THAMES", "Richmond upon Thames", "E09000027"),
    Borough("SOUTHWARK", "Southwark", "E09000028"),
    Borough("SUTTON", "Sutton", "E09000029"),
    Borough("TOWER_HAMLETS", "Tower Hamlets", "E09000030"),
    Borough("WALTHAM_FOREST", "Waltham Forest", "E09000031"),
    Borough("WANDSWORTH", "Wandsworth", "E09000032"),
    Borough("WESTMINSTER", "Westminster", "E09000033"),
)

CRIME_TYPE_CODES = frozenset(c.code for c in CRIME_TYPES)
BOROUGH_CODES = frozenset(b.code for b in BOROUGHS)
CRIME_TYPES_BY_CODE = {c.code: c for c in CRIME_TYPES}
BOROUGHS_BY_CODE = {b.code: b for b in BOROUGHS}
