"""Referrals: referrals to support services, their delivery to partners, and the
consent rule per crime type (seeded from the 2015 Code"s rule).

Revision ID: 0009_referrals
Revises: 0008_victims
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = "0009_referrals"
down_revision: str | None = "0008_victims"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# Under the 2015 Code, referral needed explicit consent for sexual offences, domestic
# abuse and bereaved relatives (homicide); elsewhere the victim could opt out.
CONSENT_REQUIRED = {"SEXUAL_OFFENCE", "DOMESTIC_ABUSE", "HOMICIDE"}
CRIME_TYPES = (
    "BURGLARY_RESIDENTIAL",
    "ROBBERY",
    "THEFT",
    "VEHICLE_CRIME",
    "CRIMINAL_DAMAGE",
    "ASSAULT",
    "WOUNDING_GBH_WITH_INTENT",
    "DOMESTIC_ABUSE",
    "SEXUAL_OFFENCE",
    "STALKING_HARASSMENT",
    "HATE_CRIME",
    "FRAUD",
    "ARSON_ENDANGER_LIFE",
    "ATTEMPTED_MURDER",
    "HOMICIDE",
    "KIDNAP_FALSE_IMPRISONMENT",
    "HUMAN_TRAFFICKING",
    "TERRORISM",
)
RULES = [(code, code in CONSENT_REQUIRED) for code in CRIME_TYPES]
CONSENT_NOTE = "Explicit consent needed (2015 Code: sexual offences, domestic abuse, bereaved)."
OPT_OUT_NOTE = "Referred unless the victim opts out (withdraws consent)."


def upgrade() -> None:
    rules = op.create_table(
        "referral_consent_rule",
        sa.Column("crime_type", sqlmodel.sql.sqltypes.AutoString(length=40), nullable=False),
        sa.Column("consent_required", sa.Boolean(), nullable=False),
        sa.Column("legal_basis", sqlmodel.sql.sqltypes.AutoString(length=40), nullable=False),
        sa.Column("note", sqlmodel.sql.sqltypes.AutoString(length=300), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_by", sqlmodel.sql.sqltypes.AutoString(length=128), nullable=False),
        sa.ForeignKeyConstraint(
            ["crime_type"],
            ["crime_type.code"],
            name=op.f("fk_referral_consent_rule_crime_type_crime_type"),
        ),
        sa.PrimaryKeyConstraint("crime_type", name=op.f("pk_referral_consent_rule")),
    )
    op.create_table(
        "referral",
        sa.Column("id", sqlmodel.sql.sqltypes.AutoString(length=36), nullable=False),
        sa.Column("case_id", sqlmodel.sql.sqltypes.AutoString(length=36), nullable=False),
        sa.Column("victim_id", sqlmodel.sql.sqltypes.AutoString(length=36), nullable=False),
        sa.Column("service_id", sqlmodel.sql.sqltypes.AutoString(length=36), nullable=False),
        sa.Column("organisation_id", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column("open_key", sqlmodel.sql.sqltypes.AutoString(length=80), nullable=True),
        sa.Column("crime_type", sqlmodel.sql.sqltypes.AutoString(length=40), nullable=False),
        sa.Column("needs", sa.JSON(), nullable=False),
        sa.Column("consent_required", sa.Boolean(), nullable=False),
        sa.Column("consent_id", sqlmodel.sql.sqltypes.AutoString(length=36), nullable=True),
        sa.Column("legal_basis", sqlmodel.sql.sqltypes.AutoString(length=40), nullable=False),
        sa.Column("contact_methods", sa.JSON(), nullable=False),
        sa.Column("preferred_method", sqlmodel.sql.sqltypes.AutoString(length=16), nullable=True),
        sa.Column(
            "safe_contact_times", sqlmodel.sql.sqltypes.AutoString(length=300), nullable=True
        ),
        sa.Column("status", sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
        sa.Column("decline_reason", sqlmodel.sql.sqltypes.AutoString(length=20), nullable=True),
        sa.Column("cancel_reason", sqlmodel.sql.sqltypes.AutoString(length=40), nullable=True),
        sa.Column("pending", sa.Boolean(), nullable=False),
        sa.Column("pending_since", sa.DateTime(timezone=True), nullable=True),
        sa.Column("delivery_count", sa.Integer(), nullable=False),
        sa.Column("first_delivered_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("last_delivered_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("acknowledged_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("sent_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("status_changed_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("duty_id", sqlmodel.sql.sqltypes.AutoString(length=36), nullable=True),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("created_by", sqlmodel.sql.sqltypes.AutoString(length=128), nullable=False),
        sa.Column("updated_by", sqlmodel.sql.sqltypes.AutoString(length=128), nullable=False),
        sa.ForeignKeyConstraint(
            ["case_id"], ["case_record.id"], name=op.f("fk_referral_case_id_case_record")
        ),
        sa.ForeignKeyConstraint(
            ["service_id"],
            ["directory_service.id"],
            name=op.f("fk_referral_service_id_directory_service"),
        ),
        sa.ForeignKeyConstraint(
            ["victim_id"], ["victim.id"], name=op.f("fk_referral_victim_id_victim")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_referral")),
        sa.UniqueConstraint("open_key", name="uq_referral_open_key"),
    )
    with op.batch_alter_table("referral", schema=None) as batch_op:
        batch_op.create_index(
            "ix_referral_organisation_id_pending_pending_since_id",
            ["organisation_id", "pending", "pending_since", "id"],
            unique=False,
        )
        batch_op.create_index(
            "ix_referral_victim_id_created_at_id", ["victim_id", "created_at", "id"], unique=False
        )

    now = datetime(2026, 12, 1, tzinfo=UTC)
    op.bulk_insert(
        rules,
        [
            {
                "crime_type": code,
                "consent_required": required,
                "legal_basis": "CONSENT" if required else "PUBLIC_TASK",
                "note": CONSENT_NOTE if required else OPT_OUT_NOTE,
                "version": 1,
                "updated_at": now,
                "updated_by": "migration 0009_referrals",
            }
            for code, required in RULES
        ],
    )


def downgrade() -> None:
    with op.batch_alter_table("referral", schema=None) as batch_op:
        batch_op.drop_index("ix_referral_victim_id_created_at_id")
        batch_op.drop_index("ix_referral_organisation_id_pending_pending_since_id")

    op.drop_table("referral")
    op.drop_table("referral_consent_rule")
