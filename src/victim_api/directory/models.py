"""The support-service directory's tables, following Open Referral HSDS 3.0.

Two kinds of table:

- **HSDS records** (organization, service, location, address, accessibility,
  service_at_location, phone, schedule, service_area, language, taxonomy,
  taxonomy_term, attribute): what an HSDS feed says, ids included. They are
  the source of truth, and what /openreferral and the export publish.
- **Eligibility indexes** (service_crime_type, service_borough, opening, and
  the derived columns on service): rebuilt from a service's HSDS records on
  every write of it, in the same transaction, so staff search and
  recommendations filter through indexes instead of scanning text or JSON.

Ids are HSDS UUIDs as canonical lowercase text. Child rows keep a ``position``
so a service reads back in the order it was written. Directory data is about
organisations, not people: none of it is personal data.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Final

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

_ID = 36
_CASCADE: Final = "CASCADE"


class Organization(SQLModel, table=True):
    __tablename__ = "directory_organization"

    id: str = Field(primary_key=True, max_length=_ID)
    name: str = Field(max_length=255)
    alternate_name: str | None = Field(default=None, max_length=255)
    description: str = Field(sa_type=sa.Text)
    email: str | None = Field(default=None, max_length=254)
    website: str | None = Field(default=None, max_length=2048)
    logo: str | None = Field(default=None, max_length=2048)
    uri: str | None = Field(default=None, max_length=2048)
    parent_organization_id: str | None = Field(default=None, max_length=_ID)
    content_hash: str = Field(max_length=64)
    last_modified: datetime = Field(sa_type=sa.DateTime(timezone=True))


class Service(SQLModel, table=True):
    __tablename__ = "directory_service"
    __table_args__ = (
        # Staff search's default order: specialists first, then by name (keyset).
        sa.Index(
            "ix_directory_service_ranking",
            "status",
            "crime_type_count",
            "borough_count",
            "sort_name",
            "id",
        ),
        # /openreferral lists in name order.
        sa.Index("ix_directory_service_sort_name_id", "sort_name", "id"),
    )

    id: str = Field(primary_key=True, max_length=_ID)
    organization_id: str = Field(
        foreign_key="directory_organization.id", max_length=_ID, index=True
    )
    name: str = Field(max_length=255)
    alternate_name: str | None = Field(default=None, max_length=255)
    description: str | None = Field(default=None, sa_type=sa.Text)
    url: str | None = Field(default=None, max_length=2048)
    email: str | None = Field(default=None, max_length=254)
    # HSDS words: active, inactive, defunct, temporarily closed.
    status: str = Field(max_length=24)
    interpretation_services: str | None = Field(default=None, sa_type=sa.Text)
    application_process: str | None = Field(default=None, sa_type=sa.Text)
    fees_description: str | None = Field(default=None, sa_type=sa.Text)
    accreditations: str | None = Field(default=None, sa_type=sa.Text)
    eligibility_description: str | None = Field(default=None, sa_type=sa.Text)
    minimum_age: int | None = None
    maximum_age: int | None = None
    assured_date: date | None = None
    assurer_email: str | None = Field(default=None, max_length=254)
    alert: str | None = Field(default=None, sa_type=sa.Text)
    # Derived from the HSDS records on every write (see the module docstring).
    sort_name: str = Field(max_length=255)
    search_text: str = Field(sa_type=sa.Text)
    accepts_police_referrals: bool = False
    allows_self_referral: bool = False
    crime_type_count: int = 0
    borough_count: int = 0
    content_hash: str = Field(max_length=64)
    version: int = Field(default=1)
    created_at: datetime = Field(sa_type=sa.DateTime(timezone=True))
    last_modified: datetime = Field(sa_type=sa.DateTime(timezone=True), index=True)


class Location(SQLModel, table=True):
    __tablename__ = "directory_location"

    id: str = Field(primary_key=True, max_length=_ID)
    location_type: str = Field(max_length=16)
    url: str | None = Field(default=None, max_length=2048)
    organization_id: str | None = Field(default=None, max_length=_ID)
    name: str | None = Field(default=None, max_length=255)
    alternate_name: str | None = Field(default=None, max_length=255)
    description: str | None = Field(default=None, sa_type=sa.Text)
    transportation: str | None = Field(default=None, sa_type=sa.Text)
    latitude: float | None = None
    longitude: float | None = None
    external_identifier: str | None = Field(default=None, max_length=255)
    external_identifier_type: str | None = Field(default=None, max_length=255)
    content_hash: str = Field(max_length=64)
    last_modified: datetime = Field(sa_type=sa.DateTime(timezone=True))


class Address(SQLModel, table=True):
    __tablename__ = "directory_address"

    id: str = Field(primary_key=True, max_length=_ID)
    location_id: str = Field(
        foreign_key="directory_location.id", ondelete=_CASCADE, max_length=_ID, index=True
    )
    position: int
    attention: str | None = Field(default=None, max_length=255)
    address_1: str = Field(max_length=255)
    address_2: str | None = Field(default=None, max_length=255)
    city: str = Field(max_length=255)
    region: str | None = Field(default=None, max_length=255)
    state_province: str = Field(max_length=255)
    postal_code: str = Field(max_length=32)
    country: str = Field(max_length=2)
    address_type: str = Field(max_length=16)


class Accessibility(SQLModel, table=True):
    __tablename__ = "directory_accessibility"

    id: str = Field(primary_key=True, max_length=_ID)
    location_id: str = Field(
        foreign_key="directory_location.id", ondelete=_CASCADE, max_length=_ID, index=True
    )
    position: int
    description: str | None = Field(default=None, sa_type=sa.Text)
    details: str | None = Field(default=None, sa_type=sa.Text)
    url: str | None = Field(default=None, max_length=2048)


class ServiceAtLocation(SQLModel, table=True):
    __tablename__ = "directory_service_at_location"

    id: str = Field(primary_key=True, max_length=_ID)
    service_id: str = Field(
        foreign_key="directory_service.id", ondelete=_CASCADE, max_length=_ID, index=True
    )
    location_id: str = Field(
        sa_column=sa.Column(
            sa.String(_ID),
            sa.ForeignKey("directory_location.id", name="fk_directory_sal_location_id"),
            nullable=False,
            index=True,
        )
    )
    position: int
    description: str | None = Field(default=None, sa_type=sa.Text)


class Phone(SQLModel, table=True):
    __tablename__ = "directory_phone"

    id: str = Field(primary_key=True, max_length=_ID)
    service_id: str = Field(
        foreign_key="directory_service.id", ondelete=_CASCADE, max_length=_ID, index=True
    )
    position: int
    number: str = Field(max_length=40)
    extension: int | None = None
    type: str | None = Field(default=None, max_length=32)
    description: str | None = Field(default=None, sa_type=sa.Text)


class Schedule(SQLModel, table=True):
    __tablename__ = "directory_schedule"

    id: str = Field(primary_key=True, max_length=_ID)
    service_id: str = Field(
        foreign_key="directory_service.id", ondelete=_CASCADE, max_length=_ID, index=True
    )
    position: int
    valid_from: date | None = None
    valid_to: date | None = None
    dtstart: date | None = None
    freq: str | None = Field(default=None, max_length=16)
    interval: int | None = None
    byday: str | None = Field(default=None, max_length=64)
    bymonthday: str | None = Field(default=None, max_length=128)
    description: str | None = Field(default=None, sa_type=sa.Text)
    opens_at: str | None = Field(default=None, max_length=8)
    closes_at: str | None = Field(default=None, max_length=8)
    schedule_link: str | None = Field(default=None, max_length=2048)
    attending_type: str | None = Field(default=None, max_length=255)
    notes: str | None = Field(default=None, sa_type=sa.Text)


class Opening(SQLModel, table=True):
    """One weekday's opening hours of a weekly schedule ("HH:MM", closes "24:00" at most).

    An overnight schedule (closes before it opens) becomes two rows, one each side of
    midnight. Derived from ``directory_schedule``.
    """

    __tablename__ = "directory_opening"
    __table_args__ = (sa.Index("ix_directory_opening_day_hours", "day", "opens_at", "closes_at"),)

    schedule_id: str = Field(
        foreign_key="directory_schedule.id", ondelete=_CASCADE, max_length=_ID, primary_key=True
    )
    day: str = Field(max_length=2, primary_key=True)
    opens_at: str = Field(max_length=5, primary_key=True)
    service_id: str = Field(
        foreign_key="directory_service.id", ondelete=_CASCADE, max_length=_ID, index=True
    )
    closes_at: str = Field(max_length=5)


class ServiceArea(SQLModel, table=True):
    __tablename__ = "directory_service_area"

    id: str = Field(primary_key=True, max_length=_ID)
    service_id: str = Field(
        foreign_key="directory_service.id", ondelete=_CASCADE, max_length=_ID, index=True
    )
    position: int
    name: str | None = Field(default=None, max_length=255)
    description: str | None = Field(default=None, sa_type=sa.Text)
    extent: str | None = Field(default=None, sa_type=sa.Text)
    extent_type: str | None = Field(default=None, max_length=64)
    uri: str | None = Field(default=None, max_length=2048)


class ServiceBorough(SQLModel, table=True):
    """A borough a service covers. Derived from its service areas."""

    __tablename__ = "directory_service_borough"
    __table_args__ = (
        sa.Index("ix_directory_service_borough_borough_code", "borough_code", "service_id"),
    )

    service_id: str = Field(
        foreign_key="directory_service.id", ondelete=_CASCADE, max_length=_ID, primary_key=True
    )
    borough_code: str = Field(foreign_key="borough.code", max_length=40, primary_key=True)


class ServiceCrimeType(SQLModel, table=True):
    """A crime type a service accepts. Derived from its crime-types attributes."""

    __tablename__ = "directory_service_crime_type"
    __table_args__ = (
        sa.Index("ix_directory_service_crime_type_crime_type", "crime_type", "service_id"),
    )

    service_id: str = Field(
        foreign_key="directory_service.id", ondelete=_CASCADE, max_length=_ID, primary_key=True
    )
    crime_type: str = Field(foreign_key="crime_type.code", max_length=40, primary_key=True)


class Language(SQLModel, table=True):
    __tablename__ = "directory_language"
    __table_args__ = (sa.Index("ix_directory_language_code_service_id", "code", "service_id"),)

    id: str = Field(primary_key=True, max_length=_ID)
    service_id: str = Field(
        foreign_key="directory_service.id", ondelete=_CASCADE, max_length=_ID, index=True
    )
    position: int
    name: str | None = Field(default=None, max_length=100)
    # Lowercase BCP 47 tag, e.g. "en", "pl", "pt-br".
    code: str | None = Field(default=None, max_length=35)
    note: str | None = Field(default=None, sa_type=sa.Text)


class Taxonomy(SQLModel, table=True):
    __tablename__ = "directory_taxonomy"

    id: str = Field(primary_key=True, max_length=_ID)
    name: str = Field(max_length=255)
    description: str = Field(sa_type=sa.Text)
    uri: str | None = Field(default=None, max_length=2048)
    version: str | None = Field(default=None, max_length=64)


class TaxonomyTerm(SQLModel, table=True):
    __tablename__ = "directory_taxonomy_term"
    __table_args__ = (
        sa.UniqueConstraint("taxonomy_id", "code", name="uq_directory_taxonomy_term_code"),
    )

    id: str = Field(primary_key=True, max_length=_ID)
    taxonomy_id: str | None = Field(
        default=None, foreign_key="directory_taxonomy.id", max_length=_ID, index=True
    )
    code: str | None = Field(default=None, max_length=64)
    name: str = Field(max_length=255)
    description: str = Field(sa_type=sa.Text)
    parent_id: str | None = Field(default=None, max_length=_ID, index=True)
    # The taxonomy's name as free text, for terms from a taxonomy we do not hold.
    taxonomy: str | None = Field(default=None, max_length=255)
    language: str | None = Field(default=None, max_length=35)
    term_uri: str | None = Field(default=None, max_length=2048)


class Attribute(SQLModel, table=True):
    """A link from a service to a taxonomy term: crime types, needs, referral routes..."""

    __tablename__ = "directory_attribute"
    __table_args__ = (
        sa.Index("ix_directory_attribute_term_service", "taxonomy_term_id", "service_id"),
    )

    id: str = Field(primary_key=True, max_length=_ID)
    service_id: str = Field(
        foreign_key="directory_service.id", ondelete=_CASCADE, max_length=_ID, index=True
    )
    taxonomy_term_id: str = Field(foreign_key="directory_taxonomy_term.id", max_length=_ID)
    position: int
    link_type: str | None = Field(default=None, max_length=255)
    value: str | None = Field(default=None, sa_type=sa.Text)


class DirectoryRevision(SQLModel, table=True):
    """One row counting directory writes: public ETags and caches key on it."""

    __tablename__ = "directory_revision"

    id: int = Field(primary_key=True, sa_column_kwargs={"autoincrement": False})
    revision: int = Field(sa_type=sa.BigInteger)
    changed_at: datetime = Field(sa_type=sa.DateTime(timezone=True))


__all__ = [
    "Accessibility",
    "Address",
    "Attribute",
    "DirectoryRevision",
    "Language",
    "Location",
    "Opening",
    "Organization",
    "Phone",
    "Schedule",
    "Service",
    "ServiceArea",
    "ServiceAtLocation",
    "ServiceBorough",
    "ServiceCrimeType",
    "Taxonomy",
    "TaxonomyTerm",
]
