"""Label warnings at their moment, end to end through the simulator and a real database.

At set-up: an oral bisphosphonate's stop-and-call symptoms; denosumab's or zoledronic acid's
calcium and vitamin D, with the calcium set-up offered. Behind Full instructions: the
overdosage advice. Before each clinic dose: denosumab's calcium check and boxed warning,
zoledronic acid's kidney test and fluids. The dental reminder: tell the dentist and the care
team before dental work. Stopping denosumab in /regimen: a confirmation with the rebound
warning, and the linked care team told. A missed denosumab dose: the label's rule.

Days are driven by the bot's injected clock (starting in the future); jobs are run with the
planner, so nothing depends on the day or hour the tests run.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select
from telegram.ext import Application

from bot.config import Settings
from bot.db.models import CareAlert, CarePrompts, ClinicAgentPlan, Patient
from bot.domain.catalog import AdviceTopic, get_product
from bot.domain.regimen_draft import Question
from simulator import BotApiSimulator, RateLimits
from tests.e2e.helpers import (
    Person,
    bot_running,
    eventually,
    make_due_in,
    medication_of,
    register,
    run_job,
    services_of,
)
from tests.e2e.test_caregivers import link
from tests.fakes.clock import DrivenClock
from ui import texts

LONDON = ZoneInfo("Europe/London")
ALENDRONATE = "alendronate-70-weekly-tablet"
DENOSUMAB = "denosumab-60-every-6-months-sc"
ZOLEDRONIC = "zoledronic-acid-4-every-6-months-iv"
# A Monday in the future, late morning in London (outside the default quiet hours).
START = datetime(2031, 3, 3, 11, 0, tzinfo=LONDON)
STOP_AND_CALL = (
    "⚠️ Stop taking it and call your doctor right away if you get chest pain, new or worse "
    "heartburn, or trouble or pain when you swallow."
)


@pytest.fixture
async def simulator() -> AsyncIterator[BotApiSimulator]:
    """The simulator, with room for test people who tap through flows in a few seconds."""
    async with BotApiSimulator(
        rate_limits=RateLimits(per_chat_burst=200, global_burst=200)
    ) as sim:
        yield sim


def at_eleven(day: date) -> datetime:
    return datetime.combine(day, time(11, 0), tzinfo=LONDON)


async def register_clinic(person: Person, product: str) -> None:
    await register(
        person, bone_family=texts.BONE_CLINIC, bone_product=product, day=None, bone_time=None
    )


async def plan_of(app: Application, telegram_user_id: int) -> ClinicAgentPlan:
    async with services_of(app).sessions() as session:
        plan = await session.scalar(
            select(ClinicAgentPlan)
            .join(Patient, Patient.id == ClinicAgentPlan.patient_id)
            .where(Patient.telegram_user_id == telegram_user_id)
        )
    assert plan is not None
    return plan


async def given_on(person: Person, month: str, day: str) -> None:
    """Answer "When was your last ... given?" by buttons."""
    question = await person.expect("When was your last")
    person.press(month, question)
    days = await person.expect(f"Which day in {month}?")
    person.press(day, days)
    await person.expect("Saved: your")


async def test_oral_bisphosphonate_set_up_and_full_instructions_carry_the_label_warnings(
    simulator: BotApiSimulator, settings: Settings
) -> None:
    alice = Person(simulator, 1001, "Alice")
    product = get_product(ALENDRONATE)
    # The real clock, as the short-reminder tests: the reminder is made due in a second.
    async with bot_running(settings) as app:
        await register(alice)
        # At set-up: the stop-and-call symptoms, from the label, in their own message.
        warning = await alice.expect("About your alendronate 70 mg (Fosamax), from its label:")
        assert STOP_AND_CALL in warning["text"]
        assert "calcium" not in warning["text"].lower()  # no injection's requirement here
        # The set-up buttons came first and are still there (calcium, scans, dental).
        assert texts.SET_UP_CALCIUM in alice.buttons(await alice.expect(texts.SET_UP_OFFER))

        # Behind the reminder's Full instructions: the warning and what to do after too many.
        medication = await medication_of(app, alice.id, ALENDRONATE)
        await make_due_in(app, medication.id, 1)
        reminder = await alice.expect("Time for your alendronate 70 mg (Fosamax).", timeout=10)
        assert len(str(reminder["text"]).splitlines()) <= 4
        assert "milk" not in reminder["text"]  # the short reminder stays short
        alice.press(texts.FULL_INSTRUCTIONS, reminder)
        full = await alice.expect("If you take too much, drink a full glass of milk")
        assert STOP_AND_CALL in full["text"]
        for item in product.advice:
            if item.topic == AdviceTopic.OVERDOSE:
                assert f"🥛 {item.text}" in full["text"]
        assert "Do not make yourself vomit. Do not lie down" in full["text"]
        assert "call your doctor or poison control right away" in full["text"]


async def test_denosumab_set_up_offers_calcium_and_each_dose_reminder_has_its_checks(
    simulator: BotApiSimulator, settings: Settings
) -> None:
    clock = DrivenClock(START)
    alice = Person(simulator, 1001, "Alice")
    async with bot_running(settings, clock) as app:
        await register_clinic(alice, "Denosumab 60 mg injection")
        warning = await alice.expect("About your denosumab 60 mg (Prolia), from its label:")
        assert (
            "💊 Take calcium and vitamin D as your care team tells you. I can remind you to "
            f"take them: tap {texts.SET_UP_CALCIUM} above." in warning["text"]
        )
        assert "Stop taking it" not in warning["text"]
        # The offer is the set-up's own calcium button, which opens /bone's calcium set-up.
        offer = await alice.expect(texts.SET_UP_OFFER)
        alice.press(texts.SET_UP_CALCIUM, offer)
        await alice.expect("calcium")

        # Given on 3 September 2030: due 3 March 2031 (today). Move to the next cycle's eve.
        await given_on(alice, "September 2030", "3")
        plan = await plan_of(app, alice.id)
        due = plan.due_on
        assert due is not None
        clock.jump_to(at_eleven(due - timedelta(days=1)))
        await run_job(app, f"agent:{plan.id}")
        before = await alice.expect("is due tomorrow")
        lines = str(before["text"]).splitlines()
        assert len(lines) <= 4
        assert lines[1:] == [
            "• Your care team should check your blood calcium before each injection.",
            "• Severe kidney disease or dialysis? Prolia can cause dangerously low blood "
            "calcium. Make sure your care team knows.",
        ]


async def test_zoledronic_acid_dose_reminders_carry_the_kidney_test_and_fluids(
    simulator: BotApiSimulator, settings: Settings
) -> None:
    clock = DrivenClock(START)
    alice = Person(simulator, 1001, "Alice")
    async with bot_running(settings, clock) as app:
        await register_clinic(alice, "Zoledronic acid 4 mg drip")
        warning = await alice.expect("About your zoledronic acid 4 mg (Zometa), from its label:")
        assert "Take calcium and vitamin D as your care team tells you." in warning["text"]
        await given_on(alice, "October 2030", "1")
        plan = await plan_of(app, alice.id)
        assert plan.due_on == date(2031, 4, 1)
        clock.jump_to(at_eleven(plan.due_on))
        await run_job(app, f"agent:{plan.id}")
        on_day = await alice.expect("is due today")
        lines = str(on_day["text"]).splitlines()
        assert len(lines) == 3
        assert "well hydrated before the drip" in lines[1]
        assert (
            lines[2] == "• Your care team checks your kidneys with a blood test before each dose."
        )


async def test_the_dental_reminder_says_to_tell_the_dentist_and_care_team_before_dental_work(
    simulator: BotApiSimulator, settings: Settings
) -> None:
    clock = DrivenClock(START)
    alice = Person(simulator, 1001, "Alice")
    async with bot_running(settings, clock) as app:
        await register(alice)
        async with services_of(app).sessions() as session:
            prompts = await session.scalar(select(CarePrompts))
        assert prompts is not None
        clock.jump_to(at_eleven(START.date() + timedelta(days=1)))
        await run_job(app, f"dental:{prompts.id}")
        reminder = await alice.expect("🦷 It is time for a dental check-up.")
        assert (
            "Before dental work such as a tooth taken out or an implant, tell your dentist and "
            "your care team, well before the appointment." in reminder["text"]
        )


async def stopped_alerts(app: Application) -> list[CareAlert]:
    async with services_of(app).sessions() as session:
        return list(
            await session.scalars(select(CareAlert).where(CareAlert.kind == "stopped_agent"))
        )


async def test_stopping_denosumab_asks_with_the_rebound_warning_and_tells_the_care_team(
    simulator: BotApiSimulator, settings: Settings
) -> None:
    clock = DrivenClock(START)
    alice, carol = Person(simulator, 1001, "Alice"), Person(simulator, 1003, "Carol")
    async with bot_running(settings, clock) as app:
        await register_clinic(alice, "Denosumab 60 mg injection")
        await given_on(alice, "September 2030", "3")
        await link(alice, carol)

        # Stopping it: the confirm step warns first, and nothing is stored or told until Yes.
        alice.say("/regimen")
        await alice.expect("What would you like to change?")
        alice.press("Bone medicine")
        await alice.expect("protect your bones")
        alice.press(texts.BONE_NONE)
        confirm = await alice.expect("Is this right?")
        text = str(confirm["text"])
        assert text.startswith("⚠️ Before you stop denosumab 60 mg (Prolia):")
        assert "several broken bones in the spine" in text
        assert "Talk with your care team about a plan for after Prolia" in text
        assert "I'll tell the people linked to you who get alerts from me" in text
        assert await stopped_alerts(app) == []
        await medication_of(app, alice.id, DENOSUMAB)  # still in force

        # Starting over keeps the warning; a switch to another medicine warns just the same.
        alice.press(texts.CONFIRM_RESTART, confirm)
        await alice.expect("Which aromatase inhibitor")
        alice.press("Anastrozole")
        await alice.expect("What time of day")
        alice.press("09:00")
        await alice.expect("protect your bones")
        alice.press(texts.BONE_CLINIC)
        await alice.expect("Which")
        alice.press("Zoledronic acid 4 mg drip")
        await alice.expect("Which time zone")
        alice.press("London")
        switch = await alice.expect("Is this right?")
        assert "⚠️ Before you stop denosumab 60 mg (Prolia):" in switch["text"]
        alice.press(texts.CONFIRM_YES, switch)
        await alice.expect("Saved")

        [alert] = await eventually(lambda: stopped_alerts(app), what="the stopped alert")
        assert alert.flag_code == DENOSUMAB
        await run_job(app, f"alert:{alert.id}")
        told = await carol.expect("Alice has taken denosumab 60 mg (Prolia) out of their plan")
        assert "several broken bones in the spine" in told["text"]
        assert "a plan for after it" in told["text"]
        # The new medicine's own label warnings follow, and no second alert is made.
        new = await alice.expect("About your zoledronic acid 4 mg (Zometa), from its label:")
        # After a change there are no set-up buttons: the calcium set-up comes with the message.
        assert "I can remind you to take them: tap below." in new["text"]
        assert alice.buttons(new) == [texts.SET_UP_CALCIUM]
        assert len(await stopped_alerts(app)) == 1


async def test_a_forged_confirm_outside_the_question_is_answered_kindly_and_stops_nothing(
    simulator: BotApiSimulator, settings: Settings
) -> None:
    alice = Person(simulator, 1001, "Alice")
    async with bot_running(settings, DrivenClock(START)) as app:
        await register_clinic(alice, "Denosumab 60 mg injection")
        await given_on(alice, "September 2030", "3")
        saved = simulator.bot_messages(alice.id)[-1]
        for data in (
            f"reg:{Question.BONE_FAMILY.value}:none",
            f"reg:{Question.CONFIRM.value}:yes",
        ):
            toast = await alice.toast(alice.press_data(saved["message_id"], data))
            assert toast  # a kind word, not silence
        await medication_of(app, alice.id, DENOSUMAB)  # still in force
        assert await stopped_alerts(app) == []


async def test_a_missed_denosumab_dose_says_the_labels_rule(
    simulator: BotApiSimulator, settings: Settings
) -> None:
    clock = DrivenClock(START)
    alice = Person(simulator, 1001, "Alice")
    async with bot_running(settings, clock) as app:
        await register_clinic(alice, "Denosumab 60 mg injection")
        await given_on(alice, "September 2030", "3")
        plan = await plan_of(app, alice.id)
        assert plan.due_on == date(2031, 3, 3)
        clock.jump_to(at_eleven(plan.due_on + timedelta(days=4)))
        await run_job(app, f"agent:{plan.id}")
        overdue = await alice.expect("4 days ago")
        assert (
            "contact your care team to get it as soon as possible, then every 6 months from "
            "the date it is given." in overdue["text"]
        )
