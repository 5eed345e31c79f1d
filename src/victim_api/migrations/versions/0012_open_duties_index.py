"""The worklist's duties: an index of the open ones only, in (due_at, id) order.

Most duties are met or waived; walking ``ix_notification_duty_due_at_id`` for
the open ones read past all of those first (about 100 ms a page on PostgreSQL
at 100,000 cases). A partial index holds only the open duties.

Revision ID: 0012_open_duties_index
Revises: 0011_callbacks_worklist
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0012_open_duties_index"
down_revision: str | None = "0011_callbacks_worklist"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

NAME = "ix_notification_duty_open_due_at_id"
OPEN = sa.text("met_at IS NULL AND waived_at IS NULL")


def upgrade() -> None:
    op.create_index(
        NAME,
        "notification_duty",
        ["due_at", "id"],
        postgresql_where=OPEN,
        sqlite_where=OPEN,
    )


def downgrade() -> None:
    op.drop_index(NAME, table_name="notification_duty")
