"""Leaflets: every version of every leaflet in every language, and its renderings.

Revision ID: 0007_leaflets
Revises: 0006_qr
Create Date: 2026-12-01 09:50:39.639819
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = "0007_leaflets"
down_revision: str | None = "0006_qr"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

PUBLISHED_ONLY = "status = 'PUBLISHED'"


def upgrade() -> None:
    op.create_table(
        "leaflet_version",
        sa.Column("id", sqlmodel.sql.sqltypes.AutoString(length=36), nullable=False),
        sa.Column("slug", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column("language", sqlmodel.sql.sqltypes.AutoString(length=35), nullable=False),
        sa.Column("number", sa.Integer(), nullable=False),
        sa.Column("status", sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
        sa.Column("title", sa.Text(), nullable=False),
        sa.Column("summary", sa.Text(), nullable=False),
        sa.Column("sample", sa.Boolean(), nullable=False),
        sa.Column("review_note", sa.Text(), nullable=True),
        sa.Column("sections", sa.JSON(), nullable=False),
        sa.Column("content_digest", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column("rendered_sections", sa.JSON(), nullable=True),
        sa.Column("ssml", sa.Text(), nullable=True),
        sa.Column("html_page", sa.Text(), nullable=True),
        sa.Column("render_version", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("published_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("retired_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.CheckConstraint(
            "status IN ('DRAFT', 'PUBLISHED', 'RETIRED')", name=op.f("ck_leaflet_version_status")
        ),
        sa.CheckConstraint("number >= 1", name=op.f("ck_leaflet_version_number")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_leaflet_version")),
        sa.UniqueConstraint(
            "slug", "language", "number", name=op.f("uq_leaflet_version_slug_language_number")
        ),
    )
    with op.batch_alter_table("leaflet_version", schema=None) as batch_op:
        # At most one PUBLISHED version per slug and language; also the public read path.
        batch_op.create_index(
            "ix_leaflet_version_published_slug_language",
            ["slug", "language"],
            unique=True,
            sqlite_where=sa.text(PUBLISHED_ONLY),
            postgresql_where=sa.text(PUBLISHED_ONLY),
        )


def downgrade() -> None:
    with op.batch_alter_table("leaflet_version", schema=None) as batch_op:
        batch_op.drop_index("ix_leaflet_version_published_slug_language")

    op.drop_table("leaflet_version")
