"""Helpline: verification failure counters and victim sessions.

Revision ID: 0010_helpline
Revises: 0009_referrals
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = "0010_helpline"
down_revision: str | None = "0009_referrals"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_TZ = sa.DateTime(timezone=True)


def _text(length: int) -> sqlmodel.sql.sqltypes.AutoString:
    return sqlmodel.sql.sqltypes.AutoString(length=length)


def upgrade() -> None:
    op.create_table(
        "verification_counter",
        sa.Column("subject", _text(80), nullable=False),
        sa.Column("failures", sa.Integer(), nullable=False),
        sa.Column("last_failure_at", _TZ, nullable=True),
        sa.Column("next_attempt_at", _TZ, nullable=True),
        sa.Column("locked_until", _TZ, nullable=True),
        sa.Column("pin_required", sa.Boolean(), nullable=False),
        sa.Column("cleared_at", _TZ, nullable=True),
        sa.Column("cleared_by", _text(128), nullable=True),
        sa.Column("clear_reason", _text(500), nullable=True),
        sa.Column("updated_at", _TZ, nullable=False),
        sa.PrimaryKeyConstraint("subject", name=op.f("pk_verification_counter")),
    )
    op.create_table(
        "victim_session",
        sa.Column("jti", _text(64), nullable=False),
        sa.Column("victim_id", _text(36), nullable=False),
        sa.Column("case_id", _text(36), nullable=False),
        sa.Column("client_id", _text(64), nullable=False),
        sa.Column("channel", _text(32), nullable=False),
        sa.Column("verified_at", _TZ, nullable=False),
        sa.Column("expires_at", _TZ, nullable=False),
        sa.Column("ended_at", _TZ, nullable=True),
        sa.Column("end_reason", _text(32), nullable=True),
        sa.PrimaryKeyConstraint("jti", name=op.f("pk_victim_session")),
    )
    op.create_index(
        "ix_victim_session_victim_id_ended_at", "victim_session", ["victim_id", "ended_at"]
    )
    op.create_index(
        "ix_victim_session_case_id_client_id", "victim_session", ["case_id", "client_id"]
    )


def downgrade() -> None:
    op.drop_index("ix_victim_session_case_id_client_id", table_name="victim_session")
    op.drop_index("ix_victim_session_victim_id_ended_at", table_name="victim_session")
    op.drop_table("victim_session")
    op.drop_table("verification_counter")
