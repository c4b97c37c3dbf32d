"""The check-in service on a real database: the weekly prompt's schedule across daylight
saving changes (expectations from the fixed clock), and a check-in run to its grade."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.db.models import RedFlagEpisode
from bot.domain import redflags
from bot.domain.errors import NotYourRecord
from bot.domain.symptoms import NotePrompt, Question
from bot.ports import JobKind
from bot.services import checkins
from bot.services.checkins import (
    WANTS_TO_STOP,
    CheckinClosed,
    CheckinResult,
    CheckinStep,
    plan_next_checkin,
)
from bot.services.dose_startup import reconcile
from tests.fakes.clock import FixedClock
from tests.fakes.planner import RecordingPlanner
from tests.services.people import LONDON, next_wall_time, register

ALICE, BOB = 1001, 1002
SUNDAY = 6
NEW_YORK = "America/New_York"


def _last_sunday(year: int, month: int) -> date:
    day = date(year, month + 1, 1) - timedelta(days=1)
    return day - timedelta(days=(day.weekday() - SUNDAY) % 7)


def _second_sunday(year: int, month: int) -> date:
    first = date(year, month, 1)
    return first + timedelta(days=(SUNDAY - first.weekday()) % 7 + 7)


def _noon_utc(day: date) -> datetime:
    return datetime.combine(day, time(12), tzinfo=UTC)


async def test_the_prompt_keeps_its_wall_clock_time_when_the_clocks_go_back(
    session: AsyncSession, planner: RecordingPlanner, clock: FixedClock
) -> None:
    change = _last_sunday(clock().year, 10)  # Europe's clocks go back on this Sunday
    clock.jump_to(_noon_utc(change - timedelta(days=4)))  # the Wednesday before, BST
    patient = await register(session, planner, ALICE, now=clock(), zone=LONDON)

    shown = await checkins.set_checkin_schedule(
        session, planner, telegram_user_id=ALICE, weekday=SUNDAY, time_of_day=time(10), now=clock()
    )

    expected = next_wall_time(clock(), LONDON, time(10), weekday=SUNDAY)
    assert expected.date() == change
    assert planner.run_at(JobKind.CHECKIN, patient.id) == expected
    assert (shown.weekday(), shown.time()) == (SUNDAY, time(10))
    zone = ZoneInfo(LONDON)
    assert clock().astimezone(zone).utcoffset() != expected.astimezone(zone).utcoffset()
    assert expected.time() == time(10)  # 10:00 GMT, not 09:00 UTC as it was in BST


async def test_the_prompt_job_finds_next_weeks_time_across_the_spring_change(
    session: AsyncSession, planner: RecordingPlanner, clock: FixedClock
) -> None:
    change = _second_sunday(clock().year, 3)  # the US clocks go forward on this Sunday
    clock.jump_to(_noon_utc(change - timedelta(days=7)))  # a week before, on EST
    patient = await register(session, planner, ALICE, now=clock(), zone=NEW_YORK)
    await checkins.set_checkin_schedule(
        session,
        planner,
        telegram_user_id=ALICE,
        weekday=SUNDAY,
        time_of_day=time(8, 30),
        now=clock(),
    )
    first = planner.run_at(JobKind.CHECKIN, patient.id)

    prompt = await checkins.checkin_prompt(session, patient.id, clock.jump_to(first))

    assert prompt is not None
    assert (prompt.chat_id, prompt.reachable) == (ALICE, True)
    assert prompt.next_at == next_wall_time(first, NEW_YORK, time(8, 30), weekday=SUNDAY)
    assert prompt.next_at.astimezone(ZoneInfo(NEW_YORK)).date() == change
    # A week on the wall clock is an hour short of 168 hours across the change.
    assert prompt.next_at - first == timedelta(days=7, hours=-1)
    assert await plan_next_checkin(session, planner, patient.id, clock()) == prompt.next_at
    assert planner.run_at(JobKind.CHECKIN, patient.id) == prompt.next_at


async def test_moving_to_another_zone_moves_the_prompt_with_it(
    session: AsyncSession, planner: RecordingPlanner, clock: FixedClock
) -> None:
    patient = await register(session, planner, ALICE, now=clock(), zone=LONDON)
    await checkins.set_checkin_schedule(
        session, planner, telegram_user_id=ALICE, weekday=SUNDAY, time_of_day=time(10), now=clock()
    )

    await register(session, planner, ALICE, now=clock(), zone=NEW_YORK)

    assert planner.run_at(JobKind.CHECKIN, patient.id) == next_wall_time(
        clock(), NEW_YORK, time(10), weekday=SUNDAY
    )


async def test_turning_the_prompt_off_cancels_it_and_a_restart_does_not_bring_it_back(
    session: AsyncSession, planner: RecordingPlanner, clock: FixedClock
) -> None:
    patient = await register(session, planner, ALICE, now=clock())
    await checkins.set_checkin_schedule(
        session, planner, telegram_user_id=ALICE, weekday=2, time_of_day=time(18), now=clock()
    )

    await checkins.turn_off_checkin_schedule(session, planner, ALICE)

    assert planner.planned(JobKind.CHECKIN) == {}
    assert await checkins.checkin_setting(session, ALICE) is None
    assert await checkins.checkin_prompt(session, patient.id, clock()) is None
    fresh = RecordingPlanner()
    await reconcile(session, fresh, clock(), timedelta(hours=2), existing=set())
    assert fresh.planned(JobKind.CHECKIN) == {}


async def test_an_impossible_weekday_is_refused(
    session: AsyncSession, planner: RecordingPlanner, clock: FixedClock
) -> None:
    await register(session, planner, ALICE, now=clock())
    with pytest.raises(ValueError, match="weekday"):
        await checkins.set_checkin_schedule(
            session, planner, telegram_user_id=ALICE, weekday=7, time_of_day=time(9), now=clock()
        )


async def _answer_all(
    session: AsyncSession, clock: FixedClock, step: CheckinStep, *, worst: bool
) -> CheckinStep:
    """Tap through every question with its lowest score, or its highest."""
    while isinstance(step.step, Question):
        question = step.step
        scored = [o for o in question.options if o.score is not None]
        option = (max if worst else min)(scored, key=lambda o: o.score or 0)
        step = await checkins.answer_question(
            session,
            telegram_user_id=ALICE,
            checkin_id=step.checkin_id,
            item_code=question.item_code,
            attribute=question.attribute,
            score=option.score,
            now=clock.advance(timedelta(seconds=5)),
        )
    assert step.step is WANTS_TO_STOP
    step = await checkins.answer_wants_to_stop(
        session, telegram_user_id=ALICE, checkin_id=step.checkin_id, wants_to_stop=False
    )
    assert isinstance(step.step, NotePrompt)
    return step


async def _checkin(
    session: AsyncSession, clock: FixedClock, *, worst: bool, note: str | None = None
) -> CheckinResult:
    step = await _answer_all(
        session, clock, await checkins.start_checkin(session, ALICE, clock()), worst=worst
    )
    return await checkins.complete_checkin(
        session, telegram_user_id=ALICE, checkin_id=step.checkin_id, note=note, now=clock()
    )


async def test_a_quiet_check_in_is_stored_and_raises_no_flag(
    session: AsyncSession, planner: RecordingPlanner, clock: FixedClock
) -> None:
    await register(session, planner, ALICE, now=clock())

    result = await _checkin(session, clock, worst=False, note="  walking more  ")

    assert result.alerts == ()
    assert result.note_saved
    assert result.care_alert_ids == ()
    assert await checkins.open_checkin_id(session, ALICE) is None
    with pytest.raises(CheckinClosed):
        await checkins.complete_checkin(
            session, telegram_user_id=ALICE, checkin_id=result.checkin_id, note=None, now=clock()
        )


async def test_a_paused_check_in_resumes_where_it_stopped(
    session: AsyncSession, planner: RecordingPlanner, clock: FixedClock
) -> None:
    await register(session, planner, ALICE, now=clock())
    first = await checkins.start_checkin(session, ALICE, clock())
    assert isinstance(first.step, Question)
    question = first.step
    await checkins.answer_question(
        session,
        telegram_user_id=ALICE,
        checkin_id=first.checkin_id,
        item_code=question.item_code,
        attribute=question.attribute,
        score=question.options[0].score,
        now=clock(),
    )
    assert await checkins.pause_checkin(session, ALICE, first.checkin_id) == 1

    resumed = await checkins.start_checkin(session, ALICE, clock.advance(timedelta(hours=3)))

    assert (resumed.checkin_id, resumed.answered, resumed.resumed) == (first.checkin_id, 1, True)
    assert resumed.step != question


async def test_a_severe_check_in_opens_red_flags_once_per_episode(
    session: AsyncSession, planner: RecordingPlanner, clock: FixedClock
) -> None:
    patient = await register(session, planner, ALICE, now=clock())

    first = await _checkin(session, clock, worst=True)
    clock.advance(timedelta(days=7))
    second = await _checkin(session, clock, worst=True)

    flagged = [a for a in first.alerts if a.message != redflags.ADHERENCE_MESSAGE]
    assert flagged, "the worst answer to every question raised no flag"
    assert first.flagged
    assert second.flagged
    # The fall was answered "Yes": its advice came with that answer, not again at the end.
    assert redflags.FALL_MESSAGE not in {a.message for a in first.alerts}
    episodes = list(
        await session.scalars(
            select(RedFlagEpisode).where(RedFlagEpisode.patient_id == patient.id)
        )
    )
    # The same flags a week later: the patient reads the advice again, and they belong to
    # the episodes already open (no new episode, so no second alert to linked people).
    assert second.alerts == first.alerts
    assert len(episodes) == len(first.alerts) + 1  # the fall's episode opened at its answer
    assert {e.checkin_id for e in episodes} == {first.checkin_id}
    assert all(e.closed_at is None for e in episodes)


async def test_another_person_cannot_answer_or_finish_alices_check_in(
    session: AsyncSession, planner: RecordingPlanner, clock: FixedClock
) -> None:
    await register(session, planner, ALICE, now=clock())
    await register(session, planner, BOB, now=clock())
    step = await checkins.start_checkin(session, ALICE, clock())
    assert isinstance(step.step, Question)

    with pytest.raises(NotYourRecord):
        await checkins.answer_question(
            session,
            telegram_user_id=BOB,
            checkin_id=step.checkin_id,
            item_code=step.step.item_code,
            attribute=step.step.attribute,
            score=0,
            now=clock(),
        )
    with pytest.raises(NotYourRecord):
        await checkins.pause_checkin(session, BOB, step.checkin_id)
    assert await checkins.open_checkin_id(session, BOB) is None
