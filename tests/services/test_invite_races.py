"""One invitation code makes at most one link, however many people accept it at once, on
SQLite and PostgreSQL.

Before: two people accepting the same code in the same instant both got a pending link (5
of 5 codes in the probe), because each session read the code as unused and then marked it
used. The test makes that interleaving certain: both sessions have passed every check
before either writes (a barrier after the checks). The code is now claimed by a conditional
UPDATE (`WHERE used_at IS NULL`): the row lock (PostgreSQL) or the write lock (SQLite)
lets one claim through and the other finds it used.
"""

from __future__ import annotations

import asyncio

import pytest
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.db.models import CareLink, Invite, LinkRole
from bot.services import care_links
from bot.services.care_links import InvalidCode, LinkView
from tests.fakes.clock import FixedClock
from tests.fakes.planner import RecordingPlanner
from tests.services.people import SECRET, register

ALICE = 1001
CODES = 5


@pytest.fixture
def database_url(each_database_url: str) -> str:
    """These tests run on both databases."""
    return each_database_url


async def test_two_people_accepting_one_code_at_once_make_one_link(
    sessions: async_sessionmaker[AsyncSession],
    planner: RecordingPlanner,
    clock: FixedClock,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    async with sessions() as session:
        await register(session, planner, ALICE, now=clock())
        codes = [
            await care_links.create_invite(session, ALICE, LinkRole.CAREGIVER, clock())
            for _ in range(CODES)
        ]
    # Both accepters pass the checks (the code is unused, neither is linked yet) before
    # either of them writes anything.
    checked = asyncio.Barrier(2)
    current_link = care_links._current_link

    async def after_both_checked(*args: object) -> CareLink | None:
        found = await current_link(*args)  # type: ignore[arg-type]
        await checked.wait()
        return found

    monkeypatch.setattr(care_links, "_current_link", after_both_checked)

    async def accept(member: int, code: str) -> LinkView | None:
        async with sessions() as session:
            try:
                return await care_links.accept_invite(
                    session,
                    telegram_user_id=member,
                    chat_id=member,
                    name="Someone",
                    code=code,
                    now=clock(),
                    attempt_secret=SECRET,
                )
            except InvalidCode:
                return None

    for number, code in enumerate(codes):
        first, second = 2000 + 2 * number, 2001 + 2 * number  # two new people each time
        async with asyncio.timeout(30):
            accepted = await asyncio.gather(accept(first, code), accept(second, code))
        assert len([view for view in accepted if view is not None]) == 1, code

    async with sessions() as session:
        assert await session.scalar(select(func.count()).select_from(CareLink)) == CODES
        assert (
            await session.scalar(
                select(func.count()).select_from(Invite).where(Invite.used_at.is_(None))
            )
            == 0
        )
