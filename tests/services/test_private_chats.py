"""The services keep no chat for a person but their private chat: a group's id is refused
before anything is stored (the handlers' guard lets no group's update reach them anyway)."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.db.models import CareLink, Invite, LinkRole, Patient
from bot.domain.private_chats import NotAPrivateChat
from bot.domain.regimen_draft import NONE, RegimenDraft
from bot.services import care_links
from bot.services.regimen import save_regimen
from tests.fakes.clock import FixedClock
from tests.fakes.planner import RecordingPlanner
from tests.services.people import SECRET, register

ALICE, CAROL = 1001, 2001
FAMILY = -1001234567890


async def test_a_regimen_from_a_group_is_not_saved(
    session: AsyncSession, planner: RecordingPlanner, clock: FixedClock
) -> None:
    draft = RegimenDraft(
        consent=True, ai_product=NONE, bone_family=NONE, bone_product=NONE, timezone="UTC"
    )
    with pytest.raises(NotAPrivateChat):
        await save_regimen(
            session, planner, telegram_user_id=ALICE, chat_id=FAMILY, draft=draft, now=clock()
        )
    await session.rollback()
    assert await session.scalar(select(func.count()).select_from(Patient)) == 0
    assert planner.planned_ids() == set()


async def test_an_invitation_accepted_from_a_group_links_nobody(
    session: AsyncSession, planner: RecordingPlanner, clock: FixedClock
) -> None:
    await register(session, planner, ALICE, now=clock())
    code = await care_links.create_invite(session, ALICE, LinkRole.CAREGIVER, clock())
    with pytest.raises(NotAPrivateChat):
        await care_links.accept_invite(
            session,
            telegram_user_id=CAROL,
            chat_id=FAMILY,
            name="Carol",
            code=code,
            now=clock(),
            attempt_secret=SECRET,
        )
    assert await session.scalar(select(func.count()).select_from(CareLink)) == 0
    assert await session.scalar(select(Invite.used_at)) is None
