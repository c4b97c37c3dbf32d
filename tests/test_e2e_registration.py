"""Registration through the real Application and the simulator, as a patient taps it."""

from __future__ import annotations

from datetime import time

from sqlalchemy import select

from bot.config import Settings
from bot.models import Medication, Patient
from bot.simulator import BotApiSimulator
from tests.e2e import Person, bot_running, planner_of, register, services_of


async def test_weekly_alendronate_registration_is_saved_and_scheduled(
    simulator: BotApiSimulator, settings: Settings
) -> None:
    alice = Person(simulator, 1001, "Alice")
    async with bot_running(settings) as app:
        alice.say("/start")
        welcome = await alice.expect("I do not give medical advice")
        assert "reminders" not in welcome.get("reply_markup", {})
        await register(alice)
        summary = alice.sim.messages(alice.id)[-2]["text"]
        assert "Alendronate 70 mg (tablet), every Monday at 07:00" in summary
        assert "Anastrozole 1 mg (tablet), every day at 09:00" in summary
        assert "Next reminder" in alice.last_text() or "next reminder" in alice.last_text()

        async with services_of(app).sessions() as session:
            patient = await session.scalar(select(Patient))
            assert patient is not None
            assert (patient.telegram_user_id, patient.timezone) == (1001, "Europe/London")
            medications = list(await session.scalars(select(Medication)))
        keys = {m.product_key: m for m in medications}
        assert set(keys) == {"anastrozole-1-daily-tablet", "alendronate-70-weekly-tablet"}
        weekly = keys["alendronate-70-weekly-tablet"]
        assert (weekly.weekday, weekly.time_of_day) == (0, time(7, 0))
        jobs = dict(planner_of(app).next_jobs())
        assert {f"dose:{m.id}" for m in medications} <= set(jobs)
        # Monday 07:00 in London is 07:00 or 06:00 UTC depending on the season.
        monday = jobs[f"dose:{weekly.id}"]
        assert monday.weekday() == 0
        assert monday.hour in (6, 7)
