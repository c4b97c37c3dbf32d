"""medications.paused_until, hold_since, hold_reason: pauses the patient asks for, holds
the bot's stop-and-call advice puts on a medicine

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-04 19:15:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import bot.db.models

revision: str = "0013"
down_revision: str | None = "0012"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("medications") as batch:
        batch.add_column(sa.Column("paused_until", sa.Date(), nullable=True))
        batch.add_column(
            sa.Column("hold_since", bot.db.models.UTCDateTime(timezone=True), nullable=True)
        )
        batch.add_column(sa.Column("hold_reason", sa.String(length=32), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("medications") as batch:
        batch.drop_column("hold_reason")
        batch.drop_column("hold_since")
        batch.drop_column("paused_until")
