"""Callbacks and feedback; the worklist's and the compliance report's indexes; the
victim's next agreed update time (``victim.update_due_at``, back-filled).

Revision ID: 0011_callbacks_worklist
Revises: 0010_helpline
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime, timedelta

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = "0011_callbacks_worklist"
down_revision: str | None = "0010_helpline"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# Static copies (a migration never imports the code it migrates).
INTERVALS = {"EVERY_14_DAYS": timedelta(days=14), "EVERY_28_DAYS": timedelta(days=28)}
INDEXES = [
    ("notification_duty", "ix_notification_duty_due_at_id", ["due_at", "id"]),
    ("notification_duty", "ix_notification_duty_due_on", ["due_on"]),
    ("case_record", "ix_case_record_officer_team", ["officer_team"]),
    ("case_record", "ix_case_record_reported_at", ["reported_at"]),
    ("referral", "ix_referral_status_created_at_id", ["status", "created_at", "id"]),
    ("referral", "ix_referral_status_sent_at_id", ["status", "sent_at", "id"]),
]


def _text(length: int) -> sqlmodel.sql.sqltypes.AutoString:
    return sqlmodel.sql.sqltypes.AutoString(length=length)


def _utc(value: datetime | str) -> datetime:
    moment = datetime.fromisoformat(value) if isinstance(value, str) else value
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment


def upgrade() -> None:
    op.create_table(
        "callback_request",
        sa.Column("id", _text(36), nullable=False),
        sa.Column("case_id", _text(36), nullable=False),
        sa.Column("victim_id", _text(36), nullable=False),
        sa.Column("reason", _text(32), nullable=False),
        sa.Column("note", _text(300), nullable=True),
        sa.Column("preferred_times", sa.JSON(), nullable=False),
        sa.Column("channel", _text(16), nullable=False),
        sa.Column("status", _text(16), nullable=False),
        sa.Column("requested_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("due_by", sa.DateTime(timezone=True), nullable=False),
        sa.Column("claimed_by", _text(128), nullable=True),
        sa.Column("claimed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("completed_by", _text(128), nullable=True),
        sa.Column("completed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("outcome", _text(32), nullable=True),
        sa.Column("summary", _text(1000), nullable=True),
        sa.Column("contact_id", _text(36), nullable=True),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["case_id"], ["case_record.id"], name=op.f("fk_callback_request_case_id_case_record")
        ),
        sa.ForeignKeyConstraint(
            ["victim_id"], ["victim.id"], name=op.f("fk_callback_request_victim_id_victim")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_callback_request")),
    )
    with op.batch_alter_table("callback_request", schema=None) as batch_op:
        batch_op.create_index(
            "ix_callback_request_status_due_by_id", ["status", "due_by", "id"], unique=False
        )
        batch_op.create_index(
            "ix_callback_request_victim_id_requested_at_id",
            ["victim_id", "requested_at", "id"],
            unique=False,
        )
        batch_op.create_index("ix_callback_request_requested_at", ["requested_at"], unique=False)
    op.create_table(
        "victim_feedback",
        sa.Column("id", _text(36), nullable=False),
        sa.Column("case_id", _text(36), nullable=False),
        sa.Column("victim_id", _text(36), nullable=False),
        sa.Column("rating", sa.Integer(), nullable=False),
        sa.Column("comment", _text(2000), nullable=True),
        sa.Column("channel", _text(16), nullable=False),
        sa.Column("submitted_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["case_id"], ["case_record.id"], name=op.f("fk_victim_feedback_case_id_case_record")
        ),
        sa.ForeignKeyConstraint(
            ["victim_id"], ["victim.id"], name=op.f("fk_victim_feedback_victim_id_victim")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_victim_feedback")),
    )
    with op.batch_alter_table("victim_feedback", schema=None) as batch_op:
        batch_op.create_index("ix_victim_feedback_submitted_at", ["submitted_at"], unique=False)

    with op.batch_alter_table("victim", schema=None) as batch_op:
        batch_op.add_column(sa.Column("update_due_at", sa.DateTime(timezone=True), nullable=True))
        batch_op.create_index("ix_victim_update_due_at_id", ["update_due_at", "id"], unique=False)
    for table, name, columns in INDEXES:
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.create_index(name, columns, unique=False)
    _backfill_update_due()


def _backfill_update_due() -> None:
    """The same rule as ``victims.service.update_due``, for people already held."""
    bind = op.get_bind()
    victim = sa.table(
        "victim",
        sa.column("id"),
        sa.column("update_frequency"),
        sa.column("opted_out"),
        sa.column("erased_at"),
        sa.column("created_at"),
        sa.column("update_due_at"),
    )
    contact = sa.table(
        "victim_contact", sa.column("victim_id"), sa.column("outcome"), sa.column("contacted_at")
    )
    last = dict(
        bind.execute(
            sa.select(contact.c.victim_id, sa.func.max(contact.c.contacted_at))
            .where(contact.c.outcome != "NO_ANSWER")
            .group_by(contact.c.victim_id)
        ).all()
    )
    rows = bind.execute(
        sa.select(victim.c.id, victim.c.update_frequency, victim.c.created_at).where(
            victim.c.update_frequency.in_(list(INTERVALS)),
            victim.c.opted_out.is_(False),
            victim.c.erased_at.is_(None),
        )
    ).all()
    for victim_id, frequency, created_at in rows:
        since = _utc(last.get(victim_id) or created_at)
        bind.execute(
            sa.update(victim)
            .where(victim.c.id == victim_id)
            .values(update_due_at=since + INTERVALS[frequency])
        )


def downgrade() -> None:
    for table, name, _columns in reversed(INDEXES):
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.drop_index(name)
    with op.batch_alter_table("victim", schema=None) as batch_op:
        batch_op.drop_index("ix_victim_update_due_at_id")
        batch_op.drop_column("update_due_at")
    with op.batch_alter_table("victim_feedback", schema=None) as batch_op:
        batch_op.drop_index("ix_victim_feedback_submitted_at")
    op.drop_table("victim_feedback")
    with op.batch_alter_table("callback_request", schema=None) as batch_op:
        batch_op.drop_index("ix_callback_request_requested_at")
        batch_op.drop_index("ix_callback_request_victim_id_requested_at_id")
        batch_op.drop_index("ix_callback_request_status_due_by_id")
    op.drop_table("callback_request")
