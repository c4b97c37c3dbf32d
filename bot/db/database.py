"""Engines, sessions and migrations: the only module that knows database drivers."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any, TypeVar

from alembic import command
from alembic.config import Config
from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import URL, make_url
from sqlalchemy.exc import DBAPIError, InterfaceError, OperationalError
from sqlalchemy.ext.asyncio import (
    AsyncEngine,
    AsyncSession,
    async_sessionmaker,
    create_async_engine,
)

log = logging.getLogger(__name__)
T = TypeVar("T")

MIGRATIONS_DIR = Path(__file__).parents[1] / "migrations"  # bot/migrations
# Waits before each new attempt when the database connection was lost (see retrying).
RECONNECT_DELAYS = (0.5, 1.0, 2.0, 4.0)

# Async drivers serve the bot; sync drivers serve Alembic and APScheduler's job store,
# which are synchronous libraries.
_ASYNC_DRIVERS = {"sqlite": "sqlite+aiosqlite", "postgresql": "postgresql+asyncpg"}
_SYNC_DRIVERS = {"sqlite": "sqlite+pysqlite", "postgresql": "postgresql+psycopg"}


# APScheduler creates and owns its job table; the migrations leave it alone.
FOREIGN_TABLES = frozenset({"apscheduler_jobs"})


def include_name(name: str | None, type_: str, _parent: object) -> bool:
    """Keep tables owned by other libraries out of Alembic's model comparison."""
    return not (type_ == "table" and name in FOREIGN_TABLES)


def _with_driver(url: str | URL, drivers: dict[str, str]) -> URL:
    parsed = make_url(url)
    backend = parsed.get_backend_name()
    if backend not in drivers:
        raise ValueError(f"Unsupported database {backend!r}: use SQLite or PostgreSQL.")
    return parsed.set(drivername=drivers[backend])


def async_url(url: str | URL) -> URL:
    """Return the URL with the async driver the bot uses."""
    return _with_driver(url, _ASYNC_DRIVERS)


def sync_url(url: str | URL) -> URL:
    """Return the URL with the sync driver that Alembic and the job store use."""
    return _with_driver(url, _SYNC_DRIVERS)


def job_store_url(url: str | URL) -> URL:
    """Return where APScheduler keeps its jobs: the same database, except on SQLite.

    SQLite locks a whole file for writing. The job store's driver is synchronous and runs on
    the event loop thread, so if it waits for a lock held by an async transaction that is
    itself waiting for the loop, both stall until the busy timeout. A sibling file removes
    that contention; PostgreSQL locks rows and keeps everything in one database.
    """
    target = sync_url(url)
    if target.get_backend_name() != "sqlite" or target.database in (None, "", ":memory:"):
        return target
    path = Path(target.database)
    return target.set(database=str(path.with_name(f"{path.stem}.jobs{path.suffix or '.sqlite3'}")))


# Health data: the database files are the bot's user's alone, whatever the umask.
PRIVATE_FILE_MODE = 0o600
# SQLite's files beside the database; it creates them with the database's own mode.
_SQLITE_SIDECARS = ("-wal", "-shm", "-journal")


def make_private_sqlite_file(url: str | URL) -> None:
    """Create a SQLite database file readable and writable by the bot's user only (0600),
    or tighten one that is looser, before SQLite opens it; other databases are left alone.

    SQLite would create the file with the umask's mode (0644 with the usual 022), and its
    -wal and -shm files after it: anyone on the machine could read the health data.
    """
    parsed = make_url(url)
    database = parsed.database
    if parsed.get_backend_name() != "sqlite" or not database or database == ":memory:":
        return
    if database.startswith("file:"):  # a URI filename: SQLite's to interpret
        return
    path = Path(database)
    if not path.parent.is_dir():
        return  # SQLite says what is wrong with the path
    with contextlib.suppress(PermissionError):  # not ours to change: leave it as it is
        os.close(os.open(path, os.O_RDWR | os.O_CREAT, PRIVATE_FILE_MODE))
        for each in (path, *(path.with_name(path.name + s) for s in _SQLITE_SIDECARS)):
            if each.exists() and each.stat().st_mode & 0o077:
                each.chmod(PRIVATE_FILE_MODE)


def _tune_sqlite(dbapi_connection: Any, _record: Any) -> None:
    """Let the bot's async engine and the job store's sync engine share one SQLite file."""
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA busy_timeout=5000")
    cursor.execute("PRAGMA journal_mode=WAL")
    # In WAL mode NORMAL syncs at checkpoints, not at every commit: a killed process loses
    # nothing (only a power cut can lose the last commits), and a commit no longer waits
    # for the disk (about 2 ms each, twice per reminder).
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.close()


def create_bot_engine(url: str | URL) -> AsyncEngine:
    """Create the async engine the bot's sessions run on."""
    target = async_url(url)
    make_private_sqlite_file(target)
    engine = create_async_engine(target, pool_pre_ping=target.get_backend_name() != "sqlite")
    if target.get_backend_name() == "sqlite":
        event.listen(engine.sync_engine, "connect", _tune_sqlite)
    return engine


def create_sync_engine(url: str | URL, *, derived_data: bool = False) -> Engine:
    """Create a sync engine on the same database (job store, migrations).

    `derived_data` marks a SQLite file rebuilt from the tables at every start (the job
    store): it may skip the fsync of each commit, which only matters on power loss.
    """
    target = sync_url(url)
    make_private_sqlite_file(target)
    engine = create_engine(target, pool_pre_ping=target.get_backend_name() != "sqlite")
    if target.get_backend_name() == "sqlite":
        event.listen(engine, "connect", _tune_sqlite)
        if derived_data:
            event.listen(engine, "connect", _relax_sync)
    return engine


def _relax_sync(dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.close()


def make_sessions(engine: AsyncEngine) -> async_sessionmaker[AsyncSession]:
    """Open one session per update or job; objects stay readable after the service commits."""
    return async_sessionmaker(engine, expire_on_commit=False)


def alembic_config(url: str | URL) -> Config:
    """Point Alembic at the packaged migrations and the given database."""
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    config.set_main_option(
        "sqlalchemy.url", sync_url(url).render_as_string(hide_password=False).replace("%", "%%")
    )
    return config


def upgrade_database(url: str | URL) -> None:
    """Bring the schema up to the newest migration (idempotent)."""
    command.upgrade(alembic_config(url), "head")


def is_disconnect(error: BaseException) -> bool:
    """Tell whether a failure is a lost or refused database connection (worth retrying).

    SQLAlchemy wraps the driver's errors and marks those that invalidated the connection;
    a connection that could not be opened at all surfaces as OSError or TimeoutError.
    """
    if isinstance(error, DBAPIError):
        return error.connection_invalidated or isinstance(error, OperationalError | InterfaceError)
    return isinstance(error, OSError | TimeoutError)


async def retrying(work: Callable[[], Awaitable[T]], what: str) -> T:
    """Run `work` (one transaction's worth), again on a fresh connection if the database
    connection was lost, with growing waits; the last failure is raised.

    Pooled connections are tested before use (pool_pre_ping), so a connection that died
    while idle never reaches here; one lost in the middle of a transaction fails it, and
    the whole transaction runs again.
    """
    for delay in (*RECONNECT_DELAYS, None):
        try:
            return await work()
        except Exception as error:
            if delay is None or not is_disconnect(error):
                raise
            log.warning(
                "database connection lost during %s (%s): again in %.1f s",
                what,
                type(error).__name__,
                delay,
            )
            await asyncio.sleep(delay)
    raise AssertionError("unreachable")
