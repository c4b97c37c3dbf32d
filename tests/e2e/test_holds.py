"""A hold after a stop-and-call, through the chat: chest pain at the check-in gets "please
stop taking the bone medicine you take by mouth and call your doctor", and the next
alendronate reminder no longer says "take it": it asks whether the care team said to go on.
"Not yet" skips the dose as a care-team pause; "go on" lifts the hold and the reminder is an
ordinary one again. The caregiver sees the hold in /caring, with no missed-dose alert."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from bot.config import Settings
from bot.db.models import DoseStatus
from simulator import BotApiSimulator, RateLimits
from tests.e2e.helpers import (
    Person,
    bot_running,
    dose_events,
    make_due_in,
    medication_of,
    planner_of,
    register,
    settled_events,
)
from tests.e2e.test_caregivers import link
from tests.e2e.test_checkin_redflags import report_chest_pain
from tests.fakes.clock import DrivenClock

ALENDRONATE = "alendronate-70-weekly-tablet"


@pytest.fixture
async def simulator() -> AsyncIterator[BotApiSimulator]:
    """The simulator, with room for people who tap through a check-in in a few seconds."""
    async with BotApiSimulator(
        rate_limits=RateLimits(per_chat_burst=100, global_burst=100)
    ) as sim:
        yield sim


async def test_after_stop_and_call_the_reminder_asks_before_it_says_take_it(
    simulator: BotApiSimulator, settings: Settings
) -> None:
    clock = DrivenClock()
    alice, carol = Person(simulator, 1001, "Alice"), Person(simulator, 1003, "Carol")
    async with bot_running(settings, clock) as app:
        await register(alice)
        await link(alice, carol)
        await report_chest_pain(alice)
        await alice.expect("Please stop taking the bone medicine you take by mouth")
        medication = await medication_of(app, alice.id, ALENDRONATE)
        assert medication.hold_since is not None

        carol.say("/caring")
        caring = await carol.expect("⏸ Alendronate 70 mg (Fosamax) on hold")
        assert "Alice" in caring["text"]

        # Its next reminder: not "Time for your", a question instead.
        await make_due_in(app, medication.id, 2)
        held = await alice.expect("is on hold", timeout=10)
        assert "Time for your" not in held["text"]
        assert "Please don't take it until your care team says you can" in held["text"]
        assert alice.buttons(held) == [
            "✅ My care team said go on",
            "⏸ Not yet: skip this dose",
            "📋 Full instructions",
        ]
        [event] = await settled_events(app, medication.id, DoseStatus.SENT)
        jobs = dict(planner_of(app).next_jobs(50))
        assert f"missed:{event.id}" not in jobs  # nobody is alerted: not taking it is the advice
        assert f"recheck:{event.id}" not in jobs

        # Its full instructions: still on hold, how to take it once the care team says so,
        # and the label's stop-and-call warning; « Short gives the question back.
        alice.press("📋 Full instructions", held)
        full = await alice.expect("How to take it once your care team says you can:")
        assert "is on hold" in full["text"]
        assert "⚠️ Stop taking it and call your doctor right away" in full["text"]
        assert full["text"].endswith("Has your care team said to go on?")
        assert alice.buttons(full) == [
            "✅ My care team said go on",
            "⏸ Not yet: skip this dose",
            "« Short",
        ]
        alice.press("« Short", full)
        held = await alice.expect_buttons("📋 Full instructions")
        assert "How to take it" not in held["text"]

        alice.press("⏸ Not yet: skip this dose", held)
        await alice.expect("skipped (Care team said pause)")
        [event] = await dose_events(app, medication.id)
        assert (event.status, event.skip_reason) == (DoseStatus.SKIPPED, "care_team_pause")


async def test_go_on_lifts_the_hold_and_shows_the_ordinary_reminder(
    simulator: BotApiSimulator, settings: Settings
) -> None:
    clock = DrivenClock()
    alice = Person(simulator, 1001, "Alice")
    async with bot_running(settings, clock) as app:
        await register(alice)
        await report_chest_pain(alice)
        await alice.expect("Please stop taking the bone medicine you take by mouth")
        medication = await medication_of(app, alice.id, ALENDRONATE)
        await make_due_in(app, medication.id, 2)
        held = await alice.expect("is on hold", timeout=10)

        alice.press("✅ My care team said go on", held)
        ordinary = await alice.expect("Time for your alendronate 70 mg")
        assert alice.buttons(ordinary) == [
            "✅ Taken",
            "⏰ Later",
            "Skip this dose",
            "📋 Full instructions",
        ]
        assert (await medication_of(app, alice.id, ALENDRONATE)).hold_since is None
        alice.press("✅ Taken", ordinary)
        await alice.expect("taken at")
