"""Calcium reminders are doses: sent in the dose batch, answered, and kept across the upgrade.

Since revision 0011 a calcium reminder is a medication of role "supplement" and each day's
reminder a dose event, so the dose batcher sends it with whatever else is due, and Taken and
Later go through the dose path. Reminders sent before the upgrade carry the old supplement
event id in their buttons (`b:t:{id}`, `b:z:{id}`), and jobs stored before it name the old
rows (`supplement:{prompt}`, `supsnooze:{event}`): both still work.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import select
from telegram.ext import Application

from bot.config import Settings
from bot.db.models import DoseEvent, DoseStatus, Medication, MedicationRole, Patient
from scheduler import jobs, runtime
from scheduler.planner import create_scheduler
from simulator import BotApiSimulator
from tests.e2e.helpers import (
    Person,
    bot_running,
    dose_events,
    eventually,
    medication_of,
    planner_of,
    register,
    run_job,
    services_of,
)
from tests.fakes.clock import DrivenClock
from tests.services.test_upgrade_with_data import build_at_0010
from ui import texts

LONDON = ZoneInfo("Europe/London")
LATER = "⏰ Later"


async def supplements_of(app: Application, telegram_user_id: int) -> list[Medication]:
    """A person's calcium reminders in force, by id."""
    async with services_of(app).sessions() as session:
        rows = await session.scalars(
            select(Medication)
            .join(Patient, Patient.id == Medication.patient_id)
            .where(
                Patient.telegram_user_id == telegram_user_id,
                Medication.role == MedicationRole.SUPPLEMENT,
                Medication.active.is_(True),
            )
            .order_by(Medication.id)
        )
        return list(rows)


async def test_a_calcium_reminder_goes_out_in_one_batch_with_a_dose_due_that_minute(
    simulator: BotApiSimulator, settings: Settings
) -> None:
    start = datetime(2031, 3, 4, 10, 0, tzinfo=LONDON)  # a Tuesday
    clock = DrivenClock(start)
    alice = Person(simulator, 1001, "Alice")
    async with bot_running(settings, clock) as app:
        await register(alice, ai_time="12:00", bone_family=None)
        alice.say("/bone")
        alice.press(texts.CALCIUM_SETTINGS, await alice.expect(texts.CALCIUM_HEAD))
        alice.press(texts.CALCIUM_SET_UP, await alice.expect(texts.CALCIUM_OFF))
        alice.press(texts.FORM_CITRATE, await alice.expect(texts.ASK_FORM))
        alice.press(texts.DIET_LABELS[900], await alice.expect("calcium do you get from food"))
        alice.press("12:00", await alice.expect("Pick 1 time for your calcium"))
        await alice.expect("Saved: calcium 300 mg at 12:00.")
        anastrozole = await medication_of(app, alice.id, "anastrozole-1-daily-tablet")
        [calcium] = await supplements_of(app, alice.id)
        noon = datetime.combine(start.date(), time(12, 0), LONDON)
        jobs_at = dict(planner_of(app).next_jobs(50))
        assert jobs_at[f"dose:{anastrozole.id}"] == jobs_at[f"dose:{calcium.id}"] == noon

        # Both jobs fire together: one batch opens, sends and records both.
        batches: list[list[int]] = []
        batcher = runtime.dose_batcher()
        open_batch = batcher._open_batch

        async def watched(medication_ids: list[int]) -> None:
            batches.append(medication_ids)
            await open_batch(medication_ids)

        batcher._open_batch = watched
        clock.jump_to(noon)
        planner = planner_of(app)
        assert planner.run_now(f"dose:{anastrozole.id}")
        assert planner.run_now(f"dose:{calcium.id}")
        medicine = await alice.expect("Time for your anastrozole 1 mg")
        reminder = await alice.expect("Time for your calcium (300 mg). Calcium citrate")
        assert batches == [sorted([anastrozole.id, calcium.id])]
        assert alice.buttons(reminder) == [texts.TAKEN, LATER]
        assert texts.SKIP in alice.buttons(medicine)

        async def both_sent() -> list[DoseEvent]:
            found = [
                *(await dose_events(app, anastrozole.id)),
                *(await dose_events(app, calcium.id)),
            ]
            return found if all(e.status == DoseStatus.SENT for e in found) else []

        dose, supplement = await eventually(both_sent, what="both reminders recorded")
        assert (dose.message_id, supplement.message_id) == (
            medicine["message_id"],
            reminder["message_id"],
        )
        # The medicine is asked about again and watched; the supplement is not.
        planned = planner.planned_ids()
        assert f"recheck:{dose.id}" in planned
        assert f"recheck:{supplement.id}" not in planned
        assert f"missed:{supplement.id}" not in planned
        next_day = noon + timedelta(days=1)
        assert dict(planner.next_jobs(50))[f"dose:{calcium.id}"] == next_day.astimezone(UTC)

        # Later, then the reminder again, then Taken: the supplement's own words each time.
        alice.press(LATER, reminder)
        await alice.expect_buttons("⏰ In 15 min")
        alice.press("⏰ In 15 min")
        await alice.expect("⏰ Calcium 300 mg: I'll remind you again at 12:15.")
        await run_job(app, f"snooze:{supplement.id}")
        again = await alice.expect("Time for your calcium (300 mg)")
        assert alice.buttons(again) == [texts.TAKEN, LATER]
        alice.press(texts.TAKEN, again)
        await alice.expect("✅ Calcium 300 mg: taken at 12:00.")
        [taken] = await dose_events(app, calcium.id)
        assert taken.status == DoseStatus.TAKEN
        query = alice.press_data(again["message_id"], f"d:z:{supplement.id}")
        assert (await alice.toast(query) or "").startswith("✅ Calcium 300 mg: taken at 12:00")

        alice.say("/today")
        today = await alice.expect("12:00 Calcium 300 mg")
        assert "12:00 Calcium 300 mg: ✅ taken at 12:00" in today["text"]


def _store_retired_jobs(url: str) -> None:
    """Leave `supplement:` and `supsnooze:` jobs in the job store, as the last version did."""
    scheduler = create_scheduler(url)
    scheduler.start(paused=True)
    try:
        when = datetime(2031, 3, 4, 18, 30, tzinfo=UTC)
        scheduler.add_job(
            jobs.run_supplement_job, "date", run_date=when, args=[8], id="supplement:8"
        )
        scheduler.add_job(
            jobs.run_supplement_snooze_job, "date", run_date=when, args=[43], id="supsnooze:43"
        )
    finally:
        scheduler.shutdown(wait=False)


async def test_reminders_buttons_and_jobs_from_before_the_upgrade_still_work(
    simulator: BotApiSimulator, settings: Settings
) -> None:
    """Data of revision 0010 (tests/services/test_upgrade_with_data.py): Alice has calcium at
    07:30 (this morning's, event 43, put off with Later) and 18:30 (prompt 8)."""
    build_at_0010(settings.database_url)
    _store_retired_jobs(settings.database_url)
    clock = DrivenClock(datetime(2031, 3, 4, 12, 0, tzinfo=LONDON))
    alice, bob = Person(simulator, 1001, "Alice"), Person(simulator, 1002, "Bob")
    async with bot_running(settings, clock) as app:
        async with services_of(app).sessions() as session:
            morning, evening = list(
                await session.scalars(
                    select(Medication)
                    .where(Medication.legacy_supplement_prompt_id.in_([7, 8]))
                    .order_by(Medication.legacy_supplement_prompt_id)
                )
            )
            open_event = await session.scalar(
                select(DoseEvent).where(DoseEvent.legacy_supplement_event_id == 43)
            )
        assert open_event is not None
        # Start-up dropped the retired jobs and planned dose jobs from the moved rows.
        planned = dict(planner_of(app).next_jobs(100))
        assert not {"supplement:8", "supsnooze:43"} & planner_of(app).planned_ids()
        assert planned[f"dose:{evening.id}"] == datetime(2031, 3, 4, 18, 30, tzinfo=UTC)
        assert planned[f"dose:{morning.id}"] == datetime(2031, 3, 5, 7, 30, tzinfo=UTC)
        assert f"snooze:{open_event.id}" in planned
        assert f"recheck:{open_event.id}" not in planned

        # This morning's reminder, sent before the upgrade: Later under it still works.
        alice.say("/today")
        shown = await alice.expect("07:30 Calcium 300 mg")
        query = alice.press_data(shown["message_id"], "b:z:43")
        await alice.expect("⏰ Calcium 300 mg: I'll remind you again at 12:15.")
        assert await alice.toast(query) is None
        await run_job(app, f"snooze:{open_event.id}")
        again = await alice.expect("Time for your calcium (300 mg). It is calcium carbonate")
        assert alice.buttons(again) == [texts.TAKEN, LATER]

        # Taken under the old message is the same dose as Taken under the new one.
        query = alice.press_data(shown["message_id"], "b:t:43")
        await alice.expect("✅ Calcium 300 mg: taken at 12:00.")
        query = alice.press_data(again["message_id"], f"d:t:{open_event.id}")
        assert (await alice.toast(query) or "").startswith("✅ Calcium 300 mg: taken at 12:00")
        query = alice.press_data(shown["message_id"], "b:t:41")  # yesterday's, answered then
        assert await alice.toast(query) == "✅ Calcium 300 mg: taken at 18:31."

        # Nobody else's, nor a made-up one.
        query = bob.press_data(shown["message_id"], "b:t:44")
        assert await bob.toast(query) == texts.NOT_YOURS
        query = alice.press_data(shown["message_id"], "b:t:999")
        assert await alice.toast(query) == texts.NOT_YOURS

        # A retired job read before start-up deleted it hands over to the dose path.
        clock.jump_to(datetime(2031, 3, 4, 18, 30, tzinfo=LONDON))
        await jobs.run_supplement_job(8)
        evening_reminder = await alice.expect("Time for your calcium (300 mg)")
        assert alice.buttons(evening_reminder) == [texts.TAKEN, LATER]
        days = [event.local_date for event in await dose_events(app, evening.id)]
        assert days == [date(2031, 3, 2), date(2031, 3, 3), date(2031, 3, 4)]
        await jobs.run_supplement_job(999)  # names nothing: nothing happens
        await jobs.run_supplement_snooze_job(43)  # answered meanwhile: nothing to send again
        await jobs.run_supplement_snooze_job(999)

        alice.say("/history")
        history = await alice.expect("• Calcium:")
        assert "• Calcium: 2 of 5 taken (40%) — 1 missed, 2 not answered" in history["text"]
