"""about_the_patient: optional answers about the patient, clinic schedules, reviews

The bone-health profile's optional answers (sex, menopause, height and weight, alcohol,
falls) and the sex a check-in was asked for; a clinic agent's interval as the care team
sets it and a planned course; the treatment_reviews table. (Alembic logs the first line:
it names no medicine or health detail, as the log-privacy test requires.)

Revision ID: 0017
Revises: 0016
Create Date: 2026-12-07 15:30:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import bot.db.models

revision: str = "0017"
down_revision: str | None = "0016"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("bone_health_profiles") as batch:
        batch.add_column(sa.Column("sex", sa.String(length=16), nullable=True))
        batch.add_column(sa.Column("menopause", sa.String(length=16), nullable=True))
        batch.add_column(sa.Column("height_cm", sa.Float(), nullable=True))
        batch.add_column(sa.Column("weight_kg", sa.Float(), nullable=True))
        batch.add_column(sa.Column("alcohol_3_units", sa.Boolean(), nullable=True))
        batch.add_column(sa.Column("fall_last_year", sa.Boolean(), nullable=True))
    with op.batch_alter_table("checkins") as batch:
        batch.add_column(sa.Column("sex", sa.String(length=16), nullable=True))
    with op.batch_alter_table("clinic_agent_plans") as batch:
        batch.add_column(sa.Column("interval_months", sa.Integer(), nullable=True))
        batch.add_column(sa.Column("course_years", sa.Integer(), nullable=True))
        batch.add_column(sa.Column("course_started_on", sa.Date(), nullable=True))
        batch.add_column(sa.Column("review_reminded_on", sa.Date(), nullable=True))
    op.create_table(
        "treatment_reviews",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("patient_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=24), nullable=False),
        sa.Column("started_on", sa.Date(), nullable=False),
        sa.Column("planned_years", sa.Integer(), nullable=True),
        sa.Column("sent_on", sa.Date(), nullable=True),
        sa.Column("updated_at", bot.db.models.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["patient_id"],
            ["patients.id"],
            name=op.f("fk_treatment_reviews_patient_id_patients"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_treatment_reviews")),
        sa.UniqueConstraint("patient_id", "kind", name=op.f("uq_treatment_reviews_patient_id")),
    )


def downgrade() -> None:
    op.drop_table("treatment_reviews")
    with op.batch_alter_table("clinic_agent_plans") as batch:
        for column in ("review_reminded_on", "course_started_on", "course_years"):
            batch.drop_column(column)
        batch.drop_column("interval_months")
    with op.batch_alter_table("checkins") as batch:
        batch.drop_column("sex")
    with op.batch_alter_table("bone_health_profiles") as batch:
        for column in ("fall_last_year", "alcohol_3_units", "weight_kg", "height_cm"):
            batch.drop_column(column)
        batch.drop_column("menopause")
        batch.drop_column("sex")
