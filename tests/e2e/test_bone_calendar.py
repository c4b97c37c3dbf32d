"""The bone calendar end to end: clinic-given agents (and more), through the simulator.

Days are driven by a clock the test moves (the bot's injected clock); the jobs are made due
at once with the planner instead of waiting for 10:00, so nothing sleeps through real time.
The clock starts in the future, so nothing planned by the bot fires unless the test says so.
"""

from __future__ import annotations

import io
from collections.abc import AsyncIterator
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from icalendar import Calendar
from PIL import Image
from sqlalchemy import select
from telegram.ext import Application

from bot.config import Settings
from bot.db.models import (
    BoneHealthProfile,
    CareAlert,
    CarePrompts,
    ClinicAgentDose,
    ClinicAgentPlan,
    DoseEvent,
    Medication,
    MedicationRole,
    Patient,
    PillCount,
    TreatmentReview,
)
from bot.domain.bone_health import (
    CRITERIA_MET_MESSAGE,
    CRITERIA_MET_WITHOUT_SCAN_MESSAGE,
    NO_SCAN_MESSAGE,
    OTHER_CRITERIA_MESSAGE,
    RISK_QUESTIONS,
    SCAN_ADVICE,
    WRITTEN_FOR_NOTE,
    RiskFactor,
    add_months,
)
from bot.domain.clinic_agents import next_due
from bot.ports import JobKind
from bot.services.bone import clinic_agents
from bot.services.bone import dxa as dxa_service
from simulator import BotApiSimulator, RateLimits
from tests.e2e.helpers import (
    Person,
    bot_running,
    dose_events,
    eventually,
    medication_of,
    planner_of,
    register,
    run_job,
    services_of,
)
from tests.e2e.test_caregivers import link
from tests.fakes.clock import DrivenClock
from ui import texts

LONDON = ZoneInfo("Europe/London")
ZOLEDRONIC = "zoledronic-acid-4-every-6-months-iv"
DENOSUMAB = "denosumab-60-every-6-months-sc"
# A Monday in the future, late morning in London (outside the default quiet hours).
START = datetime(2031, 3, 3, 11, 0, tzinfo=LONDON)


def at_eleven(day: date) -> datetime:
    """11:00 London time on a day."""
    return datetime.combine(day, time(11, 0), tzinfo=LONDON)


@pytest.fixture
async def simulator() -> AsyncIterator[BotApiSimulator]:
    """The simulator, with room for test people who tap through flows in a few seconds."""
    async with BotApiSimulator(
        rate_limits=RateLimits(per_chat_burst=200, global_burst=200)
    ) as sim:
        yield sim


async def register_clinic(person: Person, product: str) -> None:
    """Register with anastrozole and a clinic-given agent, by tapping."""
    await register(
        person,
        bone_family=texts.BONE_CLINIC,
        bone_product=product,
        day=None,
        bone_time=None,
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


async def doses_of(app: Application, plan: ClinicAgentPlan) -> list[ClinicAgentDose]:
    async with services_of(app).sessions() as session:
        rows = await session.scalars(
            select(ClinicAgentDose)
            .where(ClinicAgentDose.medication_id == plan.medication_id)
            .order_by(ClinicAgentDose.given_on)
        )
        return list(rows)


def job_time(app: Application, job_id: str) -> datetime | None:
    return dict(planner_of(app).next_jobs(100)).get(job_id)


async def planned_at(app: Application, job_id: str, when: datetime) -> None:
    """Wait until the job is planned at `when` (a job re-plans itself as it finishes)."""

    async def check() -> bool:
        return job_time(app, job_id) == when.astimezone(UTC)

    await eventually(check, what=f"{job_id} planned at {when}")


async def run_agent_job(app: Application, plan_id: int) -> None:
    """Run the plan's reminder job now and wait for it."""
    await run_job(app, f"agent:{plan_id}")


def ten_am(day: date) -> datetime:
    return datetime.combine(day, time(10, 0), tzinfo=LONDON)


async def test_zoledronic_acid_from_the_last_date_through_its_reminders_and_the_next_cycle(
    simulator: BotApiSimulator, settings: Settings
) -> None:
    clock = DrivenClock(START)
    alice = Person(simulator, 1001, "Alice")
    async with bot_running(settings, clock) as app:
        await register_clinic(alice, "Zoledronic acid 4 mg drip")
        question = await alice.expect("When was your last zoledronic acid 4 mg (Zometa) given?")
        assert "type the date like 14 May 2026" in question["text"]
        buttons = alice.buttons(question)
        assert buttons[:2] == [texts.TODAY_BUTTON, texts.YESTERDAY_BUTTON]
        assert "March 2031" in buttons
        assert "April 2030" in buttons
        assert buttons[-1] == texts.NOT_HAD_ONE

        # Typed answers: nonsense and future dates are refused kindly, a real date is taken.
        for bad in ("soon", "05/06/2030", "31 April 2030", "14 May 2032"):
            alice.say(bad)
            await alice.expect("Sorry, I couldn't use that date")
        given, due = date(2030, 10, 1), date(2031, 4, 1)  # booking ahead starts tomorrow
        alice.say("1 October 2030")
        saved = await alice.expect("Saved: your zoledronic acid 4 mg (Zometa) was given on")
        assert next_due(ZOLEDRONIC, given) == due
        assert texts.long_date(due) in saved["text"]
        assert (
            "I'll remind you 4 weeks before, the day before and on the day, at 10:00"
            in (saved["text"])
        )
        plan = await plan_of(app, alice.id)
        assert (plan.last_given_on, plan.due_on) == (given, due)
        book_day = due - timedelta(days=28)
        assert book_day == START.date() + timedelta(days=1)
        await planned_at(app, f"agent:{plan.id}", ten_am(book_day))

        # Book ahead (run early, on the day before, it sends nothing).
        said = len(simulator.bot_messages(alice.id))
        await run_agent_job(app, plan.id)
        await planned_at(app, f"agent:{plan.id}", ten_am(book_day))
        assert len(simulator.bot_messages(alice.id)) == said
        clock.jump_to(at_eleven(book_day))
        await run_agent_job(app, plan.id)
        book = await alice.expect("now is a good time to book one")
        assert f"is due on {texts.day_label(due)}" in book["text"]
        await planned_at(app, f"agent:{plan.id}", ten_am(due - timedelta(days=1)))

        # The day before and the day itself carry the label's hydration advice.
        clock.jump_to(at_eleven(due - timedelta(days=1)))
        await run_agent_job(app, plan.id)
        before = await alice.expect("is due tomorrow")
        assert "well hydrated before the drip" in before["text"]
        clock.jump_to(at_eleven(due))
        await run_agent_job(app, plan.id)
        on_day = await alice.expect("is due today")
        assert "well hydrated before the drip" in on_day["text"]
        alice.say("/today")
        assert (
            "Zoledronic acid 4 mg (Zometa): due today, at the clinic"
            in (await alice.expect("Today"))["text"]
        )

        # The day after: was it given?
        clock.jump_to(at_eleven(due + timedelta(days=1)))
        await run_agent_job(app, plan.id)
        ask = await alice.expect("Was your zoledronic acid 4 mg (Zometa) given?")
        assert alice.buttons(ask) == [
            texts.GIVEN_ON_DUE.format(day=texts.short_day(due)),
            texts.GIVEN_OTHER_DAY,
            texts.NOT_YET,
        ]
        # A second run the same day sends nothing more.
        said = len(simulator.bot_messages(alice.id))
        await run_agent_job(app, plan.id)
        await planned_at(app, f"agent:{plan.id}", ten_am(due + timedelta(days=8)))
        assert len(simulator.bot_messages(alice.id)) == said

        # It was given today, not on the due date: pick it from the calendar.
        alice.press(texts.GIVEN_OTHER_DAY, ask)
        picker = await alice.expect("On which day was your zoledronic acid 4 mg (Zometa) given?")
        alice.press(texts.month_label(due), picker)
        days = await alice.expect("Which day in April 2031?")
        assert alice.buttons(days) == ["1", "2", texts.BACK]  # up to today only
        real_day = due + timedelta(days=1)
        alice.press(str(real_day.day), days)
        recorded = await alice.expect("Saved: your zoledronic acid 4 mg (Zometa) was given on")
        next_one = next_due(ZOLEDRONIC, real_day)
        assert texts.long_date(next_one) in recorded["text"]
        plan = await plan_of(app, alice.id)
        assert (plan.last_given_on, plan.due_on) == (real_day, next_one)
        assert [(d.given_on, d.due_on) for d in await doses_of(app, plan)] == [
            (given, None),
            (real_day, due),
        ]
        # The post-infusion check falls two days after the real date: tomorrow.
        check_day = real_day + timedelta(days=2)
        await planned_at(app, f"agent:{plan.id}", ten_am(check_day))

        # A late press on the old question changes nothing.
        alice.press_data(ask["message_id"], f"b:d:g:{plan.id}:{due:%Y%m%d}")
        await alice.expect("Already noted: your last zoledronic acid 4 mg (Zometa) was given on")
        assert (await plan_of(app, alice.id)).due_on == next_one

        clock.jump_to(at_eleven(check_day))
        await run_agent_job(app, plan.id)
        feeling = await alice.expect("How are you feeling after your zoledronic acid 4 mg")
        assert "flu-like symptoms" in feeling["text"]
        await planned_at(app, f"agent:{plan.id}", ten_am(next_one - timedelta(days=28)))

        alice.say("/history")
        await alice.expect(f"last given {texts.long_date(real_day)}")
        alice.say("/bone")
        menu = await alice.expect(texts.BONE_TITLE)
        assert f"Next one due {texts.long_date(next_one)}" in menu["text"]

        # The job is rebuilt from the tables at start if the store lost it.
        planner_of(app).cancel(JobKind.AGENT, plan.id)
    async with bot_running(settings, clock) as app:
        await planned_at(app, f"agent:{plan.id}", ten_am(next_one - timedelta(days=28)))


async def test_overdue_denosumab_escalates_and_alerts_the_linked_caregiver_once(
    simulator: BotApiSimulator, settings: Settings
) -> None:
    clock = DrivenClock(START)
    alice, carol = Person(simulator, 1001, "Alice"), Person(simulator, 1003, "Carol")
    async with bot_running(settings, clock) as app:
        await register_clinic(alice, "Denosumab 60 mg injection")
        question = await alice.expect("When was your last denosumab 60 mg (Prolia) given?")
        # Given on 3 September 2030 by buttons: the next one is due today.
        alice.press("September 2030", question)
        days = await alice.expect("Which day in September 2030?")
        alice.press("3", days)
        saved = await alice.expect("Saved: your denosumab 60 mg (Prolia) was given on")
        due = date(2031, 3, 3)
        assert next_due(DENOSUMAB, date(2030, 9, 3)) == due
        assert f"Your next one is due on {texts.long_date(due)}" in saved["text"]
        await link(alice, carol)
        plan = await plan_of(app, alice.id)

        # Day 1 after the due date: the question, and no alert yet.
        clock.jump_to(at_eleven(due + timedelta(days=1)))
        await run_agent_job(app, plan.id)
        ask = await alice.expect("Was your denosumab 60 mg (Prolia) given?")
        alice.press(texts.NOT_YET, ask)
        await alice.expect("I'll remind you again")
        await planned_at(app, f"agent:{plan.id}", ten_am(due + timedelta(days=4)))

        # Day 7: a reminder with the label's do-not-delay warning, and Carol is told once.
        clock.jump_to(at_eleven(due + timedelta(days=7)))
        await run_agent_job(app, plan.id)
        overdue = await alice.expect("7 days ago")
        assert "Do not stop, skip or delay your Prolia injections" in overdue["text"]
        assert texts.GIVEN_OTHER_DAY in alice.buttons(overdue)

        async def one_alert() -> list[CareAlert]:
            async with services_of(app).sessions() as session:
                return list(await session.scalars(select(CareAlert)))

        [alert] = await eventually(one_alert, what="the overdue alert")
        assert (alert.kind, alert.flag_code) == ("overdue_agent", due.isoformat())
        await run_job(app, f"alert:{alert.id}")
        told = await carol.expect("Alice: The denosumab 60 mg (Prolia) due on")
        assert "is 7 days overdue and has not been recorded as given" in told["text"]
        await planned_at(app, f"agent:{plan.id}", ten_am(due + timedelta(days=10)))

        # Three days on: reminded again, but the circle is not told twice.
        clock.jump_to(at_eleven(due + timedelta(days=10)))
        await run_agent_job(app, plan.id)
        again = await alice.expect("10 days ago")
        assert len(await one_alert()) == 1
        # From two weeks late: every day.
        clock.jump_to(at_eleven(due + timedelta(days=14)))
        await run_agent_job(app, plan.id)
        await alice.expect("14 days ago")
        await planned_at(app, f"agent:{plan.id}", ten_am(due + timedelta(days=15)))

        # Given yesterday: the next one counts from that date.
        alice.press(texts.GIVEN_OTHER_DAY, again)
        picker = await alice.expect("On which day was your denosumab 60 mg (Prolia) given?")
        alice.press(texts.YESTERDAY_BUTTON, picker)
        await alice.expect("Saved: your denosumab 60 mg (Prolia) was given on")
        real_day = due + timedelta(days=13)
        plan = await plan_of(app, alice.id)
        assert (plan.last_given_on, plan.due_on) == (real_day, next_due(DENOSUMAB, real_day))
        await planned_at(app, f"agent:{plan.id}", ten_am(plan.due_on - timedelta(days=28)))


async def test_forged_presses_and_stray_text_change_nothing(
    simulator: BotApiSimulator, settings: Settings
) -> None:
    clock = DrivenClock(START)
    alice, bob = Person(simulator, 1001, "Alice"), Person(simulator, 1002, "Bob")
    async with bot_running(settings, clock) as app:
        bob.say("/bone")
        await bob.expect(texts.NOT_REGISTERED)
        await register_clinic(alice, "Zoledronic acid 4 mg drip")
        question = await alice.expect("When was your last zoledronic acid 4 mg (Zometa) given?")
        plan = await plan_of(app, alice.id)
        alice.say("/bone")
        await alice.expect(texts.DXA_HEAD)
        async with services_of(app).sessions() as session:
            alice_profile = await session.scalar(select(BoneHealthProfile.id))
        await register(bob)
        bob.say("/bone")
        await bob.expect(texts.DXA_HEAD)
        anchor = bob.sim.last_bot_message(bob.id)
        assert anchor is not None
        for data in (
            f"b:d:c:{plan.id}:20310301",  # Alice's plan, pressed by Bob
            f"b:l:g:{plan.id}",
            f"b:m:c:{plan.id}:203101",
            f"b:n:{plan.id}:20310301",
            f"b:f:{plan.id}",
            "b:d:c:1:20311340",  # no such date
            "b:d:z:1:20310301",  # no such purpose
            "b:d:c:99999999999:20310301",  # beyond any row id
            "b:x",
            "b:i:13",  # not an interval offered
            "b:r:9:y",  # no such risk question
            "b:u:d:500",  # not a calcium-from-food choice
            "b:u:f:x",
            "b:u:m:2460",
            "b:t:99999999999",
            f"b:l:x:{alice_profile}",  # Alice's DXA record, pressed by Bob
            f"b:d:y:{alice_profile}:20310304",
        ):
            query = bob.press_data(anchor["message_id"], data)
            assert await bob.toast(query) == texts.NOT_YOURS, data
        # Alice's own future date, forged, is refused too.
        query = alice.press_data(question["message_id"], f"b:d:c:{plan.id}:20310401")
        assert await alice.toast(query) == texts.BAD_DATE
        assert (await plan_of(app, alice.id)).last_given_on is None
        # Alice had not had one yet: she says so, and typing afterwards is stray text.
        alice.press(texts.NOT_HAD_ONE, question)
        await alice.expect("When you have had your first one, send /bone")
        alice.say("14 May 2030")
        await alice.expect(texts.UNKNOWN_TEXT)
        assert (await plan_of(app, alice.id)).last_given_on is None
        # /cancel stops an open question without changing anything.
        alice.say("/bone")
        menu = await alice.expect(texts.BONE_TITLE)
        alice.press(texts.AGENT_TELL_LAST.format(drug="zoledronic acid"), menu)
        await alice.expect("When was your last zoledronic acid 4 mg (Zometa) given?")
        alice.say("/cancel")
        await alice.expect(texts.CANCELLED)
        alice.say("2030-12-01")
        await alice.expect(texts.UNKNOWN_TEXT)
        assert (await plan_of(app, alice.id)).last_given_on is None


def photo_of(message: dict) -> bytes:
    """The PNG bytes of a photo message, as the simulator stored them."""
    [size] = message["photo"]
    return size["file_id"]


def assert_real_chart(simulator: BotApiSimulator, message: dict) -> None:
    """The chart arrived as a real, non-blank PNG about 800 px wide."""
    png = simulator.file_content(photo_of(message))
    assert png.startswith(b"\x89PNG\r\n\x1a\n")
    assert len(png) > 10_000
    image = Image.open(io.BytesIO(png))
    image.load()
    assert image.size[0] == 800
    colours = image.convert("RGB").getcolors(maxcolors=1_000_000) or []
    assert len(colours) > 100  # bands, lines, markers and text: not a blank canvas


async def test_dxa_results_chart_follow_up_reminders_and_risk_questions(
    simulator: BotApiSimulator, settings: Settings
) -> None:
    clock = DrivenClock(START)
    alice = Person(simulator, 1001, "Alice")
    async with bot_running(settings, clock) as app:
        await register(alice, bone_family=None)
        alice.say("/bone")
        menu = await alice.expect(texts.DXA_HEAD)
        assert NO_SCAN_MESSAGE in menu["text"]
        assert not any("photo" in m for m in simulator.bot_messages(alice.id))

        # The first result: typed date, two T-scores (one with a comma), one not on the report.
        alice.press(texts.DXA_ADD, menu)
        await alice.expect(texts.ASK_SCAN_DATE)
        alice.say("10 March 2030")
        await alice.expect("Lumbar spine T-score?")
        alice.say("-1,4")
        await alice.expect("Total hip T-score?")
        for bad in ("low", "-7", "1.2.3"):
            alice.say(bad)
            await alice.expect("Sorry, I couldn't read that. Type the T-score")
        alice.say("\u22121.0")
        site = await alice.expect("Femoral neck T-score?")
        alice.press(texts.NOT_ON_REPORT, site)
        saved = await alice.expect("Saved: your scan of Sunday 10 March 2030")
        assert "lumbar spine -1.4, total hip -1.0" in saved["text"]
        assert "Lowest T-score -1.4 (low bone mass, osteopenia, WHO)" in saved["text"]
        assert "Next scan due around Monday 10 March 2031: every 12 months" in saved["text"]
        assert "usually done every 1 to 2 years" in saved["text"]
        first_chart = next(m for m in simulator.bot_messages(alice.id) if "photo" in m)
        assert_real_chart(simulator, first_chart)

        # Booking ahead: the scan is due in a week, so the reminder is caught up tomorrow.
        async with services_of(app).sessions() as session:
            profile = await session.scalar(select(BoneHealthProfile))
        assert profile is not None
        tomorrow = START.date() + timedelta(days=1)
        await planned_at(app, f"dxa:{profile.id}", ten_am(tomorrow))
        clock.jump_to(at_eleven(tomorrow))
        await run_job(app, f"dxa:{profile.id}")
        await alice.expect("due around Monday 10 March 2031. If it is not booked yet")
        await planned_at(app, f"dxa:{profile.id}", ten_am(date(2031, 3, 10)))

        # It is booked for the 12th: the on-the-day reminder follows the booking.
        alice.say("/bone")
        menu = await alice.expect(texts.DXA_HEAD)
        alice.press(texts.DXA_BOOKED, menu)
        picker = await alice.expect(texts.ASK_BOOKED_DATE)
        assert texts.TOMORROW_BUTTON in alice.buttons(picker)
        assert "February 2031" not in alice.buttons(picker)  # bookings are ahead
        alice.press("March 2031", picker)
        days = await alice.expect("Which day in March 2031?")
        assert alice.buttons(days)[0] == "4"
        alice.press("12", days)
        await alice.expect("Saved: your scan is booked for Wednesday 12 March 2031")
        await planned_at(app, f"dxa:{profile.id}", ten_am(date(2031, 3, 12)))
        clock.jump_to(at_eleven(date(2031, 3, 12)))
        await run_job(app, f"dxa:{profile.id}")
        await alice.expect("Your bone density (DXA) scan is today")
        alice.say("/today")
        await alice.expect(texts.TODAY_DXA)

        # The new result, by buttons: the chart shows both, the caption the change.
        alice.say("/bone")
        menu = await alice.expect(texts.DXA_HEAD)
        alice.press(texts.DXA_ADD, menu)
        alice.press(texts.TODAY_BUTTON, await alice.expect(texts.ASK_SCAN_DATE))
        for value in ("-1.8", "-1.2", "-1.5"):
            await alice.expect("T-score?")
            alice.say(value)
        saved = await alice.expect("Saved: your scan of Wednesday 12 March 2031")
        change = "Since your scan of Sunday 10 March 2030: lumbar spine -0.4, total hip -0.2."
        assert change in saved["text"]
        chart = [m for m in simulator.bot_messages(alice.id) if "photo" in m][-1]
        assert change in chart["caption"]
        assert_real_chart(simulator, chart)
        assert "Next scan due around Friday 12 March 2032" in saved["text"]
        assert f"dxa:{profile.id}" in planner_of(app).planned_ids()

        # The care team's interval: every 24 months.
        alice.say("/bone")
        menu = await alice.expect(texts.DXA_HEAD)
        alice.press(texts.DXA_INTERVAL, menu)
        choices = await alice.expect(texts.ASK_INTERVAL)
        assert alice.buttons(choices) == ["Every 12 months", "Every 18 months", "Every 24 months"]
        alice.press("Every 24 months", choices)
        interval = await alice.expect("Saved: a scan every 24 months.")
        assert (
            "due around Saturday 12 March 2033: every 24 months, as your care team set"
            in (interval["text"])
        )
        await planned_at(app, f"dxa:{profile.id}", ten_am(date(2033, 2, 12)))

        # The risk questions: no bone agent, a T-score below -1.5 and risk factors.
        alice.say("/bone")
        menu = await alice.expect(texts.DXA_HEAD)
        alice.press(texts.RISK_START, menu)
        await about_her(alice)
        answers = ("Yes", "No", "No", "Yes", "No", "Yes")
        for question, answer in zip(RISK_QUESTIONS, answers, strict=True):
            asked = await alice.expect(question.text)
            alice.press(answer, asked)
        await alice.expect(texts.ASK_AGE)
        alice.say("sixty")
        await alice.expect(texts.BAD_AGE)
        alice.say("67")
        await alice.expect(texts.ASK_BODY)
        alice.say("tall")
        await alice.expect(texts.BAD_BODY)
        alice.say("5 ft 5 in, 137 lb")
        done = await alice.expect(texts.RISK_SAVED)
        assert CRITERIA_MET_MESSAGE in done["text"]
        assert WRITTEN_FOR_NOTE not in done["text"]  # she said she is after menopause
        async with services_of(app).sessions() as session:
            stored = await session.get(BoneHealthProfile, profile.id)
        assert stored is not None
        assert (stored.age_years, stored.family_hip_fracture, stored.smoking) == (67, True, True)
        assert (stored.sex, stored.menopause) == ("female", "post")
        assert (stored.height_cm, stored.weight_kg) == (165.1, 62.1)
        assert (stored.alcohol_3_units, stored.fall_last_year) == (False, True)

        # A stale "not on my report" press, with nothing asked, changes nothing.
        query = alice.press_data(done["message_id"], "b:s:1")
        assert await alice.toast(query) == texts.BUTTON_EXPIRED


async def about_her(person: Person) -> None:
    """Answer the "about you" questions as a woman after menopause."""
    person.press(texts.SEX_FEMALE, await person.expect(texts.ASK_SEX))
    person.press(texts.MENOPAUSE_POST, await person.expect(texts.ASK_MENOPAUSE))


async def test_a_man_gets_other_criteria_a_bmi_below_20_counts_and_no_female_items(
    simulator: BotApiSimulator, settings: Settings
) -> None:
    # The 2017 statement is written for women after menopause: a man is told his care team
    # uses other criteria (never that he meets them), and his check-in asks nothing about a
    # vagina. A BMI below 20 is a risk factor the statement counts.
    clock = DrivenClock(START)
    bob = Person(simulator, 1001, "Bob")
    async with bot_running(settings, clock) as app:
        await register(bob, bone_family=None)
        bob.say("/bone")
        bob.press(texts.RISK_START, await bob.expect(texts.DXA_HEAD))
        asked = await bob.expect(texts.ASK_SEX)
        assert bob.buttons(asked) == [texts.SEX_FEMALE, texts.SEX_MALE, texts.SEX_UNSAID]
        bob.press(texts.SEX_MALE, asked)
        first = await bob.expect(RISK_QUESTIONS[0].text)  # no menopause question
        assert texts.ASK_MENOPAUSE not in [m.get("text") for m in simulator.bot_messages(bob.id)]
        bob.press("Yes", first)
        for question in RISK_QUESTIONS[1:]:
            bob.press("No", await bob.expect(question.text))
        bob.say("70")
        bob.say("180 cm 60 kg")  # BMI 18.5
        done = await bob.expect(texts.RISK_SAVED)
        assert OTHER_CRITERIA_MESSAGE in done["text"]
        assert CRITERIA_MET_WITHOUT_SCAN_MESSAGE not in done["text"]
        async with services_of(app).sessions() as session:
            view = await dxa_service.view_of(session, await patient_row(app, bob.id), clock())
        assert RiskFactor.LOW_BMI in view.assessment.risk_factors
        assert not view.assessment.criteria_met

        # A forged "about you" press is refused kindly.
        query = bob.press_data(done["message_id"], "me:s:z")
        assert await bob.toast(query) == texts.NOT_YOURS

        bob.say("/symptoms")
        await bob.expect("Your weekly check-in")
        seen: list[str] = []
        number = 1
        while True:
            message = await bob.sim.wait_for_message(
                bob.id,
                lambda m, n=number: (
                    (m.get("text") or "").startswith(f"Question {n} of ")
                    or "want to stop taking" in (m.get("text") or "")
                ),
            )
            if "want to stop taking" in message["text"]:
                break
            seen.append(message["text"].lower())
            bob.press(bob.buttons(message)[0], message)
            number += 1
        assert seen
        assert not any("vaginal" in text for text in seen)


async def test_risk_message_is_silent_with_a_bone_agent_and_says_no_scan(
    simulator: BotApiSimulator, settings: Settings
) -> None:
    clock = DrivenClock(START)
    alice = Person(simulator, 1001, "Alice")
    async with bot_running(settings, clock) as app:
        await register(alice)  # alendronate: a bone agent is on record
        alice.say("/bone")
        menu = await alice.expect(texts.DXA_HEAD)
        alice.press(texts.RISK_START, menu)
        alice.press(texts.SEX_UNSAID, await alice.expect(texts.ASK_SEX))
        for question in RISK_QUESTIONS:
            alice.press("Yes", await alice.expect(question.text))
        skip = await alice.expect(texts.ASK_AGE)
        alice.press(texts.AGE_SKIP, skip)
        alice.press(texts.BODY_SKIP, await alice.expect(texts.ASK_BODY))
        done = await alice.expect(texts.RISK_SAVED)
        assert CRITERIA_MET_MESSAGE not in done["text"]
        assert NO_SCAN_MESSAGE in done["text"]
        del app


async def test_answers_alone_meeting_the_criteria_claim_no_scan_and_offer_the_dxa_set_up(
    simulator: BotApiSimulator, settings: Settings
) -> None:
    clock = DrivenClock(START)
    alice = Person(simulator, 1001, "Alice")
    async with bot_running(settings, clock) as app:
        await register(alice, bone_family=None)  # no bone agent, and no scan on record
        alice.say("/bone")
        menu = await alice.expect(texts.DXA_HEAD)
        assert NO_SCAN_MESSAGE in menu["text"]
        alice.press(texts.RISK_START, menu)
        await about_her(alice)
        answers = ("Yes", "No", "No", "Yes", "No", "No")
        for question, answer in zip(RISK_QUESTIONS, answers, strict=True):
            alice.press(answer, await alice.expect(question.text))
        alice.say("67")
        alice.press(texts.BODY_SKIP, await alice.expect(texts.ASK_BODY))
        done = await alice.expect(texts.RISK_SAVED)
        assert "scan and answers" not in done["text"]
        assert CRITERIA_MET_MESSAGE not in done["text"]
        assert CRITERIA_MET_WITHOUT_SCAN_MESSAGE in done["text"]
        assert done["text"].endswith(SCAN_ADVICE)
        # The DXA set-up, as /bone offers it: adding a result starts from here.
        assert alice.buttons(done) == [texts.DXA_ADD, texts.DXA_BOOKED]
        alice.press(texts.DXA_ADD, done)
        await alice.expect(texts.ASK_SCAN_DATE)
        # /bone says the same: nothing there claims a scan either.
        alice.say("/bone")
        page = await alice.expect(texts.DXA_HEAD)
        assert "scan and answers" not in page["text"]
        assert CRITERIA_MET_WITHOUT_SCAN_MESSAGE in page["text"]
        del app


async def test_dental_check_ups_before_starting_and_every_six_months(
    simulator: BotApiSimulator, settings: Settings
) -> None:
    clock = DrivenClock(START)
    alice, bob = Person(simulator, 1001, "Alice"), Person(simulator, 1002, "Bob")
    async with bot_running(settings, clock) as app:
        # Alice registers on alendronate: a routine check-up is due, sent at the next 10:00.
        await register(alice)
        async with services_of(app).sessions() as session:
            prompts = await session.scalar(select(CarePrompts))
        assert prompts is not None
        assert (prompts.dental_due_on, prompts.dental_before_start) == (START.date(), False)
        tomorrow = START.date() + timedelta(days=1)
        await planned_at(app, f"dental:{prompts.id}", ten_am(tomorrow))
        clock.jump_to(at_eleven(tomorrow))
        await run_job(app, f"dental:{prompts.id}")
        reminder = await alice.expect("🦷 It is time for a dental check-up.")
        assert "Tell your dentist that you take alendronate 70 mg" in reminder["text"]
        assert "osteonecrosis of the jaw" in reminder["text"]
        assert alice.buttons(reminder) == [texts.DENTAL_DONE]
        await planned_at(app, f"dental:{prompts.id}", ten_am(add_months(tomorrow, 6)))

        # She had one yesterday: the next is due six months from it.
        alice.press(texts.DENTAL_DONE, reminder)
        alice.press(texts.YESTERDAY_BUTTON, await alice.expect(texts.ASK_DENTAL_DATE))
        saved = await alice.expect("Saved: a dental check-up on Monday 3 March 2031.")
        assert "The next one is due Wednesday 3 September 2031" in saved["text"]
        await planned_at(app, f"dental:{prompts.id}", ten_am(date(2031, 9, 3)))
        alice.say("/bone")
        menu = await alice.expect(texts.DENTAL_HEAD)
        assert "Last check-up Monday 3 March 2031." in menu["text"]

        # Bob takes no bone medicine, then starts risedronate: the before-you-start reminder.
        await register(bob, bone_family=None)
        bob.say("/bone")
        assert texts.DENTAL_HEAD not in (await bob.expect(texts.BONE_TITLE))["text"]
        bob.say("/regimen")
        bob.press(texts.CHANGE_BONE, await bob.expect("What would you like to change?"))
        bob.press("Risedronate", await bob.expect("protect your bones"))
        bob.press("35 mg once a week", await bob.expect("Which risedronate"))
        bob.press("Friday", await bob.expect("On which day"))
        bob.press("07:00", await bob.expect("What time do you usually get up"))
        bob.press("Yes, save it", await bob.expect("Is this right?"))
        await bob.expect("Saved")
        async with services_of(app).sessions() as session:
            bobs = await session.scalar(select(CarePrompts).where(CarePrompts.id != prompts.id))
        assert bobs is not None
        assert bobs.dental_before_start is True
        await run_job(app, f"dental:{bobs.id}")
        before = await bob.expect("🦷 Before you start risedronate 35 mg")
        assert "any dental problems should be treated first" in before["text"]
        # Alice's button, pressed by Bob, is not his.
        query = bob.press_data(before["message_id"], f"b:l:k:{prompts.id}")
        assert await bob.toast(query) == texts.NOT_YOURS


async def test_weekly_exercise_nudge_on_by_buttons_then_off(
    simulator: BotApiSimulator, settings: Settings
) -> None:
    clock = DrivenClock(START)
    alice = Person(simulator, 1001, "Alice")
    async with bot_running(settings, clock) as app:
        await register(alice)
        alice.say("/bone")
        menu = await alice.expect("🏃 Weekly exercise nudge: off.")
        alice.press(texts.EXERCISE_SETTINGS, menu)
        days = await alice.expect(texts.ASK_EXERCISE_DAY)
        alice.press("Wednesday", days)
        times = await alice.expect("What time on Wednesday?")
        assert alice.buttons(times) == ["08:00", "10:00", "12:00", "15:00", "18:00"]
        alice.press("18:00", times)
        await alice.expect(
            "Saved: a nudge every Wednesday at 18:00. The next one is Wednesday 5 March at 18:00."
        )
        async with services_of(app).sessions() as session:
            prompts = await session.scalar(select(CarePrompts))
        assert prompts is not None
        wednesday = datetime(2031, 3, 5, 18, 0, tzinfo=LONDON)
        await planned_at(app, f"exercise:{prompts.id}", wednesday)
        clock.jump_to(wednesday)
        await run_job(app, f"exercise:{prompts.id}")
        nudge = await alice.expect("🏃 A weekly nudge for your bones.")
        assert "weight-bearing exercise" in nudge["text"]
        await planned_at(app, f"exercise:{prompts.id}", wednesday + timedelta(days=7))

        # A new time zone moves the nudge with the clock (18:00 in Berlin now).
        alice.say("/regimen")
        alice.press(texts.CHANGE_TZ, await alice.expect("What would you like to change?"))
        alice.press("Paris / Berlin", await alice.expect("Which time zone"))
        alice.press("Yes, save it", await alice.expect("Is this right?"))
        await alice.expect("Saved")
        berlin = ZoneInfo("Europe/Berlin")
        await planned_at(
            app, f"exercise:{prompts.id}", datetime(2031, 3, 12, 18, 0, tzinfo=berlin)
        )

        for data in ("b:w:7", "b:e:1:2500", "b:e:1:0761", "b:w:"):
            query = alice.press_data(nudge["message_id"], data)
            assert await alice.toast(query) == texts.NOT_YOURS, data

        alice.say("/bone")
        alice.press(texts.EXERCISE_SETTINGS, await alice.expect("every Wednesday at 18:00"))
        alice.press(texts.EXERCISE_OFF_BUTTON, await alice.expect(texts.ASK_EXERCISE_DAY))
        await alice.expect(texts.EXERCISE_TURNED_OFF)
        assert f"exercise:{prompts.id}" not in planner_of(app).planned_ids()


async def test_calendar_file_holds_the_upcoming_clinic_dose_scan_and_check_up(
    simulator: BotApiSimulator, settings: Settings
) -> None:
    clock = DrivenClock(START)
    alice, bob = Person(simulator, 1001, "Alice"), Person(simulator, 1002, "Bob")
    async with bot_running(settings, clock) as app:
        bob.say("/calendar")
        await bob.expect(texts.NOT_REGISTERED)
        await register(bob, bone_family=None)
        bob.say("/calendar")
        await bob.expect(texts.CALENDAR_EMPTY)

        await register_clinic(alice, "Zoledronic acid 4 mg drip")
        await alice.expect("When was your last zoledronic acid 4 mg (Zometa) given?")
        alice.say("1 October 2030")
        await alice.expect("Saved: your zoledronic acid 4 mg (Zometa) was given on")
        alice.say("/bone")
        menu = await alice.expect(texts.DXA_HEAD)
        alice.press(texts.DXA_BOOKED, menu)
        alice.press(texts.TOMORROW_BUTTON, await alice.expect(texts.ASK_BOOKED_DATE))
        await alice.expect("Saved: your scan is booked for Tuesday 4 March 2031")
        alice.press(texts.DENTAL_DONE, menu)
        alice.say("2030-12-20")
        await alice.expect("Saved: a dental check-up on Friday 20 December 2030.")

        alice.say("/calendar")
        sent = await simulator.wait_for_message(alice.id, lambda m: "document" in m)
        document = sent["document"]
        assert (document["file_name"], document["mime_type"]) == (
            "bone-calendar.ics",
            "text/calendar",
        )
        assert sent["caption"] == texts.CALENDAR_CAPTION
        calendar = Calendar.from_ical(simulator.file_content(document["file_id"]))
        assert str(calendar["X-WR-CALNAME"]) == "Bone protection"
        events = {str(e["SUMMARY"]): e for e in calendar.walk("VEVENT")}
        assert set(events) == {
            "Zoledronic acid 4 mg (Zometa) infusion due",
            "Bone density (DXA) scan",
            "Dental check-up due",
        }
        infusion = events["Zoledronic acid 4 mg (Zometa) infusion due"]
        assert infusion.decoded("DTSTART") == date(2031, 4, 1)
        assert "well hydrated before the drip" in str(infusion["DESCRIPTION"])
        assert str(infusion["CATEGORIES"].cats[0]) == "infusion"
        assert len(infusion.walk("VALARM")) == 2  # a week before and the day before
        assert events["Bone density (DXA) scan"].decoded("DTSTART") == date(2031, 3, 4)
        dental = events["Dental check-up due"]
        assert dental.decoded("DTSTART") == date(2031, 6, 20)
        assert "osteonecrosis of the jaw" in str(dental["DESCRIPTION"])
        assert len(dental.walk("VALARM")) == 1
        # No name or id of the patient appears in the file.
        raw = simulator.file_content(document["file_id"]).decode()
        assert "Alice" not in raw
        assert "1001" not in raw
        del app


async def supplement_events(app: Application) -> list[DoseEvent]:
    """Calcium reminders' days: dose events of supplement medications."""
    async with services_of(app).sessions() as session:
        rows = await session.scalars(
            select(DoseEvent)
            .join(Medication, Medication.id == DoseEvent.medication_id)
            .where(Medication.role == MedicationRole.SUPPLEMENT)
            .order_by(DoseEvent.due_at)
        )
        return list(rows)


async def supplement_medications(app: Application) -> list[Medication]:
    """Calcium reminders in force: medications of role supplement, by id."""
    async with services_of(app).sessions() as session:
        rows = await session.scalars(
            select(Medication)
            .where(Medication.role == MedicationRole.SUPPLEMENT, Medication.active.is_(True))
            .order_by(Medication.id)
        )
        return list(rows)


async def test_calcium_set_up_reminders_taken_later_and_moved_on_the_alendronate_day(
    simulator: BotApiSimulator, settings: Settings
) -> None:
    clock = DrivenClock(START)
    alice, bob = Person(simulator, 1001, "Alice"), Person(simulator, 1002, "Bob")
    async with bot_running(settings, clock) as app:
        # Alendronate every Monday at 07:30: nothing but water for 30 minutes after it.
        await register(alice, bone_time="07:30")
        alice.say("/bone")
        menu = await alice.expect(texts.CALCIUM_HEAD)
        assert (
            "Daily target: 1200 mg calcium and 800 IU vitamin D "
            "(a 2017 expert statement's numbers)." in menu["text"]
        )
        alice.press(texts.CALCIUM_SETTINGS, menu)
        settings_message = await alice.expect(texts.CALCIUM_OFF)
        alice.press(texts.CALCIUM_SET_UP, settings_message)
        alice.press(texts.FORM_CARBONATE, await alice.expect(texts.ASK_FORM))
        alice.press(texts.DIET_LABELS[600], await alice.expect("calcium do you get from food"))
        times = await alice.expect("Pick 2 times for your calcium (2 doses of 300 mg).")
        assert "calcium carbonate is taken with food" in times["text"]
        alice.press("07:30", times)
        times = await alice.expect("Chosen: 07:30. Pick 1 more.")
        assert "07:30" not in alice.buttons(times)
        alice.press("18:30", times)
        await alice.expect("Saved: calcium 300 mg at 07:30 and 300 mg at 18:30.")
        morning, evening = await supplement_medications(app)
        assert (morning.product_key, morning.dose_mg, evening.dose_mg) == ("calcium", 300, 300)
        # Today's 07:30 (moved to 08:00, it is Monday) was before the set-up: tomorrow.
        tuesday = START.date() + timedelta(days=1)
        await planned_at(app, f"dose:{morning.id}", datetime.combine(tuesday, time(7, 30), LONDON))
        evening_at = datetime.combine(START.date(), time(18, 30), LONDON)
        await planned_at(app, f"dose:{evening.id}", evening_at)

        # This evening: the reminder, with the label-style words for carbonate; Taken.
        clock.jump_to(evening_at)
        await run_job(app, f"dose:{evening.id}")
        reminder = await alice.expect("Time for your calcium (300 mg). It is calcium carbonate")
        assert "take it with a meal" in reminder["text"]
        assert alice.buttons(reminder) == [texts.TAKEN, "⏰ Later"]
        alice.press(texts.TAKEN, reminder)
        await alice.expect("✅ Calcium 300 mg: taken at 18:30.")
        taken_data = reminder["reply_markup"]["inline_keyboard"][0][0]["callback_data"]
        query = alice.press_data(reminder["message_id"], taken_data)
        assert (await alice.toast(query) or "").startswith("✅ Calcium 300 mg: taken at")

        # Tuesday morning: not moved (no alendronate); Later brings it back.
        clock.jump_to(datetime.combine(tuesday, time(7, 30), LONDON))
        await run_job(app, f"dose:{morning.id}")
        tuesday_reminder = await alice.expect("Time for your calcium (300 mg)")
        assert "Moved" not in tuesday_reminder["text"]
        alice.press("⏰ Later", tuesday_reminder)
        await alice.expect_buttons("⏰ In 15 min")
        alice.press("⏰ In 15 min")
        await alice.expect("⏰ Calcium 300 mg: I'll remind you again at 07:45.")
        event = (await supplement_events(app))[-1]
        # Not asked about again, and nobody alerted: only the Later comes back.
        jobs = planner_of(app).planned_ids()
        assert f"snooze:{event.id}" in jobs
        assert f"recheck:{event.id}" not in jobs
        assert f"missed:{event.id}" not in jobs
        await run_job(app, f"snooze:{event.id}")
        again = await alice.expect("Time for your calcium (300 mg)")
        assert alice.buttons(again) == [texts.TAKEN, "⏰ Later"]
        assert f"recheck:{event.id}" not in planner_of(app).planned_ids()

        # Bob cannot answer Alice's reminder.
        await register(bob)
        query = bob.press_data(tuesday_reminder["message_id"], f"d:t:{event.id}")
        assert await bob.toast(query) == texts.NOT_YOURS
        query = bob.press_data(tuesday_reminder["message_id"], f"d:s:{event.id}")
        assert await bob.toast(query) == texts.NOT_YOURS

        # Next Monday, alendronate day: the 07:30 calcium moves to 08:00, and says why.
        monday = date(2031, 3, 10)
        clock.jump_to(datetime.combine(monday, time(8, 0), LONDON))
        await run_job(app, f"dose:{morning.id}")
        moved = await alice.expect("Moved to 08:00 because")
        assert (
            "Moved to 08:00 because calcium within 30 minutes of alendronate stops the "
            "alendronate from working." in moved["text"]
        )
        events = await supplement_events(app)
        statuses = [e.status for e in events if e.medication_id == morning.id]
        assert statuses == ["sent", "missed", "missed", "missed", "missed", "missed", "sent"]
        assert events[-1].due_at == datetime.combine(monday, time(8, 0), LONDON)

        alice.say("/today")
        today = await alice.expect("Calcium 300 mg")
        assert (
            "08:00 Calcium 300 mg: ❔ waiting for your answer (moved for your bone medicine)"
            in (today["text"])
        )
        assert "18:30 Calcium 300 mg: ⏳ to come" in today["text"]
        alice.say("/history")
        history = await alice.expect("• Calcium:")
        assert "• Calcium: 1 of 8 taken (12%) — 5 missed, 2 not answered" in history["text"]

        # The care team's numbers win over the statement's.
        alice.say("/bone")
        alice.press(texts.CALCIUM_SETTINGS, await alice.expect(texts.CALCIUM_HEAD))
        options = await alice.expect("Reminders: 300 mg at 07:30 and 300 mg at 18:30.")
        alice.press(texts.CALCIUM_CARE_TEAM, options)
        await alice.expect(texts.ASK_CALCIUM_TARGET)
        alice.say("lots")
        await alice.expect(texts.BAD_AMOUNT)
        alice.say("1000 mg")
        await alice.expect(texts.ASK_VITAMIN_D_TARGET)
        alice.say("1000")
        saved = await alice.expect("Saved: 1000 mg calcium and 1000 IU vitamin D a day.")
        assert "Suggested: 1 dose of 400 mg a day." in saved["text"]
        alice.say("/bone")
        assert "(your care team's numbers)" in (await alice.expect(texts.CALCIUM_HEAD))["text"]


async def test_pill_count_goes_down_with_doses_taken_and_reminds_to_refill_once(
    simulator: BotApiSimulator, settings: Settings
) -> None:
    clock = DrivenClock(START)
    alice, bob = Person(simulator, 1001, "Alice"), Person(simulator, 1002, "Bob")
    async with bot_running(settings, clock) as app:
        await register(alice)
        anastrozole = await medication_of(app, alice.id, "anastrozole-1-daily-tablet")
        alice.say("/bone")
        alice.press(texts.PILLS_SETTINGS, await alice.expect(texts.BONE_TITLE))
        counts = await alice.expect(texts.PILLS_HEAD)
        assert "• Anastrozole 1 mg (Arimidex): not counted" in counts["text"]
        assert alice.buttons(counts) == [
            "Count anastrozole 1 mg (Arimidex)",
            "Count alendronate 70 mg (Fosamax)",
        ]
        alice.press("Count anastrozole 1 mg (Arimidex)", counts)
        await alice.expect("How many anastrozole 1 mg (Arimidex) tablets do you have now?")
        alice.say("plenty")
        await alice.expect(texts.BAD_COUNT)
        alice.say("9")
        await alice.expect(
            "Saved: 9 tablets of anastrozole 1 mg (Arimidex). I'll remind you to ask for more "
            "when about 7"
        )
        async with services_of(app).sessions() as session:
            count = await session.scalar(select(PillCount))
        assert count is not None
        # Two daily doses from now (Tuesday and Wednesday at 09:00), then the check.
        wednesday = START.date() + timedelta(days=2)
        check_at = datetime.combine(wednesday, time(10, 0), LONDON)
        await planned_at(app, f"refill:{count.id}", check_at)

        # Bob cannot count Alice's medicine.
        await register(bob)
        query = bob.press_data(counts["message_id"], f"b:c:{anastrozole.id}")
        assert await bob.toast(query) == texts.NOT_YOURS

        # Each dose confirmed taken comes off the count.
        for day in (START.date() + timedelta(days=1), wednesday):
            clock.jump_to(datetime.combine(day, time(9, 0), LONDON))
            await run_job(app, f"dose:{anastrozole.id}")
            alice.press(
                texts.TAKEN, await alice.expect("Time for your anastrozole 1 mg (Arimidex)")
            )
            await alice.expect("taken at 09:00")
        clock.jump_to(check_at)
        await run_job(app, f"refill:{count.id}")
        refill = await alice.expect(
            "🧾 You have about 7 anastrozole 1 mg (Arimidex) tablets left."
        )
        assert alice.buttons(refill) == [texts.RECOUNT]
        assert f"refill:{count.id}" not in planner_of(app).planned_ids()  # reminded once

        # A new box: the count starts again, and so does the refill check.
        alice.press(texts.RECOUNT, refill)
        await alice.expect("How many anastrozole 1 mg (Arimidex) tablets do you have now?")
        alice.say("35")
        await alice.expect("Saved: 35 tablets of anastrozole 1 mg (Arimidex).")
        assert f"refill:{count.id}" in planner_of(app).planned_ids()
        alice.say("/bone")
        alice.press(texts.PILLS_SETTINGS, await alice.expect(texts.BONE_TITLE))
        counts = await alice.expect("• Anastrozole 1 mg (Arimidex): about 35 tablets left")
        alice.press("Stop counting anastrozole 1 mg (Arimidex)", counts)
        await alice.expect("I've stopped counting anastrozole 1 mg (Arimidex).")
        assert f"refill:{count.id}" not in planner_of(app).planned_ids()


async def test_a_pill_count_follows_its_medicine_through_a_regimen_edit(
    simulator: BotApiSimulator, settings: Settings
) -> None:
    alice = Person(simulator, 1001, "Alice")
    async with bot_running(settings) as app:
        await register(alice)
        before = await medication_of(app, alice.id, "anastrozole-1-daily-tablet")
        alice.say("/bone")
        alice.press(texts.PILLS_SETTINGS, await alice.expect(texts.BONE_TITLE))
        alice.press("Count anastrozole 1 mg (Arimidex)", await alice.expect(texts.PILLS_HEAD))
        await alice.expect("How many anastrozole 1 mg (Arimidex) tablets do you have now?")
        alice.say("20")
        await alice.expect("Saved: 20 tablets of anastrozole 1 mg (Arimidex).")

        # A new time replaces the medicine's row; the tablets in hand stay counted.
        alice.say("/regimen")
        await alice.expect("What would you like to change?")
        alice.press("Aromatase inhibitor")
        await alice.expect("Which aromatase inhibitor")
        alice.press("Anastrozole")
        await alice.expect("What time of day")
        alice.press("20:00")
        await alice.expect("Is this right?")
        alice.press("Yes, save it")
        await alice.expect("Saved")
        after = await medication_of(app, alice.id, "anastrozole-1-daily-tablet")
        assert after.id != before.id
        async with services_of(app).sessions() as session:
            count = await session.scalar(select(PillCount))
        assert count is not None
        assert (count.medication_id, count.tablets) == (after.id, 20)
        assert f"refill:{count.id}" in planner_of(app).planned_ids()
        alice.say("/bone")
        alice.press(texts.PILLS_SETTINGS, await alice.expect(texts.BONE_TITLE))
        await alice.expect("• Anastrozole 1 mg (Arimidex): about 20 tablets left")


async def set_up_carbonate(person: Person, first: str, second: str) -> None:
    """Calcium carbonate, 600 mg a day from food: two 300 mg doses at two meal times."""
    person.say("/bone")
    person.press(texts.CALCIUM_SETTINGS, await person.expect(texts.CALCIUM_HEAD))
    person.press(texts.CALCIUM_SET_UP, await person.expect(texts.CALCIUM_OFF))
    person.press(texts.FORM_CARBONATE, await person.expect(texts.ASK_FORM))
    person.press(texts.DIET_LABELS[600], await person.expect("calcium do you get from food"))
    person.press(first, await person.expect("Pick 2 times for your calcium"))
    person.press(second, await person.expect("Pick 1 more."))
    await person.expect(f"Saved: calcium 300 mg at {first} and 300 mg at {second}.")


async def test_a_late_tablet_moves_breakfast_calcium_clear_of_it_and_of_lunchs_calcium(
    simulator: BotApiSimulator, settings: Settings
) -> None:
    # Alendronate on Mondays at 07:30, calcium carbonate at 08:00 and 12:30. Next Monday
    # she puts the tablet off until 10:30: breakfast's calcium cannot come before 11:00,
    # and at 11:00 it would be 90 minutes from lunch's, 600 mg at once; it comes at 14:30.
    clock = DrivenClock(START)
    alice = Person(simulator, 1001, "Alice")
    async with bot_running(settings, clock) as app:
        await register(alice, bone_time="07:30")
        await set_up_carbonate(alice, "08:00", "12:30")
        breakfast, lunch = await supplement_medications(app)
        tablet = await medication_of(app, alice.id, "alendronate-70-weekly-tablet")
        monday = START.date() + timedelta(days=7)

        def on_monday(hour: int, minute: int) -> datetime:
            return datetime.combine(monday, time(hour, minute), LONDON)

        clock.jump_to(on_monday(7, 30))
        await run_job(app, f"dose:{tablet.id}")
        alice.press("⏰ Later", await alice.expect("Time for your alendronate 70 mg"))
        alice.press("⏰ In 3 hours", await alice.expect_buttons("⏰ In 3 hours"))
        await alice.expect("I'll remind you again at 10:30")
        clock.jump_to(on_monday(10, 30))
        [event] = [e for e in await dose_events(app, tablet.id) if e.local_date == monday]
        await run_job(app, f"snooze:{event.id}")
        alice.press(texts.TAKEN, await alice.expect("Time for your alendronate 70 mg"))
        await alice.expect("taken at 10:30")

        # Lunch time: the missed days before are recorded, and today's breakfast calcium
        # waits for 14:30; lunch's comes as asked.
        clock.jump_to(on_monday(12, 30))
        await run_job(app, f"dose:{breakfast.id}")
        await planned_at(app, f"dose:{breakfast.id}", on_monday(14, 30))
        await run_job(app, f"dose:{lunch.id}")
        at_lunch = await alice.expect("Time for your calcium (300 mg)")
        assert "Moved" not in at_lunch["text"]

        clock.jump_to(on_monday(14, 30))
        await run_job(app, f"dose:{breakfast.id}")
        moved = await alice.expect("Moved to 14:30")
        assert (
            "Moved to 14:30 because alendronate must be the first thing you take that morning: "
            "calcium before it stops the alendronate from working. It comes 2 hours after "
            "your 12:30 calcium, so each dose is taken in. Have it with a snack."
        ) in moved["text"]
        times = sorted(e.due_at for e in await supplement_events(app) if e.local_date == monday)
        assert times == [on_monday(12, 30), on_monday(14, 30)]
        alice.say("/today")
        today = await alice.expect("Calcium 300 mg")
        assert "14:30 Calcium 300 mg" in today["text"]
        assert "12:30 Calcium 300 mg" in today["text"]


async def test_calcium_times_picked_at_set_up_are_two_hours_apart(
    simulator: BotApiSimulator, settings: Settings
) -> None:
    clock = DrivenClock(START)
    alice = Person(simulator, 1001, "Alice")
    async with bot_running(settings, clock) as app:
        await register(alice, bone_time="07:30")
        alice.say("/bone")
        alice.press(texts.CALCIUM_SETTINGS, await alice.expect(texts.CALCIUM_HEAD))
        alice.press(texts.CALCIUM_SET_UP, await alice.expect(texts.CALCIUM_OFF))
        alice.press(texts.FORM_CARBONATE, await alice.expect(texts.ASK_FORM))
        alice.press(texts.DIET_LABELS[600], await alice.expect("calcium do you get from food"))
        alice.press("08:00", await alice.expect("Pick 2 times for your calcium"))
        times = await alice.expect("Pick 1 more.")
        # Buttons less than 2 hours from 08:00 are gone; the rest of the day stays.
        assert alice.buttons(times) == ["12:00", "12:30", "13:00", "18:00", "18:30", "19:00"]
        # A typed time that close is refused kindly; an old button's press picks nothing.
        alice.say("9:15")
        await alice.expect("That is less than 2 hours from 08:00")
        query = alice.press_data(times["message_id"], "b:u:m:0830")
        assert (await alice.toast(query) or "").startswith("That is less than 2 hours from 08:00")
        assert await supplement_medications(app) == []
        alice.say("10:00")
        await alice.expect("Saved: calcium 300 mg at 08:00 and 300 mg at 10:00.")
        first, second = await supplement_medications(app)
        assert (first.time_of_day, second.time_of_day) == (time(8, 0), time(10, 0))


async def patient_row(app: Application, telegram_user_id: int) -> Patient:
    """The patient's row, by Telegram id."""
    async with services_of(app).sessions() as session:
        patient = await session.scalar(select(Patient).where(Patient.chat_id == telegram_user_id))
    assert patient is not None
    return patient


async def test_with_no_scan_on_record_a_baseline_reminder_comes_and_comes_back(
    simulator: BotApiSimulator, settings: Settings
) -> None:
    # Experts advise a DXA scan for everyone on an aromatase inhibitor: with none on record,
    # a reminder comes a fortnight after registering, then every 90 days until one is
    # recorded or booked.
    clock = DrivenClock(START)
    alice = Person(simulator, 1001, "Alice")
    async with bot_running(settings, clock) as app:
        await register(alice, bone_family=None)
        async with services_of(app).sessions() as session:
            profile = await session.scalar(select(BoneHealthProfile))
        assert profile is not None
        job = f"dxa:{profile.id}"
        first = START.date() + timedelta(days=dxa_service.BASELINE_AFTER_DAYS)
        await planned_at(app, job, ten_am(first))

        clock.jump_to(ten_am(first))
        await run_job(app, job)
        reminder = await alice.expect(texts.DXA_REMIND_BASELINE)
        assert alice.buttons(reminder) == [texts.DXA_ADD, texts.DXA_BOOKED]
        again = first + timedelta(days=dxa_service.BASELINE_EVERY_DAYS)
        await planned_at(app, job, ten_am(again))

        # Booked from the reminder's own button: the reminders follow the booking now.
        alice.press(texts.DXA_BOOKED, reminder)
        alice.press(texts.TOMORROW_BUTTON, await alice.expect(texts.ASK_BOOKED_DATE))
        await alice.expect("Saved: your scan is booked for")
        tomorrow = first + timedelta(days=1)
        await planned_at(app, job, ten_am(tomorrow))  # the booked scan's day, not the baseline


async def test_the_care_teams_interval_and_a_planned_course_with_its_review(
    simulator: BotApiSimulator, settings: Settings
) -> None:
    # Zoledronic acid every 3 months, as the care team set it, for a 2-year course: the due
    # date follows the interval; once the next dose would fall after the course's end, one
    # review message comes instead, and "It goes on" brings the reminders back.
    clock = DrivenClock(START)
    alice, bob = Person(simulator, 1001, "Alice"), Person(simulator, 1002, "Bob")
    async with bot_running(settings, clock) as app:
        await register_clinic(alice, "Zoledronic acid 4 mg drip")
        await alice.expect("When was your last zoledronic acid 4 mg (Zometa) given?")
        given = date(2029, 3, 20)  # the first dose of the course, two years before
        alice.say("20 March 2029")
        await alice.expect("Saved: your zoledronic acid 4 mg (Zometa) was given on")
        plan = await plan_of(app, alice.id)
        assert plan.due_on == next_due(ZOLEDRONIC, given)  # 6 months, the usual

        alice.say("/bone")
        alice.press(texts.SCHEDULE_BUTTON, await alice.expect(texts.BONE_TITLE))
        page = await alice.expect(texts.SCHEDULE_ASK_EVERY)
        assert "It is given every 6 months." in page["text"]
        assert alice.buttons(page) == [
            "Every 6 months (usual)",
            "Every 3 months",
            "Once a year",
            "After 2 years",
            "After 3 years",
            "After 5 years",
            texts.COURSE_NO_END,
        ]
        alice.press("Every 3 months", page)
        page = await alice.expect("It is given every 3 months.")
        plan = await plan_of(app, alice.id)
        assert (plan.interval_months, plan.due_on) == (3, date(2029, 6, 20))

        # A forged interval, and Bob pressing Alice's button, change nothing.
        query = alice.press_data(page["message_id"], f"cs:i:{plan.id}:5")
        assert await alice.toast(query) == texts.NOT_YOURS
        await register(bob)
        query = bob.press_data(page["message_id"], f"cs:i:{plan.id}:12")
        assert await bob.toast(query) == texts.NOT_YOURS
        assert (await plan_of(app, alice.id)).interval_months == 3

        alice.press("After 2 years", page)
        await alice.expect("The course is planned for 2 years, to about")
        plan = await plan_of(app, alice.id)
        assert (plan.course_years, plan.course_started_on) == (2, given)

        # The last dose of the course, given 20 February 2031: the next (20 May) would fall
        # after 20 March 2031, so the review comes on the end day, nothing else.
        last = date(2031, 2, 20)
        async with services_of(app).sessions() as session:
            await clinic_agents.record_given(
                session,
                services_of(app).planner,
                telegram_user_id=alice.id,
                plan_id=plan.id,
                given_on=last,
                now=clock(),
            )
        end = date(2031, 3, 20)
        await planned_at(app, f"agent:{plan.id}", ten_am(end))
        clock.jump_to(at_eleven(end))
        await run_agent_job(app, plan.id)
        review = await alice.expect("Your planned 2-year course of zoledronic acid")
        assert "Please ask your care team whether it goes on" in review["text"]
        assert alice.buttons(review) == [texts.COURSE_GOES_ON]
        assert job_time(app, f"agent:{plan.id}") is None  # no dose reminder after the end

        alice.press(texts.COURSE_GOES_ON, review)
        await alice.expect("No end is set for the course.")
        due = date(2031, 5, 20)
        await planned_at(app, f"agent:{plan.id}", ten_am(due - timedelta(days=28)))


async def test_the_aromatase_inhibitor_length_and_the_bisphosphonate_review_come_as_reminders(
    simulator: BotApiSimulator, settings: Settings
) -> None:
    # Anastrozole planned for 5 years, started 4 years ago: the review at the end, in about a
    # year; weekly alendronate: a review 3 years after the bot first knew of it.
    clock = DrivenClock(START)
    alice = Person(simulator, 1001, "Alice")
    async with bot_running(settings, clock) as app:
        await register(alice)
        async with services_of(app).sessions() as session:
            rows = {row.kind: row for row in await session.scalars(select(TreatmentReview))}
        assert set(rows) == {"aromatase_inhibitor", "oral_bisphosphonate"}
        bp = rows["oral_bisphosphonate"]
        assert bp.started_on == START.date()
        bp_review = date(2034, 3, 3)
        await planned_at(app, f"review:{bp.id}", ten_am(bp_review))
        ai = rows["aromatase_inhibitor"]
        assert job_time(app, f"review:{ai.id}") is None  # no planned length yet

        alice.say("/bone")
        alice.press(
            "🗓 Anastrozole: how long it is planned for", await alice.expect(texts.BONE_TITLE)
        )
        asked = await alice.expect("How long is your anastrozole planned for?")
        assert alice.buttons(asked) == ["5 years", "7 years", "10 years", texts.AI_NOT_SURE]
        alice.press("5 years", asked)
        started = await alice.expect(texts.AI_STARTED_ASK)
        assert alice.buttons(started)[:2] == [texts.AI_STARTED_THIS_YEAR, "1 year ago"]
        query = alice.press_data(started["message_id"], "rv:s:6:4")  # a length no button offers
        assert await alice.toast(query) == texts.NOT_YOURS
        alice.press("4 years ago", started)
        end = date(2032, 3, 3)
        await alice.expect(
            f"Saved: anastrozole planned for 5 years, to about {texts.long_date(end)}"
        )
        await planned_at(app, f"review:{ai.id}", ten_am(end))

        clock.jump_to(at_eleven(end))
        await run_job(app, f"review:{ai.id}")
        review = await alice.expect("Your anastrozole was planned for 5 years")
        assert "ask your care team whether to stop or to go on" in review["text"]
        assert job_time(app, f"review:{ai.id}") is None  # once

        clock.jump_to(at_eleven(bp_review))
        await run_job(app, f"review:{bp.id}")
        review = await alice.expect("You have been taking alendronate for about 3 years")
        assert "Keep taking it until they tell you otherwise." in review["text"]
        await planned_at(app, f"review:{bp.id}", ten_am(date(2036, 3, 3)))
