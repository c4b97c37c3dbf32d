"""Alembic environment: runs the packaged migrations on a sync connection."""

from __future__ import annotations

from alembic import context
from sqlalchemy import Connection, engine_from_config, pool

from bot.db.database import include_name
from bot.db.models import Base


def run_migrations() -> None:
    """Migrate the database named by `sqlalchemy.url` (or the connection passed in)."""
    config = context.config
    connection = config.attributes.get("connection")
    if connection is not None:
        _migrate(connection)
        return
    engine = engine_from_config(
        config.get_section(config.config_ini_section, {}),
        prefix="sqlalchemy.",
        poolclass=pool.NullPool,
    )
    with engine.connect() as conn:
        _migrate(conn)


def _migrate(connection: Connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=Base.metadata,
        include_name=include_name,
        render_as_batch=True,  # SQLite alters tables by copying them
        compare_type=True,
    )
    with context.begin_transaction():
        context.run_migrations()


run_migrations()
