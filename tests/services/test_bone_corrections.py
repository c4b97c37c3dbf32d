"""Corrections of bone-health records on a real database: a DXA scan's date or T-score
changed or the scan deleted, a clinic dose's date changed or deleted; each change kept (who,
when, before and after), the next scan and the next dose re-planned from what remains, and
nobody else's record ever read or changed."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.db.models import (
    BoneRecordChange,
    BoneRecordKind,
    ClinicAgentDose,
    ClinicAgentPlan,
    DxaScan,
    RecordAction,
)
from bot.db.record_changes import record_history
from bot.domain.bone_health import DxaResult
from bot.domain.clinic_agents import next_due
from bot.domain.errors import DateTaken, NotYourRecord
from bot.domain.text_input import InvalidDateText
from bot.exports.loader import load_snapshot
from bot.ports import JobKind
from bot.services.bone import clinic_agents, dxa
from bot.services.bone.dxa import InvalidNumberText
from bot.services.erasure import erase_person
from tests.fakes.clock import FixedClock
from tests.fakes.planner import RecordingPlanner
from tests.services.people import LONDON, ZOLEDRONIC_ACID, plus_months, register

ALICE, BOB = 1001, 1002
ZONE = ZoneInfo(LONDON)
BOOK_AHEAD = timedelta(days=28)  # bot.domain.clinic_agents.BOOK_AHEAD_DAYS


def _ten_am(day: date) -> datetime:
    return datetime.combine(day, time(10), tzinfo=ZONE).astimezone(UTC)


def _today(clock: FixedClock) -> date:
    return clock().astimezone(ZONE).date()


async def _scan(
    session: AsyncSession,
    planner: RecordingPlanner,
    clock: FixedClock,
    user: int,
    result: DxaResult,
) -> int:
    """Record a scan for a registered user; return its id."""
    profile_id = (await dxa.dxa_view(session, user, clock())).profile_id
    await dxa.record_scan(
        session,
        planner,
        telegram_user_id=user,
        profile_id=profile_id,
        result=result,
        now=clock(),
    )
    [entry] = [e for e in await dxa.scan_list(session, user, clock()) if e.result == result]
    return entry.scan_id


async def _changes(session: AsyncSession) -> list[BoneRecordChange]:
    rows = await session.scalars(select(BoneRecordChange).order_by(BoneRecordChange.id))
    return list(rows)


# --------------------------------------------------------------------------- DXA scans


async def test_a_t_score_corrected_is_kept_in_the_history_and_in_the_export(
    session: AsyncSession, planner: RecordingPlanner, clock: FixedClock
) -> None:
    patient = await register(session, planner, ALICE, now=clock())
    scanned_on = _today(clock) - timedelta(days=90)
    typed = DxaResult(scanned_on, lumbar_spine=2.3, total_hip=-2.1, femoral_neck=-2.4)
    scan_id = await _scan(session, planner, clock, ALICE, typed)
    corrected_at = clock.advance(timedelta(hours=2))
    fixed = DxaResult(scanned_on, lumbar_spine=-2.3, total_hip=-2.1, femoral_neck=-2.4)

    corrected = await dxa.correct_scan(
        session, planner, telegram_user_id=ALICE, scan_id=scan_id, result=fixed, now=clock()
    )

    assert corrected.changed
    assert corrected.view.latest == fixed
    assert corrected.scan is not None
    [change] = corrected.scan.changes
    assert (change.changed_at, change.changed_by) == (corrected_at, "patient")
    assert (change.before, change.after) == (typed, fixed)
    [row] = await _changes(session)
    assert (row.record, row.record_id, row.action, row.patient_id) == (
        BoneRecordKind.DXA,
        scan_id,
        RecordAction.CHANGED,
        patient.id,
    )
    assert (row.old_lumbar_spine, row.new_lumbar_spine) == (2.3, -2.3)
    assert (row.old_total_hip, row.new_total_hip) == (-2.1, -2.1)
    # The export holds the corrected value and the change.
    snapshot = await load_snapshot(
        session, patient.id, clock() - timedelta(days=365), clock() + timedelta(days=1)
    )
    [exported] = snapshot.dxa
    assert exported.lumbar_spine == -2.3
    [kept] = exported.changes
    assert (kept.old_lumbar_spine, kept.new_lumbar_spine, kept.deleted) == (2.3, -2.3, False)
    # The same values again change nothing.
    again = await dxa.correct_scan(
        session, planner, telegram_user_id=ALICE, scan_id=scan_id, result=fixed, now=clock()
    )
    assert not again.changed
    assert len(await _changes(session)) == 1


async def test_a_scan_date_corrected_moves_the_next_scan_and_its_reminder(
    session: AsyncSession, planner: RecordingPlanner, clock: FixedClock
) -> None:
    await register(session, planner, ALICE, now=clock())
    typed_on = _today(clock) - timedelta(days=300)
    scan_id = await _scan(session, planner, clock, ALICE, DxaResult(typed_on, lumbar_spine=-1.8))
    profile_id = (await dxa.dxa_view(session, ALICE, clock())).profile_id
    assert planner.run_at(JobKind.DXA, profile_id) == _ten_am(
        plus_months(typed_on, 12) - BOOK_AHEAD
    )
    real_on = typed_on - timedelta(days=20)

    corrected = await dxa.correct_scan(
        session,
        planner,
        telegram_user_id=ALICE,
        scan_id=scan_id,
        result=DxaResult(real_on, lumbar_spine=-1.8),
        now=clock(),
    )

    assert corrected.view.next_on == plus_months(real_on, 12)
    assert planner.run_at(JobKind.DXA, profile_id) == _ten_am(
        plus_months(real_on, 12) - BOOK_AHEAD
    )
    [row] = await _changes(session)
    assert (row.old_on, row.new_on) == (typed_on, real_on)


async def test_a_scan_moved_onto_another_scans_day_or_into_the_future_is_refused(
    session: AsyncSession, planner: RecordingPlanner, clock: FixedClock
) -> None:
    await register(session, planner, ALICE, now=clock())
    first_on, second_on = _today(clock) - timedelta(days=800), _today(clock) - timedelta(days=30)
    first = await _scan(session, planner, clock, ALICE, DxaResult(first_on, total_hip=-1.0))
    await _scan(session, planner, clock, ALICE, DxaResult(second_on, total_hip=-1.3))

    with pytest.raises(DateTaken):
        await dxa.correct_scan(
            session,
            planner,
            telegram_user_id=ALICE,
            scan_id=first,
            result=DxaResult(second_on, total_hip=-1.0),
            now=clock(),
        )
    with pytest.raises(InvalidNumberText):
        await dxa.correct_scan(
            session,
            planner,
            telegram_user_id=ALICE,
            scan_id=first,
            result=DxaResult(_today(clock) + timedelta(days=1), total_hip=-1.0),
            now=clock(),
        )
    assert await _changes(session) == []


async def test_deleting_the_latest_scan_replans_from_the_one_before_then_from_none(
    session: AsyncSession, planner: RecordingPlanner, clock: FixedClock
) -> None:
    patient = await register(session, planner, ALICE, now=clock())
    older_on, newer_on = _today(clock) - timedelta(days=300), _today(clock) - timedelta(days=20)
    older = await _scan(session, planner, clock, ALICE, DxaResult(older_on, lumbar_spine=-1.1))
    newer = await _scan(session, planner, clock, ALICE, DxaResult(newer_on, lumbar_spine=-1.4))
    profile_id = (await dxa.dxa_view(session, ALICE, clock())).profile_id

    gone = await dxa.delete_scan(
        session, planner, telegram_user_id=ALICE, scan_id=newer, now=clock()
    )

    # The next scan is counted from the older one again, and so is its reminder.
    assert gone.scan is None
    assert [scan.scanned_on for scan in gone.view.scans] == [older_on]
    assert gone.view.next_on == plus_months(older_on, 12)
    assert planner.run_at(JobKind.DXA, profile_id) == _ten_am(
        plus_months(older_on, 12) - BOOK_AHEAD
    )
    [row] = await _changes(session)
    assert (row.action, row.old_on, row.new_on, row.old_lumbar_spine, row.new_lumbar_spine) == (
        RecordAction.DELETED,
        newer_on,
        None,
        -1.4,
        None,
    )
    assert await session.get(DxaScan, newer) is None

    await dxa.delete_scan(session, planner, telegram_user_id=ALICE, scan_id=older, now=clock())

    # No scan on record now: the baseline scan's reminder, a fortnight after registering.
    baseline_on = _today(clock) + timedelta(days=dxa.BASELINE_AFTER_DAYS)
    assert planner.run_at(JobKind.DXA, profile_id) == _ten_am(baseline_on)
    history = await record_history(session, patient.id, BoneRecordKind.DXA)
    assert history.live == {}
    assert [[change.old_on for change in piece] for piece in history.deleted] == [
        [newer_on],
        [older_on],
    ]


async def test_typing_the_same_days_scan_again_keeps_the_values_it_replaced(
    session: AsyncSession, planner: RecordingPlanner, clock: FixedClock
) -> None:
    await register(session, planner, ALICE, now=clock())
    day = _today(clock) - timedelta(days=10)
    scan_id = await _scan(session, planner, clock, ALICE, DxaResult(day, femoral_neck=1.9))
    await _scan(session, planner, clock, ALICE, DxaResult(day, femoral_neck=-1.9))

    [row] = await _changes(session)
    assert (row.record_id, row.old_femoral_neck, row.new_femoral_neck) == (scan_id, 1.9, -1.9)


async def test_a_deleted_scans_id_given_again_starts_a_history_of_its_own(
    session: AsyncSession, planner: RecordingPlanner, clock: FixedClock
) -> None:
    """SQLite may give a deleted row's id to the next one: the new scan's history starts
    after the deletion, and the deleted scan keeps its own."""
    patient = await register(session, planner, ALICE, now=clock())
    day = _today(clock) - timedelta(days=10)
    scan_id = await _scan(session, planner, clock, ALICE, DxaResult(day, lumbar_spine=-1.0))
    await dxa.correct_scan(
        session,
        planner,
        telegram_user_id=ALICE,
        scan_id=scan_id,
        result=DxaResult(day, lumbar_spine=-1.2),
        now=clock(),
    )
    await dxa.delete_scan(session, planner, telegram_user_id=ALICE, scan_id=scan_id, now=clock())
    clock.advance(timedelta(minutes=5))
    session.add(
        DxaScan(
            id=scan_id,
            patient_id=patient.id,
            scanned_on=day,
            lumbar_spine=-3.0,
            recorded_at=clock(),
        )
    )
    await session.commit()

    entry = await dxa.own_scan(session, ALICE, scan_id, clock())

    assert entry.changes == ()
    history = await record_history(session, patient.id, BoneRecordKind.DXA)
    [deleted] = history.deleted
    assert [change.action for change in deleted] == [RecordAction.CHANGED, RecordAction.DELETED]


async def test_another_patients_scan_is_never_read_or_changed(
    session: AsyncSession, planner: RecordingPlanner, clock: FixedClock
) -> None:
    await register(session, planner, ALICE, now=clock())
    await register(session, planner, BOB, now=clock())
    day = _today(clock) - timedelta(days=10)
    alices = await _scan(session, planner, clock, ALICE, DxaResult(day, lumbar_spine=-2.0))
    planner.forget_calls()

    with pytest.raises(NotYourRecord):
        await dxa.own_scan(session, BOB, alices, clock())
    with pytest.raises(NotYourRecord):
        await dxa.correct_scan(
            session,
            planner,
            telegram_user_id=BOB,
            scan_id=alices,
            result=DxaResult(day, lumbar_spine=2.0),
            now=clock(),
        )
    with pytest.raises(NotYourRecord):
        await dxa.delete_scan(session, planner, telegram_user_id=BOB, scan_id=alices, now=clock())

    assert planner.calls == []
    assert await _changes(session) == []
    assert (await dxa.dxa_view(session, ALICE, clock())).latest == DxaResult(
        day, lumbar_spine=-2.0
    )


# --------------------------------------------------------------------------- clinic doses


async def _plan_with_doses(
    session: AsyncSession, planner: RecordingPlanner, clock: FixedClock, user: int
) -> tuple[int, date, date]:
    """Zoledronic acid given a year ago and six months ago; return the plan and the dates."""
    await register(session, planner, user, now=clock(), ai=None, bone=ZOLEDRONIC_ACID)
    view = await clinic_agents.first_unknown_plan(session, user, clock())
    assert view is not None
    first, second = plus_months(_today(clock), -12), plus_months(_today(clock), -6)
    for given_on in (first, second):
        await clinic_agents.record_given(
            session,
            planner,
            telegram_user_id=user,
            plan_id=view.plan_id,
            given_on=given_on,
            now=clock(),
        )
    return view.plan_id, first, second


async def test_a_clinic_dose_date_corrected_moves_the_next_due_date_and_its_reminders(
    session: AsyncSession, planner: RecordingPlanner, clock: FixedClock
) -> None:
    plan_id, first, second = await _plan_with_doses(session, planner, clock, ALICE)
    listed = await clinic_agents.dose_list(session, ALICE, plan_id, clock())
    assert [dose.given_on for dose in listed.doses] == [second, first]  # newest first
    latest = listed.doses[0]
    real_day = second + timedelta(days=40)  # the next one then due in about 40 days

    recorded = await clinic_agents.correct_dose(
        session,
        planner,
        telegram_user_id=ALICE,
        dose_id=latest.dose_id,
        given_on=real_day,
        now=clock(),
    )

    due = next_due(ZOLEDRONIC_ACID, real_day)
    assert (recorded.view.last_given_on, recorded.view.due_on) == (real_day, due)
    assert planner.run_at(JobKind.AGENT, plan_id) == _ten_am(due - BOOK_AHEAD)
    [row] = await _changes(session)
    assert (row.record, row.record_id, row.action, row.old_on, row.new_on) == (
        BoneRecordKind.CLINIC_AGENT,
        latest.dose_id,
        RecordAction.CHANGED,
        second,
        real_day,
    )
    # An older dose corrected leaves the next due date where it is.
    await clinic_agents.correct_dose(
        session,
        planner,
        telegram_user_id=ALICE,
        dose_id=listed.doses[1].dose_id,
        given_on=first - timedelta(days=2),
        now=clock(),
    )
    assert (await clinic_agents.plan_view(session, ALICE, plan_id, clock())).due_on == due


async def test_deleting_the_last_clinic_dose_counts_from_the_one_before_then_waits(
    session: AsyncSession, planner: RecordingPlanner, clock: FixedClock
) -> None:
    plan_id, first, second = await _plan_with_doses(session, planner, clock, ALICE)
    doses = (await clinic_agents.dose_list(session, ALICE, plan_id, clock())).doses

    recorded = await clinic_agents.delete_dose(
        session, planner, telegram_user_id=ALICE, dose_id=doses[0].dose_id, now=clock()
    )

    # Counted from a year ago, the dose is due about now: the overdue reminders follow.
    assert (recorded.view.last_given_on, recorded.view.due_on) == (
        first,
        next_due(ZOLEDRONIC_ACID, first),
    )
    assert JobKind.AGENT.job_id(plan_id) in planner.planned_ids()

    emptied = await clinic_agents.delete_dose(
        session, planner, telegram_user_id=ALICE, dose_id=doses[1].dose_id, now=clock()
    )

    assert (emptied.view.last_given_on, emptied.view.due_on) == (None, None)
    assert JobKind.AGENT.job_id(plan_id) not in planner.planned_ids()
    assert [(row.action, row.old_on) for row in await _changes(session)] == [
        (RecordAction.DELETED, second),
        (RecordAction.DELETED, first),
    ]
    assert await session.scalar(select(func.count()).select_from(ClinicAgentDose)) == 0
    # With no date on record, /bone asks for the last one again.
    unknown = await clinic_agents.first_unknown_plan(session, ALICE, clock())
    assert unknown is not None
    assert unknown.plan_id == plan_id


async def test_a_clinic_dose_moved_onto_another_doses_day_or_into_the_future_is_refused(
    session: AsyncSession, planner: RecordingPlanner, clock: FixedClock
) -> None:
    plan_id, first, _second = await _plan_with_doses(session, planner, clock, ALICE)
    newest = (await clinic_agents.dose_list(session, ALICE, plan_id, clock())).doses[0]

    with pytest.raises(DateTaken):
        await clinic_agents.correct_dose(
            session,
            planner,
            telegram_user_id=ALICE,
            dose_id=newest.dose_id,
            given_on=first,
            now=clock(),
        )
    with pytest.raises(InvalidDateText):
        await clinic_agents.correct_dose(
            session,
            planner,
            telegram_user_id=ALICE,
            dose_id=newest.dose_id,
            given_on=_today(clock) + timedelta(days=1),
            now=clock(),
        )
    assert await _changes(session) == []


async def test_the_last_date_corrected_from_bone_is_kept_as_a_change(
    session: AsyncSession, planner: RecordingPlanner, clock: FixedClock
) -> None:
    plan_id, _first, second = await _plan_with_doses(session, planner, clock, ALICE)
    real_day = second - timedelta(days=3)

    await clinic_agents.record_given(
        session,
        planner,
        telegram_user_id=ALICE,
        plan_id=plan_id,
        given_on=real_day,
        now=clock(),
        correcting=True,
    )

    [row] = await _changes(session)
    assert (row.action, row.old_on, row.new_on) == (RecordAction.CHANGED, second, real_day)
    plan = await session.get(ClinicAgentPlan, plan_id)
    assert plan is not None
    assert (plan.last_given_on, plan.due_on) == (real_day, next_due(ZOLEDRONIC_ACID, real_day))


async def test_another_patients_clinic_dose_is_never_read_or_changed(
    session: AsyncSession, planner: RecordingPlanner, clock: FixedClock
) -> None:
    plan_id, _first, second = await _plan_with_doses(session, planner, clock, ALICE)
    await _plan_with_doses(session, planner, clock, BOB)
    alices = (await clinic_agents.dose_list(session, ALICE, plan_id, clock())).doses[0]
    planner.forget_calls()

    with pytest.raises(NotYourRecord):
        await clinic_agents.dose_list(session, BOB, plan_id, clock())
    with pytest.raises(NotYourRecord):
        await clinic_agents.own_dose(session, BOB, alices.dose_id, clock())
    with pytest.raises(NotYourRecord):
        await clinic_agents.correct_dose(
            session,
            planner,
            telegram_user_id=BOB,
            dose_id=alices.dose_id,
            given_on=second - timedelta(days=1),
            now=clock(),
        )
    with pytest.raises(NotYourRecord):
        await clinic_agents.delete_dose(
            session, planner, telegram_user_id=BOB, dose_id=alices.dose_id, now=clock()
        )

    assert planner.calls == []
    assert await _changes(session) == []


async def test_erasure_removes_the_history_with_the_patient(
    session: AsyncSession, planner: RecordingPlanner, clock: FixedClock
) -> None:
    alices, _, _ = await _plan_with_doses(session, planner, clock, ALICE)
    bobs, _, _ = await _plan_with_doses(session, planner, clock, BOB)
    for user, plan_id in ((ALICE, alices), (BOB, bobs)):
        newest = (await clinic_agents.dose_list(session, user, plan_id, clock())).doses[0]
        await clinic_agents.delete_dose(
            session, planner, telegram_user_id=user, dose_id=newest.dose_id, now=clock()
        )
    scan = await _scan(session, planner, clock, ALICE, DxaResult(_today(clock), lumbar_spine=-1.0))
    await dxa.delete_scan(session, planner, telegram_user_id=ALICE, scan_id=scan, now=clock())
    assert len(await _changes(session)) == 3

    await erase_person(session, planner, ALICE)

    [left] = await _changes(session)
    bob = await session.get(ClinicAgentPlan, bobs)
    assert bob is not None
    assert (left.patient_id, left.record) == (bob.patient_id, BoneRecordKind.CLINIC_AGENT)
