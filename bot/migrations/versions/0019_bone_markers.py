"""bone_marker_results, bone_marker_changes: bone turnover markers and 25-OH vitamin D

CTX, NTX, P1NP and bone-specific alkaline phosphatase results and 25-OH vitamin D levels,
typed by the patient as the lab report prints them (kept as typed, and in the test's own
unit), with every correction and deletion kept; exported with the record, erased with the
patient.

Revision ID: 0019
Revises: 0018
Create Date: 2026-12-07 15:30:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import bot.db.models

revision: str = "0019"
down_revision: str | None = "0018"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "bone_marker_results",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("patient_id", sa.Integer(), nullable=False),
        sa.Column("marker", sa.String(length=16), nullable=False),
        sa.Column("measured_on", sa.Date(), nullable=False),
        sa.Column("value", sa.Float(), nullable=False),
        sa.Column("unit", sa.String(length=32), nullable=False),
        sa.Column("typed_value", sa.String(length=16), nullable=False),
        sa.Column("typed_unit", sa.String(length=32), nullable=False),
        sa.Column("recorded_at", bot.db.models.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["patient_id"],
            ["patients.id"],
            name=op.f("fk_bone_marker_results_patient_id_patients"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_bone_marker_results")),
        sa.UniqueConstraint(
            "patient_id", "marker", "measured_on", name="uq_bone_marker_results_patient_day"
        ),
    )
    op.create_table(
        "bone_marker_changes",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("patient_id", sa.Integer(), nullable=False),
        sa.Column("record_id", sa.Integer(), nullable=False),
        sa.Column("marker", sa.String(length=16), nullable=False),
        sa.Column("action", sa.String(length=16), nullable=False),
        sa.Column("changed_at", bot.db.models.UTCDateTime(timezone=True), nullable=False),
        sa.Column("changed_by", sa.String(length=16), nullable=False),
        sa.Column("old_on", sa.Date(), nullable=False),
        sa.Column("new_on", sa.Date(), nullable=True),
        sa.Column("old_printed", sa.String(length=48), nullable=False),
        sa.Column("new_printed", sa.String(length=48), nullable=True),
        sa.Column("old_value", sa.Float(), nullable=False),
        sa.Column("new_value", sa.Float(), nullable=True),
        sa.ForeignKeyConstraint(
            ["patient_id"],
            ["patients.id"],
            name=op.f("fk_bone_marker_changes_patient_id_patients"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_bone_marker_changes")),
    )
    op.create_index(
        "ix_bone_marker_changes_patient_record",
        "bone_marker_changes",
        ["patient_id", "record_id"],
    )


def downgrade() -> None:
    op.drop_index("ix_bone_marker_changes_patient_record", table_name="bone_marker_changes")
    op.drop_table("bone_marker_changes")
    op.drop_table("bone_marker_results")
