"""The patient's real day through the chat: Later chosen at the reminder and never called
late, and a dose taken earlier than the button was pressed recorded at that time, with
its window counted from it."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import select

from bot.config import Settings
from bot.db.models import DoseAnswerChange, DoseStatus
from bot.domain.catalog import get_product
from simulator import BotApiSimulator
from tests.e2e.helpers import (
    Person,
    bot_running,
    dose_events,
    make_due_in,
    medication_of,
    planner_of,
    register,
    run_job,
    services_of,
    settled_events,
)
from tests.fakes.clock import DrivenClock
from ui.texts.common import day_label, hhmm

ALENDRONATE = "alendronate-70-weekly-tablet"


async def test_later_is_chosen_at_the_reminder_and_its_return_is_not_late(
    simulator: BotApiSimulator, settings: Settings
) -> None:
    clock = DrivenClock()
    alice = Person(simulator, 1001, "Alice")
    async with bot_running(settings, clock) as app:
        await register(alice)
        medication = await medication_of(app, alice.id, ALENDRONATE)
        due = await make_due_in(app, medication.id, 2)
        reminder = await alice.expect("Time for your alendronate 70 mg", timeout=10)
        assert alice.buttons(reminder) == [
            "✅ Taken",
            "⏰ Later",
            "Skip this dose",
            "📋 Full instructions",
        ]
        [event] = await settled_events(app, medication.id, DoseStatus.SENT)

        lengths = ["⏰ In 15 min", "⏰ In 1 hour", "⏰ In 3 hours", "« Back"]
        alice.press("⏰ Later", reminder)
        assert alice.buttons(await alice.expect_buttons("⏰ In 1 hour")) == lengths
        alice.press("« Back")
        shown = await alice.expect_buttons("⏰ Later")
        assert alice.buttons(shown) == [
            "✅ Taken",
            "⏰ Later",
            "Skip this dose",
            "📋 Full instructions",
        ]
        assert "Time for your alendronate 70 mg" in shown["text"]
        alice.press("⏰ Later", shown)
        await alice.expect_buttons("⏰ In 1 hour")
        alice.press("⏰ In 1 hour")
        back_at = (clock() + timedelta(hours=1)).astimezone(due.tzinfo)
        await alice.expect(f"I'll remind you again at {hhmm(back_at)}")

        # The hour passes (driven, not waited for): the reminder again, not "late".
        clock.jump_to(clock() + timedelta(hours=1))
        await run_job(app, f"snooze:{event.id}")
        again = await alice.expect("Time for your alendronate 70 mg")
        assert "late" not in again["text"].lower()
        [event] = await dose_events(app, medication.id)
        assert (event.late, event.snoozes) == (False, 1)
        assert event.due_at == due.replace(microsecond=0)


async def test_yes_i_took_it_hours_later_asks_when_and_counts_the_window_from_then(
    simulator: BotApiSimulator, settings: Settings
) -> None:
    clock = DrivenClock()
    alice = Person(simulator, 1001, "Alice")
    async with bot_running(settings, clock) as app:
        await register(alice)
        medication = await medication_of(app, alice.id, ALENDRONATE)
        due = await make_due_in(app, medication.id, 2)
        await alice.expect("Time for your alendronate 70 mg", timeout=10)
        [event] = await settled_events(app, medication.id, DoseStatus.SENT)

        # Two hours on, the once-more question; she took it at the usual time.
        clock.jump_to(clock() + timedelta(hours=2))
        await run_job(app, f"recheck:{event.id}")
        question = await alice.expect("Did you take your alendronate 70 mg")
        alice.press("Yes, I took it", question)
        when = await alice.expect("When did you take your alendronate 70 mg (Fosamax)?")
        usual = f"At {hhmm(due)} (when it was due)"
        assert alice.buttons(when)[0] == "Just now"
        assert usual in alice.buttons(when)
        alice.press(usual, when)

        answered = await alice.expect(f"taken at {hhmm(due)}")
        # Her 30 minutes ended long ago: no "stay upright until", the all-clear instead.
        assert "nothing but plain water until" not in answered["text"]
        assert "It has been 30 minutes since your alendronate 70 mg" in answered["text"]
        [event] = await dose_events(app, medication.id)
        assert event.status == DoseStatus.TAKEN
        assert event.taken_at == due.replace(second=0, microsecond=0)
        assert event.window_ends_at == event.taken_at + timedelta(minutes=30)
        assert f"window:{event.id}" not in dict(planner_of(app).next_jobs(50))
        assert event.answered_at is not None
        assert event.answered_at - services_of(app).clock() < timedelta(minutes=1)

        if clock().astimezone(due.tzinfo).date() == due.date():  # /today: today's doses
            alice.say("/today")
            today = await alice.expect("Today:")
            assert f"✅ taken at {hhmm(due)}" in today["text"]


async def test_taken_right_after_the_reminder_is_one_tap(
    simulator: BotApiSimulator, settings: Settings
) -> None:
    alice = Person(simulator, 1001, "Alice")
    async with bot_running(settings) as app:
        await register(alice)
        medication = await medication_of(app, alice.id, ALENDRONATE)
        await make_due_in(app, medication.id, 2)
        reminder = await alice.expect("Time for your alendronate 70 mg", timeout=10)
        await settled_events(app, medication.id, DoseStatus.SENT)
        alice.press("✅ Taken", reminder)
        answered = await alice.expect("taken at")
        assert "nothing but plain water" in answered["text"]


async def test_i_missed_it_gets_the_label_rule_and_a_make_up_reminder_next_morning(
    simulator: BotApiSimulator, settings: Settings
) -> None:
    clock = DrivenClock()
    alice = Person(simulator, 1001, "Alice")
    async with bot_running(settings, clock) as app:
        await register(alice)
        medication = await medication_of(app, alice.id, ALENDRONATE)
        due = await make_due_in(app, medication.id, 2)
        await alice.expect("Time for your alendronate 70 mg", timeout=10)
        [event] = await settled_events(app, medication.id, DoseStatus.SENT)

        clock.jump_to(clock() + timedelta(hours=2))
        await run_job(app, f"recheck:{event.id}")
        question = await alice.expect("Did you take your alendronate 70 mg")
        alice.press("No, I missed it", question)
        answer = await alice.expect("noted as missed")
        tomorrow = (clock() + timedelta(days=1)).astimezone(due.tzinfo)
        rule = get_product(ALENDRONATE).missed_dose
        assert rule is not None
        assert rule.text in answer["text"]  # the label's words, once
        assert "If you missed a dose: If you miss" not in answer["text"]
        assert (
            f"I'll remind you on {day_label(tomorrow.date())} at {hhmm(due)}" in (answer["text"])
        )

        # The next morning, at the usual time: the make-up reminder, with its buttons.
        # The morning after she remembered (not after it was due: past midnight they differ).
        clock.jump_to(datetime.combine(tomorrow.date(), due.time(), due.tzinfo))
        await run_job(app, f"makeup:{event.id}")
        makeup = await alice.expect("the one you missed on")
        assert day_label(due.date()) in makeup["text"]
        assert alice.buttons(makeup) == [
            "✅ Taken",
            "⏰ Later",
            "Skip this dose",
            "📋 Full instructions",
        ]
        alice.press("✅ Taken", makeup)
        await alice.expect("taken at")
        events = await dose_events(app, medication.id)
        made = [e for e in events if e.makeup_for_event_id == event.id]
        assert [e.status for e in made] == [DoseStatus.TAKEN]

        alice.say("/history")
        history = await alice.expect("The last 30 days:")
        assert "1 missed, 1 made up the morning after" in history["text"]


async def test_a_wrong_taken_is_corrected_from_the_message_and_from_today(
    simulator: BotApiSimulator, settings: Settings
) -> None:
    clock = DrivenClock()
    alice = Person(simulator, 1001, "Alice")
    async with bot_running(settings, clock) as app:
        await register(alice)
        medication = await medication_of(app, alice.id, ALENDRONATE)
        due = await make_due_in(app, medication.id, 2)
        reminder = await alice.expect("Time for your alendronate 70 mg", timeout=10)
        await settled_events(app, medication.id, DoseStatus.SENT)
        alice.press("✅ Taken", reminder)
        answered = await alice.expect("taken at")
        assert alice.buttons(answered) == ["✏️ Change this answer"]

        # A mistake: she had not taken it.
        alice.press("✏️ Change this answer", answered)
        question = await alice.expect("What should your record say about your alendronate")
        assert alice.buttons(question)[-2:] == ["✖ I didn't take it", "« Keep it as it is"]
        alice.press("« Keep it as it is", question)
        await alice.expect_buttons("✏️ Change this answer")
        alice.press("✏️ Change this answer")
        await alice.expect("What should your record say")
        alice.press("✖ I didn't take it")
        missed = await alice.expect("noted as missed")
        assert "I'll remind you on" in missed["text"]  # the make-up, the morning after
        [event] = await dose_events(app, medication.id)
        assert (event.status, event.taken_at) == (DoseStatus.MISSED, None)

        # An hour later she did take it: corrected again, from /today.
        clock.jump_to(clock() + timedelta(hours=1))
        alice.say("/today")
        today = await alice.expect("To correct an answer")
        label = f"✏️ {day_label(due.date())[:3]} {hhmm(due)} Alendronate 70 mg (Fosamax): ✖ missed"
        assert label in alice.buttons(today)
        alice.press(label, today)
        question = await alice.expect("What should your record say")
        alice.press("✅ Taken, just now", question)
        await alice.expect("taken at")
        [event] = await dose_events(app, medication.id)
        assert event.status == DoseStatus.TAKEN
        assert f"makeup:{event.id}" not in dict(planner_of(app).next_jobs(50))

        async with services_of(app).sessions() as session:
            changes = list(
                await session.scalars(
                    select(DoseAnswerChange).where(DoseAnswerChange.dose_event_id == event.id)
                )
            )
        assert [(c.old_status, c.new_status) for c in changes] == [
            ("taken", "missed"),
            ("missed", "taken"),
        ]


async def test_a_take_time_can_be_typed(simulator: BotApiSimulator, settings: Settings) -> None:
    clock = DrivenClock()
    alice = Person(simulator, 1001, "Alice")
    async with bot_running(settings, clock) as app:
        await register(alice)
        medication = await medication_of(app, alice.id, ALENDRONATE)
        due = await make_due_in(app, medication.id, 2)
        await alice.expect("Time for your alendronate 70 mg", timeout=10)
        [event] = await settled_events(app, medication.id, DoseStatus.SENT)
        clock.jump_to(clock() + timedelta(hours=2))
        await run_job(app, f"recheck:{event.id}")
        alice.press("Yes, I took it", await alice.expect("Did you take your alendronate"))
        when = await alice.expect("When did you take your alendronate 70 mg (Fosamax)?")
        alice.press("⌨️ Another time: I'll type it", when)
        await alice.expect("What time did you take your alendronate 70 mg (Fosamax)? Type it")

        alice.say("soon")
        await alice.expect("Sorry, I couldn't use that time")
        future = (clock() + timedelta(minutes=30)).astimezone(due.tzinfo)
        alice.say(hhmm(future))  # later than now: last night's is more than 3 h before
        await alice.expect("Sorry, I couldn't use that time")
        typed = (due - timedelta(minutes=20)).astimezone(due.tzinfo)  # up early
        alice.say(hhmm(typed))
        await alice.expect(f"taken at {hhmm(typed)}")
        [event] = await dose_events(app, medication.id)
        assert event.taken_at is not None
        assert hhmm(event.taken_at.astimezone(due.tzinfo)) == hhmm(typed)
        alice.say("/today")
        await alice.expect("Today:")  # the typed-time question is closed: text is text again
