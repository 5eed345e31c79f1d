"""Write the synthetic London support-service directory (SAMPLE DATA) as HSDS JSON.

    .venv/bin/python tools/make_sample_directory.py   # rewrites the committed file

Every organisation, service, address, phone number and web address is
invented: names are fictional and marked "(Sample)", phone numbers come from
Ofcom's drama range (020 7946 0000 to 0999), web and email addresses are
under example.org, and every organisation's description starts with
"SAMPLE DATA". The file covers every London borough and every crime type. A
test keeps the committed file equal to this script's output.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "src"))

from victim_api.directory.vocabulary import (
    BUILT_IN_TAXONOMIES,
    CRIME_TYPES_TAXONOMY,
    GSS_URI_BASE,
    HSDS_VERSION,
    LONDON_GSS_CODE,
    POLICE_REFERRAL,
    REFERRAL_ROUTES_TAXONOMY,
    SELF_REFERRAL,
    UK_PROFILE_URL,
    VICTIM_NEEDS_TAXONOMY,
    stable_id,
)
from victim_api.reference.data import BOROUGHS_BY_CODE, CRIME_TYPE_CODES

OUTPUT = (
    Path(__file__).resolve().parent.parent / "src/victim_api/directory/content/sample-london.json"
)
SAMPLE_NOTE = "SAMPLE DATA: a fictional organisation invented for the demo and tests."
ALL = "ALL"
LONDON = "LONDON"

CLUSTERS: dict[str, tuple[str, ...]] = {
    "central": ("CITY_OF_LONDON", "WESTMINSTER", "KENSINGTON_AND_CHELSEA"),
    "north-central": ("CAMDEN", "ISLINGTON", "HARINGEY"),
    "north": ("BARNET", "ENFIELD", "HARROW"),
    "north-east": ("HACKNEY", "TOWER_HAMLETS", "WALTHAM_FOREST"),
    "east": ("NEWHAM", "REDBRIDGE", "BARKING_AND_DAGENHAM"),
    "outer-east": ("HAVERING", "BEXLEY", "GREENWICH"),
    "south-east": ("LEWISHAM", "SOUTHWARK", "LAMBETH"),
    "south": ("CROYDON", "BROMLEY", "SUTTON"),
    "south-west": ("WANDSWORTH", "MERTON", "KINGSTON_UPON_THAMES"),
    "west": ("RICHMOND_UPON_THAMES", "HOUNSLOW", "HILLINGDON"),
    "north-west": ("EALING", "BRENT", "HAMMERSMITH_AND_FULHAM"),
}
# A postcode district in each borough, for invented addresses ("<district> 9ZZ").
DISTRICTS = {
    "CITY_OF_LONDON": "EC2V",
    "WESTMINSTER": "W1D",
    "KENSINGTON_AND_CHELSEA": "W8",
    "CAMDEN": "NW1",
    "ISLINGTON": "N1",
    "HARINGEY": "N17",
    "BARNET": "N12",
    "ENFIELD": "EN1",
    "HARROW": "HA1",
    "HACKNEY": "E8",
    "TOWER_HAMLETS": "E1",
    "WALTHAM_FOREST": "E17",
    "NEWHAM": "E15",
    "REDBRIDGE": "IG1",
    "BARKING_AND_DAGENHAM": "IG11",
    "HAVERING": "RM1",
    "BEXLEY": "DA6",
    "GREENWICH": "SE10",
    "LEWISHAM": "SE13",
    "SOUTHWARK": "SE1",
    "LAMBETH": "SW9",
    "CROYDON": "CR0",
    "BROMLEY": "BR1",
    "SUTTON": "SM1",
    "WANDSWORTH": "SW18",
    "MERTON": "SW19",
    "KINGSTON_UPON_THAMES": "KT1",
    "RICHMOND_UPON_THAMES": "TW9",
    "HOUNSLOW": "TW3",
    "HILLINGDON": "UB8",
    "EALING": "W5",
    "BRENT": "HA9",
    "HAMMERSMITH_AND_FULHAM": "W6",
}

WEEKDAYS_9_5 = ("MO,TU,WE,TH,FR", "09:00", "17:00", "Monday to Friday, 9am to 5pm.")
WEEKDAYS_LATE = ("MO,TU,WE,TH", "10:00", "20:00", "Monday to Thursday, 10am to 8pm.")
SATURDAY = ("SA", "10:00", "14:00", "Saturday mornings, 10am to 2pm.")
ALWAYS = ("MO,TU,WE,TH,FR,SA,SU", "00:00", "24:00", "Every day, 24 hours.")
NIGHTS = ("MO,TU,WE,TH,FR,SA,SU", "20:00", "08:00", "Every night, 8pm to 8am.")
EVENINGS = ("MO,TU,WE,TH,FR", "17:00", "21:00", "Weekday evenings, 5pm to 9pm.")

LANGUAGE_NAMES = {
    "en": "English",
    "pl": "Polish",
    "bn": "Bengali",
    "so": "Somali",
    "tr": "Turkish",
    "ku": "Kurdish",
    "pt": "Portuguese",
    "es": "Spanish",
    "ro": "Romanian",
    "ar": "Arabic",
    "ur": "Urdu",
    "pa": "Punjabi",
    "ti": "Tigrinya",
    "vi": "Vietnamese",
    "sq": "Albanian",
    "bfi": "British Sign Language",
}


@dataclass(frozen=True)
class Org:
    key: str
    name: str
    about: str


@dataclass(frozen=True)
class Svc:
    slug: str
    org: str
    name: str
    description: str
    crime_types: tuple[str, ...] | str
    area: tuple[str, ...] | str
    needs: tuple[str, ...]
    languages: tuple[str, ...] = ("en",)
    ages: tuple[int | None, int | None] = (None, None)
    police: bool = True
    self_referral: bool = True
    schedules: tuple[tuple[str, str, str, str], ...] = (WEEKDAYS_9_5,)
    office: str | None = None  # borough code of a physical office; else phone and online
    eligibility: str | None = None
    extra: dict[str, Any] = field(default_factory=dict)


ORGS = [
    Org("lanternwick", "Lanternwick Victim Care (Sample)", "Borough victim care hubs."),
    Org("amberfield", "Amberfield Advocacy (Sample)", "Domestic abuse advocacy and IDVAs."),
    Org("kestrel", "Kestrel House Trust (Sample)", "Refuge, housing and safety planning."),
    Org("harebell", "Harebell Sexual Violence Service (Sample)", "ISVAs and counselling."),
    Org("quillon", "Quillon Hate Crime Partnership (Sample)", "Hate crime advocacy."),
    Org("tallyshore", "Tallyshore Fraud Recovery (Sample)", "Help after fraud and scams."),
    Org("stillwater", "Stillwater Families (Sample)", "Support for families bereaved by crime."),
    Org(
        "brightmoor", "Brightmoor Young Victims (Sample)", "Support for children and young people."
    ),
    Org("northgate", "Northgate Freedom Project (Sample)", "Support for survivors of trafficking."),
    Org("oakbench", "Oakbench Witness Support (Sample)", "Court and witness support."),
    Org("fennick", "Fennick Stalking Advocacy (Sample)", "Stalking and harassment advocacy."),
    Org("calloway", "Calloway Resilience Network (Sample)", "Support after terrorism and fire."),
    Org("saferhearth", "Saferhearth Homes (Sample)", "Home security after burglary and damage."),
    Org("meetingpoint", "Meetingpoint Restorative Justice (Sample)", "Restorative justice."),
    Org("wardle", "Wardle Violence Recovery (Sample)", "Recovery after violent crime."),
    Org("tongues", "Many Tongues Victim Support (Sample)", "Support in community languages."),
    Org("rainbowline", "Rainbowline Advocacy (Sample)", "LGBT+ victims of abuse and hate crime."),
    Org("clearcounsel", "Clearcounsel Legal Advice (Sample)", "Legal advice for victims."),
    Org("evergreen", "Evergreen Elders (Sample)", "Support for older victims of crime."),
]

NEEDS_GENERAL = ("EMOTIONAL_SUPPORT", "PRACTICAL_HELP", "COURT_SUPPORT", "FINANCIAL")
DA = ("DOMESTIC_ABUSE", "STALKING_HARASSMENT")


def _cluster_label(boroughs: Iterable[str]) -> str:
    names = [BOROUGHS_BY_CODE[b].name for b in boroughs]
    return names[0] if len(names) == 1 else ", ".join(names[:-1]) + " and " + names[-1]


def services() -> list[Svc]:
    found: list[Svc] = []
    cluster_languages = {
        "north-east": ("en", "bn", "tr"),
        "east": ("en", "bn", "ur"),
        "north-west": ("en", "so", "pa"),
        "north-central": ("en", "tr", "ku"),
        "south-east": ("en", "pt", "es"),
        "north": ("en", "ro", "pl"),
    }
    for key, boroughs in CLUSTERS.items():
        label = _cluster_label(boroughs)
        found.append(
            Svc(
                f"hub-{key}",
                "lanternwick",
                f"Victim Care Hub: {label}",
                f"Free, confidential support for anyone affected by crime in {label}, "
                "whether or not it was reported: someone to talk to, practical help, "
                "and support through the justice process.",
                ALL,
                boroughs,
                NEEDS_GENERAL,
                cluster_languages.get(key, ("en",)),
                schedules=(WEEKDAYS_9_5, SATURDAY)
                if key in ("central", "south")
                else (WEEKDAYS_9_5,),
                office=boroughs[0],
            )
        )
    idva_groups = {
        "central-north": CLUSTERS["central"] + CLUSTERS["north-central"],
        "north-west": CLUSTERS["north"] + CLUSTERS["north-west"],
        "east": CLUSTERS["north-east"] + CLUSTERS["east"],
        "south-east": CLUSTERS["outer-east"] + CLUSTERS["south-east"],
        "south-west": CLUSTERS["south"] + CLUSTERS["south-west"],
        "west": CLUSTERS["west"],
    }
    for key, boroughs in idva_groups.items():
        found.append(
            Svc(
                f"idva-{key}",
                "amberfield",
                f"IDVA Service: {_cluster_label(boroughs)}",
                "Independent Domestic Violence Advisers for victims at high risk: risk "
                "assessment, safety planning, and support through MARAC and court.",
                DA,
                boroughs,
                ("IDVA", "SAFETY_PLANNING", "COURT_SUPPORT", "EMOTIONAL_SUPPORT"),
                ages=(16, None),
                office=boroughs[0],
            )
        )
    found += [
        Svc(
            "da-helpline",
            "amberfield",
            "London Domestic Abuse Line",
            "A 24-hour line for anyone experiencing domestic abuse, and for friends and "
            "family worried about someone.",
            DA,
            LONDON,
            ("EMOTIONAL_SUPPORT", "SAFETY_PLANNING", "HOUSING"),
            ("en", "pl", "bn", "ar", "ur"),
            schedules=(ALWAYS,),
            police=True,
        ),
        Svc(
            "refuge-network",
            "kestrel",
            "Kestrel Refuge Network",
            "Emergency refuge places and resettlement support for women and children "
            "escaping domestic abuse.",
            ("DOMESTIC_ABUSE", "KIDNAP_FALSE_IMPRISONMENT"),
            LONDON,
            ("HOUSING", "SAFETY_PLANNING", "PRACTICAL_HELP"),
            schedules=(ALWAYS,),
        ),
        Svc(
            "isva-london",
            "harebell",
            "Harebell ISVA Service",
            "Independent Sexual Violence Advisers for victims of rape and sexual abuse, "
            "whenever it happened and whether or not it was reported.",
            ("SEXUAL_OFFENCE",),
            LONDON,
            ("ISVA", "COURT_SUPPORT", "EMOTIONAL_SUPPORT"),
            ("en", "pl", "ar"),
            ages=(18, None),
            schedules=(WEEKDAYS_LATE,),
        ),
        Svc(
            "isva-young",
            "harebell",
            "Harebell Young People's ISVA",
            "ISVAs who specialise in supporting children and young people after sexual "
            "abuse, and their parents or carers.",
            ("SEXUAL_OFFENCE",),
            LONDON,
            ("ISVA", "YOUTH_SUPPORT", "COURT_SUPPORT"),
            ages=(4, 17),
        ),
    ]
    for key, boroughs in (
        ("north", CLUSTERS["north"] + CLUSTERS["north-central"] + CLUSTERS["north-west"]),
        ("east", CLUSTERS["north-east"] + CLUSTERS["east"] + CLUSTERS["outer-east"]),
        ("south", CLUSTERS["south-east"] + CLUSTERS["south"] + CLUSTERS["south-west"]),
    ):
        found.append(
            Svc(
                f"sv-counselling-{key}",
                "harebell",
                f"Harebell Counselling: {key.title()} London",
                "Free specialist counselling for survivors of sexual violence, in person "
                "or by video, with evening appointments.",
                ("SEXUAL_OFFENCE", "DOMESTIC_ABUSE"),
                boroughs,
                ("COUNSELLING", "EMOTIONAL_SUPPORT"),
                ages=(16, None),
                police=False,
                schedules=(WEEKDAYS_9_5, EVENINGS),
                office=boroughs[0],
            )
        )
    found += [
        Svc(
            "hate-london",
            "quillon",
            "Quillon Hate Crime Advocacy",
            "Advocates for victims of racist, religious, homophobic, transphobic and "
            "disability hate crime and hate incidents.",
            ("HATE_CRIME", "ASSAULT", "CRIMINAL_DAMAGE", "STALKING_HARASSMENT"),
            LONDON,
            ("ADVOCACY", "EMOTIONAL_SUPPORT", "COURT_SUPPORT"),
            ("en", "ar", "ur", "pa"),
        ),
        Svc(
            "hate-disability",
            "quillon",
            "Disability Hate Crime Support",
            "Support for disabled people targeted because of their disability, including "
            "mate crime and repeated harassment.",
            ("HATE_CRIME", "STALKING_HARASSMENT", "THEFT", "FRAUD"),
            LONDON,
            ("ADVOCACY", "PRACTICAL_HELP"),
            ("en", "bfi"),
        ),
        Svc(
            "fraud-recovery",
            "tallyshore",
            "Tallyshore Fraud Recovery",
            "Help after fraud, scams and identity theft: reporting to banks, recovering "
            "money where possible, and support with the emotional impact.",
            ("FRAUD", "THEFT"),
            LONDON,
            ("FINANCIAL", "PRACTICAL_HELP", "EMOTIONAL_SUPPORT"),
            schedules=(WEEKDAYS_LATE,),
        ),
        Svc(
            "elders-support",
            "evergreen",
            "Evergreen Older Victims Service",
            "Home visits and telephone support for people aged 60 and over after fraud, "
            "doorstep crime, burglary or abuse by someone they know.",
            ("FRAUD", "BURGLARY_RESIDENTIAL", "THEFT", "DOMESTIC_ABUSE"),
            LONDON,
            ("PRACTICAL_HELP", "FINANCIAL", "SAFETY_PLANNING", "EMOTIONAL_SUPPORT"),
            ages=(60, None),
        ),
        Svc(
            "homicide-families",
            "stillwater",
            "Stillwater Families Bereaved by Crime",
            "Long-term support for families bereaved by murder and manslaughter, and for "
            "survivors of attempted murder: practical help, inquests and trials.",
            ("HOMICIDE", "ATTEMPTED_MURDER"),
            LONDON,
            ("BEREAVEMENT", "COURT_SUPPORT", "COUNSELLING", "PRACTICAL_HELP"),
            schedules=(WEEKDAYS_9_5,),
            self_referral=True,
        ),
        Svc(
            "young-victims",
            "brightmoor",
            "Brightmoor Young Victims Service",
            "Support for victims of crime aged 8 to 17, and their families, after any "
            "crime, with sessions at school, at home or online.",
            ALL,
            LONDON,
            ("YOUTH_SUPPORT", "EMOTIONAL_SUPPORT", "COURT_SUPPORT"),
            ages=(8, 17),
        ),
    ]
    for key in ("north-east", "south-east"):
        boroughs = CLUSTERS[key]
        found.append(
            Svc(
                f"youth-violence-{key}",
                "brightmoor",
                f"Youth Violence Recovery: {_cluster_label(boroughs)}",
                "Youth workers for young people hurt by knife crime, robbery or serious "
                "violence, starting in A&E and continuing in the community.",
                ("ROBBERY", "ASSAULT", "WOUNDING_GBH_WITH_INTENT"),
                boroughs,
                ("YOUTH_SUPPORT", "SAFETY_PLANNING", "EMOTIONAL_SUPPORT"),
                ages=(11, 25),
                schedules=(WEEKDAYS_LATE, SATURDAY),
                office=boroughs[0],
            )
        )
    found += [
        Svc(
            "trafficking-support",
            "northgate",
            "Northgate Freedom Project",
            "Advocacy, safe housing and interpreters for survivors of trafficking and "
            "modern slavery, including help with the National Referral Mechanism.",
            ("HUMAN_TRAFFICKING", "KIDNAP_FALSE_IMPRISONMENT"),
            LONDON,
            ("ADVOCACY", "HOUSING", "TRANSLATION", "LEGAL_ADVICE"),
            ("en", "ro", "sq", "vi", "ti", "pl"),
            schedules=(ALWAYS,),
        ),
        Svc(
            "witness-support",
            "oakbench",
            "Oakbench Court Witness Support",
            "Volunteers who explain what happens at court, arrange pre-trial visits and "
            "sit with witnesses on the day, for any crime.",
            ALL,
            LONDON,
            ("COURT_SUPPORT", "EMOTIONAL_SUPPORT"),
            self_referral=True,
            office="SOUTHWARK",
        ),
        Svc(
            "stalking-advocacy",
            "fennick",
            "Fennick Stalking Advocacy",
            "Specialist advocates for victims of stalking and harassment, online and "
            "offline, including help with protection orders.",
            ("STALKING_HARASSMENT",),
            LONDON,
            ("ADVOCACY", "SAFETY_PLANNING", "LEGAL_ADVICE"),
            schedules=(WEEKDAYS_9_5, EVENINGS),
        ),
        Svc(
            "terrorism-support",
            "calloway",
            "Calloway Terrorism Victims Support",
            "Support for anyone affected by a terrorist attack, including bereaved "
            "families, witnesses and first responders.",
            ("TERRORISM",),
            LONDON,
            ("EMOTIONAL_SUPPORT", "COUNSELLING", "FINANCIAL", "BEREAVEMENT"),
            schedules=(ALWAYS,),
        ),
        Svc(
            "fire-survivors",
            "calloway",
            "Calloway Fire Survivors Service",
            "Support after deliberate fires that put lives at risk: emergency housing, "
            "replacing essentials and recovering from trauma.",
            ("ARSON_ENDANGER_LIFE", "CRIMINAL_DAMAGE"),
            LONDON,
            ("HOUSING", "PRACTICAL_HELP", "COUNSELLING"),
        ),
    ]
    for key in ("north", "east", "south", "west"):
        boroughs = {
            "north": CLUSTERS["north"] + CLUSTERS["north-central"],
            "east": CLUSTERS["north-east"] + CLUSTERS["east"] + CLUSTERS["outer-east"],
            "south": CLUSTERS["south-east"] + CLUSTERS["south"] + CLUSTERS["south-west"],
            "west": CLUSTERS["west"] + CLUSTERS["north-west"] + CLUSTERS["central"],
        }[key]
        found.append(
            Svc(
                f"safer-homes-{key}",
                "saferhearth",
                f"Saferhearth Homes: {key.title()} London",
                "Free lock changes, door and window repairs and security advice after a "
                "burglary, break-in or damage to a home or car.",
                ("BURGLARY_RESIDENTIAL", "CRIMINAL_DAMAGE", "VEHICLE_CRIME"),
                boroughs,
                ("SAFETY_PLANNING", "PRACTICAL_HELP"),
                self_referral=False,
            )
        )
    found += [
        Svc(
            "restorative-justice",
            "meetingpoint",
            "Meetingpoint Restorative Justice",
            "Trained facilitators help victims communicate with the person who harmed "
            "them, if and when the victim wants to, for any crime.",
            ALL,
            LONDON,
            ("RESTORATIVE_JUSTICE",),
        ),
    ]
    for key, office in (("north", "ISLINGTON"), ("south", "LAMBETH"), ("west", "EALING")):
        boroughs = {
            "north": CLUSTERS["north-central"] + CLUSTERS["north"],
            "south": CLUSTERS["south-east"] + CLUSTERS["south-west"],
            "west": CLUSTERS["west"] + CLUSTERS["north-west"],
        }[key]
        found.append(
            Svc(
                f"violence-recovery-{key}",
                "wardle",
                f"Wardle Violence Recovery: {key.title()} London",
                "Support for adults recovering from robbery, assault and serious violence: "
                "counselling, help with compensation and returning to work.",
                ("ROBBERY", "ASSAULT", "WOUNDING_GBH_WITH_INTENT", "ATTEMPTED_MURDER"),
                boroughs,
                ("COUNSELLING", "FINANCIAL", "EMOTIONAL_SUPPORT"),
                ages=(18, None),
                office=office,
            )
        )
    found += [
        Svc(
            "polish-support",
            "tongues",
            "Polish Victim Support Line",
            "Support in Polish for victims of any crime, including help to report it and "
            "to understand letters from the police and courts.",
            ALL,
            LONDON,
            ("TRANSLATION", "EMOTIONAL_SUPPORT", "PRACTICAL_HELP"),
            ("pl", "en"),
            schedules=(WEEKDAYS_LATE,),
        ),
        Svc(
            "bengali-da",
            "tongues",
            "Bengali Women's Domestic Abuse Project",
            "Bengali- and Sylheti-speaking advocates for women experiencing domestic "
            "abuse, forced marriage or honour-based abuse.",
            ("DOMESTIC_ABUSE", "KIDNAP_FALSE_IMPRISONMENT", "STALKING_HARASSMENT"),
            ("TOWER_HAMLETS", "NEWHAM"),
            ("TRANSLATION", "SAFETY_PLANNING", "HOUSING", "LEGAL_ADVICE"),
            ("bn", "en"),
            ages=(16, None),
            office="TOWER_HAMLETS",
        ),
        Svc(
            "turkish-kurdish",
            "tongues",
            "Turkish and Kurdish Community Victim Support",
            "Support in Turkish and Kurdish after any crime, with a drop-in advice "
            "session every Saturday.",
            ALL,
            ("HARINGEY", "ENFIELD", "HACKNEY"),
            ("TRANSLATION", "EMOTIONAL_SUPPORT", "PRACTICAL_HELP"),
            ("tr", "ku", "en"),
            schedules=(WEEKDAYS_9_5, SATURDAY),
            office="HARINGEY",
        ),
        Svc(
            "somali-support",
            "tongues",
            "Somali Families Support",
            "Somali-speaking caseworkers for victims and families after violent crime, "
            "hate crime and exploitation.",
            ("ASSAULT", "ROBBERY", "HATE_CRIME", "HUMAN_TRAFFICKING", "HOMICIDE"),
            ("BRENT", "EALING", "HARROW"),
            ("TRANSLATION", "EMOTIONAL_SUPPORT", "BEREAVEMENT"),
            ("so", "ar", "en"),
            office="BRENT",
        ),
        Svc(
            "lusophone-hispanic",
            "tongues",
            "Portuguese and Spanish Speakers' Victim Support",
            "Support in Portuguese and Spanish for victims of any crime in South London.",
            ALL,
            ("LAMBETH", "SOUTHWARK", "WANDSWORTH"),
            ("TRANSLATION", "PRACTICAL_HELP", "EMOTIONAL_SUPPORT"),
            ("pt", "es", "en"),
            office="LAMBETH",
        ),
        Svc(
            "lgbt-advocacy",
            "rainbowline",
            "Rainbowline LGBT+ Advocacy",
            "Advocates for LGBT+ people experiencing domestic abuse, sexual violence or "
            "hate crime.",
            ("DOMESTIC_ABUSE", "HATE_CRIME", "SEXUAL_OFFENCE", "STALKING_HARASSMENT"),
            LONDON,
            ("ADVOCACY", "IDVA", "ISVA", "EMOTIONAL_SUPPORT"),
            ages=(16, None),
            schedules=(WEEKDAYS_9_5, EVENINGS),
        ),
        Svc(
            "legal-protective",
            "clearcounsel",
            "Clearcounsel Protective Orders Clinic",
            "Free legal advice on non-molestation orders, occupation orders and stalking "
            "protection orders.",
            ("DOMESTIC_ABUSE", "STALKING_HARASSMENT"),
            LONDON,
            ("LEGAL_ADVICE",),
            ages=(18, None),
            police=False,
        ),
        Svc(
            "legal-compensation",
            "clearcounsel",
            "Clearcounsel Compensation Claims Help",
            "Help to claim criminal injuries compensation and to understand court "
            "compensation orders.",
            ("ASSAULT", "WOUNDING_GBH_WITH_INTENT", "SEXUAL_OFFENCE", "ROBBERY", "HOMICIDE"),
            LONDON,
            ("LEGAL_ADVICE", "FINANCIAL"),
            ages=(18, None),
        ),
        Svc(
            "emergency-housing",
            "kestrel",
            "Kestrel Emergency Housing Advice",
            "Same-day housing advice for victims who cannot safely go home, including "
            "after burglary, arson or abuse.",
            ("DOMESTIC_ABUSE", "BURGLARY_RESIDENTIAL", "ARSON_ENDANGER_LIFE", "HATE_CRIME"),
            CLUSTERS["east"] + CLUSTERS["outer-east"],
            ("HOUSING", "PRACTICAL_HELP"),
            office="NEWHAM",
        ),
        Svc(
            "night-line",
            "lanternwick",
            "Lanternwick Night Line",
            "Someone to talk to overnight after any crime, every night of the year.",
            ALL,
            LONDON,
            ("EMOTIONAL_SUPPORT",),
            ("en", "pl", "ar"),
            schedules=(NIGHTS,),
            police=False,
        ),
        Svc(
            "student-victims",
            "lanternwick",
            "Campus Victim Support",
            "Support for students at London colleges and universities after any crime, "
            "with help talking to their place of study.",
            ALL,
            CLUSTERS["central"] + CLUSTERS["north-central"],
            ("EMOTIONAL_SUPPORT", "PRACTICAL_HELP"),
            ages=(16, 30),
            schedules=(WEEKDAYS_9_5,),
            office="CAMDEN",
        ),
        Svc(
            "kidnap-support",
            "fennick",
            "Fennick Coercion and Captivity Support",
            "Specialist support after kidnap, false imprisonment and coercive control, "
            "including forced marriage.",
            ("KIDNAP_FALSE_IMPRISONMENT", "DOMESTIC_ABUSE", "HUMAN_TRAFFICKING"),
            LONDON,
            ("ADVOCACY", "SAFETY_PLANNING", "COUNSELLING"),
        ),
        Svc(
            "croydon-da-drop-in",
            "amberfield",
            "Croydon Domestic Abuse Drop-in",
            "A walk-in advice service for anyone affected by domestic abuse in Croydon.",
            ("DOMESTIC_ABUSE",),
            ("CROYDON",),
            ("EMOTIONAL_SUPPORT", "SAFETY_PLANNING", "HOUSING"),
            police=False,
            schedules=(("TU,TH", "10:00", "15:00", "Tuesdays and Thursdays, 10am to 3pm."),),
            office="CROYDON",
        ),
        Svc(
            "greenwich-hate-reporting",
            "quillon",
            "Greenwich and Bexley Hate Crime Reporting Centre",
            "A safe place to report hate crime without going to a police station, with "
            "follow-up support from an advocate.",
            ("HATE_CRIME",),
            ("GREENWICH", "BEXLEY"),
            ("ADVOCACY", "EMOTIONAL_SUPPORT"),
            schedules=(WEEKDAYS_9_5, SATURDAY),
            office="GREENWICH",
        ),
        Svc(
            "hillingdon-airport",
            "lanternwick",
            "Airport Victim Support Desk",
            "Support for travellers and workers who are victims of crime at or near the "
            "airport, including theft and robbery.",
            ("THEFT", "ROBBERY", "ASSAULT", "HATE_CRIME", "HUMAN_TRAFFICKING"),
            ("HILLINGDON", "HOUNSLOW"),
            ("PRACTICAL_HELP", "TRANSLATION", "EMOTIONAL_SUPPORT"),
            ("en", "ar", "ur", "es", "pl"),
            schedules=(ALWAYS,),
            office="HILLINGDON",
        ),
    ]
    return found


# ---------------------------------------------------------------------------


def _phone_number(index: int) -> str:
    return f"020 7946 0{index:03d}"


def _org(org: Org) -> dict[str, Any]:
    return {
        "id": stable_id("sample", "organization", org.key),
        "name": org.name,
        "description": f"{SAMPLE_NOTE} {org.about}",
        "email": f"hello@{org.key}.example.org",
        "website": f"https://{org.key}.example.org/",
    }


def _areas(svc: Svc) -> list[dict[str, Any]]:
    if svc.area == LONDON:
        return [
            {
                "id": stable_id("sample", "area", svc.slug, "LONDON"),
                "name": "London",
                "description": "Every London borough and the City of London.",
                "uri": GSS_URI_BASE + LONDON_GSS_CODE,
                "service_area": "London",
            }
        ]
    return [
        {
            "id": stable_id("sample", "area", svc.slug, code),
            "name": BOROUGHS_BY_CODE[code].name,
            "uri": GSS_URI_BASE + BOROUGHS_BY_CODE[code].ons_code,
            "service_area": BOROUGHS_BY_CODE[code].name,
        }
        for code in svc.area
    ]


def _term(taxonomy: Any, code: str) -> dict[str, Any]:
    term = next(t for t in taxonomy.terms if t.code == code)
    return {
        "id": taxonomy.term_id(code),
        "code": code,
        "name": term.name,
        "description": term.description,
        "taxonomy": taxonomy.name,
        "taxonomy_id": taxonomy.id,
        "term": term.name,
    }


def _attributes(svc: Svc) -> list[dict[str, Any]]:
    crime_types = sorted(CRIME_TYPE_CODES) if svc.crime_types == ALL else list(svc.crime_types)
    routes = [POLICE_REFERRAL] * svc.police + [SELF_REFERRAL] * svc.self_referral
    links = (
        [(CRIME_TYPES_TAXONOMY, c) for c in crime_types]
        + [(VICTIM_NEEDS_TAXONOMY, n) for n in svc.needs]
        + [(REFERRAL_ROUTES_TAXONOMY, r) for r in routes]
    )
    # The terms themselves are in the file's `taxonomies`; attributes name them by id.
    return [
        {
            "id": stable_id("sample", "attribute", svc.slug, taxonomy.slug, code),
            "taxonomy_term_id": taxonomy.term_id(code),
        }
        for taxonomy, code in links
    ]


def _location(svc: Svc, org_id: str) -> dict[str, Any]:
    if svc.office is None:
        return {
            "id": stable_id("sample", "location", svc.slug),
            "location_type": "virtual",
            "url": f"https://{svc.org}.example.org/{svc.slug}",
            "organization_id": org_id,
            "name": f"{svc.name}: by phone and online",
            "description": "Telephone, video and web chat. No office to visit.",
            "accessibility": [
                {
                    "id": stable_id("sample", "accessibility", svc.slug, "relay"),
                    "description": "Text Relay and video relay calls are welcome.",
                    "accessibility": "Text Relay and video relay calls are welcome.",
                }
            ],
        }
    borough = BOROUGHS_BY_CODE[svc.office]
    note = "Step-free entrance, accessible toilet and a hearing loop at reception."
    return {
        "id": stable_id("sample", "location", svc.slug),
        "location_type": "physical",
        "organization_id": org_id,
        "name": f"{svc.name}: {borough.name} office",
        "description": f"Our {borough.name} office. Appointments and drop-in.",
        "addresses": [
            {
                "id": stable_id("sample", "address", svc.slug),
                "address_1": f"{10 + len(svc.slug)} Sample Row",
                "city": "London",
                "state_province": "Greater London",
                "postal_code": f"{DISTRICTS[svc.office]} 9ZZ",
                "country": "GB",
                "address_type": "physical",
            }
        ],
        "accessibility": [
            {
                "id": stable_id("sample", "accessibility", svc.slug, "building"),
                "description": note,
                "accessibility": note,
            }
        ],
    }


def _service(svc: Svc, index: int, orgs: dict[str, Org]) -> dict[str, Any]:
    org = _org(orgs[svc.org])
    service_id = stable_id("sample", "service", svc.slug)
    minimum, maximum = svc.ages
    eligibility = svc.eligibility or _eligibility_text(svc)
    service: dict[str, Any] = {
        "id": service_id,
        "organization_id": org["id"],
        "name": svc.name,
        "description": svc.description,
        "url": f"https://{svc.org}.example.org/{svc.slug}",
        "email": f"{svc.slug}@{svc.org}.example.org",
        "status": "active",
        "application_process": _referral_text(svc),
        "eligibility_description": eligibility,
    }
    if len(svc.languages) > 1:
        service["interpretation_services"] = "Interpreters for other languages on request."
    if minimum is not None:
        service["minimum_age"] = minimum
    if maximum is not None:
        service["maximum_age"] = maximum
    service["organization"] = org
    service["phones"] = [
        {
            "id": stable_id("sample", "phone", svc.slug),
            "number": _phone_number(index),
            "description": "Main line (fictional number from Ofcom's drama range).",
        }
    ]
    service["schedules"] = [
        {
            "id": stable_id("sample", "schedule", svc.slug, str(i)),
            "freq": "WEEKLY",
            "interval": 1,
            "byday": byday,
            "opens_at": f"{opens}:00",
            "closes_at": f"{closes}:00",
            "description": text,
        }
        for i, (byday, opens, closes, text) in enumerate(svc.schedules)
    ]
    service["service_areas"] = _areas(svc)
    location = _location(svc, org["id"])
    service["service_at_locations"] = [
        {
            "id": stable_id("sample", "service_at_location", svc.slug),
            "location_id": location["id"],
            "location": location,
        }
    ]
    service["languages"] = [
        {
            "id": stable_id("sample", "language", svc.slug, code),
            "name": LANGUAGE_NAMES[code],
            "code": code,
        }
        for code in svc.languages
    ]
    service["attributes"] = _attributes(svc)
    return service


def _referral_text(svc: Svc) -> str:
    if svc.police and svc.self_referral:
        return "The police can refer you with your consent, or contact us yourself."
    if svc.police:
        return "Referral by the police or another agency, with your consent."
    return "Contact us yourself: we do not take police referrals."


def _eligibility_text(svc: Svc) -> str:
    where = "anywhere in London" if svc.area == LONDON else f"in {_cluster_label(svc.area)}"
    low, high = svc.ages
    if low is not None and high is not None:
        ages = f"aged {low} to {high}"
    elif low is not None:
        ages = f"aged {low} or over"
    else:
        ages = "of any age"
    return f"Victims {ages} {where}."


def build() -> dict[str, Any]:
    orgs = {org.key: org for org in ORGS}
    taxonomies = [
        {
            "id": taxonomy.id,
            "name": taxonomy.name,
            "description": taxonomy.description,
            "uri": taxonomy.uri,
            "taxonomy_terms": [_term(taxonomy, t.code) for t in taxonomy.terms],
        }
        for taxonomy in BUILT_IN_TAXONOMIES
    ]
    return {
        "version": HSDS_VERSION,
        "profile": UK_PROFILE_URL,
        "description": "SAMPLE DATA: a synthetic London directory of fictional support "
        "services, for the demo and tests. Nothing in it is real.",
        "taxonomies": taxonomies,
        "services": [_service(svc, i, orgs) for i, svc in enumerate(services())],
    }


def render() -> str:
    return json.dumps(build(), indent=1, ensure_ascii=False) + "\n"


if __name__ == "__main__":
    OUTPUT.parent.mkdir(parents=True, exist_ok=True)
    OUTPUT.write_text(render(), encoding="utf-8")
    print(f"wrote {OUTPUT}")
