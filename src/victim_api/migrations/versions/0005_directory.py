"""Directory: the support-service directory (Open Referral HSDS 3.0 records, the
eligibility indexes derived from them, the directory revision), and the three
built-in taxonomies with their terms.

The taxonomy rows are written out here (ids computed from literals with
UUIDv5), so this migration never changes; a test keeps them equal to
``victim_api.directory.vocabulary``.

Revision ID: 0005_directory
Revises: 0003_reference
Create Date: 2026-12-01 09:05:55.952699
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import UTC, datetime

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = "0005_directory"
down_revision: str | None = "0004_cases"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

NAMESPACE = uuid.UUID("bc147c94-4282-4154-a150-3e0c035809a9")
TAXONOMY_BASE_URI = "https://victim-api.example.police.uk/taxonomies/"
CRIME_TYPES = [
    ("BURGLARY_RESIDENTIAL", "Burglary of a home"),
    ("ROBBERY", "Robbery"),
    ("THEFT", "Theft"),
    ("VEHICLE_CRIME", "Vehicle crime"),
    ("CRIMINAL_DAMAGE", "Criminal damage"),
    ("ASSAULT", "Assault"),
    ("WOUNDING_GBH_WITH_INTENT", "Wounding or GBH with intent"),
    ("DOMESTIC_ABUSE", "Domestic abuse"),
    ("SEXUAL_OFFENCE", "Sexual offence"),
    ("STALKING_HARASSMENT", "Stalking or harassment"),
    ("HATE_CRIME", "Hate crime"),
    ("FRAUD", "Fraud"),
    ("ARSON_ENDANGER_LIFE", "Arson with intent to endanger life"),
    ("ATTEMPTED_MURDER", "Attempted murder"),
    ("HOMICIDE", "Homicide"),
    ("KIDNAP_FALSE_IMPRISONMENT", "Kidnap or false imprisonment"),
    ("HUMAN_TRAFFICKING", "Human trafficking or modern slavery"),
    ("TERRORISM", "Terrorism"),
]
VICTIM_NEEDS = [
    ("EMOTIONAL_SUPPORT", "Emotional support", "Someone to talk to after a crime."),
    (
        "PRACTICAL_HELP",
        "Practical help",
        "Help with forms, repairs, lock changes and other practical matters.",
    ),
    (
        "ISVA",
        "Independent Sexual Violence Adviser",
        "An ISVA for victims of rape and sexual abuse.",
    ),
    (
        "IDVA",
        "Independent Domestic Violence Adviser",
        "An IDVA for victims of domestic abuse at high risk.",
    ),
    ("HOUSING", "Housing and refuge", "Emergency accommodation, refuge and rehousing."),
    ("LEGAL_ADVICE", "Legal advice", "Advice on protective orders and legal rights."),
    (
        "COURT_SUPPORT",
        "Court and witness support",
        "Support before, during and after giving evidence.",
    ),
    ("COUNSELLING", "Counselling", "Counselling and therapy for the effects of crime."),
    ("TRANSLATION", "Interpreting", "Support in languages other than English."),
    (
        "YOUTH_SUPPORT",
        "Children and young people",
        "Support designed for victims under 18 and their families.",
    ),
    (
        "FINANCIAL",
        "Financial help",
        "Help with compensation claims, debt and recovering money lost to crime.",
    ),
    ("BEREAVEMENT", "Bereavement support", "Support for families bereaved by crime."),
    (
        "ADVOCACY",
        "Advocacy",
        "Someone to speak up for the victim with agencies (hate crime, trafficking).",
    ),
    ("SAFETY_PLANNING", "Safety planning", "Planning to stay safe, including home security."),
    (
        "RESTORATIVE_JUSTICE",
        "Restorative justice",
        "Safe, facilitated communication with the offender, if the victim wants it.",
    ),
]
REFERRAL_ROUTES = [
    ("POLICE_REFERRAL", "Accepts police referrals", "The police may refer victims."),
    ("SELF_REFERRAL", "Self-referral", "Victims may contact the service themselves."),
]


def _id(*parts: str) -> str:
    return str(uuid.uuid5(NAMESPACE, "/".join(parts)))


def upgrade() -> None:
    op.create_table(
        "directory_location",
        sa.Column("id", sqlmodel.sql.sqltypes.AutoString(length=36), nullable=False),
        sa.Column("location_type", sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
        sa.Column("url", sqlmodel.sql.sqltypes.AutoString(length=2048), nullable=True),
        sa.Column("organization_id", sqlmodel.sql.sqltypes.AutoString(length=36), nullable=True),
        sa.Column("name", sqlmodel.sql.sqltypes.AutoString(length=255), nullable=True),
        sa.Column("alternate_name", sqlmodel.sql.sqltypes.AutoString(length=255), nullable=True),
        sa.Column("description", sa.Text(), nullable=True),
        sa.Column("transportation", sa.Text(), nullable=True),
        sa.Column("latitude", sa.Float(), nullable=True),
        sa.Column("longitude", sa.Float(), nullable=True),
        sa.Column(
            "external_identifier", sqlmodel.sql.sqltypes.AutoString(length=255), nullable=True
        ),
        sa.Column(
            "external_identifier_type", sqlmodel.sql.sqltypes.AutoString(length=255), nullable=True
        ),
        sa.Column("content_hash", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column("last_modified", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_directory_location")),
    )
    op.create_table(
        "directory_organization",
        sa.Column("id", sqlmodel.sql.sqltypes.AutoString(length=36), nullable=False),
        sa.Column("name", sqlmodel.sql.sqltypes.AutoString(length=255), nullable=False),
        sa.Column("alternate_name", sqlmodel.sql.sqltypes.AutoString(length=255), nullable=True),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("email", sqlmodel.sql.sqltypes.AutoString(length=254), nullable=True),
        sa.Column("website", sqlmodel.sql.sqltypes.AutoString(length=2048), nullable=True),
        sa.Column("logo", sqlmodel.sql.sqltypes.AutoString(length=2048), nullable=True),
        sa.Column("uri", sqlmodel.sql.sqltypes.AutoString(length=2048), nullable=True),
        sa.Column(
            "parent_organization_id", sqlmodel.sql.sqltypes.AutoString(length=36), nullable=True
        ),
        sa.Column("content_hash", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column("last_modified", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_directory_organization")),
    )
    revision_row = op.create_table(
        "directory_revision",
        sa.Column("id", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("revision", sa.BigInteger(), nullable=False),
        sa.Column("changed_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_directory_revision")),
    )
    taxonomy = op.create_table(
        "directory_taxonomy",
        sa.Column("id", sqlmodel.sql.sqltypes.AutoString(length=36), nullable=False),
        sa.Column("name", sqlmodel.sql.sqltypes.AutoString(length=255), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("uri", sqlmodel.sql.sqltypes.AutoString(length=2048), nullable=True),
        sa.Column("version", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_directory_taxonomy")),
    )
    op.create_table(
        "directory_accessibility",
        sa.Column("id", sqlmodel.sql.sqltypes.AutoString(length=36), nullable=False),
        sa.Column("location_id", sqlmodel.sql.sqltypes.AutoString(length=36), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("description", sa.Text(), nullable=True),
        sa.Column("details", sa.Text(), nullable=True),
        sa.Column("url", sqlmodel.sql.sqltypes.AutoString(length=2048), nullable=True),
        sa.ForeignKeyConstraint(
            ["location_id"],
            ["directory_location.id"],
            ondelete="CASCADE",
            name=op.f("fk_directory_accessibility_location_id_directory_location"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_directory_accessibility")),
    )
    with op.batch_alter_table("directory_accessibility", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_directory_accessibility_location_id"), ["location_id"], unique=False
        )

    op.create_table(
        "directory_address",
        sa.Column("id", sqlmodel.sql.sqltypes.AutoString(length=36), nullable=False),
        sa.Column("location_id", sqlmodel.sql.sqltypes.AutoString(length=36), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("attention", sqlmodel.sql.sqltypes.AutoString(length=255), nullable=True),
        sa.Column("address_1", sqlmodel.sql.sqltypes.AutoString(length=255), nullable=False),
        sa.Column("address_2", sqlmodel.sql.sqltypes.AutoString(length=255), nullable=True),
        sa.Column("city", sqlmodel.sql.sqltypes.AutoString(length=255), nullable=False),
        sa.Column("region", sqlmodel.sql.sqltypes.AutoString(length=255), nullable=True),
        sa.Column("state_province", sqlmodel.sql.sqltypes.AutoString(length=255), nullable=False),
        sa.Column("postal_code", sqlmodel.sql.sqltypes.AutoString(length=32), nullable=False),
        sa.Column("country", sqlmodel.sql.sqltypes.AutoString(length=2), nullable=False),
        sa.Column("address_type", sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
        sa.ForeignKeyConstraint(
            ["location_id"],
            ["directory_location.id"],
            ondelete="CASCADE",
            name=op.f("fk_directory_address_location_id_directory_location"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_directory_address")),
    )
    with op.batch_alter_table("directory_address", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_directory_address_location_id"), ["location_id"], unique=False
        )

    op.create_table(
        "directory_service",
        sa.Column("id", sqlmodel.sql.sqltypes.AutoString(length=36), nullable=False),
        sa.Column("organization_id", sqlmodel.sql.sqltypes.AutoString(length=36), nullable=False),
        sa.Column("name", sqlmodel.sql.sqltypes.AutoString(length=255), nullable=False),
        sa.Column("alternate_name", sqlmodel.sql.sqltypes.AutoString(length=255), nullable=True),
        sa.Column("description", sa.Text(), nullable=True),
        sa.Column("url", sqlmodel.sql.sqltypes.AutoString(length=2048), nullable=True),
        sa.Column("email", sqlmodel.sql.sqltypes.AutoString(length=254), nullable=True),
        sa.Column("status", sqlmodel.sql.sqltypes.AutoString(length=24), nullable=False),
        sa.Column("interpretation_services", sa.Text(), nullable=True),
        sa.Column("application_process", sa.Text(), nullable=True),
        sa.Column("fees_description", sa.Text(), nullable=True),
        sa.Column("accreditations", sa.Text(), nullable=True),
        sa.Column("eligibility_description", sa.Text(), nullable=True),
        sa.Column("minimum_age", sa.Integer(), nullable=True),
        sa.Column("maximum_age", sa.Integer(), nullable=True),
        sa.Column("assured_date", sa.Date(), nullable=True),
        sa.Column("assurer_email", sqlmodel.sql.sqltypes.AutoString(length=254), nullable=True),
        sa.Column("alert", sa.Text(), nullable=True),
        sa.Column("sort_name", sqlmodel.sql.sqltypes.AutoString(length=255), nullable=False),
        sa.Column("search_text", sa.Text(), nullable=False),
        sa.Column("accepts_police_referrals", sa.Boolean(), nullable=False),
        sa.Column("allows_self_referral", sa.Boolean(), nullable=False),
        sa.Column("crime_type_count", sa.Integer(), nullable=False),
        sa.Column("borough_count", sa.Integer(), nullable=False),
        sa.Column("content_hash", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("last_modified", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["organization_id"],
            ["directory_organization.id"],
            name=op.f("fk_directory_service_organization_id_directory_organization"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_directory_service")),
    )
    with op.batch_alter_table("directory_service", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_directory_service_last_modified"), ["last_modified"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_directory_service_organization_id"), ["organization_id"], unique=False
        )
        batch_op.create_index(
            "ix_directory_service_ranking",
            ["status", "crime_type_count", "borough_count", "sort_name", "id"],
            unique=False,
        )
        batch_op.create_index(
            "ix_directory_service_sort_name_id", ["sort_name", "id"], unique=False
        )

    term = op.create_table(
        "directory_taxonomy_term",
        sa.Column("id", sqlmodel.sql.sqltypes.AutoString(length=36), nullable=False),
        sa.Column("taxonomy_id", sqlmodel.sql.sqltypes.AutoString(length=36), nullable=True),
        sa.Column("code", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=True),
        sa.Column("name", sqlmodel.sql.sqltypes.AutoString(length=255), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("parent_id", sqlmodel.sql.sqltypes.AutoString(length=36), nullable=True),
        sa.Column("taxonomy", sqlmodel.sql.sqltypes.AutoString(length=255), nullable=True),
        sa.Column("language", sqlmodel.sql.sqltypes.AutoString(length=35), nullable=True),
        sa.Column("term_uri", sqlmodel.sql.sqltypes.AutoString(length=2048), nullable=True),
        sa.ForeignKeyConstraint(
            ["taxonomy_id"],
            ["directory_taxonomy.id"],
            name=op.f("fk_directory_taxonomy_term_taxonomy_id_directory_taxonomy"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_directory_taxonomy_term")),
        sa.UniqueConstraint("taxonomy_id", "code", name="uq_directory_taxonomy_term_code"),
    )
    with op.batch_alter_table("directory_taxonomy_term", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_directory_taxonomy_term_parent_id"), ["parent_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_directory_taxonomy_term_taxonomy_id"), ["taxonomy_id"], unique=False
        )

    op.create_table(
        "directory_attribute",
        sa.Column("id", sqlmodel.sql.sqltypes.AutoString(length=36), nullable=False),
        sa.Column("service_id", sqlmodel.sql.sqltypes.AutoString(length=36), nullable=False),
        sa.Column("taxonomy_term_id", sqlmodel.sql.sqltypes.AutoString(length=36), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("link_type", sqlmodel.sql.sqltypes.AutoString(length=255), nullable=True),
        sa.Column("value", sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(
            ["service_id"],
            ["directory_service.id"],
            ondelete="CASCADE",
            name=op.f("fk_directory_attribute_service_id_directory_service"),
        ),
        sa.ForeignKeyConstraint(
            ["taxonomy_term_id"],
            ["directory_taxonomy_term.id"],
            name=op.f("fk_directory_attribute_taxonomy_term_id_directory_taxonomy_term"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_directory_attribute")),
    )
    with op.batch_alter_table("directory_attribute", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_directory_attribute_service_id"), ["service_id"], unique=False
        )
        batch_op.create_index(
            "ix_directory_attribute_term_service", ["taxonomy_term_id", "service_id"], unique=False
        )

    op.create_table(
        "directory_language",
        sa.Column("id", sqlmodel.sql.sqltypes.AutoString(length=36), nullable=False),
        sa.Column("service_id", sqlmodel.sql.sqltypes.AutoString(length=36), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("name", sqlmodel.sql.sqltypes.AutoString(length=100), nullable=True),
        sa.Column("code", sqlmodel.sql.sqltypes.AutoString(length=35), nullable=True),
        sa.Column("note", sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(
            ["service_id"],
            ["directory_service.id"],
            ondelete="CASCADE",
            name=op.f("fk_directory_language_service_id_directory_service"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_directory_language")),
    )
    with op.batch_alter_table("directory_language", schema=None) as batch_op:
        batch_op.create_index(
            "ix_directory_language_code_service_id", ["code", "service_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_directory_language_service_id"), ["service_id"], unique=False
        )

    op.create_table(
        "directory_phone",
        sa.Column("id", sqlmodel.sql.sqltypes.AutoString(length=36), nullable=False),
        sa.Column("service_id", sqlmodel.sql.sqltypes.AutoString(length=36), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("number", sqlmodel.sql.sqltypes.AutoString(length=40), nullable=False),
        sa.Column("extension", sa.Integer(), nullable=True),
        sa.Column("type", sqlmodel.sql.sqltypes.AutoString(length=32), nullable=True),
        sa.Column("description", sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(
            ["service_id"],
            ["directory_service.id"],
            ondelete="CASCADE",
            name=op.f("fk_directory_phone_service_id_directory_service"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_directory_phone")),
    )
    with op.batch_alter_table("directory_phone", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_directory_phone_service_id"), ["service_id"], unique=False
        )

    op.create_table(
        "directory_schedule",
        sa.Column("id", sqlmodel.sql.sqltypes.AutoString(length=36), nullable=False),
        sa.Column("service_id", sqlmodel.sql.sqltypes.AutoString(length=36), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("valid_from", sa.Date(), nullable=True),
        sa.Column("valid_to", sa.Date(), nullable=True),
        sa.Column("dtstart", sa.Date(), nullable=True),
        sa.Column("freq", sqlmodel.sql.sqltypes.AutoString(length=16), nullable=True),
        sa.Column("interval", sa.Integer(), nullable=True),
        sa.Column("byday", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=True),
        sa.Column("bymonthday", sqlmodel.sql.sqltypes.AutoString(length=128), nullable=True),
        sa.Column("description", sa.Text(), nullable=True),
        sa.Column("opens_at", sqlmodel.sql.sqltypes.AutoString(length=8), nullable=True),
        sa.Column("closes_at", sqlmodel.sql.sqltypes.AutoString(length=8), nullable=True),
        sa.Column("schedule_link", sqlmodel.sql.sqltypes.AutoString(length=2048), nullable=True),
        sa.Column("attending_type", sqlmodel.sql.sqltypes.AutoString(length=255), nullable=True),
        sa.Column("notes", sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(
            ["service_id"],
            ["directory_service.id"],
            ondelete="CASCADE",
            name=op.f("fk_directory_schedule_service_id_directory_service"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_directory_schedule")),
    )
    with op.batch_alter_table("directory_schedule", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_directory_schedule_service_id"), ["service_id"], unique=False
        )

    op.create_table(
        "directory_service_area",
        sa.Column("id", sqlmodel.sql.sqltypes.AutoString(length=36), nullable=False),
        sa.Column("service_id", sqlmodel.sql.sqltypes.AutoString(length=36), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("name", sqlmodel.sql.sqltypes.AutoString(length=255), nullable=True),
        sa.Column("description", sa.Text(), nullable=True),
        sa.Column("extent", sa.Text(), nullable=True),
        sa.Column("extent_type", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=True),
        sa.Column("uri", sqlmodel.sql.sqltypes.AutoString(length=2048), nullable=True),
        sa.ForeignKeyConstraint(
            ["service_id"],
            ["directory_service.id"],
            ondelete="CASCADE",
            name=op.f("fk_directory_service_area_service_id_directory_service"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_directory_service_area")),
    )
    with op.batch_alter_table("directory_service_area", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_directory_service_area_service_id"), ["service_id"], unique=False
        )

    op.create_table(
        "directory_service_at_location",
        sa.Column("id", sqlmodel.sql.sqltypes.AutoString(length=36), nullable=False),
        sa.Column("service_id", sqlmodel.sql.sqltypes.AutoString(length=36), nullable=False),
        sa.Column("location_id", sa.String(length=36), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("description", sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(
            ["location_id"], ["directory_location.id"], name=op.f("fk_directory_sal_location_id")
        ),
        sa.ForeignKeyConstraint(
            ["service_id"],
            ["directory_service.id"],
            ondelete="CASCADE",
            name=op.f("fk_directory_service_at_location_service_id_directory_service"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_directory_service_at_location")),
    )
    with op.batch_alter_table("directory_service_at_location", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_directory_service_at_location_location_id"),
            ["location_id"],
            unique=False,
        )
        batch_op.create_index(
            batch_op.f("ix_directory_service_at_location_service_id"), ["service_id"], unique=False
        )

    op.create_table(
        "directory_service_borough",
        sa.Column("service_id", sqlmodel.sql.sqltypes.AutoString(length=36), nullable=False),
        sa.Column("borough_code", sqlmodel.sql.sqltypes.AutoString(length=40), nullable=False),
        sa.ForeignKeyConstraint(
            ["borough_code"],
            ["borough.code"],
            name=op.f("fk_directory_service_borough_borough_code_borough"),
        ),
        sa.ForeignKeyConstraint(
            ["service_id"],
            ["directory_service.id"],
            ondelete="CASCADE",
            name=op.f("fk_directory_service_borough_service_id_directory_service"),
        ),
        sa.PrimaryKeyConstraint(
            "service_id", "borough_code", name=op.f("pk_directory_service_borough")
        ),
    )
    with op.batch_alter_table("directory_service_borough", schema=None) as batch_op:
        batch_op.create_index(
            "ix_directory_service_borough_borough_code",
            ["borough_code", "service_id"],
            unique=False,
        )

    op.create_table(
        "directory_service_crime_type",
        sa.Column("service_id", sqlmodel.sql.sqltypes.AutoString(length=36), nullable=False),
        sa.Column("crime_type", sqlmodel.sql.sqltypes.AutoString(length=40), nullable=False),
        sa.ForeignKeyConstraint(
            ["crime_type"],
            ["crime_type.code"],
            name=op.f("fk_directory_service_crime_type_crime_type_crime_type"),
        ),
        sa.ForeignKeyConstraint(
            ["service_id"],
            ["directory_service.id"],
            ondelete="CASCADE",
            name=op.f("fk_directory_service_crime_type_service_id_directory_service"),
        ),
        sa.PrimaryKeyConstraint(
            "service_id", "crime_type", name=op.f("pk_directory_service_crime_type")
        ),
    )
    with op.batch_alter_table("directory_service_crime_type", schema=None) as batch_op:
        batch_op.create_index(
            "ix_directory_service_crime_type_crime_type", ["crime_type", "service_id"], unique=False
        )

    op.create_table(
        "directory_opening",
        sa.Column("schedule_id", sqlmodel.sql.sqltypes.AutoString(length=36), nullable=False),
        sa.Column("day", sqlmodel.sql.sqltypes.AutoString(length=2), nullable=False),
        sa.Column("opens_at", sqlmodel.sql.sqltypes.AutoString(length=5), nullable=False),
        sa.Column("service_id", sqlmodel.sql.sqltypes.AutoString(length=36), nullable=False),
        sa.Column("closes_at", sqlmodel.sql.sqltypes.AutoString(length=5), nullable=False),
        sa.ForeignKeyConstraint(
            ["schedule_id"],
            ["directory_schedule.id"],
            ondelete="CASCADE",
            name=op.f("fk_directory_opening_schedule_id_directory_schedule"),
        ),
        sa.ForeignKeyConstraint(
            ["service_id"],
            ["directory_service.id"],
            ondelete="CASCADE",
            name=op.f("fk_directory_opening_service_id_directory_service"),
        ),
        sa.PrimaryKeyConstraint(
            "schedule_id", "day", "opens_at", name=op.f("pk_directory_opening")
        ),
    )
    with op.batch_alter_table("directory_opening", schema=None) as batch_op:
        batch_op.create_index(
            "ix_directory_opening_day_hours", ["day", "opens_at", "closes_at"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_directory_opening_service_id"), ["service_id"], unique=False
        )

    op.bulk_insert(
        revision_row, [{"id": 1, "revision": 0, "changed_at": datetime(2026, 12, 1, tzinfo=UTC)}]
    )
    taxonomies = [
        (
            "crime-types",
            "Crime types",
            "The crime types a service accepts victims of. Codes are the API's crime-type codes (GET /v1/reference/crime-types).",
            [(code, label, f"Victims of {label.lower()}.") for code, label in CRIME_TYPES],
        ),
        (
            "victim-needs",
            "Victim needs",
            "What a support service helps victims of crime with.",
            VICTIM_NEEDS,
        ),
        ("referral-routes", "Referral routes", "How victims can reach a service.", REFERRAL_ROUTES),
    ]
    op.bulk_insert(
        taxonomy,
        [
            {
                "id": _id("taxonomy", slug),
                "name": name,
                "description": description,
                "uri": TAXONOMY_BASE_URI + slug,
            }
            for slug, name, description, _ in taxonomies
        ],
    )
    op.bulk_insert(
        term,
        [
            {
                "id": _id("taxonomy", slug, "term", code),
                "taxonomy_id": _id("taxonomy", slug),
                "code": code,
                "name": term_name,
                "description": term_description,
            }
            for slug, _, _, terms in taxonomies
            for code, term_name, term_description in terms
        ],
    )


def downgrade() -> None:
    with op.batch_alter_table("directory_opening", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_directory_opening_service_id"))
        batch_op.drop_index("ix_directory_opening_day_hours")

    op.drop_table("directory_opening")
    with op.batch_alter_table("directory_service_crime_type", schema=None) as batch_op:
        batch_op.drop_index("ix_directory_service_crime_type_crime_type")

    op.drop_table("directory_service_crime_type")
    with op.batch_alter_table("directory_service_borough", schema=None) as batch_op:
        batch_op.drop_index("ix_directory_service_borough_borough_code")

    op.drop_table("directory_service_borough")
    with op.batch_alter_table("directory_service_at_location", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_directory_service_at_location_service_id"))
        batch_op.drop_index(batch_op.f("ix_directory_service_at_location_location_id"))

    op.drop_table("directory_service_at_location")
    with op.batch_alter_table("directory_service_area", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_directory_service_area_service_id"))

    op.drop_table("directory_service_area")
    with op.batch_alter_table("directory_schedule", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_directory_schedule_service_id"))

    op.drop_table("directory_schedule")
    with op.batch_alter_table("directory_phone", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_directory_phone_service_id"))

    op.drop_table("directory_phone")
    with op.batch_alter_table("directory_language", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_directory_language_service_id"))
        batch_op.drop_index("ix_directory_language_code_service_id")

    op.drop_table("directory_language")
    with op.batch_alter_table("directory_attribute", schema=None) as batch_op:
        batch_op.drop_index("ix_directory_attribute_term_service")
        batch_op.drop_index(batch_op.f("ix_directory_attribute_service_id"))

    op.drop_table("directory_attribute")
    with op.batch_alter_table("directory_taxonomy_term", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_directory_taxonomy_term_taxonomy_id"))
        batch_op.drop_index(batch_op.f("ix_directory_taxonomy_term_parent_id"))

    op.drop_table("directory_taxonomy_term")
    with op.batch_alter_table("directory_service", schema=None) as batch_op:
        batch_op.drop_index("ix_directory_service_sort_name_id")
        batch_op.drop_index("ix_directory_service_ranking")
        batch_op.drop_index(batch_op.f("ix_directory_service_organization_id"))
        batch_op.drop_index(batch_op.f("ix_directory_service_last_modified"))

    op.drop_table("directory_service")
    with op.batch_alter_table("directory_address", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_directory_address_location_id"))

    op.drop_table("directory_address")
    with op.batch_alter_table("directory_accessibility", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_directory_accessibility_location_id"))

    op.drop_table("directory_accessibility")
    op.drop_table("directory_taxonomy")
    op.drop_table("directory_revision")
    op.drop_table("directory_organization")
    op.drop_table("directory_location")
