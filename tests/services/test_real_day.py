"""The patient's real day on the dose service: a Later is a snooze, not lateness; Taken is
recorded at the moment the patient names, and every follow-up (the fasting window, the
day's calcium) is timed from that moment, not from the schedule."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.db.models import DoseAnswerChange, DoseEvent, Medication, MedicationRole, Patient
from bot.domain.errors import NotAnsweredYet, NotYourRecord, TooLateToChange
from bot.ports import JobKind
from bot.services import adherence, dose_answers, dose_startup, doses
from bot.services.bone import calcium
from bot.services.doses import DueDose, SentReminder
from tests.fakes.clock import FixedClock
from tests.fakes.planner import RecordingPlanner
from tests.services.people import ALENDRONATE_WEEKLY, LONDON, medication, register

ALICE = 1001
ZONE = ZoneInfo(LONDON)
GRACE = timedelta(hours=4)


def _local(day: date, at: time) -> datetime:
    return datetime.combine(day, at, tzinfo=ZONE).astimezone(UTC)


async def _alendronate_today(
    session: AsyncSession, planner: RecordingPlanner, clock: FixedClock
) -> tuple[Patient, Medication]:
    """Alice takes weekly alendronate at 07:00, and today is its day (the clock at 06:00)."""
    clock.jump_to(_local(clock().astimezone(ZONE).date(), time(6, 0)))
    today = clock().astimezone(ZONE).date()
    patient = await register(
        session,
        planner,
        ALICE,
        now=clock(),
        ai=None,
        bone=ALENDRONATE_WEEKLY,
        bone_weekday=today.weekday(),
        bone_time=time(7, 0),
    )
    return patient, await medication(session, patient, ALENDRONATE_WEEKLY)


async def _sent(
    session: AsyncSession, clock: FixedClock, medication_id: int, at: datetime
) -> DueDose:
    """Open the medication's dose at `at` and record its reminder as sent then."""
    [due] = (await doses.open_due_batch(session, [medication_id], clock.jump_to(at), GRACE))[
        medication_id
    ].doses
    assert isinstance(due, DueDose)
    await doses.mark_all_sent(session, [SentReminder(due.event_id, 500, due.late)], clock())
    return due


async def _event(session: AsyncSession, event_id: int) -> DoseEvent:
    event = await session.get(DoseEvent, event_id)
    assert event is not None
    await session.refresh(event)
    return event


async def test_a_reminder_put_off_with_later_comes_back_not_late_and_counts_a_snooze(
    session: AsyncSession, planner: RecordingPlanner, clock: FixedClock
) -> None:
    _, alendronate = await _alendronate_today(session, planner, clock)
    due_at = planner.run_at(JobKind.DOSE, alendronate.id)
    due = await _sent(session, clock, alendronate.id, due_at)

    await dose_answers.snooze_dose(
        session, planner, telegram_user_id=ALICE, event_id=due.event_id, now=clock(), minutes=60
    )
    assert planner.run_at(JobKind.SNOOZE, due.event_id) == due_at + timedelta(hours=1)

    # An hour later, as chosen: the reminder again, an hour after its due time, not late.
    again = await doses.snoozed_reminder(session, due.event_id, clock.advance(timedelta(hours=1)))
    assert isinstance(again, DueDose)
    assert again.late is False
    await doses.mark_all_sent(session, [SentReminder(due.event_id, 501, again.late)], clock())
    event = await _event(session, due.event_id)
    assert (event.late, event.snoozes, event.reminded_at) == (False, 1, clock())


async def test_a_snooze_the_bot_sends_late_is_late(
    session: AsyncSession, planner: RecordingPlanner, clock: FixedClock
) -> None:
    _, alendronate = await _alendronate_today(session, planner, clock)
    due = await _sent(session, clock, alendronate.id, planner.run_at(JobKind.DOSE, alendronate.id))
    await dose_answers.snooze_dose(
        session, planner, telegram_user_id=ALICE, event_id=due.event_id, now=clock(), minutes=15
    )
    # The bot was down when the snooze ended and sends it 20 minutes after it was meant to.
    again = await doses.snoozed_reminder(
        session, due.event_id, clock.advance(timedelta(minutes=15 + 20))
    )
    assert isinstance(again, DueDose)
    assert again.late is True


async def test_later_lengths_no_button_offers_are_refused(
    session: AsyncSession, planner: RecordingPlanner, clock: FixedClock
) -> None:
    _, alendronate = await _alendronate_today(session, planner, clock)
    due = await _sent(session, clock, alendronate.id, planner.run_at(JobKind.DOSE, alendronate.id))
    for minutes in (0, -5, 13 * 60):
        with pytest.raises(NotYourRecord):
            await dose_answers.snooze_dose(
                session,
                planner,
                telegram_user_id=ALICE,
                event_id=due.event_id,
                now=clock(),
                minutes=minutes,
            )
    assert (await _event(session, due.event_id)).snoozes == 0


async def test_taken_soon_after_the_reminder_is_taken_now(
    session: AsyncSession, planner: RecordingPlanner, clock: FixedClock
) -> None:
    _, alendronate = await _alendronate_today(session, planner, clock)
    due = await _sent(session, clock, alendronate.id, planner.run_at(JobKind.DOSE, alendronate.id))
    clock.advance(timedelta(minutes=10))
    assert (await dose_answers.when_taken_question(session, ALICE, due.event_id, clock())) is None


async def test_taken_said_two_hours_late_is_recorded_at_the_time_named_with_its_window(
    session: AsyncSession, planner: RecordingPlanner, clock: FixedClock
) -> None:
    _, alendronate = await _alendronate_today(session, planner, clock)
    due_at = planner.run_at(JobKind.DOSE, alendronate.id)
    due = await _sent(session, clock, alendronate.id, due_at)

    # At the once-more question, two hours on: "Yes, I took it" asks when.
    clock.advance(timedelta(hours=2))
    question = await dose_answers.when_taken_question(session, ALICE, due.event_id, clock())
    assert question is not None
    offered = [moment.astimezone(UTC) for moment in question.choices_local]
    assert offered[0] == clock()  # just now first
    assert due_at in offered  # the time it was due
    assert all(due_at - timedelta(hours=3) <= moment <= clock() for moment in offered)

    answer = await dose_answers.take_dose(
        session,
        planner,
        telegram_user_id=ALICE,
        event_id=due.event_id,
        now=clock(),
        taken_at=due_at,
    )

    assert isinstance(answer, dose_answers.Answer)
    assert answer.taken_local == due_at.astimezone(ZONE)
    assert answer.window_over  # 30 minutes from 07:00 ended long ago: no "stay upright"
    event = await _event(session, due.event_id)
    assert (event.taken_at, event.answered_at) == (due_at, clock())
    assert event.window_ends_at == due_at + timedelta(minutes=30)
    assert planner.planned(JobKind.WINDOW) == {}


async def test_taken_an_hour_ago_leaves_the_rest_of_the_window(
    session: AsyncSession, planner: RecordingPlanner, clock: FixedClock
) -> None:
    _, alendronate = await _alendronate_today(session, planner, clock)
    due = await _sent(session, clock, alendronate.id, planner.run_at(JobKind.DOSE, alendronate.id))
    clock.advance(timedelta(minutes=50))
    taken_at = clock() - timedelta(minutes=20)

    answer = await dose_answers.take_dose(
        session,
        planner,
        telegram_user_id=ALICE,
        event_id=due.event_id,
        now=clock(),
        taken_at=taken_at,
    )

    assert isinstance(answer, dose_answers.Answer)
    assert not answer.window_over
    assert planner.run_at(JobKind.WINDOW, due.event_id) == taken_at + timedelta(minutes=30)


async def test_a_take_time_in_the_future_or_another_day_is_refused(
    session: AsyncSession, planner: RecordingPlanner, clock: FixedClock
) -> None:
    _, alendronate = await _alendronate_today(session, planner, clock)
    due_at = planner.run_at(JobKind.DOSE, alendronate.id)
    due = await _sent(session, clock, alendronate.id, due_at)
    for forged in (clock() + timedelta(minutes=5), due_at - timedelta(hours=4)):
        with pytest.raises(NotYourRecord):
            await dose_answers.take_dose(
                session,
                planner,
                telegram_user_id=ALICE,
                event_id=due.event_id,
                now=clock(),
                taken_at=forged,
            )
    assert (await _event(session, due.event_id)).taken_at is None


async def _calcium_at(
    session: AsyncSession, planner: RecordingPlanner, clock: FixedClock, at: time
) -> int:
    """Calcium carbonate at one time a day; return its medication id."""
    await calcium.set_form(session, ALICE, "carbonate", clock())
    view = await calcium.set_diet(session, ALICE, 900, clock())  # 300 mg a day: one dose
    assert len(view.proposal) == 1
    await calcium.set_times(session, planner, telegram_user_id=ALICE, times=[at], now=clock())
    [supplement] = await session.scalars(
        select(Medication.id).where(Medication.role == MedicationRole.SUPPLEMENT)
    )
    return supplement


async def test_calcium_keeps_clear_of_the_time_the_tablet_was_really_taken(
    session: AsyncSession, planner: RecordingPlanner, clock: FixedClock
) -> None:
    _, alendronate = await _alendronate_today(session, planner, clock)
    today = clock().astimezone(ZONE).date()
    supplement = await _calcium_at(session, planner, clock, time(7, 20))
    # Planned from the schedule: the window of the 07:00 tablet ends at 07:30.
    assert planner.run_at(JobKind.DOSE, supplement) == _local(today, time(7, 30))
    due = await _sent(session, clock, alendronate.id, _local(today, time(7, 0)))

    # Later (15 minutes): the calcium waits for the tablet expected at 07:15.
    await dose_answers.snooze_dose(
        session, planner, telegram_user_id=ALICE, event_id=due.event_id, now=clock(), minutes=15
    )
    assert planner.run_at(JobKind.DOSE, supplement) == _local(today, time(7, 45))

    # Taken at 07:18: its 30 minutes end at 07:48, and the calcium comes then.
    clock.jump_to(_local(today, time(7, 18)))
    await dose_answers.take_dose(
        session, planner, telegram_user_id=ALICE, event_id=due.event_id, now=clock()
    )
    assert planner.run_at(JobKind.DOSE, supplement) == _local(today, time(7, 48))
    opened = await doses.open_due_batch(
        session, [supplement], clock.jump_to(_local(today, time(7, 48))), GRACE
    )
    [reminder] = opened[supplement].doses
    assert reminder.due_local == _local(today, time(7, 48)).astimezone(ZONE)
    assert reminder.late is False


async def test_a_missed_weekly_tablet_gets_its_make_up_the_next_morning(
    session: AsyncSession, planner: RecordingPlanner, clock: FixedClock
) -> None:
    _, alendronate = await _alendronate_today(session, planner, clock)
    today = clock().astimezone(ZONE).date()
    due = await _sent(session, clock, alendronate.id, _local(today, time(7, 0)))
    clock.jump_to(_local(today, time(9, 0)))  # at the once-more question: "No, I missed it"

    answer = await dose_answers.miss_dose(
        session, planner, telegram_user_id=ALICE, event_id=due.event_id, now=clock()
    )

    tomorrow_seven = _local(today + timedelta(days=1), time(7, 0))
    assert isinstance(answer, dose_answers.Answer)
    assert answer.makeup_local == tomorrow_seven.astimezone(ZONE)
    assert planner.run_at(JobKind.MAKEUP, due.event_id) == tomorrow_seven

    # The next morning: the make-up is its own dose, tied to the missed one.
    makeup = await doses.open_make_up(session, due.event_id, clock.jump_to(tomorrow_seven))
    assert isinstance(makeup, DueDose)
    assert makeup.makeup_for_day == today
    assert makeup.late is False
    # Only once: a second run (a restart, a repeat) makes nothing new.
    assert await doses.open_make_up(session, due.event_id, clock()) is None
    await doses.mark_all_sent(session, [SentReminder(makeup.event_id, 600, False)], clock())
    await dose_answers.take_dose(
        session, planner, telegram_user_id=ALICE, event_id=makeup.event_id, now=clock()
    )
    made = await _event(session, makeup.event_id)
    assert (made.makeup_for_event_id, made.status) == (due.event_id, "taken")

    [row] = await adherence.adherence(session, await _patient(session), clock())
    assert (row.due, row.missed, row.made_up) == (1, 1, 1)


async def test_the_make_up_is_rebuilt_after_a_restart(
    session: AsyncSession, planner: RecordingPlanner, clock: FixedClock
) -> None:
    _, alendronate = await _alendronate_today(session, planner, clock)
    today = clock().astimezone(ZONE).date()
    due = await _sent(session, clock, alendronate.id, _local(today, time(7, 0)))
    await dose_answers.skip_dose(
        session,
        planner,
        telegram_user_id=ALICE,
        event_id=due.event_id,
        reason="forgot",
        now=clock.jump_to(_local(today, time(8, 0))),
    )
    fresh = RecordingPlanner()
    await dose_startup.reconcile(session, fresh, clock(), timedelta(hours=2), existing=set())
    assert fresh.run_at(JobKind.MAKEUP, due.event_id) == _local(today + timedelta(1), time(7))


async def _patient(session: AsyncSession) -> Patient:
    found = await session.scalar(select(Patient).where(Patient.telegram_user_id == ALICE))
    assert found is not None
    return found


async def test_a_wrong_taken_is_corrected_to_not_taken_and_the_change_is_kept(
    session: AsyncSession, planner: RecordingPlanner, clock: FixedClock
) -> None:
    _, alendronate = await _alendronate_today(session, planner, clock)
    today = clock().astimezone(ZONE).date()
    due = await _sent(session, clock, alendronate.id, _local(today, time(7, 0)))
    await dose_answers.take_dose(
        session, planner, telegram_user_id=ALICE, event_id=due.event_id, now=clock()
    )
    assert planner.planned(JobKind.WINDOW)
    answered_at = clock()

    # That evening: "I pressed Taken by mistake".
    clock.jump_to(_local(today, time(20, 0)))
    options = await dose_answers.change_options(session, ALICE, due.event_id, clock())
    assert options.status == "taken"
    answer = await dose_answers.change_answer(
        session, planner, telegram_user_id=ALICE, event_id=due.event_id, now=clock(), taken_at=None
    )

    assert answer.status == "missed"
    event = await _event(session, due.event_id)
    assert (event.status, event.taken_at, event.window_ends_at) == ("missed", None, None)
    assert planner.planned(JobKind.WINDOW) == {}
    # Missed now: the label's make-up, the next morning.
    assert planner.run_at(JobKind.MAKEUP, due.event_id) == _local(today + timedelta(1), time(7))
    [change] = await session.scalars(
        select(DoseAnswerChange).where(DoseAnswerChange.dose_event_id == due.event_id)
    )
    assert (change.changed_by, change.old_status, change.new_status) == (
        "patient",
        "taken",
        "missed",
    )
    assert change.old_taken_at == answered_at
    assert change.changed_at == clock()


async def test_a_missed_dose_taken_after_all_drops_its_make_up(
    session: AsyncSession, planner: RecordingPlanner, clock: FixedClock
) -> None:
    _, alendronate = await _alendronate_today(session, planner, clock)
    today = clock().astimezone(ZONE).date()
    due = await _sent(session, clock, alendronate.id, _local(today, time(7, 0)))
    await dose_answers.miss_dose(
        session, planner, telegram_user_id=ALICE, event_id=due.event_id, now=clock()
    )
    assert planner.planned(JobKind.MAKEUP)
    clock.jump_to(_local(today, time(9, 0)))
    taken_at = _local(today, time(8, 40))

    answer = await dose_answers.change_answer(
        session,
        planner,
        telegram_user_id=ALICE,
        event_id=due.event_id,
        now=clock(),
        taken_at=taken_at,
    )

    assert answer.status == "taken"
    assert planner.planned(JobKind.MAKEUP) == {}
    event = await _event(session, due.event_id)
    assert (event.taken_at, event.makeup_at) == (taken_at, None)
    assert planner.run_at(JobKind.WINDOW, due.event_id) == taken_at + timedelta(minutes=30)


async def test_answers_older_than_two_days_and_other_peoples_cannot_be_changed(
    session: AsyncSession, planner: RecordingPlanner, clock: FixedClock
) -> None:
    _, alendronate = await _alendronate_today(session, planner, clock)
    due = await _sent(session, clock, alendronate.id, planner.run_at(JobKind.DOSE, alendronate.id))
    with pytest.raises(NotAnsweredYet):
        await dose_answers.change_options(session, ALICE, due.event_id, clock())
    await dose_answers.take_dose(
        session, planner, telegram_user_id=ALICE, event_id=due.event_id, now=clock()
    )
    await register(session, planner, 1002, now=clock())
    with pytest.raises(NotYourRecord):
        await dose_answers.change_options(session, 1002, due.event_id, clock())
    clock.advance(timedelta(hours=49))
    with pytest.raises(TooLateToChange):
        await dose_answers.change_answer(
            session,
            planner,
            telegram_user_id=ALICE,
            event_id=due.event_id,
            now=clock(),
            taken_at=None,
        )
    assert (await _event(session, due.event_id)).status == "taken"


async def test_a_late_alendronate_reminder_asks_first_and_ate_first_is_made_up(
    session: AsyncSession, planner: RecordingPlanner, clock: FixedClock
) -> None:
    """The bot was down at 07:00: the reminder goes out at 08:30, late, and asks whether
    Alice has eaten. She has: skipped as eaten first, made up the next morning (the label's
    missed-dose rule, as for a forgotten tablet)."""
    _, alendronate = await _alendronate_today(session, planner, clock)
    today = clock().astimezone(ZONE).date()
    due = await _sent(session, clock, alendronate.id, _local(today, time(8, 30)))
    assert due.late
    assert due.asks_if_eaten

    answer = await dose_answers.skip_dose(
        session,
        planner,
        telegram_user_id=ALICE,
        event_id=due.event_id,
        reason=dose_answers.SkipReason.ATE_FIRST,
        now=clock(),
    )

    assert isinstance(answer, dose_answers.Answer)
    assert (answer.status, answer.skip_reason) == ("skipped", "ate_first")
    tomorrow_seven = _local(today + timedelta(1), time(7))
    assert answer.makeup_local == tomorrow_seven.astimezone(ZONE)
    assert planner.run_at(JobKind.MAKEUP, due.event_id) == tomorrow_seven
    makeup = await doses.open_make_up(session, due.event_id, clock.jump_to(tomorrow_seven))
    assert isinstance(makeup, DueDose)
    assert makeup.makeup_for_day == today


async def test_ate_first_is_refused_for_a_medicine_not_taken_fasting(
    session: AsyncSession, planner: RecordingPlanner, clock: FixedClock
) -> None:
    clock.jump_to(_local(clock().astimezone(ZONE).date(), time(6, 0)))
    patient = await register(session, planner, ALICE, now=clock(), bone=None, ai_time=time(7, 0))
    [anastrozole] = await session.scalars(
        select(Medication).where(Medication.patient_id == patient.id)
    )
    due = await _sent(
        session, clock, anastrozole.id, _local(clock().astimezone(ZONE).date(), time(8, 30))
    )
    assert due.late
    assert not due.asks_if_eaten
    with pytest.raises(NotYourRecord):  # no button offers it: forged data
        await dose_answers.skip_dose(
            session,
            planner,
            telegram_user_id=ALICE,
            event_id=due.event_id,
            reason=dose_answers.SkipReason.ATE_FIRST,
            now=clock(),
        )
