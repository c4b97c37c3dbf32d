"""Shared fixtures: a real database per test (SQLite, or PostgreSQL when asked for)."""

from __future__ import annotations

import os
import uuid
from collections.abc import AsyncIterator, Iterator
from functools import cache

import pytest
from sqlalchemy.engine import make_url

from bot.config import Settings
from simulator import BotApiSimulator, RateLimits

POSTGRES_URL = os.environ.get("TEST_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/test")
# Which database the whole suite runs on: "sqlite" (default) or "postgresql".
SUITE_DATABASE = os.environ.get("BONEBOT_TEST_DATABASE", "sqlite")


@cache
def postgres_problem() -> str | None:
    """Return why PostgreSQL cannot be used, or None when it can."""
    try:
        import psycopg

        with psycopg.connect(_plain(POSTGRES_URL), connect_timeout=3):
            return None
    except Exception as error:  # any failure means: skip, and say why
        return f"PostgreSQL at {make_url(POSTGRES_URL).render_as_string()} unavailable: {error}"


def _plain(url: str) -> str:
    return make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)


@pytest.fixture
def postgres_database_url() -> Iterator[str]:
    """Create an empty PostgreSQL database for one test and drop it afterwards."""
    problem = postgres_problem()
    if problem:
        pytest.skip(problem)
    import psycopg

    name = f"bonebot_test_{uuid.uuid4().hex[:12]}"
    with psycopg.connect(_plain(POSTGRES_URL), autocommit=True) as admin:
        admin.execute(f'CREATE DATABASE "{name}"')
    try:
        yield make_url(POSTGRES_URL).set(database=name).render_as_string(hide_password=False)
    finally:
        with psycopg.connect(_plain(POSTGRES_URL), autocommit=True) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture
def sqlite_database_url(tmp_path) -> str:
    """Return the URL of a fresh SQLite file for one test."""
    return f"sqlite:///{tmp_path / 'bonebot.sqlite3'}"


@pytest.fixture
def database_url(request: pytest.FixtureRequest) -> str:
    """The suite's database for one test (BONEBOT_TEST_DATABASE picks the kind)."""
    if SUITE_DATABASE == "postgresql":
        return request.getfixturevalue("postgres_database_url")
    return request.getfixturevalue("sqlite_database_url")


@pytest.fixture(params=["sqlite", "postgres"])
def each_database_url(request: pytest.FixtureRequest) -> str:
    """Run a test on both databases (PostgreSQL skipped with its reason when absent)."""
    return request.getfixturevalue(f"{request.param}_database_url")


@pytest.fixture
async def simulator() -> AsyncIterator[BotApiSimulator]:
    """A local Bot API server; a large per-chat burst lets a test tap faster than a person."""
    async with BotApiSimulator(
        rate_limits=RateLimits(per_chat_burst=100, global_burst=100)
    ) as sim:
        yield sim


@pytest.fixture
def settings(simulator: BotApiSimulator, database_url: str) -> Settings:
    """Settings pointing the real bot at the simulator and a fresh database."""
    return Settings(
        telegram_bot_token=simulator.token,
        telegram_api_base_url=simulator.base_url,
        database_url=database_url,
        # The bot's flood limiter lets replies burst as far as the simulator above does.
        send_burst=100,
        send_per_chat_burst=100,
        _env_file=None,
    )
