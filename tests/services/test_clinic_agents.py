"""The clinic-given agent service on a real database: the plan registration creates, the
date a dose was given, and the reminders planned at 10:00 local on days counted from it."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy.ext.asyncio import AsyncSession

from bot.domain.errors import NotYourRecord
from bot.domain.text_input import InvalidDateText
from bot.ports import JobKind
from bot.services.bone import clinic_agents
from bot.services.bone.clinic_agents import StepKind
from tests.fakes.clock import FixedClock
from tests.fakes.planner import RecordingPlanner
from tests.services.people import LONDON, ZOLEDRONIC_ACID, plus_months, register

ALICE, BOB = 1001, 1002
ZONE = ZoneInfo(LONDON)
BOOK_AHEAD = timedelta(days=28)  # bot.domain.clinic_agents.BOOK_AHEAD_DAYS
SIX_MONTHS = 6  # zoledronic acid 4 mg: every 6 months (its catalogue entry)


def _ten_am(day: date) -> datetime:
    return datetime.combine(day, time(10), tzinfo=ZONE).astimezone(UTC)


def _today(clock: FixedClock) -> date:
    return clock().astimezone(ZONE).date()


async def _plan_id(
    session: AsyncSession, planner: RecordingPlanner, clock: FixedClock, user: int
) -> int:
    """Register a patient on zoledronic acid; return the plan registration created."""
    await register(session, planner, user, now=clock(), ai=None, bone=ZOLEDRONIC_ACID)
    view = await clinic_agents.first_unknown_plan(session, user, clock())
    assert view is not None
    assert view.product.key == ZOLEDRONIC_ACID
    return view.plan_id


async def test_registration_creates_a_plan_that_waits_for_the_last_date(
    session: AsyncSession, planner: RecordingPlanner, clock: FixedClock
) -> None:
    plan_id = await _plan_id(session, planner, clock, ALICE)

    view = await clinic_agents.plan_view(session, ALICE, plan_id, clock())

    assert (view.last_given_on, view.due_on, view.days_overdue) == (None, None, 0)
    assert planner.planned(JobKind.AGENT) == {}  # nothing to remind about yet


async def test_a_dose_given_today_plans_the_infusion_check_then_the_next_cycle(
    session: AsyncSession, planner: RecordingPlanner, clock: FixedClock
) -> None:
    plan_id = await _plan_id(session, planner, clock, ALICE)
    today = _today(clock)

    recorded = await clinic_agents.record_given(
        session, planner, telegram_user_id=ALICE, plan_id=plan_id, given_on=today, now=clock()
    )

    due_on = plus_months(today, SIX_MONTHS)
    assert (recorded.changed, recorded.view.due_on) == (True, due_on)
    # The acute-phase check, two days after the infusion (its label's first three days).
    check_at = _ten_am(today + timedelta(days=2))
    assert planner.run_at(JobKind.AGENT, plan_id) == check_at

    run = await clinic_agents.agent_run(session, plan_id, clock.jump_to(check_at))
    assert run is not None
    assert run.step is not None
    assert (run.chat_id, run.day, run.step.kind) == (
        ALICE,
        today + timedelta(days=2),
        StepKind.POST_INFUSION_CHECK,
    )
    following = await clinic_agents.agent_reminded(session, plan_id, run.day, run.step, clock())
    assert following == _ten_am(due_on - BOOK_AHEAD)


async def test_the_next_due_date_counts_from_the_day_it_was_really_given(
    session: AsyncSession, planner: RecordingPlanner, clock: FixedClock
) -> None:
    plan_id = await _plan_id(session, planner, clock, ALICE)
    given_on = _today(clock).replace(day=10) - timedelta(days=31)  # last month, the 10th

    recorded = await clinic_agents.record_given(
        session, planner, telegram_user_id=ALICE, plan_id=plan_id, given_on=given_on, now=clock()
    )

    due_on = plus_months(given_on, SIX_MONTHS)
    assert recorded.view.due_on == due_on
    assert planner.run_at(JobKind.AGENT, plan_id) == _ten_am(due_on - BOOK_AHEAD)
    # An older date pressed on an old reminder changes nothing; a correction does.
    older = given_on - timedelta(days=7)
    again = await clinic_agents.record_given(
        session, planner, telegram_user_id=ALICE, plan_id=plan_id, given_on=older, now=clock()
    )
    assert (again.changed, again.view.last_given_on) == (False, given_on)
    fixed = await clinic_agents.record_given(
        session,
        planner,
        telegram_user_id=ALICE,
        plan_id=plan_id,
        given_on=older,
        now=clock(),
        correcting=True,
    )
    assert (fixed.changed, fixed.view.due_on) == (True, plus_months(older, SIX_MONTHS))
    assert planner.run_at(JobKind.AGENT, plan_id) == _ten_am(
        plus_months(older, SIX_MONTHS) - BOOK_AHEAD
    )


async def test_a_future_date_and_another_patients_plan_are_refused(
    session: AsyncSession, planner: RecordingPlanner, clock: FixedClock
) -> None:
    alices = await _plan_id(session, planner, clock, ALICE)
    await _plan_id(session, planner, clock, BOB)
    planner.forget_calls()

    with pytest.raises(InvalidDateText):
        await clinic_agents.record_given(
            session,
            planner,
            telegram_user_id=ALICE,
            plan_id=alices,
            given_on=_today(clock) + timedelta(days=1),
            now=clock(),
        )
    with pytest.raises(NotYourRecord):
        await clinic_agents.record_given(
            session,
            planner,
            telegram_user_id=BOB,
            plan_id=alices,
            given_on=_today(clock),
            now=clock(),
        )
    with pytest.raises(NotYourRecord):
        await clinic_agents.plan_view(session, BOB, alices, clock())
    assert planner.calls == []


async def test_a_restart_replans_the_agent_job_from_the_plan(
    session: AsyncSession, planner: RecordingPlanner, clock: FixedClock
) -> None:
    plan_id = await _plan_id(session, planner, clock, ALICE)
    given_on = _today(clock) - timedelta(days=20)
    await clinic_agents.record_given(
        session, planner, telegram_user_id=ALICE, plan_id=plan_id, given_on=given_on, now=clock()
    )
    fresh = RecordingPlanner()

    assert await clinic_agents.reconcile(session, fresh, clock(), existing=set()) == 1

    assert fresh.jobs == {f"agent:{plan_id}": planner.run_at(JobKind.AGENT, plan_id)}
