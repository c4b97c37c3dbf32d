"""Caregiver and clinician links on a real database: invite, accept, confirm, revoke, and
no call ever hands one patient's link (or data) to anyone else."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import timedelta

import pytest
from sqlalchemy.ext.asyncio import AsyncSession

from bot.db.models import AlertKind, CareAlert, LinkRole, LinkStatus
from bot.domain import invite_codes
from bot.domain.errors import NotYourRecord
from bot.services import care_alerts, care_links
from bot.services.care_links import (
    AlreadyLinked,
    InvalidCode,
    LinkView,
    OwnCode,
    Permission,
    TooManyAttempts,
)
from tests.fakes.clock import FixedClock
from tests.fakes.planner import RecordingPlanner
from tests.services.people import SECRET, register

ALICE, BOB = 1001, 1002  # patients
CAROL, DAVE = 2001, 2002  # a caregiver and someone else, neither a patient


async def _linked(
    session: AsyncSession,
    clock: FixedClock,
    patient: int = ALICE,
    member: int = CAROL,
    role: LinkRole = LinkRole.CAREGIVER,
) -> LinkView:
    """An invitation from `patient`, accepted by `member` and confirmed: an active link."""
    code = await care_links.create_invite(session, patient, role, clock())
    waiting = await care_links.accept_invite(
        session,
        telegram_user_id=member,
        chat_id=member,
        name="Carol",
        code=code,
        now=clock(),
        attempt_secret=SECRET,
    )
    return await care_links.confirm_link(
        session, telegram_user_id=patient, link_id=waiting.link_id, name="Alice", now=clock()
    )


@pytest.fixture
async def patients(session: AsyncSession, planner: RecordingPlanner, clock: FixedClock) -> None:
    """Alice and Bob, two registered patients."""
    await register(session, planner, ALICE, now=clock())
    await register(session, planner, BOB, now=clock())


@pytest.mark.usefixtures("patients")
async def test_invite_accept_confirm_makes_an_active_link_with_the_roles_defaults(
    session: AsyncSession, clock: FixedClock
) -> None:
    code = await care_links.create_invite(session, ALICE, LinkRole.CAREGIVER, clock(), "Alice")
    assert await care_links.check_invite(
        session, CAROL, code, clock(), attempt_secret=SECRET
    ) == care_links.InviteView(LinkRole.CAREGIVER, "Alice")

    waiting = await care_links.accept_invite(
        session,
        telegram_user_id=CAROL,
        chat_id=CAROL,
        name="Carol\u202e\n",
        code=code,
        now=clock(),
        attempt_secret=SECRET,
    )
    assert waiting.status is LinkStatus.PENDING
    assert waiting.member_name == "Carol"  # unprintable characters dropped
    assert await care_links.cared_for(session, CAROL) == []  # nothing before Alice confirms

    active = await care_links.confirm_link(
        session, telegram_user_id=ALICE, link_id=waiting.link_id, name="Alice", now=clock()
    )

    assert active.status is LinkStatus.ACTIVE
    assert (active.missed_dose_alerts, active.red_flag_alerts) == (True, True)
    assert (active.weekly_summary, active.sees_symptom_log) == (False, False)
    assert await care_links.cared_for(session, CAROL) == [active]
    assert await care_links.links_of_patient(session, ALICE) == [active]
    assert await care_links.member_link(session, CAROL, active.link_id) == active


@pytest.mark.usefixtures("patients")
async def test_a_clinician_follows_the_symptom_log_not_every_dose(
    session: AsyncSession, clock: FixedClock
) -> None:
    link = await _linked(session, clock, role=LinkRole.CLINICIAN)
    assert (link.role, link.sees_symptom_log, link.missed_dose_alerts) == (
        LinkRole.CLINICIAN,
        True,
        False,
    )


@pytest.mark.usefixtures("patients")
async def test_a_code_works_once_not_for_its_patient_and_not_after_a_day(
    session: AsyncSession, clock: FixedClock
) -> None:
    used = await care_links.create_invite(session, ALICE, LinkRole.CAREGIVER, clock())
    with pytest.raises(OwnCode):
        await care_links.check_invite(session, ALICE, used, clock(), attempt_secret=SECRET)
    await care_links.accept_invite(
        session,
        telegram_user_id=CAROL,
        chat_id=CAROL,
        name="Carol",
        code=used,
        now=clock(),
        attempt_secret=SECRET,
    )
    with pytest.raises(InvalidCode):
        await care_links.check_invite(session, DAVE, used, clock(), attempt_secret=SECRET)

    stale = await care_links.create_invite(session, ALICE, LinkRole.CAREGIVER, clock())
    clock.advance(invite_codes.INVITE_LIFETIME - timedelta(seconds=1))
    invitation = await care_links.check_invite(
        session, DAVE, stale, clock(), attempt_secret=SECRET
    )
    assert invitation.role is LinkRole.CAREGIVER
    clock.advance(timedelta(seconds=1))
    with pytest.raises(InvalidCode):
        await care_links.check_invite(session, DAVE, stale, clock(), attempt_secret=SECRET)


@pytest.mark.usefixtures("patients")
async def test_one_person_cannot_be_linked_twice_to_the_same_patient(
    session: AsyncSession, clock: FixedClock
) -> None:
    await _linked(session, clock)
    second = await care_links.create_invite(session, ALICE, LinkRole.CLINICIAN, clock())
    with pytest.raises(AlreadyLinked):
        await care_links.accept_invite(
            session,
            telegram_user_id=CAROL,
            chat_id=CAROL,
            name="Carol",
            code=second,
            now=clock(),
            attempt_secret=SECRET,
        )


@pytest.mark.usefixtures("patients")
async def test_wrong_codes_lock_a_person_out_for_the_attempt_window_only(
    session: AsyncSession, clock: FixedClock
) -> None:
    code = await care_links.create_invite(session, ALICE, LinkRole.CAREGIVER, clock())
    wrong = invite_codes.new_code()
    for _ in range(invite_codes.MAX_FAILED_ATTEMPTS):
        with pytest.raises(InvalidCode):
            await care_links.check_invite(
                session, DAVE, wrong, clock.advance(timedelta(minutes=1)), attempt_secret=SECRET
            )

    with pytest.raises(TooManyAttempts):  # even the right code is not looked at now
        await care_links.check_invite(session, DAVE, code, clock(), attempt_secret=SECRET)
    # Someone else is not locked out by Dave's attempts.
    invitation = await care_links.check_invite(
        session, CAROL, code, clock(), attempt_secret=SECRET
    )
    assert invitation.role is LinkRole.CAREGIVER

    clock.advance(invite_codes.ATTEMPT_WINDOW)
    invitation = await care_links.check_invite(session, DAVE, code, clock(), attempt_secret=SECRET)
    assert invitation.role is LinkRole.CAREGIVER


@pytest.mark.usefixtures("patients")
async def test_the_patient_revokes_a_link_and_it_gives_nothing_more(
    session: AsyncSession, clock: FixedClock
) -> None:
    link = await _linked(session, clock)
    alert = CareAlert(
        patient_id=link.patient_id,
        link_id=link.link_id,
        kind=AlertKind.RED_FLAG,
        flag_code="severe:fatigue",
        created_at=clock(),
        sent_at=clock(),
    )
    session.add(alert)
    await session.commit()

    ended = await care_links.unlink(
        session, telegram_user_id=ALICE, link_id=link.link_id, now=clock()
    )

    assert ended.status is LinkStatus.ENDED
    assert await care_links.cared_for(session, CAROL) == []
    assert await care_links.links_of_patient(session, ALICE) == []
    with pytest.raises(NotYourRecord):
        await care_links.member_link(session, CAROL, link.link_id)
    with pytest.raises(NotYourRecord):
        await care_links.unlink(session, telegram_user_id=ALICE, link_id=link.link_id, now=clock())
    with pytest.raises(NotYourRecord):
        await care_links.toggle_permission(
            session,
            telegram_user_id=ALICE,
            link_id=link.link_id,
            permission=Permission.WEEKLY_SUMMARY,
        )
    # Carol's "I've seen this" button on the alert she got before is dead too.
    with pytest.raises(NotYourRecord):
        await care_alerts.acknowledge(session, CAROL, alert.id, clock())
    assert alert.acknowledged_at is None


@pytest.mark.usefixtures("patients")
async def test_the_linked_person_can_leave(session: AsyncSession, clock: FixedClock) -> None:
    link = await _linked(session, clock)

    left = await care_links.leave(
        session, telegram_user_id=CAROL, link_id=link.link_id, now=clock()
    )

    assert left.status is LinkStatus.ENDED
    assert await care_links.links_of_patient(session, ALICE) == []


@pytest.mark.usefixtures("patients")
async def test_no_call_returns_or_changes_another_patients_link(
    session: AsyncSession, clock: FixedClock
) -> None:
    alices = await _linked(session, clock, patient=ALICE, member=CAROL)
    bobs = await _linked(session, clock, patient=BOB, member=DAVE)

    assert await care_links.links_of_patient(session, BOB) == [bobs]
    assert await care_links.cared_for(session, DAVE) == [bobs]
    link_id = alices.link_id
    attempts: list[Callable[[], Awaitable[object]]] = [
        lambda: care_links.link_of_patient(session, BOB, link_id),
        lambda: care_links.unlink(session, telegram_user_id=BOB, link_id=link_id, now=clock()),
        lambda: care_links.confirm_link(
            session, telegram_user_id=BOB, link_id=link_id, name="B", now=clock()
        ),
        lambda: care_links.refuse_link(
            session, telegram_user_id=BOB, link_id=link_id, now=clock()
        ),
        lambda: care_links.toggle_permission(
            session, telegram_user_id=BOB, link_id=link_id, permission=Permission.SYMPTOM_LOG
        ),
        # Dave, linked to Bob, reaches nothing of Alice's through Alice's link id.
        lambda: care_links.member_link(session, DAVE, link_id),
        lambda: care_links.leave(session, telegram_user_id=DAVE, link_id=link_id, now=clock()),
    ]
    for attempt in attempts:
        with pytest.raises(NotYourRecord):
            await attempt()

    assert await care_links.link_of_patient(session, ALICE, alices.link_id) == alices
    assert await care_links.cared_for(session, CAROL) == [alices]


@pytest.mark.usefixtures("patients")
async def test_permissions_toggle_one_at_a_time_and_forged_names_are_refused(
    session: AsyncSession, clock: FixedClock
) -> None:
    link = await _linked(session, clock)

    toggled = await care_links.toggle_permission(
        session, telegram_user_id=ALICE, link_id=link.link_id, permission=Permission.WEEKLY_SUMMARY
    )

    assert toggled.weekly_summary is not link.weekly_summary
    assert toggled.missed_dose_alerts is link.missed_dose_alerts
    with pytest.raises(NotYourRecord):
        await care_links.toggle_permission(
            session, telegram_user_id=ALICE, link_id=link.link_id, permission="chat_id"
        )
