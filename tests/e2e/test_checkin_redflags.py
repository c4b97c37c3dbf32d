"""Red flags at once, end to end: chest pain reported mid-check-in gets its advice before the
next question and alerts the linked caregiver and clinician then, even when the patient
taps "Stop for now"; finishing later, or reporting it again next week, alerts nobody again
while the patient reads the advice each time. And a check-in a tired person can't mis-tap:
the "none" answer is the top button of every question, and each says "Question N of M".

The bot runs on a DrivenClock: "next week" is a jump of the clock, not a wait.
"""

from __future__ import annotations

import re
from collections.abc import AsyncIterator
from datetime import timedelta

import pytest
from sqlalchemy import select
from telegram.ext import Application

from bot.config import Settings
from bot.db.models import CareAlert, RedFlagEpisode
from bot.domain import redflags
from simulator import BotApiSimulator, RateLimits
from tests.e2e.helpers import Message, Person, bot_running, register, services_of
from tests.e2e.test_caregivers import link
from tests.e2e.test_checkins import (
    WANTS_TO_STOP,
    ZERO_LABELS,
    answer_questions,
    finish,
    patient_of,
    settle,
)
from tests.fakes.clock import DrivenClock
from ui import texts

CHEST_PAIN_QUESTION = "chest pain"  # the own item "pain when you swallow, or chest pain"
ADVICE = "⚠️ " + redflags.UPPER_GI_MESSAGE
CARE_ALERT = "Alice's symptom check-in shows chest pain, heartburn or trouble swallowing"
CLINICIAN_ALERT = "🔴 Urgent · Alice\nCheck-in: chest pain, heartburn or trouble swallowing"
HEADER = re.compile(r"^Question (\d+) of (up to )?(\d+)\n\n")


@pytest.fixture
async def simulator() -> AsyncIterator[BotApiSimulator]:
    """The simulator, with room for test people who tap through flows in a few seconds."""
    async with BotApiSimulator(
        rate_limits=RateLimits(per_chat_burst=100, global_burst=100)
    ) as sim:
        yield sim


async def alerts_of(app: Application) -> list[CareAlert]:
    async with services_of(app).sessions() as session:
        return list(await session.scalars(select(CareAlert).order_by(CareAlert.id)))


async def episodes_of(app: Application, patient_id: int) -> list[RedFlagEpisode]:
    async with services_of(app).sessions() as session:
        rows = await session.scalars(
            select(RedFlagEpisode)
            .where(RedFlagEpisode.patient_id == patient_id)
            .order_by(RedFlagEpisode.id)
        )
        return list(rows)


async def report_chest_pain(person: Person) -> Message:
    """Start a check-in, answer "none" up to the chest-pain question, tap Yes; return the
    question that comes next (by then everything sent before it has arrived)."""
    person.say("/symptoms")
    number = 1
    while True:
        question = await person.sim.wait_for_message(
            person.id,
            lambda m, n=number: (m.get("text") or "").startswith(f"Question {n} of "),
        )
        if CHEST_PAIN_QUESTION in question["text"]:
            break
        person.press(person.buttons(question)[0], question)
        number += 1
    person.press("Yes", question)
    return await person.sim.wait_for_message(
        person.id, lambda m: (m.get("text") or "").startswith(f"Question {number + 1} of ")
    )


def said_between(person: Person, first: Message, last: Message) -> list[str]:
    """Texts the bot sent after `first` and before `last` (by message id)."""
    return [
        m.get("text") or ""
        for m in person.sim.bot_messages(person.id)
        if first["message_id"] < m["message_id"] < last["message_id"]
    ]


def chest_pain_question(person: Person) -> Message:
    """The newest chest-pain question (not the advice, which mentions chest pain too)."""
    return next(
        m
        for m in reversed(person.sim.bot_messages(person.id))
        if HEADER.match(m.get("text") or "") and CHEST_PAIN_QUESTION in m["text"]
    )


def following_number(question: Message) -> int:
    """The number a question shows ("Question 10 of ...")."""
    header = HEADER.match(question["text"])
    assert header is not None
    return int(header[1])


def alerts_received(person: Person) -> int:
    return sum(
        CARE_ALERT in (m.get("text") or "") or CLINICIAN_ALERT in (m.get("text") or "")
        for m in person.sim.bot_messages(person.id)
    )


async def test_chest_pain_is_advised_and_alerted_at_once_even_after_stop_for_now(
    simulator: BotApiSimulator, settings: Settings
) -> None:
    alice, carol = Person(simulator, 1001, "Alice"), Person(simulator, 1003, "Carol")
    doctor = Person(simulator, 1004, "Dr Lee")
    clock = DrivenClock()
    async with bot_running(settings, clock) as app:
        await register(alice)  # anastrozole and weekly alendronate: an oral bisphosphonate
        await link(alice, carol)
        await link(alice, doctor, texts.INVITE_CLINICIAN)
        patient = await patient_of(app, alice.id)

        # Week 1: chest pain. The advice comes before the next question, then she stops.
        following = await report_chest_pain(alice)
        asked = chest_pain_question(alice)
        assert asked["text"].endswith("➜ Yes")
        assert said_between(alice, asked, following) == [ADVICE, texts.CARE_TEAM_TOLD]
        alice.press(texts.CHECKIN_STOP_FOR_NOW, following)
        await alice.expect("Stopped for now")

        # Her caregiver and her clinician hear of it now, one alert each, marked urgent.
        alert = await carol.expect(CARE_ALERT)
        assert "contact their care team right away" in alert["text"]
        alert = await doctor.expect(CLINICIAN_ALERT)  # the clinician's wording, tiered
        assert "The patient was told to contact the care team right away." in alert["text"]
        alerts = await alerts_of(app)
        assert len(alerts) == 2
        [episode] = await episodes_of(app, patient.id)
        assert (episode.flag_code, episode.closed_at) == ("upper_gi", None)

        # She comes back the next day and finishes: no second alert, no advice repeated.
        clock.jump_to(clock() + timedelta(days=1))
        alice.say("/symptoms")
        await alice.expect("Welcome back")
        await answer_questions(alice, first=following_number(following))
        await finish(alice)
        [summary] = await settle(alice)  # nothing after it: no advice, no "I've let them know"
        assert "• Pain when swallowing or chest pain: Yes" in summary
        assert texts.CHECKIN_CARE_TEAM not in summary  # it was flagged: advice was given
        assert [a.id for a in await alerts_of(app)] == [a.id for a in alerts]
        assert (alerts_received(carol), alerts_received(doctor)) == (1, 1)

        # Week 2: the same pain again. Advice again; the episode is still open, so no alert.
        clock.jump_to(clock() + timedelta(days=7))
        following = await report_chest_pain(alice)
        assert said_between(alice, chest_pain_question(alice), following) == [ADVICE]
        await answer_questions(alice, first=following_number(following))
        await finish(alice)
        assert len(await settle(alice)) == 1  # the summary alone
        assert len(await alerts_of(app)) == 2
        assert (alerts_received(carol), alerts_received(doctor)) == (1, 1)
        [same] = await episodes_of(app, patient.id)
        assert (same.id, same.closed_at) == (episode.id, None)


async def test_the_none_answer_is_always_on_top_and_questions_say_n_of_m(
    simulator: BotApiSimulator, settings: Settings
) -> None:
    alice = Person(simulator, 1001, "Alice")
    async with bot_running(settings, DrivenClock()) as app:
        await register(alice)
        alice.say("/symptoms")
        intro = await alice.expect("Your weekly check-in")
        assert "the top button always means none or no" in intro["text"]
        # Some answers above 0, so terms with several questions are asked through.
        await answer_questions(alice, {"JOINTS": ["Rarely", "Mild", "A little bit"]})
        stop = await alice.expect(WANTS_TO_STOP)
        assert alice.buttons(stop)[0] == "No"
        alice.say("/help")  # handled after the last answer's edit has gone out
        await alice.expect("What I can do")
        questions = [
            m
            for m in simulator.bot_messages(alice.id)
            if HEADER.match(m.get("text") or "") and m["message_id"] <= stop["message_id"]
        ]
        numbers, totals, exact = [], [], []
        for message in questions:
            header = HEADER.match(message["text"])
            assert header is not None
            numbers.append(int(header[1]))
            totals.append(int(header[3]))
            exact.append(header[2] is None)
            # No shouting: the emphasis is bold (Telegram entities), in ordinary case.
            body = message["text"][header.end() :]
            assert not [w for w in re.findall(r"\b[A-Z]{2,}\b", body) if w != "IV"], body
            if message["message_id"] != stop["message_id"]:
                assert any(e["type"] == "bold" for e in message["entities"])
        assert numbers == list(range(1, len(questions) + 1))
        assert totals == sorted(totals, reverse=True)  # the total never grows
        assert totals[-1] == numbers[-1] == len(questions)  # the stop question: "15 of 15"
        assert (exact[0], exact[-1]) == (False, True)  # "of up to 21" ... "of 15"
        assert stop["text"].startswith(f"Question {len(questions)} of {len(questions)}\n")
        # answer_questions checked each keyboard as it came: "none" on top, Stop at the
        # bottom. The answered questions show what was tapped: "none" but for the joints.
        tapped = [m["text"].rsplit("➜ ", 1)[-1] for m in questions[:-1]]
        assert [label for label in tapped if label not in ZERO_LABELS] == [
            "Rarely",
            "Mild",
            "A little bit",
        ]
        patient = await patient_of(app, alice.id)
        assert await episodes_of(app, patient.id) == []


async def test_severe_muscle_pain_on_a_bone_medicine_is_its_own_red_flag(
    simulator: BotApiSimulator, settings: Settings
) -> None:
    alice, carol = Person(simulator, 1001, "Alice"), Person(simulator, 1003, "Carol")
    async with bot_running(settings, DrivenClock()) as app:
        await register(alice)  # anastrozole and weekly alendronate
        await link(alice, carol)
        alice.say("/symptoms")
        await answer_questions(alice, {"MUSCLES": ["Frequently", "Severe", "A little bit"]})
        await finish(alice)
        advice = await alice.expect(redflags.BONE_PAIN_MESSAGE)
        assert "stop" not in advice["text"].lower()
        await alice.expect(texts.CARE_TEAM_TOLD)
        told = await carol.expect(
            "Alice's symptom check-in shows severe bone, joint or muscle pain"
        )
        assert carol.buttons(told) == [texts.ALERT_SEEN]
        [alert] = await alerts_of(app)
        assert alert.flag_code == "bone_pain"  # its own flag, not "severe:muscles"
