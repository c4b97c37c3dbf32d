"""bone_record_changes: corrections and deletions of DXA scans and clinic doses

A DXA T-score typed as 2.3 instead of -2.3, or a clinic dose recorded on the wrong day, can
now be corrected or deleted by the patient; each change is kept here (who, when, the record
before and after), exported with the record, and erased with the patient.

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-05 10:00:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import bot.db.models

revision: str = "0014"
down_revision: str | None = "0013"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "bone_record_changes",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("patient_id", sa.Integer(), nullable=False),
        sa.Column("record", sa.String(length=16), nullable=False),
        sa.Column("record_id", sa.Integer(), nullable=False),
        sa.Column("medication_id", sa.Integer(), nullable=True),
        sa.Column("action", sa.String(length=16), nullable=False),
        sa.Column("changed_at", bot.db.models.UTCDateTime(timezone=True), nullable=False),
        sa.Column("changed_by", sa.String(length=16), nullable=False),
        sa.Column("old_on", sa.Date(), nullable=False),
        sa.Column("new_on", sa.Date(), nullable=True),
        sa.Column("old_lumbar_spine", sa.Float(), nullable=True),
        sa.Column("new_lumbar_spine", sa.Float(), nullable=True),
        sa.Column("old_total_hip", sa.Float(), nullable=True),
        sa.Column("new_total_hip", sa.Float(), nullable=True),
        sa.Column("old_femoral_neck", sa.Float(), nullable=True),
        sa.Column("new_femoral_neck", sa.Float(), nullable=True),
        sa.ForeignKeyConstraint(
            ["medication_id"],
            ["medications.id"],
            name=op.f("fk_bone_record_changes_medication_id_medications"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["patient_id"],
            ["patients.id"],
            name=op.f("fk_bone_record_changes_patient_id_patients"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_bone_record_changes")),
    )
    op.create_index(
        "ix_bone_record_changes_patient_record",
        "bone_record_changes",
        ["patient_id", "record", "record_id"],
    )


def downgrade() -> None:
    op.drop_index("ix_bone_record_changes_patient_record", table_name="bone_record_changes")
    op.drop_table("bone_record_changes")
