"""Cases and the Victims' Code: case records, timeline events, entitlements,
notification duties, and the seeded notification rules.

The rules are written out here (not imported) so this migration never changes;
``victim_api.cases.rules.DEFAULT_RULES`` holds the same rows and a test keeps
the two in step.

Revision ID: 0004_cases
Revises: 0003_reference
Create Date: 2026-12-01 09:08:08.495425
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = "0004_cases"
down_revision: str | None = "0003_reference"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# (event_type, obligation, standard WD, enhanced WD, responsible, Victims' Code right)
# fmt: off
NOTIFICATION_RULES = [
    ("CASE_REPORTED", "Refer the victim to a support service, after reporting.", 2, 2, "POLICE", 4),
    ("SUSPECT_ARRESTED", "Tell the victim: a suspect has been arrested.", 5, 1, "POLICE", 6),
    ("SUSPECT_INTERVIEWED", "Tell the victim: a suspect has been interviewed under caution.", 5, 1, "POLICE", 6),
    ("SUSPECT_RELEASED_NO_FURTHER_ACTION", "Tell the victim: a suspect has been released without charge.", 5, 1, "POLICE", 6),
    ("SUSPECT_BAILED", "Tell the victim: a suspect has been released on bail.", 5, 1, "POLICE", 6),
    ("SUSPECT_RELEASED_UNDER_INVESTIGATION", "Tell the victim: a suspect has been released under investigation.", 5, 1, "POLICE", 6),
    ("BAIL_CONDITIONS_CHANGED", "Tell the victim: the suspect's bail conditions have changed.", 5, 1, "POLICE", 6),
    ("BAIL_CANCELLED", "Tell the victim: the suspect's bail has been cancelled.", 5, 1, "POLICE", 6),
    ("INVESTIGATION_NOT_PURSUED", "Tell the victim: the decision not to investigate, or to end the investigation, with reasons.", 5, 1, "POLICE", 6),
    ("SUSPECT_CHARGED", "Tell the victim: the decision to charge.", 5, 1, "POLICE", 6),
    ("NO_CHARGE_DECISION", "Tell the victim: the decision not to charge.", 5, 1, "POLICE", 6),
    ("OUT_OF_COURT_DISPOSAL", "Tell the victim: the decision to give an out-of-court disposal.", 5, 1, "POLICE", 6),
    ("HEARING_SCHEDULED", "Tell the victim: the date, time and place of the court hearing.", 1, 1, "WITNESS_CARE_UNIT", 8),
    ("BAIL_HEARING_OUTCOME", "Tell the victim: the outcome of the bail hearing.", 5, 1, "WITNESS_CARE_UNIT", 8),
    ("WARRANT_ISSUED", "Tell the victim: a warrant has been issued for the suspect.", 5, 1, "WITNESS_CARE_UNIT", 8),
    ("REARREST_OUTCOME", "Tell the victim: the outcome after the suspect was arrested again.", 5, 1, "WITNESS_CARE_UNIT", 8),
    ("OUTCOME_RECORDED", "Tell the victim: the case outcome and any sentence, with an explanation.", 1, 1, "WITNESS_CARE_UNIT", 9),
    ("COMPLAINT_RECEIVED", "Reply to the complaint, or acknowledge it with a timescale.", 10, 10, "EACH_AGENCY", 12),
    ("REVIEW_REQUESTED", "Acknowledge the request to review a no-charge decision.", 10, 10, "POLICE", 6),
]
# fmt: on


def _string(length: int) -> sqlmodel.sql.sqltypes.AutoString:
    return sqlmodel.sql.sqltypes.AutoString(length=length)


def upgrade() -> None:
    rules = op.create_table(
        "notification_rule",
        sa.Column("event_type", _string(40), nullable=False),
        sa.Column("obligation", _string(300), nullable=False),
        sa.Column("standard_working_days", sa.Integer(), nullable=False),
        sa.Column("enhanced_working_days", sa.Integer(), nullable=False),
        sa.Column("responsible", _string(32), nullable=False),
        sa.Column("code_right", sa.Integer(), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("updated_by", _string(128), nullable=True),
        sa.PrimaryKeyConstraint("event_type", name=op.f("pk_notification_rule")),
    )
    op.bulk_insert(
        rules,
        [
            {
                "event_type": event_type,
                "obligation": obligation,
                "standard_working_days": standard,
                "enhanced_working_days": enhanced,
                "responsible": responsible,
                "code_right": right,
                "active": True,
                "version": 1,
            }
            for event_type, obligation, standard, enhanced, responsible, right in NOTIFICATION_RULES
        ],
    )
    op.create_table(
        "case_record",
        sa.Column("id", _string(36), nullable=False),
        sa.Column("crime_reference", _string(32), nullable=False),
        sa.Column("borough", _string(40), nullable=False),
        sa.Column("crime_type", _string(40), nullable=False),
        sa.Column("reported_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("offence_date", sa.Date(), nullable=False),
        sa.Column("officer_name", _string(120), nullable=True),
        sa.Column("officer_rank", _string(60), nullable=True),
        sa.Column("officer_team", _string(120), nullable=True),
        sa.Column("officer_work_phone", _string(24), nullable=True),
        sa.Column("officer_work_email", _string(254), nullable=True),
        sa.Column("status", _string(40), nullable=False),
        sa.Column("status_sentence", _string(300), nullable=False),
        sa.Column("enhanced", sa.Boolean(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("created_by", _string(64), nullable=False),
        sa.Column("updated_by", _string(64), nullable=False),
        sa.ForeignKeyConstraint(
            ["borough"], ["borough.code"], name=op.f("fk_case_record_borough_borough")
        ),
        sa.ForeignKeyConstraint(
            ["crime_type"], ["crime_type.code"], name=op.f("fk_case_record_crime_type_crime_type")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_case_record")),
        sa.UniqueConstraint("crime_reference", name=op.f("uq_case_record_crime_reference")),
    )
    op.create_index("ix_case_record_updated_at_id", "case_record", ["updated_at", "id"])
    op.create_index(
        "ix_case_record_borough_updated_at_id", "case_record", ["borough", "updated_at", "id"]
    )
    op.create_index(
        "ix_case_record_status_updated_at_id", "case_record", ["status", "updated_at", "id"]
    )
    op.create_index(
        "ix_case_record_crime_type_updated_at_id",
        "case_record",
        ["crime_type", "updated_at", "id"],
    )
    op.create_table(
        "case_entitlement",
        sa.Column("case_id", _string(36), nullable=False),
        sa.Column("group_code", _string(32), nullable=False),
        sa.Column("basis", _string(32), nullable=False),
        sa.Column("reason", _string(500), nullable=False),
        sa.Column("recorded_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("recorded_by", _string(128), nullable=False),
        sa.ForeignKeyConstraint(
            ["case_id"], ["case_record.id"], name=op.f("fk_case_entitlement_case_id_case_record")
        ),
        sa.PrimaryKeyConstraint("case_id", "group_code", "basis", name=op.f("pk_case_entitlement")),
    )
    op.create_table(
        "case_event",
        sa.Column("id", _string(36), nullable=False),
        sa.Column("case_id", _string(36), nullable=False),
        sa.Column("type", _string(40), nullable=False),
        sa.Column("occurred_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("recorded_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("visibility", _string(16), nullable=False),
        sa.Column("victim_text", _string(1000), nullable=True),
        sa.Column("internal_note", _string(2000), nullable=True),
        sa.Column("from_status", _string(40), nullable=True),
        sa.Column("to_status", _string(40), nullable=True),
        sa.Column("hearing_court_name", _string(200), nullable=True),
        sa.Column("hearing_starts_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("hearing_address", _string(500), nullable=True),
        sa.Column("hearing_kind", _string(40), nullable=True),
        sa.Column("outcome", _string(500), nullable=True),
        sa.Column("sentence", _string(500), nullable=True),
        sa.Column("recorded_by", _string(64), nullable=False),
        sa.ForeignKeyConstraint(
            ["case_id"], ["case_record.id"], name=op.f("fk_case_event_case_id_case_record")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_case_event")),
    )
    op.create_index(
        "ix_case_event_case_id_occurred_at_id", "case_event", ["case_id", "occurred_at", "id"]
    )
    op.create_table(
        "notification_duty",
        sa.Column("id", _string(36), nullable=False),
        sa.Column("case_id", _string(36), nullable=False),
        sa.Column("event_id", _string(36), nullable=False),
        sa.Column("event_type", _string(40), nullable=False),
        sa.Column("obligation", _string(300), nullable=False),
        sa.Column("responsible", _string(32), nullable=False),
        sa.Column("standard_working_days", sa.Integer(), nullable=False),
        sa.Column("enhanced_working_days", sa.Integer(), nullable=False),
        sa.Column("enhanced", sa.Boolean(), nullable=False),
        sa.Column("triggered_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("due_on", sa.Date(), nullable=False),
        sa.Column("due_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("met_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("contact_id", _string(64), nullable=True),
        sa.Column("waived_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("waiver_reason", _string(500), nullable=True),
        sa.Column("waived_by", _string(128), nullable=True),
        sa.ForeignKeyConstraint(
            ["case_id"], ["case_record.id"], name=op.f("fk_notification_duty_case_id_case_record")
        ),
        sa.ForeignKeyConstraint(
            ["event_id"], ["case_event.id"], name=op.f("fk_notification_duty_event_id_case_event")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_notification_duty")),
    )
    op.create_index(
        "ix_notification_duty_case_id_due_at_id", "notification_duty", ["case_id", "due_at", "id"]
    )
    op.create_index("ix_notification_duty_due_at", "notification_duty", ["due_at"])


def downgrade() -> None:
    op.drop_index("ix_notification_duty_due_at", table_name="notification_duty")
    op.drop_index("ix_notification_duty_case_id_due_at_id", table_name="notification_duty")
    op.drop_table("notification_duty")
    op.drop_index("ix_case_event_case_id_occurred_at_id", table_name="case_event")
    op.drop_table("case_event")
    op.drop_table("case_entitlement")
    op.drop_index("ix_case_record_crime_type_updated_at_id", table_name="case_record")
    op.drop_index("ix_case_record_status_updated_at_id", table_name="case_record")
    op.drop_index("ix_case_record_borough_updated_at_id", table_name="case_record")
    op.drop_index("ix_case_record_updated_at_id", table_name="case_record")
    op.drop_table("case_record")
    op.drop_table("notification_rule")
