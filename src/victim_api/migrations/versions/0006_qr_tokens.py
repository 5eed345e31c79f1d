"""QR tokens: each printed code, its leaflet, its optional case binding and revocation.

Revision ID: 0006_qr
Revises: 0003_reference
Create Date: 2026-12-01 09:03:50.293788
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = "0006_qr"
down_revision: str | None = "0005_directory"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "qr_token",
        sa.Column("jti", sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
        sa.Column("leaflet_slug", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column("language", sqlmodel.sql.sqltypes.AutoString(length=35), nullable=True),
        sa.Column("case_id", sqlmodel.sql.sqltypes.AutoString(length=36), nullable=True),
        sa.Column("kid", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column("token", sa.Text(), nullable=False),
        sa.Column("url", sa.Text(), nullable=False),
        sa.Column("issued_by", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column("issued_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("revoked_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("jti", name=op.f("pk_qr_token")),
    )
    with op.batch_alter_table("qr_token", schema=None) as batch_op:
        batch_op.create_index(
            "ix_qr_token_case_id_issued_at", ["case_id", "issued_at"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_qr_token_expires_at"), ["expires_at"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("qr_token", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_qr_token_expires_at"))
        batch_op.drop_index("ix_qr_token_case_id_issued_at")

    op.drop_table("qr_token")
