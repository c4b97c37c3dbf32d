"""dose_events.snoozes, taken_at and reminded_at: what really happened to a dose

A snooze is the patient's choice, not the bot's lateness, so it is counted apart from
`late`; the time a dose was taken is what the patient says ("earlier, at 07:00"), which is
not always the moment the button was pressed (`answered_at`); `reminded_at` is when the
latest reminder went out (a snoozed one is sent again), so a Taken pressed long after it is
asked "when?"; `makeup_at` on a missed dose and `makeup_for_event_id` on its make-up
follow the label's missed-dose rule.

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-04 19:30:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import bot.db.models

revision: str = "0012"
down_revision: str | None = "0011"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("dose_events") as batch:
        batch.add_column(sa.Column("snoozes", sa.Integer(), nullable=False, server_default="0"))
        batch.add_column(
            sa.Column("taken_at", bot.db.models.UTCDateTime(timezone=True), nullable=True)
        )
        batch.add_column(
            sa.Column("reminded_at", bot.db.models.UTCDateTime(timezone=True), nullable=True)
        )
        batch.add_column(
            sa.Column("makeup_at", bot.db.models.UTCDateTime(timezone=True), nullable=True)
        )
        batch.add_column(sa.Column("makeup_for_event_id", sa.Integer(), nullable=True))
        batch.create_foreign_key(
            "fk_dose_events_makeup_for_event_id_dose_events",
            "dose_events",
            ["makeup_for_event_id"],
            ["id"],
            ondelete="SET NULL",
        )
    op.create_table(
        "dose_answer_changes",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("dose_event_id", sa.Integer(), nullable=False),
        sa.Column("patient_id", sa.Integer(), nullable=False),
        sa.Column("changed_at", bot.db.models.UTCDateTime(timezone=True), nullable=False),
        sa.Column("changed_by", sa.String(length=16), nullable=False),
        sa.Column("old_status", sa.String(length=16), nullable=False),
        sa.Column("new_status", sa.String(length=16), nullable=False),
        sa.Column("old_taken_at", bot.db.models.UTCDateTime(timezone=True), nullable=True),
        sa.Column("new_taken_at", bot.db.models.UTCDateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["dose_event_id"],
            ["dose_events.id"],
            name=op.f("fk_dose_answer_changes_dose_event_id_dose_events"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["patient_id"],
            ["patients.id"],
            name=op.f("fk_dose_answer_changes_patient_id_patients"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_dose_answer_changes")),
    )
    op.create_index("ix_dose_answer_changes_dose_event", "dose_answer_changes", ["dose_event_id"])
    # Until now a dose was taken when its button was pressed, and reminded when first sent.
    op.execute("UPDATE dose_events SET taken_at = answered_at WHERE status = 'taken'")
    op.execute("UPDATE dose_events SET reminded_at = sent_at")


def downgrade() -> None:
    op.drop_index("ix_dose_answer_changes_dose_event", table_name="dose_answer_changes")
    op.drop_table("dose_answer_changes")
    with op.batch_alter_table("dose_events") as batch:
        batch.drop_constraint("fk_dose_events_makeup_for_event_id_dose_events", type_="foreignkey")
        batch.drop_column("makeup_for_event_id")
        batch.drop_column("makeup_at")
        batch.drop_column("reminded_at")
        batch.drop_column("taken_at")
        batch.drop_column("snoozes")
