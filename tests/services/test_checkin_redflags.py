"""Red flags judged at once, on a real database: a warning sign answered mid-check-in opens
its episode and writes its alerts to linked people in that answer's transaction; "Stop for
now" keeps them, finishing does not add a second, and the next week's report repeats the
patient's advice without alerting again. Times come from the fixed clock."""

from __future__ import annotations

from datetime import time, timedelta

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.db.models import CareAlert, LinkRole, RedFlagEpisode
from bot.domain import redflags
from bot.domain.symptoms import Question
from bot.ports import JobKind
from bot.services import care_alerts, care_links, checkins
from bot.services.care_alerts import OutgoingAlert
from bot.services.care_links import Permission
from bot.services.checkins import WANTS_TO_STOP, Alert, CheckinStep
from tests.fakes.clock import FixedClock
from tests.fakes.planner import RecordingPlanner
from tests.services.people import ALENDRONATE_WEEKLY, SECRET, register

ALICE = 1001  # the patient, on anastrozole and weekly alendronate (an oral bisphosphonate)
CAROL, DREW = 2001, 2002  # her caregiver and her clinician
CHEST_PAIN = "swallow_pain"  # "pain when you swallow, or chest pain": the upper_gi warning


async def _link(session: AsyncSession, clock: FixedClock, member: int, role: LinkRole) -> int:
    code = await care_links.create_invite(session, ALICE, role, clock())
    waiting = await care_links.accept_invite(
        session,
        telegram_user_id=member,
        chat_id=member,
        name="Linked",
        code=code,
        now=clock(),
        attempt_secret=SECRET,
    )
    linked = await care_links.confirm_link(
        session, telegram_user_id=ALICE, link_id=waiting.link_id, name="Alice", now=clock()
    )
    return linked.link_id


async def _alice(session: AsyncSession, planner: RecordingPlanner, clock: FixedClock) -> int:
    patient = await register(
        session,
        planner,
        ALICE,
        now=clock(),
        bone=ALENDRONATE_WEEKLY,
        bone_weekday=0,
        bone_time=time(7),
    )
    await _link(session, clock, CAROL, LinkRole.CAREGIVER)
    await _link(session, clock, DREW, LinkRole.CLINICIAN)
    return patient.id


async def _answer(
    session: AsyncSession, clock: FixedClock, step: CheckinStep, score: int | None
) -> CheckinStep:
    assert isinstance(step.step, Question)
    return await checkins.answer_question(
        session,
        telegram_user_id=ALICE,
        checkin_id=step.checkin_id,
        item_code=step.step.item_code,
        attribute=step.step.attribute,
        score=score,
        now=clock.advance(timedelta(seconds=4)),
    )


async def _answer_until(
    session: AsyncSession, clock: FixedClock, step: CheckinStep, item_code: str
) -> CheckinStep:
    """Answer "none" to every question before `item_code`'s; no advice on the way."""
    while isinstance(step.step, Question) and step.step.item_code != item_code:
        step = await _answer(session, clock, step, 0)
        assert (step.advice, step.care_alert_ids) == ((), ())
    assert isinstance(step.step, Question), f"{item_code} was not asked"
    return step


async def _finish(session: AsyncSession, clock: FixedClock, step: CheckinStep) -> CheckinStep:
    """Answer "none" to the rest, then No to the stop question."""
    while isinstance(step.step, Question):
        step = await _answer(session, clock, step, 0)
    assert step.step is WANTS_TO_STOP
    return await checkins.answer_wants_to_stop(
        session, telegram_user_id=ALICE, checkin_id=step.checkin_id, wants_to_stop=False
    )


async def _episodes(session: AsyncSession, patient_id: int) -> list[RedFlagEpisode]:
    return list(
        await session.scalars(
            select(RedFlagEpisode)
            .where(RedFlagEpisode.patient_id == patient_id)
            .order_by(RedFlagEpisode.id)
        )
    )


async def _alert_count(session: AsyncSession) -> int:
    return await session.scalar(select(func.count()).select_from(CareAlert)) or 0


URGENT_ADVICE = (Alert(redflags.UPPER_GI_MESSAGE, right_away=True),)


async def test_chest_pain_alerts_at_its_answer_and_stop_for_now_keeps_it(
    session: AsyncSession, planner: RecordingPlanner, clock: FixedClock
) -> None:
    patient_id = await _alice(session, planner, clock)
    step = await _answer_until(
        session, clock, await checkins.start_checkin(session, ALICE, clock()), CHEST_PAIN
    )

    after = await _answer(session, clock, step, 1)  # "Yes"
    answered_at = clock()

    assert after.advice == URGENT_ADVICE
    assert len(after.care_alert_ids) == 2  # the caregiver and the clinician
    [episode] = await _episodes(session, patient_id)
    assert (episode.flag_code, episode.checkin_id) == ("upper_gi", after.checkin_id)
    assert episode.opened_at == episode.alerted_at == answered_at
    assert episode.closed_at is None
    # The handler plans them at once through the existing path; each passes its checks.
    care_alerts.dispatch(planner, list(after.care_alert_ids), clock())
    told = set()
    for alert_id in after.care_alert_ids:
        assert planner.run_at(JobKind.ALERT, alert_id) == answered_at
        outgoing = await care_alerts.alert_to_send(session, alert_id, clock())
        assert isinstance(outgoing, OutgoingAlert)
        assert (outgoing.flag_code, outgoing.urgent) == ("upper_gi", True)
        told.add(outgoing.chat_id)
    assert told == {CAROL, DREW}

    # "Stop for now": nothing is taken back.
    assert await checkins.pause_checkin(session, ALICE, after.checkin_id) == after.answered
    assert await _alert_count(session) == 2

    # Hours later she resumes and finishes: no second alert, no repeated advice at the end.
    clock.advance(timedelta(hours=5))
    resumed = await checkins.start_checkin(session, ALICE, clock())
    assert (resumed.checkin_id, resumed.resumed) == (after.checkin_id, True)
    step = await _finish(session, clock, resumed)
    result = await checkins.complete_checkin(
        session, telegram_user_id=ALICE, checkin_id=step.checkin_id, note=None, now=clock()
    )
    assert result.care_alert_ids == ()
    assert result.alerts == ()
    assert result.flagged
    assert await _alert_count(session) == 2
    [still] = await _episodes(session, patient_id)
    assert (still.id, still.closed_at) == (episode.id, None)


async def test_next_weeks_report_repeats_the_advice_but_not_the_alert(
    session: AsyncSession, planner: RecordingPlanner, clock: FixedClock
) -> None:
    patient_id = await _alice(session, planner, clock)
    for week in range(3):
        step = await _answer_until(
            session, clock, await checkins.start_checkin(session, ALICE, clock()), CHEST_PAIN
        )
        step = await _answer(session, clock, step, 1)
        assert step.advice == URGENT_ADVICE, f"week {week}"
        assert len(step.care_alert_ids) == (2 if week == 0 else 0), f"week {week}"
        step = await _finish(session, clock, step)
        result = await checkins.complete_checkin(
            session, telegram_user_id=ALICE, checkin_id=step.checkin_id, note=None, now=clock()
        )
        assert (result.alerts, result.care_alert_ids) == ((), ())
        clock.advance(timedelta(days=7))

    assert await _alert_count(session) == 2
    [episode] = await _episodes(session, patient_id)
    assert episode.closed_at is None

    # A week without it closes the episode; the next report is a new one and alerts again.
    step = await _finish(session, clock, await checkins.start_checkin(session, ALICE, clock()))
    await checkins.complete_checkin(
        session, telegram_user_id=ALICE, checkin_id=step.checkin_id, note=None, now=clock()
    )
    clock.advance(timedelta(days=7))
    step = await _answer_until(
        session, clock, await checkins.start_checkin(session, ALICE, clock()), CHEST_PAIN
    )
    step = await _answer(session, clock, step, 1)
    assert step.advice == URGENT_ADVICE
    assert len(step.care_alert_ids) == 2
    closed, reopened = await _episodes(session, patient_id)
    assert closed.closed_at is not None
    assert reopened.closed_at is None


async def test_several_signs_of_one_warning_advise_once_and_consent_is_kept(
    session: AsyncSession, planner: RecordingPlanner, clock: FixedClock
) -> None:
    await _alice(session, planner, clock)
    [carol, drew] = await care_links.links_of_patient(session, ALICE)
    await care_links.toggle_permission(
        session, telegram_user_id=ALICE, link_id=carol.link_id, permission=Permission.RED_FLAGS
    )
    step = await checkins.start_checkin(session, ALICE, clock())
    assert isinstance(step.step, Question)
    assert step.step.item_code == "swallowing"

    step = await _answer(session, clock, step, 2)  # moderate difficulty swallowing

    assert step.advice == URGENT_ADVICE
    [alert_id] = step.care_alert_ids  # only the clinician: Carol no longer gets red flags
    outgoing = await care_alerts.alert_to_send(session, alert_id, clock())
    assert isinstance(outgoing, OutgoingAlert)
    assert outgoing.chat_id == DREW
    # Heartburn, then chest pain: the same warning, already told in this check-in.
    step = await _answer(session, clock, step, 3)  # heartburn frequently
    assert (step.advice, step.care_alert_ids) == ((), ())
    step = await _answer_until(session, clock, step, CHEST_PAIN)
    step = await _answer(session, clock, step, 1)
    assert (step.advice, step.care_alert_ids) == ((), ())
    assert drew.role is LinkRole.CLINICIAN


async def test_a_none_answer_and_the_numbers_of_the_questions(
    session: AsyncSession, planner: RecordingPlanner, clock: FixedClock
) -> None:
    await _alice(session, planner, clock)
    step = await checkins.start_checkin(session, ALICE, clock())
    seen = []
    while isinstance(step.step, Question):
        seen.append(step.progress)
        step = await _answer(session, clock, step, 0)
    assert step.step is WANTS_TO_STOP
    seen.append(step.progress)

    assert [p.number for p in seen] == list(range(1, len(seen) + 1))
    totals = [p.total for p in seen]
    assert totals == sorted(totals, reverse=True)  # the total never grows
    assert seen[-1].total == seen[-1].number == len(seen)  # 12 items + the stop question
    assert seen[-1].exact
    assert not seen[0].exact
