"""The weekly symptom check-in end to end: questions, note, red flags, reminder, access."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select
from telegram.ext import Application

from app.telegram_transport import REPLY_RETRY_DELAYS
from bot.config import Settings
from bot.db.models import Checkin, CheckinAnswer, Patient, RedFlagEpisode
from bot.domain import redflags
from bot.domain.symptoms import ITEMS
from simulator import BotApiSimulator, RateLimits
from tests.e2e.helpers import (
    Message,
    Person,
    bot_running,
    planner_of,
    register,
    run_job,
    services_of,
)
from tests.fakes.clock import DrivenClock
from ui import texts

ZERO_LABELS = ("Never", "None", "No", "Not at all")
REPLY_ATTEMPTS = len(REPLY_RETRY_DELAYS) + 1  # a reply's first try and its retries
# The items for anastrozole + weekly alendronate (an oral bisphosphonate), in asking order.
ALENDRONATE_ITEMS = (
    "swallowing",
    "heartburn",
    "muscles",
    "joints",
    "insomnia",
    "fatigue",
    "vaginal_dryness",
    "hot_flashes",
    "swallow_pain",
    "jaw",
    "thigh",
    "fall",
)
WANTS_TO_STOP = "want to stop taking your aromatase inhibitor"


@pytest.fixture
async def simulator() -> AsyncIterator[BotApiSimulator]:
    """The simulator with room for a test person who taps through several check-ins in a few
    seconds (each answer sends the next question; a real person taps far slower)."""
    async with BotApiSimulator(
        rate_limits=RateLimits(per_chat_burst=100, global_burst=100)
    ) as sim:
        yield sim


async def answer_questions(
    person: Person,
    answers: dict[str, list[str]] | None = None,
    *,
    first: int = 1,
    timeout: float = 5.0,  # noqa: ASYNC109  (seconds to wait for each question)
) -> int:
    """Answer every question in turn, 0 unless `answers` gives labels by stem keyword.

    Returns how many questions were asked. `answers` maps a word of the stem (like
    "FATIGUE", matched in any case: the bot shows it in bold) to the labels to tap for its
    questions, in order. Every question must offer its "none" answer on the top button.
    """
    planned = {word.lower(): list(labels) for word, labels in (answers or {}).items()}
    number = first
    while True:
        message = await person.sim.wait_for_message(
            person.id,
            lambda m, number=number: (m.get("text") or "").startswith(f"Question {number} of "),
            timeout=timeout,
        )
        if WANTS_TO_STOP in message["text"]:
            return number - first
        buttons = person.buttons(message)
        assert buttons[-1] == texts.CHECKIN_STOP_FOR_NOW
        assert buttons[0] in ZERO_LABELS
        assert "In the last 7 days" in message["text"] or "Since your last" in message["text"]
        label = buttons[0]
        for word, labels in planned.items():
            if word in message["text"].lower() and labels:
                label = labels.pop(0)
                break
        person.press(label, message)
        number += 1


async def finish(person: Person, *, wants_to_stop: bool = False, note: str | None = None) -> None:
    """Answer the stop question and the note step, then wait for the summary."""
    question = await person.expect(WANTS_TO_STOP)
    assert person.buttons(question) == ["No", "Yes", texts.CHECKIN_STOP_FOR_NOW]
    person.press("Yes" if wants_to_stop else "No", question)
    prompt = await person.expect("Anything else you want your care team to know?")
    if note is None:
        person.press(texts.CHECKIN_NO_NOTE, prompt)
    else:
        person.say(note)
    await person.expect(texts.CHECKIN_DONE)


async def settle(person: Person) -> list[str]:
    """Wait until the bot has handled everything before (/help answers in order); return texts
    the bot sent since the last check-in summary."""
    person.say("/help")
    await person.expect("What I can do")
    said = [m.get("text") or "" for m in person.sim.bot_messages(person.id)]
    last = max(i for i, text in enumerate(said) if text.startswith(texts.CHECKIN_DONE))
    return said[last:-1]


async def patient_of(app: Application, telegram_user_id: int) -> Patient:
    async with services_of(app).sessions() as session:
        patient = await session.scalar(
            select(Patient).where(Patient.telegram_user_id == telegram_user_id)
        )
    assert patient is not None
    return patient


async def checkins_of(app: Application, patient_id: int) -> list[Checkin]:
    async with services_of(app).sessions() as session:
        rows = await session.scalars(
            select(Checkin).where(Checkin.patient_id == patient_id).order_by(Checkin.id)
        )
        return list(rows)


async def answers_of(app: Application, checkin_id: int) -> list[CheckinAnswer]:
    async with services_of(app).sessions() as session:
        rows = await session.scalars(
            select(CheckinAnswer)
            .where(CheckinAnswer.checkin_id == checkin_id)
            .order_by(CheckinAnswer.id)
        )
        return list(rows)


async def episodes_of(app: Application, patient_id: int) -> list[RedFlagEpisode]:
    async with services_of(app).sessions() as session:
        rows = await session.scalars(
            select(RedFlagEpisode)
            .where(RedFlagEpisode.patient_id == patient_id)
            .order_by(RedFlagEpisode.id)
        )
        return list(rows)


async def test_a_well_patient_taps_once_per_term_and_stale_buttons_are_refused(
    simulator: BotApiSimulator, settings: Settings
) -> None:
    alice = Person(simulator, 1001, "Alice")
    async with bot_running(settings) as app:
        await register(alice)
        alice.say("/symptoms")
        await alice.expect("Your weekly check-in")
        first = await alice.expect("Question 1 of ")
        stem = ITEMS["swallowing"].stems[next(iter(ITEMS["swallowing"].stems))]
        assert first["text"].lower().endswith(stem.lower())  # its emphasis: bold, not CAPS
        assert {"type": "bold", "offset": first["text"].index("severity"), "length": 8} in (
            first["entities"]
        )
        assert alice.buttons(first) == [
            "None",
            "Mild",
            "Moderate",
            "Severe",
            "Very severe",
            texts.CHECKIN_STOP_FOR_NOW,
        ]
        asked = await answer_questions(alice)
        assert asked == len(ALENDRONATE_ITEMS)
        await finish(alice)
        summary = simulator.last_bot_message(alice.id)
        assert summary is not None
        assert texts.CHECKIN_NOTHING_REPORTED in summary["text"]
        assert await settle(alice) == [summary["text"]]
        edited = [m for m in simulator.bot_messages(alice.id) if "Question 1 of" in m["text"]]
        assert edited[0]["text"].endswith("➜ None")
        assert alice.buttons(edited[0]) == []
        assert any(e["type"] == "bold" for e in edited[0]["entities"])  # still bold

        patient = await patient_of(app, alice.id)
        [checkin] = await checkins_of(app, patient.id)
        assert checkin.completed_at is not None
        assert checkin.note is None
        assert checkin.wants_to_stop is False
        assert checkin.product_keys == "alendronate-70-weekly-tablet,anastrozole-1-daily-tablet"
        answers = await answers_of(app, checkin.id)
        assert [a.item_code for a in answers] == list(ALENDRONATE_ITEMS)
        assert [a.attribute for a in answers] == [
            next(iter(ITEMS[code].stems)) for code in ALENDRONATE_ITEMS
        ]
        assert {a.score for a in answers} == {0}
        assert all(checkin.started_at <= a.answered_at <= checkin.completed_at for a in answers)
        assert all(a.patient_id == patient.id for a in answers)
        assert await episodes_of(app, patient.id) == []

        # The old first question's answer, replayed after the end: refused, nothing changes.
        replay = alice.press_data(first["message_id"], f"c:a:{checkin.id}:swallowing:s:3")
        assert await alice.toast(replay) == texts.CHECKIN_FINISHED
        no_note = alice.press_data(first["message_id"], f"c:n:{checkin.id}")
        assert await alice.toast(no_note) == texts.CHECKIN_FINISHED
        assert len(await answers_of(app, checkin.id)) == len(ALENDRONATE_ITEMS)


async def test_a_severe_answer_is_advised_every_week_in_one_episode(
    simulator: BotApiSimulator, settings: Settings
) -> None:
    alice = Person(simulator, 1001, "Alice")
    severe = "🩺 " + redflags.SEVERE_MESSAGE.format(label="tiredness")
    async with bot_running(settings) as app:
        await register(alice)
        patient = await patient_of(app, alice.id)
        for _week in (1, 2):
            alice.say("/symptoms")
            await answer_questions(alice, {"FATIGUE": ["Severe", "A little bit"]})
            await finish(alice)
            after = await settle(alice)
            summary = after[0]
            assert "• Tiredness: Severe, A little bit" in summary
            # The advice every week; the episode stays the one opened in the first week.
            assert after[1:] == [severe]
            [episode] = await episodes_of(app, patient.id)
            assert (episode.flag_code, episode.closed_at) == ("severe:fatigue", None)
            assert episode.alerted_at == episode.opened_at

        # A week without it closes the episode.
        alice.say("/symptoms")
        await answer_questions(alice)
        await finish(alice)
        await settle(alice)
        [episode] = await episodes_of(app, patient.id)
        assert episode.closed_at is not None


async def test_thigh_pain_and_wanting_to_stop_get_their_messages_never_advice_to_stop(
    simulator: BotApiSimulator, settings: Settings
) -> None:
    alice = Person(simulator, 1001, "Alice")
    async with bot_running(settings) as app:
        await register(alice)
        alice.say("/symptoms")
        await answer_questions(alice, {"THIGH": ["Yes"]})
        said = [m.get("text") or "" for m in simulator.bot_messages(alice.id)]
        advice = said.index("🩺 " + redflags.THIGH_MESSAGE)  # at once, before the next one
        assert said[advice - 1].startswith("Question 11 of")
        assert said[advice + 1].startswith("Question 12 of")
        await alice.expect(WANTS_TO_STOP)
        alice.press("Yes")
        await alice.expect("Anything else")
        alice.say("x" * 1001)
        await alice.expect("That note is a bit long for me: it has 1001 characters")
        alice.say("  My hip hurts when I climb stairs.  ")
        await alice.expect(texts.CHECKIN_DONE)
        after = await settle(alice)
        assert texts.CHECKIN_NOTE_SAVED in after[0]
        assert "• New thigh, hip or groin pain: Yes" in after[0]
        assert after[1:] == ["🩺 " + redflags.ADHERENCE_MESSAGE]  # thigh was told at once
        assert not any("stop" in text.lower() for text in after)

        patient = await patient_of(app, alice.id)
        [checkin] = await checkins_of(app, patient.id)
        assert checkin.note == "My hip hurts when I climb stairs."
        assert checkin.wants_to_stop is True
        codes = [episode.flag_code for episode in await episodes_of(app, patient.id)]
        assert codes == ["thigh", "adherence"]


async def test_forged_presses_on_another_patients_checkin_change_nothing(
    simulator: BotApiSimulator, settings: Settings
) -> None:
    alice, bob = Person(simulator, 1001, "Alice"), Person(simulator, 1002, "Bob")
    async with bot_running(settings) as app:
        await register(alice)
        alice.say("/symptoms")
        await alice.expect("Question 1 of ")
        [checkin] = await checkins_of(app, (await patient_of(app, alice.id)).id)
        await register(bob)
        bob_message = simulator.last_bot_message(bob.id)
        assert bob_message is not None
        for data in (
            f"c:a:{checkin.id}:swallowing:s:3",
            f"c:y:{checkin.id}:1",
            f"c:n:{checkin.id}",
            f"c:x:{checkin.id}",
            "c:a:99999999:swallowing:s:0",
            "c:a:1:swallowing:s:9",
            "c:a:1:Swallowing:s:0",
            f"c:n:{checkin.id}:1",
            "c:zz",
        ):
            query = bob.press_data(bob_message["message_id"], data)
            assert await bob.toast(query) == texts.NOT_YOURS, data
        assert await answers_of(app, checkin.id) == []
        [still] = await checkins_of(app, checkin.patient_id)
        assert (still.completed_at, still.wants_to_stop) == (None, None)
        # Alice's own out-of-turn answer (not the question on screen) is refused too.
        query = alice.press_data(
            simulator.last_bot_message(alice.id)["message_id"], f"c:a:{checkin.id}:fall:p:1"
        )
        assert await alice.toast(query) == texts.CHECKIN_STALE
        assert await answers_of(app, checkin.id) == []


async def test_stop_for_now_and_cancel_keep_the_answers_and_symptoms_resumes(
    simulator: BotApiSimulator, settings: Settings
) -> None:
    alice = Person(simulator, 1001, "Alice")
    async with bot_running(settings) as app:
        await register(alice)
        alice.say("/symptoms")
        for number in (1, 2):
            question = await alice.expect(f"Question {number} of ")
            alice.press("None" if number == 1 else "Never", question)
        question = await alice.expect("Question 3 of ")
        alice.press(texts.CHECKIN_STOP_FOR_NOW, question)
        await alice.expect("I've kept the 2 answers you gave")

        alice.say("/symptoms")
        await alice.expect("Welcome back")
        question = await alice.expect("Question 3 of ")
        assert "aching muscles" in question["text"]
        alice.press("Never", question)
        await alice.expect("Question 4 of ")
        alice.say("/cancel")
        await alice.expect("I've kept the 3 answers you gave")

        [checkin] = await checkins_of(app, (await patient_of(app, alice.id)).id)
        assert checkin.completed_at is None
        assert [a.item_code for a in await answers_of(app, checkin.id)] == [
            "swallowing",
            "heartburn",
            "muscles",
        ]
        alice.say("/symptoms")
        assert await answer_questions(alice, first=4) == len(ALENDRONATE_ITEMS) - 3
        await finish(alice)
        assert len(await checkins_of(app, checkin.patient_id)) == 1


def _next_local(zone: str, weekday: int, hour: int, minute: int, now: datetime) -> datetime:
    local = now.astimezone(ZoneInfo(zone))
    for days in range(8):
        day = (local + timedelta(days=days)).date()
        candidate = datetime(day.year, day.month, day.day, hour, minute, tzinfo=ZoneInfo(zone))
        if day.weekday() == weekday and candidate > now:
            return candidate
    raise AssertionError("no day found")


async def test_weekly_reminder_is_planned_in_the_patients_zone_and_prompts(
    simulator: BotApiSimulator, settings: Settings
) -> None:
    alice = Person(simulator, 1001, "Alice")
    clock = DrivenClock()
    async with bot_running(settings, clock) as app:
        await register(alice, zone="New York (Eastern)")
        patient = await patient_of(app, alice.id)
        alice.say("/symptoms settings")
        days = await alice.expect("Weekly check-in reminder: now off")
        assert alice.buttons(days)[-1] == texts.CHECKIN_SETTINGS_NONE
        alice.press("Wednesday", days)
        times = await alice.expect("What time on Wednesday?")
        alice.press("18:00", times)
        await alice.expect("every Wednesday at 18:00")
        expected = _next_local("America/New_York", 2, 18, 0, clock())
        jobs = dict(planner_of(app).next_jobs(50))
        assert jobs[f"checkin:{patient.id}"] == expected

        # A typed time replaces it.
        alice.say("/symptoms settings")
        days = await alice.expect("now every Wednesday at 18:00")
        alice.press("Friday", days)
        await alice.expect("What time on Friday?")
        alice.say("7:30 pm")
        await alice.expect("every Friday at 19:30")
        expected = _next_local("America/New_York", 4, 19, 30, clock())
        assert dict(planner_of(app).next_jobs(50))[f"checkin:{patient.id}"] == expected

        # Friday 19:30 in New York comes (the bot's clock is set to it): the prompt is sent,
        # and the next one is planned a week later at the same local time.
        clock.jump_to(expected)
        await run_job(app, f"checkin:{patient.id}")
        prompt: Message = await alice.expect(texts.CHECKIN_PROMPT)
        assert alice.buttons(prompt) == [texts.CHECKIN_START]
        new_york = ZoneInfo("America/New_York")
        a_week_later = datetime.combine(
            expected.astimezone(new_york).date() + timedelta(days=7), time(19, 30), new_york
        )
        assert dict(planner_of(app).next_jobs(50))[f"checkin:{patient.id}"] == a_week_later
        alice.press(texts.CHECKIN_START, prompt)
        await alice.expect("Question 1 of ")

        alice.say("/cancel")
        await alice.expect("Stopped for now")
        alice.say("/symptoms settings")
        days = await alice.expect("now every Friday at 19:30")
        alice.press(texts.CHECKIN_SETTINGS_NONE, days)
        await alice.expect("No weekly reminder")
        assert f"checkin:{patient.id}" not in dict(planner_of(app).next_jobs(50))


async def test_a_failed_edit_loses_neither_the_next_question_nor_the_conversation(
    simulator: BotApiSimulator, settings: Settings
) -> None:
    alice = Person(simulator, 1001, "Alice")
    async with bot_running(settings) as app:
        await register(alice)
        alice.say("/symptoms")
        first = await alice.expect("Question 1 of ")
        # Showing the first answer in place fails (Telegram answers 502 to that edit, and
        # to each of its retries).
        simulator.faults.script(
            "error", method="editMessageText", count=REPLY_ATTEMPTS, status=502
        )
        person_label = next(b for b in alice.buttons(first) if b in ZERO_LABELS)
        alice.press(person_label, first)
        asked = await answer_questions(alice, first=2, timeout=15)  # after the edit's retries
        assert asked == len(ALENDRONATE_ITEMS) - 1
        # The conversation kept its state: the typed note after the last question is taken.
        await finish(alice, note="Sleeping badly this week")
        patient = await patient_of(app, alice.id)
        [checkin] = await checkins_of(app, patient.id)
        assert checkin.note == "Sleeping badly this week"
        assert len(await answers_of(app, checkin.id)) == len(ALENDRONATE_ITEMS)
    edit_calls = [c for c in simulator.calls("editMessageText") if c.error_code == 502]
    assert len(edit_calls) == REPLY_ATTEMPTS
    # Only the old question keeps its buttons: no apology for a failure she cannot fix.
    said = [m.get("text") or "" for m in simulator.bot_messages(alice.id)]
    assert texts.SOMETHING_WRONG not in said
    assert alice.buttons(simulator.bot_messages(alice.id)[said.index(first["text"])])


async def test_a_note_with_a_nul_character_is_kept_clean_on_every_database(
    simulator: BotApiSimulator, settings: Settings
) -> None:
    """Before: on PostgreSQL the note was lost and the patient got the generic apology."""
    alice = Person(simulator, 1001, "Alice")
    async with bot_running(settings) as app:
        await register(alice)
        alice.say("/symptoms")
        await answer_questions(alice)
        await finish(alice, note="Knees\x00 stiff\x1b[0m,\r\nbetter by noon")
        assert not any(
            texts.SOMETHING_WRONG in (m.get("text") or "")
            for m in simulator.bot_messages(alice.id)
        )
        async with services_of(app).sessions() as session:
            note = await session.scalar(select(Checkin.note))
        assert note == "Knees stiff[0m,\nbetter by noon"
