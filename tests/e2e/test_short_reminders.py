"""Short messages, details on request: a reminder is a few short lines with a button for
the label's full instructions; volumes in the patient's units; unambiguous names; and a
late reminder of a tablet taken fasting asks first whether the patient has eaten."""

from __future__ import annotations

from datetime import timedelta
from zoneinfo import ZoneInfo

from bot.config import Settings
from bot.db.models import DoseStatus
from bot.domain.catalog import get_product
from bot.ports import JobKind
from simulator import BotApiSimulator
from tests.e2e.helpers import (
    Message,
    Person,
    bot_running,
    dose_events,
    make_due_in,
    medication_of,
    planner_of,
    register,
    run_job,
    settled_events,
)
from tests.fakes.clock import DrivenClock
from ui.texts.common import day_label, hhmm

ALENDRONATE = "alendronate-70-weekly-tablet"
ATELVIA = "risedronate-35-weekly-delayed-release"
ORDINARY_BUTTONS = ["✅ Taken", "⏰ Later", "Skip this dose", "📋 Full instructions"]
FULL_BUTTONS = ["✅ Taken", "⏰ Later", "Skip this dose", "« Short"]
ASK_BUTTONS = ["No, only plain water", "Yes, I've eaten or drunk"]


def _lines(message: Message) -> list[str]:
    return str(message["text"]).splitlines()


async def test_a_reminder_is_four_short_lines_and_full_instructions_show_the_label(
    simulator: BotApiSimulator, settings: Settings
) -> None:
    alice = Person(simulator, 1001, "Alice")
    product = get_product(ALENDRONATE)
    async with bot_running(settings) as app:
        await register(alice, zone="Paris / Berlin")
        medication = await medication_of(app, alice.id, ALENDRONATE)
        await make_due_in(app, medication.id, 2)
        reminder = await alice.expect("Time for your alendronate 70 mg (Fosamax).", timeout=10)
        assert len(_lines(reminder)) <= 4
        assert alice.buttons(reminder) == ORDINARY_BUTTONS
        assert (
            "• Swallow it whole with a full glass (180 to 240 ml) of plain water."
            in (reminder["text"])
        )
        assert " oz" not in reminder["text"]

        alice.press("📋 Full instructions", reminder)
        full = await alice.expect("• Do not take it at bedtime")
        assert full["message_id"] == reminder["message_id"]  # the same message, edited
        for line in product.administration.instructions:
            assert line.replace("(6 to 8 oz)", "(180 to 240 ml)") in full["text"]
        assert (
            "⚠️ Stop taking it and call your doctor right away if you get chest pain"
            in (full["text"])
        )
        assert alice.buttons(full) == FULL_BUTTONS

        alice.press("« Short", full)
        short = await alice.expect("Time for your alendronate 70 mg (Fosamax).")
        assert short["text"] == reminder["text"]
        assert alice.buttons(short) == ORDINARY_BUTTONS

        # Taken from the short form works as ever.
        alice.press("✅ Taken", short)
        await alice.expect("taken at")
        [event] = await settled_events(app, medication.id, DoseStatus.TAKEN)
        assert event.message_id == reminder["message_id"]


async def test_a_new_york_patient_reads_ounces(
    simulator: BotApiSimulator, settings: Settings
) -> None:
    bob = Person(simulator, 1002, "Bob")
    async with bot_running(settings) as app:
        await register(bob, zone="New York")
        medication = await medication_of(app, bob.id, ALENDRONATE)
        await make_due_in(app, medication.id, 2)
        reminder = await bob.expect("Time for your alendronate 70 mg (Fosamax).", timeout=10)
        assert (
            "• Swallow it whole with a full glass (6 to 8 oz) of plain water."
            in (reminder["text"])
        )
        assert " ml" not in reminder["text"]
        bob.press("📋 Full instructions", reminder)
        full = await bob.expect("Swallow the tablet with a full glass (6 to 8 oz) of plain water.")
        assert " ml" not in full["text"]


async def test_the_delayed_release_risedronate_reminder_names_it_so(
    simulator: BotApiSimulator, settings: Settings
) -> None:
    carol = Person(simulator, 1003, "Carol")
    async with bot_running(settings) as app:
        await register(
            carol,
            bone_family="Risedronate",
            bone_product=get_product(ATELVIA).label,
            day="Thursday",
            bone_time="08:00",
            zone="New York",
        )
        medication = await medication_of(app, carol.id, ATELVIA)
        await make_due_in(app, medication.id, 2)
        reminder = await carol.expect("Time for your delayed-release risedronate", timeout=10)
        assert _lines(reminder) == [
            "💊 Time for your delayed-release risedronate 35 mg (Atelvia).",
            "• Straight after breakfast, not on an empty stomach.",
            "• Swallow it whole with at least 4 oz (half a glass) of plain water.",
            "• Stay upright for at least 30 minutes.",
        ]
        assert carol.buttons(reminder) == ORDINARY_BUTTONS


async def _late_reminder(app, clock: DrivenClock, person: Person) -> tuple[int, Message]:
    """Make the person's alendronate due in a minute, then jump the bot's clock 20 minutes
    on before its job runs (the bot's own delay, within the grace): it goes out late."""
    await register(person)
    medication = await medication_of(app, person.id, ALENDRONATE)
    due = await make_due_in(app, medication.id, 60)
    clock.jump_to(clock() + timedelta(minutes=20))
    await run_job(app, f"dose:{medication.id}")
    late = await person.expect("Sorry this reminder is late", timeout=10)
    assert _lines(late) == [
        f"💊 Your alendronate 70 mg (Fosamax) was due at {hhmm(due)}. "
        "Sorry this reminder is late.",
        "",
        "Have you eaten or drunk anything but plain water today?",
    ]
    assert person.buttons(late) == ASK_BUTTONS
    [event] = await settled_events(app, medication.id, DoseStatus.SENT)
    assert event.late is True
    return medication.id, late


async def test_a_late_alendronate_reminder_asks_first_and_no_means_take_it_now(
    simulator: BotApiSimulator, settings: Settings
) -> None:
    clock = DrivenClock()
    alice = Person(simulator, 1001, "Alice")
    async with bot_running(settings, clock) as app:
        medication_id, late = await _late_reminder(app, clock, alice)

        alice.press("No, only plain water", late)
        now = await alice.expect("Then you can take your alendronate 70 mg (Fosamax) now.")
        assert len(_lines(now)) <= 4
        assert "• Stay upright and have only plain water for at least 30 minutes." in now["text"]
        assert alice.buttons(now) == ORDINARY_BUTTONS

        alice.press("✅ Taken", now)
        taken = await alice.expect("taken at")
        assert "nothing but plain water" in taken["text"]  # the window, from now
        [event] = await dose_events(app, medication_id)
        assert (event.status, event.skip_reason, event.late) == (DoseStatus.TAKEN, None, True)
        assert event.window_ends_at is not None


async def test_a_late_alendronate_reminder_asks_first_and_yes_skips_it_and_makes_it_up(
    simulator: BotApiSimulator, settings: Settings
) -> None:
    clock = DrivenClock()
    alice = Person(simulator, 1001, "Alice")
    async with bot_running(settings, clock) as app:
        medication_id, late = await _late_reminder(app, clock, alice)

        alice.press("Yes, I've eaten or drunk", late)
        answer = await alice.expect("Then don't take your alendronate 70 mg (Fosamax) now")
        assert "do not take it later that day" in answer["text"]
        [event] = await dose_events(app, medication_id)
        assert (event.status, event.skip_reason) == (DoseStatus.SKIPPED, "ate_first")
        assert event.makeup_at is not None
        # The label's rule: the morning after, at the usual time.
        zone = ZoneInfo("Europe/London")
        makeup_local = event.makeup_at.astimezone(zone)
        assert makeup_local.date() == clock().astimezone(zone).date() + timedelta(days=1)
        assert makeup_local.time() == event.due_at.astimezone(zone).time()
        assert (
            f"I'll remind you on {day_label(makeup_local.date())} at {hhmm(makeup_local)}"
            in answer["text"]
        )
        assert alice.buttons(answer) == ["✏️ Change this answer"]
        assert JobKind.MAKEUP.job_id(event.id) in dict(planner_of(app).next_jobs(50))

        # The next morning: the make-up reminder, on time, short, with its buttons.
        clock.jump_to(event.makeup_at)
        await run_job(app, JobKind.MAKEUP.job_id(event.id))
        makeup = await alice.expect("the one you missed on", timeout=10)
        assert len(_lines(makeup)) <= 4
        assert alice.buttons(makeup) == ORDINARY_BUTTONS
