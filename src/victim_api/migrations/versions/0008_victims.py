"""Victims: the people on a case, their consent history and the contact log.

Revision ID: 0008_victims
Revises: 0006_qr (another branch adds 0007; relink on merge)
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = "0008_victims"
down_revision: str | None = "0007_leaflets"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "victim",
        sa.Column("id", sqlmodel.sql.sqltypes.AutoString(length=36), nullable=False),
        sa.Column("case_id", sqlmodel.sql.sqltypes.AutoString(length=36), nullable=False),
        sa.Column("role", sqlmodel.sql.sqltypes.AutoString(length=32), nullable=False),
        sa.Column("given_name", sqlmodel.sql.sqltypes.AutoString(length=100), nullable=True),
        sa.Column("family_name", sqlmodel.sql.sqltypes.AutoString(length=100), nullable=True),
        sa.Column("date_of_birth", sa.Date(), nullable=True),
        sa.Column("dob_hash", sqlmodel.sql.sqltypes.AutoString(length=200), nullable=True),
        sa.Column("pin_hash", sqlmodel.sql.sqltypes.AutoString(length=200), nullable=True),
        sa.Column("pin_issued_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("phone", sqlmodel.sql.sqltypes.AutoString(length=16), nullable=True),
        sa.Column("email", sqlmodel.sql.sqltypes.AutoString(length=254), nullable=True),
        sa.Column("postal_address", sa.JSON(), nullable=True),
        sa.Column("preferred_channel", sqlmodel.sql.sqltypes.AutoString(length=16), nullable=True),
        sa.Column("update_frequency", sqlmodel.sql.sqltypes.AutoString(length=32), nullable=False),
        sa.Column("language", sqlmodel.sql.sqltypes.AutoString(length=35), nullable=False),
        sa.Column("interpreter_needed", sa.Boolean(), nullable=False),
        sa.Column("accessibility_needs", sa.JSON(), nullable=False),
        sa.Column(
            "safe_contact_times", sqlmodel.sql.sqltypes.AutoString(length=300), nullable=True
        ),
        sa.Column("safety_flags", sa.JSON(), nullable=False),
        sa.Column("opted_out", sa.Boolean(), nullable=False),
        sa.Column("opted_out_on", sa.Date(), nullable=True),
        sa.Column("erased_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("created_by", sqlmodel.sql.sqltypes.AutoString(length=128), nullable=False),
        sa.Column("updated_by", sqlmodel.sql.sqltypes.AutoString(length=128), nullable=False),
        sa.ForeignKeyConstraint(
            ["case_id"], ["case_record.id"], name=op.f("fk_victim_case_id_case_record")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_victim")),
    )
    with op.batch_alter_table("victim", schema=None) as batch_op:
        batch_op.create_index(
            "ix_victim_case_id_created_at_id", ["case_id", "created_at", "id"], unique=False
        )

    op.create_table(
        "victim_consent",
        sa.Column("id", sqlmodel.sql.sqltypes.AutoString(length=36), nullable=False),
        sa.Column("victim_id", sqlmodel.sql.sqltypes.AutoString(length=36), nullable=False),
        sa.Column("case_id", sqlmodel.sql.sqltypes.AutoString(length=36), nullable=False),
        sa.Column("purpose", sqlmodel.sql.sqltypes.AutoString(length=40), nullable=False),
        sa.Column("decision", sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
        sa.Column("legal_basis", sqlmodel.sql.sqltypes.AutoString(length=40), nullable=False),
        sa.Column("recorded_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("recorded_by", sqlmodel.sql.sqltypes.AutoString(length=128), nullable=False),
        sa.ForeignKeyConstraint(
            ["victim_id"], ["victim.id"], name=op.f("fk_victim_consent_victim_id_victim")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_victim_consent")),
    )
    with op.batch_alter_table("victim_consent", schema=None) as batch_op:
        batch_op.create_index(
            "ix_victim_consent_victim_id_recorded_at_id",
            ["victim_id", "recorded_at", "id"],
            unique=False,
        )

    op.create_table(
        "victim_contact",
        sa.Column("id", sqlmodel.sql.sqltypes.AutoString(length=36), nullable=False),
        sa.Column("victim_id", sqlmodel.sql.sqltypes.AutoString(length=36), nullable=False),
        sa.Column("case_id", sqlmodel.sql.sqltypes.AutoString(length=36), nullable=False),
        sa.Column("method", sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
        sa.Column("direction", sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
        sa.Column("outcome", sqlmodel.sql.sqltypes.AutoString(length=20), nullable=False),
        sa.Column("summary", sqlmodel.sql.sqltypes.AutoString(length=2000), nullable=True),
        sa.Column("contacted_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("recorded_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("made_by", sqlmodel.sql.sqltypes.AutoString(length=128), nullable=False),
        sa.Column("duty_ids", sa.JSON(), nullable=False),
        sa.Column("override_reason", sqlmodel.sql.sqltypes.AutoString(length=500), nullable=True),
        sa.ForeignKeyConstraint(
            ["victim_id"], ["victim.id"], name=op.f("fk_victim_contact_victim_id_victim")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_victim_contact")),
    )
    with op.batch_alter_table("victim_contact", schema=None) as batch_op:
        batch_op.create_index(
            "ix_victim_contact_victim_id_contacted_at_id",
            ["victim_id", "contacted_at", "id"],
            unique=False,
        )


def downgrade() -> None:
    with op.batch_alter_table("victim_contact", schema=None) as batch_op:
        batch_op.drop_index("ix_victim_contact_victim_id_contacted_at_id")

    op.drop_table("victim_contact")
    with op.batch_alter_table("victim_consent", schema=None) as batch_op:
        batch_op.drop_index("ix_victim_consent_victim_id_recorded_at_id")

    op.drop_table("victim_consent")
    with op.batch_alter_table("victim", schema=None) as batch_op:
        batch_op.drop_index("ix_victim_case_id_created_at_id")

    op.drop_table("victim")
