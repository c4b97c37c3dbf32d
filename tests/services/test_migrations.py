"""The Alembic migrations and the ORM models describe the same schema."""

from __future__ import annotations

from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import inspect

from bot.db.database import alembic_config, create_sync_engine, include_name, upgrade_database
from bot.db.models import Base


def _diff(url: str) -> list:
    engine = create_sync_engine(url)
    try:
        with engine.connect() as connection:
            context = MigrationContext.configure(
                connection, opts={"include_name": include_name, "compare_type": True}
            )
            return compare_metadata(context, Base.metadata)
    finally:
        engine.dispose()


def test_models_match_migrations(each_database_url: str) -> None:
    upgrade_database(each_database_url)
    assert _diff(each_database_url) == []


def test_upgrade_is_idempotent_and_downgrade_empties(each_database_url: str) -> None:
    upgrade_database(each_database_url)
    upgrade_database(each_database_url)
    command.downgrade(alembic_config(each_database_url), "base")
    engine = create_sync_engine(each_database_url)
    try:
        tables = set(inspect(engine).get_table_names())
    finally:
        engine.dispose()
    assert tables <= {"alembic_version"}
