"""supplements are dose events: supplement_prompts -> medications, supplement_events -> dose_events

Revision ID: 0011
Revises: 0010
Create Date: 2026-11-22 09:00:00

A calcium or vitamin D reminder was a `supplement_prompts` row with its own day records in
`supplement_events`; it becomes a medication of role "supplement" (product_key: the kind,
daily at its time, with its dose in `dose_mg`) whose days are dose events (with the reason
a day moved in `moved_reason`), so one lifecycle opens, sends and records both. Every row is
copied with every field; `recorded_until` is set from the copied days, so the dose cursor
goes on from the last recorded day. The old ids stay on the new rows
(`legacy_supplement_prompt_id`, `legacy_supplement_event_id`): buttons already in chats
(`b:t:{event id}`, `b:z:{event id}`) and jobs stored by earlier versions name them.

Downgrade moves the rows back (ids: the legacy id where there is one, otherwise a new one
above every legacy id) and drops the columns.
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import bot.db.models

revision: str = "0011"
down_revision: str | None = "0010"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

SUPPLEMENT = "supplement"

_medications = sa.table(
    "medications",
    sa.column("id", sa.Integer()),
    sa.column("patient_id", sa.Integer()),
    sa.column("role", sa.String()),
    sa.column("product_key", sa.String()),
    sa.column("frequency", sa.String()),
    sa.column("time_of_day", sa.Time()),
    sa.column("weekday", sa.Integer()),
    sa.column("day_of_month", sa.Integer()),
    sa.column("active", sa.Boolean()),
    sa.column("started_at", sa.DateTime()),
    sa.column("ended_at", sa.DateTime()),
    sa.column("recorded_until", sa.DateTime()),
    sa.column("dose_mg", sa.Integer()),
    sa.column("legacy_supplement_prompt_id", sa.Integer()),
)
_dose_events = sa.table(
    "dose_events",
    sa.column("id", sa.Integer()),
    sa.column("medication_id", sa.Integer()),
    sa.column("patient_id", sa.Integer()),
    sa.column("local_date", sa.Date()),
    sa.column("due_at", sa.DateTime()),
    sa.column("status", sa.String()),
    sa.column("sent_at", sa.DateTime()),
    sa.column("late", sa.Boolean()),
    sa.column("message_id", sa.BigInteger()),
    sa.column("snoozed_until", sa.DateTime()),
    sa.column("answered_at", sa.DateTime()),
    sa.column("moved_reason", sa.String()),
    sa.column("legacy_supplement_event_id", sa.Integer()),
)
_prompts = sa.table(
    "supplement_prompts",
    sa.column("id", sa.Integer()),
    sa.column("patient_id", sa.Integer()),
    sa.column("kind", sa.String()),
    sa.column("time_of_day", sa.Time()),
    sa.column("dose_mg", sa.Integer()),
    sa.column("active", sa.Boolean()),
    sa.column("started_at", sa.DateTime()),
    sa.column("ended_at", sa.DateTime()),
)
_events = sa.table(
    "supplement_events",
    sa.column("id", sa.Integer()),
    sa.column("prompt_id", sa.Integer()),
    sa.column("patient_id", sa.Integer()),
    sa.column("local_date", sa.Date()),
    sa.column("due_at", sa.DateTime()),
    sa.column("moved_reason", sa.String()),
    sa.column("status", sa.String()),
    sa.column("sent_at", sa.DateTime()),
    sa.column("message_id", sa.BigInteger()),
    sa.column("snoozed_until", sa.DateTime()),
    sa.column("answered_at", sa.DateTime()),
)
# The seven columns a supplement day and a dose share, besides its medication and reason.
_SHARED = (
    "patient_id",
    "local_date",
    "due_at",
    "status",
    "sent_at",
    "message_id",
    "snoozed_until",
    "answered_at",
)


def upgrade() -> None:
    with op.batch_alter_table("medications") as batch:
        batch.add_column(sa.Column("dose_mg", sa.Integer(), nullable=True))
        batch.add_column(sa.Column("legacy_supplement_prompt_id", sa.Integer(), nullable=True))
        batch.create_index(
            "ix_medications_legacy_supplement_prompt",
            ["legacy_supplement_prompt_id"],
            unique=True,
        )
    with op.batch_alter_table("dose_events") as batch:
        batch.add_column(sa.Column("moved_reason", sa.String(length=400), nullable=True))
        batch.add_column(sa.Column("legacy_supplement_event_id", sa.Integer(), nullable=True))
        batch.create_index(
            "ix_dose_events_legacy_supplement_event",
            ["legacy_supplement_event_id"],
            unique=True,
        )

    last_due = (
        sa.select(sa.func.max(_events.c.due_at))
        .where(_events.c.prompt_id == _prompts.c.id)
        .scalar_subquery()
    )
    op.execute(
        _medications.insert().from_select(
            [
                "patient_id",
                "role",
                "product_key",
                "frequency",
                "time_of_day",
                "weekday",
                "day_of_month",
                "active",
                "started_at",
                "ended_at",
                "recorded_until",
                "dose_mg",
                "legacy_supplement_prompt_id",
            ],
            sa.select(
                _prompts.c.patient_id,
                sa.literal(SUPPLEMENT, sa.String()),
                _prompts.c.kind,
                sa.literal("daily", sa.String()),
                _prompts.c.time_of_day,
                sa.null(),
                sa.null(),
                _prompts.c.active,
                _prompts.c.started_at,
                _prompts.c.ended_at,
                last_due,
                _prompts.c.dose_mg,
                _prompts.c.id,
            ).order_by(_prompts.c.id),
        )
    )
    op.execute(
        _dose_events.insert().from_select(
            ["medication_id", *_SHARED, "late", "moved_reason", "legacy_supplement_event_id"],
            sa.select(
                _medications.c.id,
                *(_events.c[name] for name in _SHARED),
                sa.false(),
                _events.c.moved_reason,
                _events.c.id,
            )
            .join(_medications, _medications.c.legacy_supplement_prompt_id == _events.c.prompt_id)
            .order_by(_events.c.id),
        )
    )

    with op.batch_alter_table("supplement_events", schema=None) as batch_op:
        batch_op.drop_index("ix_supplement_events_patient_day")
    op.drop_table("supplement_events")
    with op.batch_alter_table("supplement_prompts", schema=None) as batch_op:
        batch_op.drop_index("ix_supplement_prompts_patient_active")
    op.drop_table("supplement_prompts")


def downgrade() -> None:
    _create_supplement_tables()
    # New rows (made after the upgrade) get ids above every legacy id, so none collides.
    prompt_offset = sa.select(
        sa.func.coalesce(sa.func.max(_medications.c.legacy_supplement_prompt_id), 0)
    ).scalar_subquery()
    event_offset = sa.select(
        sa.func.coalesce(sa.func.max(_dose_events.c.legacy_supplement_event_id), 0)
    ).scalar_subquery()
    supplements = _medications.c.role == SUPPLEMENT
    op.execute(
        _prompts.insert().from_select(
            [
                "id",
                "patient_id",
                "kind",
                "time_of_day",
                "dose_mg",
                "active",
                "started_at",
                "ended_at",
            ],
            sa.select(
                sa.func.coalesce(
                    _medications.c.legacy_supplement_prompt_id, _medications.c.id + prompt_offset
                ),
                _medications.c.patient_id,
                _medications.c.product_key,
                _medications.c.time_of_day,
                _medications.c.dose_mg,
                _medications.c.active,
                _medications.c.started_at,
                _medications.c.ended_at,
            ).where(supplements),
        )
    )
    prompt_id = sa.func.coalesce(
        _medications.c.legacy_supplement_prompt_id, _medications.c.id + prompt_offset
    )
    op.execute(
        _events.insert().from_select(
            ["id", "prompt_id", *_SHARED, "moved_reason"],
            sa.select(
                sa.func.coalesce(
                    _dose_events.c.legacy_supplement_event_id, _dose_events.c.id + event_offset
                ),
                prompt_id,
                *(_dose_events.c[name] for name in _SHARED),
                _dose_events.c.moved_reason,
            )
            .join(_medications, _medications.c.id == _dose_events.c.medication_id)
            .where(supplements),
        )
    )
    if op.get_bind().dialect.name == "postgresql":  # explicit ids leave the sequences behind
        for table in ("supplement_prompts", "supplement_events"):
            op.execute(
                f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
                f"coalesce((SELECT max(id) FROM {table}), 0) + 1, false)"
            )
    # No cascade here: SQLite's foreign keys are off during migrations.
    supplement_ids = sa.select(_medications.c.id).where(supplements)
    op.execute(_dose_events.delete().where(_dose_events.c.medication_id.in_(supplement_ids)))
    op.execute(_medications.delete().where(supplements))

    with op.batch_alter_table("dose_events") as batch:
        batch.drop_index("ix_dose_events_legacy_supplement_event")
        batch.drop_column("legacy_supplement_event_id")
        batch.drop_column("moved_reason")
    with op.batch_alter_table("medications") as batch:
        batch.drop_index("ix_medications_legacy_supplement_prompt")
        batch.drop_column("legacy_supplement_prompt_id")
        batch.drop_column("dose_mg")


def _create_supplement_tables() -> None:
    """The two tables as revision 0008 made them."""
    op.create_table(
        "supplement_prompts",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("patient_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("time_of_day", sa.Time(), nullable=False),
        sa.Column("dose_mg", sa.Integer(), nullable=True),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("started_at", bot.db.models.UTCDateTime(timezone=True), nullable=False),
        sa.Column("ended_at", bot.db.models.UTCDateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["patient_id"],
            ["patients.id"],
            name=op.f("fk_supplement_prompts_patient_id_patients"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_supplement_prompts")),
    )
    with op.batch_alter_table("supplement_prompts", schema=None) as batch_op:
        batch_op.create_index(
            "ix_supplement_prompts_patient_active", ["patient_id", "active"], unique=False
        )
    op.create_table(
        "supplement_events",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("prompt_id", sa.Integer(), nullable=False),
        sa.Column("patient_id", sa.Integer(), nullable=False),
        sa.Column("local_date", sa.Date(), nullable=False),
        sa.Column("due_at", bot.db.models.UTCDateTime(timezone=True), nullable=False),
        sa.Column("moved_reason", sa.String(length=400), nullable=True),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("sent_at", bot.db.models.UTCDateTime(timezone=True), nullable=True),
        sa.Column("message_id", sa.BigInteger(), nullable=True),
        sa.Column("snoozed_until", bot.db.models.UTCDateTime(timezone=True), nullable=True),
        sa.Column("answered_at", bot.db.models.UTCDateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["patient_id"],
            ["patients.id"],
            name=op.f("fk_supplement_events_patient_id_patients"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["prompt_id"],
            ["supplement_prompts.id"],
            name=op.f("fk_supplement_events_prompt_id_supplement_prompts"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_supplement_events")),
        sa.UniqueConstraint("prompt_id", "local_date", name="uq_supplement_events_prompt_day"),
    )
    with op.batch_alter_table("supplement_events", schema=None) as batch_op:
        batch_op.create_index(
            "ix_supplement_events_patient_day", ["patient_id", "local_date"], unique=False
        )
