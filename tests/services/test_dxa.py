"""The DXA service on a real database: a scan recorded, the follow-up scan's reminders
planned at 10:00 local on days counted from the fixed clock, booking and the job's day."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy.ext.asyncio import AsyncSession

from bot.domain.bone_health import DxaResult
from bot.domain.errors import NotYourRecord
from bot.ports import JobKind
from bot.services.bone import dxa
from bot.services.bone.dxa import DxaStep, InvalidNumberText
from tests.fakes.clock import FixedClock
from tests.fakes.planner import RecordingPlanner
from tests.services.people import LONDON, plus_months, register

ALICE, BOB = 1001, 1002
BOOK_AHEAD = timedelta(days=28)  # bot.domain.clinic_agents.BOOK_AHEAD_DAYS
ZONE = ZoneInfo(LONDON)


def _ten_am(day: date) -> datetime:
    return datetime.combine(day, time(10), tzinfo=ZONE).astimezone(UTC)


async def _profile_id(
    session: AsyncSession, planner: RecordingPlanner, clock: FixedClock, user: int
) -> int:
    await register(session, planner, user, now=clock())
    return (await dxa.dxa_view(session, user, clock())).profile_id


def _today(clock: FixedClock) -> date:
    return clock().astimezone(ZONE).date()


async def test_a_scan_plans_the_book_ahead_reminder_a_year_on_at_ten(
    session: AsyncSession, planner: RecordingPlanner, clock: FixedClock
) -> None:
    profile_id = await _profile_id(session, planner, clock, ALICE)
    scanned_on = _today(clock).replace(day=1) - timedelta(days=40)
    scanned_on = scanned_on.replace(day=min(scanned_on.day, 28))

    saved = await dxa.record_scan(
        session,
        planner,
        telegram_user_id=ALICE,
        profile_id=profile_id,
        result=DxaResult(scanned_on, lumbar_spine=-1.8, total_hip=-1.2),
        now=clock(),
    )

    next_on = plus_months(scanned_on, 12)  # the guideline's shortest interval
    assert (saved.view.next_on, saved.view.next_is_booked) == (next_on, False)
    assert planner.run_at(JobKind.DXA, profile_id) == _ten_am(next_on - BOOK_AHEAD)


async def test_a_booked_scan_is_reminded_on_its_day_only(
    session: AsyncSession, planner: RecordingPlanner, clock: FixedClock
) -> None:
    profile_id = await _profile_id(session, planner, clock, ALICE)
    booked_on = _today(clock) + timedelta(days=45)

    view = await dxa.set_booked(
        session,
        planner,
        telegram_user_id=ALICE,
        profile_id=profile_id,
        booked_on=booked_on,
        now=clock(),
    )

    assert (view.next_on, view.next_is_booked) == (booked_on, True)
    assert planner.run_at(JobKind.DXA, profile_id) == _ten_am(booked_on)
    # On the day the job finds the reminder; once sent, nothing follows it.
    run = await dxa.dxa_run(session, profile_id, clock.jump_to(_ten_am(booked_on)))
    assert run is not None
    assert (run.chat_id, run.day, run.step) == (ALICE, booked_on, DxaStep.ON_THE_DAY)
    assert await dxa.dxa_reminded(session, profile_id, run.day, run.step, clock()) is None


async def test_the_book_ahead_reminder_is_followed_by_the_one_on_the_day(
    session: AsyncSession, planner: RecordingPlanner, clock: FixedClock
) -> None:
    profile_id = await _profile_id(session, planner, clock, ALICE)
    scanned_on = _today(clock).replace(day=15)
    if scanned_on > _today(clock):
        scanned_on = plus_months(scanned_on, -1)
    await dxa.record_scan(
        session,
        planner,
        telegram_user_id=ALICE,
        profile_id=profile_id,
        result=DxaResult(scanned_on, femoral_neck=-2.6),
        now=clock(),
    )
    book_ahead_at = planner.run_at(JobKind.DXA, profile_id)

    run = await dxa.dxa_run(session, profile_id, clock.jump_to(book_ahead_at))

    assert run is not None
    assert run.step is DxaStep.BOOK_AHEAD
    following = await dxa.dxa_reminded(session, profile_id, run.day, run.step, clock())
    assert following == _ten_am(plus_months(scanned_on, 12))


async def test_the_care_teams_interval_moves_the_next_scan(
    session: AsyncSession, planner: RecordingPlanner, clock: FixedClock
) -> None:
    profile_id = await _profile_id(session, planner, clock, ALICE)
    scanned_on = _today(clock).replace(day=3) - timedelta(days=62)
    await dxa.record_scan(
        session,
        planner,
        telegram_user_id=ALICE,
        profile_id=profile_id,
        result=DxaResult(scanned_on, lumbar_spine=-2.0),
        now=clock(),
    )

    view = await dxa.set_interval(session, planner, telegram_user_id=ALICE, months=24, now=clock())

    assert (view.interval_months, view.interval_from_care_team) == (24, True)
    assert view.next_on == plus_months(scanned_on, 24)
    assert planner.run_at(JobKind.DXA, profile_id) == _ten_am(view.next_on - BOOK_AHEAD)
    with pytest.raises(InvalidNumberText):
        await dxa.set_interval(session, planner, telegram_user_id=ALICE, months=6, now=clock())


async def test_a_future_scan_and_another_patients_profile_are_refused(
    session: AsyncSession, planner: RecordingPlanner, clock: FixedClock
) -> None:
    alices = await _profile_id(session, planner, clock, ALICE)
    await _profile_id(session, planner, clock, BOB)
    tomorrow = _today(clock) + timedelta(days=1)
    planner.forget_calls()

    with pytest.raises(InvalidNumberText):
        await dxa.record_scan(
            session,
            planner,
            telegram_user_id=ALICE,
            profile_id=alices,
            result=DxaResult(tomorrow, lumbar_spine=-1.0),
            now=clock(),
        )
    with pytest.raises(NotYourRecord):
        await dxa.record_scan(
            session,
            planner,
            telegram_user_id=BOB,
            profile_id=alices,
            result=DxaResult(_today(clock), lumbar_spine=-1.0),
            now=clock(),
        )
    with pytest.raises(NotYourRecord):
        await dxa.own_view(session, BOB, alices, clock())
    assert planner.calls == []
    assert (await dxa.dxa_view(session, ALICE, clock())).scans == ()


async def test_a_restart_replans_the_booked_scan_and_the_baseline_reminder(
    session: AsyncSession, planner: RecordingPlanner, clock: FixedClock
) -> None:
    alices = await _profile_id(session, planner, clock, ALICE)
    bobs = await _profile_id(session, planner, clock, BOB)  # no scan and no booking
    booked_on = _today(clock) + timedelta(days=10)
    await dxa.set_booked(
        session,
        planner,
        telegram_user_id=ALICE,
        profile_id=alices,
        booked_on=booked_on,
        now=clock(),
    )
    fresh = RecordingPlanner()

    assert await dxa.reconcile(session, fresh, clock(), existing=set()) == 2

    # Bob has no scan on record: the baseline reminder, a fortnight after he registered.
    baseline_on = _today(clock) + timedelta(days=dxa.BASELINE_AFTER_DAYS)
    assert fresh.planned(JobKind.DXA) == {
        f"dxa:{alices}": _ten_am(booked_on),
        f"dxa:{bobs}": _ten_am(baseline_on),
    }
