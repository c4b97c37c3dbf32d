"""Helpers for end-to-end tests: people who use the real bot through the simulator."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from telegram.ext import Application

from bot.application import build_application, running
from bot.clock import Clock, utc_now
from bot.config import Settings
from bot.simulator import BotApiSimulator
from bot.state import Services
from scheduler.planner import ApschedulerPlanner

Message = dict[str, Any]


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
        for row in message["reply_markup"]["inline_keyboard"]:
            for button in row:
                if button["text"].startswith(label):
                    return self.sim.press_button(
                        self.id, message["message_id"], button["callback_data"]
                    )
        raise AssertionError(f"no button {label!r} among {self.buttons(message)}")

    def press_data(self, message_id: int, data: str) -> str:
        """Send callback data that is not on the message (a forged or replayed press)."""
        return self.sim.press_button(self.id, message_id, data, forge=True)

    async def toast(self, query_id: str) -> str | None:
        """Wait for the bot's answer to a press and return its text."""
        record = await self.sim.wait_for_callback_answer(query_id)
        answer = record.answer or {}
        return answer.get("text") if isinstance(answer, dict) else None

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


@asynccontextmanager
async def bot_running(settings: Settings, clock: Clock = utc_now) -> AsyncIterator[Application]:
    """Run the real bot application against the simulator until the block ends."""
    app = build_application(settings, clock)
    async with running(app, poll_timeout=1) as started:
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
