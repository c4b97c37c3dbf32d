"""Free text is cleaned at the door, on SQLite and PostgreSQL alike.

Before: on PostgreSQL a note holding a NUL character was lost with a generic error (the
server refuses NUL in text), while SQLite stored it, and control characters went on into
the exports. Every service that stores free text (the check-in note, the names of linked
people) now passes it through `bot.domain.text_clean.clean_text` first: NUL and the other
control characters removed (newlines and tabs kept in a note), Unicode NFC.
"""

from __future__ import annotations

import unicodedata

import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.db.models import CareLink, Checkin, LinkRole
from bot.services import care_links
from tests.fakes.clock import FixedClock
from tests.fakes.planner import RecordingPlanner
from tests.services.people import SECRET, register
from tests.services.test_checkins import ALICE, _checkin

CAROL = 2001
# A decomposed "é" (e + combining acute), NUL, a bell, an escape sequence, a DEL, a C1
# control and a lone surrogate: all things a Telegram client can hand over.
DIRTY_NOTE = "Cafe\u0301\x00 au lait\x07 helps\x1b[31m\r\n\tknees\x7f stiff\x85\ud800"
CLEAN_NOTE = "Café au lait helps[31m\n\tknees stiff"


@pytest.fixture
def database_url(each_database_url: str) -> str:
    """These tests run on both databases."""
    return each_database_url


async def test_a_note_with_nul_and_control_characters_is_stored_clean(
    session: AsyncSession, planner: RecordingPlanner, clock: FixedClock
) -> None:
    await register(session, planner, ALICE, now=clock())

    result = await _checkin(session, clock, worst=False, note=DIRTY_NOTE)

    assert result.note_saved
    session.expunge_all()
    stored = await session.scalar(select(Checkin.note).where(Checkin.id == result.checkin_id))
    assert stored == CLEAN_NOTE
    assert stored == unicodedata.normalize("NFC", stored)


async def test_names_of_linked_people_are_stored_clean(
    session: AsyncSession, planner: RecordingPlanner, clock: FixedClock
) -> None:
    await register(session, planner, ALICE, now=clock())
    code = await care_links.create_invite(session, ALICE, LinkRole.CAREGIVER, clock())
    waiting = await care_links.accept_invite(
        session,
        telegram_user_id=CAROL,
        chat_id=CAROL,
        name="Zoe\u0308\x00\n",
        code=code,
        now=clock(),
        attempt_secret=SECRET,
    )
    await care_links.confirm_link(
        session,
        telegram_user_id=ALICE,
        link_id=waiting.link_id,
        name="\x1bAli\x00ce\t",
        now=clock(),
    )
    session.expunge_all()
    link = await session.scalar(select(CareLink))
    assert link is not None
    assert (link.member_name, link.patient_name) == ("Zoë", "Alice")
