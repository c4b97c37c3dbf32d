"""Vitamin D gets its own reminder, through the chat: /bone's calcium page offers it, a
time is picked, and the reminder comes at that time in the patient's zone, moved clear
of the alendronate morning's fasting window like calcium, with its own words."""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import select
from telegram.ext import Application

from bot.config import Settings
from bot.db.models import Medication, MedicationRole
from simulator import BotApiSimulator
from tests.e2e.helpers import Person, bot_running, planner_of, register, run_job, services_of
from tests.fakes.clock import DrivenClock
from ui import texts

LONDON = ZoneInfo("Europe/London")


async def vitamin_d_of(app: Application, telegram_user_id: int) -> list[Medication]:
    async with services_of(app).sessions() as session:
        return list(
            await session.scalars(
                select(Medication).where(
                    Medication.role == MedicationRole.SUPPLEMENT,
                    Medication.product_key == "vitamin_d",
                    Medication.active.is_(True),
                )
            )
        )


async def test_vitamin_d_reminder_at_its_time_and_off_again(
    simulator: BotApiSimulator, settings: Settings
) -> None:
    start = datetime(2031, 3, 4, 6, 0, tzinfo=LONDON)  # a Tuesday morning
    clock = DrivenClock(start)
    alice = Person(simulator, 1001, "Alice")
    async with bot_running(settings, clock) as app:
        await register(alice, day="Wednesday", bone_time="07:00")  # weekly alendronate
        alice.say("/bone")
        alice.press(texts.CALCIUM_SETTINGS, await alice.expect(texts.CALCIUM_HEAD))
        menu = await alice.expect(texts.CALCIUM_OFF)
        alice.press(texts.VITAMIN_D_BUTTON, menu)
        ask = await alice.expect("When do you take vitamin D?")
        assert texts.VITAMIN_D_IN_CALCIUM in alice.buttons(ask)
        alice.press("07:30", ask)
        await alice.expect("Saved: vitamin D daily at 07:30.")
        [vitamin_d] = await vitamin_d_of(app, alice.id)
        tuesday = datetime.combine(start.date(), time(7, 30), LONDON)
        planned = dict(planner_of(app).next_jobs(50))[f"dose:{vitamin_d.id}"]
        assert planned == tuesday.astimezone(UTC)

        clock.jump_to(tuesday)
        await run_job(app, f"dose:{vitamin_d.id}")
        reminder = await alice.expect("☀️ Time for your vitamin D.")
        alice.press(texts.TAKEN, reminder)
        await alice.expect("✅ Vitamin D: taken at 07:30.")

        # Wednesday is the alendronate morning: 07:30 is its fasting window's end, not in it.
        wednesday_planned = dict(planner_of(app).next_jobs(50))[f"dose:{vitamin_d.id}"]
        assert wednesday_planned == (tuesday + timedelta(days=1)).astimezone(UTC)

        alice.say("/bone")
        alice.press(texts.CALCIUM_SETTINGS, await alice.expect(texts.CALCIUM_HEAD))
        page = await alice.expect("Vitamin D: a reminder daily at 07:30.")
        alice.press(texts.VITAMIN_D_BUTTON, page)
        alice.press(texts.VITAMIN_D_IN_CALCIUM, await alice.expect("When do you take vitamin D?"))
        await alice.expect(texts.VITAMIN_D_OFF)
        assert await vitamin_d_of(app, alice.id) == []
        assert f"dose:{vitamin_d.id}" not in dict(planner_of(app).next_jobs(50))
