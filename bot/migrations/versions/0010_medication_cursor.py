"""medications.recorded_until: the dose cursor, kept on the row

Revision ID: 0010
Revises: 0009
Create Date: 2026-11-21 05:50:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import bot.db.models

revision: str = "0010"
down_revision: str | None = "0009"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("medications") as batch:
        batch.add_column(
            sa.Column("recorded_until", bot.db.models.UTCDateTime(timezone=True), nullable=True)
        )
    # Backfill from the history once; from now on the dose job keeps it up to date.
    op.execute(
        "UPDATE medications SET recorded_until = (SELECT max(dose_events.due_at) "
        "FROM dose_events WHERE dose_events.medication_id = medications.id)"
    )


def downgrade() -> None:
    with op.batch_alter_table("medications") as batch:
        batch.drop_column("recorded_until")
