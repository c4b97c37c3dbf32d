"""Answering and escalating care-team alerts on a real database: who may press what, each
time kept once, and an urgent alert passed on only while nobody has acknowledged it."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.db.models import CareAlert, LinkRole, RedFlagEpisode
from bot.domain.alert_tiers import ESCALATE_AFTER
from bot.domain.errors import NotYourRecord
from bot.services import care_alerts, care_links, clinician
from bot.services.care_alerts import AlertStep
from tests.fakes.clock import FixedClock
from tests.fakes.planner import RecordingPlanner
from tests.services.people import SECRET, register

ALICE, CAROL, DREW, EVE = 1001, 2001, 2002, 2003


async def _link(session: AsyncSession, clock: FixedClock, member: int, role: LinkRole) -> int:
    code = await care_links.create_invite(session, ALICE, role, clock(), "Alice")
    waiting = await care_links.accept_invite(
        session,
        telegram_user_id=member,
        chat_id=member,
        name=f"Member {member}",
        code=code,
        now=clock(),
        attempt_secret=SECRET,
    )
    linked = await care_links.confirm_link(
        session, telegram_user_id=ALICE, link_id=waiting.link_id, name="Alice", now=clock()
    )
    return linked.link_id


async def _urgent_alerts(
    session: AsyncSession, planner: RecordingPlanner, clock: FixedClock
) -> dict[int, CareAlert]:
    """Alice has a fall: one sent alert per linked person, by their Telegram id."""
    patient = await register(session, planner, ALICE, now=clock())
    links = {
        CAROL: await _link(session, clock, CAROL, LinkRole.CAREGIVER),
        DREW: await _link(session, clock, DREW, LinkRole.CLINICIAN),
    }
    episode = RedFlagEpisode(patient_id=patient.id, flag_code="fall", opened_at=clock())
    session.add(episode)
    await session.flush()
    alerts = await care_alerts.add_red_flag_alerts(session, patient.id, [episode], clock())
    for alert in alerts:
        alert.sent_at = clock()
    await session.commit()
    by_link = {alert.link_id: alert for alert in alerts}
    return {member: by_link[link_id] for member, link_id in links.items()}


async def test_steps_fit_the_role_and_the_kind_and_are_kept_once(
    session: AsyncSession, planner: RecordingPlanner, clock: FixedClock
) -> None:
    alerts = await _urgent_alerts(session, planner, clock)
    drew, carol = alerts[DREW], alerts[CAROL]
    assert (drew.tier, carol.tier) == ("urgent", "urgent")
    with pytest.raises(NotYourRecord):  # a clinician's step, from a caregiver
        await care_alerts.answer_alert(session, CAROL, carol.id, AlertStep.RESOLVED, clock())
    with pytest.raises(NotYourRecord):  # a dose alert's step, on a red flag
        await care_alerts.answer_alert(session, DREW, drew.id, AlertStep.MUTE, clock())
    with pytest.raises(NotYourRecord):  # someone else's alert
        await care_alerts.answer_alert(session, DREW, carol.id, AlertStep.SEEN, clock())

    contacted_at = clock.advance(timedelta(minutes=5))
    first = await care_alerts.answer_alert(session, DREW, drew.id, AlertStep.CONTACTED, clock())
    assert (first.first, first.changed, first.seen, first.contacted) == (True, True, True, True)
    clock.advance(timedelta(minutes=5))
    again = await care_alerts.answer_alert(session, DREW, drew.id, AlertStep.CONTACTED, clock())
    assert (again.first, again.changed) == (False, False)
    resolved = await care_alerts.answer_alert(
        session, DREW, drew.id, AlertStep.RESOLVED, clock(), note="  Seen in clinic\x00 "
    )
    assert (resolved.resolved, resolved.note) == (True, "Seen in clinic")
    await session.refresh(drew)
    assert drew.acknowledged_at == contacted_at
    assert drew.contacted_at == contacted_at

    figures = await clinician.response_figures(session, DREW, clock())
    assert figures[0].median_minutes_to_acknowledge == 5.0
    assert figures[0].median_minutes_to_resolve == 10.0


async def test_an_urgent_alert_is_passed_on_once_and_only_while_unacknowledged(
    session: AsyncSession, planner: RecordingPlanner, clock: FixedClock
) -> None:
    alerts = await _urgent_alerts(session, planner, clock)
    eve_link = await _link(session, clock, EVE, LinkRole.CLINICIAN)  # linked after the alert
    drew = alerts[DREW]
    assert await care_alerts.escalate(session, alerts[CAROL].id, clock()) is None  # a caregiver's

    clock.advance(ESCALATE_AFTER)
    escalation = await care_alerts.escalate(session, drew.id, clock())
    assert escalation is not None
    assert escalation.clinician_names == (f"Member {DREW}", f"Member {EVE}")
    [eves] = list(await session.scalars(select(CareAlert).where(CareAlert.link_id == eve_link)))
    assert escalation.alert_ids == (eves.id,)
    assert (eves.tier, eves.sent_at, eves.escalated_at) == ("urgent", None, clock())
    assert await care_alerts.escalate(session, drew.id, clock()) is None  # once per episode


async def test_a_caregivers_seen_does_not_stop_it_a_clinicians_does(
    session: AsyncSession, planner: RecordingPlanner, clock: FixedClock
) -> None:
    alerts = await _urgent_alerts(session, planner, clock)
    await care_alerts.answer_alert(session, CAROL, alerts[CAROL].id, AlertStep.SEEN, clock())
    clock.advance(ESCALATE_AFTER)
    alone = await care_alerts.escalate(session, alerts[DREW].id, clock())
    assert alone is not None  # nobody else to pass it to; the patient is told whom to call
    assert (alone.alert_ids, alone.clinician_names) == ((), (f"Member {DREW}",))


async def test_an_alert_a_clinician_saw_is_not_passed_on(
    session: AsyncSession, planner: RecordingPlanner, clock: FixedClock
) -> None:
    alerts = await _urgent_alerts(session, planner, clock)
    await care_alerts.answer_alert(session, DREW, alerts[DREW].id, AlertStep.SEEN, clock())
    clock.advance(ESCALATE_AFTER)
    assert await care_alerts.escalate(session, alerts[DREW].id, clock()) is None
