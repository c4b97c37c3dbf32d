"""/pause through the chat: all reminders paused for a few days, no reminder and no record
on a paused day, the caregiver told, the reminders back the day after; resumed early."""

from __future__ import annotations

from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

from bot.config import Settings
from simulator import BotApiSimulator
from tests.e2e.helpers import (
    Person,
    bot_running,
    dose_events,
    medication_of,
    planner_of,
    register,
    run_job,
)
from tests.e2e.test_caregivers import link
from tests.fakes.clock import DrivenClock
from ui.texts.common import day_label, short_day

ANASTROZOLE = "anastrozole-1-daily-tablet"
LONDON = ZoneInfo("Europe/London")


async def test_a_holiday_pause_skips_the_days_tells_the_caregiver_and_ends_by_itself(
    simulator: BotApiSimulator, settings: Settings
) -> None:
    clock = DrivenClock()
    alice, carol = Person(simulator, 1001, "Alice"), Person(simulator, 2001, "Carol")
    async with bot_running(settings, clock) as app:
        await register(alice)
        await link(alice, carol)
        medication = await medication_of(app, alice.id, ANASTROZOLE)
        today = clock().astimezone(LONDON).date()
        until = today + timedelta(days=3)

        alice.say("/pause")
        which = await alice.expect("Which reminders shall I pause?")
        assert alice.buttons(which)[0] == "⏸ All my reminders"
        alice.press("⏸ All my reminders", which)
        lengths = await alice.expect("Until when?")
        alice.press(f"For 3 days (until {short_day(until)})", lengths)
        paused = await alice.expect("⏸ Paused:")
        assert f"Anastrozole 1 mg (Arimidex), through {day_label(until)}" in paused["text"]
        assert alice.buttons(paused)[0] == "▶️ Start reminders again now"
        told = await carol.expect("has paused some reminders")
        assert "You won't get missed-dose alerts for the paused days" in told["text"]

        # A paused morning: the dose job (run anyway) sends nothing and records nothing.
        said = len(simulator.bot_messages(alice.id))
        clock.jump_to(datetime.combine(today + timedelta(days=1), time(9, 30), LONDON))
        await run_job(app, f"dose:{medication.id}")
        assert len(simulator.bot_messages(alice.id)) == said
        assert await dose_events(app, medication.id) == []
        planned = dict(planner_of(app).next_jobs(50))[f"dose:{medication.id}"]
        assert planned == datetime.combine(until + timedelta(days=1), time(9, 0), LONDON)

        # The morning after the pause: the reminder is back, by itself.
        clock.jump_to(datetime.combine(until + timedelta(days=1), time(9, 0), LONDON))
        await run_job(app, f"dose:{medication.id}")
        await alice.expect("Time for your anastrozole 1 mg")
        [event] = await dose_events(app, medication.id)
        assert event.local_date == until + timedelta(days=1)


async def test_resume_now_brings_the_reminders_back_at_once(
    simulator: BotApiSimulator, settings: Settings
) -> None:
    clock = DrivenClock()
    alice = Person(simulator, 1001, "Alice")
    async with bot_running(settings, clock) as app:
        await register(alice)
        medication = await medication_of(app, alice.id, ANASTROZOLE)
        today = clock().astimezone(LONDON).date()
        alice.say("/pause")
        alice.press("Anastrozole 1 mg", await alice.expect("Which reminders"))
        alice.press("For 7 days", await alice.expect("Until when?"))
        await alice.expect("⏸ Paused:")

        alice.say("/pause")
        state = await alice.expect("⏸ Paused:")
        alice.press("▶️ Start reminders again now", state)
        await alice.expect("Your reminders are on again from now")
        planned = dict(planner_of(app).next_jobs(50))[f"dose:{medication.id}"]
        assert planned - clock() <= timedelta(days=1)
        assert planned.astimezone(LONDON).date() <= today + timedelta(days=1)
