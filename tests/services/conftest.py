"""The services tier: use cases called directly on a real database, a recording planner
and a clock that stands still. No simulator, no PTB Application, no scheduler."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime

import pytest
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.db.database import create_bot_engine, make_sessions
from bot.db.models import Base
from tests.fakes.clock import FixedClock
from tests.fakes.planner import RecordingPlanner

# A Wednesday morning in June, years ahead: tests compute every expectation from the clock,
# so the instant only has to be fixed, not special (tests that need a DST change or a
# weekday move the clock themselves).
START = datetime(2031, 6, 11, 5, 30, tzinfo=UTC)


@pytest.fixture
async def sessions(database_url: str) -> AsyncIterator[async_sessionmaker[AsyncSession]]:
    """Sessions on a fresh database with the models' schema.

    `create_all` rather than the migrations: ten times faster per test, and
    test_migrations.py proves the two agree.
    """
    engine = create_bot_engine(database_url)
    async with engine.begin() as connection:
        await connection.run_sync(Base.metadata.create_all)
    try:
        yield make_sessions(engine)
    finally:
        await engine.dispose()


@pytest.fixture
async def session(sessions: async_sessionmaker[AsyncSession]) -> AsyncIterator[AsyncSession]:
    """One session, as a handler or job opens one per update."""
    async with sessions() as opened:
        yield opened


@pytest.fixture
def planner() -> RecordingPlanner:
    """The planner the services plan through, recording instead of scheduling."""
    return RecordingPlanner()


@pytest.fixture
def clock() -> FixedClock:
    """The bot's "now", standing still at START until a test moves it."""
    return FixedClock(START)
