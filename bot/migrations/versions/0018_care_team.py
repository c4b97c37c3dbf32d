"""care_team: clinic labels, mutes, grouped misses, tiered alerts with closure and their
timings, and the log of care-team views of a patient's data

Revision ID: 0018
Revises: 0017
Create Date: 2026-12-07 15:00:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import bot.db.models

revision: str = "0018"
down_revision: str | None = "0017"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("invites") as batch:
        batch.add_column(
            sa.Column("inviter_name", sa.String(length=64), server_default="", nullable=False)
        )
    with op.batch_alter_table("care_links") as batch:
        batch.add_column(sa.Column("clinic_label", sa.String(length=32), nullable=True))
        batch.add_column(
            sa.Column(
                "missed_muted_until", bot.db.models.UTCDateTime(timezone=True), nullable=True
            )
        )
    with op.batch_alter_table("care_alerts") as batch:
        batch.add_column(sa.Column("streak", sa.Integer(), server_default="1", nullable=False))
        batch.add_column(sa.Column("tier", sa.String(length=16), nullable=True))
        batch.add_column(
            sa.Column("contacted_at", bot.db.models.UTCDateTime(timezone=True), nullable=True)
        )
        batch.add_column(
            sa.Column("resolved_at", bot.db.models.UTCDateTime(timezone=True), nullable=True)
        )
        batch.add_column(sa.Column("resolution_note", sa.String(length=500), nullable=True))
        batch.add_column(
            sa.Column("escalated_at", bot.db.models.UTCDateTime(timezone=True), nullable=True)
        )
    op.create_table(
        "access_records",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("patient_id", sa.Integer(), nullable=False),
        sa.Column("actor_telegram_user_id", sa.BigInteger(), nullable=False),
        sa.Column("actor_role", sa.String(length=16), nullable=False),
        sa.Column("actor_name", sa.String(length=64), nullable=False),
        sa.Column("what", sa.String(length=32), nullable=False),
        sa.Column("created_at", bot.db.models.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["patient_id"],
            ["patients.id"],
            name=op.f("fk_access_records_patient_id_patients"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_access_records")),
    )
    op.create_index(
        "ix_access_records_patient_created", "access_records", ["patient_id", "created_at"]
    )


def downgrade() -> None:
    op.drop_index("ix_access_records_patient_created", table_name="access_records")
    op.drop_table("access_records")
    with op.batch_alter_table("care_alerts") as batch:
        for column in (
            "escalated_at",
            "resolution_note",
            "resolved_at",
            "contacted_at",
            "tier",
            "streak",
        ):
            batch.drop_column(column)
    with op.batch_alter_table("care_links") as batch:
        batch.drop_column("missed_muted_until")
        batch.drop_column("clinic_label")
    with op.batch_alter_table("invites") as batch:
        batch.drop_column("inviter_name")
