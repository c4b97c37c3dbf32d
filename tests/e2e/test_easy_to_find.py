"""Easy to find, through the chat: /today says what comes next, and a reminder time
changes in two taps from /regimen (the reminder then comes at the new time)."""

from __future__ import annotations

from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

from bot.config import Settings
from simulator import BotApiSimulator
from tests.e2e.helpers import Person, bot_running, medication_of, planner_of, register
from tests.fakes.clock import DrivenClock
from ui.texts.common import day_label

ANASTROZOLE = "anastrozole-1-daily-tablet"
LONDON = ZoneInfo("Europe/London")


def _next_at(now: datetime, at: time) -> datetime:
    """The next wall-clock `at` in London after `now`."""
    local = now.astimezone(LONDON)
    candidate = datetime.combine(local.date(), at, LONDON)
    return (
        candidate
        if candidate > local
        else datetime.combine(local.date() + timedelta(days=1), at, LONDON)
    )


async def test_today_says_what_comes_next(simulator: BotApiSimulator, settings: Settings) -> None:
    clock = DrivenClock()
    alice = Person(simulator, 1001, "Alice")
    async with bot_running(settings, clock) as app:
        await register(alice, bone_family=None)  # anastrozole at 09:00 only
        await medication_of(app, alice.id, ANASTROZOLE)
        alice.say("/today")
        today = await alice.expect("⏭ Next:")
        coming = _next_at(clock(), time(9, 0))
        local_today = clock().astimezone(LONDON).date()
        when = (
            "today"
            if coming.date() == local_today
            else "tomorrow"
            if coming.date() == local_today + timedelta(days=1)
            else f"on {day_label(coming.date())}"
        )
        assert f"⏭ Next: Anastrozole 1 mg (Arimidex), {when} at 09:00." in today["text"]


async def test_a_reminder_time_changes_in_two_taps(
    simulator: BotApiSimulator, settings: Settings
) -> None:
    clock = DrivenClock()
    alice = Person(simulator, 1001, "Alice")
    async with bot_running(settings, clock) as app:
        await register(alice, bone_family=None)
        alice.say("/regimen")
        menu = await alice.expect("Anastrozole")
        label = "⏰ Anastrozole 1 mg (Arimidex) at 09:00: change the time"
        assert alice.buttons(menu)[0] == label
        alice.press(label, menu)  # tap one
        times = await alice.expect(
            "What time shall I remind you of your anastrozole 1 mg (Arimidex)?"
        )
        alice.press("20:00", times)  # tap two
        await alice.expect("Saved: I'll remind you of your anastrozole 1 mg (Arimidex) at 20:00")

        medication = await medication_of(app, alice.id, ANASTROZOLE)
        assert medication.time_of_day == time(20, 0)
        planned = dict(planner_of(app).next_jobs(50))[f"dose:{medication.id}"]
        assert planned == _next_at(clock(), time(20, 0))
