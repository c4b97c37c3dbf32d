"""Registration through the real Application and the simulator, as a patient taps it."""

from __future__ import annotations

from datetime import time

import pytest
from sqlalchemy import func, select

from bot.config import Settings
from bot.db.models import Medication, Patient
from bot.domain.catalog import Timing, get_product
from bot.domain.dose_times import Frequency
from simulator import BotApiSimulator
from tests.e2e.helpers import Person, bot_running, medication_of, planner_of, register, services_of
from ui import texts
from ui.texts import WEEKDAYS


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
        assert "Alendronate 70 mg (Fosamax), tablet, every Monday at 07:00" in summary
        assert "Anastrozole 1 mg (Arimidex), tablet, every day at 09:00" in summary
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


ORAL_REGIMENS = [
    # (family button, product button, day button or None, time button)
    ("Alendronate", "70 mg once a week (tablet)", "Wednesday", "06:30"),
    ("Alendronate", None, "Friday", "07:00"),  # the oral solution, found by key below
    ("Alendronate", None, "Sunday", "07:30"),  # the effervescent tablet
    ("Alendronate", None, None, "06:00"),  # 10 mg daily
    ("Risedronate", None, None, "06:30"),  # 5 mg daily
    ("Risedronate", None, "Tuesday", "07:00"),  # 35 mg weekly
    ("Risedronate", None, "Thursday", "08:00"),  # 35 mg delayed-release, after breakfast
    ("Risedronate", None, "31", "07:00"),  # 150 mg monthly
    ("Risedronate", None, "15", "07:00"),  # 75 mg on two consecutive days
    ("Ibandronate", None, "1", "06:00"),  # 150 mg monthly
]
ORAL_KEYS = [
    "alendronate-70-weekly-tablet",
    "alendronate-70-weekly-oral-solution",
    "alendronate-70-weekly-effervescent",
    "alendronate-10-daily-tablet",
    "risedronate-5-daily-tablet",
    "risedronate-35-weekly-tablet",
    "risedronate-35-weekly-delayed-release",
    "risedronate-150-monthly-tablet",
    "risedronate-75-monthly-two-days-tablet",
    "ibandronate-150-monthly-tablet",
]


@pytest.mark.parametrize(
    ("regimen", "key"), list(zip(ORAL_REGIMENS, ORAL_KEYS, strict=True)), ids=ORAL_KEYS
)
async def test_each_oral_regimen_registers_by_tapping(
    simulator: BotApiSimulator, settings: Settings, regimen: tuple, key: str
) -> None:
    family, _label, day, at = regimen
    product = get_product(key)
    alice = Person(simulator, 1001, "Alice")
    async with bot_running(settings) as app:
        await register(
            alice,
            ai="Letrozole",
            ai_time="20:00",
            bone_family=family,
            bone_product=product.label,
            day=day,
            bone_time=at,
            zone="New York",
        )
        medication = await medication_of(app, alice.id, key)
        assert medication.frequency == product.frequency
        assert medication.time_of_day == time.fromisoformat(at)
        if product.frequency is Frequency.WEEKLY:
            assert medication.weekday == WEEKDAYS.index(day)
        if product.frequency in (Frequency.MONTHLY, Frequency.MONTHLY_TWO_DAYS):
            assert medication.day_of_month == int(day)
        assert f"dose:{medication.id}" in dict(planner_of(app).next_jobs(50))
    if product.administration.timing is Timing.AFTER_BREAKFAST:
        asked = [m["text"] for m in simulator.messages(alice.id) if "usually" in m["text"]]
        assert any("finish breakfast" in text for text in asked)


async def test_bad_input_at_each_step_gets_a_kind_reask(
    simulator: BotApiSimulator, settings: Settings
) -> None:
    alice = Person(simulator, 1001, "Alice")
    async with bot_running(settings) as app:
        alice.say("/start")
        await alice.expect("Is that all right?")
        alice.say("yes I agree")  # typed where a button is expected
        await alice.expect("Please tap one of the buttons above.")
        alice.press("Yes, that's fine")
        await alice.expect("Which aromatase inhibitor")
        alice.say("x" * 5000)  # oversize text
        await alice.expect(texts.BAD_AI)
        simulator.send_document(alice.id, "scan.pdf", b"%PDF-1.4", "application/pdf")
        await alice.expect("Please tap one of the buttons above.")
        alice.press("Exemestane")
        asked = await alice.expect("after a meal")
        alice.say("25:99")
        await alice.expect("couldn't read that time")
        alice.say("\u202e\u0000 7pm 🙂")
        await alice.expect("couldn't read that time")
        alice.say("7:30 pm")
        await alice.expect("protect your bones")
        assert "➜ 7:30 pm" in simulator.messages(alice.id)[_index(simulator, asked)]["text"]
        # A stale press on the answered question, and forged registration data.
        query = alice.press_data(asked["message_id"], "reg:ai_time:0800")
        assert await alice.toast(query) == texts.BUTTON_EXPIRED
        current = alice.keyboard_message()
        query = alice.press_data(current["message_id"], "reg:bone_family:warfarin")
        await alice.toast(query)
        await alice.expect("protect your bones")  # asked again, nothing stored
        alice.say("/frobnicate now")
        await alice.expect("don't know that command")
        alice.press("None / not sure yet")
        await alice.expect("Which time zone")
        alice.say("Mars/Olympus")
        reask = await alice.expect("don't know that place")
        assert "London" in alice.buttons(reask)  # the buttons again
        alice.say("asia/tokyo")
        summary = await alice.expect("Is this right?")
        assert "Exemestane 25 mg (Aromasin), tablet, every day at 19:30" in summary["text"]
        assert "Time zone: Asia/Tokyo" in summary["text"]
        alice.press("Yes, save it")
        await alice.expect("Saved")
        async with services_of(app).sessions() as session:
            assert (await session.scalar(select(Patient.timezone))) == "Asia/Tokyo"


def _index(simulator: BotApiSimulator, message: dict) -> int:
    ids = [m["message_id"] for m in simulator.messages(message["chat"]["id"])]
    return ids.index(message["message_id"])


async def test_cancel_midway_and_declining_consent_store_nothing(
    simulator: BotApiSimulator, settings: Settings
) -> None:
    alice, bob = Person(simulator, 1001, "Alice"), Person(simulator, 1002, "Bob")
    async with bot_running(settings) as app:
        alice.say("/start")
        await alice.expect("Is that all right?")
        alice.press("Yes, that's fine")
        await alice.expect("Which aromatase inhibitor")
        alice.press("Anastrozole")
        await alice.expect("What time of day")
        alice.say("/cancel")
        await alice.expect("Nothing was changed")
        alice.say("08:00")  # the conversation is over: no longer a time answer
        greeting = await alice.expect(texts.NEWCOMER)  # and Alice is still new here
        assert alice.buttons(greeting) == [texts.START_BUTTON]

        bob.say("/start")
        await bob.expect("Is that all right?")
        bob.press("No, thanks")
        await bob.expect("I haven't stored anything")
        async with services_of(app).sessions() as session:
            assert (await session.scalar(select(func.count()).select_from(Patient))) == 0


async def test_commands_before_registering_point_to_start(
    simulator: BotApiSimulator, settings: Settings
) -> None:
    carol = Person(simulator, 1003, "Carol")
    async with bot_running(settings):
        for command in ("/today", "/history", "/regimen"):
            carol.say(command)
            await carol.expect("Send /start to begin")
        carol.say("/help")
        await carol.expect("/today")
        menu = [c["command"] for c in simulator.commands()]
        assert menu == [name for name, _ in texts.COMMANDS]
        assert {"today", "history", "regimen", "symptoms", "help", "cancel"} <= set(menu)


async def test_regimen_change_of_bone_medicine_replaces_it(
    simulator: BotApiSimulator, settings: Settings
) -> None:
    alice = Person(simulator, 1001, "Alice")
    async with bot_running(settings) as app:
        await register(alice)
        old = await medication_of(app, alice.id, "alendronate-70-weekly-tablet")
        alice.say("/regimen")
        await alice.expect("What would you like to change?")
        alice.press("Bone medicine")
        await alice.expect("protect your bones")
        alice.press("Ibandronate")
        await alice.expect("Which ibandronate")
        alice.press(get_product("ibandronate-150-monthly-tablet").label)
        await alice.expect("day of the month")
        alice.press("31")
        await alice.expect("What time do you usually get up")
        alice.press("06:00")
        summary = await alice.expect("Is this right?")
        assert "on the 31st of each month at 06:00" in summary["text"]
        assert "Anastrozole 1 mg" in summary["text"]
        alice.press("Yes, save it")
        await alice.expect("Saved")
        new = await medication_of(app, alice.id, "ibandronate-150-monthly-tablet")
        jobs = dict(planner_of(app).next_jobs(50))
        assert f"dose:{old.id}" not in jobs
        assert f"dose:{new.id}" in jobs
        alice.say("/regimen")
        await alice.expect("What would you like to change?")
        alice.press("Nothing, it's right")
        await alice.expect("Nothing changed.")
