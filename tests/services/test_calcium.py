"""The calcium service on a real database: the set-up, reminders at the chosen meal times,
and on an alendronate morning the calcium moved clear of the dose's fasting window."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.db.models import DoseStatus, Medication, MedicationRole
from bot.ports import JobKind
from bot.services import dose_answers, doses
from bot.services.bone import calcium
from bot.services.bone.calcium import InvalidSetting
from bot.services.doses import DueSupplement, SentReminder
from tests.fakes.clock import FixedClock
from tests.fakes.planner import RecordingPlanner
from tests.services.people import ALENDRONATE_WEEKLY, LONDON, register

ALICE = 1001
ZONE = ZoneInfo(LONDON)
GRACE = timedelta(hours=4)


def _local(day: date, at: time) -> datetime:
    return datetime.combine(day, at, tzinfo=ZONE).astimezone(UTC)


async def _calcium_jobs(session: AsyncSession, planner: RecordingPlanner) -> dict[int, datetime]:
    """The planned dose jobs of calcium reminders (supplement medications), by medication."""
    supplements = set(
        await session.scalars(
            select(Medication.id).where(Medication.role == MedicationRole.SUPPLEMENT)
        )
    )
    return {
        int(job_id.partition(":")[2]): at
        for job_id, at in planner.planned(JobKind.DOSE).items()
        if int(job_id.partition(":")[2]) in supplements
    }


async def _set_up(session: AsyncSession, clock: FixedClock, diet_mg: int = 600) -> tuple[int, ...]:
    """Carbonate and `diet_mg` from food; return the split doses proposed."""
    await calcium.set_form(session, ALICE, "carbonate", clock())
    view = await calcium.set_diet(session, ALICE, diet_mg, clock())
    return view.proposal


async def test_each_chosen_time_gets_its_share_and_a_reminder_at_that_time(
    session: AsyncSession, planner: RecordingPlanner, clock: FixedClock
) -> None:
    await register(session, planner, ALICE, now=clock())
    proposal = await _set_up(session, clock)
    # 1,200 mg a day (the 2017 statement's default) less 600 from food, in doses the gut
    # absorbs (at most 500 mg at a time).
    assert sum(proposal) == 600
    assert all(dose <= 500 for dose in proposal)
    times = [time(8, 0), time(13, 0), time(19, 0)][: len(proposal)]

    view = await calcium.set_times(
        session, planner, telegram_user_id=ALICE, times=times, now=clock()
    )

    assert view.times == tuple(zip(times, proposal, strict=True))
    today = clock().astimezone(ZONE).date()
    expected = sorted(
        _local(today, at) if _local(today, at) > clock() else _local(today + timedelta(1), at)
        for at in times
    )
    assert sorted((await _calcium_jobs(session, planner)).values()) == expected


async def test_a_wrong_number_of_times_and_unknown_settings_are_refused(
    session: AsyncSession, planner: RecordingPlanner, clock: FixedClock
) -> None:
    await register(session, planner, ALICE, now=clock())
    proposal = await _set_up(session, clock)
    with pytest.raises(InvalidSetting):
        await calcium.set_times(
            session,
            planner,
            telegram_user_id=ALICE,
            times=[time(8)] * (len(proposal) + 1),
            now=clock(),
        )
    with pytest.raises(InvalidSetting):
        await calcium.set_form(session, ALICE, "chalk", clock())
    with pytest.raises(InvalidSetting):
        await calcium.set_diet(session, ALICE, 450, clock())
    assert await _calcium_jobs(session, planner) == {}


async def test_on_an_alendronate_morning_calcium_waits_for_the_end_of_the_window(
    session: AsyncSession, planner: RecordingPlanner, clock: FixedClock
) -> None:
    # The weekly tablet at 07:00 this very morning (the clock reads earlier than that).
    local_now = clock().astimezone(ZONE)
    clock.jump_to(_local(local_now.date(), time(6, 0)))
    today = clock().astimezone(ZONE).date()
    await register(
        session,
        planner,
        ALICE,
        now=clock(),
        ai=None,
        bone=ALENDRONATE_WEEKLY,
        bone_weekday=today.weekday(),
        bone_time=time(7, 0),
    )
    proposal = await _set_up(session, clock)
    times = [time(7, 10), time(13, 0), time(19, 0)][: len(proposal)]

    await calcium.set_times(session, planner, telegram_user_id=ALICE, times=times, now=clock())

    # Alendronate: nothing but plain water for 30 minutes after the tablet (its label).
    window_ends = _local(today, time(7, 30))
    jobs = await _calcium_jobs(session, planner)
    assert min(jobs.values()) == window_ends
    [prompt_id] = [medication_id for medication_id, at in jobs.items() if at == window_ends]
    opened = await doses.open_due_batch(session, [prompt_id], clock.jump_to(window_ends), GRACE)
    batch = opened[prompt_id]
    [due] = batch.doses
    assert isinstance(due, DueSupplement)
    assert due.due_local == window_ends.astimezone(ZONE)
    assert due.moved_reason  # the reminder says why it is later than chosen
    assert (due.dose_mg, due.chat_id) == (proposal[0], ALICE)
    # Tomorrow is not a dosing day: the chosen 07:10 again.
    assert batch.next_due_at == _local(today + timedelta(days=1), time(7, 10))


async def test_taking_and_turning_off(
    session: AsyncSession, planner: RecordingPlanner, clock: FixedClock
) -> None:
    await register(session, planner, ALICE, now=clock())
    proposal = await _set_up(session, clock)
    times = [time(8, 0), time(13, 0), time(19, 0)][: len(proposal)]
    await calcium.set_times(session, planner, telegram_user_id=ALICE, times=times, now=clock())
    first_id, first_at = min((await _calcium_jobs(session, planner)).items(), key=lambda i: i[1])
    opened = await doses.open_due_batch(session, [first_id], clock.jump_to(first_at), GRACE)
    [due] = opened[first_id].doses
    await doses.mark_all_sent(session, [SentReminder(due.event_id, 77, due.late)], clock())

    answer = await dose_answers.take_dose(
        session, planner, telegram_user_id=ALICE, event_id=due.event_id, now=clock()
    )
    assert answer.status is DoseStatus.TAKEN
    assert isinstance(answer, dose_answers.SupplementAnswer)

    await calcium.turn_off(session, planner, ALICE, clock())
    assert await _calcium_jobs(session, planner) == {}
    assert (await calcium.calcium_view(session, ALICE, clock())).times == ()
