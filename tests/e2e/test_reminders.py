"""Dose reminders end to end: scheduled, delivered, answered, asked again, followed up."""

from __future__ import annotations

from datetime import timedelta

import pytest

from bot.config import Settings
from bot.db.models import DoseStatus
from bot.domain.catalog import get_product
from bot.ports import JobKind
from simulator import BotApiSimulator, RateLimits
from tests.e2e.helpers import (
    Person,
    bot_running,
    dose_events,
    eventually,
    make_due_in,
    medication_of,
    planner_of,
    register,
    services_of,
    settled_events,
)

ALENDRONATE = "alendronate-70-weekly-tablet"


async def _reminded(app, person: Person, key: str = ALENDRONATE) -> int:
    """Register the person, make their dose due in 2 s, wait for it; return the event id."""
    await register(person)
    medication = await medication_of(app, person.id, key)
    await make_due_in(app, medication.id, 2)
    await person.expect(f"Time for your {get_product(key).name}", timeout=10)
    [event] = await settled_events(app, medication.id, DoseStatus.SENT)
    return event.id


async def test_reminder_arrives_on_time_with_the_label_instructions(
    simulator: BotApiSimulator, settings: Settings
) -> None:
    alice = Person(simulator, 1001, "Alice")
    async with bot_running(settings) as app:
        await register(alice)
        medication = await medication_of(app, alice.id, ALENDRONATE)
        due = await make_due_in(app, medication.id, 2)
        reminder = await alice.expect("Time for your alendronate 70 mg (Fosamax)", timeout=10)
        sent_at = services_of(app).clock()

        # The label's key lines in a few short ones (London: millilitres)...
        text = reminder["text"]
        assert len(text.splitlines()) <= 4
        assert "First thing after you get up, before any food or drink." in text
        assert "full glass (180 to 240 ml) of plain water" in text
        assert "at least 30 minutes" in text
        assert "late" not in text
        assert alice.buttons(reminder) == [
            "✅ Taken",
            "⏰ Later",
            "Skip this dose",
            "📋 Full instructions",
        ]
        assert abs((sent_at - due).total_seconds()) < 3

        [event] = await settled_events(app, medication.id, DoseStatus.SENT)
        assert event.message_id == reminder["message_id"]
        assert event.late is False

        async def next_week_planned() -> bool:
            jobs = dict(planner_of(app).next_jobs(50))
            planned = jobs.get(f"dose:{medication.id}")
            return planned is not None and planned - event.due_at > timedelta(days=6)

        await eventually(next_week_planned, what="the weekly job moving on to next week")
        assert f"recheck:{event.id}" in dict(planner_of(app).next_jobs(50))


async def test_taken_is_recorded_and_the_window_end_follows(
    simulator: BotApiSimulator, settings: Settings
) -> None:
    alice = Person(simulator, 1001, "Alice")
    async with bot_running(settings) as app:
        event_id = await _reminded(app, alice)
        reminder = alice.keyboard_message()
        alice.press("✅ Taken", reminder)
        edited = await alice.expect("taken at")
        assert "nothing but plain water" in edited["text"]
        assert alice.buttons(edited) == ["✏️ Change this answer"]

        [event] = await dose_events(app, (await medication_of(app, alice.id, ALENDRONATE)).id)
        assert event.status == DoseStatus.TAKEN
        assert event.answered_at is not None
        assert event.window_ends_at == event.answered_at + timedelta(minutes=30)
        jobs = dict(planner_of(app).next_jobs(50))
        assert jobs[f"window:{event_id}"] == event.window_ends_at
        assert f"recheck:{event_id}" not in jobs

        # Thirty minutes pass: run the planned job now instead of waiting.
        planner_of(app).plan(JobKind.WINDOW, event_id, services_of(app).clock())
        notice = await alice.expect("It has been 30 minutes since your alendronate 70 mg")
        assert "You can now eat breakfast" in notice["text"]

        # A second press on the old message changes nothing.
        query = alice.press_data(reminder["message_id"], f"d:t:{event_id}")
        assert (await alice.toast(query) or "").startswith("Already noted: taken")


async def test_snooze_sends_the_reminder_again(
    simulator: BotApiSimulator, settings: Settings
) -> None:
    alice = Person(simulator, 1001, "Alice")
    async with bot_running(settings) as app:
        event_id = await _reminded(app, alice)
        alice.press("⏰ Later")
        await alice.expect_buttons("⏰ In 15 min")
        alice.press("⏰ In 15 min")
        await alice.expect("I'll remind you again at")
        jobs = dict(planner_of(app).next_jobs(50))
        now = services_of(app).clock()
        assert timedelta(minutes=14) < jobs[f"snooze:{event_id}"] - now <= timedelta(minutes=15)

        planner_of(app).plan(JobKind.SNOOZE, event_id, now)
        again = await alice.expect("Time for your alendronate 70 mg")
        assert "✅ Taken" in alice.buttons(again)
        alice.press("✅ Taken", again)
        await alice.expect("taken at")
        [event] = await dose_events(app, (await medication_of(app, alice.id, ALENDRONATE)).id)
        assert (event.status, event.snoozed_until) == (DoseStatus.TAKEN, None)


async def test_skip_asks_a_reason_and_forgetting_gets_the_missed_dose_rule(
    simulator: BotApiSimulator, settings: Settings
) -> None:
    alice = Person(simulator, 1001, "Alice")
    async with bot_running(settings) as app:
        event_id = await _reminded(app, alice)
        alice.press("Skip this dose")
        reasons = await alice.sim.wait_for_message(
            alice.id, lambda m: "I forgot" in str(m.get("reply_markup"))
        )
        assert alice.buttons(reasons) == [
            "I forgot",
            "Side effects",
            "Care team said pause",
            "Other reason",
            "« Back",
        ]
        alice.press("I forgot", reasons)
        done = await alice.expect("skipped")
        rule = get_product(ALENDRONATE).missed_dose
        assert rule is not None
        assert rule.text in done["text"]
        [event] = await dose_events(app, (await medication_of(app, alice.id, ALENDRONATE)).id)
        assert (event.status, event.skip_reason) == (DoseStatus.SKIPPED, "forgot")
        assert f"recheck:{event_id}" not in dict(planner_of(app).next_jobs(50))


async def test_unconfirmed_dose_is_asked_about_once_and_missed_gets_the_rule(
    simulator: BotApiSimulator, settings: Settings
) -> None:
    alice = Person(simulator, 1001, "Alice")
    async with bot_running(settings) as app:
        event_id = await _reminded(app, alice)
        planner_of(app).plan(JobKind.RECHECK, event_id, services_of(app).clock())
        question = await alice.expect("Did you take your alendronate 70 mg")
        assert alice.buttons(question) == ["Yes, I took it", "No, I missed it"]
        alice.press("No, I missed it", question)
        answer = await alice.expect("noted as missed")
        rule = get_product(ALENDRONATE).missed_dose
        assert rule is not None
        assert rule.text in answer["text"]
        [event] = await dose_events(app, (await medication_of(app, alice.id, ALENDRONATE)).id)
        assert event.status == DoseStatus.MISSED
        assert event.rechecked_at is not None


@pytest.mark.parametrize(
    "data",
    ["d:t:{other}", "d:z:{other}", "d:s:{other}:forgot", "d:m:{other}", "d:t:99999999", "d:x:1"],
)
async def test_forged_presses_on_another_patients_dose_change_nothing(
    simulator: BotApiSimulator, settings: Settings, data: str
) -> None:
    alice, bob = Person(simulator, 1001, "Alice"), Person(simulator, 1002, "Bob")
    async with bot_running(settings) as app:
        alice_event = await _reminded(app, alice)
        await register(bob)
        bob_message = simulator.last_bot_message(bob.id)
        assert bob_message is not None
        query = bob.press_data(bob_message["message_id"], data.format(other=alice_event))
        assert await bob.toast(query) == "Sorry, that button isn't available to you."
        [event] = await dose_events(app, (await medication_of(app, alice.id, ALENDRONATE)).id)
        assert event.status == DoseStatus.SENT
        assert event.snoozed_until is None
        assert simulator.last_bot_message(alice.id)["text"].startswith("💊 Time for your")


async def test_today_and_history_show_the_record(
    simulator: BotApiSimulator, settings: Settings
) -> None:
    alice = Person(simulator, 1001, "Alice")
    async with bot_running(settings) as app:
        await _reminded(app, alice)
        alice.press("✅ Taken")
        await alice.expect("taken at")
        alice.say("/today")
        today = await alice.expect("Today:")
        assert "Alendronate 70 mg (Fosamax): ✅ taken at" in today["text"]
        alice.say("/history")
        history = await alice.expect("The last 30 days:")
        assert "Alendronate 70 mg (Fosamax): 1 of 1 taken (100%)" in history["text"]


async def test_a_press_answered_too_late_is_still_recorded(database_url: str) -> None:
    # Telegram expires a button press after a few seconds; a slow moment must not lose it.
    async with BotApiSimulator(
        rate_limits=RateLimits(enabled=False), callback_query_ttl=0.0
    ) as sim:
        settings = Settings(
            telegram_bot_token=sim.token,
            telegram_api_base_url=sim.base_url,
            database_url=database_url,
            _env_file=None,
        )
        alice = Person(sim, 1001, "Alice")
        async with bot_running(settings) as app:
            await _reminded(app, alice)
            alice.press("✅ Taken")
            await alice.expect("taken at")
            medication = await medication_of(app, alice.id, ALENDRONATE)
            [event] = await settled_events(app, medication.id, DoseStatus.TAKEN)
            assert event.answered_at is not None
