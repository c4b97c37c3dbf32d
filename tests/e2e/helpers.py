"""Helpers for end-to-end tests: people who use the real bot through the simulator."""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from datetime import datetime, timedelta
from datetime import time as time_of_day
from typing import Any, TypeVar
from zoneinfo import ZoneInfo

from sqlalchemy import select, update
from telegram.ext import Application

from app.application import build_application, running
from bot.config import Settings
from bot.db.models import DoseEvent, Medication, Patient
from bot.domain.clock import Clock, utc_now
from bot.domain.dose_times import Frequency
from bot.domain.regimen_draft import NONE, RegimenDraft
from bot.ports import JobKind
from bot.services.context import Services
from bot.services.doses import plan_next_dose
from bot.services.regimen import save_regimen
from scheduler.planner import ApschedulerPlanner
from simulator import BotApiSimulator

Message = dict[str, Any]
T = TypeVar("T")


async def eventually(
    check: Callable[[], Awaitable[T]],
    timeout: float = 5.0,  # noqa: ASYNC109
    what: str = "condition",
) -> T:
    """Re-check an async condition every few milliseconds until it holds (bounded wait).

    For state the simulator cannot see (database rows committed just after a send).
    """
    deadline = time.monotonic() + timeout
    while True:
        result = await check()
        if result:
            return result
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        await asyncio.sleep(0.02)


class Person:
    """A Telegram user played through the simulator, who reads and taps like a person."""

    def __init__(self, sim: BotApiSimulator, user_id: int, name: str) -> None:
        self.sim, self.id, self.name = sim, user_id, name
        sim.add_user(user_id, name)

    def say(self, text: str) -> None:
        """Send a text or a command."""
        self.sim.send_text(self.id, text)

    async def expect(self, contains: str, timeout: float = 5.0) -> Message:  # noqa: ASYNC109
        """Wait for a bot message (new or edited since my last action) containing `contains`."""
        return await self.sim.wait_for_message(
            self.id, lambda m: contains in (m.get("text") or ""), timeout=timeout
        )

    async def expect_buttons(self, label: str, timeout: float = 5.0) -> Message:  # noqa: ASYNC109
        """Wait for a bot message (new, or its buttons edited since my last action) showing a
        button labelled `label`."""

        def shows(message: Message) -> bool:
            rows = (message.get("reply_markup") or {}).get("inline_keyboard", [])
            return any(button["text"] == label for row in rows for button in row)

        return await self.sim.wait_for_message(self.id, shows, timeout=timeout)

    def buttons(self, message: Message | None = None) -> list[str]:
        """Labels of the inline buttons on a message (default: the newest with buttons)."""
        message = message or self.keyboard_message()
        rows = (message.get("reply_markup") or {}).get("inline_keyboard", [])
        return [button["text"] for row in rows for button in row]

    def keyboard_message(self) -> Message:
        """The newest bot message that still shows inline buttons."""
        for message in reversed(self.sim.bot_messages(self.id)):
            if (message.get("reply_markup") or {}).get("inline_keyboard"):
                return message
        raise AssertionError(f"{self.name} sees no buttons")

    def press(self, label: str, message: Message | None = None) -> str:
        """Tap the button whose label starts with `label`; returns the callback query id."""
        message = message or self.keyboard_message()
        buttons = [b for row in message["reply_markup"]["inline_keyboard"] for b in row]
        exact = [b for b in buttons if b["text"] == label]
        for button in exact or [b for b in buttons if b["text"].startswith(label)]:
            return self.sim.press_button(self.id, message["message_id"], button["callback_data"])
        raise AssertionError(f"no button {label!r} among {self.buttons(message)}")

    def press_data(self, message_id: int, data: str) -> str:
        """Send callback data that is not on the message (a forged or replayed press)."""
        return self.sim.press_button(self.id, message_id, data, forge=True)

    async def toast(self, query_id: str) -> str | None:
        """Wait for the bot's answer to a press and return its text."""
        answer = await self.sim.wait_for_callback_answer(query_id)
        return answer.get("text")

    def last_text(self) -> str:
        """Text of the bot's newest message."""
        message = self.sim.last_bot_message(self.id)
        return (message or {}).get("text") or ""


def services_of(app: Application) -> Services:
    """The running bot's services (sessions, planner, clock)."""
    return app.bot_data.services


def planner_of(app: Application) -> ApschedulerPlanner:
    """The running bot's APScheduler planner, to look at or move jobs."""
    planner = services_of(app).planner
    assert isinstance(planner, ApschedulerPlanner)
    return planner


async def run_job(app: Application, job_id: str) -> None:
    """Make a planned job due now and wait until it has run (driven time, no sleeping)."""
    finished = asyncio.Event()

    def listen(event_job_id: str | None, done: bool) -> None:
        if done and event_job_id == job_id:
            finished.set()

    planner = planner_of(app)
    stop = planner.watch(listen)
    try:
        assert planner.run_now(job_id), f"{job_id} is not planned"
        await asyncio.wait_for(finished.wait(), 10)
    finally:
        stop()


@asynccontextmanager
async def bot_running(settings: Settings, clock: Clock = utc_now) -> AsyncIterator[Application]:
    """Run the real bot application against the simulator until the block ends."""
    app = build_application(settings, clock)
    async with running(app, poll_timeout=1, settings=settings) as started:
        yield started


async def register(
    person: Person,
    *,
    ai: str | None = "Anastrozole",
    ai_time: str = "09:00",
    bone_family: str | None = "Alendronate",
    bone_product: str | None = "70 mg once a week (tablet)",
    day: str | None = "Monday",
    bone_time: str | None = "07:00",
    zone: str = "London",
) -> None:
    """Walk a person through registration by tapping, as a patient would."""
    person.say("/start")
    await person.expect("Is that all right?")
    person.press("Yes, that's fine")
    await person.expect("Which aromatase inhibitor")
    person.press(ai or "None")
    if ai:
        await person.expect("What time of day")
        person.press(ai_time)
    await person.expect("protect your bones")
    person.press(bone_family or "None")
    if bone_family:
        await person.expect("Which")
        person.press(bone_product or "")
        if day:
            await person.expect("On which day")
            person.press(day)
        if bone_time:
            await person.expect("What time do you usually")
            person.press(bone_time)
    await person.expect("Which time zone")
    person.press(zone)
    await person.expect("Is this right?")
    person.press("Yes, save it")
    await person.expect("Saved")


async def medication_of(app: Application, telegram_user_id: int, product_key: str) -> Medication:
    """The active medication of a person for a product."""
    async with services_of(app).sessions() as session:
        medication = await session.scalar(
            select(Medication)
            .join(Patient)
            .where(
                Patient.telegram_user_id == telegram_user_id,
                Medication.product_key == product_key,
                Medication.active.is_(True),
            )
        )
    assert medication is not None, f"no active {product_key} for {telegram_user_id}"
    return medication


async def make_due_in(app: Application, medication_id: int, seconds: float) -> datetime:
    """Move a medication's dose time to `seconds` from now (to the second) and re-plan it.

    Tests use this instead of waiting for a real 07:00: the scheduler, job store and job
    run for real, only the wall-clock time of the dose is set close to now.
    """
    services = services_of(app)
    async with services.sessions() as session:
        medication = await session.get(Medication, medication_id)
        assert medication is not None
        patient = await session.get(Patient, medication.patient_id)
        assert patient is not None
        local = (services.clock() + timedelta(seconds=seconds)).astimezone(
            ZoneInfo(patient.timezone)
        )
        medication.time_of_day = local.time().replace(microsecond=0)
        if medication.frequency == Frequency.WEEKLY:
            medication.weekday = local.weekday()
        elif medication.frequency in (Frequency.MONTHLY, Frequency.MONTHLY_TWO_DAYS):
            medication.day_of_month = local.day
        await session.commit()
        await plan_next_dose(session, services.planner, medication, patient, services.clock())
    return local


async def settled_events(app: Application, medication_id: int, *statuses: str) -> list[DoseEvent]:
    """Wait until every recorded dose of a medication has one of `statuses`; return them."""

    async def check() -> list[DoseEvent]:
        events = await dose_events(app, medication_id)
        return events if events and all(e.status in statuses for e in events) else []

    return await eventually(check, what=f"doses of medication {medication_id} in {statuses}")


async def dose_events(app: Application, medication_id: int) -> list[DoseEvent]:
    """Every recorded dose of a medication, oldest first."""
    async with services_of(app).sessions() as session:
        rows = await session.scalars(
            select(DoseEvent)
            .where(DoseEvent.medication_id == medication_id)
            .order_by(DoseEvent.due_at)
        )
        return list(rows)


async def seed_patients(
    app: Application,
    sim: BotApiSimulator,
    count: int,
    due_in_seconds: float,
    first_user_id: int = 500_000,
) -> list[int]:
    """Register `count` patients whose daily dose falls due together, `due_in_seconds` ahead.

    Goes through the same service the registration conversation ends in (save_regimen),
    without tapping through the chat for each one; then moves every dose time to the same
    second in one update, so slow seeding cannot push some doses to tomorrow.
    """
    services = services_of(app)
    draft = RegimenDraft(
        consent=True,
        ai_product="anastrozole-1-daily-tablet",
        ai_time=time_of_day(23, 59),
        bone_family=NONE,
        bone_product=NONE,
        timezone=SEED_ZONE,
    )
    user_ids = list(range(first_user_id, first_user_id + count))
    async with services.sessions() as session:
        for user_id in user_ids:
            sim.add_user(user_id, f"Patient {user_id}", started=True)
            await save_regimen(
                session,
                services.planner,
                telegram_user_id=user_id,
                chat_id=user_id,
                draft=draft,
                now=services.clock(),
            )
        due = services.clock() + timedelta(seconds=due_in_seconds)
        wall = due.astimezone(ZoneInfo(SEED_ZONE)).time().replace(microsecond=0)
        due = due.replace(microsecond=0)
        medication_ids = list(
            await session.scalars(
                select(Medication.id)
                .join(Patient)
                .where(Patient.telegram_user_id.in_(user_ids), Medication.active.is_(True))
            )
        )
        await session.execute(
            update(Medication).where(Medication.id.in_(medication_ids)).values(time_of_day=wall)
        )
        await session.commit()
    for medication_id in medication_ids:
        services.planner.plan(JobKind.DOSE, medication_id, due)
    return user_ids


SEED_ZONE = "Europe/London"


def delivered_reminders(sim: BotApiSimulator, user_ids: list[int]) -> dict[int, int]:
    """Count reminder messages now in each patient's chat."""
    return {
        user_id: sum(
            1 for m in sim.bot_messages(user_id) if "Time for your" in (m.get("text") or "")
        )
        for user_id in user_ids
    }
