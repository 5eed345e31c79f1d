"""The directory's rules: writing services, staff search and recommendations.

Every write, whether from an HSDS import or a staff edit, goes through
:func:`write_service` with an :class:`HsdsService` record. It stores the HSDS
records, then rebuilds the service's eligibility indexes (crime types,
boroughs, opening hours, referral routes, specificity counts) from them, in
the same transaction, and bumps the directory revision that public ETags and
caches key on. A record whose content hash is unchanged is not written at all,
so importing the same file twice changes nothing.

Directory data describes organisations and their services, not people: it is
not personal data, so these functions write no audit records.
"""

from __future__ import annotations

import hashlib
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Literal
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from pydantic import ValidationError
from sqlalchemy.orm import Session

from victim_api.directory import documents
from victim_api.directory.documents import (
    accessibility,
    addresses,
    attributes,
    languages,
    locations,
    openings,
    organizations,
    phones,
    schedules,
    service_areas,
    service_at_locations,
    services,
    taxonomies,
    terms,
)
from victim_api.directory.models import DirectoryRevision, ServiceBorough, ServiceCrimeType
from victim_api.directory.schemas import (
    DirectoryServiceCreate,
    DirectoryServiceUpdate,
    HsdsLocation,
    HsdsOrganization,
    HsdsService,
    HsdsTaxonomy,
    HsdsTaxonomyTerm,
)
from victim_api.directory.vocabulary import (
    ALL_BOROUGH_CODES,
    BUILT_IN_TAXONOMY_IDS,
    BUILT_IN_TERMS,
    CRIME_TYPES_TAXONOMY,
    GSS_URI_BASE,
    LONDON_GSS_CODE,
    NEED_CODES,
    POLICE_REFERRAL,
    REFERRAL_ROUTES_TAXONOMY,
    SELF_REFERRAL,
    VICTIM_NEEDS_TAXONOMY,
    WEEKDAYS,
    boroughs_of_area,
    stable_id,
    status_to_api,
    status_to_hsds,
)
from victim_api.platform.clock import as_utc, utcnow
from victim_api.platform.db import table_of
from victim_api.platform.errors import (
    ConflictError,
    FieldError,
    InvalidInputError,
    NotFoundError,
)
from victim_api.platform.etag import (
    PreconditionFailedError,
    compare_and_swap,
    etag,
    expected_version,
)
from victim_api.platform.jsonutil import dumps
from victim_api.reference.data import BOROUGHS_BY_CODE

LONDON = ZoneInfo("Europe/London")
revision_table = table_of(DirectoryRevision)
service_boroughs = table_of(ServiceBorough)
service_crime_types = table_of(ServiceCrimeType)

WriteOutcome = Literal["created", "updated", "unchanged"]


class UnknownReferenceError(ConflictError):
    """A record names an organisation, location or taxonomy term the directory lacks."""

    def __init__(self, detail: str) -> None:
        super().__init__("unknown_reference", detail)


class ServiceNotFoundError(NotFoundError):
    def __init__(self) -> None:
        super().__init__("There is no directory service with this id.")


# ---------------------------------------------------------------------------
# The revision.


def current_revision(session: Session) -> int:
    row = session.execute(sa.select(revision_table.c.revision)).first()
    return int(row[0]) if row else 0


def bump_revision(session: Session, now: datetime) -> None:
    session.execute(
        sa.update(revision_table)
        .where(revision_table.c.id == 1)
        .values(revision=revision_table.c.revision + 1, changed_at=now)
    )


# ---------------------------------------------------------------------------
# Writing HSDS records.


def _hash(value: Any) -> str:
    return hashlib.sha256(dumps(value)).hexdigest()


def record_hash(record: HsdsService) -> str:
    """Content hash of what is stored as the service: ``last_modified`` and nested
    taxonomy terms (stored as terms, see :func:`write_service`) are left out."""
    return _hash(
        record.model_dump(
            mode="json",
            exclude_none=True,
            exclude={"attributes": {"__all__": {"taxonomy_term"}}},
        )
    )


def now_ms() -> datetime:
    """Now, to the millisecond HSDS shows."""
    now = utcnow()
    return now.replace(microsecond=now.microsecond // 1000 * 1000)


def _exists(session: Session, table: sa.Table, record_id: str) -> bool:
    return session.execute(sa.select(table.c.id).where(table.c.id == record_id)).first() is not None


def upsert_organization(session: Session, org: HsdsOrganization, now: datetime) -> bool:
    """Insert or update an organisation; False when it was already exactly this."""
    values = org.model_dump(exclude_none=False)
    digest = _hash(org.model_dump(mode="json", exclude_none=True))
    row = session.execute(
        sa.select(organizations.c.content_hash).where(organizations.c.id == org.id)
    ).first()
    if row is not None and row[0] == digest:
        return False
    values.update(content_hash=digest, last_modified=now)
    if row is None:
        session.execute(sa.insert(organizations).values(**values))
    else:
        session.execute(
            sa.update(organizations).where(organizations.c.id == org.id).values(**values)
        )
    return True


def upsert_location(session: Session, location: HsdsLocation, now: datetime) -> bool:
    digest = _hash(location.model_dump(mode="json", exclude_none=True))
    row = session.execute(
        sa.select(locations.c.content_hash).where(locations.c.id == location.id)
    ).first()
    if row is not None and row[0] == digest:
        return False
    values = location.model_dump(exclude={"addresses", "accessibility"})
    values.update(content_hash=digest, last_modified=now)
    if row is None:
        session.execute(sa.insert(locations).values(**values))
    else:
        session.execute(sa.update(locations).where(locations.c.id == location.id).values(**values))
        session.execute(sa.delete(addresses).where(addresses.c.location_id == location.id))
        session.execute(sa.delete(accessibility).where(accessibility.c.location_id == location.id))
    _insert_children(session, addresses, location.addresses, location_id=location.id, exclude=set())
    _insert_children(
        session, accessibility, location.accessibility, location_id=location.id, exclude=set()
    )
    return True


def upsert_taxonomy(session: Session, taxonomy: HsdsTaxonomy) -> WriteOutcome:
    """A taxonomy and its nested terms. Built-in taxonomies are not changed here."""
    if taxonomy.id in BUILT_IN_TAXONOMY_IDS:
        return "unchanged"
    values = taxonomy.model_dump(exclude={"taxonomy_terms"})
    row = session.execute(sa.select(taxonomies).where(taxonomies.c.id == taxonomy.id)).first()
    outcome: WriteOutcome = "unchanged"
    if row is None:
        session.execute(sa.insert(taxonomies).values(**values))
        outcome = "created"
    elif {k: getattr(row, k) for k in values} != values:
        session.execute(
            sa.update(taxonomies).where(taxonomies.c.id == taxonomy.id).values(**values)
        )
        outcome = "updated"
    for term in taxonomy.taxonomy_terms:
        if term.taxonomy_id is None:
            term = term.model_copy(update={"taxonomy_id": taxonomy.id})
        if upsert_term(session, term) != "unchanged" and outcome == "unchanged":
            outcome = "updated"
    return outcome


def upsert_term(session: Session, term: HsdsTaxonomyTerm) -> WriteOutcome:
    """A taxonomy term. Built-in terms are fixed: they are never rewritten."""
    if term.id in BUILT_IN_TERMS:
        return "unchanged"
    if term.taxonomy_id in BUILT_IN_TAXONOMY_IDS:
        raise InvalidInputError(
            "Terms cannot be added to a built-in taxonomy.",
            [FieldError(location="/taxonomy_id", message="a built-in taxonomy", code="built_in")],
        )
    if term.taxonomy_id is not None and not _exists(session, taxonomies, term.taxonomy_id):
        raise UnknownReferenceError("A taxonomy term names a taxonomy the directory lacks.")
    values = term.model_dump()
    row = session.execute(sa.select(terms).where(terms.c.id == term.id)).first()
    if row is None:
        session.execute(sa.insert(terms).values(**values))
        return "created"
    if {k: getattr(row, k) for k in values} == values:
        return "unchanged"
    session.execute(sa.update(terms).where(terms.c.id == term.id).values(**values))
    return "updated"


def _insert_children(
    session: Session,
    table: sa.Table,
    children: Sequence[Any],
    *,
    exclude: set[str],
    **parent: str,
) -> list[dict[str, Any]]:
    rows = []
    for position, child in enumerate(children):
        values = child.model_dump(exclude=exclude)
        values.update(parent, position=position)
        rows.append(values)
    if rows:
        session.execute(sa.insert(table), rows)
    return rows


def _check_references(session: Session, record: HsdsService) -> None:
    """Every organisation, location and term the record names exists or comes with it."""
    if record.organization is None and not _exists(
        session, organizations, str(record.organization_id)
    ):
        raise UnknownReferenceError("organization_id names no organisation in the directory.")
    for sal in record.service_at_locations:
        if sal.location is None and not _exists(session, locations, str(sal.location_id)):
            raise UnknownReferenceError("A location_id names no location in the directory.")
    for attribute in record.attributes:
        term_id = str(attribute.taxonomy_term_id)
        if attribute.taxonomy_term is not None and term_id not in BUILT_IN_TERMS:
            continue
        if not _exists(session, terms, term_id):
            raise UnknownReferenceError("An attribute names a taxonomy term the directory lacks.")


@dataclass(frozen=True)
class Derived:
    crime_types: tuple[str, ...]
    boroughs: tuple[str, ...]
    accepts_police_referrals: bool
    allows_self_referral: bool
    openings: tuple[tuple[str, str, str, str], ...]  # (schedule_id, day, opens, closes)


def derive(record: HsdsService) -> Derived:
    """The eligibility indexes of a record: what search and recommendations filter on."""
    codes = [BUILT_IN_TERMS.get(str(a.taxonomy_term_id)) for a in record.attributes]
    crime_types = sorted({code for slug, code in filter(None, codes) if slug == "crime-types"})
    routes = {code for slug, code in filter(None, codes) if slug == "referral-routes"}
    boroughs = sorted(
        {b for area in record.service_areas for b in boroughs_of_area(area.name, area.uri)}
    )
    found: dict[tuple[str, str, str], str] = {}
    for schedule in record.schedules:
        for day, opens, closes in weekly_openings(
            schedule.freq, schedule.byday, schedule.opens_at, schedule.closes_at
        ):
            key = (schedule.id, day, opens)
            found[key] = max(found.get(key, closes), closes)
    return Derived(
        crime_types=tuple(crime_types),
        boroughs=tuple(boroughs),
        accepts_police_referrals=POLICE_REFERRAL in routes,
        allows_self_referral=SELF_REFERRAL in routes,
        openings=tuple((s, d, o, c) for (s, d, o), c in sorted(found.items())),
    )


def weekly_openings(
    freq: str | None, byday: str | None, opens_at: str | None, closes_at: str | None
) -> list[tuple[str, str, str]]:
    """(day, opens, closes) rows for a weekly schedule, split at midnight if overnight.

    Only plain weekly days count ("MO,TU"); "1MO"-style monthly rules do not.
    """
    if freq not in (None, "WEEKLY") or not byday or not opens_at or not closes_at:
        return []
    days = [d for d in byday.split(",") if d in WEEKDAYS]
    opens, closes = opens_at[:5], closes_at[:5]
    result = []
    for day in days:
        if opens == closes:
            result.append((day, "00:00", "24:00"))
        elif opens < closes:
            result.append((day, opens, closes))
        else:
            result.append((day, opens, "24:00"))
            if closes != "00:00":
                following = WEEKDAYS[(WEEKDAYS.index(day) + 1) % 7]
                result.append((following, "00:00", closes))
    return result


def _service_values(record: HsdsService, derived: Derived) -> dict[str, Any]:
    values = record.model_dump(
        exclude={
            "organization",
            "phones",
            "schedules",
            "service_areas",
            "service_at_locations",
            "languages",
            "attributes",
        }
    )
    search = " ".join(
        part for part in (record.name, record.alternate_name, record.description) if part
    )
    values.update(
        sort_name=record.name.casefold()[:255],
        search_text=search.casefold(),
        accepts_police_referrals=derived.accepts_police_referrals,
        allows_self_referral=derived.allows_self_referral,
        crime_type_count=len(derived.crime_types),
        borough_count=len(derived.boroughs),
    )
    return values


def _delete_children(session: Session, service_id: str) -> None:
    for table in (
        openings,
        schedules,
        phones,
        service_boroughs,
        service_areas,
        languages,
        service_crime_types,
        attributes,
        service_at_locations,
    ):
        session.execute(sa.delete(table).where(table.c.service_id == service_id))


def write_service(
    session: Session, record: HsdsService, *, now: datetime, expected_version: int | None = None
) -> WriteOutcome:
    """Store ``record`` and rebuild its indexes; ``expected_version`` makes it a CAS update."""
    digest = record_hash(record)
    existing = session.execute(
        sa.select(services.c.content_hash, services.c.version).where(services.c.id == record.id)
    ).first()
    if expected_version is not None:
        if existing is None:
            raise ServiceNotFoundError()
        if existing.version != expected_version:
            raise PreconditionFailedError(etag(existing.version))
    # Terms nested in attributes are shared records: keep them current even when
    # the service itself is unchanged.
    for attribute in record.attributes:
        if attribute.taxonomy_term is not None:
            upsert_term(session, attribute.taxonomy_term)
    if existing is not None and existing.content_hash == digest:
        return "unchanged"
    _check_references(session, record)
    if record.organization is not None:
        upsert_organization(session, record.organization, now)
    for sal in record.service_at_locations:
        if sal.location is not None:
            upsert_location(session, sal.location, now)

    derived = derive(record)
    values = _service_values(record, derived)
    values.update(content_hash=digest, last_modified=now)
    if existing is None:
        values.update(created_at=now, version=1)
        session.execute(sa.insert(services).values(**values))
        outcome: WriteOutcome = "created"
    else:
        values.pop("id")
        compare_and_swap(session, services, {"id": record.id}, existing.version, values)
        _delete_children(session, record.id)
        outcome = "updated"
    _insert_service_children(session, record, derived)
    bump_revision(session, now)
    return outcome


def _insert_service_children(session: Session, record: HsdsService, derived: Derived) -> None:
    sid = record.id
    _insert_children(session, phones, record.phones, service_id=sid, exclude=set())
    _insert_children(session, schedules, record.schedules, service_id=sid, exclude=set())
    _insert_children(session, service_areas, record.service_areas, service_id=sid, exclude=set())
    _insert_children(session, languages, record.languages, service_id=sid, exclude=set())
    _insert_children(
        session, attributes, record.attributes, service_id=sid, exclude={"taxonomy_term"}
    )
    _insert_children(
        session,
        service_at_locations,
        record.service_at_locations,
        service_id=sid,
        exclude={"location"},
    )
    if derived.crime_types:
        session.execute(
            sa.insert(service_crime_types),
            [{"service_id": sid, "crime_type": code} for code in derived.crime_types],
        )
    if derived.boroughs:
        session.execute(
            sa.insert(service_boroughs),
            [{"service_id": sid, "borough_code": code} for code in derived.boroughs],
        )
    if derived.openings:
        session.execute(
            sa.insert(openings),
            [
                {"schedule_id": s, "service_id": sid, "day": d, "opens_at": o, "closes_at": c}
                for s, d, o, c in derived.openings
            ],
        )


# ---------------------------------------------------------------------------
# Staff edits: our fields, turned into HSDS records.


def _validated(data: dict[str, Any]) -> HsdsService:
    try:
        return HsdsService.model_validate(data)
    except ValidationError as exc:
        raise InvalidInputError(
            "The service is not consistent.",
            [
                FieldError(
                    location="/body" + "".join(f"/{p}" for p in err["loc"]),
                    message=str(err["msg"]),
                    code=str(err["type"]),
                )
                for err in exc.errors()
            ],
        ) from exc


def _taxonomy_attributes(
    service_id: str, taxonomy_slug: str, codes: Iterable[str]
) -> list[dict[str, Any]]:
    taxonomy = {
        t.slug: t for t in (CRIME_TYPES_TAXONOMY, VICTIM_NEEDS_TAXONOMY, REFERRAL_ROUTES_TAXONOMY)
    }[taxonomy_slug]
    result = []
    for code in dict.fromkeys(codes):
        term_id = taxonomy.term_id(code)
        result.append(
            {
                "id": stable_id("service", service_id, "attribute", term_id),
                "taxonomy_term_id": term_id,
            }
        )
    return result


def _area_rows(service_id: str, boroughs: Sequence[str]) -> list[dict[str, Any]]:
    chosen = sorted(set(boroughs))
    if len(chosen) == len(ALL_BOROUGH_CODES):
        return [
            {
                "id": stable_id("service", service_id, "area", "LONDON"),
                "name": "London",
                "description": "Every London borough and the City of London.",
                "uri": GSS_URI_BASE + LONDON_GSS_CODE,
            }
        ]
    return [
        {
            "id": stable_id("service", service_id, "area", code),
            "name": BOROUGHS_BY_CODE[code].name,
            "uri": GSS_URI_BASE + BOROUGHS_BY_CODE[code].ons_code,
        }
        for code in chosen
    ]


def _apply_staff_fields(data: dict[str, Any], given: dict[str, Any]) -> dict[str, Any]:
    """Apply staff fields to a record's data (lists replace; ``None`` clears)."""
    sid = data["id"]
    for name in (
        "name",
        "alternate_name",
        "description",
        "url",
        "email",
        "eligibility_description",
        "application_process",
        "interpretation_services",
        "minimum_age",
        "maximum_age",
    ):
        if name in given:
            data[name] = given[name]
    if "status" in given:
        data["status"] = status_to_hsds(given["status"])

    groups: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for attribute in data.get("attributes", []):
        slug_code = BUILT_IN_TERMS.get(attribute.get("taxonomy_term_id") or "")
        slug = slug_code[0] if slug_code else "other"
        groups[slug].append(attribute)
    if "crime_types" in given:
        groups["crime-types"] = _taxonomy_attributes(sid, "crime-types", given["crime_types"])
    if "needs" in given:
        groups["victim-needs"] = _taxonomy_attributes(sid, "victim-needs", given["needs"])
    if "accepts_police_referrals" in given or "allows_self_referral" in given:
        current = {
            BUILT_IN_TERMS[a["taxonomy_term_id"]][1] for a in groups.get("referral-routes", [])
        }
        police = given.get("accepts_police_referrals", POLICE_REFERRAL in current)
        self_referral = given.get("allows_self_referral", SELF_REFERRAL in current)
        routes = [POLICE_REFERRAL] * bool(police) + [SELF_REFERRAL] * bool(self_referral)
        groups["referral-routes"] = _taxonomy_attributes(sid, "referral-routes", routes)
    data["attributes"] = [
        a
        for slug in ("crime-types", "victim-needs", "referral-routes", "other")
        for a in groups.get(slug, [])
    ]

    if "boroughs" in given:
        others = [
            a
            for a in data.get("service_areas", [])
            if not boroughs_of_area(a.get("name"), a.get("uri"))
        ]
        data["service_areas"] = _area_rows(sid, given["boroughs"]) + others
    if "languages" in given:
        data["languages"] = [
            {"id": stable_id("service", sid, "language", lang["code"]), **lang}
            for lang in {lang["code"]: lang for lang in given["languages"]}.values()
        ]
    if "phones" in given:
        data["phones"] = [
            {"id": stable_id("service", sid, "phone", str(i)), **phone}
            for i, phone in enumerate(given["phones"])
        ]
    if "schedules" in given:
        data["schedules"] = [
            {
                "id": stable_id("service", sid, "schedule", str(i)),
                "freq": "WEEKLY",
                "interval": 1,
                "byday": ",".join(d for d in WEEKDAYS if d in schedule["days"]),
                "opens_at": schedule["opens_at"] + ":00",
                "closes_at": schedule["closes_at"] + ":00",
                **({"description": schedule["description"]} if schedule.get("description") else {}),
            }
            for i, schedule in enumerate(given["schedules"])
        ]
    if "location_ids" in given:
        linked = {sal["location_id"]: sal for sal in data.get("service_at_locations", [])}
        data["service_at_locations"] = [
            {
                "id": linked[loc]["id"] if loc in linked else stable_id("service", sid, "sal", loc),
                "location_id": loc,
            }
            for loc in dict.fromkeys(given["location_ids"])
        ]
    return data


def create_service(
    session: Session, body: DirectoryServiceCreate, *, service_id: str
) -> dict[str, Any]:
    """A new service from staff fields; returns its staff view."""
    if not _exists(session, organizations, body.organization_id):
        raise UnknownReferenceError("organization_id names no organisation in the directory.")
    for location_id in body.location_ids:
        if not _exists(session, locations, location_id):
            raise UnknownReferenceError("A location_id names no location in the directory.")
    data: dict[str, Any] = {"id": service_id, "organization_id": body.organization_id}
    given = body.model_dump(exclude={"organization_id"})
    record = _validated(_apply_staff_fields(data, given))
    write_service(session, record, now=now_ms())
    return staff_views(session, [service_id])[0]


def load_record(session: Session, service_id: str) -> HsdsService | None:
    nested = documents.full_services(session, [service_id])
    return HsdsService.model_validate(nested[0]) if nested else None


def update_service(
    session: Session,
    service_id: str,
    patch: DirectoryServiceUpdate,
    *,
    if_match: str | None,
) -> dict[str, Any]:
    """Apply a staff PATCH with compare-and-swap on the version; returns the new view."""
    version = _version_of(session, service_id)
    expected = expected_version(if_match)
    if expected != version:
        raise PreconditionFailedError(etag(version))
    record = load_record(session, service_id)
    if record is None:  # pragma: no cover - the version read above found it
        raise ServiceNotFoundError()
    given = patch.model_dump(exclude_unset=True)
    for location_id in given.get("location_ids") or []:
        if not _exists(session, locations, location_id):
            raise UnknownReferenceError("A location_id names no location in the directory.")
    data = record.model_dump(mode="json", exclude_none=True)
    updated = _validated(_apply_staff_fields(data, given))
    write_service(session, updated, now=now_ms(), expected_version=expected)
    return staff_views(session, [service_id])[0]


def withdraw_service(session: Session, service_id: str, *, if_match: str | None) -> None:
    """DELETE: the service becomes `inactive` and stays, so references to it still resolve."""
    update_service(
        session, service_id, DirectoryServiceUpdate(status="INACTIVE"), if_match=if_match
    )


def _version_of(session: Session, service_id: str) -> int:
    row = session.execute(sa.select(services.c.version).where(services.c.id == service_id)).first()
    if row is None:
        raise ServiceNotFoundError()
    return int(row[0])


def get_service(session: Session, service_id: str) -> dict[str, Any]:
    views = staff_views(session, [service_id])
    if not views:
        raise ServiceNotFoundError()
    return views[0]


# ---------------------------------------------------------------------------
# Staff views: a page of services with their eligibility in our codes.


def _hhmm(value: str | None) -> str | None:
    return value[:5] if value else None


def staff_views(session: Session, ids: Sequence[str]) -> list[dict[str, Any]]:
    """Staff views of ``ids``, in that order, children loaded once per page."""
    if not ids:
        return []
    s = services.c
    rows = session.execute(
        sa.select(
            s.id,
            s.organization_id,
            organizations.c.name,
            s.name,
            s.alternate_name,
            s.description,
            s.url,
            s.email,
            s.status,
            s.eligibility_description,
            s.application_process,
            s.interpretation_services,
            s.minimum_age,
            s.maximum_age,
            s.accepts_police_referrals,
            s.allows_self_referral,
            s.last_modified,
            s.version,
        )
        .join(organizations, organizations.c.id == s.organization_id)
        .where(s.id.in_(list(ids)))
    ).all()
    wanted = [row[0] for row in rows]
    crime_types = _pairs(session, service_crime_types, "crime_type", wanted)
    boroughs = _pairs(session, service_boroughs, "borough_code", wanted)
    needs_of = _needs(session, wanted)
    languages_of = _children(session, languages, ("code", "name"), wanted)
    phones_of = _children(session, phones, ("number", "description"), wanted)
    schedules_of = _children(
        session, schedules, ("byday", "opens_at", "closes_at", "description"), wanted
    )
    sals_of = _children(session, service_at_locations, ("location_id",), wanted)
    notes_of = _accessibility(session, [sal[0] for group in sals_of.values() for sal in group])

    views = {}
    for row in rows:
        sid = row[0]
        location_ids = [sal[0] for sal in sals_of.get(sid, [])]
        views[sid] = {
            "id": sid,
            "organization": {"id": row[1], "name": row[2]},
            "name": row[3],
            "alternate_name": row[4],
            "description": row[5],
            "url": row[6],
            "email": row[7],
            "status": status_to_api(row[8]),
            "eligibility_description": row[9],
            "application_process": row[10],
            "interpretation_services": row[11],
            "crime_types": crime_types.get(sid, []),
            "boroughs": boroughs.get(sid, []),
            "minimum_age": row[12],
            "maximum_age": row[13],
            "needs": needs_of.get(sid, []),
            "languages": [
                {"code": code, "name": name or code}
                for code, name in languages_of.get(sid, [])
                if code
            ],
            "accessibility": [note for loc in location_ids for note in notes_of.get(loc, [])],
            "accepts_police_referrals": row[14],
            "allows_self_referral": row[15],
            "phones": [
                {"number": number, "description": description}
                for number, description in phones_of.get(sid, [])
            ],
            "schedules": [
                {
                    "days": [d for d in (byday or "").split(",") if d in WEEKDAYS],
                    "opens_at": _hhmm(opens),
                    "closes_at": _hhmm(closes),
                    "description": description,
                }
                for byday, opens, closes, description in schedules_of.get(sid, [])
            ],
            "location_ids": location_ids,
            "last_modified": as_utc(row[16]),
            "version": row[17],
        }
    return [views[sid] for sid in ids if sid in views]


def _pairs(
    session: Session, table: sa.Table, column: str, ids: Sequence[str]
) -> dict[str, list[str]]:
    grouped: dict[str, list[str]] = defaultdict(list)
    query = (
        sa.select(table.c.service_id, table.c[column])
        .where(table.c.service_id.in_(ids))
        .order_by(table.c.service_id, table.c[column])
    )
    for service_id, value in session.execute(query):
        grouped[service_id].append(value)
    return grouped


def _children(
    session: Session, table: sa.Table, columns: Sequence[str], ids: Sequence[str]
) -> dict[str, list[tuple[Any, ...]]]:
    grouped: dict[str, list[tuple[Any, ...]]] = defaultdict(list)
    query = (
        sa.select(table.c.service_id, *(table.c[c] for c in columns))
        .where(table.c.service_id.in_(ids))
        .order_by(table.c.service_id, table.c.position)
    )
    for row in session.execute(query):
        grouped[row[0]].append(tuple(row[1:]))
    return grouped


def _needs(session: Session, ids: Sequence[str]) -> dict[str, list[str]]:
    need_terms = {
        VICTIM_NEEDS_TAXONOMY.term_id(t.code): t.code for t in VICTIM_NEEDS_TAXONOMY.terms
    }
    grouped: dict[str, list[str]] = defaultdict(list)
    query = (
        sa.select(attributes.c.service_id, attributes.c.taxonomy_term_id)
        .where(
            attributes.c.service_id.in_(ids), attributes.c.taxonomy_term_id.in_(list(need_terms))
        )
        .order_by(attributes.c.service_id, attributes.c.position)
    )
    for service_id, term_id in session.execute(query):
        grouped[service_id].append(need_terms[term_id])
    return grouped


def _accessibility(session: Session, location_ids: Sequence[str]) -> dict[str, list[str]]:
    grouped: dict[str, list[str]] = defaultdict(list)
    if not location_ids:
        return grouped
    query = (
        sa.select(accessibility.c.location_id, accessibility.c.description)
        .where(accessibility.c.location_id.in_(sorted(set(location_ids))))
        .order_by(accessibility.c.location_id, accessibility.c.position)
    )
    for location_id, description in session.execute(query):
        if description:
            grouped[location_id].append(description)
    return grouped


# ---------------------------------------------------------------------------
# Staff search and recommendations.


@dataclass(frozen=True)
class SearchFilters:
    """Staff search filters. All are optional and combine with AND, except ``needs``:
    a service must meet at least one of them, and meeting more ranks it higher."""

    crime_type: str | None = None
    borough: str | None = None
    needs: tuple[str, ...] = ()
    language: str | None = None
    age: int | None = None
    open_now: bool = False
    q: str | None = None

    def as_params(self) -> dict[str, Any]:
        return {
            "crime_type": self.crime_type,
            "borough": self.borough,
            "need": list(self.needs) or None,
            "language": self.language,
            "age": self.age,
            "open_now": "true" if self.open_now else None,
            "q": self.q,
        }


@dataclass(frozen=True)
class Ranked:
    key: list[Any]
    view: dict[str, Any]


def local_now(now: datetime | None = None) -> tuple[str, str]:
    """(weekday code, "HH:MM") in London, for `open_now`."""
    local = (now or utcnow()).astimezone(LONDON)
    return WEEKDAYS[local.weekday()], f"{local:%H:%M}"


def _eligibility(
    *, crime_type: str | None, borough: str | None, age: int | None
) -> list[sa.ColumnElement[bool]]:
    s = services.c
    where: list[sa.ColumnElement[bool]] = [s.status == "active"]
    if crime_type:
        where.append(
            sa.exists().where(
                service_crime_types.c.service_id == s.id,
                service_crime_types.c.crime_type == crime_type,
            )
        )
    if borough:
        where.append(
            sa.exists().where(
                service_boroughs.c.service_id == s.id, service_boroughs.c.borough_code == borough
            )
        )
    if age is not None:
        where.append(sa.or_(s.minimum_age.is_(None), s.minimum_age <= age))
        where.append(sa.or_(s.maximum_age.is_(None), s.maximum_age >= age))
    return where


def _meets(need: str) -> sa.ColumnElement[bool]:
    return sa.exists().where(
        attributes.c.service_id == services.c.id,
        attributes.c.taxonomy_term_id == VICTIM_NEEDS_TAXONOMY.term_id(need),
    )


def _speaks(language: str) -> sa.ColumnElement[bool]:
    return sa.exists().where(languages.c.service_id == services.c.id, languages.c.code == language)


def _open_at(day: str, hhmm: str) -> sa.ColumnElement[bool]:
    return sa.exists().where(
        openings.c.service_id == services.c.id,
        openings.c.day == day,
        openings.c.opens_at <= hhmm,
        openings.c.closes_at > hhmm,
    )


def _matched_count(needs: Sequence[str]) -> sa.ColumnElement[int]:
    total: sa.ColumnElement[int] = sa.literal(0)
    for need in needs:
        total = total + sa.case((_meets(need), 1), else_=0)
    return total


def search_services(
    session: Session,
    filters: SearchFilters,
    *,
    limit: int,
    after: Sequence[Any] | None = None,
    now: datetime | None = None,
) -> list[Ranked]:
    """Active services matching ``filters``, best first, ``limit`` of them after ``after``.

    Order: more of the requested needs met first, then specialists before
    generalists (fewer crime types), then local before London-wide (fewer
    boroughs), then name. Every filter is an indexed EXISTS; `q` is a
    substring match over the rows the other filters leave.
    """
    s = services.c
    where = _eligibility(crime_type=filters.crime_type, borough=filters.borough, age=filters.age)
    if filters.needs:
        where.append(sa.or_(*(_meets(n) for n in filters.needs)))
    if filters.language:
        where.append(_speaks(filters.language))
    if filters.open_now:
        where.append(_open_at(*local_now(now)))
    if filters.q:
        where.append(s.search_text.like(documents.like_pattern(filters.q), escape="\\"))
    key: list[sa.ColumnElement[Any]] = [s.crime_type_count, s.borough_count, s.sort_name, s.id]
    if filters.needs:
        key.insert(0, sa.literal(0) - _matched_count(filters.needs))
    return _ranked(session, where, key, limit=limit, after=after, needs=filters.needs)


def _ranked(
    session: Session,
    where: list[sa.ColumnElement[bool]],
    key: list[sa.ColumnElement[Any]],
    *,
    limit: int,
    after: Sequence[Any] | None,
    needs: Sequence[str],
    extra: Sequence[sa.ColumnElement[Any]] = (),
) -> list[Ranked]:
    if after is not None:
        where = [*where, sa.tuple_(*key) > sa.tuple_(*(sa.literal(v) for v in after))]
    labelled = [k.label(f"k{i}") for i, k in enumerate(key)]
    query = (
        sa.select(*labelled, *extra)
        .where(*where)
        .order_by(*(sa.literal_column(f"k{i}") for i in range(len(key))))
        .limit(limit)
    )
    rows = session.execute(query).all()
    ids = [row[len(key) - 1] for row in rows]
    views = {view["id"]: view for view in staff_views(session, ids)}
    met = _needs_met(session, ids, needs)
    ranked = []
    for row in rows:
        view = views[row[len(key) - 1]]
        view["matched_needs"] = met.get(view["id"], [])
        ranked.append(Ranked(key=list(row[: len(key)]), view=view))
    return ranked


def _needs_met(session: Session, ids: Sequence[str], needs: Sequence[str]) -> dict[str, list[str]]:
    if not needs or not ids:
        return {}
    by_term = {VICTIM_NEEDS_TAXONOMY.term_id(n): n for n in needs}
    met: dict[str, list[str]] = defaultdict(list)
    rows = session.execute(
        sa.select(attributes.c.service_id, attributes.c.taxonomy_term_id).where(
            attributes.c.service_id.in_(ids), attributes.c.taxonomy_term_id.in_(list(by_term))
        )
    )
    for service_id, term_id in rows:
        met[service_id].append(by_term[term_id])
    return {sid: [n for n in needs if n in found] for sid, found in met.items()}


def recommend_services(
    session: Session,
    *,
    crime_type: str,
    borough: str | None,
    age: int | None,
    language: str | None,
    needs: Sequence[str],
    enhanced: bool,
    limit: int = 5,
) -> list[dict[str, Any]]:
    """Services the police could refer this victim to, best first.

    Only active services that take police referrals, accept the crime type and
    (when given) cover the borough and the age. Then ranked: more of the
    victim's needs met; offering the victim's language (other than English);
    then, for victims with enhanced rights, specialists before local services,
    and for others local before specialist; then name. Each result is a staff
    view with ``matched_needs`` and ``offers_language``.
    """
    s = services.c
    wanted_needs = tuple(dict.fromkeys(n for n in needs if n in NEED_CODES))
    where = _eligibility(crime_type=crime_type, borough=borough, age=age)
    where.append(s.accepts_police_referrals.is_(True))
    specificity = [s.crime_type_count, s.borough_count]
    if not enhanced:
        specificity.reverse()
    key: list[sa.ColumnElement[Any]] = [*specificity, s.sort_name, s.id]
    asked_language = language.lower() if language and language.lower() != "en" else None
    if asked_language:
        key.insert(0, sa.case((_speaks(asked_language), 0), else_=1))
    if wanted_needs:
        key.insert(0, sa.literal(0) - _matched_count(wanted_needs))
    ranked = _ranked(session, where, key, limit=limit, after=None, needs=wanted_needs)
    views = []
    for item in ranked:
        view = item.view
        view["offers_language"] = (
            None
            if asked_language is None
            else any(lang["code"] == asked_language for lang in view["languages"])
        )
        views.append(view)
    return views
