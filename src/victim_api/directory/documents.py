"""HSDS documents read from the database: the public feed's and the export's read path.

Everything here is a hot path. Core selects only; children are batch-loaded for
a whole page with one ``IN`` query per table (never one query per service);
rows become plain dicts, with absent fields left out (HSDS has no nulls), and
no table model or pydantic model is built on the way out.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session

from victim_api.directory.models import (
    Accessibility,
    Address,
    Attribute,
    Language,
    Location,
    Opening,
    Organization,
    Phone,
    Schedule,
    Service,
    ServiceArea,
    ServiceAtLocation,
    Taxonomy,
    TaxonomyTerm,
)
from victim_api.platform.clock import as_utc
from victim_api.platform.db import table_of

services = table_of(Service)
organizations = table_of(Organization)
locations = table_of(Location)
addresses = table_of(Address)
accessibility = table_of(Accessibility)
service_at_locations = table_of(ServiceAtLocation)
phones = table_of(Phone)
schedules = table_of(Schedule)
openings = table_of(Opening)
service_areas = table_of(ServiceArea)
languages = table_of(Language)
taxonomies = table_of(Taxonomy)
terms = table_of(TaxonomyTerm)
attributes = table_of(Attribute)

ORGANIZATION_FIELDS = (
    "id",
    "name",
    "alternate_name",
    "description",
    "email",
    "website",
    "logo",
    "uri",
    "parent_organization_id",
)
SERVICE_FIELDS = (
    "id",
    "organization_id",
    "name",
    "alternate_name",
    "description",
    "url",
    "email",
    "status",
    "interpretation_services",
    "application_process",
    "fees_description",
    "accreditations",
    "eligibility_description",
    "minimum_age",
    "maximum_age",
    "assured_date",
    "assurer_email",
    "alert",
    "last_modified",
)
MINIMAL_SERVICE_FIELDS = ("id", "name", "status", "last_modified")
LOCATION_FIELDS = (
    "id",
    "location_type",
    "url",
    "organization_id",
    "name",
    "alternate_name",
    "description",
    "transportation",
    "latitude",
    "longitude",
    "external_identifier",
    "external_identifier_type",
)
ADDRESS_FIELDS = (
    "id",
    "attention",
    "address_1",
    "address_2",
    "city",
    "region",
    "state_province",
    "postal_code",
    "country",
    "address_type",
)
ACCESSIBILITY_FIELDS = ("id", "description", "details", "url")
PHONE_FIELDS = ("id", "number", "extension", "type", "description")
SCHEDULE_FIELDS = (
    "id",
    "valid_from",
    "valid_to",
    "dtstart",
    "freq",
    "interval",
    "byday",
    "bymonthday",
    "description",
    "opens_at",
    "closes_at",
    "schedule_link",
    "attending_type",
    "notes",
)
SERVICE_AREA_FIELDS = ("id", "name", "description", "extent", "extent_type", "uri")
LANGUAGE_FIELDS = ("id", "name", "code", "note")
TAXONOMY_FIELDS = ("id", "name", "description", "uri", "version")
TERM_FIELDS = (
    "id",
    "code",
    "name",
    "description",
    "parent_id",
    "taxonomy",
    "taxonomy_id",
    "language",
    "term_uri",
)

_ORG_COLUMNS = [organizations.c[f].label(f"org_{f}") for f in ORGANIZATION_FIELDS]


def hsds_datetime(value: datetime) -> str:
    """RFC 3339 UTC with milliseconds, as HSDS asks: ``2026-12-01T09:30:00.000Z``."""
    value = as_utc(value)
    return f"{value:%Y-%m-%dT%H:%M:%S}.{value.microsecond // 1000:03d}Z"


def _compact(row: Sequence[Any], fields: Sequence[str], start: int = 0) -> dict[str, Any]:
    """The non-null values of ``row[start:]`` under ``fields`` (HSDS has no nulls)."""
    return {
        name: value
        for name, value in zip(fields, row[start : start + len(fields)], strict=False)
        if value is not None
    }


def _service_item(row: Sequence[Any]) -> dict[str, Any]:
    item = _compact(row, SERVICE_FIELDS)
    item["last_modified"] = hsds_datetime(item["last_modified"])
    item["organization"] = _compact(row, ORGANIZATION_FIELDS, len(SERVICE_FIELDS))
    return item


def _minimal_item(row: Sequence[Any]) -> dict[str, Any]:
    return {
        "id": row[0],
        "name": row[1],
        "status": row[2],
        "last_modified": hsds_datetime(row[3]),
    }


# ---------------------------------------------------------------------------
# Service lists.


@dataclass(frozen=True)
class ServiceQuery:
    """The filters of /openreferral/services (all optional; they combine with AND)."""

    search: str | None = None
    taxonomy_term_id: str | None = None
    taxonomy_id: str | None = None
    organization_id: str | None = None
    modified_after: datetime | None = None
    minimum_age: float | None = None
    maximum_age: float | None = None
    day: str | None = None
    start_time: str | None = None
    end_time: str | None = None

    def conditions(self) -> list[sa.ColumnElement[bool]]:
        s = services.c
        where: list[sa.ColumnElement[bool]] = []
        if self.search:
            where.append(s.search_text.like(like_pattern(self.search), escape="\\"))
        if self.taxonomy_term_id:
            where.append(
                sa.exists().where(
                    attributes.c.service_id == s.id,
                    attributes.c.taxonomy_term_id == self.taxonomy_term_id,
                )
            )
        if self.taxonomy_id:
            in_taxonomy = sa.select(terms.c.id).where(terms.c.taxonomy_id == self.taxonomy_id)
            where.append(
                sa.exists().where(
                    attributes.c.service_id == s.id,
                    attributes.c.taxonomy_term_id.in_(in_taxonomy),
                )
            )
        if self.organization_id:
            where.append(s.organization_id == self.organization_id)
        if self.modified_after is not None:
            where.append(s.last_modified >= self.modified_after)
        # UK profile: "a minimum age of at least", "a maximum age equal to or below".
        if self.minimum_age is not None:
            where.append(s.minimum_age >= self.minimum_age)
        if self.maximum_age is not None:
            where.append(s.maximum_age <= self.maximum_age)
        if self.day or self.start_time or self.end_time:
            hours: list[sa.ColumnElement[bool]] = [openings.c.service_id == s.id]
            if self.day:
                hours.append(openings.c.day == self.day)
            if self.start_time:
                hours.append(openings.c.opens_at >= self.start_time[:5])
            if self.end_time:
                hours.append(openings.c.closes_at <= self.end_time[:5])
            where.append(sa.exists().where(*hours))
        return where


def like_pattern(text: str) -> str:
    """A case-insensitive substring pattern for ``search_text`` (stored casefolded)."""
    escaped = text.casefold().replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


def count_services(session: Session, where: Sequence[sa.ColumnElement[bool]]) -> int:
    query = sa.select(sa.func.count()).select_from(services).where(*where)
    return int(session.execute(query).scalar_one())


def _list_select(minimal: bool) -> sa.Select[Any]:
    if minimal:
        return sa.select(*(services.c[f] for f in MINIMAL_SERVICE_FIELDS))
    return sa.select(*(services.c[f] for f in SERVICE_FIELDS), *_ORG_COLUMNS).join(
        organizations, organizations.c.id == services.c.organization_id
    )


def service_page(
    session: Session,
    where: Sequence[sa.ColumnElement[bool]],
    *,
    offset: int,
    limit: int,
    minimal: bool = False,
) -> list[dict[str, Any]]:
    """One page of list items in name order (HSDS pages are numbered, so OFFSET)."""
    query = (
        _list_select(minimal)
        .where(*where)
        .order_by(services.c.sort_name, services.c.id)
        .offset(offset)
        .limit(limit)
    )
    build = _minimal_item if minimal else _service_item
    return [build(row) for row in session.execute(query)]


def iter_service_items(
    session: Session,
    where: Sequence[sa.ColumnElement[bool]],
    *,
    minimal: bool = False,
    batch: int = 500,
) -> Iterator[dict[str, Any]]:
    """Every matching list item in name order, fetched ``batch`` at a time (keyset)."""
    last: tuple[str, str] | None = None
    build = _minimal_item if minimal else _service_item
    key = (services.c.sort_name, services.c.id)
    while True:
        query = _list_select(minimal).add_columns(*key).where(*where)
        if last is not None:
            query = query.where(sa.tuple_(*key) > sa.tuple_(*last))
        rows = list(session.execute(query.order_by(*key).limit(batch)))
        for row in rows:
            yield build(row)
        if len(rows) < batch:
            return
        last = (rows[-1][-2], rows[-1][-1])


# ---------------------------------------------------------------------------
# Fully nested services.


def _grouped(
    session: Session, table: sa.Table, key: str, ids: Iterable[str], fields: Sequence[str]
) -> dict[str, list[dict[str, Any]]]:
    """Child rows of ``ids`` by parent, in position order, as compact dicts."""
    wanted = list(ids)
    groups: dict[str, list[dict[str, Any]]] = defaultdict(list)
    if not wanted:
        return groups
    query = (
        sa.select(table.c[key], *(table.c[f] for f in fields))
        .where(table.c[key].in_(wanted))
        .order_by(table.c[key], table.c.position)
    )
    for row in session.execute(query):
        groups[row[0]].append(_compact(row, fields, 1))
    return groups


def _locations(session: Session, ids: Iterable[str], *, nested: bool) -> dict[str, dict[str, Any]]:
    wanted = sorted(set(ids))
    if not wanted:
        return {}
    query = sa.select(*(locations.c[f] for f in LOCATION_FIELDS)).where(locations.c.id.in_(wanted))
    found = {row[0]: _compact(row, LOCATION_FIELDS) for row in session.execute(query)}
    if nested:
        addresses_of = _grouped(session, addresses, "location_id", found, ADDRESS_FIELDS)
        access_of = _grouped(session, accessibility, "location_id", found, ACCESSIBILITY_FIELDS)
        for location_id, location in found.items():
            if addresses_of.get(location_id):
                location["addresses"] = addresses_of[location_id]
            notes = access_of.get(location_id)
            if notes:
                for note in notes:
                    if "description" in note:
                        note["accessibility"] = note["description"]  # UK profile
                location["accessibility"] = notes
    return found


def _term_dict(row: Sequence[Any], start: int, taxonomy_name: str | None) -> dict[str, Any]:
    term = _compact(row, TERM_FIELDS, start)
    if taxonomy_name:
        term["taxonomy"] = taxonomy_name
    term["term"] = term["name"]  # UK profile
    return term


def full_services(session: Session, ids: Sequence[str]) -> list[dict[str, Any]]:
    """Fully nested services, in the order of ``ids`` (unknown ids are skipped)."""
    if not ids:
        return []
    query = (
        sa.select(*(services.c[f] for f in SERVICE_FIELDS), *_ORG_COLUMNS)
        .join(organizations, organizations.c.id == services.c.organization_id)
        .where(services.c.id.in_(list(ids)))
    )
    found = {row[0]: _service_item(row) for row in session.execute(query)}
    if not found:
        return []
    phones_of = _grouped(session, phones, "service_id", found, PHONE_FIELDS)
    schedules_of = _grouped(session, schedules, "service_id", found, SCHEDULE_FIELDS)
    areas_of = _grouped(session, service_areas, "service_id", found, SERVICE_AREA_FIELDS)
    languages_of = _grouped(session, languages, "service_id", found, LANGUAGE_FIELDS)
    sals_of = _grouped(
        session, service_at_locations, "service_id", found, ("id", "location_id", "description")
    )
    location_ids = [sal["location_id"] for group in sals_of.values() for sal in group]
    locations_by_id = _locations(session, location_ids, nested=True)
    attributes_of = _attributes(session, list(found))

    result = []
    for service_id in ids:
        service = found.get(service_id)
        if service is None:
            continue
        for name, groups in (
            ("phones", phones_of),
            ("schedules", schedules_of),
            ("languages", languages_of),
        ):
            service[name] = groups.get(service_id, [])
        areas = areas_of.get(service_id, [])
        for area in areas:
            if "name" in area:
                area["service_area"] = area["name"]  # UK profile
        service["service_areas"] = areas
        sals = sals_of.get(service_id, [])
        for sal in sals:
            location = locations_by_id.get(sal["location_id"])
            if location is not None:
                sal["location"] = location
        service["service_at_locations"] = sals
        service["attributes"] = attributes_of.get(service_id, [])
        result.append(service)
    return result


def _attributes(session: Session, service_ids: Sequence[str]) -> dict[str, list[dict[str, Any]]]:
    query = (
        sa.select(
            attributes.c.service_id,
            attributes.c.id,
            attributes.c.taxonomy_term_id,
            attributes.c.link_type,
            attributes.c.value,
            taxonomies.c.name,
            *(terms.c[f] for f in TERM_FIELDS),
        )
        .join(terms, terms.c.id == attributes.c.taxonomy_term_id)
        .outerjoin(taxonomies, taxonomies.c.id == terms.c.taxonomy_id)
        .where(attributes.c.service_id.in_(service_ids))
        .order_by(attributes.c.service_id, attributes.c.position)
    )
    grouped: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for row in session.execute(query):
        attribute = {
            "id": row[1],
            "link_id": row[0],
            "link_entity": "service",
            "taxonomy_term_id": row[2],
        }
        if row[3] is not None:
            attribute["link_type"] = row[3]
        if row[4] is not None:
            attribute["value"] = row[4]
        attribute["taxonomy_term"] = _term_dict(row, 6, row[5])
        grouped[row[0]].append(attribute)
    return grouped


# ---------------------------------------------------------------------------
# Taxonomies and terms.


def taxonomy_page(
    session: Session, *, search: str | None, offset: int, limit: int
) -> tuple[int, list[dict[str, Any]]]:
    where = []
    if search:
        pattern = like_pattern(search)
        where.append(sa.func.lower(taxonomies.c.name).like(pattern, escape="\\"))
    total = session.execute(
        sa.select(sa.func.count()).select_from(taxonomies).where(*where)
    ).scalar_one()
    query = (
        sa.select(*(taxonomies.c[f] for f in TAXONOMY_FIELDS))
        .where(*where)
        .order_by(taxonomies.c.name, taxonomies.c.id)
        .offset(offset)
        .limit(limit)
    )
    return int(total), [_compact(row, TAXONOMY_FIELDS) for row in session.execute(query)]


def taxonomy(session: Session, taxonomy_id: str, *, with_terms: bool) -> dict[str, Any] | None:
    row = session.execute(
        sa.select(*(taxonomies.c[f] for f in TAXONOMY_FIELDS)).where(taxonomies.c.id == taxonomy_id)
    ).first()
    if row is None:
        return None
    found = _compact(row, TAXONOMY_FIELDS)
    if with_terms:
        found["taxonomy_terms"] = list(_terms(session, [terms.c.taxonomy_id == taxonomy_id]))
    return found


@dataclass(frozen=True)
class TermQuery:
    search: str | None = None
    taxonomy_id: str | None = None
    parent_id: str | None = None
    top_only: bool = False

    def conditions(self) -> list[sa.ColumnElement[bool]]:
        where: list[sa.ColumnElement[bool]] = []
        if self.search:
            pattern = like_pattern(self.search)
            where.append(sa.func.lower(terms.c.name).like(pattern, escape="\\"))
        if self.taxonomy_id:
            where.append(terms.c.taxonomy_id == self.taxonomy_id)
        if self.parent_id:
            where.append(terms.c.parent_id == self.parent_id)
        if self.top_only:
            where.append(terms.c.parent_id.is_(None))
        return where


def _terms(
    session: Session,
    where: Sequence[sa.ColumnElement[bool]],
    *,
    offset: int | None = None,
    limit: int | None = None,
) -> Iterator[dict[str, Any]]:
    query = (
        sa.select(taxonomies.c.name, *(terms.c[f] for f in TERM_FIELDS))
        .outerjoin(taxonomies, taxonomies.c.id == terms.c.taxonomy_id)
        .where(*where)
        .order_by(terms.c.taxonomy_id, terms.c.code, terms.c.id)
        .offset(offset)
        .limit(limit)
    )
    for row in session.execute(query):
        yield _term_dict(row, 1, row[0])


def term_page(
    session: Session, query: TermQuery, *, offset: int, limit: int
) -> tuple[int, list[dict[str, Any]]]:
    where = query.conditions()
    total = session.execute(sa.select(sa.func.count()).select_from(terms).where(*where))
    return int(total.scalar_one()), list(_terms(session, where, offset=offset, limit=limit))


def term(session: Session, term_id: str) -> dict[str, Any] | None:
    return next(_terms(session, [terms.c.id == term_id]), None)


# ---------------------------------------------------------------------------
# Services at locations.


def sal_conditions(query: ServiceQuery, postcode: str | None) -> list[sa.ColumnElement[bool]]:
    """Service filters applied to the service of each service_at_location, plus postcode."""
    where = [
        services.c.id == service_at_locations.c.service_id,
        *query.conditions(),
    ]
    if postcode:
        compact = postcode.replace(" ", "").upper()
        normalised = sa.func.upper(sa.func.replace(addresses.c.postal_code, " ", ""))
        where.append(
            sa.exists().where(
                addresses.c.location_id == service_at_locations.c.location_id,
                normalised.like(compact.replace("%", "").replace("_", "") + "%"),
            )
        )
    return where


def sal_page(
    session: Session, where: Sequence[sa.ColumnElement[bool]], *, offset: int, limit: int
) -> tuple[int, list[dict[str, Any]]]:
    base = (
        sa.select(sa.func.count())
        .select_from(service_at_locations)
        .join(services, services.c.id == service_at_locations.c.service_id)
    )
    total = int(session.execute(base.where(*where)).scalar_one())
    query = (
        sa.select(
            service_at_locations.c.id,
            service_at_locations.c.service_id,
            service_at_locations.c.location_id,
            service_at_locations.c.description,
            *(services.c[f] for f in SERVICE_FIELDS),
            *_ORG_COLUMNS,
        )
        .select_from(service_at_locations)
        .join(services, services.c.id == service_at_locations.c.service_id)
        .join(organizations, organizations.c.id == services.c.organization_id)
        .where(*where)
        .order_by(services.c.sort_name, service_at_locations.c.position, service_at_locations.c.id)
        .offset(offset)
        .limit(limit)
    )
    rows = list(session.execute(query))
    locations_by_id = _locations(session, (row[2] for row in rows), nested=False)
    contents = []
    for row in rows:
        item = _compact(row, ("id", "service_id", "location_id", "description"))
        if row[2] in locations_by_id:
            item["location"] = locations_by_id[row[2]]
        item["service"] = _service_item(row[4:])
        contents.append(item)
    return total, contents


def sal_full(session: Session, sal_id: str) -> dict[str, Any] | None:
    row = session.execute(
        sa.select(
            service_at_locations.c.id,
            service_at_locations.c.service_id,
            service_at_locations.c.location_id,
            service_at_locations.c.description,
        ).where(service_at_locations.c.id == sal_id)
    ).first()
    if row is None:
        return None
    item = _compact(row, ("id", "service_id", "location_id", "description"))
    location = _locations(session, [row[2]], nested=True).get(row[2])
    if location is not None:
        item["location"] = location
    nested = full_services(session, [row[1]])
    if nested:
        service = nested[0]
        service.pop("service_at_locations", None)
        item["service"] = service
    return item


def all_service_ids(session: Session) -> list[str]:
    return list(session.execute(sa.select(services.c.id).order_by(services.c.id)).scalars())


def all_taxonomies(session: Session) -> list[dict[str, Any]]:
    """Every taxonomy with its terms (the UK profile's nesting), for the export."""
    found = [
        _compact(row, TAXONOMY_FIELDS)
        for row in session.execute(
            sa.select(*(taxonomies.c[f] for f in TAXONOMY_FIELDS)).order_by(taxonomies.c.id)
        )
    ]
    by_id: dict[str | None, list[dict[str, Any]]] = defaultdict(list)
    for term_dict in _terms(session, []):
        by_id[term_dict.get("taxonomy_id")].append(term_dict)
    for taxonomy_dict in found:
        taxonomy_dict["taxonomy_terms"] = by_id.get(taxonomy_dict["id"], [])
    return found
