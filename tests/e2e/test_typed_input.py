"""Typing where a button would do, through the real Application and the simulator: a city or
country for the time zone, a brand name for a medicine, a meal time; a newcomer's "hi";
and the rest of the set-up offered when registration ends.

Time zone buttons carry the offset each zone has now: the expectations are computed from
the bot's own clock and the same zone data, so they hold in any season; the tests that show
them set the bot's clock to mid-January, far from any clock change while they run.
"""

from __future__ import annotations

from datetime import UTC, datetime, time

from sqlalchemy import select
from telegram.ext import Application

from bot.config import Settings
from bot.db.models import Medication, MedicationRole, Patient
from bot.domain.catalog import get_product
from bot.domain.places import zones_of_country
from simulator import BotApiSimulator
from tests.e2e.helpers import Person, bot_running, medication_of, register, services_of
from tests.fakes.clock import DrivenClock
from ui import texts

MID_JANUARY = datetime(2031, 1, 15, 12, 0, tzinfo=UTC)

FOSAMAX = (
    "alendronate-70-weekly-tablet",
    "alendronate-70-weekly-oral-solution",
    "alendronate-10-daily-tablet",
)


async def to_the_time_zone(person: Person) -> None:
    """Start registering with no medicines, up to the time zone question."""
    person.say("/start")
    person.press(texts.CONSENT_YES, await person.expect("Is that all right?"))
    person.press(texts.AI_NONE, await person.expect(texts.ASK_AI))
    person.press(texts.BONE_NONE, await person.expect(texts.ASK_BONE))
    await person.expect("Which time zone")


async def zone_of(app: Application, person: Person) -> str | None:
    """The time zone stored for a person."""
    async with services_of(app).sessions() as session:
        return await session.scalar(
            select(Patient.timezone).where(Patient.telegram_user_id == person.id)
        )


async def test_a_typed_city_or_country_sets_the_time_zone(
    simulator: BotApiSimulator, settings: Settings
) -> None:
    alice, bob = Person(simulator, 1001, "Alice"), Person(simulator, 1002, "Bob")
    async with bot_running(settings, DrivenClock(MID_JANUARY)) as app:
        await to_the_time_zone(alice)
        alice.say("Berlin")
        summary = await alice.expect("Is this right?")
        assert "Time zone: Europe/Berlin" in summary["text"]
        alice.press(texts.CONFIRM_YES, summary)
        await alice.expect(texts.NO_REMINDERS)
        assert await zone_of(app, alice) == "Europe/Berlin"

        await to_the_time_zone(bob)
        bob.say("germany")
        summary = await bob.expect("Is this right?")
        assert "Time zone: Europe/Berlin" in summary["text"]
        bob.press(texts.CONFIRM_YES, summary)
        await bob.expect(texts.NO_REMINDERS)
        assert await zone_of(app, bob) == "Europe/Berlin"

        # Where the zone is changed later, typing is understood the same way; an accent
        # and a country with two zones ask which.
        alice.say("/regimen")
        alice.press(texts.CHANGE_TZ, await alice.expect(texts.REGIMEN_CHANGE))
        await alice.expect("Which time zone")
        alice.say("España")
        choices = await alice.expect(texts.ZONE_CHOICES.format(place="Spain"))
        now = services_of(app).clock()
        madrid = texts.zone_label("Europe/Madrid", now)
        assert alice.buttons(choices) == [madrid, texts.zone_label("Atlantic/Canary", now)]
        alice.press(madrid, choices)
        summary = await alice.expect("Is this right?")
        assert "Time zone: Europe/Madrid" in summary["text"]
        alice.press(texts.CONFIRM_YES, summary)
        await alice.expect(texts.NO_REMINDERS)
        assert await zone_of(app, alice) == "Europe/Madrid"


async def test_a_country_with_several_zones_offers_them_as_buttons(
    simulator: BotApiSimulator, settings: Settings
) -> None:
    alice = Person(simulator, 1001, "Alice")
    async with bot_running(settings, DrivenClock(MID_JANUARY)) as app:
        await to_the_time_zone(alice)
        alice.say("Atlantis")  # not a place: kindly told what to type, the buttons again
        again = await alice.expect(texts.BAD_ZONE)
        assert "London" in alice.buttons(again)
        alice.say("United States")
        choices = await alice.expect(texts.ZONE_CHOICES.format(place="United States"))
        now = services_of(app).clock()
        expected = [texts.zone_label(zone, now) for zone in zones_of_country("US", now)]
        assert alice.buttons(choices) == expected
        assert expected[0] == texts.zone_label("America/New_York", now)
        assert expected[0].startswith("New York (UTC")
        alice.press(texts.zone_label("America/Chicago", now), choices)
        summary = await alice.expect("Is this right?")
        assert "Time zone: America/Chicago" in summary["text"]
        alice.press(texts.CONFIRM_YES, summary)
        await alice.expect(texts.NO_REMINDERS)
        assert await zone_of(app, alice) == "America/Chicago"


async def test_typed_brand_names_are_understood_at_the_medicine_steps(
    simulator: BotApiSimulator, settings: Settings
) -> None:
    alice = Person(simulator, 1001, "Alice")
    async with bot_running(settings) as app:
        alice.say("/start")
        alice.press(texts.CONSENT_YES, await alice.expect("Is that all right?"))
        await alice.expect(texts.ASK_AI)
        alice.say("Fosamax")  # a bone medicine, at the aromatase inhibitor's step
        later = await alice.expect(texts.BONE_MEDICINE_LATER.format(name="Fosamax"))
        assert "Anastrozole 1 mg (Arimidex)" in alice.buttons(later)
        alice.say("arimidex")
        await alice.expect("What time of day do you take anastrozole 1 mg (Arimidex)?")
        alice.say("8 pm")
        await alice.expect(texts.ASK_BONE)
        alice.say("Fosamax")
        choices = await alice.expect(texts.MEDICINE_CHOICES.format(name="Fosamax"))
        labels = [texts.medicine_label(get_product(key)) for key in FOSAMAX]
        assert alice.buttons(choices) == labels  # Fosamax's products only
        alice.press(labels[1], choices)  # the oral solution
        alice.press("Friday", await alice.expect("On which day"))
        await alice.expect("What time do you usually get up")
        alice.say("7.30")
        await alice.expect("Which time zone")
        alice.press("London")
        summary = await alice.expect("Is this right?")
        assert "Anastrozole 1 mg (Arimidex), tablet, every day at 20:00" in summary["text"]
        assert (
            "Alendronate 70 mg oral solution (Fosamax), every Friday at 07:30" in summary["text"]
        )
        alice.press(texts.CONFIRM_YES, summary)
        await alice.expect("Saved")
        solution = await medication_of(app, alice.id, FOSAMAX[1])
        assert (solution.weekday, solution.time_of_day) == (4, time(7, 30))

        # Changing the bone medicine: a brand with one product is taken at once.
        alice.say("/regimen")
        alice.press(texts.CHANGE_BONE, await alice.expect(texts.REGIMEN_CHANGE))
        await alice.expect(texts.ASK_BONE)
        alice.say("aspirin")
        again = await alice.expect(texts.BAD_BONE_MEDICINE)
        assert "Alendronate" in alice.buttons(again)
        alice.say("Prolia")
        summary = await alice.expect("Is this right?")
        assert (
            "Denosumab 60 mg (Prolia), subcutaneous injection, given at the clinic"
            in summary["text"]
        )


async def test_typed_meal_and_exercise_times_are_accepted(
    simulator: BotApiSimulator, settings: Settings
) -> None:
    alice = Person(simulator, 1001, "Alice")
    async with bot_running(settings) as app:
        await register(alice)
        alice.say("/bone")
        menu = await alice.expect(texts.CALCIUM_HEAD)
        alice.press(texts.CALCIUM_SETTINGS, menu)
        alice.press(texts.CALCIUM_SET_UP, await alice.expect(texts.CALCIUM_OFF))
        alice.press(texts.FORM_CARBONATE, await alice.expect(texts.ASK_FORM))
        alice.press(texts.DIET_LABELS[600], await alice.expect("calcium do you get from food"))
        asked = await alice.expect("Pick 2 times for your calcium (2 doses of 300 mg).")
        assert texts.MEAL_TIMES_HINT in asked["text"]
        alice.say("7:30 am")
        more = await alice.expect("Chosen: 07:30. Pick 1 more.")
        assert "07:30" not in alice.buttons(more)
        alice.say("7.30")
        await alice.expect(texts.MEAL_TIME_ALREADY.format(time="07:30"))
        alice.say("soon")
        await alice.expect(texts.BAD_TIME)
        alice.say("1900")
        await alice.expect("Saved: calcium 300 mg at 07:30 and 300 mg at 19:00.")
        async with services_of(app).sessions() as session:
            times = list(
                await session.scalars(
                    select(Medication.time_of_day)
                    .where(Medication.role == MedicationRole.SUPPLEMENT, Medication.active)
                    .order_by(Medication.time_of_day)
                )
            )
        assert times == [time(7, 30), time(19, 0)]
        alice.say("12:00")  # the question is closed: no third reminder
        await alice.expect(texts.UNKNOWN_TEXT)

        alice.say("/bone")
        alice.press(texts.EXERCISE_SETTINGS, await alice.expect("🏃 Weekly exercise nudge"))
        alice.press("Wednesday", await alice.expect(texts.ASK_EXERCISE_DAY))
        await alice.expect("What time on Wednesday?")
        alice.say("5.30 pm")
        await alice.expect("Saved: a nudge every Wednesday at 17:30.")


async def test_a_newcomers_greeting_gets_a_start_button(
    simulator: BotApiSimulator, settings: Settings
) -> None:
    carol, alice = Person(simulator, 1003, "Carol"), Person(simulator, 1001, "Alice")
    async with bot_running(settings):
        for hello in ("hi", "👋"):
            carol.say(hello)
            greeting = await carol.expect(texts.NEWCOMER)
            assert carol.buttons(greeting) == [texts.START_BUTTON]
        simulator.send_document(carol.id, "photo.pdf", b"%PDF-1.4", "application/pdf")
        greeting = await carol.expect(texts.NEWCOMER)
        carol.press(texts.START_BUTTON, greeting)
        await carol.expect("I do not give medical advice")
        consent = await carol.expect("Is that all right?")
        assert carol.buttons(consent) == [texts.CONSENT_YES, texts.CONSENT_NO]
        pressed = simulator.messages(carol.id)
        assert not any(  # the pressed greeting keeps its words, without its button
            (m.get("reply_markup") or {}).get("inline_keyboard")
            for m in pressed
            if m["message_id"] == greeting["message_id"]
        )

        # Someone registered who writes freely gets today's answer, not a welcome.
        await register(alice)
        alice.say("hi")
        await alice.expect(texts.UNKNOWN_TEXT)


async def test_registration_ends_offering_the_rest_of_the_set_up(
    simulator: BotApiSimulator, settings: Settings
) -> None:
    alice, bob = Person(simulator, 1001, "Alice"), Person(simulator, 1002, "Bob")
    async with bot_running(settings):
        await register(alice)  # with weekly alendronate: dental check-ups apply
        saved = await alice.expect(texts.SET_UP_OFFER)
        assert saved["text"].startswith(texts.SAVED)
        assert alice.buttons(saved) == [
            texts.SET_UP_CALCIUM,
            texts.SET_UP_DXA,
            texts.SET_UP_DENTAL,
            texts.SET_UP_NOT_NOW,
        ]
        # Each button opens /bone's own flow; the offer stays for the others.
        alice.press(texts.SET_UP_CALCIUM, saved)
        alice.press(texts.FORM_CITRATE, await alice.expect(texts.ASK_FORM))
        await alice.expect("calcium do you get from food")
        alice.press(texts.SET_UP_DXA, saved)
        scans = await alice.expect(texts.ASK_SCAN_DATE)
        assert texts.TODAY_BUTTON in alice.buttons(scans)
        alice.press(texts.SET_UP_DENTAL, saved)
        dental = await alice.expect(texts.ASK_DENTAL_DATE)
        alice.press(texts.YESTERDAY_BUTTON, dental)
        await alice.expect("➜")
        alice.press(texts.SET_UP_NOT_NOW, saved)
        closed = await alice.expect(texts.SET_UP_LATER)
        assert closed["message_id"] == saved["message_id"]
        assert closed["text"].startswith(texts.SAVED)
        assert not alice.buttons(closed)

        # A later change of the plan ends with "Saved" only.
        alice.say("/regimen")
        alice.press(texts.CHANGE_TZ, await alice.expect(texts.REGIMEN_CHANGE))
        alice.press("New York", await alice.expect("Which time zone"))
        alice.press(texts.CONFIRM_YES, await alice.expect("Is this right?"))
        changed = await alice.expect("Saved")
        assert texts.SET_UP_OFFER not in changed["text"]
        assert not alice.buttons(changed)

        # No bone medicine: no dental check-ups to offer.
        await register(bob, bone_family=None)
        offer = await bob.expect(texts.SET_UP_OFFER)
        assert bob.buttons(offer) == [texts.SET_UP_CALCIUM, texts.SET_UP_DXA, texts.SET_UP_NOT_NOW]
